"""The chat stores' own state under concurrency: one name is one conversation, one lock guards the state."""

from __future__ import annotations

import asyncio
import threading

from llama_index.core.llms import ChatMessage

from chatroutes_core.testing import LocalServer
from llama_index_chatroutes import _convert
from llama_index_chatroutes.chat_store import ChatRoutesChatStore, ChatRoutesMemoryStore
from llama_index_chatroutes.llm import ChatRoutes

NAME = "chat_history"  # a store key that is not a conversation id
WRITERS = 4


def _named(srv: LocalServer, store: ChatRoutesChatStore | ChatRoutesMemoryStore) -> list[str]:
    return [c.id for c in store.client.conversations.iter_all() if c.title == NAME]


def _check_one_conversation_holds_everything(
    srv: LocalServer, held: list[ChatMessage], stored: list[ChatMessage]
) -> None:
    # every pending message went to the one conversation, and after the LLM's turn that conversation holds
    # every message the server has (nothing on a loser's conversation, nothing written twice)
    [conversation_id] = {target[0] for target in map(_convert.target_of, held) if target}
    assert sorted(m.content for m in held) == [f"m{i}" for i in range(WRITERS)]
    refs = {_convert.ref_of(m) for m in stored}
    assert {ref.conversation_id for ref in refs if ref is not None} == {conversation_id}
    assert srv.count_messages(conversation_id) == srv.count_messages() == len(stored) == 2
    assert all(f"m{i}" in stored[0].content for i in range(WRITERS))


def test_threads_making_a_names_first_write_share_one_conversation(fresh_server: LocalServer) -> None:
    options = {"api_key": fresh_server.api_key, "base_url": fresh_server.base_url}
    store = ChatRoutesChatStore(**options)
    fresh_server.set_latency(0.05)  # every writer checks the name before the first create is answered
    start = threading.Barrier(WRITERS)

    def write(i: int) -> None:
        start.wait()
        store.add_message(NAME, ChatMessage(role="user", content=f"m{i}"))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fresh_server.set_latency(0.0)
    assert len(_named(fresh_server, store)) == 1  # the losers deleted their own conversations
    held = store.get_messages(NAME)
    store.add_message(NAME, ChatRoutes(**options).chat(held).message)
    _check_one_conversation_holds_everything(fresh_server, held, store.get_messages(NAME))
    assert store.get_keys().count(NAME) == 1


async def test_tasks_making_a_names_first_write_share_one_conversation(fresh_server: LocalServer) -> None:
    options = {"api_key": fresh_server.api_key, "base_url": fresh_server.base_url}
    store = ChatRoutesMemoryStore(**options)
    messages = [ChatMessage(role="user", content=f"m{i}") for i in range(WRITERS)]
    await asyncio.gather(*(store.add_message(NAME, message) for message in messages))
    assert len(_named(fresh_server, store)) == 1
    held = await store.get_messages(NAME)
    await store.add_message(NAME, (await ChatRoutes(**options).achat(held)).message)
    _check_one_conversation_holds_everything(fresh_server, held, await store.get_messages(NAME))
