"""Threading parsed messages JWZ-style and choosing the thread a request names.

Message-ID / In-Reply-To / References build a tree of containers (placeholders stand in
for messages only referenced; an In-Reply-To listing several ids answers the one
:func:`reply_parent` picks); the subject is used only to attach messages that carry
no references at all, under the earliest thread of that subject (Gmail's conversation id,
``X-GM-THRID``, where a Takeout mbox gives one).  Reply links that form
a loop are broken at the earliest message of the loop, which then opens its thread.
:func:`select_thread` picks the one thread ``--thread`` names, or raises a
:class:`~digest.errors.SourceError` listing the candidates.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from digest.errors import SourceError
from digest.sources.mail.decode import normalize_subject

if TYPE_CHECKING:
    from digest.sources.mbox import Mail

_LISTED_THREADS = 20

# ---------------------------------------------------------------------------- threading

class ThreadNode:
    """A JWZ container: a message, or a placeholder for a message only referenced."""

    __slots__ = ("id", "mail", "parent", "children", "key", "has_children")

    def __init__(self, node_id: str):
        self.id = node_id
        self.mail: Mail | None = None
        self.parent: ThreadNode | None = None
        self.children: list[ThreadNode] = []
        self.has_children = False  # set as the links are made (``children`` is filled at the end)
        self.key: tuple = ()  # the earliest sort key in this subtree, set by _set_keys

    def mails(self) -> list[Mail]:
        found, stack = [], [self]
        while stack:
            node = stack.pop()
            if node.mail is not None:
                found.append(node.mail)
            stack.extend(node.children)
        return found

    def missing(self) -> list[str]:
        found, stack = [], [self]
        while stack:
            node = stack.pop()
            if node.mail is None:
                found.append(node.id)
            stack.extend(node.children)
        return found

    def first_key(self) -> tuple:
        return self.key


def _set_keys(roots: list[ThreadNode]) -> None:
    """Each subtree's earliest message key, bottom-up (sorting siblings needs it often)."""
    for root in roots:
        order, stack = [], [root]
        while stack:
            node = stack.pop()
            order.append(node)
            stack.extend(node.children)
        for node in reversed(order):
            keys = [child.key for child in node.children if child.key]
            if node.mail is not None:
                keys.append(node.mail.sort_key())
            node.key = min(keys) if keys else ()


@dataclass
class MailThread:
    """A thread found in the archive: its root node and what threading had to assume."""

    root: ThreadNode
    missing_root: list[str] = field(default_factory=list)  # placeholders promoted away
    by_subject: list[str] = field(default_factory=list)  # ids attached by subject only
    by_conversation: list[str] = field(default_factory=list)  # ids attached by Gmail's conversation id
    loops: list[str] = field(default_factory=list)  # ids whose In-Reply-To was ignored: it closed a loop

    @property
    def id(self) -> str:
        return self.root.id

    @property
    def subject(self) -> str | None:
        if self.root.mail is not None:
            return self.root.mail.subject
        earliest = min(self.root.mails(), key=lambda mail: mail.sort_key())
        return earliest.subject

    def count(self) -> int:
        return len(self.root.mails())


def _creates_loop(child: ThreadNode, parent: ThreadNode) -> bool:
    """Whether ``child`` is ``parent`` or above it.  A node nothing hangs from cannot be above
    anything: a References chain of 10,000 ids links each new placeholder without a walk up
    the chain (which made it quadratic)."""
    if child is not parent and not child.has_children:
        return False
    node: ThreadNode | None = parent
    steps = 0
    while node is not None and steps < 100_000:
        if node is child:
            return True
        node = node.parent
        steps += 1
    return node is not None


def _link(child: ThreadNode, parent: ThreadNode) -> None:
    child.parent = parent
    parent.has_children = True


def reply_parent(in_reply_to: list[str], references: list[str], archive: set[str]) -> str | None:
    """The message a reply answers.

    In-Reply-To names it; when it lists several ids (Netscape/Mozilla wrote the chain
    there, oldest first; RFC 5322 allows one per message answered), the last References
    entry among them wins, else the last one that is in the ``archive``, else the last.
    Without In-Reply-To, the last References entry.
    """
    if not in_reply_to:
        return references[-1] if references else None
    if len(in_reply_to) == 1:
        return in_reply_to[0]
    if references and references[-1] in in_reply_to:
        return references[-1]
    held = [i for i in in_reply_to if i in archive]
    return held[-1] if held else in_reply_to[-1]


def thread_mails(mails: list[Mail]) -> list[MailThread]:
    """JWZ threading: references first, then subject only for messages without any."""
    nodes: dict[str, ThreadNode] = {}

    def node(node_id: str) -> ThreadNode:
        if node_id not in nodes:
            nodes[node_id] = ThreadNode(node_id)
        return nodes[node_id]

    for mail in mails:
        node(mail.id).mail = mail
    held = set(nodes)
    for mail in mails:
        mail.parent_ref = reply_parent(mail.in_reply_to, mail.references, held)
        if mail.parent_ref and mail.parent_ref not in mail.references:
            mail.references.append(mail.parent_ref)
    loops: set[str] = set()
    # a message's own In-Reply-To / last reference is authoritative; latest first, so a
    # loop is closed, and broken, at its earliest message
    for mail in sorted(mails, key=lambda m: m.sort_key(), reverse=True):
        if mail.parent_ref and mail.parent_ref != mail.id:
            parent, child = node(mail.parent_ref), nodes[mail.id]
            if _creates_loop(child, parent):
                loops.add(mail.id)
            else:
                _link(child, parent)
    for mail in mails:  # the rest of References only places messages we do not have
        chain = [r for r in mail.references if r != mail.id]
        for older, newer in zip(chain, chain[1:]):
            parent, child = node(older), node(newer)
            if child.mail is None and child.parent is None and not _creates_loop(child, parent):
                _link(child, parent)
    for item in nodes.values():
        if item.parent is not None:
            item.parent.children.append(item)
    roots = [item for item in nodes.values() if item.parent is None]
    _set_keys(roots)
    for item in nodes.values():
        item.children.sort(key=ThreadNode.first_key)
    roots = [root for root in roots if root.key]
    threads = [_promote_single_child(root) for root in roots]
    for item in threads:
        item.loops = [mail.id for mail in item.root.mails() if mail.id in loops]
    return _group_by_subject(threads)


def _promote_single_child(root: ThreadNode) -> MailThread:
    """A placeholder root with one reply under it: that reply opens the thread (JWZ step 4)."""
    missing = []
    while root.mail is None and len(root.children) == 1:
        missing.append(root.id)
        root = root.children[0]
        root.parent = None
    return MailThread(root, missing_root=missing)


# what archives and mail programs write for a message without a subject (Mailman 2's pipermail
# writes "No subject"): messages sharing one are not about one topic
_NO_SUBJECT = re.compile(
    r"^[(\[<]?(?:no subject|none|untitled|kein betreff|sans objet|sin asunto|senza oggetto|sem assunto"
    r"|geen onderwerp|без темы|无主题|無主題|件名なし)[)\]>]?$"
)


def _group_by_subject(threads: list[MailThread]) -> list[MailThread]:
    """Attach reference-less messages to the thread with the same subject (JWZ step 5); a
    placeholder for no subject ("No subject") joins nothing.  Where Gmail names a message's
    conversation (``X-GM-THRID``, in Gmail's and Google Groups' Takeout mboxes), that id
    groups instead of the subject: a reply whose subject was edited stays in its
    conversation, and topics that share a subject ("Hello") stay apart."""
    groups: dict[str, list[MailThread]] = {}
    for item in sorted(threads, key=lambda t: t.root.first_key()):
        conversation = item.root.mail.conversation_id if item.root.mail is not None else None
        key = normalize_subject(item.subject)
        if _NO_SUBJECT.match(key):
            key = ""
        if conversation:
            key = f"\1{conversation}"
        groups.setdefault(key or f"\0{item.id}", []).append(item)
    result = []
    for group_key, group in groups.items():
        loose = [t for t in group if t.root.mail is not None and not t.root.mail.references and not t.missing_root]
        if len(group) == 1 or not loose:
            result.extend(group)
            continue
        primary = group[0]  # the earliest: a later message never opens the thread over it
        for other in group:
            if other is primary:
                continue
            other.root.parent = primary.root
            primary.root.children.append(other.root)
            primary.missing_root.extend(other.missing_root)
            primary.loops.extend(other.loops)
            joined_by = primary.by_conversation if group_key.startswith("\1") else primary.by_subject
            joined_by.append(other.id)
            primary.root.key = min(primary.root.key, other.root.key)
        primary.root.children.sort(key=ThreadNode.first_key)
        result.append(primary)
    return sorted(result, key=lambda t: t.root.first_key())


# ---------------------------------------------------------------------------- selecting

def _listing(threads: list[MailThread]) -> str:
    lines = []
    for item in threads[:_LISTED_THREADS]:
        count = item.count()
        lines.append(f"  <{item.id}>  {item.subject or '(no subject)'!r}  ({count} message{'s' if count != 1 else ''})")
    if len(threads) > _LISTED_THREADS:
        lines.append(f"  ... and {len(threads) - _LISTED_THREADS} more")
    return "\n".join(lines)


_SELECT_FIX = (
    "choose one with --thread MESSAGE-ID (the root's Message-ID, with or without <>) "
    "or --thread 'WORDS' (a piece of the root subject, any case)"
)


def select_thread(threads: list[MailThread], selector: str | None, where: str) -> MailThread:
    """The one thread, or the one ``selector`` names; a SourceError listing them otherwise."""
    if not selector or not selector.strip():
        if len(threads) == 1:
            return threads[0]
        raise SourceError(f"this source holds {len(threads)} threads:\n{_listing(threads)}", where=where, fix=_SELECT_FIX)
    wanted = selector.strip()
    bare = wanted.strip("<>").strip()
    matches = [t for t in threads if t.id == bare]
    if not matches:
        matches = [t for t in threads if any(m.id == bare for m in t.root.mails())]
    if not matches:
        needle = wanted.casefold()
        matches = [t for t in threads if needle in (t.subject or "").casefold()]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise SourceError(
            f"no thread matches --thread {wanted!r}; the threads are:\n{_listing(threads)}", where=where, fix=_SELECT_FIX
        )
    raise SourceError(
        f"--thread {wanted!r} matches {len(matches)} threads:\n{_listing(matches)}",
        where=where,
        fix="use more of the subject, or the root Message-ID shown above",
    )
