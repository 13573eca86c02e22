"""Chat engines over ChatRoutes: each turn continues one branch; side calls stay out of it."""

from __future__ import annotations

import pytest
from llama_index.core import VectorStoreIndex
from llama_index.core.chat_engine import CondensePlusContextChatEngine, SimpleChatEngine
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.llms import ChatMessage
from llama_index.core.memory import ChatMemoryBuffer, Memory
from llama_index.core.schema import Document

from chatroutes_core.testing import LocalServer
from llama_index_chatroutes.chat_store import ChatRoutesChatStore, ChatRoutesMemoryStore, ForeignMessageError
from llama_index_chatroutes.llm import ChatRoutes


def sends(srv: LocalServer) -> list[str]:
    return [path for method, path in srv.requests if method == "POST"]


def test_simple_chat_engine_continues_one_branch(llm: ChatRoutes, local_server: LocalServer) -> None:
    engine = SimpleChatEngine.from_defaults(llm=llm, system_prompt="Be brief.")
    first = engine.chat("one")
    assert "0 prior messages" in str(first)
    local_server.reset_requests()
    second = engine.chat("two")
    third = engine.stream_chat("three")
    text = "".join(third.response_gen)
    assert len(local_server.requests) == 2  # one send per turn, nothing else
    assert "2 prior messages" in str(second) and "4 prior messages" in text
    refs = [m.additional_kwargs["chatroutes"] for m in engine.chat_history if m.role == "assistant"]
    assert len({(r["conversation_id"], r["branch_id"]) for r in refs}) == 1
    # the system prompt went in once, with the first turn
    assert local_server.count_messages(refs[0]["conversation_id"]) == 6


async def test_simple_chat_engine_async(llm: ChatRoutes, local_server: LocalServer) -> None:
    engine = SimpleChatEngine.from_defaults(llm=llm)
    await engine.achat("one")
    local_server.reset_requests()
    reply = await engine.achat("two")
    assert len(local_server.requests) == 1 and "2 prior messages" in str(reply)


@pytest.fixture
def retriever():  # type: ignore[no-untyped-def]
    docs = [Document(text="The launch code word is PELICAN."), Document(text="Branches are forks.")]
    index = VectorStoreIndex.from_documents(docs, embed_model=MockEmbedding(embed_dim=8))
    return index.as_retriever(similarity_top_k=1)


def test_condense_plus_context_turns_continue_one_branch(retriever, local_server: LocalServer) -> None:  # type: ignore[no-untyped-def]
    base = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url, delete_side_calls=True)
    conversation = base.client.conversations.create(title="user chat")
    llm = base.bind(conversation.id)
    engine = CondensePlusContextChatEngine.from_defaults(retriever=retriever, llm=llm)
    side_conversations: set[str] = set()
    local_server.reset_requests()
    engine.chat("What is the code word?")
    assert sends(local_server) == [f"/api/v1/conversations/{conversation.id}/messages"]  # no condense yet
    for question in ("And again?", "Once more?"):
        local_server.reset_requests()
        reply = engine.chat(question)
        user_sends = [p for p in sends(local_server) if conversation.id in p]
        assert len(user_sends) == 1  # the turn: one request on the user's branch
        side = [p for p in sends(local_server) if conversation.id not in p]
        assert side  # the condense call went to a conversation of its own
        side_conversations |= {p.split("/")[4] for p in side if p.endswith("/messages")}
    assert "4 prior messages" in str(reply)
    assert local_server.count_messages(conversation.id) == 6
    assert len(side_conversations) == 2
    assert all(local_server.count_messages(c) == 0 for c in side_conversations)  # deleted after the reply
    history = llm.client.messages.list(conversation.id)
    users = [m.content for m in history if m.role == "user"]
    # the retrieved context went in with the first turn; the same context is not sent again, and the
    # condense prompts never reached this conversation
    assert "PELICAN" in users[0] or "Branches are forks" in users[0]
    assert users[1:] == ["And again?", "Once more?"]


def test_condense_plus_context_with_chat_store(retriever, local_server: LocalServer) -> None:  # type: ignore[no-untyped-def]
    llm = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url, delete_side_calls=True)
    store = ChatRoutesChatStore(api_key=local_server.api_key, base_url=local_server.base_url)
    key = store.new_key("rag chat")
    memory = ChatMemoryBuffer.from_defaults(chat_store=store, chat_store_key=key, llm=llm)
    engine = CondensePlusContextChatEngine.from_defaults(
        retriever=retriever, llm=llm.bind(key), memory=memory
    )
    engine.chat("What is the code word?")
    reply = engine.chat("Tell me again")
    assert "2 prior messages" in str(reply)
    assert local_server.count_messages(key) == 4
    assert [m.role.value for m in store.get_messages(key)] == ["user", "assistant", "user", "assistant"]


def test_simple_chat_engine_with_chat_memory_buffer_store(
    llm: ChatRoutes, store: ChatRoutesChatStore, local_server: LocalServer
) -> None:
    key = store.new_key()
    memory = ChatMemoryBuffer.from_defaults(chat_store=store, chat_store_key=key, llm=llm)
    engine = SimpleChatEngine.from_defaults(
        llm=llm, memory=memory
    )  # the LLM is not bound: the store steers it
    engine.chat("one")
    engine.chat("two")
    assert local_server.count_messages(key) == 4
    stored = store.get_messages(key)
    assert [m.content for m in stored if m.role == "user"] == ["one", "two"]
    assert key in store.get_keys()


def test_simple_chat_engine_with_memory_store(
    llm: ChatRoutes, memory_store: ChatRoutesMemoryStore, local_server: LocalServer
) -> None:
    key = memory_store.new_key()
    memory = Memory.from_defaults(session_id=key, chat_store=memory_store, token_limit=4000)
    engine = SimpleChatEngine.from_defaults(llm=llm, memory=memory)
    engine.chat("one")
    reply = engine.chat("two")
    assert "2 prior messages" in str(reply)
    assert local_server.count_messages(key) == 4
    assert [m.content for m in memory.get_all() if m.role == "user"] == ["one", "two"]


async def test_memory_store_async_engine(
    llm: ChatRoutes, memory_store: ChatRoutesMemoryStore, local_server: LocalServer
) -> None:
    key = await memory_store.anew_key()
    memory = Memory.from_defaults(session_id=key, chat_store=memory_store, token_limit=4000)
    engine = SimpleChatEngine.from_defaults(llm=llm, memory=memory)
    await engine.achat("one")
    await engine.achat("two")
    assert local_server.count_messages(key) == 4


def test_condense_question_prompt_stays_out_of_the_bound_branch(retriever, local_server: LocalServer) -> None:  # type: ignore[no-untyped-def]
    from llama_index.core.chat_engine import CondenseQuestionChatEngine
    from llama_index.core.query_engine import RetrieverQueryEngine

    base = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url, delete_side_calls=True)
    conversation = base.client.conversations.create(title="user chat")
    llm = base.bind(conversation.id)
    query_engine = RetrieverQueryEngine.from_args(retriever, llm=llm)
    engine = CondenseQuestionChatEngine.from_defaults(query_engine=query_engine, llm=llm)
    engine.chat("What is the code word?")
    reply = engine.chat("And again?")
    assert "offline echo" in str(reply)
    # the condense prompt and the query engine's QA prompts are side calls: nothing in the user's branch
    assert local_server.count_messages(conversation.id) == 0


def test_condense_plus_context_stream_lands_in_the_bound_branch(retriever, local_server: LocalServer) -> None:  # type: ignore[no-untyped-def]
    base = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url, delete_side_calls=True)
    conversation = base.client.conversations.create(title="user chat")
    engine = CondensePlusContextChatEngine.from_defaults(retriever=retriever, llm=base.bind(conversation.id))
    "".join(engine.stream_chat("What is the code word?").response_gen)
    text = "".join(engine.stream_chat("Again?").response_gen)
    assert "2 prior messages" in text
    users = [m.content for m in base.client.messages.list(conversation.id) if m.role == "user"]
    assert len(users) == 2 and users[1] == "Again?"
    assert not any("Given the following conversation" in u or "Given a conversation" in u for u in users)


async def test_condense_plus_context_async_lands_in_the_bound_branch(  # type: ignore[no-untyped-def]
    retriever, local_server: LocalServer
) -> None:
    base = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    conversation = await base.async_client.conversations.create(title="user chat")
    engine = CondensePlusContextChatEngine.from_defaults(retriever=retriever, llm=base.bind(conversation.id))
    await engine.achat("What is the code word?")
    reply = await engine.achat("Again?")
    assert "2 prior messages" in str(reply)
    assert local_server.count_messages(conversation.id) == 4


def test_unbound_condense_plus_context_keeps_one_branch(retriever, local_server: LocalServer) -> None:  # type: ignore[no-untyped-def]
    llm = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    engine = CondensePlusContextChatEngine.from_defaults(retriever=retriever, llm=llm)
    local_server.reset_requests()
    engine.chat("one")
    first = sends(local_server)
    assert first[0] == "/api/v1/conversations" and len(first) == 2  # a new conversation, then the turn
    conversation_id = first[1].split("/")[4]
    for n, question in enumerate(("two", "three"), start=1):
        local_server.reset_requests()
        reply = engine.chat(question)
        assert f"{2 * n} prior messages" in str(reply)
        on_user = [p for p in sends(local_server) if conversation_id in p]
        assert on_user == [f"/api/v1/conversations/{conversation_id}/messages"]  # continue: one send
        assert len(sends(local_server)) == 3  # + the condense side call (create, send)
    history = llm.client.messages.list(conversation_id)
    assert len(history) == 6 and len({m.branch_id for m in history}) == 1
    assert [m.content for m in history if m.role == "user"][1:] == ["two", "three"]


def test_unbound_simple_chat_engine_with_a_chat_store(retriever, local_server: LocalServer) -> None:  # type: ignore[no-untyped-def]
    # SimpleChatEngine puts the user message in memory before calling the LLM: the store returns it marked
    # with its target branch, a visible mark the unbound LLM follows.
    llm = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url, delete_side_calls=True)
    store = ChatRoutesChatStore(api_key=local_server.api_key, base_url=local_server.base_url)
    key = store.new_key()
    engine = SimpleChatEngine.from_defaults(
        llm=llm, memory=ChatMemoryBuffer.from_defaults(chat_store=store, chat_store_key=key, llm=llm)
    )
    engine.chat("one")
    engine.chat("two")
    reply = engine.chat("three")
    assert "4 prior messages" in str(reply)
    assert local_server.count_messages(key) == 6  # every turn landed in the store's conversation
    stored = store.get_messages(key)
    assert [m.role.value for m in stored] == ["user", "assistant"] * 3
    assert stored[-1].content == str(reply)


def test_condense_plus_context_with_a_chat_store_needs_the_llm_bound_to_its_key(  # type: ignore[no-untyped-def]
    retriever, local_server: LocalServer
) -> None:
    # CondensePlusContextChatEngine puts the user message in memory only after the reply, so on a key's
    # first turn nothing in the LLM's list says where the turn belongs. The store says so, and binding the
    # LLM to the key (an explicit, visible object) is the fix; nothing is changed in the store before that.
    llm = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url, delete_side_calls=True)
    store = ChatRoutesChatStore(api_key=local_server.api_key, base_url=local_server.base_url)
    key = store.new_key()
    memory = ChatMemoryBuffer.from_defaults(chat_store=store, chat_store_key=key, llm=llm)
    unbound = CondensePlusContextChatEngine.from_defaults(retriever=retriever, llm=llm, memory=memory)
    with pytest.raises(ForeignMessageError, match=rf"llm\.bind\('{key}'\)"):
        unbound.chat("one")
    assert [m.content for m in store.get_messages(key)] == ["one"]  # the engine's first put, still pending
    assert local_server.count_messages(key) == 0
    key = store.new_key()
    memory = ChatMemoryBuffer.from_defaults(chat_store=store, chat_store_key=key, llm=llm)
    engine = CondensePlusContextChatEngine.from_defaults(
        retriever=retriever, llm=llm.bind(key), memory=memory
    )
    for question in ("one", "two", "three"):
        reply = engine.chat(question)
    assert "4 prior messages" in str(reply)
    assert local_server.count_messages(key) == 6
    stored = store.get_messages(key)
    assert [m.role.value for m in stored] == ["user", "assistant"] * 3
    assert stored[-1].content == str(reply)


async def test_condense_plus_context_with_memory_store_async(  # type: ignore[no-untyped-def]
    retriever, local_server: LocalServer
) -> None:
    llm = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    store = ChatRoutesMemoryStore(api_key=local_server.api_key, base_url=local_server.base_url)
    key = await store.anew_key()
    memory = Memory.from_defaults(session_id=key, chat_store=store, token_limit=4000)
    engine = CondensePlusContextChatEngine.from_defaults(
        retriever=retriever, llm=llm.bind(key), memory=memory
    )
    await engine.achat("one")
    reply = await engine.achat("two")
    assert "2 prior messages" in str(reply)
    assert local_server.count_messages(key) == 4


async def test_async_chat_memory_buffer_first_turn_says_to_bind(  # type: ignore[no-untyped-def]
    retriever, local_server: LocalServer
) -> None:
    llm = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    store = ChatRoutesChatStore(api_key=local_server.api_key, base_url=local_server.base_url)
    key = await store.anew_key()
    memory = ChatMemoryBuffer.from_defaults(chat_store=store, chat_store_key=key, llm=llm)
    engine = CondensePlusContextChatEngine.from_defaults(retriever=retriever, llm=llm, memory=memory)
    with pytest.raises(ForeignMessageError, match=rf"llm\.bind\('{key}'\)"):
        await engine.achat("one")
    bound = CondensePlusContextChatEngine.from_defaults(retriever=retriever, llm=llm.bind(key), memory=memory)
    await bound.achat("one")
    assert "2 prior messages" in str(await bound.achat("two"))
    assert local_server.count_messages(key) == 4


# -- named chat-store keys, exactly as the LlamaIndex chat-store docs write them (issue 23) ---------------


def _conversations(llm: ChatRoutes) -> set[str]:
    return {c.id for c in llm.client.conversations.iter_all()}


@pytest.mark.parametrize("mode", ["simple", "context", "condense_plus_context", "best"])
@pytest.mark.parametrize("how", ["chat", "stream_chat"])
def test_a_named_chat_store_key_works_in_every_chat_mode(
    mode: str, how: str, local_server: LocalServer
) -> None:
    llm = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url, delete_side_calls=True)
    index = VectorStoreIndex.from_documents(
        [Document(text="The launch code word is PELICAN.")], embed_model=MockEmbedding(embed_dim=8)
    )
    store = ChatRoutesChatStore(api_key=local_server.api_key, base_url=local_server.base_url)
    key = f"user1-{mode}-{how}"
    memory = ChatMemoryBuffer.from_defaults(chat_store=store, chat_store_key=key)
    engine = index.as_chat_engine(chat_mode=mode, memory=memory, llm=llm)
    before = _conversations(llm)
    replies = []
    for question in ("one", "two", "three"):
        if how == "chat":
            replies.append(str(engine.chat(question)))
        else:
            streamed = engine.stream_chat(question)
            replies.append("".join(streamed.response_gen))
            if streamed.write_response_to_history_thread is not None:  # context engines write in a thread
                streamed.write_response_to_history_thread.join()
    assert "4 prior messages" in replies[-1]  # the third turn saw the first two
    new = _conversations(llm) - before
    assert len(new) == 1  # every turn on one conversation: the name's (side calls were deleted)
    (conversation,) = new
    assert key in store.get_keys() and local_server.count_messages(conversation) == 6
    stored = store.get_messages(key)
    assert [m.role.value for m in stored] == ["user", "assistant"] * 3
    assert [m.content for m in stored[2::2]] == ["two", "three"]
    assert stored[-1].content == replies[-1]
    assert {m.additional_kwargs["chatroutes"]["conversation_id"] for m in stored} == {conversation}


@pytest.mark.parametrize("mode", ["context", "condense_plus_context"])
async def test_a_named_key_works_async_and_with_memory(mode: str, local_server: LocalServer) -> None:
    llm = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url, delete_side_calls=True)
    index = VectorStoreIndex.from_documents(
        [Document(text="The launch code word is PELICAN.")], embed_model=MockEmbedding(embed_dim=8)
    )
    store = ChatRoutesChatStore(api_key=local_server.api_key, base_url=local_server.base_url)
    buffer = ChatMemoryBuffer.from_defaults(chat_store=store, chat_store_key=f"user1-async-{mode}")
    mstore = ChatRoutesMemoryStore(api_key=local_server.api_key, base_url=local_server.base_url)
    memory = Memory.from_defaults(session_id=f"user1-memory-{mode}", chat_store=mstore, token_limit=4000)
    for mem in (buffer, memory):
        engine = index.as_chat_engine(chat_mode=mode, memory=mem, llm=llm)
        await engine.achat("one")
        streamed = await engine.astream_chat("two")
        text = "".join([t async for t in streamed.async_response_gen()])
        if streamed.awrite_response_to_history_task is not None:
            await streamed.awrite_response_to_history_task
        reply = await engine.achat("three")
        assert "4 prior messages" in str(reply) and "2 prior messages" in text
    stored = await store.aget_messages(f"user1-async-{mode}")
    assert [m.role.value for m in stored] == ["user", "assistant"] * 3
    held = await mstore.get_messages(f"user1-memory-{mode}")
    assert [m.role.value for m in held] == ["user", "assistant"] * 3


def test_condense_question_with_a_chat_store_says_what_works_and_that_works(
    local_server: LocalServer,
) -> None:
    # CondenseQuestionChatEngine answers with a query engine: side calls, which never land on a branch, so
    # its memory cannot live on one. The error says so and names two ways out; both are followed here.
    from llama_index.core.storage.chat_store import SimpleChatStore

    llm = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    index = VectorStoreIndex.from_documents(
        [Document(text="The launch code word is PELICAN.")], embed_model=MockEmbedding(embed_dim=8)
    )
    store = ChatRoutesChatStore(api_key=local_server.api_key, base_url=local_server.base_url)
    memory = ChatMemoryBuffer.from_defaults(chat_store=store, chat_store_key="user1-cq")
    engine = index.as_chat_engine(chat_mode="condense_question", memory=memory, llm=llm)
    with pytest.raises(ForeignMessageError, match="side call") as caught:
        engine.chat("one")
    assert "chat_mode='condense_plus_context'" in str(caught.value) and "SimpleChatStore" in str(caught.value)
    assert "bind" not in str(caught.value)
    engine = index.as_chat_engine(chat_mode="condense_plus_context", memory=memory, llm=llm)
    engine.chat("one")
    assert "2 prior messages" in str(engine.chat("two"))
    local = ChatMemoryBuffer.from_defaults(chat_store=SimpleChatStore(), chat_store_key="user1")
    engine = index.as_chat_engine(chat_mode="condense_question", memory=local, llm=llm)
    engine.chat("one")
    engine.chat("two")
    assert [m.content for m in local.get_all()][::2] == ["one", "two"]


def test_a_reply_from_another_llm_on_a_named_key_says_to_use_chatroutes_and_that_works(
    local_server: LocalServer,
) -> None:
    from llama_index.core.llms import MockLLM

    index = VectorStoreIndex.from_documents(
        [Document(text="The launch code word is PELICAN.")], embed_model=MockEmbedding(embed_dim=8)
    )
    store = ChatRoutesChatStore(api_key=local_server.api_key, base_url=local_server.base_url)
    memory = ChatMemoryBuffer.from_defaults(chat_store=store, chat_store_key="user1-mock")
    engine = index.as_chat_engine(chat_mode="context", memory=memory, llm=MockLLM())
    with pytest.raises(ForeignMessageError, match=r"Use the ChatRoutes LLM") as caught:
        engine.chat("one")
    assert "bind" not in str(caught.value)  # a name is not a conversation id: binding to it would 404
    llm = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    engine = index.as_chat_engine(chat_mode="context", memory=memory, llm=llm)
    engine.chat("one")
    assert "2 prior messages" in str(engine.chat("two"))


def test_a_name_never_adopts_a_conversation_another_account_or_name_holds(local_server: LocalServer) -> None:
    # the reply memory is per account: a store of another key does not recognise this LLM's replies
    llm = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    index = VectorStoreIndex.from_documents(
        [Document(text="The launch code word is PELICAN.")], embed_model=MockEmbedding(embed_dim=8)
    )
    other_key = local_server.new_api_key()
    other = ChatRoutesChatStore(api_key=other_key, base_url=local_server.base_url)
    memory = ChatMemoryBuffer.from_defaults(chat_store=other, chat_store_key="user1-other-account")
    engine = index.as_chat_engine(chat_mode="context", memory=memory, llm=llm)
    with pytest.raises(ForeignMessageError, match="account and base URL"):
        engine.chat("one")
    # a conversation a name already holds is not taken by another name
    store = ChatRoutesChatStore(api_key=local_server.api_key, base_url=local_server.base_url)
    first = ChatMemoryBuffer.from_defaults(chat_store=store, chat_store_key="user1-a")
    index.as_chat_engine(chat_mode="context", memory=first, llm=llm).chat("one")
    copy = store.get_messages("user1-a")[-1].content
    with pytest.raises(ForeignMessageError):
        store.add_message("user1-b", ChatMessage(role="assistant", content=copy))
    assert "user1-b" not in store.get_keys()
