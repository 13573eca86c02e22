"""Injected faults for tests: wrong answers on the next N requests, cut or stalled streams.

``FaultInjector.inject(...)`` queues one fault; a request takes the first queued fault that matches its
method and path (``re.search`` on the full path) and decrements its count.

HTTP faults (``status`` given):

- ``when="before"``: answered at once, nothing reaches the route (nothing is stored).
- ``when="after"``: the route runs to completion (stores, streams are drained), then its answer is replaced.
- ``body``: ``"json"`` (an error body; 429 adds ``Retry-After`` and ``retryAfter``), ``"html"`` (an HTML
  error page, as a proxy would send), ``"malformed"`` (truncated JSON with a JSON content type),
  ``"success_false"`` (``{"success": false}``). The status is whatever you give, so ``status=200,
  body="malformed"`` is a broken success.

Stream faults (``cut_after`` or ``stall_after`` given; only stream routes take them):

- ``cut_after=K``: after K events the connection is dropped without the closing chunk.
- ``stall_after=K, stall_seconds=S``: after K events the stream pauses S seconds, then goes on.

A fault queued over HTTP (``POST /_admin/faults``) carries the ``owner`` (key hash) that queued it and fires
only on that key's requests; one queued in process (``owner=None``) fires on any request. A ``path`` that is
not a valid regular expression is a ``ValueError`` (a 400 over HTTP).

Events are counted in order: content events, then ``complete``, then ``[DONE]``. The exchange is stored just
before ``complete`` is produced, so cutting after all content events leaves a stored reply the
client never saw.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import Literal

BodyKind = Literal["json", "html", "malformed", "success_false"]
When = Literal["before", "after"]


@dataclass
class Fault:
    count: int = 1
    method: str | None = None
    path: str | None = None
    status: int | None = None
    when: When = "before"
    body: BodyKind = "json"
    retry_after: float | None = None
    message: str | None = None
    cut_after: int | None = None
    stall_after: int | None = None
    stall_seconds: float = 0.0
    owner: str | None = None  # the key hash that queued it over HTTP; None: fires on any key

    @property
    def is_stream_fault(self) -> bool:
        return self.status is None

    def matches(self, method: str, path: str, owner: str | None = None) -> bool:
        if self.owner is not None and self.owner != owner:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or re.search(self.path, path) is not None


class FaultInjector:
    """A thread-safe queue of faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def inject(
        self,
        status: int | None = None,
        *,
        count: int = 1,
        method: str | None = None,
        path: str | None = None,
        when: When = "before",
        body: BodyKind = "json",
        retry_after: float | None = None,
        message: str | None = None,
        cut_after: int | None = None,
        stall_after: int | None = None,
        stall_seconds: float = 0.0,
        owner: str | None = None,
    ) -> Fault:
        """Queue a fault; see the module docstring. Returns it (its ``count`` goes down as it fires)."""
        stream = cut_after is not None or stall_after is not None
        if (status is None) == (not stream):
            raise ValueError("give either status (an HTTP fault) or cut_after/stall_after (a stream fault)")
        if status is not None and not 100 <= status <= 599:
            raise ValueError("status must be an HTTP status code")
        if count < 1:
            raise ValueError("count must be at least 1")
        if path is not None:
            try:
                re.compile(path)
            except re.error as exc:
                raise ValueError(f"path is not a valid regular expression: {exc}") from None
        fault = Fault(
            count,
            method,
            path,
            status,
            when,
            body,
            retry_after,
            message,
            cut_after,
            stall_after,
            stall_seconds,
            owner,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self, owner: str | None = None) -> None:
        """Drop every queued fault (``owner`` given: only the ones that key queued)."""
        with self._lock:
            self._faults[:] = [] if owner is None else [f for f in self._faults if f.owner != owner]

    @property
    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take(self, method: str, path: str, *, stream: bool, owner: str | None = None) -> Fault | None:
        """Take the first fault of the given kind matching a request (of key hash ``owner``), or None."""
        with self._lock:
            for fault in self._faults:
                if fault.is_stream_fault == stream and fault.matches(method, path, owner):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None


_HTML = (
    "<html><head><title>{status} Bad Gateway</title></head><body><center><h1>{status} Bad Gateway</h1>"
    "</center><hr><center>nginx</center></body></html>"
)


def fault_response(fault: Fault) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """The status, headers and body a fault answers with."""
    status = fault.status or 500
    headers: list[tuple[bytes, bytes]] = []
    if fault.body == "html":
        body = _HTML.format(status=status).encode()
        headers.append((b"content-type", b"text/html; charset=utf-8"))
    elif fault.body == "malformed":
        body = b'{"success": true, "data": {"message": '
        headers.append((b"content-type", b"application/json"))
    elif fault.body == "success_false":
        body = b'{"success": false}'
        headers.append((b"content-type", b"application/json"))
    else:
        message = fault.message or f"Injected fault ({status})"
        payload: dict[str, object] = {
            "success": False,
            "error": message,
            "message": message,
            "code": "RATE_LIMIT_EXCEEDED" if status == 429 else "INJECTED_FAULT",
        }
        if fault.retry_after is not None:
            payload["retryAfter"] = fault.retry_after
        body = json.dumps(payload).encode()
        headers.append((b"content-type", b"application/json"))
    if fault.retry_after is not None:
        seconds = fault.retry_after
        value = str(int(seconds)) if float(seconds).is_integer() else str(seconds)
        headers.append((b"retry-after", value.encode()))
    headers.append((b"content-length", str(len(body)).encode()))
    return status, headers, body
