"""Tool calling for ``ChatRoutes`` (a ``FunctionCallingLLM``) over the ``<tool_call>`` prompt protocol.

The ChatRoutes API has no native tools, so the protocol of ``chatroutes_core.tools`` carries them:

* ``chat_with_tools`` (and its async / streaming twins, ``predict_and_call``, ``FunctionAgent``) passes the
  tools to ``chat`` as OpenAI-format dicts (``tools=``), with ``tool_choice`` and ``parallel_tool_calls``; the
  LLM declares them as system text (:func:`~chatroutes_core.tools.render_tools_system`). System text is
  proven by its digest like any other, so a declaration is sent once per branch and again only when the
  tools (or the choice) change.
* A reply's ``<tool_call>`` blocks become ``ToolCallBlock`` blocks of the returned message (ids derived from
  the ChatRoutes message id and the block's position); the text around them is the message's text.
  Blocks that do not parse, or name an undeclared tool, are listed in
  ``additional_kwargs["invalid_tool_calls"]`` and never raise.
* Tool results (``MessageRole.TOOL`` messages with ``additional_kwargs["tool_call_id"]``) become the next
  user turn, one ``<tool_response>`` block per result: one request per agent step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole
from llama_index.core.llms.llm import ToolSelection

from chatroutes_core.mapper import ToolCallTurn, Turn
from chatroutes_core.tools import ToolSpec, parse_reply, render_tools_system
from llama_index_chatroutes import _convert

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

__all__ = ["Declaration", "Shown", "declaration", "prepare_chat_with_tools", "shown", "tool_selections"]


@dataclass(frozen=True)
class Declaration:
    """The tools of one call: the system turn that declares them, and their names (for parsing)."""

    turn: Turn
    names: frozenset[str]


@dataclass(frozen=True)
class Shown:
    """A reply as the caller receives it: its text and its tool calls (what the ref is sealed over)."""

    text: str
    tool_calls: tuple[ToolCallTurn, ...] = ()
    invalid: tuple[dict[str, Any], ...] = ()

    @property
    def turn(self) -> Turn:
        return Turn("assistant", self.text, tool_calls=self.tool_calls)


def declaration(kwargs: Mapping[str, Any]) -> Declaration | None:
    """The declaration for a ``chat(..., tools=[...])`` call, or None (no tools: plain chat)."""
    raw = kwargs.get("tools")
    if not raw:
        return None
    specs = [t if isinstance(t, ToolSpec) else ToolSpec.from_openai(t) for t in raw]
    choice = kwargs.get("tool_choice") or "auto"
    text = render_tools_system(specs, choice, kwargs.get("parallel_tool_calls"))
    return Declaration(Turn("system", text), frozenset(spec.name for spec in specs))


def shown(text: str, message_id: str, tools: Declaration | None) -> Shown:
    """The reply's text and calls (with no tools declared, the text is shown exactly as stored)."""
    if tools is None:
        return Shown(text)
    parsed = parse_reply(text, message_id, tools.names)
    calls = tuple(ToolCallTurn(call.id, call.name, call.arguments) for call in parsed.tool_calls)
    invalid = tuple(
        {"id": bad.id, "name": bad.name, "arguments": bad.arguments, "error": bad.error}
        for bad in parsed.invalid_tool_calls
    )
    return Shown(parsed.text, calls, invalid)


def _spec(tool: BaseTool) -> dict[str, Any]:
    return tool.metadata.to_openai_tool(skip_length_check=True)


def prepare_chat_with_tools(
    tools: Sequence[BaseTool],
    user_msg: str | ChatMessage | None,
    chat_history: list[ChatMessage] | None,
    allow_parallel_tool_calls: bool,
    tool_required: bool,
    tool_choice: Any,
    kwargs: dict[str, Any],
) -> dict[str, Any]:
    """The keyword arguments of ``chat`` for a ``chat_with_tools`` call."""
    messages = list(chat_history or [])
    if isinstance(user_msg, str):
        user_msg = ChatMessage(role=MessageRole.USER, content=user_msg)
    if user_msg is not None:
        messages.append(user_msg)
    if tool_choice is None:
        tool_choice = "required" if tool_required and tools else "auto"
    return {
        "messages": messages,
        "tools": [_spec(tool) for tool in tools] or None,
        "tool_choice": tool_choice if tools else None,
        "parallel_tool_calls": allow_parallel_tool_calls if tools else None,
        **kwargs,
    }


def tool_selections(response: ChatResponse, error_on_no_tool_call: bool) -> list[ToolSelection]:
    """The tool calls of a reply as LlamaIndex ``ToolSelection`` objects."""
    calls = _convert.tool_calls_of(response.message)
    if not calls and error_on_no_tool_call:
        raise ValueError(f"Expected at least one tool call, but got {len(calls)} tool calls.")
    return [ToolSelection(tool_id=c.id, tool_name=c.name, tool_kwargs=dict(c.arguments)) for c in calls]
