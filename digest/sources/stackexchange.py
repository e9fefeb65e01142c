"""Stack Exchange data dumps (``Posts.xml``): one question and its answers as a thread.

Each ``<row>`` of ``<posts>`` is a post: PostTypeId 1 = question, 2 = answer (ParentId = its
question).  The question is the opening post, its answers are the replies, oldest first
(answers do not answer each other).  Score -> ``engagement.score``; when the question has an
AcceptedAnswerId, that answer gets ``engagement.accepted`` = 1 and the others 0.  AnswerCount
-> ``Thread.total_replies``.  CreationDate is UTC written without an offset.  A CreationDate
that is not a date is kept as written in ``posted_at_text``, and a count that is not a whole
number is left out; both with a note.

Deleted posts: the public dump leaves them out, but a ``PostsWithDeleted`` export (Stack
Exchange Data Explorer) keeps their rows with a DeletionDate and almost no fields (no Body).
Deleted answers are skipped, counted in a note; a deleted question is refused when chosen (its
text is not there, and it is no longer public), and question listings mark it deleted.  An
answer or question whose Body is empty is imported without text, with a note naming it.

Authors: OwnerDisplayName, else the DisplayName from ``Users.xml`` when the folder of the dump
is imported, else ``user{OwnerUserId}``, else "anonymous".  Community wiki posts
(CommunityOwnedDate) keep their first author, noted.

Comments: a dump folder's ``Comments.xml`` gives each post's comments (``comment-{Id}``), under
the answer they comment on or, for the question's, answering the thread as the site shows them
above the answers; their Markdown (code, links, emphasis) becomes HTML, and a deleted
account's UserDisplayName names them.  Fewer than the posts' CommentCount make the thread
partial; a ``Posts.xml`` imported alone only counts them in a note.

Choosing the question (a dump holds many): ``request.thread`` = question Id (an answer Id
selects its question), a question URL (``https://site/questions/ID/...``), or a part of the
title (any case); a file with a single question (not counting deleted ones) needs none.  A
number is an Id only, never a part of a title: an Id the dump lacks (a question newer than the
dump) or one of a tag wiki or another kind of post (PostTypeId 3-8) is refused, saying which.
The rows are streamed twice: the first pass keeps only what lists and chooses a question (ids,
titles, deletion dates), the second the whole rows of the chosen question and its answers, so
a big dump's bodies are never all in memory at once.

URLs: the dump does not name its site, so ``Thread.url`` and permalinks are set only when the
site is known: from a question URL given as ``request.thread``, or from the dump's usual file
or folder name (``coffee.stackexchange.com/Posts.xml``, ``superuser.com-Posts.xml``).
Otherwise they stay None.  A question URL on another site than the dump's name is refused:
question Ids are per site, so it would select an unrelated question.  Site-relative links in
bodies (``/questions/1``, ``/users/2``, ``/tags/x``) are resolved against the site when it is
known, else they become plain text like any other relative link.

A table converted to CSV (``Posts.csv`` and the like, as data sets share dumps: a header row
naming the attributes, empty cells for absent ones) is read as its XML would be, noted; bytes
that are not UTF-8 are read as Windows-1252 (noted).  Kaggle's Stack Overflow samples cut the
posts table in two, ``Questions.csv`` and ``Answers.csv`` (no PostTypeId, R's ``NA`` for absent
values, IsAcceptedAnswer on the answer): read as that table, links on stackoverflow.com (noted).

A dump cut short (or broken further on) keeps the rows read before the XML error: the thread is
marked partial and a note names the line and column where the file breaks.  A file that breaks
before its first complete row is an error.
"""

from __future__ import annotations

import csv
import html
import io
import re
import sys
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import PurePath
from typing import Iterator

from digest import body as bodies
from digest.errors import SourceError
from digest.model import Engagement, Reply, Thread
from digest.sources import common, jsonshape, xmlsafe

DESCRIPTION = "Stack Exchange data dump Posts.xml: one question and its answers"

_FIX_XML = "extract Posts.xml from the dump archive again, or repair the XML at that line"
_NOT_WELL_FORMED = "not well-formed XML:"
_FIX_CHOOSE = "choose the question with --thread ID, its URL, or a part of its title"
_TABLES = {"posts", "users", "comments", "badges", "posthistory", "postlinks", "tags", "votes"}
_SITE = re.compile(
    r"(?:^|/)((?:[a-z0-9-]+\.)*(?:stackexchange\.com|stackoverflow\.com|serverfault\.com|superuser\.com"
    r"|askubuntu\.com|mathoverflow\.net|stackapps\.com))(?=$|/|-)",
    re.I,
)
_QUESTION_URL = re.compile(r"^https?://(?:www\.)?([^/\s]+)/(?:questions|q|a)/(\d+)", re.I)
COMMUNITY_USER = "-1"  # the site's "Community" bot, owner of community wiki posts


def sniff(doc) -> bool:
    """A dump table: <posts>, <users>, ... with <row Id=...> children (a dump folder sorts
    Badges.xml first, so every table of the dump is recognised), or a CSV copy of one."""
    head = xmlsafe.head(doc.data)
    if head is None:
        return _csv_table(doc.data) is not None
    return head.root.lower() in _TABLES and re.search(r"<row\s[^>]*\bId=", head.text) is not None


# A table converted to CSV (pandas' ``read_xml(...).to_csv``, as data sets share dumps): the
# header row names the XML attributes, and these columns tell the tables apart.
_CSV_COLUMNS = {"posts": {"Id", "PostTypeId", "Body"}, "comments": {"Id", "PostId", "Text"},
                "users": {"Id", "DisplayName", "Reputation"},
                # Kaggle's Stack Overflow samples (StackSample; Python and R questions) cut the
                # posts table in two, Questions.csv and Answers.csv, without PostTypeId
                "questions": {"Id", "Title", "Body"}, "answers": {"Id", "ParentId", "Body"}}
_CSV_NUMBER = re.compile(r"^-?\d+\.0$")  # pandas writes a number column with empty cells as floats


def _csv_table(data: bytes) -> str | None:
    """``posts``, ``comments`` or ``users`` for a CSV copy of that table (by its header row)."""
    line = data[:4096].split(b"\n", 1)[0].removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    try:
        columns = set(next(csv.reader([line])))
    except (csv.Error, StopIteration):
        return None
    return next((table for table, needed in _CSV_COLUMNS.items() if needed <= columns), None)


def read(request) -> Thread:
    posts, users_doc, comments_doc = _documents(request)
    site, selector = _site_and_selector(request.thread, posts.doc.name)
    guessed_site = site is None and posts.site is not None
    site = posts.site if guessed_site else site
    question, rows = _thread_rows(posts, _choose_in(posts, _index_posts(posts), selector))
    comments = _rows(comments_doc, "extract Comments.xml again, or leave it out") if comments_doc else None
    comment_rows = _comment_rows(comments, {row.get("Id") for row in [question, *rows]}) if comments else None
    owners = {row.get("OwnerUserId") for row in [question, *rows]} | {row.get("UserId") for row in comment_rows or ()}
    users = _rows(users_doc, "extract Users.xml again, or leave it out") if users_doc else None
    names = _load_users(users, owners) if users else {}
    cuts = posts.reading_notes() + (users.reading_notes() if users else []) + (comments.reading_notes() if comments else [])
    if guessed_site:
        cuts.append(f"the files do not name their site; links point to {site}, which Kaggle's samples of this layout are taken from")
    if posts.broken:
        cuts.append(posts.cut_note("answers after it are missing"))
    if users and users.broken:
        cuts.append(users.cut_note("authors listed after it are shown as user<Id>"))
    if comments and comments.broken:
        cuts.append(comments.cut_note("comments after it are missing"))
    thread = _thread(question, rows, comment_rows, names, site, request.retrieved_at, cuts)
    lacking = posts.broken or (comments and comments.broken) or posts.without_answers
    return replace(thread, partial=True) if lacking else thread


# ---------------------------------------------------------------------------- input

def wanted(head) -> bool:
    """Of a dump folder only Posts.xml, Comments.xml and Users.xml are read (told by their root
    element): PostHistory.xml and Votes.xml are often larger than all three together."""
    found = xmlsafe.head(head.data)
    if found is None:
        return _csv_table(head.data) is not None
    return found.root.lower() in ("posts", "users", "comments")


def _documents(request):
    """The rows of Posts.xml (or of a sample's Questions.csv and Answers.csv), and Users.xml and
    Comments.xml when the whole dump folder was given."""
    tables = {}
    for doc in request.documents:
        head = xmlsafe.head(doc.data)
        table = head.root.lower() if head is not None else _csv_table(doc.data)
        if table is not None:
            tables.setdefault(table, doc)
    if "posts" not in tables and "questions" in tables:
        return _SampleRows(tables["questions"], tables.get("answers")), tables.get("users"), tables.get("comments")
    if "posts" not in tables and "answers" in tables:
        raise SourceError(
            f"{PurePath(tables['answers'].name).name} holds the answers of a Stack Overflow sample; the questions they answer are in Questions.csv",
            where=request.name, fix="import the folder that holds Questions.csv and Answers.csv",
        )
    if "posts" not in tables:
        if tables:  # other tables of a dump, e.g. a folder without Posts.xml
            holds = "holds another table" if len(tables) == 1 else "hold other tables"
            if all(xmlsafe.head(doc.data) is None for doc in tables.values()):  # CSV copies
                names = ", ".join(f"{PurePath(doc.name).name} (the {root} table)" for root, doc in tables.items())
                raise SourceError(
                    f"no posts table here: {names} {holds} of the dump; the questions and answers are in its posts table (Posts.csv)",
                    where=request.name, fix="point at Posts.csv (or the dump's Posts.xml), or at a folder that holds it",
                )
            names = ", ".join(f"{PurePath(doc.name).name} (<{root}>)" for root, doc in tables.items())
            raise SourceError(
                f"no Posts.xml here: {names} {holds} of the dump; the questions and answers are in Posts.xml",
                where=request.name, fix="point at Posts.xml, or at a dump folder that holds it (extract it from the site's .7z)",
            )
        if len(request.documents) == 1:
            doc = request.documents[0]
            xmlsafe.parse(doc.data, doc.name, fix=_FIX_XML)  # a broken file: report where
            raise SourceError("not a Stack Exchange Posts.xml (no <posts> root element)", where=doc.name, fix="point at Posts.xml of the dump")
        raise SourceError("the folder holds no Posts.xml", where=request.name, fix="point at Posts.xml or the extracted dump folder")
    return _rows(tables["posts"], _FIX_XML), tables.get("users"), tables.get("comments")


def _rows(doc, fix: str):
    return _CsvRows(doc) if xmlsafe.head(doc.data) is None and _csv_table(doc.data) else _Rows(doc, fix)


@dataclass(frozen=True)
class _CsvRow:
    """A CSV line as the XML row it was made from: empty cells are absent attributes."""

    attrib: dict

    def get(self, key: str, default=None):
        return self.attrib.get(key, default)


class _CsvRows:
    """The rows of a CSV copy of a dump table, streamed like ``_Rows``.  A line with fewer
    cells than the header (a file cut short) ends the table: the rows before it are kept."""

    without_answers = False
    site = None

    def __init__(self, doc):
        self.doc = doc
        self.count = 0
        self.broken: SourceError | None = None
        self.not_utf8: list[int] = []  # the lines read as Windows-1252

    def __iter__(self):
        self.count, self.broken, self.not_utf8 = 0, None, []
        csv.field_size_limit(sys.maxsize)  # a Body cell can exceed the default 128 KB
        reader = csv.reader(self._lines())
        try:
            header = next(reader, [])
            for cells in reader:
                if len(cells) != len(header):
                    if cells:
                        self.broken = SourceError(f"{len(cells)} cells where the header names {len(header)}",
                                                  where=f"{self.doc.name}, line {reader.line_num}")
                        return
                    continue
                self.count += 1
                yield _CsvRow({key: _csv_value(key, value) for key, value in zip(header, cells) if _present(key, value)})
        except csv.Error as error:
            self.broken = SourceError(str(error), where=f"{self.doc.name}, line {reader.line_num}")
            if self.count == 0:
                raise SourceError(f"not a readable CSV table: {error}", where=f"{self.doc.name}, line {reader.line_num}",
                                  fix="export the table again, or use the dump's XML file") from None

    def _lines(self) -> Iterator[str]:
        """The file's lines as text.  Data sets made on Windows hold Latin-1 text in what is
        otherwise UTF-8 (or are Latin-1 throughout): such a line's bytes that are not UTF-8 are
        read as Windows-1252, not replaced, and the line is counted for a note."""
        for number, raw in enumerate(io.BytesIO(self.doc.data), start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                repaired, _ = xmlsafe.with_stray_bytes_as_cp1252(raw)
                line = repaired.decode("utf-8", "replace")
                self.not_utf8.append(number)
            yield line.removeprefix("\ufeff") if number == 1 else line

    repair = "export the table to CSV again, or use the dump's XML file"

    def reading_notes(self) -> list[str]:
        name = PurePath(self.doc.name).name
        notes = [f"read {name}, a CSV copy of the dump's {_csv_table(self.doc.data)} table"]
        if self.not_utf8:
            notes.append(f"{len(self.not_utf8)} line(s) of {name} are not valid UTF-8 (first line {self.not_utf8[0]}); "
                         "read as Windows-1252 (Latin-1), the usual cause, so check accented letters and quotes there")
        return notes

    def break_text(self) -> str:
        return f"{PurePath(self.doc.name).name} breaks at line {self.broken.where.rsplit('line ', 1)[-1]} ({self.broken.message})"

    def cut_note(self, lost: str) -> str:
        return f"{self.break_text()}: only the {self.count} row(s) before it were read; {lost}"


def _present(column: str, value: str) -> bool:
    """An empty cell is an absent attribute, and so is R's ``NA`` in a number or date column."""
    return value != "" and not (value == "NA" and (column.endswith(("Id", "Count", "Date")) or column == "Score"))


def _csv_value(column: str, value: str) -> str:
    """``12.0`` in an id or count column is ``12`` again; control characters, which the XML
    table cannot hold but a CSV file can, are dropped (NUL in a title or a name)."""
    value = jsonshape.clean_text(value)
    if _CSV_NUMBER.match(value) and (column.endswith(("Id", "Count")) or column == "Score"):
        return value[:-2]
    return value


class _SampleRows:
    """Questions.csv and Answers.csv of Kaggle's Stack Overflow samples read as the posts table
    they were cut from: their rows get their PostTypeId, and a question the AcceptedAnswerId
    its answers' IsAcceptedAnswer gives (learnt while reading the answers, so known from the
    second pass on, which is the one that builds the thread).  Without Answers.csv the
    questions are read alone, noted and partial."""

    site = "stackoverflow.com"

    def __init__(self, questions_doc, answers_doc):
        self.doc = questions_doc
        self.parts = [(_CsvRows(questions_doc), "1")] + ([(_CsvRows(answers_doc), "2")] if answers_doc else [])
        self.without_answers = answers_doc is None
        self.accepted: dict[str, str] = {}  # question Id -> its accepted answer's Id
        self.count = 0
        self.broken: SourceError | None = None
        self._broken_part: _CsvRows | None = None  # the file that broke off
        self.repair = _CsvRows.repair

    def __iter__(self):
        self.count, self.broken, self._broken_part = 0, None, None
        for rows, kind in self.parts:
            for row in rows:
                self.count += 1
                attrib = dict(row.attrib, PostTypeId=kind)
                if kind == "1" and attrib.get("Id") in self.accepted:
                    attrib["AcceptedAnswerId"] = self.accepted[attrib["Id"]]
                elif kind == "2" and (attrib.get("IsAcceptedAnswer") or "").lower() == "true" and attrib.get("ParentId"):
                    self.accepted[attrib["ParentId"]] = attrib.get("Id")
                yield _CsvRow(attrib)
            if rows.broken and self.broken is None:  # the other file is still read
                self.broken, self._broken_part = rows.broken, rows

    def reading_notes(self) -> list[str]:
        names = " and ".join(PurePath(rows.doc.name).name for rows, _ in self.parts)
        what = "questions" if self.without_answers else "questions and answers"
        notes = [f"read {names}, the {what} of a Stack Overflow sample as Kaggle shares them, as the dump's posts table"]
        notes += [note for rows, _ in self.parts for note in rows.reading_notes()[1:]]
        if self.without_answers:
            notes.append("no Answers.csv was given (import the folder that holds it beside Questions.csv): "
                         "the question is imported without its answers")
        return notes

    def break_text(self) -> str:
        return self._broken_part.break_text()

    def cut_note(self, lost: str) -> str:
        return self._broken_part.cut_note(lost)


class _Rows:
    """The ``<row>`` elements of one dump table, streamed.  A table cut short (a dump extracted
    or downloaded partly) ends at its XML error; rows are complete once their ``/>`` was read,
    so those before the error are kept and ``broken`` keeps the error for the notes.  Nothing
    read at all: the error is raised, as it says more than "no questions".

    Real dumps hold control characters XML forbids (``&#x0E;`` in a 2024 dump): at the first
    error they are removed (``removed`` counts them, for a note) and the stream starts again
    after the rows already read, as removing them moves no row."""

    without_answers = False
    site = None

    def __init__(self, doc, fix: str):
        self.doc = doc
        self.fix = fix
        self.data, self.declared_note = xmlsafe.misdeclared_utf8(doc.data)
        self.count = 0
        self.removed = 0
        self.broken: SourceError | None = None

    def __iter__(self):
        self.count, self.broken = 0, None  # each pass reads the same bytes again
        while True:
            try:
                for index, row in enumerate(xmlsafe.iter_elements(self.data, self.doc.name, "row", fix=self.fix)):
                    if index >= self.count:
                        self.count += 1
                        yield row
                return
            except SourceError as error:
                if not error.message.startswith(_NOT_WELL_FORMED):
                    raise
                if not self.removed:
                    self.data, self.removed = xmlsafe.drop_forbidden_characters(self.data)
                    if self.removed:
                        continue
                if self.count == 0:
                    raise
                self.broken = error
                return

    def reading_notes(self) -> list[str]:
        notes = [f"{PurePath(self.doc.name).name}: {self.declared_note}"] if self.declared_note else []
        if self.removed:
            notes.append(f"removed {self.removed} control character(s) that XML does not allow from {PurePath(self.doc.name).name}")
        return notes

    @property
    def repair(self) -> str:
        return self.fix

    def breaks_at(self) -> str:
        """``line 5, column 834 (AttValue: ' expected)``"""
        place = (self.broken.where or "").removeprefix(self.doc.name).strip() or "an unknown place"
        return f"{place} ({self.broken.message.removeprefix(_NOT_WELL_FORMED).strip()})"

    def break_text(self) -> str:
        return f"the file is not well-formed XML from {self.breaks_at()}"

    def cut_note(self, lost: str) -> str:
        return (
            f"{PurePath(self.doc.name).name} is not well-formed XML from {self.breaks_at()}: the file is cut short or "
            f"damaged there, so only the {self.count} row(s) before it were read; {lost}"
        )


# What listing and choosing a question needs; bodies are read for the chosen thread only, as
# keeping every row's Body took four times the file's size in memory.
_INDEX_KEYS = ("Id", "Title", "DeletionDate")
_ROW = "#row"  # the row's position in the file, to find it again in the second pass


@dataclass(frozen=True)
class _Index:
    """What the first pass keeps: questions in file order (``_INDEX_KEYS`` and their row
    position), answers by question Id, and the kind (PostTypeId) of every other row by Id, so
    that an Id naming a tag wiki is told apart from an Id the dump does not hold."""

    questions: list[dict]
    answers: dict[str, list[dict]]
    other_kinds: dict[str, str]


# PostTypeId values of the rows that are neither questions nor answers (the dump's readme).
_OTHER_POST_TYPES = {
    "3": "orphaned tag wiki", "4": "tag wiki excerpt", "5": "tag wiki", "6": "moderator nomination",
    "7": "wiki placeholder", "8": "privilege wiki",
}


def _index_posts(posts: _Rows) -> _Index:
    """First pass: questions in file order and answers by question Id, each only with
    ``_INDEX_KEYS`` (and the question's row position), and the kind of every other row."""
    questions: list[dict] = []
    answers: dict[str, list[dict]] = {}
    other_kinds: dict[str, str] = {}
    for row in posts:
        kind = row.get("PostTypeId")
        if kind == "1" and row.get("Id"):
            questions.append(_index_entry(row) | {_ROW: posts.count})
        elif kind == "2" and row.get("ParentId"):
            answers.setdefault(row.get("ParentId"), []).append(_index_entry(row))
        elif row.get("Id"):
            other_kinds[row.get("Id")] = kind or ""
    return _Index(questions, answers, other_kinds)


def _index_entry(row) -> dict:
    return {key: row.get(key) for key in _INDEX_KEYS if row.get(key) is not None}


def _thread_rows(posts: _Rows, chosen: dict) -> tuple[dict, list[dict]]:
    """Second pass over the same bytes: the whole rows of the chosen question and its answers."""
    question: dict = chosen
    answers: list[dict] = []
    for row in posts:
        if posts.count == chosen[_ROW]:
            question = dict(row.attrib)
        elif row.get("PostTypeId") == "2" and row.get("ParentId") == chosen["Id"]:
            answers.append(dict(row.attrib))
    return question, answers


def _comment_rows(comments: _Rows, post_ids: set) -> list[dict]:
    """The comments on the thread's posts, in file order (Comments.xml holds every comment of
    the site, so only these are kept)."""
    return [dict(row.attrib) for row in comments if row.get("PostId") in post_ids]


def _load_users(users: _Rows, wanted: set) -> dict[str, str]:
    """Display names of the thread's authors only (Users.xml of a big site is huge)."""
    names = {}
    for row in users:
        if row.get("Id") in wanted and row.get("DisplayName"):
            names[row.get("Id")] = row.get("DisplayName")
    return names


def _site_and_selector(selector: str | None, name: str) -> tuple[str | None, str | None]:
    """A question URL names both the site and the question; else the site may be in the path.
    Both, disagreeing: refused, as the URL's question Id means another question in this dump."""
    selector = selector.strip() if selector else None
    found = _SITE.findall(PurePath(name).as_posix())
    named = found[-1].lower() if found else None  # the name nearest the file
    url = _QUESTION_URL.match(selector) if selector else None
    if not url:
        return named, selector
    host = url.group(1).lower()
    if named and host != named:
        raise SourceError(
            f"--thread names a question on {host}, but this dump is {named}'s (by its name): "
            "question Ids differ between sites",
            where=name,
            fix=f"pass a question URL on {named} or the question's Id, or import the {host} dump",
        )
    return host, url.group(2)


# ---------------------------------------------------------------------------- choosing

def _choose_in(posts: _Rows, index: _Index, selector: str | None) -> dict:
    """``_choose``; when the file broke off, a question not found may be in the part lost."""
    try:
        return _choose(index, selector, posts.doc.name)
    except SourceError as error:
        if posts.broken is None:
            raise
        raise SourceError(
            f"{error.message}\n({posts.break_text()}; only the {posts.count} row(s) before it were read)",
            where=posts.broken.where,
            fix=f"{posts.repair}; or {error.fix}" if error.fix else posts.repair,
        ) from None


def _choose(index: _Index, selector: str | None, name: str) -> dict:
    questions, answers = index.questions, index.answers
    if not questions:
        raise SourceError("the file holds no questions (PostTypeId 1)", where=name, fix="point at the Posts.xml of a whole dump")
    if selector:
        return _not_deleted(_select(index, selector, name), name)
    candidates = [q for q in questions if not _deleted(q)] or questions
    if len(candidates) == 1:
        return _not_deleted(candidates[0], name)
    raise SourceError(f"the dump holds {len(questions)} questions:\n" + _listing(questions, answers), where=name, fix=_FIX_CHOOSE)


def _select(index: _Index, selector: str, name: str) -> dict:
    """An Id (a question's, or an answer's for its question) or a part of a title.  A number
    is an Id only: a question URL of a question the dump lacks must not pick another question
    whose title holds that number."""
    questions, answers = index.questions, index.answers
    by_id = {q["Id"]: q for q in questions}
    if selector in by_id:
        return by_id[selector]
    for question_id, rows in answers.items():
        if any(r.get("Id") == selector for r in rows):
            if question_id in by_id:
                return by_id[question_id]
            raise SourceError(
                f"post {selector} is an answer to question {question_id}, which is not in this dump",
                where=name, fix="import the dump that holds that question, or " + _FIX_CHOOSE,
            )
    if selector.isdigit():
        raise SourceError(_absent_id(index, selector) + "; the questions are:\n" + _listing(questions, answers), where=name, fix=_FIX_CHOOSE)
    needle = selector.casefold()
    found = [q for q in questions if needle in (q.get("Title") or "").casefold()]
    found = [q for q in found if not _deleted(q)] or found  # a deleted namesake does not make it ambiguous
    if len(found) == 1:
        return found[0]
    if not found:
        raise SourceError(f"no question matches --thread {selector!r}; the questions are:\n" + _listing(questions, answers), where=name, fix=_FIX_CHOOSE)
    raise SourceError(f"--thread {selector!r} matches {len(found)} questions:\n" + _listing(found, answers), where=name, fix=_FIX_CHOOSE)


def _absent_id(index: _Index, post_id: str) -> str:
    """Why a number names no question: the row is a tag wiki or another kind of post, or the
    dump holds no row with that Id (a question newer than the dump, or deleted)."""
    if post_id in index.other_kinds:
        kind = index.other_kinds[post_id]
        what = _OTHER_POST_TYPES.get(kind, f"post of PostTypeId {kind or '(none)'}")
        return f"post {post_id} is a {what} (PostTypeId {kind or '(none)'}), not a question or an answer"
    return (
        f"no question or answer has Id {post_id} in this dump (it may be newer than the dump, or deleted); "
        "a number is read as an Id, never as a part of a title"
    )


def _not_deleted(question: dict, name: str) -> dict:
    """A deleted question keeps no text in the dump and is no longer public: refused."""
    if not _deleted(question):
        return question
    raise SourceError(
        f"question {question['Id']} was deleted on {_deleted(question)}: the dump keeps no text of deleted posts",
        where=name,
        fix="choose a question that is not deleted with --thread ID, its URL, or a part of its title",
    )


def _deleted(row: dict) -> str | None:
    """The day a row was deleted (its DeletionDate, in PostsWithDeleted exports), else None."""
    text = (row.get("DeletionDate") or "").strip()
    if not text:
        return None
    when = xmlsafe.utc_time(text)
    return f"{when:%Y-%m-%d}" if when else text


def _listing(questions: list[dict], answers: dict[str, list[dict]], limit: int = 20) -> str:
    lines = [f"  {q['Id']} \"{q.get('Title') or '(no title)'}\" ({_listed_state(q, answers)})" for q in questions[:limit]]
    if len(questions) > limit:
        lines.append(f"  ... and {len(questions) - limit} more")
    return "\n".join(lines)


def _listed_state(question: dict, answers: dict[str, list[dict]]) -> str:
    """``3 answer(s)``, deleted answers not counted; ``deleted on 2020-06-06`` for a deleted question."""
    if _deleted(question):
        return f"deleted on {_deleted(question)}"
    return f"{sum(not _deleted(a) for a in answers.get(question['Id'], []))} answer(s)"


# ---------------------------------------------------------------------------- thread

def _author(row: dict, names: dict[str, str]) -> str:
    shown = (row.get("OwnerDisplayName") or "").strip()
    user_id = (row.get("OwnerUserId") or "").strip()
    if shown:
        return shown
    if user_id in names:
        return names[user_id]
    if user_id == COMMUNITY_USER:
        return "Community"
    return f"user{user_id}" if user_id else "anonymous"


def _commenter(row: dict, names: dict[str, str]) -> str:
    """A comment's author: its UserDisplayName (a deleted account's name, kept on its
    comments), else the name Users.xml gives its UserId."""
    return _author({"OwnerDisplayName": row.get("UserDisplayName"), "OwnerUserId": row.get("UserId")}, names)


def _int(value) -> int | None:
    return common.whole_number(value)


def _count(row: dict, key: str, notes: list[str]) -> int | None:
    """A count attribute; one that is not a whole number is left out, with a note."""
    value = row.get(key)
    number = _int(value) if key == "Score" else common.count(value)
    if number is None and (value or "").strip():
        notes.append(f"post {row.get('Id')}: {key}={value!r} is not a {'whole number' if key == 'Score' else 'count'}; left out")
    return number


def _created(row: dict, notes: list[str]) -> tuple[datetime | None, str | None]:
    """``posted_at``, or, for a CreationDate that is no date, its text for ``posted_at_text``."""
    text = (row.get("CreationDate") or "").strip()
    posted_at = xmlsafe.utc_time(text)
    if posted_at is None and text:
        notes.append(f"post {row.get('Id')}: CreationDate={text!r} is not a date; kept as written")
        return None, text
    return posted_at, None


def _body(row: dict, site: _Site) -> str:
    return bodies.from_html(row.get("Body") or "", f"https://{site.host}/" if site.host else None)


@dataclass(frozen=True)
class _Site:
    host: str | None

    def question(self, post_id: str) -> str | None:
        return f"https://{self.host}/questions/{post_id}" if self.host else None

    def answer(self, post_id: str) -> str | None:
        return f"https://{self.host}/a/{post_id}" if self.host else None


def _thread(
    question: dict, answer_rows: list[dict], comment_rows: list[dict] | None, names: dict[str, str], host: str | None,
    retrieved_at, cuts: list[str],
) -> Thread:
    """``comment_rows``: the thread's rows of Comments.xml, None when it was not given."""
    site = _Site(host)
    notes: list[str] = list(cuts)
    accepted = question.get("AcceptedAnswerId")
    rows, repeated = _unique_rows(answer_rows)
    if repeated:
        notes.append(f"{repeated} repeated answer row(s) (same Id) skipped")
    deleted = [r.get("Id") for r in rows if _deleted(r)]
    rows = [r for r in rows if not _deleted(r)]
    if deleted:
        notes.append(f"{len(deleted)} deleted answer(s) skipped (rows with a DeletionDate)")
    rows.sort(key=lambda r: (r.get("CreationDate") or "", _int(r.get("Id")) or 0))
    comment_notes: list[str] = []  # said after what the posts themselves lack
    comment_rows, comments_expected = _thread_comments(question, rows, comment_rows, comment_notes)
    authors = common.AuthorNames(
        {_author(r, names) for r in rows} | {_author(question, names)} | {_commenter(c, names) for c in comment_rows}
    )
    opening = _question(question, names, site, authors, notes)
    answers = [_answer(r, accepted, names, site, authors, notes) for r in rows]
    comments = [_comment(c, question["Id"], names, site, authors, notes) for c in comment_rows]
    replies = tuple(common.order_by_parents(comments + answers))
    total = common.count(question.get("AnswerCount"))
    partial = total is not None and total > len(answers)
    if partial:
        notes.append(f"the question has {total} answers, the dump holds {len(answers)} of them")
    # Comments are replies too: those the posts count but the import lacks (Comments.xml not
    # given, or holding fewer) are replies at the source the thread does not show.
    partial = partial or len(comments) < comments_expected
    total = None if total is None else total + max(comments_expected, len(comments))
    if accepted and accepted in deleted:
        notes.append(f"the accepted answer {accepted} was deleted")
    elif accepted and not any(r.id == accepted for r in replies):
        notes.append(f"the accepted answer {accepted} is not in the dump")
    notes.extend(_empty_body_notes(question, rows))
    closed = (question.get("ClosedDate") or "").strip()
    if closed:
        notes.append(f"the question was closed on {closed[:10]} (ClosedDate): it takes no new answers")
    if site.host is None:
        notes.append("the dump does not name its site, so there are no links; pass the question URL as --thread to get them")
    notes.extend(comment_notes + _community_wiki_notes(question, rows))
    return Thread(
        id=question["Id"],
        title=(question.get("Title") or "").strip() or None,
        url=site.question(question["Id"]),
        replies=replies,
        source_format="stackexchange",
        retrieved_at=retrieved_at,
        partial=partial,
        total_replies=total,
        author=opening.author,
        opening_post=opening,
        import_notes=tuple(notes),
    )


def _thread_comments(question: dict, answers: list[dict], comment_rows: list[dict] | None, notes: list[str]) -> tuple[list[dict], int]:
    """The comments shown (on the question and on the answers kept), oldest first, and how many
    the posts say they have (their CommentCount); without Comments.xml none are shown and they
    are only counted."""
    expected = sum(common.count(row.get("CommentCount")) or 0 for row in [question, *answers])
    if comment_rows is None:
        if expected:
            notes.append(
                f"the posts have {expected} comment(s) (CommentCount), which the dump keeps in Comments.xml: "
                "import the dump folder that holds it to include them"
            )
        return [], expected
    shown_posts = {question["Id"]} | {row.get("Id") for row in answers}
    rows, repeated = _unique_rows(comment_rows)
    if repeated:
        notes.append(f"{repeated} repeated comment row(s) (same Id) skipped")
    on_deleted = sum(1 for row in rows if row.get("PostId") not in shown_posts)
    if on_deleted:
        notes.append(f"{on_deleted} comment(s) on deleted answers skipped")
    rows = [row for row in rows if row.get("PostId") in shown_posts]
    if len(rows) < expected:
        notes.append(f"the posts have {expected} comments (CommentCount), Comments.xml holds {len(rows)} of them")
    rows.sort(key=lambda row: (row.get("CreationDate") or "", _int(row.get("Id")) or 0))
    return rows, expected


def _community_wiki_notes(question: dict, answers: list[dict]) -> list[str]:
    """Community wiki posts (CommunityOwnedDate) are edited by many; the author shown is the
    one who wrote the first version, and their votes earn nobody reputation."""
    wiki = [row.get("Id") or "?" for row in answers if (row.get("CommunityOwnedDate") or "").strip()]
    question_wiki = bool((question.get("CommunityOwnedDate") or "").strip())
    if not wiki and not question_wiki:
        return []
    what = " and ".join(part for part in (
        "the question" if question_wiki else "",
        f"{len(wiki)} answer(s) ({', '.join(wiki)})" if wiki else "",
    ) if part)
    return [f"{what} are community wiki (CommunityOwnedDate): written by many, shown under the first author"]


def _empty_body_notes(question: dict, answers: list[dict]) -> list[str]:
    """Posts imported without text because their Body is empty or missing."""
    notes = []
    if not (question.get("Body") or "").strip():
        notes.append(f"the question {question['Id']} has an empty Body: imported without text")
    empty = [r.get("Id") or "?" for r in answers if not (r.get("Body") or "").strip()]
    if empty:
        notes.append(f"{len(empty)} answer(s) have an empty Body and are imported without text: {', '.join(empty)}")
    return notes


def _unique_rows(rows: list[dict]) -> tuple[list[dict], int]:
    seen: set = set()
    unique = []
    for row in rows:
        if row.get("Id") not in seen:
            seen.add(row.get("Id"))
            unique.append(row)
    return unique, len(rows) - len(unique)


def _question(row: dict, names: dict[str, str], site: _Site, authors: common.AuthorNames, notes: list[str]) -> Reply:
    body = _body(row, site)
    posted_at, posted_at_text = _created(row, notes)
    return Reply(
        id=row["Id"],
        author=_author(row, names),
        body=body,
        permalink=site.question(row["Id"]),
        posted_at=posted_at,
        posted_at_text=posted_at_text,
        title=(row.get("Title") or "").strip() or None,
        mentions=common.find_mentions(bodies.prose_words(body), authors),
        engagement=Engagement(
            score=_count(row, "Score", notes),
            replies=_count(row, "AnswerCount", notes),
            reads=_count(row, "ViewCount", notes),
        ),
    )


def _answer(
    row: dict, accepted_id: str | None, names: dict[str, str], site: _Site, authors: common.AuthorNames, notes: list[str]
) -> Reply:
    body = _body(row, site)
    author = _author(row, names)
    posted_at, posted_at_text = _created(row, notes)
    return Reply(
        id=common.stable_id(source_id=row.get("Id"), author=author, body=body),
        author=author,
        body=body,
        permalink=site.answer(row["Id"]) if row.get("Id") else None,
        posted_at=posted_at,
        posted_at_text=posted_at_text,
        mentions=common.find_mentions(bodies.prose_words(body), authors),
        engagement=Engagement(
            score=_count(row, "Score", notes),
            accepted=(1 if row.get("Id") == accepted_id else 0) if accepted_id else None,
        ),
    )


# ---------------------------------------------------------------------------- comments

def _comment(
    row: dict, question_id: str, names: dict[str, str], site: _Site, authors: common.AuthorNames, notes: list[str]
) -> Reply:
    """A comment under the question (answering the thread) or under an answer (answering it)."""
    body = bodies.from_html(_comment_html(row.get("Text") or ""), f"https://{site.host}/" if site.host else None)
    posted_at, posted_at_text = _created(row, notes)
    post_id = row.get("PostId")
    return Reply(
        id=f"comment-{row.get('Id')}",
        author=_commenter(row, names),
        body=body,
        permalink=f"{site.question(question_id)}#comment{row.get('Id')}_{post_id}" if site.host else None,
        posted_at=posted_at,
        posted_at_text=posted_at_text,
        parent_id=None if post_id == question_id else post_id,
        mentions=common.find_mentions(bodies.prose_words(body), authors),
        engagement=Engagement(score=_count(row, "Score", notes)),
    )


# Comments are written in a small part of Markdown (the help page "comment formatting"):
# `code`, **bold** or __bold__, *italic* or _italic_, [text](url) and bare links; the dump
# keeps them as written.  Code is taken out first, as nothing inside it is formatting.
_CODE_SPAN = re.compile(r"`([^`]+)`")
_INLINE_LINK = re.compile(r"\[([^\]\n]+)\]\(\s*((?:https?://|/)[^\s)]*)(?:\s+&quot;[^\n]*?&quot;)?\s*\)")
_STRONG = re.compile(r"(?<![\w*])(\*\*|__)(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*])")
_ANCHOR = re.compile(r"(<a [^>]*>.*?</a>)")


def _comment_html(text: str) -> str:
    """A comment's Markdown as HTML: one paragraph, code spans kept literal."""
    parts = []
    for index, piece in enumerate(_CODE_SPAN.split(text)):
        parts.append(f"<code>{html.escape(piece, quote=False)}</code>" if index % 2 else _comment_prose(piece))
    return f"<p>{''.join(parts)}</p>"


def _comment_prose(text: str) -> str:
    """Links first ([text](url), then bare ones), then bold and italics in the text between
    them, so that an address's underscores never turn into italics."""
    linked = _INLINE_LINK.sub(lambda m: f'<a href="{m.group(2)}">{m.group(1)}</a>', html.escape(text, quote=True))
    linked = "".join(piece if index % 2 else bodies.linkify(piece) for index, piece in enumerate(_ANCHOR.split(linked)))
    return "".join(piece if index % 2 else _emphasised(piece) for index, piece in enumerate(_ANCHOR.split(linked)))


def _emphasised(text: str) -> str:
    strong = _STRONG.sub(lambda m: f"<strong>{m.group(2)}</strong>", text)
    return _EMPHASIS.sub(lambda m: f"<em>{m.group(2)}</em>", strong)
