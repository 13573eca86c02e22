"""``Memory`` and chat stores: a chat store keyed ``"user1"`` under a chat engine; an agent's ``Memory``.

Sources: run-llama/llama_index,
docs/src/content/docs/framework/module_guides/storing/chat_stores.md
(``ChatMemoryBuffer.from_defaults(token_limit=3000, chat_store=chat_store, chat_store_key="user1")``, then
``index.as_chat_engine(memory=memory)``)
and docs/src/content/docs/framework/module_guides/deploying/agents/memory.mdx ("Configuring Memory for an
Agent": ``Memory.from_defaults(session_id="my_session", token_limit=40000)``, ``FunctionAgent(llm=llm,
tools=tools)``, ``await agent.run("<question that invokes tool>", memory=memory)``). Changed: the LLM, the
embeddings, the chat store (``ChatRoutesChatStore`` in place of ``SimpleChatStore``), the tool call scripted.

An agent's ``Memory`` on a ChatRoutes store does not work: FunctionAgent keeps a run's tool steps in a
scratchpad and puts them in memory at the end, when the branch (which the store reads fresh) already holds
them. The store refuses the tool result with an error whose advice (LlamaIndex's default store for the
agent's memory) is followed here and works.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from llama_ecosystem import ESSAY, branch, conversations, tool_call
from llama_index.core import VectorStoreIndex
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.memory import ChatMemoryBuffer, Memory

from chatroutes_core import ForeignMessageError
from chatroutes_core.testing import LocalServer
from llama_index_chatroutes import ChatRoutes, ChatRoutesChatStore
from llama_index_chatroutes.chat_store import ChatRoutesMemoryStore

pytestmark = pytest.mark.integration


def test_a_chat_store_keyed_user1_keeps_the_engines_turns_on_one_branch(
    llm: ChatRoutes, embed_model: MockEmbedding, local_server: LocalServer
) -> None:
    chat_store = ChatRoutesChatStore(api_key=local_server.api_key, base_url=local_server.base_url)
    chat_memory = ChatMemoryBuffer.from_defaults(
        token_limit=3000, chat_store=chat_store, chat_store_key="user1"
    )
    index = VectorStoreIndex.from_documents(ESSAY, embed_model=embed_model)
    chat_engine = index.as_chat_engine(memory=chat_memory, llm=llm)
    before = conversations(llm)
    chat_engine.chat("What did Paul Graham do growing up?")
    reply = chat_engine.chat("And in college?")
    assert "user1" in chat_store.get_keys()
    stored = chat_store.get_messages("user1")
    (conversation,) = {m.additional_kwargs["chatroutes"]["conversation_id"] for m in stored}
    assert conversation in conversations(llm) - before
    assert [m.role.value for m in stored] == ["user", "assistant"] * 2
    assert stored[2].content == "And in college?" and stored[3].content == str(reply)
    assert branch(llm, conversation)[-1] == ("assistant", str(reply))


def add(a: int, b: int) -> int:
    """Add two integers and returns the result integer"""
    return a + b


async def test_an_agents_memory(
    llm: ChatRoutes, local_server: LocalServer, script: Callable[..., None]
) -> None:
    tools = [add]
    memory = Memory.from_defaults(session_id="my_session", token_limit=40000)
    agent = FunctionAgent(llm=llm, tools=tools)
    script(tool_call("add", '{"a": 20, "b": 8}'), "It is 28.", "You asked what 20+8 is.")
    before = conversations(llm)
    response = await agent.run("What is 20+8?", memory=memory)
    assert "28" in str(response)
    again = await agent.run("What did I ask?", memory=memory)
    assert "20+8" in str(again)
    roles = ["user", "assistant", "tool", "assistant", "user", "assistant"]
    assert [m.role.value for m in memory.get_all()] == roles
    (conversation,) = conversations(llm) - before  # both runs on one branch
    assert len(branch(llm, conversation)) == 6

    # the same on a ChatRoutes store: refused, with advice that works (the run above)
    store = ChatRoutesMemoryStore(api_key=local_server.api_key, base_url=local_server.base_url)
    on_chatroutes = Memory.from_defaults(session_id="my_session", token_limit=40000, chat_store=store)
    script(tool_call("add", '{"a": 1, "b": 2}'), "It is 3.")
    with pytest.raises(ForeignMessageError, match=r"Memory\.from_defaults\(session_id=\.\.\.\)"):
        await agent.run("What is 1+2?", memory=on_chatroutes)
