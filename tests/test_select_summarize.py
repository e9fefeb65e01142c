"""Selection (editor first, explainable scorer) and summaries (excerpts, context, counts)."""

from __future__ import annotations

from dataclasses import replace

from digest.config import FeaturedReply, ThreadSource
from digest.model import Engagement, Mention, Reply, Thread
from digest.select import Pick, Selection, select
from digest.sources.canonical import loads
from digest.summarize import EXCERPT_MARK, excerpt, summarize, tokens
from tests.conftest import ROOT

GARDEN = loads((ROOT / "examples" / "garden-thread.json").read_bytes(), "garden")


def _select(source: ThreadSource, count: int = 5, order: str = "thread", thread: Thread = GARDEN):
    return select(thread, source, count=count, order=order, where="test")


def test_editor_picks_come_first_and_scorer_tops_up():
    source = ThreadSource(source="x", featured=(FeaturedReply(number=10, note="n"), FeaturedReply(id="post-412005")))
    selection = _select(source, order="editor")
    assert [p.reply_id for p in selection.picks[:2]] == ["post-412010", "post-412005"]
    assert [p.picked_by for p in selection.picks] == ["editor", "editor", "scorer", "scorer", "scorer"]
    assert selection.picks[0].note == "n"


def test_thread_order_and_score_order():
    source = ThreadSource(source="x")
    by_thread = _select(source, order="thread").picks
    numbers = [int(p.reply_id[-2:]) for p in by_thread]
    assert numbers == sorted(numbers)
    by_score = _select(source, order="score").picks
    assert [p.score for p in by_score] == sorted((p.score for p in by_score), reverse=True)


def test_every_score_is_the_sum_of_its_reasons():
    for candidate in _select(ThreadSource(source="x")).candidates:
        assert abs(candidate.score - sum(r.contribution for r in candidate.reasons)) < 1e-3


def test_one_liners_lose_to_substance():
    ranked = [c.reply_id for c in _select(ThreadSource(source="x")).candidates]
    assert ranked.index("post-412005") < ranked.index("post-412013")  # the explanation beats "First!!!"


def test_exclusions_and_author_cap():
    source = ThreadSource(source="x", exclude=("@Deshawn Price", "#1"))
    selection = _select(source, count=6)
    chosen = {p.reply_id for p in selection.picks}
    assert not chosen & {"post-412005", "post-412008", "post-412001"}
    excluded = {c.reply_id: c.excluded_by for c in selection.candidates if c.excluded_by}
    assert excluded == {"post-412001": "#1", "post-412005": "@Deshawn Price", "post-412008": "@Deshawn Price"}
    authors = [GARDEN.reply(p.reply_id).author for p in _select(ThreadSource(source="x"), count=10).picks]
    assert max(authors.count(a) for a in set(authors) if a != "Marta Okafor") <= 2


def test_thread_author_answering_gets_the_author_signal():
    with_author = {c.reply_id: c for c in _select(ThreadSource(source="x", author="Ruth Mensah")).candidates}
    without = {c.reply_id: c for c in _select(ThreadSource(source="x", author="Nobody")).candidates}
    assert with_author["post-412010"].score > without["post-412010"].score


def test_excerpt_cuts_at_a_sentence_and_marks_it():
    body = "<p>" + " ".join(f"Sentence number {i} is here." for i in range(40)) + "</p>"
    text, cut = excerpt(body, 30)
    assert cut and text.endswith(f"{EXCERPT_MARK}</p>")
    assert text.count("Sentence") == 6  # 5 words a sentence, 30 words: whole sentences only
    assert excerpt("<p>Short and sweet.</p>", 30) == ("<p>Short and sweet.</p>", False)


def test_excerpt_leaves_out_quotes():
    body = "<blockquote><p>" + "quoted words " * 50 + "</p></blockquote><p>" + "Own words here. " * 30 + "</p>"
    text, cut = excerpt(body, 20)
    assert cut and "quoted" not in text and "Own words" in text


def test_excerpt_leaves_out_the_line_that_introduces_a_quote():
    quote = "<blockquote><p>" + "quoted words " * 40 + "</p></blockquote>"
    own = "<p>" + "It looks fine to me after a quick read of the change. " * 4 + "</p>"
    for intro in [
        "On Wed, Jan 18, 2017 at 12:00:54PM +0800, Yisheng Xie wrote:", "在 2023/5/16 9:57, wangwudi 写道:", "sipa said:",
        "Quote from: Tom on May 03, 2010, 09:12:44 AM", "Originally Posted by Tom", "Skip Montanaro wrote",  # no colon
    ]:
        text, cut = excerpt(f"<p>{intro}</p>{quote}{own}", 20)
        assert cut and intro not in text and "quoted" not in text and text.startswith("<p>It looks fine")
    text, _ = excerpt(f"<p>Steps:</p><ul><li>one</li></ul>{quote}{own}", 20)
    assert "Steps:" in text  # a colon before a list is the list's introduction, not a quote's


def test_an_abbreviations_full_stop_does_not_end_a_sentence():
    """"e.g. C or C++" goes on: an excerpt never ends a sentence at "headers e.g." nor starts one at "C or C++"."""
    body = (
        "<p>I wrote a programming language for discrete control systems some time back. "
        "It had the usual functions and library stuff. In fact I wrote a tool to absorb other library headers "
        "e.g. C or C++ and produce blocks that my compiler could link with, and voila your program could call them. "
        "We used it for a couple of contracts and some engineers liked it, some did not, one more thing to learn. "
        "Declaring samplers for data values and naming them as variables was the heart of it, with actions in brackets.</p>"
    )
    assert excerpt(body, 50) == (
        "<p>I wrote a programming language for discrete control systems some time back. […] In fact I wrote a tool "
        "to absorb other library headers e.g. C or C++ and produce blocks that my compiler could link with, and voila "
        "your program could call them. […]</p>",
        True,
    )


def test_an_excerpt_never_ends_a_kept_sentence_on_a_colon_without_what_it_announces():
    intro = "<p>I've made a number of posts on the topic, but it's explained at least in:</p>"
    links = "<ul><li><a href='https://x.example/a'>Cluster mempool definitions</a></li><li><a href='https://x.example/b'>Cluster linearization</a></li></ul>"
    rest = "<p>" + "Summarized very briefly, a linearization is any topological ordering of the transactions in a cluster. " * 3 + "</p>"
    text, cut = excerpt(intro + links + rest, 40)
    assert cut and text.startswith(intro + '<ul><li><a href="https://x.example/a">')  # the list comes along
    long_list = "<ul>" + "<li>one more item with several words in it to make it long</li>" * 8 + "</ul>"
    text, cut = excerpt(intro + long_list + rest, 30)
    assert cut and "at least in:" not in text and "Summarized very briefly" in text  # no room for it: neither


def test_excerpt_finds_sentences_in_arabic_and_chinese():
    arabic = "<p>" + "مرحبا بالجميع اليوم في المنتدى. " + "أريد أن أسأل عن أفضل طريقة لكتابة النصوص العربية في المستندات الطويلة؟ " * 6 + "</p>"
    text, cut = excerpt(arabic, 20)
    assert cut and text == "<p>مرحبا بالجميع اليوم في المنتدى. أريد أن أسأل عن أفضل طريقة لكتابة النصوص العربية في المستندات الطويلة؟ […]</p>"
    chinese = "<p>" + "每个处理器占用集合表的一个条目。" + "当处理器很多而集合表只有一页时，部分处理器无法接收中断。" * 4 + "</p>"
    assert tokens("每个处理器占用。node间") == ["每个", "处理", "器占", "用。", "node", "间"]  # two characters a word
    text, cut = excerpt(chinese, 22)
    assert cut and text == "<p>每个处理器占用集合表的一个条目。当处理器很多而集合表只有一页时，部分处理器无法接收中断。 […]</p>"
    whole = "<p>" + "短句。" * 10 + "</p>"
    assert excerpt(whole, 8) == (whole, False)  # ten words of two characters: within 8 and a quarter, kept whole


def test_summary_counts_and_context():
    selection = _select(ThreadSource(source="x"))
    summary = summarize(GARDEN, selection, title="T", url=GARDEN.url, full_text=False, excerpt_words=70)
    assert summary.total_replies == 14 and summary.not_shown == 9 and summary.participants == 9
    item = next(i for i in summary.items if i.reply_id == "post-412008")
    assert item.answers.author == "Tom Ashdown" and item.answers.url.endswith("/7")
    assert item.depth == 0  # Tom's reply is not shown: indenting would seem to answer the item above
    assert all(i.url.startswith(GARDEN.url) for i in summary.items)


def test_a_reply_nests_only_under_an_item_shown_above_it():
    op = Reply(id="a", author="Ann", body="<p>Water evenly.</p>")
    hidden = Reply(id="b", author="Bob", body="<p>Why?</p>", parent_id="a")
    answer = Reply(id="c", author="Cy", body="<p>Because cracking follows rain.</p>", parent_id="b")
    aside = Reply(id="d", author="Di", body="<p>Mulch helps.</p>")
    thread = Thread(id="t", title="t", url=None, replies=(op, hidden, answer, aside), source_format="canonical")
    shown = Selection("t", (Pick("a", "editor", 0), Pick("c", "editor", 0), Pick("d", "editor", 0)), ())
    depths = {i.reply_id: i.depth for i in summarize(thread, shown, title="t", url=None, full_text=True, excerpt_words=50).items}
    assert depths == {"a": 0, "c": 1, "d": 0}
    alone = Selection("t", (Pick("c", "editor", 0), Pick("d", "editor", 0)), ())
    depths = {i.reply_id: i.depth for i in summarize(thread, alone, title="t", url=None, full_text=True, excerpt_words=50).items}
    assert depths == {"c": 0, "d": 0}  # its parent and grandparent are left out: not indented under "d"'s neighbour


def test_partial_import_never_says_zero_more():
    partial = replace(GARDEN, partial=True, total_replies=None)
    summary = summarize(partial, _select(ThreadSource(source="x"), thread=partial), title="T", url=partial.url, full_text=True, excerpt_words=70)
    assert summary.not_shown is None and summary.items[0].position is None


def test_mention_context_only_when_certain():
    a = Reply(id="a", author="Ann", body="<p>hi</p>", number=1)
    b = Reply(id="b", author="Bob", body="<p>@Ann #1 yes</p>", mentions=(Mention("@Ann #1", "Ann", 1, "a"),))
    c = Reply(id="c", author="Cy", body="<p>@Ann yes, that works</p>", mentions=(Mention("@Ann", "Ann"),), engagement=Engagement(likes=1))
    thread = Thread(id="t", title="t", url=None, replies=(a, b, c), source_format="canonical")
    summary = summarize(thread, select(thread, ThreadSource(source="x"), count=3, order="thread", where="w"), title="t", url=None, full_text=True, excerpt_words=50)
    contexts = {i.reply_id: i.answers for i in summary.items}
    assert contexts["b"].author == "Ann" and contexts["b"].how == "mention"
    assert contexts["c"] is None  # a name alone is not certain


def test_markup_outside_the_body_subset_never_reaches_a_digest():
    """A hand-edited thread file can hold what no importer writes; summaries sanitize again."""
    hostile = Reply(id="a", author="Ann", body='<p onclick="steal()">hi there, everyone<script>alert(1)</script></p>', number=1)
    thread = Thread(id="t", title="t", url=None, replies=(hostile,), source_format="canonical")
    summary = summarize(thread, select(thread, ThreadSource(source="x"), count=1, order="thread", where="w"),
                        title="t", url=None, full_text=True, excerpt_words=50)
    assert summary.items[0].body == "<p>hi there, everyone</p>"


def test_excerpt_cuts_an_enormous_sentence_at_a_word_and_keeps_its_link():
    body = '<p>See <a href="https://x.example/guide">the pruning guide</a> first, ' + " ".join(f"w{i}" for i in range(400)) + ".</p>"
    text, cut = excerpt(body, 60)
    words = " ".join(f"w{i}" for i in range(55))
    assert (text, cut) == (f'<p>See <a href="https://x.example/guide">the pruning guide</a> first, {words} {EXCERPT_MARK}</p>', True)


def test_excerpt_keeps_the_first_items_of_a_long_list():
    items = "".join("<li>" + " ".join(f"step{i}_{j}" for j in range(40)) + "</li>" for i in range(10))
    text, cut = excerpt("<p>Here are the steps:</p><ul>" + items + "</ul>", 60)
    first = " ".join(f"step0_{j}" for j in range(40))
    assert (text, cut) == (f"<p>Here are the steps:</p><ul><li>{first}</li></ul><p>{EXCERPT_MARK}</p>", True)


def test_excerpt_keeps_the_first_lines_of_a_long_code_block():
    log = "\n".join(f"line {i}: error in module foo" for i in range(3000))
    text, cut = excerpt("<p>The log follows.</p><pre><code>" + log + "</code></pre>", 60)
    first = "\n".join(f"line {i}: error in module foo" for i in range(10))  # 6 words a line
    assert (text, cut) == (f"<p>{EXCERPT_MARK}</p><pre><code>{first}</code></pre><p>{EXCERPT_MARK}</p>", True)


def test_excerpt_cuts_a_pasted_blob_that_counts_as_one_word():
    blob = "QmFzZTY0" * 6000  # 48 kB without a space: one "word" of the budget
    url = "https://x.example/" + "p" * 120
    body = f'<p>My key:</p><pre>{blob}</pre><p>Source: <a href="{url}">{url}</a> and {blob}</p>'
    text, cut = excerpt(body, 60)
    start = blob[:80] + "…"
    assert (text, cut) == (f'<p>My key:</p><pre>{start}</pre><p>Source: <a href="{url}">{url}</a> and {start}</p>', True)
    assert excerpt(f'<p>Source: <a href="{url}">{url}</a></p>', 60) == (f'<p>Source: <a href="{url}">{url}</a></p>', False)


def test_excerpt_keeps_the_links_of_the_sentences_it_picks():
    body = ('<p>Filler about nothing much at all here today. Tomato cracking: read <a href="https://x.example/c">'
            "the tomato cracking notes</a> on tomato cracking now. " + "Unrelated chatter about other things entirely. " * 12 + "</p>")
    text, cut = excerpt(body, 20)
    assert (text, cut) == ('<p>Filler about nothing much at all here today. Tomato cracking: read <a href="https://x.example/c">'
                           f"the tomato cracking notes</a> on tomato cracking now. {EXCERPT_MARK}</p>", True)
