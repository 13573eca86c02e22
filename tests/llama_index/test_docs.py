"""Every ```python block of docs/llama_index.md runs as written against a LocalServer (through the env)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from llama_index.core import Settings

from chatroutes_core.testing import LocalServer

DOC = Path(__file__).resolve().parents[2] / "docs" / "llama_index.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_page_has_its_quickstart_and_chat_store_blocks() -> None:
    assert len(BLOCKS) >= 2
    assert "Settings.embed_model" in BLOCKS[0]  # LlamaIndex's default (OpenAI) needs a package and a key
    assert 'chat_store_key="user1"' in BLOCKS[0]


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_block_runs(code: str, local_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATROUTES_API_KEY", local_server.api_key)
    monkeypatch.setenv("CHATROUTES_BASE_URL", local_server.base_url)
    llm, embed = Settings._llm, Settings._embed_model
    try:
        before = local_server.count_messages()
        exec(compile(code, str(DOC), "exec"), {"__name__": "docs"})
        assert local_server.count_messages() > before  # it reached the server
    finally:
        Settings._llm, Settings._embed_model = llm, embed
