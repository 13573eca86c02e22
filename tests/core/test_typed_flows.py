"""Typed flow calls: ``call(lambda c: c.<resource>.<method>, ...)`` runs on both clients, as strings did."""

from __future__ import annotations

from typing import Any

import httpx
from _core_mock import Recorder, async_client, ok, sync_client

from chatroutes_core.flows import ClientCall, Flow, arun, call, run
from chatroutes_core.models import Branch, Conversation


def _reply(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/fork"):
        return ok({"branch": {"id": "br_1", "conversationId": "c1", "title": "x"}})
    return ok({"conversation": {"id": request.url.path.rsplit("/", 1)[-1], "title": "t"}})


def _flow() -> Flow[tuple[Conversation, Branch]]:
    conversation = yield from call(lambda c: c.conversations.get, "c1")
    fork = call(lambda c: c.branches.fork, conversation.id, fork_point_message_id="m1", title="x")
    branch = yield from fork.with_options({"extra_headers": {"X-Trace": "t1"}})
    return conversation, branch


async def test_a_typed_flow_makes_the_same_requests_on_both_clients() -> None:
    sync_recorder, async_recorder = Recorder(_reply), Recorder(_reply)
    with sync_client(sync_recorder) as client:
        sync_result = run(_flow(), client)
    async with async_client(async_recorder) as aclient:
        async_result = await arun(_flow(), aclient)
    assert sync_result == async_result
    assert isinstance(sync_result[0], Conversation) and isinstance(sync_result[1], Branch)
    for recorder in (sync_recorder, async_recorder):
        assert [(r.method, r.url.path) for r in recorder.requests] == [
            ("GET", "/api/v1/conversations/c1"),
            ("POST", "/api/v1/conversations/c1/fork"),
        ]
        assert recorder.body(-1) == {"forkPointMessageId": "m1", "title": "x"}
        assert recorder.last.headers["X-Trace"] == "t1"


def test_with_options_adds_keywords_and_keeps_the_call_otherwise() -> None:
    base = call(lambda c: c.conversations.get, "c1")
    assert base.with_options({}) is base
    extended = base.with_options({"timeout": 3.0})
    assert (extended.args, dict(extended.kwargs), extended.pick) == (("c1",), {"timeout": 3.0}, base.pick)


def test_the_string_spelling_still_runs() -> None:
    def flow() -> Flow[Any]:
        return (yield ClientCall("conversations", "get", ("c9",)))

    with sync_client(Recorder(_reply)) as client:
        assert run(flow(), client).id == "c9"
