"""LangChain integration for ChatRoutes: a chat model, branching chat history and an AutoBranch router.

Example:
    >>> from langchain_chatroutes import ChatChatRoutes
    >>> model = ChatChatRoutes(model="gpt-5")  # doctest: +SKIP
    >>> model.invoke("Hello").content  # doctest: +SKIP
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
    from langchain_chatroutes._errors import (
        ChatRoutesAuthenticationError,
        ChatRoutesConfigurationError,
        ChatRoutesConflictError,
        ChatRoutesConnectionError,
        ChatRoutesInvalidRequestError,
        ChatRoutesNotFoundError,
        ChatRoutesPermissionDeniedError,
        ChatRoutesRateLimitError,
        ChatRoutesResponseValidationError,
        ChatRoutesServerError,
        ChatRoutesStatusError,
        ChatRoutesStreamInterruptedError,
        ChatRoutesTimeoutError,
        ChatRoutesUsageError,
    )
    from langchain_chatroutes.chat_history import (
        BranchCache,
        BranchInfo,
        BranchInUseError,
        ChatRoutesChatMessageHistory,
    )
    from langchain_chatroutes.chat_models import ChatChatRoutes
    from langchain_chatroutes.compare import CompareModels, UnsupportedModelError
    from langchain_chatroutes.router import AutoBranchRouter, NoRouteError, RouteError

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "AutoBranchRouter",
    "BranchCache",
    "BranchInUseError",
    "BranchInfo",
    "ChatChatRoutes",
    "ChatRoutesAuthenticationError",
    "ChatRoutesChatMessageHistory",
    "ChatRoutesConfigurationError",
    "ChatRoutesConflictError",
    "ChatRoutesConnectionError",
    "ChatRoutesError",
    "ChatRoutesInvalidRequestError",
    "ChatRoutesNotFoundError",
    "ChatRoutesPermissionDeniedError",
    "ChatRoutesRateLimitError",
    "ChatRoutesResponseValidationError",
    "ChatRoutesServerError",
    "ChatRoutesStatusError",
    "ChatRoutesStreamInterruptedError",
    "ChatRoutesTimeoutError",
    "ChatRoutesUsageError",
    "CompareModels",
    "ConfigurationError",
    "ConflictError",
    "EmptyTurnError",
    "ForeignMessageError",
    "MappingError",
    "NetworkError",
    "NoRouteError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "RouteError",
    "ServerError",
    "StreamInterruptedError",
    "UnsupportedMessageError",
    "UnsupportedModelError",
    "UsageError",
    "ValidationError",
]

_WHERE = {
    # the whole core error tree, so `except <this package>.ChatRoutesError` catches everything we raise
    **dict.fromkeys(CORE_ERRORS, "chatroutes_core._exceptions"),
    "AutoBranchRouter": "langchain_chatroutes.router",
    "BranchCache": "langchain_chatroutes.chat_history",
    "BranchInUseError": "langchain_chatroutes.chat_history",
    "BranchInfo": "langchain_chatroutes.chat_history",
    "ChatChatRoutes": "langchain_chatroutes.chat_models",
    "ChatRoutesAuthenticationError": "langchain_chatroutes._errors",
    "ChatRoutesChatMessageHistory": "langchain_chatroutes.chat_history",
    "ChatRoutesConfigurationError": "langchain_chatroutes._errors",
    "ChatRoutesConflictError": "langchain_chatroutes._errors",
    "ChatRoutesConnectionError": "langchain_chatroutes._errors",
    "ChatRoutesInvalidRequestError": "langchain_chatroutes._errors",
    "ChatRoutesNotFoundError": "langchain_chatroutes._errors",
    "ChatRoutesPermissionDeniedError": "langchain_chatroutes._errors",
    "ChatRoutesRateLimitError": "langchain_chatroutes._errors",
    "ChatRoutesResponseValidationError": "langchain_chatroutes._errors",
    "ChatRoutesServerError": "langchain_chatroutes._errors",
    "ChatRoutesStatusError": "langchain_chatroutes._errors",
    "ChatRoutesStreamInterruptedError": "langchain_chatroutes._errors",
    "ChatRoutesTimeoutError": "langchain_chatroutes._errors",
    "ChatRoutesUsageError": "langchain_chatroutes._errors",
    "CompareModels": "langchain_chatroutes.compare",
    "NoRouteError": "langchain_chatroutes.router",
    "RouteError": "langchain_chatroutes.router",
    "UnsupportedModelError": "langchain_chatroutes.compare",
}


__getattr__, __dir__ = lazy_exports(
    __name__,
    _WHERE,
    {"langchain_core", "langgraph"},
    "LangChain: pip install 'chatroutes-integrations[langchain]'",
)
