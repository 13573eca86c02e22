"""ChatChatRoutes: secrets, fields, request counts, binding, stop, streaming, async, structure, errors."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from uuid import UUID

import httpx
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelError,
    ModelInvalidRequestError,
    ModelRateLimitError,
)
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    ChatMessage,
    HumanMessage,
    SystemMessage,
)
from pydantic import BaseModel

from chatroutes_core._exceptions import AuthenticationError, RateLimitError, ServerError
from chatroutes_core.mapper import UnsupportedMessageError
from chatroutes_core.testing import LocalServer
from langchain_chatroutes import ChatChatRoutes
from langchain_chatroutes._convert import apply_stop

SECRET = "sk-chatroutes-test-SECRET-123456"


def _model(server: LocalServer, **kwargs: Any) -> ChatChatRoutes:
    return ChatChatRoutes(api_key=server.api_key, base_url=server.base_url, **kwargs)


def _count(server: LocalServer) -> int:
    return len(server.requests)


# --- offline ---------------------------------------------------------------------------------------------


def test_the_key_never_appears_in_repr_str_dump_or_tracing_params() -> None:
    model = ChatChatRoutes(api_key=SECRET, base_url="http://127.0.0.1:9/api/v1")
    assert model.api_key is not None and model.api_key.get_secret_value() == SECRET
    texts = [
        repr(model),
        str(model),
        json.dumps(model.model_dump(), default=str),
        json.dumps(model._get_ls_params(), default=str),
        json.dumps(model._get_invocation_params(stop=None), default=str),
        json.dumps(model._identifying_params, default=str),
    ]
    for text in texts:
        assert SECRET not in text


def test_model_and_model_name_both_work_and_the_provider_is_chatroutes() -> None:
    assert ChatChatRoutes(model="claude-sonnet-4-5", api_key="k").model == "claude-sonnet-4-5"
    by_alias = ChatChatRoutes(model_name="claude-opus-4-1", api_key="k")
    assert (by_alias.model, by_alias.model_name) == ("claude-opus-4-1", "claude-opus-4-1")
    params = by_alias._get_ls_params(stop=["x"], model="other")
    assert params["ls_provider"] == "chatroutes"
    assert params["ls_model_name"] == "other"
    assert params["ls_stop"] == ["x"]


def test_env_supplies_key_and_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATROUTES_API_KEY", SECRET)
    monkeypatch.setenv("CHATROUTES_BASE_URL", "http://127.0.0.1:9/api/v1")
    model = ChatChatRoutes()
    assert model.api_key is not None and model.api_key.get_secret_value() == SECRET
    assert model.base_url == "http://127.0.0.1:9/api/v1"


def test_bind_tools_validates_before_any_request_and_the_profile_says_tools() -> None:
    model = ChatChatRoutes(api_key="k", base_url="http://127.0.0.1:9/api/v1")
    with pytest.raises(ValueError):
        model.bind_tools([{"type": "function", "function": {"name": "f"}}], tool_choice="g")  # not declared
    bound = model.bind_tools([{"type": "function", "function": {"name": "f"}}], tool_choice="any")
    assert bound.kwargs["tool_choice"] == "required"  # type: ignore[attr-defined]
    assert model.profile is not None
    assert model.profile.get("tool_calling") is True and model.profile.get("structured_output") is True


def test_errors_are_public_and_subclass_both_trees() -> None:
    from langchain_core.exceptions import ModelError, ModelRateLimitError

    import langchain_chatroutes as lc
    from chatroutes_core import ChatRoutesError, RateLimitError

    assert issubclass(lc.ChatRoutesRateLimitError, RateLimitError)
    assert issubclass(lc.ChatRoutesRateLimitError, ModelRateLimitError)
    for name in [
        n for n in lc.__all__ if n.startswith("ChatRoutes") and n.endswith("Error") and n != "ChatRoutesError"
    ]:
        error = getattr(lc, name)
        assert issubclass(error, ChatRoutesError), name
        assert issubclass(error, ModelError), name


def test_unsupported_messages_fail_before_any_client_is_built() -> None:
    model = ChatChatRoutes(api_key="k", base_url="http://127.0.0.1:9/api/v1")
    with pytest.raises(UnsupportedMessageError):
        model.invoke([HumanMessage("hi"), ChatMessage(role="critic", content="42")])
    with pytest.raises(UnsupportedMessageError):
        image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}}
        model.invoke([HumanMessage([image])])


def test_with_structured_output_rejects_unknown_methods_and_arguments() -> None:
    model = ChatChatRoutes(api_key="k")
    with pytest.raises(ValueError, match="method"):
        model.with_structured_output({"type": "object"}, method="xml")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unsupported"):
        model.with_structured_output({"type": "object"}, tools=[])
    with pytest.raises(ValueError, match="schema is required"):
        model.with_structured_output(None)


# --- against a LocalServer: request counts and binding ------------------------------------------------------


def test_request_counts_through_the_model(local_server: LocalServer) -> None:
    model = _model(local_server)
    local_server.reset_requests()
    first = model.invoke([SystemMessage("Be brief."), HumanMessage("Hello")])
    assert _count(local_server) == 2  # new conversation: create + send
    ref = first.response_metadata["chatroutes"]
    assert first.id == ref["message_id"]
    assert first.usage_metadata is not None and first.usage_metadata["total_tokens"] > 0

    local_server.reset_requests()
    second = model.invoke([SystemMessage("Be brief."), HumanMessage("Hello"), first, HumanMessage("More")])
    assert _count(local_server) == 1  # passing the reply back continues the branch
    assert second.response_metadata["chatroutes"]["branch_id"] == ref["branch_id"]

    local_server.reset_requests()
    edited = model.invoke([HumanMessage("Hello"), first, HumanMessage("Instead")])
    assert _count(local_server) == 2  # first is no longer the tip: fork + send
    assert edited.response_metadata["chatroutes"]["branch_id"] != ref["branch_id"]

    local_server.reset_requests()
    fresh = _model(local_server).invoke([HumanMessage("Hello"), first, HumanMessage("Again")])
    assert _count(local_server) == 3  # unknown tip: one GET decides, then fork + send
    assert fresh.response_metadata["chatroutes"]["conversation_id"] == ref["conversation_id"]


def test_binding_from_config_fields_and_kwargs(local_server: LocalServer) -> None:
    model = _model(local_server)
    first = model.invoke("Start")
    ref = first.response_metadata["chatroutes"]
    side = model.client.branches.fork(
        ref["conversation_id"], fork_point_message_id=ref["message_id"], title="side"
    )
    config = {
        "configurable": {
            "chatroutes_conversation_id": ref["conversation_id"],
            "chatroutes_branch_id": side.id,
        }
    }

    local_server.reset_requests()
    via_config = model.invoke("Continue on the side branch", config=config)  # type: ignore[arg-type]
    assert _count(local_server) == 1
    assert via_config.response_metadata["chatroutes"]["branch_id"] == side.id

    chunks = list(model.stream("And stream there", config=config))  # type: ignore[arg-type]
    assert chunks[-1].response_metadata["chatroutes"]["branch_id"] == side.id

    bound = _model(local_server, conversation_id=ref["conversation_id"])
    local_server.reset_requests()
    on_main = bound.invoke("To main")
    assert _count(local_server) == 1
    assert on_main.response_metadata["chatroutes"]["branch_id"] == ref["branch_id"]
    history = model.client.branches.get_history(ref["conversation_id"], side.id)
    assert [m.content for m in history][-4:-2] == ["Continue on the side branch", via_config.content]


async def test_binding_from_config_on_the_async_paths(local_server: LocalServer) -> None:
    model = _model(local_server)
    first = await model.ainvoke("Start")
    ref = first.response_metadata["chatroutes"]
    config = {
        "configurable": {
            "chatroutes_conversation_id": ref["conversation_id"],
            "chatroutes_branch_id": ref["branch_id"],
        }
    }
    again = await model.ainvoke("Next", config=config)  # type: ignore[arg-type]
    chunks = [chunk async for chunk in model.astream("Streamed", config=config)]  # type: ignore[arg-type]
    assert again.response_metadata["chatroutes"]["branch_id"] == ref["branch_id"]
    assert chunks[-1].response_metadata["chatroutes"]["branch_id"] == ref["branch_id"]


# --- stop sequences ---------------------------------------------------------------------------------------


def test_stop_is_applied_on_invoke_and_while_streaming(local_server: LocalServer) -> None:
    model = _model(local_server)
    full = model.invoke("alpha beta gamma")
    assert "You said: alpha beta gamma" in str(full.content)
    stop = ["said: alpha be"]  # long enough to arrive split across stream pieces
    cut = model.invoke("alpha beta gamma", stop=stop)
    assert cut.content == apply_stop(str(full.content), stop)[0]
    assert cut.response_metadata["finish_reason"] == "stop"

    chunks = list(model.stream("alpha beta gamma", stop=stop))
    streamed = "".join(str(c.content) for c in chunks)
    assert streamed == cut.content
    assert "alpha be" not in streamed
    assert chunks[-1].id is not None and chunks[-1].id.startswith("msg_")

    at_init = _model(local_server, stop=["said:"])
    assert str(at_init.invoke("delta").content).endswith("You ")


async def test_stop_while_streaming_async(local_server: LocalServer) -> None:
    model = _model(local_server, stop=["You said"])
    chunks = [chunk async for chunk in model.astream("epsilon")]
    text = "".join(str(c.content) for c in chunks)
    assert text and "You said" not in text and "epsilon" not in text


# --- streaming callbacks and chunk contract ----------------------------------------------------------------


class _Tokens(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str, *, run_id: UUID, **kwargs: Any) -> None:
        self.tokens.append(token)


def test_streaming_yields_chunks_as_tokens_with_metadata_once_on_the_last(local_server: LocalServer) -> None:
    model = _model(local_server)
    handler = _Tokens()
    chunks = list(model.stream("Tell me things", config={"callbacks": [handler]}))
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    assert len(chunks) > 3
    assert [t for t in handler.tokens if t] == [str(c.content) for c in chunks if c.content]
    with_usage = [c for c in chunks if c.usage_metadata]
    assert with_usage == [chunks[-1]]
    assert chunks[-1].chunk_position == "last"
    assert sum(1 for c in chunks if "model_name" in c.response_metadata) == 1
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert total.id == chunks[-1].id
    assert total.response_metadata["model_name"] == "gpt-5-2025-08-07"

    streaming_invoke = _model(local_server, streaming=True)
    handler = _Tokens()
    reply = streaming_invoke.invoke("Via invoke", config={"callbacks": [handler]})
    assert len(handler.tokens) > 3
    assert isinstance(reply, AIMessage)
    assert reply.response_metadata["chatroutes"]["message_id"] == reply.id


# --- async concurrency ------------------------------------------------------------------------------------


async def test_many_concurrent_ainvoke_share_one_async_client(local_server: LocalServer) -> None:
    model = _model(local_server)
    replies = await asyncio.gather(*(model.ainvoke(f"question {i}") for i in range(20)))
    conversations = {r.response_metadata["chatroutes"]["conversation_id"] for r in replies}
    assert len(conversations) == 20
    assert all(f"You said: question {i}" in str(r.content) for i, r in enumerate(replies))
    first_client = model._get_async_mapper().client
    fresh = _model(local_server)  # a fresh instance per request (the web-app pattern) shares the stack
    follow_ups = await asyncio.gather(
        *(
            fresh.ainvoke([HumanMessage(f"question {i}"), r, HumanMessage("next")])
            for i, r in enumerate(replies)
        )
    )
    assert fresh._get_async_mapper().client is first_client
    assert [f.response_metadata["chatroutes"]["branch_id"] for f in follow_ups] == [
        r.response_metadata["chatroutes"]["branch_id"] for r in replies
    ]


async def test_given_clients_are_used_and_need_no_key(local_server: LocalServer) -> None:
    from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient

    with ChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as sync:
        async with AsyncChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as aio:
            model = ChatChatRoutes(client=sync, async_client=aio)
            assert model.client is sync and "api_key" not in repr(model.sync_client).lower().replace(
                "api_key='cr_****'", ""
            )
            reply = model.invoke("hi")
            again = await model.ainvoke([HumanMessage("hi"), reply, HumanMessage("more")])
            assert model._get_async_mapper().client is aio
            assert (
                again.response_metadata["chatroutes"]["branch_id"]
                == reply.response_metadata["chatroutes"]["branch_id"]
            )


# --- structured output ------------------------------------------------------------------------------------


class Person(BaseModel):
    name: str
    age: int


@pytest.mark.integration  # lc_server is a LocalServer on loopback
def test_structured_output_parses_and_reports_the_schema(lc_server: LocalServer) -> None:
    model = _model(lc_server)
    for method in ("json_schema", "function_calling", "json_mode"):
        structured = model.with_structured_output(Person, method=method)  # type: ignore[arg-type]
        person = structured.invoke("Describe someone")
        assert isinstance(person, Person)
    as_dict = model.with_structured_output(Person.model_json_schema()).invoke("Describe someone")
    assert set(as_dict) == {"name", "age"}
    raw = model.with_structured_output(Person, include_raw=True).invoke("Describe someone")
    assert isinstance(raw["raw"], AIMessage)
    assert isinstance(raw["parsed"], Person)
    assert raw["parsing_error"] is None


def test_structured_output_include_raw_reports_parsing_errors(local_server: LocalServer) -> None:
    result = _model(local_server).with_structured_output(Person, include_raw=True).invoke("No JSON here")
    assert isinstance(result["raw"], AIMessage)  # the echo responder does not follow instructions
    assert result["parsed"] is None
    assert result["parsing_error"] is not None


# --- errors -----------------------------------------------------------------------------------------------


def test_core_errors_are_also_langchain_model_errors(fresh_server: LocalServer) -> None:
    model = _model(fresh_server, max_retries=0)
    fresh_server.inject(429, path="/conversations$", retry_after=0)
    with pytest.raises(ModelRateLimitError) as rate:
        model.invoke("hi")
    assert isinstance(rate.value, RateLimitError)
    assert rate.value.is_retryable

    fresh_server.inject(500, path="/messages$")
    with pytest.raises(ModelAPIError) as server:
        model.invoke("hi")
    assert isinstance(server.value, ServerError)
    assert server.value.status_code == 500

    fresh_server.inject(400, path="/conversations$")
    with pytest.raises(ModelInvalidRequestError):
        model.invoke("hi")

    wrong_key = ChatChatRoutes(api_key=SECRET, base_url=fresh_server.base_url)
    with pytest.raises(ModelAuthenticationError) as auth:
        wrong_key.invoke("hi")
    assert isinstance(auth.value, AuthenticationError)
    assert not auth.value.is_retryable
    assert SECRET not in str(auth.value) and SECRET not in repr(auth.value)


def test_other_statuses_are_retryable_only_where_a_retry_can_help() -> None:
    from langchain_chatroutes._errors import ChatRoutesStatusError

    def error(status: int) -> ChatRoutesStatusError:
        request = httpx.Request("POST", "https://api.example.com/api/v1/conversations")
        return ChatRoutesStatusError(f"HTTP {status}", response=httpx.Response(status, request=request))

    assert [error(s).is_retryable for s in (405, 413, 418, 408, 425)] == [False, False, False, True, True]


def test_each_combined_error_is_retryable_as_documented() -> None:
    import langchain_chatroutes as lc

    retryable = {"RateLimit", "Server", "Timeout", "Connection", "StreamInterrupted", "ResponseValidation"}
    not_retryable = {"Authentication", "PermissionDenied", "NotFound", "InvalidRequest", "Conflict",
                     "Configuration", "Usage"}  # fmt: skip
    for stem in retryable | not_retryable:
        cls = getattr(lc, f"ChatRoutes{stem}Error")
        assert issubclass(cls, lc.ChatRoutesError) and issubclass(cls, ModelError), stem
        assert cls.is_retryable is (stem in retryable), stem


async def test_stream_errors_are_mapped_and_with_retry_recovers(fresh_server: LocalServer) -> None:
    model = _model(fresh_server, max_retries=0)
    fresh_server.inject(503, path="/stream$")
    with pytest.raises(ModelError):
        [chunk async for chunk in model.astream("hi")]
    fresh_server.inject(503, path="/messages$")
    retrying = model.with_retry(
        retry_if_exception_type=(ModelAPIError,), stop_after_attempt=2, wait_exponential_jitter=False
    )
    reply = await retrying.ainvoke("hi")
    assert "You said: hi" in str(reply.content)


def test_per_call_options_reach_the_wire_through_bind() -> None:
    import httpx

    from chatroutes_core import ChatRoutesClient

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        message = {
            "id": "m2",
            "role": "assistant",
            "content": "ok",
            "branchId": "b1",
            "parentMessageId": "m1",
        }
        return httpx.Response(200, json={"success": True, "data": {"message": message, "usage": {}}})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = ChatRoutesClient(api_key="k", base_url="https://api.example.test/api/v1", http_client=http)
    model = ChatChatRoutes(client=client, conversation_id="conv_1")
    model.bind(extra_headers={"X-Trace": "t-1"}, extra_body={"metadata": {"user": "u"}}, timeout=3.5).invoke(
        "hi"
    )
    [request] = seen
    assert request.headers["X-Trace"] == "t-1"
    assert json.loads(request.content)["metadata"] == {"user": "u"}
    assert request.extensions["timeout"]["read"] == 3.5


def test_a_deep_copy_works_and_shares_the_branch_tips(local_server: LocalServer) -> None:
    import copy

    model = _model(local_server)
    first = model.invoke("Start")
    twin = copy.deepcopy(model)  # frameworks deep-copy models; the shared caches are shared, not copied
    local_server.reset_requests()
    follow = twin.invoke([HumanMessage("Start"), first, HumanMessage("Next")])
    assert _count(local_server) == 1  # the copy knows the tip: one send, no read
    assert (
        follow.response_metadata["chatroutes"]["conversation_id"]
        == first.response_metadata["chatroutes"]["conversation_id"]
    )
