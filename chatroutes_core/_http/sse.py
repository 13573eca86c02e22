"""A pure, incremental, byte-level Server-Sent Events decoder (WHATWG rules), shared by both transports.

Feed it raw bytes as they arrive; it returns the events completed by those bytes. Lines end with CRLF, LF or
CR only (never ``str.splitlines``, which also splits on U+2028 inside JSON); a CR at the end of a chunk is
remembered so that a CRLF split across two reads is one line end. Lines are decoded as UTF-8 only once they
are complete, so a multi-byte character split across reads is never damaged. An event is dispatched by a
blank line; an unterminated event at end of stream is discarded (:meth:`SSEDecoder.flush`), because only
the API's own end marker proves a stream finished.

Example:
    >>> d = SSEDecoder()
    >>> d.feed(b"data: hel") + d.feed(b"lo\\r") + d.feed(b"\\n\\r\\n")
    [ServerSentEvent(data='hello', event='message', id=None, retry=None)]
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SSEDecoder", "ServerSentEvent"]

_BOM = "\ufeff"


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched event: ``data`` lines joined by ``\\n``; ``event`` defaults to ``"message"``."""

    data: str
    event: str = "message"
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Incremental decoder: :meth:`feed` bytes, get completed events; :meth:`flush` at end of stream."""

    def __init__(self) -> None:
        self._buffer = b""
        self._skip_lf = False  # the previous chunk ended in CR: a leading LF completes that CRLF
        self._first_line = True
        self._data: list[str] = []
        self._event = ""
        self._last_id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Consume ``chunk`` and return the events it completes (possibly none)."""
        if self._skip_lf and chunk:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        buffer = self._buffer + chunk
        events: list[ServerSentEvent] = []
        start = 0
        length = len(buffer)
        while start < length:
            cr = buffer.find(b"\r", start)
            lf = buffer.find(b"\n", start)
            if cr == -1 and lf == -1:
                break
            if cr == -1 or (lf != -1 and lf < cr):
                end, next_start = lf, lf + 1
            elif cr + 1 < length:
                end = cr
                next_start = cr + 2 if buffer[cr + 1 : cr + 2] == b"\n" else cr + 1
            else:  # CR is the last byte: the line ends here, a following LF belongs to it
                end, next_start = cr, cr + 1
                self._skip_lf = True
            event = self._line(buffer[start:end])
            if event is not None:
                events.append(event)
            start = next_start
        self._buffer = buffer[start:]
        return events

    def flush(self) -> list[ServerSentEvent]:
        """End of stream: drop any unterminated line or event (the spec says never guess) and reset."""
        self._buffer = b""
        self._skip_lf = False
        self._data = []
        self._event = ""
        return []

    def _line(self, raw: bytes) -> ServerSentEvent | None:
        line = raw.decode("utf-8", errors="replace")
        if self._first_line:
            self._first_line = False
            if line.startswith(_BOM):
                line = line[1:]
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # a comment / heartbeat
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        if not self._data:
            self._event = ""
            return None
        event = ServerSentEvent(
            data="\n".join(self._data),
            event=self._event or "message",
            id=self._last_id,
            retry=self._retry,
        )
        self._data = []
        self._event = ""
        return event
