"""``client.messages``: send, stream, list, update, delete (rows 7-11)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from typing_extensions import Unpack

from .._http.request import Call, CallOptions, build_body, require, segment
from .._http.streaming import AsyncMessageStream, MessageStream, OnChunk, OnComplete
from .._types import NOT_GIVEN, NotGiven, Timeout
from ..models import Message, SendMessageResponse
from ._base import AsyncAPIResource, SyncAPIResource, ack, in_conversation, one, text_or_params

__all__ = ["AsyncMessages", "Messages"]


class SendOptions(CallOptions, total=False):
    """The keywords of a send, shared by ``messages.send`` and ``messages.stream`` (plus the call options).

    ``None`` means "not given". ``branch_id`` picks the branch (the main one otherwise);
    ``parent_message_id`` names the message the new turn follows.
    """

    content: str | None
    model: str | None
    temperature: float | None
    max_tokens: int | None
    branch_id: str | None
    parent_message_id: str | None
    idempotency_key: str | None


_SEND_OPTIONS = frozenset(SendOptions.__annotations__)
# the body's fields, in the order SendOptions declares them (whatever order the caller passed them in)
_BODY_FIELDS = tuple(k for k in SendOptions.__annotations__ if k not in CallOptions.__annotations__
                     and k != "idempotency_key")  # fmt: skip


def _send(
    name: str, conversation_id: str, params: Mapping[str, Any] | None, fields: SendOptions
) -> Call[SendMessageResponse]:
    """The call of ``send`` / ``stream``; an unknown keyword is a TypeError, as with written-out keywords."""
    unknown = fields.keys() - _SEND_OPTIONS
    if unknown:
        raise TypeError(f"{name}() got an unexpected keyword argument {min(unknown)!r}")
    body = build_body(params, **{k: fields.get(k) for k in _BODY_FIELDS})
    require(body, "content")
    streamed = name == "stream"
    suffix = "/stream" if streamed else ""
    path = f"/conversations/{segment(conversation_id, 'conversation_id')}/messages{suffix}"
    parse, key = one(SendMessageResponse, None), fields.get("idempotency_key")
    call = Call.make("POST", path, parse, body=body, idempotency_key=key, stream=streamed)
    return call.with_options(
        timeout=fields.get("timeout", NOT_GIVEN),
        extra_headers=fields.get("extra_headers"),
        extra_body=fields.get("extra_body"),
    )


def send(
    conversation_id: str,
    params: Mapping[str, Any] | None = None,
    **fields: Unpack[SendOptions],
) -> Call[SendMessageResponse]:
    return _send("send", conversation_id, params, fields)


@dataclass(frozen=True)
class _StreamRequest:
    call: Call[SendMessageResponse]
    on_chunk: OnChunk | None
    on_complete: OnComplete | None


def stream(
    conversation_id: str,
    params: Mapping[str, Any] | None = None,
    on_chunk: OnChunk | None = None,
    on_complete: OnComplete | None = None,
    **fields: Unpack[SendOptions],
) -> _StreamRequest:
    return _StreamRequest(_send("stream", conversation_id, params, fields), on_chunk, on_complete)


def _sync_stream(resource: Messages, request: _StreamRequest) -> MessageStream:
    transport = resource._transport
    transport.check_ready()
    opened = MessageStream(
        lambda: transport.open(request.call),
        secret=transport.secret, on_chunk=request.on_chunk, on_complete=request.on_complete,
    )  # fmt: skip
    if request.on_chunk is not None or request.on_complete is not None:
        with opened:
            opened.until_done()
    return opened


def _async_stream(resource: AsyncMessages, request: _StreamRequest) -> AsyncMessageStream:
    transport = resource._transport
    transport.check_ready()
    return AsyncMessageStream(
        lambda: transport.open(request.call),
        secret=transport.secret, on_chunk=request.on_chunk, on_complete=request.on_complete,
    )  # fmt: skip


def list_(
    conversation_id: str,
    branch_id: str | None = None,
    **options: Unpack[CallOptions],
) -> Call[builtins.list[Message]]:
    return in_conversation(conversation_id, "messages", Message, branch_id).with_options(**options)


def update(
    message_id: str,
    params: Mapping[str, Any] | str | None = None,
    *,
    content: str | None = None,
    **options: Unpack[CallOptions],
) -> Call[Message]:
    body = build_body(text_or_params(params, "content"), content=content)
    require(body, "content")
    path = f"/messages/{segment(message_id, 'message_id')}"
    call = Call.make("PATCH", path, one(Message, "message"), body=body)
    return call.with_options(**options)


def delete(
    message_id: str,
    **options: Unpack[CallOptions],
) -> Call[None]:
    call = Call.make("DELETE", f"/messages/{segment(message_id, 'message_id')}", ack)
    return call.with_options(**options)


# fmt: off
class AsyncMessages(AsyncAPIResource):
    """Messages (asynchronous)."""

    async def send(self, conversation_id: str, params: Mapping[str, Any] | None = None, *,
            content: str | None = None, model: str | None = None, temperature: float | None = None,
            max_tokens: int | None = None, branch_id: str | None = None, parent_message_id: str | None = None,
            idempotency_key: str | None = None, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> SendMessageResponse:
        """Send a user message (to the main branch, or ``branch_id``) and return the assistant's reply.

        ``parent_message_id`` names the message the new turn follows; a server that checks it answers 409
        (``ConflictError``, nothing stored) when that message is no longer the branch's tip.

        Example:
            >>> reply = client.messages.send(conv.id, content="Hello")
            >>> reply.message.role, reply.usage.total_tokens > 0, reply.model  # the model's dated id
            ('assistant', True, 'gpt-5-2025-08-07')
        """
        return await self._transport.send(send(conversation_id, params, content=content, model=model,
            temperature=temperature, max_tokens=max_tokens, branch_id=branch_id,
            parent_message_id=parent_message_id, idempotency_key=idempotency_key, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))

    def stream(self, conversation_id: str, params: Mapping[str, Any] | None = None,
            on_chunk: OnChunk | None = None, on_complete: OnComplete | None = None, *,
            content: str | None = None, model: str | None = None, temperature: float | None = None,
            max_tokens: int | None = None, branch_id: str | None = None, parent_message_id: str | None = None,
            idempotency_key: str | None = None, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> AsyncMessageStream:
        """Send a user message and stream the reply.

        Sync: ``with client.messages.stream(...) as s: for event in s: ...``; async:
        ``async with client.messages.stream(...) as s: async for event in s: ...``.

        ``on_chunk`` / ``on_complete`` keep the official SDK's call working
        (``stream(cid, {"content": ...}, on_chunk, on_complete)``): ``on_chunk`` sees every event and
        ``on_complete`` the stored reply. With either, the sync stream runs to its end here and the
        finished stream is returned (``.final``, ``.text``); ``await client.messages.stream(cid, params,
        on_chunk)`` does the same on the async client.
        """
        return _async_stream(self, stream(conversation_id, params, on_chunk, on_complete, content=content,
            model=model, temperature=temperature, max_tokens=max_tokens, branch_id=branch_id,
            parent_message_id=parent_message_id, idempotency_key=idempotency_key, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))

    async def list(self, conversation_id: str, branch_id: str | None = None, *,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> builtins.list[Message]:
        """Messages of a conversation (of its main branch, or of ``branch_id``)."""
        return await self._transport.send(list_(conversation_id, branch_id, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))

    async def update(self, message_id: str, params: Mapping[str, Any] | str | None = None, *,
            content: str | None = None, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> Message:
        """Edit a message's content (``update(id, "text")`` as in the official SDK also works)."""
        return await self._transport.send(update(message_id, params, content=content, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))

    async def delete(self, message_id: str, *, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> None:
        """Delete a message."""
        return await self._transport.send(delete(message_id, timeout=timeout, extra_headers=extra_headers,
            extra_body=extra_body))


# --- the sync twin below is generated from the class above (resources/_unasync.py): do not edit
# fmt: off
class Messages(SyncAPIResource):
    """Messages (synchronous)."""

    def send(self, conversation_id: str, params: Mapping[str, Any] | None = None, *,
            content: str | None = None, model: str | None = None, temperature: float | None = None,
            max_tokens: int | None = None, branch_id: str | None = None, parent_message_id: str | None = None,
            idempotency_key: str | None = None, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> SendMessageResponse:
        """Send a user message (to the main branch, or ``branch_id``) and return the assistant's reply.

        ``parent_message_id`` names the message the new turn follows; a server that checks it answers 409
        (``ConflictError``, nothing stored) when that message is no longer the branch's tip.

        Example:
            >>> reply = client.messages.send(conv.id, content="Hello")
            >>> reply.message.role, reply.usage.total_tokens > 0, reply.model  # the model's dated id
            ('assistant', True, 'gpt-5-2025-08-07')
        """
        return self._transport.send(send(conversation_id, params, content=content, model=model,
            temperature=temperature, max_tokens=max_tokens, branch_id=branch_id,
            parent_message_id=parent_message_id, idempotency_key=idempotency_key, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))

    def stream(self, conversation_id: str, params: Mapping[str, Any] | None = None,
            on_chunk: OnChunk | None = None, on_complete: OnComplete | None = None, *,
            content: str | None = None, model: str | None = None, temperature: float | None = None,
            max_tokens: int | None = None, branch_id: str | None = None, parent_message_id: str | None = None,
            idempotency_key: str | None = None, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> MessageStream:
        """Send a user message and stream the reply.

        Sync: ``with client.messages.stream(...) as s: for event in s: ...``; async:
        ``async with client.messages.stream(...) as s: async for event in s: ...``.

        ``on_chunk`` / ``on_complete`` keep the official SDK's call working
        (``stream(cid, {"content": ...}, on_chunk, on_complete)``): ``on_chunk`` sees every event and
        ``on_complete`` the stored reply. With either, the sync stream runs to its end here and the
        finished stream is returned (``.final``, ``.text``); ``await client.messages.stream(cid, params,
        on_chunk)`` does the same on the async client.
        """
        return _sync_stream(self, stream(conversation_id, params, on_chunk, on_complete, content=content,
            model=model, temperature=temperature, max_tokens=max_tokens, branch_id=branch_id,
            parent_message_id=parent_message_id, idempotency_key=idempotency_key, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))

    def list(self, conversation_id: str, branch_id: str | None = None, *,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> builtins.list[Message]:
        """Messages of a conversation (of its main branch, or of ``branch_id``)."""
        return self._transport.send(list_(conversation_id, branch_id, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))

    def update(self, message_id: str, params: Mapping[str, Any] | str | None = None, *,
            content: str | None = None, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> Message:
        """Edit a message's content (``update(id, "text")`` as in the official SDK also works)."""
        return self._transport.send(update(message_id, params, content=content, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))

    def delete(self, message_id: str, *, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> None:
        """Delete a message."""
        return self._transport.send(delete(message_id, timeout=timeout, extra_headers=extra_headers,
            extra_body=extra_body))
