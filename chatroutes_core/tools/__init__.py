"""Tool calling over a tool-less API: the ``<tools>`` / ``<tool_call>`` / ``<tool_response>`` protocol (pure).

The ChatRoutes API has no native tools; the models behind it follow a prompt protocol, the Hermes/Qwen
convention (``docs/tools.md`` has a complete exchange):

* **Declaring.** :func:`render_tools_system` renders the system text: one OpenAI-format function object per
  line inside ``<tools>`` … ``</tools>``, the instructions, and the ``tool_choice`` in force.
  :func:`find_tools_declaration` recognises such a text inside stored message content.
* **Calling.** The model answers with ``<tool_call>\\n{"name": …, "arguments": {…}}\\n</tool_call>`` blocks;
  several blocks are parallel calls. :func:`parse_reply` splits a reply into text, :class:`ToolCall` and
  :class:`InvalidToolCall` (never raises); :class:`ToolStreamParser` does the same incrementally.
* **Results.** The next user turn is one ``<tool_response>`` block per result, in call order
  (:func:`render_tool_results`; read back with :func:`parse_tool_results` / :func:`split_tool_results`).
* **Ids.** :func:`tool_call_id` derives a call's id from the ChatRoutes message id and the block's position,
  so reading a branch back yields the same ids.

The text rule: a reply's text is what remains when every block is cut out together with the whitespace that
follows it; whitespace left between the start of the reply and a leading block, or between a trailing block
and the end, is dropped. A reply without a block keeps its text exactly. A block runs to the first
``</tool_call>`` (our renderings escape ``</`` inside JSON as ``<\\/``); a block still open at the end of the
reply runs to the end and is parsed like any other (valid when its JSON is a complete call).

Example:
    >>> spec = ToolSpec("get_weather", "Weather in a city.", {"type": "object", "properties": {}})
    >>> system_text = render_tools_system([spec], tool_choice="auto")
    >>> call = '{"name": "get_weather", "arguments": {"city": "Paris"}}'
    >>> reply = parse_reply(
    ...     f"Checking.\\n<tool_call>\\n{call}\\n</tool_call>",
    ...     message_id="msg_1",
    ...     declared_names={"get_weather"},
    ... )
    >>> reply.text, reply.tool_calls[0].name, reply.tool_calls[0].arguments
    ('Checking.', 'get_weather', {'city': 'Paris'})
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._exceptions import UsageError
from ._calls import (
    CALL_CLOSE,
    CALL_OPEN,
    InvalidToolCall,
    ParsedReply,
    StreamEvent,
    TextChunk,
    ToolCall,
    ToolCallChunk,
    ToolStreamParser,
    _dump,
    _loads,
    collect_events,
    parse_call,
    parse_reply,
    render_tool_calls,
    tool_call_id,
)

__all__ = [
    "CALL_CLOSE",
    "CALL_OPEN",
    "RESPONSE_CLOSE",
    "RESPONSE_OPEN",
    "InvalidToolCall",
    "ParsedReply",
    "StreamEvent",
    "TextChunk",
    "ToolCall",
    "ToolCallChunk",
    "ToolDeclaration",
    "ToolResult",
    "ToolSpec",
    "ToolStreamParser",
    "collect_events",
    "find_tools_declaration",
    "normalize_tool_choice",
    "parse_call",
    "parse_reply",
    "parse_tool_results",
    "render_tool_calls",
    "render_tool_results",
    "render_tools_system",
    "split_tool_results",
    "tool_call_id",
]

RESPONSE_OPEN = "<tool_response>"
RESPONSE_CLOSE = "</tool_response>"

# --- the objects ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ToolSpec:
    """One declared tool: a name, a description and a JSON schema for its arguments.

    Example:
        >>> ToolSpec.from_openai({"type": "function", "function": {"name": "now"}}).to_openai()["function"]
        {'name': 'now', 'description': '', 'parameters': {'type': 'object', 'properties': {}}}
    """

    name: str
    description: str = ""
    parameters: dict[str, Any] = field(
        default_factory=lambda: {"type": "object", "properties": {}}, hash=False
    )

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise UsageError(f"a tool needs a non-empty name, got {self.name!r}")
        if not isinstance(self.parameters, dict):
            raise UsageError(f"tool {self.name!r}: parameters must be a JSON schema object")

    @classmethod
    def from_openai(cls, schema: Mapping[str, Any]) -> ToolSpec:
        """Build from ``{"type": "function", "function": {...}}`` or a bare function dict.

        Raises:
            UsageError: ``schema`` is not a function declaration.
        """
        function = schema.get("function", schema) if schema.get("type") == "function" else schema
        if not isinstance(function, Mapping) or "name" not in function:
            raise UsageError(f"not an OpenAI function declaration: {dict(schema)!r}")
        parameters = function.get("parameters")
        return cls(
            name=function["name"],
            description=function.get("description") or "",
            parameters=dict(parameters) if parameters else {"type": "object", "properties": {}},
        )

    def to_openai(self) -> dict[str, Any]:
        """The OpenAI function format, as declared inside ``<tools>``."""
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters},
        }


@dataclass(frozen=True)
class ToolResult:
    """The result of one call, sent back inside a ``<tool_response>`` block."""

    tool_call_id: str
    name: str
    content: str
    is_error: bool = False


@dataclass(frozen=True)
class ToolDeclaration:
    """A ``<tools>`` declaration found in stored text.

    ``text[start:end]`` is the whole rendered system text when it is exactly what
    :func:`render_tools_system` gives for these values (the usual case), otherwise just the
    ``<tools>`` … ``</tools>`` block.
    """

    tools: tuple[ToolSpec, ...]
    tool_choice: str
    parallel_tool_calls: bool | None
    start: int
    end: int

    @property
    def names(self) -> frozenset[str]:
        """The declared tool names (pass as ``declared_names`` to :func:`parse_reply`)."""
        return frozenset(spec.name for spec in self.tools)


# --- declaring ---------------------------------------------------------------------------------------------

_KEYWORD_CHOICES = ("auto", "none", "required")
_CHOICE_TEXT = {
    "auto": "call a function when it helps; otherwise answer in plain text.",
    "none": "do not call any function now; answer in plain text.",
    "required": "your reply must call at least one function.",
}
_HEADER = "# Tools\n\n"
_INSTRUCTIONS = (
    "For each function call, return a json object with function name and arguments within "
    "<tool_call></tool_call> XML tags:\n"
    "<tool_call>\n"
    '{"name": <function-name>, "arguments": <args-json-object>}\n'
    "</tool_call>\n\n"
    "Tool results come back in the next user turn, one <tool_response></tool_response> block per call, "
    "in the order of the calls."
)


def normalize_tool_choice(choice: object, names: Collection[str]) -> str:
    """Reduce a framework's ``tool_choice`` to ``"auto"``, ``"none"``, ``"required"`` or a tool name.

    Accepts ``None`` (auto), ``"any"`` (required), ``True`` (required), ``False`` (none), a declared name,
    and the dict forms ``{"type": "function", "function": {"name": n}}``, ``{"type": "tool", "name": n}``,
    ``{"name": n}`` and ``{"type": "auto" | "any" | "none" | "required"}``.

    Raises:
        UsageError: an unknown choice, a name that is not declared, or a required call with no tools.

    Example:
        >>> normalize_tool_choice("any", ["search"]), normalize_tool_choice({"name": "search"}, ["search"])
        ('required', 'search')
    """
    result: object = choice
    if choice is None:
        result = "auto"
    elif isinstance(choice, bool):
        result = "required" if choice else "none"
    elif isinstance(choice, Mapping):
        function = choice.get("function")
        if isinstance(function, Mapping) and "name" in function:
            result = function["name"]
        elif "name" in choice:
            result = choice["name"]
        else:
            result = choice.get("type")
    if result == "any":
        result = "required"
    if not isinstance(result, str) or (result not in _KEYWORD_CHOICES and result not in names):
        raise UsageError(
            f"tool_choice {choice!r} is not 'auto', 'none', 'required', 'any' or a declared tool "
            f"({', '.join(sorted(names)) or 'none declared'})"
        )
    if result == "required" and not names:
        raise UsageError("tool_choice 'required' needs at least one tool")
    return result


def render_tools_system(
    tools: Iterable[ToolSpec | Mapping[str, Any]],
    tool_choice: object = "auto",
    parallel_tool_calls: bool | None = None,
) -> str:
    """The system text that declares ``tools`` (deterministic: the same input gives the same text).

    Args:
        tools: :class:`ToolSpec` objects or OpenAI-format dicts, in the order to declare them.
        tool_choice: anything :func:`normalize_tool_choice` accepts.
        parallel_tool_calls: ``False`` asks for at most one call per reply; ``None`` says nothing.

    Raises:
        UsageError: a duplicate tool name or a bad ``tool_choice``.
    """
    specs = [tool if isinstance(tool, ToolSpec) else ToolSpec.from_openai(tool) for tool in tools]
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise UsageError(f"duplicate tool names: {names}")
    choice = normalize_tool_choice(tool_choice, names)
    lines = [
        _HEADER + "You may call one or more functions to assist with the user query.\n",
        "You are provided with function signatures within <tools></tools> XML tags:",
        "<tools>",
        *(_dump(spec.to_openai()) for spec in specs),
        "</tools>\n",
        _INSTRUCTIONS,
        f"tool_choice: {json.dumps(choice)} - "
        + _CHOICE_TEXT.get(choice, f"your reply must call the function {choice}."),
    ]
    if parallel_tool_calls is not None:
        lines.append(
            "parallel_tool_calls: true - you may call several functions at once, one block each."
            if parallel_tool_calls
            else "parallel_tool_calls: false - call at most one function per reply."
        )
    return "\n".join(lines)


_TOOLS_BLOCK = re.compile(r"^<tools>\n(.*?)^</tools>$", re.M | re.S)
_CHOICE_LINE = re.compile(r'^tool_choice: ("(?:[^"\\\n]|\\.)*")', re.M)
_PARALLEL_LINE = re.compile(r"^parallel_tool_calls: (true|false) - ", re.M)


def find_tools_declaration(text: str) -> ToolDeclaration | None:
    """The last ``<tools>`` declaration in ``text`` (e.g. a stored user message), or ``None``.

    Lines inside the block that are not function declarations are skipped. ``tool_choice`` and
    ``parallel_tool_calls`` are read from the lines :func:`render_tools_system` writes (``"auto"`` and
    ``None`` when absent).
    """
    match = None
    for match in _TOOLS_BLOCK.finditer(text):  # noqa: B007 - the last one counts
        pass
    if match is None:
        return None
    specs: list[ToolSpec] = []
    for line in match.group(1).split("\n"):  # not splitlines(): JSON may hold a raw U+2028
        try:
            specs.append(ToolSpec.from_openai(_loads(line)))
        except (ValueError, TypeError, AttributeError):
            continue
    tail = text[match.end() : match.end() + 2000]
    choice = "auto"
    choice_match = _CHOICE_LINE.search(tail)
    if choice_match:
        try:
            choice = json.loads(choice_match.group(1))
        except ValueError:
            choice = "auto"
    parallel_match = _PARALLEL_LINE.search(tail)
    parallel = None if parallel_match is None else parallel_match.group(1) == "true"
    start, end = match.start(), match.end()
    header = text.rfind(_HEADER, 0, start)
    if header >= 0:
        try:
            rendered = render_tools_system(specs, choice, parallel)
        except ValueError:
            rendered = None
        if rendered is not None and text.startswith(rendered, header):
            start, end = header, header + len(rendered)
    return ToolDeclaration(tuple(specs), choice, parallel, start, end)


# --- results -------------------------------------------------------------------------------------------


def render_tool_results(results: Sequence[ToolResult]) -> str:
    """The user turn that returns ``results``: one ``<tool_response>`` block each, in the given order.

    A failed tool's block carries ``"is_error": true`` after the three protocol keys.

    Raises:
        UsageError: ``results`` is empty.
    """
    if not results:
        raise UsageError("no tool results to send")
    blocks = []
    for result in results:
        body: dict[str, Any] = {
            "name": result.name,
            "tool_call_id": result.tool_call_id,
            "content": result.content,
        }
        if result.is_error:
            body["is_error"] = True
        blocks.append(f"{RESPONSE_OPEN}\n{_dump(body)}\n{RESPONSE_CLOSE}")
    return "\n".join(blocks)


def _result_from(raw: str) -> ToolResult | None:
    try:
        body = _loads(raw)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    content = body.get("content", "")
    return ToolResult(
        tool_call_id=str(body.get("tool_call_id") or ""),
        name=str(body.get("name") or ""),
        content=content if isinstance(content, str) else _dump(content),
        is_error=body.get("is_error") is True,
    )


def split_tool_results(text: str) -> tuple[list[ToolResult], str]:
    """The ``<tool_response>`` blocks that open ``text``, and the text after them.

    Reading stops at the first block that does not parse; with no block read, the rest is ``text``.
    Content that is not a string (another producer's JSON) comes back as its JSON text.
    """
    results: list[ToolResult] = []
    rest = text.lstrip()
    while rest.startswith(RESPONSE_OPEN):
        end = rest.find(RESPONSE_CLOSE)
        result = _result_from(rest[len(RESPONSE_OPEN) : end]) if end >= 0 else None
        if result is None:
            break
        results.append(result)
        rest = rest[end + len(RESPONSE_CLOSE) :].lstrip()
    return (results, rest) if results else ([], text)


def parse_tool_results(text: str) -> list[ToolResult] | None:
    """The results when ``text`` is nothing but ``<tool_response>`` blocks, else ``None``."""
    results, rest = split_tool_results(text)
    return results if results and not rest.strip() else None
