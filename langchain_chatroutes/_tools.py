"""Pure converters between LangChain tool calling and the core tool protocol (``chatroutes_core.tools``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import InvalidToolCall, ToolCall, ToolCallChunk
from langchain_core.utils.function_calling import convert_to_openai_tool

from chatroutes_core import tools as protocol
from chatroutes_core.errors import ChatRoutesError, UsageError

TOOLS_KWARG = "tools"
CHOICE_KWARG = "tool_choice"
PARALLEL_KWARG = "parallel_tool_calls"
UNMET_KEY = "chatroutes_tool_choice_unmet"
"""``response_metadata`` flag: ``tool_choice`` asked for a call and the reply has none (no retry is made)."""


@dataclass(frozen=True)
class BoundTools:
    """The tools bound to one call: their specs, the choice in force, and the system text declaring them."""

    specs: tuple[protocol.ToolSpec, ...]
    choice: str
    parallel: bool | None

    @property
    def names(self) -> frozenset[str]:
        return frozenset(spec.name for spec in self.specs)

    @property
    def system_text(self) -> str:
        """The declaration; duplicate names are refused here, at call time (``bind_tools`` must take them)."""
        return protocol.render_tools_system(self.specs, self.choice, self.parallel)

    def unmet(self, calls: Sequence[object]) -> bool:
        """``tool_choice`` demanded a call (any, or a named one) that the reply does not make."""
        if self.choice in ("auto", "none"):
            return False
        if self.choice == "required":
            return not calls
        return not any(getattr(call, "name", None) == self.choice for call in calls)


@contextmanager
def as_usage_errors() -> Iterator[None]:
    """A plain ``ValueError`` inside (langchain-core's refusal of a bad tool or schema) raised as a
    :class:`~chatroutes_core.UsageError`, which is also a ``ValueError`` (the core protocol raises one)."""
    try:
        yield
    except ChatRoutesError:
        raise
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def format_tools(tools: Sequence[Any], strict: bool | None = None) -> list[dict[str, Any]]:
    """Anything ``langchain-core`` accepts as a tool (functions, ``BaseTool``, pydantic models, dicts).

    Raises:
        UsageError: something that is not a tool (also a ``ValueError``).
    """
    with as_usage_errors():
        return [convert_to_openai_tool(tool, strict=strict) for tool in tools]


def bound_tools(kwargs: Mapping[str, Any]) -> BoundTools | None:
    """The tools a call was bound with (``bind_tools`` puts them in the call's kwargs), or None.

    Raises:
        UsageError: a declaration without a name, or a bad ``tool_choice``.
    """
    formatted = kwargs.get(TOOLS_KWARG)
    if not formatted:
        return None
    specs = tuple(protocol.ToolSpec.from_openai(tool) for tool in formatted)
    choice = protocol.normalize_tool_choice(kwargs.get(CHOICE_KWARG), [spec.name for spec in specs])
    return BoundTools(specs, choice, kwargs.get(PARALLEL_KWARG))


def tool_calls(parsed: protocol.ParsedReply) -> tuple[list[ToolCall], list[InvalidToolCall]]:
    """A parsed reply's calls as LangChain ``tool_calls`` / ``invalid_tool_calls``."""
    valid = [ToolCall(name=c.name, args=c.arguments, id=c.id, type="tool_call") for c in parsed.tool_calls]
    invalid = [
        InvalidToolCall(name=c.name, args=c.arguments, id=c.id, error=c.error, type="invalid_tool_call")
        for c in parsed.invalid_tool_calls
    ]
    return valid, invalid


def call_chunk(event: protocol.ToolCallChunk) -> ToolCallChunk:
    """One streamed call (emitted whole, once its block closed) as a LangChain tool-call chunk."""
    return ToolCallChunk(
        name=event.name, args=event.args, id=event.id, index=event.index, type="tool_call_chunk"
    )


def tool_metadata(metadata: dict[str, Any], tools: BoundTools, calls: Sequence[object]) -> None:
    """Mark a reply's finish reason for its calls, and a ``tool_choice`` it did not meet."""
    if calls:
        metadata["finish_reason"] = "tool_calls"
    if tools.unmet(calls):
        metadata[UNMET_KEY] = True
