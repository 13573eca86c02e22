"""Client options: key and base URL resolution, insecure http, repr, with_options, close, paths, parity."""

from __future__ import annotations

import inspect
import logging
from typing import Any

import httpx
import pytest
from _core_mock import BASE, KEY, Recorder, async_client, ok, sync_client
from hypothesis import given
from hypothesis import strategies as st

from chatroutes_core import (
    DEFAULT_BASE_URL,
    NOT_GIVEN,
    AsyncChatRoutesClient,
    ChatRoutesClient,
    ConfigurationError,
    UsageError,
)
from chatroutes_core._http.pool import shared_ssl_context
from chatroutes_core.resources import (
    AsyncAutoBranch,
    AsyncBranches,
    AsyncCheckpoints,
    AsyncConversations,
    AsyncMessages,
    AutoBranch,
    Branches,
    Checkpoints,
    Conversations,
    Messages,
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHATROUTES_API_KEY", raising=False)
    monkeypatch.delenv("CHATROUTES_BASE_URL", raising=False)


def test_key_and_base_url_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATROUTES_API_KEY", KEY)
    monkeypatch.setenv("CHATROUTES_BASE_URL", "https://eu.example.test/api/v1/")
    recorder = Recorder(ok({"conversation": {"id": "c1"}}))
    client = ChatRoutesClient(http_client=httpx.Client(transport=httpx.MockTransport(recorder)))
    client.conversations.get("c1")
    assert str(recorder.last.url) == "https://eu.example.test/api/v1/conversations/c1"
    assert recorder.last.headers["authorization"] == f"ApiKey {KEY}"


def test_default_base_url() -> None:
    assert ChatRoutesClient(KEY).base_url == DEFAULT_BASE_URL == "https://api.chatroutes.com/api/v1"


def test_a_missing_key_fails_at_the_first_call_not_at_construction() -> None:
    recorder = Recorder()
    client = ChatRoutesClient(http_client=httpx.Client(transport=httpx.MockTransport(recorder)))
    with pytest.raises(ConfigurationError, match="CHATROUTES_API_KEY"):
        client.conversations.list()
    with pytest.raises(ConfigurationError):
        client.messages.stream("c1", content="hi")
    assert recorder.requests == []


async def test_async_missing_key_fails_at_the_first_call() -> None:
    recorder = Recorder()
    client = AsyncChatRoutesClient(http_client=httpx.AsyncClient(transport=httpx.MockTransport(recorder)))
    with pytest.raises(ConfigurationError):
        await client.autobranch.health()
    assert recorder.requests == []


@pytest.mark.parametrize("url", ["http://api.chatroutes.com/api/v1", "http://10.0.0.5:8000/api/v1"])
def test_plain_http_to_a_remote_host_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="allow_insecure_http"):
        ChatRoutesClient(KEY, url)
    with pytest.raises(ConfigurationError):
        AsyncChatRoutesClient(KEY, url)
    assert ChatRoutesClient(KEY, url, allow_insecure_http=True).base_url == url


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8123/api/v1", "http://localhost:9/api/v1", "http://[::1]:80/api/v1"]
)
def test_plain_http_to_loopback_is_fine(url: str) -> None:
    assert ChatRoutesClient(KEY, url).base_url == url


@pytest.mark.parametrize("url", ["ftp://x/api", "not a url", "https://"])
def test_malformed_base_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError):
        ChatRoutesClient(KEY, url)


@pytest.mark.parametrize("bad", [-1, 1.5, True])
def test_max_retries_must_be_a_non_negative_int(bad: Any) -> None:
    with pytest.raises(ConfigurationError):
        ChatRoutesClient(KEY, max_retries=bad)


def test_repr_masks_the_key_and_vars_hold_no_plain_key() -> None:
    client = ChatRoutesClient(KEY)
    for text in (
        repr(client),
        str(client),
        repr(client.messages),
        repr(client._transport),
        repr(vars(client)),
    ):
        assert KEY not in text and KEY[-16:] not in text
    assert "api_key='cr_****'" in repr(client)
    assert client.api_key == KEY  # still usable on purpose, like the official SDK's property


def test_with_options_copies_and_shares_the_pool() -> None:
    recorder = Recorder(httpx.Response(503, json={"error": "down"}))
    client = sync_client(recorder)
    copy = client.with_options(max_retries=0, timeout=5.0)
    assert copy is not client and copy._http is client._http
    assert client.max_retries == 2 and copy.max_retries == 0 and copy.timeout == 5.0
    assert copy.api_key == KEY and copy.base_url == BASE
    with pytest.raises(Exception, match="503"):
        copy.conversations.get("c1")
    assert len(recorder.requests) == 1
    copy.close()  # a copy never closes the shared pool
    assert not client._http.is_closed and not client.is_closed
    client.close()


def test_with_options_refuses_an_unknown_option_and_keeps_what_is_not_named() -> None:
    client = sync_client(Recorder(httpx.Response(200, json={})))
    with pytest.raises(TypeError, match="max_retry"):
        client.with_options(max_retry=0)  # type: ignore[call-arg]
    copy = client.with_options(retry_sends=True)
    assert copy.retry_sends and not client.retry_sends
    assert (copy.max_retries, copy.timeout, copy.parent_check) == (
        client.max_retries,
        client.timeout,
        client.parent_check,
    )


async def test_async_with_options_and_close() -> None:
    client = async_client(Recorder())
    copy = client.with_options(api_key="cr_other_key_0000000000")
    assert copy._http is client._http and copy.api_key == "cr_other_key_0000000000"
    await copy.close()
    assert not client._http.is_closed


def test_construction_makes_no_pool_and_with_options_copies_make_none_either() -> None:
    client = ChatRoutesClient(KEY)
    copy = client.with_options(max_retries=0)
    aclient = AsyncChatRoutesClient(KEY).with_options(timeout=3.0)
    assert client._lazy.made is None and copy._lazy is client._lazy and aclient._lazy.made is None
    client.close()  # closing a client that never sent anything makes nothing to close
    assert client.is_closed and client._lazy.made is None


def test_the_pool_is_made_on_first_use_with_the_shared_ssl_context() -> None:
    first, second = ChatRoutesClient(KEY)._http, ChatRoutesClient(KEY)._http
    assert first is not second
    for http in (first, second):
        assert http._transport._pool._ssl_context is shared_ssl_context()  # type: ignore[attr-defined]
        http.close()


def test_a_closed_client_refuses_new_calls_with_a_usage_error() -> None:
    owned = ChatRoutesClient(KEY)
    with owned:
        http = owned._http
    assert owned.is_closed and http.is_closed
    with pytest.raises(UsageError, match="closed"):
        owned.conversations.list()


def test_a_given_http_client_is_used_as_is_and_never_closed() -> None:
    recorder = Recorder(ok({"conversation": {"id": "c1"}}))
    passed = httpx.Client(transport=httpx.MockTransport(recorder))
    client = ChatRoutesClient(KEY, BASE, http_client=passed)
    copy = client.with_options(max_retries=0)
    copy.conversations.get("c1")
    assert client._http is passed and len(recorder.requests) == 1
    copy.close()
    client.close()
    assert not passed.is_closed
    passed.close()


async def test_async_context_manager_closes_an_owned_pool() -> None:
    async with AsyncChatRoutesClient(KEY) as client:
        http = client._http
    assert http.is_closed and client.is_closed


# --- learned server capability: parentMessageId ------------------------------------------------------------


def _parent_check_reply(header: str | None, status: int = 200) -> httpx.Response:
    headers = {"ChatRoutes-Parent-Check": header} if header is not None else {}
    body = {"success": True, "data": {"conversation": {"id": "c1"}}}
    return httpx.Response(status, json=body, headers=headers)


def test_parent_check_is_unknown_until_a_response_then_learned_and_shared_by_copies() -> None:
    client = sync_client(Recorder(_parent_check_reply("enforced")))
    copy = client.with_options(max_retries=0)
    assert client.enforces_parent_check is None and copy.enforces_parent_check is None
    client.conversations.get("c1")
    assert client.enforces_parent_check is True and copy.enforces_parent_check is True
    other_server = client.with_options(base_url="https://other.example.test/api/v1")
    assert other_server.enforces_parent_check is None  # another base URL is another server


def test_a_2xx_without_the_header_means_not_enforced_but_an_error_page_says_nothing() -> None:
    recorder = Recorder(httpx.Response(400, text="<html>proxy</html>"), _parent_check_reply(None))
    client = sync_client(recorder)
    with pytest.raises(Exception, match="400"):
        client.conversations.get("c1")
    assert client.enforces_parent_check is None
    client.conversations.get("c1")
    assert client.enforces_parent_check is False


def test_a_learned_enforcement_survives_a_later_response_without_the_header() -> None:
    client = sync_client(Recorder(_parent_check_reply("enforced"), _parent_check_reply(None)))
    client.conversations.get("c1")
    client.conversations.get("c1")
    assert client.enforces_parent_check is True


async def test_async_client_learns_it_too() -> None:
    client = async_client(Recorder(_parent_check_reply("Enforced")))
    await client.conversations.get("c1")
    assert client.enforces_parent_check is True


@pytest.mark.parametrize(("forced", "expected"), [("enforced", True), ("off", False)])
def test_parent_check_can_be_forced(forced: Any, expected: bool) -> None:
    reply = _parent_check_reply("enforced" if not expected else None)  # the server says the opposite
    client = sync_client(Recorder(reply), parent_check=forced)
    assert client.enforces_parent_check is expected
    client.conversations.get("c1")
    assert client.enforces_parent_check is expected


def test_a_bad_parent_check_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="parent_check"):
        ChatRoutesClient(KEY, parent_check="sometimes")  # type: ignore[arg-type]


# --- path encoding -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("conversation_id", "encoded"), [("c%1", "c%251"), ("é", "%C3%A9"), ("conv_1.2", "conv_1.2")]
)
def test_ids_are_one_opaque_path_segment(conversation_id: str, encoded: str) -> None:
    recorder = Recorder(ok({"messages": []}), ok({"branch": {"id": "x"}}))
    with sync_client(recorder) as client:
        client.branches.get_messages(conversation_id, conversation_id)
        client.branches.merge(conversation_id, "b")
    first, second = recorder.requests
    assert first.url.raw_path.decode() == f"/api/v1/conversations/{encoded}/branches/{encoded}/messages"
    assert second.url.raw_path.decode() == f"/api/v1/conversations/{encoded}/branches/b/merge"
    assert first.url.query == b"" and first.url.fragment == ""


@pytest.mark.parametrize("bad_id", ["../admin", "a/b?x#y", "..", ".", "c 1", "c\n1", "x#", "q?"])
async def test_an_id_that_could_change_the_route_is_refused_before_any_request(bad_id: str) -> None:
    recorder = Recorder()
    with sync_client(recorder) as client, pytest.raises(UsageError, match="conversation_id"):
        client.messages.send(bad_id, content="hi")
    async with async_client(recorder) as aclient:
        with pytest.raises(UsageError, match="branch_id"):
            await aclient.branches.get_messages("c1", bad_id)
    assert recorder.requests == []


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.conversations.get(""),
        lambda c: c.messages.send("", content="x"),
        lambda c: c.messages.update("", content="x"),
        lambda c: c.branches.update("c1", "", title="x"),
        lambda c: c.checkpoints.recreate(""),
        lambda c: c.messages.send("c1"),  # no content
        lambda c: c.branches.fork("c1", title="no fork point"),
        lambda c: c.checkpoints.create("c1", branch_id="b1"),  # no anchor
        lambda c: c.autobranch.suggest_branches(),  # no text
        lambda c: c.conversations.get(None),
        lambda c: c.messages.send("c1", ["not", "a", "dict"]),
        lambda c: c.messages.list("c1", idempotency_key="k"),
        lambda c: c.messages.list("c1", extra_body={"x": 1}),  # a GET carries no body
        lambda c: c.conversations.delete("c1", extra_body={"x": 1}),
        lambda c: c.messages.send("c1", content="hi", extra_body=["not a dict"]),
        lambda c: c.messages.send("c1", content="hi", max_token=5),  # misspelt: not sent as a field
        lambda c: c.messages.stream("c1", content="hi", branchId="b1"),
    ],
)
def test_bad_arguments_fail_before_any_request(call: Any) -> None:
    recorder = Recorder()
    with sync_client(recorder) as client, pytest.raises((UsageError, TypeError)):
        call(client)
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.autobranch.suggest_branches(text="   "), "text must not be empty"),
        (lambda c: c.autobranch.analyze_text(""), "text must not be empty"),
        (lambda c: c.autobranch.suggest_branches(), "missing required argument 'text'"),
        (
            lambda c: c.checkpoints.create("c1", branch_id="", anchor_message_id="m1"),
            "branchId must not be empty",
        ),
        (lambda c: c.branches.fork("c1", fork_point_message_id=" "), "forkPointMessageId must not be empty"),
        (lambda c: c.branches.send_message("c1", "b1", content=""), "content must not be empty"),
        (lambda c: c.branches.fork("c1", {"forkPointMessageId": 7}), "forkPointMessageId must be a string"),
    ],
)
def test_an_empty_or_blank_required_field_says_so_before_any_request(call: Any, message: str) -> None:
    recorder = Recorder()
    with sync_client(recorder) as client, pytest.raises(UsageError, match=message):
        call(client)
    assert recorder.requests == []


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.messages.send("c1", content="hi", branch_id="a/b"),
        lambda c: c.messages.stream("c1", content="hi", parent_message_id="m?1"),
        lambda c: c.messages.send("c1", {"content": "hi", "branchId": "../b"}),
        lambda c: c.branches.fork("c1", fork_point_message_id="m#1"),
        lambda c: c.branches.create("c1", base_node_id="m 1"),
        lambda c: c.checkpoints.create("c1", branch_id="b/1", anchor_message_id="m1"),
        lambda c: c.checkpoints.create("c1", branch_id="b1", anchor_message_id=".."),
    ],
)
def test_an_id_in_the_body_is_checked_like_one_in_the_path(call: Any) -> None:
    recorder = Recorder()
    with sync_client(recorder) as client, pytest.raises(UsageError, match="Id"):
        call(client)
    assert recorder.requests == []


def test_a_misspelt_send_keyword_is_a_type_error_naming_it() -> None:
    with (
        sync_client(Recorder()) as client,
        pytest.raises(TypeError, match="send\\(\\) got an unexpected keyword argument 'max_token'"),
    ):
        client.messages.send("c1", content="hi", max_token=5)  # type: ignore[call-arg]


def test_a_send_body_has_the_same_bytes_whatever_order_the_keywords_come_in() -> None:
    reply = ok({"message": {"id": "m2", "role": "assistant", "content": "x"}})
    bodies = []
    for keywords in ({"content": "hi", "model": "m", "temperature": 0.5, "branch_id": "b1"},
                     {"branch_id": "b1", "temperature": 0.5, "model": "m", "content": "hi"}):  # fmt: skip
        recorder = Recorder(reply)
        with sync_client(recorder) as client:
            client.messages.send("c1", **keywords)
        bodies.append(recorder.last.content)
    assert bodies[0] == bodies[1] == b'{"content":"hi","model":"m","temperature":0.5,"branchId":"b1"}'


def test_send_and_stream_spell_out_their_keywords() -> None:
    # help() and IDEs see the keywords of SendOptions, then the three call options, all keyword-only
    keywords = ["content", "model", "temperature", "max_tokens", "branch_id", "parent_message_id",
                "idempotency_key", "timeout", "extra_headers", "extra_body"]  # fmt: skip
    for method in (Messages.send, AsyncMessages.send, Messages.stream, AsyncMessages.stream):
        parameters = inspect.signature(method).parameters
        assert [p for p in parameters if parameters[p].kind is inspect.Parameter.KEYWORD_ONLY] == keywords
        assert parameters["timeout"].default is NOT_GIVEN and parameters["content"].default is None


def test_usage_error_is_a_value_error() -> None:
    with sync_client(Recorder()) as client, pytest.raises(ValueError, match="conversation_id"):
        client.conversations.delete("")


@pytest.mark.parametrize("content", ["", "   ", "\n\t"])
@pytest.mark.parametrize(
    "call",
    [
        lambda c, text: c.messages.send("c1", content=text),
        lambda c, text: c.messages.send("c1", {"content": text}),
        lambda c, text: c.messages.stream("c1", content=text),
        lambda c, text: c.branches.send_message("c1", "b1", content=text),
        lambda c, text: c.messages.update("m1", text),
    ],
)
def test_empty_or_blank_content_is_a_usage_error_before_any_request(call: Any, content: str) -> None:
    recorder = Recorder()
    with sync_client(recorder) as client, pytest.raises(UsageError, match="content must not be empty"):
        call(client, content)
    assert recorder.requests == []


async def test_async_empty_content_is_a_usage_error_before_any_request() -> None:
    recorder = Recorder()
    client = async_client(recorder)
    with pytest.raises(UsageError, match="content must not be empty"):
        await client.messages.send("c1", content=" ")
    with pytest.raises(UsageError, match="content must not be empty"):
        client.messages.stream("c1", content="")
    assert recorder.requests == []


def test_no_log_record_ever_holds_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    recorder = Recorder(httpx.Response(401, json={"error": "Invalid API key"}))
    with sync_client(recorder) as client, pytest.raises(Exception, match="Invalid API key") as info:
        client.conversations.list()
    assert KEY not in str(info.value) and KEY not in repr(info.value)
    assert caplog.records
    for record in caplog.records:
        assert KEY not in record.getMessage() and KEY not in str(record.args)


# --- sync/async parity -------------------------------------------------------------------------------------

PAIRS = [
    (ChatRoutesClient, AsyncChatRoutesClient),
    (Conversations, AsyncConversations),
    (Messages, AsyncMessages),
    (Branches, AsyncBranches),
    (Checkpoints, AsyncCheckpoints),
    (AutoBranch, AsyncAutoBranch),
]
# Parameters whose types must differ between the twins (httpx client, sleep function, transport).
TWIN_TYPED = {"http_client", "sleep", "transport"}


def public_methods(cls: type) -> dict[str, Any]:
    return {
        name: member
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") and (inspect.isfunction(member) or isinstance(member, property))
    }


@pytest.mark.parametrize(("sync_cls", "async_cls"), PAIRS, ids=[p[0].__name__ for p in PAIRS])
def test_sync_and_async_twins_have_the_same_methods_and_signatures(sync_cls: type, async_cls: type) -> None:
    sync_methods, async_methods = public_methods(sync_cls), public_methods(async_cls)
    assert sorted(sync_methods) == sorted(async_methods)
    names = [*sync_methods, "__init__"]
    for name in names:
        sync_fn, async_fn = getattr(sync_cls, name), getattr(async_cls, name)
        if isinstance(sync_fn, property):
            continue
        sync_sig, async_sig = inspect.signature(sync_fn), inspect.signature(async_fn)
        assert list(sync_sig.parameters) == list(async_sig.parameters), name
        for param in sync_sig.parameters:
            s, a = sync_sig.parameters[param], async_sig.parameters[param]
            assert (s.kind, s.default) == (a.kind, a.default), (name, param)
            if param not in TWIN_TYPED:
                assert s.annotation == a.annotation, (name, param)


def test_resources_of_both_clients_are_the_twin_classes() -> None:
    sync, aclient = ChatRoutesClient(KEY), AsyncChatRoutesClient(KEY)
    for attr in ("conversations", "messages", "branches", "checkpoints", "autobranch"):
        assert type(getattr(aclient, attr)).__name__ == "Async" + type(getattr(sync, attr)).__name__


def test_async_methods_are_awaitable_except_the_stream_and_iterator() -> None:
    for _, async_cls in PAIRS[1:]:
        for name, member in public_methods(async_cls).items():
            if name == "stream":
                assert not inspect.iscoroutinefunction(
                    member
                )  # used as `async with client.messages.stream(...)`
            elif name == "iter_all":
                assert inspect.isasyncgenfunction(member)
            else:
                assert inspect.iscoroutinefunction(member), (async_cls.__name__, name)


@given(st.text(max_size=12) | st.text(alphabet="ab./?# _%\t\x00\u00e9\u2028", max_size=6))
def test_check_id_accepts_exactly_the_ids_that_cannot_change_a_route(value: str) -> None:
    from chatroutes_core._http.request import check_id

    acceptable = (
        bool(value.strip())
        and not any(ch.isspace() or not ch.isprintable() or ch in "/?#" for ch in value)
        and value not in (".", "..")
    )
    if acceptable:
        assert check_id(value, "id") == value
    else:
        with pytest.raises(UsageError):
            check_id(value, "id")
