"""Tool calls in a reply: the objects, the block parser, :func:`parse_reply` and :class:`ToolStreamParser`.

Public through :mod:`chatroutes_core.tools` (see its docstring for the protocol and the text rule).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from .._exceptions import UsageError

CALL_OPEN = "<tool_call>"
CALL_CLOSE = "</tool_call>"


@dataclass(frozen=True)
class ToolCall:
    """A well-formed call of a declared tool."""

    id: str
    name: str
    arguments: dict[str, Any] = field(hash=False)


@dataclass(frozen=True)
class InvalidToolCall:
    """A ``<tool_call>`` block that is not a valid call: bad JSON, no name, bad arguments, undeclared tool.

    ``name`` is set when one could be read; ``arguments`` is the arguments' JSON text when they could be
    isolated, otherwise the block's whole content; ``error`` says what is wrong.
    """

    id: str
    name: str | None
    arguments: str | None
    error: str


@dataclass(frozen=True)
class ParsedReply:
    """A reply split into its text and its calls (both lists in block order)."""

    text: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    invalid_tool_calls: list[InvalidToolCall] = field(default_factory=list)


# --- ids, JSON ---------------------------------------------------------------------------------------------


def tool_call_id(message_id: str, index: int) -> str:
    """The id of the ``index``-th (0-based) ``<tool_call>`` block of message ``message_id``.

    ``call_`` and 24 hex digits of SHA-256 over ``"<message_id>:<index>"``: short, ASCII, OpenAI-shaped and
    the same every time the message is read.

    Example:
        >>> tool_call_id("msg_1", 0) == tool_call_id("msg_1", 0) != tool_call_id("msg_1", 1)
        True
    """
    if not message_id or index < 0:
        raise UsageError("a tool call id needs a message id and a block index >= 0")
    return "call_" + hashlib.sha256(f"{message_id}:{index}".encode()).hexdigest()[:24]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _loads(text: str) -> Any:
    return json.loads(text, parse_constant=_reject_constant)


def _dump(value: Any) -> str:
    # "</" only ever occurs inside JSON strings; "<\/" is the same string and cannot close a block early.
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


# --- calling -------------------------------------------------------------------------------------------

_BLOCK = re.compile(re.escape(CALL_OPEN) + r"(.*?)(?:" + re.escape(CALL_CLOSE) + r"|\Z)", re.S)
_NAME = re.compile(r'"name"\s*:\s*("(?:[^"\\]|\\.)*")')


def _read_name(raw: str) -> str | None:
    match = _NAME.search(raw)
    if match is None:
        return None
    try:
        name = json.loads(match.group(1))
    except ValueError:
        return None
    return name if isinstance(name, str) and name else None


def parse_call(
    content: str, message_id: str, index: int, declared_names: Collection[str] | None = None
) -> ToolCall | InvalidToolCall:
    """Parse the content of the ``index``-th ``<tool_call>`` block (never raises).

    ``arguments`` may also be a JSON string holding an object, or be given as ``parameters``; a missing
    ``arguments`` is ``{}``.
    """
    call_id = tool_call_id(message_id, index)
    raw = content.strip()
    try:
        obj = _loads(raw)
    except ValueError as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        error = f"tool call is not valid JSON: {reason}"
        return InvalidToolCall(call_id, _read_name(raw), raw or None, error)
    if not isinstance(obj, dict):
        return InvalidToolCall(call_id, None, raw, "tool call must be a JSON object")
    name = obj.get("name")
    if not isinstance(name, str) or not name:
        return InvalidToolCall(call_id, None, raw, 'tool call has no "name"')
    args = obj.get("arguments", obj.get("parameters", {}))
    if isinstance(args, str):
        try:
            decoded = _loads(args)
        except ValueError:
            decoded = None
        args = decoded if isinstance(decoded, dict) else args
    if not isinstance(args, dict):
        return InvalidToolCall(call_id, name, _dump(args), '"arguments" must be a JSON object')
    if declared_names is not None and name not in declared_names:
        return InvalidToolCall(call_id, name, _dump(args), f"tool {name!r} is not declared")
    return ToolCall(call_id, name, args)


def parse_reply(text: str, message_id: str, declared_names: Collection[str] | None = None) -> ParsedReply:
    """Split a model reply into text, tool calls and invalid tool calls (never raises).

    Args:
        text: the reply as stored.
        message_id: the ChatRoutes id of the reply (call ids derive from it).
        declared_names: when given, a call of any other name is invalid; ``None`` accepts every name.
    """
    pieces: list[str] = []
    calls: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    position = 0
    for index, block in enumerate(_BLOCK.finditer(text)):
        pieces.append(text[position : block.start()])
        position = block.end()
        call = parse_call(block.group(1), message_id, index, declared_names)
        if isinstance(call, ToolCall):
            calls.append(call)
        else:
            invalid.append(call)
    if not pieces:
        return ParsedReply(text)
    pieces.append(text[position:])
    head = pieces[0] if pieces[0].strip() else ""
    joined = head + "".join(piece.lstrip() for piece in pieces[1:])
    if not pieces[-1].strip():
        joined = joined.rstrip()
    return ParsedReply(joined, calls, invalid)


def render_tool_calls(calls: Iterable[ToolCall]) -> str:
    """``<tool_call>`` blocks for ``calls`` (to put another model's calls into a transcript).

    ``parse_reply`` of the result gives back the same names and arguments.
    """
    return "\n".join(
        f"{CALL_OPEN}\n{_dump({'name': call.name, 'arguments': call.arguments})}\n{CALL_CLOSE}"
        for call in calls
    )


def collect_events(events: Iterable[StreamEvent]) -> ParsedReply:
    """Aggregate :class:`ToolStreamParser` events into the :class:`ParsedReply` they stand for."""
    text: list[str] = []
    calls: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    for event in events:
        if isinstance(event, TextChunk):
            text.append(event.text)
        elif isinstance(event.call, ToolCall):
            calls.append(event.call)
        else:
            invalid.append(event.call)
    return ParsedReply("".join(text), calls, invalid)


# --- streaming -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextChunk:
    """Reply text, safe to show as it arrives: never part of a tag."""

    text: str
    type: Literal["text"] = "text"


@dataclass(frozen=True)
class ToolCallChunk:
    """One whole tool call (valid or invalid), emitted once its block is complete.

    ``index`` is the block's position in the reply (the one its id derives from); ``id``, ``name``,
    ``args`` (JSON text) and ``error`` are the fields framework tool-call chunks carry.
    """

    index: int
    call: ToolCall | InvalidToolCall
    type: Literal["tool_call"] = "tool_call"

    @property
    def id(self) -> str:
        return self.call.id

    @property
    def name(self) -> str | None:
        return self.call.name

    @property
    def args(self) -> str | None:
        """The arguments as JSON text: ``json.dumps`` of a valid call's, an invalid call's as found."""
        if isinstance(self.call, ToolCall):
            return json.dumps(self.call.arguments, ensure_ascii=False)
        return self.call.arguments

    @property
    def error(self) -> str | None:
        return None if isinstance(self.call, ToolCall) else self.call.error


StreamEvent = TextChunk | ToolCallChunk
"""What :class:`ToolStreamParser` emits."""


def _partial_open(text: str) -> int:
    """Length of the longest proper prefix of ``<tool_call>`` that ``text`` ends with."""
    for size in range(min(len(text), len(CALL_OPEN) - 1), 0, -1):
        if text.endswith(CALL_OPEN[:size]):
            return size
    return 0


class ToolStreamParser:
    """Incremental :func:`parse_reply`: feed the reply's pieces, show the text live, get the calls whole.

    Text is emitted as soon as it cannot be part of a tag and is not whitespace that the text rule might
    drop (a partial ``<tool_call>`` prefix and trailing whitespace are held back). A call is emitted whole
    when its ``</tool_call>`` arrives, or at :meth:`close` when the message id is only known then (a
    ChatRoutes stream names the stored message in its final ``complete`` event). For every split of a
    reply into pieces, :func:`collect_events` of all events equals ``parse_reply`` of the whole reply.

    Args:
        declared_names: as for :func:`parse_reply`.
        message_id: the reply's id, when known before the stream ends; calls are then emitted as their
            blocks close, otherwise at :meth:`close`.

    Example:
        >>> parser = ToolStreamParser({"now"})
        >>> [e.text for e in parser.feed("It is <tool_")]
        ['It is']
        >>> parser.feed('call>{"name": "now"}</tool_call>')
        []
        >>> [e.name for e in parser.close(message_id="msg_1")]
        ['now']
    """

    def __init__(self, declared_names: Collection[str] | None = None, message_id: str | None = None) -> None:
        self._declared = declared_names
        self._message_id = message_id
        self._pending = ""  # undecided text: a possible partial "<tool_call>"
        self._block: str | None = None  # content of the open block
        self._held = ""  # whitespace held back
        self._held_before_block = False  # the held whitespace precedes a block: dropped unless text follows
        self._after_block = False  # whitespace right after a block is dropped
        self._seen_text = False
        self._count = 0
        self._queued: list[tuple[int, str]] = []
        self._closed = False

    def feed(self, piece: str) -> list[StreamEvent]:
        """Take the next piece of the reply; return what can be emitted now."""
        if self._closed:
            raise RuntimeError("the parser is closed")
        events: list[StreamEvent] = []
        data = piece
        while data:
            if self._block is not None:
                scan_from = max(0, len(self._block) - len(CALL_CLOSE) + 1)
                self._block += data
                end = self._block.find(CALL_CLOSE, scan_from)
                if end < 0:
                    break
                data = self._block[end + len(CALL_CLOSE) :]
                self._finish_block(self._block[:end], events)
                self._after_block = True
                continue
            data, self._pending = self._pending + data, ""
            if self._after_block:
                data = data.lstrip()
                if not data:
                    break
                self._after_block = False
            start = data.find(CALL_OPEN)
            if start >= 0:
                self._text(data[:start], events)
                self._open_block()
                data = data[start + len(CALL_OPEN) :]
                continue
            keep = len(data) - _partial_open(data)
            self._text(data[:keep], events)
            self._pending = data[keep:]
            break
        return events

    def close(self, message_id: str | None = None) -> list[StreamEvent]:
        """End of the reply: return the rest (held text, an unclosed block, calls waiting for an id).

        Args:
            message_id: the reply's id, if it was not given to the constructor.

        Raises:
            UsageError: calls are waiting and no message id is known.
        """
        if self._closed:
            return []
        if self._message_id is not None and message_id not in (None, self._message_id):
            raise UsageError("close() got a different message id than the constructor")
        if self._message_id is None and message_id is None and (self._queued or self._block is not None):
            raise UsageError("close() needs the message id: the reply has tool calls")
        events: list[StreamEvent] = []
        if self._block is not None:
            self._finish_block(self._block, events)
        elif self._pending:  # a tag that never completed is text
            self._text(self._pending, events)
            self._pending = ""
        if self._held and not self._held_before_block:
            events.append(TextChunk(self._held))
        self._held = ""
        mid = self._message_id or message_id
        if mid is not None:  # else nothing waits (checked above)
            events.extend(self._chunk(index, content, mid) for index, content in self._queued)
        self._queued.clear()
        self._closed = True
        return events

    def _text(self, text: str, events: list[StreamEvent]) -> None:
        body = text.rstrip()
        if not body:
            self._held += text
            return
        events.append(TextChunk(self._held + body))
        self._held = text[len(body) :]
        self._held_before_block = False
        self._seen_text = True

    def _open_block(self) -> None:
        if not self._seen_text:
            self._held = ""  # whitespace between the start of the reply and a block
        elif self._held:
            self._held_before_block = True
        self._block = ""

    def _finish_block(self, content: str, events: list[StreamEvent]) -> None:
        index, self._count, self._block = self._count, self._count + 1, None
        if self._message_id is None:
            self._queued.append((index, content))
        else:
            events.append(self._chunk(index, content, self._message_id))

    def _chunk(self, index: int, content: str, message_id: str) -> ToolCallChunk:
        return ToolCallChunk(index, parse_call(content, message_id, index, self._declared))
