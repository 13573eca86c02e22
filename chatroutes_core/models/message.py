"""Messages, token usage and the send-message result."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, Field, model_validator

from ._base import ChatRoutesModel

__all__ = ["Message", "SendMessageResponse", "Usage"]


class Message(ChatRoutesModel):
    """One stored message. ``token_count`` also accepts the wire name ``tokens`` some responses use."""

    id: str
    conversation_id: str | None = None
    branch_id: str | None = None
    role: Literal["user", "assistant", "system"] | str
    content: str = ""
    token_count: int | None = Field(
        default=None, validation_alias=AliasChoices("tokenCount", "token_count", "tokens")
    )
    created_at: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    parent_message_id: str | None = None
    model: str | None = None
    content_hash: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _null_metadata(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("metadata", {}) is None:
            data = {**data, "metadata": {}}
        return data


class Usage(ChatRoutesModel):
    """Token counts of one generation."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class SendMessageResponse(ChatRoutesModel):
    """The assistant's reply to a send, with usage and the resolved provider model id.

    Also built from the old ``{userMessage, assistantMessage}`` shape (then ``user_message`` is set too).
    """

    message: Message
    usage: Usage = Field(default_factory=Usage)
    model: str | None = None
    user_message: Message | None = None

    @model_validator(mode="before")
    @classmethod
    def _old_shape(cls, data: Any) -> Any:
        if isinstance(data, dict) and "message" not in data and "assistantMessage" in data:
            data = {**data, "message": data["assistantMessage"]}
        if isinstance(data, dict) and data.get("usage") is None and "usage" in data:
            data = {k: v for k, v in data.items() if k != "usage"}
        return data
