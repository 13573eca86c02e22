"""Idempotency records: the answer a write gave, kept under the caller's ``Idempotency-Key``."""

from __future__ import annotations

import json

from .database import Database
from .rows import IdempotencyRecord, now_iso


class Idempotency(Database):
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
