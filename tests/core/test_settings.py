"""``ClientSettings``: one way to turn a class's client fields into its sync and async client."""

from __future__ import annotations

import dataclasses
import timeit

import httpx
import pytest
from _core_mock import BASE, KEY, Recorder, async_client, sync_client

from chatroutes_core import ClientProvider, ClientSettings, ConfigurationError, UsageError, default_provider


def test_the_shared_client_honours_every_field() -> None:
    provider = ClientProvider()
    settings = ClientSettings(api_key=KEY, base_url=BASE, timeout=7.5, max_retries=0, provider=provider)
    client = settings.sync()
    assert (client.api_key, client.base_url, client.timeout, client.max_retries) == (KEY, BASE, 7.5, 0)
    assert client is provider.client(api_key=KEY, base_url=BASE, timeout=7.5, max_retries=0)
    assert settings.sync() is client  # one shared client per options, not one per call


def test_fields_left_out_keep_the_client_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATROUTES_API_KEY", KEY)
    monkeypatch.setenv("CHATROUTES_BASE_URL", BASE)
    settings = ClientSettings(provider=ClientProvider())
    assert settings.options() == {}
    client = settings.sync()
    assert (client.api_key, client.base_url, client.max_retries) == (KEY, BASE, 2)


def test_a_changed_field_or_a_copy_takes_effect_on_the_next_lookup() -> None:
    provider = ClientProvider()
    settings = ClientSettings(api_key=KEY, base_url=BASE, provider=provider)
    other = dataclasses.replace(settings, base_url="https://other.example.test/api/v1", max_retries=5)
    first, second = settings.sync(), other.sync()
    assert first is not second
    assert (second.base_url, second.max_retries) == ("https://other.example.test/api/v1", 5)


def test_a_given_client_is_returned_as_is() -> None:
    recorder = Recorder()
    with sync_client(recorder) as given:
        assert ClientSettings(api_key="ignored", client=given).sync() is given


async def test_the_async_client_is_the_shared_one_of_the_running_loop() -> None:
    provider = ClientProvider()
    settings = ClientSettings(api_key=KEY, base_url=BASE, timeout=3.0, max_retries=1, provider=provider)
    client = settings.async_()
    assert (client.api_key, client.base_url, client.timeout, client.max_retries) == (KEY, BASE, 3.0, 1)
    assert client is provider.async_client(api_key=KEY, base_url=BASE, timeout=3.0, max_retries=1)
    async with async_client(Recorder()) as given:
        assert ClientSettings(async_client=given).async_() is given
    await provider.aclose()


def test_the_async_client_needs_a_running_loop() -> None:
    with pytest.raises(UsageError, match="running event loop"):
        ClientSettings(api_key=KEY, base_url=BASE, provider=ClientProvider()).async_()


def test_the_default_provider_is_the_process_wide_one() -> None:
    settings = ClientSettings(api_key=KEY, base_url=BASE, max_retries=3)
    assert settings.sync() is default_provider.client(api_key=KEY, base_url=BASE, max_retries=3)


@pytest.mark.parametrize("bad", [-1, True, 1.5, "2"])
def test_bad_max_retries_is_refused_before_any_lookup(bad: object) -> None:
    with pytest.raises(ConfigurationError, match="max_retries"):
        ClientSettings(api_key=KEY, max_retries=bad)  # type: ignore[arg-type]


def test_the_key_never_shows_in_the_repr() -> None:
    settings = ClientSettings(api_key=KEY, base_url=BASE, timeout=httpx.Timeout(4.0))
    assert KEY not in repr(settings) and KEY not in str(settings)
    assert "api.example.test" in repr(settings)


def test_a_per_call_lookup_is_cheap() -> None:
    provider = ClientProvider()
    provider.client(api_key=KEY, base_url=BASE, timeout=30.0, max_retries=2)  # made once, outside the timing
    per_call = (
        min(
            timeit.repeat(
                lambda: ClientSettings(KEY, BASE, 30.0, 2, provider=provider).sync(), number=2000, repeat=3
            )
        )
        / 2000
    )
    assert per_call < 100e-6  # build + lookup: microseconds (a client costs ~20 us, httpx.Client ~20 ms)


async def test_matching_gives_the_other_mode_a_client_with_the_given_ones_options() -> None:
    provider = ClientProvider()
    with sync_client(Recorder(), timeout=None, max_retries=4) as given:
        settings = dataclasses.replace(ClientSettings.matching(given), provider=provider)
        assert settings.sync() is given
        other = settings.async_()
    assert (other.api_key, other.base_url, other.max_retries) == (KEY, BASE, 4)
    assert isinstance(other.timeout, httpx.Timeout) and other.timeout.read is None  # no timeout, kept
    async with async_client(Recorder(), max_retries=1) as agiven:
        back = dataclasses.replace(ClientSettings.matching(agiven), provider=provider)
        assert back.async_() is agiven and back.sync().max_retries == 1
    await provider.aclose()
