"""AutoBranchSelector(detector=<LlamaIndex LLM>): the LLM finds the parts through structured output, spans
are checked against the query, and the offline patterns stand in when it fails.

The LLMs are scripted fakes: ``ScriptedLLM`` (a small ``CustomLLM`` that answers its scripted replies and
records its prompts) and LlamaIndex's ``MockLLM`` (which echoes the prompt, so never valid JSON).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from llama_index.core.llms import CompletionResponse, CustomLLM, LLMMetadata, MockLLM
from llama_index.core.llms.callbacks import llm_completion_callback
from llama_index.core.schema import QueryBundle
from llama_index.core.tools import ToolMetadata

from chatroutes_core.autobranch import DETECTION_PROMPT, detect
from llama_index_chatroutes.selector import AutoBranchSelector

QUERY = "Our export to PDF stopped working. Do you have a student discount?"
BUG, SALE = "Our export to PDF stopped working", "Do you have a student discount?"
CHOICES = [
    ToolMetadata(name="bugs", description="bug reports: the export, PDF files, something stopped working"),
    ToolMetadata(name="sales", description="student discount, prices and plans"),
]


class ScriptedLLM(CustomLLM):
    """A scripted fake LLM: answers its replies in order and records every prompt."""

    replies: list[str] = []  # noqa: RUF012 (a pydantic field)
    prompts: list[str] = []  # noqa: RUF012

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="scripted-llm")

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        self.prompts.append(prompt)
        return CompletionResponse(text=self.replies.pop(0))

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
        raise NotImplementedError


def answer(*triggers: str, **fields: Any) -> str:
    points = [
        {"kind": "multi_intent", "title": t[:20], "triggerText": t, "start": QUERY.index(t),
         "end": QUERY.index(t) + len(t), "confidence": 0.9, **fields}
        for t in triggers
    ]  # fmt: skip
    return json.dumps({"branchPoints": points})


def test_the_patterns_alone_select_one_choice() -> None:
    assert detect(QUERY) == []
    assert len(AutoBranchSelector().select(CHOICES, QueryBundle(QUERY)).selections) == 1


def test_an_llm_detects_both_requests_with_one_structured_call() -> None:
    llm = ScriptedLLM(replies=[answer(BUG, SALE)], prompts=[])
    result = AutoBranchSelector(detector=llm).select(CHOICES, QueryBundle(QUERY))
    assert sorted(s.index for s in result.selections) == [0, 1]
    assert all(s.reason.endswith("detector: model:scripted-llm") for s in result.selections)
    [prompt] = llm.prompts  # one LLM call per selection
    assert DETECTION_PROMPT in prompt and QUERY in prompt


async def test_async_select_uses_the_llm_too() -> None:
    llm = ScriptedLLM(replies=[answer(BUG, SALE)], prompts=[])
    result = await AutoBranchSelector(detector=llm).aselect(CHOICES, QueryBundle(QUERY))
    assert sorted(s.index for s in result.selections) == [0, 1]
    assert len(llm.prompts) == 1


@pytest.mark.parametrize(
    ("llm", "reason"),
    [
        (
            lambda: ScriptedLLM(replies=[answer(BUG, start=1)], prompts=[]),
            "none of the model's 1 branch points",
        ),
        (lambda: MockLLM(), "the model failed"),  # echoes the prompt: not the JSON asked for
    ],
)
def test_the_patterns_stand_in_for_a_bad_answer(llm: Any, reason: str) -> None:
    text = "I need help with billing and also have a technical question about the API"
    choices = [ToolMetadata(name="billing", description="billing and invoices"),
               ToolMetadata(name="tech", description="technical questions about the API")]  # fmt: skip
    result = AutoBranchSelector(detector=llm()).select(choices, QueryBundle(text))
    assert sorted(s.index for s in result.selections) == [0, 1]  # the patterns' two intents
    assert all("detector: local (fallback: " in s.reason and reason in s.reason for s in result.selections)
