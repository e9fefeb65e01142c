"""The media a feed entry carries beside its text, linked after the body.

Media RSS ``media:content`` and RSS/Atom enclosures the body does not show already (a Mastodon
post's pictures, a podcast episode's audio) are linked, each labelled with its kind, as the
body subset shows images.  Only media that says it is an image, video or audio counts, and an
enclosure only when it is audio or video: feeds use media:content for thumbnails or players of
what the entry already is, and enclosures for a cover picture the post shows.  WordPress.com
(and Jetpack) give every post its author's avatar as a media:content image: a picture of who
wrote it, not of what they wrote, so it is never linked.
"""

from __future__ import annotations

import html
import re

from digest import body as bodies
from digest.sources import feed_parse

_MEDIA_KINDS = ("image", "video", "audio")
_ENCLOSURE_KINDS = ("video", "audio")
# Gravatar's avatars (https://0.gravatar.com/avatar/HASH?s=96, secure.gravatar.com/avatar/...)
_AVATAR = re.compile(r"https?://(?:[\w-]+\.)*gravatar\.com/avatar/", re.I)


def attachments(entry, body: str) -> str:
    """Body HTML linking the entry's media that ``body`` does not show, or ""."""
    found = [(_url(media), _kind(media)) for media in feed_parse.dicts(entry.get("media_content"))]
    found += [(_url(enclosure, "href"), _kind(enclosure)) for enclosure in feed_parse.dicts(entry.get("enclosures"))
              if _kind(enclosure) in _ENCLOSURE_KINDS]
    links, seen = [], set()
    for url, kind in found:
        if kind not in _MEDIA_KINDS or not url.startswith(("http://", "https://")) or _AVATAR.match(url) or url in seen:
            continue
        seen.add(url)
        if html.escape(url) not in body and url not in body:
            links.append(f'<p><a href="{html.escape(url)}">[{kind}]</a></p>')
    return bodies.from_html("".join(links)) if links else ""


def _url(media: dict, key: str = "url") -> str:
    return str(media.get(key) or "").strip()


def _kind(media: dict) -> str:
    return str(media.get("medium") or "").lower() or str(media.get("type") or "").split("/")[0].lower()
