"""LangChain integration for ChatRoutes: a chat model, branching chat history and an AutoBranch router.

Example:
    >>> from langchain_chatroutes import ChatChatRoutes
    >>> model = ChatChatRoutes(model="gpt-5")  # doctest: +SKIP
    >>> model.invoke("Hello").content  # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_chatroutes.chat_history import (
        BranchCache,
        BranchInfo,
        BranchInUseError,
        ChatRoutesChatMessageHistory,
        ForeignMessageError,
    )
    from langchain_chatroutes.chat_models import ChatChatRoutes
    from langchain_chatroutes.compare import CompareModels, UnsupportedModelError
    from langchain_chatroutes.router import AutoBranchRouter, NoRouteError, RouteError

__all__ = [
    "AutoBranchRouter",
    "BranchCache",
    "BranchInUseError",
    "BranchInfo",
    "ChatChatRoutes",
    "ChatRoutesChatMessageHistory",
    "CompareModels",
    "ForeignMessageError",
    "NoRouteError",
    "RouteError",
    "UnsupportedModelError",
]

_WHERE = {
    "AutoBranchRouter": "langchain_chatroutes.router",
    "BranchCache": "langchain_chatroutes.chat_history",
    "BranchInUseError": "langchain_chatroutes.chat_history",
    "BranchInfo": "langchain_chatroutes.chat_history",
    "ChatChatRoutes": "langchain_chatroutes.chat_models",
    "ChatRoutesChatMessageHistory": "langchain_chatroutes.chat_history",
    "CompareModels": "langchain_chatroutes.compare",
    "ForeignMessageError": "langchain_chatroutes.chat_history",
    "NoRouteError": "langchain_chatroutes.router",
    "RouteError": "langchain_chatroutes.router",
    "UnsupportedModelError": "langchain_chatroutes.compare",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        try:
            module = import_module(_WHERE[name])
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.split(".")[0] in {"langchain_core", "langgraph"}:
                raise ImportError(
                    f"{name} needs LangChain: pip install 'chatroutes-integrations[langchain]'"
                ) from exc
            raise
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
