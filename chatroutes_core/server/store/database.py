"""The SQLite schema, the one connection and its lock, and transactions (``atomic``)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

_T = TypeVar("_T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (key_hash TEXT PRIMARY KEY, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, title TEXT NOT NULL, model TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT);
CREATE INDEX IF NOT EXISTS conversations_owner ON conversations (owner, updated_at);
CREATE TABLE IF NOT EXISTS branches (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, conversation_id TEXT NOT NULL,
    parent_branch_id TEXT, fork_point_message_id TEXT, title TEXT NOT NULL, description TEXT,
    context_mode TEXT NOT NULL, is_main INTEGER NOT NULL, is_active INTEGER NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT);
CREATE INDEX IF NOT EXISTS branches_conversation ON branches (conversation_id);
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, conversation_id TEXT NOT NULL,
    branch_id TEXT NOT NULL, role TEXT NOT NULL, content TEXT NOT NULL, model TEXT,
    token_count INTEGER NOT NULL, metadata TEXT NOT NULL, parent_message_id TEXT, content_hash TEXT,
    created_at TEXT NOT NULL, updated_at TEXT, deleted_at TEXT);
CREATE INDEX IF NOT EXISTS messages_branch ON messages (branch_id, seq);
CREATE INDEX IF NOT EXISTS messages_conversation ON messages (conversation_id, seq);
CREATE TABLE IF NOT EXISTS checkpoints (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, conversation_id TEXT NOT NULL,
    branch_id TEXT NOT NULL, anchor_message_id TEXT NOT NULL, summary TEXT NOT NULL,
    token_count INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT);
CREATE TABLE IF NOT EXISTS idempotency (
    owner TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, kind TEXT NOT NULL,
    status INTEGER NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (owner, key));
CREATE INDEX IF NOT EXISTS idempotency_created ON idempotency (created_at);
"""


class Database:
    """The base every part of ``Store`` builds on: one connection, the lock that guards it, transactions.

    The lock also guards the state the other parts keep on the same object (the message cache of
    ``Messages``), so a read that fills a cache cannot interleave with a write.
    """

    def __init__(self, path: str | Path = ":memory:", *, fsync: bool = False) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        if self.path != ":memory:":
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute(f"PRAGMA synchronous={'FULL' if fsync else 'NORMAL'}")
        self._conn.execute("PRAGMA busy_timeout=5000")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction; nested calls join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._depth = 1
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                self._forget()  # the cache may hold rows of the rolled-back transaction
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def _forget(self, branch_id: str | None = None) -> None:
        """Drop cached rows of one branch (or all); ``Messages`` keeps the cache and overrides this."""

    def _all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._conn.execute(sql, args).fetchall())

    def _one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._conn.execute(sql, args).fetchone()
            return row

    def _write(self, sql: str, *args: Any) -> int:
        with self.atomic():
            return self._conn.execute(sql, args).rowcount

    def _insert(self, table: str, columns: dict[str, Any]) -> int:
        """Insert one row (column name -> value, e.g. from ``rows.to_columns``); returns its rowid."""
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        with self.atomic():
            cursor = self._conn.execute(sql, tuple(columns.values()))
            return int(cursor.lastrowid or 0)

    def _count(self, where: str, *args: Any) -> int:
        """``SELECT COUNT(*) FROM <where>``, e.g. ``self._count("branches WHERE id = ?", branch_id)``."""
        row = self._one(f"SELECT COUNT(*) AS n FROM {where}", *args)
        return int(row["n"]) if row else 0

    def _live(
        self, convert: Callable[[sqlite3.Row], _T], table: str, row_id: str, scope: str, scope_id: str
    ) -> _T | None:
        """Row ``row_id`` of ``table``, unless deleted or its column ``scope`` is not ``scope_id``."""
        row = self._one(
            f"SELECT * FROM {table} WHERE id = ? AND {scope} = ? AND deleted_at IS NULL", row_id, scope_id
        )
        return convert(row) if row else None

    def _owned(self, convert: Callable[[sqlite3.Row], _T], table: str, row_id: str, owner: str) -> _T | None:
        """Row ``row_id`` of ``table``, unless it or its conversation is deleted or another owner's."""
        row = self._one(
            f"SELECT t.* FROM {table} t JOIN conversations c ON c.id = t.conversation_id "
            "WHERE t.id = ? AND c.owner = ? AND t.deleted_at IS NULL AND c.deleted_at IS NULL",
            row_id,
            owner,
        )
        return convert(row) if row else None
