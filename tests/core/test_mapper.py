"""The mapper: pure decisions and rendering (offline); request counts and history property (LocalServer)."""

from __future__ import annotations

import pytest

from chatroutes_core.mapper import (
    Binding,
    EmptyTurnError,
    MappingError,
    Plan,
    TipCache,
    TreeRef,
    Turn,
    UnsupportedMessageError,
    plan_turn,
    render_transcript,
)

A1 = TreeRef("conv_1", "br_main", "msg_a1")
A2 = TreeRef("conv_1", "br_main", "msg_a2")


def _tips(*entries: tuple[str, str, str]) -> TipCache:
    tips = TipCache()
    for conversation_id, branch_id, message_id in entries:
        tips.set(conversation_id, branch_id, message_id)
    return tips


def _history() -> list[Turn]:
    return [
        Turn("user", "one"),
        Turn("assistant", "reply one", A1),
        Turn("user", "two"),
        Turn("assistant", "reply two", A2),
        Turn("user", "three"),
    ]


# --- plan_turn: the four cases -------------------------------------------------------------------------


def test_no_anchor_unbound_starts_a_conversation_with_the_whole_transcript() -> None:
    plan = plan_turn([Turn("system", "Be brief."), Turn("user", "Hi")])
    assert plan == Plan("new", "[system] Be brief.\n\nHi")


def test_anchor_at_known_tip_continues_on_its_branch() -> None:
    plan = plan_turn(_history(), None, _tips(("conv_1", "br_main", "msg_a2")))
    assert plan == Plan("continue", "three", "conv_1", "br_main", A2)


def test_anchor_before_known_tip_forks_at_the_anchor() -> None:
    turns = [*_history()[:2], Turn("user", "edited two")]
    plan = plan_turn(turns, None, _tips(("conv_1", "br_main", "msg_a2")))
    assert plan == Plan("fork", "edited two", "conv_1", "br_main", A1)


def test_unknown_tip_needs_a_check_that_resolves_either_way() -> None:
    plan = plan_turn(_history(), None, TipCache())
    assert plan.action == "check"
    assert plan.resolve("msg_a2").action == "continue"
    assert plan.resolve("msg_other").action == "fork"
    assert plan.resolve(None).action == "fork"
    assert plan_turn(_history()).action == "check"


def test_bound_without_anchor_sends_only_the_trailing_turn() -> None:
    turns = [Turn("user", "old"), Turn("assistant", "not ours"), Turn("user", "new"), Turn("user", "more")]
    plan = plan_turn(turns, Binding("conv_9", "br_9"))
    assert plan == Plan("bound", "new\n\nmore", "conv_9", "br_9")


def test_bound_to_a_conversation_only_writes_to_its_main_branch() -> None:
    plan = plan_turn([Turn("user", "hello")], Binding("conv_9"))
    assert plan == Plan("bound", "hello", "conv_9", None)


def test_binding_names_the_branch_and_the_anchor_says_where_the_caller_stands() -> None:
    # br_fork was forked at msg_a2, so msg_a2 (inherited from the parent) is its tip.
    tips = _tips(("conv_1", "br_fork", "msg_a2"), ("conv_1", "br_main", "msg_later"))
    plan = plan_turn(_history(), Binding("conv_1", "br_fork"), tips)
    assert plan == Plan("continue", "three", "conv_1", "br_fork", A2)
    earlier = plan_turn([*_history()[:2], Turn("user", "x")], Binding("conv_1", "br_fork"), tips)
    assert earlier.action == "fork"
    assert earlier.anchor == A1


def test_anchor_from_another_conversation_than_the_binding_is_an_error() -> None:
    with pytest.raises(MappingError, match="conv_1"):
        plan_turn(_history(), Binding("conv_other"))


def test_branch_binding_without_conversation_is_an_error() -> None:
    with pytest.raises(MappingError):
        Binding(branch_id="br_1")


# --- validation and rendering ------------------------------------------------------------------------


def test_nothing_after_the_anchor_is_an_error() -> None:
    with pytest.raises(EmptyTurnError):
        plan_turn(_history()[:4])
    with pytest.raises(EmptyTurnError):
        plan_turn([])
    with pytest.raises(EmptyTurnError):
        plan_turn([Turn("user", "  ")])


@pytest.mark.parametrize("role", ["tool", "function", "developer"])
def test_other_roles_are_rejected_before_any_request(role: str) -> None:
    with pytest.raises(UnsupportedMessageError, match="tool calling"):
        plan_turn([*_history(), Turn(role, "result")])
    assert issubclass(UnsupportedMessageError, ValueError)


def test_consecutive_user_turns_are_joined_and_system_turns_are_inline() -> None:
    turns = [Turn("user", "a"), Turn("user", "b"), Turn("system", "be kind"), Turn("user", "c")]
    assert render_transcript(turns) == "a\n\nb\n\n[system] be kind\n\nc"


def test_a_transcript_with_assistant_turns_labels_every_turn() -> None:
    turns = [Turn("system", "S"), Turn("user", "u1"), Turn("assistant", "a1"), Turn("user", "u2")]
    assert render_transcript(turns) == "[system] S\n\n[user] u1\n\n[assistant] a1\n\n[user] u2"


def test_turns_before_the_anchor_are_not_validated_or_sent() -> None:
    turns = [Turn("tool", "old"), Turn("assistant", "r", A1), Turn("user", "next")]
    assert plan_turn(turns, None, _tips(("conv_1", "br_main", "msg_a1"))).content == "next"


# --- TipCache ---------------------------------------------------------------------------------------------


def test_tip_cache_is_a_bounded_lru() -> None:
    tips = TipCache(maxsize=2)
    tips.set("c", "b1", "m1")
    tips.set("c", "b2", "m2")
    assert tips.get("c", "b1") == "m1"  # b1 is now the most recently used
    tips.set("c", "b3", "m3")
    assert tips.get("c", "b2") is None
    assert (tips.get("c", "b1"), tips.get("c", "b3")) == ("m1", "m3")
    tips.forget("c", "b1")
    assert tips.get("c", "b1") is None
    assert len(tips) == 1
    with pytest.raises(ValueError):
        TipCache(maxsize=0)


def test_tree_ref_round_trips_through_a_dict_and_rejects_partial_dicts() -> None:
    assert TreeRef.from_dict(A1.as_dict()) == A1
    assert TreeRef.from_dict({"conversation_id": "c", "branch_id": "b"}) is None
    assert TreeRef.from_dict({"conversation_id": "c", "branch_id": "b", "message_id": 3}) is None
    assert TreeRef.from_dict("conv_1") is None
