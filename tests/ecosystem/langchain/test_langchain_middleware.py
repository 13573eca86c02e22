"""``create_agent`` with LangChain's built-in middleware, with only the model swapped for ``ChatChatRoutes``.

Source: repository langchain-ai/docs, src/oss/langchain/middleware/built-in.mdx, sections "Summarization",
"Human-in-the-loop" (``your_read_email_tool``/``your_send_email_tool``, approve then resume), "Model call
limit", "Tool call limit" and "Model fallback". The models' decisions (which tool, when to stop) are scripted
replies, since the offline responder cannot make them.
"""

from __future__ import annotations

import pytest
from _lc_support import chat_model, ref, sends, stored, tool_call
from langchain.agents import create_agent
from langchain.agents.middleware import (
    HumanInTheLoopMiddleware,
    ModelCallLimitMiddleware,
    ModelFallbackMiddleware,
    SummarizationMiddleware,
    ToolCallLimitMiddleware,
)
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration


def your_weather_tool(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def your_calculator_tool(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def test_summarization_replaces_old_turns_by_a_summary_the_model_then_reads(server: LocalServer) -> None:
    agent = create_agent(
        model=chat_model(server),  # was: "gpt-5.4"
        tools=[your_weather_tool, your_calculator_tool],
        middleware=[
            SummarizationMiddleware(
                model=chat_model(server, model="claude-3-5-haiku-latest"),  # was: "gpt-5.4-mini"
                trigger=[("tokens", 3000), ("messages", 6)],
                keep=("messages", 2),
            ),
        ],
        checkpointer=InMemorySaver(),
    )
    config = {"configurable": {"thread_id": "summary"}}
    for text in ["My name is Ada.", "I live in Oslo.", "I like skiing."]:
        agent.invoke({"messages": [HumanMessage(text)]}, config)
    server.script(None, "Ada lives in Oslo and likes skiing.")  # the summary model's reply
    result = agent.invoke({"messages": [HumanMessage("What do you know about me?")]}, config)
    messages = result["messages"]
    assert messages[0].content.startswith("Here is a summary of the conversation to date:")
    assert "Ada lives in Oslo and likes skiing." in messages[0].content
    assert len(messages) < 8  # the older turns are gone from the state
    final = messages[-1]
    sent = stored(server, final)
    assert "Here is a summary of the conversation to date" in sent[0][1]  # the model was given the summary
    assert "What do you know about me?" in sent[-2][1]


def your_read_email_tool(email_id: str) -> str:
    """Mock function to read an email by its ID."""
    return f"Email content for ID: {email_id}"


def your_send_email_tool(recipient: str, subject: str, body: str) -> str:
    """Mock function to send an email."""
    return f"Email sent to {recipient} with subject '{subject}'"


def test_human_in_the_loop_interrupts_before_the_tool_and_resumes_on_approval(server: LocalServer) -> None:
    agent = create_agent(
        model=chat_model(server),
        tools=[your_read_email_tool, your_send_email_tool],
        checkpointer=InMemorySaver(),
        middleware=[
            HumanInTheLoopMiddleware(
                interrupt_on={
                    "your_send_email_tool": {"allowed_decisions": ["approve", "edit", "reject"]},
                    "your_read_email_tool": False,
                }
            ),
        ],
    )
    server.script(
        None,
        tool_call("your_send_email_tool", recipient="bob@example.com", subject="Hi", body="Lunch?"),
        "I sent Bob the email.",
    )
    config = {"configurable": {"thread_id": "hitl"}}
    paused = agent.invoke({"messages": [HumanMessage("Email Bob to ask about lunch")]}, config)
    [interrupt] = paused["__interrupt__"]
    [request] = interrupt.value["action_requests"]
    assert request["name"] == "your_send_email_tool" and request["args"]["recipient"] == "bob@example.com"
    assert not any(isinstance(m, ToolMessage) for m in paused["messages"])  # nothing sent yet
    server.reset_requests()
    done = agent.invoke(Command(resume={"decisions": [{"type": "approve"}]}), config)
    tool_result = next(m for m in done["messages"] if isinstance(m, ToolMessage))
    assert tool_result.content == "Email sent to bob@example.com with subject 'Hi'"
    assert done["messages"][-1].content == "I sent Bob the email."
    assert sends(server) == 1  # the resumed step continues the same branch in one request
    assert "Email sent to bob@example.com" in stored(server, done["messages"][-1])[-2][1]


def test_model_call_limit_ends_the_run(server: LocalServer) -> None:
    agent = create_agent(
        model=chat_model(server),
        checkpointer=InMemorySaver(),
        tools=[your_weather_tool],
        middleware=[ModelCallLimitMiddleware(thread_limit=10, run_limit=5, exit_behavior="end")],
    )
    server.script(None, *[tool_call("your_weather_tool", city=f"City {i}") for i in range(8)])
    result = agent.invoke(
        {"messages": [HumanMessage("Weather everywhere")]}, {"configurable": {"thread_id": "l"}}
    )
    assert sends(server) == 5  # five model calls, then the middleware ends the run
    assert sum(isinstance(m, ToolMessage) for m in result["messages"]) == 5
    assert "limit" in str(result["messages"][-1].content).lower()


def search(query: str) -> str:
    """Search the web."""
    return f"results for {query}"


def query_database(sql: str) -> str:
    """Query the database."""
    return "3 rows"


def test_tool_call_limit_blocks_the_call_over_the_limit_and_the_model_sees_why(server: LocalServer) -> None:
    agent = create_agent(
        model=chat_model(server),
        tools=[search, query_database],
        middleware=[
            ToolCallLimitMiddleware(thread_limit=20, run_limit=10),
            ToolCallLimitMiddleware(tool_name="search", thread_limit=5, run_limit=3),
        ],
    )
    server.script(None, *[tool_call("search", query=f"q{i}") for i in range(4)], "Done searching.")
    result = agent.invoke({"messages": [HumanMessage("Search four times")]})
    results = [m for m in result["messages"] if isinstance(m, ToolMessage)]
    assert [m.content for m in results[:3]] == ["results for q0", "results for q1", "results for q2"]
    assert results[3].status == "error" and "limit" in str(results[3].content).lower()
    assert result["messages"][-1].content == "Done searching."
    assert "limit" in stored(server, result["messages"][-1])[-2][1].lower()  # the block reached the model


def test_model_fallback_uses_the_next_model_when_the_first_fails(server: LocalServer) -> None:
    agent = create_agent(
        model=chat_model(server),  # was: "gpt-5.4"
        tools=[],
        middleware=[
            ModelFallbackMiddleware(
                chat_model(server, model="claude-sonnet-4-5"),  # was: "gpt-5.4-mini"
                chat_model(server, model="claude-3-5-haiku-latest"),  # was: "claude-3-5-sonnet-20241022"
            ),
        ],
    )
    server.inject(503, method="POST", path="/messages$")  # the primary model's send fails once
    result = agent.invoke({"messages": [HumanMessage("Hello")]})
    reply = result["messages"][-1]
    assert isinstance(reply, AIMessage) and reply.response_metadata["model_name"].startswith(
        "claude-sonnet-4-5"
    )
    assert ref(reply)["conversation_id"] and sends(server) == 2  # the failed send, then the fallback's
