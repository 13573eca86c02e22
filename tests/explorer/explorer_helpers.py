"""The explorer on a free loopback port in a thread, and a signed-in httpx client for it."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from chatroutes_core import ChatRoutesClient
from chatroutes_core.explorer import create_explorer_app
from chatroutes_core.server.store import hash_key
from chatroutes_core.testing import LocalServer


class ExplorerThread:
    """``app`` served by uvicorn on 127.0.0.1:<free port> until ``stop()``."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        self.port: int = sock.getsockname()[1]
        self._sock = sock
        config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def link(self) -> str:
        return str(self.app.state.explorer.link("127.0.0.1", self.port))

    def start(self) -> ExplorerThread:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert self._thread.is_alive() and time.monotonic() < deadline, "the explorer did not start"
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def signed_in(self) -> tuple[httpx.Client, str]:
        """A client holding the session cookie (the link's token redeemed) and the session's CSRF token."""
        http = httpx.Client(base_url=self.url, timeout=10)
        answer = http.get(self.link, follow_redirects=False)
        assert answer.status_code == 303, answer.text
        csrf = http.get("/explorer/api/session").json()["csrf"]
        return http, str(csrf)


def explorer_for(
    server: LocalServer, *, push: bool = False, relay: bool = False, poll_seconds: float = 0.2
) -> FastAPI:
    """An explorer app against ``server``: pushed from its feed in process (``push``, as ``chatroutes
    serve`` mounts it), relaying its ``/_changes`` over HTTP (``relay``, as ``chatroutes explore`` does
    against a local server), or polling it."""
    if push:
        return create_explorer_app(
            base_url=server.base_url,
            api_key=server.api_key,
            feed=server.app.state.changes,
            owner=hash_key(server.api_key),
            poll_seconds=poll_seconds,
        )
    return create_explorer_app(
        base_url=server.base_url, api_key=server.api_key, poll_seconds=poll_seconds, relay=relay
    )


def seed(server: LocalServer, title: str = "seed") -> dict[str, Any]:
    """A conversation with two turns on main and a fork after the first reply with one more turn."""
    with ChatRoutesClient(api_key=server.api_key, base_url=server.base_url) as client:
        conv = client.conversations.create(title=title)
        first = client.messages.send(conv.id, content="hello")
        client.messages.send(conv.id, content="second")
        main = next(b for b in client.branches.list(conv.id) if b.is_main)
        fork = client.branches.fork(conv.id, fork_point_message_id=first.message.id, title="alt")
        client.branches.send_message(conv.id, fork.id, content="other way")
        return {"cid": conv.id, "main": main.id, "fork": fork.id, "reply1": first.message.id,
                "user1": first.user_message.id if first.user_message else None}  # fmt: skip


def sse_events(raw: str) -> list[tuple[str, Any]]:
    """``(event, data)`` pairs of an SSE body (data parsed as JSON)."""
    import json

    out = []
    for block in raw.split("\n\n"):
        event, data = "message", []
        for line in block.splitlines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
        if data:
            out.append((event, json.loads("\n".join(data))))
    return out
