"""Service-level lookups shared by the routes and the services (``exchange``): model names and rows that
must exist (a 404 ``ApiError`` otherwise), and the idempotency record-keeper a write saves its answer with.

They live here, below the HTTP layer, so no service imports ``routes`` (``routes.deps`` re-exports them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._catalog import MODEL_ALIASES
from .errors import ApiError, found
from .state import ServerState
from .store import BranchRow, CheckpointRow, ConversationRow, IdempotencyRecord, MessageRow


def resolve_model(name: str) -> str:
    resolved = MODEL_ALIASES.get(name)
    if resolved is None:
        raise ApiError(400, f"Unsupported model: {name}")
    return resolved


def require_conversation(state: ServerState, owner: str, conversation_id: str) -> ConversationRow:
    return found(state.store.get_conversation(owner, conversation_id), "Conversation")


def require_branch(state: ServerState, conversation_id: str, branch_id: str) -> BranchRow:
    return found(state.store.get_branch(conversation_id, branch_id), "Branch")


def require_main_branch(state: ServerState, conversation_id: str) -> BranchRow:
    return found(state.store.main_branch(conversation_id), "Main branch")


def require_message(state: ServerState, owner: str, message_id: str) -> MessageRow:
    return found(state.store.get_message(owner, message_id), "Message")


def require_checkpoint(state: ServerState, owner: str, checkpoint_id: str) -> CheckpointRow:
    return found(state.store.get_checkpoint(owner, checkpoint_id), "Checkpoint")


@dataclass
class Idempotency:
    """The Idempotency-Key of a POST, if any; ``save`` records the answer (call it inside the write)."""

    state: ServerState
    owner: str
    key: str | None
    fingerprint: str

    def save(self, status: int, body: Any, kind: str = "json") -> None:
        if self.key is not None:
            record = IdempotencyRecord(self.fingerprint, kind, status, body)
            self.state.store.save_idempotent(self.owner, self.key, record)
