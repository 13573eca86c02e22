"""Every endpoint (rows 1-25 of the wire table) on both clients: method, path, body, parsed result."""

# ruff: noqa: E501  (the endpoint table reads best one case per block)

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from _core_mock import BASE, Recorder, async_client, ok, sync_client

from chatroutes_core import (
    Branch,
    Checkpoint,
    Conversation,
    ConversationList,
    ConversationTree,
    HealthStatus,
    Message,
    SendMessageResponse,
    SuggestBranchesResponse,
)

CONV = {"id": "c1", "userId": "u1", "title": "T", "model": "gpt-5", "createdAt": "2025-10-05T03:01:09.598Z"}
MSG = {
    "id": "m1",
    "conversationId": "c1",
    "branchId": "b1",
    "role": "assistant",
    "content": "hi",
    "tokenCount": 3,
}
BRANCH = {
    "id": "b2",
    "conversationId": "c1",
    "parentBranchId": "b1",
    "forkPointMessageId": "m1",
    "title": "alt",
}
CKPT = {
    "id": "cp1",
    "conversationId": "c1",
    "branchId": "b1",
    "anchorMessageId": "m1",
    "summary": "s",
    "tokenCount": 9,
}
SEND = {
    "message": MSG,
    "usage": {"promptTokens": 8, "completionTokens": 18, "totalTokens": 26},
    "model": "gpt-5-x",
}
SUGGEST = {
    "suggestions": [
        {
            "id": "branch-1",
            "title": "Billing",
            "description": "d",
            "triggerText": "billing",
            "branchPoint": {"start": 15, "end": 22},
            "confidence": 0.9,
            "reasoning": "r",
            "estimatedDivergence": "high",
        }
    ],
    "metadata": {"detectionMethod": "pattern", "totalBranchPointsFound": 1, "modelUsed": None},
}


@dataclass
class Case:
    call: Callable[[Any], Any]
    method: str
    path: str
    reply: httpx.Response
    check: Callable[[Any], bool]
    body: Any = None
    query: dict[str, str] = field(default_factory=dict)


CASES: dict[str, Case] = {
    "1 conversations.create": Case(
        lambda c: c.conversations.create(title="T", model="gpt-5"),
        "POST", "/conversations", ok({"conversation": CONV}),
        lambda r: isinstance(r, Conversation) and r.id == "c1" and r.model == "gpt-5",
        body={"title": "T", "model": "gpt-5"},
    ),
    "1 conversations.create (official dict)": Case(
        lambda c: c.conversations.create({"title": "T", "model": "gpt-5"}),
        "POST", "/conversations", ok({"conversation": CONV}), lambda r: r.user_id == "u1",
        body={"title": "T", "model": "gpt-5"},
    ),
    "2 conversations.list (unwrapped)": Case(
        lambda c: c.conversations.list(page=2, limit=5, filter="owned"),
        "GET", "/conversations",
        httpx.Response(200, json={"conversations": [CONV], "total": 6, "page": 2, "limit": 5, "hasNext": False}),
        lambda r: isinstance(r, ConversationList) and r.total == 6 and r.has_next is False
        and r.conversations[0].id == "c1",
        query={"page": "2", "limit": "5", "filter": "owned"},
    ),
    "2 conversations.list (dict params, wrapped)": Case(
        lambda c: c.conversations.list({"page": 1, "limit": 10}),
        "GET", "/conversations", ok({"conversations": [CONV], "total": 1, "page": 1, "limit": 10}),
        lambda r: r.total == 1 and len(r.conversations) == 1,
        query={"page": "1", "limit": "10"},
    ),
    "3 conversations.get": Case(
        lambda c: c.conversations.get("c1"),
        "GET", "/conversations/c1",
        ok({"conversation": {**CONV, "messages": [MSG], "branches": [{"id": "b1", "isMain": True}]}}),
        lambda r: r.messages[0].id == "m1" and r.branches[0].is_main,
    ),
    "4 conversations.update": Case(
        lambda c: c.conversations.update("c1", title="New"),
        "PATCH", "/conversations/c1", ok({"conversation": {**CONV, "title": "New"}}),
        lambda r: r.title == "New", body={"title": "New"},
    ),
    "5 conversations.delete": Case(
        lambda c: c.conversations.delete("c1"), "DELETE", "/conversations/c1", ok(), lambda r: r is None
    ),
    "6 conversations.get_tree": Case(
        lambda c: c.conversations.get_tree("c1"),
        "GET", "/conversations/c1/tree",
        ok({
            "conversation": CONV,
            "branches": [{"branch": {"id": "b1", "isMain": True, "_count": {"messages": 4}},
                          "children": [{"branch": BRANCH, "children": []}]}],
            "mainBranch": {"id": "b1", "isMain": True},
        }),
        lambda r: isinstance(r, ConversationTree) and [b.id for b in r.iter_branches()] == ["b1", "b2"]
        and r.branches[0].branch.message_count == 4 and r.main_branch.id == "b1",
    ),
    "7 messages.send": Case(
        lambda c: c.messages.send("c1", content="hi", model="gpt-5", temperature=0.2, max_tokens=50, branch_id="b2"),
        "POST", "/conversations/c1/messages", ok(SEND),
        lambda r: isinstance(r, SendMessageResponse) and r.message.id == "m1" and r.usage.total_tokens == 26
        and r.model == "gpt-5-x",
        body={"content": "hi", "model": "gpt-5", "temperature": 0.2, "maxTokens": 50, "branchId": "b2"},
    ),
    "7 messages.send (official dict, kwargs win)": Case(
        lambda c: c.messages.send("c1", {"content": "dict", "maxTokens": 5, "model": "a"}, model="b"),
        "POST", "/conversations/c1/messages", ok(SEND), lambda r: r.message.content == "hi",
        body={"content": "dict", "maxTokens": 5, "model": "b"},
    ),
    "9 messages.list": Case(
        lambda c: c.messages.list("c1", branch_id="b2"),
        "GET", "/conversations/c1/messages", ok({"messages": [MSG]}),
        lambda r: isinstance(r[0], Message) and r[0].token_count == 3, query={"branchId": "b2"},
    ),
    "10 messages.update": Case(
        lambda c: c.messages.update("m1", content="edited"),
        "PATCH", "/messages/m1", ok({"message": {**MSG, "content": "edited"}}),
        lambda r: r.content == "edited", body={"content": "edited"},
    ),
    "10 messages.update (official positional)": Case(
        lambda c: c.messages.update("m1", "edited"),
        "PATCH", "/messages/m1", ok({"message": MSG}), lambda r: r.id == "m1", body={"content": "edited"},
    ),
    "11 messages.delete": Case(
        lambda c: c.messages.delete("m1"), "DELETE", "/messages/m1", ok(), lambda r: r is None
    ),
    "12 branches.list": Case(
        lambda c: c.branches.list("c1"),
        "GET", "/conversations/c1/branches", ok({"branches": [{"id": "b1", "isMain": True}, BRANCH]}),
        lambda r: [b.id for b in r] == ["b1", "b2"] and isinstance(r[1], Branch) and r[1].parent_branch_id == "b1",
    ),
    "13 branches.create": Case(
        lambda c: c.branches.create("c1", title="alt", base_node_id="m1", description="d", context_mode="FULL"),
        "POST", "/conversations/c1/branches", ok({"branch": BRANCH}), lambda r: r.id == "b2",
        body={"title": "alt", "baseNodeId": "m1", "description": "d", "contextMode": "FULL"},
    ),
    "14 branches.fork": Case(
        lambda c: c.branches.fork("c1", fork_point_message_id="m1", title="f", context_mode="FULL"),
        "POST", "/conversations/c1/fork", ok({"branch": BRANCH}),
        lambda r: r.fork_point_message_id == "m1",
        body={"forkPointMessageId": "m1", "title": "f", "contextMode": "FULL"},
    ),
    "14 branches.fork (official dict)": Case(
        lambda c: c.branches.fork("c1", {"forkPointMessageId": "m1", "title": "f"}),
        "POST", "/conversations/c1/fork", ok({"branch": BRANCH}), lambda r: r.id == "b2",
        body={"forkPointMessageId": "m1", "title": "f"},
    ),
    "15 branches.update": Case(
        lambda c: c.branches.update("c1", "b2", title="renamed"),
        "PATCH", "/conversations/c1/branches/b2", ok({"branch": {**BRANCH, "title": "renamed"}}),
        lambda r: r.title == "renamed", body={"title": "renamed"},
    ),
    "16 branches.delete": Case(
        lambda c: c.branches.delete("c1", "b2"), "DELETE", "/conversations/c1/branches/b2", ok(),
        lambda r: r is None,
    ),
    "17 branches.get_messages": Case(
        lambda c: c.branches.get_messages("c1", "b2"),
        "GET", "/conversations/c1/branches/b2/messages", ok({"messages": [MSG]}), lambda r: r[0].id == "m1",
    ),
    "18 branches.send_message (old shape)": Case(
        lambda c: c.branches.send_message("c1", "b2", content="hi"),
        "POST", "/conversations/c1/branches/b2/messages",
        ok({"userMessage": {**MSG, "id": "u1", "role": "user"}, "assistantMessage": MSG}),
        lambda r: r.message.id == "m1" and r.user_message is not None and r.user_message.role == "user",
        body={"content": "hi"},
    ),
    "19 branches.merge": Case(
        lambda c: c.branches.merge("c1", "b2"),
        "POST", "/conversations/c1/branches/b2/merge", ok({"branch": BRANCH}), lambda r: r.id == "b2", body={},
    ),
    "20 checkpoints.list": Case(
        lambda c: c.checkpoints.list("c1", branch_id="b1"),
        "GET", "/conversations/c1/checkpoints", ok({"checkpoints": [CKPT]}),
        lambda r: isinstance(r[0], Checkpoint) and r[0].token_count == 9, query={"branchId": "b1"},
    ),
    "21 checkpoints.create": Case(
        lambda c: c.checkpoints.create("c1", branch_id="b1", anchor_message_id="m1"),
        "POST", "/conversations/c1/checkpoints", ok({"checkpoint": CKPT}), lambda r: r.anchor_message_id == "m1",
        body={"branchId": "b1", "anchorMessageId": "m1"},
    ),
    "21 checkpoints.create (official positional)": Case(
        lambda c: c.checkpoints.create("c1", "b1", "m1"),
        "POST", "/conversations/c1/checkpoints", ok({"checkpoint": CKPT}), lambda r: r.id == "cp1",
        body={"branchId": "b1", "anchorMessageId": "m1"},
    ),
    "22 checkpoints.delete": Case(
        lambda c: c.checkpoints.delete("cp1"), "DELETE", "/checkpoints/cp1", ok(), lambda r: r is None
    ),
    "23 checkpoints.recreate": Case(
        lambda c: c.checkpoints.recreate("cp1"),
        "POST", "/checkpoints/cp1/recreate", ok({"checkpoint": CKPT}), lambda r: r.summary == "s", body={},
    ),
    "24 autobranch.suggest_branches": Case(
        lambda c: c.autobranch.suggest_branches(text="billing and API", suggestions_count=2, llm_provider="x"),
        "POST", "/autobranch/suggest-branches", ok(SUGGEST),
        lambda r: isinstance(r, SuggestBranchesResponse) and r.suggestions[0].branch_point.end == 22
        and r.metadata.detection_method == "pattern",
        body={"text": "billing and API", "suggestionsCount": 2, "hybridDetection": False, "threshold": 0.7,
              "llmProvider": "x"},
    ),
    "24 autobranch.suggest_branches (official positional, unwrapped reply)": Case(
        lambda c: c.autobranch.suggest_branches("some text", 4, True, 0.5),
        "POST", "/autobranch/suggest-branches", httpx.Response(200, json=SUGGEST),
        lambda r: r.suggestions[0].trigger_text == "billing",
        body={"text": "some text", "suggestionsCount": 4, "hybridDetection": True, "threshold": 0.5},
    ),
    "24 autobranch.analyze_text": Case(
        lambda c: c.autobranch.analyze_text("some text", llm_model="m"),
        "POST", "/autobranch/suggest-branches", ok(SUGGEST), lambda r: len(r.suggestions) == 1,
        body={"text": "some text", "suggestionsCount": 3, "hybridDetection": False, "threshold": 0.7,
              "llmModel": "m"},
    ),
    "25 autobranch.health": Case(
        lambda c: c.autobranch.health(),
        "GET", "/autobranch/health", httpx.Response(200, json={"status": "healthy", "version": "1.0.0",
                                                               "service": "autobranch"}),
        lambda r: isinstance(r, HealthStatus) and r.status == "healthy",
    ),
}  # fmt: skip


def check_request(case: Case, recorder: Recorder) -> None:
    assert len(recorder.requests) == 1
    request = recorder.last
    assert request.method == case.method
    assert request.url.raw_path.decode().split("?")[0] == "/api/v1" + case.path
    assert dict(request.url.params) == case.query
    assert recorder.body() == case.body
    assert request.headers["authorization"].startswith("ApiKey cr_test_sk_")
    assert ("idempotency-key" in request.headers) == (case.method == "POST")
    assert ("content-type" in request.headers) == (case.body is not None)


@pytest.mark.parametrize("name", list(CASES))
def test_sync_endpoint(name: str) -> None:
    case = CASES[name]
    recorder = Recorder(case.reply)
    with sync_client(recorder) as client:
        result = case.call(client)
    check_request(case, recorder)
    assert case.check(result), result


@pytest.mark.parametrize("name", list(CASES))
async def test_async_endpoint(name: str) -> None:
    case = CASES[name]
    recorder = Recorder(case.reply)
    async with async_client(recorder) as client:
        pending = case.call(client)
        assert inspect.isawaitable(pending)
        result = await pending
    check_request(case, recorder)
    assert case.check(result), result


def test_base_url_is_joined_with_the_path() -> None:
    recorder = Recorder(ok({"conversation": CONV}))
    with sync_client(recorder) as client:
        client.conversations.get("c1")
    assert str(recorder.last.url) == BASE + "/conversations/c1"


PAGES = [
    httpx.Response(
        200, json={"conversations": [{"id": "a"}, {"id": "b"}], "page": 1, "limit": 2, "hasNext": True}
    ),
    httpx.Response(200, json={"conversations": [{"id": "c"}], "page": 2, "limit": 2, "hasNext": False}),
]


def test_iter_all_pages_until_has_next_is_false() -> None:
    recorder = Recorder(*PAGES)
    with sync_client(recorder) as client:
        ids = [c.id for c in client.conversations.iter_all(limit=2, filter="all")]
    assert ids == ["a", "b", "c"]
    assert [dict(r.url.params) for r in recorder.requests] == [
        {"page": "1", "limit": "2", "filter": "all"},
        {"page": "2", "limit": "2", "filter": "all"},
    ]


async def test_async_iter_all_pages_until_a_short_page_without_has_next() -> None:
    recorder = Recorder(
        httpx.Response(200, json={"conversations": [{"id": "a"}, {"id": "b"}]}),
        httpx.Response(200, json={"conversations": [{"id": "c"}]}),
    )
    async with async_client(recorder) as client:
        ids = [c.id async for c in client.conversations.iter_all(limit=2)]
    assert ids == ["a", "b", "c"]
    assert len(recorder.requests) == 2


def test_iter_all_is_lazy() -> None:
    recorder = Recorder(*PAGES)
    with sync_client(recorder) as client:
        iterator = client.conversations.iter_all(limit=2)
        assert recorder.requests == []
        assert next(iterator).id == "a"
        assert len(recorder.requests) == 1


# --- per-call options on every method: timeout, extra_headers, extra_body reach the wire ------------------

UNIVERSAL = {
    "success": True,
    "data": {
        "conversation": CONV, "conversations": [], "hasNext": False, "message": MSG, "messages": [],
        "branch": BRANCH, "branches": [], "checkpoint": CKPT, "checkpoints": [], "usage": SEND["usage"],
        "model": "m", "suggestions": [], "status": "ok",
    },
}  # fmt: skip
STREAM_BODY = (
    b'data: {"type":"content","content":"hi"}\n\n'
    b'data: {"type":"complete","message":' + json.dumps(MSG).encode() + b',"usage":{}}\n\n'
    b"data: [DONE]\n\n"
)

# (resource, method) -> positional and keyword arguments of a minimal valid call
MINIMAL: dict[tuple[str, str], tuple[tuple[Any, ...], dict[str, Any]]] = {
    ("conversations", "create"): ((), {"title": "t"}),
    ("conversations", "list"): ((), {}),
    ("conversations", "iter_all"): ((), {}),
    ("conversations", "get"): (("c1",), {}),
    ("conversations", "update"): (("c1",), {"title": "t"}),
    ("conversations", "delete"): (("c1",), {}),
    ("conversations", "get_tree"): (("c1",), {}),
    ("messages", "send"): (("c1",), {"content": "hi"}),
    ("messages", "stream"): (("c1",), {"content": "hi"}),
    ("messages", "list"): (("c1",), {}),
    ("messages", "update"): (("m1",), {"content": "x"}),
    ("messages", "delete"): (("m1",), {}),
    ("branches", "list"): (("c1",), {}),
    ("branches", "create"): (("c1",), {"title": "t"}),
    ("branches", "fork"): (("c1",), {"fork_point_message_id": "m1"}),
    ("branches", "update"): (("c1", "b1"), {"title": "t"}),
    ("branches", "delete"): (("c1", "b1"), {}),
    ("branches", "get_messages"): (("c1", "b1"), {}),
    ("branches", "merge"): (("c1", "b1"), {}),
    ("branches", "send_message"): (("c1", "b1"), {"content": "hi"}),
    ("branches", "get_history"): (("c1", "b1"), {}),
    ("checkpoints", "list"): (("c1",), {}),
    ("checkpoints", "create"): (("c1",), {"branch_id": "b1", "anchor_message_id": "m1"}),
    ("checkpoints", "delete"): (("cp1",), {}),
    ("checkpoints", "recreate"): (("cp1",), {}),
    ("autobranch", "suggest_branches"): ((), {"text": "some text"}),
    ("autobranch", "analyze_text"): (("some text",), {}),
    ("autobranch", "health"): ((), {}),
}
RESOURCES = ["conversations", "messages", "branches", "checkpoints", "autobranch"]


def _reply(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/stream"):
        return httpx.Response(200, content=STREAM_BODY, headers={"content-type": "text/event-stream"})
    return httpx.Response(200, json=UNIVERSAL)


def _per_call(method: str) -> dict[str, Any]:
    options: dict[str, Any] = {"timeout": 7.5, "extra_headers": {"X-Trace": "t-1", "User-Agent": "mine/1"}}
    if method in _BODY_METHODS:
        options["extra_body"] = {"experimental": True}
    return options


# Methods whose every request is a POST or PATCH (they carry a body, so extra_body applies).
_BODY_METHODS = {"create", "update", "send", "stream", "fork", "merge", "send_message", "recreate",
                 "suggest_branches", "analyze_text"}  # fmt: skip


def _check_options_reached_the_wire(recorder: Recorder, method: str) -> None:
    assert recorder.requests
    for index, request in enumerate(recorder.requests):
        assert request.headers["x-trace"] == "t-1" and request.headers["user-agent"] == "mine/1"
        assert request.headers["authorization"].startswith("ApiKey ")  # extra headers add, not replace all
        assert request.extensions["timeout"] == httpx.Timeout(7.5).as_dict()
        if method in _BODY_METHODS:
            assert recorder.body(index)["experimental"] is True


def test_the_table_covers_every_public_resource_method() -> None:
    from chatroutes_core import ChatRoutesClient

    client = ChatRoutesClient("cr_x")
    listed = {
        (resource, name)
        for resource in RESOURCES
        for name, member in inspect.getmembers(type(getattr(client, resource)))
        if not name.startswith("_") and inspect.isfunction(member)
    }
    assert listed == set(MINIMAL)


@pytest.mark.parametrize(("resource", "method"), list(MINIMAL))
def test_per_call_options_reach_the_wire_sync(resource: str, method: str) -> None:
    args, kwargs = MINIMAL[(resource, method)]
    recorder = Recorder(_reply)
    with sync_client(recorder) as client:
        result = getattr(getattr(client, resource), method)(*args, **kwargs, **_per_call(method))
        if method == "iter_all":
            list(result)
        elif method == "stream":
            with result as stream:
                stream.until_done()
    _check_options_reached_the_wire(recorder, method)


@pytest.mark.parametrize(("resource", "method"), list(MINIMAL))
async def test_per_call_options_reach_the_wire_async(resource: str, method: str) -> None:
    args, kwargs = MINIMAL[(resource, method)]
    recorder = Recorder(_reply)
    async with async_client(recorder) as client:
        result = getattr(getattr(client, resource), method)(*args, **kwargs, **_per_call(method))
        if method == "iter_all":
            [c async for c in result]
        elif method == "stream":
            async with result as stream:
                await stream.until_done()
        else:
            await result
    _check_options_reached_the_wire(recorder, method)


def test_extra_body_wins_over_the_built_body_and_the_client_timeout_applies_without_one() -> None:
    recorder = Recorder(_reply)
    with sync_client(recorder, timeout=3.0) as client:
        client.messages.send("c1", content="hi", model="a", extra_body={"model": "b", "seed": 7})
        client.conversations.get("c1")
    assert recorder.body(0) == {"content": "hi", "model": "b", "seed": 7}
    assert recorder.requests[1].extensions["timeout"] == httpx.Timeout(3.0).as_dict()
