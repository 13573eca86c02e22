"""One ``ChatRoutesChatMessageHistory`` shared by concurrent tasks and threads (issue 25 phase 2).

A flow used to reassign the history's branch in the middle of its run: a read that started on the main
branch wrote "main" back when it finished, undoing a move another task had made meanwhile (here: storing a
reply the model wrote on a fork, which moves the history to that fork). Now each flow works on the place it
started from and returns where the history stands after it; the history applies that in one place, under
its lock, and a read's late news never undoes a write.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from langchain_core.messages import AIMessage

from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient
from chatroutes_core.testing import LocalServer
from langchain_chatroutes import ChatRoutesChatMessageHistory

pytestmark = pytest.mark.integration


def _fork_reply(server: LocalServer) -> tuple[str, str, AIMessage]:
    """A conversation with one turn on main, a fork with a turn of its own: (conversation, main id, the
    fork's reply)."""
    with ChatRoutesClient(api_key=server.api_key, base_url=server.base_url) as client:
        first = ChatRoutesChatMessageHistory(client=client)
        first.add_user_message("Plan a trip to Kyoto")
        assert first.conversation_id is not None and first.branch_id is not None
        fork = first.fork(title="Osaka instead")
        fork.add_user_message("What about Osaka?")
        assert fork.last_reply is not None
        return first.conversation_id, first.branch_id, fork.last_reply


async def test_a_read_in_flight_does_not_undo_another_task_s_move(fresh_server: LocalServer) -> None:
    conversation_id, main_id, fork_reply = _fork_reply(fresh_server)
    fork_id = fork_reply.response_metadata["chatroutes"]["branch_id"]
    async with AsyncChatRoutesClient(api_key=fresh_server.api_key, base_url=fresh_server.base_url) as aio:
        shared = ChatRoutesChatMessageHistory(conversation_id, async_client=aio)  # main, id not known yet
        fresh_server.set_latency(0.2)
        try:
            read, _ = await asyncio.gather(shared.aget_messages(), shared.aadd_messages([fork_reply]))
        finally:
            fresh_server.set_latency(0.0)
    assert read[0].content == "Plan a trip to Kyoto" and len(read) == 2  # main, as it started
    assert shared.branch_id == fork_id != main_id  # the move the other task made stands
    assert [m.content for m in await _messages(shared, fresh_server)][-2] == "What about Osaka?"


async def _messages(history: ChatRoutesChatMessageHistory, server: LocalServer) -> list[object]:
    async with AsyncChatRoutesClient(api_key=server.api_key, base_url=server.base_url) as aio:
        return list(await ChatRoutesChatMessageHistory(
            history.conversation_id, history.branch_id, async_client=aio
        ).aget_messages())  # fmt: skip


def test_a_read_in_flight_on_another_thread_does_not_undo_a_move(fresh_server: LocalServer) -> None:
    conversation_id, main_id, fork_reply = _fork_reply(fresh_server)
    fork_id = fork_reply.response_metadata["chatroutes"]["branch_id"]
    with ChatRoutesClient(api_key=fresh_server.api_key, base_url=fresh_server.base_url) as client:
        shared = ChatRoutesChatMessageHistory(conversation_id, client=client)
        read: list[object] = []
        fresh_server.set_latency(0.3)
        try:
            reader = threading.Thread(target=lambda: read.extend(shared.messages))
            reader.start()
            deadline = time.monotonic() + 5
            while fresh_server.in_flight == 0 and time.monotonic() < deadline:
                time.sleep(0.005)
            assert fresh_server.in_flight >= 1, "the read never started"
            shared.add_messages([fork_reply])  # no request: the history moves to the fork
            assert shared.branch_id == fork_id
            reader.join(5)
        finally:
            fresh_server.set_latency(0.0)
    assert len(read) == 2  # main's messages, as the read started
    assert shared.branch_id == fork_id != main_id
