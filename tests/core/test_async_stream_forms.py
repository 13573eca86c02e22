"""The async stream's two documented forms stay silent; the other forms work but warn (deprecated)."""

from __future__ import annotations

import warnings

import httpx
import pytest
from _core_mock import Recorder, async_client

FULL = (
    b'data: {"type":"content","content":"Hello"}\n\n'
    b'data: {"type":"complete","message":{"id":"m9","role":"assistant","content":"Hello"},'
    b'"usage":{"totalTokens":3}}\n\n'
)


def _recorder() -> Recorder:
    return Recorder(
        lambda request: httpx.Response(200, content=FULL, headers={"content-type": "text/event-stream"})
    )


async def test_async_with_then_async_for_is_silent() -> None:
    recorder = _recorder()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        async with async_client(recorder) as client, client.messages.stream("c1", content="hi") as stream:
            kinds = [event.type async for event in stream]
    assert kinds == ["content", "complete"] and len(recorder.requests) == 1


async def test_awaiting_with_callbacks_is_silent() -> None:
    seen: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        async with async_client(_recorder()) as client:
            stream = await client.messages.stream("c1", content="hi", on_chunk=lambda e: seen.append(e.type))
    assert seen == ["content", "complete"] and stream.text == "Hello"


async def test_awaiting_without_callbacks_is_deprecated() -> None:
    recorder = _recorder()
    async with async_client(recorder) as client:
        with pytest.warns(DeprecationWarning, match="without on_chunk"):
            stream = await client.messages.stream("c1", content="hi")
        assert recorder.requests == []  # still nothing sent: awaiting did not open it
        async with stream:
            assert (await stream.until_done()).message.id == "m9"


async def test_iterating_outside_async_with_is_deprecated_but_works() -> None:
    async with async_client(_recorder()) as client:
        stream = client.messages.stream("c1", content="hi")
        with pytest.warns(DeprecationWarning, match="outside `async with`"):
            kinds = [event.type async for event in stream]
    assert kinds == ["content", "complete"] and stream.final is not None
