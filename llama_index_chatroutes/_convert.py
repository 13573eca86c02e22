"""Pure converters between LlamaIndex messages and the ChatRoutes mapper / core models.

No I/O here: the LLM and the chat stores are thin shells around these functions.

The place of a message in the ChatRoutes tree travels in ``ChatMessage.additional_kwargs["chatroutes"]``: a
:class:`~chatroutes_core.mapper.TreeRef` as a dict of plain strings (so every LlamaIndex chat store can
serialise it): ``conversation_id``, ``branch_id``, ``message_id`` and, on replies and on messages read from a
branch, the digests that prove the list (``digest``, ``base``, ``system_digest``; see
``chatroutes_core.mapper``). A message a chat store holds but has not sent yet carries only a *target*,
``{"conversation_id", "branch_id"?}`` with no ``message_id``: the branch the LLM must send it to.

Tool calls (the ``FunctionCallingLLM`` side) travel as ``ToolCallBlock`` blocks of assistant messages; tool
results are ``MessageRole.TOOL`` messages with ``additional_kwargs["tool_call_id"]``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from chatroutes_core import ConfigurationError, UsageError
from chatroutes_core.mapper import ToolCallTurn, TreeRef, Turn, UnsupportedMessageError
from chatroutes_core.models import Usage

REF_KEY = "chatroutes"

_ROLES: dict[MessageRole, str] = {
    MessageRole.SYSTEM: "system",
    MessageRole.DEVELOPER: "system",
    MessageRole.USER: "user",
    MessageRole.ASSISTANT: "assistant",
    MessageRole.CHATBOT: "assistant",
    MessageRole.MODEL: "assistant",
    MessageRole.TOOL: "tool",
    MessageRole.FUNCTION: "tool",
}


def check_messages(messages: object) -> list[ChatMessage]:
    """The list a chat method was given, if it is ``ChatMessage`` objects; else a ``UsageError`` saying what
    to pass (as LlamaIndex's own LLMs, ``MockLLM`` included, take only ``ChatMessage`` objects)."""
    if isinstance(messages, str | ChatMessage) or not isinstance(messages, Sequence):
        raise UsageError(
            f"chat() takes a list of ChatMessage objects, not a {type(messages).__name__}: pass "
            "[ChatMessage(role='user', content=...)] (from llama_index.core.llms import ChatMessage), or "
            "call complete(text) for a single prompt"
        )
    for position, message in enumerate(messages):
        if not isinstance(message, ChatMessage):
            convert = (
                " (ChatMessage.model_validate(d) converts a dict)" if isinstance(message, Mapping) else ""
            )
            raise UsageError(
                f"message {position} is a {type(message).__name__}, not a ChatMessage: pass "
                f"ChatMessage(role='user', content=...) from llama_index.core.llms{convert}"
            )
    return list(messages)


def ref_of(message: ChatMessage) -> TreeRef | None:
    """The tree reference a message carries, or None when it carries none (or a malformed one)."""
    return TreeRef.from_dict(message.additional_kwargs.get(REF_KEY))


def target_of(message: ChatMessage) -> tuple[str, str | None] | None:
    """The ``(conversation_id, branch_id)`` a not-yet-sent message is meant for (set by a chat store).

    ``branch_id`` None: the conversation's main branch.
    """
    raw = message.additional_kwargs.get(REF_KEY)
    if not isinstance(raw, Mapping) or raw.get("message_id"):
        return None
    conversation_id, branch_id = raw.get("conversation_id"), raw.get("branch_id")
    if not isinstance(conversation_id, str) or not conversation_id:
        return None
    return conversation_id, branch_id if isinstance(branch_id, str) and branch_id else None


def with_target(message: ChatMessage, conversation_id: str, branch_id: str | None) -> ChatMessage:
    """A copy of a pending message marked with the branch it must be sent to."""
    target = {"conversation_id": conversation_id, **({"branch_id": branch_id} if branch_id else {})}
    return message.model_copy(update={"additional_kwargs": {**message.additional_kwargs, REF_KEY: target}})


def text_of(message: ChatMessage) -> str:
    """The message's text; a block other than text, thinking or a tool call is a clear error."""
    for block in message.blocks:
        if not isinstance(block, TextBlock | ToolCallBlock | ThinkingBlock):
            raise UnsupportedMessageError(
                f"ChatRoutes accepts text messages only; got a {type(block).__name__} in a "
                f"{message.role.value} message"
            )
    return "\n".join(block.text for block in message.blocks if isinstance(block, TextBlock))


def role_of(message: ChatMessage) -> str:
    """The mapper role of a LlamaIndex message (``user``, ``assistant``, ``system`` or ``tool``)."""
    return _ROLES[message.role]


def _arguments(raw: dict[str, Any] | str) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        parsed = json.loads(raw) if raw else {}
    except ValueError:
        return {"_raw": raw}
    return parsed if isinstance(parsed, dict) else {"_raw": raw}


def tool_calls_of(message: ChatMessage) -> tuple[ToolCallTurn, ...]:
    """The tool calls an assistant message made (its ``ToolCallBlock`` blocks)."""
    return tuple(
        ToolCallTurn(block.tool_call_id or "", block.tool_name, _arguments(block.tool_kwargs))
        for block in message.blocks
        if isinstance(block, ToolCallBlock)
    )


def message_to_turn(message: ChatMessage, tool_names: dict[str, str] | None = None) -> Turn:
    """One LlamaIndex message as a mapper :class:`Turn` (``tool_names``: tool call id -> name so far)."""
    role = role_of(message)
    text = text_of(message)
    if role == "assistant":
        calls = tool_calls_of(message)
        if tool_names is not None:
            tool_names.update({call.id: call.name for call in calls if call.id})
        return Turn("assistant", text, ref_of(message), calls)
    if role == "tool":
        kwargs = message.additional_kwargs
        call_id = kwargs.get("tool_call_id")
        call_id = call_id if isinstance(call_id, str) else None
        name = kwargs.get("name") or kwargs.get("tool_name") or (tool_names or {}).get(call_id or "")
        return Turn("tool", text, tool_call_id=call_id, name=name if isinstance(name, str) else None,
                    is_error=bool(kwargs.get("is_error")))  # fmt: skip
    return Turn(role, text)


def to_turns(messages: Sequence[ChatMessage]) -> list[Turn]:
    """Convert the whole list (validating every message before anything is sent)."""
    names: dict[str, str] = {}
    return [message_to_turn(message, names) for message in messages]


def openai_tool_calls(tool_calls: Sequence[ToolCallTurn]) -> list[dict[str, Any]]:
    """Tool calls in the OpenAI shape llama-index's streaming object parser reads from
    ``additional_kwargs["tool_calls"]``: ``id``, ``type``, ``function`` (``name``, ``arguments`` as JSON)."""
    return [
        {
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": json.dumps(dict(call.arguments))},
        }
        for call in tool_calls
    ]


def reply_message(text: str, ref: TreeRef | None, tool_calls: Sequence[ToolCallTurn] = ()) -> ChatMessage:
    """The assistant ``ChatMessage`` for a reply, carrying its place in the tree when it has one.

    Tool calls travel twice, as LlamaIndex's own function-calling LLMs carry them: ``ToolCallBlock`` blocks
    (what ``get_tool_calls_from_response`` reads) and ``additional_kwargs["tool_calls"]`` in the OpenAI shape
    (what ``stream_structured_predict``'s parser reads).
    """
    kwargs: dict[str, Any] = {REF_KEY: ref.as_dict()} if ref is not None else {}
    if tool_calls:
        kwargs["tool_calls"] = openai_tool_calls(tool_calls)
    blocks: list[Any] = [TextBlock(text=text)]
    blocks += [
        ToolCallBlock(tool_call_id=call.id, tool_name=call.name, tool_kwargs=dict(call.arguments))
        for call in tool_calls
    ]
    return ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=kwargs)


def reply_turn(message: ChatMessage) -> Turn:
    """The turn a reply we return reads as when the caller passes it back (what its ref seals)."""
    return message_to_turn(message)


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
    """A key for "ChatRoutes generated an assistant reply with exactly this text" (``ReplyMemory``'s keys).

    Not a proof: it only finds, for a chat engine's plain text copy of a reply, the ref the reply was sealed
    with (a fixed-size key instead of the whole text in a bounded map). The proof is that ref's digests,
    computed in one place, ``chatroutes_core.mapper._digest``, which then checks the list as usual.
    """
    return hashlib.sha256(f"assistant\x00{text}".encode()).hexdigest()


def reattach(messages: Sequence[ChatMessage], lookup: Callable[[str], TreeRef | None]) -> list[ChatMessage]:
    """Give assistant messages that lost their ids (a chat engine's text copy of a reply) their tree ref back.

    ``lookup`` maps :func:`reply_digest` of a message's text to the (sealed) ref of the reply the LLM
    generated with exactly that text, or None. Messages with ids, non-assistant messages, messages with tool
    calls and unknown texts are unchanged; the caller's messages are never mutated.
    """
    out: list[ChatMessage] = []
    for message in messages:
        plain = message.additional_kwargs.get(REF_KEY) is None and not tool_calls_of(message)
        if plain and _ROLES.get(message.role) == "assistant":
            ref = lookup(reply_digest(text_of(message)))
            if ref is not None:
                kwargs = {**message.additional_kwargs, REF_KEY: ref.as_dict()}
                message = message.model_copy(update={"additional_kwargs": kwargs})
        out.append(message)
    return out


def usage_dict(usage: Usage | None) -> dict[str, int]:
    """Usage in the shape ``TokenCountingHandler`` reads (``prompt_tokens``/``completion_tokens``)."""
    if usage is None:
        return {}
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    }


_FROM_ROLE = {"user": MessageRole.USER, "assistant": MessageRole.ASSISTANT, "system": MessageRole.SYSTEM}


def turn_to_message(turn: Turn) -> ChatMessage:
    """A turn read back from a branch (``history_turns``) as a ``ChatMessage`` carrying its ref."""
    kwargs = {REF_KEY: turn.ref.as_dict()} if turn.ref is not None else {}
    return ChatMessage(role=_FROM_ROLE.get(turn.role, MessageRole.USER), content=turn.content,
                       additional_kwargs=kwargs)  # fmt: skip


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
