"""LangChain test fixtures: a LocalServer whose responder follows JSON instructions, and the vcr config.

The default offline responder echoes the turn, which cannot satisfy a structured-output request. The
standard integration suite therefore runs against a server whose responder behaves like an
instruction-following model for exactly one instruction: when the turn ends with ChatChatRoutes' JSON-schema
instruction, it replies with a JSON object that conforms to that schema (split into several stream pieces);
any other turn gets the ordinary echo reply.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from chatroutes_core.server.responders import EchoResponder, ResponderRequest
from chatroutes_core.testing import LocalServer

SCHEMA_MARKER = "that conforms to this JSON schema:\n"
PLAIN_JSON_MARKER = "Reply with one JSON object only"


def example_for(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> Any:
    """A value that conforms to ``schema`` (the subset of JSON schema pydantic and TypedDicts produce)."""
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return example_for(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [option for option in schema[key] if option.get("type") != "null"]
            return example_for(options[0], defs) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    if kind == "object":
        return {name: example_for(sub, defs) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [example_for(schema.get("items", {"type": "string"}), defs)]
    return {"string": "Why did the cat sit on the computer?", "integer": 7, "number": 7.5,
            "boolean": True, "null": None}.get(kind, "value")


class InstructionFollowingResponder(EchoResponder):
    """Echo replies, except a JSON object conforming to the schema when the turn asks for one."""

    name = "instruction-following"

    def reply(self, request: ResponderRequest) -> str:
        text = request.messages[-1].content if request.messages else ""
        if SCHEMA_MARKER in text:
            schema = json.loads(text.split(SCHEMA_MARKER, 1)[1].splitlines()[0])
            return json.dumps(example_for(schema))
        if PLAIN_JSON_MARKER in text:
            return json.dumps({"reply": "ok"})
        return super().reply(request)

    async def stream(self, request: ResponderRequest) -> AsyncIterator[str]:
        text = self.reply(request)
        for start in range(0, len(text), 7):
            yield text[start : start + 7]


@pytest.fixture(scope="session")
def lc_server() -> Iterator[LocalServer]:
    """A session LocalServer with the instruction-following responder."""
    with LocalServer(responder=InstructionFollowingResponder()) as srv:
        yield srv
