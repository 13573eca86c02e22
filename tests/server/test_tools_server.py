"""The tool protocol on the local server: the offline stand-in end to end, streaming, scripted replies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from server_helpers import Api

from chatroutes_core.testing import LocalServer
from chatroutes_core.tools import (
    ToolCallChunk,
    ToolResult,
    ToolSpec,
    ToolStreamParser,
    collect_events,
    find_tools_declaration,
    parse_reply,
    parse_tool_results,
    render_tool_results,
    render_tools_system,
    tool_call_id,
)

CITY = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
TOOLS = [
    ToolSpec("get_weather", "Current weather in a city.", CITY),
    ToolSpec("get_time", "Local time.", CITY),
]
NAMES = {tool.name for tool in TOOLS}


def first_turn(question: str) -> str:
    return f"[system] You are a travel assistant.\n\n{render_tools_system(TOOLS)}\n\n{question}"


def stream_events(api: Api, conversation_id: str, content: str) -> list[dict[str, Any]]:
    path = f"/conversations/{conversation_id}/messages/stream"
    with api.http.stream("POST", path, json={"content": content}) as response:
        assert response.status_code == 200
        return [json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: {")]


def test_a_complete_exchange_reads_back_with_the_same_ids(api: Api) -> None:
    conv = api.conversation("agent")
    sent = api.send(conv["id"], first_turn("What is the weather in Paris and the time in Tokyo?"))
    message = sent["message"]
    reply = parse_reply(message["content"], message["id"], NAMES)
    assert reply.text == "" and reply.invalid_tool_calls == []
    assert [(c.id, c.name, c.arguments) for c in reply.tool_calls] == [
        (tool_call_id(message["id"], 0), "get_weather", {"city": "Paris"}),
        (tool_call_id(message["id"], 1), "get_time", {"city": "Tokyo"}),
    ]
    results = [
        ToolResult(reply.tool_calls[0].id, "get_weather", "Sunny, 21 °C"),
        ToolResult(reply.tool_calls[1].id, "get_time", "14:05"),
    ]
    final = api.send(conv["id"], render_tool_results(results))["message"]
    assert (
        final["content"]
        == "[gpt-5 · offline tools] get_weather returned: Sunny, 21 °C; get_time returned: 14:05"
    )

    history = api.history(conv["id"], api.main_branch(conv["id"])["id"])
    assert [m["role"] for m in history] == ["user", "assistant", "user", "assistant"]
    declaration = find_tools_declaration(history[0]["content"])
    assert declaration is not None and declaration.tools == tuple(TOOLS) and declaration.tool_choice == "auto"
    assert parse_reply(history[1]["content"], history[1]["id"], declaration.names) == reply
    assert parse_tool_results(history[2]["content"]) == results
    assert parse_reply(history[3]["content"], history[3]["id"]).tool_calls == []


def test_without_a_matching_request_the_echo_reply_stays(api: Api) -> None:
    conv = api.conversation()
    content = api.send(conv["id"], first_turn("Hello!"))["message"]["content"]
    assert (
        content
        == "[gpt-5 · offline echo] turn 1 on branch 'main', 0 prior messages in context. You said: Hello!"
    )
    again = api.send(conv["id"], "weather in Oslo")["message"]  # the declaration stays in force on the branch
    assert parse_reply(again["content"], again["id"], NAMES).tool_calls[0].arguments == {"city": "Oslo"}


def test_a_streamed_tool_call_parses_like_the_stored_reply(api: Api) -> None:
    conv = api.conversation()
    events = stream_events(api, conv["id"], first_turn("weather in Paris and the time in Rome"))
    parser = ToolStreamParser(NAMES)
    out = [e for ev in events if ev["type"] == "content" for e in parser.feed(ev["content"])]
    assert len([ev for ev in events if ev["type"] == "content"]) > 3  # really streamed in pieces
    assert out == []  # nothing but calls: no text, and the calls wait for the message id
    complete = events[-1]
    assert complete["type"] == "complete"
    out += parser.close(complete["message"]["id"])
    assert [e.name for e in out if isinstance(e, ToolCallChunk)] == ["get_weather", "get_time"]
    assert collect_events(out) == parse_reply(
        complete["message"]["content"], complete["message"]["id"], NAMES
    )


# --- scripted replies ------------------------------------------------------------------------------------


def test_scripted_replies_are_consumed_in_order_then_the_responder_answers(fresh_server: LocalServer) -> None:
    api = Api(fresh_server)
    conv, other = api.conversation(), api.conversation()
    call = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'
    assert fresh_server.script(conv["id"], call, "It is sunny in Paris.") == 2
    assert fresh_server.script(None, "for anyone") == 1
    first = api.send(conv["id"], "hi")["message"]
    assert first["content"] == call and first["metadata"]["responder"] == "scripted"
    assert api.send(other["id"], "hi")["message"]["content"] == "for anyone"  # the None queue
    events = stream_events(api, conv["id"], "and now?")
    assert "".join(e["content"] for e in events if e["type"] == "content") == "It is sunny in Paris."
    assert events[-1]["message"]["content"] == "It is sunny in Paris."
    echo = api.send(conv["id"], "next")["message"]
    assert "offline echo" in echo["content"] and echo["metadata"]["responder"] == "echo"
    assert fresh_server.count_messages(conv["id"]) == 6
    api.close()


def test_a_refused_send_consumes_no_scripted_reply(fresh_server: LocalServer) -> None:
    api = Api(fresh_server)
    conv = api.conversation()
    first = api.send(conv["id"], "hi")["message"]
    fresh_server.script(conv["id"], "scripted")
    stale = api.http.post(
        f"/conversations/{conv['id']}/messages", json={"content": "x", "parentMessageId": "msg_not_the_tip"}
    )
    assert stale.status_code == 409
    assert api.send(conv["id"], "y", parentMessageId=first["id"])["message"]["content"] == "scripted"
    fresh_server.script(None, "a", "b")
    fresh_server.clear_scripts()
    assert "offline echo" in api.send(conv["id"], "z")["message"]["content"]
    api.close()


def test_an_idempotent_replay_consumes_no_scripted_reply(fresh_server: LocalServer) -> None:
    api = Api(fresh_server)
    conv = api.conversation()
    fresh_server.script(conv["id"], "first", "second")
    path = f"/conversations/{conv['id']}/messages"
    for _ in range(2):
        r = api.http.post(path, json={"content": "hi"}, headers={"Idempotency-Key": "k-1"})
        assert r.status_code == 200 and r.json()["data"]["message"]["content"] == "first"
    assert api.send(conv["id"], "again")["message"]["content"] == "second"
    assert fresh_server.count_messages(conv["id"]) == 4
    api.close()


def test_scripted_replies_survive_a_restart() -> None:
    with LocalServer() as srv:
        api = Api(srv)
        conv = api.conversation()
        srv.script(conv["id"], "after restart")
        api.close()
        srv.stop()
        srv.start()
        api = Api(srv)
        assert api.send(conv["id"], "hi")["message"]["content"] == "after restart"
        api.close()


def test_the_script_knob_over_http() -> None:
    with LocalServer(test_knobs=True) as srv:
        api = Api(srv)
        conv = api.conversation()
        data = api.ok(
            "POST", "/_admin/script", json={"conversationId": conv["id"], "replies": ["one", "two"]}
        )
        assert data == {"pending": 2}
        assert api.ok("POST", "/_admin/script", json={"replies": ["any"]}) == {"pending": 1}
        assert api.send(conv["id"], "hi")["message"]["content"] == "one"
        stranger = Api(srv, api_key=srv.new_api_key())
        r = stranger.http.post("/_admin/script", json={"conversationId": conv["id"], "replies": ["x"]})
        assert r.status_code == 404  # another key's conversation
        assert stranger.http.post("/_admin/script", json={"replies": []}).status_code in (400, 422)
        assert api.ok("DELETE", "/_admin/script") is None
        assert "offline echo" in api.send(conv["id"], "hi")["message"]["content"]
        stranger.close()
        api.close()
    with LocalServer() as srv:
        api = Api(srv)
        assert api.http.post("/_admin/script", json={"replies": ["x"]}).status_code == 404
        api.close()


@pytest.mark.parametrize("reply", ["", "  spaced  ", "unicode 你好 🌍\nnew line"])
def test_scripted_text_is_stored_exactly(fresh_server: LocalServer, reply: str) -> None:
    api = Api(fresh_server)
    conv = api.conversation()
    fresh_server.script(conv["id"], reply)
    assert api.send(conv["id"], "hi")["message"]["content"] == reply
    api.close()
