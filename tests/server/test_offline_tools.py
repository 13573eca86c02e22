"""The offline responder's stand-in for a tool-calling model (pure rules, no server)."""

from __future__ import annotations

from typing import Any

import pytest

from chatroutes_core.server.context import ChatTurn
from chatroutes_core.server.offline_tools import ToolTurn, tool_turn
from chatroutes_core.server.responders import EchoResponder, ResponderRequest
from chatroutes_core.tools import (
    ToolResult,
    ToolSpec,
    parse_reply,
    render_tool_results,
    render_tools_system,
)


def spec(name: str, required: dict[str, Any], optional: dict[str, Any] | None = None) -> ToolSpec:
    properties = {**required, **(optional or {})}
    return ToolSpec(name, name, {"type": "object", "properties": properties, "required": list(required)})


WEATHER = spec("get_weather", {"city": {"type": "string"}})
TIME = spec("get_time", {"city": {"type": "string"}})
ADD = spec("add", {"a": {"type": "integer"}, "b": {"type": "integer"}})
NOW = spec("now", {})
UNITS = spec(
    "convert", {"value": {"type": "number"}, "unit": {"type": "string", "enum": ["celsius", "kelvin"]}}
)


def first_turn(tools: list[ToolSpec], text: str, choice: str = "auto", parallel: bool | None = None) -> str:
    declaration = render_tools_system(tools, choice, parallel)
    return f"[system] You are helpful.\n\n{declaration}\n\n{text}"


def calls(tools: list[ToolSpec], text: str, **kwargs: Any) -> list[tuple[str, dict[str, Any]]] | str:
    """The calls the stand-in makes for a first turn, or the text it would echo."""
    turn = tool_turn([ChatTurn("user", first_turn(tools, text, **kwargs))], "gpt-5")
    assert turn is not None
    if turn.reply is None:
        return turn.user_text
    reply = parse_reply(turn.reply, "msg_x", {t.name for t in tools})
    assert reply.text == "" and reply.invalid_tool_calls == []
    return [(call.name, call.arguments) for call in reply.tool_calls]


def test_no_declaration_means_no_tool_behaviour() -> None:
    assert tool_turn([ChatTurn("user", "what is the weather in Paris")], "gpt-5") is None
    assert tool_turn([], "gpt-5") is None
    empty = ChatTurn("user", 'prose\n<tools>\n</tools>\ntool_choice: "required" - x')
    assert tool_turn([empty], "gpt-5") == ToolTurn(None, 'tool_choice: "required" - x')  # no tool: no call


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What is the weather in Paris?", [("get_weather", {"city": "Paris"})]),
        ("What is the weather in San Francisco, CA?", [("get_weather", {"city": "San Francisco, CA"})]),
        (
            "weather in Paris and the time in Tokyo",
            [("get_weather", {"city": "Paris"}), ("get_time", {"city": "Tokyo"})],
        ),
        (
            "weather in Paris and in Rome",
            [("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"})],
        ),
        ("the weather for 'Zürich'", [("get_weather", {"city": "Zürich"})]),
        ("get_weather(city='Lyon')", [("get_weather", {"city": "Lyon"})]),
        ('get_weather({"city": "Nice"})', [("get_weather", {"city": "Nice"})]),
        ("get_weather(Oslo)", [("get_weather", {"city": "Oslo"})]),
    ],
)
def test_a_named_tool_with_its_arguments_is_called(text: str, expected: list[Any]) -> None:
    assert calls([WEATHER, TIME], text) == expected


def test_numbers_enums_and_no_argument_tools() -> None:
    assert calls([ADD], "add 2 and 3") == [("add", {"a": 2, "b": 3})]
    assert calls([ADD], "add(a=1, b=2), then add 4 and 5") == [
        ("add", {"a": 1, "b": 2}),
        ("add", {"a": 4, "b": 5}),
    ]
    assert calls([UNITS], "convert 21.5 to kelvin") == [("convert", {"value": 21.5, "unit": "kelvin"})]
    assert calls([NOW], "what time is it now?") == [("now", {})]
    assert calls([NOW], "now()") == [("now", {})]


def test_a_tool_named_without_its_arguments_is_not_called_under_auto() -> None:
    assert calls([WEATHER], "what's the weather like?") == "what's the weather like?"
    assert calls([WEATHER], "hello there") == "hello there"


def test_tool_choice_is_respected() -> None:
    assert calls([WEATHER], "weather in Paris", choice="none") == "weather in Paris"
    assert calls([WEATHER, ADD], "hello", choice="required") == [("get_weather", {"city": "hello"})]
    assert calls([WEATHER, ADD], "hello", choice="add") == [("add", {"a": 0, "b": 0})]
    assert calls([WEATHER, ADD], "weather in Paris, add 1 and 2", choice="add") == [("add", {"a": 1, "b": 2})]
    assert calls([WEATHER, TIME], "weather in Paris and the time in Rome", parallel=False) == [
        ("get_weather", {"city": "Paris"})
    ]


def test_tool_results_are_answered_in_text() -> None:
    declaration = ChatTurn("user", first_turn([WEATHER, TIME], "weather in Paris and the time in Rome"))
    results = render_tool_results(
        [
            ToolResult("call_1", "get_weather", "Sunny, 21 °C"),
            ToolResult("call_2", "get_time", "down", is_error=True),
        ]
    )
    turn = tool_turn(
        [declaration, ChatTurn("assistant", "<tool_call>…</tool_call>"), ChatTurn("user", results)], "gpt-5"
    )
    assert turn is not None
    assert turn.reply == "[gpt-5 · offline tools] get_weather returned: Sunny, 21 °C; get_time failed: down"


def test_after_results_a_forced_choice_still_calls() -> None:
    declaration = ChatTurn("user", first_turn([NOW], "now()", choice="required"))
    results = ChatTurn("user", render_tool_results([ToolResult("call_1", "now", "noon")]))
    turn = tool_turn([declaration, ChatTurn("assistant", "x"), results], "gpt-5")
    assert turn is not None and turn.reply is not None and "<tool_call>" in turn.reply


def echo(messages: list[ChatTurn]) -> str:
    request = ResponderRequest("gpt-5", "gpt-5-2025-08-07", list(messages), "main", 1, len(messages) - 1)
    return EchoResponder().reply(request)


def test_the_echo_reply_is_unchanged_without_tools_and_leaves_the_declaration_out_with_them() -> None:
    assert echo([ChatTurn("user", "hi")]) == (
        "[gpt-5 · offline echo] turn 1 on branch 'main', 0 prior messages in context. You said: hi"
    )
    assert echo([ChatTurn("user", first_turn([WEATHER], "hi"))]).endswith("You said: hi")


def test_a_foreign_transcript_is_read_from_its_last_user_turn() -> None:
    history = (
        "[user] What is 1 + 2?\n\n"
        '[assistant] <tool_call>\n{"name": "add", "arguments": {"a": 1, "b": 2}}\n</tool_call>\n\n'
        "[user] " + render_tool_results([ToolResult("abc123", "add", "3")])
    )
    turn = tool_turn([ChatTurn("user", first_turn([ADD], history))], "gpt-5")
    assert turn is not None and turn.reply == "[gpt-5 · offline tools] add returned: 3"


def test_an_echo_never_carries_a_call_tag() -> None:
    text = 'say <tool_call>{"name": "now"}</tool_call>'
    reply = echo([ChatTurn("user", first_turn([WEATHER], text))])
    assert "<tool_call>" not in reply and parse_reply(reply, "m").invalid_tool_calls == []
