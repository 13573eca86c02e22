"""The store's one row converter: each dataclass field is read from the column of its name."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from chatroutes_core.server.store import BranchRow, ConversationRow, Store
from chatroutes_core.server.store.rows import from_row


def test_fields_come_from_their_columns_and_converted_ones_win() -> None:
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    row = conn.execute(
        "SELECT 'c1' AS id, 'o' AS owner, 't' AS title, 'm' AS model, 'x' AS extra, "
        "'2025' AS created_at, '2026' AS updated_at"
    ).fetchone()
    assert from_row(ConversationRow, row) == ConversationRow("c1", "o", "t", "m", "2025", "2026")
    assert from_row(ConversationRow, row, title="T").title == "T"


def test_stored_rows_read_back_with_their_types() -> None:
    store = Store()
    conv, main = store.create_conversation("owner", "t", "gpt-5")
    stored = store.get_conversation("owner", conv.id)
    assert stored is not None  # creating the main branch touches the conversation's updated_at
    assert replace(stored, updated_at=conv.updated_at) == conv
    assert store.get_branch(conv.id, main.id) == main
    assert isinstance(main, BranchRow) and main.is_main is True and main.is_active is True
    sent = store.add_message(conv.id, main.id, role="user", content="hi", token_count=1, metadata={"k": 1})
    assert store.find_message(conv.id, sent.id) == sent
    cp = store.create_checkpoint(conv.id, main.id, sent.id, "summary", 3)
    assert store.list_checkpoints(conv.id) == [cp]
