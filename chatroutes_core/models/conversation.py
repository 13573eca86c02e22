"""Conversations, the paginated conversation list, and the conversation tree."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import Field, model_validator

from ._base import ChatRoutesModel
from .branch import Branch
from .message import Message

__all__ = ["Conversation", "ConversationList", "ConversationTree", "TreeNode"]


class Conversation(ChatRoutesModel):
    """A conversation; ``messages``/``branches`` are present on a single GET, counts on list items."""

    id: str
    user_id: str | None = None
    title: str | None = None
    model: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    messages: list[Message] | None = None
    branches: list[Branch] | None = None
    message_count: int | None = None
    branch_count: int | None = None


class ConversationList(ChatRoutesModel):
    """One page of conversations (the API sends it unwrapped at top level, or under ``data``)."""

    conversations: list[Conversation]
    total: int | None = None
    page: int | None = None
    limit: int | None = None
    has_next: bool | None = None


class TreeNode(ChatRoutesModel):
    """A branch and the branches forked from it."""

    branch: Branch
    children: list[TreeNode] = Field(default_factory=list)


class ConversationTree(ChatRoutesModel):
    """The branch tree of a conversation.

    Accepts ``branches`` as ``{branch, children}`` nodes or as a flat list of branches (nested here by
    ``parentBranchId``); the old ``{tree, metadata}`` shape is kept as extra fields.
    """

    conversation: Conversation | None = None
    branches: list[TreeNode] = Field(default_factory=list)
    main_branch: Branch | None = None

    @model_validator(mode="before")
    @classmethod
    def _flat_branches(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        branches = data.get("branches")
        if (
            isinstance(branches, list)
            and branches
            and all(isinstance(item, dict) and "branch" not in item for item in branches)
        ):
            data = {**data, "branches": _nest(branches)}
        if data.get("branches") is None and "branches" in data:
            data = {**data, "branches": []}
        return data

    def iter_branches(self) -> Iterator[Branch]:
        """Every branch of the tree, depth-first, parents before children."""
        stack = list(reversed(self.branches))
        while stack:
            node = stack.pop()
            yield node.branch
            stack.extend(reversed(node.children))


def _nest(flat: list[dict[str, Any]]) -> list[dict[str, Any]]:
    nodes: dict[str, dict[str, Any]] = {str(b.get("id")): {"branch": b, "children": []} for b in flat}
    roots: list[dict[str, Any]] = []
    for b in flat:
        node = nodes[str(b.get("id"))]
        parent_id = b.get("parentBranchId", b.get("parent_branch_id"))
        parent = nodes.get(str(parent_id)) if parent_id is not None else None
        if parent is not None and parent is not node:
            parent["children"].append(node)
        else:
            roots.append(node)
    return roots
