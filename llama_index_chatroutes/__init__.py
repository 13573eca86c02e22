"""LlamaIndex integration for ChatRoutes: an LLM, a chat store whose keys are branches, and a selector.

Example:
    >>> from llama_index.core import Settings
    >>> from llama_index_chatroutes import ChatRoutes
    >>> Settings.llm = ChatRoutes(model="gpt-5")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatroutes_core._exceptions import __all__ as CORE_ERRORS
from chatroutes_core._lazy import lazy_exports

if TYPE_CHECKING:
    from chatroutes_core._exceptions import (
        APIConnectionError,
        APIResponseValidationError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        ChatRoutesError,
        ConfigurationError,
        ConflictError,
        EmptyTurnError,
        ForeignMessageError,
        MappingError,
        NetworkError,
        NotFoundError,
        PayloadTooLargeError,
        PermissionDeniedError,
        RateLimitError,
        ServerError,
        StreamInterruptedError,
        UnsupportedMessageError,
        UsageError,
        ValidationError,
    )
    from llama_index_chatroutes.chat_store import (
        AppendOnlyError,
        ChatRoutesChatStore,
        ChatRoutesMemoryStore,
    )
    from llama_index_chatroutes.llm import ChatRoutes
    from llama_index_chatroutes.selector import AutoBranchSelector

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AppendOnlyError",
    "AuthenticationError",
    "AutoBranchSelector",
    "ChatRoutes",
    "ChatRoutesChatStore",
    "ChatRoutesError",
    "ChatRoutesMemoryStore",
    "ConfigurationError",
    "ConflictError",
    "EmptyTurnError",
    "ForeignMessageError",
    "MappingError",
    "NetworkError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "StreamInterruptedError",
    "UnsupportedMessageError",
    "UsageError",
    "ValidationError",
]

_WHERE = {
    # the whole core error tree, so `except <this package>.ChatRoutesError` catches everything we raise
    **dict.fromkeys(CORE_ERRORS, "chatroutes_core._exceptions"),
    "AppendOnlyError": "llama_index_chatroutes.chat_store",
    "AutoBranchSelector": "llama_index_chatroutes.selector",
    "ChatRoutes": "llama_index_chatroutes.llm",
    "ChatRoutesChatStore": "llama_index_chatroutes.chat_store",
    "ChatRoutesMemoryStore": "llama_index_chatroutes.chat_store",
}


__getattr__, __dir__ = lazy_exports(
    __name__, _WHERE, {"llama_index"}, "LlamaIndex: pip install 'chatroutes-integrations[llama-index]'"
)
