"""Property-test scaffolding the reader tests share.

Every reader promises the same two things: any input, however broken, ends in a thread or
a SourceError (never another exception), and a thread it returns survives the canonical
JSON form unchanged (the mbox fuzz tests ask only that it serializes).  The strategies and checks for that promise live here once, so the
readers' tests differ only in their seeds, selectors and odd values.
"""

from __future__ import annotations

import copy
from typing import Callable

from hypothesis import strategies as st

from digest.errors import SourceError
from digest.sources import ImportRequest, canonical


def assert_round_trip(thread, where: str = "round-trip") -> None:
    """The canonical JSON form loses nothing: dumping and loading gives the same thread."""
    assert canonical.loads(canonical.dumps(thread), where) == thread


def only_source_errors(reader, docs, thread: str | None = None, check: Callable = assert_round_trip) -> None:
    """The reader module's contract on hostile input: sniff answers a bool, read either
    raises SourceError or returns a thread that passes ``check`` (the round trip, unless
    a test asks only that it serializes)."""
    for doc in docs:
        assert reader.sniff(doc) in (True, False)
    try:
        result = reader.read(ImportRequest(tuple(docs), thread=thread))
    except SourceError:
        return
    check(result)


# ---------------------------------------------------------------------------- JSON inputs

def text_values(*odd: str):
    """Short random text or one of the values a reader's format gives meaning to."""
    return st.text(max_size=12) | st.sampled_from(list(odd))


def json_values(text, *extra_leaves):
    """Random JSON-like values (with NaN, huge numbers and odd text) to put into an API reply;
    ``extra_leaves`` add format-specific scalars (such as ids that exist in the fixture)."""
    leaves = st.none() | st.booleans() | st.integers(-(10**20), 10**20)
    for extra in extra_leaves:
        leaves = leaves | extra
    return st.recursive(
        leaves | st.floats() | text,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
        max_leaves=6,
    )


def _locations(value, path=()):
    yield path
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from _locations(child, path + (key,))


def mutate_json(value, draw, values):
    """A few random replacements (drawn from ``values``) or deletions anywhere in a JSON value."""
    value = copy.deepcopy(value)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(list(_locations(value))))
        replacement = draw(values)
        if not path:
            value = replacement
            continue
        parent = value
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = replacement
    return value


# ---------------------------------------------------------------------------- XML inputs

@st.composite
def mutated_bytes(draw, seeds, inserts, max_delete: int, swap_flags: bool = False):
    """A seed export with up to six cuts, flipped bytes, insertions (random or one of the
    format's own tokens) and deletions of up to ``max_delete`` bytes; ``swap_flags`` also
    turns some "false" into "true" (for formats whose flags hide posts)."""
    ops = ["cut", "flip", "insert", "delete"] + (["swap-flag"] if swap_flags else [])
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(ops))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "cut":
            del data[at:]
        elif op == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=12) | st.sampled_from(list(inserts)))
        elif op == "swap-flag":
            data = bytearray(bytes(data).replace(b"false", b"true", draw(st.integers(1, 3))))
        else:
            del data[at:at + draw(st.integers(1, max_delete))]
    return bytes(data)

