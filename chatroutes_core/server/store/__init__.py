"""The SQLite store: conversations, branches, messages, checkpoints, API keys and idempotency records.

One connection (``check_same_thread=False``) guarded by a re-entrant lock; WAL journal on file databases;
every write runs in one ``BEGIN IMMEDIATE`` transaction committed before the caller answers. By default the
WAL is not fsynced on every commit (``synchronous=NORMAL``): a committed write survives the server process
dying or being restarted, and only a power loss or OS crash can lose the last few commits. ``fsync=True``
(``chatroutes serve --fsync``) makes every commit wait for the disk (``synchronous=FULL``, about 7 ms per
commit on the machine the benchmarks ran on, against 0.1 ms). ``atomic()``
nests, so a route can group several writes (the user message, the reply and the idempotency record) into one
transaction. Deletes are soft (``deleted_at``); deleted rows are invisible to every read.

Each branch's own messages are cached in memory once read (see ``messages``).

Messages are ordered by ``seq`` (an integer primary key), ids are opaque strings (``conv_``, ``br_``,
``msg_``, ``cp_`` followed by random hex). API keys are stored only as SHA-256 hashes; the hash is the
owner of everything created with that key.

``Store`` is one object made of one part per concept, each a module of this package:

- ``database``: the schema, the connection, its lock and ``atomic()``; the base of every part;
- ``conversations``: conversations and branches;
- ``messages``: messages, the per-branch cache and history assembly;
- ``checkpoints``, ``idempotency``, ``keys``: checkpoints, idempotency records, API keys;
- ``rows``: the row dataclasses the parts return and the one row converter.
"""

from __future__ import annotations

from .checkpoints import Checkpoints
from .idempotency import Idempotency
from .keys import ApiKeys
from .messages import Messages, content_hash
from .rows import (
    BranchRow,
    CheckpointRow,
    ConversationRow,
    IdempotencyRecord,
    MessageRow,
    hash_key,
    new_id,
    now_iso,
)

__all__ = [
    "BranchRow",
    "CheckpointRow",
    "ConversationRow",
    "IdempotencyRecord",
    "MessageRow",
    "Store",
    "content_hash",
    "hash_key",
    "new_id",
    "now_iso",
]


class Store(Messages, Checkpoints, Idempotency, ApiKeys):
    """Thread-safe SQLite persistence for the local server."""
