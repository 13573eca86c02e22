"""Context fidelity: the model is always given the message list the caller passed (issue 13).

The oracle is the server: after each call, the branch the reply landed on is read with the core client and
compared with the list that was sent.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, trim_messages
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder

from chatroutes_core import ChatRoutesClient
from chatroutes_core.server.responders import ResponderRequest
from chatroutes_core.testing import LocalServer
from langchain_chatroutes import ChatChatRoutes

pytestmark = pytest.mark.integration


class QuietResponder:
    """A fake model (a scripted responder) that never quotes the user, so stored user text is the oracle."""

    name = "quiet"

    def __init__(self) -> None:
        self.count = 0

    async def stream(self, request: ResponderRequest) -> AsyncIterator[str]:
        self.count += 1
        yield f"reply {self.count} to {len(request.messages)} messages"


@pytest.fixture(scope="module")
def local_server() -> Iterator[LocalServer]:
    with LocalServer(responder=QuietResponder()) as server:
        yield server


@pytest.fixture
def client(local_server: LocalServer) -> Iterator[ChatRoutesClient]:
    with ChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as c:
        yield c


def _model(server: LocalServer, client: ChatRoutesClient) -> ChatChatRoutes:
    return ChatChatRoutes(api_key=server.api_key, base_url=server.base_url)


def _user_texts(client: ChatRoutesClient, reply: AIMessage) -> list[str]:
    ref = reply.response_metadata["chatroutes"]
    history = client.branches.get_history(ref["conversation_id"], ref["branch_id"])
    return [m.content for m in history if m.role == "user"]


def _said(texts: list[str]) -> list[str]:
    """The user's own words in stored user messages (a transcript also quotes replies, which echo them)."""
    return [part for text in texts for part in text.split("\n\n") if not part.startswith("[assistant]")]


def _counted(server: LocalServer, call: object) -> tuple[AIMessage, int]:
    server.reset_requests()
    reply = call()  # type: ignore[operator]
    return reply, len([r for r in server.requests if "/_admin" not in r[1]])


def test_conversational_rag_sends_the_new_context_with_the_turn(
    local_server: LocalServer, client: ChatRoutesClient
) -> None:
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer only from this context: {ctx}"), MessagesPlaceholder("history"), ("human", "{q}")]
    )
    chain = prompt | _model(local_server, client)
    r1 = chain.invoke({"ctx": "DOC-A says the sky is green", "history": [], "q": "What colour is the sky?"})
    history = [HumanMessage("What colour is the sky?"), r1]
    r2, requests = _counted(
        local_server,
        lambda: chain.invoke(
            {"ctx": "DOC-B says grass is blue", "history": history, "q": "What colour is grass?"}
        ),
    )
    assert requests == 1  # a changed system prompt continues the branch in one request
    assert r2.response_metadata["chatroutes"]["branch_id"] == r1.response_metadata["chatroutes"]["branch_id"]
    assert _user_texts(client, r2)[-1] == (
        "[system] Answer only from this context: DOC-B says grass is blue\n\nWhat colour is grass?"
    )
    history = [*history, HumanMessage("What colour is grass?"), r2]
    r3, requests = _counted(
        local_server,
        lambda: chain.invoke({"ctx": "DOC-B says grass is blue", "history": history, "q": "And the sea?"}),
    )
    assert requests == 1 and _user_texts(client, r3)[-1] == "And the sea?"  # unchanged: not sent again


def test_an_edit_before_the_anchor_is_never_continued_over(
    local_server: LocalServer, client: ChatRoutesClient
) -> None:
    model = _model(local_server, client)
    h1 = HumanMessage("Plan a trip to KYOTO")
    a1 = model.invoke([h1])
    h2 = HumanMessage("Which season?")
    a2 = model.invoke([h1, a1, h2])
    osaka, requests = _counted(
        local_server,
        lambda: model.invoke(
            [HumanMessage("Plan a trip to OSAKA"), a1, h2, a2, HumanMessage("And a budget?")]
        ),
    )
    assert requests == 2  # nothing shared: a new conversation holding the list as its transcript
    texts = _user_texts(client, osaka)
    assert "OSAKA" in texts[0] and not any("KYOTO" in t for t in _said(texts))
    assert (
        osaka.response_metadata["chatroutes"]["conversation_id"]
        != a1.response_metadata["chatroutes"]["conversation_id"]
    )
    middle, requests = _counted(
        local_server,
        lambda: model.invoke([h1, a1, HumanMessage("Which MONTH?"), a2, HumanMessage("And a budget?")]),
    )
    assert requests == 2  # fork at a1, the last reply the list and the branch share
    texts = _user_texts(client, middle)
    assert texts[0] == "Plan a trip to KYOTO" and "Which MONTH?" in texts[1]
    assert not any("Which season?" in t for t in _said(texts))


def test_a_trimmed_list_continues_and_a_fresh_process_proves_it_without_reading(
    local_server: LocalServer, client: ChatRoutesClient
) -> None:
    model = _model(local_server, client)
    messages: list[BaseMessage] = [SystemMessage("Be brief.")]
    for text in ["one", "two", "three"]:
        messages.append(HumanMessage(text))
        messages.append(model.invoke(messages))
    trimmed = trim_messages(
        messages, max_tokens=3, token_counter=len, strategy="last", start_on="human", include_system=True
    )
    assert len(trimmed) < len(messages)
    reply, requests = _counted(local_server, lambda: model.invoke([*trimmed, HumanMessage("four")]))
    assert requests == 1
    assert (
        reply.response_metadata["chatroutes"]["branch_id"]
        == messages[-1].response_metadata["chatroutes"]["branch_id"]
    )
    # the next window slides on: the reply to the trimmed list still proves the branch's whole chain
    window = [*trimmed[:1], *trimmed[3:], HumanMessage("four"), reply, HumanMessage("five")]
    reply, requests = _counted(local_server, lambda: model.invoke(window))
    assert requests == 1
    fresh = _model(local_server, client)  # another process: no tips, only the digests on the refs
    continued = [
        *messages,
        HumanMessage("four"),
        window[-2],
        HumanMessage("five"),
        reply,
        HumanMessage("six"),
    ]
    reply, requests = _counted(local_server, lambda: fresh.invoke(continued))
    assert requests <= 2  # at most one GET for the tip (none where the server enforces parentMessageId)
    texts = _user_texts(client, reply)
    assert texts == ["[system] Be brief.\n\none", "two", "three", "four", "five", "six"]


def test_foreign_replies_are_part_of_the_proven_list(
    local_server: LocalServer, client: ChatRoutesClient
) -> None:
    model = _model(local_server, client)
    few_shot = [HumanMessage("2+2?"), AIMessage("4"), HumanMessage("3+3?")]
    first = model.invoke(few_shot)
    assert _user_texts(client, first) == ["[user] 2+2?\n\n[assistant] 4\n\n[user] 3+3?"]
    second, requests = _counted(local_server, lambda: model.invoke([*few_shot, first, HumanMessage("4+4?")]))
    assert requests == 1 and _user_texts(client, second)[-1] == "4+4?"
    swapped = [HumanMessage("2+2?"), AIMessage("five"), HumanMessage("3+3?"), first, HumanMessage("4+4?")]
    third = model.invoke(swapped)  # the foreign reply changed: not the same path
    assert "[assistant] five" in _user_texts(client, third)[0]


# --- the property ------------------------------------------------------------------------------------------

_counter = itertools.count()
_ACTIONS = ["say", "say", "system", "edit", "insert", "remove", "trim", "foreign", "other_writer"]


def _token(kind: str) -> str:
    return f"{kind}{next(_counter)}x"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(_ACTIONS), st.integers(0, 99)), min_size=1, max_size=6))
def test_the_branch_holds_exactly_the_list_that_was_sent(
    local_server: LocalServer, client: ChatRoutesClient, steps: list[tuple[str, int]]
) -> None:
    model = _model(local_server, client)
    system = _token("sys")
    messages: list[BaseMessage] = []
    gone: set[str] = set()  # texts the list replaced or removed from its middle: never on the landed branch
    trace: list[tuple[str, list[str]]] = []
    for action, pick in steps:
        humans = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
        if action == "system":
            system = _token("sys")
        elif action == "edit" and humans:
            index = humans[pick % len(humans)]
            gone.add(str(messages[index].content))
            messages[index] = HumanMessage(_token("edit"))
        elif action == "insert" and humans:
            messages.insert(humans[pick % len(humans)], HumanMessage(_token("ins")))
        elif action == "remove" and len(humans) > 1:
            index = humans[1:][pick % (len(humans) - 1)]  # from the middle (the start is a trim)
            end = (
                index + 2
                if index + 1 < len(messages) and isinstance(messages[index + 1], AIMessage)
                else index + 1
            )
            gone.update(str(m.content) for m in messages[index:end] if isinstance(m, HumanMessage))
            del messages[index:end]
        elif action == "trim" and len(humans) > 1:
            messages = messages[humans[pick % len(humans)] :]
        elif action == "foreign" and humans:
            messages.insert(humans[pick % len(humans)] + 1, AIMessage(_token("foreign")))
        elif action == "other_writer" and messages and isinstance(messages[-1], AIMessage):
            ref = messages[-1].response_metadata.get("chatroutes")
            if ref:
                other = _token("other")
                gone.add(other)
                config = {
                    "configurable": {
                        "chatroutes_conversation_id": ref["conversation_id"],
                        "chatroutes_branch_id": ref["branch_id"],
                    }
                }
                _model(local_server, client).invoke([SystemMessage(system), *messages, HumanMessage(other)],
                                                    config=config)  # fmt: skip
        messages.append(HumanMessage(_token("say")))
        trace.append((action, [str(m.content) for m in messages]))
        sent = [SystemMessage(system), *messages]
        reply = model.invoke(sent)
        stored = _user_texts(client, reply)
        joined = "\n".join(stored)
        # every human and foreign text of the list, in order
        position = 0
        for message in messages:
            if isinstance(message, HumanMessage):
                found = joined.find(str(message.content), position)
                assert found >= 0, (message.content, stored)
                position = found
        # the system text in force is the list's
        markers = [
            (joined.rfind(f"[system] {s}"), s)
            for s in {system} | {t for t in joined.split() if t.startswith("sys")}
        ]
        assert max(markers)[1] == system, (stored, trace)
        # nothing the list replaced, nothing twice
        assert not [t for t in gone if t in joined and t not in {str(m.content) for m in messages}], (
            stored,
            trace,
        )
        ids = [
            m.id
            for m in client.branches.get_history(
                reply.response_metadata["chatroutes"]["conversation_id"],
                reply.response_metadata["chatroutes"]["branch_id"],
            )
        ]
        assert len(ids) == len(set(ids))
        for text in {str(m.content) for m in messages if isinstance(m, HumanMessage)}:
            assert joined.count(text) == 1, (text, stored)
        messages.append(reply)
