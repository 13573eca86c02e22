"""Client input found bad before any request (issue 24 items 4 and 8, issue 23's missing-key message).

A key read from a file (``key\\n``) is stripped, not sent into a header that h11 refuses with the key in the
message; a key with an inner control character is a ``ConfigurationError`` that never shows it; a bad
``timeout`` is refused at construction and per call; a missing key says what to do, in the library's words
and in the command line's.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

import httpx
import pytest
from _core_mock import BASE, Recorder, ok, sync_client

from chatroutes_core import ChatRoutesClient, ClientProvider, ConfigurationError, UsageError
from chatroutes_core.cli import main
from chatroutes_core.testing import LocalServer

SECRET = "cr_local_sk_" + "q7Xv93LmZpR2sT8wKd"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHATROUTES_API_KEY", raising=False)
    monkeypatch.delenv("CHATROUTES_BASE_URL", raising=False)


# --- item 4: keys with whitespace or control characters -----------------------------------------------


@pytest.mark.parametrize("tail", ["\n", "\r\n", "\t", " ", "  \n"])
def test_surrounding_whitespace_is_stripped_and_the_clean_key_is_sent(tail: str) -> None:
    recorder = Recorder(lambda request: ok({"conversation": {"id": "conv_1"}}))
    http = httpx.Client(transport=httpx.MockTransport(recorder))
    client = ChatRoutesClient(api_key=" " + SECRET + tail, base_url=BASE, http_client=http)
    client.conversations.get("conv_1")
    assert client.api_key == SECRET
    assert recorder.requests[0].headers["Authorization"] == f"ApiKey {SECRET}"


def test_a_key_from_the_environment_is_stripped_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATROUTES_API_KEY", SECRET + "\r\n")
    assert ChatRoutesClient(base_url=BASE).api_key == SECRET


@pytest.mark.parametrize("inner", ["\n", "\r", "\t", "\x00", "\x1b", "\x7f", "\x85", "é"])
def test_an_inner_control_character_is_a_configuration_error_that_never_shows_the_key(inner: str) -> None:
    key = SECRET[:10] + inner + SECRET[10:]
    with pytest.raises(ConfigurationError) as info:
        ChatRoutesClient(api_key=key, base_url=BASE)
    text = "".join(traceback.format_exception(info.value))
    assert "position 10" in str(info.value)
    assert SECRET[:10] not in text and SECRET[10:] not in text


def test_an_inner_control_character_in_the_environment_key_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHATROUTES_API_KEY", SECRET[:5] + "\n" + SECRET[5:])
    with pytest.raises(ConfigurationError, match="CHATROUTES_API_KEY holds a control character"):
        ChatRoutesClient(base_url=BASE)


def test_the_provider_shares_one_client_for_a_key_and_the_same_key_read_from_a_file() -> None:
    provider = ClientProvider()
    assert provider.client(api_key=SECRET, base_url=BASE) is provider.client(
        api_key=SECRET + "\n", base_url=BASE
    )


@pytest.mark.parametrize("tail", ["\n", "\r\n", "\t"])
def test_a_key_read_from_a_file_works_and_leaks_nowhere_on_a_real_connection(
    local_server: LocalServer, tail: str, caplog: pytest.LogCaptureFixture
) -> None:
    # The old client put "ApiKey <key>\n" in a header: h11's LocalProtocolError showed the key in its
    # message (4 times in the traceback, 9 httpcore DEBUG lines) and it was reported as a connection error.
    caplog.set_level(logging.DEBUG)
    shown: list[str] = []
    with ChatRoutesClient(api_key=local_server.api_key + tail, base_url=local_server.base_url) as client:
        try:
            conv = client.conversations.create(title="from a key file")
            assert client.conversations.get(conv.id).id == conv.id
        except Exception as exc:
            shown.append("".join(traceback.format_exception(exc)))
            raise
        finally:
            shown.append(caplog.text)
            assert all(local_server.api_key not in text for text in shown)


# --- item 8: timeouts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad", ["x", -1, -0.5, float("nan"), float("inf"), True, [5], httpx.Timeout(5.0, read=-1.0)]
)
def test_a_bad_timeout_is_refused_at_construction(bad: Any) -> None:
    with pytest.raises(ConfigurationError, match="timeout"):
        ChatRoutesClient(api_key=SECRET, base_url=BASE, timeout=bad)
    with pytest.raises(ConfigurationError, match="timeout"):
        ChatRoutesClient(api_key=SECRET, base_url=BASE).with_options(timeout=bad)
    with pytest.raises(ConfigurationError, match="timeout"):
        ClientProvider().client(api_key=SECRET, base_url=BASE, timeout=bad)


@pytest.mark.parametrize("good", [0, 3, 2.5, None, httpx.Timeout(5.0), httpx.Timeout(None)])
def test_good_timeouts_are_kept(good: Any) -> None:
    assert ChatRoutesClient(api_key=SECRET, base_url=BASE, timeout=good).timeout == good


@pytest.mark.parametrize("bad", [-1, "x", float("nan")])
def test_a_bad_per_call_timeout_is_a_usage_error_before_any_request(bad: Any) -> None:
    recorder = Recorder(lambda request: ok({"conversation": {"id": "conv_1"}}))
    client = sync_client(recorder)
    with pytest.raises(UsageError, match="timeout must be a number of seconds"):
        client.conversations.get("conv_1", timeout=bad)
    with pytest.raises(UsageError, match="timeout must be a number of seconds"):
        client.messages.send("conv_1", content="hi", timeout=bad)
    assert recorder.requests == []


# --- issue 23: no key, no server --------------------------------------------------------------------------


def test_a_missing_key_says_what_to_pass_and_how_to_run_without_an_account() -> None:
    client = ChatRoutesClient(base_url=BASE)
    with pytest.raises(ConfigurationError) as info:
        client.conversations.list()
    message = str(info.value)
    assert "api_key=..." in message and "CHATROUTES_API_KEY" in message
    assert "chatroutes serve" in message


def test_the_cli_says_api_key_flag_and_chatroutes_serve(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["tree", "conv_1", "--base-url", "http://127.0.0.1:9/api/v1", "--no-color"])
    err = capsys.readouterr().err
    assert code == 1
    assert "--api-key KEY" in err and "api_key=..." not in err
    assert "chatroutes serve" in err and "CHATROUTES_API_KEY" in err
