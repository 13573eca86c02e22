"""chatroutes_core.tools: declaring tools, parsing calls (whole and streamed), returning results."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatroutes_core.tools import (
    InvalidToolCall,
    ParsedReply,
    TextChunk,
    ToolCall,
    ToolCallChunk,
    ToolResult,
    ToolSpec,
    ToolStreamParser,
    collect_events,
    find_tools_declaration,
    normalize_tool_choice,
    parse_reply,
    parse_tool_results,
    render_tool_calls,
    render_tool_results,
    render_tools_system,
    split_tool_results,
    tool_call_id,
)

WEATHER = ToolSpec(
    "get_weather",
    "Current weather in a city.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
NOW = ToolSpec("now", "The time.")
MID = "msg_0123"


def block(name: str, arguments: Any) -> str:
    return f"<tool_call>\n{json.dumps({'name': name, 'arguments': arguments})}\n</tool_call>"


# --- ToolSpec, tool_choice ---------------------------------------------------------------------------------


def test_tool_spec_from_openai_accepts_both_shapes_and_round_trips() -> None:
    wrapped = WEATHER.to_openai()
    assert wrapped == {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": WEATHER.description,
            "parameters": WEATHER.parameters,
        },
    }
    assert ToolSpec.from_openai(wrapped) == WEATHER
    assert ToolSpec.from_openai(wrapped["function"]) == WEATHER
    assert ToolSpec.from_openai({"name": "now", "description": None}) == ToolSpec("now")
    assert hash(WEATHER) == hash(ToolSpec.from_openai(wrapped))


@pytest.mark.parametrize(
    "bad", [{}, {"type": "function"}, {"type": "function", "function": "x"}, {"name": ""}]
)
def test_tool_spec_rejects_what_is_not_a_function(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        ToolSpec.from_openai(bad)


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (None, "auto"),
        ("auto", "auto"),
        ("none", "none"),
        ("required", "required"),
        ("any", "required"),
        (True, "required"),
        (False, "none"),
        ("now", "now"),
        ({"type": "function", "function": {"name": "now"}}, "now"),
        ({"type": "tool", "name": "now"}, "now"),
        ({"type": "any"}, "required"),
        ({"type": "auto"}, "auto"),
    ],
)
def test_normalize_tool_choice(choice: object, expected: str) -> None:
    assert normalize_tool_choice(choice, ["get_weather", "now"]) == expected


@pytest.mark.parametrize(
    "choice", ["search", {"type": "function", "function": {"name": "x"}}, 3, {"type": "x"}]
)
def test_normalize_tool_choice_rejects_unknown_choices(choice: object) -> None:
    with pytest.raises(ValueError, match="tool_choice"):
        normalize_tool_choice(choice, ["now"])


def test_required_needs_a_tool() -> None:
    with pytest.raises(ValueError, match="at least one tool"):
        normalize_tool_choice("any", [])


# --- the declaration ---------------------------------------------------------------------------------------


def test_render_tools_system_declares_one_function_per_line_with_the_choice() -> None:
    text = render_tools_system([WEATHER, NOW.to_openai()], tool_choice="any", parallel_tool_calls=False)
    assert text == render_tools_system([WEATHER, NOW], tool_choice="required", parallel_tool_calls=False)
    inside = text.split("\n<tools>\n", 1)[1].split("\n</tools>\n", 1)[0].splitlines()
    assert [json.loads(line) for line in inside] == [WEATHER.to_openai(), NOW.to_openai()]
    assert 'tool_choice: "required" - your reply must call at least one function.' in text
    assert "parallel_tool_calls: false" in text
    assert "<tool_call>\n" in text and "<tool_response></tool_response>" in text
    assert "parallel_tool_calls" not in render_tools_system([NOW])


def test_render_tools_system_rejects_duplicates_and_bad_choices() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        render_tools_system([NOW, NOW])
    with pytest.raises(ValueError):
        render_tools_system([NOW], tool_choice="get_weather")


@pytest.mark.parametrize("choice", ["auto", "none", "required", "get_weather"])
@pytest.mark.parametrize("parallel", [None, True, False])
def test_a_rendered_declaration_is_found_again_with_its_exact_span(
    choice: str, parallel: bool | None
) -> None:
    system = render_tools_system([WEATHER, NOW], tool_choice=choice, parallel_tool_calls=parallel)
    stored = f"[system] Be brief.\n\n{system}\n\nWhat is the weather in Paris?"
    found = find_tools_declaration(stored)
    assert found is not None
    assert found.tools == (WEATHER, NOW) and found.names == {"get_weather", "now"}
    assert found.tool_choice == choice and found.parallel_tool_calls is parallel
    assert stored[found.start : found.end] == system


def test_line_separators_inside_descriptions_do_not_break_the_declaration() -> None:
    odd = ToolSpec("odd", "one\u2028two\u2029three\x85four\nfive", {"type": "object", "properties": {}})
    system = render_tools_system([odd, NOW])
    found = find_tools_declaration(system)
    assert found is not None and found.tools == (odd, NOW) and (found.start, found.end) == (0, len(system))


def test_the_last_declaration_wins_and_plain_text_has_none() -> None:
    first = render_tools_system([NOW])
    second = render_tools_system([WEATHER], tool_choice="none")
    found = find_tools_declaration(f"{first}\n\nhello\n\n{second}")
    assert found is not None and found.tools == (WEATHER,) and found.tool_choice == "none"
    assert find_tools_declaration("no tools here, not even <tools></tools> inline") is None


def test_a_hand_written_hermes_declaration_is_read_leniently() -> None:
    text = (
        "You are a function calling AI model.\n<tools>\n"
        + json.dumps(WEATHER.to_openai())
        + "\nnot json\n</tools>\nUse them well."
    )
    found = find_tools_declaration(text)
    assert found is not None and found.tools == (WEATHER,) and found.tool_choice == "auto"
    assert text[found.start : found.end].startswith("<tools>\n") and text[: found.end].endswith("</tools>")


# --- ids -------------------------------------------------------------------------------------------------


def test_tool_call_ids_are_stable_short_ascii_and_positional() -> None:
    ids = [tool_call_id(MID, index) for index in range(3)]
    assert ids == [tool_call_id(MID, index) for index in range(3)]
    assert len(set(ids)) == 3 and tool_call_id("msg_other", 0) != ids[0]
    assert all(re.fullmatch(r"call_[0-9a-f]{24}", i) for i in ids)
    with pytest.raises(ValueError):
        tool_call_id("", 0)
    with pytest.raises(ValueError):
        tool_call_id(MID, -1)


# --- parse_reply -------------------------------------------------------------------------------------------


def test_a_reply_without_blocks_keeps_its_text_exactly() -> None:
    text = "  Hello,\n world <tool_ </tool_call> "
    assert parse_reply(text, MID) == ParsedReply(text)


def test_one_call_with_text_around_it() -> None:
    reply = parse_reply(f"Let me check.\n{block('get_weather', {'city': 'Paris'})}\nOne moment.", MID)
    assert reply.text == "Let me check.\nOne moment."
    assert reply.tool_calls == [ToolCall(tool_call_id(MID, 0), "get_weather", {"city": "Paris"})]
    assert reply.invalid_tool_calls == []


def test_parallel_calls_only_blocks_give_empty_text_and_ids_by_position() -> None:
    text = "\n" + block("get_weather", {"city": "Paris"}) + "\n" + block("now", {}) + "\n"
    reply = parse_reply(text, MID, declared_names={"get_weather", "now"})
    assert reply.text == ""
    assert [(c.id, c.name) for c in reply.tool_calls] == [
        (tool_call_id(MID, 0), "get_weather"),
        (tool_call_id(MID, 1), "now"),
    ]


def test_whitespace_rule_around_blocks() -> None:
    call = block("now", {})
    assert parse_reply(f"A {call} B", MID).text == "A B"
    assert parse_reply(f"A{call}\n\nB", MID).text == "AB"
    assert parse_reply(f"A\n\n{call}\n{call}\nB  ", MID).text == "A\n\nB  "
    assert parse_reply(f"  A \n{call} \n", MID).text == "  A"
    assert parse_reply(f" \n{call}B", MID).text == "B"


def test_nested_json_and_braces_inside_strings() -> None:
    args = {"query": 'a {b} } " { ', "filter": {"and": [{"x": [1, {"y": None}]}]}, "note": "<tool_call>"}
    reply = parse_reply(f"x{block('search', args)}", MID)
    assert reply.tool_calls[0].arguments == args and reply.text == "x"


def test_unicode_names_arguments_and_text() -> None:
    args = {"customer_name": "你好啊集团", "emoji": "🌍", "escaped": "\u00e9"}
    text = (
        "Voilà "
        + f"<tool_call>\n{json.dumps({'name': 'crée', 'arguments': args}, ensure_ascii=False)}\n</tool_call>"
    )
    reply = parse_reply(text, MID, declared_names={"crée"})
    assert (
        reply.text == "Voilà" and reply.tool_calls[0].arguments == args and reply.tool_calls[0].name == "crée"
    )


@pytest.mark.parametrize(
    ("content", "name", "error"),
    [
        ('{"name": "get_weather", "arguments": {"city": "Par', "get_weather", "not valid JSON"),
        ("complete garbage", None, "not valid JSON"),
        ("", None, "not valid JSON"),
        ('["get_weather"]', None, "JSON object"),
        ('{"arguments": {}}', None, '"name"'),
        ('{"name": 3}', None, '"name"'),
        ('{"name": "get_weather", "arguments": [1]}', "get_weather", '"arguments"'),
        ('{"name": "get_weather", "arguments": "not an object"}', "get_weather", '"arguments"'),
        ('{"name": "get_weather", "arguments": {"x": NaN}}', "get_weather", "not valid JSON"),
        ('{"name": "launch_missiles", "arguments": {"n": 1}}', "launch_missiles", "not declared"),
    ],
)
def test_invalid_calls_never_raise_and_keep_what_can_be_read(
    content: str, name: str | None, error: str
) -> None:
    reply = parse_reply(f"ok <tool_call>{content}</tool_call>", MID, declared_names={"get_weather"})
    assert reply.text == "ok" and reply.tool_calls == []
    [bad] = reply.invalid_tool_calls
    assert bad.id == tool_call_id(MID, 0) and bad.name == name and error in bad.error
    assert bad.arguments is None if not content.strip() else bad.arguments


def test_undeclared_calls_keep_their_arguments_as_json_text() -> None:
    [bad] = parse_reply(block("rm", {"path": "/"}), MID, declared_names=set()).invalid_tool_calls
    assert bad.name == "rm" and json.loads(bad.arguments or "") == {"path": "/"}
    assert parse_reply(block("rm", {"path": "/"}), MID).tool_calls[0].name == "rm"  # no declared names: any


def test_lenient_argument_forms() -> None:
    text = (
        '<tool_call>{"name": "a", "arguments": "{\\"x\\": 1}"}</tool_call>'
        '<tool_call>{"name": "b", "parameters": {"y": 2}}</tool_call>'
        '<tool_call>{"name": "c"}</tool_call>'
    )
    assert [(c.name, c.arguments) for c in parse_reply(text, MID).tool_calls] == [
        ("a", {"x": 1}),
        ("b", {"y": 2}),
        ("c", {}),
    ]


def test_invalid_and_valid_calls_share_the_position_count() -> None:
    reply = parse_reply(f"<tool_call>oops</tool_call>{block('now', {})}", MID)
    assert reply.invalid_tool_calls[0].id == tool_call_id(MID, 0)
    assert reply.tool_calls[0].id == tool_call_id(MID, 1)


def test_a_block_left_open_at_the_end_runs_to_the_end() -> None:
    complete = parse_reply('Sure <tool_call>\n{"name": "now", "arguments": {}}\n', MID)
    assert complete.text == "Sure" and [c.name for c in complete.tool_calls] == ["now"]
    cut = parse_reply('Sure <tool_call>\n{"name": "now", "argu', MID)
    assert cut.text == "Sure" and cut.tool_calls == [] and cut.invalid_tool_calls[0].name == "now"
    half_closed = parse_reply('<tool_call>{"name": "now"}</tool_ca', MID)
    assert half_closed.invalid_tool_calls[0].name == "now"  # the partial close tag is part of the content


def test_the_first_close_tag_ends_a_block() -> None:
    raw = '<tool_call>{"name": "echo", "arguments": {"s": "</tool_call>"}}</tool_call>'
    reply = parse_reply(raw, MID)
    assert reply.tool_calls == [] and reply.invalid_tool_calls[0].name == "echo"
    assert reply.text == '"}}</tool_call>'  # what followed the first close tag is text


def test_render_tool_calls_round_trips_even_with_closing_tags_in_arguments() -> None:
    calls = [
        ToolCall("call_x", "echo", {"s": "</tool_call> and </tool_response>", "n": [1, 2]}),
        ToolCall("call_y", "now", {}),
    ]
    rendered = render_tool_calls(calls)
    assert rendered.count("<tool_call>\n") == 2 and "\n</tool_call>\n<tool_call>\n" in rendered
    again = parse_reply(rendered, "msg_new")
    assert [(c.name, c.arguments) for c in again.tool_calls] == [(c.name, c.arguments) for c in calls]
    assert [c.id for c in again.tool_calls] == [tool_call_id("msg_new", 0), tool_call_id("msg_new", 1)]
    assert again.text == ""


# --- results ---------------------------------------------------------------------------------------------


def test_tool_results_round_trip_in_order() -> None:
    results = [
        ToolResult("call_a", "get_weather", "Sunny, 21 °C"),
        ToolResult("call_b", "now", "boom </tool_response> {", is_error=True),
    ]
    turn = render_tool_results(results)
    first = turn.split("\n</tool_response>\n")[0]
    assert json.loads(first.removeprefix("<tool_response>\n")) == {
        "name": "get_weather",
        "tool_call_id": "call_a",
        "content": "Sunny, 21 °C",
    }
    assert parse_tool_results(turn) == results
    assert split_tool_results(turn + "\n\nAnd now?") == (results, "And now?")


def test_parse_tool_results_says_none_for_anything_else() -> None:
    assert parse_tool_results("hello") is None
    assert parse_tool_results("") is None
    assert parse_tool_results(render_tool_results([ToolResult("c", "n", "x")]) + " and more") is None
    assert split_tool_results("<tool_response>{bad</tool_response>") == (
        [],
        "<tool_response>{bad</tool_response>",
    )
    assert split_tool_results("<tool_response>{}") == ([], "<tool_response>{}")


def test_foreign_tool_results_with_json_content() -> None:
    text = '<tool_response>\n{"name": "add", "content": {"result": 3}}\n</tool_response>'
    assert parse_tool_results(text) == [ToolResult("", "add", '{"result": 3}')]


def test_no_results_is_an_error() -> None:
    with pytest.raises(ValueError):
        render_tool_results([])


# --- streaming -------------------------------------------------------------------------------------------

SAMPLES = [
    "plain text, no tools at all ",
    f"Let me check.\n{block('get_weather', {'city': 'Paris'})}\n{block('now', {})}\nDone.",
    f"  {block('get_weather', {'city': 'São Paulo {x}'})}  ",
    'a <tool_call>{"name": "x", "arguments": {"s": "}"}}</tool_call>b<tool_call>garbage</tool_call> c ',
    "ends with a partial tag <tool_ca",
    "ends with an open call <tool_call>" + '{"name": "now", "arguments": {}}',
    "<<tool_call<tool_call>{}</tool_call></tool_call>< <t",
    "你好 🌍 <tool_call>\n" + json.dumps({"name": "n", "arguments": {"q": "é</"}}, ensure_ascii=False),
]


def stream_all(pieces: list[str], *, early_id: bool, declared: set[str] | None = None) -> list[Any]:
    parser = ToolStreamParser(declared, message_id=MID if early_id else None)
    events: list[Any] = []
    live_text = ""
    for piece in pieces:
        for event in parser.feed(piece):
            events.append(event)
            if isinstance(event, TextChunk):
                live_text += event.text
                assert "<tool_call>" not in event.text
    events.extend(parser.close(None if early_id else MID))
    return events


def assert_stream_matches(text: str, pieces: list[str], declared: set[str] | None = None) -> None:
    whole = parse_reply(text, MID, declared)
    for early_id in (True, False):
        events = stream_all(pieces, early_id=early_id, declared=declared)
        assert collect_events(events) == whole, (pieces, early_id)
        chunks = [e for e in events if isinstance(e, ToolCallChunk)]
        assert [c.index for c in chunks] == list(range(len(chunks)))


@pytest.mark.parametrize("text", SAMPLES)
def test_every_split_into_two_pieces_and_char_by_char(text: str) -> None:
    for cut in range(len(text) + 1):
        assert_stream_matches(text, [text[:cut], text[cut:]], {"get_weather", "now", "x"})
    assert_stream_matches(text, list(text))
    assert_stream_matches(text, [text])


def test_text_streams_live_until_a_call_opens() -> None:
    parser = ToolStreamParser({"now"})
    assert parser.feed("Hello wor") == [TextChunk("Hello wor")]
    assert parser.feed("ld! <tool") == [TextChunk("ld!")]  # the space waits: a call may follow
    assert parser.feed('_call>\n{"name": "now", "arg') == []
    assert parser.feed('uments": {}}\n</tool_call>\n') == []  # the id is only known at close
    events = parser.close(message_id=MID)
    assert events == [ToolCallChunk(0, ToolCall(tool_call_id(MID, 0), "now", {}))]
    assert events[0].args == "{}" and events[0].name == "now" and events[0].error is None
    assert parser.close() == []
    with pytest.raises(RuntimeError):
        parser.feed("more")


def test_with_a_known_message_id_calls_are_emitted_as_their_blocks_close() -> None:
    parser = ToolStreamParser(message_id=MID)
    chunk, text = parser.feed(f"{block('now', {})} after")
    assert isinstance(chunk, ToolCallChunk) and chunk.id == tool_call_id(MID, 0)
    assert text == TextChunk("after")
    assert parser.feed("wards ") == [TextChunk("wards")]
    assert parser.close() == [TextChunk(" ")]


def test_invalid_call_chunks_carry_the_error_and_raw_arguments() -> None:
    parser = ToolStreamParser({"now"}, message_id=MID)
    [chunk] = parser.feed("<tool_call>{oops</tool_call>")
    assert isinstance(chunk, ToolCallChunk) and isinstance(chunk.call, InvalidToolCall)
    assert chunk.args == "{oops" and chunk.error and "JSON" in chunk.error and chunk.name is None


def test_close_without_an_id_when_calls_wait_is_an_error() -> None:
    parser = ToolStreamParser()
    parser.feed(block("now", {}))
    with pytest.raises(ValueError, match="message id"):
        parser.close()
    assert [e.name for e in parser.close(MID) if isinstance(e, ToolCallChunk)] == ["now"]  # nothing lost
    other = ToolStreamParser(message_id=MID)
    with pytest.raises(ValueError):
        other.close("msg_other")


FRAGMENTS = st.sampled_from(
    [
        "<tool_call>", "</tool_call>", "<", "<tool_", "call>", "</tool", "_call>", "{", "}", '"', "\\",
        '{"name": "now", "arguments": {}}', '{"name": "x", "arguments": {"a": "} </"}}', '"name": "n"',
        " ", "\n", "  \n ", "text", "é", "你好", "🌍", "<tools>", "<tool_response>",
    ]
)  # fmt: skip


@st.composite
def replies_and_splits(draw: st.DrawFn) -> tuple[str, list[str]]:
    parts = draw(st.lists(st.one_of(FRAGMENTS, st.text(max_size=4)), max_size=14))
    text = "".join(parts)
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    bounds = [0, *cuts, len(text)]
    return text, [text[a:b] for a, b in itertools.pairwise(bounds)]


@settings(max_examples=400, deadline=None)
@given(replies_and_splits(), st.sampled_from([None, {"now"}]))
def test_any_split_streams_to_exactly_what_parse_reply_gives(
    case: tuple[str, list[str]], declared: set[str] | None
) -> None:
    text, pieces = case
    assert "".join(pieces) == text
    assert_stream_matches(text, pieces, declared)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=8)
    | st.sampled_from(["</tool_call>", "{", "}"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(min_size=1, max_size=8), st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=4)
        ),
        min_size=1,
        max_size=3,
    )
)
def test_rendered_calls_parse_back_for_any_arguments(raw: list[tuple[str, dict[str, Any]]]) -> None:
    calls = [ToolCall(f"id{i}", name, args) for i, (name, args) in enumerate(raw)]
    reply = parse_reply(render_tool_calls(calls), MID)
    assert [(c.name, c.arguments) for c in reply.tool_calls] == raw
    assert reply.invalid_tool_calls == [] and reply.text == ""


def test_the_public_surface_is_curated() -> None:
    import chatroutes_core.tools as tools

    for name in tools.__all__:
        assert getattr(tools, name) is not None
    assert not any(name.startswith("_") for name in tools.__all__)


def test_the_tools_module_imports_no_framework() -> None:
    code = (
        "import sys, chatroutes_core.tools\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'langchain_core', 'langchain', 'llama_index', 'langgraph', 'fastapi'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
