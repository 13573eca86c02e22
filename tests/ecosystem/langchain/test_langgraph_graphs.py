"""LangGraph examples with only the model swapped for ``ChatChatRoutes``.

Sources:
- langchain-ai/docs, src/oss/6-time-travel.mdx (LangGraph basics, "Time travel"): a chatbot node with
  ``llm.bind_tools(tools)``, a hand-built ``ToolNode`` and ``tools_condition``, two turns, then a replay from
  the checkpoint with six messages. (Its ``TavilySearch`` tool needs the network: it is replaced by an offline
  ``search`` function of the same shape, and the model's decisions are scripted.)
- langchain-ai/docs, src/oss/langgraph/use-time-travel.mdx, "Update the state" + "Resume execution from the
  checkpoint": ``update_state`` on an earlier checkpoint, then ``invoke(None, new_config)``.
- langchain-ai/langgraph, libs/prebuilt/langgraph/prebuilt/chat_agent_executor.py, ``create_react_agent``
  with ``response_format`` (the LangGraph agents guide's ``WeatherResponse`` example).
"""

from __future__ import annotations

from typing import Annotated

import pytest
from _lc_support import chat_model, ref, sends, stored, tool_call
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.utils.function_calling import convert_to_json_schema
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode, create_react_agent, tools_condition
from pydantic import BaseModel
from typing_extensions import TypedDict

from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration


class State(TypedDict):
    messages: Annotated[list, add_messages]  # type: ignore[type-arg]


def search(query: str) -> str:
    """Search the web (offline stand-in for TavilySearch)."""
    return f"LangGraph is a library for stateful agents ({query})"


def _chatbot_graph(server: LocalServer):  # type: ignore[no-untyped-def]
    llm = chat_model(server)  # was: init_chat_model("anthropic:claude-3-5-sonnet-latest")
    tools = [search]
    llm_with_tools = llm.bind_tools(tools)

    def chatbot(state: State) -> dict[str, list[AIMessage]]:
        return {"messages": [llm_with_tools.invoke(state["messages"])]}

    graph_builder = StateGraph(State)
    graph_builder.add_node("chatbot", chatbot)
    graph_builder.add_node("tools", ToolNode(tools=tools))
    graph_builder.add_conditional_edges("chatbot", tools_condition)
    graph_builder.add_edge("tools", "chatbot")
    graph_builder.add_edge(START, "chatbot")
    return graph_builder.compile(checkpointer=InMemorySaver())


def _two_turns(server: LocalServer, graph, config) -> list:  # type: ignore[no-untyped-def,type-arg]
    server.script(
        None,
        tool_call("search", query="LangGraph"),
        "LangGraph is a library for stateful agents.",
        tool_call("search", query="autonomous agents with LangGraph"),
        "Here is how to build an autonomous agent.",
    )
    for text in ["I'm learning LangGraph. Could you do some research on it for me?",
                 "Ya that's helpful. Maybe I'll build an autonomous agent with it!"]:  # fmt: skip
        events = graph.stream({"messages": [{"role": "user", "content": text}]}, config, stream_mode="values")
        for event in events:
            if "messages" in event:
                event["messages"][-1].pretty_print()  # as the tutorial prints each step
    return list(event["messages"])


def test_tool_node_graph_runs_the_tool_and_answers_on_one_branch(server: LocalServer) -> None:
    graph = _chatbot_graph(server)
    messages = _two_turns(server, graph, {"configurable": {"thread_id": "1"}})
    assert [type(m).__name__ for m in messages] == [
        "HumanMessage", "AIMessage", "ToolMessage", "AIMessage",
        "HumanMessage", "AIMessage", "ToolMessage", "AIMessage",
    ]  # fmt: skip
    assert messages[2].content == "LangGraph is a library for stateful agents (LangGraph)"
    assert len({ref(m)["branch_id"] for m in messages if isinstance(m, AIMessage)}) == 1
    assert sends(server) == 4  # one send per model step (the first after creating the conversation)
    assert "<tool_response>" in stored(server, messages[-1])[2][1]  # the tool result reached the model


def test_time_travel_replay_from_a_checkpoint_becomes_a_chatroutes_fork(server: LocalServer) -> None:
    graph = _chatbot_graph(server)
    config = {"configurable": {"thread_id": "travel"}}
    original = _two_turns(server, graph, config)
    to_replay = None
    for state in graph.get_state_history(config):
        if len(state.values["messages"]) == 6:
            to_replay = state
    assert to_replay is not None and to_replay.next == ("tools",)
    server.script(None, "A different answer, on the replayed path.")
    server.reset_requests()
    for event in graph.stream(None, to_replay.config, stream_mode="values"):
        replayed = event["messages"]
    old, new = ref(original[-1]), ref(replayed[-1])
    assert new["conversation_id"] == old["conversation_id"] and new["branch_id"] != old["branch_id"]
    assert [m for m, _ in server.requests if m == "POST"] == ["POST", "POST"]  # fork, then send
    side = stored(server, replayed[-1])
    main = stored(server, original[-1])
    assert side[:6] == main[:6] and len(main) == 8  # the fork shares the path up to the checkpoint
    assert side[-1] == ("assistant", "A different answer, on the replayed path.")


def test_update_state_on_an_earlier_checkpoint_then_resume_forks(server: LocalServer) -> None:
    graph = _chatbot_graph(server)
    config = {"configurable": {"thread_id": "edit"}}
    original = _two_turns(server, graph, config)
    selected = next(
        s
        for s in graph.get_state_history(config)
        if s.next == ("chatbot",) and len(s.values["messages"]) == 5
    )
    edited = selected.values["messages"][-1]  # the second question, before the model answered it
    question = HumanMessage("Actually, tell me about LangChain instead.", id=edited.id)  # replaces it
    new_config = graph.update_state(selected.config, values={"messages": [question]})
    server.script(None, "LangChain is a framework for LLM apps.")
    result = graph.invoke(None, new_config)
    answer = result["messages"][-1]
    assert answer.content == "LangChain is a framework for LLM apps."
    assert ref(answer)["branch_id"] != ref(original[-1])["branch_id"]
    side = stored(server, answer)
    assert side[:4] == stored(server, original[-1])[:4] and question.content in side[4][1]


class WeatherResponse(BaseModel):
    """Respond to the user in this format."""

    conditions: str


def get_weather(city: str) -> str:
    """Get weather for a given city."""
    return f"It's always sunny in {city}!"


def test_create_react_agent_with_response_format(server: LocalServer) -> None:
    agent = create_react_agent(
        model=chat_model(server),  # was: "anthropic:claude-3-7-sonnet-latest"
        tools=[get_weather],
        response_format=WeatherResponse,
    )
    response = agent.invoke({"messages": [{"role": "user", "content": "what is the weather in sf"}]})
    messages = response["messages"]
    assert isinstance(messages[2], ToolMessage) and messages[2].content == "It's always sunny in sf!"
    assert isinstance(response["structured_response"], WeatherResponse)  # before: EmptyTurnError
    # the structured step was given the agent's whole list plus the instruction, on the same branch
    branch = stored(server, messages[-1])
    assert len(branch) == len(messages) + 2
    assert [role for role, _ in branch[: len(messages)]] == ["user", "assistant", "user", "assistant"]
    assert branch[len(messages) - 1] == ("assistant", messages[-1].content)
    instruction = branch[len(messages)][1]
    # the tools declaration is no longer in force (no tools bound): the turn says so, then the instruction
    assert "[system] Reply with one JSON object only" in instruction
    assert convert_to_json_schema(WeatherResponse)["properties"] == {"conditions": {"type": "string"}}
    assert '"conditions": {"type": "string"}' in instruction
    assert WeatherResponse.model_validate_json(branch[-1][1]) == response["structured_response"]
