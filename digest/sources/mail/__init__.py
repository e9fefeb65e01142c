"""The mail-archive machinery behind the mbox and pipermail readers, split by stage.

``split`` recognises mail archives and cuts them into raw messages, ``decode`` turns
header and body bytes into text (charsets, RFC 2047 words, Message-IDs, author names,
subjects), ``bodies`` turns a parsed message into the body HTML subset, and
``threading`` threads parsed messages and picks the one ``--thread`` asks for.  The
reader contract, message parsing and building the ``Thread`` stay in
:mod:`digest.sources.mbox`; nothing here is a reader of its own.
"""
