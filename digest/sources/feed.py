"""RSS 0.9x / 1.0 (RDF) / 2.0 and Atom feeds, read with feedparser.

A blog or forum feed, or a comments feed ("Comments on: ..."), becomes one thread: the
channel/feed is the discussion (title, link), its entries are the replies, oldest first.
``request.thread``, when given, must name that thread (its id, link, or a part of its link
or title); a feed it does not name is refused rather than imported in its place.
A site-wide comments feed (WordPress's "Comments for SITE": the latest comments on several
posts, each linked as ``POST#comment-N`` and titled "Comment on POST by NAME"; Blogger's
blog comments feed, ``POST?showComment=T#cN``; remark42's ``POST#remark42__comment-ID``;
Movable Type's ``POST#cN`` whose ``thr:in-reply-to`` points into POST; Yandex's ``ya:post``;
Discourse's ``/posts.rss``, posts linked ``/t/SLUG/ID/N`` or ``/t/SLUG/ID?page=P#post_N``, one
thread per topic; reddit's subreddit comments feed, ``/r/SUB/comments/POST/SLUG/COMMENT/``)
holds one thread per post: the posts are listed to choose from with ``request.thread`` (the
post's link or a part of its title), and only the chosen post's comments are imported (a
note counts the others).  Drupal links comments to their own pages (``/comment/N#comment-N``),
which name no post: they are the feed's (noted).  The comment page
of a post whose comments are broken into pages (``comment-page-N/``, ``cpage=N``) is no part
of the post's address, and a feed whose link is one of the posts is that post's feed.
Replies are threaded when an entry says what it answers: RFC 4685 ``thr:in-reply-to``
(ref = another entry's id, or href = another entry's link), Yandex's ``ya:parent``, or, on such an entry, a
``link rel="related"`` to another entry (Blogger comment feeds); without those, WordPress's
leading "In reply to <a href=...#comment-N>Name</a>." (translated; dropped from the body
once its link has found the parent).  An entry is found only by its own id and
alternate/self/edit links, never by the links it points at.  Author names are HTML-unescaped
once (WordPress writes them escaped); WordPress 2.x comment feeds without ``dc:creator``
give the name in the title "Comment on POST by NAME".  ``slash:comments`` or ``thr:total``
become ``engagement.replies``; an Atom ``re:rank`` whose scheme is the entry's own site
(Stack Exchange's votes) becomes ``engagement.score``.  ``openSearch:totalResults``
(Blogger) becomes ``total_replies``, and the thread is partial when the file holds fewer
entries, or when the file is cut off (an entry the cut falls inside is left out).
A Discourse topic feed (``/t/slug/ID.rss``, posts linked ``/t/slug/ID/N``) numbers its
posts by N and is partial when the numbers do not run from 1 without gaps (such a feed
lists only the latest posts); reply titles that only repeat the thread's are dropped.  A
Discourse post's HTML is the forum's cooked HTML (``discourse_cooked``), without the footer
linking the post itself ("Read full topic"), and its poster is named by username (the site's
``/posts.rss`` writes "@username Full Name").  reddit's "/u/NAME" is NAME, and its
"[deleted]"/"[removed]" comments are left out (counted).  Yandex's ``ya:more`` (a next page)
makes the thread partial.
The opening post is the entry that is the discussion itself, when there is one: the entry
whose address is the feed's link (a Stack Exchange question feed's question) or a topic's
post #1.  Other feeds do not carry the article their comments answer.
Reading the bytes is ``feed_parse``'s job: UTF-16/32 named only by its byte order mark is
read as XML 1.0 allows, without an error, and these repairs are noted: UTF-8 bytes under a single-byte declaration (windows-1252,
ISO-8859-x) are read as UTF-8; relative links with no xml:base resolve against the feed's
own address (the URL it came from, its rel="self" link, else its channel link); HTML
escaped twice (a text with no real tag, wrapped whole in escaped tags) is unescaped once;
Atom ``content src`` becomes a link.  Times keep their zone only when it is certain: an
offset, a name feedparser applies, or an abbreviation ``common.zone_offset`` knows (noted);
other times, and times without a zone, are kept as text (noted).  An author given only as an e-mail address is shown
by its local part (a placeholder such as dummy@ names nobody), never the address; a feed's
own author given so is a contact address and names no one.  A Mastodon account feed's posts are the account's
(also GoToSocial's, told by Mastodon's "Public posts from @user@host" description); Media RSS
images, video and audio the body does not show are linked after it, and a picture's alt text
(feedparser's plain-text content beside a summary) is not the post.  Comments Blogger marks
removed are left out; entries sharing an id but saying different things are told apart.  A
Blogger export (Takeout) is read like a site-wide comments feed whose posts are in it too:
one thread per published post; template, settings and drafts are left out (noted).  An
OStatus account feed's follows, favourites and deletions are no posts (left out, counted).
Entry times are ``feed_times``' to read, linked media ``feed_media``'s, and what particular
engines put in their feeds (LiveJournal's posters, NodeBB's first post in the channel, Tumblr's
blog, WordPress's password form) ``feed_engines``'; a site-wide comments feed whose comments
are all on one post is that post's thread (noted).  A JSON Feed is read as the Atom feed it stands for (``feed_json``),
and Jira's XML view of an issue as the Atom feed of the issue's discussion (``feed_engines``).
"""

from __future__ import annotations

import hashlib
import html
import re
from xml.sax.saxutils import unescape as xml_unescape
from collections import Counter
from dataclasses import dataclass, replace
from urllib.parse import urlunsplit

from digest import body as bodies
from digest import sources
from digest.errors import SourceError
from digest.model import Engagement, Reply, Thread
from digest.sources import comment_links, common, discourse_cooked, reddit, xmlsafe
from digest.sources import feed_engines, feed_json, feed_media, feed_parse, feed_times

DESCRIPTION = "RSS 0.9x/1.0/2.0 or Atom feed (a blog, forum or comments feed) as one thread"

# (the https form is a mirror's or a plugin's rewrite of the namespace; feedparser reads it as Atom)
_ATOM_NAMESPACES = ("http://www.w3.org/2005/atom", "https://www.w3.org/2005/atom", "http://purl.org/atom/ns#")
_RSS1_NAMESPACES = ("http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/")


def sniff(doc) -> bool:
    """RSS (<rss>), RDF (<rdf:RDF> with an RSS namespace) or Atom (<feed> in the Atom namespace),
    but never a WordPress export, which is RSS too and has its own reader."""
    head = xmlsafe.head(doc.data)
    if head is None:
        return feed_json.looks_like_json_feed(doc.data)
    lower = head.text.lower()
    if head.root == "rss":
        from digest.sources import wxr  # the WXR check lives with the WXR reader

        return not wxr.looks_like_wxr(head.text)
    if head.local == "RDF":
        return any(ns in lower for ns in _RSS1_NAMESPACES) or "<channel" in lower
    if head.local == "feed":
        return any(ns in head.root_tag.lower() for ns in _ATOM_NAMESPACES)
    return False


def read(request) -> Thread:
    doc = xmlsafe.only_document(request, "feed")
    notes: list[str] = []
    json_feed = feed_json.as_atom(doc.data, doc.name, notes) if feed_json.looks_like_json_feed(doc.data) else None
    jira = feed_engines.jira_as_atom(doc.data, doc.name, request.thread, notes) if feed_engines.looks_like_jira(doc.data) else None
    doc = replace(doc, data=(json_feed or jira).atom if json_feed or jira else feed_parse.as_declared_or_utf8(doc.data, notes))
    try:
        parsed = feed_parse.parse(doc)
    except SourceError:
        sources.refuse_other_format(request, "feed")  # a file of another format says which it is
        raise
    if parsed.get("relative_base"):
        notes.append(f"the feed's relative links were resolved against its own address, {parsed['relative_base']}")
    elif parsed.get("relative_unresolved"):
        notes.append("the feed's links are relative and it names no address of its own (a copy from a mirror?): "
                     "they are left out; import the feed by its URL to keep them")
    elif parsed.get("relative_channel_link"):
        notes.append(f"the feed's own link {parsed['relative_channel_link']!r} is no address (the feed names none to read it "
                     "against) and is left out; its entries' links are kept")
    problem = feed_parse.problem_worth_noting(parsed)
    if problem is not None:
        notes.append(f"the feed has errors ({feed_parse.describe(problem)}); imported what the parser could read")
    loose = feed_parse.read_loosely(parsed)
    channel = parsed.get("feed", {})
    feed_author = None if feed_engines.site_as_author(channel) else _channel_author(channel, loose, notes)
    complete, cut_off = feed_parse.complete_entries(doc, parsed, notes)
    scores = _site_scores(doc, notes)
    complete, whole_blog = _blogger_export_entries(complete, notes)
    complete = feed_engines.without_journal_contact(channel, _without_activities(complete, notes))
    kept = _without_removed(doc, complete, notes)
    removed, complete = len(complete) - len(kept), kept
    first_post = feed_engines.nodebb_first_post(channel)
    carried = first_post or feed_engines.trac_ticket_post(channel)
    if carried:  # NodeBB's topic feed carries the topic's first post in its channel, Trac's the ticket
        complete = [carried] + complete
        notes.extend([] if first_post else [feed_engines.TRAC_TICKET_NOTE])
    notes.extend(feed_engines.engine_notes(channel, complete))
    complete = feed_engines.text_in_titles(channel, complete, notes)
    chinese = str(channel.get("language") or "").lower().startswith("zh")
    home = comment_links.split(str(channel.get("link") or "")) if str(channel.get("generator") or "").startswith("Mastodon") else None
    home = home.hostname if home else None  # a Mastodon feed's server: its tag feeds name authors only in post addresses
    entries = [_entry(e, feed_author, loose, scores, chinese, home) for e in complete]
    entries, deleted = _without(entries, _reddit_deleted, 'deleted or removed comment(s) skipped (reddit shows them as "[deleted]" or "[removed]")', notes)
    entries, pings = _without(entries, feed_engines.pingback, 'pingback(s) skipped: excerpts of other pages that link here ("[…] text […]"), not comments', notes)
    removed += deleted + pings
    entries = _drop_duplicates(entries, notes)
    feed_times.note_zone_names([e.when for e in entries if e.when], notes)
    _note_repairs(entries, notes)
    page = _Page(
        id=(channel.get("id") or "").strip() or None,
        title=_plain(channel.get("title_detail")) or None,
        url=_alternate_link(channel),
    )
    in_file = len(entries) + removed
    if not in_file and not cut_off:
        notes.append("the feed holds no entries: nothing to import but its title and link")
    story = feed_engines.hnrss_story(channel)
    if story and entries:
        notes.append("hnrss does not say which comment answers which, so the comments are not threaded; the story's tree is "
                     f"https://hn.algolia.com/api/v1/items/{story} (import it with --format hackernews)")
    whole_feed = page
    page, entries = _one_post(page, entries, request.thread, doc.name, notes, whole_blog)
    entries, _ = _without(entries, lambda e: "password form" in e.repairs, "comment(s) on a password-protected post left out: "
                          "the feed gives the password form in place of their text", notes)
    gaps = _number_topic_posts(entries, page.url, notes, whole_feed=page == whole_feed)
    gaps = feed_engines.nodebb_replies_missing(first_post, len(complete) - 1, notes) or gaps
    page, topic_gap = _phpbb_topic(page, entries, notes)
    opening, entries = _opening_entry(entries, page.url)
    missing = _link_parents(entries, {page.url, page.id} | (opening.keys if opening else set()))
    entries = feed_engines.deleted_as_placeholders(entries, notes)
    if missing:
        notes.append(f"{missing} entr{'y answers' if missing == 1 else 'ies answer'} entries that are not in the feed")
    ordered = [e.reply for e in _chronological(entries, notes)]
    everyone = _with_mentions(ordered + ([opening.reply] if opening else []))
    replies, loops = xmlsafe.break_parent_loops(everyone[: len(ordered)])
    if loops:
        notes.append(f"{loops} entr{'y' if loops == 1 else 'ies'} answered each other in a loop; shown as answering the thread")
    replies = _without_repeated_titles(replies, page.title)
    feed_total = _stated_total(channel)
    paged = feed_total is not None and feed_total > in_file
    if paged:
        notes.append(f"the feed says it has {feed_total} entries; this file holds {in_file} of them (one page of a paged feed)")
    paged = feed_engines.continues_elsewhere(channel, notes) or bool(json_feed and json_feed.next_page) or paged
    total = feed_total if page == whole_feed else None  # a site-wide feed's total is not one post's
    newest_only = (feed_engines.wordpress_newest_only(channel, complete) or feed_engines.isso_newest_only(complete)
                   if page.id == whole_feed.id and not paged else None)
    if newest_only:
        notes.append(newest_only)
    opening_post = everyone[-1] if opening else None
    notes.extend(filter(None, [common.spoiler_note([r.body for r in everyone], "the site", "reply")]))
    return Thread(
        id=page.id or page.url or _fallback_id(page.title, replies),
        title=page.title,
        url=page.url,
        replies=tuple(common.order_by_parents(replies)),
        source_format="feed",
        retrieved_at=request.retrieved_at,
        partial=missing > 0 or cut_off or gaps or paged or topic_gap or bool(jira and jira.damaged),
        total_replies=total,
        author=(opening_post.author if opening_post else None) if page.phpbb_topic else (feed_author or (opening_post.author if opening_post else None)),
        opening_post=opening_post,
        import_notes=tuple(notes),
    )


def _fallback_id(title: str | None, replies: list[Reply]) -> str:
    """A feed without id or link: its title, else its first entry, names it across re-imports."""
    seed = title or (replies[0].id if replies else "")
    return "h-" + hashlib.sha1(seed.encode()).hexdigest()[:12]


# ---------------------------------------------------------------------------- entries

@dataclass
class _Entry:
    reply: Reply
    keys: set[str]  # id and links other entries may use to point at this one
    targets: list[tuple[str | None, str | None]]  # (ref, href) it answers: thr:in-reply-to, link rel="in-reply-to"
    related: list[str]  # rel="related" links, trusted only on entries that answer something
    sort_time: float | None  # for ordering, even when the zone is unknown
    reply_line: _ReplyLine | None = None  # WordPress's "In reply to <a>Name</a>." opening
    post: _CommentedOn | None = None  # the post a comment in a site-wide comments feed is on
    when: feed_times.When | None = None  # for the notes on zone names
    repairs: frozenset[str] = frozenset()  # what was made of an unusual entry, for the notes


@dataclass(frozen=True)
class _ReplyLine:
    href: str  # the comment it answers ("...#comment-12")
    body_without: str  # the body once the sentence is taken out


# A link only identifies the entry it sits on when it is the entry's own address.
_OWN_RELS = ("alternate", "self", "edit")


def _entry(entry, feed_author: str | None, loose: bool, scores: dict[str, int], chinese: bool = False,
           home: str | None = None) -> _Entry:
    lemmy = feed_engines.lemmy_post(entry)
    link = (feed_engines.feedburner_original(entry) or feed_engines.redmine_journal_link(entry)
            or (lemmy.page if lemmy else _alternate_link(entry)))
    discourse = comment_links.discourse_post(link)
    content = _Content("") if feed_engines.summary_repeats_title(entry) else _content(entry, link, link if discourse else None)
    text, symbols = feed_engines.with_symbol_font_characters(content.body + feed_media.attachments(entry, content.body))
    content = replace(content, body=text)
    named = (feed_engines.journal_poster(entry) or feed_engines.nodebb_name(feed_engines.lemmy_author(entry, _author(entry, loose)))
             or feed_engines.wikidot_author(entry))
    named = (_discourse_username(named) if discourse else named) or _name_in_title(entry)
    account = None if named or feed_author else feed_engines.fediverse_account(link, home)
    author = named or feed_author or account or "anonymous"
    title = feed_engines.without_forum_name(_plain(entry.get("title_detail")), entry)
    when = feed_times.entry_time(entry, chinese)
    deleted = not content.body and not named and feed_engines.numbered_comment_title(title)
    source_id = (entry.get("id") or "").strip() or None
    reply = Reply(
        id=common.stable_id(source_id=source_id, permalink=link, author=author, body=content.body),
        number=feed_engines.trac_comment_number(link),
        author=author,
        body=content.body,
        permalink=link,
        posted_at=when.at,
        posted_at_text=when.text,
        engagement=_engagement(entry, scores.get(source_id or ""), lemmy),
        title=title or None,
    )
    links = [item for item in entry.get("links", []) or [] if item.get("href")]
    own = [item["href"] for item in links if item.get("rel", "alternate") in _OWN_RELS]
    keys = {key for key in [source_id, link] + own if key}
    targets = [(t.get("ref"), t.get("href")) for key, t in entry.items() if key.endswith("in-reply-to") and isinstance(t, dict)]
    targets += [(None, item["href"]) for item in links if item.get("rel") == "in-reply-to"]
    targets += [(None, parent) for parent in [str(entry.get("ya_parent") or "").strip()] if parent]  # Yandex's ya:parent
    related = [item["href"] for item in links if item.get("rel") == "related"]
    repairs = {
        "content elsewhere": bool(content.elsewhere),
        "escaped twice": content.unescaped,
        "name from address": feed_parse.given_as_address(entry),
        "password form": feed_engines.password_form_only(entry),
        "account from address": bool(account),
        "deleted": deleted,
        "no text": not content.body and not deleted,
        "symbol font": symbols > 0,
    }
    return _Entry(
        reply, keys, targets, related, when.sort_time, content.reply_line, _commented_on(entry, link or source_id), when,
        frozenset(kind for kind, done in repairs.items() if done),
    )


def _alternate_link(node) -> str | None:
    """The public page: an alternate link, else an RSS guid that is a permalink URL."""
    for link in node.get("links", []) or []:
        href = (link.get("href") or "").strip()
        if link.get("rel", "alternate") == "alternate" and href.startswith(("http://", "https://")):
            return feed_engines.without_medium_source_tag(href)
    href = (node.get("link") or "").strip()
    return feed_engines.without_medium_source_tag(href) if href.startswith(("http://", "https://")) else None


def _author(node, loose: bool) -> str | None:
    """The name, HTML-unescaped once: WordPress writes ``O&#039;Brien`` inside CDATA.  The
    loose parser's own extra escaping is undone first, so the result is the same either way;
    a name is never unescaped twice (``&amp;amp;`` in the source stays ``&amp;``).  An e-mail
    address is never a name: see ``feed_parse.name_for_address``."""
    detail = feed_parse.author_detail(node)
    name = (detail.get("name") or node.get("author") or "").strip()
    if loose:
        name = xml_unescape(name)
    name = feed_engines.name_without_profile_link(" ".join(html.unescape(name).split()))  # MyBB links it
    if not name or feed_parse.ADDRESS.fullmatch(name):
        return feed_parse.name_for_address(name or (detail.get("email") or "").strip())
    reddit = _REDDIT_USER.fullmatch(name)
    return reddit.group("user") if reddit else name


# reddit's feeds name a user "/u/NAME"; the name is NAME, as reddit's own exports give it
_REDDIT_USER = re.compile(r"/?u/(?P<user>[^/\s]+)")
# Discourse's site-wide /posts.rss names a poster "@USERNAME Full Name" (the name only where the
# site shows names); its topic feeds, and its JSON, name them by USERNAME alone
_DISCOURSE_CREATOR = re.compile(r"@(?P<user>[^\s@]+)(?:\s.*)?", re.S)


def _discourse_username(name: str | None) -> str | None:
    """A Discourse poster as the topic feed names them: by username."""
    match = _DISCOURSE_CREATOR.fullmatch(name or "")
    return match.group("user") if match else name


def _channel_author(channel, loose: bool, notes: list[str]) -> str | None:
    """The feed's own author.  One given only as an e-mail address is the site's contact
    (RSS managingEditor, a channel dc:creator "help@site"), not a person who wrote the
    entries, so it names no one (noted)."""
    if feed_parse.given_as_address(channel):
        notes.append("the feed's own author is given only as an e-mail address (a contact, not a name); not used as the author")
        return _owner_by_convention(channel)
    return _author(channel, loose) or _owner_by_convention(channel)


def _owner_by_convention(channel) -> str | None:
    """Whose posts a feed that names no author holds, by its engine's conventions: a Mastodon
    account's, a LiveJournal-style journal's, a Tumblr blog's."""
    return _account_of_user_feed(channel) or feed_engines.journal_owner(channel) or feed_engines.tumblr_blog(channel)


# Mastodon's feed of an account's posts (https://HOST/@NAME.rss) names no author: the
# channel is the account, titled with its display name and linked to its profile.
_PROFILE = re.compile(r"https?://[^/?#]+/@(?P<user>[^/?#@]+)/?")


_PUBLIC_POSTS = re.compile(r"Public posts from @[^@\s]+@\S+")


def _account_of_user_feed(channel) -> str | None:
    """The account a Mastodon user feed is for: its display name (the channel title), else @NAME."""
    generator = str(channel.get("generator") or "")
    profile = _PROFILE.fullmatch(str(channel.get("link") or "").strip())
    fediverse = generator.startswith("Mastodon") or _PUBLIC_POSTS.match(_plain(channel.get("subtitle_detail")) or "")
    if not (fediverse and profile):  # GoToSocial and others write Mastodon's description, not its generator
        return None
    return _plain(channel.get("title_detail")) or "@" + profile.group("user")


# WordPress's site-wide comments feed (and its 2.x post comment feeds, which have no
# dc:creator) title each comment "Comment on POST by NAME" (English only: a translated title
# is left alone rather than guessed at).  The last " by " ends the post title, which may
# hold one ("Stand by Me").
_COMMENT_TITLE = re.compile(r"Comment on (?P<post>.+) by (?P<name>\S.{0,199})", re.S)


def _name_in_title(entry) -> str | None:
    """The name in a WordPress comment title, only on an entry whose address is a comment's."""
    addresses = " ".join(filter(None, [entry.get("id"), entry.get("link")]))
    match = _COMMENT_TITLE.fullmatch(_plain(entry.get("title_detail")))
    return match.group("name").strip() if match and "#comment-" in addresses else None


@dataclass(frozen=True)
class _Content:
    body: str
    reply_line: _ReplyLine | None = None
    elsewhere: str | None = None  # Atom <content src>: the content is at this address, not in the feed
    unescaped: bool = False  # the text was HTML escaped twice and has been unescaped once


def _content(entry, link: str | None = None, discourse_post: str | None = None) -> _Content:
    """Full content before the summary; HTML through from_html, plain text through from_plain_text.
    Also WordPress's "In reply to" opening of HTML content, when it has one.  Atom content
    given by reference (``src``, RFC 4287 4.1.3.2) is a link to it, after the summary.  A
    Discourse post's (``discourse_post``: its address) HTML is the forum's cooked HTML."""
    src = next((c.get("src").strip() for c in entry.get("content") or [] if (c.get("src") or "").strip()), None)
    # feedparser files a Media RSS picture's media:description (its alt text) as the entry's
    # plain-text content: beside a summary, that is the picture's label, not the post
    alt_texts = bool(entry.get("media_content")) and bool(entry.get("summary"))
    candidates = [c for c in feed_engines.without_cut_copies(entry.get("content") or [])
                  if not c.get("src") and not (alt_texts and c.get("type") == "text/plain")]
    if entry.get("summary_detail"):
        candidates.append(entry["summary_detail"])
    elif entry.get("summary"):
        candidates.append({"type": "text/html", "value": entry["summary"]})
    found = next((_text_of(detail, link, discourse_post) for detail in candidates if (detail.get("value") or "").strip()), _Content(""))
    if src:
        link = f'<p><a href="{html.escape(src)}">{html.escape(src)}</a></p>'
        return replace(found, body=found.body + bodies.from_html(link), elsewhere=src)
    return found


def _text_of(detail, link: str | None = None, discourse_post: str | None = None) -> _Content:
    value = feed_engines.media_bbcode_as_links((detail.get("value") or "").strip())
    if "html" not in (detail.get("type") or "html"):
        return _Content(bodies.from_plain_text(value))
    if discourse_post:
        return _Content(discourse_cooked.cooked_to_body(feed_engines.without_link_to_itself(value, discourse_post), discourse_post))
    unescaped = _escaped_twice(value)
    if unescaped:
        value = html.unescape(value)
    if link and "md-spoiler-text" in value:  # reddit's feeds blur spoilers as its pages do
        value = reddit.hide_spoilers(value, link)
    value = feed_engines.without_lemmy_header(feed_engines.without_phpbb_statistics(value))
    value = feed_engines.without_feedburner_flare(feed_engines.without_comment_count_footer(value))
    value = feed_engines.without_xenforo_expand_link(feed_engines.without_medium_footer(feed_engines.without_wikidot_footer(value)))
    value = feed_engines.forum_markup_cleaned(value)
    if not _MARKUP.search(value):
        return _Content(bodies.from_plain_text(value), unescaped=unescaped)
    return _Content(bodies.from_html(value), _reply_line(value), unescaped=unescaped)


# HTML escaped once more than its type says ("&lt;p&gt;Caf&amp;eacute;" where "<p>Caf&eacute;"
# was meant) shows its own tags.  Text that talks about markup ("Use &lt;code&gt; for code")
# has real markup around it, or at least does not open with a tag and close with one; a text
# without a single real tag that is wrapped whole in escaped tags is escaped markup.
_REAL_TAG = re.compile(r"<[A-Za-z/!?]")
_WRAPPED_IN_ESCAPED_TAGS = re.compile(r"\A&lt;[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*?)?/?&gt;.*&lt;/[A-Za-z][A-Za-z0-9]*\s*&gt;\Z", re.S)


def _escaped_twice(value: str) -> bool:
    return not _REAL_TAG.search(value) and bool(_WRAPPED_IN_ESCAPED_TAGS.match(value))


# WordPress core opens a threaded comment's feed text with sprintf(__('In reply to %s.'),
# '<a href="PARENT#comment-N">NAME</a>') and a blank line: a short, translated sentence
# around one link to the parent comment, alone in the first paragraph.
_REPLY_LINE = re.compile(
    r"""\A\s*(?:<p>\s*)?[^<>]{0,40}?<a\s[^>]*?\bhref=(?P<q>["'])(?P<href>[^"'<>]*\#comment-\d+)(?P=q)[^>]*>"""
    r"""[^<>]{1,200}</a>[^<>]{0,15}?(?:\s*</p>|\s*<br\s*/?>|\n\s*\n)""",
    re.I,
)


def _reply_line(value: str) -> _ReplyLine | None:
    match = _REPLY_LINE.match(value)
    if match:
        return _ReplyLine(html.unescape(match.group("href")), bodies.from_html(value[match.end():]))
    trac = feed_engines.trac_reply(value)
    return _ReplyLine(trac[0], bodies.from_html(trac[1])) if trac else None


# Text labelled HTML without a single tag or entity is plain text (media:description,
# many RSS descriptions): reading it as text keeps its paragraphs and links its URLs.
_MARKUP = re.compile(r"<[A-Za-z/!]|&#?\w+;")


def _plain(detail) -> str:
    if not detail:
        return ""
    value = (detail.get("value") or "").strip()
    if "html" in (detail.get("type") or ""):
        return bodies.plain_words(bodies.from_html(value))
    return " ".join(value.split())


_REPAIR_NOTES = {
    "content elsewhere": "the content of {n} {entries} is not in the feed, only its address (Atom content src); the body links to it",
    "escaped twice": "the text of {n} {entries} was HTML escaped twice (it showed its own tags); unescaped once",
    "account from address": "{n} {entries} name{s} no author (a Mastodon tag feed names none); named by the account "
                            "{their} address{es} give{s} (/@NAME/ID)",
    "name from address": "{n} {entries} name{s} the author only by e-mail address; shown by the part before the @ "
                         "(never the address; a placeholder such as dummy@ or noreply@ counts as no name)",
    "no text": "{n} {entries} carr{ies} no text in the feed, only a title (a feed of headlines, a forum post of pictures "
               "alone, which forums leave out of their feeds, or an issue without a description)",
    "symbol font": "{n} {entries} held characters of Word's symbol fonts (private-use code points such as U+F0E0, shown as "
                   "a box elsewhere): shown as the symbols they stand for (→, •, ✓)",
}


def _note_repairs(entries: list[_Entry], notes: list[str]) -> None:
    for kind, message in _REPAIR_NOTES.items():
        count = sum(1 for e in entries if kind in e.repairs)
        if count:
            notes.append(message.format(n=count, entries="entry" if count == 1 else "entries", s="s" if count == 1 else "",
                                        their="its" if count == 1 else "their", es="" if count == 1 else "es",
                                        ies="ies" if count == 1 else "y"))


def _engagement(entry, score: int | None, lemmy: feed_engines.LemmyPost | None = None) -> Engagement:
    """slash:comments, thr:total, a replies link's thr:count or lj:reply-count (replies); Media RSS view
    statistics (reads); the site's own re:rank (score); a Lemmy post's opening line (score, replies)."""
    counted = [link.get("thr:count") for link in entry.get("links", []) or [] if link.get("rel") == "replies"]
    stated = [entry.get("slash_comments"), entry.get("thr_total"), *counted, feed_engines.journal_reply_count(entry)]
    stated, score = (stated + [lemmy.comments], lemmy.score if score is None else score) if lemmy else (stated, score)
    replies = next((c for c in map(common.count, stated) if c is not None), None)
    statistics = entry.get("media_statistics")
    reads = common.count(statistics.get("views")) if isinstance(statistics, dict) else None
    return Engagement(replies=replies, reads=reads, score=score)


_RANK_NAMESPACE = "http://purl.org/atompub/rank/1.0"
_ATOM = "{http://www.w3.org/2005/Atom}"


_BLOGGER_KIND = "http://schemas.google.com/blogger/2008/kind#"


def _blogger_kind(entry) -> str | None:
    """"post", "comment", "template", ... for an entry of a Blogger export (its kind category)."""
    terms = (str(tag.get("term") or "") for tag in entry.get("tags") or [])
    return next((term[len(_BLOGGER_KIND):] for term in terms if term.startswith(_BLOGGER_KIND)), None)


def _blogger_export_entries(entries: list, notes: list[str]) -> tuple[list, bool]:
    """A Blogger export (Takeout) holds the whole blog: posts and pages, their comments, and
    the template and settings (one of which lists the admins' e-mail addresses).  Only posts,
    pages and comments are discussion; drafts were never published, so their text must not
    reach a digest.  Both are left out (noted)."""
    kinds = [_blogger_kind(e) for e in entries]
    if not any(kinds):
        return entries, False
    kept, skipped, drafts = [], 0, 0
    for entry, kind in zip(entries, kinds):
        if kind not in (None, "post", "page", "comment"):
            skipped += 1
        elif (entry.get("app_draft") or "").strip().lower() == "yes":
            drafts += 1
        else:
            kept.append(entry)
    if skipped or drafts:
        notes.append(f"a Blogger export: left out {skipped} template and settings entries and {drafts} draft(s), never published")
    return kept, True


_ACTIVITY = "http://activitystrea.ms/schema/1.0/"
_WRITING_VERBS = {"post", "share", "update"}


def _without_activities(entries: list, notes: list[str]) -> list:
    """An OStatus account feed (GNU social, Mastodon before 2.x) lists what the account did:
    follows, favourites and deletions are no posts of a discussion (left out, counted)."""
    kept, left = [], Counter()
    for entry in entries:
        verb = str(entry.get("activity_verb") or "").strip()
        name = verb[len(_ACTIVITY):] if verb.startswith(_ACTIVITY) else verb
        if name and name not in _WRITING_VERBS:
            left[name] += 1
        else:
            kept.append(entry)
    if left:
        notes.append("left out account activities that are no posts: " + ", ".join(f"{n} {verb}" for verb, n in sorted(left.items())))
    return kept


_REMOVED_MARK = b"blogger.contentRemoved"


def _without_removed(doc, entries: list, notes: list[str]) -> list:
    """Blogger keeps a comment its author or the blog removed, its text replaced by "This
    comment has been removed", marked by ``gd:extendedProperty blogger.contentRemoved``; such
    entries are left out (noted).  feedparser keeps one extended property per entry at most,
    so the marks are read from the XML itself."""
    if _REMOVED_MARK not in doc.data:
        return entries
    try:
        root = xmlsafe.parse(doc.data, doc.name, fix=feed_parse.FIX_NOT_FEED, tolerant=True).root
    except SourceError:
        return entries
    removed = {
        xmlsafe.text(prop.getparent().find(_ATOM + "id"))
        for prop in root.iter("{http://schemas.google.com/g/2005}extendedProperty")
        if prop.get("name") == "blogger.contentRemoved" and (prop.get("value") or "").lower() == "true"
    }
    kept = [e for e in entries if (e.get("id") or "").strip() not in removed]
    if len(kept) < len(entries):
        notes.append(f"skipped {len(entries) - len(kept)} comment(s) removed by their author or the blog (Blogger)")
    return kept


def _reddit_deleted(entry: _Entry) -> bool:
    """reddit's feeds keep a deleted or removed comment as "[deleted]" or "[removed]" by
    "/u/[deleted]": no one's words, left out as the reddit reader does."""
    return entry.reply.author == "[deleted]" and bodies.plain_words(entry.reply.body) in reddit.DELETED_BODIES


def _without(entries: list[_Entry], unwanted, note: str, notes: list[str]) -> tuple[list[_Entry], int]:
    """The entries but the ``unwanted`` ones, and how many those were (``note`` says what
    they are, after their count)."""
    kept = [e for e in entries if not unwanted(e)]
    skipped = len(entries) - len(kept)
    if skipped:
        notes.append(f"{skipped} {note}")
    return kept, skipped


def _site_scores(doc, notes: list[str]) -> dict[str, int]:
    """Atom Ranking Extensions (``re:rank``, draft-snell-atompub-feed-index) by entry id.  A
    rank means what its ``scheme`` (ranking domain) says; one whose scheme is the site the
    entry is on is that site's own score (Stack Exchange: the votes).  feedparser keeps only
    the attributes of such an element, so the ranks are read from the XML itself."""
    if _RANK_NAMESPACE.encode() not in doc.data:
        return {}
    try:
        root = xmlsafe.parse(doc.data, doc.name, fix=feed_parse.FIX_NOT_FEED, tolerant=True).root
    except SourceError:
        notes.append("the entries' re:rank scores could not be read (the XML is too damaged)")
        return {}
    scores = {}
    for rank in root.iter(f"{{{_RANK_NAMESPACE}}}rank"):
        entry = rank.getparent()
        entry_id = xmlsafe.text(entry.find(_ATOM + "id"))
        addresses = [entry_id] + [link.get("href") or "" for link in entry.iter(_ATOM + "link")]
        value = common.whole_number(rank.text)
        if entry_id and value is not None and _same_site(rank.get("scheme") or "", addresses):
            scores[entry_id] = value
    return scores


def _same_site(scheme: str, addresses: list[str]) -> bool:
    def host(address: str) -> str | None:
        parts = comment_links.split(address) if address.startswith(("http://", "https://")) else None
        return parts.hostname if parts else None

    return host(scheme) is not None and any(host(a) == host(scheme) for a in addresses)


# ---------------------------------------------------------------------------- structure

def _drop_duplicates(entries: list[_Entry], notes: list[str]) -> list[_Entry]:
    """An entry repeated (same id, same author and text) is skipped.  Entries that share an
    id but say different things are different entries whose feed gives them no id of their
    own (no guid, every comment linked to the post): each is named by its author and text."""
    variants: dict[str, set[tuple[str, str]]] = {}
    for entry in entries:
        variants.setdefault(entry.reply.id, set()).add((entry.reply.author, entry.reply.body))
    shared = {reply_id for reply_id, found in variants.items() if len(found) > 1}
    seen: set[str] = set()
    kept = []
    for entry in entries:
        if entry.reply.id in shared:
            entry = replace(entry, reply=replace(entry.reply, id=common.stable_id(author=entry.reply.author, body=entry.reply.body)))
        if entry.reply.id in seen:
            continue
        seen.add(entry.reply.id)
        kept.append(entry)
    if len(kept) < len(entries):
        notes.append(f"{len(entries) - len(kept)} repeated entries (same id) skipped")
    if shared:
        notes.append(f"{sum(len(variants[i]) for i in shared)} entries share an id or link with different text; "
                     "each is named by its author and text")
    return kept


def _link_parents(entries: list[_Entry], article: set[str | None]) -> int:
    """Set parent_id from in-reply-to targets; return how many answer an entry not in the feed.

    A target that is not an entry is the article itself when it is one of ``article``'s
    addresses (the feed's link or id, the opening entry's) or a page without a fragment that
    does not sit where the feed's entries do; a fragment ("...#comment-12") is a comment this
    feed window lacks, and so is a page beside the entries' own (a StatusNet notice)."""
    owner = {}
    for entry in entries:
        for key in entry.keys:
            owner.setdefault(key, entry.reply.id)
            owner.setdefault(comment_links.same_comment(key), entry.reply.id)
    entry_places = {comment_links.place(e.reply.permalink) for e in entries if e.reply.permalink and "#" not in e.reply.permalink}
    missing = 0
    for entry in entries:
        hrefs, refs, candidates = _answers(entry)
        if not candidates:
            continue
        found = (owner.get(c) or owner.get(comment_links.same_comment(c)) for c in candidates)
        parent = next((p for p in found if p and p != entry.reply.id), None)
        if parent:
            entry.reply = replace(entry.reply, parent_id=parent)
            if not entry.targets:  # found through the "In reply to" sentence, which threading now shows
                entry.reply = replace(entry.reply, body=entry.reply_line.body_without)
            continue
        answers_article = (
            any(c in article for c in candidates if c)
            or any("#" not in href and comment_links.place(href) not in entry_places for href in hrefs)
            or not hrefs
        )
        if not answers_article:
            missing += 1
    return missing


def _answers(entry: _Entry) -> tuple[list[str], list[str], list[str]]:
    """(hrefs, refs, every candidate) of what the entry answers: thr:in-reply-to and its
    rel="related" links, else the link of WordPress's "In reply to" sentence."""
    if entry.targets:
        hrefs = [href for _, href in entry.targets if href]
        refs = [ref for ref, _ in entry.targets if ref]
        return hrefs, refs, [t for pair in entry.targets for t in pair if t] + entry.related
    if entry.reply_line:
        return [entry.reply_line.href], [], [entry.reply_line.href]
    return [], [], []


@dataclass(frozen=True)
class _Page:
    """What the imported thread is: the feed itself, or one post of a site-wide comments feed."""

    id: str | None
    title: str | None
    url: str | None
    phpbb_topic: bool = False  # a forum topic's feed: the channel's author is the forum, no author


@dataclass(frozen=True)
class _CommentedOn:
    link: str | None  # the post's address: the comment's without its "#comment-N"
    title: str | None  # the POST of a "Comment on POST by NAME" title
    own_page: bool = False  # linked only to its own page (Drupal's /comment/N), which names no post
    first_post: bool = False  # a forum topic's post titled without "Re:": its title is the topic's


def _commented_on(entry, address: str | None) -> _CommentedOn | None:
    """The post a comment is on: what the entry says (Yandex's ``ya:post``), else its address
    without the comment's anchor and page, else the page its own address and its
    ``thr:in-reply-to`` share (Movable Type's "POST#cN" answering "POST"); for an entry with no
    address at all, the post its "Comment on POST by NAME" title names.  None for anything
    else (a post, a forum message)."""
    title = _plain(entry.get("title_detail"))
    if _blogger_kind(entry) in ("post", "page") and address:  # a Blogger export's post: its comments' thread
        return _CommentedOn(address, title or None)
    named = str(entry.get("ya_post") or "").strip()
    if named.startswith(("http://", "https://")):
        return _CommentedOn(named, None)
    discourse = comment_links.discourse_post(address)
    if discourse:  # every post of a topic is titled with the topic's title
        return _CommentedOn(discourse.topic, title or None)
    if comment_links.LOBSTERS_COMMENT.fullmatch(address or ""):  # titled with its story's title, its only name
        return _CommentedOn(None, title or None)
    topic = comment_links.forum_topic(address)
    if topic:  # a forum's post, titled "FORUM • Re: TOPIC" in its forum's feed
        subject = feed_engines.without_forum_name(title, entry)
        return _CommentedOn(topic, _REPLY_TITLE.sub("", subject) or feed_engines.wikidot_thread_title(entry),
                            first_post=bool(subject) and not _REPLY_TITLE.match(subject))
    match = _COMMENT_TITLE.fullmatch(title) or _REDDIT_TITLE.fullmatch(title)
    post_title = match.group("post").strip() if match else None
    post = comment_links.post_address(address) or _page_answered(entry, address)
    if post:  # other engines' titles name the post too, trusted on a comment's address only
        named = feed_parse.author_detail(entry).get("name") or entry.get("author")
        return _CommentedOn(post, post_title or feed_engines.post_title_of_comment(title, named))
    if comment_links.DRUPAL_COMMENT_PAGE.fullmatch(address or ""):
        return _CommentedOn(None, None, own_page=True)
    return _CommentedOn(None, post_title) if post_title and not address else None


# reddit titles a comment in a subreddit's comments feed "/u/NAME on POST"
_REDDIT_TITLE = re.compile(r"/u/\S+ on (?P<post>.+)", re.S)


def _page_answered(entry, address: str | None) -> str | None:
    """The page a comment's address ("POST#c12") is an anchor of, when its thr:in-reply-to
    points into that same page (at "POST" itself, or at "POST#c10"): the post it is on."""
    parts = comment_links.split(address or "")
    if parts is None or not parts.fragment:
        return None
    page = urlunsplit(parts._replace(fragment=""))
    answered = (href for key, target in entry.items() if key.endswith("in-reply-to") and isinstance(target, dict)
                for href in [str(target.get("href") or "")])
    return page if any(href.split("#")[0] == page for href in answered) else None


@dataclass
class _CommentedPost:
    link: str | None
    title: str | None
    entries: list[_Entry]

    def describe(self) -> str:
        if self.link is None and self.title is None:
            label = "(entries that do not say which post they are on)"
        else:
            label = f'"{self.title or "(no title)"}"' + (f" {self.link}" if self.link else "")
        count = sum(1 for e in self.entries if self.link not in e.keys)  # a blog export's post is no comment
        return f"{label} ({count} comment{'' if count == 1 else 's'})"


_FIX_CHOOSE = "choose the post with --thread LINK or a part of its title"


def _one_post(page: _Page, entries: list[_Entry], selector: str | None, name: str, notes: list[str],
              whole_blog: bool = False) -> tuple[_Page, list[_Entry]]:
    """A site-wide comments feed ("Comments for SITE") holds the latest comments on several
    posts, and a blog's export (``whole_blog``) all of them; each post is a thread, chosen with
    --thread.  Any other feed is one thread, which a --thread, when given, must name."""
    posts = _commented_posts(entries)
    selector = (selector or "").strip()
    own = [p for p in posts if page.url and p.link and comment_links.same_page(p.link, page.url)]
    strays = len([e for e in entries if own and e not in own[0].entries and page.url not in e.keys])  # the post itself is none
    if strays:
        notes.append(f"{strays} entr{'y links' if strays == 1 else 'ies link'} to another post than the feed's; kept, as the "
                     "feed is this post's comments feed")
    one_post = (not own and len(posts) == 1 and (posts[0].link or "").startswith(("http://", "https://")) and not whole_blog
                and not _PHPBB_TOPIC_FEED.search(page.id or ""))  # a relative link (a copy naming no address) is no page
    if one_post and page.url:
        # a site-wide feed whose comments are all on one post: that post is the thread
        held = "posts in one topic" if comment_links.forum_topic(entries[0].reply.permalink) else "comments on one post"
        notes.append(f"the feed ({page.url}) holds {held} only; the thread is that {held.split()[-1]}, {posts[0].link}")
        page = _Page(id=posts[0].link, title=posts[0].title or page.title, url=posts[0].link)
    elif one_post:  # Isso's feed of a page's comments names no page: its comments' addresses do
        notes.append(f"the feed names no page of its own; its comments are on {posts[0].link}, taken as the thread's address")
        page = replace(page, url=posts[0].link)
    if own or sum(1 for p in posts if p.link or p.title) < 2:
        if selector and not _names(page, selector):
            shown = f'"{page.title or "(no title)"}"' + (f" {page.url}" if page.url else "")
            raise SourceError(f"--thread {selector!r} does not match this feed's only thread, {shown}", where=name,
                              fix="leave out --thread (the feed is one thread), or import the feed you meant")
        _note_own_pages(entries, page, notes)
        return page, entries
    forum = all(comment_links.forum_topic(e.reply.permalink) for e in entries)  # a forum's feed of posts
    if not selector:
        held = f"posts in {len(posts)} topics" if forum else f"comments on {len(posts)} posts"
        raise SourceError(f"the feed holds {held}:\n" + common.listing(posts), where=name,
                          fix=_FIX_CHOOSE.replace("post", "topic") if forum else _FIX_CHOOSE)
    chosen = _select_post(posts, selector, name)
    others = len(entries) - len(chosen.entries)
    if not chosen.link and all(comment_links.LOBSTERS_COMMENT.fullmatch(e.reply.permalink or "") for e in chosen.entries):
        notes.append("the feed gives no address of the post, only its title, nor which comment answers which (its comments "
                     "link only to themselves): the thread has no address and its comments are not threaded")
    if forum:
        notes.append(f"the feed holds the latest posts in {len(posts)} topics: imported the {len(chosen.entries)} in this one and "
                     f"left out {others} in the other topic(s)")
    elif whole_blog:
        notes.append(f"the export holds {len(posts)} posts: imported this one and left out the {others} entries of the others")
    else:
        notes.append(
            f"the feed holds the latest comments on {len(posts)} posts: imported the {len(chosen.entries)} on this one and "
            f"left out {others} on the other post(s); earlier comments on this post may be missing from such a feed"
        )
    return _Page(id=chosen.link, title=chosen.title, url=chosen.link), chosen.entries


def _note_own_pages(entries: list[_Entry], page: _Page, notes: list[str]) -> None:
    """Comments linked only to their own pages (Drupal's /comment/N) do not say which post
    they are on: taking them as the feed's own is a guess, said in a note."""
    count = sum(1 for e in entries if e.post and e.post.own_page)
    if count:
        notes.append(
            f"{count} comment{' links' if count == 1 else 's link'} only to a page of {'its' if count == 1 else 'their'} own "
            f"(/comment/N), which does not name the post; taken as comments on the feed's page, {page.url or page.title or page.id}"
        )


def _commented_posts(entries: list[_Entry]) -> list[_CommentedPost]:
    """Entries grouped by the post they are on, in feed order."""
    posts: dict[str | None, _CommentedPost] = {}
    for entry in entries:
        on = entry.post
        key = (on.link or "title:" + (on.title or "").casefold()) if on else None
        post = posts.setdefault(key, _CommentedPost(on.link if on else None, None, []))
        post.title = (on.title if on and on.first_post else None) or post.title or (on.title if on else None)
        post.entries.append(entry)
    return list(posts.values())


def _names(page: _Page, selector: str) -> bool:
    """Does --thread name this feed's thread: its id, link, a part of its link or title?"""
    needle = selector.casefold()
    post = (comment_links.post_address(selector) or comment_links.same_comment(selector)).rstrip("/")  # a comment's link names its post
    return (
        selector == page.id
        or any(value and needle in value.casefold() for value in (page.url, page.title))
        or bool(page.url and page.url.rstrip("/") in (selector.rstrip("/"), post))
    )


def _select_post(posts: list[_CommentedPost], selector: str, name: str) -> _CommentedPost:
    wanted = (comment_links.post_address(selector) or comment_links.same_comment(selector)).rstrip("/")
    exact = [p for p in posts if p.link and p.link.rstrip("/") == wanted]
    if exact:
        return exact[0]
    needle = selector.casefold()
    found = [p for p in posts if any(value and needle in value.casefold() for value in (p.title, p.link))]
    if len(found) == 1:
        return found[0]
    if not found:
        raise SourceError(f"no post in the feed matches --thread {selector!r}; the posts are:\n" + common.listing(posts), where=name, fix=_FIX_CHOOSE)
    raise SourceError(f"--thread {selector!r} matches {len(found)} posts:\n" + common.listing(found), where=name, fix=_FIX_CHOOSE)


# A Discourse topic's feed (/t/slug/ID.rss) links the topic as /t/slug/ID and each post by its
# number in the topic (see _DISCOURSE_POST).
_TOPIC_URL = re.compile(r"(?P<topic>https?://[^?#]+?/t/[^/?#]+/\d+)/?")


def _number_topic_posts(entries: list[_Entry], page_url: str | None, notes: list[str], whole_feed: bool = True) -> bool:
    """Number the posts of a Discourse topic (a topic feed, or a topic of the site's
    ``/posts.rss``, ``whole_feed`` False); return whether posts are missing from it.  Such
    feeds list only the latest posts, so numbers that do not run from 1 without gaps mean the
    thread is partial."""
    topic = _TOPIC_URL.fullmatch(page_url or "")
    if not topic:
        return False
    numbers = set()
    for entry in entries:
        post = comment_links.discourse_post(entry.reply.permalink)
        if post and post.number and post.topic == topic.group("topic"):
            entry.reply = replace(entry.reply, number=post.number)
            numbers.add(post.number)
    absent = max(numbers, default=0) - len(numbers)
    if absent > 0:
        feed, whose = ("topic feed", "its") if whole_feed else ("feed", "the topic's")
        notes.append(
            f"the {feed} holds {len(numbers)} of {whose} posts numbered up to #{max(numbers)}; the other {absent} are not in it "
            f"({'a topic feed' if whole_feed else 'the feed'} lists only the latest posts, and deleted posts leave gaps)"
        )
    return absent > 0


_PHPBB_TOPIC_FEED = re.compile(r"(?:feed\.php\?(?:[^#]*&)?t=|/feed/topic/)(\d+)")
_REPLY_TITLE = re.compile(r"^\s*Re:\s*", re.IGNORECASE)


def _phpbb_topic(page: _Page, entries: list[_Entry], notes: list[str]) -> tuple[_Page, bool]:
    """A phpBB topic feed (``feed.php?t=ID``, ``feed/topic/ID``) is named after the forum and
    links its index: the thread is the topic at ``viewtopic.php?t=ID``, named by its first
    post, whose title the replies repeat after "Re:" (that post opens the thread).  So is a
    topic of a forum's feed of posts (phpBB's, SMF's), already named by its address.  Such
    feeds list only the latest posts: without the first one the topic is partial (noted)."""
    found = _PHPBB_TOPIC_FEED.search(page.id or "")
    if found:
        link = next((e.reply.permalink for e in entries if "viewtopic.php" in (e.reply.permalink or "")), None)
        url = link.split("viewtopic.php")[0] + f"viewtopic.php?t={found.group(1)}" if link else page.url
    elif page.url and any(comment_links.forum_topic(e.reply.permalink) == page.url and comment_links.titles_mark_replies(e.reply.permalink)
                          for e in entries):
        url = page.url
    else:
        return page, False
    firsts = [e for e in entries if e.reply.title and not _REPLY_TITLE.match(e.reply.title)]
    repeated = {_REPLY_TITLE.sub("", e.reply.title) for e in entries if e.reply.title and _REPLY_TITLE.match(e.reply.title)}
    title = firsts[0].reply.title if len(firsts) == 1 else (repeated.pop() if len(repeated) == 1 else page.title)
    if len(firsts) == 1 and url:
        firsts[0].keys.add(url)  # the first post is the topic itself: it opens the thread
    else:
        notes.append(f"the {'topic ' if found else ''}feed lists only its latest posts, and the topic's first post is not among them: "
                     "earlier posts are missing")
    return _Page(id=page.id, title=title, url=url, phpbb_topic=True), len(firsts) != 1


def _opening_entry(entries: list[_Entry], page_url: str | None) -> tuple[_Entry | None, list[_Entry]]:
    """The entry that is the discussion itself: its address is the feed's link (a Stack
    Exchange question feed lists the question, id ``/q/N``, with its answers; a Trac ticket's
    feed the ticket, before its comment #1), else it is a topic's post #1.  It is the opening post only when it answers nothing and is the one such
    entry; otherwise every entry stays a reply."""
    candidates = [e for e in entries if not e.targets and not e.reply_line]
    found = [e for e in candidates if page_url and page_url in e.keys] or [e for e in candidates if e.reply.number == 1]
    if len(found) != 1:
        return None, entries
    return found[0], [e for e in entries if e is not found[0]]


def _without_repeated_titles(replies: list[Reply], thread_title: str | None) -> list[Reply]:
    """A reply title that only repeats the thread's (Discourse topic feeds title every post so,
    forums "Re: TOPIC", NodeBB's "Reply to TOPIC on DATE") or its author (hnrss's "New comment by NAME in ...") says nothing."""
    def says_nothing(title: str | None, author: str) -> bool:
        return feed_engines.hnrss_comment_title(title) or feed_engines.numbered_comment_title(title) or bool(thread_title) and (
            title in (thread_title, f"Re: {thread_title}") or feed_engines.nodebb_reply_title(title, thread_title)
            or feed_engines.post_title_of_comment(title or "", author) == thread_title)

    return [replace(r, title=None) if says_nothing(r.title, r.author) else r for r in replies]


def _stated_total(channel) -> int | None:
    """openSearch:totalResults: how many entries the whole (paged) feed has."""
    return common.count(channel.get("opensearch_totalresults"))


def _chronological(entries: list[_Entry], notes: list[str]) -> list[_Entry]:
    """Oldest first when every entry is dated; otherwise document order, turned around when
    the dated entries show the feed lists newest first (the usual RSS order)."""
    times = [e.sort_time for e in entries]
    if entries and all(t is not None for t in times):
        return sorted(entries, key=lambda e: e.sort_time)
    dated = [t for t in times if t is not None]
    feed_times.note_undated([e.when or feed_times.When(None, None, None) for e in entries], notes)
    newest_first = sum(a > b for a, b in zip(dated, dated[1:])) > sum(a < b for a, b in zip(dated, dated[1:]))
    return list(reversed(entries)) if newest_first else list(entries)


def _with_mentions(replies: list[Reply]) -> list[Reply]:
    authors = common.AuthorNames({r.author for r in replies})
    return [replace(r, mentions=common.find_mentions(bodies.prose_words(r.body), authors)) for r in replies]
