"""Rendering: Jinja2 templates -> the HTML part (CSS inlined by premailer), the plaintext
part and the web page of an issue.  Pure: everything it needs comes in as arguments.

Per-recipient values (address, unsubscribe link) are left as placeholders, so one rendered
artifact serves every subscriber; ``digest.message`` fills them in.
"""

from __future__ import annotations

import logging
from html import escape as html_escape
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import markdown
from babel import Locale
from babel.dates import format_date, format_time, get_datetime_format, get_timezone_name
from markupsafe import Markup

from digest.body import clean
from digest.errors import ConfigError
from digest.labels import Labels, english, locale_of
from digest.plaintext import WIDTH, LinkRefs, body_to_text, display_width, indent_block, shorten, wrap
from digest.signals import own_text
from digest.summarize import EXCERPT_MARK, ThreadSummary

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates"
TEMPLATES = ("email.html.j2", "email.txt.j2", "web.html.j2")

#: Stand-ins for what differs per recipient; replaced when each message is built.
RECIPIENT_EMAIL = "%%RECIPIENT_EMAIL%%"
UNSUBSCRIBE_URL = "%%UNSUBSCRIBE_URL%%"


#: Gmail clips an HTML part above about 102 KB; the margin is for each recipient's address and link.
HTML_LIMIT = 100_000


def html_size(html: str) -> int:
    """The HTML part's size in bytes, as Gmail counts it for clipping."""
    return len(html.encode("utf-8"))


@dataclass(frozen=True)
class Recipient:
    email: str
    unsubscribe_url: str


PLACEHOLDER_RECIPIENT = Recipient(RECIPIENT_EMAIL, UNSUBSCRIBE_URL)


def personalize(rendered: str, email: str, unsubscribe_url: str, *, is_html: bool = False) -> str:
    """Fill one recipient's values into a rendered part: the only per-recipient work."""
    if is_html:
        email, unsubscribe_url = html_escape(email), html_escape(unsubscribe_url)
    return rendered.replace(RECIPIENT_EMAIL, email).replace(UNSUBSCRIBE_URL, unsubscribe_url)


@dataclass(frozen=True)
class DigestView:
    name: str
    title: str
    language: str
    timezone: str
    order: str

    @property
    def direction(self) -> str:
        try:
            return locale_of(self.language).text_direction
        except ValueError:
            return "ltr"


@dataclass(frozen=True)
class IssueView:
    number: int
    date: datetime
    subject: str
    preheader: str
    web_url: str | None = None  # the issue's archive page ("view in browser"), when published


@dataclass(frozen=True)
class Rendered:
    html: str  # the email's HTML part, CSS inlined, with recipient placeholders
    text: str  # the email's plaintext part, with recipient placeholders
    web_html: str  # the archive's web page (no recipient anywhere)


def environment(template_dir: Path | None, digest: DigestView) -> jinja2.Environment:
    """Templates from the digest's own folder first, then the built-in ones."""
    loaders = [jinja2.FileSystemLoader(str(template_dir))] if template_dir else []
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATE_DIR)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    zone = ZoneInfo(digest.timezone)
    locale = locale_of(digest.language)
    env.filters["when"] = lambda value: _when(value.astimezone(zone), locale)
    env.filters["day"] = lambda value: format_date(value.astimezone(zone), "long", locale=locale)
    return env


def _when(local: datetime, locale: Locale) -> str:
    """Date, time and zone ("Jul 2, 2026, 7:14 AM +0100"): a subscriber in another time zone
    reads the time as their own unless the zone is named."""
    date_and_time = get_datetime_format("medium", locale=locale).replace("'", "").format(
        format_time(local, "short", locale=locale), format_date(local, "medium", locale=locale)
    )  # the language's glue: "{1}, {0}", Arabic's "{1}، {0}"
    zone = get_timezone_name(local, "short", locale=locale)
    if locale.text_direction == "rtl":
        zone = f"\u2066{zone}\u2069"  # isolated left to right, or "+0300" reads "0300+" in a right-to-left line
    return f"{date_and_time} {zone}"


def intro_html(markdown_text: str) -> str:
    """The editor's Markdown intro, reduced to the same safe subset as reply bodies."""
    return clean(markdown.markdown(markdown_text)) if markdown_text.strip() else ""


#: premailer would copy styles into obsolete attributes (bgcolor, width, align...): invalid HTML.
OBSOLETE_ATTRIBUTES = ["align", "valign", "bgcolor", "width", "height"]


def inline_css(html: str) -> str:
    """Inline CSS for clients that drop <style>; keep @media rules (and their !important).
    premailer (with cssutils and requests) is imported here: a fifth of every command's start."""
    import premailer

    return premailer.transform(
        html,
        keep_style_tags=False,
        strip_important=False,
        disable_validation=True,
        disable_basic_attributes=OBSOLETE_ATTRIBUTES,
        allow_network=False,
        remove_classes=False,
        cssutils_logging_level=logging.CRITICAL,
    )


def render(
    digest: DigestView,
    issue: IssueView,
    intro_markdown: str,
    threads: tuple[ThreadSummary, ...],
    template_dir: Path | None = None,
    labels: Labels | None = None,
) -> Rendered:
    env = environment(template_dir, digest)
    intro = intro_html(intro_markdown)
    labels = labels or english()
    context = {"digest": digest, "issue": issue, "threads": threads, "intro_html": Markup(intro)}
    env.globals.update(label=labels.html, count=labels.count)  # macros imported without context see globals
    try:
        html = env.get_template("email.html.j2").render(**context, recipient=PLACEHOLDER_RECIPIENT)
        web = env.get_template("web.html.j2").render(**context)
        text = _render_text(env, context, intro, labels)
    except jinja2.TemplateError as exc:
        raise template_error(exc, template_dir) from None
    return Rendered(html=inline_css(html), text=text, web_html=web)


def template_error(exc: jinja2.TemplateError, template_dir: Path | None) -> ConfigError:
    """A broken (usually overridden) template, reported with its file and line when known."""
    where = getattr(exc, "filename", None) or str(template_dir or TEMPLATE_DIR)
    line = getattr(exc, "lineno", None)
    return ConfigError(
        f"template error: {exc.message or exc}",
        where=f"{where}:{line}" if line else where,
        fix="correct the template; README 'Templates' lists every variable and filter",
    )


#: Columns of a table-of-contents line kept for the reply's words, however long its author's name.
TOC_MIN_WORDS = 16


def underline(title: str, char: str) -> str:
    """A rule as wide as the title looks: CJK characters take two columns each."""
    return char * display_width(title)


def _intro_text(intro: str, refs: LinkRefs) -> str:
    """The intro rendered like a reply body (lists, quotes, numbered links listed under it)."""
    text = body_to_text(intro, refs)
    listing = refs.take_listing()
    return "\n\n".join([text, "\n".join(listing)]) if listing else text


def _render_text(env: jinja2.Environment, context: dict, intro: str, labels: Labels) -> str:
    refs = LinkRefs()
    digest: DigestView = context["digest"]
    issue: IssueView = context["issue"]
    when = env.filters["when"]
    day = env.filters["day"]
    numbering: dict[str, int] = {}
    for thread in context["threads"]:
        for item in thread.items:
            numbering[f"{thread.thread_id}/{item.reply_id}"] = len(numbering) + 1

    def toc_number(thread: ThreadSummary, item) -> int:
        return numbering[f"{thread.thread_id}/{item.reply_id}"]

    def toc_line(thread: ThreadSummary, item) -> str:
        """The item's own words (what it quotes is someone else's), cut to one line."""
        lead = f"  {toc_number(thread, item)}. {item.author}"
        words = own_text(item).replace(EXCERPT_MARK, " ")  # its body is the reply's, or an excerpt of it
        if not words:
            return lead
        lead = labels.text("colon", text=lead)
        return f"{lead} {shorten(words, max(WIDTH - display_width(lead) - 1, TOC_MIN_WORDS))}"

    def stats(thread: ThreadSummary) -> str:
        s = labels.text(
            "stats_partial" if thread.partial else "stats",
            replies=labels.count("replies", thread.replies_imported),
            participants=labels.count("participants", thread.participants),
        )
        if thread.first_at:
            first, last = day(thread.first_at), day(thread.last_at) if thread.last_at else None
            s = labels.text("stats_dated", stats=s, dates=first if last in (None, first) else f"{first} – {last}")
        return s if s.endswith(".") else s + "."  # a date may end with one (Russian "2010 г.")

    def more_link(thread: ThreadSummary) -> str:
        if thread.not_shown is None:
            return labels.text("more_at_source")
        if thread.not_shown == 0:
            return labels.text("full_discussion")
        return labels.count("more_replies", thread.not_shown)

    def text_item(thread: ThreadSummary, item) -> str:
        refs.take_used()
        depth = min(item.depth, 2) if digest.order == "thread" else 0
        width = WIDTH - 2 * depth
        head = [f"{toc_number(thread, item)}. {item.author}"]
        if item.number is not None:
            head.append(f"#{item.number}")
        elif item.position is not None:
            head.append(labels.text("reply_position", n=item.position))
        if item.posted_at:
            head.append(when(item.posted_at))
        elif item.posted_at_text:
            head.append(item.posted_at_text)
        lines = [wrap(" · ".join(head), width)]
        if item.answers:
            ref = f" [{refs.number(item.answers.url)}]" if item.answers.url else ""
            answering = labels.text("replying_to", author=item.answers.author)
            if item.answers.snippet:
                answering = labels.text("replying_to_quote", replying_to=answering, snippet=item.answers.snippet)
            lines.append(wrap(answering + ref, width))
        if item.note:
            lines.append(wrap(f"{labels.text('editor_note')} {item.note}", width))
        body = body_to_text(item.body, refs, width)
        lines.append("")
        lines.append(body)
        if item.url:
            label = labels.text("read_the_rest" if item.excerpted else ("this_reply" if item.has_permalink else "the_discussion"))
            lines.append("")
            lines.append(f"{labels.text('colon', text=label)} [{refs.number(item.url)}]")
        listing = refs.take_listing()
        if listing:
            lines.append("")
            lines.extend(listing)
        return indent_block("\n".join(lines), "  " * depth)

    heading = labels.text("heading", title=digest.title, number=issue.number, date=day(issue.date))
    intro_text = _intro_text(intro, refs)
    text = env.get_template("email.txt.j2").render(
        **context,
        heading=heading,
        intro_text=intro_text,
        recipient=PLACEHOLDER_RECIPIENT,
        wrap=wrap,
        underline=underline,
        stats=stats,
        more_link=more_link,
        text_item=text_item,
        toc_number=toc_number,
        toc_line=toc_line,
        label=labels.text,
    )
    return "\n".join(line.rstrip() if line != "-- " else line for line in text.split("\n"))
