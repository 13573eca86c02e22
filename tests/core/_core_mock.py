"""Core client test helpers: a recording ``httpx.MockTransport`` and clients wired to it (no sockets)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx

from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient

KEY = "cr_test_sk_0123456789abcdef0123456789abcdef"
BASE = "https://api.example.test/api/v1"

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Recorder:
    """Answers requests from a script (one reply per request, the last one repeats) and records them."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies) or [httpx.Response(200, json={"success": True})]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies[min(len(self.requests), len(self.replies)) - 1]
        if isinstance(reply, Exception):
            raise reply
        if callable(reply) and not isinstance(reply, httpx.Response):
            return reply(request)
        if isinstance(reply.stream, httpx.ByteStream):  # a fresh copy, so a scripted reply can be reused
            return httpx.Response(reply.status_code, headers=reply.headers, content=reply.content)
        return reply

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def body(self, index: int = -1) -> Any:
        content = self.requests[index].content
        return json.loads(content) if content else None


def ok(data: Any = None, **top: Any) -> httpx.Response:
    body: dict[str, Any] = {"success": True, **top}
    if data is not None:
        body["data"] = data
    return httpx.Response(200, json=body)


def sync_client(recorder: Recorder, **options: Any) -> ChatRoutesClient:
    sleeps: list[float] = options.pop("sleeps", [])
    return ChatRoutesClient(
        KEY,
        BASE,
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
        sleep=sleeps.append,
        rng=lambda: 0.0,
        **options,
    )


def async_client(recorder: Recorder, **options: Any) -> AsyncChatRoutesClient:
    sleeps: list[float] = options.pop("sleeps", [])

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return AsyncChatRoutesClient(
        KEY,
        BASE,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(recorder)),
        sleep=sleep,
        rng=lambda: 0.0,
        **options,
    )


class ChunkStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body delivered in the given chunks; an exception in the list is raised at that point.

    ``closed`` tells whether the client closed the body (it must, also when the caller stops early).
    """

    def __init__(self, chunks: list[bytes | Exception]) -> None:
        self.chunks = chunks
        self.closed = False
        self.delivered = 0

    def _next_chunks(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            if isinstance(chunk, Exception):
                raise chunk
            self.delivered += 1
            yield chunk

    def __iter__(self) -> Iterator[bytes]:
        yield from self._next_chunks()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._next_chunks():
            yield chunk

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def sse(*payloads: Any) -> list[bytes]:
    """One SSE chunk per payload (dicts become JSON, strings are sent verbatim as data)."""
    out = []
    for payload in payloads:
        data = payload if isinstance(payload, str) else json.dumps(payload)
        out.append(f"data: {data}\n\n".encode())
    return out
