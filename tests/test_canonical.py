"""Canonical thread JSON: exact round trips, errors that name the JSON path, the schema."""

from __future__ import annotations

import dataclasses
import gc
import json
import sys
import weakref

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.errors import SourceError
from digest.model import gc_paused
from digest.sources import SourceDocument
from digest.sources.canonical import dumps, loads, sniff, thread_to_dict
from tests.conftest import ROOT
from tests.sources.fuzzing import json_values, mutate_json, text_values

EXAMPLE = ROOT / "examples" / "garden-thread.json"


def test_example_round_trips_exactly():
    text = EXAMPLE.read_text(encoding="utf-8")
    assert dumps(loads(text, str(EXAMPLE))) == text


def test_documented_schema_accepts_what_we_write():
    schema = json.loads((ROOT / "docs" / "thread.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(thread_to_dict(loads(EXAMPLE.read_bytes(), "x")), schema)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["replies"][2].pop("author"), r"at \$\.replies\[2\]\.author: missing required key 'author'"),
        (lambda d: d["replies"][1].update(number="7"), r"at \$\.replies\[1\]\.number: expected int \| none, found str"),
        (lambda d: d["replies"][0].update(posted_at="yesterday"), r"at \$\.replies\[0\]\.posted_at: not an RFC 3339 time"),
        (lambda d: d["replies"][0].update(posted_at="2026-07-01T08:00:00"), r"at \$\.replies\[0\]\.posted_at: time without a UTC offset"),
        (lambda d: d.update(replies={}), r"at \$\.replies: expected array, found object"),
        (lambda d: d["replies"][0]["engagement"].update(lieks=3), r"at \$\.replies\[0\]\.engagement\.lieks: unknown key 'lieks'"),
        (lambda d: d["replies"][3].update(id=d["replies"][0]["id"]), r"at \$\.replies\[3\]\.id: duplicate reply id"),
        (lambda d: d.update(digest_thread=99), r"schema version 99 is not supported"),
        (lambda d: d.update(digest_thread="1"), r"at \$\.digest_thread: the schema version is the number 1, not the string '1'"),
        (lambda d: d["replies"][1].update(id=" "), r"at \$\.replies\[1\]\.id: empty reply id"),
        (lambda d: d["replies"][1].update(parent_id="gone"), r"at \$\.replies\[1\]\.parent_id: answers reply 'gone', which is not in the thread"),
        (lambda d: d["replies"][1].update(parent_id=d["replies"][1]["id"]), r"at \$\.replies\[1\]\.parent_id: answers itself"),
        (lambda d: d["replies"][0].update(parent_id=d["replies"][2]["id"]), r"at \$\.replies\[0\]\.parent_id: answers a later reply \(\$\.replies\[2\]\)"),
        (lambda d: d["replies"][1]["mentions"].append({"text": "#9", "name": None, "number": 9, "reply_id": "gone"}),
         r"at \$\.replies\[1\]\.mentions\[\d+\]\.reply_id: mentions reply 'gone', which is not in the thread"),
        (lambda d: d.update(total_replies=-4), r"at \$\.total_replies: a negative count"),
        (lambda d: d["replies"][2].update(posted_at="0001-01-01T00:00:00+14:00"),
         r"at \$\.replies\[2\]\.posted_at: a time outside the years 1 to 9999 once moved to UTC"),
        (lambda d: d.update(retrieved_at="9999-12-31T23:00:00-14:00"), r"at \$\.retrieved_at: a time outside the years 1 to 9999"),
        (lambda d: d.update(opening_post=dict(d["replies"][0], posted_at="0001-01-01T00:00:00+14:00")),
         r"at \$\.opening_post\.posted_at: a time outside the years 1 to 9999"),
    ],
)
def test_errors_name_the_json_path(mutate, message):
    data = json.loads(EXAMPLE.read_text())
    mutate(data)
    with pytest.raises(SourceError, match=message):
        loads(json.dumps(data), "thread.json")


def test_who_answers_whom_is_worked_out_once_for_the_reader_and_the_scorer():
    """``Thread.links``: the reader checks them and the scorer reads them; a changed thread has its own."""
    data = json.loads(EXAMPLE.read_text())
    data["replies"][2]["parent_id"] = data["replies"][0]["id"]
    data["replies"][3]["mentions"] = [{"text": "#1", "name": None, "number": 1, "reply_id": data["replies"][0]["id"]}]
    thread = loads(json.dumps(data), "thread.json")
    links = thread.links
    assert links is thread.links
    assert links.position == {reply.id: i for i, reply in enumerate(thread.replies)}
    assert links.parent.tolist() == [links.position.get(r.parent_id, -1) if r.parent_id else -1 for r in thread.replies]
    assert links.parent[2] == 0
    assert links.mentioning == [i for i, r in enumerate(thread.replies) if r.mentions] and 3 in links.mentioning
    fewer = dataclasses.replace(thread, replies=thread.replies[1:])
    assert fewer.links.position[thread.replies[1].id] == 0
    assert fewer.links.parent[1] == -2  # its parent is no longer in the thread


def test_broken_json_names_line_and_column():
    with pytest.raises(SourceError, match=r"thread.json: not valid JSON: .*line 2, column"):
        loads('{"digest_thread": 1,\n oops}', "thread.json")


def test_fast_loader_builds_the_same_objects_as_the_constructors():
    """The loader's fast path (``model.from_fields``) must give what ``Reply(...)`` gives."""
    from dataclasses import fields

    from digest.model import Engagement, Reply

    data = json.loads((ROOT / "examples" / "garden-thread.json").read_text())
    data["replies"][0]["engagement"] = {"likes": 3, "reads": 9}
    data["replies"][1]["engagement"] = {"likes": 3, "reads": 9}
    thread = loads(json.dumps(data), "garden")
    for reply in thread.replies:
        again = Reply(**{f.name: getattr(reply, f.name) for f in fields(Reply)})
        assert reply == again and hash(reply) == hash(again) and repr(reply) == repr(again)
        assert list(vars(reply)) == list(vars(again))  # same fields, same order
        assert sys.getsizeof(vars(reply)) == sys.getsizeof(vars(again))  # sharing the class's keys, as built by __init__
        engagement = Engagement(**reply.engagement.items())
        assert reply.engagement == engagement and list(vars(reply.engagement)) == list(vars(engagement))
    assert thread.replies[0].engagement == Engagement(likes=3, reads=9)
    assert dumps(thread) == dumps(loads(dumps(thread), "again"))


def test_shared_engagement_counts_still_reject_true_false():
    """Equal counts share one Engagement, but ``true`` (== 1 in Python) is still refused."""
    data = json.loads((ROOT / "examples" / "garden-thread.json").read_text())
    data["replies"][0]["engagement"] = {"likes": 1}
    data["replies"][1]["engagement"] = {"likes": True}
    with pytest.raises(SourceError, match=r"replies\[1\]\.engagement\.likes"):
        loads(json.dumps(data), "garden")


def test_loading_leaves_garbage_collection_as_it_was():
    import gc

    text = (ROOT / "examples" / "garden-thread.json").read_bytes()
    assert gc.isenabled()
    loads(text, "garden")
    assert gc.isenabled()
    gc.disable()
    try:
        loads(text, "garden")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_byte_order_mark_is_read_past():
    data = b"\xef\xbb\xbf" + EXAMPLE.read_bytes()
    assert sniff(SourceDocument("thread.json", data))
    assert loads(data, "thread.json") == loads(EXAMPLE.read_bytes(), "thread.json")


def test_a_body_outside_the_subset_is_sanitized_with_a_note():
    data = json.loads(EXAMPLE.read_text())
    first = data["replies"][1]["id"]
    data["replies"][1]["body"] = '<p>x<script>alert(1)</script><img src=x onerror=alert(1)></p>'
    data["replies"][2]["body"] = '<p><a href="javascript:alert(1)">look</a> <a href="https://example.org/?a=1&amp;b=2">here</a></p>'
    thread = loads(json.dumps(data), "thread.json")
    assert thread.replies[1].body == "<p>x</p>"
    assert thread.replies[2].body == '<p>look <a href="https://example.org/?a=1&amp;b=2">here</a></p>'
    assert thread.import_notes[-1] == (
        f"2 replies ({first}, {data['replies'][2]['id']}) held HTML outside the body subset (such as a script, an "
        "event handler or an unknown tag), which was removed as every import removes it")


def test_bodies_in_the_subset_are_kept_exactly_and_noted_nowhere():
    thread = loads(EXAMPLE.read_text(), "x")
    assert dumps(thread) == EXAMPLE.read_text()
    assert not any("body subset" in note for note in thread.import_notes)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_json_saved_as_utf16_is_recognised_and_read(encoding):
    text = EXAMPLE.read_text(encoding="utf-8")
    data = ("\ufeff" + text).encode("utf-16-le") if encoding == "utf-16" else text.encode(encoding)
    assert sniff(SourceDocument("thread.json", data))
    assert dumps(loads(data, "thread.json")) == text


def test_a_byte_that_is_not_utf8_is_an_error_naming_line_and_column():
    """A hand edit saved as Latin-1 used to stop the import with a traceback."""
    data = EXAMPLE.read_bytes().replace(b'"title": "', b'"title": "\xe9', 1)
    with pytest.raises(SourceError) as info:
        loads(data, "thread.json")
    line = data[: data.index(b"\xe9")].count(b"\n") + 1
    assert info.value.message.startswith(f"not UTF-8 text: byte b'\\xe9' at line {line}, column 13 (byte offset ")
    assert info.value.fix.startswith("re-save the file as UTF-8")


def test_json_nested_too_deeply_is_an_error_not_a_traceback():
    """A NaN (which msgspec refuses) before a value 100,000 arrays deep sent the file to the
    json module for its line and column, which raised RecursionError."""
    data = '{"digest_thread": 1, "total_replies": NaN, "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(SourceError) as info:
        loads(data, "thread.json")
    assert (info.value.message, info.value.where) == ("JSON nested too deeply to read", "thread.json")
    assert info.value.fix == "repair the file, or re-create it with `digest import`"


def test_an_unknown_key_holding_deep_json_is_named():
    """Reading the schema version of such a file raised RecursionError."""
    data = '{"digest_thread": 1, "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(SourceError, match=r"^thread.json at \$\.x: unknown key 'x'"):
        loads(data, "thread.json")


@pytest.mark.parametrize(("href", "sanitized"), [
    ("https://x.example/a&gt;b&lt;c&quot;d&amp;e", False),  # the escapes the sanitizer writes in an attribute
    ("https://x.example/a\nb", False),
    ("java\nscript:alert(1)", True),  # a browser drops the newline: a script
    (" javascript:alert(1)", True),
    ("javascript&colon;alert(1)", True),
])
def test_a_link_is_kept_as_the_sanitizer_writes_it_and_no_script_passes(href, sanitized):
    data = json.loads(EXAMPLE.read_text())
    data["replies"][0]["body"] = f'<p><a href="{href}">x</a></p>'
    thread = loads(json.dumps(data), "thread.json")
    assert any("body subset" in note for note in thread.import_notes) is sanitized
    assert (thread.replies[0].body == f'<p><a href="{href}">x</a></p>') is not sanitized


# ---------------------------------------------------------------------------- properties

_ODD_VALUES = json_values(text_values("\ud800", "\x00", "<script>x</script>", "2026-07-01T08:00:00Z", "9999-12-31T23:59:59-14:00",
                                      "<a href=\"javascript:x\">y</a>", "r1", "r2"), st.sampled_from([1, 2, -1, 10**19]))


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_mutated_threads_load_or_raise_a_source_error(data):
    """Any edit of a canonical file loads as a thread that saves and loads back the same,
    or is refused with a SourceError: never another exception."""
    value = mutate_json(json.loads(EXAMPLE.read_text()), data.draw, _ODD_VALUES)
    text = json.dumps(value, allow_nan=True)
    for document in (text, text.encode("utf-8", "surrogatepass"), text.encode("utf-16")):
        try:
            thread = loads(document, "thread.json")
        except SourceError:
            continue
        assert loads(dumps(thread), "round-trip") == thread


@pytest.mark.parametrize(("paragraph", "sanitized"), [('<p class="">x</p>', False), ('<p class="x">x</p>', True)])
def test_an_empty_class_as_the_sanitizer_keeps_it_is_in_the_subset(paragraph, sanitized):
    data = json.loads(EXAMPLE.read_text())
    data["replies"][0]["body"] = paragraph
    thread = loads(json.dumps(data), "thread.json")
    assert any("body subset" in note for note in thread.import_notes) is sanitized


def test_collection_resumes_after_a_pause_and_still_frees_cycles():
    class Node:
        pass

    with gc_paused():
        node = Node()
        node.me = node  # a cycle, made while collection is paused
        alive = weakref.ref(node)
        del node
    assert gc.isenabled()
    gc.collect()
    assert alive() is None
