"""``messages.stream`` on both clients: typed events, completion, interruption, and closing the connection."""

from __future__ import annotations

import asyncio
import functools
import gc
import warnings
from typing import Any

import httpx
import pytest
from _core_mock import ChunkStream, Recorder, async_client, sse, sync_client

from chatroutes_core import (
    APITimeoutError,
    CompleteEvent,
    ContentEvent,
    RateLimitError,
    ServerError,
    StreamInterruptedError,
    UsageError,
)
from chatroutes_core._http.sse import ServerSentEvent
from chatroutes_core._http.streaming import StreamAccumulator

COMPLETE = {
    "type": "complete",
    "message": {"id": "m9", "role": "assistant", "content": "Hello world", "tokenCount": 2},
    "usage": {"promptTokens": 5, "completionTokens": 2, "totalTokens": 7},
    "model": "gpt-5-2025",
}
DELTAS = [
    {"type": "content", "content": "Hello", "model": "gpt-5-2025"},
    {"type": "content", "content": " world"},
]
FULL = sse(*DELTAS, COMPLETE, "[DONE]")


def streaming(chunks: list[bytes | Exception]) -> tuple[Recorder, ChunkStream]:
    body = ChunkStream(chunks)
    return Recorder(httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=body)), body


def test_sync_stream_yields_deltas_then_one_complete_and_closes() -> None:
    recorder, body = streaming(FULL)
    with sync_client(recorder) as client:
        with client.messages.stream("c1", content="hi", branch_id="b2") as stream:
            events = list(stream)
        assert [type(e) for e in events] == [ContentEvent, ContentEvent, CompleteEvent]
        assert stream.text == "Hello world"
        assert stream.final is not None and stream.final.message.id == "m9"
        assert stream.final.usage.total_tokens == 7 and stream.final.model == "gpt-5-2025"
    request = recorder.last
    assert request.url.path == "/api/v1/conversations/c1/messages/stream"
    assert request.headers["accept"] == "text/event-stream"
    assert recorder.body() == {"content": "hi", "branchId": "b2"}
    assert "idempotency-key" in request.headers
    assert body.closed


async def test_async_stream_yields_the_same_events() -> None:
    recorder, body = streaming(FULL)
    async with async_client(recorder) as client, client.messages.stream("c1", content="hi") as stream:
        events = [e async for e in stream]
    assert [e.type for e in events] == ["content", "content", "complete"]
    assert stream.text == "Hello world" and stream.final is not None
    assert body.closed


@pytest.mark.parametrize("split", ["whole", "bytes"])
def test_chunk_boundaries_do_not_matter(split: str) -> None:
    raw = b"".join(FULL).replace(b"\n", b"\r\n")
    chunks: list[bytes | Exception] = [raw] if split == "whole" else [bytes([b]) for b in raw]
    recorder, _ = streaming(chunks)
    with sync_client(recorder) as client, client.messages.stream("c1", content="hi") as stream:
        assert stream.until_done().message.content == "Hello world"
        assert stream.text == "Hello world"


def test_the_first_delta_is_yielded_before_the_rest_is_read() -> None:
    recorder, body = streaming(FULL)
    with sync_client(recorder) as client, client.messages.stream("c1", content="hi") as stream:
        first = next(iter(stream))
        assert isinstance(first, ContentEvent) and first.content == "Hello"
        assert body.delivered == 1  # only the first chunk has been read


def test_leaving_the_with_block_early_closes_the_response() -> None:
    recorder, body = streaming(FULL)
    with sync_client(recorder) as client:
        with client.messages.stream("c1", content="hi") as stream:
            for _event in stream:
                break
        assert body.closed and body.delivered == 1


async def test_async_leaving_early_closes_the_response() -> None:
    recorder, body = streaming(FULL)
    async with async_client(recorder) as client, client.messages.stream("c1", content="hi") as stream:
        async for _event in stream:
            break
    assert body.closed


@pytest.mark.parametrize(
    ("chunks", "partial"),
    [
        (sse(*DELTAS), "Hello world"),  # ends without complete or [DONE]
        (sse(*DELTAS, "[DONE]"), "Hello world"),  # [DONE] but no complete event
        (sse(DELTAS[0], {"type": "error", "error": "provider failed"}), "Hello"),
        ([*sse(DELTAS[0]), b'event: error\ndata: {"message": "overloaded"}\n\n'], "Hello"),
        ([*sse(DELTAS[0]), b'data: {"type":"content","content":"half'], "Hello"),  # cut mid-event
        ([*sse(DELTAS[0]), httpx.RemoteProtocolError("peer closed connection")], "Hello"),
        ([*sse(DELTAS[0]), httpx.ReadTimeout("no chunk for 600 s")], "Hello"),
        (sse(DELTAS[0], "not json"), "Hello"),
    ],
    ids=[
        "truncated",
        "done-without-complete",
        "error-event",
        "named-error",
        "cut",
        "reset",
        "timeout",
        "junk",
    ],
)
def test_interruptions_raise_with_the_partial_text(chunks: list[bytes | Exception], partial: str) -> None:
    recorder, body = streaming(chunks)
    received: list[str] = []
    with (
        sync_client(recorder) as client,
        pytest.raises(StreamInterruptedError) as info,
        client.messages.stream("c1", content="hi") as stream,
    ):
        for event in stream:
            received.append(event.type)
    assert info.value.partial_text == partial
    assert info.value.text == partial  # the same text under a shorter name
    assert [e.type for e in info.value.events] == received
    assert body.closed
    assert len(recorder.requests) == 1  # a stream is never retried once open


async def test_async_interruption_by_a_transport_error_chains_the_mapped_error() -> None:
    recorder, body = streaming([*sse(DELTAS[0]), httpx.ReadTimeout("slow")])
    async with async_client(recorder) as client:
        with pytest.raises(StreamInterruptedError) as info:
            async with client.messages.stream("c1", content="hi") as stream:
                async for _ in stream:
                    pass
    assert info.value.partial_text == "Hello"
    assert isinstance(info.value.__cause__, APITimeoutError)
    assert body.closed


def test_a_transport_error_after_complete_is_harmless() -> None:
    recorder, _ = streaming([*sse(*DELTAS, COMPLETE), httpx.RemoteProtocolError("closed before [DONE]")])
    with sync_client(recorder) as client, client.messages.stream("c1", content="hi") as stream:
        assert stream.until_done().message.id == "m9"


def test_an_error_status_before_the_stream_is_a_status_error_and_not_resent() -> None:
    recorder = Recorder(httpx.Response(500, json={"success": False, "error": "Failed to send message"}))
    with (
        sync_client(recorder) as client,
        pytest.raises(ServerError),
        client.messages.stream("c1", content="hi") as stream,
    ):
        list(stream)
    assert len(recorder.requests) == 1


def test_a_stream_is_retried_on_429_and_connect_errors_with_one_key() -> None:
    body = ChunkStream(FULL)  # type: ignore[arg-type]
    recorder = Recorder(
        httpx.ConnectError("refused"),
        httpx.Response(429, json={"error": "slow"}),
        httpx.Response(200, stream=body),
    )
    with sync_client(recorder) as client, client.messages.stream("c1", content="hi") as stream:
        assert stream.until_done().message.id == "m9"
    assert len({r.headers["idempotency-key"] for r in recorder.requests}) == 1
    assert len(recorder.requests) == 3


def test_a_stream_gives_up_on_a_long_rate_limit() -> None:
    recorder = Recorder(httpx.Response(429, headers={"Retry-After": "999"}, json={"error": "quota"}))
    with sync_client(recorder) as client, pytest.raises(RateLimitError):
        client.messages.stream("c1", content="hi").__enter__()


def test_bad_input_is_rejected_before_any_request() -> None:
    recorder, _ = streaming(FULL)
    with sync_client(recorder) as client:
        with pytest.raises(ValueError, match="content"):
            client.messages.stream("c1")
        with pytest.raises(ValueError, match="conversation_id"):
            client.messages.stream("", content="hi")
    assert recorder.requests == []


def test_accumulator_ignores_unknown_types_and_requires_complete() -> None:
    acc = StreamAccumulator()
    assert acc.handle(ServerSentEvent('{"type":"ping"}')) is None
    assert isinstance(acc.handle(ServerSentEvent('{"type":"content","content":"a"}')), ContentEvent)
    with pytest.raises(StreamInterruptedError, match="before its 'complete'"):
        acc.finish()


# --- the official SDK's callbacks on both clients ------------------------------------------------------


def test_sync_callbacks_run_the_stream_to_its_end() -> None:
    recorder, body = streaming(FULL)
    seen: list[str] = []
    done: list[str] = []
    with sync_client(recorder) as client:
        stream = client.messages.stream("c1", {"content": "hi"}, seen.append, lambda m: done.append(m.id))
    assert [getattr(e, "type", None) for e in seen] == ["content", "content", "complete"]
    assert done == ["m9"] and stream.text == "Hello world" and body.closed


class _AsyncCallable:
    async def __call__(self, event: object) -> None:
        return None


async def _on_chunk(event: object) -> None:
    return None


@pytest.mark.parametrize("callback", [_on_chunk, _AsyncCallable(), functools.partial(_on_chunk)])
def test_the_sync_client_refuses_coroutine_callbacks_before_any_request(callback: Any) -> None:
    recorder, _ = streaming(FULL)
    with sync_client(recorder) as client, pytest.raises(UsageError, match="AsyncChatRoutesClient"):
        client.messages.stream("c1", content="hi", on_chunk=callback)
    with sync_client(recorder) as client, pytest.raises(UsageError, match="AsyncChatRoutesClient"):
        client.messages.stream("c1", content="hi", on_complete=callback)
    assert recorder.requests == []


async def test_async_callbacks_may_be_coroutine_functions_and_are_awaited_in_order() -> None:
    recorder, _ = streaming(FULL)
    order: list[str] = []

    async def on_chunk(event: ContentEvent | CompleteEvent) -> None:
        await asyncio.sleep(0)
        order.append(event.type)

    async def on_complete(message: object) -> None:
        order.append("on_complete")

    client = async_client(recorder)
    stream = await client.messages.stream("c1", content="hi", on_chunk=on_chunk, on_complete=on_complete)
    assert order == ["content", "content", "complete", "on_complete"]
    assert stream.final is not None and stream.final.message.id == "m9"


async def test_async_callbacks_fire_while_iterating_too() -> None:
    recorder, _ = streaming(FULL)
    seen: list[str] = []
    client = async_client(recorder)
    async with client.messages.stream("c1", content="hi", on_chunk=lambda e: seen.append(e.type)) as stream:
        kinds = [e.type async for e in stream]
    assert seen == kinds == ["content", "content", "complete"]


async def test_an_async_stream_with_callbacks_that_is_never_awaited_warns_and_sends_nothing() -> None:
    recorder, _ = streaming(FULL)
    client = async_client(recorder)
    with pytest.warns(RuntimeWarning, match="never awaited"):
        client.messages.stream("c1", content="hi", on_chunk=lambda e: None)
        gc.collect()
    assert recorder.requests == []


async def test_an_async_stream_without_callbacks_that_is_dropped_does_not_warn() -> None:
    recorder, _ = streaming(FULL)
    client = async_client(recorder)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client.messages.stream("c1", content="hi")
        gc.collect()
