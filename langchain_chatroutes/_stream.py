"""Turning a core event stream into LangChain chunks (pure; shared by ``_stream`` and ``_astream``).

Text streams live. With tools bound, a ``<tool_call>`` block is held back until it closes and then emitted
as one tool-call chunk, so no partial tag ever reaches the user's text; stop sequences apply to the text
only. The aggregated chunks equal the message ``invoke`` returns, and the final chunk carries the ref sealed
over exactly that message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk

from chatroutes_core import tools as protocol
from langchain_chatroutes._convert import METADATA_KEY, StopScanner, last_chunk, reply_turn
from langchain_chatroutes._tools import BoundTools, call_chunk, tool_calls, tool_metadata

if TYPE_CHECKING:
    from chatroutes_core.mapper import AsyncMappedStream, MappedStream
    from chatroutes_core.models import CompleteEvent, StreamEvent


class ChunkShaper:
    """Feeds content pieces through the tool parser (when tools are bound) and the stop scanner."""

    def __init__(self, stops: list[str], tools: BoundTools | None) -> None:
        self.scanner = StopScanner(stops)
        self.tools = tools
        self.parser = protocol.ToolStreamParser(tools.names) if tools is not None else None

    def _text(self, pieces: list[str]) -> list[AIMessageChunk]:
        text = "".join(self.scanner.feed(piece) for piece in pieces)
        return [AIMessageChunk(content=text)] if text else []

    def content(self, piece: str) -> list[AIMessageChunk]:
        """The chunks one content event gives (possibly none: held back)."""
        if self.parser is None:
            return self._text([piece])
        return self._text([e.text for e in self.parser.feed(piece) if isinstance(e, protocol.TextChunk)])

    def chunks(
        self, stream: MappedStream | AsyncMappedStream, event: StreamEvent
    ) -> list[ChatGenerationChunk]:
        """The LangChain chunks one stream event gives (a content event may give none: held back)."""
        messages = self.content(event.content) if event.type == "content" else self.complete(stream, event)
        return [ChatGenerationChunk(message=message) for message in messages]

    def complete(
        self, stream: MappedStream | AsyncMappedStream, event: CompleteEvent
    ) -> list[AIMessageChunk]:
        """The held-back text, the tool calls, then ids, usage, model and finish reason, all once."""
        chunks: list[AIMessageChunk] = []
        calls: list[protocol.ToolCallChunk] = []
        if self.parser is not None:
            events = self.parser.close(event.message.id)
            chunks = self._text([e.text for e in events if isinstance(e, protocol.TextChunk)])
            calls = [e for e in events if isinstance(e, protocol.ToolCallChunk)]
        assert stream.ref is not None
        rest = self.scanner.flush()
        last = last_chunk(stream.ref, event.message, event.usage, event.model, text=rest,
                          stopped=self.scanner.stopped)  # fmt: skip
        shown = AIMessage(content=self.scanner.emitted + rest)
        if self.tools is not None:
            parsed = protocol.ParsedReply(
                shown.text,
                [c.call for c in calls if isinstance(c.call, protocol.ToolCall)],
                [c.call for c in calls if isinstance(c.call, protocol.InvalidToolCall)],
            )
            shown.tool_calls, shown.invalid_tool_calls = tool_calls(parsed)
            tool_metadata(last.response_metadata, self.tools, parsed.tool_calls)
            valid = [call_chunk(c) for c in calls if isinstance(c.call, protocol.ToolCall)]
            if valid:
                chunks.append(AIMessageChunk(content="", tool_call_chunks=valid))
            if shown.invalid_tool_calls:
                chunks.append(AIMessageChunk(content="", invalid_tool_calls=shown.invalid_tool_calls))
        last.response_metadata[METADATA_KEY] = stream.seal(reply_turn(shown)).as_dict()
        return [*chunks, last]
