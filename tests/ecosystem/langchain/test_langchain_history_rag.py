"""Message history and conversational RAG, with only the model (and the embeddings) swapped.

Sources:
- langchain-ai/langchain, libs/core/langchain_core/runnables/history.py, ``RunnableWithMessageHistory``
  docstring: "Example where the wrapped Runnable takes a dictionary input" (session key ``session_id``) and
  "Example where the session factory takes two keys (``user_id`` and ``conversation_id``)". Its
  ``InMemoryHistory`` is langchain-core's ``InMemoryChatMessageHistory``.
- langchain-ai/docs, src/oss/langchain/rag.mdx, "RAG agents": an ``InMemoryVectorStore``, the
  ``retrieve_context`` tool (``response_format="content_and_artifact"``) and ``create_agent`` with a system
  prompt, run as a conversation with a checkpointer (the embeddings are an offline keyword fake).
"""

from __future__ import annotations

import pytest
from _lc_support import KeywordEmbeddings, chat_model, ref, sends, stored, tool_call
from langchain.agents import create_agent
from langchain_core.chat_history import BaseChatMessageHistory, InMemoryChatMessageHistory
from langchain_core.documents import Document
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_core.runnables import ConfigurableFieldSpec
from langchain_core.runnables.history import RunnableWithMessageHistory
from langchain_core.tools import tool
from langchain_core.vectorstores import InMemoryVectorStore
from langgraph.checkpoint.memory import InMemorySaver

from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration

prompt = ChatPromptTemplate.from_messages(
    [
        ("system", "You're an assistant who's good at {ability}"),
        MessagesPlaceholder(variable_name="history"),
        ("human", "{question}"),
    ]
)


def test_runnable_with_message_history_session_id(server: LocalServer) -> None:
    store: dict[str, BaseChatMessageHistory] = {}

    def get_by_session_id(session_id: str) -> BaseChatMessageHistory:
        if session_id not in store:
            store[session_id] = InMemoryChatMessageHistory()
        return store[session_id]

    chain = prompt | chat_model(server)  # was: ChatAnthropic(model="claude-sonnet-5")
    chain_with_history = RunnableWithMessageHistory(
        chain, get_by_session_id, input_messages_key="question", history_messages_key="history"
    )
    first = chain_with_history.invoke(
        {"ability": "math", "question": "What does cosine mean?"},
        config={"configurable": {"session_id": "foo"}},
    )
    second = chain_with_history.invoke(
        {"ability": "math", "question": "What's its inverse"}, config={"configurable": {"session_id": "foo"}}
    )
    assert [m.type for m in store["foo"].messages] == ["human", "ai", "human", "ai"]
    assert ref(second)["branch_id"] == ref(first)["branch_id"]  # the history's reply anchors the next turn
    assert sends(server) == 2
    assert [c for role, c in stored(server, second) if role == "user"][-1] == "What's its inverse"


def test_runnable_with_message_history_user_and_conversation_keys(server: LocalServer) -> None:
    """The docstring's session key ``conversation_id`` ("1") is the app's own, not a ChatRoutes id."""
    store: dict[tuple[str, str], BaseChatMessageHistory] = {}

    def get_session_history(user_id: str, conversation_id: str) -> BaseChatMessageHistory:
        if (user_id, conversation_id) not in store:
            store[(user_id, conversation_id)] = InMemoryChatMessageHistory()
        return store[(user_id, conversation_id)]

    chain = prompt | chat_model(server)  # was: ChatAnthropic(model="claude-sonnet-5")
    with_message_history = RunnableWithMessageHistory(
        chain,
        get_session_history=get_session_history,
        input_messages_key="question",
        history_messages_key="history",
        history_factory_config=[
            ConfigurableFieldSpec(
                id="user_id",
                annotation=str,
                name="User ID",
                description="Unique identifier for the user.",
                default="",
                is_shared=True,
            ),
            ConfigurableFieldSpec(
                id="conversation_id",
                annotation=str,
                name="Conversation ID",
                description="Unique identifier for the conversation.",
                default="",
                is_shared=True,
            ),
        ],
    )
    config = {"configurable": {"user_id": "123", "conversation_id": "1"}}
    first = with_message_history.invoke(
        {"ability": "math", "question": "What does cosine mean?"}, config=config
    )
    second = with_message_history.invoke({"ability": "math", "question": "And sine?"}, config=config)
    assert ref(first)["conversation_id"] != "1"  # before: a send to ChatRoutes conversation "1", a 404
    assert ref(second)["conversation_id"] == ref(first)["conversation_id"]
    assert len(store[("123", "1")].messages) == 4
    other = with_message_history.invoke(
        {"ability": "math", "question": "What does cosine mean?"},
        config={"configurable": {"user_id": "456", "conversation_id": "1"}},
    )
    assert ref(other)["conversation_id"] != ref(first)["conversation_id"]  # another user's history


def test_conversational_rag_agent(server: LocalServer) -> None:
    vector_store = InMemoryVectorStore(KeywordEmbeddings())  # was: OpenAIEmbeddings(...)
    vector_store.add_documents(
        [
            Document(
                "Task decomposition breaks a hard task into smaller steps (chain of thought).",
                metadata={"id": 1},
            ),
            Document(
                "Agents keep short-term memory in context and long-term memory in a vector store.",
                metadata={"id": 2},
            ),
            Document(
                "Tool use lets an agent call external APIs such as calculators and search.",
                metadata={"id": 3},
            ),
        ]
    )

    @tool(response_format="content_and_artifact")
    def retrieve_context(query: str):  # type: ignore[no-untyped-def]
        """Retrieve information to help answer a query."""
        retrieved_docs = vector_store.similarity_search(query, k=2)
        serialized = "\n\n".join(
            (f"Source: {doc.metadata}\nContent: {doc.page_content}") for doc in retrieved_docs
        )
        return serialized, retrieved_docs

    tools = [retrieve_context]
    system_prompt = (
        "You have access to a tool that retrieves context from a blog post. "
        "Use the tool to help answer user queries."
    )
    agent = create_agent(chat_model(server), tools, system_prompt=system_prompt, checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "rag"}}
    server.script(
        None,
        tool_call("retrieve_context", query="What is task decomposition?"),
        "Task decomposition breaks a hard task into smaller steps.",
        tool_call("retrieve_context", query="common ways of doing task decomposition"),
        "Chain of thought is a common way.",
    )
    agent.invoke({"messages": [HumanMessage("What is Task Decomposition?")]}, config)
    result = agent.invoke(
        {"messages": [HumanMessage("Can you look up some common ways of doing it?")]}, config
    )
    messages = result["messages"]
    retrieved = [m for m in messages if isinstance(m, ToolMessage)]
    assert len(retrieved) == 2 and "Task decomposition breaks a hard task" in str(retrieved[0].content)
    assert str(retrieved[0].content).startswith("Source: {'id': 1}")  # the right document came first
    assert len({ref(m)["branch_id"] for m in messages if m.type == "ai"}) == 1  # one branch, turn after turn
    branch = stored(server, messages[-1])
    assert system_prompt in branch[0][1]
    assert "Task decomposition breaks a hard task" in branch[2][1]  # the retrieved context reached the model
    assert branch[-1] == ("assistant", "Chain of thought is a common way.") and len(branch) == len(messages)
