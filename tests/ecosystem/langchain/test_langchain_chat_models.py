"""Chat-model how-tos from the LangChain docs and docstrings, with the model swapped for ``ChatChatRoutes``.

Sources:
- langchain-ai/docs, src/oss/langchain/models.mdx: "Stream", "Batch", "Structured output" (``Movie`` as a
  pydantic model, a TypedDict and a JSON schema; ``include_raw=True``), "Token usage"
  (``UsageMetadataCallbackHandler`` and ``get_usage_metadata_callback``);
- langchain-ai/langchain, libs/core/langchain_core/messages/utils.py, ``trim_messages`` docstring
  (``token_counter=`` the chat model, ``strategy="last"``, ``include_system=True``);
- langchain-ai/langchain, libs/core/langchain_core/runnables/base.py, ``Runnable.with_fallbacks`` and
  ``Runnable.with_retry`` docstrings; langchain-ai/langchain docs/docs/how_to/fallbacks.ipynb (a chat
  model falling back to another on a rate limit, the primary built with ``max_retries=0``);
- langchain-ai/langchain, libs/core/langchain_core/callbacks/base.py, a ``BaseCallbackHandler`` whose
  ``on_llm_new_token`` sees each streamed token.
"""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from _lc_support import chat_model, ref, schema_sent, sends, stored
from langchain_core.callbacks import (
    BaseCallbackHandler,
    UsageMetadataCallbackHandler,
    get_usage_metadata_callback,
)
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, trim_messages
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from chatroutes_core import RateLimitError, ServerError
from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration


def test_stream_yields_chunks_that_add_up_to_the_message(server: LocalServer) -> None:
    model = chat_model(server)  # was: init_chat_model("gpt-5.4")
    full = None
    texts = []
    for chunk in model.stream("Why do parrots have colorful feathers?"):
        texts.append(chunk.text)
        full = chunk if full is None else full + chunk
    assert full is not None and len(texts) > 2
    assert full.text == "".join(texts) and "Why do parrots have colorful feathers?" in full.text
    assert full.usage_metadata is not None and full.usage_metadata["total_tokens"] > 0
    assert ref(full)["message_id"] == full.id  # the assembled message knows its place in the tree


def test_batch_and_max_concurrency(server: LocalServer) -> None:
    model = chat_model(server)
    questions = [
        "Why do parrots have colorful feathers?",
        "How do airplanes fly?",
        "What is quantum computing?",
    ]
    responses = model.batch(questions, config={"max_concurrency": 5})
    assert [q in str(r.content) for q, r in zip(questions, responses, strict=True)] == [True] * 3
    assert len({ref(r)["conversation_id"] for r in responses}) == 3  # three independent conversations
    assert sends(server) == 3
    done = dict(model.batch_as_completed(questions))
    assert sorted(done) == [0, 1, 2] and questions[1] in str(done[1].content)


class Movie(BaseModel):
    """A movie with details."""

    title: str = Field(..., description="The title of the movie")
    year: int = Field(..., description="The year the movie was released")
    director: str = Field(..., description="The director of the movie")
    rating: float = Field(..., description="The movie's rating out of 10")


class MovieDict(TypedDict):
    """A movie with details."""

    title: Annotated[str, ..., "The title of the movie"]
    year: Annotated[int, ..., "The year the movie was released"]
    director: Annotated[str, ..., "The director of the movie"]
    rating: Annotated[float, ..., "The movie's rating out of 10"]


json_schema = {
    "title": "Movie",
    "description": "A movie with details",
    "type": "object",
    "properties": {
        "title": {"type": "string", "description": "The title of the movie"},
        "year": {"type": "integer", "description": "The year the movie was released"},
        "director": {"type": "string", "description": "The director of the movie"},
        "rating": {"type": "number", "description": "The movie's rating out of 10"},
    },
    "required": ["title", "year", "director", "rating"],
}

INCEPTION = '{"title": "Inception", "year": 2010, "director": "Christopher Nolan", "rating": 8.8}'
EXPECTED = {"title": "Inception", "year": 2010, "director": "Christopher Nolan", "rating": 8.8}


@pytest.mark.parametrize(
    "schema", [Movie, MovieDict, json_schema], ids=["pydantic", "typeddict", "json_schema"]
)
def test_with_structured_output(server: LocalServer, schema: Any) -> None:
    model = chat_model(server)
    server.script(None, INCEPTION)
    method = {"method": "json_schema"} if isinstance(schema, dict) else {}
    model_with_structure = model.with_structured_output(schema, **method)
    response = model_with_structure.invoke("Provide details about the movie Inception")
    assert (response.model_dump() if isinstance(response, BaseModel) else response) == EXPECTED
    assert isinstance(response, Movie) == (schema is Movie)


def test_with_structured_output_include_raw(server: LocalServer) -> None:
    model = chat_model(server)
    server.script(None, INCEPTION)
    response = model.with_structured_output(Movie, include_raw=True).invoke(
        "Provide details about the movie Inception"
    )
    assert set(response) == {"raw", "parsed", "parsing_error"} and response["parsing_error"] is None
    assert response["parsed"] == Movie(**EXPECTED) and isinstance(response["raw"], AIMessage)
    (role, turn), _ = stored(server, response["raw"])
    assert role == "user"
    assert set(schema_sent(turn)["properties"]) == {
        "title",
        "year",
        "director",
        "rating",
    }  # reached the model
    server.script(None, "not JSON at all")
    failed = model.with_structured_output(Movie, include_raw=True).invoke(
        "Provide details about the movie Inception"
    )
    assert failed["parsed"] is None and failed["parsing_error"] is not None and failed["raw"].content


def test_token_usage_callbacks(server: LocalServer) -> None:
    model_1 = chat_model(server)  # was: init_chat_model(model="gpt-5.4-mini")
    model_2 = chat_model(server, model="claude-3-5-haiku-latest")  # was: "claude-haiku-4-5-20251001"
    callback = UsageMetadataCallbackHandler()
    result_1 = model_1.invoke("Hello", config={"callbacks": [callback]})
    result_2 = model_2.invoke("Hello", config={"callbacks": [callback]})
    usage = callback.usage_metadata
    assert len(usage) == 2  # one entry per resolved model name
    assert sum(u["total_tokens"] for u in usage.values()) == (
        result_1.usage_metadata["total_tokens"] + result_2.usage_metadata["total_tokens"]  # type: ignore[index]
    )
    with get_usage_metadata_callback() as cb:
        model_1.invoke("Hello")
        model_2.invoke("Hello")
        assert len(cb.usage_metadata) == 2 and all(u["output_tokens"] > 0 for u in cb.usage_metadata.values())


def test_a_callback_handler_sees_each_streamed_token(server: LocalServer) -> None:
    class TokenCollector(BaseCallbackHandler):
        def __init__(self) -> None:
            self.tokens: list[str] = []

        def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
            self.tokens.append(token)

    handler = TokenCollector()
    message = chat_model(server, streaming=True).invoke("Tell me a story", config={"callbacks": [handler]})
    assert len(handler.tokens) > 2 and "".join(handler.tokens) == message.content


def test_trim_messages_with_the_model_as_token_counter(server: LocalServer) -> None:
    model = chat_model(server)  # was: ChatOpenAI(model="gpt-5.5")
    messages = [
        SystemMessage("you're a good assistant, you always respond with a joke."),
        HumanMessage("i wonder why it's called langchain"),
        AIMessage(
            'Well, I guess they thought "WordRope" and "SentenceString" just '
            "didn't have the same ring to it!"
        ),
        HumanMessage("and who is harrison chasing anyways"),
        AIMessage(
            "Hmmm let me think.\n\nWhy, he's probably chasing after the last cup of coffee in the office!"
        ),
        HumanMessage("what do you call a speechless parrot"),
    ]
    trimmed = trim_messages(
        messages,
        max_tokens=45,
        strategy="last",
        token_counter=model,
        start_on="human",
        include_system=True,
        allow_partial=False,
    )
    # The docstring's output with ChatOpenAI's real tokenizer: the system message and the last question.
    assert trimmed == [messages[0], messages[5]]
    reply = model.invoke(trimmed)
    transcript = stored(server, reply)[0][1]
    assert (
        "speechless parrot" in transcript and "harrison" not in transcript
    )  # the model got the trimmed list


def test_with_fallbacks_on_a_rate_limit(server: LocalServer) -> None:
    openai_llm = chat_model(server, max_retries=0)  # was: ChatOpenAI(max_retries=0)
    anthropic_llm = chat_model(server, model="claude-sonnet-4-5")  # was: ChatAnthropic()
    llm = openai_llm.with_fallbacks([anthropic_llm])
    server.inject(429, method="POST", path="/messages$")
    with pytest.raises(RateLimitError):
        openai_llm.invoke("Why did the chicken cross the road?")
    server.inject(429, method="POST", path="/messages$")
    reply = llm.invoke("Why did the chicken cross the road?")
    assert reply.response_metadata["model_name"].startswith("claude-sonnet-4-5")


def test_with_retry_resends_after_a_failure_without_duplicates(server: LocalServer) -> None:
    model = chat_model(server, max_retries=0)
    server.inject(503, method="POST", path="/messages$")
    with pytest.raises(ServerError):
        model.invoke("hello")
    server.inject(503, method="POST", path="/messages$")
    reply = model.with_retry(stop_after_attempt=2, retry_if_exception_type=(ServerError,)).invoke("hello")
    assert "hello" in str(reply.content)
    assert server.count_messages(ref(reply)["conversation_id"]) == 2  # the failed attempt stored nothing
