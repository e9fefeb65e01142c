"""What particular publishing engines put into their feeds, read for ``digest.sources.feed``.

- LiveJournal and the sites on its code (Dreamwidth, InsaneJournal): an entry names its poster
  only in a community (``lj:poster``, Atom ``<dw:poster user="NAME"/>``), a journal's own
  entries by nobody but the journal's contact address (RSS ``author``), so the journal
  (``lj:journal``, in older feeds only its address) is their author; ``lj:reply-count`` is
  the entry's comment count; and every entry ends with a comment-count picture and the word
  "comments", for readers that know no reply count, which is no part of the post.  The
  journal's feed of comments ("Latest comments in JOURNAL") names no commenter, and its
  comments are not the journal's.
- NodeBB's topic feed (``/topic/ID.rss``) carries the topic's first post in the channel
  (description, author, pubDate) and lists only the latest 24 replies, each titled "Reply to
  TOPIC on DATE"; a deleted account or a guest is named by an untranslated key
  ("[[global:former_user]]").
- hnrss's feed of a Hacker News story's comments (``hnrss.org/item?id=N``) titles each "New
  comment by NAME in "STORY"" and says nothing of what a comment answers.
- Tumblr's blog feed names no author anywhere but in its generator, "Tumblr (3.0; @BLOG)":
  every post is the blog's.
- Isso's feed of a page's comments titles each "Comment #N", and gives a comment deleted while
  others answer it with no author and no text.
- Comment feeds of other blog engines title a comment with its post's title: b2evolution
  "In response to: POST", Disqus "Re: POST", Dotclear "POST - NAME" (and a ping "[ping] POST - BLOG").
- FeedBurner's copy of a feed links every entry through its own redirect, giving the entry's
  address as ``feedburner:origLink``, and ends each with a "feedflare" box of sharing buttons.
- Mastodon's feed of a hashtag (``/tags/NAME.rss``) names no author: each post's address does
  (``https://HOST/@NAME/ID``), on the feed's own server or another.
- Trac's feed of a ticket (``/ticket/N?format=rss``) carries the ticket's description in its
  channel, links each change as ``#comment:N``, titles it "comment:N" (or by the fields it
  set) and opens an answer with "Replying to <a href=\"#comment:N\">NAME</a>:" over a
  ``blockquote class="citation"``.
- Wikidot's forum feeds name a post's author only in ``wikidot:authorName``, often give a post
  no title, and end each post of the site's feed with its forum category and thread as links
  ("Forum category: …<br/>Forum thread: TITLE").
- phpBB's feeds of a forum's posts (and of the whole board's) title each post "FORUM • SUBJECT",
  the forum also being the entry's category, and end every post with "Statistics: Posted by
  NAME — DATE"; Discourse's topic feeds end every post with a link to itself ("Read full topic").
- Jira's XML view of an issue (and of a search) is RSS 0.92 whose item is the issue, its
  comments in ``<comments>``, which a feed reader does not see: it is read as the issue's discussion.
- Redmine's feed of an issue lists its changes and notes (``ISSUE?journal_id=J``), not the issue.
- MyBB names a poster by a link to their profile and boxes code in ``<code>`` lines ended by
  ``<br />``; vBulletin 3 quotes in a one-cell table; Word's symbol-font characters (U+F0xx)
  stay in text pasted from it.
- WordPress gives a comment on a password-protected post not its text but the password form
  ("Protected Comments: Please enter your password to view comments."), and a post's comments
  feed lists only its newest comments, 10 unless the blog says otherwise.
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass, replace

from xml.sax.saxutils import escape, quoteattr

from digest import body as bodies
from digest.errors import SourceError
from digest.sources import comment_links, common, feed_parse, xmlsafe

# ---------------------------------------------------------------------------- LiveJournal, Dreamwidth

# Atom feeds name the site's namespace by its abbreviation (lj, dw, ij ...) and give the name
# in an attribute; RSS always says lj (feedparser names a prefix by the first it was declared as).
_ATOM_KEY = r"[a-z]{2,8}_"
_RSS_KEYS = ("lj_", "dw_")
_REPLY_COUNT_KEY = re.compile(r"[a-z]{2,8}_reply-count")


def journal_poster(entry) -> str | None:
    """The username of who posted a community entry (``lj:poster``), or None."""
    return _name_in(entry, "poster", "user")


def journal_owner(channel) -> str | None:
    """The username of the journal a LiveJournal-style feed is (RSS ``lj:journal``, Atom
    ``<dw:journal username=...>``, else the one its address names): the author of every entry
    that names no poster."""
    if str(channel.get("subtitle") or "").startswith("Latest comments in "):
        return None  # the journal's feed of comments: by readers, who are not named
    named = _name_in(channel, "journal", "username")
    if named or not _journal_generator(channel):
        return named
    link = str(channel.get("link") or "").strip()
    return next((m.group("name") for m in (p.fullmatch(link) for p in _JOURNAL_ADDRESSES) if m), None)


# http://www.livejournal.com/users/NAME/, /~NAME, /community/NAME/, http://community.livejournal.com/NAME/,
# https://NAME.livejournal.com/, https://NAME.dreamwidth.org/
_JOURNAL_ADDRESSES = (
    re.compile(r"https?://[^/]+/(?:users/|community/|~)(?P<name>[\w-]+)/?"),
    re.compile(r"https?://(?:community|users)\.[^/]+/(?P<name>[\w-]+)/?"),
    re.compile(r"https?://(?!www\.|community\.|users\.)(?P<name>[\w-]+)\.[\w-]+\.[a-z]{2,}/?"),
)


def _journal_generator(channel) -> bool:
    return str(channel.get("generator") or "").startswith("LiveJournal / ")


def without_journal_contact(channel, entries: list) -> list:
    """The entries of a LiveJournal-style feed without the author each gives only as the
    journal's contact address (the journal's, not a name; its poster or journal names it)."""
    if not (_journal_generator(channel) or _name_in(channel, "journal", "username")):
        return entries
    return [_without_address_author(entry) for entry in entries]


def _without_address_author(entry):
    detail = feed_parse.author_detail(entry)
    if detail.get("name") or not detail.get("email"):
        return entry
    kept = type(entry)(entry)  # (a FeedParserDict stays one)
    for key in ("author", "author_detail", "authors"):
        kept.pop(key, None)
    return kept


def _name_in(node, element: str, attribute: str) -> str | None:
    """A name given as RSS text (``lj:ELEMENT``) or as an Atom attribute (``<xx:ELEMENT ATTRIBUTE=..>``)."""
    for key, value in node.items():
        if isinstance(value, dict) and re.fullmatch(_ATOM_KEY + element, key):
            name = value.get(attribute)
        elif isinstance(value, str) and key in (prefix + element for prefix in _RSS_KEYS):
            name = value
        else:
            continue
        if isinstance(name, str) and name.strip():
            return name.strip()
    return None


def journal_reply_count(entry) -> str | None:
    """``lj:reply-count`` as written (the caller counts it)."""
    return next((value for key, value in entry.items() if _REPLY_COUNT_KEY.fullmatch(key) and isinstance(value, str)), None)


# <br /><br /><img src="https://www.dreamwidth.org/tools/commentcount?user=NAME&ditemid=N" ... alt="comment count
# unavailable" .../> comments   (HTML-escaped or not: the ampersand is written either way); tried only
# where a run of blanks starts, as the first match starts there: from each blank, a long run was read whole
_COMMENT_COUNT_FOOTER = re.compile(
    r"(?<!\s)(?:\s*<br\s*/?>)*\s*<img\s[^<>]*?\bsrc\s*=\s*[\"'][^\"'<>]*/tools/commentcount(?:\.bml)?\?[^\"'<>]*[\"'][^<>]*>"
    r"\s*comments\s*\Z",
    re.I,
)


def without_comment_count_footer(value: str) -> str:
    """The HTML without a LiveJournal-style comment-count footer."""
    match = _COMMENT_COUNT_FOOTER.search(value)
    return value[: match.start()] if match else value


# ---------------------------------------------------------------------------- NodeBB

_NODEBB_FEED = re.compile(r"https?://.+/topic/(?P<topic>\d+)\.rss(?:\?.*)?")
NODEBB_REPLIES_LISTED = 24  # the first post and the 24 latest replies (posts 0..24 of the topic, newest first)


def nodebb_first_post(channel) -> dict | None:
    """The topic's first post, as a feed entry made of the channel of a NodeBB topic feed (its
    own address ``…/topic/ID.rss``, its link the topic ``…/topic/ID/slug``), or None."""
    own = [link.get("href") or "" for link in feed_parse.dicts(channel.get("links")) if link.get("rel") == "self"]
    feed = next((m for m in map(_NODEBB_FEED.fullmatch, own) if m), None)
    link = str(channel.get("link") or "")
    description = channel.get("subtitle_detail") or {}
    if not feed or f"/topic/{feed.group('topic')}/" not in link + "/" or not str(description.get("value") or "").strip():
        return None
    if str(description.get("value")).strip() == str(channel.get("title") or "").strip():
        return None  # a topic without posts: the feed library writes the title as the description
    post = {"id": link, "link": link, "links": [{"rel": "alternate", "href": link}], "summary_detail": description}
    for key in ("author", "author_detail", "published", "published_parsed"):
        if channel.get(key):
            post[key] = channel[key]
    return post


# the names NodeBB gives a deleted account and a guest, untranslated in its feeds, in its English
_NODEBB_NAME_KEYS = {"[[global:former_user]]": "Former User", "[[global:guest]]": "Guest"}


def nodebb_name(name: str | None) -> str | None:
    """A NodeBB author name, its untranslated placeholder for a deleted account or a guest as
    NodeBB's pages show it."""
    return _NODEBB_NAME_KEYS.get((name or "").strip(), name)


def nodebb_replies_missing(first_post: dict | None, replies: int, notes: list[str]) -> bool:
    """A NodeBB topic feed lists the first post and only the latest replies: one that lists as
    many as it can may leave earlier ones out (noted)."""
    if not first_post or replies < NODEBB_REPLIES_LISTED:
        return False
    notes.append(f"a NodeBB topic feed lists the first post and only the latest {NODEBB_REPLIES_LISTED} replies: "
                 "earlier replies may be missing")
    return True


def nodebb_reply_title(title: str | None, topic_title: str | None) -> bool:
    """Whether a title is NodeBB's "Reply to TOPIC on DATE", which says nothing of the reply."""
    return bool(title and topic_title and title.startswith(f"Reply to {topic_title} on "))


# ---------------------------------------------------------------------------- hnrss

_HNRSS_COMMENT_TITLE = re.compile(r'New comment by \S+ in ".*"', re.S)
_HN_ITEM = re.compile(r"https?://news\.ycombinator\.com/item\?id=(?P<id>\d+)")


def hnrss_comment_title(title: str | None) -> bool:
    """Whether a title is hnrss's "New comment by NAME in "STORY"", which says nothing of the comment."""
    return bool(title and _HNRSS_COMMENT_TITLE.fullmatch(title))


_NUMBERED_COMMENT = re.compile(r"Comment #\d+|comment:\d+")


def numbered_comment_title(title: str | None) -> bool:
    """Whether a title is only a comment's number (Isso's "Comment #12", Trac's "comment:12")."""
    return bool(_NUMBERED_COMMENT.fullmatch(title or ""))


ISSO_FEED_SIZE = 100  # Isso's [rss] limit by default
_ISSO_COMMENT_ID = re.compile(r"tag:[^,]+,2018:/isso/\d+/\d+")


def isso_newest_only(entries: list) -> str | None:
    """A note for an Isso feed that lists as many comments as it does by default (the newest)."""
    if len(entries) != ISSO_FEED_SIZE or not all(_ISSO_COMMENT_ID.fullmatch(str(e.get("id") or "").strip()) for e in entries):
        return None
    return (f"the feed lists {ISSO_FEED_SIZE} comments, as many as an Isso feed lists by default (the newest): the page may have "
            "more (the feed's address with &limit=1000 lists more)")


def hnrss_story(channel) -> str | None:
    """The Hacker News story an hnrss comments feed is on (its id), or None."""
    match = _HN_ITEM.fullmatch(str(channel.get("link") or "").strip())
    return match.group("id") if match and str(channel.get("generator") or "").startswith("hnrss") else None


# ---------------------------------------------------------------------------- Tumblr

_TUMBLR_GENERATOR = re.compile(r"Tumblr \([^;()]*;\s*@(?P<blog>[\w-]+)\)")


def tumblr_blog(channel) -> str | None:
    """The blog a Tumblr feed is ("Tumblr (3.0; @staff)" -> "staff"), or None."""
    match = _TUMBLR_GENERATOR.fullmatch(str(channel.get("generator") or "").strip())
    return match.group("blog") if match else None


# ---------------------------------------------------------------------------- WordPress

_PASSWORD_FORM = re.compile(r"<form\b[^>]*(?:\bpost-password-form\b|action=postpass)", re.I)


def password_form_only(entry) -> bool:
    """Whether the entry's content is WordPress's password form (a comment on a
    password-protected post, whose text the feed withholds)."""
    values = [c.get("value") or "" for c in feed_parse.dicts(entry.get("content"))] + [str(entry.get("summary") or "")]
    return any(_PASSWORD_FORM.search(value) for value in values)


_WORDPRESS_GENERATOR = re.compile(r"https?://wordpress\.(?:org|com)/")
_WORDPRESS_COMMENT_GUID = re.compile(r"(?P<root>https?://[^?#]*)\?p=(?P<post>\d+)#comment-\d+")
WORDPRESS_FEED_SIZE = 10  # WordPress's posts_per_rss: how many comments a comments feed lists unless the blog changes it


def wordpress_newest_only(channel, entries: list) -> str | None:
    """A note for a WordPress post's comments feed that lists exactly as many comments as such a
    feed does by default: the post may have more, and its REST API lists them all (the blog's
    root and the post's id are in every comment's guid, ``ROOT?p=ID#comment-N``)."""
    generator = [str(channel.get("generator") or ""), str((channel.get("generator_detail") or {}).get("href") or "")]
    if len(entries) != WORDPRESS_FEED_SIZE or not any(_WORDPRESS_GENERATOR.match(g) for g in generator):
        return None
    guids = (_WORDPRESS_COMMENT_GUID.fullmatch(str(entry.get("id") or "").strip()) for entry in entries)
    found = {(m["root"], m["post"]) for m in guids if m}
    if len(found) != 1:
        return None
    ((root, post),) = found
    api = (root if root.endswith("/") else root + "/") + f"wp-json/wp/v2/comments?post={post}&per_page=100"
    return (f"the feed lists {WORDPRESS_FEED_SIZE} comments, as many as a WordPress comments feed lists by default (the newest): "
            f"the post may have more; they are all at {api} (import that address)")


# ---------------------------------------------------------------------------- phpBB

def without_forum_name(title: str, entry) -> str:
    """A phpBB post's title without the "FORUM • " its forum's feed opens it with: the forum is
    the entry's category, not the post's subject."""
    for tag in entry.get("tags") or []:
        for name in {str(tag.get("term") or "").strip(), str(tag.get("label") or "").strip()} - {""}:
            if title.startswith(name + " • "):
                return title[len(name) + 3:].strip()
    return title


# ---------------------------------------------------------------------------- b2evolution, Dotclear

_IN_RESPONSE_TO = re.compile(r"(?:In response to|Re): (?P<post>.+)", re.S)


def post_title_of_comment(title: str, author: str | None) -> str | None:
    """The post a comment's title names: b2evolution's "In response to: POST", Disqus's "Re: POST",
    Dotclear's "POST - NAME" (NAME being the comment's author); None for any other title."""
    response = _IN_RESPONSE_TO.fullmatch(title)
    if response:
        return response.group("post").strip()
    suffix = f" - {author}" if author else None
    if suffix and title.endswith(suffix) and len(title) > len(suffix) and not title.startswith("[ping] "):
        return title[: -len(suffix)].strip()
    return None


# ---------------------------------------------------------------------------- pingbacks, deleted comments

# WordPress shows a pingback (another page linking here) as "[…] an excerpt of that page […]",
# authored by that page's title; a comments feed gives no comment type to tell it by.
_PINGBACK = re.compile(r"\A\[(?:…|\.\.\.)\].*\[(?:…|\.\.\.)\]\Z", re.S)


def pingback(entry) -> bool:
    """WordPress's "[…] excerpt […]", or Dotclear's "[ping] POST - BLOG" title."""
    return _PINGBACK.match(bodies.plain_words(entry.reply.body)) is not None or (entry.reply.title or "").startswith("[ping] ")


DELETED_AUTHOR = "[deleted]"  # as the Disqus importer names a removed post others answer


def deleted_as_placeholders(entries: list, notes: list[str]) -> list:
    """A comment with no author and no text is one its site deleted (Isso keeps one that others
    answer so): a "[deleted]" placeholder where others answer it, else left out (noted)."""
    deleted = [e for e in entries if "deleted" in e.repairs]
    if not deleted:
        return entries
    answered = {e.reply.parent_id for e in entries}
    kept = [e for e in deleted if e.reply.id in answered]
    for entry in kept:
        entry.reply = replace(entry.reply, author=DELETED_AUTHOR)
    notes.append(f"{len(deleted)} deleted comment(s) (no author, no text): {len(deleted) - len(kept)} left out, {len(kept)} kept "
                 f"as '{DELETED_AUTHOR}' placeholder(s) because others answer them")
    return [e for e in entries if "deleted" not in e.repairs or e in kept]


# ---------------------------------------------------------------------------- FeedBurner

_FEEDFLARE = re.compile(r"""<div class=["']feedflare["']>.*?</div>""", re.S | re.I)


def feedburner_original(entry) -> str | None:
    """The entry's own address a FeedBurner feed gives beside its redirect, or None."""
    original = str(entry.get("feedburner_origlink") or "").strip()
    return original if original.startswith(("http://", "https://")) else None


def without_feedburner_flare(value: str) -> str:
    """The HTML without FeedBurner's box of sharing buttons."""
    return _FEEDFLARE.sub("", value)


# ---------------------------------------------------------------------------- Mastodon

_STATUS_ADDRESS = re.compile(r"https?://(?P<host>[^/?#@]+)/@(?P<user>[A-Za-z0-9_.-]+)(?:@(?P<domain>[^/?#@]+))?/\d+/?")


def fediverse_account(link: str | None, home: str | None) -> str | None:
    """The account a post's address names: "NAME" on the feed's own server (``home``, None for a
    feed not Mastodon's), "NAME@HOST" on another."""
    match = _STATUS_ADDRESS.fullmatch(link or "")
    if not match or not home:
        return None
    host = (match.group("domain") or match.group("host")).lower()
    return match.group("user") if host == (home or "").lower() else f"{match.group('user')}@{host}"


# ---------------------------------------------------------------------------- Wikidot

# the footer's labels are translated: it is told by its links, to /forum/c-N and /forum/t-N (tried
# only where a run of blanks starts, as for the comment-count footer)
_WIKIDOT_FOOTER = re.compile(
    r"""(?<!\s)\s*(?:<br\s*/?>\s*)?[^<>]{1,60}<a\s[^>]*?href=["'][^"']*/forum/c-\d+[^"']*["'][^>]*>[^<]*</a>\s*<br\s*/?>"""
    r"""\s*[^<>]{1,60}<a\s[^>]*?href=["'][^"']*/forum/t-\d+[^"']*["'][^>]*>(?P<thread>[^<]*)</a>\s*\Z""", re.I)


def without_wikidot_footer(value: str) -> str:
    """A Wikidot post without the links to its forum category and thread that close it."""
    return _WIKIDOT_FOOTER.sub("", value)


def wikidot_thread_title(entry) -> str | None:
    """The thread a Wikidot post's closing links name, or None."""
    for content in entry.get("content") or []:
        found = _WIKIDOT_FOOTER.search(str(content.get("value") or ""))
        if found:
            return " ".join(html.unescape(found.group("thread")).split()) or None
    return None


def wikidot_author(entry) -> str | None:
    """The author a Wikidot forum feed names in its own element, or None."""
    return " ".join(str(entry.get("wikidot_authorname") or "").split()) or None


# ---------------------------------------------------------------------------- Discourse, phpBB footers

# Discourse's topic feeds end every post with a paragraph holding one link to the post itself
# ("Read full topic", translated)
_LAST_PARAGRAPH_LINK = re.compile(
    r"""<p>\s*<a\s[^>]*?\bhref=(?P<q>["'])(?P<href>[^"'<>]*)(?P=q)[^>]*>[^<>]*</a>\s*</p>\s*\Z""", re.I)


def without_link_to_itself(value: str, own_link: str) -> str:
    """The HTML without a closing paragraph that only links the post itself: a footer, not the post."""
    match = _LAST_PARAGRAPH_LINK.search(value)
    if match and html.unescape(match.group("href")).rstrip("/") == own_link.rstrip("/"):
        return value[: match.start()]
    return value


# phpBB's feeds end every post with "Statistics: Posted by <a ...memberlist.php...>NAME</a> — DATE"
# and a rule (the label is translated); the author and time are the entry's own already
_PHPBB_STATISTICS = re.compile(
    r"<p>[^<>]{2,40}:\s*[^<>]{0,40}<a [^>]*memberlist\.php\?mode=viewprofile[^>]*>[^<]*</a>[^<]*</p>\s*<hr\s*/?>\s*\Z", re.I)


def without_phpbb_statistics(value: str) -> str:
    return _PHPBB_STATISTICS.sub("", value)



# Forum feeds (Discuz!'s "Latest 20 threads of FORUM") cut their BBCode from a post's excerpt
# but keep a video or audio tag around its address, "[video=POSTER]URL[/video]"; linked
# text would run the tag into the address
_MEDIA_BBCODE = re.compile(
    r"\[(?P<tag>video|audio|media|flash|mp3|youtube)(?:=[^\[\]]*)?\]\s*(?P<url>https?://[^\s\[\]<>\"]+)\s*\[/(?P=tag)\]", re.I)
_MEDIA_KIND = {"audio": "audio", "mp3": "audio"}


# Forums that keep posts as BBCode and put them in their feeds unconverted (BBSXP, older ASP and PHP
# boards) leave its links and pictures too, which linked text would run into the address
_LINK_BBCODE = re.compile(r"""\[url=(?P<q>["']?)(?P<href>https?://[^\s"'\[\]<>]+)(?P=q)\](?P<text>.*?)\[/url\]"""
                          r"|\[(?P<tag>url|img)(?:=[^\[\]]*)?\]\s*(?P<address>https?://[^\s\[\]<>\"]+)\s*\[/(?P=tag)\]", re.I | re.S)


def media_bbcode_as_links(value: str) -> str:
    """Each media tag left in a post as its kind and address, which the body then links; a link
    or picture tag as the HTML link or picture it stands for."""
    def link(match: re.Match) -> str:
        if match["href"]:
            return f'<a href="{html.escape(match["href"])}">{match["text"]}</a>'
        address = html.escape(match["address"])
        return f'<img src="{address}">' if match["tag"].lower() == "img" else f'<a href="{address}">{address}</a>'

    value = _MEDIA_BBCODE.sub(lambda m: f"[{_MEDIA_KIND.get(m['tag'].lower(), 'video')}] {m['url']} ", value)
    return _LINK_BBCODE.sub(link, value)




# XenForo's feeds give a long quote with the button that unfolds it on the page, "Click to expand..."
_XENFORO_EXPAND_LINK = re.compile(r'<div class="bbCodeBlock-expandLink[^"]*">\s*<a [^>]*>[^<]*</a>\s*</div>')


def without_xenforo_expand_link(value: str) -> str:
    return _XENFORO_EXPAND_LINK.sub("", value)


# GitLab's issue feeds give an issue's text twice, cut to 240 characters in <description> (which
# feedparser files as content, first) and whole in <content>
_CUT_MARKS = ("…", "...")


def _uncut(value) -> tuple[str, bool]:
    """The text without the mark a copy cut short ends in, and whether it had one."""
    text = str(value or "").strip()
    mark = next((mark for mark in _CUT_MARKS if text.endswith(mark)), None)
    return (text[: -len(mark)].rstrip(), True) if mark else (text, False)


def without_cut_copies(contents: list) -> list:
    """The contents but those that only begin another one (a copy cut short, ending "…").
    Sorted, the texts beginning with a text follow it: one look each, not one per pair."""
    texts = [_uncut(content.get("value")) for content in contents]
    ordered = sorted(text for text, _ in texts)

    def begins_another(text: str) -> bool:
        after = bisect.bisect_right(ordered, text)
        return after < len(ordered) and ordered[after].startswith(text)

    return [content for content, (text, cut) in zip(contents, texts) if not cut or not begins_another(text)]

# ---------------------------------------------------------------------------- Lemmy

# Lemmy's post feeds (/feeds/c/COMMUNITY.xml, /feeds/u/NAME.xml, /feeds/all.xml) name a poster by
# their actor address (dc:creator https://HOST/u/NAME), open a post with "submitted by <a>NAME</a>
# to <a>COMMUNITY</a><br>N points | <a href=POST>M comments</a>" and link a link post's item to
# the page it shares (the post's own page is its guid); its inbox feed names a replier
# "/u/NAME <a href=...>(link)</a>"
_LEMMY_ACTOR = re.compile(r"https?://(?P<host>[^/\s]+)/u/(?P<user>[^/\s?#]+)/?")
_LEMMY_INBOX_AUTHOR = re.compile(r'/u/(?P<user>\S+) <a href="[^"]*">\(link\)</a>')
_LEMMY_HEADER = re.compile(
    r'\Asubmitted by <a href="[^"]*">[^<]*</a> to <a href="[^"]*">[^<]*</a><br\s*/?>\s*(?P<score>-?\d+) points \| '
    r'<a href="(?P<post>[^"]*)">(?P<comments>\d+) comments</a>(?:<br\s*/?>)?')


@dataclass(frozen=True)
class LemmyPost:
    """What the opening line of a Lemmy post says: its own page, score and number of comments."""

    page: str
    score: int | None  # None past 64 bits (or thousands of digits, which int() refuses)
    comments: int | None


def lemmy_post(entry) -> LemmyPost | None:
    """The post's opening line, unless its link is no web address (``javascript:``): a digest links the page it gives."""
    match = _LEMMY_HEADER.match(str(entry.get("summary") or "").strip())
    page = html.unescape(match["post"]).strip() if match else ""
    if not page.startswith(("http://", "https://")):
        return None
    return LemmyPost(page, common.whole_number(match["score"]), common.count(match["comments"]))


def without_lemmy_header(value: str) -> str:
    return _LEMMY_HEADER.sub("", value, count=1)


def lemmy_author(entry, name: str | None) -> str | None:
    """A Lemmy account as Lemmy shows it: NAME on the post's own server, NAME@HOST from another."""
    inbox = _LEMMY_INBOX_AUTHOR.fullmatch(name or "")
    actor = _LEMMY_ACTOR.fullmatch(name or "")
    if inbox:
        return inbox["user"]
    if not actor:
        return name
    own = comment_links.split(str(entry.get("id") or entry.get("link") or ""))
    return actor["user"] if own and own.hostname == actor["host"].lower() else f"{actor['user']}@{actor['host']}"

# ---------------------------------------------------------------------------- Medium

# Medium tags every link of its feeds "?source=rss-<user>------2" (a publication's
# "?source=rss----<id>---4") and ends a publication's post with where it was first published
_MEDIUM_SOURCE_TAG = re.compile(r"(?P<sep>[?&])source=rss-+[0-9a-f]+-+\d+(?=&|#|\Z)")
# (tried only where a run of blanks starts, as for the comment-count footer)
_MEDIUM_FOOTER = re.compile(
    r"(?:<hr\s*/?>|(?<!\s))\s*<p><a [^>]*>[^<]*</a> was originally published in <a [^>]*>[^<]*</a> on Medium, where people are "
    r"continuing the conversation by highlighting and responding to this story\.</p>\s*\Z")


def without_medium_source_tag(link: str) -> str:
    """The address as readers share it: without Medium's tag of the feed it was read from."""
    untagged = _MEDIUM_SOURCE_TAG.sub(lambda m: m["sep"] if m["sep"] == "?" else "", link)
    return untagged.replace("?&", "?").replace("?#", "#").rstrip("?") if untagged != link else link


def without_medium_footer(value: str) -> str:
    return _MEDIUM_FOOTER.sub("", value)

# ---------------------------------------------------------------------------- Trac

_TRAC_TICKET = re.compile(r"https?://[^?#]+/ticket/\d+")
_TRAC_COMMENT = re.compile(r"https?://[^?#]+/ticket/\d+#comment:(?P<number>\d+)")
# the sentence is translated; its shape is Trac's: a paragraph ending in a link to the comment
# and a colon, over the quote of it
_TRAC_REPLYING = re.compile(
    r"""<p>\s*[^<>]{0,40}<a\s[^>]*?\bhref=(?P<q>["'])(?P<href>[^"'<>]*\#comment:\d+)(?P=q)[^>]*>[^<>]{1,200}</a>\s*:\s*</p>"""
    r"""(?=\s*<blockquote\s+class=["']citation["'])""", re.I)


TRAC_TICKET_NOTE = ("the feed gives the ticket's description but not who reported it or when: "
                    "the opening post has no author or date")


def trac_ticket_post(channel) -> dict | None:
    """The ticket itself, as a feed entry made of the channel of a Trac ticket's feed (its link
    the ticket, its description the ticket's), or None."""
    link = str(channel.get("link") or "").strip()
    description = channel.get("subtitle_detail") or {}
    if not (str(channel.get("generator") or "").startswith("Trac") and _TRAC_TICKET.fullmatch(link)):
        return None
    if not str(description.get("value") or "").strip():
        return None
    return {"id": link, "link": link, "links": [{"rel": "alternate", "href": link}], "summary_detail": description}


def trac_comment_number(link: str | None) -> int | None:
    match = _TRAC_COMMENT.fullmatch(link or "")
    return int(match.group("number")) if match else None


def trac_reply(value: str) -> tuple[str, str] | None:
    """The comment a Trac change answers ("Replying to NAME:") and its HTML without that line, or None."""
    match = _TRAC_REPLYING.search(value)
    if not match:
        return None
    return html.unescape(match.group("href")), value[: match.start()] + value[match.end():]

# ---------------------------------------------------------------------------- MyBB, vBulletin, Word

# MyBB (1.8) names a poster by a link to their profile, in RSS dc:creator and in Atom
# <name type="html"> alike: '<a href="https://SITE/member.php?action=profile&uid=N">NAME</a>'
_PROFILE_LINK_NAME = re.compile(r"\s*<a\s[^<>]*>(?P<name>[^<>]+)</a>\s*", re.I)


def name_without_profile_link(name: str) -> str:
    """A poster's name given as a link to their profile is the link's text."""
    match = _PROFILE_LINK_NAME.fullmatch(name)
    return " ".join(match.group("name").split()) if match else name


# MyBB's code boxes: a title ("Code:", "PHP Code:") over the code, its lines ended by <br />
# (and, in PHP's, coloured by <span>s, spaces as &nbsp;) inside <code>, which is no block
_MYBB_CODE_BLOCK = re.compile(
    r'<div class="codeblock[^"]*">\s*<div class="title">(?P<label>[^<>]*)</div>\s*<div class="body"[^>]*>\s*'
    r'(?:<div dir="ltr">\s*)?<code>(?P<code>.*?)</code>\s*(?:</div>\s*)?</div>\s*</div>', re.S | re.I)
_LINE_BREAK = re.compile(r"<br\s*/?>\n?", re.I)
_TAG = re.compile(r"<[^<>]*>")


def mybb_code_blocks_as_pre(value: str) -> str:
    """MyBB's code boxes as their title and a ``<pre>`` of the code's lines."""
    def pre(match: re.Match) -> str:
        code = html.unescape(_TAG.sub("", _LINE_BREAK.sub("\n", match.group("code")))).replace("\xa0", " ")
        return f"<p>{match.group('label').strip()}</p><pre>{html.escape(code.rstrip(), quote=False)}</pre>"

    return _MYBB_CODE_BLOCK.sub(pre, value)


# vBulletin 3's quote: a title ("Quote:", translated) over a one-cell table, "Originally Posted
# by <strong>NAME</strong>" and a "View Post" button above the quoted text when it names its poster
# (its code boxes are <pre class="alt2">, its HTML boxes <div class="alt2">: never a table)
_VBULLETIN_QUOTE = re.compile(
    r'<div class="smallfont"[^>]*>[^<>]*</div>\s*<table[^>]*>\s*(?:<tbody>\s*)?<tr>\s*<td class="alt2"[^>]*>'
    r'(?P<quote>.*?)</td>\s*</tr>\s*(?:</tbody>\s*)?</table>', re.S | re.I)
# vBulletin 3 and 4 open a quote naming its poster with a quote icon, and end that line with a
# "View Post" button (viewpost.gif, viewpost-right.png), pictures with nothing to read
_VIEW_POST_BUTTON = re.compile(r"<a\s[^<>]*>\s*<img\s[^<>]*viewpost[^<>]*>\s*</a>|<img\s[^<>]*/quote_icon\.[a-z]+[\"'][^<>]*>", re.I)


def vbulletin_quotes_as_blockquotes(value: str) -> str:
    """vBulletin 3's quote tables as blockquotes; no quote icons or "View Post" buttons."""
    return _VIEW_POST_BUTTON.sub("", _VBULLETIN_QUOTE.sub(lambda m: f"<blockquote>{m.group('quote')}</blockquote>", value))


_EMPTY_LIST = re.compile(r"<(?P<tag>ul|ol)\b[^<>]*>\s*</(?P=tag)\s*>", re.I)  # Redmine's list of a note's changes, when none


def forum_markup_cleaned(value: str) -> str:
    """MyBB's code boxes and vBulletin's quotes as the blocks they are (without vBulletin's quote
    icons and "View Post" buttons); empty lists left out."""
    return _EMPTY_LIST.sub("", vbulletin_quotes_as_blockquotes(mybb_code_blocks_as_pre(value)))


# Word writes a Symbol or Wingdings character (its bullets, arrows, ticks, Outlook's "J" smiley)
# as a private-use code point, U+F020-U+F0FF, which shows as a box or nothing anywhere else; a
# forum on a single-byte charset keeps it as a character reference (vBulletin's "&#61664;").
# These are the ones Word leaves most, as the symbol they stand for in Wingdings (U+F0B7 in Symbol).
_SYMBOL_FONT = {
    0xF04A: "☺", 0xF04C: "☹", 0xF06C: "●", 0xF076: "❖", 0xF0A7: "▪", 0xF0B7: "•", 0xF0D8: "➢",
    0xF0DF: "←", 0xF0E0: "→", 0xF0E1: "↑", 0xF0E2: "↓", 0xF0E8: "➔", 0xF0F0: "⇨", 0xF0FC: "✓",
}
_SYMBOL_FONT_CHARACTER = re.compile(r"&#(?:(?P<decimal>\d{5})|[xX](?P<hex>[fF]0[0-9a-fA-F]{2}));|[\uf020-\uf0ff]")


def with_symbol_font_characters(value: str) -> tuple[str, int]:
    """The text with Word's symbol-font characters as the symbols they show, and how many there were."""
    replaced = 0

    def symbol(match: re.Match) -> str:
        nonlocal replaced
        code = int(match.group("decimal")) if match.group("decimal") else (
            int(match.group("hex"), 16) if match.group("hex") else ord(match.group()))
        if code not in _SYMBOL_FONT:
            return match.group()
        replaced += 1
        return _SYMBOL_FONT[code]

    return _SYMBOL_FONT_CHARACTER.sub(symbol, value), replaced


def summary_repeats_title(entry) -> bool:
    """An entry whose only text is a plain summary that is its title (GitLab's issue feed gives an
    issue without description so): it has no text."""
    summary = entry.get("summary_detail") or {}
    title = str(entry.get("title") or "").strip()
    return (not entry.get("content") and "html" not in str(summary.get("type") or "html")
            and bool(title) and str(summary.get("value") or "").strip() == title)


# Rotor's feed of a forum topic (/topics/ID/rss) titles each post with its text (HTML, escaped) and
# gives the topic's title as its description
TEXT_IN_TITLES_NOTE = ("the feed gives each post's text as its title and the topic's title as its text (as Rotor's topic "
                       "feeds do): read the other way round")


def text_in_titles(channel, entries: list, notes: list[str]) -> list:
    """Entries whose every description is the feed's own title and whose titles are their texts,
    with title and text in their places (noted); other entries as they are."""
    topic = " ".join(str(channel.get("title") or "").split())
    if not topic or not entries or any(
            e.get("content") or not str(e.get("title") or "").strip() or " ".join(str(e.get("summary") or "").split()) != topic
            for e in entries):
        return entries
    notes.append(TEXT_IN_TITLES_NOTE)
    return [_title_as_text(entry) for entry in entries]


def _title_as_text(entry):
    copy = type(entry)(entry)
    text = str((entry.get("title_detail") or {}).get("value") or entry.get("title") or "")
    copy.update(summary=text, summary_detail={"type": "text/html", "value": text}, title="", title_detail=None)
    return copy


# ---------------------------------------------------------------------------- Yandex

def continues_elsewhere(channel, notes: list[str]) -> bool:
    """Yandex's ``ya:more`` links the next page of a feed: this file holds only the latest entries."""
    more = str(channel.get("ya_more") or "").strip()
    if more and not any(c.isspace() for c in more):  # a link, not the placeholder text of Yandex's documentation
        notes.append(f"the feed continues on another page ({more}); this file holds only its latest entries")
    return bool(more)


# ---------------------------------------------------------------------------- Redmine

# Redmine's feed of an issue (/issues/N.atom) lists its journal: each change and note, titled with
# the issue ("PROJECT - TRACKER #N: SUBJECT"), linked to the issue and identified as
# ISSUE?journal_id=J, the anchor of which on the issue's page is #change-J; not the issue's description
_REDMINE_JOURNAL = re.compile(r"(?P<issue>https?://[^?#]+/issues/\d+)\?journal_id=(?P<journal>\d+)")
REDMINE_ISSUE_NOTE = ("Redmine's feed of an issue gives its changes and notes, not the issue's own description: "
                      "the thread has no opening post")


def redmine_journal_link(entry) -> str | None:
    """A Redmine issue's change or note: its place on the issue's page."""
    match = _REDMINE_JOURNAL.fullmatch(str(entry.get("id") or "").strip())
    return f"{match.group('issue')}#change-{match.group('journal')}" if match else None


def site_as_author(channel) -> bool:
    """Redmine names its own title (Setting.app_title) as the author of every feed."""
    return str(channel.get("generator") or "").startswith("Redmine")


def engine_notes(channel, entries: list) -> list[str]:
    """What a feed of a particular engine leaves out, when it is that engine's."""
    redmine = site_as_author(channel) and any(map(redmine_journal_link, entries))
    return [REDMINE_ISSUE_NOTE] if redmine else []


# ---------------------------------------------------------------------------- Jira

# Jira's XML view of an issue (/si/jira.issueviews:issue-xml/KEY/KEY.xml, "Export > XML") and of a
# search (searchrequest-xml) is RSS 0.92 whose items are issues: <title>[KEY] SUMMARY</title>, <link>
# its page, <key>, <description> its text (HTML), <reporter username="u">Name</reporter> (Jira Cloud:
# accountid="…"), <created>, and <comments><comment id="N" author="u" created="RFC 822">HTML</comment>.
# A feed reader sees one entry, with the summary as its text and no comments; so each issue is
# rewritten as the Atom feed of its discussion, the issue itself the entry at the feed's address.
_JIRA_FIX = "check that the file is Jira's XML view of an issue (Export > XML), saved whole"
_JIRA_MARKS = (b"<key", b"<reporter", b"<summary")
_ATOM_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'


@dataclass(frozen=True)
class JiraIssue:
    key: str
    title: str
    link: str
    item: object  # the <item> element

    def describe(self) -> str:
        return f'"{self.title}" {self.link}'


def looks_like_jira(data: bytes) -> bool:
    """RSS whose items carry Jira's issue fields (a key, a reporter, a summary)."""
    head = xmlsafe.head(data)
    return head is not None and head.root == "rss" and all(mark in data for mark in _JIRA_MARKS)


@dataclass(frozen=True)
class JiraFeed:
    """The Atom feed of a Jira issue's discussion; ``damaged`` when the XML was broken (cut off), so
    that comments may be missing."""

    atom: bytes
    damaged: bool


def jira_as_atom(data: bytes, name: str, selector: str | None, notes: list[str]) -> JiraFeed:
    """The issue (the one ``selector`` names, when the file holds several) as the Atom feed of its
    discussion: the issue by its reporter, then its comments, each linked to its place on the page."""
    parsed = xmlsafe.parse(data, name, fix=_JIRA_FIX, tolerant=True)
    damage = next((p for p in parsed.problems if p.kind == "damage"), None)
    if damage:
        message = re.sub(r"\s*line \d+\Z", "", damage.message)
        notes.append(f"the Jira XML is broken at line {damage.line} ({message}; cut off?): imported what could be read, "
                     "comments may be missing")
    issues = [_jira_issue(item) for item in parsed.root.iter() if xmlsafe.local_name(item) == "item" and _child(item, "key") is not None]
    issue = _chosen_issue(issues, selector, name, notes)
    item = issue.item
    people = _jira_people(item)
    reporter = _child(item, "reporter")
    entries = [_jira_entry(issue.link, issue.title, xmlsafe.text(reporter), xmlsafe.text(_child(item, "created")),
                           xmlsafe.text(_child(item, "description")), common.whole_number(xmlsafe.text(_child(item, "votes"))))]
    unnamed = set()
    comments = [c for c in parsed.root.iter() if xmlsafe.local_name(c) == "comment"]
    cut = comments[-1] if damage and data.count(b"</comment>") < len(comments) else None  # the one the file breaks off in
    if cut is not None and any(c is cut for c in item.iter()):
        notes.append("the comment the file breaks off in is left out")
    for comment in (c for c in item.iter() if xmlsafe.local_name(c) == "comment" and c is not cut):
        author = xmlsafe.attribute(comment, "author") or ""
        author = people.get(author) or (feed_parse.name_for_address(author) if feed_parse.ADDRESS.fullmatch(author) else author)
        unnamed |= {author} if author and author not in people.values() else set()
        number = xmlsafe.attribute(comment, "id") or ""
        link = f"{issue.link}?focusedCommentId={number}#comment-{number}" if number else issue.link
        entries.append(_jira_entry(link, None, author, xmlsafe.attribute(comment, "created"), xmlsafe.text(comment)))
    notes.append(f"read as Jira's XML view of {issue.key}: its description opens the thread and its {len(entries) - 1} "
                 "comment(s) follow (its history of changes is not in the file)")
    if unnamed:
        notes.append(f"Jira's XML names {len(unnamed)} commenter(s) only by user name or account id, not by the name Jira shows "
                     f"(it gives names for the reporter and assignee alone): {', '.join(sorted(unnamed))}")
    parts = [_ATOM_HEAD, _atom("title", issue.title), _atom("id", issue.link),
             f'<link rel="alternate" href={quoteattr(issue.link)}/>', *entries, "</feed>"]
    return JiraFeed("\n".join(filter(None, parts)).encode("utf-8"), damage is not None)


def _jira_people(item) -> dict[str, str]:
    """The names Jira gives, by user name and account id: the reporter's and the assignee's only."""
    people = [p for p in item.iter() if xmlsafe.local_name(p) in ("reporter", "assignee") and xmlsafe.text(p)]
    return {key: xmlsafe.text(p) for p in people for key in (xmlsafe.attribute(p, "username"), xmlsafe.attribute(p, "accountid")) if key}


def _child(element, local: str):
    return next((c for c in element if xmlsafe.local_name(c) == local), None)


def _jira_issue(item) -> JiraIssue:
    key = xmlsafe.text(_child(item, "key"))
    summary = xmlsafe.text(_child(item, "summary"))
    return JiraIssue(key, xmlsafe.text(_child(item, "title")) or f"[{key}] {summary}", xmlsafe.text(_child(item, "link")), item)


def _chosen_issue(issues: list[JiraIssue], selector: str | None, name: str, notes: list[str]) -> JiraIssue:
    """The file's one issue, or the one --thread names by key or address among several."""
    if not issues:
        raise SourceError("the Jira XML holds no issue (no <item> with a <key>)", where=name, fix=_JIRA_FIX)
    if len(issues) == 1:
        return issues[0]
    wanted = (selector or "").strip()
    if not wanted:
        raise SourceError(f"the Jira XML holds {len(issues)} issues:\n" + common.listing(issues), where=name,
                          fix="choose one with --thread KEY (such as --thread " + issues[0].key + ")")
    found = [i for i in issues if wanted.upper() == i.key.upper() or (i.link and wanted.rstrip("/") == i.link.rstrip("/"))]
    if len(found) != 1:
        raise SourceError(f"--thread {wanted!r} names none of the Jira XML's {len(issues)} issues:\n" + common.listing(issues),
                          where=name, fix="give one of the keys listed, such as --thread " + issues[0].key)
    notes.append(f"the Jira XML holds {len(issues)} issues: imported {found[0].key} and left out the others")
    return found[0]


# Jira boxes code and preformatted text in two <div>s around the <pre>, the outer of class "code";
# a link to another issue opens with the icon of its type
_JIRA_ICON = re.compile(r'<img class="icon"[^<>]*>', re.I)
_JIRA_PANEL = re.compile(r'<div class="(?:code|preformatted) panel"[^>]*>\s*<div class="\w+Content panelContent"[^>]*>\s*'
                         r"(?P<pre><pre\b.*?</pre>)\s*</div>\s*</div>", re.S | re.I)


def _jira_entry(link: str, title: str | None, author: str, created: str | None, content: str, votes: int | None = None) -> str:
    """An Atom entry; the issue's votes are its score, as a rank on its own site (see ``feed._site_scores``)."""
    when = common.parse_mail_date(created)
    content = _JIRA_ICON.sub("", _JIRA_PANEL.sub(lambda m: m.group("pre"), content))
    return "".join(filter(None, [
        "<entry>", _atom("id", link), f"<link rel=\"alternate\" href={quoteattr(link)}/>", _atom("title", title),
        f"<author>{_atom('name', author)}</author>" if author else None,
        f'<re:rank xmlns:re="http://purl.org/atompub/rank/1.0" scheme={quoteattr(link)}>{votes}</re:rank>' if votes else None,
        _atom("published", when.isoformat() if when else created),
        f'<content type="html">{escape(content)}</content>' if content else None, "</entry>",
    ]))


def _atom(tag: str, value: str | None) -> str | None:
    return f"<{tag}>{escape(value)}</{tag}>" if value and value.strip() else None
