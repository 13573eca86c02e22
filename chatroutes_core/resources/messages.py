"""``client.messages``: send, stream, list, update, delete (rows 7-11)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any

from .._request import Call, build_body, require_content, segment
from .._streaming import AsyncMessageStream, MessageStream, OnChunk, OnComplete
from .._types import NOT_GIVEN, NotGiven, Timeout
from ..models import Message, SendMessageResponse
from ._base import AsyncAPIResource, SyncAPIResource, ack, many, one, text_or_params

__all__ = ["AsyncMessages", "Messages"]


def _send(
    conversation_id: str,
    params: Mapping[str, Any] | None,
    suffix: str,
    key: str | None,
    **fields: Any,
) -> Call[SendMessageResponse]:
    path = f"/conversations/{segment(conversation_id, 'conversation_id')}/messages{suffix}"
    body = build_body(params, **fields)
    require_content(body)
    return Call.make(
        "POST", path, one(SendMessageResponse, None), body=body, idempotency_key=key, stream=bool(suffix)
    )


def _list(conversation_id: str, branch_id: str | None) -> Call[builtins.list[Message]]:
    path = f"/conversations/{segment(conversation_id, 'conversation_id')}/messages"
    return Call.make("GET", path, many(Message, "messages"), query={"branchId": branch_id})


def _update(message_id: str, params: Mapping[str, Any] | str | None, content: str | None) -> Call[Message]:
    body = build_body(text_or_params(params, "content"), content=content)
    require_content(body)
    return Call.make(
        "PATCH", f"/messages/{segment(message_id, 'message_id')}", one(Message, "message"), body=body
    )


class Messages(SyncAPIResource):
    """Messages (synchronous)."""

    def send(
        self,
        conversation_id: str,
        params: Mapping[str, Any] | None = None,
        *,
        content: str | None = None,
        model: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        branch_id: str | None = None,
        parent_message_id: str | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> SendMessageResponse:
        """Send a user message (to the main branch, or ``branch_id``) and return the assistant's reply.

        ``parent_message_id`` names the message the new turn follows; a server that checks it answers 409
        (``ConflictError``, nothing stored) when that message is no longer the branch's tip.

        Example:
            >>> reply = client.messages.send(conv.id, content="Hello")  # doctest: +SKIP
            >>> reply.message.content, reply.usage.total_tokens, reply.model  # doctest: +SKIP
        """
        call = _send(
            conversation_id, params, "", idempotency_key,
            content=content, model=model, temperature=temperature, max_tokens=max_tokens, branch_id=branch_id,
            parent_message_id=parent_message_id,
        )  # fmt: skip
        return self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    def stream(
        self,
        conversation_id: str,
        params: Mapping[str, Any] | None = None,
        on_chunk: OnChunk | None = None,
        on_complete: OnComplete | None = None,
        *,
        content: str | None = None,
        model: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        branch_id: str | None = None,
        parent_message_id: str | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> MessageStream:
        """Send a user message and stream the reply; use as ``with client.messages.stream(...) as s: ...``.

        ``on_chunk`` / ``on_complete`` keep the official SDK's call working
        (``stream(cid, {"content": ...}, on_chunk, on_complete)``): with either, the stream runs to its end
        here, ``on_chunk`` sees every event and ``on_complete`` the stored reply; the finished stream is
        returned (``.final``, ``.text``).
        """
        call = _send(
            conversation_id, params, "/stream", idempotency_key,
            content=content, model=model, temperature=temperature, max_tokens=max_tokens, branch_id=branch_id,
            parent_message_id=parent_message_id,
        ).with_options(timeout, extra_headers, extra_body)  # fmt: skip
        self._transport.check_ready()
        stream = MessageStream(
            lambda: self._transport.open(call),
            secret=self._transport.secret,
            on_chunk=on_chunk,
            on_complete=on_complete,
        )
        if on_chunk is not None or on_complete is not None:
            with stream:
                stream.until_done()
        return stream

    def list(
        self,
        conversation_id: str,
        branch_id: str | None = None,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> builtins.list[Message]:
        """Messages of a conversation (of its main branch, or of ``branch_id``)."""
        call = _list(conversation_id, branch_id)
        return self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    def update(
        self,
        message_id: str,
        params: Mapping[str, Any] | str | None = None,
        *,
        content: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Message:
        """Edit a message's content (``update(id, "text")`` as in the official SDK also works)."""
        call = _update(message_id, params, content)
        return self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    def delete(
        self,
        message_id: str,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        """Delete a message."""
        call = Call.make("DELETE", f"/messages/{segment(message_id, 'message_id')}", ack)
        self._transport.send(call.with_options(timeout, extra_headers, extra_body))


class AsyncMessages(AsyncAPIResource):
    """Messages (asynchronous)."""

    async def send(
        self,
        conversation_id: str,
        params: Mapping[str, Any] | None = None,
        *,
        content: str | None = None,
        model: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        branch_id: str | None = None,
        parent_message_id: str | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> SendMessageResponse:
        """Send a user message (to the main branch, or ``branch_id``) and return the assistant's reply."""
        call = _send(
            conversation_id, params, "", idempotency_key,
            content=content, model=model, temperature=temperature, max_tokens=max_tokens, branch_id=branch_id,
            parent_message_id=parent_message_id,
        )  # fmt: skip
        return await self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    def stream(
        self,
        conversation_id: str,
        params: Mapping[str, Any] | None = None,
        on_chunk: OnChunk | None = None,
        on_complete: OnComplete | None = None,
        *,
        content: str | None = None,
        model: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        branch_id: str | None = None,
        parent_message_id: str | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncMessageStream:
        """Stream the reply: ``async with client.messages.stream(...) as s: async for event in s: ...``.

        With ``on_chunk`` / ``on_complete`` the callbacks fire as events arrive, and
        ``await client.messages.stream(cid, params, on_chunk)`` runs the whole stream through them.
        """
        call = _send(
            conversation_id, params, "/stream", idempotency_key,
            content=content, model=model, temperature=temperature, max_tokens=max_tokens, branch_id=branch_id,
            parent_message_id=parent_message_id,
        ).with_options(timeout, extra_headers, extra_body)  # fmt: skip
        self._transport.check_ready()
        return AsyncMessageStream(
            lambda: self._transport.open(call),
            secret=self._transport.secret,
            on_chunk=on_chunk,
            on_complete=on_complete,
        )

    async def list(
        self,
        conversation_id: str,
        branch_id: str | None = None,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> builtins.list[Message]:
        """Messages of a conversation (of its main branch, or of ``branch_id``)."""
        call = _list(conversation_id, branch_id)
        return await self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    async def update(
        self,
        message_id: str,
        params: Mapping[str, Any] | str | None = None,
        *,
        content: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Message:
        """Edit a message's content (``update(id, "text")`` as in the official SDK also works)."""
        call = _update(message_id, params, content)
        return await self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    async def delete(
        self,
        message_id: str,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        """Delete a message."""
        call = Call.make("DELETE", f"/messages/{segment(message_id, 'message_id')}", ack)
        await self._transport.send(call.with_options(timeout, extra_headers, extra_body))
