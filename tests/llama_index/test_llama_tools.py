"""Tool calling: ChatRoutes as a FunctionCallingLLM over the <tool_call> protocol, agents on one branch."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from llama_index.core.agent.workflow import AgentWorkflow, FunctionAgent, ReActAgent
from llama_index.core.base.llms.types import ToolCallBlock
from llama_index.core.llms import ChatMessage
from llama_index.core.tools import FunctionTool

from chatroutes_core import ChatRoutesClient
from chatroutes_core.server.responders import ResponderRequest
from chatroutes_core.testing import LocalServer
from chatroutes_core.tools import tool_call_id
from llama_index_chatroutes.llm import ChatRoutes


class ScriptedModel:
    """An honest fake model: replies with the queued outputs in order and records what it was given."""

    name = "scripted"

    def __init__(self) -> None:
        self.queue: list[str] = []
        self.seen: list[str] = []

    def script(self, *replies: str) -> None:
        self.queue.extend(replies)

    async def stream(self, request: ResponderRequest) -> AsyncIterator[str]:
        self.seen.append(request.messages[-1].content)
        reply = self.queue.pop(0) if self.queue else "nothing scripted"
        for start in range(0, len(reply), 7):  # in pieces, so tags split across chunks
            yield reply[start : start + 7]


def call(name: str, arguments: str) -> str:
    return f'<tool_call>\n{{"name": "{name}", "arguments": {arguments}}}\n</tool_call>'


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


TOOLS = [FunctionTool.from_defaults(add), FunctionTool.from_defaults(multiply)]


@pytest.fixture(scope="module")
def model() -> ScriptedModel:
    return ScriptedModel()


@pytest.fixture(scope="module")
def server(model: ScriptedModel) -> Iterator[LocalServer]:
    with LocalServer(responder=model) as srv:
        yield srv


@pytest.fixture
def llm(server: LocalServer, model: ScriptedModel) -> ChatRoutes:
    model.queue.clear()
    model.seen.clear()
    return ChatRoutes(api_key=server.api_key, base_url=server.base_url)


@pytest.fixture(scope="module")
def client(server: LocalServer) -> Iterator[ChatRoutesClient]:
    with ChatRoutesClient(api_key=server.api_key, base_url=server.base_url) as c:
        yield c


def sends(server: LocalServer) -> list[str]:
    return [path for method, path in server.requests
            if method == "POST" and path.endswith(("/messages", "/messages/stream"))]


def test_metadata_says_function_calling(llm: ChatRoutes) -> None:
    assert llm.metadata.is_function_calling_model


def test_chat_with_tools_declares_them_and_parses_the_calls(llm: ChatRoutes, model: ScriptedModel) -> None:
    model.script("Adding.\n" + call("add", '{"a": 1, "b": 2}'))
    response = llm.chat_with_tools(TOOLS, user_msg="What is 1 + 2?")
    assert "<tools>" in model.seen[-1] and '"name": "multiply"' in model.seen[-1]
    message_id = response.message.additional_kwargs["chatroutes"]["message_id"]
    [selection] = llm.get_tool_calls_from_response(response)
    assert (selection.tool_id, selection.tool_name, selection.tool_kwargs) == (
        tool_call_id(message_id, 0), "add", {"a": 1, "b": 2}
    )
    assert response.message.content == "Adding."  # the block is not part of the text
    assert llm.get_tool_calls_from_response(llm.chat_with_tools(TOOLS, user_msg="hi"), False) == []
    with pytest.raises(ValueError, match="tool call"):
        llm.get_tool_calls_from_response(llm.chat_with_tools(TOOLS, user_msg="hi again"))


def test_an_invalid_call_is_reported_never_raised(llm: ChatRoutes, model: ScriptedModel) -> None:
    model.script(call("delete_everything", "{}") + "\n<tool_call>\nnot json\n</tool_call>")
    response = llm.chat_with_tools(TOOLS, user_msg="go")
    assert llm.get_tool_calls_from_response(response, error_on_no_tool_call=False) == []
    invalid = response.message.additional_kwargs["invalid_tool_calls"]
    assert [bad["name"] for bad in invalid] == ["delete_everything", None]


def test_tool_results_go_back_as_one_turn_and_the_declaration_is_not_resent(
    llm: ChatRoutes, model: ScriptedModel, server: LocalServer, client: ChatRoutesClient
) -> None:
    model.script(call("add", '{"a": 2, "b": 3}') + "\n" + call("multiply", '{"a": 2, "b": 3}'), "5 and 6")
    history = [ChatMessage(role="user", content="Add and multiply 2 and 3")]
    first = llm.chat_with_tools(TOOLS, chat_history=history, allow_parallel_tool_calls=True)
    calls = llm.get_tool_calls_from_response(first)
    results = [
        ChatMessage(
            role="tool",
            content=str(tool(**c.tool_kwargs).content),
            additional_kwargs={"tool_call_id": c.tool_id},
        )
        for c, tool in zip(calls, TOOLS, strict=True)
    ]
    server.reset_requests()
    final = llm.chat_with_tools(TOOLS, chat_history=[*history, first.message, *results],
                                allow_parallel_tool_calls=True)
    assert len(server.requests) == 1  # the step continues the branch: one request
    assert final.message.content == "5 and 6"
    sent = model.seen[-1]
    assert "<tools>" not in sent  # same tools, same system text: proven, not sent again
    assert sent.count("<tool_response>") == 2 and calls[0].tool_id in sent and '"content": "6"' in sent
    ref = final.message.additional_kwargs["chatroutes"]
    assert ref["branch_id"] == first.message.additional_kwargs["chatroutes"]["branch_id"]
    later = [*history, first.message, *results, final.message, ChatMessage(role="user", content="Only add")]
    changed = llm.chat_with_tools(TOOLS[:1], chat_history=later, allow_parallel_tool_calls=True)
    assert "<tools>" in model.seen[-1] and "multiply" not in model.seen[-1]  # the tools changed: declared
    assert changed.message.additional_kwargs["chatroutes"]["branch_id"] == ref["branch_id"]


def test_stream_chat_with_tools_never_shows_a_partial_tag(llm: ChatRoutes, model: ScriptedModel) -> None:
    model.script("Let me add. " + call("add", '{"a": 4, "b": 4}'))
    chunks = list(llm.stream_chat_with_tools(TOOLS, user_msg="4 + 4?"))
    text = "".join(c.delta or "" for c in chunks)
    assert text == "Let me add." and "<" not in text
    last = chunks[-1].message
    assert last.content == "Let me add."
    assert [b.tool_name for b in last.blocks if isinstance(b, ToolCallBlock)] == ["add"]
    assert llm.get_tool_calls_from_response(chunks[-1])[0].tool_kwargs == {"a": 4, "b": 4}


def test_predict_and_call_runs_the_tool(llm: ChatRoutes, model: ScriptedModel) -> None:
    model.script(call("multiply", '{"a": 6, "b": 7}'))
    assert str(llm.predict_and_call(TOOLS, user_msg="6 times 7?")) == "42"


async def test_async_twins(llm: ChatRoutes, model: ScriptedModel) -> None:
    model.script(call("add", '{"a": 1, "b": 1}'), "plain", "Sure. " + call("add", '{"a": 2, "b": 2}'))
    assert str(await llm.apredict_and_call(TOOLS, user_msg="1 + 1?")) == "2"
    plain = await llm.achat_with_tools(TOOLS, user_msg="no tool")
    assert plain.message.content == "plain" and llm.get_tool_calls_from_response(plain, False) == []
    chunks = [c async for c in await llm.astream_chat_with_tools(TOOLS, user_msg="2 + 2?")]
    assert "".join(c.delta or "" for c in chunks) == "Sure."
    assert llm.get_tool_calls_from_response(chunks[-1])[0].tool_kwargs == {"a": 2, "b": 2}


def _one_branch(client: ChatRoutesClient, conversation_ids: set[str]) -> tuple[str, int]:
    [conversation_id] = conversation_ids
    stored = client.messages.list(conversation_id)
    assert len({m.branch_id for m in stored}) == 1
    return conversation_id, len(stored)


async def test_function_agent_two_tool_steps_cost_three_sends_on_one_branch(
    llm: ChatRoutes, model: ScriptedModel, server: LocalServer, client: ChatRoutesClient
) -> None:
    model.script(call("add", '{"a": 2, "b": 3}'), call("multiply", '{"a": 5, "b": 4}'), "The answer is 20.")
    agent = FunctionAgent(tools=TOOLS, llm=llm, system_prompt="Use the tools.")
    server.reset_requests()
    result = await agent.run(user_msg="Add 2 and 3, then multiply by 4.")
    assert "The answer is 20." in str(result)
    posted = sends(server)
    assert len(posted) == 3
    _, count = _one_branch(client, {path.split("/")[4] for path in posted})
    assert count == 6  # three turns, each with its reply
    assert '"content": "5"' in model.seen[1] and '"content": "20"' in model.seen[2]
    assert "<tools>" in model.seen[0] and "<tools>" not in model.seen[1] + model.seen[2]


async def test_agent_workflow_completes_a_multi_step_run(
    llm: ChatRoutes, model: ScriptedModel, server: LocalServer, client: ChatRoutesClient
) -> None:
    model.script(call("multiply", '{"a": 3, "b": 3}'), call("add", '{"a": 9, "b": 1}'), "It is 10.")
    agent = FunctionAgent(name="calc", description="Does arithmetic.", tools=TOOLS, llm=llm)
    workflow = AgentWorkflow(agents=[agent], root_agent="calc")
    server.reset_requests()
    result = await workflow.run(user_msg="Square 3, then add 1.")
    assert "It is 10." in str(result)
    posted = sends(server)
    assert len(posted) == 3
    _one_branch(client, {path.split("/")[4] for path in posted})


async def test_react_agent_completes_a_multi_step_run(
    llm: ChatRoutes, model: ScriptedModel, server: LocalServer
) -> None:
    model.script(
        'Thought: I need to add.\nAction: add\nAction Input: {"a": 20, "b": 22}',
        'Thought: Now double it.\nAction: multiply\nAction Input: {"a": 42, "b": 2}',
        "Thought: I can answer without using any more tools.\nAnswer: 84",
    )
    agent = ReActAgent(tools=TOOLS, llm=llm)
    result = await agent.run(user_msg="Add 20 and 22, then double it.")
    assert str(result).strip() == "84"
    assert "Observation: 42" in model.seen[1] and "Observation: 84" in model.seen[2]
