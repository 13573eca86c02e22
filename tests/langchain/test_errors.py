"""The LangChain adapter's errors: converted core errors keep their class; bad input is a ChatRoutesError."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langchain_core.exceptions import ModelError, ModelInvalidRequestError

from chatroutes_core import _exceptions as core
from chatroutes_core._compare import UnsupportedModelError
from langchain_chatroutes import _errors

REQUEST = httpx.Request("POST", "https://api.example.test/api/v1/conversations")
STATUS = {
    core.APIStatusError: 418, core.ValidationError: 422, core.AuthenticationError: 401,
    core.PermissionDeniedError: 403, core.NotFoundError: 404, core.ConflictError: 409,
    core.PayloadTooLargeError: 413, core.RateLimitError: 429, core.ServerError: 503,
}  # fmt: skip
CORE_CLASSES = sorted(
    {getattr(core, name) for name in core.__all__} | {UnsupportedModelError}, key=lambda cls: cls.__name__
)
KEPT_AS_IS = (core.MappingError, UnsupportedModelError)
"""Input errors with a precise type and no combined class: returned unchanged (still not a ModelError)."""
ATTRIBUTES = ("message", "status_code", "body", "code", "details", "retry_after", "request", "response",
              "partial_text", "events")  # fmt: skip


def make(cls: type[core.ChatRoutesError]) -> core.ChatRoutesError:
    """An instance of ``cls`` built through its own constructor, with every attribute it carries set."""
    if issubclass(cls, core.APIStatusError):
        response = httpx.Response(STATUS[cls], request=REQUEST, headers={"Retry-After": "2"})
        return cls("status", response=response, body={"error": "x"}, code="CODE", details={"d": 1})
    if issubclass(cls, core.APIConnectionError):
        return cls("no connection", request=REQUEST)
    if issubclass(cls, core.APIResponseValidationError):
        return cls("bad body", response=httpx.Response(200, request=REQUEST), body="<html>")
    if issubclass(cls, core.StreamInterruptedError):
        return cls("broke", partial_text="partial", events=["e1"])
    return cls(f"a {cls.__name__}")


def test_the_list_covers_the_whole_core_tree() -> None:
    assert all(issubclass(cls, core.ChatRoutesError) for cls in CORE_CLASSES)
    assert {cls for cls in CORE_CLASSES if issubclass(cls, core.APIStatusError)} == set(STATUS)
    assert len(CORE_CLASSES) == 21  # the 20 classes of the tree (NetworkError is an alias) + UnsupportedModel


@pytest.mark.parametrize("cls", CORE_CLASSES, ids=lambda cls: cls.__name__)
def test_every_converted_core_error_keeps_its_class_and_attributes(cls: type[core.ChatRoutesError]) -> None:
    original = make(cls)
    converted = _errors.to_model_error(original)
    assert isinstance(converted, cls)
    assert _errors.to_model_error(converted) is converted
    for name in ATTRIBUTES:
        if hasattr(original, name):
            assert getattr(converted, name) == getattr(original, name), name
    if issubclass(cls, KEPT_AS_IS) or cls is core.ChatRoutesError:  # the root is never raised as such
        assert converted is original
    else:  # everything else is also a langchain-core ModelError (with_retry, is_retryable)
        assert isinstance(converted, ModelError)
        assert type(converted).__bases__[0] is cls  # the combined class of exactly this core class


def test_a_413_is_a_payload_too_large_and_an_invalid_request_never_retried() -> None:
    converted = _errors.to_model_error(make(core.PayloadTooLargeError))
    assert type(converted) is _errors.ChatRoutesPayloadTooLargeError
    assert isinstance(converted, ModelInvalidRequestError)
    assert converted.status_code == 413 and not converted.is_retryable


def test_a_subclass_without_a_combined_class_is_returned_unchanged() -> None:
    class TeapotError(core.ServerError):
        pass

    original: Any = TeapotError("brewing", response=httpx.Response(503, request=REQUEST))
    assert _errors.to_model_error(original) is original


async def test_a_usage_error_raised_through_the_model_is_a_chatroutes_usage_error() -> None:
    from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient
    from langchain_chatroutes import ChatChatRoutes

    client = ChatRoutesClient(api_key="k", base_url="https://api.example.test/api/v1")
    aclient = AsyncChatRoutesClient(api_key="k", base_url="https://api.example.test/api/v1")
    client.close()
    await aclient.close()
    model = ChatChatRoutes(client=client, async_client=aclient)
    for call in (lambda: model.invoke("hi"), lambda: list(model.stream("hi"))):
        with pytest.raises(_errors.ChatRoutesUsageError, match="closed") as caught:
            call()
        assert isinstance(caught.value, core.UsageError) and isinstance(caught.value, ValueError)
        assert type(caught.value.__cause__) is core.UsageError
    with pytest.raises(_errors.ChatRoutesUsageError, match="closed"):
        await model.ainvoke("hi")


# --- bad input: a ChatRoutesError (a UsageError, so also a ValueError), raised before any request -----------

TOOL = {"type": "function", "function": {"name": "f"}}


def _bad_inputs(client: Any) -> dict[str, Any]:
    """Name -> a call with bad input, every one holding a client that would send a request if asked."""
    from langchain_core.messages import AIMessage
    from langchain_core.runnables import RunnableLambda

    from langchain_chatroutes import AutoBranchRouter, ChatChatRoutes, ChatRoutesChatMessageHistory
    from langchain_chatroutes.langgraph import load_branch_state

    echo = RunnableLambda(lambda x: x)
    router = AutoBranchRouter({"a": echo}, detector="api", client=client)  # detecting is a request
    model = ChatChatRoutes(client=client, conversation_id="conv_1")
    return {
        "router: empty text": lambda: router.invoke(""),
        "router: blank text": lambda: router.invoke("   "),
        "router: dict without input": lambda: router.invoke({"text": "hi"}),
        "router: branch without conversation": lambda: router.invoke({"input": "hi", "branch_id": "br_1"}),
        "router: id not a string": lambda: router.invoke({"input": "hi", "conversation_id": 7}),
        "router: no human message": lambda: router.invoke([AIMessage("only an AI message")]),
        "router: no routes": lambda: AutoBranchRouter({}, client=client),
        "router: empty route name": lambda: AutoBranchRouter({"": echo}, client=client),
        "router: description not a string": lambda: AutoBranchRouter({"a": (echo, 3)}, client=client),
        "router: route not a runnable": lambda: AutoBranchRouter({"a": 42}, client=client),
        "router: unknown default": lambda: AutoBranchRouter({"a": echo}, default="b", client=client),
        "router: default name taken": lambda: AutoBranchRouter({"default": echo}, default=echo),
        "router: unknown detector": lambda: AutoBranchRouter({"a": echo}, detector="magic"),  # type: ignore
        "router: threshold": lambda: AutoBranchRouter({"a": echo}, threshold=2, client=client),
        "router: max_routes": lambda: AutoBranchRouter({"a": echo}, max_routes=0, client=client),
        "router: classifier": lambda: AutoBranchRouter({"a": echo}, classifier="nope"),  # type: ignore
        "model: unknown structured method": lambda: model.with_structured_output(TOOL, method="x"),  # type: ignore
        "model: structured extra argument": lambda: model.with_structured_output(TOOL, tools=[]),
        "model: structured without schema": lambda: model.with_structured_output(None),
        "model: undeclared tool_choice": lambda: model.bind_tools([TOOL], tool_choice="g"),
        "model: tool without a name": lambda: model.bind_tools(
            [{"type": "function", "function": {"name": " "}}]
        ),
        "model: tool not a tool": lambda: model.bind_tools([42]),
        "model: duplicate tool names at invoke": lambda: model.bind_tools([TOOL, TOOL]).invoke("hi"),
        "model: structured schema not a tool": lambda: model.with_structured_output(42, method="json_schema"),
        "history: branch without conversation": lambda: ChatRoutesChatMessageHistory(
            None, "b", client=client
        ),
        "langgraph: client without conversation": lambda: load_branch_state(client),
        "langgraph: other conversation": lambda: load_branch_state(
            ChatRoutesChatMessageHistory("conv_a", client=client), "conv_b"
        ),
    }


@pytest.fixture
def counting_client() -> Any:
    from chatroutes_core import ChatRoutesClient

    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500, json={"success": False, "error": "no request was expected"})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = ChatRoutesClient(api_key="k", base_url="https://api.example.test/api/v1", http_client=http,
                              max_retries=0)  # fmt: skip
    client.sent = sent  # type: ignore[attr-defined]
    return client


def test_the_walk_names_each_bad_input_once(counting_client: Any) -> None:
    assert len(_bad_inputs(counting_client)) == 27


@pytest.mark.parametrize("case", sorted(_bad_inputs(None)))
def test_bad_input_is_a_usage_error_before_any_request(case: str, counting_client: Any) -> None:
    call = _bad_inputs(counting_client)[case]
    with pytest.raises(core.ChatRoutesError) as caught:  # a plain ValueError would fail the test here
        call()
    assert isinstance(caught.value, core.UsageError) and isinstance(caught.value, ValueError), case
    assert counting_client.sent == []


# --- a branch without its conversation: one error, one message, everywhere ----------------------------------


async def test_a_branch_without_its_conversation_is_one_error_everywhere(counting_client: Any) -> None:
    from pydantic import BaseModel

    from chatroutes_core.mapper import Binding
    from langchain_chatroutes import AutoBranchRouter, ChatChatRoutes, ChatRoutesChatMessageHistory
    from langchain_chatroutes.router import parse_router_input

    class Answer(BaseModel):
        text: str

    with pytest.raises(core.MappingError) as expected:
        Binding(None, "br_1")  # the core's rule and message
    # construction cannot refuse it: pydantic would wrap the error in its ValidationError (not ours)
    lone = ChatChatRoutes(client=counting_client, branch_id="br_1")
    unbound = ChatChatRoutes(client=counting_client)
    router = AutoBranchRouter({"a": lambda x: x}, detector="api", client=counting_client)
    only_branch = {"configurable": {"chatroutes_branch_id": "br_1"}}
    calls: dict[str, Any] = {
        "history": lambda: ChatRoutesChatMessageHistory(None, "br_1", client=counting_client),
        "router input": lambda: router.invoke({"input": "hi", "branch_id": "br_1"}),
        "router config": lambda: parse_router_input("hi", only_branch),
        "model invoke": lambda: lone.invoke("hi"),
        "model invoke naming a conversation": lambda: lone.invoke("hi", conversation_id="conv_1"),
        "model stream": lambda: list(lone.stream("hi")),
        "model bind": lambda: lone.bind(temperature=0),
        "model bind_tools": lambda: lone.bind_tools([TOOL]),
        "model with_structured_output": lambda: lone.with_structured_output(Answer),
        "call keyword": lambda: unbound.invoke("hi", branch_id="br_1"),
        "call config": lambda: unbound.invoke("hi", config=only_branch),
    }
    errors = {}
    for name, call in calls.items():
        with pytest.raises(core.UsageError) as caught:
            call()
        errors[name] = caught.value
    for name, coroutine in {
        "model ainvoke": lone.ainvoke("hi"),
        "model astream": _drain(lone.astream("hi")),
    }.items():
        with pytest.raises(core.UsageError) as caught:
            await coroutine
        errors[name] = caught.value
    assert {name: type(error) for name, error in errors.items()} == dict.fromkeys(errors, core.MappingError)
    assert {name: str(error) for name, error in errors.items()} == dict.fromkeys(errors, str(expected.value))
    assert counting_client.sent == []


async def _drain(stream: Any) -> None:
    async for _ in stream:
        pass
