"""The steps of `chatroutes demo`, one short function each, written to be copied.

Every step takes a `Connection` (base URL, API key, model) and returns plain results; printing lives in
`chatroutes_core.cli.demo`. LangChain and LlamaIndex are imported inside the steps, so `chatroutes_core`
itself never imports them; a missing extra raises `MissingExtraError` naming what to install.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import TYPE_CHECKING, Any

from chatroutes_core.integration import DEFAULT_MODEL, install_hint

if TYPE_CHECKING:
    from chatroutes_core import ChatRoutesClient
    from chatroutes_core.cli.tree_render import TreeView
    from chatroutes_core.models import Checkpoint, Message

TRIP = "Plan a weekend in Lisbon for two."
FOLLOW_UPS = ("Add a day trip outside the city.", "Where should we eat on Saturday night?")
EDIT = "Skip the day trip: we would rather stay in the city and see museums."
TWO_INTENTS = "I need help with my invoice and also have a technical question about the API rate limits."
QUESTION = "What happens to the history of a branch when I fork a message?"
COMPARE_TURN = "Pick one museum for Sunday morning and say why."
COMPARE_MODELS = (DEFAULT_MODEL, "claude-sonnet-4-5")


class MissingExtraError(ImportError):
    """A step needs an optional dependency that is not installed."""


@contextmanager
def needs(extra: str, what: str) -> Iterator[None]:
    """Turn a missing LangChain/LlamaIndex import into an error that names the extra to install."""
    try:
        yield
    except ModuleNotFoundError as exc:
        raise MissingExtraError(
            f"this step needs {what}: {install_hint(extra)} ({exc.name} is missing)"
        ) from exc


@dataclass
class Connection:
    """Where the tour runs: the local server or the live API (any ChatRoutes-compatible base URL)."""

    base_url: str
    api_key: str = field(repr=False)
    model: str = DEFAULT_MODEL

    @cached_property
    def client(self) -> ChatRoutesClient:
        from chatroutes_core import ChatRoutesClient

        return ChatRoutesClient(api_key=self.api_key, base_url=self.base_url)

    def chat_model(self, **kwargs: Any) -> Any:
        """A `ChatChatRoutes` on this connection."""
        with needs("langchain", "LangChain"):
            from langchain_chatroutes import ChatChatRoutes

        return ChatChatRoutes(model=self.model, api_key=self.api_key, base_url=self.base_url, **kwargs)

    def close(self) -> None:
        if "client" in self.__dict__:
            self.client.close()


def where(message: Any) -> dict[str, str]:
    """The ChatRoutes ids a `ChatChatRoutes` reply carries: conversation, branch and message."""
    return dict(message.response_metadata["chatroutes"])


# 1 ----------------------------------------------------------------------------------------------------------
def lcel_chain(conn: Connection) -> str:
    """An LCEL chain: prompt | ChatChatRoutes | StrOutputParser; unbound, so it starts a conversation."""
    with needs("langchain", "LangChain"):
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate

    prompt = ChatPromptTemplate.from_messages(
        [("system", "You are a concise travel guide."), ("human", "One sentence about {city}, please.")]
    )
    chain = prompt | conn.chat_model() | StrOutputParser()
    return str(chain.invoke({"city": "Lisbon"}))


# 2 ----------------------------------------------------------------------------------------------------------
def multi_turn(conn: Connection) -> tuple[str, list[Any]]:
    """A multi-turn chat: each reply goes back into the list, so every turn is one request on one branch."""
    with needs("langchain", "LangChain"):
        from langchain_core.messages import HumanMessage

    conversation = conn.client.conversations.create(title="chatroutes demo: a weekend away", model=conn.model)
    model = conn.chat_model(conversation_id=conversation.id)
    history: list[Any] = [HumanMessage(TRIP)]
    history.append(model.invoke(history))
    for turn in FOLLOW_UPS:
        history.append(HumanMessage(turn))
        history.append(model.invoke(history))
    return conversation.id, history


# 3 ----------------------------------------------------------------------------------------------------------
def edit_earlier_turn(conn: Connection, conversation_id: str, history: list[Any]) -> list[Any]:
    """Edit the second question: the list leaves the branch before its tip, so ChatRoutes forks at reply 1."""
    with needs("langchain", "LangChain"):
        from langchain_core.messages import HumanMessage

    model = conn.chat_model(conversation_id=conversation_id)
    edited: list[Any] = [*history[:2], HumanMessage(EDIT)]  # keep the first exchange, change the second turn
    edited.append(model.invoke(edited))
    conn.client.branches.update(
        conversation_id, where(edited[-1])["branch_id"], title="edit: museums instead"
    )
    return edited


def branch_history(conn: Connection, conversation_id: str, branch_id: str) -> list[Message]:
    """A branch's full history (inherited prefix, then its own messages), from the server."""
    return conn.client.branches.get_history(conversation_id, branch_id)


# 4 ----------------------------------------------------------------------------------------------------------
def fan_out(conn: Connection, conversation_id: str) -> dict[str, Any]:
    """An AutoBranchRouter: a two-intent request goes to two routes, each on its own forked branch."""
    with needs("langchain", "LangChain"):
        from langchain_core.prompts import ChatPromptTemplate

        from langchain_chatroutes import AutoBranchRouter

    def desk(name: str) -> Any:
        prompt = ChatPromptTemplate.from_messages(
            [("system", f"You are the {name} desk."), ("human", "{input}")]
        )
        return prompt | conn.chat_model()

    router = AutoBranchRouter(
        {
            "billing": (desk("billing"), "billing, invoices, payments and refunds"),
            "technical": (desk("technical"), "technical questions about the API, errors and rate limits"),
        },
        detector="local",  # the offline detector; "api" asks ChatRoutes' AutoBranch endpoint
        client=conn.client,
    )
    return dict(router.invoke({"input": TWO_INTENTS, "conversation_id": conversation_id}))


# 5 ----------------------------------------------------------------------------------------------------------
def bundled_documents() -> dict[str, str]:
    """The few markdown files shipped with the demo (branches, checkpoints, AutoBranch)."""
    folder = resources.files("chatroutes_core.cli.demo") / "docs"
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(folder.iterdir(), key=lambda p: p.name)
        if p.name.endswith(".md")
    }


def keyword_embedding(dim: int = 256) -> Any:
    """An offline embedding for the demo: hashed bag of words (deterministic; not a real embedding model)."""
    with needs("llama-index", "LlamaIndex"):
        from llama_index.core.embeddings import BaseEmbedding

    def embed(text: str) -> list[float]:
        vector = [0.0] * dim
        for word in re.findall(r"[a-z]{3,}", text.lower()):
            vector[int(hashlib.blake2s(word.encode(), digest_size=4).hexdigest(), 16) % dim] += 1.0
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]

    class KeywordEmbedding(BaseEmbedding):
        def _get_query_embedding(self, query: str) -> list[float]:
            return embed(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return embed(text)

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return embed(query)

    return KeywordEmbedding(model_name="keyword-hash")


def llama_index_query(conn: Connection) -> tuple[str, list[str]]:
    """A LlamaIndex query engine over the bundled documents, answered by the ChatRoutes LLM."""
    with needs("llama-index", "LlamaIndex"):
        from llama_index.core import Document, VectorStoreIndex

        from llama_index_chatroutes import ChatRoutes

    documents = [Document(text=text, metadata={"file": name}) for name, text in bundled_documents().items()]
    index = VectorStoreIndex.from_documents(documents, embed_model=keyword_embedding())
    llm = ChatRoutes(model=conn.model, api_key=conn.api_key, base_url=conn.base_url)
    response = index.as_query_engine(llm=llm, similarity_top_k=1).query(QUESTION)
    return str(response), [str(n.node.metadata.get("file")) for n in response.source_nodes]


# 6 ----------------------------------------------------------------------------------------------------------
def checkpoint_long_branch(
    conn: Connection, conversation_id: str, history: list[Any]
) -> tuple[Checkpoint, Any]:
    """Checkpoint the long branch at its tip, then continue it: the reply reports the checkpoint it used."""
    with needs("langchain", "LangChain"):
        from langchain_core.messages import HumanMessage

    tip = where(history[-1])
    checkpoint = conn.client.checkpoints.create(
        conversation_id, branch_id=tip["branch_id"], anchor_message_id=tip["message_id"]
    )
    reply = conn.chat_model(conversation_id=conversation_id).invoke(
        [*history, HumanMessage("Summarise the plan in one line.")]
    )
    return checkpoint, reply


# 7 ----------------------------------------------------------------------------------------------------------
def compare_models(conn: Connection, conversation_id: str) -> dict[str, Any]:
    """CompareModels: the same turn to two models, each reply on a sibling branch forked at main's tip."""
    with needs("langchain", "LangChain"):
        from langchain_chatroutes import CompareModels

    compare = CompareModels(models=list(COMPARE_MODELS), conversation_id=conversation_id, client=conn.client)
    return dict(compare.invoke(COMPARE_TURN))


# 8 ----------------------------------------------------------------------------------------------------------
AGENT_TASK = "What is the weather in Lisbon? Then add(17, 25)."


@dataclass
class AgentRun:
    """An agent run on its own conversation, and its time-travel fork."""

    conversation_id: str
    first: list[Any]
    forked: list[Any]


def agent_run(conn: Connection) -> AgentRun:
    """create_agent with two tools; then LangGraph time travel: change a tool result and resume (a fork)."""
    with needs("langgraph", "LangChain agents and LangGraph"):
        from langchain.agents import create_agent
        from langchain_core.messages import HumanMessage, ToolMessage
        from langchain_core.runnables import RunnableConfig
        from langchain_core.tools import tool
        from langgraph.checkpoint.memory import InMemorySaver

    @tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        return f"sunny, 24 C in {city}"

    @tool
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    agent = create_agent(conn.chat_model(), [get_weather, add], checkpointer=InMemorySaver())
    config: RunnableConfig = {"configurable": {"thread_id": "demo-agent"}}
    first = agent.invoke({"messages": [HumanMessage(AGENT_TASK)]}, config)["messages"]
    # time travel: back to the step after the tools ran, before the model read their results
    step = next(s for s in agent.get_state_history(config)
                if s.next == ("model",) and isinstance(s.values["messages"][-1], ToolMessage))  # fmt: skip
    results = [m for m in step.values["messages"] if isinstance(m, ToolMessage)]
    weather = next(m for m in results if m.name == "get_weather")
    changed = ToolMessage("rain, 14 C in Lisbon", tool_call_id=weather.tool_call_id, id=weather.id,
                          name="get_weather")  # fmt: skip
    forked_config = agent.update_state(step.config, {"messages": [changed]}, as_node="tools")
    forked = agent.invoke(None, forked_config)["messages"]
    return AgentRun(where(first[-1])["conversation_id"], first, forked)


# 9 ----------------------------------------------------------------------------------------------------------
def conversation_tree(conn: Connection, conversation_id: str) -> TreeView:
    """The conversation tree: one GET for the tree, one per branch for its history."""
    from chatroutes_core.cli.tree import fetch_view

    return fetch_view(conn.client, conversation_id)
