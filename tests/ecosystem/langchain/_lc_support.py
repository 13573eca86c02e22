"""Shared helpers for the LangChain / LangGraph ecosystem examples (``tests/ecosystem/langchain/``).

Every example swaps only the model line (``ChatChatRoutes`` against a :class:`LocalServer`), embeddings (an
offline keyword fake) and, where the offline responder cannot make the model's decision, scripted replies
(``LocalServer.script``). What the server stored is read back with :func:`stored`, so a test can assert what
the model was actually given.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import AsyncIterator
from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_core.messages import BaseMessage

from chatroutes_core import ChatRoutesClient
from chatroutes_core.server.responders import EchoResponder, ResponderRequest
from chatroutes_core.testing import LocalServer
from langchain_chatroutes import ChatChatRoutes

SCHEMA_MARKER = "that conforms to this JSON schema:\n"


def tool_call(name: str, **arguments: object) -> str:
    """A model output that calls ``name`` (the ``<tool_call>`` protocol, docs/tools.md)."""
    return "<tool_call>\n" + json.dumps({"name": name, "arguments": arguments}) + "\n</tool_call>"


def chat_model(server: LocalServer, **fields: Any) -> ChatChatRoutes:
    """The one line each example changes: its model, as ``ChatChatRoutes`` on the local server."""
    return ChatChatRoutes(api_key=server.api_key, base_url=server.base_url, **fields)


def ref(message: BaseMessage) -> dict[str, str]:
    """The ChatRoutes place of a reply (``response_metadata["chatroutes"]``)."""
    value = message.response_metadata["chatroutes"]
    assert isinstance(value, dict)
    return value


def stored(server: LocalServer, message: BaseMessage) -> list[tuple[str, str]]:
    """``(role, content)`` of every message on the reply's branch, read back from the server."""
    where = ref(message)
    with ChatRoutesClient(api_key=server.api_key, base_url=server.base_url) as client:
        history = client.branches.get_history(where["conversation_id"], where["branch_id"])
    return [(m.role, m.content) for m in history]


def sends(server: LocalServer) -> int:
    """Message sends (plain or streamed) the server received since its last ``reset_requests``."""
    return sum(
        1
        for method, path in server.requests
        if method == "POST" and path.endswith(("/messages", "/messages/stream"))
    )


def schema_sent(text: str) -> dict[str, Any]:
    """The JSON schema ChatChatRoutes' instruction carried in a stored user turn."""
    assert SCHEMA_MARKER in text, text
    return json.loads(text.split(SCHEMA_MARKER, 1)[1].splitlines()[0])  # type: ignore[no-any-return]


def _example(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    if "$ref" in schema:
        return _example(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"]
            return _example(options[0], defs) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    kind = next(k for k in kind if k != "null") if isinstance(kind, list) else kind
    if kind == "object":
        return {name: _example(sub, defs) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [_example(schema.get("items", {"type": "string"}), defs)]
    return {"string": "text", "integer": 5, "number": 2.5, "boolean": True}.get(kind)


class SchemaFollowingResponder(EchoResponder):
    """The offline echo, except a JSON object conforming to the schema when the turn asks for one."""

    name = "schema-following"

    def reply(self, request: ResponderRequest) -> str:
        text = request.messages[-1].content if request.messages else ""
        if SCHEMA_MARKER in text:
            schema = json.loads(text.split(SCHEMA_MARKER, 1)[1].splitlines()[0])
            return json.dumps(_example(schema, schema.get("$defs", {})))
        return super().reply(request)

    async def stream(self, request: ResponderRequest) -> AsyncIterator[str]:
        text = self.reply(request)
        for start in range(0, len(text), 9):
            yield text[start : start + 9]


class KeywordEmbeddings(Embeddings):
    """An offline embedding: hashed bag of words, normalised (texts sharing words are near each other)."""

    size = 256

    def _embed(self, text: str) -> list[float]:
        vector = [0.0] * self.size
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            if len(word) > 2:
                vector[sum(map(ord, word)) * 31 % self.size] += 1.0
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._embed(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._embed(text)
