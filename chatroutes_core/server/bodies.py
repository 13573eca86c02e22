"""Typed request bodies (camelCase on the wire). The model aliases live in `chatroutes_core._catalog`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from .._types import ContextMode


def _encodable(value: str) -> str:
    # JSON may carry lone surrogates ("\ud800"); SQLite and UTF-8 responses cannot hold them.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return value


Text = Annotated[str, AfterValidator(_encodable)]
Id = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_encodable)]
Title = Annotated[str, Field(max_length=500), AfterValidator(_encodable)]
Content = Annotated[str, Field(min_length=1, max_length=500_000), AfterValidator(_encodable)]


class Body(BaseModel):
    """Base of every request body: camelCase names (snake_case accepted too), unknown keys ignored."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", allow_inf_nan=False
    )


class CreateConversationBody(Body):
    title: Title | None = None
    model: Text | None = None


class UpdateConversationBody(Body):
    title: Title | None = None
    model: Text | None = None


class SendMessageBody(Body):
    content: Content
    model: Text | None = None
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    max_tokens: int | None = Field(default=None, ge=1, le=1_000_000)
    branch_id: Id | None = None
    parent_message_id: Id | None = None
    role: Literal["user"] | None = None


class UpdateMessageBody(Body):
    content: Content


class CreateBranchBody(Body):
    title: Title | None = None
    base_node_id: Id | None = None
    description: Annotated[str, Field(max_length=5000), AfterValidator(_encodable)] | None = None
    context_mode: ContextMode | None = None


class ForkBody(Body):
    fork_point_message_id: Id
    title: Title | None = None
    description: Annotated[str, Field(max_length=5000), AfterValidator(_encodable)] | None = None
    context_mode: ContextMode | None = None


class UpdateBranchBody(Body):
    title: Title | None = None
    description: Annotated[str, Field(max_length=5000), AfterValidator(_encodable)] | None = None
    context_mode: ContextMode | None = None
    is_active: bool | None = None


class CreateCheckpointBody(Body):
    branch_id: Id
    anchor_message_id: Id


class SuggestBranchesBody(Body):
    text: Annotated[str, Field(min_length=1, max_length=100_000), AfterValidator(_encodable)]
    suggestions_count: int = Field(default=3, ge=1, le=10)
    hybrid_detection: bool = False
    threshold: float = Field(default=0.7, ge=0.0, le=1.0)
    llm_model: Text | None = None
    llm_provider: Text | None = None
    # Accepted for compatibility and never stored, logged or forwarded.
    llm_api_key: Text | None = Field(default=None, repr=False)
