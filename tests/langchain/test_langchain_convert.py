"""Pure converters: LangChain messages <-> mapper turns, replies, usage, stop sequences (offline)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessage, ChatMessage, HumanMessage, SystemMessage, ToolMessage

from chatroutes_core.mapper import TreeRef, Turn, UnsupportedMessageError
from chatroutes_core.models import Message, Usage
from langchain_chatroutes._convert import (
    StopScanner,
    apply_stop,
    json_instruction,
    last_chunk,
    messages_to_turns,
    reply_to_message,
    usage_metadata,
)

REF = TreeRef("conv_1", "br_1", "msg_1")


def test_messages_become_turns_and_our_replies_carry_their_ref() -> None:
    ours = AIMessage("hello", id="msg_1", response_metadata={"chatroutes": REF.as_dict()})
    turns = messages_to_turns(
        [
            SystemMessage("sys"),
            HumanMessage("hi", name="bob"),
            ours,
            AIMessage("foreign"),
            ChatMessage(role="user", content="chat"),
            HumanMessage([{"type": "text", "text": "a"}, "b"]),
        ]
    )
    assert turns == [
        Turn("system", "sys"),
        Turn("user", "hi"),
        Turn("assistant", "hello", REF),
        Turn("assistant", "foreign"),
        Turn("user", "chat"),
        Turn("user", "ab"),
    ]


@pytest.mark.parametrize(
    "message",
    [
        HumanMessage([{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]),
        HumanMessage([{"type": "image", "base64": "AAAA", "mime_type": "image/png"}]),
        ChatMessage(role="critic", content="x"),
    ],
)
def test_non_text_content_and_unknown_roles_are_rejected(message: object) -> None:
    with pytest.raises(UnsupportedMessageError):
        messages_to_turns([HumanMessage("hi"), message])  # type: ignore[list-item]


def test_tool_calls_and_tool_results_become_tool_turns() -> None:
    call = {"name": "add", "args": {"a": 1}, "id": "call_1", "type": "tool_call"}
    turns = messages_to_turns([
        HumanMessage("add"), AIMessage("", tool_calls=[call]), ToolMessage("2", tool_call_id="call_1"),
        ToolMessage([{"type": "json", "value": 3}], tool_call_id="call_1", status="error"),
    ])  # fmt: skip
    assert turns[1].tool_calls[0].name == "add" and dict(turns[1].tool_calls[0].arguments) == {"a": 1}
    assert (turns[2].role, turns[2].content, turns[2].name, turns[2].tool_call_id) == (
        "tool",
        "2",
        "add",
        "call_1",
    )
    assert turns[3].is_error and '"value": 3' in turns[3].content


def test_reply_and_last_chunk_carry_id_metadata_and_usage() -> None:
    message = Message(id="msg_9", role="assistant", content="full text", model="gpt-5-2025")
    usage = Usage(prompt_tokens=3, completion_tokens=4, total_tokens=7)
    ai = reply_to_message(REF, message, usage, "gpt-5", text="full", stopped=True)
    assert ai.id == "msg_9"
    assert ai.content == "full"
    assert ai.response_metadata["chatroutes"] == REF.as_dict()
    assert ai.response_metadata["model_name"] == "gpt-5"
    assert ai.response_metadata["finish_reason"] == "stop"
    assert ai.usage_metadata == {"input_tokens": 3, "output_tokens": 4, "total_tokens": 7}
    chunk = last_chunk(REF, message, usage, None, text="", stopped=False)
    assert chunk.chunk_position == "last"
    assert chunk.response_metadata["model_name"] == "gpt-5-2025"
    assert usage_metadata(Usage(prompt_tokens=1, completion_tokens=2))["total_tokens"] == 3


def test_apply_stop_cuts_before_the_earliest_stop_sequence() -> None:
    assert apply_stop("abc STOP def END", ["END", "STOP"]) == ("abc ", True)
    assert apply_stop("abc", ["x"]) == ("abc", False)
    assert apply_stop("abc", None) == ("abc", False)
    assert apply_stop("abc", [""]) == ("abc", False)


def test_stop_scanner_holds_back_only_a_possible_partial_match() -> None:
    scanner = StopScanner(["STOP"])
    assert scanner.feed("hello ST") == "hello "
    assert scanner.feed("O") == ""
    assert scanner.feed("P and more") == ""
    assert scanner.stopped
    assert scanner.feed("later") == ""
    assert scanner.flush() == ""
    open_ended = StopScanner(["STOP"])
    assert open_ended.feed("end ST") == "end "
    assert open_ended.flush() == "ST"


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet="abST P", max_size=40),
    stops=st.lists(st.text(alphabet="abST P", min_size=1, max_size=4), max_size=3),
    seed=st.integers(0, 10_000),
)
def test_stop_scanner_matches_apply_stop_for_any_split(text: str, stops: list[str], seed: int) -> None:
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(len(text) + 1), k=min(len(text) + 1, rng.randint(0, 6))))
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    scanner = StopScanner(stops)
    streamed = "".join(scanner.feed(piece) for piece in pieces) + scanner.flush()
    assert (streamed, scanner.stopped) == apply_stop(text, stops)


def test_json_instruction_carries_the_schema() -> None:
    assert '"title": "Joke"' in json_instruction({"title": "Joke", "type": "object"})
    assert "JSON object" in json_instruction(None)
