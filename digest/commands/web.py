"""``digest web``: the public unsubscribe pages, served until interrupted."""

from __future__ import annotations

import sys

from digest import config as cfg
from digest.web import Sites, UnsubscribeApp, make
from digest.commands import serve_until_interrupted


def register(subparsers, common) -> None:
    s = subparsers.add_parser("web", help="serve the unsubscribe pages (behind an HTTPS reverse proxy)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, for a reverse proxy on this machine)")
    s.add_argument("--port", type=int, default=8025, help="port (default: 8025)")
    s.set_defaults(func=lambda args, env: cmd_web(args, env, common))


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def cmd_web(args, env, common) -> int:
    ws = common["workspace"](args)
    secret = cfg.unsubscribe_secret(env)
    current = Sites(ws.config_dir, _log)
    sites = current()
    if not sites:
        _log(f"error: no digest to serve in {ws.config_dir}")
        return 1
    server = make(UnsubscribeApp(current, ws.state_dir, secret, log=_log), args.host, args.port, _log)
    paths = ", ".join(sorted({s.path for s in sites.values()}))
    _log(f"serving unsubscribe pages for {len(sites)} digest(s) at http://{args.host}:{server.server_port} (paths: {paths})")
    return serve_until_interrupted(server)
