"""Generation options the API refuses (temperature outside 0-2, max_tokens below 1) are a UsageError when the
model is constructed, in both adapters, so no first turn makes a conversation the server then refuses. The
base URL points at a closed port: any request would fail differently."""

from __future__ import annotations

from typing import Any

import pytest

from chatroutes_core import UsageError

BAD = [{"temperature": 5}, {"temperature": -0.1}, {"max_tokens": -1}, {"max_tokens": 0}]
GOOD = [{"temperature": 0}, {"temperature": 2}, {"max_tokens": 1}, {}]
WHERE = {"api_key": "cr_test_key", "base_url": "http://127.0.0.1:9/api/v1"}


def _models() -> list[Any]:
    from langchain_chatroutes import ChatChatRoutes
    from llama_index_chatroutes import ChatRoutes

    return [ChatChatRoutes, ChatRoutes]


@pytest.mark.parametrize("options", BAD)
@pytest.mark.parametrize("index", [0, 1])
def test_refused_at_construction(index: int, options: dict[str, Any]) -> None:
    cls = _models()[index]
    with pytest.raises(UsageError, match=next(iter(options))):
        cls(**WHERE, **options)


@pytest.mark.parametrize("options", GOOD)
@pytest.mark.parametrize("index", [0, 1])
def test_accepted_at_construction(index: int, options: dict[str, Any]) -> None:
    cls = _models()[index]
    cls(**WHERE, **options)
