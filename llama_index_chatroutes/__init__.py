"""LlamaIndex integration for ChatRoutes: an LLM, a chat store whose keys are branches, and a selector.

Example:
    >>> from llama_index.core import Settings
    >>> from llama_index_chatroutes import ChatRoutes
    >>> Settings.llm = ChatRoutes(model="gpt-5")  # $CHATROUTES_API_KEY, $CHATROUTES_BASE_URL
    >>> Settings.llm.metadata.is_chat_model, Settings.llm.metadata.is_function_calling_model
    (True, True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatroutes_core import errors as core_errors
from chatroutes_core.integration import CORE_ERRORS, install_hint, lazy_exports

if TYPE_CHECKING:
    from chatroutes_core.errors import *  # noqa: F403 - the whole error tree, as its __all__ names it
    from llama_index_chatroutes.chat_store import (
        AppendOnlyError,
        ChatRoutesChatStore,
        ChatRoutesMemoryStore,
    )
    from llama_index_chatroutes.llm import ChatRoutes
    from llama_index_chatroutes.selector import AutoBranchSelector

__all__ = [
    "AppendOnlyError",
    "AutoBranchSelector",
    "ChatRoutes",
    "ChatRoutesChatStore",
    "ChatRoutesMemoryStore",
]
__all__ += core_errors.__all__  # the whole core error tree (CORE_ERRORS)
del core_errors
__all__.sort()

_WHERE = {
    **CORE_ERRORS,
    "AppendOnlyError": "llama_index_chatroutes.chat_store",
    "AutoBranchSelector": "llama_index_chatroutes.selector",
    "ChatRoutes": "llama_index_chatroutes.llm",
    "ChatRoutesChatStore": "llama_index_chatroutes.chat_store",
    "ChatRoutesMemoryStore": "llama_index_chatroutes.chat_store",
}


__getattr__, __dir__ = lazy_exports(
    __name__, _WHERE, {"llama_index"}, f"LlamaIndex: {install_hint('llama-index')}"
)
