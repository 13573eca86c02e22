"""The ``chatroutes`` command line.

Each subcommand is one ``_add_<name>(subparsers)`` function that registers its parser and sets
``func`` (a ``Callable[[argparse.Namespace], int]``); add a new one to ``SUBCOMMANDS``.

    chatroutes serve [--host 127.0.0.1] [--port 8787] [--db PATH] [--api-key KEY ...]
                     [--responder echo|openai] [--upstream-url URL] [--upstream-model NAME]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from chatroutes_core import _cli_demo, _cli_suggest, _cli_tree

SubparsersAction = Any  # argparse._SubParsersAction is private; it is only used to call add_parser()


def _serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from chatroutes_core.server import EchoResponder, OpenAICompatibleResponder, Responder, create_app
        from chatroutes_core.testing import new_api_key
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        extra = "pip install 'chatroutes-integrations[server]'"
        print(f"chatroutes serve needs the [server] extra: {extra} ({exc})", file=sys.stderr)
        return 2
    responder: Responder
    if args.responder == "openai":
        if not args.upstream_url or not args.upstream_model:
            print("--responder openai needs --upstream-url and --upstream-model", file=sys.stderr)
            return 2
        responder = OpenAICompatibleResponder(
            args.upstream_url, args.upstream_model, api_key=os.environ.get("CHATROUTES_UPSTREAM_API_KEY")
        )
    else:
        responder = EchoResponder()
    keys = list(args.api_key or [])
    if not keys:
        keys.append(new_api_key())
        print(f"API key (pass it as 'Authorization: ApiKey <key>'): {keys[0]}")
    app = create_app(
        db_path=args.db,
        api_keys=keys,
        responder=responder,
        max_body_bytes=args.max_body_bytes,
        test_knobs=args.test_knobs,
        fsync=args.fsync,
    )
    print(f"ChatRoutes-compatible server on http://{args.host}:{args.port}/api/v1 (database: {args.db})")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            "warning: listening beyond loopback; anyone who can reach this port and has a key can use it",
            file=sys.stderr,
        )
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0


def _add_serve(subparsers: SubparsersAction) -> None:
    p = subparsers.add_parser("serve", help="run the local ChatRoutes-compatible server")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default: loopback only)")
    p.add_argument("--port", type=int, default=8787)
    p.add_argument("--db", default="chatroutes-local.sqlite3", help="SQLite file (':memory:' for none)")
    p.add_argument(
        "--api-key",
        action="extend",
        nargs="+",
        metavar="KEY",
        help="accept these keys (--api-key K1 K2, or repeated); without one, a key is created and printed",
    )
    p.add_argument(
        "--responder",
        choices=["echo", "openai"],
        default="echo",
        help="echo: offline deterministic replies; openai: an OpenAI-compatible upstream",
    )
    p.add_argument(
        "--upstream-url",
        help="e.g. http://localhost:11434/v1 (Ollama); key from CHATROUTES_UPSTREAM_API_KEY if needed",
    )
    p.add_argument("--upstream-model", help="model name at the upstream, e.g. llama3.2")
    p.add_argument("--max-body-bytes", type=int, default=1024 * 1024)
    p.add_argument("--test-knobs", action="store_true", help="mount /api/v1/_admin (latency, faults)")
    p.add_argument("--fsync", action="store_true", help="fsync every commit (slower; survives power loss)")
    p.add_argument("--log-level", default="info")
    p.set_defaults(func=_serve)


SUBCOMMANDS: list[Callable[[SubparsersAction], None]] = [
    _add_serve,
    _cli_demo.register,
    _cli_tree.register,
    _cli_suggest.register,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatroutes", description="ChatRoutes tools")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    return func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
