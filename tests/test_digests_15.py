"""Files sent with a mail in a digest: an attached log neither wins a reply its place on length
nor stands in for the sender's words in its excerpt, its table-of-contents line or the
"replying to" snippet of an answer."""

from __future__ import annotations

from dataclasses import replace

import lxml.html

from digest.config import ThreadSource, load_digest
from digest.issue import build_issue
from digest.model import Reply, Thread
from digest.select import score_replies, select
from digest.signals import SIGNALS, own_text, substance, without_attachments
from digest.summarize import excerpt, snippet
from tests.golden.regenerate import EXAMPLE, NOW

LOG = "\n".join(f"[{i:5d}.123456] ext4-fs error (device sda1): ext4_find_entry:1455: inode #{1000 + i}: reading lblock 0" for i in range(100))
ATTACHED_LOG = (
    "<p>Attachment: dmesg.txt (text/plain, 24.8 KB)</p>"
    f"<pre>{LOG}</pre>"
    "<p>[50 more lines of dmesg.txt not shown]</p>"
)
NOT_TEXT = "<p>Attachment: poc.zip (application/zip, 135 bytes), not shown</p>"
SHORT_WITH_LOG = Reply(id="log", author="Bob", body="<p>Same here, full dmesg attached.</p>" + ATTACHED_LOG)
ADVICE = Reply(
    id="advice",
    author="Cy",
    body=(
        "<p>Those lblock 0 errors usually mean the directory block was never written after an unclean "
        "shutdown. Boot a rescue image, run e2fsck -f on the unmounted partition, and check the SMART "
        "data of the disk before blaming the kernel.</p>"
    ),
)


def test_an_attachment_is_not_the_reply_s_own_words():
    assert own_text(SHORT_WITH_LOG) == "Same here, full dmesg attached."
    assert without_attachments("<p>See the proof of concept.</p>" + NOT_TEXT) == "<p>See the proof of concept.</p>"


def test_a_line_that_only_looks_like_an_attachment_stays():
    body = "<p>Attachment: a word I misspell (often)</p><p>Really.</p>"
    assert without_attachments(body) == body


def test_an_attached_log_does_not_win_on_length():
    thread = Thread(id="t", title="ext4 errors after upgrading", url=None, replies=(SHORT_WITH_LOG, ADVICE), source_format="mbox")
    ranked = score_replies(thread, None)
    assert [c.reply_id for c in ranked] == ["advice", "log"]
    by_id = {c.reply_id: c for c in ranked}
    assert by_id["log"].values[list(SIGNALS).index("substance")] == substance(5)  # its own five words


def test_an_excerpt_keeps_the_words_and_names_the_file_after_them():
    body, cut = excerpt(SHORT_WITH_LOG.body, 50)
    assert cut is True
    assert body == "<p>Same here, full dmesg attached.</p><p>Attachment: dmesg.txt (text/plain, 24.8 KB), not shown</p>"


def test_an_excerpt_of_only_a_file_names_it():
    body, cut = excerpt(ATTACHED_LOG + NOT_TEXT, 50)
    assert cut is True
    assert body == (
        "<p>Attachment: dmesg.txt (text/plain, 24.8 KB), not shown</p>"
        "<p>Attachment: poc.zip (application/zip, 135 bytes), not shown</p>"
    )


def test_a_short_reply_with_a_short_file_is_shown_whole():
    body = "<p>My config:</p><p>Attachment: .config (text/plain, 40 bytes)</p><pre>CONFIG_NUMA=y\nCONFIG_SMP=y</pre>"
    assert excerpt(body, 50) == (body, False)


def test_the_replying_to_snippet_quotes_the_words_not_the_file():
    assert snippet(SHORT_WITH_LOG) == "Same here, full dmesg attached."


def test_the_inbox_preview_line_reads_the_words_not_the_file():
    config = load_digest(EXAMPLE)
    source = replace(config.threads[0], featured=(), exclude=())
    thread = Thread(id="t", title="ext4 errors", url="https://lists.example.org/t", replies=(SHORT_WITH_LOG,), source_format="mbox")
    issue = build_issue(replace(config, threads=(source,), full_text=True), (thread,), number=1, now=NOW)
    preheader = lxml.html.fromstring(issue.html).find_class("preheader")[0].text_content()
    assert preheader == "1 key reply: Same here, full dmesg attached."


def test_two_replies_sending_one_log_are_not_near_duplicates():
    again = Reply(id="again", author="Dee", body="<p>Here it is again from my second machine, which runs an older kernel.</p>" + ATTACHED_LOG)
    thread = Thread(id="t", title="ext4 errors", url=None, replies=(SHORT_WITH_LOG, again), source_format="mbox")
    selection = select(thread, ThreadSource(source="x"), count=2, order="thread", where="test")
    assert [p.reply_id for p in selection.picks] == ["log", "again"]
    assert [c.skipped for c in selection.candidates] == [None, None]
