"""ChatRoutesChatStore / ChatRoutesMemoryStore semantics on an append-only tree."""

from __future__ import annotations

import pytest
from llama_index.core.llms import ChatMessage

from chatroutes_core.testing import LocalServer
from llama_index_chatroutes.chat_store import (
    AppendOnlyError,
    ChatRoutesChatStore,
    ChatRoutesMemoryStore,
    ForeignMessageError,
)
from llama_index_chatroutes.llm import ChatRoutes


def test_foreign_reply_is_a_clear_error_and_nothing_changes(
    store: ChatRoutesChatStore, local_server: LocalServer
) -> None:
    key = store.new_key()
    store.add_message(key, ChatMessage(role="user", content="hi"))
    with pytest.raises(ForeignMessageError, match="ChatRoutes LLM"):
        store.add_message(key, ChatMessage(role="assistant", content="a reply from elsewhere"))
    assert [m.content for m in store.get_messages(key)] == ["hi"]  # still pending, not sent
    assert local_server.count_messages(key) == 0


def test_pending_message_carries_its_target_and_the_llm_writes_there(
    store: ChatRoutesChatStore, llm: ChatRoutes, local_server: LocalServer
) -> None:
    key = store.new_key()
    store.add_message(key, ChatMessage(role="user", content="hi"))
    local_server.reset_requests()
    reply = llm.chat(store.get_messages(key))
    assert reply.message.additional_kwargs["chatroutes"]["conversation_id"] == key
    store.add_message(key, reply.message)
    assert local_server.count_messages(key) == 2
    assert [m.role.value for m in store.get_messages(key)] == ["user", "assistant"]


def test_branch_keys_and_append_only_operations(
    store: ChatRoutesChatStore, llm: ChatRoutes, local_server: LocalServer
) -> None:
    key = store.new_key()
    store.add_message(key, ChatMessage(role="user", content="one"))
    store.add_message(key, llm.chat(store.get_messages(key)).message)
    stored = store.get_messages(key)
    with pytest.raises(AppendOnlyError):
        store.delete_message(key, 0)
    with pytest.raises(AppendOnlyError):
        store.set_messages(key, stored[1:])
    store.set_messages(key, [*stored, ChatMessage(role="user", content="two")])
    assert store.delete_last_message(key).content == "two"  # type: ignore[union-attr]
    anchor = stored[-1].additional_kwargs["chatroutes"]
    branch = llm.client.branches.fork(key, fork_point_message_id=anchor["message_id"], title="alt")
    branch_key = f"{key}:{branch.id}"
    assert [m.content for m in store.get_messages(branch_key)] == [m.content for m in stored]
    held = store.delete_messages(branch_key)
    assert held is not None and len(held) == 2
    assert local_server.count_messages(key) == 2  # the inherited prefix stays on the main branch


def test_reply_on_another_branch_is_refused(store: ChatRoutesChatStore, llm: ChatRoutes) -> None:
    key = store.new_key()
    other = llm.chat([ChatMessage(role="user", content="elsewhere")])
    with pytest.raises(ForeignMessageError, match="belongs to ChatRoutes conversation"):
        store.add_message(key, other.message)


async def test_async_store_methods(store: ChatRoutesChatStore, llm: ChatRoutes) -> None:
    key = await store.anew_key()
    await store.async_add_message(key, ChatMessage(role="user", content="one"))
    reply = await llm.achat(await store.aget_messages(key))
    await store.async_add_message(key, reply.message)
    assert [m.role.value for m in await store.aget_messages(key)] == ["user", "assistant"]
    assert key in await store.aget_keys()


async def test_memory_store_archive_is_local(memory_store: ChatRoutesMemoryStore, llm: ChatRoutes) -> None:
    key = await memory_store.anew_key()
    await memory_store.add_message(key, ChatMessage(role="user", content="one"))
    await memory_store.add_message(key, (await llm.achat(await memory_store.get_messages(key))).message)
    archived = await memory_store.archive_oldest_messages(key, 1)
    assert [m.content for m in archived] == ["one"]
    assert await memory_store.count_messages(key) == 1
    with pytest.raises(AppendOnlyError):
        await memory_store.delete_oldest_messages(key, 1)


def test_store_key_never_leaks() -> None:
    store = ChatRoutesChatStore(api_key="cr_secret_abc")
    assert "cr_secret_abc" not in repr(store) + str(store.model_dump()) + store.to_json()


@pytest.mark.parametrize("cls", [ChatRoutesChatStore, ChatRoutesMemoryStore])
def test_model_keyword_is_model_and_old_dumps_still_load(
    cls: type[ChatRoutesChatStore], local_server: LocalServer
) -> None:
    store = cls(model="claude-sonnet-4-5", api_key=local_server.api_key, base_url=local_server.base_url)
    assert store.model == store.model_name == "claude-sonnet-4-5"
    key = store.new_key()
    assert store.client.conversations.get(key).model == "claude-sonnet-4-5"
    assert cls(model_name="claude-opus-4-1").model == "claude-opus-4-1"  # the keyword this field had before
    assert cls.model_validate(store.model_dump()).model == "claude-sonnet-4-5"


def test_default_chat_store_key_names_a_conversation_created_on_first_write(
    store: ChatRoutesChatStore, llm: ChatRoutes, local_server: LocalServer
) -> None:
    from llama_index.core.chat_engine import SimpleChatEngine
    from llama_index.core.memory import ChatMemoryBuffer

    before = len(list(llm.client.conversations.iter_all()))
    assert store.get_messages("chat_history") == []  # reading an unknown name creates nothing
    assert len(list(llm.client.conversations.iter_all())) == before
    memory = ChatMemoryBuffer.from_defaults(chat_store=store, llm=llm)  # chat_store_key="chat_history"
    engine = SimpleChatEngine.from_defaults(llm=llm, memory=memory)
    engine.chat("one")
    reply = engine.chat("two")
    assert "2 prior messages" in str(reply)
    stored = store.get_messages("chat_history")
    conversation_id = stored[0].additional_kwargs["chatroutes"]["conversation_id"]
    assert {m.additional_kwargs["chatroutes"]["conversation_id"] for m in stored} == {conversation_id}
    assert local_server.count_messages(conversation_id) == 4
    assert llm.client.conversations.get(conversation_id).title == "chat_history"
    keys = store.get_keys()
    assert "chat_history" in keys and conversation_id not in keys  # listed once, by its name
    held = store.delete_messages("chat_history")
    assert held is not None and len(held) == 4
    assert local_server.count_messages(conversation_id) == 0
    assert store.get_messages("chat_history") == []


async def test_memory_without_session_id(
    memory_store: ChatRoutesMemoryStore, llm: ChatRoutes, local_server: LocalServer
) -> None:
    from llama_index.core.chat_engine import SimpleChatEngine
    from llama_index.core.memory import Memory

    memory = Memory.from_defaults(chat_store=memory_store, token_limit=4000)  # a generated session id
    assert await memory_store.get_messages(memory.session_id) == []
    engine = SimpleChatEngine.from_defaults(llm=llm, memory=memory)
    await engine.achat("one")
    reply = await engine.achat("two")
    assert "2 prior messages" in str(reply)
    stored = await memory_store.get_messages(memory.session_id)
    assert [m.role.value for m in stored] == ["user", "assistant"] * 2
    assert local_server.count_messages(stored[0].additional_kwargs["chatroutes"]["conversation_id"]) == 4
    assert memory.session_id in await memory_store.get_keys()


def test_foreign_reply_on_a_new_name_creates_nothing(store: ChatRoutesChatStore, llm: ChatRoutes) -> None:
    before = len(list(llm.client.conversations.iter_all()))
    with pytest.raises(ForeignMessageError):
        store.add_message("session-7", ChatMessage(role="assistant", content="from elsewhere"))
    assert len(list(llm.client.conversations.iter_all())) == before
    assert store.get_messages("session-7") == []


def test_reads_reflect_writes_by_other_objects_at_one_request_each(
    store: ChatRoutesChatStore, llm: ChatRoutes, local_server: LocalServer
) -> None:
    key = store.new_key()
    store.add_message(key, ChatMessage(role="user", content="one"))
    store.add_message(key, llm.chat(store.get_messages(key)).message)
    seen = store.get_messages(key)
    # another LLM object (as another process would) continues the branch from the store's messages
    other = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    other.chat([*seen, ChatMessage(role="user", content="two")])
    local_server.reset_requests()
    after = store.get_messages(key)
    assert local_server.requests == [("GET", f"/api/v1/conversations/{key}/messages")]
    assert [m.content for m in after if m.role.value == "user"] == ["one", "two"]
    assert len(after) == 4


async def test_async_reads_are_fresh_too(
    memory_store: ChatRoutesMemoryStore, llm: ChatRoutes, local_server: LocalServer
) -> None:
    key = await memory_store.anew_key()
    assert await memory_store.get_messages(key) == []
    await llm.achat([ChatMessage(role="user", content="written elsewhere")], conversation_id=key)
    local_server.reset_requests()
    stored = await memory_store.get_messages(key)
    assert len(local_server.requests) == 1
    assert stored[0].content == "written elsewhere"


def test_a_branch_key_reads_its_full_history_in_one_request(
    store: ChatRoutesChatStore, llm: ChatRoutes, local_server: LocalServer
) -> None:
    key = store.new_key()
    store.add_message(key, ChatMessage(role="user", content="root"))
    reply = llm.chat(store.get_messages(key)).message
    store.add_message(key, reply)
    branch = llm.client.branches.fork(key, fork_point_message_id=_ref(reply)["message_id"], title="alt")
    local_server.reset_requests()
    held = store.get_messages(f"{key}:{branch.id}")
    assert len(local_server.requests) == 1
    assert [m.content for m in held] == ["root", reply.content]
    assert {_ref(m)["branch_id"] for m in held} == {branch.id}  # seen through the branch


def _ref(message: ChatMessage) -> dict[str, str]:
    ref: dict[str, str] = message.additional_kwargs["chatroutes"]
    return ref


def test_a_deep_copy_of_a_store_is_the_same_view(store: ChatRoutesChatStore) -> None:
    import copy

    store.add_message("chat_history", ChatMessage(role="user", content="hello"))
    twin = copy.deepcopy(store)  # frameworks deep-copy components; the state is shared, not forked
    twin.add_message("chat_history", ChatMessage(role="user", content="and again"))
    assert [m.content for m in store.get_messages("chat_history")] == ["hello", "and again"]
    assert "chat_history" in store.get_keys() and store.get_keys() == twin.get_keys()


def test_the_append_only_errors_advice_works(local_server: LocalServer) -> None:
    # "fork the branch (client.branches.fork) and use its key instead": followed here, it keeps the wanted
    # prefix under the fork's key (issue 23: no error message may give advice that fails)
    from llama_index.core.chat_engine import SimpleChatEngine
    from llama_index.core.memory import ChatMemoryBuffer

    llm = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    store = ChatRoutesChatStore(api_key=local_server.api_key, base_url=local_server.base_url)
    key = store.new_key()
    memory = ChatMemoryBuffer.from_defaults(chat_store=store, chat_store_key=key)
    engine = SimpleChatEngine.from_defaults(llm=llm, memory=memory)
    engine.chat("one")
    engine.chat("two")
    history = store.get_messages(key)
    with pytest.raises(AppendOnlyError, match=r"fork the branch \(client\.branches\.fork\) and use its key"):
        store.set_messages(key, history[:2])
    with pytest.raises(AppendOnlyError, match="fork the branch to drop stored turns"):
        store.delete_message(key, 3)
    forked = store.client.branches.fork(
        key, fork_point_message_id=history[1].additional_kwargs["chatroutes"]["message_id"]
    )
    fork_key = f"{key}:{forked.id}"
    store.set_messages(fork_key, [*history[:2], ChatMessage(role="user", content="two, again")])
    kept = store.get_messages(fork_key)
    assert [m.content for m in kept] == ["one", history[1].content, "two, again"]
    fork_engine = SimpleChatEngine.from_defaults(
        llm=llm, memory=ChatMemoryBuffer.from_defaults(chat_store=store, chat_store_key=fork_key)
    )
    assert "2 prior messages" in str(fork_engine.chat("three"))
