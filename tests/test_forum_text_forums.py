"""Forum topics copied as text: Discourse's page without JavaScript, GitHub's issues and gists, phpBB's prosilver;
times relative to a copy whose header dates it; forum pages in shapes no reader knows."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from digest.errors import SourceError
from digest.sources import ImportRequest, SourceDocument, detect, import_thread

RETRIEVED = datetime(2026, 11, 1, tzinfo=timezone.utc)


def _import(text: str, timezone_name: str | None = None):
    request = ImportRequest((SourceDocument("copy.txt", text.encode()),), retrieved_at=RETRIEVED, timezone=timezone_name)
    return import_thread(request, "auto")


DISCOURSE = """Restart oneshot service on every rebuild - Help - NixOS Discourse

Restart oneshot service on every rebuild

Help

syvlorg

October 13, 2025,  9:31pm

1

I'd like to run a script on every configuration activation.

eblechschmidt

(Erik B.)

October 13, 2025, 10:06pm

2

How about using restartTriggers

3 Likes

syvlorg

October 14, 2025,  7:46am

3

Everything seems to be running fine.

next page →

Powered by Discourse, best viewed with JavaScript enabled

Hosted by Flying Circus.
"""


def test_a_discourse_topic_copied_as_text_is_read_post_by_post():
    assert detect(ImportRequest((SourceDocument("copy.txt", DISCOURSE.encode()),))) == "forum-text"
    thread = _import(DISCOURSE)
    assert [(r.author, r.number, r.posted_at_text, r.engagement.likes) for r in thread.replies] == [
        ("syvlorg", 1, "October 13, 2025, 9:31pm", None),
        ("eblechschmidt", 2, "October 13, 2025, 10:06pm", 3),
        ("syvlorg", 3, "October 14, 2025, 7:46am", None),
    ]
    assert [r.body for r in thread.replies] == ["<p>I'd like to run a script on every configuration activation.</p>",
                                                "<p>How about using restartTriggers</p>",
                                                "<p>Everything seems to be running fine.</p>"]
    assert thread.title == "Restart oneshot service on every rebuild" and thread.author == "syvlorg"
    assert thread.note is None and thread.partial and all(r.parent_id is None for r in thread.replies)
    assert thread.import_notes == (
        "a Discourse topic's page copied as text shows neither which post answers which nor the zone of its times: "
        "`digest import https://FORUM/t/SLUG/ID` (the topic's address) reads it exactly",
        "line 1: the 3 line(s) above the first post (the topic's title, the forum's navigation) are the page's: left out, "
        "but for the title 'Restart oneshot service on every rebuild'",
        "line 35: the page links other pages of its comments ('next page'): this copy holds one of them; copy each page "
        "and import them together as a folder",
        "line 37: 'Powered by Discourse, best viewed with JavaScript enabled' ends the comments: the comment form and the "
        "rest of the page below it were left out",
        "3 replies give a time without a time zone (such as 'October 13, 2025, 9:31pm'): kept as written, not taken as UTC; "
        "`--timezone ZONE` (the zone the page showed, such as Europe/Berlin) reads them as UTC times",
    )


def test_a_discourse_copy_on_one_line_a_post_as_lynx_dumps_it_and_starting_at_a_later_post_is_partial():
    text = ("   [12]alice (Alice A.) March 3, 2024,  5:12pm #21\n\n   Later, it worked.\n\n"
            "   [13]bob March 4, 2024,  9:00am #22\n\n   Good.\n\n   Powered by Discourse, best viewed with JavaScript enabled\n")
    thread = _import(text, "UTC")
    assert [(r.author, r.number, r.posted_at) for r in thread.replies] == [
        ("alice", 21, datetime(2024, 3, 3, 17, 12, tzinfo=timezone.utc)),
        ("bob", 22, datetime(2024, 3, 4, 9, 0, tzinfo=timezone.utc)),
    ]
    assert thread.partial and thread.author is None
    assert ("line 1: the copy starts at post #21: the posts before it (a topic's page shows 20) were not copied, and the "
            "thread is partial") in thread.import_notes


GIST = """https://gist.github.com/someone/08c5d85437d5d4f00e58

app.listen(3000);
@espaciomore
espaciomore commented on Feb 3, 2017
very helpful, I used curl to automate some tests

@pushyamig
Tip
pushyamig commented on Jun 22, 2017 • 
Is there a way to do a POST one line at a time?

@jopek
jopek commented on Aug 15, 2017 • edited
Author
@pushyamig you could use xargs.
"""


def test_a_github_gist_or_issue_copied_as_text_is_read_comment_by_comment():
    thread = _import(GIST)
    assert [(r.author, r.posted_at_text, r.body) for r in thread.replies] == [
        ("espaciomore", "Feb 3, 2017", "<p>very helpful, I used curl to automate some tests</p>"),
        ("pushyamig", "Jun 22, 2017", "<p>Is there a way to do a POST one line at a time?</p>"),
        ("jopek", "Aug 15, 2017", "<p>@pushyamig you could use xargs.</p>"),
    ]
    assert [m.name for m in thread.replies[2].mentions] == ["pushyamig"]
    assert thread.url == "https://gist.github.com/someone/08c5d85437d5d4f00e58" and thread.note == "app.listen(3000);"
    assert not any("answers which" in note for note in thread.import_notes)  # GitHub's comments answer none


PHPBB = """Skip to content
Border only towards the outside
Post Reply
3 posts • Page 1 of 2

mar_gian60
Posts: 5
Joined: Thu Sep 27, 2018 8:25 pm

Border only towards the outside

    Quote

Postby mar_gian60 » Sun Oct 14, 2018 7:55 pm
Hi,
would it be possible to make it expand only towards the outside?
Marco
Top

User avatar
brynn
Posts: 10309
Joined: Wed Sep 26, 2007 4:34 pm
Location: western USA

Re: Border only towards the outside

    Quote

Post by brynn » Mon Oct 15, 2018 9:46 pm
Not yet possible.
Top
Post Reply
3 posts • Page 1 of 2

Return to “Help with using Inkscape”
Jump to
Powered by phpBB® Forum Software © phpBB Limited
"""


def test_a_phpbb_topic_copied_as_text_loses_profiles_subjects_and_buttons():
    thread = _import(PHPBB)
    assert [(r.author, r.posted_at_text, r.body) for r in thread.replies] == [
        ("mar_gian60", "Sun Oct 14, 2018 7:55 pm", "<p>Hi,<br>would it be possible to make it expand only towards the outside?<br>Marco</p>"),
        ("brynn", "Mon Oct 15, 2018 9:46 pm", "<p>Not yet possible.</p>"),
    ]
    assert thread.title == "Border only towards the outside" and thread.author == "mar_gian60"
    assert thread.total_replies == 3 and thread.partial and thread.note is None
    assert thread.import_notes[:3] + thread.import_notes[4:] == (
        "line 1: the 4 line(s) above the first post (the topic's title, the forum's navigation) are the page's: left out, "
        "but for the title 'Border only towards the outside'",
        "line 4: the page links other pages of its comments ('3 posts • Page 1 of 2'): this copy holds one of them; copy "
        "each page and import them together as a folder",
        "line 33: 'Post Reply' ends the comments: the comment form and the rest of the page below it were left out",
        "the topic counts 3 posts but the copy holds 2: the rest were not copied (the topic's other pages)",
    )


def test_a_phpbb_30_copy_with_the_profile_under_the_post_and_a_later_page():
    text = ("10 posts • Page 2 of 2\nRe: Custom scene node\nby danielmccarthy » Tue Jun 10, 2014 11:29 pm\nIt compiles now.\n"
            "danielmccarthy\nPosts: 40\nJoined: Sat Feb 06, 2010 9:00 pm\nTop\nRe: Custom scene node\n"
            "by CuteAlien » Wed Jun 11, 2014 9:00 am\nGood to hear.\nTop\nDisplay posts from previous: All posts\n")
    thread = _import(text)
    assert [(r.author, r.body) for r in thread.replies] == [("danielmccarthy", "<p>It compiles now.</p>"),
                                                           ("CuteAlien", "<p>Good to hear.</p>")]
    assert thread.partial and thread.author is None and thread.title == "Re: Custom scene node"
    assert ("line 3: the copy is page 2 of 2 of the topic: the posts of the pages before it, the topic's opening post "
            "among them, were not copied") in thread.import_notes


def test_relative_times_count_back_from_the_date_a_clipped_copy_states_in_its_header():
    text = ("---\ntitle: \"Show HN: A tiny thing | Hacker News\"\nsource: https://news.ycombinator.com/item?id=45810482\n"
            "created: 2026-05-16\nclipped: 2026-05-16T16:12:00+02:00\n---\n"
            "alice 3 hours ago | next [–]\n\nFirst.\n\nreply\n\nbob 2 days ago | parent | next [–]\n\nSecond.\n\nreply\n\n"
            "carol 6 months ago | prev | next [–]\n\nOld one.\n\nreply\n")
    thread = _import(text)
    assert [(r.author, r.posted_at, r.posted_at_text) for r in thread.replies] == [
        ("alice", datetime(2026, 5, 16, 11, 12, tzinfo=timezone.utc), None),
        ("bob", datetime(2026, 5, 14, 14, 12, tzinfo=timezone.utc), None),
        ("carol", None, "6 months ago"),
    ]
    assert thread.import_notes[:2] == (
        "2 replies give a time relative to when the page was copied (such as '3 hours ago'): counted back from the copy's "
        "date in its header (clipped: 2026-05-16T16:12:00+02:00), so each is exact only to its unit (an hour for '3 hours ago')",
        "1 reply gives a time in weeks, months or years before the copy (such as '6 months ago'): too coarse to count back "
        "from the copy's date in its header (clipped: 2026-05-16T16:12:00+02:00), kept as written",
    )
    assert thread.import_notes[-1] == (
        "Hacker News shows times relative to when the page was copied (such as '3 hours ago'), which its header gives (see "
        "the note on those times); `digest import https://news.ycombinator.com/item?id=45810482` reads the thread with its "
        "exact times and nesting")


def test_relative_times_stay_as_written_when_the_header_gives_no_moment_with_a_zone():
    text = ("---\ntitle: Copied\ndate: 2026-05-16 14:12\n---\nalice 3 hours ago | next [–]\n\nFirst.\n\nreply\n\n"
            "bob 2 hours ago | parent | next [–]\n\nSecond.\n")
    thread = _import(text)
    assert [(r.posted_at, r.posted_at_text) for r in thread.replies] == [(None, "3 hours ago"), (None, "2 hours ago")]
    assert not any("counted back" in note for note in thread.import_notes)


def test_a_forum_page_in_a_shape_no_reader_knows_is_told_by_its_software_with_where_to_read_it():
    xenforo = "Some thread title\nalice\nWell-known member\nReaction score\n56\nbob said:\nquoted\nClick to expand...\nI agree.\n"
    with pytest.raises(SourceError) as xenforo_error:
        _import(xenforo)
    assert xenforo_error.value.message == ("could not recognise the format: this looks like a XenForo forum page copied as "
                                           "text (it starts: 'Some thread title'), in a shape digest does not read")
    assert xenforo_error.value.fix.startswith("save the discussion in a format digest reads (")
    phpbb_style = "Board index\nUser avatarDelta\nPosts: 129\n19 Aug 2017, 19:14\nhello\nTop\nPowered by phpBB® Forum Software\n"
    with pytest.raises(SourceError) as phpbb_error:
        _import(phpbb_style)
    with pytest.raises(SourceError) as readme_error:  # a README naming the software is no forum page
        _import("# Forums\n- Powered by NodeBB and written in JavaScript.\nOur forum is powered by NodeBB.\n")
    assert "forum page" not in readme_error.value.message
    assert phpbb_error.value.fix == (
        "import the topic's address instead (`digest import https://FORUM/viewtopic.php?t=ID`): digest reads its feed, which "
        "holds the latest posts; or copy the page in the board's default style, where each post reads 'Post by NAME » DATE'")


GITHUB_MARKDOWN = """[Skip to content](https://github.com/o/r/issues/7#start-of-content)

# Crash on start\\#7

Copy link

[![@ana](https://avatars.githubusercontent.com/u/1?v=4&size=48)](https://github.com/ana)

[ana](https://github.com/ana)

opened [on Jun 21, 2025on Jun 21, 2025](https://github.com/o/r/issues/7#issue-3165486658)

Contributor

Issue body actions

It crashes **at once**.

👍React with 👍3bo, cy and di

## Activity

[![](https://avatars.githubusercontent.com/u/1?s=64&v=4)ana](https://github.com/ana)

added

[bug](https://github.com/o/r/issues?q=label%3Abug)

[on Jun 21, 2025on Jun 21, 2025](https://github.com/o/r/issues/7#event-18259112872)

[![bo](https://avatars.githubusercontent.com/u/2?v=4&size=80)](https://github.com/bo)

### bo commented on Mar 3on Mar 3, 2026

[![@bo](https://avatars.githubusercontent.com/u/2?v=4&size=48)](https://github.com/bo)

[bo](https://github.com/bo) bot

[on Mar 3on Mar 3, 2026](https://github.com/o/r/issues/7#issuecomment-3993471537) – with [GitHub Actions](https://help.github.com/en/actions)

More actions

Fixed in [#8](https://github.com/o/r/pull/8).

[Sign up for free](https://github.com/signup)**to join this conversation on GitHub.** Already have an account?

## Metadata
"""


def test_a_github_issue_saved_as_markdown_keeps_its_comments_permalinks_and_thumbs_up_without_its_events():
    thread = _import(GITHUB_MARKDOWN)
    assert [(r.author, r.posted_at_text, r.permalink, r.engagement.likes, r.body) for r in thread.replies] == [
        ("ana", "Jun 21, 2025", "https://github.com/o/r/issues/7#issue-3165486658", 3, "<p>It crashes <strong>at once</strong>.</p>"),
        ("bo", "Mar 3, 2026", "https://github.com/o/r/issues/7#issuecomment-3993471537", None,
         '<p>Fixed in <a href="https://github.com/o/r/pull/8">#8</a>.</p>'),
    ]
    assert (thread.title, thread.url, thread.author, thread.note) == ("Crash on start", "https://github.com/o/r/issues/7", "ana", None)
    assert thread.import_notes == (
        "line 1: the 3 line(s) above the first post (the topic's title, the forum's navigation) are the page's: left out, but "
        "for the title 'Crash on start'",
        "line 21: left out the 9 line(s) of the events GitHub shows between the comments (labels, mentions, closing)",
        "line 45: 'Sign up for free**to join this conversation on GitHub.** Already have an account?' ends the comments: the "
        "comment form and the rest of the page below it were left out",
    )


SUBSTACK = """Understanding LoRA
Miguel Otero Pedrido
Feb 25, 2026

See you there!

42 Likes
∙
7 Restacks
Discussion about this post
Write a comment...
manishlearnsai 
25 feb

There's a small typo in the article.

Like (3)
Reply
Share
1 reply by Miguel Otero Pedrido
Klement Gunndu
Klement’s Substack
28 feb

One pattern complements this well.

Liked (2)
Reply
Share
1 more comment...

6 hands-on projects to grow as an AI Engineer
Aug 6, 2025 • Miguel Otero Pedrido
"""


def test_a_substack_discussion_copied_as_text_is_read_without_the_buttons_and_the_posts_after_it():
    thread = _import(SUBSTACK)
    assert [(r.author, r.posted_at_text, r.engagement.likes, r.body) for r in thread.replies] == [
        ("manishlearnsai", "25 feb", 3, "<p>There's a small typo in the article.</p>"),
        ("Klement Gunndu", "28 feb", 2, "<p>One pattern complements this well.</p>"),
    ]
    assert thread.note == "Understanding LoRA Miguel Otero Pedrido Feb 25, 2026 See you there!" and thread.partial
    assert thread.import_notes == (
        "a comment page copied as text does not show which comment answers which: every reply is imported as answering the post",
        "line 7: '42 Likes' and the lines down to the first comment (the post's likes, 'Discussion about this post') are the "
        "page's: left out",
        "line 20: 2 place(s) where the page folded answers or comments ('1 reply by Miguel Otero Pedrido' here): they were not "
        "copied, and the thread is partial",
        "line 32: the 2 line(s) after the last comment ('6 hands-on projects to grow as an AI Engineer' on) are the page's: left out",
    )


def test_a_phpbb_30_topic_printed_to_pdf_loses_the_profiles_under_its_posts_and_the_printed_margins():
    text = ("Custom scene node class?\nby danielmccarthy » Tue Jun 10, 2014 11:29 pm\nI am trying to extend the class.\n"
            "Dan\ndanielmccarthy\nPosts: 51\n\n9/6/2019, 3:59 PM\n\nIrrlicht Engine • View topic - Custom scene node\n\n"
            "2 of 5\n\nhttp://irrlicht.sourceforge.net/forum/viewtopic.php?f=4&t=49950\n\nJoined: Fri May 30, 2014 12:55 am\nTop\n\n"
            "Re: Custom scene node class?\nby CuteAlien » Mon Jun 23, 2014 11:48 am\nThere are very few reasons.\n\n"
            "9/6/2019, 3:59 PM\n\nIrrlicht Engine • View topic - Custom scene node\n\n3 of 5\n\n"
            "http://irrlicht.sourceforge.net/forum/viewtopic.php?f=4&t=49950\n\nCuteAlien\nAdmin\nPosts: 8810\n"
            "Location: Tübingen, Germany\nWebsite\nTop\n")
    thread = _import(text)
    assert [(r.author, r.body) for r in thread.replies] == [
        ("danielmccarthy", "<p>I am trying to extend the class.<br>Dan</p>"),
        ("CuteAlien", "<p>There are very few reasons.</p>"),
    ]
    assert thread.title == "Custom scene node class?"
    assert thread.import_notes[0] == (
        "line 8: left out the 8 line(s) of the margins a browser prints on every page (date, title, address and page number, "
        "such as '9/6/2019, 3:59 PM')")


def test_a_discourse_topic_dumped_by_lynx_keeps_its_code_and_quotes_and_loses_the_link_numbers():
    text = ("   [20]Arjen February 10, 2022, 7:27pm 2\n\n   Thanks for this write-up. The principles of UNICODE are indeed not\n"
            "   that hard, see [22]JSON-Fortran for one.\n\n   2 Likes\n\n   [23]FortranFan February 11, 2022, 5:12am 3\n\n"
            "   Arjen:\n\n     Thanks for this write-up.\n\n   And the following code:\nprogram test\n\nend program test\n\n"
            "   [53]next page →\n\n   Powered by [68]Discourse, best viewed with JavaScript enabled\n\nReferences\n\n"
            "   Visible links:\n   1. https://fortran-lang.discourse.group/opensearch.xml\n"
            "   2. https://fortran-lang.discourse.group/t/using-unicode-characters-in-fortran/2764?page=2\n"
            "   3. https://fortran-lang.discourse.group/t/using-unicode-characters-in-fortran/2764\n")
    thread = _import(text)
    assert thread.url == "https://fortran-lang.discourse.group/t/using-unicode-characters-in-fortran/2764"
    assert ("line 1: the topic's address, https://fortran-lang.discourse.group/t/using-unicode-characters-in-fortran/2764, "
            "is taken from the dump's References list") in thread.import_notes
    assert [(r.author, r.number, r.engagement.likes, r.body) for r in thread.replies] == [
        ("Arjen", 2, 2, "<p>Thanks for this write-up. The principles of UNICODE are indeed not that hard, see JSON-Fortran "
                        "for one.</p>"),
        ("FortranFan", 3, None, "<p>Arjen:</p><blockquote><p>Thanks for this write-up.</p></blockquote><p>And the following "
                                "code:</p><pre>program test\n\nend program test</pre>"),
    ]
    assert thread.partial
    assert ("line 1: a page dumped by lynx: the numbers it gives links ('[22]') were left out of the text (the addresses are "
            "in its References list)") in thread.import_notes
    assert ("line 19: the page links other pages of its comments ('next page'): this copy holds one of them; copy each page "
            "and import them together as a folder") in thread.import_notes


def test_a_clipped_discourse_topic_takes_its_address_from_the_header_and_names_it_as_the_exact_source():
    text = ("---\ntitle: Restart oneshot service - Help - NixOS Discourse\n"
            "source: https://discourse.nixos.org/t/restart-oneshot-systemd-service-on-every-rebuild/70853\n---\n\n"
            "syvlorg\n\nOctober 13, 2025,  9:31pm\n\n1\n\nI'd like to run a script.\n\n"
            "Powered by Discourse, best viewed with JavaScript enabled\n")
    thread = _import(text)
    assert thread.url == "https://discourse.nixos.org/t/restart-oneshot-systemd-service-on-every-rebuild/70853"
    assert thread.import_notes[0] == (
        "a Discourse topic's page copied as text shows neither which post answers which nor the zone of its times: "
        "`digest import https://discourse.nixos.org/t/restart-oneshot-systemd-service-on-every-rebuild/70853` (the topic's "
        "address) reads it exactly")


def test_a_medium_storys_responses_copied_as_text_keep_their_claps_and_say_which_were_not_shown():
    text = ("Well, I hope this helps.\n\n\nResponses (6)\nTo respond to this story,\nget the free Medium app.\nCédric M\n"
            "2 days ago\nJust look at how things turned out for Google with the Java API.\n8\nOla\n2 days ago (edited)\n"
            "This is amazing.\n1.2K\nEdinho\nMar 3, 2024\nThe code is still in the Git history.\n3 1 reply\nSee all responses\n"
            "More from Joe Njenga\n")
    thread = _import(text)
    assert [(r.author, r.posted_at_text, r.engagement.likes, r.body) for r in thread.replies] == [
        ("Cédric M", "2 days ago", 8, "<p>Just look at how things turned out for Google with the Java API.</p>"),
        ("Ola", "2 days ago", 1200, "<p>This is amazing.</p>"),
        ("Edinho", "Mar 3, 2024", 3, "<p>The code is still in the Git history.</p>"),
    ]
    assert (thread.note, thread.total_replies, thread.partial) == ("Well, I hope this helps.", 6, True)
    assert thread.import_notes[1:] == (
        "line 18: 1 place(s) where the page folded answers or comments ('1 reply' here): they were not copied, and the thread "
        "is partial",
        "line 19: 'See all responses' ends the comments: the comment form and the rest of the page below it were left out",
        "the story counts 6 responses but the copy holds 3: the page shows only some ('See all responses' opens the rest), so "
        "the others were not copied",
    )
