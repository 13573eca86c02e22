"""Responders: where replies come from.

A responder turns a :class:`ResponderRequest` (the assembled branch context) into an async stream of text
pieces. The server joins the pieces for a plain send and forwards them one SSE event each for a stream.

- :class:`EchoResponder` (default): deterministic and offline; the reply names the model, the turn, the
  branch and how many prior messages were in context, then echoes the user text, e.g.
  ``[gpt-5 · offline echo] turn 3 on branch 'main', 4 prior messages in context. You said: hi``.
  When the context declares tools (``chatroutes_core.tools``), it stands in for a tool-calling model: it
  calls a declared tool that the user's text names with its arguments, and answers from
  ``<tool_response>`` blocks (rules in :mod:`chatroutes_core.server.offline_tools`). A stand-in, not a model.
- :class:`ScriptedResponder`: one queued reply (``LocalServer.script(...)``), streamed word by word.
- :class:`OpenAICompatibleResponder`: any OpenAI-compatible ``/v1/chat/completions`` endpoint (Ollama,
  vLLM, llama.cpp), always called with ``stream: true``. Tool declarations, calls and results are message
  text and pass through unchanged.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from .context import Turn
from .offline_tools import tool_turn
from .tokens import split_pieces


class ResponderError(Exception):
    """The responder could not produce a reply (reported as 502 or as a stream ``error`` event)."""


@dataclass(frozen=True)
class ResponderRequest:
    model: str  # the alias the caller asked for, e.g. "gpt-5"
    resolved_model: str  # its dated id, e.g. "gpt-5-2025-08-07"
    messages: list[Turn]
    branch_title: str
    turn: int
    prior_count: int
    checkpoint_used: bool = False
    temperature: float | None = None
    max_tokens: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


class Responder(Protocol):
    name: str

    def stream(self, request: ResponderRequest) -> AsyncIterator[str]:
        """Yield the reply in pieces."""
        ...


class EchoResponder:
    """Deterministic offline replies that show the context they were given; a stand-in for tool calls.

    Without tools in the context the reply is the echo line of the module docstring. With a ``<tools>``
    declaration it follows :mod:`chatroutes_core.server.offline_tools`: ``<tool_call>`` blocks when the
    user's text names a tool with its arguments, an answer from ``<tool_response>`` blocks, and otherwise
    the echo line of the user's own text (the declaration left out).
    """

    name = "echo"

    def reply(self, request: ResponderRequest) -> str:
        user_text = request.messages[-1].content if request.messages else ""
        tools = tool_turn(request.messages, request.model)
        if tools is not None:
            if tools.reply is not None:
                return tools.reply
            user_text = tools.user_text
        noun = "message" if request.prior_count == 1 else "messages"
        extra = " (checkpoint summary used)" if request.checkpoint_used else ""
        return (
            f"[{request.model} · offline echo] turn {request.turn} on branch '{request.branch_title}', "
            f"{request.prior_count} prior {noun} in context{extra}. You said: {user_text}"
        )

    async def stream(self, request: ResponderRequest) -> AsyncIterator[str]:
        for piece in split_pieces(self.reply(request)):
            yield piece


class ScriptedResponder:
    """Streams one reply queued by a test (``ServerState.script``): an honest fake model."""

    name = "scripted"

    def __init__(self, text: str) -> None:
        self.text = text

    async def stream(self, request: ResponderRequest) -> AsyncIterator[str]:
        for piece in split_pieces(self.text):
            yield piece


def completions_url(upstream_url: str) -> str:
    """Accept a server root, a ``/v1`` base or the full ``/chat/completions`` URL."""
    url = upstream_url.rstrip("/")
    if url.endswith("/chat/completions"):
        return url
    if url.endswith("/v1"):
        return url + "/chat/completions"
    return url + "/v1/chat/completions"


class OpenAICompatibleResponder:
    """Replies from an OpenAI-compatible chat completions endpoint, streamed."""

    name = "openai"

    def __init__(
        self, upstream_url: str, upstream_model: str, api_key: str | None = None, *, timeout: float = 120.0
    ) -> None:
        self.url = completions_url(upstream_url)
        self.upstream_model = upstream_model
        self._api_key = api_key
        self._timeout = timeout

    def __repr__(self) -> str:  # never show the key
        return f"OpenAICompatibleResponder(url={self.url!r}, model={self.upstream_model!r})"

    def _payload(self, request: ResponderRequest) -> dict[str, object]:
        payload: dict[str, object] = {
            "model": self.upstream_model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "stream": True,
        }
        if request.temperature is not None:
            payload["temperature"] = request.temperature
        if request.max_tokens is not None:
            payload["max_tokens"] = request.max_tokens
        return payload

    async def stream(self, request: ResponderRequest) -> AsyncIterator[str]:
        headers = {"Accept": "text/event-stream"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        try:
            async with (
                httpx.AsyncClient(timeout=self._timeout) as client,
                client.stream("POST", self.url, json=self._payload(request), headers=headers) as response,
            ):
                if response.status_code >= 400:
                    await response.aread()
                    raise ResponderError(f"upstream answered {response.status_code}")
                async for line in response.aiter_lines():
                    piece = _delta(line)
                    if piece is None:
                        break
                    if piece:
                        yield piece
        except httpx.HTTPError as exc:
            raise ResponderError(f"upstream request failed: {type(exc).__name__}") from None


def _delta(line: str) -> str | None:
    """The content of one SSE line ('' for none), or None at ``[DONE]``."""
    if not line.startswith("data:"):
        return ""
    data = line[5:].strip()
    if data == "[DONE]":
        return None
    try:
        event = json.loads(data)
        content = event["choices"][0]["delta"].get("content")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return ""
    return content if isinstance(content, str) else ""
