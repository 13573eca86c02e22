"""The chat stores' own state under concurrency: one name is one conversation, one lock guards the state."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time

import pytest
from llama_index.core.llms import ChatMessage

from chatroutes_core.mapper import TreeRef
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


def _race_adds(store: ChatRoutesChatStore, key: str, writers: int) -> None:
    """``writers`` threads, let go at once, each adding user message ``m<i>`` to ``key``."""
    start = threading.Barrier(writers)

    def write(i: int) -> None:
        start.wait()
        store.add_message(key, ChatMessage(role="user", content=f"m{i}"))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_threads_making_a_names_first_write_share_one_conversation(fresh_server: LocalServer) -> None:
    options = {"api_key": fresh_server.api_key, "base_url": fresh_server.base_url}
    store = ChatRoutesChatStore(**options)
    fresh_server.set_latency(0.05)  # every writer checks the name before the first create is answered
    _race_adds(store, NAME, WRITERS)
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


class SlowPending(dict[str, list[ChatMessage]]):
    """A pending table whose ``setdefault`` is a slow check-then-insert: unguarded writers lose messages."""

    def setdefault(self, key: str, default: list[ChatMessage] | None = None) -> list[ChatMessage]:
        if key not in self:
            time.sleep(0.01)
            self[key] = [] if default is None else default
        return self[key]


class SlowKeys(list[str]):
    """A key list whose ``append`` waits a moment: unguarded writers list a key twice."""

    def append(self, key: str) -> None:
        time.sleep(0.01)
        super().append(key)


@pytest.mark.parametrize("guarded", [True, False], ids=["with-the-lock", "control-without-it"])
def test_threads_adding_to_one_shared_store_lose_nothing(local_server: LocalServer, guarded: bool) -> None:
    store = ChatRoutesChatStore(api_key=local_server.api_key, base_url=local_server.base_url)
    key = store.new_key()  # a known conversation: adding user messages makes no request
    state = store._state
    state.pending, state.keys = SlowPending(), SlowKeys()
    if not guarded:
        state._lock = contextlib.nullcontext()  # type: ignore[assignment]
    _race_adds(store, key, writers=8)
    pending = [m.content for m in state.pending.get(key, [])]
    whole = sorted(pending) == sorted(f"m{i}" for i in range(8)) and state.keys == [key]
    # the control shows the race is real: the same writers without the state's lock lose messages
    assert whole is guarded


def test_threads_archiving_at_once_never_archive_more_than_is_stored(
    memory_store: ChatRoutesMemoryStore, llm: ChatRoutes, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def setup() -> str:
        key = await memory_store.anew_key()
        await memory_store.add_message(key, ChatMessage(role="user", content="one"))
        await memory_store.add_message(key, (await llm.achat(await memory_store.get_messages(key))).message)
        await memory_store.add_message(key, ChatMessage(role="user", content="pending"))
        return key

    key = asyncio.run(setup())
    ref_of = _convert.ref_of

    def slow_ref_of(message: ChatMessage) -> TreeRef | None:
        time.sleep(0.005)  # widens the gap between reading the archive mark and moving it
        return ref_of(message)

    monkeypatch.setattr(_convert, "ref_of", slow_ref_of)
    start = threading.Barrier(2)
    archived: list[list[ChatMessage]] = []

    def archive() -> None:
        start.wait()
        archived.append(asyncio.run(memory_store.archive_oldest_messages(key, 2)))

    threads = [threading.Thread(target=archive) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    monkeypatch.undo()
    assert sorted(len(batch) for batch in archived) == [0, 2]  # each stored message archived once
    active = asyncio.run(memory_store.get_messages(key))
    assert [m.content for m in active] == ["pending"]  # the unsent message is still active
