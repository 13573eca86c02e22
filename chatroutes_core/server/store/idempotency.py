"""Idempotency records: the answer a write gave, kept under the caller's ``Idempotency-Key``.

Records are kept for ``idempotency_retention`` seconds (24 hours by default, as Stripe does): an older record
is never replayed (the key is free again) and is purged. Purging is cheap and bounded: every save deletes
at most ``PURGE_BATCH`` expired records, oldest first, in the same transaction, so a store of any size never
pays for a sweep and a busy one stays within a day's worth of records.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from .database import Database
from .rows import IdempotencyRecord, now_iso

DEFAULT_RETENTION = 24 * 3600.0
PURGE_BATCH = 100


def _cutoff(retention: float) -> str:
    """The ``created_at`` before which a record has expired (in ``now_iso``'s format, so text compares)."""
    moment = datetime.now(timezone.utc) - timedelta(seconds=retention)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Idempotency(Database):
    #: Seconds a record is kept and replayed (``create_app(idempotency_retention=...)``).
    idempotency_retention: float = DEFAULT_RETENTION

    def get_idempotent(self, owner: str, key: str) -> IdempotencyRecord | None:
        row = self._one(
            "SELECT * FROM idempotency WHERE owner = ? AND key = ? AND created_at >= ?",
            owner,
            key,
            _cutoff(self.idempotency_retention),
        )
        if row is None:
            return None
        return IdempotencyRecord(row["fingerprint"], row["kind"], int(row["status"]), json.loads(row["body"]))

    def save_idempotent(self, owner: str, key: str, record: IdempotencyRecord) -> None:
        with self.atomic():
            self.purge_idempotent(PURGE_BATCH)
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

    def purge_idempotent(self, limit: int | None = None) -> int:
        """Delete expired records (at most ``limit``, oldest first); returns how many went."""
        return self._write(
            "DELETE FROM idempotency WHERE rowid IN (SELECT rowid FROM idempotency WHERE created_at < ? "
            "ORDER BY created_at LIMIT ?)",
            _cutoff(self.idempotency_retention),
            -1 if limit is None else limit,
        )

    def count_idempotent(self) -> int:
        """Records stored, expired or not."""
        return self._count("idempotency")
