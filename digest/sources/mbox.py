"""Mailing-list archives: Unix mbox files and single RFC 5322 messages.

The mbox is split by hand from bytes (not with ``mailbox.mbox``, which stops on
undecodable bytes in a ``From `` line) and each message is parsed on its own, so one
broken message is skipped and reported instead of losing the archive; MMDF files
(messages between ``^A^A^A^A`` lines) are read too, and UW-IMAP's (Pine's) "DON'T DELETE
THIS MESSAGE -- FOLDER INTERNAL DATA" pseudo-message is skipped with a note.  A list digest
(MIME or RFC 1153 plain text) is taken apart into the messages it carries, with a note.
A message with no headers after its From_ line (Research Unix's upas) takes its sender and
date from that line, with a note; an Apple Mail ``.emlx`` file is read as one message.
Messages are threaded JWZ-style: Message-ID / In-Reply-To / References first (an
In-Reply-To naming several messages answers the last of them we hold, or the last
References entry among them); the subject is used only to place messages that carry no
references at all (under the earliest message of that subject; in Gmail's Takeout, of that
conversation, ``X-GM-THRID``), and reply loops are broken at their earliest message, with a
note.  A message without a Date (Gmail's chat records) takes its From_ line's time when that
line states a zone, with a note.  A Date without a time zone, or with a
zone name :func:`digest.sources.common.zone_offset` does not know, is kept as text
(``posted_at_text``), not taken as UTC (ISO 8601 dates with an offset are read, with a note:
:mod:`digest.sources.mail.dates`), and a From_ line's placeholder date
(public-inbox's 1 Jan 1970, git's 17 Sep 2001) is no date; Mailman's placeholder sender for a message
without From is shown as "unknown", with a note, as is a charset that had to be guessed
for a body or for raw 8-bit From/Subject text.  A file with several threads needs
``--thread``: the root Message-ID (with or without ``<>``), any Message-ID inside the
thread, or a case-insensitive piece of the root subject.  A message's link is its
``Archived-At`` address, unless that names another message (:mod:`digest.sources.mail.permalinks`).

``digest.sources.pipermail`` reads Mailman 2 ``.txt`` archives with the same code
(:func:`read_mail_archive`); the two sniffers are coordinated here.

The stages live in the private package ``digest.sources.mail`` (splitting, digests,
text decoding, bodies, threading); this module keeps the reader contract, message parsing
and building the ``Thread``.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from digest.errors import SourceError
from digest.model import Reply, Thread
from digest.sources import common
from digest.sources.mail.bodies import MailBody, message_body, own_text
from digest.sources.mail.dates import read_mail_date
from digest.sources.mail.digests import expand_digest
from digest.sources.mail.permalinks import archive_permalink
from digest.sources.mail.decode import (
    Headers,
    _own_message_id,
    author_name,
    charset_label,
    clean_line,
    decode_bytes,
    decode_encoded_words,
    message_ids,
    thread_title,
)
from digest.sources.mail.split import (
    _HEADER_LINE,
    _STRICT_FROM_LINE,
    RawMessage,
    _head_lines,
    is_mmdf_delimiter,
    looks_like_emlx,
    looks_like_message_headers,
    looks_like_pipermail,
    split_mailbox,
)
from digest.sources.mail.threading import MailThread, ThreadNode, select_thread, thread_mails

DESCRIPTION = "Unix mbox mail archive or a single e-mail message (.eml), threaded by Message-ID/References"

_LISTED_SKIPS = 20
_LISTED_IDS = 5

# ---------------------------------------------------------------------------- sniffing

def sniff(doc) -> bool:
    try:
        if looks_like_pipermail(doc.data):
            return False  # goes to the pipermail reader (listed before us)
        if looks_like_emlx(doc.data):
            return True
        lines = _head_lines(doc.data)
        if is_mmdf_delimiter(lines[0]):
            return len(lines) > 1 and bool(_HEADER_LINE.match(lines[1]) or lines[1].startswith(b"From "))
        if lines[0].startswith(b"From "):  # a ctime-shaped From_ line needs no headers after it (upas)
            strict = _STRICT_FROM_LINE.match(lines[0].rstrip(b"\r"))
            return len(lines) > 1 and bool(_HEADER_LINE.match(lines[1]) or strict)
        return looks_like_message_headers(doc.data)
    except Exception:  # a sniffer must never raise
        return False


# ---------------------------------------------------------------------------- messages

class _NotAMessage(Exception):
    """A chunk that holds no mail headers."""


class _FolderData(Exception):
    """UW-IMAP's (Pine's) pseudo-message holding the folder's own data, not a post."""


@dataclass
class Mail:
    """One parsed message with what threading and the thread model need."""

    raw: RawMessage
    message_id: str | None
    references: list[str]
    in_reply_to: list[str]
    author: str
    subject: str | None
    posted_at: datetime | None
    posted_at_text: str | None
    permalink: str | None
    sort_time: datetime | None = None  # a zone-less Date, read as UTC only to order messages
    sender_missing: bool = False  # Mailman's placeholder sender: the message had no From
    parent_ref: str | None = None  # the message answered, chosen once the whole archive is read
    header_charset_guess: str | None = None  # raw 8-bit From/Subject text, read in this guessed charset
    date_note: str | None = None  # how a Date outside RFC 5322 was read
    raw_date: str | None = None  # the Date header as written, for that note
    foreign_permalink: str | None = None  # an Archived-At naming another message (copied from the one answered)
    headerless: bool = False  # text right after its From_ line (upas): sender and date are the From_ line's
    dated_by_from_line: bool = False  # no Date header: the time is its From_ line's, which states its zone
    conversation_id: str | None = None  # Gmail's X-GM-THRID (Takeout): groups a message that names no parent
    id: str = ""
    _body: MailBody | None = field(default=None, repr=False)

    def body(self) -> MailBody:
        """Decoded lazily: only the chosen thread's bodies are needed (and hash ids)."""
        if self._body is None:
            try:
                msg = email.message_from_bytes(self.raw.data, policy=email.policy.compat32)
                self._body = message_body(msg, self._obfuscation())
            except Exception:  # a body the email package cannot walk: keep the message, say so
                self._body = MailBody("", False)
        return self._body

    def _obfuscation(self) -> str | None:
        """The word Mailman wrote for "@" (its From_ line shows it: ``From juan en host``)."""
        if not self.raw.pipermail:
            return None
        parts = (self.raw.from_line or b"").split()
        if len(parts) < 2 or b"@" in parts[1]:
            return None  # an archive written with address obscuring off
        return parts[2].decode("ascii", "replace") if len(parts) > 4 else "at"

    def sort_key(self) -> tuple:
        when = self.posted_at or self.sort_time
        return (when is None, when or datetime.min.replace(tzinfo=timezone.utc), self.raw.doc_index, self.raw.offset)


_FROM_LINE_PARTS = re.compile(
    r"^From\s+(?P<sender>.*?)\s+(?P<date>(?:[A-Z][a-z]{2},?\s+)?[A-Z][a-z]{2}\s+\d{1,2}\s+\d{1,2}:\d{2}.*)$"
)


_HEADER_END = re.compile(rb"\r?\n\r?\n")
_HEADER_CONTEXT = 16384


def parse_message(raw: RawMessage) -> Mail:
    """Headers of one message (its body is parsed when needed); raises _NotAMessage for non-mail."""
    wrapper: Headers | None = None
    end = _HEADER_END.search(raw.data)
    if end and _WRAPPED.search(raw.data[:end.end()]):
        wrapper = Headers(email.message_from_bytes(raw.data[:end.end()], policy=email.policy.compat32), b"")
        raw = replace(raw, data=raw.data[end.end():])
        end = _HEADER_END.search(raw.data)
    header_block = raw.data[:end.end()] if end else raw.data
    # Mailman writes a message's headers and text in the list's charset: the text helps read a short name
    same_charset = raw.data[len(header_block):len(header_block) + _HEADER_CONTEXT] if raw.pipermail else b""
    headers = Headers(email.message_from_bytes(header_block, policy=email.policy.compat32), same_charset)
    names = headers.names()
    headerless = not names and raw.from_line is not None and bool(_FROM_LINE_PARTS.match(decode_bytes(raw.from_line)))
    if headerless:
        raw = replace(raw, data=b"\n" + raw.data)  # all of it is text: no line to take for a header
    elif not names or (raw.from_line is None and not names & {"from", "subject", "date", "message-id"}):
        raise _NotAMessage("no mail headers")
    if names & {"x-imap", "x-imapbase"} and _FOLDER_DATA_SUBJECT.match(headers.first("Subject") or ""):
        raise _FolderData()
    from_line = clean_line(decode_bytes(raw.from_line)) if raw.from_line else ""
    line_parts = _FROM_LINE_PARTS.match(from_line)
    sender = line_parts.group("sender") if line_parts else (from_line.split()[1] if len(from_line.split()) > 1 else None)
    threading = wrapper or headers  # a wrapped message is answered as the list delivered it
    message_id = _own_message_id(threading) or _own_message_id(headers)
    in_reply_to = [i for i in message_ids(threading.first("In-Reply-To") or headers.first("In-Reply-To")) if i != message_id]
    references = [i for i in message_ids(" ".join(threading.all("References") or headers.all("References"))) if i != message_id]
    date = read_mail_date(headers.first("Date"))
    dated_by_from_line = False
    if date.posted_at is None and not (headers.first("Date") or "").strip() and not headerless:
        stamp = read_mail_date(_from_line_date(line_parts))
        if stamp.posted_at is not None:  # Gmail's Takeout (chat records have no Date) writes the zone in it
            date, dated_by_from_line = stamp, True
    posted_at_text = None
    if date.posted_at is None:
        posted_at_text = clean_line(date.text or "") or _from_line_date(line_parts) or None
    permalink, foreign_permalink = archive_permalink(headers.all("Archived-At"), message_id)
    sender_missing = bool(_MAILMAN_NO_SENDER.match(headers.first("From") or sender or ""))
    return Mail(
        raw=raw,
        message_id=message_id,
        references=references,
        in_reply_to=in_reply_to,
        author="unknown" if sender_missing else author_name(headers.first("From"), sender),
        subject=clean_line(decode_encoded_words(headers.first("Subject") or "")) or None,
        posted_at=date.posted_at,
        posted_at_text=posted_at_text,
        permalink=permalink,
        sort_time=date.sort_time,
        date_note=date.note,
        raw_date=headers.first("Date") if date.note else None,
        foreign_permalink=foreign_permalink,
        sender_missing=sender_missing,
        header_charset_guess=headers.charset_guess if headers.guessed("From") or headers.guessed("Subject") else None,
        headerless=headerless,
        dated_by_from_line=dated_by_from_line,
        conversation_id=clean_line(headers.first("X-GM-THRID") or "") or None,
    )


# Mailman 2's archiver writes this sender for a message that had no From header
_MAILMAN_NO_SENDER = re.compile(r"^\s*bogus(?:@|\s+\S{1,12}\s+)does\.not\.exist\.com\b", re.IGNORECASE)


# Mailman's DMARC "wrap message": the list's message holds the sender's whole message, which
# is the post (its author, date and text); the wrapper's ids are what subscribers answered
_WRAPPED = re.compile(rb"(?im)^content-type:\s*message/rfc822\b")
# c-client's first message of a folder it manages (X-IMAP holds the UID validity)
_FOLDER_DATA_SUBJECT = re.compile(r"^\s*DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\s*$", re.IGNORECASE)
# fixed From_ dates that stand for "no date": public-inbox's and mboxrd@z's epoch, git format-patch's marker
_PLACEHOLDER_FROM_DATE = re.compile(r"^(?:Thu\s+Jan\s+0?1\s+00:00:00\s+1970|Mon\s+Sep\s+17\s+00:00:00\s+2001)$")


def _from_line_date(line_parts: re.Match | None) -> str | None:
    """The From_ line's date as text, unless it is a writer's fixed placeholder."""
    if not line_parts:
        return None
    date = line_parts.group("date").strip()
    return None if _PLACEHOLDER_FROM_DATE.match(date) else date


# ---------------------------------------------------------------------------- reading

@dataclass
class _Archive:
    """Every message of the request, with the notes about what was skipped."""

    mails: list[Mail]
    notes: list[str]
    duplicates: dict[str, int]


def load_mails(request) -> _Archive:
    """Split and parse every document; broken messages are skipped with a note."""
    mails: list[Mail] = []
    skipped: list[str] = []
    expanded: list[str] = []
    cut: list[str] = []  # what splitting a file had to assume
    for index, doc in enumerate(request.documents):
        for raw in _messages_of(split_mailbox(doc.data, doc.name, index), expanded):
            if raw.note and f"{doc.name}: {raw.note}" not in cut:
                cut.append(f"{doc.name}: {raw.note}")
            try:
                mails.append(parse_message(raw))
            except _FolderData:
                skipped.append(
                    f"{doc.name} at byte {raw.offset}: the mail folder's internal data message "
                    "(\"DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\", written by UW-IMAP and Pine) was skipped"
                )
            except _NotAMessage:
                if raw.data.strip():
                    skipped.append(f"{doc.name} at byte {raw.offset}: text without mail headers was skipped")
            except Exception as exc:  # the email package on hostile input: skip this message only
                reason = type(exc).__name__
                skipped.append(f"{doc.name} at byte {raw.offset}: a message that could not be parsed was skipped ({reason})")
    notes = cut[:_LISTED_SKIPS] + skipped[:_LISTED_SKIPS]
    if len(skipped) > _LISTED_SKIPS:
        notes.append(f"... and {len(skipped) - _LISTED_SKIPS} more skipped parts")
    notes += expanded[:_LISTED_SKIPS]
    if len(expanded) > _LISTED_SKIPS:
        notes.append(f"... and {len(expanded) - _LISTED_SKIPS} more digests split into their messages")
    return _Archive(mails, notes, {})


def _messages_of(raws: list[RawMessage], notes: list[str]):
    """Each message, with a digest replaced by the messages it carries (and a note)."""
    for raw in raws:
        parts, note = expand_digest(raw)
        if note:
            notes.append(note)
        yield from parts


def assign_ids(archive: _Archive) -> None:
    """Message-ID without <>, else a hash of author and text.

    A second copy of a message (same Message-ID, or no Message-ID but the same author,
    subject and text as one before it) is dropped, as archives often hold mail twice;
    a different message reusing a Message-ID gets a hash id instead.
    """
    first_with_id: dict[str, Mail] = {}
    by_author_subject: dict[tuple, list[Mail]] = {}
    seen: set[str] = set()
    kept: list[Mail] = []
    for mail in archive.mails:
        candidate = mail.message_id
        if candidate is not None and candidate not in seen:
            first_with_id[candidate] = mail
        else:
            if candidate:
                earlier = [first_with_id[candidate]] if candidate in first_with_id else []
            else:
                earlier = by_author_subject.get((mail.author, mail.subject), [])
            twin = next((m for m in earlier if m.author == mail.author and m.body()[0] == mail.body()[0]), None)
            hashed = common.stable_id(author=mail.author, body=mail.body()[0])
            if twin is not None or hashed in seen:
                duplicate = twin.id if twin is not None else hashed
                archive.duplicates[duplicate] = archive.duplicates.get(duplicate, 0) + 1
                continue
            candidate = hashed
        mail.id = candidate
        seen.add(candidate)
        kept.append(mail)
        by_author_subject.setdefault((mail.author, mail.subject), []).append(mail)
    archive.mails = kept


# ---------------------------------------------------------------------------- the thread

def _parent_id(node: ThreadNode, root: ThreadNode) -> str | None:
    """The nearest ancestor we have; None when that is the thread's root (answers the thread)."""
    parent = node.parent
    while parent is not None and parent is not root and parent.mail is None:
        parent = parent.parent
    if parent is None or parent is root:
        return None
    return parent.mail.id


def _reply(mail: Mail, parent_id: str | None, authors: common.AuthorNames) -> Reply:
    body = mail.body().html
    return Reply(
        id=mail.id,
        author=mail.author,
        body=body,
        permalink=mail.permalink,
        posted_at=mail.posted_at,
        posted_at_text=mail.posted_at_text,
        parent_id=parent_id,
        mentions=common.find_mentions(own_text(body), authors, {}),
        title=mail.subject,
    )


def _ids_text(ids: list[str]) -> str:
    shown = ", ".join(f"<{i}>" for i in ids[:_LISTED_IDS])
    return shown + (f" and {len(ids) - _LISTED_IDS} more" if len(ids) > _LISTED_IDS else "")


def _descendants(root: ThreadNode) -> list[ThreadNode]:
    found, stack = [], list(root.children)
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.children)
    return found


def _missing_ids(chosen: MailThread, nodes: list[ThreadNode]) -> list[str]:
    """Messages the thread references but the source lacks (placeholders in the tree)."""
    root_missing = [chosen.root.id] if chosen.root.mail is None else []
    return chosen.missing_root + root_missing + [n.id for n in nodes if n.mail is None]


def _thread_notes(chosen: MailThread, archive: _Archive, mails: list[Mail], missing: list[str], total_threads: int) -> list[str]:
    notes = list(archive.notes)
    if missing:
        notes.append(f"{len(missing)} referenced message(s) are not in the source: {_ids_text(missing)}")
    if chosen.root.mail is None:
        notes.append("the message that started the thread is not in the source; its replies are imported without it")
    if chosen.by_subject:
        joined = _ids_text(chosen.by_subject)
        notes.append(f"joined to this thread by subject, as References/In-Reply-To did not connect them: {joined}")
    if chosen.by_conversation:
        joined = _ids_text(chosen.by_conversation)
        notes.append(
            f"joined to this thread by Gmail's conversation id (X-GM-THRID), as References/In-Reply-To did not connect them: {joined}"
        )
    ids = {m.id for m in mails}
    duplicates = [i for i in archive.duplicates if i in ids]
    if duplicates:
        notes.append(f"repeated copies of {_ids_text(duplicates)} were skipped")
    empty = [m.id for m in mails if not m.body().readable]
    if empty:
        notes.append(f"no readable text in {_ids_text(empty)}")
    notes.extend(_guess_notes(chosen, mails))
    if total_threads > 1:
        notes.append(f"the source holds {total_threads - 1} other thread(s), not imported")
    return notes


def _guess_notes(chosen: MailThread, mails: list[Mail]) -> list[str]:
    """What was assumed: loops broken, senders missing, charsets guessed."""
    notes = []
    if chosen.loops:
        notes.append(
            f"the In-Reply-To of {_ids_text(chosen.loops)} closed a loop of replies and was ignored: "
            "the earliest message of the loop comes first"
        )
    headerless = [m.id for m in mails if m.headerless]
    if headerless:
        notes.append(
            f"no mail headers in {_ids_text(headerless)}: sender and date are taken from the mbox 'From ' line, "
            "and there is no subject or Message-ID to thread by"
        )
    from_line_dated = [m.id for m in mails if m.dated_by_from_line]
    if from_line_dated:
        notes.append(
            f"no Date header in {_ids_text(from_line_dated)} (as in Gmail's chat records): "
            "the time is the one its mbox 'From ' line gives, with its zone"
        )
    no_sender = [m.id for m in mails if m.sender_missing]
    if no_sender:
        notes.append(f"no sender recorded for {_ids_text(no_sender)} (Mailman's bogus@does.not.exist.com); shown as 'unknown'")
    by_assumption: dict[str, list[str]] = {}
    for mail in mails:
        for assumed in mail.body().text_notes:
            by_assumption.setdefault(assumed, []).append(mail.id)
    for assumed, ids in by_assumption.items():
        notes.append(f"the text of {_ids_text(ids)} {assumed}")
    notes.extend(_header_notes(mails))
    by_header_charset: dict[str, list[str]] = {}
    for mail in mails:
        if mail.header_charset_guess:
            by_header_charset.setdefault(mail.header_charset_guess, []).append(mail.id)
    for codec, ids in by_header_charset.items():
        notes.append(
            f"the sender name or subject of {_ids_text(ids)} is 8-bit text without a charset (no RFC 2047 encoding); "
            f"it was read as {charset_label(codec)} (a guess)"
        )
    return notes


def _header_notes(mails: list[Mail]) -> list[str]:
    """Dates read from outside RFC 5322, and archive addresses that were another message's."""
    notes = []
    by_date_note: dict[str, list[Mail]] = {}
    for mail in mails:
        if mail.date_note:
            by_date_note.setdefault(mail.date_note, []).append(mail)
    for note, dated in by_date_note.items():
        example = clean_line(dated[0].raw_date or "")
        notes.append(f"the Date header of {_ids_text([m.id for m in dated])} (\"{example}\") {note}")
    foreign = [m for m in mails if m.foreign_permalink]
    if foreign:
        notes.append(
            f"the Archived-At header of {_ids_text([m.id for m in foreign])} names another message "
            f"({foreign[0].foreign_permalink}), not the one that carries it: it is not used as its link"
        )
    return notes


def build_thread(chosen: MailThread, archive: _Archive, total_threads: int, request, source_format: str) -> Thread:
    root = chosen.root
    nodes = _descendants(root)
    members = sorted((n for n in nodes if n.mail is not None), key=lambda n: n.mail.sort_key())
    mails = ([root.mail] if root.mail else []) + [n.mail for n in members]
    authors = common.AuthorNames({m.author for m in mails})
    replies = [_reply(n.mail, _parent_id(n, root), authors) for n in members]
    missing = _missing_ids(chosen, nodes)
    return Thread(
        id=root.id,
        title=thread_title(chosen.subject),
        url=root.mail.permalink if root.mail else None,
        replies=tuple(common.order_by_parents(replies)),
        source_format=source_format,
        retrieved_at=request.retrieved_at,
        partial=bool(missing),
        author=root.mail.author if root.mail else None,
        opening_post=_reply(root.mail, None, authors) if root.mail else None,
        import_notes=tuple(_thread_notes(chosen, archive, mails, missing, total_threads)),
    )


def read_mail_archive(request, source_format: str) -> Thread:
    """The whole pipeline, shared by the mbox and pipermail readers."""
    if not request.documents:
        raise SourceError("nothing to read", fix="give an mbox file, a pipermail .txt archive or a saved e-mail message")
    archive = load_mails(request)
    if not archive.mails:
        raise SourceError(
            "no e-mail messages found: no mbox 'From ' line and no mail headers at the start"
            + (f" ({len(archive.notes)} part(s) skipped)" if len(request.documents) > 1 else ""),
            where=request.name,
            fix="give an mbox file (messages starting with 'From ' lines) or one saved e-mail message with its headers",
        )
    assign_ids(archive)
    threads = thread_mails(archive.mails)
    chosen = select_thread(threads, request.thread, request.name)
    return build_thread(chosen, archive, len(threads), request, source_format)


def read(request) -> Thread:
    return read_mail_archive(request, "mbox")
