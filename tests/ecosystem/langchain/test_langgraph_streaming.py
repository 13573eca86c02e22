"""LangGraph streaming in every stream mode, and ``astream_events``, with the model swapped (ChatChatRoutes).

Sources:
- langchain-ai/docs, src/oss/langgraph/streaming.mdx: the ``refine_topic``/``generate_joke`` graph streamed
  with ``stream_mode`` ``"values"``, ``"updates"``, ``"messages"`` (LLM tokens with their metadata),
  ``"custom"`` (``get_stream_writer``), ``"debug"`` and several modes at once;
- langchain-ai/langchain, libs/core/langchain_core/runnables/base.py, ``Runnable.astream_events`` docstring
  (``version="v2"``: ``on_chat_model_start``/``_stream``/``_end``), run over the same graph.
"""

from __future__ import annotations

import pytest
from _lc_support import chat_model, ref, sends, stored
from langchain_core.messages import AIMessageChunk
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict

from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration

JOKE = "Why did the ice cream cat sit in the freezer? To stay cool and collected, naturally."


class State(TypedDict):
    topic: str
    joke: str


def _graph(server: LocalServer):  # type: ignore[no-untyped-def]
    model = chat_model(server)  # was: init_chat_model(model="openai:gpt-4o-mini")

    def refine_topic(state: State) -> dict[str, str]:
        return {"topic": state["topic"] + " and cats"}

    def generate_joke(state: State) -> dict[str, str]:
        writer = get_stream_writer()
        writer({"custom_key": "Generating a joke"})
        model_response = model.invoke(
            [{"role": "user", "content": f"Generate a joke about {state['topic']}"}]
        )
        return {"joke": str(model_response.content)}

    return (
        StateGraph(State)
        .add_node(refine_topic)
        .add_node(generate_joke)
        .add_edge(START, "refine_topic")
        .add_edge("refine_topic", "generate_joke")
        .add_edge("generate_joke", END)
        .compile()
    )


def test_values_and_updates(server: LocalServer) -> None:
    graph = _graph(server)
    server.script(None, JOKE, JOKE)
    values = list(graph.stream({"topic": "ice cream"}, stream_mode="values"))
    assert values == [
        {"topic": "ice cream"},
        {"topic": "ice cream and cats"},
        {"topic": "ice cream and cats", "joke": JOKE},
    ]
    updates = list(graph.stream({"topic": "ice cream"}, stream_mode="updates"))
    assert updates == [{"refine_topic": {"topic": "ice cream and cats"}}, {"generate_joke": {"joke": JOKE}}]
    assert sends(server) == 2


def test_messages_mode_streams_the_model_tokens_with_metadata(server: LocalServer) -> None:
    graph = _graph(server)
    server.script(None, JOKE)
    pieces = []
    for message_chunk, metadata in graph.stream({"topic": "ice cream"}, stream_mode="messages"):
        assert isinstance(message_chunk, AIMessageChunk) and metadata["langgraph_node"] == "generate_joke"
        if message_chunk.content:
            pieces.append(message_chunk.content)
    assert len(pieces) > 3 and "".join(pieces) == JOKE  # token by token, and whole
    assert sends(server) == 1


def test_custom_debug_and_several_modes_at_once(server: LocalServer) -> None:
    graph = _graph(server)
    server.script(None, JOKE, JOKE)
    assert list(graph.stream({"topic": "ice cream"}, stream_mode="custom")) == [
        {"custom_key": "Generating a joke"}
    ]
    debug = list(graph.stream({"topic": "ice cream"}, stream_mode="debug"))
    kinds = [event["type"] for event in debug]
    assert "task" in kinds and "task_result" in kinds
    results = [
        e["payload"] for e in debug if e["type"] == "task_result" and e["payload"]["name"] == "generate_joke"
    ]
    assert results and dict(results[0]["result"]) == {"joke": JOKE}
    server.script(None, JOKE)
    modes = [
        mode
        for mode, _ in graph.stream({"topic": "ice cream"}, stream_mode=["updates", "custom", "messages"])
    ]
    assert {"updates", "custom", "messages"} <= set(modes)


async def test_astream_events_reports_the_chat_model_run(server: LocalServer) -> None:
    graph = _graph(server)
    server.script(None, JOKE)
    events = [event async for event in graph.astream_events({"topic": "ice cream"}, version="v2")]
    names = [event["event"] for event in events]
    assert names.count("on_chat_model_start") == 1 and names.count("on_chat_model_end") == 1
    streamed = "".join(
        str(e["data"]["chunk"].content) for e in events if e["event"] == "on_chat_model_stream"
    )
    assert streamed == JOKE
    end = next(e for e in events if e["event"] == "on_chat_model_end")
    output = end["data"]["output"]
    assert output.usage_metadata["output_tokens"] > 0  # usage reaches the event
    assert stored(server, output)[-1] == ("assistant", JOKE) and ref(output)["message_id"] == output.id
