"""The README stays honest: every command, config key and environment variable is in it."""

from __future__ import annotations

import re

from digest import cli
from digest.config import _DIGEST_KEYS, _FEATURED_KEYS, _THREAD_KEYS
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_is_documented():
    commands = cli.parser()._subparsers._group_actions[0].choices
    missing = [name for name in commands if f"`digest {name}" not in README]
    assert not missing, f"commands missing from README: {missing}"


def test_every_config_key_is_documented():
    for key in [*_DIGEST_KEYS, *_THREAD_KEYS, *_FEATURED_KEYS]:
        assert re.search(rf"`{key}`", README), f"config key {key!r} missing from README"


def test_environment_variables_are_documented():
    source = "".join(p.read_text() for p in (ROOT / "digest").rglob("*.py"))
    for variable in sorted(set(re.findall(r"[\"'](DIGEST_[A-Z_]+)[\"']", source))):
        assert variable in README, f"{variable} missing from README"


def test_quick_start_is_exactly_two_commands():
    block = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in block.strip().splitlines()] == ["make demo", "make test"]


def test_every_source_format_has_a_row_with_an_example_command():
    from digest.sources import FORMATS

    rows = {line.split("|")[1].strip(" `"): line for line in README.splitlines() if line.startswith("| `")}
    for name in FORMATS:
        assert name in rows, f"format {name!r} has no row in the README's Sources table"
        assert "`digest import " in rows[name].split("|")[-2], f"format {name!r} has no example command"
