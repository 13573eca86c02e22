"""Chat engine, ``CondenseQuestionChatEngine`` with a custom prompt and an existing history.

Source: run-llama/llama_index,
docs/src/content/docs/framework/module_guides/deploying/chat_engines/usage_pattern.mdx
("Low-Level Composition API": ``custom_prompt``, ``custom_chat_history``,
``CondenseQuestionChatEngine.from_defaults(query_engine=..., condense_question_prompt=..., chat_history=...,
verbose=True)``). Changed: the LLM, the embeddings, and a scripted condensed question (the offline responder
echoes instead of rewriting).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from llama_ecosystem import ESSAY, branch, conversations
from llama_index.core import PromptTemplate, Settings, VectorStoreIndex
from llama_index.core.chat_engine import CondenseQuestionChatEngine
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.llms import ChatMessage, MessageRole

from llama_index_chatroutes import ChatRoutes

pytestmark = pytest.mark.integration

custom_prompt = PromptTemplate(
    """\
Given a conversation (between Human and Assistant) and a follow up message from Human, \
rewrite the message to be a standalone question that captures all relevant context \
from the conversation.

<Chat History>
{chat_history}

<Follow Up Message>
{question}

<Standalone question>
"""
)

# list of `ChatMessage` objects
custom_chat_history = [
    ChatMessage(
        role=MessageRole.USER,
        content="Hello assistant, we are having a insightful discussion about Paul Graham today.",
    ),
    ChatMessage(role=MessageRole.ASSISTANT, content="Okay, sounds good."),
]


def test_the_condensed_question_is_what_the_query_engine_answers(
    llm: ChatRoutes, embed_model: MockEmbedding, script: Callable[..., None]
) -> None:
    Settings.llm, Settings.embed_model = llm, embed_model
    index = VectorStoreIndex.from_documents(ESSAY)
    query_engine = index.as_query_engine()
    chat_engine = CondenseQuestionChatEngine.from_defaults(
        query_engine=query_engine,
        condense_question_prompt=custom_prompt,
        chat_history=custom_chat_history,
        verbose=True,
    )
    script("What did Paul Graham do in college?")  # the model's rewrite of the follow-up
    before = conversations(llm)
    response = chat_engine.chat("What did he do in college?")
    new = conversations(llm) - before
    held = {c: branch(llm, c) for c in new}
    condense = next(c for c, msgs in held.items() if "<Follow Up Message>" in msgs[0][1])
    assert "we are having a insightful discussion about Paul Graham today" in held[condense][0][1]
    answer = next(c for c in new if c != condense)
    # the query engine was asked the condensed question, with the retrieved text, and its answer is returned
    assert "What did Paul Graham do in college?" in held[answer][0][1]
    assert "studied philosophy" in held[answer][0][1] or "Growing up" in held[answer][0][1]
    assert str(response) == held[answer][-1][1]
    assert [m.content for m in chat_engine.chat_history][-2] == "What did he do in college?"
