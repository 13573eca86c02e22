"""Issue 24 items 7 and 8: a refused turn leaves nothing behind, and bad input fails before any request.

Through the core mapper and through both adapters, against the local server: options the API refuses
(``temperature=5``, ``max_tokens=-1``, ``timeout=-1``), text no request can carry (a lone surrogate) and a
tool result that answers no call are ``UsageError``s before the first request; content only the server can
refuse (over its limit) gets its 400, and the conversation (or fork) made for that turn is deleted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chatroutes_core import ChatRoutesClient, UsageError, ValidationError
from chatroutes_core.mapper import Binding, ConversationMapper, ToolCallTurn, Turn
from chatroutes_core.testing import LocalServer

OVER_LIMIT = "x" * 600_000  # the local server takes at most 500,000 characters of content


@pytest.fixture
def key(local_server: LocalServer) -> str:
    return local_server.new_api_key()  # a key of its own: it sees only this test's conversations


@pytest.fixture
def client(local_server: LocalServer, key: str) -> Iterator[ChatRoutesClient]:
    with ChatRoutesClient(key, local_server.base_url) as c:
        yield c


def _conversations(client: ChatRoutesClient) -> list[str]:
    return [c.id for c in client.conversations.list().conversations]


@pytest.mark.parametrize(
    ("generation", "match"),
    [
        ({"temperature": 5}, "temperature must be a number from 0 to 2"),
        ({"temperature": -0.1}, "temperature"),
        ({"temperature": "hot"}, "temperature"),
        ({"max_tokens": -1}, "max_tokens must be an int >= 1"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"max_tokens": 2.5}, "max_tokens"),
        ({"timeout": -1}, "timeout must be a number of seconds"),
    ],
)
def test_bad_generation_options_are_refused_before_any_request(
    local_server: LocalServer, client: ChatRoutesClient, generation: dict[str, Any], match: str
) -> None:
    local_server.reset_requests()
    with pytest.raises(UsageError, match=match):
        ConversationMapper(client).send([Turn("user", "hello")], **generation)
    assert local_server.requests == []
    assert _conversations(client) == []


def test_the_resource_refuses_them_too(local_server: LocalServer, client: ChatRoutesClient) -> None:
    conv = client.conversations.create(title="t")
    local_server.reset_requests()
    with pytest.raises(UsageError, match="temperature"):
        client.messages.send(conv.id, content="hi", temperature=5)
    with pytest.raises(UsageError, match="max_tokens"):
        client.messages.send(conv.id, {"content": "hi", "maxTokens": -1})
    assert local_server.requests == []


def test_a_lone_surrogate_is_a_usage_error_before_any_request(
    local_server: LocalServer, client: ChatRoutesClient
) -> None:
    local_server.reset_requests()
    with pytest.raises(UsageError, match="lone surrogate"):
        ConversationMapper(client).send([Turn("user", "broken \ud800 text")])
    conv = client.conversations.create(title="t")
    with pytest.raises(UsageError, match="lone surrogate"):
        client.messages.send(conv.id, content="broken \udfff")  # the resource: no UnicodeEncodeError
    assert local_server.requests == [("POST", "/api/v1/conversations")]
    assert _conversations(client) == [conv.id]


def test_a_tool_result_that_answers_no_call_is_refused(
    local_server: LocalServer, client: ChatRoutesClient
) -> None:
    call = ToolCallTurn("call_1", "add", {"a": 1})
    asked = Turn("assistant", "", None, (call,))
    local_server.reset_requests()
    for turns in (
        [Turn("user", "add"), asked, Turn("tool", "2", tool_call_id="call_2", name="add")],
        [Turn("user", "add"), Turn("tool", "2", tool_call_id="call_1", name="add")],
    ):
        with pytest.raises(UsageError, match="tool result for call"):
            ConversationMapper(client).send(turns)
    assert local_server.requests == []
    # the matching one is sent
    reply = ConversationMapper(client).send(
        [Turn("user", "add"), asked, Turn("tool", "2", tool_call_id="call_1")]
    )
    assert reply.message.content


def test_a_first_turn_the_server_refuses_leaves_no_conversation(
    local_server: LocalServer, client: ChatRoutesClient
) -> None:
    with pytest.raises(ValidationError):
        ConversationMapper(client).send([Turn("user", OVER_LIMIT)])
    assert _conversations(client) == []
    with pytest.raises(ValidationError), ConversationMapper(client).stream([Turn("user", OVER_LIMIT)]) as s:
        list(s)
    assert _conversations(client) == []


def test_a_fork_for_a_refused_turn_is_deleted(client: ChatRoutesClient) -> None:
    mapper = ConversationMapper(client)
    first = mapper.send([Turn("user", "one")])
    second = mapper.send([Turn("user", "one"), Turn("assistant", first.message.content, first.seal(
        Turn("assistant", first.message.content))), Turn("user", "two")])  # fmt: skip
    branches = [b.id for b in client.branches.list(first.ref.conversation_id)]
    edited = [
        Turn("user", "one"),
        Turn("assistant", first.message.content, first.ref),
        Turn("user", OVER_LIMIT),
    ]
    with pytest.raises(ValidationError):
        mapper.send(edited)  # an edit of turn two: a fork at the first reply, then a refused send
    assert [b.id for b in client.branches.list(first.ref.conversation_id)] == branches
    assert second.ref.branch_id in branches


def test_a_bound_turn_refused_leaves_the_conversation(client: ChatRoutesClient) -> None:
    conv = client.conversations.create(title="mine")
    with pytest.raises(ValidationError):
        ConversationMapper(client).send([Turn("user", OVER_LIMIT)], Binding(conv.id))
    assert _conversations(client) == [conv.id]  # not made by this turn: kept


# --- through the adapters -----------------------------------------------------------------------------


def test_langchain_refused_first_turns_leave_nothing(
    local_server: LocalServer, key: str, client: ChatRoutesClient
) -> None:
    from langchain_chatroutes import ChatChatRoutes

    local_server.reset_requests()
    for options in ({"temperature": 5}, {"max_tokens": -1}):
        with pytest.raises(UsageError):  # refused when the model is made
            ChatChatRoutes(api_key=key, base_url=local_server.base_url, **options)
        model = ChatChatRoutes(api_key=key, base_url=local_server.base_url)
        with pytest.raises(UsageError):  # and per call, before any request
            model.invoke("hello", **options)
    assert local_server.requests == []
    with pytest.raises(ValidationError):
        ChatChatRoutes(api_key=key, base_url=local_server.base_url).invoke(OVER_LIMIT)
    assert _conversations(client) == []


def test_llama_index_refused_first_turns_leave_nothing(
    local_server: LocalServer, key: str, client: ChatRoutesClient
) -> None:
    from llama_index.core.llms import ChatMessage

    from llama_index_chatroutes import ChatRoutes

    llm = ChatRoutes(api_key=key, base_url=local_server.base_url)
    with pytest.raises(ValidationError):
        llm.chat([ChatMessage(role="user", content=OVER_LIMIT)])
    with pytest.raises(ValidationError):
        llm.complete(OVER_LIMIT)
    assert _conversations(client) == []
