"""The mapper's value types: a message's place (:class:`TreeRef`), one message (:class:`Turn`), a binding."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chatroutes_core._exceptions import (
    EmptyTurnError,
    ForeignMessageError,
    MappingError,
    UnsupportedMessageError,
)

__all__ = [
    "ROLES",
    "Binding",
    "EmptyTurnError",
    "ForeignMessageError",
    "MappingError",
    "ToolCallTurn",
    "TreeRef",
    "Turn",
    "UnsupportedMessageError",
]

ROLES = ("user", "assistant", "system", "tool")


@dataclass(frozen=True)
class TreeRef:
    """Where a message sits in the tree, and what it proves about the list it ended.

    Attributes:
        conversation_id / branch_id / message_id: the place (``branch_id`` is the branch it was seen through).
        digest: the turns digest of the list this message ended: every user, assistant and tool turn up to
            and including this one, in order (system text excluded). ``None``: unknown (an old ref).
        base: the turns digest just before the turns this reply answered (lets a trimmed list prove it
            is a suffix of the branch).
        system_digest: the digest of the system text in force when this reply was produced (``None``:
            unknown, e.g. a message read back from a branch).
    """

    conversation_id: str
    branch_id: str
    message_id: str
    digest: str | None = None
    base: str | None = None
    system_digest: str | None = None

    def as_dict(self) -> dict[str, str]:
        """The dict adapters store on messages: the three ids, then the digests that are known."""
        data = {
            "conversation_id": self.conversation_id,
            "branch_id": self.branch_id,
            "message_id": self.message_id,
        }
        for key in ("digest", "base", "system_digest"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data

    @classmethod
    def from_dict(cls, data: object) -> TreeRef | None:
        """Read a ref back from such a dict; ``None`` unless all three ids are non-empty strings."""
        if not isinstance(data, Mapping):
            return None
        ids = [data.get(key) for key in ("conversation_id", "branch_id", "message_id")]
        if not all(isinstance(value, str) and value for value in ids):
            return None
        extra = {key: data.get(key) for key in ("digest", "base", "system_digest")}
        return cls(
            str(ids[0]), str(ids[1]), str(ids[2]),
            **{key: value for key, value in extra.items() if isinstance(value, str) and value},
        )  # fmt: skip

    def seen_through(self, branch_id: str) -> TreeRef:
        """The same message seen through another branch (a fork inherits its parent's prefix)."""
        return TreeRef(
            self.conversation_id, branch_id, self.message_id, self.digest, self.base, self.system_digest
        )


@dataclass(frozen=True)
class ToolCallTurn:
    """A tool call an assistant turn made (``arguments`` is the parsed JSON object)."""

    id: str
    name: str
    arguments: Mapping[str, Any]


@dataclass(frozen=True)
class Turn:
    """One message of the caller's list, framework-neutral.

    ``role`` is ``user``, ``assistant``, ``system`` or ``tool``. Assistant turns we produced carry a ``ref``;
    an assistant turn may carry ``tool_calls``; a tool turn carries the ``tool_call_id`` and tool ``name`` it
    answers (``is_error`` when the tool failed).
    """

    role: str
    content: str
    ref: TreeRef | None = None
    tool_calls: tuple[ToolCallTurn, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None
    is_error: bool = False


@dataclass(frozen=True)
class Binding:
    """The conversation (and optionally branch) a model or history writes to."""

    conversation_id: str | None = None
    branch_id: str | None = None

    def __post_init__(self) -> None:
        check_binding(self.conversation_id, self.branch_id)


def check_binding(conversation_id: str | None, branch_id: str | None) -> None:
    """Refuse what :class:`Binding` refuses (a branch without its conversation: :class:`MappingError`),
    without building one: for an adapter that checks its fields before any request."""
    if branch_id is not None and conversation_id is None:
        raise MappingError("a binding with a branch_id needs its conversation_id too")
