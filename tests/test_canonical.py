"""Canonical thread JSON: exact round trips, errors that name the JSON path, the schema."""

from __future__ import annotations

import json

import jsonschema
import pytest

from digest.errors import SourceError
from digest.sources.canonical import dumps, loads, thread_to_dict
from tests.conftest import ROOT

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
        (lambda d: d["replies"][1].update(number="7"), r"at \$\.replies\[1\]\.number: expected a whole number, found str"),
        (lambda d: d["replies"][0].update(posted_at="yesterday"), r"at \$\.replies\[0\]\.posted_at: not an ISO 8601 time"),
        (lambda d: d["replies"][0]["engagement"].update(lieks=3), r"at \$\.replies\[0\]\.engagement\.lieks: unknown key 'lieks'"),
        (lambda d: d["replies"][3].update(id=d["replies"][0]["id"]), r"at \$\.replies\[3\]\.id: duplicate reply id"),
        (lambda d: d.update(digest_thread=99), r"schema version 99 is not supported"),
    ],
)
def test_errors_name_the_json_path(mutate, message):
    data = json.loads(EXAMPLE.read_text())
    mutate(data)
    with pytest.raises(SourceError, match=message):
        loads(json.dumps(data), "thread.json")


def test_broken_json_names_line_and_column():
    with pytest.raises(SourceError, match=r"thread.json: not valid JSON: .*line 2, column"):
        loads('{"digest_thread": 1,\n oops}', "thread.json")
