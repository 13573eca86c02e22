"""``AgentWorkflow``: a research agent hands off to a writer agent; shared state carries the notes.

Source: run-llama/llama_index,
docs/src/content/docs/framework/understanding/agent/multi_agent.md ("Pattern 1 – AgentWorkflow":
``FunctionAgent(name=..., description=..., system_prompt=..., tools=..., can_handoff_to=...)``,
``AgentWorkflow(agents=[...], root_agent=research_agent.name, initial_state={...})``,
``await agent_workflow.run(user_msg="Write me a report on the history of the web …")``), with the
``record_notes``/``write_report`` tools of the full notebook it condenses (docs/examples/agent/
agent_workflow_multi.ipynb), two agents of the three. Changed: the LLM, the model's decisions scripted.
"""

# no "from __future__ import annotations": FunctionTool reads the tools' Context annotation at runtime

from collections.abc import Callable

import pytest
from llama_ecosystem import conversations, tool_call
from llama_index.core.agent.workflow import AgentOutput, AgentWorkflow, FunctionAgent, ToolCallResult
from llama_index.core.workflow import Context

from llama_index_chatroutes import ChatRoutes

pytestmark = pytest.mark.integration


async def record_notes(ctx: Context, notes: str, notes_title: str) -> str:
    """Useful for recording notes on a given topic."""
    async with ctx.store.edit_state() as ctx_state:
        ctx_state["state"]["research_notes"][notes_title] = notes
    return "Notes recorded."


async def write_report(ctx: Context, report_content: str) -> str:
    """Useful for writing a report on a given topic."""
    async with ctx.store.edit_state() as ctx_state:
        ctx_state["state"]["report_content"] = report_content
    return "Report written."


async def test_the_root_agent_hands_off_and_the_writer_uses_the_notes(
    llm: ChatRoutes, script: Callable[..., None]
) -> None:
    research_agent = FunctionAgent(
        name="ResearchAgent",
        description="Search the web and record notes.",
        system_prompt="You are a researcher… hand off to WriteAgent when ready.",
        llm=llm,
        tools=[record_notes],
        can_handoff_to=["WriteAgent"],
    )
    write_agent = FunctionAgent(
        name="WriteAgent",
        description="Writes a markdown report from the notes.",
        system_prompt="You are a writer… ask ReviewAgent for feedback when done.",
        llm=llm,
        tools=[write_report],
        can_handoff_to=["ResearchAgent"],
    )
    agent_workflow = AgentWorkflow(
        agents=[research_agent, write_agent],
        root_agent=research_agent.name,
        initial_state={
            "research_notes": {},
            "report_content": "Not written yet.",
            "review": "Review required.",
        },
    )
    script(
        tool_call("record_notes", '{"notes": "Tim Berners-Lee, 1989, CERN.", "notes_title": "origins"}'),
        tool_call("handoff", '{"to_agent": "WriteAgent", "reason": "the notes are ready"}'),
        tool_call("write_report", '{"report_content": "# The web\\nBorn at CERN in 1989."}'),
        "The report is written.",
    )
    before = conversations(llm)
    handler = agent_workflow.run(user_msg="Write me a report on the history of the web …")
    agents, tools = [], []
    async for ev in handler.stream_events():
        if isinstance(ev, AgentOutput):
            agents.append(ev.current_agent_name)
        elif isinstance(ev, ToolCallResult):
            tools.append((ev.tool_name, str(ev.tool_output)))
    resp = await handler
    assert [name for name, _ in tools] == ["record_notes", "handoff", "write_report"]
    assert "WriteAgent" in tools[1][1]  # the hand-off tool's result names the new agent
    assert agents[0] == "ResearchAgent" and agents[-1] == "WriteAgent"
    state = await handler.ctx.store.get("state")
    assert state["research_notes"] == {"origins": "Tim Berners-Lee, 1989, CERN."}
    assert state["report_content"] == "# The web\nBorn at CERN in 1989."
    assert "The report is written." in str(resp)
    assert conversations(llm) - before  # the run's turns are on the server
