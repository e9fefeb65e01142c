"""Rendering: golden files, the HTML's structure, dates in the digest's locale and time zone,
per-digest templates, and the size pass that keeps the HTML under Gmail's clipping limit."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import lxml.html
import pytest

from digest.body import plain_words
from digest.config import load_digest
from digest.errors import ConfigError
from digest.issue import build_issue
from digest.pipeline import import_threads
from digest.render import HTML_LIMIT, html_size, personalize
from tests.conftest import ROOT
from tests.golden.regenerate import EXAMPLE, GOLDEN, NOW, RETRIEVED, SEED_DIGEST, golden_issue, outputs


# ------------------------------------------------------------------------------ golden files


def test_example_and_seed_digests_match_golden_files(seed_file):
    expected = outputs()
    assert {"example-digest.html", "example-digest.txt", "kasama-digest.html", "kasama-digest.txt"} <= set(expected)
    for name, content in expected.items():
        assert (GOLDEN / name).read_text(encoding="utf-8") == content, f"{name} differs: run `make golden` and review the diff"


def test_example_digest_matches_golden_files_without_the_seed():
    issue = golden_issue(EXAMPLE)
    assert issue.html == (GOLDEN / "example-digest.html").read_text(encoding="utf-8")
    assert issue.text == (GOLDEN / "example-digest.txt").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------ HTML structure


@pytest.fixture(params=["example", "seed"])
def email_html(request) -> str:
    if request.param == "seed":
        request.getfixturevalue("seed_file")
        return golden_issue(SEED_DIGEST).html
    return golden_issue(EXAMPLE).html


def test_email_html_is_an_accessible_table_layout(email_html):
    root = lxml.html.document_fromstring(email_html)
    html = root.getroottree().getroot()
    assert html.get("lang") == "en" and html.get("dir") == "ltr"
    tables = root.findall(".//table")
    assert tables and all(t.get("role") == "presentation" for t in tables), "layout tables are presentation only"
    container = root.find_class("container")[0]
    assert "width:600px" in container.get("style").replace(" ", "") and "max-width:600px" in container.get("style").replace(" ", "")
    for obsolete in ("bgcolor", "cellpadding", "cellspacing", "align", "width", "border"):
        assert not root.xpath(f"//*[@{obsolete}]"), f"obsolete attribute {obsolete} (premailer must not add it)"
    assert not root.findall(".//img"), "nothing depends on images: it reads the same with images off"


def test_preheader_is_hidden_and_comes_first(email_html):
    root = lxml.html.document_fromstring(email_html)
    body = root.find("body")
    first = body[0]
    assert first.get("class") == "preheader"
    style = first.get("style").replace(" ", "")
    assert "display:none" in style and "max-height:0" in style and "overflow:hidden" in style
    assert re.fullmatch(r"\d+ key repl(y|ies): .{20,}", first.text_content())


def test_headings_descend_one_level_at_a_time(email_html):
    root = lxml.html.document_fromstring(email_html)
    levels = [int(h.tag[1]) for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels


def test_media_rules_survive_inlining_with_important(email_html):
    style = lxml.html.document_fromstring(email_html).find(".//style").text
    mobile = style.split("@media only screen and (max-width: 620px)", 1)[1].split("@media", 1)[0]
    assert re.search(r"\.container\s*\{[^}]*width:\s*100%\s*!important", mobile)
    dark = style.split("@media (prefers-color-scheme: dark)", 1)[1]
    assert re.search(r"\.container\s*\{[^}]*background-color:\s*#161b22\s*!important", dark)


# ------------------------------------------------------------------------------ locale and time zone


def test_dates_follow_the_digests_language_and_time_zone():
    issue = golden_issue(EXAMPLE, language="de", timezone="America/New_York")
    html, text = issue.html, issue.text
    assert '<html lang="de" dir="ltr">' in html
    # The issue date (09:00 UTC is 04:00 in New York) and a reply posted 2026-07-02 06:14 UTC.
    assert "Issue 1 · 25. November 2026" in html and "25. November 2026" in text.splitlines()[0]
    assert "02.07.2026, 02:14 -0400" in html and "02.07.2026, 02:14 -0400" in text  # the zone named: readers live elsewhere
    english = golden_issue(EXAMPLE)
    assert re.search(r"Jul 2, 2026, 7:14\sAM \+0100<", english.html)  # Europe/London, summer time
    tokyo = golden_issue(EXAMPLE, timezone="Asia/Tokyo", language="ja").text
    assert "2026/07/02 15:14 JST" in tokyo  # Japanese joins date and time without a comma


def test_date_and_time_are_joined_the_language_way():
    """CLDR's glue between date and time: Arabic's comma is "،", not a Latin one."""
    arabic = golden_issue(EXAMPLE, timezone="Asia/Riyadh", language="ar").text
    assert "02\u200f/07\u200f/2026، 9:14 ص \u2066+0300\u2069" in arabic
    assert "2026, " not in arabic


def test_a_zone_offset_reads_left_to_right_in_a_right_to_left_digest():
    """Unisolated, the bidi algorithm shows "+0300" as "0300+" in a Hebrew or Arabic line."""
    hebrew = golden_issue(EXAMPLE, timezone="Asia/Jerusalem", language="he")
    assert "2 ביולי 2026, 9:14 \u2066+0300\u2069</time>" in hebrew.html
    assert "2 ביולי 2026, 9:14 \u2066+0300\u2069" in hebrew.text
    assert "\u2066" not in golden_issue(EXAMPLE).html  # a left-to-right digest needs no isolation


def test_right_to_left_language_sets_dir():
    issue = golden_issue(EXAMPLE, language="ar", timezone="Asia/Riyadh")
    assert '<html lang="ar" dir="rtl">' in issue.html
    # Quote bars, list indents and nesting bars sit where lines begin: on the right.
    blockquote = re.search(r'<blockquote style="([^"]*)"', issue.html)[1]
    assert "border-right:3px solid #8c959f" in blockquote and "padding-right:14px" in blockquote and "left" not in blockquote
    assert re.search(r"\.nested \{\s*padding-right: 10px !important", issue.html)  # the phone rule
    assert re.search(r"border-right-color:\s*#6e7681 !important", issue.html)  # and the dark-mode one
    english = golden_issue(EXAMPLE).html
    assert re.search(r"\.nested \{\s*padding-left: 10px !important", english)
    assert "border-left:3px solid #8c959f" in re.search(r'<blockquote style="([^"]*)"', english)[1]
    assert ".nested { margin-right: 16px; padding-right: 16px; border-right: 3px solid #d0d7de; }" in issue.web_html


def test_each_reply_and_title_takes_the_direction_of_its_own_text():
    """A Hebrew reply in an English digest (or an English one in an Arabic digest) reads in its
    own direction, and a name or quoted snippet cannot reorder the line it sits in."""
    issue = golden_issue(EXAMPLE)
    assert issue.html.count('<div dir="auto">') == len(issue.featured)
    # Headings keep the digest's alignment; their text is isolated, as names and snippets are.
    assert len(re.findall(r'<h3[^>]*><bdi>[^<]+</bdi></h3>', issue.html)) == len(issue.featured)
    assert re.search(r'<h2 id="thread-1"[^>]*><a href="[^"]+"[^>]*><bdi>How do you keep tomatoes', issue.html)
    assert re.search(r'replying to <a href="[^"]+/7"[^>]*><bdi>Tom Ashdown</bdi></a>: “<bdi>Calcium!', issue.html)
    assert '<article class="item" id="reply-post-412001">\n<h3><bdi>' in issue.web_html


def test_subject_date_is_the_local_date():
    config = replace(load_digest(EXAMPLE), subject="{title} {date}", timezone="Asia/Tokyo")
    late = datetime(2026, 11, 25, 20, 30, tzinfo=timezone.utc)  # already the 26th in Tokyo
    issue = build_issue(config, import_threads(config, RETRIEVED), number=3, now=late)
    assert issue.subject == "Garden Forum Digest 2026-11-26"


# ------------------------------------------------------------------------------ per-digest templates


def _digest_in(tmp_path: Path, extra: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8").replace("../examples/", f"{ROOT}/examples/")
    text = text.replace('intro = "example.intro.md"', f'intro = "{ROOT}/config/example.intro.md"')
    text = text.replace('subscribers = "example.subscribers.csv"', f'subscribers = "{ROOT}/config/example.subscribers.csv"')
    text = text.replace("[digest]\n", f"[digest]\n{extra}\n", 1)
    path = tmp_path / "custom.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_digest_templates_override_and_fall_back_to_built_in(tmp_path):
    folder = tmp_path / "looks"
    folder.mkdir()
    (folder / "_macros.html.j2").write_text(
        (ROOT / "templates" / "_macros.html.j2").read_text(encoding="utf-8").replace('count("more_replies", thread.not_shown)', 'thread.not_shown ~ " more replies on the forum"'),
        encoding="utf-8",
    )
    config = load_digest(_digest_in(tmp_path, 'templates = "looks"'))
    assert config.templates == folder.resolve()
    issue = build_issue(config, import_threads(config, RETRIEVED), number=1, now=NOW)
    assert "9 more replies on the forum" in issue.html and "9 more replies on the forum" in issue.web_html
    assert "9 more replies at the source" in issue.text  # the text template was not overridden
    assert "Garden Forum Digest" in issue.html and "@media" in issue.html  # the rest is built-in


def test_missing_template_folder_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_digest(_digest_in(tmp_path, 'templates = "nowhere"'))
    assert caught.value.where.endswith("[digest].templates") and "nowhere" in caught.value.message


# ------------------------------------------------------------------------------ size


def _big_thread(config, paragraphs: int):
    """The example thread with every reply made long (many copies of its own paragraphs)."""
    thread = import_threads(config, RETRIEVED)[0]
    long_replies = tuple(replace(r, body=r.body * paragraphs) for r in thread.replies)
    return replace(thread, replies=long_replies)


def test_scorer_picks_shrink_to_excerpts_until_the_html_fits():
    base = replace(load_digest(EXAMPLE), replies=12, excerpt_words=2000)
    full_pick = replace(base.threads[0].featured[1], full=True)  # post-412010, the editor wants it whole
    config = replace(base, threads=(replace(base.threads[0], featured=(base.threads[0].featured[0], full_pick)),))
    thread = _big_thread(config, 40)
    issue = build_issue(config, (thread,), number=1, now=NOW)
    size = html_size(personalize(issue.html, "someone.with.a.long.address@example.com", "https://garden.example.org/unsubscribe?d=example&t=" + "x" * 80, is_html=True))
    assert size <= 102_000, size
    assert html_size(issue.html) <= HTML_LIMIT
    words = _words_by_reply(issue.html)
    full_words = {r.id: len(plain_words(r.body).split()) for r in thread.replies}
    assert words["post-412010"] == full_words["post-412010"] > 1000  # the editor's `full = true`: whole
    assert 1700 <= words["post-412005"] < full_words["post-412005"]  # the editor's excerpt keeps its length
    scorer = [f.reply_id for f in issue.featured if f.picked_by == "scorer"]
    assert len(scorer) >= 5
    shortened = [r for r in scorer if words[r] < min(full_words[r], 1300)]
    assert "post-412001" in shortened and all(words[r] < 1300 for r in scorer)
    assert "[…]" in issue.text and issue.html.count("Read the rest") >= len(shortened) + 1
    unshortened = replace(config, replies=2)  # only the editor's picks: fits without shortening anything
    small = build_issue(unshortened, (thread,), number=1, now=NOW)
    assert _words_by_reply(small.html)["post-412005"] == words["post-412005"]


def _words_by_reply(html: str) -> dict[str, int]:
    """Words shown per reply (identified by its link), from the HTML part."""
    root = lxml.html.document_fromstring(html)
    shown = {}
    for item in root.find_class("item"):
        link = item.find_class("links")[0].find("a").get("href")
        number = link.rstrip("/").rsplit("/", 1)[1]
        body = " ".join(p.text_content() for p in item.iter("p", "li") if not (p.get("class") or "").startswith(("item-meta", "links", "note")))
        shown[f"post-4120{int(number):02d}"] = len(body.replace("[…]", "").split())
    return shown


def test_full_text_never_cut_silently_error_names_the_replies():
    config = replace(load_digest(EXAMPLE), replies=12, full_text=True)
    with pytest.raises(ConfigError) as caught:
        build_issue(config, (_big_thread(config, 40),), number=1, now=NOW)
    error = caught.value
    assert re.search(r"the HTML part would be \d+\.\d KB, over the 100 KB limit", error.message)
    assert error.where.endswith("example.toml [digest]")
    assert "full_text = false" in error.fix and "Deshawn Price #5" in error.fix and "KB)" in error.fix


def test_a_long_unbroken_line_of_code_wraps_on_a_phone_instead_of_widening_the_page():
    """A mail signature kept as code (``<a href="http://www.tuxedo.org/~esr/">``) in a nested
    reply: the code block's own wrapping rule must not undo the column's ``overflow-wrap``."""
    from tests.helpers.browser import chromium, horizontal_overflow

    config = replace(load_digest(EXAMPLE), replies=12)
    thread = import_threads(config, RETRIEVED)[0]
    code = '<pre class="signature">&lt;a href="http://www.tuxedo.org/~esr/some/longer/path/"&gt;Eric S. Raymond&lt;/a&gt;</pre>'
    nested = next(r for r in thread.replies if r.parent_id is not None)
    thread = replace(thread, replies=tuple(replace(r, body=r.body + code) if r is nested else r for r in thread.replies))
    issue = build_issue(config, (thread,), number=1, now=NOW)
    pre = lxml.html.document_fromstring(issue.html).find(".//pre")
    assert "overflow-wrap:anywhere" in pre.get("style").replace(" ", "")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 375, "height": 900})
        page.set_content(issue.html)
        assert horizontal_overflow(page) == 0


# ------------------------------------------------------------------------------ documented variables

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _templates_section() -> str:
    return README.split("\n## Templates\n", 1)[1].split("\n## ", 1)[0]


def _used_by_templates() -> tuple[set[str], set[str], set[str]]:
    """Top-level names, dotted attribute paths and filters the built-in templates use."""
    import jinja2
    from jinja2 import meta, nodes

    from digest.render import TEMPLATE_DIR, DigestView, environment

    env = environment(None, DigestView("x", "x", "en", "UTC", "thread"))
    names, paths, filters = set(), set(), set()
    for template in sorted(p.name for p in TEMPLATE_DIR.glob("*.j2")):
        tree = env.parse(env.loader.get_source(env, template)[0])
        names |= meta.find_undeclared_variables(tree)
        called = {id(call.node) for call in tree.find_all(nodes.Call)}
        for node in tree.find_all(nodes.Getattr):
            chain, root = [], node
            while isinstance(root, nodes.Getattr):
                chain.insert(0, root.attr)
                root = root.node
            if isinstance(root, nodes.Name) and root.name != "loop":
                if id(node) in called:
                    chain = chain[:-1]  # a method of a documented value (a datetime's isoformat)
                if chain:
                    paths.add(".".join([root.name, *chain]))
        filters |= {f.name for f in tree.find_all(nodes.Filter)} - set(jinja2.defaults.DEFAULT_FILTERS)
    return names, paths, filters


def test_every_variable_the_templates_use_is_documented():
    section = _templates_section()
    documented = set(re.findall(r"`([a-z_][a-z_.]*)(?:\([^`]*\))?`", section))
    names, paths, filters = _used_by_templates()
    assert sorted(names - documented) == [], "top-level template variables missing from README 'Templates'"
    assert sorted(paths - documented) == [], "attributes used by templates missing from README 'Templates'"
    assert sorted(filters - documented) == [], "filters missing from README 'Templates'"


def test_every_documented_attribute_exists():
    from dataclasses import fields

    from digest.render import DigestView, IssueView, Recipient
    from digest.summarize import Context, Item, ThreadSummary

    owners = {"digest": DigestView, "issue": IssueView, "recipient": Recipient, "thread": ThreadSummary, "item": Item, "item.answers": Context}
    documented = set(re.findall(r"`((?:digest|issue|recipient|thread|item)\.[a-z_.]+)`", _templates_section()))
    assert len(documented) > 40
    for path in documented:
        owner, attribute = path.rsplit(".", 1)
        cls = owners[owner]
        assert attribute in {f.name for f in fields(cls)} or isinstance(getattr(cls, attribute, None), property), path
    names, _, _ = _used_by_templates()
    table = set(re.findall(r"^\| `([a-z_]+)` \|", _templates_section(), re.M))
    assert table and table <= names, "documented top-level variables are ones the templates get"


# ------------------------------------------------------------------------------ the commands report size


def _cli(workspace: Path, *args: str):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    return subprocess.run(
        [sys.executable, "-m", "digest.cli", "--config-dir", "config", "--state-dir", "state", "--archive-dir", "archive", *args],
        cwd=workspace, env=env, capture_output=True, text=True, timeout=300,
    )


def _big_workspace(tmp_path: Path, full_text: bool) -> Path:
    from digest.sources.canonical import dumps

    config = load_digest(EXAMPLE)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "big-thread.json").write_text(dumps(_big_thread(config, 40)), encoding="utf-8")
    text = _digest_in(tmp_path / "config", f"full_text = {'true' if full_text else 'false'}").read_text(encoding="utf-8")
    text = text.replace(f"{ROOT}/examples/garden-thread.json", "big-thread.json").replace("full_text = false\n", "").replace("replies = 5", "replies = 12").replace("excerpt_words = 70", "excerpt_words = 2000")
    (tmp_path / "config" / "custom.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_validate_and_preview_fail_naming_the_size_and_the_replies(tmp_path):
    workspace = _big_workspace(tmp_path, full_text=True)
    for command in (["validate", "custom"], ["preview", "custom"]):
        result = _cli(workspace, *command)
        assert result.returncode == 1, result.stdout + result.stderr
        assert re.search(r"the HTML part would be \d+\.\d KB, over the 100 KB limit", result.stderr)
        assert "fix: set full_text = false" in result.stderr and "Deshawn Price #5" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (workspace / "preview").exists() or not list((workspace / "preview").iterdir())


def test_validate_and_preview_report_the_size_of_a_shortened_issue(tmp_path):
    workspace = _big_workspace(tmp_path, full_text=False)
    validated = _cli(workspace, "validate", "custom")
    assert validated.returncode == 0, validated.stderr
    size = float(re.search(r"HTML (\d+\.\d) KB\)", validated.stdout).group(1))
    assert 50 < size <= 100
    previewed = _cli(workspace, "preview", "custom", "--out", "preview")
    assert previewed.returncode == 0, previewed.stderr
    assert "custom: next issue (1), built in memory, not stored" in previewed.stdout
    assert re.search(r"HTML size: \d+\.\d KB of 100 KB", previewed.stdout)
    assert sorted(p.name for p in (workspace / "preview").iterdir()) == ["custom-0001.eml", "custom-0001.html", "custom-0001.txt"]
    assert not (workspace / "state" / "issues").exists()  # the next issue was built in memory only


def test_preview_prints_the_warnings_build_would_print(tmp_path):
    (tmp_path / "config").mkdir()
    thread = json.loads((ROOT / "examples" / "garden-thread.json").read_text(encoding="utf-8"))
    thread["title"] = None
    (tmp_path / "config" / "untitled.json").write_text(json.dumps(thread), encoding="utf-8")
    text = _digest_in(tmp_path / "config", "").read_text(encoding="utf-8").replace(f"{ROOT}/examples/garden-thread.json", "untitled.json")
    (tmp_path / "config" / "custom.toml").write_text(text, encoding="utf-8")
    previewed = _cli(tmp_path, "preview", "custom", "--out", "preview")
    assert previewed.returncode == 0, previewed.stderr
    assert "warning: " in previewed.stderr and "the source gives no title, so readers see" in previewed.stderr


def test_a_broken_template_override_is_reported_with_its_file(tmp_path):
    folder = tmp_path / "looks"
    folder.mkdir()
    config = load_digest(_digest_in(tmp_path, 'templates = "looks"'))
    (folder / "web.html.j2").write_text("<p>{{ digest.titel }}</p>\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        build_issue(config, import_threads(config, RETRIEVED), number=1, now=NOW)
    assert "titel" in caught.value.message and "README 'Templates'" in caught.value.fix
    (folder / "web.html.j2").write_text("<p>\n{% if %}</p>\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        build_issue(config, import_threads(config, RETRIEVED), number=1, now=NOW)
    assert caught.value.where == f"{folder / 'web.html.j2'}:2"
