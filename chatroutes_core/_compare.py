"""One turn to several models: the plan shared by ``langchain_chatroutes.CompareModels`` and ``chatroutes
compare``.

Pure: ``plan_compare`` yields the core-client calls that make one branch per model, all forked at the same
message, then one ``Sends`` step whose sending the caller decides (``ChatChatRoutes`` in the LangChain
adapter, ``messages.send`` in the command line). ``run_plan`` and ``arun_plan`` are the sync and async
drivers. Requests for N models: ``1 + 2N`` in a new conversation, ``2N`` in a given one (branches fork at its
main branch's tip), ``3N`` with the LangChain adapter after a reply (forks, then a tip read and a send each).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypeVar

from ._catalog import SUPPORTED_MODELS
from ._exceptions import ConfigurationError

__all__ = ["Call", "Sends", "UnsupportedModelError", "arun_plan", "check_models", "plan_compare", "run_plan"]

R = TypeVar("R")


class UnsupportedModelError(ConfigurationError):
    """A model name the catalog (``chatroutes_core.SUPPORTED_MODELS``) does not know; raised before any
    request. ``unknown`` lists the names."""

    def __init__(self, unknown: Sequence[str]) -> None:
        names = ", ".join(repr(m) for m in unknown)
        plural = "s" if len(unknown) > 1 else ""
        super().__init__(f"unsupported model{plural} {names}; supported: {', '.join(SUPPORTED_MODELS)}")
        self.unknown = list(unknown)


def check_models(models: Sequence[str]) -> list[str]:
    """The models as a list, or an error naming what is wrong (none, a bare string, duplicates, unknown)."""
    if isinstance(models, str):
        raise ConfigurationError("models must be a list of model names, e.g. ['gpt-5', 'claude-sonnet-4-5']")
    listed = list(models)
    if not listed:
        raise ConfigurationError(f"models is empty; give at least one of: {', '.join(SUPPORTED_MODELS)}")
    unknown = [m for m in listed if m not in SUPPORTED_MODELS]
    if unknown:
        raise UnsupportedModelError(unknown)
    if len(set(listed)) != len(listed):
        raise ConfigurationError(f"models lists a model twice: {listed}")
    return listed


@dataclass(frozen=True)
class Call:
    """A core-client call: ``client.<resource>.<method>(*args, **kwargs)``, e.g. ``"branches.fork"``."""

    path: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def bound(self, client: Any) -> Any:
        resource, method = self.path.split(".")
        return getattr(getattr(client, resource), method)(*self.args, **self.kwargs)


@dataclass(frozen=True)
class Sends:
    """Send the turn on each ``(model, branch_id)`` of one conversation; answer with the replies, in order."""

    conversation_id: str
    branches: tuple[tuple[str, str], ...]


Plan: TypeAlias = Generator["Call | Sends", Any, dict[str, Any]]


def plan_compare(
    models: Sequence[str],
    *,
    title: str,
    conversation_id: str | None = None,
    fork_at: tuple[str, str] | None = None,
) -> Plan:
    """One branch per model (titled with its name) at the same point, then the sends.

    ``fork_at=(conversation_id, message_id)`` forks every branch at that message; else the branches fork at
    the main branch's tip of ``conversation_id``, or of a conversation created here (titled ``title``).
    """
    if fork_at is not None:
        if conversation_id is not None and fork_at[0] != conversation_id:
            raise ConfigurationError(
                f"the messages continue conversation {fork_at[0]!r}, "
                f"but conversation_id is {conversation_id!r}"
            )
        conversation_id = fork_at[0]
    if conversation_id is None:
        created = yield Call("conversations.create", kwargs={"title": title, "model": models[0]})
        conversation_id = str(created.id)
    branches: list[tuple[str, str]] = []
    for model in models:
        if fork_at is not None:
            kwargs = {"fork_point_message_id": fork_at[1], "title": model}
            branch = yield Call("branches.fork", (conversation_id,), kwargs)
        else:
            branch = yield Call("branches.create", (conversation_id,), {"title": model})
        branches.append((model, str(branch.id)))
    replies: list[Any] = yield Sends(conversation_id, tuple(branches))
    return dict(zip(models, replies, strict=True))


def run_plan(plan: Plan, client: Any, send: Callable[[Sends], list[R]]) -> dict[str, R]:
    """Drive `plan` with a sync core client; `send` runs the sends."""
    step = next(plan)
    while True:
        result = step.bound(client) if isinstance(step, Call) else send(step)
        try:
            step = plan.send(result)
        except StopIteration as done:
            replies: dict[str, R] = done.value
            return replies


async def arun_plan(plan: Plan, client: Any, send: Callable[[Sends], Awaitable[list[R]]]) -> dict[str, R]:
    """Drive `plan` with an async core client; `send` runs the sends."""
    step = next(plan)
    while True:
        result = await (step.bound(client) if isinstance(step, Call) else send(step))
        try:
            step = plan.send(result)
        except StopIteration as done:
            replies: dict[str, R] = done.value
            return replies


def compare_title(text: str) -> str:
    """``Compare: <the turn, one line, at most 60 characters>``."""
    flat = " ".join(text.split())
    return "Compare: " + (flat if len(flat) <= 60 else flat[:59].rstrip() + "…")
