"""The API key never shows in the adapters: repr/str/model_dump/serialisation, DEBUG logs, or errors."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pytest
from pydantic import SecretStr

if TYPE_CHECKING:
    from chatroutes_core.testing import LocalServer

SECRET = "cr_test_sk_adapt0r5ecre7a1b2c3d4e5f6071829"
URL = "https://api.chatroutes.com/api/v1"


def exposed(key: str, *texts: object) -> list[str]:
    tail = key[-16:]
    return [str(t)[:200] for t in texts if key in str(t) or tail in str(t)]


def views(obj: Any) -> list[object]:
    """Every ordinary way an object gets printed, logged or serialised."""
    out: list[object] = [repr(obj), str(obj), f"{obj}"]
    for name in (
        "model_dump",
        "model_dump_json",
        "to_dict",
        "to_json",
        "_identifying_params",
    ):
        attr = getattr(obj, name, None)
        if attr is None:
            continue
        try:
            out.append(attr() if callable(attr) else attr)
        except (TypeError, NotImplementedError):  # not every framework helper takes no arguments
            continue
    return out


def test_chat_chatroutes_never_shows_the_key() -> None:
    from langchain_core.load import dumpd, dumps

    from langchain_chatroutes import ChatChatRoutes

    model = ChatChatRoutes(api_key=SecretStr(SECRET), base_url=URL, conversation_id="conv_1")
    texts = [*views(model), dumps(model), dumpd(model), model._get_ls_params(), model.model_dump(mode="json")]
    texts += [model.model_dump(), model.with_config(tags=["x"]), repr(model.bind(temperature=0.1))]
    assert exposed(SECRET, *texts) == []
    assert model.api_key is not None and model.api_key.get_secret_value() == SECRET  # the key is really there


def test_chat_chatroutes_from_the_environment_never_shows_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from langchain_chatroutes import ChatChatRoutes

    monkeypatch.setenv("CHATROUTES_API_KEY", SECRET)
    model = ChatChatRoutes(base_url=URL)
    assert exposed(SECRET, *views(model)) == []


def test_history_never_shows_the_key() -> None:
    from langchain_chatroutes import ChatRoutesChatMessageHistory

    history = ChatRoutesChatMessageHistory("conv_1", "br_1", api_key=SECRET, base_url=URL)
    assert exposed(SECRET, *views(history)) == []


def test_llama_index_llm_and_store_never_show_the_key() -> None:
    from llama_index_chatroutes import ChatRoutes, ChatRoutesChatStore

    llm = ChatRoutes(api_key=SECRET, base_url=URL, conversation_id="conv_1")
    store = ChatRoutesChatStore(api_key=SECRET, base_url=URL)
    texts = [
        *views(llm),
        *views(store),
        llm.metadata,
        llm.to_dict(),
        store.to_dict(),
        llm.model_dump(mode="json"),
    ]
    assert exposed(SECRET, *texts) == []


def test_adapter_calls_keep_the_key_out_of_debug_logs_and_errors(
    local_server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    from langchain_core.messages import HumanMessage
    from llama_index.core.llms import ChatMessage

    from chatroutes_core import AuthenticationError
    from langchain_chatroutes import ChatChatRoutes
    from llama_index_chatroutes import ChatRoutes

    caplog.set_level(logging.DEBUG)
    key, url = local_server.api_key, local_server.base_url
    lc = ChatChatRoutes(api_key=key, base_url=url)
    first = lc.invoke([HumanMessage("hello")])
    lc.invoke([HumanMessage("hello"), first, HumanMessage("again")])
    "".join(str(c.content) for c in lc.stream([HumanMessage("stream it")]))
    li = ChatRoutes(api_key=key, base_url=url)
    li.chat([ChatMessage(role="user", content="hi")])
    errors: list[BaseException] = []
    for call in (
        lambda: ChatChatRoutes(api_key=SECRET, base_url=url, max_retries=0).invoke("hi"),
        lambda: ChatRoutes(api_key=SECRET, base_url=url, max_retries=0).complete("hi"),
    ):
        with pytest.raises(AuthenticationError) as info:
            call()
        errors.append(info.value)
    assert caplog.records  # DEBUG traffic was captured
    logs = [(r.getMessage(), r.args, r.exc_text) for r in caplog.records]
    assert exposed(key, *logs) == [] and exposed(SECRET, *logs) == []
    assert exposed(SECRET, *[t for e in errors for t in (str(e), repr(e), e.args)]) == []
