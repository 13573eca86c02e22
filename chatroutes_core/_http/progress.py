"""How far a request got before its connection failed: not sent, not sent whole, or written with no answer.

Every attempt carries a :class:`Progress` as httpcore's ``trace`` extension (``_transport`` sets it), so a
transport error can say what is known of its request (``APIConnectionError.request_sent`` and its message).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from .retry import Failure

__all__ = ["AsyncProgress", "Progress", "classify", "request_sent", "what_was_sent"]


def classify(exc: httpx.TransportError) -> Failure:
    """What a transport error proves: CONNECT means the request was never sent."""
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return Failure.CONNECT
    if isinstance(exc, httpx.TimeoutException):
        return Failure.TIMEOUT
    return Failure.NETWORK


class Progress:
    """How far one attempt got, from httpcore's ``trace`` extension (set on every request we build).

    httpcore reports each phase as ``<phase>.started`` / ``.complete`` / ``.failed``; a write error is
    swallowed there (it goes on to read a response), so the phases are the only way to know whether the
    request left whole. ``AsyncProgress`` is the same, as the coroutine httpcore's async side awaits (under
    asyncio a failed write is buffered and reported later as a read error: such a request counts as
    written, the cautious answer).
    """

    __slots__ = ("events",)

    def __init__(self) -> None:
        self.events: list[str] = []

    def __call__(self, name: str, info: Mapping[str, Any]) -> None:
        self.events.append(name)

    def request_sent(self) -> bool | None:
        """False: not written whole; True: written whole; None: nothing was reported (not httpcore)."""
        if not self.events:
            return None
        return "http11.send_request_body.complete" in self.events or any(
            e.startswith("http2.send_request_body.complete") or e == "http2.send_stream_end.complete"
            for e in self.events
        )

    def answered(self) -> bool:
        """The response's status line and headers arrived."""
        return any(e.endswith("receive_response_headers.complete") for e in self.events)

    def reused(self) -> bool:
        return not any(e.startswith("connection.connect_tcp") for e in self.events)


class AsyncProgress(Progress):
    __slots__ = ()

    async def __call__(self, name: str, info: Mapping[str, Any]) -> None:  # type: ignore[override]
        self.events.append(name)


def _progress(exc: httpx.TransportError) -> Progress | None:
    try:
        progress = exc.request.extensions.get("trace")
    except RuntimeError:  # an error raised without its request
        return None
    return progress if isinstance(progress, Progress) else None


def request_sent(exc: httpx.TransportError) -> bool | None:
    """Whether the request of ``exc`` reached the server whole (see :attr:`APIConnectionError.request_sent`).

    Read from the attempt's :class:`Progress` when httpcore reported its phases; else from the error's type:
    no connection (or pool slot) means not sent, a write error or timeout means not sent whole.
    """
    progress = _progress(exc)
    known = progress.request_sent() if progress is not None else None
    if known is not None:
        return known
    if classify(exc) is Failure.CONNECT or isinstance(exc, (httpx.WriteError, httpx.WriteTimeout)):
        return False
    return None


def what_was_sent(exc: httpx.TransportError, sent: bool | None) -> str:
    if sent is False and classify(exc) is Failure.CONNECT:
        return "the request was not sent (no connection): nothing reached the server"
    if sent is False:
        return (
            "the connection broke while the request was being written: the server did not receive all of "
            "it, so it did not act on it"
        )
    progress = _progress(exc)
    if sent and progress is not None and progress.answered():
        return "the request was sent and its response broke off: the server acted on it"
    if sent:
        reused = " on a reused connection" if progress is not None and progress.reused() else ""
        return (
            f"the whole request was written{reused} but no response came: the server may have acted on it "
            "(a send may have stored the message; read the branch before sending it again)"
        )
    return "the request may have reached the server, which may have acted on it"
