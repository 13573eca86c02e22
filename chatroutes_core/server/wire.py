"""Rows to wire JSON (camelCase), and the envelope helpers."""

from __future__ import annotations

from typing import Any

from .store import BranchRow, CheckpointRow, ConversationRow, MessageRow, Store


def ok(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data}


def user_id(owner: str) -> str:
    """The public user id of an owner (the hash of its key): a prefix, so nothing leads back to the key."""
    return f"usr_{owner[:16]}"


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
        "userId": user_id(c.owner),
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
    """A checkpoint in camelCase and, beside it, snake_case (``tokenCount`` and ``token_count``...)."""
    body: dict[str, Any] = {
        "id": cp.id,
        "conversationId": cp.conversation_id,
        "branchId": cp.branch_id,
        "anchorMessageId": cp.anchor_message_id,
        "summary": cp.summary,
        "tokenCount": cp.token_count,
        "createdAt": cp.created_at,
        "updatedAt": cp.updated_at,
    }
    # The official SDKs disagree (the Python SDK's Checkpoint type is snake_case, the API answers camelCase,
    # the vendor's notebooks read either): send both spellings of every field.
    body.update({_snake(key): value for key, value in body.items() if _snake(key) != key})
    return body


def _snake(name: str) -> str:
    return "".join(f"_{ch.lower()}" if ch.isupper() else ch for ch in name)
