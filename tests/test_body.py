"""Source HTML into the body subset: what a reader would otherwise misread or find broken."""

from digest.body import clean, from_html, from_plain_text, prose_words
from digest.sources.common import AuthorNames, find_mentions
from digest.sources.mail.bodies import own_text


def test_struck_out_text_keeps_its_mark_and_superscripts_their_caret():
    assert from_html("<p>E = mc<sup>2</sup>, <del>flat</del> <s>round</s> <strike>x</strike> earth</p>") == (
        "<p>E = mc^2, ~~flat~~ ~~round~~ ~~x~~ earth</p>"
    )


def test_an_image_inside_a_link_becomes_the_links_label():
    body = from_html('<p><a href="https://ex.org/full.png"><img src="https://ex.org/thumb.png" alt="chart"></a> see</p>')
    assert body == '<p><a href="https://ex.org/full.png">[image: chart]</a> see</p>'


def test_bare_addresses_in_html_text_become_links_except_in_links_and_code():
    fragment = ('<p>See https://example.org/a?x=1&amp;y=2.</p><p><a href="https://example.org/b">https://example.org/b</a></p>'
                '<pre>curl https://example.org/c</pre><figure><div>https://youtu.be/QNNl</div></figure>')
    assert from_html(fragment) == (
        '<p>See <a href="https://example.org/a?x=1&amp;y=2">https://example.org/a?x=1&amp;y=2</a>.</p>'
        '<p><a href="https://example.org/b">https://example.org/b</a></p><pre>curl https://example.org/c</pre>'
        '<p><a href="https://youtu.be/QNNl">https://youtu.be/QNNl</a></p>')


def test_a_forums_quote_box_is_a_quote():
    phpbb = '<div class="quotetitle"><b>Ann wrote:</b></div><div class="quotecontent">Shears?</div>Bypass ones.'
    assert from_html(phpbb) == "<p><strong>Ann wrote:</strong></p><blockquote>Shears?</blockquote><p>Bypass ones.</p>"



def test_vbulletins_post_wrapper_is_the_post_not_a_quote():
    post = ('<blockquote class="postcontent restore">Prune in March.<br /><div class="bbcode_quote">'
            '<div class="quote_container">Shears?</div></div>Bypass ones.</blockquote>')
    assert from_html(post) == "<p>Prune in March.<br></p><blockquote><p>Shears?</p></blockquote><p>Bypass ones.</p>"
    assert from_html('<blockquote class="blogcontent restore"><p>My finding.</p></blockquote>') == "<p>My finding.</p>"
def test_an_embedded_frame_becomes_a_link_to_what_it_shows():
    frame = '<p>Watch:</p><iframe width="420" src="//www.youtube.com/embed/QNNl" title="Pruning roses"></iframe><iframe src="/x"></iframe>'
    assert from_html(frame) == '<p>Watch:</p><p><a href="https://www.youtube.com/embed/QNNl">[embedded: Pruning roses]</a></p>'


def test_protocol_relative_and_site_relative_addresses_lead_somewhere():
    fragment = '<p><a href="//i.stack.imgur.com/x.png">shot</a> <a href="/q/1">question</a></p>'
    assert from_html(fragment) == '<p><a href="https://i.stack.imgur.com/x.png">shot</a> question</p>'
    assert from_html(fragment, "https://coffee.stackexchange.com/") == (
        '<p><a href="https://i.stack.imgur.com/x.png">shot</a> <a href="https://coffee.stackexchange.com/q/1">question</a></p>')


def test_links_that_lead_nowhere_from_a_mailbox_become_plain_text():
    body = from_html(
        '<p><a href="/u/elliot">@elliot</a> <a href="#fn1">1</a> <a href="javascript:alert(1)">j</a> '
        '<a href="HTTPS://ex.org/a">ok</a> <a href="mailto:a@ex.org">mail</a></p>'
    )
    assert body == '<p>@elliot 1 j <a href="HTTPS://ex.org/a">ok</a> <a href="mailto:a@ex.org">mail</a></p>'


def test_a_relative_link_around_an_image_leaves_the_image_link():
    assert from_html('<a href="/upload/1"><img src="https://ex.org/i.png"></a>') == '<p><a href="https://ex.org/i.png">[image]</a></p>'


def test_plain_text_code_and_logs_keep_their_lines_while_prose_is_reflowed():
    text = (
        "The build fails:\n\n"
        "make[3]: Entering directory `/src/core'\n"
        "core.cpp:251: error: `this' is unavailable\n"
        "make[3]: *** [core.lo] Error 1\n\n"
        "and the entry is:\n\n"
        "HomesteadsEntry OBJECT-TYPE\n"
        "    SYNTAX HomesteadsEntry\n"
        "::= { HomesteadsTable 1 }\n\n"
        "A hard-wrapped paragraph that goes on\nto the next line.\n"
    )
    assert from_plain_text(text) == (
        "<p>The build fails:</p>"
        "<pre>make[3]: Entering directory `/src/core'\ncore.cpp:251: error: `this' is unavailable\nmake[3]: *** [core.lo] Error 1</pre>"
        "<p>and the entry is:</p>"
        "<pre>HomesteadsEntry OBJECT-TYPE\n    SYNTAX HomesteadsEntry\n::= { HomesteadsTable 1 }</pre>"
        "<p>A hard-wrapped paragraph that goes on to the next line.</p>"
    )


def test_plain_text_list_items_apart_by_blank_lines_stay_one_list():
    assert from_plain_text("Items:\n\n- one\n\n- two\n- three\n\n1. a\n\n2. b\n\nAfter.") == (
        "<p>Items:</p><ul><li>one</li><li>two</li><li>three</li></ul><ol><li>a</li><li>b</li></ol><p>After.</p>"
    )


def test_paragraphs_left_empty_by_source_markup_are_dropped():
    assert from_html("text<p><pre>code\n  x</pre>\nQualifications<p>end") == (
        "<p>text</p><pre>code\n  x</pre><p>Qualifications</p><p>end</p>"
    )
    assert from_html("<p></p><p> </p><p><br></p><p><o:p>&nbsp;</o:p></p><p>a</p>") == "<p>a</p>"


def test_a_quoted_messages_header_block_keeps_its_lines():
    assert from_plain_text("From: Anne\nSent: Monday\nTo: list\nSubject: hi\n\nBody text.") == (
        "<pre>From: Anne\nSent: Monday\nTo: list\nSubject: hi</pre><p>Body text.</p>"
    )


def test_a_patch_in_a_mail_keeps_its_lines_and_its_minus_signs():
    text = (
        "Fix the check.\n\nSigned-off-by: Dev <dev@example.org>\n---\n"
        " mm/memory.c | 3 ++-\n 1 file changed, 2 insertions(+), 1 deletion(-)\n\n"
        "diff --git a/mm/memory.c b/mm/memory.c\n--- a/mm/memory.c\n+++ b/mm/memory.c\n"
        "@@ -1527,7 +1527,8 @@ static int get_any_page(struct page *page)\n {\n"
        " \tint ret = 0;\n\n-\tif (ret == 1) {\n+\tif (ret == 1 &&\n+\t    !moved) {\n\n"
        "Thanks for looking.\n"
    )
    assert from_plain_text(text) == (
        "<p>Fix the check.</p><p>Signed-off-by: Dev &lt;dev@example.org&gt;</p>"
        "<pre>---\n mm/memory.c | 3 ++-\n 1 file changed, 2 insertions(+), 1 deletion(-)</pre>"
        "<pre>diff --git a/mm/memory.c b/mm/memory.c\n--- a/mm/memory.c\n+++ b/mm/memory.c\n"
        "@@ -1527,7 +1527,8 @@ static int get_any_page(struct page *page)\n {\n"
        " \tint ret = 0;\n\n-\tif (ret == 1) {\n+\tif (ret == 1 &amp;&amp;\n+\t    !moved) {</pre>"
        "<p>Thanks for looking.</p>"
    )


def test_a_commit_mails_file_diffs_keep_their_lines_under_their_heading_and_rule():
    rule = "=" * 67
    text = (
        f"Log:\nfix typo\n\nModified: trunk/doc/openocd.texi\n{rule}\n--- trunk/doc/openocd.texi\t(rev 1277)\n"
        "+++ trunk/doc/openocd.texi\t(rev 1278)\n@@ -1459,2 +1459,2 @@\n @itemize @bullet\n- at item the corrisponding mask\n"
        f"+ at item the corresponding mask\n\nIndex: trunk/src/a.c\n{rule}\n--- trunk/src/a.c\n+++ trunk/src/a.c\n@@ -1 +1 @@\n-int y;\n+int z;\n"
    )
    assert from_plain_text(text) == (
        "<p>Log: fix typo</p>"
        f"<pre>Modified: trunk/doc/openocd.texi\n{rule}\n--- trunk/doc/openocd.texi\t(rev 1277)\n+++ trunk/doc/openocd.texi\t(rev 1278)\n"
        "@@ -1459,2 +1459,2 @@\n @itemize @bullet\n- at item the corrisponding mask\n+ at item the corresponding mask</pre>"
        f"<pre>Index: trunk/src/a.c\n{rule}\n--- trunk/src/a.c\n+++ trunk/src/a.c\n@@ -1 +1 @@\n-int y;\n+int z;</pre>"
    )
    assert from_plain_text("Modified: yesterday, by Ann.\nShe fixed the wording.") == "<p>Modified: yesterday, by Ann. She fixed the wording.</p>"


def test_smf_and_invision_quotes_and_code_blocks_keep_their_meaning():
    smf = ('<div class="quoteheader">Quote from: Ann on May 3</div><div class="quote">Use straw.</div>I agree.'
           '<div class="codeheader">Code:</div><div class="code">layer 1: straw<br />layer 2: greens</div>')
    assert from_html(smf) == ("<p>Quote from: Ann on May 3</p><blockquote>Use straw.</blockquote><p>I agree.</p>"
                              "<p>Code:</p><pre>layer 1: straw\nlayer 2: greens</pre>")
    assert from_html('<div class="quotemain">Use straw.</div><p>No.</p>') == "<blockquote>Use straw.</blockquote><p>No.</p>"


def test_a_link_whose_address_the_sanitizer_refuses_keeps_only_its_text():
    """Outlook writes a placeholder host as "https://%3cbmcip%3e/xyz": no address, so no link."""
    assert from_html('<p>see <a href="https://%3cbmcip%3e/xyz">the page</a> ok</p>') == "<p>see the page ok</p>"
    assert from_plain_text("see https://%3cbmcip%3e/xyz ok") == "<p>see https://%3cbmcip%3e/xyz ok</p>"
    assert clean('<p><a href="javascript:alert(1)">y</a> <a href="https://ok.example/">x</a></p>') == (
        '<p>y <a href="https://ok.example/">x</a></p>')


def test_a_kernel_log_keeps_its_lines():
    text = (
        "I see this on boot:\n\n[    0.000000] Linux version 5.2.0-rc5 (gcc version 8.3.0)\n"
        "[  151.773224][ T1650] BUG kmem_cache (Tainted: G    B   W        ): Poison overwritten\n\nAny idea?"
    )
    assert from_plain_text(text) == (
        "<p>I see this on boot:</p><pre>[    0.000000] Linux version 5.2.0-rc5 (gcc version 8.3.0)\n"
        "[  151.773224][ T1650] BUG kmem_cache (Tainted: G    B   W        ): Poison overwritten</pre><p>Any idea?</p>"
    )


def test_a_quoted_original_message_header_block_keeps_its_lines():
    text = ">-----Original Message-----\n>From: Ann\n>Sent: Monday, May 3\n>To: Bob\n>Subject: plan\n>\n>Ship it."
    assert from_plain_text(text) == ("<blockquote><pre>-----Original Message-----\nFrom: Ann\nSent: Monday, May 3\nTo: Bob\n"
                                     "Subject: plan</pre><p>Ship it.</p></blockquote>")


def test_settings_lines_keep_their_lines():
    assert from_plain_text("yes = Yes\nno = No\ncancel.label = Cancel") == "<pre>yes = Yes\nno = No\ncancel.label = Cancel</pre>"
    assert from_plain_text("We set x = 5 and\nthen it worked.") == "<p>We set x = 5 and then it worked.</p>"


def test_aligned_key_value_lines_keep_their_lines():
    text = "Tested on:\n\ncommit:         6a3599ce usb: fix\ncompiler:       gcc (GCC) 9.0.0\n"
    assert from_plain_text(text) == "<p>Tested on:</p><pre>commit:         6a3599ce usb: fix\ncompiler:       gcc (GCC) 9.0.0</pre>"
    assert from_plain_text("note: this is\nprose: wrapped") == "<p>note: this is prose: wrapped</p>"  # not aligned


def test_smiley_and_emoji_images_become_their_text():
    body = from_html('<p>Nice <img class="wp-smiley" src="https://ex.org/wink.gif" alt=";)"> post '
                     '<img class="emoji" alt=":tada:" src="https://ex.org/e.png"></p>')
    assert body == "<p>Nice ;) post :tada:</p>"


def test_no_attribute_outside_the_subset_survives():
    assert clean('<p title="t" lang="en" class="signature"><a href="https://ex.org" title="tip">a</a><em lang="fr">b</em></p>') == (
        '<p class="signature"><a href="https://ex.org">a</a><em>b</em></p>'
    )


def test_mentions_are_looked_for_outside_code():
    body = "<p>@ann see</p><pre>@property\ndef x(): pass</pre><p>use <code>@dataclass</code> here</p>"
    assert prose_words(body) == "@ann see\nuse here"
    assert [m.name for m in find_mentions(prose_words(body))] == ["ann"]


def test_a_mention_ends_with_its_paragraph_or_line():
    body = "<p>Thanks @board</p><p>Exodus is out.</p><p>@alice<br>Bob said so</p>"
    assert [m.name for m in find_mentions(prose_words(body))] == ["board", "alice"]
    assert [m.name for m in find_mentions(prose_words(body), AuthorNames(["Alice Bob"]))] == ["board", "alice"]
    patch = "<p>Thanks @bob</p><pre>@@ -1527,7 +1527,8 @@ static int f()\n-\tif (x) {</pre>"
    assert [m.name for m in find_mentions(own_text(patch))] == ["bob"]


def test_a_container_holding_blocks_keeps_each_sentence_in_one_paragraph():
    assert from_html('<div dir="ltr">After <b>Nov</b>, all <a href="https://ex.org">lib</a> will.<br>Two.'
                     "<ul><li>a</li></ul>tail</div>") == (
        '<p>After <strong>Nov</strong>, all <a href="https://ex.org">lib</a> will.<br>Two.</p><ul><li>a</li></ul><p>tail</p>'
    )


def test_invisible_marks_and_tracking_pixels_are_left_out():
    assert from_html('<div>\ufeffHi<img src="https://feeds.ex.org/~r/x" width="1" height="1"><p>para</p></div>') == "<p>Hi</p><p>para</p>"


def test_a_table_row_reads_as_one_line_of_cells():
    """Markdown tables (Reddit, Discourse) arrive with a newline between cells: one cell per
    line in the plain-text part said nothing of which value belongs to which name."""
    table = "<table><thead>\n<tr>\n<th>Editor</th>\n<th>Startup</th>\n</tr>\n</thead><tbody>\n<tr>\n<td>Emacs</td>\n<td>1.2 <em>s</em></td>\n</tr>\n</tbody></table>"
    assert from_html(table) == "<p>Editor | Startup</p><p>Emacs | 1.2 <em>s</em></p>"
    totals = "<table><tfoot><tr><td>TOTAL:</td><td>$3</td></tr></tfoot><tbody><tr><td>a</td><td>$1</td></tr></tbody></table>"
    assert from_html(totals) == "<p>a | $1</p><p>TOTAL: | $3</p>"
    outlook = "<table><tr><td><p>a</p></td><td><p class=MsoNormal>b<o:p></o:p></p></td></tr></table>"
    assert from_html(outlook) == "<p>a  | b </p>"


def test_a_numbered_list_keeps_the_number_it_starts_at_in_html_and_plain_text():
    """Markdown sites write start= when a paragraph splits a list; without it step 2 reads "1."."""
    from digest.plaintext import LinkRefs, body_to_text

    body = clean('<ol start=" 2 "><li>Plug it back in.</li></ol><ol start="two"><li>Wait.</li></ol>'
                 '<ol start="3" reversed><li>Again.</li></ol>')
    assert body == '<ol start="2"><li>Plug it back in.</li></ol><ol><li>Wait.</li></ol><ol start="3"><li>Again.</li></ol>'
    assert body_to_text(body, LinkRefs()) == "2. Plug it back in.\n\n1. Wait.\n\n3. Again."
    assert body_to_text('<ol start="x"><li>Hand-edited.</li></ol>', LinkRefs()) == "1. Hand-edited."


def test_code_split_by_blank_lines_is_one_block_indented_as_written():
    text = "Here:\n\nint main() {\n    int fd;\n\n    fclose(stdin);\n\n    return 0;\n}\n\nThanks."
    assert from_plain_text(text) == (
        "<p>Here:</p><pre>int main() {\n    int fd;\n\n    fclose(stdin);\n\n    return 0;\n}</pre><p>Thanks.</p>"
    )


def test_tool_output_and_diff_lines_without_a_header_keep_their_lines():
    listing = ("lt:/boot# lspci\n00:00.0 Host bridge: VIA Technologies, Inc. VT8366/A/7\n"
               "00:11.1 IDE interface: VIA Technologies, Inc. PIPC Bus Master\nIDE (rev 06)")
    assert from_plain_text(listing) == f"<pre>{listing}</pre>"
    make = ("if [ -r System.map ]; then /sbin/depmod -ae -F System.map 2.4.13; fi\n"
            "depmod: *** Unresolved symbols in /lib/modules/2.4.13/kernel/fs/ramfs/ramfs.o\ndepmod: \tactivate_page")
    assert from_plain_text(make) == f"<pre>{make}</pre>"
    build = ("if /bin/sh ../../libtool --silent --mode=compile g++\n-DHAVE_CONFIG_H -I. -I../.. -I/usr/include/kde\n"
             "-Wno-long-long -Wundef -ansi -fno-exceptions -c -o\nsmb4kcore.lo smb4kcore.cpp\n"
             "smb4kcore.cpp: In static member function `static void\nSmb4KCore::open(Smb4KShare*, int)':")
    assert from_plain_text(build) == f"<pre>{build}</pre>"
    quoted = ("> > geturl.cc:\n> >\n> >  static void\n> > -init_dialog (char const *url, int length)\n"
              "> > +init_dialog (String const url, int length)\n\nWhy?")
    assert from_plain_text(quoted) == (
        "<blockquote><blockquote><p>geturl.cc:</p><pre> static void\n-init_dialog (char const *url, int length)\n"
        "+init_dialog (String const url, int length)</pre></blockquote></blockquote><p>Why?</p>")
    assert from_plain_text("+1 from me, and\n-1 on the rename.") == "<p>+1 from me, and -1 on the rename.</p>"


def test_an_indented_continuation_line_of_prose_stays_in_its_paragraph():
    text = ("As this tool changes often, I made a utility create_po that is capable to\n"
            "  extract new untranslated messages from the script and add them to existing\n.po file.")
    assert from_plain_text(text) == (
        "<p>As this tool changes often, I made a utility create_po that is capable to "
        "extract new untranslated messages from the script and add them to existing .po file.</p>")
    assert from_plain_text("Then run:\n  make the menuconfig") == "<pre>Then run:\n  make the menuconfig</pre>"
    assert from_plain_text("Hi,\n   In my application the UI\nthread waits.") == "<pre>Hi,\n   In my application the UI\nthread waits.</pre>"


def test_outlooks_link_glued_to_its_text_links_that_text():
    text = "Get Outlook for Android<https://aka.ms/ghei36>\nor see http://www.ex.org<http://www.ex.org/>, <https://ex.org/a>."
    assert from_plain_text(text) == (
        '<p>Get Outlook for <a href="https://aka.ms/ghei36">Android</a> or see '
        '<a href="http://www.ex.org/">http://www.ex.org</a>, &lt;<a href="https://ex.org/a">https://ex.org/a</a>&gt;.</p>')
    assert from_plain_text("- the docs<https://ex.org/d>") == '<ul><li>the <a href="https://ex.org/d">docs</a></li></ul>'


def test_a_quoted_signature_is_marked_not_joined_to_its_paragraph():
    text = "> Cheers,\n> --\n> Email: Herbert Xu\n> Home Page: http://ex.org/\n\nRegards,\nPascal"
    assert from_plain_text(text) == (
        '<blockquote><p>Cheers,</p><pre class="signature">Email: Herbert Xu\nHome Page: http://ex.org/</pre></blockquote>'
        "<p>Regards, Pascal</p>")
    assert from_plain_text(">> Thanks,\n>> -- \n>> M.\n> ok") == (
        '<blockquote><blockquote><p>Thanks,</p><pre class="signature">M.</pre></blockquote><p>ok</p></blockquote>')


def test_a_patch_loses_the_line_separators_that_mark_hard_breaks():
    text = "diff --git a/x b/x\u2028\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\u2028\n+b"
    assert from_plain_text(text) == "<pre>diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b</pre>"


def test_a_translated_original_message_header_block_keeps_its_lines():
    german = ">-----Ursprüngliche Nachricht-----\n>Von: Eva\n>Gesendet: Montag, 2. März\n>An: Hans\n>Betreff: Test\n>\n>Bitte."
    assert from_plain_text(german) == (
        "<blockquote><pre>-----Ursprüngliche Nachricht-----\nVon: Eva\nGesendet: Montag, 2. März\nAn: Hans\nBetreff: Test</pre>"
        "<p>Bitte.</p></blockquote>")
    chinese = "-----邮件原件-----\n发件人: Zhang San\n发送时间: 2020年3月2日 18:00\n收件人: Li Wei\n主题: [PATCH] fix"
    assert from_plain_text(chinese) == f"<pre>{chinese}</pre>"
    coremail = "-----原始邮件-----\n发件人: \"Leon\"\n发送时间:2021-03-11 19:05:03 (星期四)\n收件人: lyl\n主题: Re: fix"
    assert from_plain_text(coremail) == f"<pre>{coremail}</pre>"
    japanese = "差出人：Hanako\n送信日時：Monday, March 2, 2020 6:00 PM\n宛先：Taro\n件名：fix"
    assert from_plain_text(japanese) == f"<pre>{japanese}</pre>"
    french = "De : Anne\nEnvoyé : lundi 2 mars\nÀ : Bob\nObjet : plan"
    assert from_plain_text(french) == f"<pre>{french}</pre>"
    web = "________________________________\nFrom: Lee\nSent: Monday, March 2, 2020\nTo: Kim\nSubject: Test"
    assert from_plain_text(web) == f"<pre>{web}</pre>"


def test_video_and_audio_become_links_to_their_files():
    video = ('<video controls title="Demo"><source src="/v/demo.webm" type="video/webm"><source src="/v/demo.mp4">'
             'Download the <a href="https://x.org/demo.mp4">video</a>.</video>')
    assert from_html(video, site="https://x.org/") == '<p><a href="https://x.org/v/demo.webm">[video: Demo]</a></p>'
    assert from_html('<p>Listen:</p><audio controls src="https://x.org/ep1.mp3">Your browser cannot play it.</audio>') == (
        '<p>Listen:</p><p><a href="https://x.org/ep1.mp3">[audio]</a></p>'
    )
    assert from_html('<video controls>Get <a href="https://x.org/d.mp4">the file</a></video>') == (
        '<p>Get <a href="https://x.org/d.mp4">the file</a></p>'  # no address of its own: its fallback text stays
    )


def test_spacer_paragraphs_of_invisible_characters_are_dropped():
    assert from_html("<p>One.</p><p>&#x200B;</p><p>\u200b \u2060</p><p>Two.</p>") == "<p>One.</p><p>Two.</p>"


def test_a_long_word_without_a_glued_link_is_read_once():
    """The Outlook glued-link pattern was tried from every letter of a long word (a base64
    line): 20,000 characters took 6 s."""
    blob = "QUJD" * 10_000
    assert from_plain_text(f"{blob}<b and Docs<https://x.example/d>") == (
        f'<p>{blob}&lt;b and <a href="https://x.example/d">Docs</a></p>')


def test_a_quoted_hunk_resumed_after_a_comment_keeps_its_columns():
    text = (
        "On Mon, Bob wrote:\n> diff --git a/app/views.py b/app/views.py\n> --- a/app/views.py\n> +++ b/app/views.py\n"
        "> @@ -10,6 +10,8 @@ def foo():\n>      a = 1\n> +    b = 2\n>      if x:\n\nWhy b here?\n\n"
        ">      for i in range(n):\n>          a += i\n\nLooks fine.\n"
    )
    body = from_plain_text(text)
    assert "<p>Why b here?</p><blockquote><pre>     for i in range(n):\n         a += i</pre></blockquote>" in body
    # without a patch in the message, an indented block is still dedented
    assert from_plain_text("Try:\n\n    for i in range(n):\n        a += i\n") == "<p>Try:</p><pre>for i in range(n):\n    a += i</pre>"


def test_a_gdb_backtrace_keeps_its_lines():
    text = (
        "(gdb) bt\n#0  0x00007ffff7a42428 in __GI_raise (sig=sig@entry=6) at raise.c:54\n"
        "#1  0x00007ffff7a4402a in __GI_abort () at abort.c:89\n#2  main (argc=1, argv=0x7fffffffe0d8) at poc.c:12\n"
    )
    assert from_plain_text(text) == "<pre>" + text.rstrip("\n") + "</pre>"


def test_a_dash_and_a_name_closing_a_message_is_a_sign_off_not_a_list():
    assert from_plain_text("Looks good to me.\n\nThanks\n- Sachin\n") == "<p>Looks good to me.</p><p>Thanks</p><p>- Sachin</p>"
    assert from_plain_text("Changes:\n- Fix the build\n\nMore later.\n") == "<p>Changes:</p><ul><li>Fix the build</li></ul><p>More later.</p>"
    assert from_plain_text("Todo:\n- Update docs:\n") == "<p>Todo:</p><ul><li>Update docs:</li></ul>"
    assert from_plain_text("Fixed.\n- a list item\n") == "<p>Fixed.</p><ul><li>a list item</li></ul>"


def test_file_names_options_and_addresses_are_no_mentions():
    found = find_mentions("Load @data.json with curl -d config=@config.yml from https://x.org/@ann; @bkoprivi U can ask @Tom Ashdown")
    assert [(m.text, m.name) for m in found] == [("@bkoprivi", "bkoprivi"), ("@Tom Ashdown", "Tom Ashdown")]
    # a known author whose name has a dot is still read
    assert [m.name for m in find_mentions("thanks @john.smith!", {"john.smith"})] == ["john.smith"]
