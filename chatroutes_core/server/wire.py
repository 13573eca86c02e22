"""Rows to wire JSON (camelCase), and the envelope helpers."""

from __future__ import annotations

from typing import Any

from .store import BranchRow, CheckpointRow, ConversationRow, MessageRow, Store


def ok(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data}


def message_json(m: MessageRow) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": m.id,
        "conversationId": m.conversation_id,
        "branchId": m.branch_id,
        "role": m.role,
        "content": m.content,
        "tokenCount": m.token_count,
        "createdAt": m.created_at,
        "metadata": m.metadata,
        "parentMessageId": m.parent_message_id,
        "model": m.model,
        "contentHash": m.content_hash,
    }
    if m.updated_at:
        body["updatedAt"] = m.updated_at
    return body


def branch_json(b: BranchRow, store: Store) -> dict[str, Any]:
    return {
        "id": b.id,
        "conversationId": b.conversation_id,
        "parentBranchId": b.parent_branch_id,
        "forkPointMessageId": b.fork_point_message_id,
        "title": b.title,
        "description": b.description,
        "contextMode": b.context_mode,
        "isMain": b.is_main,
        "isActive": b.is_active,
        "createdAt": b.created_at,
        "updatedAt": b.updated_at,
        "messageCount": store.own_message_count(b.id),
    }


def conversation_json(c: ConversationRow, store: Store, *, full: bool = False) -> dict[str, Any]:
    messages, branches = store.conversation_counts(c.id)
    body: dict[str, Any] = {
        "id": c.id,
        "userId": f"usr_{c.owner[:16]}",
        "title": c.title,
        "model": c.model,
        "createdAt": c.created_at,
        "updatedAt": c.updated_at,
        "messageCount": messages,
        "branchCount": branches,
    }
    if full:
        main = store.main_branch(c.id)
        body["messages"] = [message_json(m) for m in store.history(main)] if main else []
        body["branches"] = [branch_json(b, store) for b in store.list_branches(c.id)]
    return body


def checkpoint_json(cp: CheckpointRow) -> dict[str, Any]:
    return {
        "id": cp.id,
        "conversationId": cp.conversation_id,
        "branchId": cp.branch_id,
        "anchorMessageId": cp.anchor_message_id,
        "summary": cp.summary,
        "tokenCount": cp.token_count,
        "createdAt": cp.created_at,
        "updatedAt": cp.updated_at,
    }


def tree_json(c: ConversationRow, store: Store) -> dict[str, Any]:
    """``{conversation, branches: [{branch, children}], mainBranch}``; roots are branches without a parent."""
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
    return {
        "conversation": conversation_json(c, store),
        "branches": [node(b) for b in children.get(None, [])],
        "mainBranch": branch_json(main, store) if main else None,
    }
