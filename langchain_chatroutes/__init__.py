"""LangChain integration for ChatRoutes: a chat model, branching chat history and an AutoBranch router.

Example:
    >>> from langchain_chatroutes import ChatChatRoutes
    >>> model = ChatChatRoutes(model="gpt-5")  # $CHATROUTES_API_KEY, $CHATROUTES_BASE_URL
    >>> reply = model.invoke("Hello")
    >>> reply.type, reply.id
    ('ai', 'msg_...')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatroutes_core import errors as core_errors
from chatroutes_core.integration import CORE_ERRORS, install_hint, lazy_exports

if TYPE_CHECKING:
    from chatroutes_core.errors import *  # noqa: F403 - the whole error tree, as its __all__ names it
    from langchain_chatroutes._errors import (
        ChatRoutesAuthenticationError,
        ChatRoutesConfigurationError,
        ChatRoutesConflictError,
        ChatRoutesConnectionError,
        ChatRoutesInvalidRequestError,
        ChatRoutesNotFoundError,
        ChatRoutesPayloadTooLargeError,
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
    from langchain_chatroutes.compare import CompareModels
    from langchain_chatroutes.router import AutoBranchRouter, NoRouteError, RouteError

__all__ = [
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
    "ChatRoutesInvalidRequestError",
    "ChatRoutesNotFoundError",
    "ChatRoutesPayloadTooLargeError",
    "ChatRoutesPermissionDeniedError",
    "ChatRoutesRateLimitError",
    "ChatRoutesResponseValidationError",
    "ChatRoutesServerError",
    "ChatRoutesStatusError",
    "ChatRoutesStreamInterruptedError",
    "ChatRoutesTimeoutError",
    "ChatRoutesUsageError",
    "CompareModels",
    "NoRouteError",
    "RouteError",
]
__all__ += core_errors.__all__  # the whole core error tree (CORE_ERRORS)
del core_errors
__all__.sort()

_WHERE = {
    **CORE_ERRORS,
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
    "ChatRoutesPayloadTooLargeError": "langchain_chatroutes._errors",
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
}


__getattr__, __dir__ = lazy_exports(
    __name__,
    _WHERE,
    {"langchain_core", "langgraph"},
    f"LangChain: {install_hint('langchain')}",
)
