"""Command groups beyond the core ones in ``digest.cli``: each module here defines
``register(subparsers, common)`` and is listed in ``digest.cli.COMMAND_GROUPS``."""


def serve_until_interrupted(server) -> int:
    """Run a long-lived server until Ctrl-C, then release its socket."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
