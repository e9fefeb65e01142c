"""digest: turn long online discussions into curated email digests."""

__version__ = "0.1.0"
