"""Small shared types: the ``NOT_GIVEN`` sentinel, timeouts, and TypedDicts for dict-style inputs.

Resource methods accept the official SDK's camelCase dicts as their first argument; the TypedDicts below
document which keys each call understands (any other key is passed through to the API unchanged).
"""

from __future__ import annotations

from typing import Literal, TypeAlias, TypedDict, Union

import httpx
from typing_extensions import final

__all__ = [
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "ContextMode",
    "CreateBranchParams",
    "CreateCheckpointParams",
    "CreateConversationParams",
    "ForkParams",
    "ListConversationsParams",
    "NotGiven",
    "SendMessageParams",
    "SuggestBranchesParams",
    "Timeout",
    "UpdateBranchParams",
    "UpdateConversationParams",
    "UpdateMessageParams",
]


@final
class NotGiven:
    """Marks an argument the caller did not pass (distinct from an explicit ``None``)."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()

Timeout: TypeAlias = Union[float, httpx.Timeout, None]  # noqa: UP007 (a runtime alias on 3.10)
"""Seconds for every phase, an ``httpx.Timeout``, or ``None`` for no timeout."""

# Connect fails fast; read is the longest allowed gap between two received chunks (not the whole call),
# so a stream that keeps sending never times out (same default as the Stainless SDKs).
DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=5.0)

ContextMode = Literal["FULL", "PARTIAL", "MINIMAL"]


class CreateConversationParams(TypedDict, total=False):
    title: str
    model: str


class ListConversationsParams(TypedDict, total=False):
    page: int
    limit: int
    filter: Literal["all", "owned", "shared"]


class UpdateConversationParams(TypedDict, total=False):
    title: str


class SendMessageParams(TypedDict, total=False):
    content: str
    model: str
    temperature: float
    maxTokens: int
    branchId: str


class UpdateMessageParams(TypedDict, total=False):
    content: str


class CreateBranchParams(TypedDict, total=False):
    title: str
    baseNodeId: str
    description: str
    contextMode: ContextMode


class ForkParams(TypedDict, total=False):
    forkPointMessageId: str
    title: str
    contextMode: ContextMode


class UpdateBranchParams(TypedDict, total=False):
    title: str
    description: str


class CreateCheckpointParams(TypedDict, total=False):
    branchId: str
    anchorMessageId: str


class SuggestBranchesParams(TypedDict, total=False):
    text: str
    suggestionsCount: int
    hybridDetection: bool
    threshold: float
    llmModel: str
    llmProvider: str
    llmApiKey: str
