"""ClientProvider: one shared client per options (and per event loop), never shared across keys."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref

import httpx
import pytest

from chatroutes_core import (
    AsyncChatRoutesClient,
    ChatRoutesClient,
    ClientProvider,
    UsageError,
    default_provider,
    shared_async_client,
    shared_client,
)

URL = "https://api.example.test/api/v1"
KEY_A = "cr_alice_sk_0123456789abcdef0123456789abcdef"
KEY_B = "cr_bob_sk_fedcba9876543210fedcba9876543210"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHATROUTES_API_KEY", raising=False)
    monkeypatch.delenv("CHATROUTES_BASE_URL", raising=False)


def test_same_options_give_the_same_client_and_no_pool_is_made() -> None:
    provider = ClientProvider()
    first = provider.client(api_key=KEY_A, base_url=URL, timeout=httpx.Timeout(30.0))
    assert isinstance(first, ChatRoutesClient)
    assert provider.client(api_key=KEY_A, base_url=URL + "/", timeout=httpx.Timeout(30.0)) is first
    assert first._lazy.made is None  # a lookup does no I/O


def test_the_environment_resolves_at_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = ClientProvider()
    monkeypatch.setenv("CHATROUTES_API_KEY", KEY_A)
    monkeypatch.setenv("CHATROUTES_BASE_URL", URL)
    from_env = provider.client()
    assert from_env is provider.client(api_key=KEY_A, base_url=URL)
    assert from_env.api_key == KEY_A and from_env.base_url == URL
    monkeypatch.setenv("CHATROUTES_API_KEY", KEY_B)
    assert provider.client() is not from_env and provider.client().api_key == KEY_B


def test_a_different_key_never_shares_a_client_or_a_pool() -> None:
    provider = ClientProvider()
    alice = provider.client(api_key=KEY_A, base_url=URL)
    bob = provider.client(api_key=KEY_B, base_url=URL)
    assert alice is not bob and alice._lazy is not bob._lazy
    assert (alice.api_key, bob.api_key) == (KEY_A, KEY_B)
    alice_http, bob_http = alice._http, bob._http
    assert alice_http is not bob_http  # separate pools, so separate cookie jars too
    provider.close()


@pytest.mark.parametrize(
    "change",
    [{"timeout": 5.0}, {"max_retries": 0}, {"retry_sends": True}, {"parent_check": "off"},
     {"base_url": "https://eu.example.test/api/v1"}],
)  # fmt: skip
def test_every_option_is_part_of_the_key(change: dict[str, object]) -> None:
    provider = ClientProvider()
    base = provider.client(api_key=KEY_A, base_url=URL)
    options: dict[str, object] = {"api_key": KEY_A, "base_url": URL, **change}
    other = provider.client(**options)  # type: ignore[arg-type]
    assert other is not base
    for name, value in change.items():
        assert getattr(other, name) == value


def test_an_unknown_option_is_refused_before_anything_is_made() -> None:
    provider = ClientProvider()
    with pytest.raises(TypeError, match="max_retry"):
        provider.client(api_key=KEY_A, base_url=URL, max_retry=0)  # type: ignore[call-arg]
    assert "sync_clients=0" in repr(provider)


def test_no_key_appears_in_the_provider_or_its_keys() -> None:
    provider = ClientProvider()
    client = provider.client(api_key=KEY_A, base_url=URL)
    from chatroutes_core._provider import _Wanted

    lookup = _Wanted.of({"api_key": KEY_A, "base_url": URL})
    texts = [repr(provider), str(list(provider._sync)), repr(client), repr(vars(provider)), repr(lookup)]
    for text in texts:
        assert KEY_A not in text and KEY_A[-16:] not in text


def test_shared_clients_share_one_server_info_per_base_url() -> None:
    provider = ClientProvider()
    alice = provider.client(api_key=KEY_A, base_url=URL)
    bob = provider.client(api_key=KEY_B, base_url=URL, max_retries=0)
    assert alice.server_info is bob.server_info is provider.server_info(URL)
    assert alice.enforces_parent_check is None
    alice.server_info.observe(httpx.Response(200, headers={"ChatRoutes-Parent-Check": "enforced"}))
    assert bob.enforces_parent_check is True
    elsewhere = provider.client(api_key=KEY_A, base_url="https://eu.example.test/api/v1")
    assert elsewhere.enforces_parent_check is None


def test_a_shared_client_is_not_closed_by_its_users_only_by_the_provider() -> None:
    provider = ClientProvider()
    client = provider.client(api_key=KEY_A, base_url=URL)
    http = client._http
    with client:
        pass
    client.close()
    assert not client.is_closed and not http.is_closed
    provider.close()
    assert client.is_closed and http.is_closed
    assert provider.client(api_key=KEY_A, base_url=URL) is not client  # forgotten: a fresh one next time


def test_the_provider_is_bounded_and_forgets_the_least_recently_used() -> None:
    provider = ClientProvider(max_clients=2)
    a = provider.client(api_key=KEY_A, base_url=URL)
    b = provider.client(api_key=KEY_B, base_url=URL)
    assert provider.client(api_key=KEY_A, base_url=URL) is a  # a is now the most recent
    provider.client(api_key=KEY_A, base_url=URL, max_retries=0)  # evicts b
    assert provider.client(api_key=KEY_A, base_url=URL) is a
    assert provider.client(api_key=KEY_B, base_url=URL) is not b


def test_threads_racing_for_one_key_get_one_client() -> None:
    provider = ClientProvider()
    barrier = threading.Barrier(12)
    got: list[ChatRoutesClient] = []

    def worker(index: int) -> None:
        barrier.wait()
        for _ in range(200):
            got.append(provider.client(api_key=KEY_A if index % 2 else KEY_B, base_url=URL))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 2400
    assert len({id(c) for c in got}) == 2
    assert {c.api_key for c in got} == {KEY_A, KEY_B}


# --- async: one client per event loop ----------------------------------------------------------------------


def test_async_clients_are_per_event_loop_and_closed_loops_are_forgotten() -> None:
    provider = ClientProvider()

    async def lookup() -> tuple[AsyncChatRoutesClient, AsyncChatRoutesClient, int]:
        same = provider.async_client(api_key=KEY_A, base_url=URL)
        again = provider.async_client(api_key=KEY_A, base_url=URL)
        assert provider.async_client(api_key=KEY_B, base_url=URL) is not same
        return same, again, len(provider._async)

    old_loop = asyncio.new_event_loop()  # kept alive on purpose: only closing it may free its clients
    first, again, loops = old_loop.run_until_complete(lookup())
    old_loop.close()
    assert first is again and loops == 1
    first_ref = weakref.ref(first)
    del first, again
    second, _, loops = asyncio.run(lookup())
    assert first_ref() is not second  # another loop, another client
    assert loops == 1  # the closed loop's clients were dropped when the new loop arrived
    gc.collect()
    assert first_ref() is None  # nothing keeps the closed loop's client alive
    assert old_loop.is_closed()


async def test_async_lookup_is_stable_within_a_loop_and_across_tasks() -> None:
    provider = ClientProvider()
    clients = await asyncio.gather(
        *(asyncio.to_thread(lambda: None) for _ in range(2)),  # other threads do not disturb the loop's map
        *(asyncio.sleep(0, provider.async_client(api_key=KEY_A, base_url=URL)) for _ in range(4)),
    )
    found = [c for c in clients if c is not None]
    assert len({id(c) for c in found}) == 1
    assert provider.async_client(api_key=KEY_A, base_url=URL) is found[0]
    await provider.aclose()
    assert found[0].is_closed


def test_async_lookup_outside_a_running_loop_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="running event loop"):
        ClientProvider().async_client(api_key=KEY_A, base_url=URL)


async def test_a_shared_async_client_is_not_closed_by_its_users() -> None:
    provider = ClientProvider()
    client = provider.async_client(api_key=KEY_A, base_url=URL)
    async with client:
        pass
    await client.close()
    assert not client.is_closed
    await provider.aclose()
    assert client.is_closed


async def test_the_module_level_helpers_use_the_default_provider() -> None:
    client = shared_client(api_key=KEY_A, base_url=URL)
    assert client is default_provider.client(api_key=KEY_A, base_url=URL)
    aclient = shared_async_client(api_key=KEY_A, base_url=URL)
    assert aclient is default_provider.async_client(api_key=KEY_A, base_url=URL)
    assert client.server_info is aclient.server_info
    default_provider.close()
    await default_provider.aclose()
