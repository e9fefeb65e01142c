"""The example and the seed digest checked by real tools: the Nu HTML Checker, SpamAssassin,
headless Chromium at phone and desktop widths in light and dark mode, axe-core for WCAG A/AA,
and a real SMTP server's line-length limit."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from pathlib import Path

import pytest

from digest.config import load_digest
from digest.pipeline import preview_parts
from tests.golden.regenerate import EXAMPLE, SEED_DIGEST, golden_issue
from tests.helpers.browser import axe_violations, chromium, horizontal_overflow, spamassassin_score, vnu_errors
from tests.helpers.smtp import smtp_server

WIDTHS = (375, 800)


@dataclass(frozen=True)
class Written:
    name: str
    email_html: Path  # the HTML part with a sample recipient, as a subscriber gets it
    web_html: Path  # the archive's web page
    eml: Path  # the whole message
    eml_bytes: bytes


def _write(name: str, config_path: Path, folder: Path) -> Written:
    config = load_digest(config_path)
    issue = golden_issue(config_path)
    shown = preview_parts(config, issue, "golden")
    folder.mkdir(parents=True, exist_ok=True)
    email_html, web_html, eml = folder / f"{name}-email.html", folder / f"{name}-web.html", folder / f"{name}.eml"
    email_html.write_text(shown.html, encoding="utf-8")
    web_html.write_text(issue.web_html, encoding="utf-8")
    eml.write_bytes(shown.eml)
    return Written(name, email_html, web_html, eml, shown.eml)


@pytest.fixture(scope="module")
def digests(tmp_path_factory) -> list[Written]:
    """The example digest, and the seed digest when the seed is available."""
    from tests.conftest import SHARED, need

    folder = tmp_path_factory.mktemp("mail")
    found = [_write("example", EXAMPLE, folder)]
    seed = (SHARED / "seeds" / "kasama-thread.txt").is_file()
    need(seed, f"seed thread not found at {SHARED / 'seeds' / 'kasama-thread.txt'}")
    found.append(_write("seed", SEED_DIGEST, folder))
    return found


def test_nu_html_checker_finds_no_errors_in_email_and_web_page(digests):
    files = [path for d in digests for path in (d.email_html, d.web_html)]
    assert vnu_errors(files) == []


def test_spamassassin_scores_each_message_at_most_one_point(digests):
    for digest in digests:
        score, report = spamassassin_score(digest.eml)
        assert score <= 1.0, f"{digest.name}: {score}\n{report}"


def test_every_line_fits_smtp_limit_through_a_real_server(digests):
    with smtp_server() as (controller, sink):
        with smtplib.SMTP("127.0.0.1", controller.port, timeout=30) as client:
            for digest in digests:
                client.sendmail("digest@example.org", ["subscriber@example.invalid"], digest.eml_bytes)
    assert len(sink.received) == len(digests)
    for received in sink.received:
        assert max(len(line) for line in received.data.split(b"\r\n")) <= 998
        assert received.message.get_body(("html",)).get_content().startswith("<!DOCTYPE html>")


def test_chromium_renders_without_sideways_scrolling_and_axe_finds_nothing(digests):
    problems = []
    with chromium() as browser:
        for digest in digests:
            for path in (digest.email_html, digest.web_html):
                for width in WIDTHS:
                    for scheme in ("light", "dark"):
                        page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
                        page.goto(path.as_uri())
                        overflow = horizontal_overflow(page)
                        if overflow:
                            problems.append(f"{path.name} at {width}px {scheme}: {overflow}px wider than the screen")
                        violations = axe_violations(page)
                        if violations:
                            problems.append(f"{path.name} at {width}px {scheme}: {violations}")
                        page.close()
    assert problems == []


def _computed(page, selector: str, prop: str) -> str:
    return page.evaluate("([s, p]) => getComputedStyle(document.querySelector(s)).getPropertyValue(p)", [selector, prop])


def test_media_rules_win_over_inlined_styles_on_phones_and_in_dark_mode(digests):
    with chromium() as browser:
        for digest in digests:
            uri = digest.email_html.as_uri()
            desktop = browser.new_page(viewport={"width": 800, "height": 900}, color_scheme="light")
            desktop.goto(uri)
            assert _computed(desktop, ".container", "width") == "600px"
            assert _computed(desktop, ".content", "padding-left") == "32px"
            assert _computed(desktop, ".container", "background-color") == "rgb(255, 255, 255)"
            assert _computed(desktop, ".preheader", "display") == "none"
            desktop.close()

            phone = browser.new_page(viewport={"width": 375, "height": 900}, color_scheme="light")
            phone.goto(uri)
            assert _computed(phone, ".container", "width") == "375px"  # the inlined 600px lost to the @media rule
            assert _computed(phone, ".content", "padding-left") == "16px"
            phone.close()

            dark = browser.new_page(viewport={"width": 375, "height": 900}, color_scheme="dark")
            dark.goto(uri)
            assert _computed(dark, ".container", "background-color") == "rgb(22, 27, 34)"
            assert _computed(dark, "h1", "color") == "rgb(230, 237, 243)"
            assert _computed(dark, ".content", "color") == "rgb(230, 237, 243)"
            assert _computed(dark, ".item-meta", "color") == "rgb(157, 167, 179)"
            dark.close()


def test_html_reads_the_same_with_images_off(digests):
    with chromium() as browser:
        for digest in digests:
            context = browser.new_context(viewport={"width": 800, "height": 900})
            context.route("**/*", lambda route: route.abort() if route.request.resource_type == "image" else route.continue_())
            page = context.new_page()
            page.goto(digest.email_html.as_uri())
            assert page.evaluate("document.images.length") == 0
            text = page.inner_text("body")
            assert "Unsubscribe" in text and len(text.split()) > 300
            context.close()
