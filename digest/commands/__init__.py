"""Command groups beyond the core ones in ``digest.cli``: each module here defines
``register(subparsers, common)`` and is listed in ``digest.cli.COMMAND_GROUPS``."""
