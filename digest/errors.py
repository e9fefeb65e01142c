"""Errors a user can act on: each says where the problem is and how to fix it."""

from __future__ import annotations


class DigestError(Exception):
    """Base of every error the command line reports without a traceback."""

    def __init__(self, message: str, *, where: str | None = None, fix: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.fix = fix

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.fix:
            text += f"\n  fix: {self.fix}"
        return text


class SourceError(DigestError):
    """A source file or URL could not be imported (the only error importers raise)."""


class ConfigError(DigestError):
    """A digest definition in config/ is wrong."""


class EmptyIssue(ConfigError):
    """No thread of a digest has a reply to feature: an empty issue is never built (a
    scheduled run skips, a manual build fails)."""


class StateError(DigestError):
    """The state folder (issues, ledger) is missing something or was tampered with."""


class DeliveryError(DigestError):
    """Mail could not be handed to the transport at all (settings, connection)."""
