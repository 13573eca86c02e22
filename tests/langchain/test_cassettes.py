"""Cassette replays of ChatChatRoutes against recorded HTTP exchanges (no sockets on replay).

Recorded against the local server by ``make record`` (or the live API with ``CHATROUTES_API_KEY`` and
``CHATROUTES_BASE_URL`` set); see ``cassettes/README.md``. Each test checks both the model's results and
how many HTTP exchanges it made, so a change in request counts shows up as a cassette mismatch.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage, SystemMessage

from langchain_chatroutes import ChatChatRoutes

pytestmark = pytest.mark.vcr


def _model(target: tuple[str, str]) -> ChatChatRoutes:
    base_url, api_key = target
    return ChatChatRoutes(base_url=base_url, api_key=api_key, model="gpt-5", max_retries=0)


def _played(vcr: Any, expected: int) -> None:
    if vcr.record_mode == "none":
        assert vcr.play_count == expected
        assert vcr.all_played


def test_invoke_then_continue(cassette_target: tuple[str, str], vcr: Any) -> None:
    model = _model(cassette_target)
    history = [SystemMessage("Answer in one line."), HumanMessage("Name a river in Europe.")]
    first = model.invoke(history)
    ref = first.response_metadata["chatroutes"]
    assert first.id == ref["message_id"]
    second = model.invoke([*history, first, HumanMessage("And one in Asia?")])
    assert second.response_metadata["chatroutes"]["branch_id"] == ref["branch_id"]
    assert second.usage_metadata is not None and second.usage_metadata["output_tokens"] > 0
    _played(vcr, 3)  # create + send, then one send


def test_edit_forks_the_branch(cassette_target: tuple[str, str], vcr: Any) -> None:
    model = _model(cassette_target)
    first = model.invoke("Plan a trip to Kyoto.")
    model.invoke([HumanMessage("Plan a trip to Kyoto."), first, HumanMessage("Three days.")])
    edited = model.invoke([HumanMessage("Plan a trip to Kyoto."), first, HumanMessage("Five days instead.")])
    branch = first.response_metadata["chatroutes"]["branch_id"]
    assert edited.response_metadata["chatroutes"]["branch_id"] != branch
    _played(vcr, 5)  # create + send, send, fork + send


def test_stream_with_stop(cassette_target: tuple[str, str], vcr: Any) -> None:
    model = _model(cassette_target)
    chunks = list(model.stream("Count: one two three", stop=["three"]))
    assert all(isinstance(chunk, AIMessageChunk) for chunk in chunks)
    text = "".join(str(chunk.content) for chunk in chunks)
    assert text and "three" not in text
    assert chunks[-1].chunk_position == "last"
    assert chunks[-1].response_metadata["chatroutes"]["message_id"] == chunks[-1].id
    _played(vcr, 2)  # create + stream


async def test_ainvoke(cassette_target: tuple[str, str], vcr: Any) -> None:
    reply = await _model(cassette_target).ainvoke("Hello from asyncio")
    assert reply.response_metadata["model_name"]
    _played(vcr, 2)
