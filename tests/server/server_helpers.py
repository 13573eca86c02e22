"""Helpers for the local server tests: an httpx wrapper that checks the envelope."""

from __future__ import annotations

from typing import Any

import httpx

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
