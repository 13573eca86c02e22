"""Rows to wire JSON (camelCase), and the envelope helpers."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from pydantic.alias_generators import to_camel

from .store import BranchRow, CheckpointRow, ConversationRow, MessageRow, Store


def ok(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data}


def user_id(owner: str) -> str:
    """The public user id of an owner (the hash of its key): a prefix, so nothing leads back to the key."""
    return f"usr_{owner[:16]}"


Fields = tuple[tuple[str, str], ...]  # (row attribute, camelCase key), in wire order


def _keyed(names: tuple[str, ...]) -> Fields:
    # the camelCase keys are computed once, here, not per row
    return tuple((name, to_camel(name)) for name in names)


# The fields of each row on the wire, in the order the API sends them (a branch and a checkpoint: all of
# their row's fields, in the row's order).
_MESSAGE = _keyed(
    (
        "id",
        "conversation_id",
        "branch_id",
        "role",
        "content",
        "token_count",
        "created_at",
        "metadata",
        "parent_message_id",
        "model",
        "content_hash",
    )
)
_BRANCH = _keyed(tuple(f.name for f in fields(BranchRow)))
_CHECKPOINT = _keyed(tuple(f.name for f in fields(CheckpointRow)))
_CONVERSATION = _keyed(("title", "model", "created_at", "updated_at"))  # between its id and counts


def _camel(row: object, keyed: Fields) -> dict[str, Any]:
    """``row``'s attributes named in ``keyed``, under their camelCase keys."""
    return {key: getattr(row, name) for name, key in keyed}


def message_json(m: MessageRow) -> dict[str, Any]:
    body = _camel(m, _MESSAGE)
    if m.updated_at:
        body["updatedAt"] = m.updated_at
    return body


def branch_json(b: BranchRow, store: Store) -> dict[str, Any]:
    return {**_camel(b, _BRANCH), "messageCount": store.own_message_count(b.id)}


def conversation_json(c: ConversationRow, store: Store, *, full: bool = False) -> dict[str, Any]:
    messages, branches = store.conversation_counts(c.id)
    body: dict[str, Any] = {
        "id": c.id,
        "userId": user_id(c.owner),
        **_camel(c, _CONVERSATION),
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
    body = _camel(cp, _CHECKPOINT)
    # The official SDKs disagree (the Python SDK's Checkpoint type is snake_case, the API answers camelCase,
    # the vendor's notebooks read either): send both spellings of every field.
    body.update({_snake(key): value for key, value in body.items() if _snake(key) != key})
    return body


def _snake(name: str) -> str:
    return "".join(f"_{ch.lower()}" if ch.isupper() else ch for ch in name)
