"""Inputs that once took the square (or worse) of their length, timed at two sizes.

Real files hold them: a pasted blob in an attribution, a damaged archive's line of glued
links, a copied page of 100,000 lines, PHP warnings before a page.  For each input the time
at size n and 2n is printed with their ratio (about 2 when linear, 4 when quadratic), next to
a baseline measured in the same run: a linear regular-expression scan of the same text.

    .venv/bin/python bench/bench_pathological.py [--size 20000]
"""

from __future__ import annotations

import argparse
import re
import time

from digest import body, discover
from digest.sources import ImportRequest, SourceDocument, feed, feed_engines, feed_parse, forum_text, forum_text_copies, forum_text_news, mbox
from digest.sources.forum_text_body import markdown_body
from digest.sources.mail import attributions, bodies
from digest.sources.mail.decode import author_name, message_ids

_SCAN = re.compile(r"\S+")


def cases(n: int) -> dict[str, tuple[callable, str]]:
    """name -> (the work on an input of size n, that input's text for the baseline)."""
    blob = "QUJD" * (n // 4)
    attribution = [f"On Mon, 5 Jan 2026, Alice <alice@example.com> {blob} wrote:", "> hi"]
    glued = "mailto:" * (n // 7) + "\n" + "http://a.example/" * (n // 17) + " at example.org/x"
    page_lines = ["Sow leeks in March. "] * (n // 4)
    warnings = b"<br /><b>Warning</b>: x in <b>/a.php</b> on line <b>1</b>" * (n // 60)
    spaces = "Ann" + " " * n + "(Ann Lee)"
    news_lines = [" " * n + "x", "9" * n, "[-] alice x" + " " * n + "x", "[–]alice 5 points 1 day ago" + " " * n + "x",
                  "bob 7 months ago | next" + " " * n + "x"]
    news_title = ("Leeks" + " " * n + "in winter (example.org)\n85 points by ana 7 months ago | hide | 1 comments\n\n"
                  "bob 7 months ago | next [–]\n\nFirst.\n")
    rules = "\n".join(["_" * 30] * (n // 10))
    blog_lines = ["\t" * n + "Newer Post", "Bob" + " " * n + "x", "Ana says:", "March 3, 2024 at 5:12 pm", "First."]
    notice_log = "\n".join(['NOTICE:  relation "t" already exists, skipping'] * (n // 50))
    notices = "NOTICE: this is confidential.\n\n" * (n // 32) + "Bye."
    spaced_post = ('<rss version="2.0"><channel><title>B</title><item><title>P</title><link>https://b.example/1</link>'
                   "<description>&lt;p&gt;Leeks" + " " * n + "bolt …&lt;/p&gt;</description></item></channel></rss>")
    cut_copies = [{"value": f"Part {i} of the report …"} for i in range(n // 25)]
    unclosed_cdata = "<rss><item><description><![CDATA[x ]]> y]]></description></item>" + "<x><![CDATA[" * (n // 12)
    open_links = "[a](" * (n // 4)
    event_brackets = ["[![](https://avatars.example/u/1)ana](https://github.com/ana)", "added", "](" * (n // 2)]
    blank_top = [(0, " " * n + "Leeks"), (1, "#" + " " * n + "x")]
    markdown_rules = ["Hi."] + ["a", "---"] * (n // 6)
    deep_quotes = "Ana says:\nMarch 3, 2024 at 5:12 pm\n" + "<blockquote>" * (n // 12) + "Sow later.\n"
    long_word = "a" * n + " bob@example.com"
    many_ids = ("From: Bob <bob@example.org>\nMessage-ID: <b@example.org>\nSubject: Re: Leeks\nReferences: "
                + " ".join(f"<r{i}@example.org>" for i in range(n // 20)) + "\n\nSecond.\n")
    return {
        "attribution with a long word": (lambda: attributions.addresses_left_out(attribution, None), "\n".join(attribution)),
        "pipermail line of glued links": (lambda: bodies.prepare_plain_text(glued, "at"), glued),
        "forum text paragraph of many lines": (lambda: forum_text._reflow(page_lines), "".join(page_lines)),
        "Outlook link glued to a long word": (lambda: body.from_plain_text(blob + "<https://x.example/>"), blob),
        "PHP warnings and no page": (lambda: discover.looks_like_html(warnings), warnings.decode()),
        "From header with a run of spaces": (lambda: author_name(spaces), spaces),
        "news page lines of spaces, digits": (lambda: forum_text_news.news_bylines(news_lines), "\n".join(news_lines)),
        "news page title with spaces": (lambda: _copied_page(news_title), news_title),
        "blog copy lines of blanks": (lambda: forum_text_copies.headers(blog_lines), "\n".join(blog_lines)),
        "mail body of many rules": (lambda: bodies.prepare_plain_text(rules), rules),
        "mail body of NOTICE log lines": (lambda: bodies.prepare_plain_text(notice_log), notice_log),
        "mail body of notice paragraphs": (lambda: bodies.prepare_plain_text(notices), notices),
        "feed post with a run of spaces": (lambda: _feed(spaced_post), spaced_post),
        "feed entry of many cut copies": (lambda: feed_engines.without_cut_copies(cut_copies), str(cut_copies)),
        "broken feed of unclosed CDATA": (lambda: feed_parse.as_declared_or_utf8(unclosed_cdata.encode(), []), unclosed_cdata),
        "copied line of links never closed": (lambda: forum_text_copies.link_text(open_links), open_links),
        "GitHub event over a line of ](": (lambda: forum_text_copies.github_events(event_brackets), "\n".join(event_brackets)),
        "copied page top of long blanks": (lambda: forum_text_copies.page_top(blank_top), str(blank_top)),
        "Markdown comment of many rules": (lambda: markdown_body(markdown_rules), "\n".join(markdown_rules)),
        "copied comment quoting deep": (lambda: _copied_page(deep_quotes), deep_quotes),
        "References header of one long word": (lambda: message_ids(long_word), long_word),
        "References header of many ids": (lambda: _mail(many_ids), many_ids),
    }


def _copied_page(text: str):
    return forum_text.read(ImportRequest((SourceDocument("copy.txt", text.encode()),)))


def _mail(text: str):
    return mbox.read(ImportRequest((SourceDocument("m.eml", text.encode()),)))


def _feed(text: str):
    return feed.read(ImportRequest((SourceDocument("feed.xml", text.encode()),)))


def timed(work, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=20_000)
    args = parser.parse_args()
    small, large = cases(args.size), cases(2 * args.size)
    print(f"{'input':<36} {'n':>9} {'2n':>9} {'2n/n':>6} {'scan 2n':>9} {'vs scan':>8}")
    for name, (work, _) in small.items():
        big_work, big_text = large[name]
        t1, t2 = timed(work), timed(big_work)
        scan = timed(lambda: _SCAN.findall(big_text))
        print(f"{name:<36} {t1 * 1000:7.1f}ms {t2 * 1000:7.1f}ms {t2 / t1:6.1f} {scan * 1000:7.2f}ms {t2 / scan:7.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
