"""The pure converters: LlamaIndex messages <-> mapper turns (tool calls too), refs, keys, text copies."""

from __future__ import annotations

import pytest
from llama_index.core.base.llms.types import ChatMessage, ImageBlock, MessageRole, TextBlock, ToolCallBlock

from chatroutes_core import ConfigurationError
from chatroutes_core.mapper import (
    ToolCallTurn,
    TreeRef,
    Turn,
    UnsupportedMessageError,
    plan_turn,
    render_transcript,
    seal,
)
from llama_index_chatroutes import _convert

REF = TreeRef("conv_1", "br_1", "msg_2")


def test_reply_message_round_trips_its_ref() -> None:
    message = _convert.reply_message("hello", REF)
    assert message.role == MessageRole.ASSISTANT
    assert message.additional_kwargs["chatroutes"] == REF.as_dict()
    assert _convert.ref_of(message) == REF
    assert _convert.to_turns([message]) == [Turn("assistant", "hello", REF)]


def test_refs_survive_json_serialisation() -> None:
    message = _convert.reply_message("hello", REF)
    restored = ChatMessage.model_validate_json(message.model_dump_json())
    assert _convert.ref_of(restored) == REF


def test_roles_map_and_user_refs_are_not_anchors() -> None:
    user = ChatMessage(role="user", content="q", additional_kwargs={"chatroutes": REF.as_dict()})
    turns = _convert.to_turns(
        [ChatMessage(role="system", content="s"), user, ChatMessage(role="developer", content="d")]
    )
    assert [t.role for t in turns] == ["system", "user", "system"]
    assert all(t.ref is None for t in turns)


def test_tool_calls_and_results_become_tool_turns() -> None:
    call = ToolCallBlock(tool_call_id="call_1", tool_name="add", tool_kwargs={"a": 1})
    asked = ChatMessage(role="assistant", blocks=[TextBlock(text="Adding."), call],
                        additional_kwargs={"chatroutes": REF.as_dict()})  # fmt: skip
    result = ChatMessage(role=MessageRole.TOOL, content="3", additional_kwargs={"tool_call_id": "call_1"})
    turns = _convert.to_turns([ChatMessage(role="user", content="1+2?"), asked, result])
    assert turns[1] == Turn("assistant", "Adding.", REF, (ToolCallTurn("call_1", "add", {"a": 1}),))
    assert turns[2] == Turn("tool", "3", tool_call_id="call_1", name="add")  # the name from the call
    assert render_transcript(turns[2:]).startswith("<tool_response>")


def test_a_reply_with_tool_calls_reads_back_as_the_turn_its_ref_seals() -> None:
    calls = (ToolCallTurn("call_9", "search", {"q": "x"}),)
    message = _convert.reply_message("Looking.", REF, calls)
    restored = ChatMessage.model_validate_json(message.model_dump_json())
    assert _convert.reply_turn(restored) == Turn("assistant", "Looking.", REF, calls)


def test_non_text_blocks_are_rejected() -> None:
    message = ChatMessage(role="user", blocks=[ImageBlock(url="https://example.com/a.png")])
    with pytest.raises(UnsupportedMessageError, match="text messages only"):
        _convert.to_turns([message])


def test_malformed_refs_are_ignored() -> None:
    for raw in [
        None,
        "x",
        {"conversation_id": "c"},
        {"conversation_id": "c", "branch_id": "", "message_id": "m"},
    ]:
        message = ChatMessage(role="assistant", content="a", additional_kwargs={"chatroutes": raw})
        assert _convert.ref_of(message) is None


def test_target_only_without_message_id() -> None:
    pending = ChatMessage(
        role="user", content="q", additional_kwargs={"chatroutes": {"conversation_id": "c", "branch_id": "b"}}
    )
    assert _convert.target_of(pending) == ("c", "b")
    assert _convert.target_of(_convert.with_target(pending, "c", None)) == ("c", None)
    assert _convert.target_of(_convert.reply_message("a", REF)) is None


def test_a_changed_context_system_prompt_travels_with_the_turn() -> None:
    # CondensePlusContextChatEngine: [context system, *history, user]; the context is new every turn.
    first = [ChatMessage(role="system", content="Context: DOC-A"), ChatMessage(role="user", content="q1")]
    sealed = seal(REF, plan_turn(_convert.to_turns(first)), Turn("assistant", "a1"))
    history = [ChatMessage(role="user", content="q1"), _convert.reply_message("a1", sealed)]
    question = ChatMessage(role="user", content="q2")
    same = [ChatMessage(role="system", content="Context: DOC-A"), *history, question]
    changed = [ChatMessage(role="system", content="Context: DOC-B"), *history, question]
    assert plan_turn(_convert.to_turns(same)).content == "q2"
    assert plan_turn(_convert.to_turns(changed)).content == "[system] Context: DOC-B\n\nq2"


@pytest.mark.parametrize(
    ("key", "parsed"), [("conv_1", ("conv_1", None)), ("conv_1:br_2", ("conv_1", "br_2"))]
)
def test_keys(key: str, parsed: tuple[str, str | None]) -> None:
    assert _convert.parse_key(key) == parsed
    assert _convert.make_key(*parsed) == key


@pytest.mark.parametrize("key", ["", " ", "conv:", ":br", "a:b:c"])
def test_bad_keys_are_clear_errors(key: str) -> None:
    with pytest.raises(ConfigurationError, match="conversation_id:branch_id"):
        _convert.parse_key(key)


def test_reattach_gives_a_text_copy_its_ref_back() -> None:
    known = {_convert.reply_digest("the reply"): REF}
    messages = [
        ChatMessage(role="user", content="the reply"),  # a user message with the same text is not a reply
        ChatMessage(role="assistant", content="the reply"),
        ChatMessage(role="assistant", content="the reply "),  # not word for word
    ]
    out = _convert.reattach(messages, known.get)
    assert [_convert.ref_of(m) for m in out] == [None, REF, None]
    assert _convert.ref_of(messages[1]) is None  # the caller's message is not mutated
    assert plan_turn(_convert.to_turns([*out[:2], ChatMessage(role="user", content="next")])).anchor == REF


def test_turn_prompts_are_chat_engine_answer_templates() -> None:
    system = ChatMessage(role="system", content="Context: {context_str}")
    query = ChatMessage(role="user", content="{query_str}")
    assert _convert.is_turn_prompt([system, query])
    qa = ChatMessage(role="user", content="Query: {query_str}\nAnswer:")
    assert not _convert.is_turn_prompt([system, qa])
    condense = ChatMessage(role="user", content="Given a conversation {chat_history}")
    assert not _convert.is_turn_prompt([condense])
    anchored = _convert.reply_message("hi", REF)
    assert _convert.is_turn_prompt([anchored, ChatMessage(role="user", content="{question}")])
    assert not _convert.is_turn_prompt([])
