"""Pure converters between LlamaIndex messages and the ChatRoutes mapper / core models.

No I/O here: the LLM and the chat store are thin shells around these functions.

The place of a message in the ChatRoutes tree travels in ``ChatMessage.additional_kwargs["chatroutes"]`` as
``{"conversation_id", "branch_id", "message_id"}`` (plain strings, so every LlamaIndex chat store can
serialise it). The mapper uses it on assistant messages as the *anchor*; the chat store puts it on every
message it reads so it can recognise messages the server already holds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from typing import Any

from llama_index.core.base.llms.types import ChatMessage, MessageRole, TextBlock

from chatroutes_core import ConfigurationError
from chatroutes_core.mapper import TreeRef, Turn, UnsupportedMessageError
from chatroutes_core.models import Message, Usage

REF_KEY = "chatroutes"

#: Set by a ChatRoutes chat store when a read returned an empty branch: ``(conversation_id, branch_id)``.
#: ``CondensePlusContextChatEngine`` reads its memory, calls the LLM, and only then puts the user message in
#: the store, so on a branch's first turn nothing in the LLM's message list says where the turn belongs. An
#: unbound ChatRoutes LLM whose list holds no ids, no store target and no assistant message takes this
#: target once (it is cleared when used, and by the store's next write of a reply).
EMPTY_STORE_READ: ContextVar[tuple[str, str] | None] = ContextVar("chatroutes_empty_store_read", default=None)

_ROLES: dict[MessageRole, str] = {
    MessageRole.SYSTEM: "system",
    MessageRole.DEVELOPER: "system",
    MessageRole.USER: "user",
    MessageRole.ASSISTANT: "assistant",
    MessageRole.CHATBOT: "assistant",
    MessageRole.MODEL: "assistant",
}


def ref_of(message: ChatMessage) -> TreeRef | None:
    """The tree reference a message carries, or None when it carries none (or a malformed one)."""
    raw = message.additional_kwargs.get(REF_KEY)
    return TreeRef.from_dict(dict(raw)) if isinstance(raw, Mapping) else None


def target_of(message: ChatMessage) -> tuple[str, str] | None:
    """The ``(conversation_id, branch_id)`` a not-yet-sent message is meant for (set by the chat store)."""
    raw = message.additional_kwargs.get(REF_KEY)
    if not isinstance(raw, Mapping) or raw.get("message_id"):
        return None
    conversation_id, branch_id = raw.get("conversation_id"), raw.get("branch_id")
    if isinstance(conversation_id, str) and conversation_id and isinstance(branch_id, str) and branch_id:
        return conversation_id, branch_id
    return None


def text_of(message: ChatMessage) -> str:
    """The message's text; any non-text block is a clear error (the API takes text only)."""
    for block in message.blocks:
        if not isinstance(block, TextBlock):
            raise UnsupportedMessageError(
                f"ChatRoutes accepts text messages only; got a {type(block).__name__} in a "
                f"{message.role.value} message"
            )
    return message.content or ""


def role_of(message: ChatMessage) -> str:
    """The ChatRoutes role of a LlamaIndex message; tool and function messages are rejected."""
    role = _ROLES.get(message.role)
    if role is None:
        raise UnsupportedMessageError(
            f"ChatRoutes has no tool calling, so a {message.role.value!r} message cannot be sent "
            "(ChatRoutes is not a function-calling model: is_function_calling_model=False)"
        )
    return role


def to_turns(messages: Sequence[ChatMessage]) -> list[Turn]:
    """Convert a LlamaIndex message list into mapper turns (assistant messages keep their tree ref)."""
    turns: list[Turn] = []
    for message in messages:
        role = role_of(message)
        ref = ref_of(message) if role == "assistant" else None
        turns.append(Turn(role=role, content=text_of(message), ref=ref))
    return turns


def is_turn_prompt(templates: Sequence[ChatMessage]) -> bool:
    """Whether a prompt template is a user's conversation turn rather than a helper prompt.

    ``ContextChatEngine`` and ``CondensePlusContextChatEngine`` answer through a response synthesizer, i.e.
    through ``LLM.predict``/``stream``, with a chat template built by LlamaIndex's
    ``get_prefix_messages_with_context``: ``[system (context), *chat history, user "{query_str}"]``, the
    last message being the user's own words. A template ending that way, or holding messages ChatRoutes
    stores (ids or a chat store's target), is a turn; every other template (query-engine QA and refine
    prompts, condense-question prompts, selector prompts) is a side call.
    """
    if not templates:
        return False
    last = templates[-1]
    if last.role == MessageRole.USER and (last.content or "").strip() == "{query_str}":
        return True
    return any(isinstance(m.additional_kwargs.get(REF_KEY), Mapping) for m in templates)


def reply_digest(text: str) -> str:
    """A key for "ChatRoutes generated an assistant reply with exactly this text"."""
    return hashlib.sha256(f"assistant\x00{text}".encode()).hexdigest()


def reattach(messages: Sequence[ChatMessage], lookup: Callable[[str], TreeRef | None]) -> list[ChatMessage]:
    """Give assistant messages that lost their ids (a chat engine's text copy of a reply) their tree ref back.

    ``lookup`` maps :func:`reply_digest` of a message's text to the ref of the reply the LLM generated with
    exactly that text (or None). Messages with ids, non-assistant messages and unknown texts are unchanged.
    """
    out: list[ChatMessage] = []
    for message in messages:
        if message.additional_kwargs.get(REF_KEY) is None and _ROLES.get(message.role) == "assistant":
            ref = lookup(reply_digest(text_of(message)))
            if ref is not None:
                kwargs = {**message.additional_kwargs, REF_KEY: ref.as_dict()}
                message = message.model_copy(update={"additional_kwargs": kwargs})
        out.append(message)
    return out


def system_digest(conversation_id: str, text: str) -> str:
    """A key for "this system text was already sent into this conversation"."""
    return hashlib.sha256(f"{conversation_id}\x00{text}".encode()).hexdigest()


def relocate_system(
    turns: Sequence[Turn], conversation_id: str | None, already_sent: set[str]
) -> tuple[list[Turn], list[str]]:
    """Move system turns that the target conversation has not seen to the new turn.

    The mapper sends only what follows the anchor (or, on a bound branch, the trailing user turn). A chat
    engine puts its system prompt *first*, before the history: ``SimpleChatEngine`` repeats the same prompt
    every turn (already on the server after the first), while ``CondensePlusContextChatEngine`` puts a fresh
    retrieved context there on every turn (never on the server). A system turn before the cut whose text was
    not sent into ``conversation_id`` yet is moved just before the trailing user turn, where the mapper
    renders it inline; one already sent is left where it is (and so not sent again).

    Returns the new turn list and the digests of the system texts that will now be sent.
    """
    if conversation_id is None:
        return list(turns), []
    cut = _cut_index(turns)
    if cut is None:
        return list(turns), []
    moved: list[Turn] = []
    kept: list[Turn] = []
    digests: list[str] = []
    for turn in turns[:cut]:
        digest = system_digest(conversation_id, turn.content) if turn.role == "system" else None
        if digest is not None and digest not in already_sent and turn.content.strip():
            moved.append(turn)
            digests.append(digest)
        else:
            kept.append(turn)
    tail = list(turns[cut:])
    start = len(tail)
    while start > 0 and tail[start - 1].role == "user":
        start -= 1
    return [*kept, *tail[:start], *moved, *tail[start:]], digests


def _cut_index(turns: Sequence[Turn]) -> int | None:
    """Index just after the anchor, or after the last assistant turn; None when there is none."""
    last_assistant = None
    for index in range(len(turns) - 1, -1, -1):
        if turns[index].role == "assistant":
            if turns[index].ref is not None:
                return index + 1
            if last_assistant is None:
                last_assistant = index + 1
    return last_assistant


def reply_message(text: str, ref: TreeRef | None) -> ChatMessage:
    """The assistant ``ChatMessage`` for a reply, carrying its place in the tree when it has one."""
    kwargs: dict[str, Any] = {REF_KEY: ref.as_dict()} if ref is not None else {}
    return ChatMessage(role=MessageRole.ASSISTANT, content=text, additional_kwargs=kwargs)


def usage_dict(usage: Usage | None) -> dict[str, int]:
    """Usage in the shape ``TokenCountingHandler`` reads (``prompt_tokens``/``completion_tokens``)."""
    if usage is None:
        return {}
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    }


def from_core_message(message: Message, conversation_id: str, branch_id: str) -> ChatMessage:
    """A stored ChatRoutes message as a LlamaIndex ``ChatMessage`` carrying its tree ref.

    ``branch_id`` is the branch the message was read through (an inherited message at a fork point anchors
    the new branch, not its parent).
    """
    role = {
        "user": MessageRole.USER,
        "assistant": MessageRole.ASSISTANT,
        "system": MessageRole.SYSTEM,
    }.get(str(message.role), MessageRole.USER)
    ref = {"conversation_id": conversation_id, "branch_id": branch_id, "message_id": message.id}
    return ChatMessage(role=role, content=message.content, additional_kwargs={REF_KEY: ref})


def parse_key(key: str) -> tuple[str, str | None]:
    """Split a chat-store key ``conversation_id`` or ``conversation_id:branch_id``; bad keys are errors."""
    if not isinstance(key, str) or not key.strip():
        raise ConfigurationError(
            "a ChatRoutes chat-store key must be 'conversation_id' or 'conversation_id:branch_id'"
        )
    conversation_id, sep, branch_id = key.partition(":")
    if not conversation_id or (sep and not branch_id) or ":" in branch_id:
        raise ConfigurationError(
            f"bad ChatRoutes chat-store key {key!r}: "
            "expected 'conversation_id' or 'conversation_id:branch_id'"
        )
    return conversation_id, (branch_id or None)


def make_key(conversation_id: str, branch_id: str | None) -> str:
    """The chat-store key for a conversation (main branch) or one of its branches."""
    return f"{conversation_id}:{branch_id}" if branch_id else conversation_id
