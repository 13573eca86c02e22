"""`chatroutes explore`: the branch explorer against any ChatRoutes API (the hosted one included).

    chatroutes explore [--base-url URL] [--api-key KEY] [--host 127.0.0.1] [--port 8788] [--poll-seconds 1]

The key (``--api-key`` or ``CHATROUTES_API_KEY``) stays in this process: the browser gets a one-time link,
traded for a cookie. Binds loopback; another interface needs ``--allow-remote`` (and is warned about).
Prints one link and opens nothing.
"""

from __future__ import annotations

import argparse
import sys

from chatroutes_core.cli.console import SubparsersAction, add_command
from chatroutes_core.cli.serve import LOOPBACK, listen


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from chatroutes_core.errors import ChatRoutesError
        from chatroutes_core.explorer import create_explorer_app
        from chatroutes_core.explorer.mount import redact_access_log
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        print(
            f"chatroutes explore needs the [server] extra: pip install -e '.[server]' ({exc})",
            file=sys.stderr,
        )
        return 2
    if args.host not in LOOPBACK and not args.allow_remote:
        print(
            f"error: refusing to serve the explorer on {args.host}: it acts with your API key for whoever "
            "holds its link. Use --allow-remote to do it anyway.",
            file=sys.stderr,
        )
        return 2
    try:
        app = create_explorer_app(
            base_url=args.base_url, api_key=args.api_key, poll_seconds=args.poll_seconds
        )
    except ChatRoutesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sock = listen(args.host, args.port)
    if sock is None:
        return 1
    port = sock.getsockname()[1]
    ctx = app.state.explorer
    print(
        f"ChatRoutes explorer for {ctx.api_base} (live updates: pushed when the API has a change feed, "
        f"as chatroutes serve does; else polled every {ctx.poll_seconds:g} s)"
    )
    print(f"Open: {ctx.link(args.host, port)}", flush=True)
    if args.host not in LOOPBACK:
        print("warning: the explorer listens beyond loopback; anyone holding the link acts with your key",
              file=sys.stderr)  # fmt: skip
    redact_access_log()
    server = uvicorn.Server(uvicorn.Config(app, log_level=args.log_level))
    server.run(sockets=[sock])
    return 0


def register(subparsers: SubparsersAction) -> None:
    p = add_command(subparsers, "explore", run, help="browse and grow conversation trees in the browser")
    p.add_argument("--base-url", help="the ChatRoutes API (default: CHATROUTES_BASE_URL or the hosted API)")
    p.add_argument("--api-key", help="its key (default: CHATROUTES_API_KEY; prefer the variable)")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default: loopback only)")
    p.add_argument("--port", type=int, default=8788, help="port (0: any free one; the real one is printed)")
    p.add_argument("--poll-seconds", type=float, default=1.0, help="how often to look for changes")
    p.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --host")
    p.add_argument("--log-level", default="warning")
