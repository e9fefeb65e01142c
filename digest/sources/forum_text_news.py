"""The bylines and furniture of Hacker News, Lobsters and Reddit pages copied from the browser as
text: part of the ``forum-text`` reader (``digest.sources.forum_text``), beside the blog comment
pages of ``forum_text_copies``.  Pure functions of the copied lines.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace

from digest.sources.common import counted
from digest.sources.forum_text_copies import front_matter_end

# Hacker News and Lobsters pages copied as text: a byline over each comment ("alice 3 hours ago |
# root | parent | prev | next [–]"; Lobsters: "alice edited 3 hours ago | link | flag | reply"
# under the comment's score), the indentation lost.  HN's links still tell the nesting in part:
# no "parent" is a top-level comment, "parent" alone answers the top-level comment above, and
# "root" without "prev" is the first answer to the comment right above it.
_RELATIVE = r"(?:(?:about |over |almost |less than )?(?:\d+|an?|one) (?:second|minute|hour|day|week|month|year)s? ago|just now|yesterday)"
_NEWS_LINKS = {"root", "parent", "prev", "next", "context", "link", "flag", "unflag", "vouch", "edit", "delete",
               "undelete", "disown", "reply", "favorite", "unfavorite", "unvote", "undown", "hide", "past", "save"}
NEWS_BYLINE_RE = re.compile(
    rf"^\s*+(?:(?P<points>-?\d{{1,9}}) points? by )?(?:(?P<name>[\w.-]{{1,40}}|\[deleted\])\s+)?(?:(?<=\s)(?:edited|e-mailed)\s+)?"
    rf"(?<=\s)(?P<time>{_RELATIVE})(?P<marks>(?:\s*\[(?:dead|flagged|deleted)\])*)\s*(?P<links>\|.*)$", re.IGNORECASE)
# HN's fold toggle ends the byline: "[–]", or "[3 more]" on a folded comment.
NEWS_TOGGLE_RE = re.compile(r"(?<!\s)\s*(?:\[[–-]\]|\[\+\]|\[(?P<folded>\d{1,9}) more\])\s*$")
# The story's byline: "85 points by alice 7 months ago | hide | past | favorite | 144 comments".
STORY_BYLINE_RE = re.compile(
    rf"^\s*(?:(?P<points>\d{{1,9}}) points? by |(?:authored |via )?(?:by )?)(?P<name>[\w.-]{{1,40}}) (?P<time>{_RELATIVE})\s*"
    r"(?:\|[^|]*)*\|\s*(?P<count>\d{1,9}|no)\s+comments?\s*$", re.IGNORECASE)
# The site's own lines: HN's top bar and footer, the comment box, "reply" under each comment.
NEWS_FURNITURE_RE = re.compile(
    r"^\s*(?:hacker news\s+new \| .*|new \| threads \| past \| .*|login|reply|add comment|search:.*|"
    r"guidelines \| faq \| .*|join us for .*|\[–\]|\[-\]|permalink(?:embed|save|parent|edit|report|give (?:award|gold)|reply)*|"
    r"sorted by: .*|\d+ points? \(\d+% upvoted\)|shortlink:.*)\s*$", re.IGNORECASE)
# Old Reddit's stand-ins for answers it did not show.
# The links under each comment, said by nothing else: left out without a note.
QUIET_FURNITURE_RE = re.compile(r"^\s*(?:reply|\[[–-]\]|permalink(?:embed|save|parent|edit|report|give (?:award|gold)|reply"
                                r"|disable inbox replies|delete)*)\s*$", re.IGNORECASE)
REDDIT_MORE_RE = re.compile(r"^\s*(?:load more comments\s*\((?P<count>\d{1,9}) repl(?:y|ies)\)|continue this thread\s*(?:→)?)\s*$",
                            re.IGNORECASE)
NEWS_MORE_RE = re.compile(r"^\s*more\s*$", re.IGNORECASE)
HN_ITEM_RE = re.compile(r"news\.ycombinator\.com/item\?id=(?P<id>\d+)")
SCORE_LINE_RE = re.compile(r"^\s*[▲△]?\s*(?P<score>-?\d{1,9})\s*[▼▽]?\s*$")


@dataclass(frozen=True)
class Byline:
    """What a news site's byline says about the comment under it."""

    author: str
    posted_at_text: str
    links: frozenset[str]
    points: int | None = None  # shown on one's own comments, and by Lobsters above every comment
    folded: int | None = None  # "[3 more]": the comment was folded, hiding it and its answers
    marks: str = ""  # "[dead]", "[flagged]"
    more_lines: tuple[int, ...] = ()  # the byline's other lines (old Reddit's "[S] 1 point 1 month ago" under "[–]NAME")
    votes_at: int | None = None  # new Reddit's "Upvote 14 Downvote Reply Award Share": the comment ends above it
    permalink: str | None = None

    @property
    def site(self) -> str:
        if "reddit" in self.links:
            return "reddit"
        if "new reddit" in self.links:
            return "new reddit"
        return "lobsters" if "link" in self.links and not self.links & {"parent", "root", "prev", "next"} else "hn"


def news_byline(line: str) -> Byline | None:
    """A Hacker News or Lobsters byline, or None: every link after the time must be one the
    sites show, and at least one of HN's tree links or Lobsters' "link"."""
    found = NEWS_BYLINE_RE.match(line)
    if not found:
        return None
    toggle = NEWS_TOGGLE_RE.search(found.group("links"))
    written = found.group("links")[:toggle.start()] if toggle else found.group("links")
    links = [link.strip().lower() for link in written.split("|") if link.strip()]
    if not links or any(link not in _NEWS_LINKS and not link.startswith("on:") for link in links):
        return None
    if not ({"parent", "root", "prev", "next", "link"} & set(links) or toggle):
        return None
    folded = toggle.group("folded") if toggle else None
    return Byline(found.group("name") or "[deleted]", found.group("time"), frozenset(links),
                  int(found.group("points")) if found.group("points") else None,
                  int(folded) if folded else None, " ".join(found.group("marks").split()))


# Old Reddit: "[–]alice 5 points 3 hours ago" (or the name alone, the points and time on the next
# line), the comment, then its links run together: "permalinkembedsaveparentreportgive awardreply";
# "parent" there says it answers a comment.  A folded one: "[+]alice 5 points 3 hours ago (2 children)".
REDDIT_SUBMITTED_RE = re.compile(rf"^\s*submitted\s+{_RELATIVE}\s+by\s+(?P<name>[\w-]{{2,40}})\b.*$", re.IGNORECASE)
REDDIT_ALL_COMMENTS_RE = re.compile(r"^\s*all (?P<count>\d{1,9}) comments?\s*$", re.IGNORECASE)
REDDIT_NAME_RE = re.compile(r"^\s*\[(?P<toggle>[–+-])\]\s*(?P<name>[\w-]{2,40}|\[deleted\])\s*+(?P<rest>(?:.*\S)?)\s*$")
REDDIT_SCORE_RE = re.compile(
    rf"^\s*(?:\[[A-Za-z+]\]\s*)*(?:(?P<points>-?\d{{1,9}}) points?|\[score hidden\])\s+(?P<time>{_RELATIVE})"
    r"(?:\s*+(?:\*\s*+)?\(last edited [^)]*\))?\s*+(?:\((?P<children>\d{1,9}) child(?:ren)?\))?\s*$", re.IGNORECASE)
REDDIT_LINKS_RE = re.compile(r"^\s*permalink(?:embed)?(?:save)?(?P<parent>parent)?(?:edit|report|give (?:award|gold)|reply|disable inbox replies|delete)*\s*$",
                             re.IGNORECASE)


# New Reddit: the name, maybe "OP", "•" and the time ("2y ago", "• 3d ago", "[1y ago](PERMALINK)"),
# maybe the profile's and the comment's addresses, the comment, then "Upvote 14 Downvote Reply
# Award Share" and the menu's "Report", "Award", "Share".  The copy shows no nesting.
_SHORT_RELATIVE = r"(?:\d+\s?(?:y|yr|mo|w|d|h|hr|m|min|s)\.?\s+ago|just now)"
NEW_REDDIT_TIME_RE = re.compile(
    rf"^\s*(?:•\s*)?(?:\[(?P<linked>(?:edited\s+)?(?:{_SHORT_RELATIVE}|{_RELATIVE}))\]\((?P<url>[^)\s]+)\)"
    rf"|(?:edited\s+)?(?P<time>{_SHORT_RELATIVE}|{_RELATIVE}))\s*$", re.IGNORECASE)
NEW_REDDIT_VOTES_RE = re.compile(r"^\s*upvote\s+(?P<score>-?\d[\d.,]{0,12}k?|vote)?\s*downvote\b", re.IGNORECASE)
# New Reddit's buttons above the comments, left out: "Upvote 215 Downvote 54 Go to comments Share", the sort menu...
NEW_REDDIT_PAGE_RE = re.compile(
    r"^\s*(?:upvote\s.*\bshare|sort by:.*|open comment sort options|(?:\\?\*\s*)?(?:best|top|new|controversial|old|q&a)|"
    r"search comments(?: expand comment search)?|cancel|#*\s*comments section|report|award|share|join|"
    r"\S+ avatar|go to .*|•|skip to .*|open (?:menu|navigation|settings menu)|sign up(?: for reddit)?|log in(?: to reddit)?|"
    r"expand user menu|back|(?:locked|stickied|archived) post|discussion|r/\w{2,21})\s*$", re.IGNORECASE)
_REDDIT_PAGE_TITLE = re.compile(r"^\s*(?P<title>\S(?:.*\S)?)\s+:\s+r/\w{2,21}\s*$")
REDDIT_THREAD_RE = re.compile(r"https://(?:www\.|old\.)?reddit\.com/r/\w+/comments/\w+/\S*")
NEW_REDDIT_FLAIR_RE = re.compile(r"^\s*top \d+% (?:poster|commenter)\s*$", re.IGNORECASE)
# The post's byline: "r/SUB", "•", its time, its author.
NEW_REDDIT_SUB_RE = re.compile(r"^\s*r/\w{2,21}\s*$")
NEW_REDDIT_MORE_RE = re.compile(r"^\s*(?:(?P<count>\d{1,9}) )?more repl(?:y|ies)\s*$", re.IGNORECASE)
_NEW_REDDIT_BYLINE_PART = re.compile(
    r"^\s*(?:•|op|\[op\]|https://www\.reddit\.com/(?:user|u)/\S+|\S+ avatar|u/\S+ avatar|"
    r"https://www\.reddit\.com/r/\S+/comments/\S+)\s*$", re.IGNORECASE)
_REDDIT_NAME = re.compile(r"^\s*(?:\[(?P<linked>[\w-]{3,20})\]\(https://www\.reddit\.com/user/[^)]*\)|(?P<name>[\w-]{3,20}))\s*$")
_REDDIT_COMMENT_URL = re.compile(r"^\s*(?P<url>https://www\.reddit\.com/r/\S+/comment/\S+)\s*$")


def new_reddit_bylines(lines: list[str]) -> dict[int, Byline]:
    """New Reddit's bylines by the name's line index: a time line with "•" on it or on one of
    the lines just above, the name above those; the score from the votes line under the comment."""
    found: dict[int, Byline] = {}
    for index, line in enumerate(lines):
        time = NEW_REDDIT_TIME_RE.match(line)
        if not time:
            continue
        above = [i for i in range(index - 1, max(index - 9, -1), -1) if lines[i].strip()][:4]
        if "•" not in line and not any(lines[i].strip() == "•" for i in above[:2]):
            continue
        name_at = next((i for i in above if not _NEW_REDDIT_BYLINE_PART.match(lines[i])), None)
        name = _REDDIT_NAME.match(lines[name_at]) if name_at is not None else None
        if not name:
            continue
        following = next((i for i in range(index + 1, min(index + 3, len(lines))) if lines[i].strip()), None)
        permalink = time.group("url")
        extra = tuple(range(name_at + 1, index + 1))
        if following is not None and (url := _REDDIT_COMMENT_URL.match(lines[following])):
            permalink, extra = permalink or url.group("url"), (*extra, following)
        elif following is not None and (NEW_REDDIT_FLAIR_RE.match(lines[following]) or (
                NEW_REDDIT_TIME_RE.match(lines[following]) and "edited" in lines[following].lower())):
            extra = (*extra, following)  # "• Edited 2y ago", "Top 1% Poster"
        found[name_at] = Byline(name.group("linked") or name.group("name"), " ".join((time.group("linked") or time.group("time")).split()),
                                frozenset({"new reddit"}), more_lines=extra, permalink=permalink)
    return _with_votes(lines, found)


def _with_votes(lines: list[str], found: dict[int, Byline]) -> dict[int, Byline]:
    """Each new Reddit byline with the score of the votes line that ends its comment."""
    starts = sorted(found)
    for start, end in zip(starts, [*starts[1:], len(lines)]):
        votes_at = next((i for i in range(start + 1, end) if NEW_REDDIT_VOTES_RE.match(lines[i])), None)
        if votes_at is not None:
            score = NEW_REDDIT_VOTES_RE.match(lines[votes_at]).group("score")
            points = int(score) if score and score.lstrip("-").isdigit() else None
            found[start] = replace(found[start], votes_at=votes_at, points=points)
    return found


def reddit_byline(lines: list[str], index: int) -> Byline | None:
    """Old Reddit's byline at ``index``: the name line, and the points and time on it or on the
    next line with text."""
    named = REDDIT_NAME_RE.match(lines[index])
    if not named:
        return None
    score_line = None
    score = REDDIT_SCORE_RE.match(named.group("rest")) if named.group("rest") else None
    if not named.group("rest"):
        score_line = next((i for i in range(index + 1, min(index + 3, len(lines))) if lines[i].strip()), None)
        score = REDDIT_SCORE_RE.match(lines[score_line]) if score_line is not None else None
    if not score:
        return None
    children = score.group("children")
    return Byline(named.group("name"), score.group("time"), frozenset({"reddit"}),
                  int(score.group("points")) if score.group("points") else None,
                  int(children) if children and named.group("toggle") == "+" else None,
                  more_lines=(score_line,) if score_line is not None else ())


def _with_reddit_links(lines: list[str], found: dict[int, Byline]) -> dict[int, Byline]:
    """Each old Reddit byline with what the links under its comment say: "parent" (it answers a
    comment) or "top" (it answers the post); neither when the copy lost them."""
    starts = sorted(found)
    for start, end in zip(starts, [*starts[1:], len(lines)]):
        byline = found[start]
        if byline.site != "reddit":
            continue
        links = next((m for line in lines[start + 1:end] if (m := REDDIT_LINKS_RE.match(line))), None)
        if links:
            found[start] = replace(byline, links=byline.links | {"parent" if links.group("parent") else "top"})
    return found


def _split_news_byline(lines: list[str], index: int) -> Byline | None:
    """A byline whose links went to the next line ("alice 3 months ago" over "| parent | next [–]",
    as a page's text taken out by a script reads)."""
    if "|" in lines[index] or not re.search(rf"(?<!\d){_RELATIVE}\s*$", lines[index], re.IGNORECASE):
        return None
    following = next((i for i in range(index + 1, min(index + 3, len(lines))) if lines[i].strip()), None)
    if following is None or not lines[following].lstrip().startswith("|"):
        return None
    byline = news_byline(f"{lines[index].rstrip()} {lines[following].strip()}")
    return replace(byline, more_lines=(following,)) if byline else None


def news_bylines(lines: list[str]) -> dict[int, Byline]:
    """The bylines of a copied HN, Lobsters or old Reddit page, by line index; a Lobsters score
    on the line above is the comment's points."""
    found = {index: byline for index, line in enumerate(lines)
             if (byline := news_byline(line) or _split_news_byline(lines, index) or reddit_byline(lines, index))}
    found |= new_reddit_bylines(lines)
    found = _with_reddit_links(lines, found)
    for index, byline in found.items():
        above = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
        if byline.site == "lobsters" and byline.points is None and (score := SCORE_LINE_RE.match(above)):
            found[index] = Byline(byline.author, byline.posted_at_text, byline.links, int(score.group("score")),
                                  byline.folded, byline.marks)
    return found


@dataclass(frozen=True)
class Nesting:
    """Which comment each answers (an index into the list, None for the post), and the comments
    whose place the copy leaves open, each put under the highest comment it can answer."""

    answers: tuple[int | None, ...]
    guessed: tuple[int, ...]
    orphans: tuple[int, ...]  # "parent", but no comment above to answer: the copy starts inside a thread


def news_nesting(bylines: list[Byline]) -> Nesting:
    """The tree HN's links give (see above).  "root" with "prev" answers a comment of the branch
    above deeper than the top level, the same one as an earlier answer: when that branch goes
    deeper than two levels the copy does not tell which, and the comment answers the post, as
    nothing is guessed (a digest would show a wrong "replying to").  Lobsters shows no tree."""
    answers: list[int | None] = []
    guessed, orphans = [], []
    branch: list[int] = []  # the comments from the top level down to the one above
    for index, byline in enumerate(bylines):
        links = byline.links
        if byline.site == "reddit":
            parent = _reddit_parent(index, byline, branch, guessed, orphans)
            branch = branch[:1] if parent is not None or index in guessed else []  # a guessed one stays in its branch
        elif "parent" not in links:
            parent, branch = None, []
        elif not branch:
            parent = None
            orphans.append(index)
        elif "root" not in links:
            parent, branch = branch[0], branch[:1]
        elif "prev" not in links:
            parent = index - 1
        else:  # the comment above answers the second level: so does this one; deeper, which is not told
            parent = branch[1] if len(branch) == 3 else None
            if parent is None:
                guessed.append(index)
            branch = branch[:2]
        answers.append(parent)
        branch.append(index)
    return Nesting(tuple(answers), tuple(guessed), tuple(orphans))


def _reddit_parent(index: int, byline: Byline, branch: list[int], guessed: list[int], orphans: list[int]) -> int | None:
    """Old Reddit tells only whether a comment answers another: the first answer after a
    top-level comment answers it; a later one answers some comment of that branch, which the
    copy does not tell: it answers the post (nothing is guessed)."""
    if "parent" not in byline.links:
        return None
    if not branch:
        orphans.append(index)
        return None
    if len(branch) > 1:  # the comment above is an answer too
        guessed.append(index)
        return None
    return branch[0]


@dataclass(frozen=True)
class NewsComment:
    line: int  # the byline's index
    byline: Byline
    lines: tuple[str, ...]  # the comment's text lines, less the site's "reply"


@dataclass(frozen=True)
class NewsPage:
    """A copied HN or Lobsters page: the comments, and what the page says around them."""

    above: tuple[str, ...]  # text above the first comment that is neither the site's nor the story's byline
    comments: tuple[NewsComment, ...]
    title: str | None
    author: str | None  # who posted the story
    count: int | None  # the comments the story counts
    item_id: str | None  # the HN item the copy names above its comments
    left_out: tuple[tuple[int, str], ...]  # (line index, why)
    more_at: int | None = None  # "More": the rest of the comments are on the next page
    hidden: tuple[tuple[int, int | None], ...] = ()  # old Reddit's "load more comments (3 replies)": (line index, count)
    starts_inside: bool = False  # the copy starts inside a comment whose byline it lost
    thread_url: str | None = None  # a Reddit thread's address the text above the comments names


_DOMAIN_SUFFIX = re.compile(r"(?<!\s)\s+\((?:[\w-]+\.)+[a-z]{2,}(?:/\S*)?\)\s*$", re.IGNORECASE)
_SITE_SUFFIX = re.compile(r"(?<!\s)\s*\|\s*(?:hacker news|lobsters)\s*$", re.IGNORECASE)


def news_page(lines: list[str], bylines: dict[int, Byline]) -> NewsPage:
    """The comments under their bylines, without the site's lines ("reply", the top bar, the
    footer); the title and count from the story's byline, the item id from the text above."""
    first = min(bylines)
    left_out: list[tuple[int, str]] = []
    top = front_matter_end(lines)
    if top:
        left_out.append((0, f"the {top}-line header (---) above the page is not part of it: left out"))
    head = [(index, line) for index, line in enumerate(lines[:first]) if index >= top]
    if bylines[first].site == "lobsters" and bylines[first].points is not None:  # its score stands above it
        head = head[:max((position for position, (_, line) in enumerate(head) if SCORE_LINE_RE.match(line)), default=len(head))]
    title = author = count = None
    above: list[str] = []
    for position, (index, line) in enumerate(head):
        if author is None and (posted := _new_reddit_post_author(head, position)):
            author = posted
        if submitted := REDDIT_SUBMITTED_RE.match(line):
            author = submitted.group("name")
            texts = [text for _, text in head[:position] if text.strip() and not SCORE_LINE_RE.match(text)]
            title = _story_title(texts[-1]) if texts else None
            above = [text for text in above if text.strip() != (texts[-1].strip() if texts else None) and not SCORE_LINE_RE.match(text)]
        elif counted := REDDIT_ALL_COMMENTS_RE.match(line):
            count = int(counted.group("count"))
        elif story := STORY_BYLINE_RE.match(line):
            author, count = story.group("name"), 0 if story.group("count").lower() == "no" else int(story.group("count"))
            texts = [text for _, text in head[:position] if text.strip()]
            title = _story_title(texts[-1]) if texts else None
            above = [text for text in above if text.strip() != (texts[-1].strip() if texts else None)]
        elif QUIET_FURNITURE_RE.match(line) or NEW_REDDIT_PAGE_RE.match(line):
            continue
        elif NEWS_FURNITURE_RE.match(line):
            left_out.append((index, f"{line.strip()!r} is the site's, not the discussion's: left out"))
        else:
            above.append(line)
    if title is None and (named := next((_SITE_SUFFIX.sub("", t).strip() for t in lines[top:first] if _SITE_SUFFIX.search(t)), None)):
        title = named
        above = [text for text in above if not _SITE_SUFFIX.search(text)]
    if title is None and (named := next((found.group("title") for t in lines[top:first] if (found := _REDDIT_PAGE_TITLE.match(t))), None)):
        title = named
        above = [text for text in above if not _REDDIT_PAGE_TITLE.match(text) and named not in text and text.strip() != author
                 and not NEW_REDDIT_TIME_RE.match(text)]
    item = next((found.group("id") for line in lines[:first] if (found := HN_ITEM_RE.search(line))), None)
    thread_url = next((found.group(0) for line in lines[:first] if (found := REDDIT_THREAD_RE.search(line))), None)
    starts_inside = REDDIT_LINKS_RE.match(next((text for _, text in reversed(head) if text.strip()), "")) is not None
    if starts_inside:
        left_out.append((top, "the copy starts inside a comment whose byline was not copied (ending in its links): left "
                              "out, and the thread is partial"))
        above = []
    comments, more_at, hidden = _news_comments(lines, bylines, left_out)
    return NewsPage(tuple(above), comments, title, author, count, item, tuple(left_out), more_at, hidden, starts_inside,
                    thread_url)


def _new_reddit_post_author(head: list[tuple[int, str]], position: int) -> str | None:
    """The author in new Reddit's post byline starting at ``position``: "r/SUB", "•", the time, the name."""
    texts = [line for _, line in head[position:position + 8] if line.strip()][:4]
    if len(texts) == 4 and NEW_REDDIT_SUB_RE.match(texts[0]) and texts[1].strip() == "•" and NEW_REDDIT_TIME_RE.match(texts[2]):
        name = _REDDIT_NAME.match(texts[3])
        return name.group("linked") or name.group("name") if name else None
    return None


def _story_title(line: str) -> str:
    """ "Bearer tokens are just awful (mjg59.dreamwidth.org)", without the site it links."""
    return _DOMAIN_SUFFIX.sub("", line).strip().lstrip("▲").strip()


def _news_comments(lines: list[str], bylines: dict[int, Byline],
                   left_out: list[tuple[int, str]]) -> tuple[tuple[NewsComment, ...], int | None, tuple[tuple[int, int | None], ...]]:
    starts = sorted(bylines)
    comments = []
    more_at = None
    hidden: list[tuple[int, int | None]] = []
    for start, end in zip(starts, [*starts[1:], len(lines)]):
        body = []
        for index in range(start + 1, end):
            line = lines[index]
            byline = bylines[start]
            if index in byline.more_lines:
                continue
            if byline.votes_at is not None and index >= byline.votes_at:  # new Reddit's buttons and links
                if more := NEW_REDDIT_MORE_RE.match(line):
                    hidden.append((index, int(more.group("count")) if more.group("count") else None))
                continue
            if NEWS_MORE_RE.match(line) and end == len(lines):
                more_at = index
                break
            if more := REDDIT_MORE_RE.match(line):
                hidden.append((index, int(more.group("count")) if more.group("count") else None))
            elif QUIET_FURNITURE_RE.match(line):
                continue
            elif NEWS_FURNITURE_RE.match(line):
                left_out.append((index, f"{line.strip()!r} is the site's, not the discussion's: left out"))
                break  # the footer: nothing after it is a comment
            else:
                body.append(line)
        following = bylines.get(end)
        if following and following.site == "lobsters" and following.points is not None:
            while body and not body[-1].strip():
                body.pop()
            if body and SCORE_LINE_RE.match(body[-1]):
                body.pop()  # the next comment's score
        while body and not body[-1].strip():
            body.pop()
        comments.append(NewsComment(start, bylines[start], tuple(body)))
    return tuple(comments), more_at, tuple(hidden)


def news_body_lines(lines: tuple[str, ...]) -> list[str]:
    """A comment's plain text (HN and Lobsters show no markup in a copy) as lines for the
    reflow: escaped, "> " lines marked as a quote, and lines indented two spaces or more (HN's
    code) kept as preformatted."""
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        run_end = index
        if line.lstrip().startswith(">"):
            while run_end < len(lines) and lines[run_end].lstrip().startswith(">"):
                run_end += 1
            quoted = [html.escape(text.lstrip()[1:].strip(), quote=False) for text in lines[index:run_end]]
            out.append("<blockquote>" + quoted[0])
            out.extend(quoted[1:])
            out[-1] += "</blockquote>"
        elif line.startswith(("  ", "\t ")) and line.strip():
            while run_end < len(lines) and lines[run_end].startswith(("  ", "\t ")) and lines[run_end].strip():
                run_end += 1
            code = [html.escape(text.rstrip(), quote=False) for text in lines[index:run_end]]
            out.extend(["<pre>" + code[0], *code[1:-1], code[-1] + "</pre>"] if len(code) > 1 else [f"<pre>{code[0]}</pre>"])
        else:
            out.append(html.escape(line, quote=False))
            run_end = index + 1
        index = run_end
    return out


NEWS_SITES = {"hn": "Hacker News", "lobsters": "Lobsters", "reddit": "Reddit", "new reddit": "Reddit"}


def news_notes(news: NewsPage, nesting: Nesting, site: str, dated: bool = False) -> list[tuple[int | None, str]]:
    """What a copied news page leaves open, as (line index, or None for the page, note): the
    nesting the links do not settle (Lobsters' show none), folded or hidden comments, the next
    page, and times relative to a moment the copy does not say (``dated``: its header does)."""
    comments = news.comments
    notes: list[tuple[int | None, str]] = []
    if nesting.guessed:
        first = comments[nesting.guessed[0]]
        notes.append((first.line, f"{counted(len(nesting.guessed), 'reply answers', 'replies answer')} a comment deeper in "
                                  f"the branch above, which the copy does not tell (its indentation is lost; such as "
                                  f"{first.byline.author}'s here): imported as answering the post, not guessed"))
    notes.extend((comments[index].line, f"the reply by {comments[index].byline.author} answers a comment above the copy, "
                                        "which was not copied: imported as answering the post, and the thread is partial")
                 for index in nesting.orphans)
    if site in ("lobsters", "new reddit"):
        notes.append((comments[0].line, f"a {NEWS_SITES[site]} page copied as text does not show which comment answers "
                                        "which: every reply is imported as answering the post"))
    unlinked = [c for c in comments if c.byline.site == "reddit" and not c.byline.folded and not c.byline.links & {"parent", "top"}]
    if unlinked:
        notes.append((unlinked[0].line, f"{counted(len(unlinked), 'reply', 'replies')} (such as {unlinked[0].byline.author}'s "
                                        "here) lost the links under the comment that tell whether it answers the post or a "
                                        "comment: imported as answering the post"))
    for comment in comments:
        byline = comment.byline
        if byline.folded:
            shown = f"({byline.folded} children)" if site == "reddit" else f"([{byline.folded} more])"
            notes.append((comment.line, f"the comment by {byline.author} was folded {shown}: its text and the answers "
                                        "under it were not copied"))
        if byline.marks:
            notes.append((comment.line, f"the comment by {byline.author} is marked {byline.marks} on the page"))
    notes.extend((index, f"{'answers' if count is None else counted(count, 'answer', 'answers')} the page did not show "
                         "here ('More replies', 'load more comments', 'continue this thread'): not copied") for index, count in news.hidden)
    if news.more_at is not None:
        notes.append((news.more_at, "'More' links the next page of comments: this copy holds one page; copy each page "
                                    "and import them together as a folder"))
    moment = "which its header gives (see the note on those times)" if dated else "which the copy does not say: kept as written"
    notes.append((None, f"{NEWS_SITES[site]} shows times relative to when the page was copied (such as "
                        f"{comments[0].byline.posted_at_text!r}), {moment}" + _exact_source(site, news.item_id, news.thread_url)))
    return notes


def _exact_source(site: str, item_id: str | None, thread_url: str | None = None) -> str:
    """Where the thread itself is, with its exact times and nesting."""
    if site == "hn":
        return (f"; `digest import https://news.ycombinator.com/item?id={item_id or 'ID'}` reads the thread with its exact "
                "times and nesting")
    if site in ("reddit", "new reddit") and thread_url:
        return f"; `digest import {thread_url}` reads the thread with its exact times and nesting"
    if site in ("reddit", "new reddit"):
        return ("; `digest import` of the thread's address (https://www.reddit.com/r/SUB/comments/ID/) reads it with its "
                "exact times and nesting")
    return ""
