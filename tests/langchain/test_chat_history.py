"""ChatRoutesChatMessageHistory: branches as alternate histories, nothing written twice, counted requests.

Pure rules (ids, the add_messages plan) run offline; everything else against the session LocalServer, where
``srv.requests`` counts HTTP requests and ``srv.count_messages`` counts what the server stored.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_core.runnables import ConfigurableFieldSpec
from langchain_core.runnables.history import RunnableWithMessageHistory

from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient, UsageError
from chatroutes_core.mapper import EmptyTurnError, TreeRef, UnsupportedMessageError, plan_turn
from chatroutes_core.testing import LocalServer
from langchain_chatroutes import ChatChatRoutes, ChatRoutesChatMessageHistory
from langchain_chatroutes._history_plan import check_unread, message_ref, plan_add, validate_id
from langchain_chatroutes.chat_history import BranchInUseError, ForeignMessageError

REF = TreeRef("conv_1", "br_1", "msg_2")


def _reply(text: str = "stored reply", ref: TreeRef = REF) -> AIMessage:
    return AIMessage(content=text, id=ref.message_id, response_metadata={"chatroutes": ref.as_dict()})


def pairs(messages: list[BaseMessage]) -> list[tuple[str, str]]:
    return [(m.type, str(m.content)) for m in messages]


# --- offline: ids and the add_messages plan ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "error"),
    [(123, UsageError), ("", ValueError), ("a b", ValueError), ("a\nb", ValueError), ("x" * 300, ValueError)],
)
def test_constructor_rejects_bad_conversation_ids(value: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        ChatRoutesChatMessageHistory(value, client=ChatRoutesClient(api_key="k"))  # type: ignore[arg-type]


def test_constructor_accepts_opaque_ids_and_empty_branch_means_main() -> None:
    history = ChatRoutesChatMessageHistory("cm1x9z-Ab_7.q:2", "", client=ChatRoutesClient(api_key="k"))
    assert history.conversation_id == "cm1x9z-Ab_7.q:2"
    assert history.branch_id is None
    assert validate_id(None, "branch_id") is None


@pytest.mark.parametrize("ids", [("../x", None), ("conv_1", "a/b"), ("a/b?x#y", None), ("conv_1", "..")])
def test_constructor_rejects_ids_holding_url_delimiters(ids: tuple[str, str | None]) -> None:
    with pytest.raises(ValueError, match="not a ChatRoutes id"):
        ChatRoutesChatMessageHistory(*ids, client=ChatRoutesClient(api_key="k"))


def test_a_branch_needs_its_conversation() -> None:
    with pytest.raises(ValueError, match="needs its conversation_id"):
        ChatRoutesChatMessageHistory(None, "br_1", client=ChatRoutesClient(api_key="k"))


def test_repr_names_ids_never_the_key() -> None:
    history = ChatRoutesChatMessageHistory("conv_1", "br_1", api_key="sk-very-secret-key-123")
    assert "sk-very-secret" not in repr(history) and "sk-very-secret" not in str(history)
    assert "conv_1" in repr(history) and "br_1" in repr(history)
    assert str(history) == repr(history)  # no request: sockets are blocked in this test


def test_plan_skips_a_turn_followed_by_its_chatroutes_reply() -> None:
    plan = plan_add([HumanMessage("hi"), _reply()], known={}, conversation_id="conv_1")
    assert plan.send == () and plan.reply == REF and plan.stored == 2


def test_plan_sends_trailing_new_turns_as_one() -> None:
    plan = plan_add(
        [_reply(), SystemMessage("be brief"), HumanMessage("next")], known={}, conversation_id=None
    )
    assert [(t.role, t.content) for t in plan.send] == [("system", "be brief"), ("user", "next")]
    assert plan.stored == 1


def test_plan_recognises_known_ids_without_refs() -> None:
    known = {"msg_1": TreeRef("conv_1", "br_1", "msg_1"), "msg_2": REF}
    plan = plan_add(
        [HumanMessage("hi", id="msg_1"), AIMessage("x", id="msg_2")], known=known, conversation_id="conv_1"
    )
    assert plan.send == () and plan.stored == 2 and plan.reply == REF


def test_plan_rejects_foreign_assistant_reply_with_pairing_hint() -> None:
    with pytest.raises(ForeignMessageError) as info:
        plan_add([HumanMessage("hi"), AIMessage("written elsewhere")], known={}, conversation_id="conv_1")
    assert "ChatChatRoutes" in str(info.value) and "conversation_id" in str(info.value)


def test_plan_rejects_other_conversations_tool_messages_and_images() -> None:
    with pytest.raises(ForeignMessageError, match="conversation"):
        plan_add([_reply(ref=TreeRef("conv_other", "b", "m"))], known={}, conversation_id="conv_1")
    with pytest.raises(ForeignMessageError, match="tool result"):
        plan_add([ToolMessage("42", tool_call_id="t1")], known={}, conversation_id=None)
    image = HumanMessage(content=[{"type": "image_url", "image_url": {"url": "http://x/y.png"}}])
    with pytest.raises(UnsupportedMessageError):
        plan_add([image], known={}, conversation_id=None)


def test_plan_rejects_stored_message_after_new_ones() -> None:
    with pytest.raises(ForeignMessageError, match="after the stored history"):
        plan_add(
            [HumanMessage("new"), HumanMessage("old", id="msg_1")],
            known={"msg_1": TreeRef("conv_1", "br_1", "msg_1")},
            conversation_id="conv_1",
        )


IMAGE = [{"type": "image_url", "image_url": {"url": "http://x/y.png"}}]
STORED_USER = HumanMessage("stored", id="msg_1", additional_kwargs={"chatroutes": REF.as_dict()})


def unread_errors(conv: str) -> dict[str, tuple[list[Any], type[Exception]]]:
    """Batches for a history of ``conv`` that fail whatever its branch holds, and the error they raise."""
    reply = _reply(ref=TreeRef(conv, "br_1", "msg_2"))
    stored = HumanMessage(
        "stored", id="msg_1", additional_kwargs={"chatroutes": {**REF.as_dict(), "conversation_id": conv}}
    )
    return {
        "tool result": ([ToolMessage("42", tool_call_id="t1")], ForeignMessageError),
        "tool result with an id": ([ToolMessage("42", tool_call_id="t1", id="x")], ForeignMessageError),
        "empty turn with an id": ([HumanMessage("", id="x")], EmptyTurnError),
        "blank turn with an id": ([reply, HumanMessage(" \n", id="x")], EmptyTurnError),
        "system text only": ([HumanMessage("hi", id="x"), reply, SystemMessage("be brief")], EmptyTurnError),
        "image with an id": ([HumanMessage(IMAGE, id="x")], UnsupportedMessageError),
        "unknown role with an id": ([HumanMessage("ok", id="a"), ChatMessage("42", role="critic", id="x")],
                                    UnsupportedMessageError),
        "foreign reply": ([HumanMessage("hi", id="x"), AIMessage("elsewhere")], ForeignMessageError),
        "another conversation": ([HumanMessage("hi", id="x"), _reply(ref=TreeRef("conv_2", "b", "m"))],
                                 ForeignMessageError),
        "stored after new": ([HumanMessage("new"), stored], ForeignMessageError),
        "not a message": ([HumanMessage("hi", id="x"), "hi"], UsageError),
    }  # fmt: skip


UNREAD_ERRORS = sorted(unread_errors("conv_1"))


@pytest.mark.parametrize("case", UNREAD_ERRORS)
def test_what_needs_no_branch_is_refused_before_reading_it(case: str) -> None:
    messages, error = unread_errors("conv_1")[case]
    with pytest.raises(error):
        check_unread(messages, conversation_id="conv_1")


@pytest.mark.parametrize(
    "messages",
    [
        [],
        [HumanMessage("hi", id="x")],  # a new turn, or one the branch holds
        [AIMessage("maybe stored", id="x")],  # an id without a ref: only the branch can tell
        [SystemMessage("be brief", id="x")],  # empty to send unless the branch holds it
        [HumanMessage("hi", id="x"), HumanMessage("")],  # a blank message after a new turn joins it
        [HumanMessage("hi", id="x"), STORED_USER],  # stored after stored
        [HumanMessage("hi"), _reply(), SystemMessage("next"), HumanMessage("go on")],
    ],
)
def test_what_needs_the_branch_is_left_to_the_read(messages: list[BaseMessage]) -> None:
    check_unread(messages, conversation_id="conv_1")


POOL: list[BaseMessage] = [
    HumanMessage("hi"), HumanMessage("hi", id="m1"), SystemMessage("be brief", id="m2"), SystemMessage("s"),
    HumanMessage(""), HumanMessage(" ", id="x1"), AIMessage("foreign"), AIMessage("maybe", id="m3"), _reply(),
    STORED_USER, ToolMessage("42", tool_call_id="t", id="x2"), HumanMessage(IMAGE, id="x3"),
    _reply(ref=TreeRef("conv_2", "b", "m")),
]  # fmt: skip
KNOWABLE = ["m1", "m2", "m3"]
"""Ids the branch may hold: text messages only (the branch holds no blank turn, image or id'd tool result)."""


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(POOL), max_size=5), st.sampled_from([None, "conv_1"]))
def test_an_early_refusal_is_what_any_branch_would_give(
    messages: list[BaseMessage], conv: str | None
) -> None:
    try:
        check_unread(messages, conversation_id=conv)
    except UsageError:
        for mask in range(2 ** len(KNOWABLE)):
            held = [KNOWABLE[i] for i in range(len(KNOWABLE)) if mask >> i & 1]
            known = {key: TreeRef("conv_1", "br_1", key) for key in held}
            with pytest.raises(UsageError):
                plan = plan_add(messages, known=known, conversation_id=conv)
                if plan.send:
                    plan_turn(list(plan.send))  # the rule the send applies before its request


# --- against the local server ------------------------------------------------------------------------------


@pytest.fixture
def client(local_server: LocalServer) -> Iterator[ChatRoutesClient]:
    with ChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as c:
        yield c


@pytest.fixture
async def aclient(local_server: LocalServer) -> AsyncIterator[AsyncChatRoutesClient]:
    async with AsyncChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as c:
        yield c


@pytest.fixture
def model(local_server: LocalServer) -> ChatChatRoutes:
    return ChatChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)


class Counter:
    """Requests the server received since the last ``take()``."""

    def __init__(self, srv: LocalServer) -> None:
        self.srv = srv
        self.mark = len(srv.requests)

    def take(self) -> list[tuple[str, str]]:
        seen = self.srv.requests
        new, self.mark = seen[self.mark :], len(seen)
        return new


def _two_turns(client: ChatRoutesClient) -> ChatRoutesChatMessageHistory:
    history = ChatRoutesChatMessageHistory(client=client, title="Trip")
    history.add_user_message("Plan a trip to Kyoto")
    history.add_user_message("And then Osaka?")
    return history


def test_first_write_creates_the_conversation_and_reply_is_visible(
    client: ChatRoutesClient, local_server: LocalServer
) -> None:
    history = ChatRoutesChatMessageHistory(client=client, title="Trip")
    counter = Counter(local_server)
    assert history.messages == [] and history.conversation_id is None
    assert counter.take() == []  # nothing to read before the conversation exists
    history.add_user_message("Plan a trip to Kyoto")
    assert [m for m, _ in counter.take()] == ["POST", "POST"]  # create + send
    assert history.conversation_id is not None and history.branch_id is not None
    messages = history.messages
    assert pairs(messages)[0] == ("human", "Plan a trip to Kyoto")
    assert messages[1].type == "ai" and history.last_reply is not None
    assert messages[1].id == history.last_reply.id
    assert local_server.count_messages(history.conversation_id) == 2
    for message in messages:  # every message carries its ChatRoutes id and ref
        ref = message_ref(message)
        assert ref is not None and ref.message_id == message.id and message.id.startswith("msg_")
        assert (ref.conversation_id, ref.branch_id) == (history.conversation_id, history.branch_id)


def test_every_read_is_one_request_and_sees_writes_by_other_objects(
    client: ChatRoutesClient, local_server: LocalServer, model: ChatChatRoutes
) -> None:
    history = _two_turns(client)
    fresh = ChatRoutesChatMessageHistory(history.conversation_id, history.branch_id, client=client)
    counter = Counter(local_server)
    first = fresh.messages
    assert len(counter.take()) == 1  # the server includes inherited parts and reports parents
    assert pairs(fresh.messages) == pairs(first) and len(counter.take()) == 1
    # another object (a model bound to the branch) writes two messages: the next read shows them
    config = {
        "configurable": {
            "chatroutes_conversation_id": history.conversation_id,
            "chatroutes_branch_id": history.branch_id,
        }
    }
    model.invoke([*first, HumanMessage("Add Nara")], config=config)
    assert [c for _, c in pairs(fresh.messages)][0::2][-1] == "Add Nara"
    other = ChatRoutesChatMessageHistory(history.conversation_id, history.branch_id, client=client)
    other.add_user_message("written through another object")
    history.add_user_message("after that")
    assert [c for _, c in pairs(history.messages)][0::2] == [
        "Plan a trip to Kyoto", "And then Osaka?", "Add Nara", "written through another object", "after that",
    ]  # fmt: skip
    assert [m.id for m in history.messages] == [m.id for m in fresh.messages]


def test_a_main_branch_history_reads_in_one_request(
    client: ChatRoutesClient, local_server: LocalServer
) -> None:
    history = _two_turns(client)
    main = ChatRoutesChatMessageHistory(history.conversation_id, client=client)  # branch unknown: main
    counter = Counter(local_server)
    assert len(main.messages) == 4 and len(counter.take()) == 1
    assert main.branch_id == history.branch_id


def test_pairing_with_chatchatroutes_never_duplicates(
    client: ChatRoutesClient, local_server: LocalServer, model: ChatChatRoutes
) -> None:
    history = _two_turns(client)
    conv = history.conversation_id
    assert conv is not None
    config = {"configurable": {"chatroutes_conversation_id": conv, "chatroutes_branch_id": history.branch_id}}
    question = HumanMessage("What about Nara?")
    reply = model.invoke([*history.messages, question], config=config)
    assert local_server.count_messages(conv) == 6
    counter = Counter(local_server)
    history.add_messages([question, reply])
    assert counter.take() == [] and local_server.count_messages(conv) == 6
    everything = history.messages
    assert pairs(everything)[-2:] == [("human", "What about Nara?"), ("ai", str(reply.content))]
    history.add_messages(everything)  # re-adding what the server holds is a no-op
    assert local_server.count_messages(conv) == 6 and len(history.messages) == 6


def test_foreign_reply_raises_and_writes_nothing(client: ChatRoutesClient, local_server: LocalServer) -> None:
    history = _two_turns(client)
    conv = history.conversation_id
    counter = Counter(local_server)
    with pytest.raises(ForeignMessageError, match="ChatChatRoutes"):
        history.add_messages([HumanMessage("hello"), AIMessage("a reply from another model")])
    with pytest.raises(ForeignMessageError):
        history.add_ai_message("typed by hand")
    with pytest.raises(ForeignMessageError, match="tool result"):
        history.add_messages([HumanMessage("x"), ToolMessage("42", tool_call_id="t")])
    assert all(method == "GET" for method, _ in counter.take())
    assert local_server.count_messages(conv) == 4


@pytest.mark.parametrize("case", UNREAD_ERRORS)
async def test_a_bad_batch_fails_before_the_first_request_sync_and_async(
    case: str, client: ChatRoutesClient, aclient: AsyncChatRoutesClient, local_server: LocalServer
) -> None:
    conv = (await aclient.conversations.create(title=case)).id
    messages, error = unread_errors(conv)[case]
    sync = ChatRoutesChatMessageHistory(conv, client=client)
    both = ChatRoutesChatMessageHistory(conv, async_client=aclient)
    counter = Counter(local_server)
    with pytest.raises(error):
        sync.add_messages(messages)
    with pytest.raises(error):
        await both.aadd_messages(messages)
    assert counter.take() == []


def test_a_batch_that_needs_the_branch_still_reads_it_once(
    client: ChatRoutesClient, local_server: LocalServer
) -> None:
    history = _two_turns(client)
    held = history.messages
    counter = Counter(local_server)
    bare = [HumanMessage(str(m.content), id=m.id) if m.type == "human" else AIMessage(str(m.content), id=m.id)
            for m in held]  # fmt: skip  # ids without refs: the branch decides
    history.add_messages(bare)
    assert [m for m, _ in counter.take()] == ["GET"] and local_server.count_messages(
        history.conversation_id
    ) == 4
    history.add_messages([HumanMessage("joined", id="not_held"), HumanMessage("")])
    assert [m for m, _ in counter.take()] == ["GET", "POST"]
    assert pairs(history.messages)[-2] == ("human", "joined\n\n")
    with pytest.raises(ForeignMessageError, match="did not generate"):
        history.add_messages([AIMessage("not held", id="msg_unknown")])
    assert [m for m, _ in counter.take()] == ["GET", "GET"]  # that read was needed: the id might be held


def test_reply_from_another_conversation_is_rejected(
    client: ChatRoutesClient, local_server: LocalServer
) -> None:
    first, second = _two_turns(client), _two_turns(client)
    with pytest.raises(ForeignMessageError, match="conversation"):
        first.add_messages([HumanMessage("hi"), second.messages[-1]])
    assert local_server.count_messages(first.conversation_id) == 4


def test_fork_inherits_prefix_and_diverges(client: ChatRoutesClient, local_server: LocalServer) -> None:
    main = _two_turns(client)
    main_before = main.messages
    counter = Counter(local_server)
    fork = main.fork(at_message_id=main_before[1].id, title="Osaka instead")
    assert [m for m, _ in counter.take()] == ["GET", "POST"]  # a fresh read of the branch, then the fork
    assert fork.conversation_id == main.conversation_id and fork.branch_id != main.branch_id
    assert [m.id for m in fork.messages] == [m.id for m in main_before[:2]]
    assert all(message_ref(m).branch_id == fork.branch_id for m in fork.messages)  # type: ignore[union-attr]
    fork.add_user_message("Go to Nara instead")
    reread = main.switch(fork.branch_id).messages  # type: ignore[arg-type]
    assert [m.id for m in reread[:2]] == [m.id for m in main_before[:2]]  # the inherited prefix
    assert pairs(reread)[2] == ("human", "Go to Nara instead") and len(reread) == 4
    assert pairs(fork.messages) == pairs(reread)
    assert pairs(main.switch(main.branch_id).messages) == pairs(main_before)  # type: ignore[arg-type]


def test_fork_of_fork_and_default_tip(client: ChatRoutesClient) -> None:
    main = _two_turns(client)
    child = main.fork(main.messages[1].id, title="child")
    child.add_user_message("child turn")
    grandchild = child.fork(title="grandchild")  # at the child's tip
    grandchild.add_user_message("grandchild turn")
    full = grandchild.switch(grandchild.branch_id).messages  # type: ignore[arg-type]
    assert [c for _, c in pairs(full)][0::2] == ["Plan a trip to Kyoto", "child turn", "grandchild turn"]
    assert [m.id for m in full[:4]] == [m.id for m in child.messages]
    infos = {b.id: b for b in main.branches()}
    assert infos[grandchild.branch_id].parent_branch_id == child.branch_id  # type: ignore[index]
    assert infos[grandchild.branch_id].fork_point_message_id == child.messages[-1].id  # type: ignore[index]


def test_tip_operations_read_the_branch_as_it_is_now(
    client: ChatRoutesClient, local_server: LocalServer
) -> None:
    history = _two_turns(client)
    _ = history.messages  # cached: four messages
    other = history.switch(history.branch_id)  # type: ignore[arg-type]
    other.add_user_message("third turn, written through another object")
    tip = other.messages[-1].id
    assert history.fork().messages[-1].id == tip  # "the tip" is the current one, not the cached one
    assert history.checkpoint().anchor_message_id == tip

    stale = _two_turns(client)
    _ = stale.messages
    stale.switch(stale.branch_id).add_user_message("not in the stale cache")  # type: ignore[arg-type]
    stale.clear()  # deletes all six, including the two it had not read
    assert local_server.count_messages(stale.conversation_id) == 0 and stale.messages == []


def test_fork_rejects_unknown_message_and_empty_branch(
    client: ChatRoutesClient, local_server: LocalServer
) -> None:
    history = _two_turns(client)
    _ = history.messages
    counter = Counter(local_server)
    with pytest.raises(ValueError, match="not in this branch"):
        history.fork("msg_not_here")
    with pytest.raises(ValueError, match="nothing to fork"):
        ChatRoutesChatMessageHistory(client=client).fork()
    assert all(method == "GET" for method, _ in counter.take())  # read, never written


def test_branches_lists_main_and_forks(client: ChatRoutesClient) -> None:
    main = _two_turns(client)
    fork = main.fork(main.messages[1].id, title="alt")
    infos = main.branches()
    assert len(infos) == 2
    (main_info,) = [b for b in infos if b.is_main]
    (fork_info,) = [b for b in infos if not b.is_main]
    assert main_info.id == main.branch_id and main_info.message_count == 4
    assert (fork_info.id, fork_info.title) == (fork.branch_id, "alt")
    assert fork_info.parent_branch_id == main.branch_id
    assert fork_info.fork_point_message_id == main.messages[1].id
    assert ChatRoutesChatMessageHistory(client=client).branches() == []


def test_checkpoint_at_the_tip(client: ChatRoutesClient) -> None:
    history = _two_turns(client)
    checkpoint = history.checkpoint()
    assert checkpoint.anchor_message_id == history.messages[-1].id
    assert checkpoint.branch_id == history.branch_id and checkpoint.summary


def test_clear_main_deletes_its_messages(client: ChatRoutesClient, local_server: LocalServer) -> None:
    history = _two_turns(client)
    history.clear()
    assert history.messages == [] and local_server.count_messages(history.conversation_id) == 0
    assert ChatRoutesChatMessageHistory(history.conversation_id, client=client).messages == []


def test_clear_fork_keeps_the_inherited_prefix(client: ChatRoutesClient, local_server: LocalServer) -> None:
    main = _two_turns(client)
    fork = main.fork(main.messages[1].id)
    fork.add_user_message("fork turn")
    conv = main.conversation_id
    assert local_server.count_messages(conv) == 6
    fork.clear()
    assert local_server.count_messages(conv) == 4
    assert [m.id for m in fork.switch(fork.branch_id).messages] == [m.id for m in main.messages[:2]]  # type: ignore[arg-type]
    assert len(main.switch(main.branch_id).messages) == 4  # type: ignore[arg-type]


def test_clear_refuses_when_a_branch_was_forked_from_it(
    client: ChatRoutesClient, local_server: LocalServer
) -> None:
    main = _two_turns(client)
    main.fork(main.messages[1].id, title="keeps me")
    with pytest.raises(BranchInUseError, match="keeps me"):
        main.clear()
    assert local_server.count_messages(main.conversation_id) == 4


# --- RunnableWithMessageHistory ----------------------------------------------------------------------------

_SPECS = [
    ConfigurableFieldSpec(id="chatroutes_conversation_id", annotation=str, default="", is_shared=True),
    ConfigurableFieldSpec(id="chatroutes_branch_id", annotation=str, default="", is_shared=True),
]


def _with_history(runnable: object, client: ChatRoutesClient | AsyncChatRoutesClient, **keys: str) -> object:
    def factory(chatroutes_conversation_id: str, chatroutes_branch_id: str) -> ChatRoutesChatMessageHistory:
        conversation_id, branch_id = chatroutes_conversation_id, chatroutes_branch_id
        if isinstance(client, AsyncChatRoutesClient):
            return ChatRoutesChatMessageHistory(conversation_id, branch_id, async_client=client)
        return ChatRoutesChatMessageHistory(conversation_id, branch_id, client=client)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # RunnableWithMessageHistory is deprecated in langchain-core 1.x
        return RunnableWithMessageHistory(runnable, factory, history_factory_config=_SPECS, **keys)  # type: ignore[arg-type]


@pytest.mark.parametrize("shape", ["model", "prompt"])
def test_runnable_with_message_history_turns_cost_at_most_three_requests(
    client: ChatRoutesClient, local_server: LocalServer, model: ChatChatRoutes, shape: str
) -> None:
    conv = client.conversations.create(title="RWMH").id
    if shape == "model":  # no history_messages_key: RWMH reads the history twice per turn
        chain = _with_history(model, client)
        turn = lambda text: chain.invoke([HumanMessage(text)], config=config)  # type: ignore[attr-defined]  # noqa: E731
    else:
        prompt = ChatPromptTemplate.from_messages([MessagesPlaceholder("history"), ("human", "{question}")])
        chain = _with_history(
            prompt | model, client, input_messages_key="question", history_messages_key="history"
        )
        turn = lambda text: chain.invoke({"question": text}, config=config)  # type: ignore[attr-defined]  # noqa: E731
    config = {"configurable": {"chatroutes_conversation_id": conv, "chatroutes_branch_id": ""}}
    counter = Counter(local_server)
    for index, text in enumerate(["one", "two", "three"], start=1):
        reply = turn(text)
        taken = counter.take()
        assert len(taken) <= 3, taken
        assert local_server.count_messages(conv) == 2 * index  # each message written once
        assert reply.response_metadata["chatroutes"]["conversation_id"] == conv
    history = ChatRoutesChatMessageHistory(conv, client=client)
    assert [c for _, c in pairs(history.messages)][0::2] == ["one", "two", "three"]

    # a fork is an alternate history: the same chain continues there, still within three requests
    fork = history.fork(history.messages[1].id)
    config = {"configurable": {"chatroutes_conversation_id": conv, "chatroutes_branch_id": fork.branch_id}}
    counter.take()
    turn("alt two")
    assert len(counter.take()) <= 3 and local_server.count_messages(conv) == 8
    assert [c for _, c in pairs(fork.switch(fork.branch_id).messages)][0::2] == ["one", "alt two"]  # type: ignore[arg-type]


# --- async twins ---------------------------------------------------------------------------------------


async def test_async_history_methods(aclient: AsyncChatRoutesClient, local_server: LocalServer) -> None:
    history = ChatRoutesChatMessageHistory(async_client=aclient, title="async")
    assert await history.aget_messages() == []
    await history.aadd_messages([HumanMessage("first")])
    await history.aadd_messages([HumanMessage("second")])
    conv = history.conversation_id
    assert local_server.count_messages(conv) == 4
    messages = await history.aget_messages()
    assert [c for _, c in pairs(messages)][0::2] == ["first", "second"]
    with pytest.raises(ForeignMessageError):
        await history.aadd_messages([AIMessage("not from ChatRoutes")])
    await history.aadd_messages(messages)  # already stored: nothing written
    assert local_server.count_messages(conv) == 4

    fork = await history.afork(messages[1].id, title="async fork")
    await fork.aadd_messages([HumanMessage("fork second")])
    grandchild = await fork.afork()
    await grandchild.aadd_messages([HumanMessage("grandchild")])
    reread = await grandchild.switch(grandchild.branch_id).aget_messages()  # type: ignore[arg-type]
    assert [c for _, c in pairs(reread)][0::2] == ["first", "fork second", "grandchild"]
    assert [m.id for m in reread[:2]] == [m.id for m in messages[:2]]

    infos = await history.abranches()
    assert len(infos) == 3 and sum(b.is_main for b in infos) == 1
    checkpoint = await fork.acheckpoint()
    assert checkpoint.anchor_message_id == (await fork.aget_messages())[-1].id

    with pytest.raises(BranchInUseError):
        await fork.aclear()  # the grandchild was forked at the fork's tip
    await grandchild.aclear()
    assert [m.id for m in await grandchild.aget_messages()] == [m.id for m in reread[:4]]
    assert local_server.count_messages(conv) == 6


async def test_async_rwmh_counts(aclient: AsyncChatRoutesClient, local_server: LocalServer) -> None:
    model = ChatChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    conv = (await aclient.conversations.create(title="async RWMH")).id
    chain = _with_history(model, aclient)
    config = {"configurable": {"chatroutes_conversation_id": conv, "chatroutes_branch_id": ""}}
    counter = Counter(local_server)
    for index, text in enumerate(["one", "two"], start=1):
        await chain.ainvoke([HumanMessage(text)], config=config)  # type: ignore[attr-defined]
        assert len(counter.take()) <= 3
        assert local_server.count_messages(conv) == 2 * index


async def test_sync_client_only_still_serves_async(
    client: ChatRoutesClient, local_server: LocalServer
) -> None:
    history = ChatRoutesChatMessageHistory(client=client)
    await history.aadd_messages([HumanMessage("from async")])
    assert local_server.count_messages(history.conversation_id) == 2
    assert pairs(await history.aget_messages())[0] == ("human", "from async")


async def test_history_built_from_key_and_url_uses_the_shared_clients(
    client: ChatRoutesClient, local_server: LocalServer
) -> None:
    from chatroutes_core import shared_async_client, shared_client

    history = ChatRoutesChatMessageHistory(api_key=local_server.api_key, base_url=local_server.base_url)
    history.add_user_message("sync turn")
    await history.aadd_messages([HumanMessage("async turn")])
    assert local_server.count_messages(history.conversation_id) == 4
    assert history._sync() is shared_client(api_key=local_server.api_key, base_url=local_server.base_url)
    assert history._async() is shared_async_client(
        api_key=local_server.api_key, base_url=local_server.base_url
    )
    await history.aclose()
    assert len(history.messages) == 4  # closing a history never closes a shared client
    borrowed = ChatRoutesChatMessageHistory(history.conversation_id, client=client)
    borrowed.close()  # a client passed in is not the history's to close
    assert [c for _, c in pairs(borrowed.messages)][0::2] == ["sync turn", "async turn"]


# --- property: random interleavings of writes, forks and switches -----------------------------------------

_OPS = st.lists(
    st.tuples(st.sampled_from(["user", "model", "fork", "switch"]), st.integers(0, 50), st.integers(0, 50)),
    min_size=1,
    max_size=7,
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=_OPS)
def test_random_histories_match_the_server_and_never_duplicate(
    ops: list[tuple[str, int, int]], client: ChatRoutesClient, local_server: LocalServer
) -> None:
    model = ChatChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    first = ChatRoutesChatMessageHistory(client=client)
    first.add_user_message("start")
    pool, expected = [first], 2
    conv = first.conversation_id
    for step, (op, pick, at) in enumerate(ops):
        history = pool[pick % len(pool)]
        if op == "user":
            history.add_user_message(f"user {step}")
            expected += 2
        elif op == "model":
            question = HumanMessage(f"model {step}")
            config = {
                "configurable": {
                    "chatroutes_conversation_id": conv,
                    "chatroutes_branch_id": history.branch_id,
                }
            }
            history.add_messages([question, model.invoke([*history.messages, question], config=config)])
            expected += 2
        elif op == "fork":
            messages = history.messages
            pool.append(history.fork(messages[at % len(messages)].id, title=f"fork {step}"))
        else:
            pool.append(history.switch(history.branch_id))  # type: ignore[arg-type]
        assert local_server.count_messages(conv) == expected  # every message written exactly once
        if op in {"user", "model", "fork"}:  # after its own write a history shows the server's branch
            seen = pool[-1] if op == "fork" else history
            fresh = seen.switch(seen.branch_id).messages  # type: ignore[arg-type]
            assert [m.id for m in seen.messages] == [m.id for m in fresh]
            assert len({m.id for m in fresh}) == len(fresh)


def test_branch_cache_holds_structure_only_bounded_and_copied() -> None:
    from chatroutes_core import Branch
    from langchain_chatroutes import BranchCache

    cache = BranchCache(maxsize=2)
    cache.put("c1", [Branch(id="main", is_main=True)])
    cache.put("c2", [Branch(id="m2", is_main=True)])
    got = cache.get("c1")
    assert got is not None and [b.id for b in got] == ["main"]
    got.append(Branch(id="x"))  # a copy: the cache is unchanged
    cache.add("c1", Branch(id="fork", parent_branch_id="main", fork_point_message_id="m1"))
    cache.put("c3", [])  # c2 was least recently used
    assert cache.get("c2") is None and [b.id for b in cache.get("c1") or []] == ["main", "fork"]
    with pytest.raises(ValueError):
        BranchCache(maxsize=0)


def test_histories_sharing_a_branch_cache_skip_the_branch_list(
    client: ChatRoutesClient, local_server: LocalServer
) -> None:
    from langchain_chatroutes import BranchCache

    first = _two_turns(client)
    cache = BranchCache()
    fork = ChatRoutesChatMessageHistory(
        first.conversation_id, first.branch_id, client=client, branch_cache=cache
    )
    assert len(fork.branches()) == 1  # one request that fills the cache with the conversation's branches
    side = fork.fork(fork.messages[1].id)  # the new branch joins the cached structure
    counter = Counter(local_server)
    again = ChatRoutesChatMessageHistory(
        first.conversation_id, side.branch_id, client=client, branch_cache=cache
    )
    assert again._structure(again._place) is not None  # the fork it made is known: no branch list is read
    assert [c for _, c in pairs(again.messages)][0::2] == ["Plan a trip to Kyoto"]
    assert [path.rsplit("/", 1)[-1] for _, path in counter.take()] == ["messages"]
