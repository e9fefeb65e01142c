"""Discourse's cooked HTML into the body subset.

Discourse renders each post's markdown to "cooked" HTML full of decorations a mailbox cannot
use: quote asides, link-preview and video "oneboxes", emoji images, avatars, heading anchors,
lightbox wrappers around uploads.  Each is undone here before the common sanitizer runs, so a
quote stays a quote ("X said:"), a preview becomes one link labelled with its title, and an
upload becomes a labelled link.
"""

from __future__ import annotations

import html

import lxml.etree
import lxml.html

from digest import body

def cooked_to_body(cooked: str, base: str | None) -> str:
    """Discourse's cooked HTML into the body subset, after undoing its decorations."""
    try:
        root = lxml.html.fragment_fromstring(cooked, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return body.from_html(cooked)
    for aside in root.xpath(_CLASS_XPATH % ("aside", "quote")):
        _quote_to_blockquote(aside)
    for aside in root.xpath(_CLASS_XPATH % ("aside", "onebox")):
        _onebox_to_link(aside)
    for container in root.xpath(_CLASS_XPATH % ("div", "lazy-video-container")):
        _video_to_link(container)
    _drop_decorations(root)
    _flatten_containers(root)
    if base:
        root.make_links_absolute(base, resolve_base_href=False, handle_failures="discard")
    inner = (html.escape(root.text) if root.text else "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )
    return body.from_html(inner)


_CLASS_XPATH = './/%s[contains(concat(" ", normalize-space(@class), " "), " %s ")]'


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
    who = " ".join(title.text_content().split()) if title is not None else ""
    if who:
        said = lxml.html.Element("p")
        said.text = who[:-1].rstrip() + " said:" if who.endswith(":") else who
        quote.append(said)
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


def _drop_decorations(root) -> None:
    """Emoji images become their :code:, avatars and heading anchors go, uploads become links."""
    for element in list(root.iter("img", "a", "div")):
        if element.getparent() is None:
            continue
        classes = set((element.get("class") or "").split())
        if element.tag == "img" and "emoji" in classes:
            element.tail = (element.get("alt") or element.get("title") or "") + (element.tail or "")
            element.drop_tree()
        elif element.tag == "img" and "avatar" in classes:
            element.drop_tree()
        elif element.tag == "a" and "anchor" in classes and not element.text_content().strip():
            element.drop_tree()
        elif element.tag == "a" and "lightbox" in classes:
            _lightbox_to_link(element)
