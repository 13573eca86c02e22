"""The pure converters: LlamaIndex messages <-> mapper turns, keys, system relocation."""

from __future__ import annotations

import pytest
from llama_index.core.base.llms.types import ChatMessage, ImageBlock, MessageRole

from chatroutes_core import ConfigurationError
from chatroutes_core.mapper import TreeRef, Turn, UnsupportedMessageError, plan_turn
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


@pytest.mark.parametrize("role", [MessageRole.TOOL, MessageRole.FUNCTION])
def test_tool_messages_are_rejected(role: MessageRole) -> None:
    with pytest.raises(UnsupportedMessageError, match="no tool calling"):
        _convert.to_turns([ChatMessage(role=role, content="x")])


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
    assert _convert.target_of(_convert.reply_message("a", REF)) is None


def test_context_system_prompt_moves_after_the_anchor() -> None:
    # CondensePlusContextChatEngine: [context system, *history, user]; the context is new every turn.
    turns = [
        Turn("system", "Context: doc"),
        Turn("user", "q1"),
        Turn("assistant", "a1", REF),
        Turn("user", "q2"),
    ]
    moved, digests = _convert.relocate_system(turns, "conv_1", set())
    assert [t.content for t in moved] == ["q1", "a1", "Context: doc", "q2"]
    assert plan_turn(moved).content == "[system] Context: doc\n\nq2"
    assert digests == [_convert.system_digest("conv_1", "Context: doc")]


def test_system_prompt_already_sent_stays_before_the_anchor() -> None:
    turns = [Turn("system", "Be brief"), Turn("user", "q1"), Turn("assistant", "a1", REF), Turn("user", "q2")]
    sent = {_convert.system_digest("conv_1", "Be brief")}
    moved, digests = _convert.relocate_system(turns, "conv_1", sent)
    assert moved == turns and digests == []
    assert plan_turn(moved).content == "q2"


def test_relocation_on_a_bound_branch_without_anchor() -> None:
    turns = [Turn("system", "ctx"), Turn("user", "q1"), Turn("assistant", "a1"), Turn("user", "q2")]
    moved, _ = _convert.relocate_system(turns, "conv_1", set())
    assert [t.content for t in moved] == ["q1", "a1", "ctx", "q2"]


def test_no_relocation_for_a_new_conversation() -> None:
    turns = [Turn("system", "ctx"), Turn("user", "q1")]
    assert _convert.relocate_system(turns, None, set()) == (turns, [])


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
