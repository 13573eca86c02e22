"""API keys: stored only as SHA-256 hashes; the hash is the owner of everything created with that key."""

from __future__ import annotations

from pathlib import Path

from .database import Database
from .rows import hash_key, now_iso


class ApiKeys(Database):
    def __init__(self, path: str | Path = ":memory:", *, fsync: bool = False) -> None:
        self._owners: set[str] = set()  # key hashes known to be stored (keys are never removed)
        super().__init__(path, fsync=fsync)

    def add_key(self, api_key: str) -> str:
        owner = hash_key(api_key)
        self._write("INSERT OR IGNORE INTO api_keys VALUES (?, ?)", owner, now_iso())
        self._owners.add(owner)
        return owner

    def key_count(self) -> int:
        """How many API keys this database knows (each sees only its own conversations)."""
        return self._count("api_keys")

    def owner_of(self, api_key: str) -> str | None:
        owner = hash_key(api_key)
        if owner in self._owners:
            return owner
        if self._one("SELECT 1 FROM api_keys WHERE key_hash = ?", owner) is None:
            return None
        self._owners.add(owner)
        return owner
