"""docs/tools.md: its code runs as written, and its stored example is what the protocol functions give."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chatroutes_core.tools import (
    find_tools_declaration,
    parse_reply,
    parse_tool_results,
    render_tools_system,
    tool_call_id,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "tools.md"
TEXT = DOC.read_text(encoding="utf-8")
PYTHON = re.findall(r"```python\n(.*?)```", TEXT, re.S)
pytestmark = pytest.mark.integration  # the python block starts a LocalServer on loopback

STORED = re.findall(r"\*\*\d\. (user|assistant) `(msg_\w+)`\*\*.*?```text\n(.*?)\n```", TEXT, re.S)


def test_the_python_blocks_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert PYTHON
    for code in PYTHON:
        exec(compile(code, str(DOC), "exec"), {"__name__": "tools_doc"})
    assert "get_weather returned: Sunny, 21 °C; get_time returned: 14:05" in capsys.readouterr().out


def test_the_stored_example_is_consistent() -> None:
    assert [role for role, _, _ in STORED] == ["user", "assistant", "user", "assistant"]
    (_, _, first), (_, reply_id, reply), (_, _, results), (_, answer_id, answer) = STORED
    declaration = find_tools_declaration(first)
    assert declaration is not None and declaration.names == {"get_weather", "get_time"}
    assert first[declaration.start : declaration.end] == render_tools_system(declaration.tools, "auto")
    parsed = parse_reply(reply, reply_id, declaration.names)
    assert parsed.text == "" and parsed.invalid_tool_calls == []
    ids = [tool_call_id(reply_id, 0), tool_call_id(reply_id, 1)]
    assert [call.id for call in parsed.tool_calls] == ids
    assert all(call_id in TEXT.split("**3.")[0] for call_id in ids)  # the ids quoted in the prose
    back = parse_tool_results(results)
    assert back is not None and [r.tool_call_id for r in back] == ids
    assert parse_reply(answer, answer_id).tool_calls == []
