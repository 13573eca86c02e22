"""``FunctionAgent`` with two calculator tools: "What is 20+(2*4)?".

Source: run-llama/llama_index, docs/src/content/docs/framework/understanding/agent/index.mdx ("Create basic
tools": ``multiply``/``add``; ``FunctionAgent(tools=[multiply, add], llm=llm, system_prompt=...)``;
``await workflow.run(user_msg="What is 20+(2*4)?")``). Changed: the LLM, and the model's decisions scripted
(the offline responder does not call tools).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from llama_ecosystem import branch, conversations, tool_call
from llama_index.core.agent.workflow import FunctionAgent, ToolCallResult

from llama_index_chatroutes import ChatRoutes

pytestmark = pytest.mark.integration


def multiply(a: float, b: float) -> float:
    """Multiply two numbers and returns the product"""
    return a * b


def add(a: float, b: float) -> float:
    """Add two numbers and returns the sum"""
    return a + b


async def test_the_agent_calls_both_tools_and_answers_with_their_results(
    llm: ChatRoutes, script: Callable[..., None]
) -> None:
    workflow = FunctionAgent(
        tools=[multiply, add],
        llm=llm,
        system_prompt="You are an agent that can perform basic mathematical operations using tools.",
    )
    script(
        tool_call("multiply", '{"a": 2, "b": 4}'),
        tool_call("add", '{"a": 20, "b": 8}'),
        "The result of (20 + (2 times 4)) is 28.",
    )
    before = conversations(llm)
    handler = workflow.run(user_msg="What is 20+(2*4)?")
    results = [ev async for ev in handler.stream_events() if isinstance(ev, ToolCallResult)]
    response = await handler
    assert [(r.tool_name, r.tool_output.raw_output) for r in results] == [("multiply", 8), ("add", 28)]
    assert "28" in str(response)
    (conversation,) = conversations(llm) - before  # the whole run on one branch
    held = branch(llm, conversation)
    assert [role for role, _ in held] == ["user", "assistant"] * 3
    assert '"content": "8"' in held[2][1] and '"content": "28"' in held[4][1]  # the results reached the model
