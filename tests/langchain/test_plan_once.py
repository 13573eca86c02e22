"""Each call plans its turn once (issue 25 phase 2): ``_generate`` and the streams used to plan, then the
send flow planned the same list again (a digest chain over the whole message list, twice per call)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from llama_index.core.base.llms.types import ChatMessage

from chatroutes_core.mapper import _flows, _mapper
from chatroutes_core.testing import LocalServer
from langchain_chatroutes import ChatChatRoutes
from llama_index_chatroutes import ChatRoutes

pytestmark = pytest.mark.integration


@pytest.fixture
def plans(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    made: list[int] = []
    real = _flows.plan_turn

    def counting(*args: Any, **kwargs: Any) -> Any:
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(_flows, "plan_turn", counting)
    monkeypatch.setattr(_mapper, "plan_turn", counting)
    yield made


def _model(server: LocalServer) -> ChatChatRoutes:
    return ChatChatRoutes(api_key=server.api_key, base_url=server.base_url)


def test_invoke_plans_once(local_server: LocalServer, plans: list[int]) -> None:
    reply = _model(local_server).invoke("hi")
    _model(local_server).invoke([HumanMessage("hi"), reply, HumanMessage("more")])
    assert len(plans) == 2


async def test_ainvoke_plans_once(local_server: LocalServer, plans: list[int]) -> None:
    await _model(local_server).ainvoke("hi")
    assert len(plans) == 1


def test_stream_plans_once(local_server: LocalServer, plans: list[int]) -> None:
    assert "".join(str(c.content) for c in _model(local_server).stream("hi"))
    assert len(plans) == 1


async def test_astream_plans_once(local_server: LocalServer, plans: list[int]) -> None:
    assert [c async for c in _model(local_server).astream("hi")]
    assert len(plans) == 1


def test_llama_index_chat_and_stream_plan_once(local_server: LocalServer, plans: list[int]) -> None:
    llm = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    llm.chat([ChatMessage(role="user", content="hi")])
    assert len(plans) == 1
    assert list(llm.stream_chat([ChatMessage(role="user", content="hi")]))
    assert len(plans) == 2


def test_a_stream_held_while_its_branch_moves_plans_again(
    local_server: LocalServer, plans: list[int]
) -> None:
    model = _model(local_server)
    first = model.invoke("hi")
    ref = first.response_metadata["chatroutes"]
    mapper = model._get_mapper()
    from langchain_chatroutes._convert import messages_to_turns

    turns = messages_to_turns([HumanMessage("hi"), first, HumanMessage("more")])
    held = mapper.stream(turns)  # planned: continue at the tip
    model.invoke([HumanMessage("hi"), first, HumanMessage("other")])  # the branch's tip moves
    plans.clear()
    with held as stream:
        list(stream)
    assert len(plans) == 1  # the held plan was stale: planned again, so the turn forks instead
    assert stream.branch_id != ref["branch_id"]
