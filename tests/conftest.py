"""Shared fixtures: the project's sample data, the shared real-world data, CI strictness."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need(condition: bool, reason: str) -> None:
    """Skip with the reason on a developer's machine; fail in CI, where everything must run."""
    if not condition:
        if IN_CI:
            pytest.fail(f"required in CI: {reason}")
        pytest.skip(reason)


def need_program(name: str, package: str) -> str:
    path = shutil.which(name)
    need(path is not None, f"{name} not installed (Debian package {package}; .ci/run installs it)")
    return path


@pytest.fixture
def shared_data() -> Path:
    """../shared/data: real samples, present in CI and on project machines, absent in a user's clone."""
    need((SHARED / "data").is_dir(), f"shared sample data not found at {SHARED / 'data'}")
    return SHARED / "data"


@pytest.fixture
def seed_file() -> Path:
    path = SHARED / "seeds" / "kasama-thread.txt"
    need(path.is_file(), f"seed thread not found at {path}")
    return path


def copy_example_config(folder: Path) -> Path:
    """The bundled config/ copied to ``folder``, its example thread path made absolute so the
    copy still finds it; tests edit the copy, never the real one."""
    shutil.copytree(ROOT / "config", folder)
    toml = folder / "example.toml"
    toml.write_text(toml.read_text().replace("../examples/", f"{ROOT}/examples/"))
    return folder


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A copy of the example config whose thread path still resolves."""
    return copy_example_config(tmp_path / "config")
