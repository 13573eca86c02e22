"""The rows the store hands out (frozen dataclasses), the row converters, and the id and time helpers."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_Row = TypeVar("_Row", bound="DataclassInstance")


def now_iso() -> str:
    """The current UTC time as the API writes it (``2025-10-05T03:01:09.598Z``)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ConversationRow:
    id: str
    owner: str
    title: str
    model: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class BranchRow:
    id: str
    conversation_id: str
    parent_branch_id: str | None
    fork_point_message_id: str | None
    title: str
    description: str | None
    context_mode: str
    is_main: bool
    is_active: bool
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class MessageRow:
    id: str
    seq: int
    conversation_id: str
    branch_id: str
    role: str
    content: str
    model: str | None
    token_count: int
    created_at: str
    metadata: dict[str, Any] = field(default_factory=dict)
    parent_message_id: str | None = None
    content_hash: str | None = None
    updated_at: str | None = None


@dataclass(frozen=True)
class CheckpointRow:
    id: str
    conversation_id: str
    branch_id: str
    anchor_message_id: str
    summary: str
    token_count: int
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class IdempotencyRecord:
    fingerprint: str
    kind: str
    status: int
    body: Any


@cache
def _columns(cls: type[DataclassInstance]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def from_row(cls: type[_Row], row: sqlite3.Row, **converted: Any) -> _Row:
    """``cls`` from a SQLite row: each field is the column of its name, unless ``converted`` gives it."""
    plain = {name: row[name] for name in _columns(cls) if name not in converted}
    return cls(**plain, **converted)


def to_columns(row: DataclassInstance, *, skip: tuple[str, ...] = (), **converted: Any) -> dict[str, Any]:
    """The inverse of :func:`from_row`: column name -> value of each field not in ``skip``."""
    plain = {name: getattr(row, name) for name in _columns(type(row)) if name not in skip}
    return {**plain, **converted}
