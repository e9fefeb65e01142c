"""``digest serve``: the local preview server (127.0.0.1 only), until interrupted."""

from __future__ import annotations

import sys
import webbrowser

from digest.serve import HOST, make_server
from digest.commands import serve_until_interrupted


def register(subparsers, common) -> None:
    s = subparsers.add_parser("serve", help="preview every digest's next issue in a browser (127.0.0.1 only), reloading on changes")
    s.add_argument("--port", type=int, default=8026, help="port (default: 8026; 0 picks a free one)")
    s.add_argument("--no-checks", action="store_true", help="skip the checks that run external tools (HTML validator, SpamAssassin)")
    s.add_argument("--open", action="store_true", help="open the page in a browser")
    s.set_defaults(func=lambda args, env: cmd_serve(args, env, common))


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def cmd_serve(args, env, common) -> int:
    server = make_server(common["workspace"](args), common["now"], args.port, tools=not args.no_checks, log=_log)
    url = f"http://{HOST}:{server.server_port}/"
    print(f"previewing the digests in {server.state.ws.config_dir} at {url} (Ctrl-C stops)", flush=True)
    if args.open:
        webbrowser.open(url)
    return serve_until_interrupted(server)
