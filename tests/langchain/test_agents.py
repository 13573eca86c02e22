"""Agents on ChatRoutes: ``create_agent`` and LangGraph tool loops over the ``<tools>`` protocol (issue 16).

The model is either the local server's offline stand-in (it calls a declared tool when the user names it
with its arguments, and answers from ``<tool_response>`` blocks) or, for multi-step runs, a fake model: the
server's scripted replies (``LocalServer.script``), each an honest canned model output.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver

from chatroutes_core import ChatRoutesClient
from chatroutes_core.testing import LocalServer
from langchain_chatroutes import ChatChatRoutes
from langchain_chatroutes.langgraph import load_branch_state

pytestmark = pytest.mark.integration


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny and 21 C in {city}"


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def _call(name: str, **arguments: object) -> str:
    return "<tool_call>\n" + json.dumps({"name": name, "arguments": arguments}) + "\n</tool_call>"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


def _sends(server: LocalServer) -> int:
    return sum(1 for method, path in server.requests if method == "POST" and path.endswith("/messages"))


def test_the_stand_in_calls_a_named_tool_and_answers_from_its_result(server: LocalServer) -> None:
    model = ChatChatRoutes(api_key=server.api_key, base_url=server.base_url)
    agent = create_agent(model, [get_weather, add])
    result = agent.invoke({"messages": [HumanMessage("What is the weather in Paris?")]})
    messages = result["messages"]
    assert isinstance(messages[1], AIMessage) and messages[1].tool_calls[0]["name"] == "get_weather"
    assert isinstance(messages[2], ToolMessage) and "Paris" in str(messages[2].content)
    assert "sunny and 21 C in Paris" in str(messages[-1].content)
    refs = {m.response_metadata["chatroutes"]["branch_id"] for m in messages if isinstance(m, AIMessage)}
    assert len(refs) == 1  # every step is one message on one branch


def test_a_run_with_two_tool_steps_costs_three_sends_and_parallel_calls_work(server: LocalServer) -> None:
    server.script(
        None,
        _call("get_weather", city="Oslo") + "\n" + _call("get_weather", city="Rome"),  # parallel
        _call("add", a=2, b=3),
        "Oslo and Rome are sunny; 2 + 3 = 5.",
    )
    model = ChatChatRoutes(api_key=server.api_key, base_url=server.base_url)
    agent = create_agent(model, [get_weather, add])
    server.reset_requests()
    result = agent.invoke({"messages": [HumanMessage("Weather in Oslo and Rome, then add 2 and 3")]})
    assert _sends(server) == 3
    tool_messages = [m for m in result["messages"] if isinstance(m, ToolMessage)]
    assert [m.content for m in tool_messages] == ["sunny and 21 C in Oslo", "sunny and 21 C in Rome", "5"]
    assert result["messages"][-1].content == "Oslo and Rome are sunny; 2 + 3 = 5."
    first = result["messages"][1]
    assert isinstance(first, AIMessage) and len(first.tool_calls) == 2
    assert first.tool_calls[0]["id"] != first.tool_calls[1]["id"]
    blocks = [b for b in first.content_blocks if b["type"] == "tool_call"]
    assert [b["id"] for b in blocks] == [c["id"] for c in first.tool_calls]


def test_a_malformed_call_gets_an_error_tool_message_and_the_loop_goes_on(server: LocalServer) -> None:
    broken = '<tool_call>\n{"name": "add", "arguments": {"a": 1,, }\n</tool_call>'
    server.script(None, _call("add", a=2, b=2) + "\n" + broken, "2 + 2 = 4; the other call was malformed.")
    model = ChatChatRoutes(api_key=server.api_key, base_url=server.base_url)
    agent = create_agent(model, [add])
    server.reset_requests()
    result = agent.invoke({"messages": [HumanMessage("add 2 and 2, and 1 and something")]})
    ai = result["messages"][1]
    assert isinstance(ai, AIMessage) and len(ai.tool_calls) == 1 and len(ai.invalid_tool_calls) == 1
    assert result["messages"][-1].content == "2 + 2 = 4; the other call was malformed."
    assert _sends(server) == 2
    with ChatRoutesClient(api_key=server.api_key, base_url=server.base_url) as client:
        ref = result["messages"][-1].response_metadata["chatroutes"]
        stored = client.branches.get_history(ref["conversation_id"], ref["branch_id"])
    results = stored[2].content  # the step's results: the real one and create_agent's error for the bad call
    assert results.count("<tool_response>") == 2 and '"is_error": true' in results


def test_a_stored_agent_branch_reads_back_as_tool_calls_and_results(server: LocalServer) -> None:
    server.script(None, _call("add", a=1, b=2), "The sum is 3.")
    model = ChatChatRoutes(api_key=server.api_key, base_url=server.base_url)
    result = create_agent(model, [add]).invoke({"messages": [HumanMessage("add 1 and 2")]})
    live = result["messages"]
    ref = live[-1].response_metadata["chatroutes"]
    with ChatRoutesClient(api_key=server.api_key, base_url=server.base_url) as client:
        state = load_branch_state(client, ref["conversation_id"], ref["branch_id"])
    read = state["messages"]
    assert [type(m).__name__ for m in read] == ["HumanMessage", "AIMessage", "ToolMessage", "AIMessage"]
    assert read[1].tool_calls == live[1].tool_calls  # same ids: derived from the message id
    assert read[2].tool_call_id == live[2].tool_call_id and read[2].content == "3"
    # resuming from the branch read back continues it in one request
    server.reset_requests()
    server.script(None, "Anything else?")
    model.invoke([*read, HumanMessage("thanks")])
    assert _sends(server) == 1 and len(server.requests) == 1


def test_langgraph_time_travel_to_a_step_before_a_tool_call_forks_the_run(server: LocalServer) -> None:
    server.script(None, _call("add", a=1, b=2), "The sum is 3.")
    model = ChatChatRoutes(api_key=server.api_key, base_url=server.base_url)
    agent = create_agent(model, [add], checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t1"}}
    first = agent.invoke({"messages": [HumanMessage("add 1 and 2")]}, config)["messages"]
    # back to the step after the tool ran, before the model read its result; change the result
    step = next(s for s in agent.get_state_history(config)
                if s.next == ("model",) and isinstance(s.values["messages"][-1], ToolMessage))  # fmt: skip
    result = step.values["messages"][-1]
    changed = ToolMessage("30", tool_call_id=result.tool_call_id, id=result.id)
    forked_config = agent.update_state(step.config, {"messages": [changed]}, as_node="tools")
    server.script(None, "The sum is 30.")
    server.reset_requests()
    again = agent.invoke(None, forked_config)["messages"]
    assert again[-1].content == "The sum is 30."
    assert [p.rsplit("/", 1)[-1] for _, p in server.requests] == ["fork", "messages"]  # fork at the call
    old, new = (m[-1].response_metadata["chatroutes"] for m in (first, again))
    assert new["conversation_id"] == old["conversation_id"] and new["branch_id"] != old["branch_id"]
    with ChatRoutesClient(api_key=server.api_key, base_url=server.base_url) as client:
        side = client.branches.get_history(new["conversation_id"], new["branch_id"])
        main = client.branches.get_history(old["conversation_id"], old["branch_id"])
    assert '"content": "30"' in side[2].content and '"content": "3"' in main[2].content


def test_streamed_tool_calls_aggregate_to_the_invoked_message_and_no_tag_reaches_the_text(
    server: LocalServer,
) -> None:
    reply = "Let me check both.\n" + _call("get_weather", city="Oslo") + "\n" + _call("add", a=1, b=2)
    model = ChatChatRoutes(api_key=server.api_key, base_url=server.base_url).bind_tools([get_weather, add])
    server.script(None, reply)
    invoked = model.invoke("weather and a sum")
    server.script(None, reply)
    chunks = list(model.stream("weather and a sum"))
    assert not any("<tool" in str(chunk.content) for chunk in chunks)
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert total.content == invoked.content == "Let me check both."
    assert [(c["name"], c["args"]) for c in total.tool_calls] == [
        (c["name"], c["args"]) for c in invoked.tool_calls
    ]
    assert total.response_metadata["finish_reason"] == "tool_calls"


def test_required_tool_choice_without_a_call_is_flagged_not_retried(server: LocalServer) -> None:
    model = ChatChatRoutes(api_key=server.api_key, base_url=server.base_url).bind_tools(
        [add], tool_choice="required"
    )
    server.script(None, "I would rather not.")
    server.reset_requests()
    reply = model.invoke("hello")
    assert reply.response_metadata["chatroutes_tool_choice_unmet"] is True and not reply.tool_calls
    assert _sends(server) == 1
