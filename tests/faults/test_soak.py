"""The short soak (bench/soak.py): `chatroutes serve` in its own process, mixed load over several keys for
about 10 s, then every invariant checked. The long run (60 s) is part of `make bench`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench._soak_check import check
from bench.soak import OPS, Ledger, soak
from chatroutes_core.server.store import Store
from chatroutes_core.testing import new_api_key

pytestmark = pytest.mark.integration


def test_a_short_soak_keeps_every_invariant() -> None:
    report = soak(seconds=10, workers=6, keys=3, seed=7)
    print("\n".join(report.lines()))
    assert report.violations == []
    assert set(report.ops) == set(OPS)  # every kind of operation ran
    assert not any(kind.split()[1].startswith("5") for kind in report.errors)
    assert report.log_lines > 0


def test_the_soak_checker_reports_each_kind_of_breakage(tmp_path: Path) -> None:
    """The soak's verdict means something: a database and logs broken on purpose fail every check."""
    db = tmp_path / "broken.sqlite3"
    store = Store(db)
    conv, main = store.create_conversation("owner", "t", "gpt-5")
    first = store.add_message(conv.id, main.id, role="user", content="soak once", token_count=1)
    store.add_message(
        conv.id, main.id, role="user", content="soak once", token_count=1, parent_message_id=first.id
    )
    fork = store.create_branch(conv.id, title="f", parent_branch_id=main.id, fork_point_message_id=first.id)
    store.add_message(
        conv.id, fork.id, role="user", content="x", token_count=1, parent_message_id="msg_elsewhere"
    )
    store.close()
    key = new_api_key()
    log = tmp_path / "stderr.log"
    log.write_text(f"export CHATROUTES_API_KEY={key}\nDEBUG Authorization: ApiKey {key}\n")
    ledger = Ledger()
    ledger.messages["msg_acknowledged_but_lost"] = main.id
    ledger.texts["soak once"] = 1
    ledger.errors["send 500 INTERNAL"] = 1
    ledger.errors["stream ReadError"] = 1
    check(ledger, db, [log], [key])
    found = "\n".join(ledger.violations)
    assert "1 x send 500 INTERNAL" in found and "1 x stream ReadError" in found
    assert "acknowledged message msg_acknowledged_but_lost is missing" in found
    assert "send 'soak once': acknowledged 1, stored 2" in found
    assert f"branch {fork.id}: " in found and "follows msg_elsewhere" in found
    assert "an API key in stderr.log line 2" in found and "line 1" not in found
