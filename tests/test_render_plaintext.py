"""The plaintext part, proved property by property on the example and the seed digest, line by
line: 72 columns, whole URLs, quotes marked with ``>``, numbered links listed under each item,
a table of contents, nothing that only makes sense as HTML, and full replies shown in full."""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, replace

import lxml.html
import pytest

from digest.body import clean, plain_words
from digest.config import load_digest
from digest.issue import Issue, build_issue
from digest.pipeline import import_threads, preview_parts
from digest.plaintext import WIDTH, LinkRefs, body_to_text, display_width, shorten, wrap
from tests.golden.regenerate import EXAMPLE, NOW, RETRIEVED, SEED_DIGEST, golden_issue

LISTED_REF = re.compile(r"^\s*\[(\d+)\] (\S+://\S+)$")
EXCERPT_MARK = "[…]"


@dataclass(frozen=True)
class Sent:
    issue: Issue
    thread_replies: dict[str, str]  # reply id -> body, for every imported reply
    text: str  # the plaintext part as a subscriber gets it
    html: str  # the HTML part as a subscriber gets it


def _sent(config_path, **overrides) -> Sent:
    config = replace(load_digest(config_path), **overrides)
    threads = import_threads(config, RETRIEVED)
    issue = build_issue(config, threads, number=1, now=NOW)
    shown = preview_parts(config, issue, "test")
    bodies = {r.id: r.body for t in threads for r in t.replies}
    return Sent(issue, bodies, shown.text, shown.html)


@pytest.fixture(params=["example", "seed"], scope="module")
def sent(request) -> Sent:
    if request.param == "seed":
        from tests.conftest import SHARED, need

        need((SHARED / "seeds" / "kasama-thread.txt").is_file(), "seed thread not found in ../shared/seeds")
        return _sent(SEED_DIGEST)
    return _sent(EXAMPLE)


def _items(sent: Sent) -> list[tuple[str, list[str]]]:
    """Each item's block of lines (from its numbered header to the next) with its reply id:
    items appear in the order the issue records its featured replies."""
    lines = sent.text.split("\n")
    start = lines.index("In this issue:") + len(sent.issue.featured) + 1
    headers = []
    for number in range(1, len(sent.issue.featured) + 1):
        at = next(i for i in range(start, len(lines)) if re.match(rf"^ *{number}\. \S", lines[i]))
        headers.append(at)
        start = at + 1
    ends = headers[1:] + [lines.index("-- ")]
    return [(f.reply_id, lines[a:b]) for f, a, b in zip(sent.issue.featured, headers, ends)]


def _words(text: str) -> list[str]:
    text = re.sub(r"\[\d+\]", " ", text)
    return re.findall(r"[^\W_]+", text.casefold())


def _is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    it = iter(haystack)
    return all(word in it for word in needle)


def test_every_line_fits_72_columns_unless_it_is_one_unbreakable_url(sent):
    for number, line in enumerate(sent.text.split("\n"), start=1):
        if len(line) <= WIDTH:
            continue
        rest = re.sub(r"^[\s>]*(\[\d+\] )?", "", line)
        assert " " not in rest and "://" in rest, f"line {number} is {len(line)} columns: {line!r}"


def test_no_line_has_trailing_space_except_the_signature_marker(sent):
    assert [line for line in sent.text.split("\n") if line != line.rstrip() and line != "-- "] == []
    assert "\n-- \n" in sent.text


def test_urls_are_never_broken(sent):
    hrefs = {htmllib.unescape(h) for h in re.findall(r'href="([^"]+)"', sent.html)}
    assert hrefs
    tokens = set(re.findall(r"\S+", sent.text))
    missing = [url for url in hrefs if not any(t.rstrip(".,;:)]") == url or t == url for t in tokens)]
    assert missing == [], "every link of the HTML part is in the text, whole"


def test_quotes_are_marked_with_a_chevron(sent):
    quotes = [" ".join(q.text_content().split()) for q in lxml.html.document_fromstring(sent.html).iter("blockquote")]
    quoted_lines = " ".join(line.lstrip(" >") for line in sent.text.split("\n") if line.lstrip().startswith(">"))
    for quote in quotes:
        assert _is_subsequence(_words(quote), _words(quoted_lines)), quote[:80]
    if sent.issue.digest == "example":
        assert quotes, "the example digest has a quote to check"


def test_links_are_numbered_references_listed_under_each_item(sent):
    urls_by_number: dict[str, str] = {}
    for _, block in _items(sent):
        listed = {}
        used = set()
        for line in block:
            match = LISTED_REF.match(line)
            if match:
                listed[match.group(1)] = match.group(2)
            else:
                used.update(re.findall(r"\[(\d+)\]", line))
        assert used and used <= set(listed), f"references {sorted(used - set(listed))} not listed under {block[0]!r}"
        for number, url in listed.items():
            assert urls_by_number.setdefault(number, url) == url, "one number, one URL, in the whole digest"
        assert any(re.match(r"^\s*(Read the rest|This reply|The discussion): \[\d+\]$", line) for line in block)


def test_table_of_contents_lists_every_item_in_order(sent):
    lines = sent.text.split("\n")
    toc = lines[lines.index("In this issue:") + 1 : lines.index("In this issue:") + 1 + len(sent.issue.featured)]
    assert [int(re.match(r"^  (\d+)\. ", line).group(1)) for line in toc] == list(range(1, len(sent.issue.featured) + 1))
    blocks = _items(sent)
    for entry, (_, block) in zip(toc, blocks):
        author = entry.split(". ", 1)[1].split(":", 1)[0]
        assert block[0].strip().startswith(f"{entry.split('.', 1)[0].strip()}. {author}")


def test_nothing_that_only_makes_sense_as_html(sent):
    assert not re.search(r"</?[a-zA-Z][a-zA-Z0-9]*[ >/]", sent.text), "no tags"
    assert not re.search(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);", sent.text), "no entities"
    assert "%%" not in sent.text and "style=" not in sent.text and "Read the rest\n" not in sent.text
    assert "subscriber@example.invalid" in sent.text and "https://" in sent.text.split("-- \n", 1)[1]


def test_replies_not_excerpted_appear_in_full(sent):
    whole = 0
    for reply_id, block in _items(sent):
        body_text = "\n".join(block)
        if EXCERPT_MARK in body_text:
            continue
        whole += 1
        assert _is_subsequence(_words(plain_words(sent.thread_replies[reply_id])), _words(body_text)), reply_id
    assert whole >= (len(sent.issue.featured) if sent.issue.digest == "kasama" else 2)


def test_a_reply_with_only_rich_html_appears_in_full_as_text():
    rich = clean(
        "<p>Intro with <em>emphasis</em>, <strong>bold</strong> and <a href='https://example.org/a-very/long/path/that/goes/on/and/on/for-ever/and-ever?with=query&amp;and=more'>a long link</a>.</p>"
        "<blockquote><p>Someone else said this, quoted.</p></blockquote>"
        "<ul><li>first point</li><li>second point with <code>code()</code></li></ul>"
        "<ol><li>step one</li><li>step two</li></ol>"
        "<pre>  preformatted   stays  as is</pre><hr><p>After the rule.</p>"
    )
    config = replace(load_digest(EXAMPLE), full_text=True, replies=1)
    thread = import_threads(config, RETRIEVED)[0]
    featured_id = "post-412005"
    thread = replace(thread, replies=tuple(replace(r, body=rich) if r.id == featured_id else r for r in thread.replies))
    issue = build_issue(config, (thread,), number=1, now=NOW)
    text = issue.text
    for words in ("Intro with _emphasis_, *bold* and a long link [", "> Someone else said this, quoted.", "- first point",
                  "- second point with code()", "1. step one", "2. step two", "  preformatted   stays  as is", "After the rule."):
        assert words in text, words
    url = "https://example.org/a-very/long/path/that/goes/on/and/on/for-ever/and-ever?with=query&and=more"
    assert any(LISTED_REF.match(line) and line.endswith(f"] {url}") for line in text.split("\n")), "listed whole, on one line"
    assert EXCERPT_MARK not in text


# ------------------------------------------------------------------------------ structure and CJK


def _issue_text(bodies: dict[str, str], authors: dict[str, str] | None = None, **overrides) -> str:
    """The example digest's text part with some featured replies' bodies (and authors) replaced."""
    config = replace(load_digest(EXAMPLE), **overrides)
    thread = import_threads(config, RETRIEVED)[0]
    authors = authors or {}
    replies = tuple(
        replace(r, body=bodies.get(r.id, r.body), author=authors.get(r.id, r.author)) for r in thread.replies
    )
    return build_issue(config, (replace(thread, replies=replies),), number=1, now=NOW).text


def test_nested_lists_keep_bullets_numbers_paragraphs_and_indented_code():
    body = clean(
        "<p>Steps:</p><ol start='3'><li><p>Third step, first paragraph.</p><p>Third step, second paragraph.</p></li>"
        "<li>Fourth step with sub-items:<ul><li>sub one</li><li>sub <em>two</em><ol><li>deeper</li></ol></li></ul></li>"
        "<li>Fifth step with code:<pre><code>make install\n\tmake test</code></pre></li></ol>"
        "<blockquote><ol start='7'><li>quoted seven</li></ol></blockquote>"
    )
    assert body_to_text(body, LinkRefs()) == (
        "Steps:\n\n"
        "3. Third step, first paragraph.\n\n"
        "   Third step, second paragraph.\n\n"
        "4. Fourth step with sub-items:\n"
        "   - sub one\n"
        "   - sub _two_\n"
        "     1. deeper\n\n"
        "5. Fifth step with code:\n\n"
        "       make install\n"
        "               make test\n\n"
        "> 7. quoted seven"
    )


def test_a_line_break_inside_code_is_a_new_line():
    """A blog's table of timings written as ``<pre>a<br>b</pre>`` keeps one line a row, as the
    HTML part shows it, instead of running the rows together."""
    body = clean("<pre>feedzirra 1.43 ( 1.47)<br>rfeedparser 15.78 ( 16.77)<br></pre><p>About 11 times faster.</p>")
    assert body_to_text(body, LinkRefs()) == (
        "    feedzirra 1.43 ( 1.47)\n"
        "    rfeedparser 15.78 ( 16.77)\n\n"
        "About 11 times faster."
    )


def test_a_list_item_wraps_under_its_own_text_and_keeps_its_link_inline():
    body = clean("<ul><li>See <a href='https://example.org/guide'>the guide</a> " + "and more words " * 6 + "</li></ul>")
    refs = LinkRefs()
    assert body_to_text(body, refs, width=40) == (
        "- See the guide [1] and more words and\n"
        "  more words and more words and more\n"
        "  words and more words and more words"
    )
    assert refs.take_used() == [(1, "https://example.org/guide")]


def test_intro_keeps_its_links_list_numbers_and_quote_marks():
    intro = "Read the [full thread](https://forum.example.org/t/4120) first.\n\n1. First point\n2. Second point\n\n> A quote from the forum rules.\n"
    text = golden_issue(EXAMPLE, intro_markdown=intro).text
    start = text.index("\n\n") + 2
    assert text[start : text.index("\n\nIn this issue:")] == (
        "Read the full thread [1] first.\n\n"
        "1. First point\n"
        "2. Second point\n\n"
        "> A quote from the forum rules.\n\n"
        "[1] https://forum.example.org/t/4120"
    )
    assert "\n\nRead the rest: [2]\n\n[2] https://forum.example.org/t/tomatoes-splitting/4120/1\n" in text, (
        "the replies' links number on from the intro's"
    )


def test_table_of_contents_shows_the_replys_own_words_not_what_it_quotes():
    quoting = "<blockquote><p>Splitting almost always comes from uneven watering.</p></blockquote><p>Not in my garden: mine split in a drought.</p>"
    text = _issue_text({"post-412010": quoting}, replies=2)
    toc = text.split("In this issue:\n", 1)[1].split("\n\n", 1)[0].split("\n")
    assert toc == [
        "  1. Deshawn Price: There are two different kinds of cracking and…",  # no "[…]": a line of words
        "  2. Ruth Mensah: Not in my garden: mine split in a drought.",
    ]
    introduced = "<p>On Monday, Ann wrote:</p>" + quoting
    toc = _issue_text({"post-412010": introduced}, replies=2).split("In this issue:\n", 1)[1].split("\n\n", 1)[0]
    assert toc.split("\n")[1] == "  2. Ruth Mensah: Not in my garden: mine split in a drought."


def test_cjk_text_wraps_at_72_display_columns_and_breaks_between_ideographs():
    sentence = "所有的 node 间都是通过 mTLS 加密，只要你的 node 是可信的，通信就是安全的。"
    text = wrap(sentence * 2)
    assert text.split("\n") == [
        "所有的 node 间都是通过 mTLS 加密，只要你的 node 是可信的，通信就是安全",
        "的。所有的 node 间都是通过 mTLS 加密，只要你的 node 是可信的，通信就是安",
        "全的。",  # "的。" moved down whole: no line starts with "。"
    ]
    assert [display_width(line) for line in text.split("\n")] == [70, 72, 6]
    assert wrap("见https://example.org/a/very/long/path/that/never/breaks/at/all/on/any/line/ever好", 40) == (
        "见\nhttps://example.org/a/very/long/path/that/never/breaks/at/all/on/any/line/ever\n好"
    )
    assert wrap("日期是2024年2月3日。" * 3, 20).split("\n")[0] == "日期是2024年2月3日。"


def test_cjk_table_of_contents_lines_are_cut_by_display_width_keeping_text():
    cjk = "<p>博主你好，使用docker创建非433端口的derper容器后，外网无法访问，机器curl本机12444输出如下。</p>"
    text = _issue_text({"post-412010": cjk}, {"post-412010": "Kurt"}, replies=2)
    line = text.split("In this issue:\n", 1)[1].split("\n")[1]
    assert line == "  2. Kurt: 博主你好，使用docker创建非433端口的derper容器后，外网无法访…"
    assert display_width(line) == 71
    assert shorten("https://example.org/" + "x" * 80, 30) == "https://example.org/xxxxxxxxx…"


def test_titles_are_underlined_as_wide_as_they_look():
    text = _issue_text({}, replies=2, title="园艺论坛")
    heading, rule = text.split("\n")[:2]
    assert heading == "园艺论坛 — Issue 1, November 25, 2026"
    assert rule == "=" * 37 and display_width(heading) == 37
