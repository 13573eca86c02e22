"""Browser-test support: the explorer app on loopback next to a LocalServer, Chromium, and seed data."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path
from typing import Any

from chatroutes_core import ChatRoutesClient
from chatroutes_core.testing import LocalServer

BROWSER_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_HINT = "Chromium not found: apt-get install chromium (or set CHROMIUM_PATH to its executable)"
SHOTS = Path(__file__).resolve().parents[3] / "docs" / "img"


def chromium_path() -> str | None:
    """The system Chromium: ``CHROMIUM_PATH`` when set (only it), else ``chromium`` / ``chromium-browser``."""
    configured = os.environ.get("CHROMIUM_PATH")
    candidates = [configured] if configured else [shutil.which("chromium"), shutil.which("chromium-browser")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def launch(playwright: Any) -> Any:
    path = chromium_path()
    assert path is not None, INSTALL_HINT
    return playwright.chromium.launch(executable_path=path, headless=True, args=BROWSER_FLAGS)


class ExplorerServer:
    """``create_explorer_app`` for a LocalServer, served by uvicorn in a thread on a free loopback port."""

    def __init__(self, srv: LocalServer, **options: Any) -> None:
        from chatroutes_core.explorer import create_explorer_app

        feed = getattr(srv.app.state, "changes", None)
        if feed is not None and "feed" not in options:
            from chatroutes_core.server.store import hash_key

            options.update(feed=feed, owner=hash_key(srv.api_key))
        self.app = create_explorer_app(base_url=srv.base_url, api_key=srv.api_key, **options)
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> ExplorerServer:
        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False,
                                timeout_graceful_shutdown=1)  # fmt: skip
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the explorer did not start")
            time.sleep(0.005)
        self._sock = sock
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def link(self) -> str:
        """A fresh one-time sign-in link (what ``chatroutes serve`` / ``explore`` print)."""
        return str(self.app.state.explorer.link("127.0.0.1", self.port))

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._sock.close()


class Seed:
    """Writes conversations through the core client (the same way another process would)."""

    def __init__(self, srv: LocalServer) -> None:
        self.srv = srv
        self.client = ChatRoutesClient(api_key=srv.api_key, base_url=srv.base_url)

    def conversation(self, title: str, turns: list[str]) -> tuple[str, str, list[str]]:
        """A conversation with ``turns`` user messages on main; returns (cid, main branch id, message ids)."""
        conv = self.client.conversations.create(title=title)
        ids: list[str] = []
        for text in turns:
            reply = self.client.messages.send(conv.id, content=text)
            ids += [m for m in (reply.message.parent_message_id, reply.message.id) if m]
        main = next(b for b in self.client.branches.list(conv.id) if b.is_main)
        return conv.id, main.id, ids

    def close(self) -> None:
        self.client.close()

    def fork(self, cid: str, at: str, title: str, turns: list[str]) -> str:
        branch = self.client.branches.fork(cid, fork_point_message_id=at, title=title)
        for text in turns:
            self.client.messages.send(cid, content=text, branch_id=branch.id)
        return branch.id
