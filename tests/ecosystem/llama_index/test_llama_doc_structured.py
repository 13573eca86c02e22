"""Structured prediction: ``as_structured_llm``, ``structured_predict`` and its streamed/async forms.

Source: run-llama/llama_index, docs/src/content/docs/framework/understanding/extraction/structured_llms.md
(the ``LineItem``/``Invoice`` classes, ``sllm = llm.as_structured_llm(Invoice)``, ``sllm.complete(text)``,
``response.text`` as JSON and ``response.raw`` the object) and structured_prediction.md (the prompt with
``{company_name}``/``{text}``, ``llm.structured_predict(Invoice, prompt, text=text, company_name="Uber")``,
"``astructured_predict`` and streaming (``stream_structured_predict``, ``astream_structured_predict``)").
Changed: the LLM, the receipt text inlined (no PDF), and the model's tool call scripted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import pytest
from llama_ecosystem import tool_call
from llama_index.core.prompts import PromptTemplate
from pydantic import BaseModel, Field

from chatroutes_core.testing import LocalServer
from llama_index_chatroutes import ChatRoutes

pytestmark = pytest.mark.integration


class LineItem(BaseModel):
    """A line item in an invoice."""

    item_name: str = Field(description="The name of this item")
    price: float = Field(description="The price of this item")


class Invoice(BaseModel):
    """A representation of information from an invoice."""

    invoice_id: str = Field(description="A unique identifier for this invoice, often a number")
    date: datetime = Field(description="The date this invoice was created")
    line_items: list[LineItem] = Field(description="A list of all the items in this invoice")


text = "Uber receipt, October 10, 2024 7:49 PM. Trip fare $12.18. Booking Fee $2.00."
INVOICE = {
    "invoice_id": "Uber-2024-10-10",
    "date": "2024-10-10T19:49:00",
    "line_items": [{"item_name": "Trip fare", "price": 12.18}, {"item_name": "Booking Fee", "price": 2.0}],
}
EXPECTED = Invoice.model_validate(INVOICE)
prompt = PromptTemplate(
    "Extract an invoice from the following text. If you cannot find an invoice ID, use the company name "
    "'{company_name}' and the date as the invoice ID: {text}"
)


def _call() -> str:
    return tool_call("Invoice", json.dumps(INVOICE))


def test_a_structured_llm_completes_with_the_object(
    llm: ChatRoutes, script: Callable[..., None], local_server: LocalServer
) -> None:
    sllm = llm.as_structured_llm(Invoice)
    script(_call())
    response = sllm.complete(text)
    assert response.raw == EXPECTED
    assert json.loads(response.text)["invoice_id"] == "Uber-2024-10-10"


def test_structured_predict_plain_and_streamed(llm: ChatRoutes, script: Callable[..., None]) -> None:
    script(_call())
    response = llm.structured_predict(Invoice, prompt, text=text, company_name="Uber")
    assert response == EXPECTED
    script("Here it is.\n" + _call())
    partials = list(llm.stream_structured_predict(Invoice, prompt, text=text, company_name="Uber"))
    assert partials[-1].model_dump() == EXPECTED.model_dump()  # streamed objects come out filled


async def test_structured_predict_async_and_streamed(llm: ChatRoutes, script: Callable[..., None]) -> None:
    script(_call(), _call())
    assert await llm.astructured_predict(Invoice, prompt, text=text, company_name="Uber") == EXPECTED
    stream = await llm.astream_structured_predict(Invoice, prompt, text=text, company_name="Uber")
    partials = [p async for p in stream]
    assert partials[-1].model_dump() == EXPECTED.model_dump()
