"""LlamaIndex integration for ChatRoutes: an LLM, a chat store whose keys are branches, and a selector.

Example:
    >>> from llama_index.core import Settings
    >>> from llama_index_chatroutes import ChatRoutes
    >>> Settings.llm = ChatRoutes(model="gpt-5")  # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        try:
            module = import_module(_WHERE[name])
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.split(".")[0] == "llama_index":
                raise ImportError(
                    f"{name} needs LlamaIndex: pip install 'chatroutes-integrations[llama-index]'"
                ) from exc
            raise
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
