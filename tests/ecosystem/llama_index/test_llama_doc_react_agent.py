"""``ReActAgent`` over calculator tools, streamed, with a ``Context`` for the session.

Source: run-llama/llama_index, docs/examples/agent/react_agent.ipynb ("Define Function Tools", "Run Some
Queries": ``ReActAgent(tools=[multiply, add], llm=llm)``, ``ctx = Context(agent)``,
``agent.run("What is 20+(2*4)? Use a tool to calculate every step.", ctx=ctx)``, streaming ``AgentStream``
and ``ToolCallResult`` events). Changed: the LLM, and the model's ReAct steps scripted.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from llama_ecosystem import branch, conversations
from llama_index.core.agent.workflow import AgentStream, ReActAgent, ToolCallResult
from llama_index.core.workflow import Context

from llama_index_chatroutes import ChatRoutes

pytestmark = pytest.mark.integration


def multiply(a: int, b: int) -> int:
    """Multiply two integers and returns the result integer"""
    return a * b


def add(a: int, b: int) -> int:
    """Add two integers and returns the result integer"""
    return a + b


async def test_react_steps_call_the_tools_and_observations_reach_the_model(
    llm: ChatRoutes, script: Callable[..., None]
) -> None:
    agent = ReActAgent(tools=[multiply, add], llm=llm)
    ctx = Context(agent)
    script(
        'Thought: I need to multiply first.\nAction: multiply\nAction Input: {"a": 2, "b": 4}',
        'Thought: Now add.\nAction: add\nAction Input: {"a": 20, "b": 8}',
        "Thought: I can answer without using any more tools.\nAnswer: 28",
    )
    before = conversations(llm)
    handler = agent.run("What is 20+(2*4)? Use a tool to calculate every step.", ctx=ctx)
    results, deltas = [], []
    async for ev in handler.stream_events():
        if isinstance(ev, ToolCallResult):
            results.append((ev.tool_name, ev.tool_kwargs, ev.tool_output.raw_output))
        elif isinstance(ev, AgentStream):
            deltas.append(ev.delta)
    response = await handler
    assert results == [("multiply", {"a": 2, "b": 4}, 8), ("add", {"a": 20, "b": 8}, 28)]
    assert str(response).strip() == "28" and "Answer: 28" in "".join(deltas)
    # ReAct keeps its reasoning as reformatted text, so each step is a new conversation holding the whole
    # list (docs/llama_index.md, "Known limits"); the last one holds both observations
    last = [branch(llm, c) for c in conversations(llm) - before]
    assert any("Observation: 8" in t and "Observation: 28" in t for h in last for _, t in h)
