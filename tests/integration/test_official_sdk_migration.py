"""Official-SDK code keeps working with an import change: dict-style results, stream callbacks."""

from __future__ import annotations

from typing import Any

import pytest
from chatroutes import ChatRoutes

from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient, ServerError
from chatroutes_core.models import CompleteEvent, ContentEvent, Message
from chatroutes_core.testing import LocalServer


def test_results_read_like_the_official_sdks_dicts(local_server: LocalServer) -> None:
    client = ChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url)
    conversation = client.conversations.create({"title": "Migrated", "model": "gpt-5"})
    reply = client.messages.send(conversation["id"], {"content": "Hello", "model": "gpt-5"})
    assert reply["message"]["content"] == reply.message.content
    assert reply["message"]["branchId"] == reply.message.branch_id  # wire names
    assert reply["usage"]["totalTokens"] == reply.usage.total_tokens
    assert reply.get("nothing-like-this") is None and "message" in reply and "nope" not in reply
    main = next(b for b in client.branches.list(conversation["id"]) if b.get("isMain"))
    assert main["id"] == main.id


def test_the_official_callback_stream_call_works(local_server: LocalServer) -> None:
    client = ChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url)
    conv = client.conversations.create(title="callbacks").id
    chunks: list[Any] = []
    completed: list[Message] = []
    stream = client.messages.stream(conv, {"content": "Stream this"}, chunks.append, completed.append)
    assert [c["type"] for c in chunks][-1] == "complete"
    assert "".join(c["content"] for c in chunks if c["type"] == "content") == completed[0]["content"]
    assert stream.final is not None and stream.final.message.id == completed[0].id
    assert local_server.count_messages(conv) == 2  # sent once


async def test_async_callbacks_fire_while_iterating_or_when_awaited(local_server: LocalServer) -> None:
    async with AsyncChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as client:
        conv = (await client.conversations.create(title="async callbacks")).id
        seen: list[str] = []
        done: list[Message] = []
        await client.messages.stream(conv, {"content": "one"}, lambda e: seen.append(e.type), done.append)
        assert seen[-1] == "complete" and len(done) == 1

        events: list[ContentEvent | CompleteEvent] = []
        async with client.messages.stream(conv, content="two", on_chunk=events.append) as stream:
            async for event in stream:
                assert events[-1] is event  # the callback saw it before the loop did
        assert events[-1].type == "complete"

        with pytest.warns(DeprecationWarning, match="without on_chunk"):  # harmless, but deprecated
            awaited = await client.messages.stream(conv, content="three")
        async with awaited as plain:
            assert (await plain.until_done()).message.content
        assert local_server.count_messages(conv) == 6


def test_a_503_after_the_store_makes_the_official_sdk_store_the_exchange_twice(
    fresh_server: LocalServer,
) -> None:
    """The measured row of the README's migration table: the official SDK resends a POST on every 5xx."""
    sdk = ChatRoutes(api_key=fresh_server.api_key, base_url=fresh_server.base_url, retry_delay=0.01)
    conv = sdk.conversations.create({"title": "resent"})["id"]
    fresh_server.inject(503, method="POST", path=r"/messages$", when="after")
    reply = sdk.messages.send(conv, {"content": "Hello once"})  # the caller sees one success...
    assert reply["message"]["role"] == "assistant"
    assert fresh_server.count_messages(conv) == 4  # ...and the server holds the exchange twice

    with ChatRoutesClient(api_key=fresh_server.api_key, base_url=fresh_server.base_url) as client:
        ours = client.conversations.create(title="once").id
        fresh_server.inject(503, method="POST", path=r"/messages$", when="after")
        with pytest.raises(ServerError) as caught:
            client.messages.send(ours, content="Hello once")
        assert caught.value.status_code == 503
        assert fresh_server.count_messages(ours) == 2  # stored once, never resent
