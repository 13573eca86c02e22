"""CompareModels: one turn, several models, replies on sibling branches forked at the same point."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from chatroutes_core import SUPPORTED_MODELS, AsyncChatRoutesClient, ChatRoutesClient, ChatRoutesError
from chatroutes_core.testing import LocalServer
from langchain_chatroutes import ChatChatRoutes, CompareModels, UnsupportedModelError

MODELS = ["gpt-5", "claude-sonnet-4-5"]


@pytest.fixture
def client(fresh_server: LocalServer) -> Iterator[ChatRoutesClient]:
    with ChatRoutesClient(api_key=fresh_server.api_key, base_url=fresh_server.base_url) as c:
        yield c


def _compare(server: LocalServer, models: list[str] = MODELS, **options: object) -> CompareModels:
    return CompareModels(models=models, api_key=server.api_key, base_url=server.base_url, **options)


def _ref(reply: AIMessage) -> dict[str, str]:
    ref: dict[str, str] = reply.response_metadata["chatroutes"]
    return ref


def test_replies_land_on_sibling_branches_of_one_new_conversation(
    fresh_server: LocalServer, client: ChatRoutesClient
) -> None:
    compare = _compare(fresh_server)
    fresh_server.reset_requests()
    replies = compare.invoke("Explain recursion in one sentence.")
    assert list(replies) == MODELS
    # 1 + 2N: the conversation, one branch per model, one send per model
    methods = [method for method, _ in fresh_server.requests]
    assert len(fresh_server.requests) == 1 + 2 * len(MODELS) and methods.count("POST") == 5
    refs = {model: _ref(reply) for model, reply in replies.items()}
    (conversation,) = {r["conversation_id"] for r in refs.values()}
    assert len({r["branch_id"] for r in refs.values()}) == 2
    for model, reply in replies.items():
        assert reply.content.startswith(f"[{model} · offline echo]")  # each model answered
        assert "You said: Explain recursion in one sentence." in reply.content
    branches = {b.id: b for b in client.branches.list(conversation)}
    main = next(b for b in branches.values() if b.is_main)
    for model, ref in refs.items():
        branch = branches[ref["branch_id"]]
        assert branch.title == model and branch.parent_branch_id == main.id
        assert branch.fork_point_message_id is None  # the same point: the empty start
        history = client.branches.get_history(conversation, branch.id)
        assert [m.role for m in history] == ["user", "assistant"]
    assert client.branches.get_history(conversation, main.id) == []
    assert fresh_server.count_messages(conversation) == 4


def test_a_second_compare_forks_every_model_at_the_same_reply(fresh_server: LocalServer) -> None:
    compare = _compare(fresh_server)
    first = compare.invoke("Name a river.")
    picked = first["claude-sonnet-4-5"]
    fresh_server.reset_requests()
    second = compare.invoke([HumanMessage("Name a river."), picked, HumanMessage("And a longer one?")])
    # 2N: a fork per model, then one send per branch (the server enforces parentMessageId: no tip read)
    assert sorted(fresh_server.requests) == sorted(
        [("POST", f"/api/v1/conversations/{_ref(picked)['conversation_id']}/fork")] * 2
        + [("POST", f"/api/v1/conversations/{_ref(picked)['conversation_id']}/messages")] * 2
    )
    with ChatRoutesClient(api_key=fresh_server.api_key, base_url=fresh_server.base_url) as client:
        for reply in second.values():
            branch_id = _ref(reply)["branch_id"]
            listed = client.branches.list(_ref(reply)["conversation_id"])
            branch = next(b for b in listed if b.id == branch_id)
            assert branch.fork_point_message_id == _ref(picked)["message_id"]
            history = client.branches.get_history(_ref(reply)["conversation_id"], branch_id)
            assert [m.content for m in history][:2] == ["Name a river.", picked.content]
            assert history[-2].content == "And a longer one?"


def test_compare_inside_an_existing_conversation_forks_at_its_tip(fresh_server: LocalServer) -> None:
    chat = ChatChatRoutes(api_key=fresh_server.api_key, base_url=fresh_server.base_url)
    opener = chat.invoke("We are planning a trip.")
    conversation = _ref(opener)["conversation_id"]
    compare = _compare(fresh_server, conversation_id=conversation)
    fresh_server.reset_requests()
    replies = compare.invoke("Where to?")
    assert len(fresh_server.requests) == 2 * len(MODELS)  # N branches, N sends
    for reply in replies.values():
        assert _ref(reply)["conversation_id"] == conversation
        assert "2 prior messages in context" in reply.content  # the opener exchange is inherited


def test_continuing_a_reply_is_an_ordinary_turn_on_its_branch(fresh_server: LocalServer) -> None:
    compare = _compare(fresh_server)
    replies = compare.invoke("Pick a colour.")
    claude = replies["claude-sonnet-4-5"]
    chat = compare.chat_model("claude-sonnet-4-5")  # the model that wrote it knows the branch tip
    fresh_server.reset_requests()
    more = chat.invoke(["Pick a colour.", claude, "Why that one?"])
    assert len(fresh_server.requests) == 1
    assert _ref(more)["branch_id"] == _ref(claude)["branch_id"]
    fresh = ChatChatRoutes(model="gpt-5", api_key=fresh_server.api_key, base_url=fresh_server.base_url)
    again = fresh.invoke(["Pick a colour.", replies["gpt-5"], "Why?"])
    assert _ref(again)["branch_id"] == _ref(replies["gpt-5"])["branch_id"]


async def test_ainvoke_and_abatch(fresh_server: LocalServer) -> None:
    compare = _compare(fresh_server, models=["gpt-5", "claude-3-5-haiku-latest", "claude-opus-4-1"])
    fresh_server.reset_requests()
    replies = await compare.ainvoke([SystemMessage("Be brief."), HumanMessage("Hi")])
    assert list(replies) == ["gpt-5", "claude-3-5-haiku-latest", "claude-opus-4-1"]
    assert len(fresh_server.requests) == 1 + 2 * 3
    assert len({_ref(r)["branch_id"] for r in replies.values()}) == 3
    batch = await compare.abatch(["one", "two"])
    assert len({_ref(r)["conversation_id"] for result in batch for r in result.values()}) == 2


def test_batch_runs_one_compare_per_input(fresh_server: LocalServer) -> None:
    compare = _compare(fresh_server, models=["gpt-5"])
    results = compare.batch(["one", "two", "three"])
    assert [list(r) for r in results] == [["gpt-5"]] * 3
    assert len({_ref(r["gpt-5"])["conversation_id"] for r in results}) == 3


def test_given_clients_make_the_fork_requests(fresh_server: LocalServer, client: ChatRoutesClient) -> None:
    compare = CompareModels(models=MODELS, client=client)  # key and base URL come from the client
    replies = compare.invoke("hello")
    assert set(replies) == set(MODELS)


async def test_given_async_client(fresh_server: LocalServer) -> None:
    async with AsyncChatRoutesClient(api_key=fresh_server.api_key, base_url=fresh_server.base_url) as aclient:
        replies = await CompareModels(models=MODELS, async_client=aclient).ainvoke("hello")
    assert set(replies) == set(MODELS)


def test_temperature_and_max_tokens_reach_every_model(fresh_server: LocalServer) -> None:
    replies = _compare(fresh_server, temperature=0.2, max_tokens=64).invoke("hello")
    with ChatRoutesClient(api_key=fresh_server.api_key, base_url=fresh_server.base_url) as client:
        for reply in replies.values():
            ref = _ref(reply)
            stored = client.branches.get_history(ref["conversation_id"], ref["branch_id"])[-1]
            assert stored.metadata["temperature"] == 0.2 and stored.metadata["maxTokens"] == 64


def test_an_unsupported_model_is_one_clear_error_before_any_request(fresh_server: LocalServer) -> None:
    fresh_server.reset_requests()
    with pytest.raises(UnsupportedModelError) as caught:
        _compare(fresh_server, models=["gpt-5", "gpt-4o", "llama"])
    message = str(caught.value)
    assert "'gpt-4o', 'llama'" in message and all(m in message for m in SUPPORTED_MODELS)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, ChatRoutesError)
    assert caught.value.unknown == ["gpt-4o", "llama"]
    assert fresh_server.requests == []


@pytest.mark.parametrize("models", [[], ["gpt-5", "gpt-5"], "gpt-5"])
def test_empty_duplicate_or_string_models_are_refused(models: list[str]) -> None:
    with pytest.raises(ValueError, match="models"):
        CompareModels(models=models, api_key="k", base_url="http://127.0.0.1:9/api/v1")


def test_messages_from_another_conversation_are_refused(fresh_server: LocalServer) -> None:
    chat = ChatChatRoutes(api_key=fresh_server.api_key, base_url=fresh_server.base_url)
    reply = chat.invoke("hi")
    compare = _compare(fresh_server, conversation_id="conv_other")
    fresh_server.reset_requests()
    with pytest.raises(ValueError, match="conv_other"):
        compare.invoke(["hi", reply, "next"])
    assert fresh_server.requests == []
