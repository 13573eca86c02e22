"""Issue 23: structured output where agents ask for it.

- ``create_agent(..., response_format=Schema)``: the profile says ``structured_output``, so the auto strategy
  binds ``response_format``; the schema must reach the model (read back from the server), in every strategy.
- ``with_structured_output`` on a list that ends with an assistant message (LangGraph's
  ``create_react_agent(..., response_format=...)`` does this after the agent's final answer): the model is
  given that list plus the instruction, and the branch read back is exactly that.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from langchain.agents import create_agent
from langchain.agents.structured_output import ProviderStrategy, ToolStrategy
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_core.utils.function_calling import convert_to_json_schema
from pydantic import BaseModel

from chatroutes_core import ChatRoutesClient, UsageError
from chatroutes_core.testing import LocalServer
from langchain_chatroutes import ChatChatRoutes

pytestmark = pytest.mark.integration


class Weather(BaseModel):
    city: str
    conditions: str


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny and 21 C in {city}"


def _call(name: str, **arguments: object) -> str:
    return "<tool_call>\n" + json.dumps({"name": name, "arguments": arguments}) + "\n</tool_call>"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


def _model(server: LocalServer) -> ChatChatRoutes:
    return ChatChatRoutes(api_key=server.api_key, base_url=server.base_url)


def _stored(server: LocalServer, message: AIMessage) -> list[tuple[str, str]]:
    ref = message.response_metadata["chatroutes"]
    with ChatRoutesClient(api_key=server.api_key, base_url=server.base_url) as client:
        history = client.branches.get_history(ref["conversation_id"], ref["branch_id"])
    return [(m.role, m.content) for m in history]


def _schema_sent(text: str) -> dict[str, object]:
    marker = "that conforms to this JSON schema:\n"
    assert marker in text, text
    return json.loads(text.split(marker, 1)[1].splitlines()[0])  # type: ignore[no-any-return]


def test_the_profile_claims_structured_output_and_a_bound_response_format_reaches_the_model(
    server: LocalServer,
) -> None:
    model = _model(server)
    assert model.profile is not None and model.profile["structured_output"] is True
    schema = Weather.model_json_schema()
    server.script(None, '{"city": "Oslo", "conditions": "snow"}')
    bound = model.bind(
        response_format={"type": "json_schema", "json_schema": {"name": "Weather", "schema": schema}}
    )
    reply = bound.invoke("Weather in Oslo?")
    assert json.loads(str(reply.content)) == {"city": "Oslo", "conditions": "snow"}
    (role, text), _ = _stored(server, reply)
    assert role == "user" and _schema_sent(text) == schema
    plain = model.bind(response_format={"type": "json_object"}).invoke("Anything, as JSON")
    assert "Reply with one JSON object only" in _stored(server, plain)[0][1]
    with pytest.raises(UsageError, match="response_format"):
        model.bind(response_format={"type": "yaml"})


@pytest.mark.parametrize("strategy", ["auto", "provider", "tool"])
def test_create_agent_response_format_in_every_strategy(server: LocalServer, strategy: str) -> None:
    response_format: object = {
        "auto": Weather,
        "provider": ProviderStrategy(Weather),
        "tool": ToolStrategy(Weather),
    }[strategy]
    final = (
        _call("Weather", city="Paris", conditions="sunny")
        if strategy == "tool"
        else '{"city": "Paris", "conditions": "sunny"}'
    )
    server.script(None, _call("get_weather", city="Paris"), final)
    agent = create_agent(_model(server), [get_weather], response_format=response_format)  # type: ignore[call-overload]
    result = agent.invoke({"messages": [HumanMessage("What is the weather in Paris?")]})
    assert result["structured_response"] == Weather(city="Paris", conditions="sunny")
    tool_results = [m for m in result["messages"] if isinstance(m, ToolMessage)]
    assert tool_results[0].content == "sunny and 21 C in Paris"  # the tool ran and its result went back
    first_ai = next(m for m in result["messages"] if isinstance(m, AIMessage))
    first_turn = _stored(server, first_ai)[0][1]
    if strategy == "tool":  # the schema is a declared tool
        assert '"name": "Weather"' in first_turn
    else:  # the schema instruction, after the tools declaration: the model may call a tool first
        assert _schema_sent(first_turn)["properties"] == Weather.model_json_schema()["properties"]
        assert "When you answer without calling a tool" in first_turn


def test_with_structured_output_after_the_agents_final_answer(server: LocalServer) -> None:
    model = _model(server)
    question = HumanMessage("Describe the weather in Rome.")
    answer = model.invoke([question])
    server.script(None, '{"city": "Rome", "conditions": "clear"}')
    server.reset_requests()
    parsed = model.with_structured_output(Weather, include_raw=True).invoke([question, answer])
    assert parsed["parsed"] == Weather(city="Rome", conditions="clear")
    assert [m for m, p in server.requests if m == "POST"] == ["POST"]  # one send, on the same branch
    raw = parsed["raw"]
    assert (
        raw.response_metadata["chatroutes"]["branch_id"]
        == answer.response_metadata["chatroutes"]["branch_id"]
    )
    stored = _stored(server, raw)
    # the branch holds exactly the list given, then the instruction as the new turn, then the reply
    assert stored[:2] == [("user", question.content), ("assistant", answer.content)]
    assert stored[2][0] == "user" and stored[2][1].startswith("[system] Reply with one JSON object only")
    assert _schema_sent(stored[2][1]) == convert_to_json_schema(Weather)
    assert stored[3] == ("assistant", '{"city": "Rome", "conditions": "clear"}') and len(stored) == 4


def test_a_list_ending_with_a_reply_and_nothing_to_add_is_still_refused(server: LocalServer) -> None:
    from chatroutes_core import EmptyTurnError

    model = _model(server)
    question = HumanMessage("hi")
    answer = model.invoke([question])
    with pytest.raises(EmptyTurnError):
        model.invoke([question, answer])


async def test_the_async_and_streamed_paths_after_a_final_answer(server: LocalServer) -> None:
    model = _model(server)
    question = HumanMessage("Describe the weather in Lima.")
    answer = await model.ainvoke([question])
    server.script(None, '{"city": "Lima", "conditions": "grey"}', '{"city": "Lima", "conditions": "mild"}')
    parsed = await model.with_structured_output(Weather).ainvoke([question, answer])
    assert parsed == Weather(city="Lima", conditions="grey")
    chunks = [c async for c in model.with_structured_output(Weather).astream([question, answer])]
    assert chunks[-1] == Weather(city="Lima", conditions="mild")
