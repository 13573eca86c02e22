"""The SQLite store: conversations, branches, messages, checkpoints, API keys and idempotency records.

One connection (``check_same_thread=False``) guarded by a re-entrant lock; WAL journal on file databases;
every write runs in one ``BEGIN IMMEDIATE`` transaction committed before the caller answers. By default the
WAL is not fsynced on every commit (``synchronous=NORMAL``): a committed write survives the server process
dying or being restarted, and only a power loss or OS crash can lose the last few commits. ``fsync=True``
(``chatroutes serve --fsync``) makes every commit wait for the disk (``synchronous=FULL``, about 7 ms per
commit on the machine the benchmarks ran on, against 0.1 ms). ``atomic()``
nests, so a route can group several writes (the user message, the reply and the idempotency record) into one
transaction. Deletes are soft (``deleted_at``); deleted rows are invisible to every read.

Each branch's own messages are cached in memory once read (the store is the only writer of its file): a send
appends to the cache, an edit or delete drops the branch from it, and a rolled-back transaction drops the
whole cache. So assembling a long branch's context costs no SQL and no JSON decoding per stored message.

Messages are ordered by ``seq`` (an integer primary key), ids are opaque strings (``conv_``, ``br_``,
``msg_``, ``cp_`` followed by random hex). API keys are stored only as SHA-256 hashes; the hash is the
owner of everything created with that key.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
from bisect import bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

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
"""


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


def _conversation(row: sqlite3.Row) -> ConversationRow:
    return ConversationRow(
        row["id"], row["owner"], row["title"], row["model"], row["created_at"], row["updated_at"]
    )


def _branch(row: sqlite3.Row) -> BranchRow:
    return BranchRow(
        id=row["id"],
        conversation_id=row["conversation_id"],
        parent_branch_id=row["parent_branch_id"],
        fork_point_message_id=row["fork_point_message_id"],
        title=row["title"],
        description=row["description"],
        context_mode=row["context_mode"],
        is_main=bool(row["is_main"]),
        is_active=bool(row["is_active"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _message(row: sqlite3.Row) -> MessageRow:
    return MessageRow(
        id=row["id"],
        seq=row["seq"],
        conversation_id=row["conversation_id"],
        branch_id=row["branch_id"],
        role=row["role"],
        content=row["content"],
        model=row["model"],
        token_count=row["token_count"],
        created_at=row["created_at"],
        metadata=json.loads(row["metadata"]),
        parent_message_id=row["parent_message_id"],
        content_hash=row["content_hash"],
        updated_at=row["updated_at"],
    )


def _checkpoint(row: sqlite3.Row) -> CheckpointRow:
    return CheckpointRow(
        row["id"],
        row["conversation_id"],
        row["branch_id"],
        row["anchor_message_id"],
        row["summary"],
        row["token_count"],
        row["created_at"],
        row["updated_at"],
    )


def content_hash(
    role: str, content: str, model: str | None, parent: str | None, branch_id: str, created_at: str
) -> str:
    """SHA-256 of compact JSON in the key order the official notebook documents."""
    payload = {
        "v": 1,
        "role": role,
        "content": content,
        "model": model,
        "parentMessageId": parent,
        "branchId": branch_id,
        "createdAt": created_at,
    }
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Store:
    """Thread-safe SQLite persistence for the local server."""

    def __init__(self, path: str | Path = ":memory:", *, fsync: bool = False) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._depth = 0
        #: branch id -> its own live messages in seq order (see the module docstring).
        self._own: dict[str, list[MessageRow]] = {}
        self._owners: set[str] = set()  # key hashes known to be stored (keys are never removed)
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
                self._own.clear()  # it may hold rows of the rolled-back transaction
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

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

    # API keys ---------------------------------------------------------------------------------------

    def add_key(self, api_key: str) -> str:
        owner = hash_key(api_key)
        self._write("INSERT OR IGNORE INTO api_keys VALUES (?, ?)", owner, now_iso())
        self._owners.add(owner)
        return owner

    def key_count(self) -> int:
        """How many API keys this database knows (each sees only its own conversations)."""
        row = self._one("SELECT COUNT(*) AS n FROM api_keys")
        return int(row["n"]) if row else 0

    def owner_of(self, api_key: str) -> str | None:
        owner = hash_key(api_key)
        if owner in self._owners:
            return owner
        if self._one("SELECT 1 FROM api_keys WHERE key_hash = ?", owner) is None:
            return None
        self._owners.add(owner)
        return owner

    # Conversations ----------------------------------------------------------------------------------

    def create_conversation(self, owner: str, title: str, model: str) -> tuple[ConversationRow, BranchRow]:
        """A conversation and its main branch, in one transaction."""
        now = now_iso()
        conv = ConversationRow(new_id("conv"), owner, title, model, now, now)
        with self.atomic():
            self._conn.execute(
                "INSERT INTO conversations VALUES (?, ?, ?, ?, ?, ?, NULL)",
                (conv.id, owner, title, model, now, now),
            )
            main = self.create_branch(conv.id, title="main", is_main=True)
        return conv, main

    def get_conversation(self, owner: str, conversation_id: str) -> ConversationRow | None:
        row = self._one(
            "SELECT * FROM conversations WHERE id = ? AND owner = ? AND deleted_at IS NULL",
            conversation_id,
            owner,
        )
        return _conversation(row) if row else None

    def list_conversations(self, owner: str, page: int, limit: int) -> tuple[list[ConversationRow], int]:
        total_row = self._one(
            "SELECT COUNT(*) AS n FROM conversations WHERE owner = ? AND deleted_at IS NULL", owner
        )
        rows = self._all(
            "SELECT * FROM conversations WHERE owner = ? AND deleted_at IS NULL "
            "ORDER BY updated_at DESC, rowid DESC LIMIT ? OFFSET ?",
            owner,
            limit,
            (page - 1) * limit,
        )
        return [_conversation(r) for r in rows], int(total_row["n"]) if total_row else 0

    def update_conversation(self, conversation_id: str, *, title: str | None, model: str | None) -> None:
        with self.atomic():
            if title is not None:
                self._conn.execute(
                    "UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id)
                )
            if model is not None:
                self._conn.execute(
                    "UPDATE conversations SET model = ? WHERE id = ?", (model, conversation_id)
                )
            self.touch_conversation(conversation_id)

    def touch_conversation(self, conversation_id: str) -> None:
        self._write("UPDATE conversations SET updated_at = ? WHERE id = ?", now_iso(), conversation_id)

    def delete_conversation(self, conversation_id: str) -> None:
        now = now_iso()
        with self.atomic():
            for table in ("messages", "branches", "checkpoints"):
                self._conn.execute(
                    f"UPDATE {table} SET deleted_at = ? WHERE conversation_id = ? AND deleted_at IS NULL",
                    (now, conversation_id),
                )
            self._conn.execute("UPDATE conversations SET deleted_at = ? WHERE id = ?", (now, conversation_id))
            self._forget()

    def conversation_counts(self, conversation_id: str) -> tuple[int, int]:
        """(messages, branches) stored in a conversation."""
        m = self._one(
            "SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ? AND deleted_at IS NULL",
            conversation_id,
        )
        b = self._one(
            "SELECT COUNT(*) AS n FROM branches WHERE conversation_id = ? AND deleted_at IS NULL",
            conversation_id,
        )
        return (int(m["n"]) if m else 0), (int(b["n"]) if b else 0)

    # Branches ---------------------------------------------------------------------------------------

    def create_branch(
        self,
        conversation_id: str,
        *,
        title: str,
        parent_branch_id: str | None = None,
        fork_point_message_id: str | None = None,
        description: str | None = None,
        context_mode: str = "FULL",
        is_main: bool = False,
    ) -> BranchRow:
        now = now_iso()
        branch = BranchRow(
            new_id("br"),
            conversation_id,
            parent_branch_id,
            fork_point_message_id,
            title,
            description,
            context_mode,
            is_main,
            True,
            now,
            now,
        )
        with self.atomic():
            self._conn.execute(
                "INSERT INTO branches (id, conversation_id, parent_branch_id, fork_point_message_id, title, "
                "description, context_mode, is_main, is_active, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                (
                    branch.id,
                    conversation_id,
                    parent_branch_id,
                    fork_point_message_id,
                    title,
                    description,
                    context_mode,
                    int(is_main),
                    now,
                    now,
                ),
            )
            self.touch_conversation(conversation_id)
        return branch

    def list_branches(self, conversation_id: str) -> list[BranchRow]:
        rows = self._all(
            "SELECT * FROM branches WHERE conversation_id = ? AND deleted_at IS NULL ORDER BY seq",
            conversation_id,
        )
        return [_branch(r) for r in rows]

    def get_branch(self, conversation_id: str, branch_id: str) -> BranchRow | None:
        row = self._one(
            "SELECT * FROM branches WHERE id = ? AND conversation_id = ? AND deleted_at IS NULL",
            branch_id,
            conversation_id,
        )
        return _branch(row) if row else None

    def _branch_any(self, branch_id: str) -> BranchRow | None:
        row = self._one("SELECT * FROM branches WHERE id = ?", branch_id)
        return _branch(row) if row else None

    def main_branch(self, conversation_id: str) -> BranchRow | None:
        row = self._one(
            "SELECT * FROM branches WHERE conversation_id = ? AND is_main = 1 AND deleted_at IS NULL",
            conversation_id,
        )
        return _branch(row) if row else None

    def update_branch(self, branch_id: str, **fields: Any) -> None:
        allowed = {"title", "description", "context_mode", "is_active"}
        with self.atomic():
            for name, value in fields.items():
                if name not in allowed or value is None:
                    continue
                stored = int(value) if isinstance(value, bool) else value
                self._conn.execute(f"UPDATE branches SET {name} = ? WHERE id = ?", (stored, branch_id))
            self._conn.execute("UPDATE branches SET updated_at = ? WHERE id = ?", (now_iso(), branch_id))

    def child_count(self, branch_id: str) -> int:
        row = self._one(
            "SELECT COUNT(*) AS n FROM branches WHERE parent_branch_id = ? AND deleted_at IS NULL", branch_id
        )
        return int(row["n"]) if row else 0

    def delete_branch(self, branch_id: str) -> None:
        now = now_iso()
        with self.atomic():
            self._conn.execute(
                "UPDATE messages SET deleted_at = ? WHERE branch_id = ? AND deleted_at IS NULL",
                (now, branch_id),
            )
            self._conn.execute(
                "UPDATE checkpoints SET deleted_at = ? WHERE branch_id = ? AND deleted_at IS NULL",
                (now, branch_id),
            )
            self._conn.execute("UPDATE branches SET deleted_at = ? WHERE id = ?", (now, branch_id))
            self._forget(branch_id)

    def own_message_count(self, branch_id: str) -> int:
        row = self._one(
            "SELECT COUNT(*) AS n FROM messages WHERE branch_id = ? AND deleted_at IS NULL", branch_id
        )
        return int(row["n"]) if row else 0

    # Messages ---------------------------------------------------------------------------------------

    def own_messages(self, branch_id: str, upto_seq: int | None = None) -> list[MessageRow]:
        """The branch's own live messages in order (up to and including ``upto_seq``); a fresh list."""
        with self._lock:
            cached = self._own.get(branch_id)
            if cached is None:
                rows = self._all(
                    "SELECT * FROM messages WHERE branch_id = ? AND deleted_at IS NULL ORDER BY seq",
                    branch_id,
                )
                cached = self._own[branch_id] = [_message(r) for r in rows]
            if upto_seq is None:
                return list(cached)
            return cached[: bisect_right(cached, upto_seq, key=lambda m: m.seq)]

    def _forget(self, branch_id: str | None = None) -> None:
        with self._lock:
            if branch_id is None:
                self._own.clear()
            else:
                self._own.pop(branch_id, None)

    def inherited_messages(self, branch: BranchRow) -> list[MessageRow]:
        """The parent's history up to and including the fork point (empty for a root branch)."""
        chain: list[tuple[str, int]] = []  # (branch id, last seq to include), innermost parent first
        current = branch
        seen = {branch.id}
        while current.parent_branch_id and current.fork_point_message_id:
            fork = self._one("SELECT seq FROM messages WHERE id = ?", current.fork_point_message_id)
            parent = self._branch_any(current.parent_branch_id)
            if fork is None or parent is None or parent.id in seen:
                break
            chain.append((parent.id, int(fork["seq"])))
            seen.add(parent.id)
            current = parent
        history: list[MessageRow] = []
        for branch_id, upto in reversed(chain):
            history.extend(self.own_messages(branch_id, upto))
        return history

    def history(self, branch: BranchRow) -> list[MessageRow]:
        """A branch's full history: inherited prefix, then its own messages."""
        return self.inherited_messages(branch) + self.own_messages(branch.id)

    def add_message(
        self,
        conversation_id: str,
        branch_id: str,
        *,
        role: str,
        content: str,
        token_count: int,
        model: str | None = None,
        metadata: dict[str, Any] | None = None,
        parent_message_id: str | None = None,
    ) -> MessageRow:
        now = now_iso()
        digest = content_hash(role, content, model, parent_message_id, branch_id, now)
        message_id = new_id("msg")
        meta = metadata or {}
        with self.atomic():
            cursor = self._conn.execute(
                "INSERT INTO messages (id, conversation_id, branch_id, role, content, model, token_count, "
                "metadata, parent_message_id, content_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    message_id,
                    conversation_id,
                    branch_id,
                    role,
                    content,
                    model,
                    token_count,
                    json.dumps(meta),
                    parent_message_id,
                    digest,
                    now,
                ),
            )
            seq = int(cursor.lastrowid or 0)
            self.touch_conversation(conversation_id)
            row = MessageRow(
                message_id,
                seq,
                conversation_id,
                branch_id,
                role,
                content,
                model,
                token_count,
                now,
                meta,
                parent_message_id,
                digest,
            )
            cached = self._own.get(branch_id)
            if cached is not None:
                cached.append(row)
        return row

    def get_message(self, owner: str, message_id: str) -> MessageRow | None:
        row = self._one(
            "SELECT m.* FROM messages m JOIN conversations c ON c.id = m.conversation_id "
            "WHERE m.id = ? AND c.owner = ? AND m.deleted_at IS NULL AND c.deleted_at IS NULL",
            message_id,
            owner,
        )
        return _message(row) if row else None

    def find_message(self, conversation_id: str, message_id: str) -> MessageRow | None:
        row = self._one(
            "SELECT * FROM messages WHERE id = ? AND conversation_id = ? AND deleted_at IS NULL",
            message_id,
            conversation_id,
        )
        return _message(row) if row else None

    def update_message(self, message: MessageRow, content: str, token_count: int) -> MessageRow:
        now = now_iso()
        digest = content_hash(
            message.role,
            content,
            message.model,
            message.parent_message_id,
            message.branch_id,
            message.created_at,
        )
        with self.atomic():
            self._conn.execute(
                "UPDATE messages SET content = ?, token_count = ?, content_hash = ?, updated_at = ? "
                "WHERE id = ?",
                (content, token_count, digest, now, message.id),
            )
            self.touch_conversation(message.conversation_id)
            self._forget(message.branch_id)
        row = self._one("SELECT * FROM messages WHERE id = ?", message.id)
        assert row is not None
        return _message(row)

    def delete_message(self, message_id: str) -> None:
        with self.atomic():
            self._write("UPDATE messages SET deleted_at = ? WHERE id = ?", now_iso(), message_id)
            self._forget()  # the message's branch is not known here; deletes are rare

    def count_messages(self, conversation_id: str | None = None) -> int:
        """Stored messages (deleted ones excluded), of one conversation or of all."""
        if conversation_id is None:
            row = self._one("SELECT COUNT(*) AS n FROM messages WHERE deleted_at IS NULL")
        else:
            row = self._one(
                "SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ? AND deleted_at IS NULL",
                conversation_id,
            )
        return int(row["n"]) if row else 0

    # Checkpoints ------------------------------------------------------------------------------------

    def create_checkpoint(
        self, conversation_id: str, branch_id: str, anchor_message_id: str, summary: str, token_count: int
    ) -> CheckpointRow:
        now = now_iso()
        cp = CheckpointRow(
            new_id("cp"), conversation_id, branch_id, anchor_message_id, summary, token_count, now, now
        )
        self._write(
            "INSERT INTO checkpoints (id, conversation_id, branch_id, anchor_message_id, summary, "
            "token_count, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            cp.id,
            conversation_id,
            branch_id,
            anchor_message_id,
            summary,
            token_count,
            now,
            now,
        )
        return cp

    def get_checkpoint(self, owner: str, checkpoint_id: str) -> CheckpointRow | None:
        row = self._one(
            "SELECT k.* FROM checkpoints k JOIN conversations c ON c.id = k.conversation_id "
            "WHERE k.id = ? AND c.owner = ? AND k.deleted_at IS NULL AND c.deleted_at IS NULL",
            checkpoint_id,
            owner,
        )
        return _checkpoint(row) if row else None

    def list_checkpoints(self, conversation_id: str, branch_id: str | None = None) -> list[CheckpointRow]:
        sql = "SELECT * FROM checkpoints WHERE conversation_id = ? AND deleted_at IS NULL"
        args: list[Any] = [conversation_id]
        if branch_id is not None:
            sql += " AND branch_id = ?"
            args.append(branch_id)
        return [_checkpoint(r) for r in self._all(sql + " ORDER BY seq", *args)]

    def update_checkpoint(
        self, checkpoint_id: str, anchor_message_id: str, summary: str, token_count: int
    ) -> None:
        self._write(
            "UPDATE checkpoints SET anchor_message_id = ?, summary = ?, token_count = ?, updated_at = ? "
            "WHERE id = ?",
            anchor_message_id,
            summary,
            token_count,
            now_iso(),
            checkpoint_id,
        )

    def delete_checkpoint(self, checkpoint_id: str) -> None:
        self._write("UPDATE checkpoints SET deleted_at = ? WHERE id = ?", now_iso(), checkpoint_id)

    # Idempotency ------------------------------------------------------------------------------------

    def get_idempotent(self, owner: str, key: str) -> IdempotencyRecord | None:
        row = self._one("SELECT * FROM idempotency WHERE owner = ? AND key = ?", owner, key)
        if row is None:
            return None
        return IdempotencyRecord(row["fingerprint"], row["kind"], int(row["status"]), json.loads(row["body"]))

    def save_idempotent(self, owner: str, key: str, record: IdempotencyRecord) -> None:
        self._write(
            "INSERT OR REPLACE INTO idempotency VALUES (?, ?, ?, ?, ?, ?, ?)",
            owner,
            key,
            record.fingerprint,
            record.kind,
            record.status,
            json.dumps(record.body),
            now_iso(),
        )
