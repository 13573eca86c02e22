"""`chatroutes serve`: the local ChatRoutes-compatible server, ready to paste into a shell.

    chatroutes serve [--host 127.0.0.1] [--port 8787] [--db PATH] [--api-key KEY ...]
                     [--responder echo|openai] [--upstream-url URL] [--upstream-model NAME]

The database stores only hashes of API keys, so a key cannot be read back from it. Without `--api-key` the
key is kept beside the database in `<db>.key` (mode 0600): a restart on the same database reuses it and the
conversations made with it stay visible. With `--port 0` the port the system chose is the one printed.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chatroutes_core.cli import serve_limits
from chatroutes_core.cli.console import SubparsersAction, add_command
from chatroutes_core.integration import install_hint

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class Keys:
    """The keys the server accepts and the sentences that say which data they see."""

    keys: list[str]
    notes: list[str] = field(default_factory=list)


def key_file(db: str) -> Path | None:
    """Where the generated key of database `db` is kept (None for an in-memory database)."""
    return None if db == ":memory:" else Path(f"{db}.key")


def choose_keys(given: list[str] | None, db: str, known_keys: int, new_key: Any) -> Keys:
    """The keys to serve with: the given ones, else the one saved beside `db`, else a new saved one."""
    if given:
        return Keys(list(given), [f"API keys: the {len(given)} given with --api-key."])
    path = key_file(db)
    if path is not None and path.is_file():
        saved = path.read_text(encoding="utf-8").strip()
        if saved:
            note = f"API key: reused from {path}; the conversations made with it are still there."
            return Keys([saved], [note])
    key = str(new_key())
    notes = ["API key: a new one" + (f", saved in {path} for the next start." if path else ".")]
    if path is not None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(key + "\n")
    if known_keys:
        notes.append(
            f"note: {db} already holds data for {known_keys} other key(s). Each key sees only its own "
            "conversations: to reach that data, start with --api-key <that key>."
        )
    return Keys([key], notes)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: the system picks one; read it from getsockname())."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted sockets only when proto says TCP, and
    # without it every answer waits ~40 ms for the client's delayed ACK (measured: 44 ms per send, not 4).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def listen(host: str, port: int) -> socket.socket | None:
    """`bind`, or None after saying on stderr why host:port cannot be listened on (in use, no address)."""
    try:
        return bind(host, port)
    except OSError as exc:
        print(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return None


def banner(base_url: str, db: str, keys: Keys) -> list[str]:
    lines = [f"ChatRoutes-compatible server on {base_url} (database: {db})", *keys.notes]
    lines += ["", "Paste into your shell:", f"  export CHATROUTES_BASE_URL={base_url}"]
    lines.append(f"  export CHATROUTES_API_KEY={keys.keys[0]}")
    return lines


def with_explorer(app: Any, key: str, host: str, port: int) -> tuple[Any, str]:
    """The API app with the explorer at ``/`` (changes pushed from its feed), and the explorer's link."""
    from chatroutes_core import AsyncChatRoutesClient
    from chatroutes_core.explorer import create_explorer_app
    from chatroutes_core.explorer.mount import Combined, redact_access_log
    from chatroutes_core.server.store import hash_key

    loop_host = "127.0.0.1" if host in ("0.0.0.0", "localhost", "") else ("[::1]" if ":" in host else host)
    base_url = f"http://{loop_host}:{port}/api/v1"
    explorer = create_explorer_app(
        lambda: AsyncChatRoutesClient(api_key=key, base_url=base_url),
        base_url=base_url,
        feed=app.state.changes,
        owner=hash_key(key),
    )
    redact_access_log()
    return Combined(app, explorer), explorer.state.explorer.link(host, port)


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from chatroutes_core.server import (
            EchoResponder,
            OpenAICompatibleResponder,
            Responder,
            Store,
            create_app,
        )
        from chatroutes_core.testing import new_api_key
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        print(f"chatroutes serve needs the [server] extra: {install_hint('server')} ({exc})", file=sys.stderr)
        return 2
    responder: Responder
    try:
        limits = serve_limits.resolve(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.responder == "openai":
        if not args.upstream_url or not args.upstream_model:
            print("--responder openai needs --upstream-url and --upstream-model", file=sys.stderr)
            return 2
        responder = OpenAICompatibleResponder(
            args.upstream_url,
            args.upstream_model,
            api_key=os.environ.get("CHATROUTES_UPSTREAM_API_KEY"),
            **{name: limits[name] for name in serve_limits.UPSTREAM},  # type: ignore[arg-type]
        )
    else:
        responder = EchoResponder()
    store = Store(args.db, fsync=args.fsync)
    keys = choose_keys(args.api_key, args.db, store.key_count(), new_api_key)
    app = create_app(
        store=store,
        api_keys=keys.keys,
        responder=responder,
        max_body_bytes=args.max_body_bytes,
        test_knobs=args.test_knobs,
        lock_wait=limits["lock_wait"],
        idempotency_retention=limits["idempotency_retention"],
    )
    sock = listen(args.host, args.port)
    if sock is None:
        return 1
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    print("\n".join(banner(f"http://{host}:{port}/api/v1", args.db, keys)), flush=True)
    if not args.no_explorer:
        app, link = with_explorer(app, keys.keys[0], args.host, port)
        print(f"\nExplorer (open in your browser): {link}", flush=True)
    if args.host not in LOOPBACK:
        print(
            "warning: listening beyond loopback; anyone who can reach this port and has a key can use it",
            file=sys.stderr,
        )
    server = uvicorn.Server(uvicorn.Config(app, log_level=args.log_level))
    server.run(sockets=[sock])
    return 0


def register(subparsers: SubparsersAction) -> None:
    p = add_command(subparsers, "serve", run, help="run the local ChatRoutes-compatible server")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default: loopback only)")
    p.add_argument("--port", type=int, default=8787, help="port (0: any free one; the real one is printed)")
    p.add_argument("--db", default="chatroutes-local.sqlite3", help="SQLite file (':memory:' for none)")
    p.add_argument(
        "--api-key",
        action="extend",
        nargs="+",
        metavar="KEY",
        help="accept these keys (--api-key K1 K2, or repeated); without one, the key saved beside the "
        "database (<db>.key) is reused, or a new one is created and saved there",
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
    serve_limits.add_options(p)
    p.add_argument("--no-explorer", action="store_true", help="do not serve the branch explorer at /")
