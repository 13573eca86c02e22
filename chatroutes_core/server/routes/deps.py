"""Shared route dependencies: the server state, authentication, lookups and idempotency."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from starlette.requests import HTTPConnection

from ..errors import ApiError
from ..lookups import (  # re-exported: the routes import them from here
    Idempotency,
    require_branch,
    require_checkpoint,
    require_conversation,
    require_main_branch,
    require_message,
    resolve_model,
)
from ..state import ServerState
from ..store import ConversationRow, IdempotencyRecord

__all__ = [
    "Idem",
    "Idempotency",
    "ListScope",
    "Owner",
    "Replay",
    "Scope",
    "State",
    "api_key_from",
    "authenticate",
    "get_state",
    "idempotency",
    "list_scope",
    "require_branch",
    "require_checkpoint",
    "require_conversation",
    "require_main_branch",
    "require_message",
    "resolve_model",
]


async def get_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.server
    return state


State = Annotated[ServerState, Depends(get_state)]


def api_key_from(request: HTTPConnection) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() in ("apikey", "bearer") and value.strip():
        return value.strip()
    header = request.headers.get("x-api-key", "").strip()
    return header or None


async def authenticate(request: Request, state: State) -> str:
    """The owner (hash of the API key) of this request; 401 without a known key."""
    key = api_key_from(request)
    if key is None:
        raise ApiError(401, "Missing API key: send 'Authorization: ApiKey <key>'")
    owner = state.store.owner_of(key)
    if owner is None:
        raise ApiError(401, "Invalid API key")
    return owner


Owner = Annotated[str, Depends(authenticate)]


@dataclass
class ListScope:
    """What a list route under a conversation reads: the caller's conversation and ``?branchId=``."""

    conversation: ConversationRow
    branch_id: str | None


async def list_scope(
    conversation_id: str,
    state: State,
    owner: Owner,
    branch_id: Annotated[str | None, Query(alias="branchId", max_length=200)] = None,
) -> ListScope:
    # A dependency validates its own parameters before it runs: a bad branchId is a 400 before the 404.
    return ListScope(require_conversation(state, owner, conversation_id), branch_id)


Scope = Annotated[ListScope, Depends(list_scope)]


class Replay(Exception):
    """A repeated Idempotency-Key: answer with the stored result."""

    def __init__(self, record: IdempotencyRecord) -> None:
        super().__init__("idempotent replay")
        self.record = record


async def idempotency(request: Request, state: State, owner: Owner) -> AsyncIterator[Idempotency]:
    key = request.headers.get("idempotency-key")
    if key is None:
        yield Idempotency(state, owner, None, "")
        return
    if not key.strip() or len(key) > 255:
        raise ApiError(400, "Idempotency-Key must be 1 to 255 characters")
    body = await request.body()
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n".encode() + body).hexdigest()
    async with state.hold(f"idem:{owner}:{key}"):
        record = state.store.get_idempotent(owner, key)
        if record is not None:
            if record.fingerprint != digest:
                raise ApiError(409, "Idempotency-Key was already used with a different request")
            raise Replay(record)
        yield Idempotency(state, owner, key, digest)


Idem = Annotated[Idempotency, Depends(idempotency)]
