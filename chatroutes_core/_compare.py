"""One turn to several models: the plan shared by ``langchain_chatroutes.CompareModels`` and ``chatroutes
compare``.

``plan_compare`` is a flow (``chatroutes_core.flows``): the core-client calls that make one branch per model,
all forked at the same message. The caller runs it with ``run`` / ``arun`` and then sends the turn on each
branch its own way (``ChatChatRoutes`` in the LangChain adapter, ``messages.send`` in the command line).
Requests for N models: ``1 + 2N`` in a new conversation, ``2N`` in a given one (branches fork at its main
branch's tip) and after a reply (branches fork at it; each send goes straight to its branch's tip).
"""

from __future__ import annotations

from collections.abc import Sequence

from ._catalog import SUPPORTED_MODELS, is_known_model
from ._exceptions import ConfigurationError, UnsupportedModelError
from .flows import Flow, call
from .models import Branch

__all__ = ["Target", "UnsupportedModelError", "check_models", "compare_title", "plan_compare"]


def check_models(models: Sequence[str]) -> list[str]:
    """The models as a list, or an error naming what is wrong (none, a bare string, duplicates, unknown)."""
    if isinstance(models, str):
        raise ConfigurationError("models must be a list of model names, e.g. ['gpt-5', 'claude-sonnet-4-5']")
    listed = list(models)
    if not listed:
        raise ConfigurationError(f"models is empty; give at least one of: {', '.join(SUPPORTED_MODELS)}")
    unknown = [m for m in listed if not is_known_model(m)]
    if unknown:
        raise UnsupportedModelError(unknown)
    if len(set(listed)) != len(listed):
        raise ConfigurationError(f"models lists a model twice: {listed}")
    return listed


Target = tuple[str, list[tuple[str, str]]]
"""``(conversation_id, [(model, branch_id), ...])``: where each model's reply goes."""


def plan_compare(
    models: Sequence[str],
    *,
    title: str,
    conversation_id: str | None = None,
    fork_at: tuple[str, str] | None = None,
) -> Flow[Target]:
    """One branch per model (titled with its name), all at the same point: a flow for ``run``/``arun``.

    ``fork_at=(conversation_id, message_id)`` forks every branch at that message; else the branches fork at
    the main branch's tip of ``conversation_id``, or of a conversation created here (titled ``title``). The
    branches are made in one step of independent calls (concurrent on the async client); the caller then
    sends the turn on each.
    """
    if fork_at is not None:
        if conversation_id is not None and fork_at[0] != conversation_id:
            raise ConfigurationError(
                f"the messages continue conversation {fork_at[0]!r}, "
                f"but conversation_id is {conversation_id!r}"
            )
        conversation_id = fork_at[0]
    if conversation_id is None:
        created = yield from call(lambda c: c.conversations.create, title=title, model=models[0])
        conversation_id = str(created.id)
    calls = [
        call(lambda c: c.branches.fork, conversation_id, fork_point_message_id=fork_at[1], title=m)
        if fork_at is not None
        else call(lambda c: c.branches.create, conversation_id, title=m)
        for m in models
    ]
    branches: list[Branch] = yield calls
    return conversation_id, [(model, str(branch.id)) for model, branch in zip(models, branches, strict=True)]


def compare_title(text: str) -> str:
    """``Compare: <the turn, one line, at most 60 characters>``."""
    flat = " ".join(text.split())
    return "Compare: " + (flat if len(flat) <= 60 else flat[:59].rstrip() + "…")
