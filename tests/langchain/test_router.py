"""AutoBranchRouter: input parsing, choosing routes, passthrough, fan-out, branches, tracing, concurrency.

Offline tests use the local detector and fake runnables; the rest run against a LocalServer with both
detectors ("local" and "api") and ChatChatRoutes routes.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable, RunnableLambda

from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient
from chatroutes_core._routing import RoutePart
from chatroutes_core.autobranch import detect
from chatroutes_core.testing import LocalServer
from langchain_chatroutes.chat_models import ChatChatRoutes
from langchain_chatroutes.router import (
    SUGGESTIONS_EVENT,
    AutoBranchRouter,
    NoRouteError,
    RouteError,
    RouterRequest,
    parse_router_input,
)

MULTI = "I need help with billing and also have a technical question about the API"
BILLING_ONLY = "My invoice is wrong, I was charged twice"
NOTHING = "What is the weather like in Lisbon?"
BILLING = "invoices, payments, refunds and charges"
TECH = "technical questions about the API, the SDK and errors"


def echo(tag: str) -> Runnable[Any, Any]:
    """A route that returns what it received, labelled."""
    return RunnableLambda(lambda x: {"route": tag, "got": x}, name=f"echo_{tag}")


def offline_router(**kwargs: Any) -> AutoBranchRouter:
    routes = {"billing": (echo("billing"), BILLING), "tech": (echo("tech"), TECH)}
    return AutoBranchRouter(routes, **{"detector": "local", **kwargs})


# ------------------------------------------------------------------------------------ input parsing


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("hello there", "hello there"),
        ([SystemMessage("be brief"), HumanMessage("one"), AIMessage("ok"), HumanMessage("two")], "two"),
        ([("system", "x"), ("human", "from a tuple")], "from a tuple"),
        ([{"role": "user", "content": [{"type": "text", "text": "in"}, {"type": "text", "text": "blocks"}]}],
         "in blocks"),
        (ChatPromptTemplate.from_messages([("human", "{q}")]).invoke({"q": "a prompt"}), "a prompt"),
    ],
)  # fmt: skip
def test_parse_reads_text_from_strings_and_messages(value: Any, text: str) -> None:
    request = parse_router_input(value)
    assert request.text == text
    assert request.route_input is value
    assert request.binding == (None, None)


def test_parse_reads_ids_from_the_dict_then_the_config() -> None:
    config: Any = {
        "configurable": {"chatroutes_conversation_id": "conv_cfg", "chatroutes_branch_id": "br_cfg"}
    }
    assert parse_router_input({"input": "hi", "conversation_id": "conv_1"}, config) == RouterRequest(
        "hi", "hi", "conv_1", "br_cfg"
    )
    assert parse_router_input("hi", config).binding == ("conv_cfg", "br_cfg")


def test_parse_takes_the_conversation_from_the_last_chatroutes_reply() -> None:
    ref = {"conversation_id": "conv_1", "branch_id": "br_1", "message_id": "msg_9"}
    history = [
        HumanMessage("hi"),
        AIMessage("hello", response_metadata={"chatroutes": ref}),
        HumanMessage("q"),
    ]
    assert parse_router_input(history) == RouterRequest("q", history, "conv_1", "br_1", "msg_9")
    # Explicit ids win for the branch; an anchor from another conversation is ignored.
    assert parse_router_input(
        {"input": history, "conversation_id": "conv_1", "branch_id": "br_2"}
    ).binding == (
        "conv_1",
        "br_2",
    )
    other = parse_router_input({"input": history, "conversation_id": "conv_other"})
    assert other.anchor_message_id is None and other.binding == ("conv_other", None)


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        ("   ", ValueError, "non-empty"),
        ({"text": "hi"}, ValueError, "'input' key"),
        ({"input": "hi", "branch_id": "br_1"}, ValueError, "needs its conversation_id"),
        ({"input": "hi", "conversation_id": 7}, ValueError, "conversation_id must be"),
        ([AIMessage("only an AI message")], ValueError, "no human message"),
        (42, TypeError, "must be a string"),
        ([3.5], TypeError, "unsupported message"),
    ],
)
def test_parse_rejects_bad_input_clearly(value: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        parse_router_input(value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"routes": {}}, "non-empty mapping"),
        ({"routes": {"a": 42}}, "not a runnable"),
        ({"routes": {"a": (echo("a"), 3)}}, "description must be a string"),
        ({"routes": {"a": echo("a")}, "default": "b"}, "default route 'b'"),
        ({"routes": {"default": echo("a")}, "default": echo("d")}, "to be free"),
        ({"routes": {"a": echo("a")}, "detector": "magic"}, "detector must be"),
        ({"routes": {"a": echo("a")}, "threshold": 2}, "threshold"),
        ({"routes": {"a": echo("a")}, "max_routes": 0}, "max_routes"),
        ({"routes": {"a": echo("a")}, "classifier": "nope"}, "classifier"),
    ],
)
def test_constructor_validates(kwargs: dict[str, Any], message: str) -> None:
    routes = kwargs.pop("routes")
    with pytest.raises(ValueError, match=message):
        AutoBranchRouter(routes, **kwargs)


def test_bad_input_fails_before_any_network_call() -> None:
    # detector="api" with no client and no key: the input error comes first (sockets are blocked here).
    router = AutoBranchRouter({"a": echo("a")})
    with pytest.raises(ValueError, match="non-empty"):
        router.invoke("")


# ------------------------------------------------------------------------------- choosing (offline)


def test_single_route_gets_the_input_unchanged() -> None:
    messages = [HumanMessage(BILLING_ONLY)]
    assert offline_router().invoke(messages) == {"route": "billing", "got": messages}
    assert offline_router().invoke({"input": BILLING_ONLY}) == {"route": "billing", "got": BILLING_ONLY}


def test_several_routes_each_get_their_part() -> None:
    result = offline_router().invoke(MULTI)
    assert set(result) == {"billing", "tech"}
    billing, tech = result["billing"]["got"], result["tech"]["got"]
    assert billing["input"] == "I need help with billing"
    assert tech["input"] == "have a technical question about the API"
    assert billing["original"] == tech["original"] == MULTI
    # One suggestion per intent: each route sees its own (title, span, trigger text).
    assert billing["suggestion"]["options"] == [billing["suggestion"]["triggerText"]] == [billing["input"]]
    assert tech["suggestion"]["options"] == [tech["suggestion"]["triggerText"]] == [tech["input"]]
    assert (billing["suggestion"]["title"], tech["suggestion"]["title"]) == (
        "Billing help",
        "Technical question about the API",
    )


async def test_async_matches_sync() -> None:
    router = offline_router()
    assert await router.ainvoke(MULTI) == router.invoke(MULTI)
    assert await router.ainvoke(BILLING_ONLY) == router.invoke(BILLING_ONLY)


def test_no_match_without_default_is_a_clear_error() -> None:
    with pytest.raises(NoRouteError, match=r"no route matches .*Lisbon.*routes: \['billing', 'tech'\]"):
        offline_router().invoke(NOTHING)


def test_default_route_by_name_or_runnable() -> None:
    assert offline_router(default="tech").invoke(NOTHING) == {"route": "tech", "got": NOTHING}
    assert offline_router(default=echo("fallback")).invoke(NOTHING) == {"route": "fallback", "got": NOTHING}


def test_unmatched_part_goes_to_default_in_a_fan_out() -> None:
    text = "I need help with billing and also want to know the weather in Lisbon"
    result = offline_router(default=echo("fallback")).invoke(text)
    assert result["default"]["got"]["input"] == "want to know the weather in Lisbon"
    assert result["billing"]["got"]["input"] == "I need help with billing"


def test_threshold_ignores_weak_suggestions() -> None:
    text = "I usually pay by invoice or bank transfer"  # a statement: the alternative scores 0.6
    assert detect(text, threshold=0.5)
    routes = {"invoice": (echo("invoice"), "invoice"), "transfer": (echo("transfer"), "bank transfer")}
    # Above the threshold only the whole text is routed: one route, input unchanged.
    assert AutoBranchRouter(routes, detector="local").invoke(text)["got"] == text
    assert set(AutoBranchRouter(routes, detector="local", threshold=0.5).invoke(text)) == {
        "invoice",
        "transfer",
    }


def test_max_routes_keeps_the_best() -> None:
    result = offline_router(max_routes=1).invoke(MULTI)
    assert result["route"] in {"billing", "tech"}  # one route: passthrough of the original input
    assert result["got"] == MULTI


def test_custom_classifier_replaces_the_scoring() -> None:
    calls: list[str] = []

    def classify(part: RoutePart, routes: dict[str, str]) -> str | None:
        calls.append(part.text)
        return "tech" if "weather" in part.text else None

    assert offline_router(classifier=classify).invoke(NOTHING) == {"route": "tech", "got": NOTHING}
    assert calls == [NOTHING]
    with pytest.raises(NoRouteError):
        offline_router(classifier=classify).invoke(BILLING_ONLY)


def test_callable_detectors_sync_and_async() -> None:
    def det(text: str) -> list[dict[str, Any]]:
        return [{"id": "x", "title": "t", "triggerText": text, "branchPoint": {"start": 0, "end": len(text)},
                 "confidence": 0.9, "options": ["my invoice", "the API SDK"]}]  # fmt: skip

    result = offline_router(detector=det).invoke("anything")
    assert {k: v["got"]["input"] for k, v in result.items()} == {
        "billing": "my invoice",
        "tech": "the API SDK",
    }

    async def adet(text: str) -> list[Any]:
        return detect(MULTI)

    assert set(asyncio.run(offline_router(detector=adet).ainvoke("ignored"))) == {"billing", "tech"}
    with pytest.raises(TypeError, match="ainvoke"):
        offline_router(detector=adet).invoke("ignored")


def test_a_failing_route_is_named_or_kept_with_return_exceptions() -> None:
    def boom(_: Any) -> Any:
        raise KeyError("broken")

    routes = {"billing": (RunnableLambda(boom), BILLING), "tech": (echo("tech"), TECH)}
    with pytest.raises(RouteError, match="route 'billing' failed: KeyError") as info:
        AutoBranchRouter(routes, detector="local").invoke(MULTI)
    assert info.value.route == "billing" and isinstance(info.value.__cause__, KeyError)
    kept = AutoBranchRouter(routes, detector="local", return_exceptions=True).invoke(MULTI)
    assert isinstance(kept["billing"], KeyError) and kept["tech"]["route"] == "tech"
    akept = asyncio.run(AutoBranchRouter(routes, detector="local", return_exceptions=True).ainvoke(MULTI))
    assert isinstance(akept["billing"], KeyError) and akept["tech"]["route"] == "tech"
    with pytest.raises(RouteError, match="route 'billing'"):
        AutoBranchRouter(routes, detector="local").invoke("my invoice is wrong")


def fake_model(text: str) -> Runnable[Any, Any]:
    """A streaming fake chat model behind a prompt, so it takes a string or the fan-out dict."""
    prompt = ChatPromptTemplate.from_messages([("human", "{input}")])
    return prompt | GenericFakeChatModel(messages=iter([AIMessage(text)] * 10))


def test_single_route_streams_chunks_as_they_come() -> None:
    routes = {"billing": (fake_model("one two three"), BILLING), "tech": (fake_model("x"), TECH)}
    router = AutoBranchRouter(routes, detector="local")
    chunks = list(router.stream(BILLING_ONLY))
    assert len(chunks) >= 3 and all(isinstance(c, AIMessageChunk) for c in chunks)
    assert "".join(str(c.content) for c in chunks) == "one two three"


async def test_single_route_astreams_chunks_and_fan_out_yields_one_dict() -> None:
    routes = {"billing": (fake_model("one two three"), BILLING), "tech": (fake_model("x y"), TECH)}
    router = AutoBranchRouter(routes, detector="local")
    chunks = [c async for c in router.astream(BILLING_ONLY)]
    assert [c.content for c in chunks][:3] == ["one", " ", "two"]
    [whole] = [c async for c in router.astream(MULTI)]
    assert {k: v.content for k, v in whole.items()} == {"billing": "one two three", "tech": "x y"}


def test_max_concurrency_is_honoured() -> None:
    active = 0
    peak = 0
    lock = threading.Lock()

    def slow(tag: str) -> Runnable[Any, Any]:
        def run(x: Any) -> str:
            nonlocal active, peak
            with lock:
                active += 1
                peak = max(peak, active)
            time.sleep(0.05)
            with lock:
                active -= 1
            return tag

        return RunnableLambda(run)

    routes = {"billing": (slow("b"), BILLING), "tech": (slow("t"), TECH)}
    router = AutoBranchRouter(routes, detector="local")
    assert router.invoke(MULTI, {"max_concurrency": 1}) == {"billing": "b", "tech": "t"}
    assert peak == 1
    router.invoke(MULTI)
    assert peak == 2


# ------------------------------------------------------------------------------------------ tracing


async def test_tracing_one_router_run_tagged_children_custom_event_and_metadata() -> None:
    routes = {"billing": (fake_model("b"), BILLING), "tech": (fake_model("t"), TECH)}
    router = AutoBranchRouter(routes, detector="local")
    config: Any = {"tags": ["outer"], "metadata": {"user": "u1"}}
    events = [e async for e in router.astream_events(MULTI, config, version="v2")]

    starts = [e for e in events if e["event"] == "on_chain_start" and e["name"] == "AutoBranchRouter"]
    assert len(starts) == 1
    router_run = starts[0]["run_id"]
    assert starts[0]["metadata"]["autobranch_routes"] == ["billing", "tech"]
    assert starts[0]["metadata"]["autobranch_suggestions"][0]["kind"] == "multi_intent"

    [custom] = [e for e in events if e["event"] == "on_custom_event"]
    assert custom["name"] == SUGGESTIONS_EVENT
    assert custom["data"]["routes"] == {
        "billing": "I need help with billing",
        "tech": "have a technical question about the API",
    }
    assert custom["run_id"] == router_run  # dispatched inside the router run

    # The routes are the router's direct children, tagged route:<name>; tags and metadata reach every level.
    children = [e for e in events if e["event"] == "on_chain_start" and e["parent_ids"][-1:] == [router_run]]
    assert sorted(t for e in children for t in e["tags"] if t.startswith("route:")) == [
        "route:billing",
        "route:tech",
    ]
    model_starts = [e for e in events if e["event"] == "on_chat_model_start"]
    assert len(model_starts) == 2
    for e in [*children, *model_starts]:
        assert "outer" in e["tags"] and e["metadata"]["user"] == "u1"
        assert router_run in e["parent_ids"]
    [end] = [e for e in events if e["event"] == "on_chain_end" and e["run_id"] == router_run]
    assert set(end["data"]["output"]) == {"billing", "tech"}


# ------------------------------------------------------------------------------- against LocalServer


@pytest.fixture
def client(local_server: LocalServer) -> Iterator[ChatRoutesClient]:
    with ChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as c:
        yield c


def chat_routes(srv: LocalServer) -> dict[str, Any]:
    model = ChatChatRoutes(api_key=srv.api_key, base_url=srv.base_url)
    prompt = ChatPromptTemplate.from_messages([("human", "{input}")])
    return {"billing": (prompt | model, BILLING), "tech": (prompt | model, TECH)}


def server_router(srv: LocalServer, detector: str, client: Any = None, **kwargs: Any) -> AutoBranchRouter:
    client = client or ChatRoutesClient(api_key=srv.api_key, base_url=srv.base_url)
    return AutoBranchRouter(chat_routes(srv), detector=detector, client=client, **kwargs)


DETECTORS = ["local", "api"]


@pytest.mark.parametrize("detector", DETECTORS)
def test_server_single_intent_passthrough_and_streaming(
    local_server: LocalServer, client: ChatRoutesClient, detector: str
) -> None:
    router = server_router(local_server, detector, client)
    reply = router.invoke(BILLING_ONLY)
    assert isinstance(reply, AIMessage) and BILLING_ONLY in str(reply.content)
    chunks = list(router.stream(BILLING_ONLY))
    assert len(chunks) > 1 and all(isinstance(c, AIMessageChunk) for c in chunks)
    assert BILLING_ONLY in "".join(str(c.content) for c in chunks)


@pytest.mark.parametrize("detector", DETECTORS)
async def test_server_single_intent_astream(local_server: LocalServer, detector: str) -> None:
    async with AsyncChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as ac:
        router = server_router(local_server, detector, async_client=ac)
        chunks = [c async for c in router.astream(BILLING_ONLY)]
    assert len(chunks) > 1 and BILLING_ONLY in "".join(str(c.content) for c in chunks)


def _conversation(client: ChatRoutesClient) -> str:
    conv = client.conversations.create(title="router test", model="gpt-5")
    client.messages.send(conv.id, content="Hello, I am a customer.")
    return conv.id


def _check_branch_per_route(client: ChatRoutesClient, conv_id: str, result: dict[str, Any]) -> None:
    tree = client.conversations.get_tree(conv_id)
    by_title = {b.title or "": b for b in tree.iter_branches()}
    assert len(by_title) == 3  # main + one per route
    for name, reply in result.items():
        ref = reply.response_metadata["chatroutes"]
        assert ref["conversation_id"] == conv_id
        [branch] = [b for t, b in by_title.items() if t.startswith(f"route:{name} ")]
        assert ref["branch_id"] == branch.id and not branch.is_main
        history = client.branches.get_history(conv_id, branch.id)
        # Inherited: the greeting and its reply; then this route's own part and its answer.
        assert [m.content for m in history[:1]] == ["Hello, I am a customer."]
        assert history[2].content == {"billing": "I need help with billing",
                                      "tech": "have a technical question about the API"}[name]  # fmt: skip
        assert len(history) == 4


@pytest.mark.parametrize("detector", DETECTORS)
def test_server_fan_out_one_branch_per_route(
    local_server: LocalServer, client: ChatRoutesClient, detector: str
) -> None:
    conv_id = _conversation(client)
    result = server_router(local_server, detector, client).invoke(
        {"input": MULTI, "conversation_id": conv_id}
    )
    assert set(result) == {"billing", "tech"}
    _check_branch_per_route(client, conv_id, result)


@pytest.mark.parametrize("detector", DETECTORS)
async def test_server_async_fan_out_ids_from_config(
    local_server: LocalServer, client: ChatRoutesClient, detector: str
) -> None:
    conv_id = _conversation(client)
    async with AsyncChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as ac:
        router = server_router(local_server, detector, async_client=ac)
        result = await router.ainvoke(MULTI, {"configurable": {"chatroutes_conversation_id": conv_id}})
    _check_branch_per_route(client, conv_id, result)


def test_server_fan_out_forks_at_the_last_reply_of_a_message_list(
    local_server: LocalServer, client: ChatRoutesClient
) -> None:
    model = ChatChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)
    first = model.invoke("Hello, I am a customer.")
    conv_id = first.response_metadata["chatroutes"]["conversation_id"]
    local_server.reset_requests()
    result = server_router(local_server, "local", client).invoke(
        [HumanMessage("Hello, I am a customer."), first, HumanMessage(MULTI)]
    )
    assert not [r for r in local_server.requests if r[0] == "GET"]  # the reply's id is the fork point
    tree = client.conversations.get_tree(conv_id)
    assert len(list(tree.iter_branches())) == 3
    for reply in result.values():
        ref = reply.response_metadata["chatroutes"]
        assert ref["conversation_id"] == conv_id
        history = client.branches.get_history(conv_id, ref["branch_id"])
        assert history[1].id == first.response_metadata["chatroutes"]["message_id"]
        assert len(history) == 4


@pytest.mark.parametrize("detector", DETECTORS)
def test_server_single_route_writes_to_the_given_branch(
    local_server: LocalServer, client: ChatRoutesClient, detector: str
) -> None:
    conv_id = _conversation(client)
    reply = server_router(local_server, detector, client).invoke(
        {"input": BILLING_ONLY, "conversation_id": conv_id}
    )
    assert reply.response_metadata["chatroutes"]["conversation_id"] == conv_id
    assert len(client.branches.list(conv_id)) == 1  # no fork for a single intent


@pytest.mark.parametrize("detector", DETECTORS)
def test_server_default_and_no_match(
    local_server: LocalServer, client: ChatRoutesClient, detector: str
) -> None:
    with pytest.raises(NoRouteError, match="no route matches"):
        server_router(local_server, detector, client).invoke(NOTHING)
    reply = server_router(local_server, detector, client, default="tech").invoke(NOTHING)
    assert NOTHING in str(reply.content)


@pytest.mark.parametrize("detector", DETECTORS)
def test_server_custom_classifier(local_server: LocalServer, client: ChatRoutesClient, detector: str) -> None:
    def classify(part: RoutePart, routes: dict[str, str]) -> str:
        return "tech" if "API" in part.text else "billing"

    result = server_router(local_server, detector, client, classifier=classify).invoke(MULTI)
    assert set(result) == {"billing", "tech"}
    assert "I need help with billing" in str(result["billing"].content)


def test_api_detector_asks_the_server(local_server: LocalServer, client: ChatRoutesClient) -> None:
    local_server.reset_requests()
    server_router(local_server, "api", client).invoke(MULTI)
    assert ("POST", "/api/v1/autobranch/suggest-branches") in local_server.requests
    local_server.reset_requests()
    server_router(local_server, "local", client).invoke(MULTI)
    assert not any("autobranch" in path for _, path in local_server.requests)


@pytest.mark.parametrize("detector", DETECTORS)
async def test_server_tracing_through_astream_events(local_server: LocalServer, detector: str) -> None:
    async with AsyncChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as ac:
        router = server_router(local_server, detector, async_client=ac)
        events = [e async for e in router.astream_events(MULTI, version="v2")]
    [custom] = [e for e in events if e["event"] == "on_custom_event"]
    assert set(custom["data"]["routes"]) == {"billing", "tech"}
    [router_run] = {e["run_id"] for e in events if e["name"] == "AutoBranchRouter"}
    tags = {t for e in events if e["parent_ids"][-1:] == [router_run] for t in e["tags"]}
    assert {"route:billing", "route:tech"} <= tags
    assert len([e for e in events if e["event"] == "on_chat_model_end"]) == 2


def _timed_routes(srv: LocalServer, spans: dict[str, tuple[float, float]]) -> dict[str, Any]:
    """Three ChatChatRoutes routes that record when they ran."""
    model = ChatChatRoutes(api_key=srv.api_key, base_url=srv.base_url)

    def timed(name: str) -> Runnable[Any, Any]:
        async def run(x: dict[str, Any]) -> str:
            start = time.perf_counter()
            reply = await model.ainvoke(x["input"])
            spans[name] = (start, time.perf_counter())
            return str(reply.content)

        return RunnableLambda(run)

    return {
        "billing": (timed("billing"), BILLING),
        "tech": (timed("tech"), TECH),
        "sales": (timed("sales"), "pricing plans and upgrades"),
    }


async def test_fan_out_runs_routes_concurrently(fresh_server: LocalServer) -> None:
    text = f"{MULTI}. Also, what do pricing plans cost?"
    fresh_server.set_latency(0.3)
    spans: dict[str, tuple[float, float]] = {}
    router = AutoBranchRouter(_timed_routes(fresh_server, spans), detector="local")

    started = time.perf_counter()
    result = await router.ainvoke(text)
    fan_out = time.perf_counter() - started
    assert set(result) == {"billing", "tech", "sales"}
    assert max(s for s, _ in spans.values()) < min(e for _, e in spans.values())  # all ran at once
    route_sum = sum(e - s for s, e in spans.values())
    slowest = max(e - s for s, e in spans.values())
    assert fan_out < 0.6 * route_sum  # close to the slowest route, not the sum
    assert fan_out >= slowest

    spans.clear()
    await router.ainvoke(text, {"max_concurrency": 1})
    ordered = sorted(spans.values())
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(ordered))  # one after another


def test_api_key_stays_out_of_the_repr() -> None:
    client = ChatRoutesClient(api_key="sk-router-secret", base_url="https://api.chatroutes.com/api/v1")
    router = AutoBranchRouter({"a": echo("a")}, client=client)
    assert "sk-router-secret" not in repr(router)
    assert "sk-router-secret" not in str(router)
