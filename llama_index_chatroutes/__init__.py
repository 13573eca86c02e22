"""LlamaIndex integration for ChatRoutes: an LLM, a chat store whose keys are branches, and a selector.

Example:
    >>> from llama_index.core import Settings
    >>> from llama_index_chatroutes import ChatRoutes
    >>> Settings.llm = ChatRoutes(model="gpt-5")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatroutes_core._lazy import lazy_exports

if TYPE_CHECKING:
    from chatroutes_core import (
        ChatRoutesError,
        ConfigurationError,
        EmptyTurnError,
        MappingError,
        UnsupportedMessageError,
        UsageError,
    )
    from llama_index_chatroutes.chat_store import (
        AppendOnlyError,
        ChatRoutesChatStore,
        ChatRoutesMemoryStore,
        ForeignMessageError,
    )
    from llama_index_chatroutes.llm import ChatRoutes
    from llama_index_chatroutes.selector import AutoBranchSelector

__all__ = [
    "AppendOnlyError",
    "AutoBranchSelector",
    "ChatRoutes",
    "ChatRoutesChatStore",
    "ChatRoutesError",
    "ChatRoutesMemoryStore",
    "ConfigurationError",
    "EmptyTurnError",
    "ForeignMessageError",
    "MappingError",
    "UnsupportedMessageError",
    "UsageError",
]

_WHERE = {
    "AppendOnlyError": "llama_index_chatroutes.chat_store",
    "AutoBranchSelector": "llama_index_chatroutes.selector",
    "ChatRoutes": "llama_index_chatroutes.llm",
    "ChatRoutesChatStore": "llama_index_chatroutes.chat_store",
    "ChatRoutesMemoryStore": "llama_index_chatroutes.chat_store",
    "ForeignMessageError": "llama_index_chatroutes.chat_store",
    # the core error tree, so `except llama_index_chatroutes.ChatRoutesError` catches everything we raise
    "ChatRoutesError": "chatroutes_core",
    "ConfigurationError": "chatroutes_core",
    "EmptyTurnError": "chatroutes_core",
    "MappingError": "chatroutes_core",
    "UnsupportedMessageError": "chatroutes_core",
    "UsageError": "chatroutes_core",
}


__getattr__, __dir__ = lazy_exports(
    __name__, _WHERE, {"llama_index"}, "LlamaIndex: pip install 'chatroutes-integrations[llama-index]'"
)
