"""The fault table: every fault test records one row; the session prints them (and can write the docs).

Run ``CHATROUTES_WRITE_FAULT_TABLE=1 pytest tests/faults`` to rewrite the table in ``docs/guarantees.md`` and
``README.md`` (between the ``fault-table`` markers) from the run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _fault_table import ROWS, table

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "docs" / "guarantees.md", ROOT / "README.md"]
START, END = "<!-- fault-table:start -->", "<!-- fault-table:end -->"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not ROWS:
        return
    terminalreporter.write_sep("=", "fault table (server-side attempts and stored messages)")
    for line in table(ROWS):
        terminalreporter.write_line(line)
    if os.environ.get("CHATROUTES_WRITE_FAULT_TABLE") != "1":
        return
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8") if doc.exists() else ""
        if START in text and END in text:
            before, rest = text.split(START, 1)
            after = rest.split(END, 1)[1]
            rows = "\n".join(table(ROWS))
            doc.write_text(f"{before}{START}\n{rows}\n{END}{after}", encoding="utf-8")
            terminalreporter.write_line(f"fault table written to {doc}")
