"""Conversations and their branches (a conversation is created with its main branch)."""

from __future__ import annotations

import sqlite3
from typing import Any

from .database import Database
from .rows import BranchRow, ConversationRow, from_row, new_id, now_iso, to_columns


def _conversation(row: sqlite3.Row) -> ConversationRow:
    return from_row(ConversationRow, row)


def _branch(row: sqlite3.Row) -> BranchRow:
    return from_row(BranchRow, row, is_main=bool(row["is_main"]), is_active=bool(row["is_active"]))


class Conversations(Database):
    def create_conversation(self, owner: str, title: str, model: str) -> tuple[ConversationRow, BranchRow]:
        """A conversation and its main branch, in one transaction."""
        now = now_iso()
        conv = ConversationRow(new_id("conv"), owner, title, model, now, now)
        with self.atomic():
            self._insert("conversations", to_columns(conv))
            main = self.create_branch(conv.id, title="main", is_main=True)
        return conv, main

    def get_conversation(self, owner: str, conversation_id: str) -> ConversationRow | None:
        return self._live(_conversation, "conversations", conversation_id, "owner", owner)

    def list_conversations(self, owner: str, page: int, limit: int) -> tuple[list[ConversationRow], int]:
        total = self._count("conversations WHERE owner = ? AND deleted_at IS NULL", owner)
        rows = self._all(
            "SELECT * FROM conversations WHERE owner = ? AND deleted_at IS NULL "
            "ORDER BY updated_at DESC, rowid DESC LIMIT ? OFFSET ?",
            owner,
            limit,
            (page - 1) * limit,
        )
        return [_conversation(r) for r in rows], total

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
        live = "WHERE conversation_id = ? AND deleted_at IS NULL"
        messages = self._count(f"messages {live}", conversation_id)
        return messages, self._count(f"branches {live}", conversation_id)

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
            self._insert("branches", to_columns(branch))  # is_main, is_active: SQLite stores bools as 0/1
            self.touch_conversation(conversation_id)
        return branch

    def list_branches(self, conversation_id: str) -> list[BranchRow]:
        rows = self._all(
            "SELECT * FROM branches WHERE conversation_id = ? AND deleted_at IS NULL ORDER BY seq",
            conversation_id,
        )
        return [_branch(r) for r in rows]

    def get_branch(self, conversation_id: str, branch_id: str) -> BranchRow | None:
        return self._live(_branch, "branches", branch_id, "conversation_id", conversation_id)

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
        return self._count("branches WHERE parent_branch_id = ? AND deleted_at IS NULL", branch_id)

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
        return self._count("messages WHERE branch_id = ? AND deleted_at IS NULL", branch_id)
