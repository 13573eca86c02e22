"""The tree view model: a conversation as branches with their own messages, ready to draw.

Shared by ``chatroutes tree`` (text, rich, mermaid, html, json) and the branch explorer. Pure: the input is a
:class:`~chatroutes_core.models.ConversationTree` plus each branch's history (what
``client.branches.get_history`` returns, with or without the inherited prefix); nothing here does I/O.
:func:`build_view` turns them into a :class:`TreeView`: each branch with its *own* messages, its parent, the
message it forks at and its depth. Everything here walks the tree with an explicit stack, never by
recursion, in time linear in the input: 10,000 messages on one branch or 1,000 nested forks are ordinary.

Example:
    >>> from chatroutes_core.treeview import build_view
    >>> first = client.messages.send(conv.id, content="Plan a trip")
    >>> fork = client.branches.fork(conv.id, fork_point_message_id=first.message.id, title="Luxury edit")
    >>> _ = client.messages.send(conv.id, content="Make it luxurious", branch_id=fork.id)
    >>> tree = client.conversations.get_tree(conv.id)
    >>> histories = {b.id: client.branches.get_history(conv.id, b.id) for b in tree.iter_branches()}
    >>> view = build_view(tree, histories)
    >>> [(b.title, len(b.messages), b.depth) for b in view.walk()]
    [('main', 2, 0), ('Luxury edit', 2, 1)]
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .tools import CALL_OPEN, find_tools_declaration, parse_reply, parse_tool_results

if TYPE_CHECKING:
    from .models import Branch, ConversationTree, Message, TreeNode

__all__ = ["PREVIEW_CHARS", "BranchView", "TreeView", "build_view", "ordered", "preview", "shown"]

PREVIEW_CHARS = 60


@dataclass
class BranchView:
    """One branch as drawn: its own messages (not the inherited prefix) and where it forks off.

    Attributes:
        branch: the branch as the server described it (``is_main`` set on the tree's main branch).
        messages: the branch's own messages, oldest first.
        parent_id: the parent branch's id (None for a root).
        fork_point: the message it forks at, when it is known; ``fork_point_id`` its id.
        children: the branches forked from this one.
        depth: 0 for a root, its parent's depth + 1 otherwise.
    """

    branch: Branch
    messages: list[Message]
    parent_id: str | None = None
    fork_point: Message | None = None
    fork_point_id: str | None = None
    children: list[BranchView] = field(default_factory=list, repr=False)  # a deep tree's repr stays flat
    depth: int = 0

    @property
    def id(self) -> str:
        return self.branch.id

    @property
    def title(self) -> str:
        return self.branch.title or ("main" if self.branch.is_main else self.branch.id)


@dataclass
class TreeView:
    """A conversation ready to draw: its root branches (usually just main), each with its subtree."""

    conversation_id: str
    title: str | None
    roots: list[BranchView]
    conversation: dict[str, Any] = field(default_factory=dict)
    """The conversation's own fields in wire names (model, createdAt, ...), without messages or branches."""

    def walk(self) -> Iterator[BranchView]:
        """Every branch, depth-first, parents before children (an explicit stack: any depth)."""
        stack = list(reversed(self.roots))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    @property
    def message_count(self) -> int:
        return sum(len(b.messages) for b in self.walk())


def build_view(tree: ConversationTree, histories: Mapping[str, Sequence[Message]]) -> TreeView:
    """Join a tree and per-branch histories into a :class:`TreeView`.

    A branch's own messages are those of its history that no branch drawn before it (its ancestors come
    first) already holds, so this works whether or not a server includes the inherited prefix in a branch's
    history. Linear in the total length of ``histories``.
    """
    conversation = tree.conversation
    main_id = tree.main_branch.id if tree.main_branch else None
    claimed: dict[str, Message] = {}  # every message seen so far, by id
    roots: list[BranchView] = []
    stack: list[tuple[TreeNode, BranchView | None]] = [(node, None) for node in reversed(tree.branches)]
    while stack:
        node, parent = stack.pop()
        branch = node.branch
        if main_id is not None and branch.id == main_id and not branch.is_main:
            branch = branch.model_copy(update={"is_main": True})
        history = histories.get(branch.id, ())
        fork_id = branch.fork_point_message_id
        fork_point = claimed.get(fork_id) if fork_id else None
        if fork_point is None and fork_id:
            fork_point = next((m for m in history if m.id == fork_id), None)
        own = [m for m in history if m.id not in claimed]
        for m in own:
            claimed[m.id] = m
        view = BranchView(
            branch=branch,
            messages=own,
            parent_id=parent.id if parent else branch.parent_branch_id,
            fork_point=fork_point,
            fork_point_id=fork_id,
            depth=parent.depth + 1 if parent else 0,
        )
        (parent.children if parent else roots).append(view)
        stack.extend((child, view) for child in reversed(node.children))
    fields = (
        conversation.model_dump(
            mode="json", by_alias=True, exclude_none=True, exclude={"messages", "branches"}
        )
        if conversation
        else {}
    )
    return TreeView(
        conversation_id=conversation.id if conversation else "",
        title=conversation.title if conversation else None,
        roots=roots,
        conversation=fields,
    )


def _arguments(arguments: Mapping[str, Any]) -> str:
    return ", ".join(f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in arguments.items())


def shown(message: Message) -> str:
    """A message as a reader wants it: tool calls, results and declarations summarised, not raw tags.

    A reply's ``<tool_call>`` blocks become ``→ name(arg=value)``; a turn of ``<tool_response>`` blocks
    becomes ``← name: result``; a ``<tools>`` declaration (system text sent with a turn) becomes
    ``[tools: a, b]`` before the user's words. The text is the server's: a renderer must still make it safe
    for its medium.
    """
    content = message.content
    if message.role == "assistant" and CALL_OPEN in content:
        parsed = parse_reply(content, message.id)
        calls = [f"→ {c.name}({_arguments(c.arguments)})" for c in parsed.tool_calls]
        calls += [f"→ invalid call ({c.error})" for c in parsed.invalid_tool_calls]
        return "\n".join(part for part in [parsed.text, *calls] if part)
    results = parse_tool_results(content)
    if results:
        return "\n".join(f"← {r.name}{' (error)' if r.is_error else ''}: {r.content}" for r in results)
    declaration = find_tools_declaration(content)
    if declaration is not None:
        start = content.rfind("[system]", 0, declaration.start)
        head = content[: start if start >= 0 else declaration.start].strip()
        rest = content[declaration.end :].strip()
        names = ", ".join(spec.name for spec in declaration.tools)
        return "\n".join(part for part in [head, f"[tools: {names}]", rest] if part)
    return content


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    """One line of at most ``limit`` characters (whitespace runs, line breaks included, become one space)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def ordered(b: BranchView) -> list[Message | BranchView]:
    """The branch's messages with each child branch placed right after its fork point message.

    A child forked before the first message (an empty fork point) comes first; one whose fork point is not
    among these messages comes last.
    """
    own = {m.id for m in b.messages}
    at: dict[str | None, list[BranchView]] = {}
    for child in b.children:
        key = child.fork_point_id if child.fork_point_id in own else ("" if not child.fork_point_id else None)
        at.setdefault(key, []).append(child)
    items: list[Message | BranchView] = [*at.get("", [])]
    for m in b.messages:
        items.append(m)
        items.extend(at.get(m.id, []))
    items.extend(at.get(None, []))
    return items
