"""Conversations, the paginated conversation list, and the conversation tree."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import Field, ValidationError, model_validator

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

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # The children by branch id only: a repr of a tree 1,000 forks deep stays one level deep.
        yield "branch", self.branch
        yield "children", [child.branch.id for child in self.children]


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
        if branches is None and "branches" in data:
            return {**data, "branches": []}
        if not isinstance(branches, list) or not branches:
            return data
        if all(isinstance(item, dict) and "branch" not in item for item in branches):
            branches = _nest(branches)
        return {**data, "branches": _build_nodes(branches)}

    def iter_branches(self) -> Iterator[Branch]:
        """Every branch of the tree, depth-first, parents before children."""
        stack = list(reversed(self.branches))
        while stack:
            node = stack.pop()
            yield node.branch
            stack.extend(reversed(node.children))


def _build_nodes(items: list[Any]) -> list[Any]:
    """``{branch, children}`` nodes as :class:`TreeNode` objects, built with a stack, not by recursion.

    Pydantic validates a nested model by recursion and refuses past a few hundred levels (a conversation of
    300 nested forks); here every branch is validated on its own and the nodes are linked by hand, so depth
    costs nothing and the time is linear in the number of branches.
    """
    roots: list[Any] = []
    stack: list[tuple[Any, list[Any], str]] = [
        (item, roots, f"branches[{i}]") for i, item in enumerate(items)
    ]
    stack.reverse()
    while stack:
        item, siblings, where = stack.pop()
        if isinstance(item, TreeNode):
            siblings.append(item)
            continue
        if not isinstance(item, dict) or "branch" not in item:
            raise ValueError(f"{where}: expected a {{branch, children}} node, got {type(item).__name__}")
        children = item.get("children") or []
        if not isinstance(children, list):
            raise ValueError(f"{where}.children: expected a list, got {type(children).__name__}")
        try:
            branch = (
                item["branch"]
                if isinstance(item["branch"], Branch)
                else Branch.model_validate(item["branch"])
            )
        except ValidationError as exc:
            raise ValueError(f"{where}.branch: {exc.errors()[0]['loc']} {exc.errors()[0]['msg']}") from None
        extra = {k: v for k, v in item.items() if k not in ("branch", "children")}
        node = TreeNode.model_construct(branch=branch, children=[], **extra)
        siblings.append(node)
        stack.extend(
            (child, node.children, f"{where}.children[{i}]")
            for i, child in reversed(list(enumerate(children)))
        )
    return roots


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
