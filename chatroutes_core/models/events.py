"""Typed stream events, discriminated on ``type``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ._base import ChatRoutesModel
from .message import Message, Usage

__all__ = ["CompleteEvent", "ContentEvent", "StreamEvent"]


class ContentEvent(ChatRoutesModel):
    """A text delta."""

    type: Literal["content"] = "content"
    content: str = ""
    model: str | None = None


class CompleteEvent(ChatRoutesModel):
    """The end of a generation: the stored assistant message, usage and resolved model."""

    type: Literal["complete"] = "complete"
    message: Message
    usage: Usage = Field(default_factory=Usage)
    model: str | None = None


StreamEvent = Annotated[ContentEvent | CompleteEvent, Field(discriminator="type")]
