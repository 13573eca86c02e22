"""The flow drivers: ``run`` and ``arun`` make the same requests and throw the same errors into a flow."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from _core_mock import Recorder, async_client, ok, sync_client

from chatroutes_core import NotFoundError
from chatroutes_core.flows import ClientCall, Flow, arun, run


def _reply(request: httpx.Request) -> httpx.Response:
    conversation_id = request.url.path.rsplit("/", 1)[-1]
    if conversation_id.startswith("missing"):
        return httpx.Response(404, json={"success": False, "error": "Conversation not found"})
    return ok({"conversation": {"id": conversation_id, "title": conversation_id}})


def _titles(*ids: str) -> Flow[Any]:
    """One step of independent gets; a failure comes back as the error the flow catches."""
    try:
        conversations = yield [ClientCall("conversations", "get", (cid,)) for cid in ids]
    except NotFoundError as exc:
        return ("not found", exc.status_code)
    return [c.title for c in conversations]


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (("c1", "c2", "c3"), ["c1", "c2", "c3"]),
        (("missing1", "c2", "c3"), ("not found", 404)),  # the first call fails: the others are still made
        (("c1", "c2", "missing3"), ("not found", 404)),
    ],
)
async def test_both_drivers_make_every_call_of_a_step_and_throw_its_first_failure(
    ids: tuple[str, ...], expected: Any
) -> None:
    sync_recorder, async_recorder = Recorder(_reply), Recorder(_reply)
    with sync_client(sync_recorder) as client:
        sync_result = run(_titles(*ids), client)
    async with async_client(async_recorder) as aclient:
        async_result = await arun(_titles(*ids), aclient)
    assert sync_result == async_result == expected
    sync_paths = [r.url.path for r in sync_recorder.requests]
    assert sorted(r.url.path for r in async_recorder.requests) == sorted(sync_paths)
    assert len(sync_paths) == len(ids)


async def test_an_error_that_is_not_the_apis_is_raised_not_thrown_into_the_flow() -> None:
    def flow() -> Flow[Any]:
        try:
            yield [ClientCall("conversations", "nope", ()), ClientCall("conversations", "get", ("c1",))]
        except Exception:  # the flow must not be the one to see it
            return "caught"
        return "done"

    sync_recorder, async_recorder = Recorder(_reply), Recorder(_reply)
    with sync_client(sync_recorder) as client, pytest.raises(AttributeError, match="nope"):
        run(flow(), client)
    async with async_client(async_recorder) as aclient:
        with pytest.raises(AttributeError, match="nope"):
            await arun(flow(), aclient)
    # the call after the broken one is still made, on both clients
    assert [r.url.path for r in sync_recorder.requests] == [r.url.path for r in async_recorder.requests]
    assert len(sync_recorder.requests) == 1


class _Body(httpx.SyncByteStream, httpx.AsyncByteStream):
    """An SSE body that records being closed."""

    def __init__(self, closed: list[str]) -> None:
        self.closed = closed

    def __iter__(self) -> Any:
        yield b'data: {"type":"content","content":"hi"}\n\n'

    async def __aiter__(self) -> Any:
        yield b'data: {"type":"content","content":"hi"}\n\n'

    def close(self) -> None:
        self.closed.append("closed")

    async def aclose(self) -> None:
        self.closed.append("closed")


def _stream_then_missing() -> Flow[Any]:
    try:
        yield [
            ClientCall("messages", "stream", ("c1",), {"content": "hi"}, enter=True),
            ClientCall("conversations", "get", ("missing",)),
        ]
    except NotFoundError:
        return "not found"
    return "streams handed over"


async def test_a_failed_step_closes_the_streams_it_entered() -> None:
    closed: list[str] = []

    def reply(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/stream"):
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=_Body(closed))
        return _reply(request)

    with sync_client(Recorder(reply)) as client:
        assert run(_stream_then_missing(), client) == "not found"
    assert closed == ["closed"]
    async with async_client(Recorder(reply)) as aclient:
        assert await arun(_stream_then_missing(), aclient) == "not found"
    assert closed == ["closed", "closed"]
