"""The LlamaIndex adapter's errors: the core tree's ``ForeignMessageError``, plus ``AppendOnlyError``; both
are ``UsageError``s (``ChatRoutesError`` and ``ValueError``), raised before anything is changed."""

from __future__ import annotations

from chatroutes_core import ForeignMessageError, UsageError

__all__ = ["PAIRING_HINT", "SIDE_CALL_HINT", "AppendOnlyError", "ForeignMessageError"]

PAIRING_HINT = (
    "ChatRoutes generates and stores assistant replies itself, so a chat store keyed by a ChatRoutes branch "
    "cannot store a reply generated elsewhere. Use the ChatRoutes LLM (llama_index_chatroutes.ChatRoutes) as "
    "the chat engine's llm: the user messages this store returns carry their target branch, so the LLM "
    "writes the turn and its reply there, and its reply is recognised as already stored."
)

SIDE_CALL_HINT = (
    "This reply is the answer of a ChatRoutes side call: a query engine's or a helper prompt's answer, which "
    "never lands on a user's branch (see the side-call policy in docs/llama_index.md). "
    "CondenseQuestionChatEngine (chat_mode='condense_question') answers that way, so its memory cannot live "
    "on a ChatRoutes branch: use chat_mode='condense_plus_context' (its answers are turns on the branch), "
    "or keep that engine's memory in another chat store "
    "(llama_index.core.storage.chat_store.SimpleChatStore)."
)


class AppendOnlyError(UsageError):
    """The operation would remove or rewrite messages stored on an append-only ChatRoutes branch."""
