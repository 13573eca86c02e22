"""Issue 23 (LangChain side): the model's fields, run-config keys and token counts behave as users expect.

- an unknown model name raises ``UnsupportedModelError`` (ours, not pydantic's) before any request;
- after ``m.base_url = ...``, ``m.model = ...`` or ``model_copy(update=...)``, the sync path follows them;
- the run config binds the model only through ``chatroutes_conversation_id``/``chatroutes_branch_id``;
- ``trim_messages(..., token_counter=model)`` counts offline, without importing ``transformers``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, trim_messages
from pydantic import SecretStr

from chatroutes_core import SUPPORTED_MODELS, ChatRoutesClient, UnsupportedModelError
from chatroutes_core.testing import LocalServer
from langchain_chatroutes import ChatChatRoutes


@pytest.fixture
def second_server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


def _model(server: LocalServer, **fields: object) -> ChatChatRoutes:
    return ChatChatRoutes(api_key=server.api_key, base_url=server.base_url, **fields)


def _sends(server: LocalServer) -> int:
    return sum(1 for method, path in server.requests if method == "POST" and path.endswith("/messages"))


# --- unknown model names -------------------------------------------------------------------------------


def test_an_unknown_model_is_our_error_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHATROUTES_EXTRA_MODELS", raising=False)
    with pytest.raises(UnsupportedModelError, match="CHATROUTES_EXTRA_MODELS") as caught:
        ChatChatRoutes(model="gpt-4o", api_key="k")
    assert caught.value.unknown == ["gpt-4o"] and "claude-sonnet-4-5" in str(caught.value)
    with pytest.raises(UnsupportedModelError):
        ChatChatRoutes(model_name="gpt-4o", api_key="k")
    for name in (*SUPPORTED_MODELS, "gpt-5-2025-08-07"):  # aliases and the dated ids they resolve to
        assert ChatChatRoutes(model=name, api_key="k").model == name
    monkeypatch.setenv("CHATROUTES_EXTRA_MODELS", "gpt-4o, my-model")  # the documented way for a new name
    assert ChatChatRoutes(model="gpt-4o", api_key="k").model == "gpt-4o"


@pytest.mark.integration
def test_an_unknown_model_set_later_or_per_call_fails_before_any_request(local_server: LocalServer) -> None:
    model = _model(local_server)
    local_server.reset_requests()
    model.model = "gpt-4o"
    with pytest.raises(UnsupportedModelError):
        model.invoke("hi")
    with pytest.raises(UnsupportedModelError):
        model.model_copy(update={"model": "gpt-4o"}).invoke("hi")
    with pytest.raises(UnsupportedModelError):
        _model(local_server).invoke("hi", model="gpt-4o")
    with pytest.raises(UnsupportedModelError):
        list(_model(local_server).stream("hi", model="gpt-4o"))
    assert local_server.requests == []


# --- the model follows its fields ----------------------------------------------------------------------


@pytest.mark.integration
def test_the_sync_path_follows_base_url_and_model_changes(
    local_server: LocalServer, second_server: LocalServer
) -> None:
    model = _model(local_server)
    model.invoke("first")  # builds and caches the client and mapper
    local_server.reset_requests()
    model.base_url = second_server.base_url
    model.api_key = SecretStr(second_server.api_key)
    model.model = "claude-sonnet-4-5"
    reply = model.invoke("second")
    assert _sends(second_server) == 1 and local_server.requests == []
    assert reply.response_metadata["model_name"].startswith("claude-sonnet-4-5")

    copy = model.model_copy(
        update={"base_url": local_server.base_url, "api_key": SecretStr(local_server.api_key)}
    )
    second_server.reset_requests()
    copy.invoke("third")
    assert _sends(local_server) == 1 and second_server.requests == []
    model.invoke("fourth")  # the original keeps its own fields
    assert _sends(second_server) == 1


@pytest.mark.integration
async def test_the_async_path_follows_the_fields_too(
    local_server: LocalServer, second_server: LocalServer
) -> None:
    model = _model(local_server)
    await model.ainvoke("first")
    model.base_url, model.api_key = second_server.base_url, second_server.api_key  # type: ignore[assignment]
    second_server.reset_requests()
    await model.ainvoke("second")
    assert _sends(second_server) == 1


def test_the_sync_path_follows_the_settings_on_every_call() -> None:
    client = ChatRoutesClient(api_key="k", base_url="http://127.0.0.1:9/api/v1")
    model = ChatChatRoutes(client=client)
    assert model._get_mapper().client is client and model.client is client
    model.model = "claude-sonnet-4-5"
    assert model._get_mapper().model == "claude-sonnet-4-5"


@pytest.mark.integration
def test_the_sync_path_outlives_closing_the_shared_clients(local_server: LocalServer) -> None:
    # The mapper used to be cached with the shared client in it: after default_provider.close() (or a
    # fork's reset) the model kept using the closed client.
    from chatroutes_core import default_provider

    model = _model(local_server)
    model.invoke("first")
    default_provider.close()
    assert "You said: second" in str(model.invoke("second").content)


# --- run-config keys (DESIGN.md point 6) ---------------------------------------------------------------


@pytest.mark.integration
def test_generic_config_keys_are_never_read_as_chatroutes_ids(local_server: LocalServer) -> None:
    model = _model(local_server)
    generic = {
        "configurable": {"conversation_id": "1", "branch_id": "2", "thread_id": "t", "session_id": "s"}
    }
    reply = model.invoke("hello", config=generic)  # before: a send to conversation "1", a 404
    ref = reply.response_metadata["chatroutes"]
    assert ref["conversation_id"] not in ("1", "2")
    ours = {"configurable": {"chatroutes_conversation_id": ref["conversation_id"],
                             "chatroutes_branch_id": ref["branch_id"], "conversation_id": "1"}}  # fmt: skip
    follow = model.invoke("and then?", config=ours)
    assert follow.response_metadata["chatroutes"]["conversation_id"] == ref["conversation_id"]
    assert local_server.count_messages(ref["conversation_id"]) == 4


# --- token counts --------------------------------------------------------------------------------------


def test_token_counts_are_offline_for_every_supported_model() -> None:
    messages = [
        SystemMessage("You are terse."),
        HumanMessage("Name three rivers in Europe."),
        AIMessage("Rhine"),
    ]
    for name in SUPPORTED_MODELS:
        model = ChatChatRoutes(model=name, api_key="k")
        assert model.get_num_tokens("Hello world") == 2
        total = model.get_num_tokens_from_messages(messages)
        assert total == sum(3 + model.get_num_tokens(str(m.content)) for m in messages) + 3
        tool = {"type": "function", "function": {"name": "f", "description": "d", "parameters": {}}}
        assert model.get_num_tokens_from_messages(messages, tools=[tool]) > total


def test_trim_messages_with_the_model_as_counter_imports_no_transformers() -> None:
    code = """
import sys
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, trim_messages
from langchain_chatroutes import ChatChatRoutes
model = ChatChatRoutes(api_key="k")
history = [SystemMessage("You are a helpful assistant.")]
for i in range(20):
    history += [HumanMessage(f"Question number {i} about rivers?"), AIMessage(f"Answer number {i}.")]
history.append(HumanMessage("And the last one?"))
kept = trim_messages(history, max_tokens=60, strategy="last", token_counter=model, include_system=True,
                     start_on="human")
assert kept[0].type == "system" and kept[-1].content == "And the last one?", kept
assert 3 < len(kept) < len(history), len(kept)
assert model.get_num_tokens_from_messages(kept) <= 60
assert "transformers" not in sys.modules and "tiktoken" not in sys.modules
print(len(kept))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 3


def test_the_estimate_follows_the_text() -> None:
    from langchain_chatroutes._tokens import count_text_tokens

    assert count_text_tokens("") == 0
    assert count_text_tokens("The quick brown fox jumps over the lazy dog.") == 10  # o200k: 10
    assert count_text_tokens("internationalization") > 1
    assert count_text_tokens("東京は日本の首都です") >= 5
    assert count_text_tokens("x" * 4000) > count_text_tokens("x" * 400) > 10


def test_trim_messages_in_process() -> None:
    model = ChatChatRoutes(api_key="k")
    history = [HumanMessage("one two three"), AIMessage("four five"), HumanMessage("six seven eight nine")]
    assert trim_messages(history, max_tokens=10, strategy="last", token_counter=model) == history[-1:]
