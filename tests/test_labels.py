"""The words around the replies in the digest's language: bundled catalogs, plural forms,
editors' overrides and their errors, and a whole issue built in German and in Russian."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from digest.config import load_digest
from digest.errors import ConfigError
from digest.issue import build_issue
from digest.message import build_message
from digest.labels import LABEL_DIR, PLACEHOLDERS, load_labels, plural_forms
from digest.pipeline import import_threads
from tests.conftest import ROOT
from tests.golden.regenerate import EXAMPLE, NOW, RETRIEVED

CATALOGS = sorted(path.stem for path in LABEL_DIR.glob("*.toml"))


def test_the_bundled_catalogs_are_complete():
    assert CATALOGS == ["ar", "de", "en", "es", "fr", "he"]
    for name in CATALOGS:
        raw = tomllib.loads((LABEL_DIR / f"{name}.toml").read_text(encoding="utf-8"))
        assert sorted(raw) == sorted(PLACEHOLDERS), name
        labels = load_labels(name, {}, "test")  # checks every placeholder and plural form
        assert labels.untranslated == ()
        for key in ("replies", "participants", "more_replies", "key_replies"):
            assert sorted(raw[key]) == sorted(plural_forms(name)), (name, key)


def test_counts_follow_the_language_plural_rules():
    arabic = load_labels("ar", {}, "test")
    assert [arabic.count("replies", n) for n in (0, 1, 2, 3, 11, 100)] == [
        "لا ردود", "رد واحد", "ردّان", "3 ردود", "11 ردًا", "100 رد",
    ]
    hebrew = load_labels("he", {}, "test")
    assert [hebrew.count("more_replies", n) for n in (1, 2, 7)] == [
        "עוד תגובה אחת במקור", "עוד שתי תגובות במקור", "עוד 7 תגובות במקור",
    ]
    french = load_labels("fr", {}, "test")
    assert [french.count("replies", n) for n in (0, 1, 2, 1_000_000)] == [
        "0 réponse", "1 réponse", "2 réponses", "1\u202f000\u202f000 de réponses",
    ]
    english = load_labels("en-GB", {}, "test")
    assert (english.count("replies", 1), english.count("replies", 1234)) == ("1 reply", "1,234 replies")
    assert english.untranslated == ()


def test_html_labels_escape_their_wording_and_values_but_not_markup():
    from markupsafe import Markup

    labels = load_labels("en", {"replying_to": "answering <{author}>"}, "test")
    assert labels.html("replying_to", author="Tom & Jerry") == "answering &lt;Tom &amp; Jerry&gt;"
    assert labels.html("replying_to", author=Markup("<bdi>Ann</bdi>")) == "answering &lt;<bdi>Ann</bdi>&gt;"


def _config(tmp_path: Path, language: str, labels: str = "") -> Path:
    text = EXAMPLE.read_text(encoding="utf-8").replace("../examples/", f"{ROOT}/examples/")
    text = text.replace('intro = "example.intro.md"', f'intro = "{ROOT}/config/example.intro.md"')
    text = text.replace('subscribers = "example.subscribers.csv"', f'subscribers = "{ROOT}/config/example.subscribers.csv"')
    assert 'language = "en"' in text
    text = text.replace('language = "en"', f'language = "{language}"')
    if labels:
        text += f"\n[digest.labels]\n{labels}\n"
    path = tmp_path / "words.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _issue(path: Path):
    config = load_digest(path)
    return build_issue(config, import_threads(config, RETRIEVED), number=1, now=NOW)


def test_a_german_digest_says_everything_around_the_replies_in_german(tmp_path):
    issue = _issue(_config(tmp_path, "de"))
    for html in (issue.html, issue.web_html):
        assert "Ausgabe 1 · " in html and "Weiterlesen" in html and "Antwort an " in html
        assert "Read the rest" not in html and "replying to" not in html and "Issue 1" not in html
    assert "weitere Antworten an der Quelle" in issue.html
    assert "Sie erhalten Garden Forum Digest, weil" in issue.html and ">Abbestellen</a>" in issue.html
    assert "— Ausgabe 1, " in issue.text and "Zum Abbestellen öffnen Sie:" in issue.text
    assert "Weiterlesen: [" in issue.text and "Antwort an " in issue.text
    assert "Read the rest" not in issue.text and "To unsubscribe" not in issue.text and "You subscribed" not in issue.text
    assert " wichtige Antworten: " in issue.html  # the preheader
    assert not [w for w in issue.warnings if "labels" in w]
    message = build_message(issue, load_digest(_config(tmp_path, "de")), to=None, unsubscribe=None, now=NOW)
    assert message["Content-Language"] == "de"
    assert '<div class="intro" dir="auto"><p' in issue.html and '<section class="intro" dir="auto">' in issue.web_html  # the intro's own direction


def test_a_subject_can_date_the_issue_in_the_digest_language(tmp_path):
    path = _config(tmp_path, "de")
    path.write_text(path.read_text().replace('subject = "{title} #{number}: {thread_title}"', 'subject = "{title}, {day}"'))
    assert _issue(path).subject == f"Garden Forum Digest, {NOW.day}. November 2026"


def test_an_editor_replaces_a_label_and_it_is_escaped(tmp_path):
    issue = _issue(_config(tmp_path, "de", 'read_the_rest = "Mehr <lesen>"'))
    assert "Mehr &lt;lesen&gt;" in issue.html and "Mehr <lesen>: [" in issue.text
    assert "Weiterlesen" not in issue.html


def test_a_language_without_a_catalog_keeps_english_words_and_says_so(tmp_path):
    issue = _issue(_config(tmp_path, "ru", 'read_the_rest = "Читать дальше"'))
    assert "Читать дальше" in issue.html and "Issue 1" in issue.html
    [warning] = [w for w in issue.warnings if "[digest.labels]" in w]
    assert f"{len(PLACEHOLDERS) - 1} of the words around the replies have no 'ru' wording and stay English" in warning
    assert "(issue, heading, view_in_browser, view_in_browser_text, …)" in warning


@pytest.mark.parametrize(
    ("language", "labels", "where", "message", "fix"),
    [
        ("de", 'read_more = "x"', "[digest.labels].read_more", "unknown label 'read_more'", "known labels: issue, heading"),
        ("ru", 'replies = { one = "{n} ответ", other = "{n} ответа" }', "[digest.labels].replies",
         "missing the forms 'few', 'many'", "give 'ru''s forms: replies = { one = \"…\", few = \"…\", many = \"…\", other = \"…\" }"),
        ("de", 'replies = { one = "{n} Antwort", two = "x", other = "{n} Antworten" }', "[digest.labels].replies",
         "'de' has no plural form 'two'", "give 'de''s forms"),
        ("de", 'replies = "{n} Antworten"', "[digest.labels].replies", "expected a table of plural forms", "replies = { one"),
        ("de", 'footer = "Sie erhalten {titel}."', "[digest.labels].footer", "unknown placeholder {titel}", "{email}, {title}"),
        ("de", 'issue = "Ausgabe {number"', "[digest.labels].issue", "expected '}' before end of string", "write {{ or }}"),
        ("de", 'issue = 3', "[digest.labels].issue", "expected a string, found 3", 'issue = "…"'),
    ],
)
def test_label_mistakes_name_the_key_and_the_fix(tmp_path, language, labels, where, message, fix):
    with pytest.raises(ConfigError) as caught:
        load_digest(_config(tmp_path, language, labels))
    assert caught.value.where.endswith(where)
    assert message in caught.value.message
    assert fix in caught.value.fix


def test_an_unknown_language_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_digest(_config(tmp_path, "klingon"))
    assert caught.value.where.endswith("[digest].language")
    assert caught.value.message == "unknown language 'klingon'"
    assert "pt-BR" in caught.value.fix


def test_the_archive_index_speaks_the_digest_language():
    from digest.archive import Site, index_page, redact_page

    site = Site("souk", "سوق <الحديقة>", "ar", None, load_labels("ar", {}, "test"))
    page = index_page(site, [{"issue": 2, "subject": "العدد الثاني", "built_at": "2026-11-02T09:00:00+00:00", "featured": ["a", "b"]}])
    assert '<html lang="ar" dir="rtl">' in page
    assert "<title>سوق &lt;الحديقة&gt;: كل الأعداد</title>" in page
    assert "العدد 2 · " in page and " · ردّان</span>" in page
    assert "<p>كل الأعداد، الأحدث أولًا. <a href=\"feed.xml\">اشترك في الخلاصة</a>.</p>" in page
    assert "<p>لا أعداد بعد.</p>" in index_page(site, [])
    issue_page = '<!DOCTYPE html><html><body><article id="reply-r1">…</article></body></html>'
    assert '<p class="redacted">أُزيل هذا الرد من الأرشيف.</p>' in redact_page(issue_page, frozenset({"r1"}), site.labels)


def test_english_words_left_in_a_digest_count_by_english_rules():
    """Russian says "21 ответ" (its "one" form) and Chinese has one form for every number, but the
    English wording they fall back to must still read "21 replies" and "1 reply"."""
    russian = load_labels("ru", {}, "test")
    assert [russian.count("replies", n) for n in (1, 2, 5, 21)] == ["1 reply", "2 replies", "5 replies", "21 replies"]
    chinese = load_labels("zh-Hant", {}, "test")
    assert [chinese.count("more_replies", n) for n in (1, 2)] == ["1 more reply at the source", "2 more replies at the source"]
    assert load_labels("pt-BR", {}, "test").count("replies", 0) == "0 replies"
    own = {"replies": {"one": "{n} ответ", "few": "{n} ответа", "many": "{n} ответов", "other": "{n} ответа"}}
    assert [load_labels("ru", own, "test").count("replies", n) for n in (21, 22, 25)] == ["21 ответ", "22 ответа", "25 ответов"]


def test_quotes_and_colons_are_the_language_own(tmp_path):
    """German quotes „so“, French « ainsi » with a space before its colons, in both parts."""
    german = _issue(_config(tmp_path, "de"))
    assert re.search(r"Antwort an <a [^>]+><bdi>[^<]+</bdi></a>: „<bdi>[^<]+</bdi>“", german.html)
    assert re.search(r"Antwort an [^\n:]+: „[^“]+“", german.text) and "”" not in german.text
    french = _issue(_config(tmp_path, "fr"))
    assert re.search(r"en réponse à <a [^>]+><bdi>[^<]+</bdi></a>\u00a0: «\u00a0<bdi>[^<]+</bdi>\u00a0»", french.html)
    assert "Lire la suite\u00a0: [" in french.text and "autres réponses à la source\u00a0:\n" in french.text
    assert re.search(r"\n  1\. [^:\n]+\u00a0: \S", french.text)  # the table of contents
    assert "“" not in french.text and "Lire la suite:" not in french.text


def test_a_date_ending_in_a_full_stop_gets_no_second_one(tmp_path):
    text = _issue(_config(tmp_path, "ru")).text
    assert "г.." not in text
    assert re.search(r"\n\d+ replies from \d+ participants, [^\n]+ г\.\n", text)


def test_the_archive_index_dates_issues_in_the_digest_language_and_zone():
    from digest.archive import Site, index_page

    site = Site("souk", "سوق", "ar", None, load_labels("ar", {}, "test"), "Asia/Riyadh")
    page = index_page(site, [{"issue": 1, "subject": "s", "built_at": "2026-11-02T22:30:00+00:00", "featured": []}])
    assert '<time datetime="2026-11-02T22:30:00+00:00">3 نوفمبر 2026</time>' in page


def test_a_hebrew_prefix_stays_on_the_line_of_its_word():
    """"ל־" before a name is one word with it: a line must not end after the maqaf."""
    hebrew = load_labels("he", {}, "test")
    assert hebrew.text("page_unsubscribe_title", title="עלון") == "לבטל את המינוי ל־\u2060עלון?"
    assert hebrew.text("replying_to", author="דנה") == "בתגובה ל־\u2060דנה"
    assert "\u2060" not in hebrew.text("discussion_at", place="example.org")  # a thread's title: the subject has no lines


def test_an_editor_wording_of_replying_to_holds_next_to_a_quoted_snippet(tmp_path):
    issue = _issue(_config(tmp_path, "de", 'replying_to = "Antwort auf {author}"'))
    assert re.search(r"Antwort auf <a [^>]+><bdi>[^<]+</bdi></a>: „<bdi>", issue.html)
    assert re.search(r"Antwort auf [^\n:]+: „", issue.text) and "Antwort an " not in issue.text
