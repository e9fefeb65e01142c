"""Discourse's cooked HTML into the body subset.

Discourse renders each post's markdown to "cooked" HTML full of decorations a mailbox cannot
use: quote asides, link-preview and video "oneboxes", emoji images, avatars, heading anchors,
lightbox wrappers around uploads, polls and checklist boxes.  Each is undone here before the
common sanitizer runs, so a quote stays a quote ("X said:", or "X said in <topic link>:" for a
quote of another topic), a preview becomes one link labelled with its title, an upload becomes
a labelled link, a checklist box becomes "[x]" or "[ ]", and a poll becomes its list of options
with the vote counts the post's ``polls`` data holds (the cooked poll always says "0 voters":
the forum's JavaScript fills in the counts), and a calendar event (an empty ``<div>`` the script
draws) its name, times, place and link.  Forum-relative links (``/t/…``, ``/u/…``, uploads)
are resolved against the forum's address; in-page links (footnote marks, heading anchors) lead
nowhere from a mailbox, so they become plain text, and footnotes' "↩︎" back links go.  Spoilers
(``[spoiler]…[/spoiler]``, which the forum blurs until clicked, and a details block its summary
calls a spoiler) stay hidden, as the forum's own e-mails hide them: a marker linking to the post
stands in their place.  A date the local-dates plugin draws in each reader's time zone reads as
one UTC time, a message quoted from the forum's chat is a quote naming who said it and where,
and an uploaded video (an empty placeholder the script fills) a link to its file.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urljoin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import lxml.etree
import lxml.html

from digest import body
from digest.sources.common import SPOILER_LABEL, counted, spoiler_marker

DEFAULT_POLL_NAME = "poll"  # what Discourse calls a poll written without name=


@dataclass(frozen=True)
class PollOption:
    id: str | None  # matches the cooked option's data-poll-option-id
    votes: int | None  # None: the forum did not show the results to whoever saved the file


@dataclass(frozen=True)
class Poll:
    """A post's poll results (the poll plugin's ``polls`` entry), matched to the cooked poll by name."""

    name: str
    type: str | None
    status: str | None
    voters: int | None
    options: tuple[PollOption, ...]

    @property
    def counted(self) -> bool:
        """Whether each option's votes can be shown: ranked-choice votes are rankings, not counts."""
        return self.type not in _RANKED_POLL_TYPES and all(o.votes is not None for o in self.options)


_RANKED_POLL_TYPES = {"ranked_choice", "irv"}


def cooked_to_body(cooked: str, base: str | None, polls: Mapping[str, Poll] | None = None,
                   source: str | None = None) -> str:
    """Discourse's cooked HTML into the body subset, after undoing its decorations; ``source``
    is the post's address, which its spoilers link to (else ``base``: a feed gives the post's)."""
    try:
        root = lxml.html.fragment_fromstring(cooked, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return body.from_html(cooked)
    for spoiler in root.xpath(_CLASS_XPATH % ("*", "spoiler")) + root.xpath(_SPOILER_DETAILS):
        _hide_spoiler(spoiler, source or base)
    for aside in root.xpath(_CLASS_XPATH % ("aside", "quote")):
        _quote_to_blockquote(aside)
    for transcript in root.xpath(_CLASS_XPATH % ("div", "chat-transcript")):
        _chat_to_blockquote(transcript)
    for span in root.xpath(_CLASS_XPATH % ("span", "discourse-local-date")):
        _local_date_to_text(span)
    for poll in root.xpath(_CLASS_XPATH % ("div", "poll")):
        _poll_to_list(poll, polls or {})
    for box in root.xpath(_CLASS_XPATH % ("span", "chcklst-box")):
        _checkbox_to_text(box)
    for aside in root.xpath(_CLASS_XPATH % ("aside", "onebox")):
        _onebox_to_link(aside)
    for container in root.xpath(_CLASS_XPATH % ("div", "lazy-video-container")):
        _video_to_link(container)
    for placeholder in root.xpath(_CLASS_XPATH % ("div", "video-placeholder-container")):
        _uploaded_video_to_link(placeholder)
    for event in root.xpath(_CLASS_XPATH % ("div", "discourse-post-event")):
        _event_to_text(event)
    _drop_decorations(root)
    _flatten_containers(root)
    if base:
        root.rewrite_links(lambda link: _absolute(link, base), resolve_base_href=False)
    inner = (html.escape(root.text) if root.text else "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )
    return body.from_html(inner)


_CLASS_XPATH = './/%s[contains(concat(" ", normalize-space(@class), " "), " %s ")]'


def raw_to_body(raw: str, source: str | None) -> str:
    """A post's markdown (a file without ``cooked``) as plain text, its spoilers hidden and its
    ``[date=…]`` tags read as the cooked ones are."""
    text = body.from_plain_text(_RAW_DATE.sub(_raw_date, _RAW_SPOILER.sub(SPOILER_LABEL, raw)))
    return text.replace(SPOILER_LABEL, spoiler_marker(source)) if source else text


_RAW_SPOILER = re.compile(r"\[spoiler\].*?\[/spoiler\]", re.S | re.I)
_RAW_DATE = re.compile(r"\[date=(?P<day>\d{4}-\d{2}-\d{2})(?P<rest>[^\]\n]*)\]")
_RAW_DATE_ATTRIBUTE = re.compile(r"""\b(time|timezone)=["“„]?([^"”“\s\]]+)""")


def _raw_date(found: re.Match) -> str:
    """``[date=2024-03-05 time=14:00:00 timezone="Europe/Paris"]`` as its UTC time (the tag as
    written when its parts do not read)."""
    attributes = dict(_RAW_DATE_ATTRIBUTE.findall(found.group("rest")))
    return _local_date(found.group("day"), attributes.get("time"), attributes.get("timezone")) or found.group(0)


# A collapsed "[details=Spoiler]" block: how forums without the spoiler plugin hide one.
_SPOILER_DETAILS = './/details[summary[contains(translate(normalize-space(.), "SPOILER", "spoiler"), "spoiler")]]'


def _hide_spoiler(spoiler, source: str | None) -> None:
    """The spoiler-alert plugin's ``<span class="spoiler">`` (or block ``<div>``), or a details
    block its summary calls a spoiler, becomes the marker, a link to the post where the forum
    reveals it."""
    marker = lxml.html.Element("a", href=source) if source else lxml.html.Element("span")
    marker.text = SPOILER_LABEL
    replacement = marker
    if spoiler.tag in ("div", "details"):
        replacement = lxml.html.Element("p")
        replacement.append(marker)
    replacement.tail = spoiler.tail
    parent = spoiler.getparent()
    if parent is not None:
        parent.replace(spoiler, replacement)


def _absolute(link: str, base: str) -> str | None:
    """A forum-relative link (``/t/…``, ``/u/…``, uploads) resolved against the forum's address.
    An in-page link (``#footnote-501-1``, a heading anchor) points into the post itself, not to
    the forum's front page: it stays relative, so the sanitizer makes it plain text.  A link
    that cannot be joined is dropped (``None``)."""
    if link.startswith("#"):
        return link
    try:
        return urljoin(base, link)
    except ValueError:
        return None


def _onebox_to_link(aside) -> None:
    """A link preview card becomes one link labelled with the page title (its blurb is not the poster's)."""
    href = aside.get("data-onebox-src") or _first_web_link(aside)
    heading = next(iter(aside.xpath(".//h3 | .//h4")), None)
    label = " ".join((heading.text_content() if heading is not None else "").split()) or href
    if not href:
        aside.drop_tree()
        return
    _replace_with_link(aside, href, label)


def _video_to_link(container) -> None:
    """A lazy-loaded video (a link to the video around its thumbnail) becomes one link
    labelled with the video's title; the thumbnail is only a picture of it."""
    image = next(container.iter("img"), None)
    title = container.get("data-video-title") or (
        (image.get("title") or image.get("alt")) if image is not None else None)
    title = " ".join((title or "").split())
    href = _first_web_link(container)
    if href:
        _replace_with_link(container, href, title or href)
    elif title:  # no address to link to: the title still says what was posted
        paragraph = lxml.html.Element("p")
        paragraph.text = f"[video: {title}]"
        paragraph.tail = container.tail
        container.getparent().replace(container, paragraph)
    else:
        container.drop_tree()


def _uploaded_video_to_link(placeholder) -> None:
    """An uploaded video (since 2024 an empty ``<div>`` naming the file in ``data-video-src``,
    which the forum's script turns into a player) becomes a link "[video]" to the file, as a
    ``<video>`` does; one whose file is gone (the forum writes ``/404``) reads "[video]"."""
    source = (placeholder.get("data-video-src") or "").strip()
    paragraph = lxml.html.Element("p")
    if source and source != "/404":
        link = lxml.html.Element("a", href=source)
        link.text = "[video]"
        paragraph.append(link)
    else:
        paragraph.text = "[video]"
    paragraph.tail = placeholder.tail
    placeholder.getparent().replace(placeholder, paragraph)


def _event_to_text(event) -> None:
    """The calendar plugin's event is an empty ``<div>`` whose attributes the forum's script
    draws from: its name, times (in its ``data-timezone``), location and link become a line."""
    name, start, end, zone, place, url = (" ".join((event.get(f"data-{key}") or "").split())
                                          for key in ("name", "start", "end", "timezone", "location", "url"))
    when = f"{start} – {end}" if start and end else start
    details = [part for part in (name, when + (f" ({zone})" if zone and when else ""), place) if part]
    paragraph = lxml.html.Element("p")
    paragraph.text = f"[event: {', '.join(details)}]" if details else "[event]"
    if url.startswith(("http://", "https://")):
        paragraph.text += " "
        link = lxml.html.Element("a", href=url)
        link.text = url
        paragraph.append(link)
    paragraph.tail = event.tail
    event.getparent().replace(event, paragraph)


def _first_web_link(element) -> str | None:
    """The first absolute http(s) link inside: relative ones lead nowhere without the forum's address."""
    hrefs = (a.get("href") or "" for a in element.iter("a"))
    return next((href for href in hrefs if href.startswith(("http://", "https://"))), None)


def _replace_with_link(element, href: str, label: str) -> None:
    """``element`` becomes a paragraph holding one link."""
    paragraph = lxml.html.Element("p")
    link = lxml.html.Element("a", href=href)
    link.text = label
    paragraph.append(link)
    paragraph.tail = element.tail
    element.getparent().replace(element, paragraph)


def _quote_to_blockquote(aside) -> None:
    """``<aside class="quote"><div class="title">X:</div><blockquote>…`` -> a blockquote opening "X said:"."""
    quote = lxml.html.Element("blockquote")
    title = next(iter(aside.xpath('./div[contains(@class, "title")]')), None)
    header = _quote_header(aside, title) if title is not None else None
    if header is not None:
        quote.append(header)
    inner = aside.find("blockquote")
    if inner is not None:
        if inner.text and inner.text.strip():
            lead = lxml.html.Element("p")
            lead.text = inner.text
            quote.append(lead)
        for child in list(inner):
            quote.append(child)
    quote.tail = aside.tail
    aside.getparent().replace(aside, quote)


def _chat_to_blockquote(transcript) -> None:
    """A chat message quoted into a post (``[chat quote=…]``): the quoted person's name, the
    channel link and the avatar are decorations around the message, so they become a quote
    opening "X said in <channel>:" ("X said:" for the later messages of a chained quote)."""
    name_box = next(iter(transcript.xpath('./div[contains(@class, "chat-transcript-user")]'
                                           '//div[contains(@class, "chat-transcript-username")]')), None)
    who = " ".join((name_box.text_content() if name_box is not None else "").split()) or transcript.get("data-username")
    channel = next(iter(transcript.xpath('./div[contains(@class, "chat-transcript-meta")]//a[@href]')), None)
    named = " ".join((transcript.get("data-channel-name") or "").split())
    said = lxml.html.Element("p")
    where = " in " if channel is not None else (f" in {named}:" if named else ":")  # the link follows " in "
    said.text = f"{who or 'Someone'} said{where}"
    if channel is not None:
        link = lxml.html.Element("a", href=channel.get("href"))
        link.text = " ".join(channel.text_content().split()) or named or "chat"
        link.tail = ":"
        said.append(link)
    quote = lxml.html.Element("blockquote")
    quote.append(said)
    for child in list(transcript):
        classes = set((child.get("class") or "").split()) if isinstance(child.tag, str) else set()
        if classes & {"chat-transcript-meta", "chat-transcript-user", "chat-transcript-reactions"}:
            continue
        quote.append(child)  # the messages, and the quotes of chained messages after them
    quote.tail = transcript.tail
    transcript.getparent().replace(transcript, quote)


def _local_date_to_text(span) -> None:
    """The local-dates plugin's ``[date=…]``: the forum's script redraws it in each reader's
    zone, and as saved it reads as raw ISO text ("2024-03-05T13:00:00Z") or a list of zones.
    A date with a time becomes that moment in UTC ("2024-03-05 13:00 UTC"), read from
    ``data-date``/``data-time`` in ``data-timezone`` (UTC when none is named, as the plugin
    reads it); a date without a time is that day ("2024-03-06").  Attributes that do not read
    leave the text as cooked."""
    readable = _local_date(span.get("data-date"), span.get("data-time"), span.get("data-timezone"))
    if readable is None:
        return
    for child in list(span):
        span.remove(child)
    span.text = readable


def _local_date(day: str | None, time: str | None, zone: str | None) -> str | None:
    zone = (zone or "").strip()
    try:
        if not time:
            return datetime.strptime((day or "").strip(), "%Y-%m-%d").strftime("%Y-%m-%d")
        moment = datetime.fromisoformat(f"{(day or '').strip()}T{time.strip()}")
        # the plugin writes "undefined" for a zone the author's browser did not give
        local = moment.replace(tzinfo=ZoneInfo(zone) if zone not in ("", "undefined") else timezone.utc)
        return local.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    except (ValueError, ZoneInfoNotFoundError, OverflowError):  # OverflowError: year 1 or 9999, outside the calendar in UTC
        return None


_SAID = re.compile(r"\S\s+said$")  # titles cooked before 2015 already read "X said:"
_AVATAR_USER = re.compile(r"/user_avatar/[^/]+/([^/]+)/")


def _quote_header(aside, title):
    """The paragraph naming who is quoted: "X said:", or for a quote of another topic (whose
    title holds a link to that topic and its category badge, not the name) "X said in <link>:"."""
    for decoration in title.xpath('.//div[contains(@class, "quote-controls")] | .//a[contains(@class, "badge")]'
                                  ' | .//a[starts-with(@href, "/c/")] | .//span[contains(@class, "badge")]'):
        decoration.drop_tree()
    link = next((a for a in title.iter("a") if a.get("href")), None)
    if link is None:
        return _said(" ".join(title.text_content().split()))
    link.drop_tree()  # keeps the tail, so the rest of the title is read without the link
    who = " ".join(title.text_content().split()).rstrip(":").strip()
    who = who[:-len("said")].rstrip() if _SAID.search(who) else who
    who = who or aside.get("data-username") or _avatar_username(title)
    said = lxml.html.Element("p")
    said.text = f"{who} said in " if who else "Quoted from "
    link.tail = ":"
    for name in [key for key in link.attrib if key != "href"]:
        del link.attrib[name]
    said.append(link)
    return said


def _said(who: str):
    """"X:" -> "X said:"; a title that already says "X said:" (or has no colon) stays as it is."""
    if not who:
        return None
    said = lxml.html.Element("p")
    name = who[:-1].rstrip()
    said.text = who if not who.endswith(":") or _SAID.search(name) else name + " said:"
    return said


def _avatar_username(title) -> str | None:
    """The quoted user's name from the avatar's ``/user_avatar/HOST/NAME/`` address, if it has one."""
    image = next(title.iter("img"), None)
    match = _AVATAR_USER.search(image.get("src") or "") if image is not None else None
    return match.group(1) if match else None


def _poll_to_list(poll, polls: Mapping[str, Poll]) -> None:
    """A cooked poll becomes "[poll: N voters]" and its options with their vote counts.

    The counts come from the post's ``polls`` data (matched by name, each option by its id,
    else by position); without them the options stay and the cooked "0 voters" goes."""
    result = polls.get(poll.get("data-poll-name") or DEFAULT_POLL_NAME)
    items = poll.xpath('.//div[contains(@class, "poll-container")]//li') or poll.xpath(".//li")
    votes = _option_votes(items, result) if result is not None and result.counted else [None] * len(items)
    options = lxml.html.Element("ul")
    for item, count in zip(items, votes):
        option = lxml.html.Element("li")
        option.text = item.text
        for child in list(item):
            option.append(child)
        if count is not None:
            _append_text(option, f": {counted(count, 'vote')}")
        options.append(option)
    heading = lxml.html.Element("p")
    heading.text = _poll_heading(result, poll.get("data-poll-status"))
    title = next(iter(poll.xpath('.//div[contains(@class, "poll-title")]')), None)
    if title is not None and title.text_content().strip():
        heading.text += " "
        _append_text(heading, title.text or "")
        for child in list(title):
            heading.append(child)
    replacement = [heading] + ([options] if items else [])
    replacement[-1].tail = poll.tail
    parent = poll.getparent()
    at = parent.index(poll)
    parent.remove(poll)
    for offset, element in enumerate(replacement):
        parent.insert(at + offset, element)


def _option_votes(items, result: Poll) -> list[int | None]:
    """Each cooked option's vote count: by option id, else by position when the lists match."""
    by_id = {option.id: option.votes for option in result.options if option.id}
    votes = [by_id.get(item.get("data-poll-option-id")) for item in items]
    if all(count is None for count in votes) and len(items) == len(result.options):
        votes = [option.votes for option in result.options]
    return votes


def _poll_heading(result: Poll | None, cooked_status: str | None) -> str:
    status = (result.status if result is not None else None) or cooked_status
    state = ", closed" if status == "closed" else ""
    if result is None or result.voters is None:
        return f"[poll{state}]"
    return f"[poll{state}: {counted(result.voters, 'voter')}]"


def _append_text(element, text: str) -> None:
    """Add text at the end of ``element``, after any children."""
    children = list(element)
    if children:
        children[-1].tail = (children[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _checkbox_to_text(box) -> None:
    """The checklist plugin's box (an empty span whose class says whether it is ticked) becomes "[x]" or "[ ]"."""
    mark = "[x]" if "checked" in (box.get("class") or "").split() else "[ ]"
    box.tail = mark + (box.tail or "")
    box.drop_tree()  # keeps the tail, which now starts with the mark


_BLOCKS = {"p", "div", "table", "ul", "ol", "blockquote", "pre", "aside", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}


def _flatten_containers(root) -> None:
    """Wrapper divs around blocks (lightbox, md-table) are unwrapped, and the classes of
    cooked markup dropped: the body subset renames divs to paragraphs, and paragraphs cannot nest."""
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element is root:
            continue
        element.attrib.pop("class", None)
        if element.tag == "div" and any(isinstance(c.tag, str) and c.tag in _BLOCKS for c in element):
            element.drop_tag()


def _lightbox_to_link(link) -> None:
    """An uploaded image (a link to the full size around a thumbnail) becomes one labelled link."""
    image = next(link.iter("img"), None)
    alt = (image.get("alt") or image.get("title") or "").strip() if image is not None else ""
    for child in list(link):
        link.remove(child)
    link.text = f"[image: {alt}]" if alt else "[image]"
    link.attrib.pop("title", None)


_EMOJI_CODE = re.compile(r":[^:\s]+:(?:t[1-6]:)?")  # ":+1:" or, with a skin tone, ":+1:t2:"


def _emoji_code(image) -> str:
    """An emoji image's ``:code:``.  Forums before about 2015 wrote the bare name as ``alt``
    ("wink") and the code only as ``title`` (":wink:"), so a title in colons wins; later
    forums write the code in both."""
    title = (image.get("title") or "").strip()
    if _EMOJI_CODE.fullmatch(title):
        return title
    return image.get("alt") or title


def _drop_decorations(root) -> None:
    """Emoji images become their :code:, avatars, heading anchors and footnote back links go,
    uploads become links."""
    for element in list(root.iter("img", "a", "div")):
        if element.getparent() is None:
            continue
        classes = set((element.get("class") or "").split())
        if element.tag == "img" and "emoji" in classes:
            element.tail = _emoji_code(element) + (element.tail or "")
            element.drop_tree()
        elif element.tag == "img" and "avatar" in classes:
            element.drop_tree()
        elif element.tag == "a" and "anchor" in classes and not element.text_content().strip():
            element.drop_tree()
        elif element.tag == "a" and "footnote-backref" in classes:  # the footnote's "↩︎" back to its mark
            element.drop_tree()
        elif element.tag == "a" and "lightbox" in classes:
            _lightbox_to_link(element)
