"""A mapper whose remembered tip is stale never writes after someone else's turn: it forks instead."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient, ConflictError
from chatroutes_core.mapper import AsyncConversationMapper, ConversationMapper, Turn
from chatroutes_core.testing import LocalServer


def _api(srv: LocalServer) -> list[tuple[str, str]]:
    return [(m, p) for m, p in srv.requests if "/_admin" not in p]


@pytest.fixture
def client(local_server: LocalServer) -> Iterator[ChatRoutesClient]:
    with ChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as c:
        yield c


@pytest.fixture
async def aclient(local_server: LocalServer) -> AsyncIterator[AsyncChatRoutesClient]:
    async with AsyncChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as c:
        yield c


def test_server_refuses_a_parent_that_is_not_the_tip_and_stores_nothing(
    local_server: LocalServer, client: ChatRoutesClient
) -> None:
    conv = client.conversations.create(title="precondition").id
    first = client.messages.send(conv, content="one").message
    second = client.messages.send(conv, content="two", parent_message_id=first.id).message
    before = local_server.count_messages(conv)
    with pytest.raises(ConflictError) as info:
        client.messages.send(conv, content="late", parent_message_id=first.id)
    assert info.value.status_code == 409
    assert info.value.code == "TIP_MOVED"
    assert local_server.count_messages(conv) == before
    with pytest.raises(ConflictError):  # a stream is refused before its first byte
        client.messages.stream(conv, content="late", parent_message_id=first.id).__enter__()
    assert local_server.count_messages(conv) == before
    assert [m.id for m in client.messages.list(conv)][-1] == second.id


def test_the_official_field_name_is_sent_on_the_wire() -> None:
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        message = {"id": "m2", "role": "assistant", "content": "ok", "branchId": "b"}
        return httpx.Response(200, json={"success": True, "data": {"message": message, "usage": {}}})

    with ChatRoutesClient(
        api_key="k-test", base_url="https://api.example.com/api/v1",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    ) as client:  # fmt: skip
        client.messages.send("c", content="hi", parent_message_id="m1")
    assert b'"parentMessageId":"m1"' in seen[0].replace(b" ", b"")


def test_stale_mapper_forks_at_its_anchor_instead_of_appending(
    local_server: LocalServer, client: ChatRoutesClient
) -> None:
    warm = ConversationMapper(client)
    other = ConversationMapper(client)  # another writer: its own tip cache
    first = warm.send([Turn("user", "hello")])
    seen = [Turn("user", "hello"), Turn("assistant", first.message.content, first.ref)]
    other.send([*seen, Turn("user", "someone else's turn")])  # moves main's tip; warm does not know

    local_server.reset_requests()
    mine = [*seen, Turn("user", "my turn")]
    reply = warm.send(mine)
    # refused continue (nothing stored), fork at the anchor, send on the fork
    assert [m for m, _ in _api(local_server)] == ["POST", "POST", "POST"]
    assert reply.ref.branch_id != first.ref.branch_id
    history = client.branches.get_history(reply.ref.conversation_id, reply.ref.branch_id)
    assert [(m.role, m.content) for m in history] == [
        *[(t.role, t.content) for t in mine],
        ("assistant", reply.message.content),
    ]
    assert local_server.count_messages(first.ref.conversation_id) == 6  # 3 exchanges, nothing twice

    local_server.reset_requests()  # the fork's tip is now known: the next turn is one request
    warm.send([*mine, Turn("assistant", reply.message.content, reply.ref), Turn("user", "and more")])
    assert len(_api(local_server)) == 1


async def test_stale_async_mapper_streams_on_a_fork(aclient: AsyncChatRoutesClient) -> None:
    client = aclient
    warm, other = AsyncConversationMapper(client), AsyncConversationMapper(client)
    first = await warm.send([Turn("user", "hello")])
    seen = [Turn("user", "hello"), Turn("assistant", first.message.content, first.ref)]
    await other.send([*seen, Turn("user", "elsewhere")])
    async with warm.stream([*seen, Turn("user", "mine")]) as stream:
        events = [event async for event in stream]
    assert events[-1].type == "complete"
    assert stream.ref is not None and stream.ref.branch_id != first.ref.branch_id
    history = await client.branches.get_history(stream.ref.conversation_id, stream.ref.branch_id)
    assert [m.content for m in history][:3] == ["hello", first.message.content, "mine"]
