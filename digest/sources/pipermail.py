"""Mailman 2 (pipermail) monthly text archives: ``2015-November.txt`` or ``.txt.gz``.

Mailman writes each message as ``From user at host  <ctime>`` followed by only
From / Date / Subject / In-Reply-To / References / Message-ID, with addresses
obfuscated (``user at host (Display Name)``, the "at" translated to the list's language)
and "Re:" trimmed from subjects.  That is an mbox in all but name, so reading,
threading and ``--thread`` selection are the mbox reader's (``mbox.read_mail_archive``);
this module only recognises the format.  A folder of monthly files is read as one
archive, so threads that span months are joined.  As Mailman does not escape "From "
in bodies, only its own ``From x at y  <ctime>`` lines followed by ``From:`` separate
messages; bodies carry no charset declaration (they are in the list language's
charset), so it is detected and noted, and raw 8-bit names and subjects, in that same
charset, are guessed together with the text; links whose "@" Mailman rewrote are joined again
and obfuscated ``mailto:`` addresses are kept as text.
"""

from __future__ import annotations

from digest.model import Thread
from digest.sources import mbox
from digest.sources.mail.split import looks_like_pipermail

DESCRIPTION = "Mailman 2 pipermail text archive (monthly .txt / .txt.gz), threaded by Message-ID/References"


def sniff(doc) -> bool:
    return looks_like_pipermail(doc.data)


def read(request) -> Thread:
    return mbox.read_mail_archive(request, "pipermail")
