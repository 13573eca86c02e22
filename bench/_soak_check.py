"""The soak's invariants, checked on the stopped server's database file and logs (see ``bench/soak.py``)."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .soak import Ledger


def check(ledger: Ledger, db: Path, logs: list[Path], keys: list[str]) -> None:
    """Add every broken invariant to ``ledger.violations`` (the server must be stopped)."""
    bad = ledger.violations
    for kind, count in ledger.errors.items():
        parts = kind.split()
        if not parts[1].isdigit() or int(parts[1]) >= 500:
            bad.append(f"{count} x {kind}")
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    if (result := con.execute("PRAGMA integrity_check").fetchone()[0]) != "ok":
        bad.append(f"integrity_check: {result}")
    messages = {r["id"]: r for r in con.execute("SELECT * FROM messages ORDER BY seq")}
    branches = {r["id"]: r for r in con.execute("SELECT * FROM branches")}
    for mid, branch in ledger.messages.items():
        row = messages.get(mid)
        if branch in ledger.unsure:
            continue
        if row is None:
            bad.append(f"acknowledged message {mid} is missing")
        elif branch in ledger.deleted and row["deleted_at"] is None:
            bad.append(f"message {mid} of deleted branch {branch} is still live")
        elif branch not in ledger.deleted and row["deleted_at"] is not None:
            bad.append(f"acknowledged message {mid} was deleted")
    for bid in ledger.branches - ledger.unsure:
        row = branches.get(bid)
        if row is None or (row["deleted_at"] is None) == (bid in ledger.deleted):
            bad.append(f"branch {bid}: acknowledged state lost")
    for cid, bid in ledger.checkpoints.items():
        found = con.execute("SELECT deleted_at FROM checkpoints WHERE id = ?", (cid,)).fetchone()
        if found is None or (found[0] is None) == (bid in ledger.deleted):
            bad.append(f"checkpoint {cid}: acknowledged state lost")
    own: dict[str, list[sqlite3.Row]] = defaultdict(list)
    for row in messages.values():
        if row["deleted_at"] is None:
            own[row["branch_id"]].append(row)
    copies = {json.loads(r["metadata"]).get("original_message_id") for r in messages.values()}
    for bid, parent in ledger.merged.items():
        if bid in ledger.unsure or bid in ledger.deleted:
            continue
        if branches[bid]["is_active"]:
            bad.append(f"merged branch {bid} is still active")
        missing = [m["id"] for m in own[bid] if m["id"] not in copies]
        if missing:
            bad.append(f"merge of {bid} into {parent}: {len(missing)} messages not copied")
    sent = Counter(
        r["content"]
        for r in messages.values()
        if r["role"] == "user" and "merged_from_branch_id" not in json.loads(r["metadata"])
    )
    for text, count in ledger.texts.items():
        if sent[text] != 1 or count != 1:
            bad.append(f"send {text!r}: acknowledged {count}, stored {sent[text]}")
    for bid, row in branches.items():
        if row["deleted_at"] is not None:
            continue
        chain = own[bid]
        fork = row["fork_point_message_id"]
        if fork is not None:
            point = messages.get(fork)
            if (
                point is None
                or point["deleted_at"] is not None
                or point["branch_id"] != row["parent_branch_id"]
            ):
                bad.append(f"branch {bid}: fork point {fork} is not a live message of its parent")
        expected = fork
        for m in chain:
            if m["parent_message_id"] != expected:
                bad.append(f"branch {bid}: {m['id']} follows {m['parent_message_id']}, not {expected}")
                break
            expected = m["id"]
    con.close()
    for path in logs:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        for number, line in enumerate(lines, 1):
            if line.strip().startswith("export CHATROUTES_API_KEY="):
                continue  # the banner: the one place the key is printed, for the user to paste
            if any(key in line for key in keys):
                bad.append(f"an API key in {path.name} line {number}")
