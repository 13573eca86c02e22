"""``stream_chat`` / ``astream_chat`` events as LlamaIndex responses (pure; shared by both streams)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole

from chatroutes_core.mapper import Binding, TreeRef, Turn
from chatroutes_core.tools import ToolStreamParser
from llama_index_chatroutes import _tools

if TYPE_CHECKING:
    from chatroutes_core.mapper import AsyncMappedStream, MappedStream
    from chatroutes_core.models import Message, StreamEvent, Usage


@dataclass(frozen=True)
class Call:
    """One prepared call: the turns to send, where to, whether it is a side call, the tools declared."""

    turns: list[Turn]
    binding: Binding | None
    side_call: bool
    tools: _tools.Declaration | None


class Responder(Protocol):
    """What the shaper needs from the LLM (``ChatRoutes``): this module does not import ``llm``."""

    def _shown(self, call: Call, message: Message) -> _tools.Shown: ...

    def _side_conversation(self, call: Call, ref: TreeRef) -> str | None: ...

    def _response(
        self,
        call: Call,
        ref: TreeRef | None,
        shown: _tools.Shown,
        usage: Usage | None,
        model: str | None,
        delta: str,
    ) -> ChatResponse: ...


class StreamShaper:
    """What each stream event gives a ``stream_chat`` caller, for either stream: the text pieces as deltas,
    then the final response; and, for a side call, the conversation to delete before that response."""

    def __init__(self, llm: Responder, call: Call) -> None:
        self.llm, self.call, self.text = llm, call, ""
        self.parser = ToolStreamParser(call.tools.names if call.tools else None)
        self.doomed: str | None = None

    def responses(self, stream: MappedStream | AsyncMappedStream, event: StreamEvent) -> list[ChatResponse]:
        llm, call = self.llm, self.call
        if event.type == "content":
            out = []
            for piece in _text_pieces(self.parser, event.content, call.tools):
                self.text += piece
                out.append(_chunk(self.text, piece))
            return out
        assert stream.ref is not None
        shown = llm._shown(call, event.message)
        self.doomed = llm._side_conversation(call, stream.ref)
        ref = None if call.side_call else stream.seal(shown.turn)
        model = event.model or event.message.model
        return [llm._response(call, ref, shown, event.usage, model, _rest(shown.text, self.text))]


def _text_pieces(parser: ToolStreamParser, piece: str, tools: _tools.Declaration | None) -> list[str]:
    """The text of a streamed piece that is safe to show now (no partial ``<tool_call>`` tag)."""
    if tools is None:
        return [piece]
    return [event.text for event in parser.feed(piece) if event.type == "text"]


def _chunk(text: str, delta: str) -> ChatResponse:
    return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=delta)


def _rest(full: str, shown: str) -> str:
    """The last chunk's delta: what the final text adds to what was streamed."""
    return full[len(shown) :] if full.startswith(shown) else ""
