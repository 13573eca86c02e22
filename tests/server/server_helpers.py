"""Helpers for the local server tests: an httpx wrapper that checks the envelope."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import httpx
import uvicorn
from typing_extensions import Self

from chatroutes_core.testing import LocalServer


class Api:
    """A thin httpx wrapper that checks the envelope and returns ``data``."""

    def __init__(self, server: LocalServer, api_key: str | None = None) -> None:
        self.server = server
        self.http = httpx.Client(
            base_url=server.base_url,
            headers={"Authorization": f"ApiKey {api_key or server.api_key}"},
            timeout=10,
        )

    def close(self) -> None:
        self.http.close()

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        assert response.status_code in (200, 201), response.text
        body = response.json()
        assert body["success"] is True
        return body.get("data")

    def conversation(self, title: str = "t", **fields: Any) -> dict[str, Any]:
        conv: dict[str, Any] = self.ok("POST", "/conversations", json={"title": title, **fields})[
            "conversation"
        ]
        return conv

    def send(self, conversation_id: str, content: str, **fields: Any) -> dict[str, Any]:
        data: dict[str, Any] = self.ok(
            "POST", f"/conversations/{conversation_id}/messages", json={"content": content, **fields}
        )
        return data

    def history(self, conversation_id: str, branch_id: str) -> list[dict[str, Any]]:
        data = self.ok("GET", f"/conversations/{conversation_id}/branches/{branch_id}/messages")
        messages: list[dict[str, Any]] = data["messages"]
        return messages

    def fork(self, conversation_id: str, message_id: str, **fields: Any) -> dict[str, Any]:
        body = {"forkPointMessageId": message_id, "title": "fork", **fields}
        branch: dict[str, Any] = self.ok("POST", f"/conversations/{conversation_id}/fork", json=body)[
            "branch"
        ]
        return branch

    def main_branch(self, conversation_id: str) -> dict[str, Any]:
        branches = self.ok("GET", f"/conversations/{conversation_id}/branches")["branches"]
        return next(b for b in branches if b["isMain"])


class LoopbackApp:
    """An ASGI app served by uvicorn on 127.0.0.1 (a free port) in a thread; subclasses build the app (a
    scripted upstream, say) and call :meth:`serve` at the end of ``__init__``. Started on ``with`` entry."""

    port: int

    def serve(self, app: Any) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._sock = sock
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        while not self._server.started:
            time.sleep(0.002)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(5)
        self._sock.close()
