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
them.

Depth. JSON nested deeper than about 1000 levels breaks common parsers (Python's ``json``, hence the
official SDK and ``httpx``, gives up there), and every level of either tree costs two (a node and its
``children`` list). So:

- past ``MAX_TREE_DEPTH`` messages on one path, ``tree`` is ``null`` and ``metadata`` stays exact;
- past ``MAX_BRANCH_DEPTH`` nested forks, ``branches`` is the flat list of every branch in creation order
  (parents first), each with its ``parentBranchId`` and ``_count``: the JS SDK's ``Branch[]`` shape, which a
  client nests by ``parentBranchId``. ``branchLayout`` (beside ``branches``) says ``"nested"`` or ``"flat"``.

Everything is built with loops (no recursion), in time linear in messages plus branches, and the route
answers with the JSON text made here (:func:`tree_response`), never through pydantic's serializer (whose
depth limit turned a 64-send branch into a 500).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from .store import BranchRow, ConversationRow, Store
from .wire import branch_json, conversation_json, ok

MAX_TREE_DEPTH = 200
MAX_BRANCH_DEPTH = 100


def tree_json(c: ConversationRow, store: Store) -> dict[str, Any]:
    branches = store.list_branches(c.id)
    known = {b.id for b in branches}
    payload: dict[str, dict[str, Any]] = {}
    for b in branches:
        data = branch_json(b, store)
        data["_count"] = {"messages": data["messageCount"]}
        payload[b.id] = data
    main = next((b for b in branches if b.is_main), None)
    nested, depth = _branch_nodes(branches, known, payload)
    message_tree, metadata = _message_tree(c, branches, store)
    flat = depth > MAX_BRANCH_DEPTH
    return {
        "conversation": conversation_json(c, store),
        "branches": [payload[b.id] for b in branches] if flat else nested,
        "branchLayout": "flat" if flat else "nested",
        "mainBranch": branch_json(main, store) if main else None,
        "tree": message_tree,
        "metadata": metadata,
    }


def tree_response(c: ConversationRow, store: Store) -> Response:
    """The route's answer: the envelope around :func:`tree_json`, serialised here."""
    body = json.dumps(ok(tree_json(c, store)), ensure_ascii=False, separators=(",", ":"))
    return Response(body.encode("utf-8"), media_type="application/json")


def _branch_nodes(
    branches: list[BranchRow], known: set[str], payload: dict[str, dict[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    """The ``{branch, children}`` root nodes and the deepest nesting (1 for a lone main branch)."""
    nodes: dict[str, dict[str, Any]] = {b.id: {"branch": payload[b.id], "children": []} for b in branches}
    depth: dict[str, int] = {}
    roots: list[dict[str, Any]] = []
    # Creation order puts a parent before its children: one pass links each node under its parent.
    for b in branches:
        parent = b.parent_branch_id if b.parent_branch_id in known and b.parent_branch_id in depth else None
        if parent is None:
            roots.append(nodes[b.id])
            depth[b.id] = 1
        else:
            nodes[parent]["children"].append(nodes[b.id])
            depth[b.id] = depth[parent] + 1
    return roots, max(depth.values(), default=0)


def _message_tree(
    c: ConversationRow, branches: list[BranchRow], store: Store
) -> tuple[dict[str, Any] | None, dict[str, int]]:
    nodes: dict[str, dict[str, Any]] = {}
    depth: dict[str, int] = {}
    roots: list[dict[str, Any]] = []
    # Parents first: a branch forks at a message of an earlier branch (list_branches is in creation order).
    for b in branches:
        previous = b.fork_point_message_id
        info = {"branchId": b.id, "branchName": b.title}
        for m in store.own_messages(b.id):
            item: dict[str, Any] = {
                "id": m.id,
                "content": m.content,
                "role": m.role,
                "children": [],
                "branchInfo": info,
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
    metadata = {
        "totalNodes": len(nodes),
        "totalBranches": len(branches),
        "maxDepth": max_depth,
    }
    if not roots or max_depth > MAX_TREE_DEPTH:
        return None, metadata
    if len(roots) == 1:
        return roots[0], metadata
    root = {"id": c.id, "content": c.title, "role": "conversation", "children": roots, "branchInfo": None}
    return root, metadata
