"""LangGraph on ChatRoutes: a MessagesState graph with InMemorySaver and ChatChatRoutes needs no extra code.

Ordinary turns continue one branch (one request per model call); time travel (``update_state`` on an earlier
checkpoint, or re-running from one) becomes a ChatRoutes fork; each branch's server-side history equals the
matching graph state; ``load_branch_state`` resumes any branch in a new thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import BaseMessage, HumanMessage
from langchain_core.runnables import RunnableLambda
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, MessagesState, StateGraph

from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient
from chatroutes_core.testing import LocalServer
from langchain_chatroutes import ChatChatRoutes, ChatRoutesChatMessageHistory
from langchain_chatroutes.langgraph import aload_branch_state, load_branch_state, thread_config


def same_history(server: list[BaseMessage], state: list[BaseMessage]) -> bool:
    """Same roles and texts in the same order, and the replies are the same ChatRoutes messages."""
    texts = [(m.type, m.content) for m in server] == [(m.type, m.content) for m in state]
    replies = [m.id for m in server if m.type == "ai"] == [m.id for m in state if m.type == "ai"]
    return texts and replies


def build_graph(model: ChatChatRoutes) -> Any:
    def chat(state: MessagesState) -> dict[str, list[BaseMessage]]:
        return {"messages": [model.invoke(state["messages"])]}

    async def achat(state: MessagesState) -> dict[str, list[BaseMessage]]:
        return {"messages": [await model.ainvoke(state["messages"])]}

    graph = StateGraph(MessagesState)
    graph.add_node("chat", RunnableLambda(chat, afunc=achat))
    graph.add_edge(START, "chat")
    graph.add_edge("chat", END)
    return graph.compile(checkpointer=InMemorySaver())


@pytest.fixture
def client(local_server: LocalServer) -> Iterator[ChatRoutesClient]:
    with ChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as c:
        yield c


@pytest.fixture
def model(local_server: LocalServer) -> ChatChatRoutes:
    return ChatChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)


def requests_during(srv: LocalServer, call: Any) -> tuple[Any, list[tuple[str, str]]]:
    mark = len(srv.requests)
    result = call()
    return result, srv.requests[mark:]


def branch_ids(client: ChatRoutesClient, conversation_id: str) -> list[str]:
    return [b.id for b in client.conversations.get_tree(conversation_id).iter_branches()]


def three_turns(graph: Any, srv: LocalServer, thread: str) -> tuple[dict[str, Any], list[int]]:
    config = {"configurable": {"thread_id": thread}}
    counts = []
    for text in ["one", "two", "three"]:
        state, seen = requests_during(
            srv, lambda t=text: graph.invoke({"messages": [HumanMessage(t)]}, config)
        )
        counts.append(len(seen))
    return state, counts


def test_ordinary_turns_continue_one_branch(
    client: ChatRoutesClient, local_server: LocalServer, model: ChatChatRoutes
) -> None:
    graph = build_graph(model)
    state, counts = three_turns(graph, local_server, "plain")
    assert counts == [2, 1, 1]  # create the conversation + send, then one send per model call
    ref = state["messages"][-1].response_metadata["chatroutes"]
    assert branch_ids(client, ref["conversation_id"]) == [ref["branch_id"]]
    server = load_branch_state(client, ref["conversation_id"], ref["branch_id"])["messages"]
    assert same_history(server, state["messages"]) and len(server) == 6
    assert local_server.count_messages(ref["conversation_id"]) == 6


def test_update_state_on_an_earlier_checkpoint_forks(
    client: ChatRoutesClient, local_server: LocalServer, model: ChatChatRoutes
) -> None:
    graph = build_graph(model)
    original, _ = three_turns(graph, local_server, "edit")
    config = {"configurable": {"thread_id": "edit"}}
    before_reply = next(
        s for s in graph.get_state_history(config) if s.next == ("chat",) and len(s.values["messages"]) == 5
    )
    edited = HumanMessage("three, edited", id=before_reply.values["messages"][-1].id)
    fork_config = graph.update_state(before_reply.config, {"messages": [edited]})
    forked, seen = requests_during(local_server, lambda: graph.invoke(None, fork_config))
    assert [method for method, _ in seen] == ["POST", "POST"]  # fork at reply two, then send

    conv = original["messages"][-1].response_metadata["chatroutes"]["conversation_id"]
    main_id = original["messages"][-1].response_metadata["chatroutes"]["branch_id"]
    fork_id = forked["messages"][-1].response_metadata["chatroutes"]["branch_id"]
    assert sorted(branch_ids(client, conv)) == sorted([main_id, fork_id]) and main_id != fork_id
    assert same_history(load_branch_state(client, conv, main_id)["messages"], original["messages"])
    assert same_history(load_branch_state(client, conv, fork_id)["messages"], forked["messages"])
    assert [m.content for m in forked["messages"]][4] == "three, edited"
    assert local_server.count_messages(conv) == 8  # nothing rewritten: 6 on main, 2 on the fork


def test_rerunning_from_a_checkpoint_forks(
    client: ChatRoutesClient, local_server: LocalServer, model: ChatChatRoutes
) -> None:
    graph = build_graph(model)
    original, _ = three_turns(graph, local_server, "replay")
    config = {"configurable": {"thread_id": "replay"}}
    before_reply = next(
        s for s in graph.get_state_history(config) if s.next == ("chat",) and len(s.values["messages"]) == 3
    )
    replayed = graph.invoke(None, before_reply.config)
    conv = original["messages"][-1].response_metadata["chatroutes"]["conversation_id"]
    fork_id = replayed["messages"][-1].response_metadata["chatroutes"]["branch_id"]
    assert len(branch_ids(client, conv)) == 2
    assert [m.content for m in replayed["messages"]][0::2] == ["one", "two"]
    assert same_history(load_branch_state(client, conv, fork_id)["messages"], replayed["messages"])


def test_load_branch_state_resumes_any_branch(
    client: ChatRoutesClient, local_server: LocalServer, model: ChatChatRoutes
) -> None:
    history = ChatRoutesChatMessageHistory(client=client)
    history.add_user_message("Plan a trip")
    history.add_user_message("Two days")
    fork = history.fork(history.messages[1].id, title="three days")
    fork.add_user_message("Three days")
    conv, fork_id = fork.conversation_id, fork.branch_id
    assert conv is not None and fork_id is not None

    state = load_branch_state(client, conv, fork_id)
    assert [m.content for m in state["messages"]][0::2] == ["Plan a trip", "Three days"]
    assert load_branch_state(fork)["messages"] == state["messages"]
    assert load_branch_state(history, branch_id=fork_id)["messages"] == state["messages"]

    graph = build_graph(model)
    resumed, seen = requests_during(
        local_server,
        lambda: graph.invoke(
            {"messages": [*state["messages"], HumanMessage("Add a museum")]}, thread_config(conv, fork_id)
        ),
    )
    assert len(seen) <= 2 and seen[-1][0] == "POST"  # at most one tip check, then one send
    assert resumed["messages"][-1].response_metadata["chatroutes"]["branch_id"] == fork_id
    assert len(branch_ids(client, conv)) == 2  # continued the branch, no new fork
    assert same_history(load_branch_state(client, conv, fork_id)["messages"], resumed["messages"])


def test_load_branch_state_needs_a_conversation_with_a_client(client: ChatRoutesClient) -> None:
    with pytest.raises(ValueError, match="conversation_id"):
        load_branch_state(client)
    with pytest.raises(ValueError, match="differs"):
        load_branch_state(ChatRoutesChatMessageHistory("conv_a", client=client), "conv_b")
    with pytest.raises(TypeError, match="aload_branch_state"):
        load_branch_state(AsyncChatRoutesClient(api_key="k"), "conv_a")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ChatRoutesClient"):
        load_branch_state("not a client", "conv_a")  # type: ignore[arg-type]
    expected = {
        "configurable": {"thread_id": "b", "chatroutes_conversation_id": "c", "chatroutes_branch_id": "b"}
    }
    assert thread_config("c", "b") == expected


async def test_aload_branch_state_from_a_sync_client_or_history(client: ChatRoutesClient) -> None:
    history = ChatRoutesChatMessageHistory(client=client)
    history.add_user_message("hello")
    expected = history.messages
    loaded = await aload_branch_state(client, history.conversation_id, history.branch_id)
    assert loaded["messages"] == expected
    assert (await aload_branch_state(history))["messages"] == expected


async def test_async_graph_turns_and_time_travel(local_server: LocalServer, model: ChatChatRoutes) -> None:
    graph = build_graph(model)
    config = {"configurable": {"thread_id": "async"}}
    counts = []
    for text in ["one", "two"]:
        mark = len(local_server.requests)
        state = await graph.ainvoke({"messages": [HumanMessage(text)]}, config)
        counts.append(len(local_server.requests) - mark)
    assert counts == [2, 1]
    snapshots = [s async for s in graph.aget_state_history(config)]
    before = next(s for s in snapshots if s.next == ("chat",) and len(s.values["messages"]) == 3)
    edited = HumanMessage("two, edited", id=before.values["messages"][-1].id)
    forked = await graph.ainvoke(None, await graph.aupdate_state(before.config, {"messages": [edited]}))
    ref = forked["messages"][-1].response_metadata["chatroutes"]
    async with AsyncChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as aclient:
        tree = await aclient.conversations.get_tree(ref["conversation_id"])
        assert len(list(tree.iter_branches())) == 2
        main_id = state["messages"][-1].response_metadata["chatroutes"]["branch_id"]
        main = await aload_branch_state(aclient, ref["conversation_id"], main_id)
        fork = await aload_branch_state(aclient, ref["conversation_id"], ref["branch_id"])
    assert same_history(main["messages"], state["messages"])
    assert same_history(fork["messages"], forked["messages"])
