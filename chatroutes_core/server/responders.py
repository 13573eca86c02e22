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

import asyncio
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


DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 60.0
DEFAULT_TOTAL_TIMEOUT = 300.0
DEFAULT_MAX_REPLY_BYTES = 1024 * 1024  # the same cap as a request body (user content)


class OpenAICompatibleResponder:
    """Replies from an OpenAI-compatible chat completions endpoint, streamed, and checked before use.

    The upstream's answer is accepted only when it is a 200 with ``Content-Type: text/event-stream`` whose
    ``data:`` lines are JSON chunks (``{"choices": [...]}``) ending with ``data: [DONE]``, or a 200
    ``application/json`` completion (``choices[0].message.content``) from a server that ignores
    ``stream: true``. Anything else raises :class:`ResponderError` (a 502 for a send, an ``error`` event for
    a stream; nothing is stored): another status (a 302 is not followed), another content type (an HTML
    page), a line of bad JSON, an ``error`` chunk, no chunk at all (a lone ``[DONE]``), a stream that ends
    without ``[DONE]`` (truncated), a reply over ``max_reply_bytes`` (UTF-8), or an upstream slower than
    its limits: ``connect_timeout`` to connect, ``read_timeout`` between two reads, ``total_timeout`` for
    the whole reply (a send holds its branch that long at most).
    """

    name = "openai"

    def __init__(
        self,
        upstream_url: str,
        upstream_model: str,
        api_key: str | None = None,
        *,
        timeout: float | None = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
        max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES,
    ) -> None:
        for label, value in (
            ("connect_timeout", connect_timeout),
            ("read_timeout", read_timeout),
            ("total_timeout", total_timeout),
            ("max_reply_bytes", max_reply_bytes),
            ("timeout", 1 if timeout is None else timeout),
        ):
            if not value > 0:
                raise ValueError(f"{label} must be positive")
        self.url = completions_url(upstream_url)
        self.upstream_model = upstream_model
        self._api_key = api_key
        if timeout is not None:  # the older single knob: the read timeout
            read_timeout = timeout
        self.timeout = httpx.Timeout(read_timeout, connect=connect_timeout, pool=connect_timeout)
        self.total_timeout = total_timeout
        self.max_reply_bytes = max_reply_bytes

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
        deadline = asyncio.get_running_loop().time() + self.total_timeout
        try:
            async with (
                httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client,
                client.stream("POST", self.url, json=self._payload(request), headers=headers) as response,
            ):
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if response.status_code != 200:
                    raise ResponderError(f"upstream answered {response.status_code}")
                if kind == "application/json":
                    yield await self._completion(response, deadline)
                    return
                if kind != "text/event-stream":
                    raise ResponderError(
                        f"upstream answered {kind or 'no content type'}, not an event stream"
                    )
                size = 0
                async for piece in self._pieces(response, deadline):
                    size += len(piece.encode("utf-8"))
                    if size > self.max_reply_bytes:
                        raise ResponderError(f"upstream reply is over {self.max_reply_bytes} bytes")
                    yield piece
        except httpx.HTTPError as exc:
            raise ResponderError(f"upstream request failed: {type(exc).__name__}") from None

    async def _pieces(self, response: httpx.Response, deadline: float) -> AsyncIterator[str]:
        chunks = 0
        raw = 0
        loop = asyncio.get_running_loop()
        async for line in response.aiter_lines():
            raw += len(line) + 1
            if raw > 4 * self.max_reply_bytes:  # framing around a capped reply: generous, still bounded
                raise ResponderError(f"upstream reply is over {self.max_reply_bytes} bytes")
            if loop.time() > deadline:
                raise ResponderError(f"upstream reply took over {self.total_timeout:g} s")
            if not line.startswith("data:"):
                continue  # blank lines, comments, event:/id:/retry: fields
            data = line[5:].strip()
            if data == "[DONE]":
                if chunks == 0:
                    raise ResponderError("upstream sent [DONE] without any chunk")
                return
            chunks += 1
            piece = _delta(data)
            if piece:
                yield piece
        raise ResponderError("upstream stream ended without [DONE] (truncated reply)")

    async def _completion(self, response: httpx.Response, deadline: float) -> str:
        body = bytearray()
        loop = asyncio.get_running_loop()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > 4 * self.max_reply_bytes:
                raise ResponderError(f"upstream reply is over {self.max_reply_bytes} bytes")
            if loop.time() > deadline:
                raise ResponderError(f"upstream reply took over {self.total_timeout:g} s")
        try:
            content = json.loads(body)["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ResponderError(f"upstream sent a malformed completion ({type(exc).__name__})") from None
        if not isinstance(content, str):
            raise ResponderError("upstream completion has no text content")
        if len(content.encode("utf-8")) > self.max_reply_bytes:
            raise ResponderError(f"upstream reply is over {self.max_reply_bytes} bytes")
        return content


def _delta(data: str) -> str:
    """The content of one chunk ('' for none); a chunk that is not an OpenAI chunk is an error."""
    try:
        event = json.loads(data)
    except ValueError:
        raise ResponderError("upstream sent an event that is not JSON") from None
    if not isinstance(event, dict):
        raise ResponderError("upstream sent an event that is not a JSON object")
    if "error" in event:
        error = event["error"]
        message = error.get("message") if isinstance(error, dict) else error
        raise ResponderError(f"upstream sent an error: {str(message)[:200]}")
    choices = event.get("choices")
    if not isinstance(choices, list):
        raise ResponderError("upstream sent a chunk without choices")
    if not choices:
        return ""  # e.g. a final usage-only chunk
    choice = choices[0]
    delta = choice.get("delta") if isinstance(choice, dict) else None
    if not isinstance(delta, dict):
        raise ResponderError("upstream sent a chunk without a delta")
    content = delta.get("content")
    return content if isinstance(content, str) else ""
