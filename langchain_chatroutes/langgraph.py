"""LangGraph helpers: a ChatRoutes branch as a ``MessagesState``-shaped dict, so an agent can resume it.

LangGraph needs no adapter to use ChatRoutes as memory: a ``StateGraph`` over ``MessagesState`` whose node
calls ``ChatChatRoutes`` continues one ChatRoutes branch per thread, and LangGraph time travel (re-running
or ``update_state`` on an earlier checkpoint) becomes a ChatRoutes fork, because the model maps every
message list onto the tree. These helpers go the other way: start (or restart) a graph thread from any branch.

Example:
    >>> from langchain_core.messages import HumanMessage
    >>> from langgraph.graph import START, MessagesState, StateGraph
    >>> from langchain_chatroutes import ChatChatRoutes
    >>> model = ChatChatRoutes()
    >>> def chat(state: MessagesState) -> dict:
    ...     return {"messages": model.invoke(state["messages"])}
    >>> graph = StateGraph(MessagesState).add_node(chat).add_edge(START, "chat").compile()
    >>> branch_id = client.messages.send(conv.id, content="Plan a trip").message.branch_id
    >>> state = load_branch_state(client, conv.id, branch_id)
    >>> out = graph.invoke({"messages": [*state["messages"], HumanMessage("Go on")]},
    ...                    thread_config(conv.id, branch_id))
    >>> len(out["messages"]), out["messages"][-1].response_metadata["chatroutes"]["branch_id"] == branch_id
    (4, True)

Nothing here imports LangGraph: the result is a plain dict, valid as ``MessagesState`` input or as the values
of ``graph.update_state``.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import BaseMessage

from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient
from chatroutes_core.errors import UsageError
from langchain_chatroutes._convert import BRANCH_KEY, CONVERSATION_KEY
from langchain_chatroutes.chat_history import ChatRoutesChatMessageHistory

__all__ = ["aload_branch_state", "load_branch_state", "thread_config"]


def _history(
    source: ChatRoutesClient | AsyncChatRoutesClient | ChatRoutesChatMessageHistory,
    conversation_id: str | None,
    branch_id: str | None,
    *,
    is_async: bool,
) -> ChatRoutesChatMessageHistory:
    if isinstance(source, ChatRoutesChatMessageHistory):
        if conversation_id is not None and conversation_id != source.conversation_id:
            raise UsageError(
                f"conversation_id {conversation_id!r} differs from the history's {source.conversation_id!r}"
            )
        return source.switch(branch_id) if branch_id is not None and branch_id != source.branch_id else source
    if conversation_id is None:
        raise UsageError("conversation_id is required when loading from a client")
    if isinstance(source, AsyncChatRoutesClient):
        if not is_async:
            raise TypeError("an AsyncChatRoutesClient needs `await aload_branch_state(...)`")
        return ChatRoutesChatMessageHistory(conversation_id, branch_id, async_client=source)
    if isinstance(source, ChatRoutesClient):
        return ChatRoutesChatMessageHistory(conversation_id, branch_id, client=source)
    raise TypeError(
        f"expected a ChatRoutesClient, AsyncChatRoutesClient or ChatRoutesChatMessageHistory, "
        f"got {type(source).__name__}"
    )


def load_branch_state(
    source: ChatRoutesClient | ChatRoutesChatMessageHistory,
    conversation_id: str | None = None,
    branch_id: str | None = None,
) -> dict[str, list[BaseMessage]]:
    """A ChatRoutes branch's full history as ``{"messages": [...]}`` (``MessagesState`` shape).

    Args:
        source: a ``ChatRoutesClient``, or a ``ChatRoutesChatMessageHistory`` (its ids are the default).
        conversation_id: the conversation (required with a client).
        branch_id: the branch; None means the main branch (or the history's own branch).

    The messages carry their ChatRoutes ids (``id`` and the ``chatroutes`` ref), so a graph whose model is
    ``ChatChatRoutes`` continues that branch: the next model call writes one new turn to it, no re-upload.
    """
    history = _history(source, conversation_id, branch_id, is_async=False)
    return {"messages": history.messages}


async def aload_branch_state(
    source: AsyncChatRoutesClient | ChatRoutesClient | ChatRoutesChatMessageHistory,
    conversation_id: str | None = None,
    branch_id: str | None = None,
) -> dict[str, list[BaseMessage]]:
    """Async :func:`load_branch_state` on an async client (one is built for a sync client or history)."""
    history = _history(source, conversation_id, branch_id, is_async=True)
    try:
        return {"messages": await history.aget_messages()}
    finally:
        if history is not source:
            await history.aclose()  # an async client built from a sync one is closed again


def thread_config(conversation_id: str, branch_id: str, **configurable: Any) -> dict[str, Any]:
    """A graph config whose thread is the branch and whose model is bound to it.

    ``thread_id`` is ``branch_id`` unless given; ``chatroutes_conversation_id``/``chatroutes_branch_id`` bind
    ``ChatChatRoutes``, so the first model call of a fresh thread writes to that branch even before any reply
    is in the state.
    """
    values = {
        "thread_id": branch_id,
        **configurable,
        CONVERSATION_KEY: conversation_id,
        BRANCH_KEY: branch_id,
    }
    return {"configurable": values}
