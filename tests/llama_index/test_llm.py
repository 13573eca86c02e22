"""ChatRoutes as a LlamaIndex LLM on the LocalServer: endpoints, anchoring, usage, side calls, secrets."""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core import Settings, VectorStoreIndex
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.llms import ChatMessage
from llama_index.core.schema import Document
from pydantic import BaseModel, SecretStr

from chatroutes_core import UsageError
from chatroutes_core.server.responders import ResponderRequest
from chatroutes_core.testing import LocalServer
from llama_index_chatroutes.llm import ChatRoutes


def posts(srv: LocalServer) -> list[str]:
    return [path for method, path in srv.requests if method != "GET"]


def test_metadata_sizes_memory_and_picks_the_function_calling_program() -> None:
    # what LlamaIndex does with the metadata: ChatMemoryBuffer sizes itself from the window, and a
    # function-calling model gets the pydantic (tool-calling) selector instead of the text-parsing one
    from llama_index.core.memory import ChatMemoryBuffer
    from llama_index.core.selectors import PydanticSingleSelector
    from llama_index.core.selectors.utils import get_selector_from_llm

    llm = ChatRoutes(model="claude-3-5-haiku-latest", api_key="k")
    assert ChatMemoryBuffer.from_defaults(llm=llm).token_limit == int(0.75 * 200_000)
    assert ChatMemoryBuffer.from_defaults(llm=ChatRoutes(context_window=9000)).token_limit == 6750
    assert isinstance(get_selector_from_llm(llm, is_multi=False), PydanticSingleSelector)
    assert ChatRoutes(max_tokens=100).metadata.num_output == 100


def test_model_limits_follow_the_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import MappingProxyType

    from chatroutes_core import SUPPORTED_MODELS, _catalog
    from llama_index_chatroutes.llm import MODEL_LIMITS

    assert tuple(MODEL_LIMITS) == SUPPORTED_MODELS  # every alias the catalog has, and only those
    # a new alias of a model the adapter knows gets its limits with no change here
    aliases = MappingProxyType({**_catalog.MODEL_ALIASES, "sonnet-latest": "claude-sonnet-4-5-20250929"})
    monkeypatch.setattr(_catalog, "MODEL_ALIASES", aliases)
    metadata = ChatRoutes(model="sonnet-latest", api_key="k").metadata
    assert (metadata.context_window, metadata.num_output) == (200_000, 64_000)
    dated = ChatRoutes(model="gpt-5-2025-08-07", api_key="k").metadata  # a dated id, as the catalog has it
    assert (dated.context_window, dated.num_output) == (400_000, 128_000)


def test_model_name_is_an_alias_of_model_and_round_trips(local_server: LocalServer) -> None:
    options = {"api_key": local_server.api_key, "base_url": local_server.base_url}
    llm = ChatRoutes(model_name="claude-sonnet-4-5", **options)
    assert (llm.model, llm.model_name, llm.metadata.model_name) == ("claude-sonnet-4-5",) * 3
    reply = llm.chat([ChatMessage(role="user", content="which model?")])
    conversation_id = reply.message.additional_kwargs["chatroutes"]["conversation_id"]
    assert llm.client.conversations.get(conversation_id).model == "claude-sonnet-4-5"
    assert ChatRoutes(model="claude-opus-4-1").model == "claude-opus-4-1"  # the documented keyword
    assert llm.to_dict()["model"] == "claude-sonnet-4-5" and "model_name" not in llm.to_dict()
    for restored in (
        ChatRoutes.from_dict(llm.to_dict()),
        ChatRoutes.from_json(llm.to_json()),
        ChatRoutes.model_validate(llm.model_dump()),
    ):
        assert restored.model == "claude-sonnet-4-5"


def test_a_misspelt_option_is_a_usage_error_not_ignored() -> None:
    with pytest.raises(UsageError, match=r"temprature.*did you mean 'temperature'"):
        ChatRoutes(api_key="k", temprature=0.2)
    with pytest.raises(UsageError, match="modle"):
        ChatRoutes(modle="claude-sonnet-4-5")


def test_key_never_leaks() -> None:
    secret = "cr_live_sk_supersecret_123"
    llm = ChatRoutes(api_key=secret)
    for text in (
        repr(llm),
        str(llm),
        str(llm.model_dump()),
        llm.to_json(),
        str(llm.to_dict()),
        str(llm.to_payload() if hasattr(llm, "to_payload") else ""),
    ):
        assert secret not in text
    assert llm.api_key is not None and llm.api_key.get_secret_value() == secret


def test_chat_returns_ref_and_usage(llm: ChatRoutes) -> None:
    reply = llm.chat([ChatMessage(role="user", content="Hi")])
    ref = reply.message.additional_kwargs["chatroutes"]
    assert set(ref) == {"conversation_id", "branch_id", "message_id", "digest", "base", "system_digest"}
    assert reply.raw["usage"]["prompt_tokens"] > 0
    assert reply.additional_kwargs == reply.raw["usage"]
    assert reply.delta == reply.message.content


def test_next_turn_continues_the_branch_with_one_request(llm: ChatRoutes, local_server: LocalServer) -> None:
    history = [ChatMessage(role="user", content="one")]
    first = llm.chat(history)
    history.append(first.message)
    local_server.reset_requests()
    for text in ("two", "three"):
        history.append(ChatMessage(role="user", content=text))
        reply = llm.chat(history)
        history.append(reply.message)
    assert len(local_server.requests) == 2
    ids = [m.additional_kwargs["chatroutes"] for m in history if m.role == "assistant"]
    assert len({(r["conversation_id"], r["branch_id"]) for r in ids}) == 1
    assert "4 prior messages" in history[-1].content


def test_stream_chat_every_chunk_has_delta(llm: ChatRoutes) -> None:
    chunks = list(llm.stream_chat([ChatMessage(role="user", content="stream me")]))
    assert len(chunks) > 2
    assert all(c.delta is not None for c in chunks)
    assert "".join(c.delta or "" for c in chunks) == chunks[-1].message.content
    assert "chatroutes" in chunks[-1].message.additional_kwargs
    assert chunks[-1].raw["usage"]["completion_tokens"] > 0


async def test_async_endpoints(llm: ChatRoutes, local_server: LocalServer) -> None:
    first = await llm.achat([ChatMessage(role="user", content="a1")])
    local_server.reset_requests()
    gen = await llm.astream_chat(
        [ChatMessage(role="user", content="a1"), first.message, ChatMessage(role="user", content="a2")]
    )
    chunks = [c async for c in gen]
    assert len(local_server.requests) == 1
    assert (
        chunks[-1].message.additional_kwargs["chatroutes"]["branch_id"]
        == first.message.additional_kwargs["chatroutes"]["branch_id"]
    )
    completion = await llm.acomplete("c1")
    assert "You said: c1" in completion.text
    gen2 = await llm.astream_complete("c2")
    parts = [c async for c in gen2]
    assert parts[-1].text.endswith("You said: c2") and all(p.delta is not None for p in parts)


def test_completions_are_one_shots_even_when_bound(local_server: LocalServer) -> None:
    base = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    conversation = base.client.conversations.create(title="bound")
    llm = base.bind(conversation.id)
    llm.chat([ChatMessage(role="user", content="in the branch")])
    before = local_server.count_messages(conversation.id)
    assert "You said: side" in llm.complete("side").text
    assert "You said: side2" in "".join(c.delta or "" for c in llm.stream_complete("side2"))
    assert local_server.count_messages(conversation.id) == before == 2


def test_delete_side_calls(fresh_server: LocalServer) -> None:
    llm = ChatRoutes(api_key=fresh_server.api_key, base_url=fresh_server.base_url, delete_side_calls=True)
    response = llm.complete("temporary")
    assert "You said: temporary" in response.text
    assert fresh_server.count_messages() == 0
    assert llm.client.conversations.list().conversations == []


def test_token_counting_handler_sees_server_usage(llm: ChatRoutes) -> None:
    counter = TokenCountingHandler()
    llm.callback_manager = CallbackManager([counter])
    reply = llm.chat([ChatMessage(role="user", content="count me")])
    assert counter.prompt_llm_token_count == reply.raw["usage"]["prompt_tokens"]
    assert counter.completion_llm_token_count == reply.raw["usage"]["completion_tokens"]
    list(llm.stream_chat([ChatMessage(role="user", content="count me too")]))
    assert len(counter.llm_token_counts) == 2


@pytest.fixture
def index() -> VectorStoreIndex:
    docs = [
        Document(text="ChatRoutes stores conversations as trees of branches."),
        Document(text="Checkpoints summarise long branches."),
    ]
    return VectorStoreIndex.from_documents(docs, embed_model=MockEmbedding(embed_dim=8))


def test_query_engine_sync_stream_async(index: VectorStoreIndex, llm: ChatRoutes) -> None:
    engine = index.as_query_engine(llm=llm, similarity_top_k=1)
    answer = engine.query("What are conversations?")
    assert "offline echo" in str(answer) and "What are conversations?" in str(answer)
    streaming = index.as_query_engine(llm=llm, similarity_top_k=1, streaming=True).query("Stream?")
    text = "".join(streaming.response_gen)
    assert "Stream?" in text


async def test_query_engine_async(index: VectorStoreIndex, llm: ChatRoutes) -> None:
    answer = await index.as_query_engine(llm=llm, similarity_top_k=1).aquery("Async?")
    assert "Async?" in str(answer)


class Person(BaseModel):
    name: str
    age: int


class ToolCallingResponder:
    """A fake model that follows the tool protocol: it calls the declared ``Person`` tool (not an LLM)."""

    name = "tool-calling"

    async def stream(self, request: ResponderRequest):  # type: ignore[no-untyped-def]
        prompt = request.messages[-1].content
        assert "<tools>" in prompt and '"name": "Person"' in prompt
        yield 'Here you go.\n<tool_call>\n{"name": "Person", '
        yield '"arguments": {"name": "Ann", "age": 3}}\n</tool_call>'


@pytest.mark.integration
def test_structured_predict_parses_and_stays_out_of_the_branch() -> None:
    from llama_index.core.prompts import PromptTemplate

    with LocalServer(responder=ToolCallingResponder()) as srv:
        base = ChatRoutes(api_key=srv.api_key, base_url=srv.base_url)
        conversation = base.client.conversations.create(title="user branch")
        llm = base.bind(conversation.id)
        person = llm.structured_predict(
            Person, PromptTemplate("Extract a person from: {text}"), text="Ann, 3"
        )
        assert person == Person(name="Ann", age=3)
        assert srv.count_messages(conversation.id) == 0


def test_settings_llm_answers_a_query_engine_built_without_llm(
    index: VectorStoreIndex, llm: ChatRoutes
) -> None:
    previous = Settings._llm
    try:
        Settings.llm = llm
        assert "offline echo" in str(index.as_query_engine(similarity_top_k=1).query("Who answers?"))
    finally:
        Settings._llm = previous


def test_prompt_templates_are_side_calls_even_when_bound(local_server: LocalServer) -> None:
    from llama_index.core.prompts import PromptTemplate

    base = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url, delete_side_calls=True)
    conversation = base.client.conversations.create(title="user branch")
    llm = base.bind(conversation.id)
    prompt = PromptTemplate("Helper prompt about {topic}")
    assert "Helper prompt about cats" in llm.predict(prompt, topic="cats")
    assert "Helper prompt about dogs" in "".join(llm.stream(prompt, topic="dogs"))
    assert local_server.count_messages(conversation.id) == 0


async def test_async_prompt_templates_are_side_calls_even_when_bound(local_server: LocalServer) -> None:
    from llama_index.core.prompts import PromptTemplate

    base = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    conversation = await base.async_client.conversations.create(title="user branch")
    llm = base.bind(conversation.id)
    prompt = PromptTemplate("Async helper about {topic}")
    assert "Async helper about owls" in await llm.apredict(prompt, topic="owls")
    tokens = [t async for t in await llm.astream(prompt, topic="bats")]
    assert "Async helper about bats" in "".join(tokens)
    assert local_server.count_messages(conversation.id) == 0


def test_llm_selector_stays_out_of_the_bound_branch(local_server: LocalServer) -> None:
    from llama_index.core.selectors import LLMSingleSelector
    from llama_index.core.tools import ToolMetadata

    base = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    conversation = base.client.conversations.create(title="user branch")
    llm = base.bind(conversation.id)
    choices = [ToolMetadata(name="a", description="about apples"), ToolMetadata(name="b", description="bees")]
    local_server.reset_requests()
    try:
        LLMSingleSelector.from_defaults(llm=llm).select(choices, "apples?")
    except Exception as exc:  # the offline echo is not JSON; only where the prompt went matters here
        assert "parse" in type(exc).__name__.lower() or "output" in type(exc).__name__.lower()
    assert any(path.endswith("/messages") for _, path in local_server.requests)  # it did call the LLM
    assert local_server.count_messages(conversation.id) == 0


def test_bound_query_engine_prompts_are_side_calls(
    index: VectorStoreIndex, local_server: LocalServer
) -> None:
    base = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    conversation = base.client.conversations.create(title="user branch")
    engine = index.as_query_engine(llm=base.bind(conversation.id), similarity_top_k=1)
    assert "Side?" in str(engine.query("Side?"))
    assert local_server.count_messages(conversation.id) == 0


def test_request_counts_per_kind_of_list(llm: ChatRoutes, local_server: LocalServer) -> None:
    """What each kind of list costs (the table in docs/llama_index.md)."""

    def cost(messages: list[ChatMessage], model: ChatRoutes = llm) -> tuple[list[str], ChatMessage]:
        local_server.reset_requests()
        reply = model.chat(messages).message
        return [f"{method} {path.rsplit('/', 1)[-1]}" for method, path in local_server.requests], reply

    def user(text: str) -> ChatMessage:
        return ChatMessage(role="user", content=text)

    def system(text: str) -> ChatMessage:
        return ChatMessage(role="system", content=text)

    requests, a1 = cost([system("Context: DOC-A"), user("one")])
    assert requests == ["POST conversations", "POST messages"]  # nothing to continue: a new conversation
    requests, a2 = cost([system("Context: DOC-A"), user("one"), a1, user("two")])
    assert requests == ["POST messages"]  # continue, system unchanged
    requests, a3 = cost([system("Context: DOC-B"), user("one"), a1, user("two"), a2, user("three")])
    assert requests == ["POST messages"]  # continue, the changed system text travels with the turn
    requests, _ = cost([system("Context: DOC-B"), user("ONE"), a1, user("two"), a2, user("three?")])
    assert requests == ["POST conversations", "POST messages"]  # the first message edited: nothing shared
    requests, _ = cost([system("Context: DOC-B"), user("one"), a1, user("TWO"), a2, user("three?")])
    assert requests == ["POST fork", "POST messages"]  # an edit before the anchor: fork at a1
    requests, a4 = cost([system("Context: DOC-B"), a2, user("three"), a3, user("four")])
    assert requests == ["POST messages"]  # a trimmed list continues
    foreign = ChatMessage(role="assistant", content="another model's reply")
    requests, a5 = cost([system("Context: DOC-B"), user("one"), a1, user("two"), a2, user("three"), a3,
                         user("four"), a4, foreign, user("five")])  # fmt: skip
    assert requests == ["POST messages"]  # a foreign reply after the anchor: sent, labelled, with the turn
    requests, _ = cost([user("hi"), foreign, user("and?")])
    assert requests == ["POST conversations", "POST messages"]  # foreign replies only: a new transcript
    fresh = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    requests, _ = cost([system("Context: DOC-B"), a4, foreign, user("five"), a5, user("six")], fresh)
    assert requests == ["POST messages"]  # another object: sent at the unproven tip, the server checks it
    requests, _ = cost([system("Context: DOC-B"), a3, user("four"), a4, user("seven")], fresh)
    assert requests == ["POST fork", "POST messages"]  # a4 is before the tip it knows now: fork at a4
    stale = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    requests, _ = cost([system("Context: DOC-B"), a3, user("four"), a4, user("eight")], stale)
    assert requests == ["POST messages", "POST fork", "POST messages"]  # tip unknown: a 409 says it moved


async def test_a_branch_without_its_conversation_is_the_cores_error_before_any_request(
    llm: ChatRoutes, local_server: LocalServer
) -> None:
    from chatroutes_core import MappingError
    from chatroutes_core.mapper import Binding

    with pytest.raises(MappingError) as expected:
        Binding(None, "br_1")  # the core's rule and message, as the LangChain adapter raises it
    before = len(local_server.requests)
    hi = [ChatMessage(role="user", content="hi")]
    for attempt in (
        lambda: ChatRoutes(branch_id="br_1"),
        lambda: llm.bind("", "br_1"),
        lambda: llm.chat(hi, branch_id="br_1"),
        lambda: llm.model_copy(update={"branch_id": "br_1"}).chat(hi),
        lambda: llm.stream_chat(hi, branch_id="br_1"),
    ):
        with pytest.raises(MappingError) as raised:
            attempt()
        assert str(raised.value) == str(expected.value)
    with pytest.raises(MappingError):
        await llm.achat(hi, branch_id="br_1")
    assert len(local_server.requests) == before


def test_a_deep_copy_works_and_shares_tips_and_replies(llm: ChatRoutes, local_server: LocalServer) -> None:
    import copy

    first = llm.chat([ChatMessage(role="user", content="Start")])
    twin = copy.deepcopy(llm)
    deep = llm.model_copy(deep=True)
    before = len(local_server.requests)
    # a text copy of the reply (no ref) is re-anchored from the memory the copies share
    history = [
        ChatMessage(role="user", content="Start"),
        ChatMessage(role="assistant", content=first.message.content),
    ]
    for copied in (twin, deep):
        reply = copied.chat([*history, ChatMessage(role="user", content="Next")])
        assert reply.raw["chatroutes"]["conversation_id"] == first.raw["chatroutes"]["conversation_id"]
        history = [*history, ChatMessage(role="user", content="Next"), reply.message]
    assert len(local_server.requests) - before == 2  # one send each


_PERSON_CALL = '<tool_call>\n{"name": "Person", "arguments": {"name": "Ann", "age": 3}}\n</tool_call>'


def test_stream_structured_predict_fills_the_streamed_objects(
    local_server: LocalServer, llm: ChatRoutes
) -> None:
    # llama-index's streaming object parser reads message.additional_kwargs["tool_calls"] (as the OpenAI
    # LLM sets it); without it every streamed object came out empty (issue 23)
    from llama_index.core.prompts import PromptTemplate

    local_server.script(None, "Here you go.\n" + _PERSON_CALL)
    try:
        objects = list(
            llm.stream_structured_predict(
                Person, PromptTemplate("Extract a person from: {text}"), text="Ann, 3"
            )
        )
    finally:
        local_server.clear_scripts()
    assert objects and objects[-1].model_dump() == {"name": "Ann", "age": 3}


async def test_astream_structured_predict_fills_the_streamed_objects(
    local_server: LocalServer, llm: ChatRoutes
) -> None:
    from llama_index.core.prompts import PromptTemplate

    local_server.script(None, _PERSON_CALL)
    try:
        stream = await llm.astream_structured_predict(
            Person, PromptTemplate("Extract a person from: {text}"), text="Ann, 3"
        )
        objects = [o async for o in stream]
    finally:
        local_server.clear_scripts()
    assert objects and objects[-1].model_dump() == {"name": "Ann", "age": 3}


def test_a_tool_call_reply_carries_openai_shaped_tool_calls(
    local_server: LocalServer, llm: ChatRoutes
) -> None:
    from llama_index.core.tools import FunctionTool

    def person(name: str, age: int) -> str:
        """Record a person."""
        return name

    local_server.script(None, _PERSON_CALL.replace('"Person"', '"person"'))
    try:
        response = llm.chat_with_tools([FunctionTool.from_defaults(person)], user_msg="Ann, 3")
    finally:
        local_server.clear_scripts()
    (block,) = [b for b in response.message.blocks if type(b).__name__ == "ToolCallBlock"]
    assert response.message.additional_kwargs["tool_calls"] == [
        {
            "id": block.tool_call_id,
            "type": "function",
            "function": {"name": "person", "arguments": '{"name": "Ann", "age": 3}'},
        }
    ]


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ([{"role": "user", "content": "hi"}], r"message 0 is a dict.*ChatMessage\.model_validate\(d\)"),
        (
            [ChatMessage(role="user", content="a"), {"role": "user", "content": "b"}],
            r"message 1 is a dict, not a ChatMessage",
        ),
    ],
)
def test_chat_refuses_what_is_not_a_chat_message_before_any_request(
    given: Any, says: str, llm: ChatRoutes, local_server: LocalServer
) -> None:
    # LlamaIndex's own LLMs (MockLLM included) take only ChatMessage objects; a dict was a bare AttributeError
    # (anything else, such as a str, is refused by LlamaIndex's callback decorator before our code runs)
    from chatroutes_core import UsageError

    local_server.reset_requests()
    for method in (llm.chat, llm.stream_chat):
        with pytest.raises(UsageError, match=says):
            method(given)
    assert local_server.requests == []
    if isinstance(given, list) and isinstance(given[0], dict):  # the advice works
        reply = llm.chat([ChatMessage.model_validate(d) for d in given])
        assert "You said: hi" in str(reply.message.content)


async def test_achat_refuses_a_dict_before_any_request(llm: ChatRoutes, local_server: LocalServer) -> None:
    from chatroutes_core import UsageError

    local_server.reset_requests()
    with pytest.raises(UsageError, match="message 0 is a dict"):
        await llm.achat([{"role": "user", "content": "hi"}])  # type: ignore[list-item]
    with pytest.raises(UsageError, match="message 0 is a dict"):
        await llm.astream_chat([{"role": "user", "content": "hi"}])  # type: ignore[list-item]
    assert local_server.requests == []


def test_an_unknown_model_is_refused_before_any_request(
    local_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chatroutes_core import UnsupportedModelError
    from llama_index_chatroutes.chat_store import ChatRoutesChatStore, ChatRoutesMemoryStore

    where = {"api_key": local_server.api_key, "base_url": local_server.base_url}
    local_server.reset_requests()
    for make in (
        lambda: ChatRoutes(model="gpt-4o", **where),
        lambda: ChatRoutes(model_name="gpt-4o", **where),
        lambda: ChatRoutesChatStore(model="gpt-4o", **where),
        lambda: ChatRoutesMemoryStore(model_name="gpt-4o", **where),
    ):
        with pytest.raises(UnsupportedModelError, match=r"'gpt-4o'.*supported: gpt-5"):
            make()
    llm = ChatRoutes(**where)
    with pytest.raises(UnsupportedModelError):
        llm.model = "gpt-4o"
    copy = llm.model_copy(update={"model": "gpt-4o"})  # skips validation: refused at the call
    hi = [ChatMessage(role="user", content="hi")]
    for call in (lambda: copy.chat(hi), lambda: copy.stream_chat(hi), lambda: llm.chat(hi, model="gpt-4o")):
        with pytest.raises(UnsupportedModelError):
            call()
    assert local_server.requests == []
    # a name the catalog does not list yet passes when listed in CHATROUTES_EXTRA_MODELS
    monkeypatch.setenv("CHATROUTES_EXTRA_MODELS", "gpt-4o")
    assert ChatRoutes(model="gpt-4o", **where).model == "gpt-4o"
    assert ChatRoutesChatStore(model="gpt-4o", **where).model == "gpt-4o"


@pytest.mark.integration
def test_the_llm_follows_its_fields_after_a_change_or_a_copy(local_server: LocalServer) -> None:
    # issue 23 found LangChain's sync path stale after m.base_url = ... / m.model = ... / model_copy; the
    # LlamaIndex LLM resolves its client and model per call: pinned here, both paths
    hi = [ChatMessage(role="user", content="hi")]
    with LocalServer() as other:
        llm = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
        llm.chat(hi)
        llm.base_url, llm.api_key = other.base_url, other.api_key
        llm.model = "claude-sonnet-4-5"
        reply = llm.chat(hi)
        assert len(other.requests) == 2 and reply.raw["model"].startswith("claude-sonnet-4-5")
        assert isinstance(llm.api_key, SecretStr) and other.api_key not in repr(llm)
        copy = llm.model_copy(
            update={"base_url": local_server.base_url, "api_key": local_server.api_key, "model": "gpt-5"}
        )
        local_server.reset_requests()
        streamed = list(copy.stream_chat(hi))
        assert len(local_server.requests) == 2 and streamed[-1].raw["model"].startswith("gpt-5")

        async def both() -> None:
            llm.base_url, llm.api_key = local_server.base_url, local_server.api_key
            local_server.reset_requests()
            await llm.achat(hi)
            assert len(local_server.requests) == 2 and len(other.requests) == 2

        import asyncio

        asyncio.run(both())

        from llama_index_chatroutes.chat_store import ChatRoutesChatStore

        store = ChatRoutesChatStore(api_key=local_server.api_key, base_url=local_server.base_url)
        store.base_url, store.api_key = other.base_url, other.api_key  # type: ignore[assignment]
        key = store.new_key()
        assert other.count_messages(key) == 0 and ("POST", "/api/v1/conversations") in other.requests
