"""The mail-archive machinery behind the mbox and pipermail readers, split by stage.

``split`` recognises mail archives and cuts them into raw messages, ``digests`` takes
list digests (MIME and RFC 1153 plain text) apart into the messages they carry,
``decode`` turns header and body bytes into text (charsets, RFC 2047 words, Message-IDs,
author names, subjects), ``bodies`` turns a parsed message into the body HTML subset
(with ``flowed`` undoing RFC 3676 ``format=flowed``, and ``attachments`` showing or naming
the files sent with a message), ``dates`` reads Date headers and
``permalinks`` the ``Archived-At`` link, and ``threading`` threads parsed
messages and picks the one ``--thread`` asks for.  The
reader contract, message parsing and building the ``Thread`` stay in
:mod:`digest.sources.mbox`; nothing here is a reader of its own.
"""
