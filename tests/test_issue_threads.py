"""Which threads an issue shows: never an empty section, never one thread twice."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from digest.config import load_digest
from digest.errors import ConfigError, EmptyIssue
from digest.issue import build_issue, shown_title
from digest.pipeline import import_threads
from tests.golden.regenerate import EXAMPLE, NOW, RETRIEVED


@pytest.fixture(scope="module")
def example():
    config = load_digest(EXAMPLE)
    return config, import_threads(config, RETRIEVED)


def test_a_thread_without_replies_is_left_out_with_a_warning(example):
    config, threads = example
    two = replace(config, threads=(config.threads[0], replace(config.threads[0], featured=())))
    empty = replace(threads[0], id="other", replies=(), url=None)
    issue = build_issue(two, (threads[0], empty), number=1, now=NOW)
    assert f"{config.path} [[thread]] #2: the source holds no replies; left out of this issue" in issue.warnings
    assert issue.text.count("More at the source") == build_issue(config, threads, number=1, now=NOW).text.count("More at the source")
    with pytest.raises(ConfigError, match="none of the digest's threads holds a reply"):
        build_issue(replace(config, threads=(replace(config.threads[0], featured=()),)), (empty,), number=1, now=NOW)


def test_a_thread_with_nothing_to_feature_is_left_out_and_an_issue_of_none_is_never_built(example):
    config, threads = example
    two = replace(config, threads=(config.threads[0], replace(config.threads[0], featured=(), exclude=())))
    thanks = replace(threads[0], id="thanks", replies=tuple(replace(r, body="<p>Thanks!</p>") for r in threads[0].replies[:3]))
    issue = build_issue(two, (threads[0], thanks), number=1, now=NOW)
    warning = (f"{config.path} [[thread]] #2: no reply is featured (3 too short to feature), so the thread is left out of "
               "this issue; feature one with [[thread.featured]] or lower [selection] min_words")
    assert warning in issue.warnings and {f.thread_id for f in issue.featured} == {threads[0].id}
    alone = replace(config, threads=(replace(config.threads[0], featured=(), exclude=()),))
    with pytest.raises(EmptyIssue) as error:
        build_issue(alone, (thanks,), number=1, now=NOW)
    assert error.value.message == ("no thread has a reply to feature, so there is nothing to build an issue from:\n  "
                                   + warning.replace("#2", "#1"))
    assert error.value.fix == "feature a reply with [[thread.featured]], or lower [selection] min_words"


def test_the_same_thread_twice_is_an_error_or_left_out_in_a_scheduled_run(example):
    config, threads = example
    twice = replace(config, threads=(config.threads[0], replace(config.threads[0], featured=())))
    with pytest.raises(ConfigError) as error:
        build_issue(twice, (threads[0], threads[0]), number=1, now=NOW)
    assert error.value.message == f"imports the same thread as [[thread]] #1 (id {threads[0].id!r})"
    assert error.value.fix == "remove one of the two [[thread]] entries"
    issue = build_issue(twice, (threads[0], threads[0]), number=1, now=NOW, strict=False)
    assert any(w.endswith(f"imports the same thread as [[thread]] #1 (id {threads[0].id!r}); left out") for w in issue.warnings)


def test_a_thread_without_an_address_is_warned_about(example):
    config, threads = example
    unlinked = replace(config, threads=(replace(config.threads[0], url=None),))
    issue = build_issue(unlinked, (replace(threads[0], url=None),), number=1, now=NOW)
    assert issue.warnings[-1].endswith("the source gives no address for the whole discussion, so readers get no link to it (set `url`)")


def test_a_thread_without_an_address_says_what_is_not_shown_without_a_dangling_link(example):
    config, threads = example
    unlinked = replace(config, threads=(replace(config.threads[0], url=None),))
    issue = build_issue(unlinked, (replace(threads[0], url=None),), number=1, now=NOW)
    assert "\n9 more replies at the source (the source gave no address).\n" in issue.text
    assert "(the source gave no URL)" not in issue.text and "\n9 more replies at the source:" not in issue.text
    assert '<p class="more">9 more replies at the source (the source gave no address).</p>' in re.sub(r' style="[^"]*"', "", issue.html)


def test_an_untitled_thread_is_named_by_its_site_and_the_subject_takes_a_real_title(example):
    config, threads = example
    two = replace(config, subject="{title} #{number}: {thread_title}",
                  threads=(replace(config.threads[0], featured=()), replace(config.threads[0], featured=())))
    busy = replace(threads[0], id="busy", title=None, url="https://www.blog.example.net/2016/gullfoss/")
    quiet = replace(threads[0], id="quiet", replies=threads[0].replies[:3])
    issue = build_issue(two, (busy, quiet), number=1, now=NOW)
    assert issue.subject == "Garden Forum Digest #1: How do you keep tomatoes from splitting?"  # not the busier untitled one
    assert '<a href="#thread-1"><bdi>Discussion at blog.example.net/2016/gullfoss</bdi></a>' in re.sub(r' style="[^"]*"', "", issue.html)
    assert any(w.endswith("#1: the source gives no title, so readers see 'Discussion at blog.example.net/2016/gullfoss' (set `title`)") for w in issue.warnings)
    deep = replace(busy, url="https://news.example.com/2026/01/16/ice-raids-in-minneapolis-what-we-know-so-far/?utm=x")
    assert shown_title(deep) == "Discussion at news.example.com/…/ice-raids-in-minneapolis-what-we-know-so-far"
    assert shown_title(replace(busy, url="https://example.com/")) == "Discussion at example.com"
    nowhere = build_issue(config, (replace(threads[0], title=None, url=None),), number=1, now=NOW)
    assert "\nUntitled discussion\n-------------------\n" in nowhere.text


def test_an_item_with_nothing_to_say_above_it_has_no_empty_meta_line(example):
    config, threads = example
    bare = tuple(replace(r, number=None, posted_at=None, posted_at_text=None, parent_id=None, mentions=()) for r in threads[0].replies)
    unpicked = replace(config, threads=(replace(config.threads[0], featured=()),))
    issue = build_issue(unpicked, (replace(threads[0], partial=True, replies=bare),), number=1, now=NOW)
    html = re.sub(r' style="[^"]*"', "", issue.html)
    assert '<p class="item-meta"></p>' not in html and '<p class="links"></p>' not in html
    assert html.count('<p class="item-meta">') == 0


def test_candidates_says_how_many_more_replies_there_are(tmp_path, capsys):
    from digest import cli
    from tests.conftest import copy_example_config

    config_dir = copy_example_config(tmp_path / "config")
    args = ["--config-dir", str(config_dir), "--state-dir", str(tmp_path / "state"), "--archive-dir", str(tmp_path / "archive"),
            "--env-file", "/nonexistent", "candidates", "example", "--limit", "3"]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    total = int(re.search(r": (\d+) replies\n", out).group(1))
    assert out.rstrip().endswith(f"... and {total - 3} more (--limit {total} shows them all)")


def test_a_too_large_issue_without_replies_sent_whole_says_what_to_lower(example):
    from digest.issue import _too_large

    config, _ = example
    error = _too_large(config, (), 150_000)
    assert error.message == ("the HTML part would be 150.0 KB, over the 100 KB limit (Gmail clips messages above about 102 KB), "
                             "with every long reply already excerpted")
    assert error.fix == "lower `replies` or `total`, or `excerpt_words`"
