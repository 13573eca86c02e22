"""``create_agent`` examples from the LangChain docs, with only the model swapped for ``ChatChatRoutes``.

Sources (repository langchain-ai/docs):
- src/oss/langchain/quickstart.mdx, "Build a basic agent" (``get_weather`` tool, ``system_prompt``);
- src/oss/langchain/structured-output.mdx, "Provider strategy" (``ContactInfo`` as a pydantic model, a
  TypedDict and a JSON schema, passed directly: the auto strategy) and "Tool calling strategy"
  (``ToolStrategy(ProductReview)``).
"""

from __future__ import annotations

from typing import Literal

import pytest
from _lc_support import chat_model, schema_sent, sends, stored, tool_call
from langchain.agents import create_agent
from langchain.agents.structured_output import ProviderStrategy, ToolStrategy
from langchain_core.messages import AIMessage, ToolMessage
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration


def get_weather(city: str) -> str:
    """Get weather for a given city."""
    return f"It's always sunny in {city}!"


def test_quickstart_basic_agent_calls_the_tool_and_answers_from_its_result(server: LocalServer) -> None:
    agent = create_agent(
        model=chat_model(server),  # was: model="claude-sonnet-4-5-20250929"
        tools=[get_weather],
        system_prompt="You are a helpful assistant",
    )
    result = agent.invoke({"messages": [{"role": "user", "content": "what is the weather in sf"}]})
    messages = result["messages"]
    calls = [call for m in messages if isinstance(m, AIMessage) for call in m.tool_calls]
    assert [(c["name"], c["args"]) for c in calls] == [("get_weather", {"city": "sf"})]
    tool_result = next(m for m in messages if isinstance(m, ToolMessage))
    assert tool_result.content == "It's always sunny in sf!"
    assert "It's always sunny in sf!" in str(messages[-1].content)  # the answer used the tool's result
    first = stored(server, messages[-1])[0][1]
    assert "You are a helpful assistant" in first and '"name": "get_weather"' in first
    assert sends(server) == 2  # one request per model step


class ContactInfo(BaseModel):
    """Contact information for a person."""

    name: str = Field(description="The name of the person")
    email: str = Field(description="The email address of the person")
    phone: str = Field(description="The phone number of the person")


class ContactInfoDict(TypedDict):
    """Contact information for a person."""

    name: str  # The name of the person
    email: str  # The email address of the person
    phone: str  # The phone number of the person


contact_info_schema = {
    "type": "object",
    "description": "Contact information for a person.",
    "properties": {
        "name": {"type": "string", "description": "The name of the person"},
        "email": {"type": "string", "description": "The email address of the person"},
        "phone": {"type": "string", "description": "The phone number of the person"},
    },
    "required": ["name", "email", "phone"],
    "title": "ContactInfo",
}

JOHN = {"name": "John Doe", "email": "john@example.com", "phone": "(555) 123-4567"}
QUESTION = "Extract contact info from: John Doe, john@example.com, (555) 123-4567"


@pytest.mark.parametrize("flavour", ["pydantic", "typeddict", "json_schema", "explicit ProviderStrategy"])
def test_structured_output_provider_strategy(server: LocalServer, flavour: str) -> None:
    schema: object = {
        "pydantic": ContactInfo,
        "typeddict": ContactInfoDict,
        "json_schema": contact_info_schema,
        "explicit ProviderStrategy": ProviderStrategy(ContactInfo),
    }[flavour]
    server.script(None, '{"name": "John Doe", "email": "john@example.com", "phone": "(555) 123-4567"}')
    agent = create_agent(model=chat_model(server), tools=[get_weather], response_format=schema)  # type: ignore[call-overload]
    result = agent.invoke({"messages": [{"role": "user", "content": QUESTION}]})
    structured = result["structured_response"]
    assert (structured.model_dump() if isinstance(structured, BaseModel) else structured) == JOHN
    (role, turn), _ = stored(server, result["messages"][-1])
    sent = schema_sent(turn)  # the schema reached the model: read back from the server
    assert role == "user" and set(sent["properties"]) == {"name", "email", "phone"}
    assert QUESTION in turn


class ProductReview(BaseModel):
    """Analysis of a product review."""

    rating: int | None = Field(description="The rating of the product", ge=1, le=5)
    sentiment: Literal["positive", "negative"] = Field(description="The sentiment of the review")
    key_points: list[str] = Field(description="The key points of the review. Lowercase, 1-3 words each.")


def test_structured_output_tool_strategy(server: LocalServer) -> None:
    server.script(
        None,
        tool_call("ProductReview", rating=5, sentiment="positive", key_points=["fast shipping", "expensive"]),
    )
    agent = create_agent(
        model=chat_model(server), tools=[get_weather], response_format=ToolStrategy(ProductReview)
    )
    result = agent.invoke(
        {
            "messages": [
                {
                    "role": "user",
                    "content": "Analyze this review: "
                    "'Great product: 5 out of 5 stars. Fast shipping, but expensive'",
                }
            ]
        }
    )
    assert result["structured_response"] == ProductReview(
        rating=5, sentiment="positive", key_points=["fast shipping", "expensive"]
    )
    ai = next(m for m in result["messages"] if isinstance(m, AIMessage))
    assert ai.tool_calls[0]["name"] == "ProductReview"
    declared = stored(server, ai)[0][1]
    assert (
        '"name": "ProductReview"' in declared and "key_points" in declared
    )  # the schema, as a declared tool
