"""Turn cost stays flat: the model converts only the tail after its anchor, and histories sharing a
BranchCache extend it from replies the server proved follow the cached tip (no re-read per turn)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_core.runnables import ConfigurableFieldSpec, Runnable
from langchain_core.runnables.history import RunnableWithMessageHistory

from chatroutes_core import ChatRoutesClient
from chatroutes_core.mapper import TreeRef, UnsupportedMessageError, plan_turn
from chatroutes_core.testing import LocalServer
from langchain_chatroutes import BranchCache, ChatChatRoutes, ChatRoutesChatMessageHistory
from langchain_chatroutes._convert import TURN_KEY, messages_to_turns, turns_from_anchor

REF = TreeRef("conv_1", "br_1", "msg_2")


def test_tail_conversion_plans_like_the_whole_list_and_still_checks_the_prefix() -> None:
    reply = AIMessage("earlier", id="msg_2", response_metadata={"chatroutes": REF.as_dict()})
    messages = [HumanMessage("a"), AIMessage("unanchored"), reply, HumanMessage("next")]
    assert plan_turn(turns_from_anchor(messages)) == plan_turn(messages_to_turns(messages))
    assert len(turns_from_anchor(messages)) == 2
    no_anchor = [HumanMessage("a"), HumanMessage("b")]
    assert turns_from_anchor(no_anchor) == messages_to_turns(no_anchor)
    with pytest.raises(UnsupportedMessageError):
        turns_from_anchor([ToolMessage("42", tool_call_id="t"), reply, HumanMessage("x")])
    with pytest.raises(UnsupportedMessageError):
        turns_from_anchor([HumanMessage([{"type": "image_url", "image_url": "x"}]), reply, HumanMessage("x")])


def test_branch_cache_is_bounded_and_copies() -> None:
    cache = BranchCache(maxsize=2)
    stored = [HumanMessage("a")]
    cache.put("c", "b1", stored)
    stored.append(HumanMessage("b"))
    assert cache.get("c", "b1") == [HumanMessage("a")]
    cache.put("c", "b2", [])
    cache.put("c", "b3", [])
    assert cache.get("c", "b1") is None and len(cache) == 2
    cache.put("c", "b3", None)
    assert cache.get("c", "b3") is None
    with pytest.raises(ValueError):
        BranchCache(maxsize=0)


@pytest.fixture
def client(local_server: LocalServer) -> Iterator[ChatRoutesClient]:
    with ChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as c:
        yield c


def _chain(runnable: Runnable, client: ChatRoutesClient, cache: BranchCache | None, **keys: str) -> Runnable:  # type: ignore[type-arg]
    specs = [
        ConfigurableFieldSpec(id="conversation_id", annotation=str, default="", is_shared=True),
        ConfigurableFieldSpec(id="branch_id", annotation=str, default="", is_shared=True),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return RunnableWithMessageHistory(
            runnable,  # type: ignore[arg-type]
            lambda conversation_id, branch_id: ChatRoutesChatMessageHistory(
                conversation_id, branch_id or None, client=client, branch_cache=cache
            ),
            history_factory_config=specs,
            **keys,
        )


def test_rwmh_with_a_branch_cache_sends_one_request_per_turn_and_matches_the_server(
    client: ChatRoutesClient, local_server: LocalServer
) -> None:
    model = ChatChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    cache = BranchCache()
    chain = _chain(model, client, cache)
    conv = client.conversations.create(title="cached").id
    config = {"configurable": {"conversation_id": conv, "branch_id": ""}}
    seen = []
    for i in range(4):
        before = len(local_server.requests)
        reply = chain.invoke([HumanMessage(f"turn {i}")], config=config)  # type: ignore[arg-type]
        seen.append([m for m, _ in local_server.requests[before:]])
        assert TURN_KEY in reply.response_metadata or i == 0  # the first turn has no anchor yet
    assert seen[0] == ["GET", "GET", "POST"]  # structure, history (empty), send
    assert all(methods == ["POST"] for methods in seen[2:])  # later turns: only the send
    cached = ChatRoutesChatMessageHistory(conv, None, client=client, branch_cache=cache).messages
    fresh = ChatRoutesChatMessageHistory(conv, None, client=client).messages
    assert [(m.type, m.content, m.id) for m in cached] == [(m.type, m.content, m.id) for m in fresh]
    assert len(fresh) == 8 and local_server.count_messages(conv) == 8  # nothing written twice


def test_an_unproven_turn_drops_the_cached_branch(
    client: ChatRoutesClient, local_server: LocalServer
) -> None:
    model = ChatChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    prompt = ChatPromptTemplate.from_messages(
        [MessagesPlaceholder("history"), ("human", "{input}"), ("system", "Be brief.")]
    )
    cache = BranchCache()
    chain = _chain(prompt | model, client, cache, input_messages_key="input", history_messages_key="history")
    conv = client.conversations.create(title="templated").id
    config = {"configurable": {"conversation_id": conv, "branch_id": ""}}
    chain.invoke({"input": "one"}, config=config)  # type: ignore[arg-type]
    chain.invoke({"input": "two"}, config=config)  # type: ignore[arg-type]
    # The model sent "two" plus the system line, which the history's messages do not render to: no proof.
    before = len(local_server.requests)
    history = ChatRoutesChatMessageHistory(conv, None, client=client, branch_cache=cache)
    messages = history.messages
    assert [m for m, _ in local_server.requests[before:]] == ["GET"]
    fresh = ChatRoutesChatMessageHistory(conv, None, client=client).messages
    assert [m.id for m in messages] == [m.id for m in fresh] and len(fresh) == 4


def test_a_history_without_a_branch_cache_reads_afresh(
    client: ChatRoutesClient, local_server: LocalServer
) -> None:
    model = ChatChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    history = ChatRoutesChatMessageHistory(client=client, branch_cache=BranchCache())
    history.add_user_message("hello")
    assert history.conversation_id is not None
    reply = model.invoke([*history.messages, HumanMessage("written by the model alone")])
    fresh = ChatRoutesChatMessageHistory(history.conversation_id, history.branch_id, client=client).messages
    assert fresh[-1].id == reply.id  # a history made without the cache always sees the server's branch
