"""Pure converters between LangChain messages and the core mapper's types (no I/O; tested offline)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.messages.ai import UsageMetadata

from chatroutes_core.mapper import ToolCallTurn, TreeRef, Turn, UnsupportedMessageError
from chatroutes_core.models import Message, Usage

PROVIDER = "chatroutes"
METADATA_KEY = "chatroutes"
CONVERSATION_KEY = "chatroutes_conversation_id"
BRANCH_KEY = "chatroutes_branch_id"
"""The run config's ``configurable`` keys that bind ``ChatChatRoutes`` to a branch (DESIGN.md point 6):
names of our own, because generic ones (``conversation_id``, ``thread_id``) belong to other code."""
_CHAT_ROLES = {
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "ai": "assistant",
    "system": "system",
}


_CALL_BLOCKS = frozenset({"tool_use", "tool_call", "tool_call_chunk", "function_call", "server_tool_call"})
"""Content blocks of an AI message that repeat its ``tool_calls`` (its text is the rest)."""


def content_text(content: str | list[Any], *, skip: frozenset[str] = frozenset()) -> str:
    """The text of a message's content; any other block (except ``skip`` types) raises
    :class:`UnsupportedMessageError`."""
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text" and isinstance(block.get("text"), str):
            parts.append(block["text"])
        elif isinstance(block, dict) and block.get("type") in skip:
            continue
        else:
            kind = block.get("type") if isinstance(block, dict) else type(block).__name__
            raise UnsupportedMessageError(
                f"ChatRoutes takes text only; got a {kind!r} content block (no image, audio or file input)"
            )
    return "".join(parts)


def ref_of(message: BaseMessage) -> TreeRef | None:
    """The tree position stored on an assistant message we returned, if any."""
    return TreeRef.from_dict(message.response_metadata.get(METADATA_KEY))


def _tool_result_text(content: str | list[Any]) -> str:
    """A tool result's text: plain text as is, any other block list as JSON (results are data)."""
    try:
        return content_text(content)
    except UnsupportedMessageError:
        return json.dumps(content, ensure_ascii=False, default=str)


def message_to_turn(message: BaseMessage, tool_names: dict[str, str] | None = None) -> Turn:
    """One LangChain message as a mapper :class:`Turn` (``tool_names``: tool call id -> tool name so far)."""
    if isinstance(message, HumanMessage):
        return Turn("user", content_text(message.content))
    if isinstance(message, AIMessage):
        calls = tuple(
            ToolCallTurn(call.get("id") or "", call["name"], call.get("args") or {})
            for call in message.tool_calls
        )
        if tool_names is not None:
            tool_names.update({call.id: call.name for call in calls if call.id})
            for invalid in message.invalid_tool_calls:
                if invalid.get("id") and invalid.get("name"):
                    tool_names[str(invalid["id"])] = str(invalid["name"])
        return Turn("assistant", content_text(message.content, skip=_CALL_BLOCKS), ref_of(message), calls)
    if isinstance(message, SystemMessage):
        return Turn("system", content_text(message.content))
    if isinstance(message, ToolMessage):
        name = message.name or (tool_names or {}).get(message.tool_call_id)
        return Turn("tool", _tool_result_text(message.content), tool_call_id=message.tool_call_id, name=name,
                    is_error=message.status == "error")  # fmt: skip
    if isinstance(message, ChatMessage) and message.role.lower() in _CHAT_ROLES:
        return Turn(_CHAT_ROLES[message.role.lower()], content_text(message.content))
    raise UnsupportedMessageError(
        f"ChatRoutes takes user, assistant, system and tool messages only; got a {message.type!r} message"
    )


def messages_to_turns(messages: Sequence[BaseMessage]) -> list[Turn]:
    """Convert a whole list (validating every message before anything is sent)."""
    names: dict[str, str] = {}
    return [message_to_turn(message, names) for message in messages]


def reply_turn(message: AIMessage) -> Turn:
    """The turn a reply we return will be read as when the caller passes it back (what its ref seals)."""
    return message_to_turn(message)


def usage_metadata(usage: Usage) -> UsageMetadata:
    """ChatRoutes usage as LangChain ``usage_metadata``."""
    total = usage.total_tokens or usage.prompt_tokens + usage.completion_tokens
    return UsageMetadata(
        input_tokens=usage.prompt_tokens, output_tokens=usage.completion_tokens, total_tokens=total
    )


def reply_metadata(ref: TreeRef, model: str | None, finish_reason: str) -> dict[str, Any]:
    """``response_metadata`` of a reply: its tree position, the resolved model, why it finished."""
    return {
        METADATA_KEY: ref.as_dict(),
        "model_name": model or "",
        "model_provider": PROVIDER,
        "finish_reason": finish_reason,
    }


def reply_to_message(
    ref: TreeRef,
    message: Message,
    usage: Usage,
    model: str | None,
    *,
    text: str,
    stopped: bool,
) -> AIMessage:
    """The reply as an ``AIMessage`` whose ``id`` is the ChatRoutes message id (``ref`` not yet sealed)."""
    metadata = reply_metadata(ref, model or message.model, _finish_reason(message, stopped))
    return AIMessage(
        content=text, id=message.id, response_metadata=metadata, usage_metadata=usage_metadata(usage)
    )


def with_ref(message: AIMessage, ref: TreeRef) -> AIMessage:
    """``message`` with its ref replaced (sealed over the message as the caller receives it)."""
    message.response_metadata[METADATA_KEY] = ref.as_dict()
    return message


def last_chunk(
    ref: TreeRef, message: Message, usage: Usage, model: str | None, *, text: str, stopped: bool
) -> AIMessageChunk:
    """The final stream chunk: the held-back text, ids, usage, model and finish reason, all once."""
    return AIMessageChunk(
        content=text,
        id=message.id,
        response_metadata=reply_metadata(ref, model or message.model, _finish_reason(message, stopped)),
        usage_metadata=usage_metadata(usage),
        chunk_position="last",
    )


def _finish_reason(message: Message, stopped: bool) -> str:
    if stopped:
        return "stop"
    reason = message.metadata.get("finish_reason") or message.metadata.get("finishReason")
    return reason if isinstance(reason, str) and reason else "stop"


def apply_stop(text: str, stop: Sequence[str] | None) -> tuple[str, bool]:
    """Cut ``text`` before the first stop sequence to complete: ``(text, stopped)``.

    "First to complete" (earliest end, then earliest start) is what a streaming reader sees, so ``invoke``
    and ``stream`` cut overlapping stop sequences the same way.
    """
    found = [(index + len(s), index) for s in stop or () if s and (index := text.find(s)) >= 0]
    return (text[: min(found)[1]], True) if found else (text, False)


class StopScanner:
    """Applies stop sequences to a stream of text pieces, holding back only a possible partial match.

    ``feed`` returns the text that is safe to emit; ``flush`` the held-back rest when the stream ends.
    Nothing at or after a stop sequence is ever returned, even when it arrives split across pieces.
    """

    def __init__(self, stop: Sequence[str] | None) -> None:
        self.stop = [s for s in stop or () if s]
        self.stopped = False
        self.emitted = ""
        """Everything :meth:`feed` has returned so far."""
        self._held = ""

    def feed(self, piece: str) -> str:
        if self.stopped:
            return ""
        buffer = self._held + piece
        text, self.stopped = apply_stop(buffer, self.stop)
        if self.stopped:
            self._held = ""
        else:
            keep = self._partial_suffix(buffer)
            self._held = buffer[len(buffer) - keep :] if keep else ""
            text = buffer[: len(buffer) - keep]
        self.emitted += text
        return text

    def flush(self) -> str:
        held, self._held = self._held, ""
        return "" if self.stopped else held

    def _partial_suffix(self, buffer: str) -> int:
        """Length of the longest suffix of ``buffer`` that is a proper prefix of some stop sequence."""
        best = 0
        for stop in self.stop:
            for size in range(min(len(stop) - 1, len(buffer)), best, -1):
                if buffer.endswith(stop[:size]):
                    best = size
                    break
        return best


def instruction_turn(turns: Sequence[Turn], instruction: str) -> Turn:
    """A format instruction as a turn of the list (docs/ARCHITECTURE.md, "A list that ends with a reply").

    Normally system text, sent at the end of the new turn. When the list ends with an assistant message
    (structured post-processing of an agent's answer) there is no new turn to carry it, so the instruction
    is the new turn: a user message of its own, rendered like inline system text.
    """
    last = next((turn for turn in reversed(turns) if turn.role != "system"), None)
    if last is not None and last.role == "assistant":
        return Turn("user", f"[system] {instruction}")
    return Turn("system", instruction)


def json_instruction(schema: dict[str, Any] | None, *, after_tools: bool = False) -> str:
    """The system instruction used for structured output (the API has no JSON mode or tools).

    ``after_tools``: tools are bound too, so the instruction applies to the final answer only.
    """
    lead = "When you answer without calling a tool, reply" if after_tools else "Reply"
    if schema is None:
        return f"{lead} with one JSON object only: no prose, no code fences."
    return (
        f"{lead} with one JSON object only (no prose, no code fences) that conforms to this JSON schema:\n"
        + json.dumps(schema, sort_keys=True)
    )
