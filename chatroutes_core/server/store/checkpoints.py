"""Checkpoints: a summary of a branch's history up to an anchor message."""

from __future__ import annotations

import sqlite3
from typing import Any

from .database import Database
from .rows import CheckpointRow, from_row, new_id, now_iso, to_columns


def _checkpoint(row: sqlite3.Row) -> CheckpointRow:
    return from_row(CheckpointRow, row)


class Checkpoints(Database):
    def create_checkpoint(
        self, conversation_id: str, branch_id: str, anchor_message_id: str, summary: str, token_count: int
    ) -> CheckpointRow:
        now = now_iso()
        cp = CheckpointRow(
            new_id("cp"), conversation_id, branch_id, anchor_message_id, summary, token_count, now, now
        )
        self._insert("checkpoints", to_columns(cp))
        return cp

    def get_checkpoint(self, owner: str, checkpoint_id: str) -> CheckpointRow | None:
        return self._owned(_checkpoint, "checkpoints", checkpoint_id, owner)

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
