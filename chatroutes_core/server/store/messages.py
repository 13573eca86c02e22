"""Messages, the per-branch cache of them, and history assembly (inherited prefix, then own messages).

Each branch's own messages are cached in memory once read (the store is the only writer of its file): a send
appends to the cache, an edit or delete drops the branch from it, and a rolled-back transaction drops the
whole cache. So assembling a long branch's context costs no SQL and no JSON decoding per stored message.
The cache is guarded by the store's one lock (``Database``), which also serialises every read and write.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from bisect import bisect_right
from dataclasses import replace
from pathlib import Path
from typing import Any

from .conversations import Conversations
from .rows import BranchRow, MessageRow, from_row, new_id, now_iso, to_columns


def _message(row: sqlite3.Row) -> MessageRow:
    return from_row(MessageRow, row, metadata=json.loads(row["metadata"]))


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


class Messages(Conversations):
    def __init__(self, path: str | Path = ":memory:", *, fsync: bool = False) -> None:
        #: branch id -> its own live messages in seq order (see the module docstring).
        self._own: dict[str, list[MessageRow]] = {}
        super().__init__(path, fsync=fsync)

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
        """A new message at the end of ``branch_id`` (``parent_message_id`` is the message it follows)."""
        fields = MessageRow("", 0, conversation_id, branch_id, role, content, model, token_count, "",
                            metadata or {}, parent_message_id)  # fmt: skip
        return self._append(fields)

    def merge_branch(self, branch: BranchRow, parent: BranchRow) -> None:
        """Copy the branch's own messages onto the end of ``parent`` (each copy's metadata names the branch
        and the message it came from), then mark the branch inactive: one transaction."""
        with self.atomic():
            history = self.history(parent)
            tip = history[-1].id if history else None
            for message in self.own_messages(branch.id):
                origin = {"merged_from_branch_id": branch.id, "original_message_id": message.id}
                copy = replace(message, branch_id=parent.id, parent_message_id=tip,
                               metadata={**message.metadata, **origin})  # fmt: skip
                tip = self._append(copy).id
            self.update_branch(branch.id, is_active=False)

    def _append(self, fields: MessageRow) -> MessageRow:
        """Store ``fields`` as a new message (a new id, time and content hash) at the end of its branch."""
        now = now_iso()
        digest = content_hash(fields.role, fields.content, fields.model, fields.parent_message_id,
                              fields.branch_id, now)  # fmt: skip
        row = replace(fields, id=new_id("msg"), seq=0, created_at=now, content_hash=digest, updated_at=None)
        with self.atomic():
            columns = to_columns(row, skip=("seq",), metadata=json.dumps(row.metadata))
            row = replace(row, seq=self._insert("messages", columns))  # seq: the rowid SQLite gives it
            self.touch_conversation(row.conversation_id)
            cached = self._own.get(row.branch_id)
            if cached is not None:
                cached.append(row)
        return row

    def get_message(self, owner: str, message_id: str) -> MessageRow | None:
        return self._owned(_message, "messages", message_id, owner)

    def find_message(self, conversation_id: str, message_id: str) -> MessageRow | None:
        return self._live(_message, "messages", message_id, "conversation_id", conversation_id)

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
            return self._count("messages WHERE deleted_at IS NULL")
        return self._count("messages WHERE conversation_id = ? AND deleted_at IS NULL", conversation_id)
