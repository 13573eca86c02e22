"""Arbitrary server answers never crash the client with anything but its own typed errors.

Every resource method of both clients is fed random JSON (random envelopes, wire-shaped objects with wrong
types, scalars, garbage bytes) under random statuses through ``httpx.MockTransport``: the call either returns
a parsed model or raises a :class:`ChatRoutesError`; a raw ``pydantic.ValidationError``, ``KeyError``,
``TypeError`` or ``AttributeError`` escaping is a bug. Streams get random event sequences: they either end
with a ``complete`` event whose text equals the deltas, or raise ``StreamInterruptedError`` with the text
received so far.
"""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Callable
from typing import Any

import httpx
import pydantic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient, ChatRoutesError, StreamInterruptedError
from chatroutes_core import models as m

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEY = "cr_test_sk_fuzzfuzzfuzzfuzz"

# Wire names the models look for, so random objects reach deep into validation instead of failing early.
WIRE_KEYS = [
    "id",
    "role",
    "content",
    "message",
    "messages",
    "usage",
    "model",
    "branch",
    "branches",
    "branchId",
    "conversation",
    "conversations",
    "conversationId",
    "checkpoint",
    "checkpoints",
    "tree",
    "mainBranch",
    "children",
    "parentBranchId",
    "forkPointMessageId",
    "promptTokens",
    "completionTokens",
    "totalTokens",
    "suggestions",
    "metadata",
    "branchPoint",
    "start",
    "end",
    "confidence",
    "triggerText",
    "status",
    "total",
    "page",
    "limit",
    "hasNext",
    "_count",
    "userMessage",
    "assistantMessage",
    "anchorMessageId",
    "anchor_message_id",
    "summary",
    "tokenCount",
    "tokens",
    "isMain",
    "createdAt",
    "type",
    "success",
    "data",
]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), st.text(max_size=8)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(WIRE_KEYS), st.text(max_size=5)), inner, max_size=6),
    ),
    max_leaves=25,
)
envelopes = st.one_of(
    json_values,
    st.builds(
        lambda ok, data: {"success": ok, "data": data}, st.sampled_from([True, False, None]), json_values
    ),
    st.builds(lambda key, v: {"success": True, "data": {key: v}}, st.sampled_from(WIRE_KEYS), json_values),
)
bodies = st.one_of(envelopes.map(lambda v: json.dumps(v).encode()), st.binary(max_size=40))
statuses = st.sampled_from([200, 200, 200, 201, 204, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503])

# Every resource method, called with valid arguments (bad answers are the only variable).
CALLS: list[tuple[str, Callable[[Any], Any]]] = [
    ("conversations.create", lambda c: c.conversations.create(title="t")),
    ("conversations.list", lambda c: c.conversations.list()),
    ("conversations.get", lambda c: c.conversations.get("conv_1")),
    ("conversations.update", lambda c: c.conversations.update("conv_1", title="t")),
    ("conversations.delete", lambda c: c.conversations.delete("conv_1")),
    ("conversations.get_tree", lambda c: c.conversations.get_tree("conv_1")),
    ("messages.send", lambda c: c.messages.send("conv_1", content="hi")),
    ("messages.list", lambda c: c.messages.list("conv_1")),
    ("messages.update", lambda c: c.messages.update("msg_1", content="x")),
    ("messages.delete", lambda c: c.messages.delete("msg_1")),
    ("branches.list", lambda c: c.branches.list("conv_1")),
    ("branches.create", lambda c: c.branches.create("conv_1", title="b")),
    ("branches.fork", lambda c: c.branches.fork("conv_1", fork_point_message_id="msg_1", title="f")),
    ("branches.update", lambda c: c.branches.update("conv_1", "br_1", title="b")),
    ("branches.delete", lambda c: c.branches.delete("conv_1", "br_1")),
    ("branches.get_messages", lambda c: c.branches.get_messages("conv_1", "br_1")),
    ("branches.merge", lambda c: c.branches.merge("conv_1", "br_1")),
    ("branches.send_message", lambda c: c.branches.send_message("conv_1", "br_1", content="hi")),
    ("branches.get_history", lambda c: c.branches.get_history("conv_1", "br_1")),
    ("checkpoints.list", lambda c: c.checkpoints.list("conv_1")),
    ("checkpoints.create", lambda c: c.checkpoints.create("conv_1", branch_id="br_1", anchor_message_id="m")),
    ("checkpoints.delete", lambda c: c.checkpoints.delete("cp_1")),
    ("checkpoints.recreate", lambda c: c.checkpoints.recreate("cp_1")),
    ("autobranch.suggest_branches", lambda c: c.autobranch.suggest_branches(text="a or b")),
    ("autobranch.analyze_text", lambda c: c.autobranch.analyze_text("a or b")),
    ("autobranch.health", lambda c: c.autobranch.health()),
]
call_indexes = st.integers(0, len(CALLS) - 1)


def answering(status: int, body: bytes) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"content-type": "application/json"})

    return httpx.MockTransport(handler)


@FUZZ
@given(call_indexes, statuses, bodies)
def test_sync_calls_raise_only_typed_errors(index: int, status: int, body: bytes) -> None:
    with (
        httpx.Client(transport=answering(status, body)) as http,
        ChatRoutesClient(api_key=KEY, http_client=http, max_retries=0) as client,
        contextlib.suppress(ChatRoutesError),
    ):
        CALLS[index][1](client)


@FUZZ
@given(call_indexes, statuses, bodies)
async def test_async_calls_raise_only_typed_errors(index: int, status: int, body: bytes) -> None:
    async with (
        httpx.AsyncClient(transport=answering(status, body)) as http,
        AsyncChatRoutesClient(api_key=KEY, http_client=http, max_retries=0) as client,
    ):
        with contextlib.suppress(ChatRoutesError):
            await CALLS[index][1](client)


MSG = {
    "id": "msg_1",
    "conversationId": "conv_1",
    "branchId": "br_1",
    "role": "assistant",
    "content": "hi",
    "tokenCount": 2,
    "createdAt": "2025-01-01T00:00:00Z",
    "metadata": {},
}
BRANCH = {
    "id": "br_1",
    "conversationId": "conv_1",
    "title": "Main",
    "isMain": True,
    "parentBranchId": None,
    "forkPointMessageId": None,
    "createdAt": "2025-01-01T00:00:00Z",
}
CONV = {"id": "conv_1", "title": "t", "model": "gpt-5", "branches": [BRANCH], "messages": [MSG]}
CP = {
    "id": "cp_1",
    "conversationId": "conv_1",
    "branchId": "br_1",
    "anchorMessageId": "msg_1",
    "summary": "s",
    "tokenCount": 3,
}
SUGGESTION = {
    "id": "s1",
    "title": "A",
    "description": "d",
    "triggerText": "a",
    "confidence": 0.9,
    "branchPoint": {"start": 0, "end": 1},
    "reasoning": "r",
    "estimatedDivergence": "low",
}
SEND = {
    "message": MSG,
    "usage": {"promptTokens": 1, "completionTokens": 1, "totalTokens": 2},
    "model": "gpt-5",
}


def ok(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data}


# A valid answer for each call (by name); the near-valid fuzz mutates one spot of it.
VALID: dict[str, Any] = {
    "conversations.create": ok({"conversation": CONV}),
    "conversations.list": {"success": True, "conversations": [CONV], "total": 1, "page": 1, "limit": 10},
    "conversations.get": ok({"conversation": CONV}),
    "conversations.update": ok({"conversation": CONV}),
    "conversations.get_tree": ok(
        {"conversation": CONV, "branches": [{"branch": BRANCH, "children": []}], "mainBranch": BRANCH}
    ),
    "messages.send": ok(SEND),
    "messages.list": ok({"messages": [MSG, MSG]}),
    "messages.update": ok({"message": MSG}),
    "branches.list": ok({"branches": [BRANCH]}),
    "branches.create": ok({"branch": BRANCH}),
    "branches.fork": ok({"branch": BRANCH}),
    "branches.update": ok({"branch": BRANCH}),
    "branches.get_messages": ok({"messages": [MSG]}),
    "branches.merge": ok({"branch": BRANCH}),
    "branches.send_message": ok({**SEND, "userMessage": MSG, "assistantMessage": MSG}),
    "checkpoints.list": ok({"checkpoints": [CP]}),
    "checkpoints.create": ok({"checkpoint": CP}),
    "checkpoints.recreate": ok({"checkpoint": CP}),
    "autobranch.suggest_branches": ok(
        {"suggestions": [SUGGESTION], "metadata": {"detectionMethod": "pattern"}}
    ),
    "autobranch.analyze_text": ok({"suggestions": [SUGGESTION], "metadata": {}}),
    "autobranch.health": ok({"status": "ok", "version": "1", "service": "autobranch"}),
}


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += paths(item, (*prefix, index))
    return out


def mutated(value: Any, path: tuple[Any, ...], replacement: Any, delete: bool) -> Any:
    if not path:
        return replacement
    value = copy.deepcopy(value)
    parent = value
    for step in path[:-1]:
        parent = parent[step]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return value


@st.composite
def near_valid(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(VALID)))
    path = draw(st.sampled_from(paths(VALID[name])[1:]))
    body = mutated(VALID[name], path, draw(json_values), delete=draw(st.booleans()))
    return name, json.dumps(body).encode()


def test_the_valid_answers_really_parse() -> None:
    by_name = dict(CALLS)
    for name, body in VALID.items():
        with (
            httpx.Client(transport=answering(200, json.dumps(body).encode())) as http,
            ChatRoutesClient(api_key=KEY, http_client=http, max_retries=0) as client,
        ):
            assert by_name[name](client) is not None, name


@FUZZ
@given(near_valid())
def test_near_valid_answers_parse_or_raise_typed_errors(case: tuple[str, bytes]) -> None:
    name, body = case
    with (
        httpx.Client(transport=answering(200, body)) as http,
        ChatRoutesClient(api_key=KEY, http_client=http, max_retries=0) as client,
        contextlib.suppress(ChatRoutesError),
    ):
        dict(CALLS)[name](client)


MODELS = [
    m.Message,
    m.SendMessageResponse,
    m.Usage,
    m.Branch,
    m.Conversation,
    m.ConversationList,
    m.ConversationTree,
    m.TreeNode,
    m.Checkpoint,
    m.SuggestBranchesResponse,
    m.BranchSuggestion,
    m.HealthStatus,
    m.CompleteEvent,
    m.ContentEvent,
]


@FUZZ
@given(st.sampled_from(MODELS), json_values)
def test_models_reject_bad_input_only_with_validation_errors(
    model: type[pydantic.BaseModel], value: Any
) -> None:
    try:
        parsed = model.model_validate(value)
    except pydantic.ValidationError:
        return
    parsed.model_dump()  # a model that validated can be dumped back


content_events = st.builds(lambda t: {"type": "content", "content": t, "model": "gpt-5"}, st.text(max_size=6))
complete_event = {
    "type": "complete",
    "message": {"id": "msg_1", "role": "assistant", "content": "x"},
    "usage": {"promptTokens": 1, "completionTokens": 1, "totalTokens": 2},
    "model": "gpt-5",
}
stream_items = st.one_of(
    content_events,
    content_events,
    st.just(complete_event),
    st.just({"type": "error", "error": "boom"}),
    json_values,
    st.just("[DONE]"),
    st.text(max_size=10),
)


def sse(items: list[Any]) -> bytes:
    lines = [f"data: {item if isinstance(item, str) else json.dumps(item)}\n\n" for item in items]
    return "".join(lines).encode()


@FUZZ
@given(st.lists(stream_items, max_size=8))
def test_streams_end_complete_or_interrupted_with_the_partial_text(items: list[Any]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=sse(items), headers={"content-type": "text/event-stream"})

    with (
        httpx.Client(transport=httpx.MockTransport(handler)) as http,
        ChatRoutesClient(api_key=KEY, http_client=http, max_retries=0) as client,
    ):
        deltas: list[str] = []
        try:
            with client.messages.stream("conv_1", content="hi") as stream:
                for event in stream:
                    if event.type == "content":
                        deltas.append(event.content)
        except StreamInterruptedError as exc:
            assert exc.partial_text == "".join(deltas)
        else:
            assert stream.final is not None
            assert stream.text == "".join(deltas)
