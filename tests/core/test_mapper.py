"""The mapper: pure decisions and rendering (offline); request counts and history property (LocalServer)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatroutes_core._client import AsyncChatRoutesClient, ChatRoutesClient
from chatroutes_core.mapper import (
    NO_SYSTEM,
    AsyncConversationMapper,
    Binding,
    ConversationMapper,
    EmptyTurnError,
    MappedReply,
    MappingError,
    Plan,
    TipCache,
    TreeRef,
    Turn,
    UnsupportedMessageError,
    plan_turn,
    prove,
    render_transcript,
    system_digest,
)
from chatroutes_core.mapper._digest import annotate
from chatroutes_core.testing import LocalServer

A1 = TreeRef("conv_1", "br_main", "msg_a1")
A2 = TreeRef("conv_1", "br_main", "msg_a2")


def _tips(*entries: tuple[str, str, str]) -> TipCache:
    tips = TipCache()
    for conversation_id, branch_id, message_id in entries:
        tips.set(conversation_id, branch_id, message_id)
    return tips


def _sealed(turns: list[Turn]) -> list[Turn]:
    """The list as a branch read back would carry it: every reply with its read-time digest."""
    return annotate(turns)


def _history() -> list[Turn]:
    return [
        *_sealed(
            [
                Turn("user", "one"),
                Turn("assistant", "reply one", A1),
                Turn("user", "two"),
                Turn("assistant", "reply two", A2),
            ]
        ),
        Turn("user", "three"),
    ]


def _at(plan: Plan) -> tuple[object, ...]:
    anchor = plan.anchor.message_id if plan.anchor is not None else None
    return plan.action, plan.content, plan.conversation_id, plan.branch_id, anchor


# --- plan_turn: the cases -------------------------------------------------------------------------------


def test_no_anchor_unbound_starts_a_conversation_with_the_whole_transcript() -> None:
    plan = plan_turn([Turn("system", "Be brief."), Turn("user", "Hi")])
    assert _at(plan) == ("new", "[system] Be brief.\n\nHi", None, None, None)


def test_anchor_at_known_tip_continues_on_its_branch() -> None:
    plan = plan_turn(_history(), None, _tips(("conv_1", "br_main", "msg_a2")))
    assert _at(plan) == ("continue", "three", "conv_1", "br_main", "msg_a2")


def test_anchor_before_known_tip_forks_at_the_anchor() -> None:
    turns = [*_history()[:2], Turn("user", "edited two")]
    plan = plan_turn(turns, None, _tips(("conv_1", "br_main", "msg_a2")))
    assert _at(plan) == ("fork", "edited two", "conv_1", "br_main", "msg_a1")


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
    assert _at(plan) == ("bound", "new\n\nmore", "conv_9", "br_9", None)


def test_bound_to_a_conversation_only_writes_to_its_main_branch() -> None:
    plan = plan_turn([Turn("user", "hello")], Binding("conv_9"))
    assert _at(plan) == ("bound", "hello", "conv_9", None, None)


def test_binding_names_the_branch_and_the_anchor_says_where_the_caller_stands() -> None:
    # br_fork was forked at msg_a2, so msg_a2 (inherited from the parent) is its tip.
    tips = _tips(("conv_1", "br_fork", "msg_a2"), ("conv_1", "br_main", "msg_later"))
    plan = plan_turn(_history(), Binding("conv_1", "br_fork"), tips)
    assert _at(plan) == ("continue", "three", "conv_1", "br_fork", "msg_a2")
    earlier = plan_turn([*_history()[:2], Turn("user", "x")], Binding("conv_1", "br_fork"), tips)
    assert earlier.action == "fork"
    assert earlier.anchor is not None and earlier.anchor.message_id == "msg_a1"


def test_anchor_from_another_conversation_than_the_binding_is_an_error() -> None:
    with pytest.raises(MappingError, match="conv_1"):
        plan_turn(_history(), Binding("conv_other"))


def test_branch_binding_without_conversation_is_an_error() -> None:
    with pytest.raises(MappingError):
        Binding(branch_id="br_1")


# --- fidelity: every message is proven or sent ----------------------------------------------------------


def test_a_changed_system_prompt_travels_with_the_turn_and_an_unchanged_one_does_not() -> None:
    tips = _tips(("conv_1", "br_main", "msg_a2"))
    first = [Turn("system", "DOC-A"), *_history()[:4]]
    sealed_a = [*first[:-1], Turn("assistant", "reply two", replace(A2, **_digests(first, "DOC-A")))]
    same = plan_turn([*sealed_a, Turn("user", "three")], None, tips)
    assert same.content == "three"
    changed = plan_turn([Turn("system", "DOC-B"), *sealed_a[1:], Turn("user", "three")], None, tips)
    assert changed.action == "continue"  # system text never forks
    assert changed.content == "[system] DOC-B\n\nthree"
    dropped = plan_turn([*sealed_a[1:], Turn("user", "three")], None, tips)
    assert dropped.content == f"{NO_SYSTEM}\n\nthree"


def _digests(turns: list[Turn], system: str) -> dict[str, str]:
    sealed = annotate(turns)
    ref = sealed[-1].ref
    assert ref is not None and ref.digest is not None
    return {"digest": ref.digest, "system_digest": system_digest(system)}


def test_an_edit_before_the_anchor_forks_at_the_last_shared_reply() -> None:
    turns = _history()
    edited = [turns[0], turns[1], Turn("user", "TWO (edited)"), turns[3], turns[4]]
    plan = plan_turn(edited, None, _tips(("conv_1", "br_main", "msg_a2")))
    assert plan.action == "fork"
    assert plan.anchor is not None and plan.anchor.message_id == "msg_a1"
    assert plan.content == "[user] TWO (edited)\n\n[assistant] reply two\n\n[user] three"


def test_an_edit_of_the_first_message_shares_nothing_and_starts_a_conversation() -> None:
    turns = _history()
    edited = [Turn("user", "ONE (edited)"), *turns[1:]]
    plan = plan_turn(edited, None, _tips(("conv_1", "br_main", "msg_a2")))
    assert plan.action == "new"
    assert plan.content.startswith("[user] ONE (edited)\n\n[assistant] reply one")


def test_an_inserted_or_removed_turn_is_not_that_branch() -> None:
    turns = _history()
    removed = [turns[2], turns[3], turns[4]]  # "one"/"reply one" dropped: the chain no longer reaches a2
    inserted = [turns[0], Turn("user", "extra"), *turns[1:]]
    assert plan_turn(inserted).action == "new"
    # removing the leading exchange is a trim: a2's base chains "two" to its digest (a suffix)
    assert plan_turn(removed, None, _tips(("conv_1", "br_main", "msg_a2"))).action == "continue"


def test_a_trimmed_list_is_a_suffix_of_the_branch_and_continues() -> None:
    turns = _history()
    tips = _tips(("conv_1", "br_main", "msg_a2"))
    assert plan_turn([turns[3], turns[4]], None, tips).action == "continue"  # starts at a reply
    assert plan_turn([Turn("system", "S"), turns[2], turns[3], turns[4]], None, tips).action == "continue"
    # a trimmed list with a changed turn is still caught
    assert plan_turn([Turn("user", "TWO?"), turns[3], turns[4]], None, tips).action == "new"


def test_a_ref_without_digests_is_verified_by_a_read() -> None:
    plan = plan_turn([Turn("user", "one"), Turn("assistant", "r", A1), Turn("user", "next")])
    assert plan.action == "read"
    assert plan.anchor == A1


def test_digests_prove_the_same_list_in_a_fresh_process() -> None:
    turns = _history()
    assert prove(turns).complete
    assert prove([*turns[:3], Turn("assistant", "reply two (edited)", turns[3].ref)]).proven == 1


# --- validation and rendering ------------------------------------------------------------------------


def test_nothing_after_the_anchor_is_an_error() -> None:
    with pytest.raises(EmptyTurnError):
        plan_turn(_history()[:4])
    with pytest.raises(EmptyTurnError):
        plan_turn([])
    with pytest.raises(EmptyTurnError):
        plan_turn([Turn("user", "  ")])
    with pytest.raises(EmptyTurnError):
        plan_turn([*_history()[:4], Turn("system", "only a new system prompt")])


@pytest.mark.parametrize("role", ["function", "developer", "critic"])
def test_other_roles_are_rejected_before_any_request(role: str) -> None:
    with pytest.raises(UnsupportedMessageError, match="tool messages only"):
        plan_turn([*_history(), Turn(role, "result")])
    assert issubclass(UnsupportedMessageError, ValueError)


def test_consecutive_user_turns_are_joined_and_system_turns_are_inline() -> None:
    turns = [Turn("user", "a"), Turn("user", "b"), Turn("system", "be kind"), Turn("user", "c")]
    assert render_transcript(turns) == "a\n\nb\n\n[system] be kind\n\nc"


def test_a_transcript_with_assistant_turns_labels_every_turn() -> None:
    turns = [Turn("system", "S"), Turn("user", "u1"), Turn("assistant", "a1"), Turn("user", "u2")]
    assert render_transcript(turns) == "[system] S\n\n[user] u1\n\n[assistant] a1\n\n[user] u2"


def test_tool_results_render_as_tool_response_blocks() -> None:
    text = render_transcript([Turn("tool", "42", tool_call_id="call_1", name="add")])
    assert text.startswith("<tool_response>\n") and text.endswith("\n</tool_response>")
    assert '"tool_call_id": "call_1"' in text


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
    full = TreeRef("c", "b", "m", digest="d" * 32, base="0" * 32, system_digest="s" * 32)
    assert TreeRef.from_dict(full.as_dict()) == full
    assert TreeRef.from_dict({"conversation_id": "c", "branch_id": "b"}) is None
    assert TreeRef.from_dict({"conversation_id": "c", "branch_id": "b", "message_id": 3}) is None
    assert TreeRef.from_dict("conv_1") is None


# --- against a LocalServer: request counts and the history property ---------------------------------------


@pytest.fixture
def client(local_server: LocalServer) -> Iterator[ChatRoutesClient]:
    with ChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as c:
        yield c


def _count(server: LocalServer, call: object) -> tuple[object, list[tuple[str, str]]]:
    server.reset_requests()
    result = call() if callable(call) else call
    return result, server.requests


def _with_reply(turns: list[Turn], reply: MappedReply) -> list[Turn]:
    return [*turns, Turn("assistant", reply.message.content, reply.ref)]  # ref sealed over this text


def test_request_counts_for_each_case(local_server: LocalServer, client: ChatRoutesClient) -> None:
    mapper = ConversationMapper(client)
    first = [Turn("system", "Be brief."), Turn("user", "Hello")]
    reply, requests = _count(local_server, lambda: mapper.send(first))
    assert [method for method, _ in requests] == ["POST", "POST"]  # new: create + send
    assert requests[0][1].endswith("/conversations")
    assert isinstance(reply, MappedReply)

    turns = [*_with_reply(first, reply), Turn("user", "More")]
    second, requests = _count(local_server, lambda: mapper.send(turns))
    assert len(requests) == 1  # continue at the known tip
    assert isinstance(second, MappedReply)
    assert second.ref.branch_id == reply.ref.branch_id

    edited = [*_with_reply(first, reply), Turn("user", "Something else")]
    forked, requests = _count(local_server, lambda: mapper.send(edited))
    assert [path.rsplit("/", 1)[-1] for _, path in requests] == ["fork", "messages"]  # fork at a known anchor
    assert isinstance(forked, MappedReply)
    assert forked.ref.branch_id != reply.ref.branch_id

    _, requests = _count(
        local_server, lambda: mapper.send([Turn("user", "Bound")], Binding(reply.ref.conversation_id))
    )
    assert len(requests) == 1  # bound branch

    # A fresh mapper knows no tips. The local server enforces parentMessageId (it says so on every
    # answer), so the turn is sent at once: at the tip it is one request; elsewhere the 409 (nothing
    # stored) makes the mapper fork there.
    assert client.enforces_parent_check is True
    fresh = ConversationMapper(client)
    _, requests = _count(local_server, lambda: fresh.send(edited))
    assert [path.rsplit("/", 1)[-1] for _, path in requests] == ["messages", "fork", "messages"]
    at_tip = [*_with_reply(edited, forked), Turn("user", "continue")]
    _, requests = _count(local_server, lambda: ConversationMapper(client).send(at_tip))
    assert [method for method, _ in requests] == ["POST"]  # a fresh instance costs what a warm one does

    # A server that does not say it enforces parentMessageId: one GET decides instead.
    with ChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url,
                          parent_check="off") as cautious:  # fmt: skip
        _, requests = _count(local_server, lambda: ConversationMapper(cautious).send(edited))
        assert [method for method, _ in requests] == ["GET", "POST", "POST"]
        last = [
            *_with_reply(edited, forked),
            Turn("user", "continue"),
        ]
        _, requests = _count(local_server, lambda: ConversationMapper(cautious).send(last))
        assert [method for method, _ in requests] == ["GET", "POST", "POST"]  # its tip moved: fork


def test_a_bound_fresh_fork_continues_from_its_fork_point(
    local_server: LocalServer, client: ChatRoutesClient
) -> None:
    mapper = ConversationMapper(client)
    reply = mapper.send([Turn("user", "Root")])
    branch = client.branches.fork(
        reply.ref.conversation_id, fork_point_message_id=reply.ref.message_id, title="side"
    )
    turns = [*_with_reply([Turn("user", "Root")], reply), Turn("user", "On the side")]
    binding = Binding(reply.ref.conversation_id, branch.id)
    side, requests = _count(local_server, lambda: ConversationMapper(client).send(turns, binding))
    assert isinstance(side, MappedReply)
    assert side.ref.branch_id == branch.id
    assert [method for method, _ in requests] == ["POST"]  # its tip is the inherited fork point: accepted


def test_stream_records_the_tip_and_exposes_the_ref(
    local_server: LocalServer, client: ChatRoutesClient
) -> None:
    mapper = ConversationMapper(client)
    with mapper.stream([Turn("user", "Stream me")]) as stream:
        events = list(stream)
    assert events[-1].type == "complete"
    assert stream.ref is not None
    assert "".join(e.content for e in events if e.type == "content") == events[-1].message.content
    assert mapper.tips.get(stream.ref.conversation_id, stream.ref.branch_id) == stream.ref.message_id


def test_bad_input_raises_before_any_request(local_server: LocalServer, client: ChatRoutesClient) -> None:
    mapper = ConversationMapper(client)
    local_server.reset_requests()
    with pytest.raises(UnsupportedMessageError):
        mapper.send([Turn("user", "hi"), Turn("critic", "42")])
    with pytest.raises(EmptyTurnError):
        mapper.stream([])
    assert local_server.requests == []


async def test_async_mapper_makes_the_same_requests(
    local_server: LocalServer, client: ChatRoutesClient
) -> None:
    async with AsyncChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as c:
        sync, aio = ConversationMapper(client), AsyncConversationMapper(c)
        counts: dict[str, list[list[str]]] = {"sync": [], "async": []}

        def taken() -> list[str]:
            requests = [f"{m} {p.rsplit('/', 1)[-1]}" for m, p in local_server.requests]
            local_server.reset_requests()
            return requests

        for name, mapper in (("sync", sync), ("async", aio)):
            local_server.reset_requests()
            send = mapper.send([Turn("user", "Hi")])
            first = await send if name == "async" else send  # type: ignore[misc]
            counts[name].append(taken())
            turns = [*_with_reply([Turn("user", "Hi")], first), Turn("user", "Again")]
            again = mapper.send(turns)
            again = await again if name == "async" else again  # type: ignore[misc]
            counts[name].append(taken())
            other = [*_with_reply([Turn("user", "Hi")], first), Turn("user", "Other")]
            if name == "async":
                async with aio.stream(other) as s:
                    events = [event async for event in s]
            else:
                with sync.stream(other) as s:  # type: ignore[assignment]
                    events = list(s)  # type: ignore[arg-type]
            counts[name].append(taken())  # the stream's requests: fork at the anchor, then the stream
            assert s.ref is not None and s.ref.branch_id != again.ref.branch_id
            assert events[-1].type == "complete"
        assert counts["sync"] == counts["async"]
        assert counts["async"] == [["POST conversations", "POST messages"], ["POST messages"],
                                   ["POST fork", "POST stream"]]  # fmt: skip


# The property: whatever the caller does to its list (continue, edit an earlier user turn, replay from an
# earlier reply, forget what the mapper knew), the branch the reply landed on holds exactly that list + reply.
_steps = st.lists(
    st.tuples(
        st.sampled_from(["say", "edit", "replay", "forget", "restart"]),
        st.integers(0, 50),
        st.text(alphabet="abc xyz", min_size=1, max_size=8).filter(str.strip),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_steps)
def test_server_history_equals_the_list_that_was_sent(
    local_server: LocalServer, client: ChatRoutesClient, steps: list[tuple[str, int, str]]
) -> None:
    mapper = ConversationMapper(client)
    turns: list[Turn] = []
    for action, position, text in steps:
        user_positions = [i for i, t in enumerate(turns) if t.role == "user"]
        reply_positions = [i for i, t in enumerate(turns) if t.ref is not None]
        if action == "edit" and user_positions:
            turns = turns[: user_positions[position % len(user_positions)]]
        elif action == "replay" and reply_positions:
            turns = turns[: reply_positions[position % len(reply_positions)] + 1]
        elif action == "forget":
            mapper = ConversationMapper(client)
        elif action == "restart":
            turns = []
        turns.append(Turn("user", text))
        reply = mapper.send(turns)
        turns = _with_reply(turns, reply)
        history = client.branches.get_history(reply.ref.conversation_id, reply.ref.branch_id)
        assert [(m.role, m.content) for m in history] == [(t.role, t.content) for t in turns]
        assert [m.id for m in history if m.role == "assistant"] == [
            t.ref.message_id for t in turns if t.ref is not None
        ]


def test_a_trimmed_list_that_then_differs_shares_nothing() -> None:
    turns = _history()
    # "one" was edited away in the caller's full list; the trimmed window starts after it and then shows a
    # reply of another path: nothing is provable about what it dropped, so it is a conversation of its own.
    other = annotate([Turn("user", "ONE"), Turn("assistant", "other", TreeRef("conv_2", "br_2", "msg_x"))])
    window = [turns[2], turns[3], Turn("user", "three"), other[1], Turn("user", "four")]
    assert plan_turn(window, None, _tips(("conv_1", "br_main", "msg_a2"))).action == "new"
