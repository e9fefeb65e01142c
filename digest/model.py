"""The thread model every source is normalized into, and every later stage reads.

Frozen dataclasses only: stages hand these to each other and never mutate them.
The canonical JSON form (``digest import -o thread.json``) is documented in
``docs/thread.schema.json`` and read/written by ``digest.sources.canonical``.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cached_property
from itertools import compress, repeat
from operator import attrgetter
from typing import Any, Iterable, Iterator, TypeVar

import numpy as np

SCHEMA_VERSION = 1

T = TypeVar("T")


def from_fields(cls: type[T], values: Iterable[tuple[str, Any]]) -> T:
    """An instance of the frozen dataclass ``cls`` built from (field, value) pairs without its
    ``__init__``: the same object ``cls(**dict(values))`` makes, for a loader that has already
    checked every value.  ``values`` must name every field, in field order, as ``__init__``
    sets them: the instance then shares its class's table of keys, as one built by
    ``__init__`` does (a third of the memory of a dict of its own).  ``cls`` must have no
    ``__post_init__`` and no ``__slots__``.  A frozen ``__init__`` sets each field through
    ``object.__setattr__``, most of the cost of building 100,000 replies; only the canonical
    loader (``digest.sources.canonical``) uses this, for values it has checked."""
    instance = object.__new__(cls)
    vars(instance).update(values)
    return instance


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: reading or scoring a large thread allocates
    hundreds of thousands of objects (none in reference cycles), and each collection the
    allocations trigger walks them all again.  Collection resumes afterwards, unless it was
    already off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()  # what was allocated meanwhile is long-lived (a thread's replies): moved to the
            gc.unfreeze()  # oldest generation at once, not walked by the next young collection
            gc.enable()


#: Keys an ``Engagement`` may carry, with what they count.  Sources fill what they have.
ENGAGEMENT_KEYS = {
    "likes": "likes / hearts / favourites the reply received",
    "score": "net votes (up minus down) as the source shows them",
    "upvotes": "up-votes, where the source reports them apart from the score",
    "downvotes": "down-votes, where the source reports them apart from the score",
    "recommendations": "reader recommendations (newsroom comment systems)",
    "replies": "direct replies the source reports, which may exceed those imported",
    "reads": "how many readers opened the reply (Discourse 'reads')",
    "accepted": "1 when the asker accepted this answer (Stack Exchange)",
}


@dataclass(frozen=True)
class Engagement:
    """Counts the source shows for a reply; ``None`` means the source has no such count."""

    likes: int | None = None
    score: int | None = None
    upvotes: int | None = None
    downvotes: int | None = None
    recommendations: int | None = None
    replies: int | None = None
    reads: int | None = None
    accepted: int | None = None

    def items(self) -> dict[str, int]:
        """Only the counts the source actually had."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


@dataclass(frozen=True)
class Mention:
    """An ``@Name`` or ``#52`` reference written in a reply.

    ``reply_id`` is set only when the target is certain (a comment number that exists
    in the import); a name alone never resolves, since names are not unique.
    """

    text: str
    name: str | None = None
    number: int | None = None
    reply_id: str | None = None


@dataclass(frozen=True)
class Reply:
    id: str
    author: str
    body: str  # sanitized HTML subset, see digest.body
    number: int | None = None
    permalink: str | None = None
    posted_at: datetime | None = None  # always UTC when known
    posted_at_text: str | None = None  # as the source wrote it ("about 3 years ago")
    parent_id: str | None = None  # structural parent the source shows; None = answers the thread
    mentions: tuple[Mention, ...] = ()
    engagement: Engagement = field(default_factory=Engagement)
    title: str | None = None  # subject line (mail) or entry title (feeds), when the source has one
    editor_pick: bool | None = None  # a real editor's label, for ``digest eval``


@dataclass(frozen=True)
class Links:
    """Who answers whom, by position in the thread: worked out once per thread, since both
    the canonical reader (to check them) and the scorer need them for 100,000 replies."""

    position: dict[str, int]  # reply id -> index (the last reply of an id given twice)
    parent: np.ndarray  # index -> the parent's index; -1 answers the thread, -2 a reply not in the thread
    mentioning: list[int]  # the indexes of the replies holding mentions (few, in threads of any size)

    @classmethod
    def of(cls, replies: tuple[Reply, ...]) -> Links:
        position = dict(zip([r.id for r in replies], range(len(replies))))
        position[None] = -1  # type: ignore[index]  # answers the thread
        parent = np.fromiter(map(position.get, [r.parent_id for r in replies], repeat(-2)), np.int64, len(replies))
        del position[None]  # type: ignore[arg-type]
        return cls(position, parent, list(compress(range(len(replies)), map(attrgetter("mentions"), replies))))


@dataclass(frozen=True)
class Thread:
    id: str
    title: str | None
    url: str | None
    replies: tuple[Reply, ...]  # in thread order
    source_format: str
    note: str | None = None  # an editor's note that came with the source
    retrieved_at: datetime | None = None
    partial: bool = False  # the import holds only some of the thread's replies
    total_replies: int | None = None  # how many replies the source has, when known
    author: str | None = None  # who started the thread / wrote the article, when known
    opening_post: Reply | None = None  # the post or article the replies answer, when imported
    import_notes: tuple[str, ...] = ()  # what the importer found missing or skipped

    @cached_property
    def links(self) -> Links:
        """Worked out on first use and kept: a thread never changes."""
        return Links.of(self.replies)

    def reply(self, reply_id: str) -> Reply | None:
        for reply in self.replies:
            if reply.id == reply_id:
                return reply
        return None
