"""Message streams: ``MessageStream`` / ``AsyncMessageStream`` over one pure ``StreamAccumulator``.

A stream is a context manager and an iterator of typed events: :class:`ContentEvent` deltas, then one
:class:`CompleteEvent`. Leaving the ``with`` block (or calling ``close()``) closes the HTTP response at once.
A stream that reports an error event, loses its connection, or ends without a ``complete`` event raises
:class:`StreamInterruptedError` carrying the text received so far. Streams are never retried once open.

Callbacks (the official SDK's ``on_chunk`` / ``on_complete``): the sync stream calls plain functions and
refuses coroutine functions with :class:`UsageError` (nothing would await them); the async stream awaits
whatever a callback returns when it is awaitable, so ``async def`` callbacks work. An async stream given
callbacks that is dropped without ever being awaited or entered warns (``RuntimeWarning``), as an
un-awaited coroutine does: it never sent anything.

The async stream has two documented uses: ``async with client.messages.stream(...) as s: async for ev in s``,
and ``await client.messages.stream(..., on_chunk=...)`` (the official SDK's callback form). Awaiting it
without callbacks (``async with await ...``) or iterating it outside ``async with`` still work but are
deprecated (``DeprecationWarning``): neither says when the connection is released.

Example:
    >>> with client.messages.stream(conv.id, content="Hi") as stream:
    ...     text = "".join(event.content for event in stream if event.type == "content")
    >>> text == stream.final.message.content, stream.final.message.id
    (True, 'msg_...')
"""

from __future__ import annotations

import inspect
import json
import warnings
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterable,
    Iterator,
)
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import httpx
import pydantic
from pydantic import SecretStr

from .._exceptions import StreamInterruptedError, UsageError
from ..models import CompleteEvent, ContentEvent, Message
from ..models.events import StreamEvent
from .sse import ServerSentEvent, SSEDecoder
from .transport import map_transport_error

__all__ = ["AsyncMessageStream", "MessageStream", "StreamAccumulator"]


class StreamAccumulator:
    """Pure: turns decoded SSE events into typed events and tracks text, events and the final event."""

    def __init__(self) -> None:
        self.text = ""
        self.events: list[StreamEvent] = []
        self.final: CompleteEvent | None = None
        self.done = False  # saw ``[DONE]``

    def interrupted(self, reason: str) -> StreamInterruptedError:
        return StreamInterruptedError(reason, partial_text=self.text, events=self.events)

    def handle(self, sse: ServerSentEvent) -> StreamEvent | None:
        """The typed event for ``sse`` (None for ``[DONE]`` and unknown types); raises on an error event."""
        data = sse.data.strip()
        if data == "[DONE]":
            self.done = True
            return None
        try:
            payload = json.loads(data)
        except ValueError:
            raise self.interrupted(f"malformed stream event ({len(data)} bytes of non-JSON data)") from None
        if not isinstance(payload, dict):
            raise self.interrupted("malformed stream event (not a JSON object)")
        kind = payload.get("type")
        if kind == "error" or sse.event == "error":
            reason = payload.get("error") or payload.get("message") or "unknown error"
            raise self.interrupted(f"the server reported an error mid-stream: {reason}")
        event: StreamEvent
        try:
            if kind == "content":
                event = ContentEvent.model_validate(payload)
                self.text += event.content
            elif kind == "complete":
                event = CompleteEvent.model_validate(payload)
                self.final = event
            else:
                return None  # a type this client does not know yet
        except pydantic.ValidationError as exc:
            raise self.interrupted(f"malformed {kind!r} event: {exc.errors()[0]['msg']}") from None
        self.events.append(event)
        return event

    def accept(self, events: Iterable[ServerSentEvent]) -> Iterator[StreamEvent]:
        """The typed events among ``events``, stopping at ``[DONE]``."""
        for sse in events:
            event = self.handle(sse)
            if event is not None:
                yield event
            if self.done:
                return

    def finish(self) -> CompleteEvent:
        """The final event, or :class:`StreamInterruptedError` when the stream ended without one."""
        if self.final is None:
            end = "[DONE]" if self.done else "end of stream"
            raise self.interrupted(f"stream ended ({end}) before its 'complete' event")
        return self.final


OnChunk = Callable[[StreamEvent], object]
OnComplete = Callable[[Message], object]


class _StreamState:
    """State and read-only views shared by the twins."""

    def __init__(
        self, secret: str | None, on_chunk: OnChunk | None = None, on_complete: OnComplete | None = None
    ) -> None:
        self._acc = StreamAccumulator()
        self._decoder = SSEDecoder()
        self._secret = SecretStr(secret) if secret else None
        self._response: httpx.Response | None = None
        self._closed = False
        self._on_chunk = on_chunk
        self._on_complete = on_complete

    def _callbacks(self, event: StreamEvent) -> Iterator[object]:
        # The official SDK's callbacks: every event to on_chunk, the stored reply to on_complete.
        if self._on_chunk is not None:
            yield self._on_chunk(event)
        if event.type == "complete" and self._on_complete is not None:
            yield self._on_complete(event.message)

    @property
    def text(self) -> str:
        """The text received so far."""
        return self._acc.text

    @property
    def final(self) -> CompleteEvent | None:
        """The ``complete`` event, once received."""
        return self._acc.final

    @property
    def events(self) -> list[StreamEvent]:
        """Every typed event received so far."""
        return list(self._acc.events)

    @property
    def response(self) -> httpx.Response | None:
        """The underlying HTTP response (None until opened)."""
        return self._response

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """A broken connection inside becomes :class:`StreamInterruptedError` (ignored after ``complete``)."""
        try:
            yield
        except httpx.TransportError as exc:
            if self._acc.final is None:  # after ``complete`` the result is already whole
                error = self._acc.interrupted(f"the connection broke mid-stream ({type(exc).__name__})")
                secret = self._secret.get_secret_value() if self._secret else None
                raise error from map_transport_error(exc, secret)

    def _feed(self, chunk: bytes) -> Iterator[StreamEvent]:
        """The typed events that ``chunk`` completes."""
        return self._acc.accept(self._decoder.feed(chunk))

    def _ended(self) -> None:
        """The body ended or ``[DONE]`` came: raises unless the ``complete`` event was received."""
        if not self._acc.done:
            self._decoder.flush()  # an unterminated last event is dropped, never guessed
        self._acc.finish()


def _is_async(callback: Callable[..., Any]) -> bool:
    """A coroutine function, or an object whose ``__call__`` is one (``type(...)``: how calls look it up)."""
    call = getattr(type(callback), "__call__", None)  # noqa: B004 - the method itself, not callable()
    return inspect.iscoroutinefunction(callback) or inspect.iscoroutinefunction(call)


class MessageStream(_StreamState):
    """A synchronous message stream (context manager and iterator of :data:`StreamEvent`)."""

    def __init__(
        self,
        opener: Callable[[], httpx.Response],
        *,
        secret: str | None = None,
        on_chunk: OnChunk | None = None,
        on_complete: OnComplete | None = None,
    ) -> None:
        for callback in (on_chunk, on_complete):
            if callback is not None and _is_async(callback):
                raise UsageError(
                    "on_chunk/on_complete of the sync client must be plain functions (a coroutine "
                    "function would never be awaited); use AsyncChatRoutesClient for async callbacks"
                )
        super().__init__(secret, on_chunk, on_complete)
        self._opener = opener
        self._iterator: Generator[StreamEvent, None, None] | None = None

    def _notify(self, event: StreamEvent) -> None:
        for result in self._callbacks(event):
            if inspect.isawaitable(result):
                if inspect.iscoroutine(result):
                    result.close()  # refused: close it so no "never awaited" warning follows
                raise UsageError("a stream callback of the sync client returned an awaitable")

    def __enter__(self) -> MessageStream:
        self._open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __iter__(self) -> Iterator[StreamEvent]:
        return self

    def __next__(self) -> StreamEvent:
        if self._iterator is None:
            self._iterator = self._events()
        return next(self._iterator)

    def until_done(self) -> CompleteEvent:
        """Consume the rest of the stream and return its ``complete`` event."""
        for _ in self:
            pass
        return self._acc.finish()

    def close(self) -> None:
        """Stop reading and release the connection (idempotent)."""
        if self._iterator is not None:
            self._iterator.close()
        self._close_response()

    def _open(self) -> httpx.Response:
        if self._closed:
            raise self._acc.interrupted("the stream is closed")
        if self._response is None:
            self._response = self._opener()
        return self._response

    def _close_response(self) -> None:
        self._closed = True
        if self._response is not None:
            self._response.close()

    def _events(self) -> Generator[StreamEvent, None, None]:
        if self._closed and self._response is not None:
            return
        response = self._open()
        try:
            with self._reading():
                for chunk in response.iter_bytes():
                    for event in self._feed(chunk):
                        self._notify(event)
                        yield event
                    if self._acc.done:
                        break
                self._ended()
        finally:
            self._close_response()


class AsyncMessageStream(_StreamState):
    """An asynchronous message stream: ``async with client.messages.stream(...) as s: async for ev in s``."""

    def __init__(
        self,
        opener: Callable[[], Awaitable[httpx.Response]],
        *,
        secret: str | None = None,
        on_chunk: OnChunk | None = None,
        on_complete: OnComplete | None = None,
    ) -> None:
        super().__init__(secret, on_chunk, on_complete)
        self._opener = opener
        self._iterator: AsyncGenerator[StreamEvent, None] | None = None
        self._started = False  # awaited, entered or iterated: the request was (or is being) made
        self._entered = False  # inside ``async with`` (or driven by its callbacks, which enter it)

    def __del__(self) -> None:
        if not getattr(self, "_started", True) and (self._on_chunk or self._on_complete):
            warnings.warn(
                "an AsyncMessageStream with on_chunk/on_complete was never awaited: nothing was sent. "
                "Use `await client.messages.stream(..., on_chunk=...)` or `async with ... as stream`.",
                RuntimeWarning,
                stacklevel=2,
            )

    async def _notify(self, event: StreamEvent) -> None:
        for result in self._callbacks(event):
            if inspect.isawaitable(result):
                await result

    async def __aenter__(self) -> AsyncMessageStream:
        self._entered = True
        await self._open()
        return self

    def __await__(self) -> Generator[Any, None, AsyncMessageStream]:
        """``await client.messages.stream(..., on_chunk=...)`` runs the stream through its callbacks;
        without callbacks it returns the stream unopened (``async with await ...`` works too)."""
        return self._drive().__await__()

    async def _drive(self) -> AsyncMessageStream:
        self._started = True
        if self._on_chunk is None and self._on_complete is None:
            warnings.warn(
                "awaiting an AsyncMessageStream without on_chunk/on_complete is deprecated (it does "
                "nothing): use `async with client.messages.stream(...) as stream`",
                DeprecationWarning,
                stacklevel=3,
            )
            return self
        async with self:
            await self.until_done()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def __aiter__(self) -> AsyncIterator[StreamEvent]:
        if not self._entered and self._iterator is None:
            warnings.warn(
                "iterating an AsyncMessageStream outside `async with` is deprecated (the connection stays "
                "open until the end): use `async with client.messages.stream(...) as stream: async for ...`",
                DeprecationWarning,
                stacklevel=2,
            )
        return self

    async def __anext__(self) -> StreamEvent:
        if self._iterator is None:
            self._iterator = self._events()
        return await self._iterator.__anext__()

    async def until_done(self) -> CompleteEvent:
        """Consume the rest of the stream and return its ``complete`` event."""
        async for _ in self:
            pass
        return self._acc.finish()

    async def close(self) -> None:
        """Stop reading and release the connection (idempotent)."""
        if self._iterator is not None:
            await self._iterator.aclose()
        await self._close_response()

    async def _open(self) -> httpx.Response:
        self._started = True
        if self._closed:
            raise self._acc.interrupted("the stream is closed")
        if self._response is None:
            self._response = await self._opener()
        return self._response

    async def _close_response(self) -> None:
        self._closed = True
        if self._response is not None:
            await self._response.aclose()

    async def _events(self) -> AsyncGenerator[StreamEvent, None]:
        if self._closed and self._response is not None:
            return
        response = await self._open()
        try:
            with self._reading():
                async for chunk in response.aiter_bytes():
                    for event in self._feed(chunk):
                        await self._notify(event)
                        yield event
                    if self._acc.done:
                        break
                self._ended()
        finally:
            await self._close_response()
