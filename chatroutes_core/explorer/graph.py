"""The lane layout of a conversation graph (pure, linear time, no recursion).

One lane per branch, one row per message. Branches are laid out depth-first from the main branch, parents
before children, children in the order of their fork points along the parent (then in the given order), so
a subtree always occupies consecutive lanes (the page collapses it as one block). Each branch's own messages
take consecutive rows, after every row of its parent branch, so rows increase along every parent chain:
a branch's first message sits below its fork point.

A branch whose parent is unknown (deleted, another page) or part of a cycle is laid out as a root after the
others, never dropped. A message is placed once, on the first branch that lists it.

Example:
    >>> main = BranchNode("b0", None, None, True)
    >>> fork = BranchNode("b1", "b0", "m1", False)
    >>> g = layout([main, fork], {"b0": ["m1", "m2"], "b1": ["m3"]})
    >>> g.lanes, g.rows, g.parents["m3"]
    ({'b0': 0, 'b1': 1}, {'m1': 0, 'm2': 1, 'm3': 2}, 'm1')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["BranchNode", "Layout", "layout"]


@dataclass(frozen=True)
class BranchNode:
    """What the layout needs of a branch."""

    id: str
    parent_branch_id: str | None
    fork_point_message_id: str | None
    is_main: bool = False


@dataclass
class Layout:
    """Lanes, depths and child counts per branch; rows and parent messages per message.

    ``order`` lists the branch ids in lane order. ``parents[m]`` is the message before ``m`` on its branch,
    or the branch's fork point for its first message (None for the first message of a root branch).
    """

    order: list[str] = field(default_factory=list)
    lanes: dict[str, int] = field(default_factory=dict)
    depths: dict[str, int] = field(default_factory=dict)
    child_counts: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    parents: dict[str, str | None] = field(default_factory=dict)
    message_branch: dict[str, str] = field(default_factory=dict)


def _children(
    branches: Sequence[BranchNode], position: Mapping[str, int]
) -> tuple[dict[str, list[BranchNode]], list[BranchNode]]:
    """Children per parent (sorted by fork point position, then given order) and the root candidates."""
    ids = {b.id for b in branches}
    children: dict[str, list[tuple[int, int, BranchNode]]] = {}
    roots: list[BranchNode] = []
    for index, branch in enumerate(branches):
        parent = branch.parent_branch_id
        if parent is None or parent not in ids or parent == branch.id:
            roots.append(branch)
            continue
        at = position.get(branch.fork_point_message_id or "", -1)
        children.setdefault(parent, []).append((at, index, branch))
    # sorting each sibling list costs O(k log k) per parent; the keys are ints
    return {p: [c for _, _, c in sorted(kids, key=lambda t: (t[0], t[1]))] for p, kids in children.items()}, [
        *sorted(roots, key=lambda b: not b.is_main)
    ]


def layout(branches: Sequence[BranchNode], messages: Mapping[str, Sequence[str]]) -> Layout:
    """Lay out ``branches`` (any order) with their own messages (``messages[branch_id]``, oldest first)."""
    out = Layout()
    position: dict[str, int] = {}  # a message's index along its own branch
    for branch in branches:
        for index, message_id in enumerate(messages.get(branch.id, ())):
            position.setdefault(message_id, index)
    children, roots = _children(branches, position)
    pending = list(roots)
    by_id = {b.id: b for b in branches}
    row = 0

    def visit(start: BranchNode) -> None:
        nonlocal row
        stack: list[tuple[BranchNode, int]] = [(start, 0)]
        while stack:
            branch, depth = stack.pop()
            if branch.id in out.lanes:
                continue
            out.lanes[branch.id] = len(out.order)
            out.order.append(branch.id)
            out.depths[branch.id] = depth
            kids = children.get(branch.id, [])
            out.child_counts[branch.id] = len(kids)
            previous = branch.fork_point_message_id if branch.parent_branch_id is not None else None
            for message_id in messages.get(branch.id, ()):
                if message_id in out.rows:
                    continue  # listed by an earlier branch: placed there
                out.rows[message_id] = row
                out.parents[message_id] = previous
                out.message_branch[message_id] = branch.id
                previous = message_id
                row += 1
            stack.extend((kid, depth + 1) for kid in reversed(kids))

    for root in pending:
        visit(root)
    for branch in branches:  # cycles: never reached from a root
        if branch.id not in out.lanes:
            visit(by_id[branch.id])
    return out
