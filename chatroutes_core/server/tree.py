"""The tree route's payload: both documented shapes of ``GET /conversations/{id}/tree`` in one object.

- ``{conversation, branches, mainBranch}`` (the JS SDK's ``ConversationTree`` since v0.2 and the official
  Python quickstart): ``branches`` holds the root nodes (normally the main branch) as
  ``{"branch": {..., "_count": {"messages": n}}, "children": [...]}``, children nested by parent branch.
- ``{tree, metadata: {totalNodes, totalBranches, maxDepth}}`` (the Python SDK's ``ConversationTree`` type and
  the JS SDK before v0.2): ``tree`` is the message tree, one ``{id, content, role, children, branchInfo:
  {branchId, branchName}}`` node per stored message; a branch's first message is a child of its fork point.
  ``totalNodes`` counts messages, ``totalBranches`` all branches (not only the roots), ``maxDepth`` the
  messages on the longest root-to-leaf path.

``tree`` is the root message; with no message it is ``null``; when several messages have no parent (a
branch forked from an empty conversation) a ``{"id": <conversation id>, "role": "conversation"}`` node holds
them. Past ``MAX_TREE_DEPTH`` messages on one path ``tree`` is ``null`` too (``metadata`` stays exact): JSON
nested that deep breaks common parsers (Python's ``json`` gives up near 1000 levels, two per message).
"""

from __future__ import annotations

from typing import Any

from .store import BranchRow, ConversationRow, Store
from .wire import branch_json, conversation_json

MAX_TREE_DEPTH = 200


def tree_json(c: ConversationRow, store: Store) -> dict[str, Any]:
    branches = store.list_branches(c.id)
    children: dict[str | None, list[BranchRow]] = {}
    known = {b.id for b in branches}
    for b in branches:
        parent = b.parent_branch_id if b.parent_branch_id in known else None
        children.setdefault(parent, []).append(b)

    def node(b: BranchRow) -> dict[str, Any]:
        data = branch_json(b, store)
        data["_count"] = {"messages": data["messageCount"]}
        return {"branch": data, "children": [node(child) for child in children.get(b.id, [])]}

    main = next((b for b in branches if b.is_main), None)
    message_tree, metadata = _message_tree(c, branches, store)
    return {
        "conversation": conversation_json(c, store),
        "branches": [node(b) for b in children.get(None, [])],
        "mainBranch": branch_json(main, store) if main else None,
        "tree": message_tree,
        "metadata": metadata,
    }


def _message_tree(
    c: ConversationRow, branches: list[BranchRow], store: Store
) -> tuple[dict[str, Any] | None, dict[str, int]]:
    nodes: dict[str, dict[str, Any]] = {}
    depth: dict[str, int] = {}
    roots: list[dict[str, Any]] = []
    # Parents first: a branch forks at a message of an earlier branch (list_branches is in creation order).
    for b in branches:
        previous = b.fork_point_message_id
        for m in store.own_messages(b.id):
            item: dict[str, Any] = {
                "id": m.id,
                "content": m.content,
                "role": m.role,
                "children": [],
                "branchInfo": {"branchId": b.id, "branchName": b.title},
            }
            parent = nodes.get(previous) if previous else None
            if parent is not None:
                parent["children"].append(item)
                depth[m.id] = depth[str(previous)] + 1
            else:
                roots.append(item)
                depth[m.id] = 1
            nodes[m.id] = item
            previous = m.id
    max_depth = max(depth.values(), default=0)
    metadata = {"totalNodes": len(nodes), "totalBranches": len(branches), "maxDepth": max_depth}
    if not roots or max_depth > MAX_TREE_DEPTH:
        return None, metadata
    if len(roots) == 1:
        return roots[0], metadata
    root = {"id": c.id, "content": c.title, "role": "conversation", "children": roots, "branchInfo": None}
    return root, metadata
