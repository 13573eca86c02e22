"""The offline responder's tool behaviour: a deterministic stand-in for a tool-calling model (pure).

It is **not a model**. It follows the protocol of :mod:`chatroutes_core.tools` just well enough for demos
and tests, by pattern matching on the user's text:

1. The declaration in force is the last ``<tools>`` declaration in the context (newest message first).
   Without one, :func:`tool_turn` returns ``None`` and the echo reply is unchanged.
2. The user's text is the new message; when the new message carries the declaration itself (the first
   turn: ``[system] …declaration…`` then the question), only the text after the declaration counts, and
   of a labelled transcript (``[user] …``, ``[assistant] …``) only its last user turn.
3. When the user's text opens with ``<tool_response>`` blocks and ``tool_choice`` is ``auto`` or ``none``,
   the reply answers from them in text: ``[gpt-5 · offline tools] get_weather returned: Sunny.``
4. ``tool_choice: "none"``: no call; the echo reply, of the user's text only.
5. Calls in the user's text: an explicit ``tool_name(…)`` (JSON object, ``key=value`` pairs or positional
   values in schema order), or a mention of the tool (its name, or a word of it such as ``weather`` for
   ``get_weather``) followed by values for all its required parameters: numbers for numeric parameters,
   an enum value, a quoted string, or the phrase after ``in``/``for``/``about``/``named``/… for strings
   (``what is the weather in Paris`` → ``get_weather({"city": "Paris"})``). Several found: parallel
   calls, unless ``parallel_tool_calls`` is false (then the first). The reply is the ``<tool_call>``
   blocks only.
6. Nothing found: ``auto`` → the echo reply of the user's text; ``required`` → a call of the first declared
   tool; a named choice → a call of that tool; missing values are filled from the whole text for
   strings and with ``0``/``false``/the first enum value/``[]``/``{}`` otherwise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..tools import (
    CALL_OPEN,
    ToolCall,
    ToolDeclaration,
    ToolResult,
    ToolSpec,
    find_tools_declaration,
    render_tool_calls,
    split_tool_results,
)

MAX_CALLS_PER_MENTION = 5


class _Turn(Protocol):
    @property
    def content(self) -> str: ...


@dataclass(frozen=True)
class ToolTurn:
    """What the stand-in makes of a context with tools: a ``reply``, or ``None`` to echo ``user_text``.

    ``user_text`` never holds a ``<tool_call>`` tag (it is neutralised), so an echo cannot turn into a call.
    """

    reply: str | None
    user_text: str


def tool_turn(messages: Sequence[_Turn], model: str) -> ToolTurn | None:
    """Apply the rules of the module docstring to a context (the new user message last)."""
    if not messages:
        return None
    declaration: ToolDeclaration | None = None
    for turn in reversed(messages):
        if "<tools>\n" not in turn.content:  # cheap test first: most contexts have no tools
            continue
        declaration = find_tools_declaration(turn.content)
        if declaration is not None:
            break
    if declaration is None:
        return None
    user_text = _latest_user_text(messages[-1].content)
    choice = declaration.tool_choice
    if not declaration.tools:
        return ToolTurn(None, user_text)
    results, rest = split_tool_results(user_text)
    if choice == "none" or (results and choice == "auto" and not _find_calls(declaration, rest)):
        return ToolTurn(_answer(results, model) if results else None, user_text)
    calls = _find_calls(declaration, rest)
    if choice not in ("auto", "required"):
        calls = [call for call in calls if call.name == choice]
    if not calls and choice != "auto":
        forced = _spec(declaration, choice) if choice != "required" else declaration.tools[0]
        if forced is not None:
            calls = [ToolCall("", forced.name, _arguments(forced, rest, set(), forced=True) or {})]
    if not calls:
        return ToolTurn(None, user_text)
    if declaration.parallel_tool_calls is False:
        calls = calls[:1]
    return ToolTurn(render_tool_calls(calls), user_text)


def _latest_user_text(content: str) -> str:
    own = find_tools_declaration(content)
    if own is not None:  # the first turn: what follows the declaration
        content = content[own.end :].strip()
    last = content.rfind("\n\n[user] ")  # a labelled transcript (another model's turns): its last user turn
    if last >= 0 and "[assistant] " in content[:last]:
        content = content[last + 2 :]
    return content.removeprefix("[user] ").replace(CALL_OPEN, "(tool_call)")


def _answer(results: list[ToolResult], model: str) -> str:
    parts = [
        f"{result.name or 'the tool'} {'failed' if result.is_error else 'returned'}: {result.content}"
        for result in results
    ]
    return f"[{model} · offline tools] " + "; ".join(parts)


def _spec(declaration: ToolDeclaration, name: str) -> ToolSpec | None:
    return next((spec for spec in declaration.tools if spec.name == name), None)


# --- finding calls in text ---------------------------------------------------------------------------------

_GENERIC = {
    "get",
    "set",
    "fetch",
    "tool",
    "function",
    "func",
    "run",
    "call",
    "make",
    "the",
    "and",
    "for",
    "api",
}
_WORD = re.compile(r"\w+")
_NAME_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def _keywords(name: str) -> set[str]:
    parts = {part.lower() for part in _NAME_PARTS.findall(name)}
    return {part for part in parts if len(part) > 2 and part not in _GENERIC} | {name.lower()}


def _find_calls(declaration: ToolDeclaration, text: str) -> list[ToolCall]:
    calls: list[ToolCall] = []
    masked = text
    for spec in declaration.tools:  # explicit calls first: name(...)
        for match in re.finditer(rf"(?<![\w.]){re.escape(spec.name)}\s*\(", masked):
            end = _closing_paren(masked, match.end())
            if end is None:
                continue
            arguments = _explicit_arguments(spec, masked[match.end() : end])
            if arguments is not None:
                calls.append(ToolCall("", spec.name, arguments))
            masked = masked[: match.start()] + " " * (end + 1 - match.start()) + masked[end + 1 :]
    mentions: list[tuple[int, ToolSpec]] = []
    for word in _WORD.finditer(masked):
        token = word.group().lower()
        for spec in declaration.tools:
            keywords = _keywords(spec.name)
            if token in keywords or (token.endswith("s") and token[:-1] in keywords):
                mentions.append((word.start(), spec))
                break
    clusters: list[tuple[int, ToolSpec]] = []
    for position, spec in mentions:  # consecutive mentions of one tool are one mention
        if not clusters or clusters[-1][1] is not spec:
            clusters.append((position, spec))
    for index, (_, spec) in enumerate(clusters):
        start = 0 if index == 0 else clusters[index][0]
        end = clusters[index + 1][0] if index + 1 < len(clusters) else len(masked)
        segment = masked[start:end]
        used: set[tuple[int, int]] = set()
        for _ in range(MAX_CALLS_PER_MENTION):
            arguments = _arguments(spec, segment, used, forced=False)
            if arguments is None:
                break
            calls.append(ToolCall("", spec.name, arguments))
            if not _required(spec):
                break
    return calls


def _closing_paren(text: str, start: int) -> int | None:
    depth, quote = 0, ""
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            if char == quote and text[index - 1] != "\\":
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                return index if char == ")" else None
            depth -= 1
    return None


def _split_top_level(inner: str) -> Iterator[str]:
    depth, quote, start = 0, "", 0
    for index, char in enumerate(inner):
        if quote:
            quote = "" if char == quote and inner[index - 1] != "\\" else quote
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            yield inner[start:index]
            start = index + 1
    yield inner[start:]


def _literal(raw: str) -> Any:
    raw = raw.strip()
    try:
        return json.loads(raw)
    except ValueError:
        pass
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return raw[1:-1]
    return raw


def _explicit_arguments(spec: ToolSpec, inner: str) -> dict[str, Any] | None:
    inner = inner.strip()
    if not inner:
        return {}
    if inner.startswith("{"):
        value = _literal(inner)
        return value if isinstance(value, dict) else None
    properties = list(_properties(spec))
    arguments: dict[str, Any] = {}
    positional: list[Any] = []
    for item in _split_top_level(inner):
        key, sep, value = item.partition("=")
        if not sep:
            key, sep, value = item.partition(":")
        if sep and key.strip().isidentifier():
            arguments[key.strip()] = _literal(value)
        elif item.strip():
            positional.append(_literal(item))
    free = [name for name in properties if name not in arguments]
    arguments.update(zip(free, positional, strict=False))
    return {name: _coerce(_schema_of(spec, name), value) for name, value in arguments.items()}


# --- values for parameters ---------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_QUOTED = re.compile(r"\"([^\"]+)\"|'([^']+)'|“([^”]+)”|‘([^’]+)’|「([^」]+)」")
_CAPITALISED = r"[A-ZÀ-Þ][\w'’.-]*(?:(?:\s+|,\s*)[A-ZÀ-Þ][\w'’.-]*)*"
_LEAD = r"\b(?i:in|for|of|about|at|to|from|on|near|called|named|with)\s+"
_AFTER_WORD = (  # a capitalised name after a preposition first, then any phrase up to punctuation
    re.compile(rf"{_LEAD}({_CAPITALISED})(?![\w'’.-])"),
    re.compile(rf"{_LEAD}([^\s.,;:!?][^.,;:!?]*?)(?=\s+and\s|\s+then\s|[.,;:!?]|$)"),
)
_BOOLEAN = re.compile(r"\b(true|false|yes|no)\b", re.I)


def _properties(spec: ToolSpec) -> dict[str, Any]:
    properties = spec.parameters.get("properties")
    return properties if isinstance(properties, dict) else {}


def _required(spec: ToolSpec) -> list[str]:
    required = spec.parameters.get("required")
    return [name for name in required if isinstance(name, str)] if isinstance(required, list) else []


def _schema_of(spec: ToolSpec, name: str) -> dict[str, Any]:
    schema = _properties(spec).get(name)
    if not isinstance(schema, dict):
        return {}
    for key in ("anyOf", "oneOf"):
        options = [o for o in schema.get(key, []) if isinstance(o, dict) and o.get("type") != "null"]
        if options:
            return {**options[0], **{k: v for k, v in schema.items() if k not in (key,)}}
    return schema


def _coerce(schema: dict[str, Any], value: Any) -> Any:
    kind = schema.get("type")
    if isinstance(value, str) and kind in ("integer", "number"):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if kind == "integer" or number.is_integer() else number
    if kind == "string" and not isinstance(value, str):
        return json.dumps(value) if isinstance(value, (dict, list)) else str(value)
    return value


def _free(match: re.Match[str], used: set[tuple[int, int]], group: int = 0) -> bool:
    start, end = match.span(group)
    return not any(start < b and a < end for a, b in used)


def _value(
    schema: dict[str, Any], text: str, used: set[tuple[int, int]]
) -> tuple[Any, tuple[int, int]] | None:
    kind = schema.get("type")
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        for option in enum:
            found = re.search(rf"(?<!\w){re.escape(str(option))}(?!\w)", text, re.I)
            if found and _free(found, used):
                return option, found.span()
        return None
    if kind in ("integer", "number"):
        for found in _NUMBER.finditer(text):
            number = float(found.group())
            if _free(found, used) and (kind == "number" or number.is_integer()):
                return (int(number) if number.is_integer() else number), found.span()
        return None
    if kind == "boolean":
        found = _BOOLEAN.search(text)
        return (found.group(1).lower() in ("true", "yes"), found.span()) if found else None
    if kind in (None, "string"):
        for found in _QUOTED.finditer(text):
            if _free(found, used):
                return next(group for group in found.groups() if group is not None), found.span()
        for pattern in _AFTER_WORD:
            for found in pattern.finditer(text):
                if _free(found, used, 1):
                    return found.group(1).strip().rstrip("."), found.span(1)
    return None


def _fallback(schema: dict[str, Any], text: str) -> Any:
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    kind = schema.get("type")
    defaults: dict[str, Any] = {"integer": 0, "number": 0, "boolean": False, "array": [], "object": {}}
    return defaults.get(kind, text.strip()) if isinstance(kind, str) else text.strip()


def _arguments(
    spec: ToolSpec, text: str, used: set[tuple[int, int]], *, forced: bool
) -> dict[str, Any] | None:
    """Values for the required parameters found in ``text`` (spans recorded in ``used``), or ``None``."""
    arguments: dict[str, Any] = {}
    spans: list[tuple[int, int]] = []
    for name in _required(spec):
        schema = _schema_of(spec, name)
        found = _value(schema, text, used | set(spans))
        if found is None:
            if not forced:
                return None
            arguments[name] = _fallback(schema, text)
            continue
        arguments[name], span = found
        spans.append(span)
    used.update(spans)
    return arguments
