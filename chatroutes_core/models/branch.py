"""Branches: the alternate paths of a conversation."""

from __future__ import annotations

from typing import Any

from pydantic import model_validator

from ._base import ChatRoutesModel

__all__ = ["Branch"]


class Branch(ChatRoutesModel):
    """One branch. ``message_count`` is also filled from a tree node's ``_count.messages``."""

    id: str
    conversation_id: str | None = None
    parent_branch_id: str | None = None
    fork_point_message_id: str | None = None
    title: str | None = None
    description: str | None = None
    context_mode: str | None = None
    is_main: bool = False
    is_active: bool = True
    created_at: str | None = None
    updated_at: str | None = None
    message_count: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _count_from_tree(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("messageCount") is None and data.get("message_count") is None:
            count = data.get("_count")
            if isinstance(count, dict) and isinstance(count.get("messages"), int):
                data = {**data, "messageCount": count["messages"]}
        return data
