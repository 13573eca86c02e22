"""Checkpoints: a summary of a branch up to an anchor message."""

from __future__ import annotations

from ._base import ChatRoutesModel

__all__ = ["Checkpoint"]


class Checkpoint(ChatRoutesModel):
    """A checkpoint; the API mixes camelCase and snake_case here, both are accepted."""

    id: str
    conversation_id: str | None = None
    branch_id: str | None = None
    anchor_message_id: str | None = None
    summary: str | None = None
    token_count: int | None = None
    created_at: str | None = None
