"""Flows of several requests, written once and run on either client (the h11/httpcore idea).

A flow is a generator that yields :class:`ClientCall` objects and receives their results (or has the
:class:`~chatroutes_core.ChatRoutesError` they raised thrown into it). A yielded list of calls is one step
of independent calls: the async driver runs them concurrently, the sync one in order; both make every call
of the step, then send back the list of results or, when a call failed, throw the first failure (in the
step's order) once all have finished, so a step makes the same requests on either client. A flow holds
the whole decision logic of a multi-request operation (continue-or-fork, fork-then-send, read a branch and
its parents) and does no I/O.
:func:`run` drives it with a :class:`~chatroutes_core.ChatRoutesClient`, :func:`arun` with an
:class:`~chatroutes_core.AsyncChatRoutesClient`: the only difference between the two is ``await``.

A call is typed: :func:`call` takes a function picking the method off a client (``lambda c:
c.branches.fork``) and the method's arguments, so mypy checks the resource, the method and the argument
types against :class:`~chatroutes_core.ChatRoutesClient` (the async client has the same methods, the same
signatures: a test keeps them in sync), and ``yield from`` the call gives the flow the method's result
type. ``ClientCall("branches", "fork", args, kwargs)``, the untyped spelling, still works.

Example:
    >>> def first_title(conversation_id: str) -> Flow[str | None]:
    ...     conversation = yield from call(lambda c: c.conversations.get, conversation_id)
    ...     return conversation.title  # mypy knows conversation is a Conversation
    >>> run(first_title(conv.id), client)  # or: await arun(first_title(conv.id), async_client)
    'Docs'
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Generic, ParamSpec

from typing_extensions import TypeVar

from ._exceptions import ChatRoutesError

if TYPE_CHECKING:
    from ._client import ChatRoutesClient

__all__ = ["ClientCall", "Flow", "arun", "call", "run"]

P = ParamSpec("P")
R = TypeVar("R", default=Any)  # an untyped ClientCall("resource", "method", ...) is a ClientCall[Any]
T = TypeVar("T")

Flow = Generator["ClientCall[Any] | list[ClientCall[Any]]", Any, T]
"""A generator that yields calls, receives their results and returns the flow's result."""


@dataclass(frozen=True)
class ClientCall(Generic[R]):
    """One client method call: ``pick(client)(*args, **kwargs)``, or ``client.<resource>.<method>(...)``.

    Make typed ones with :func:`call`. ``enter=True`` marks a context manager (``messages.stream``): the
    driver enters it and sends the entered stream back; the caller of the driver iterates and closes it.
    ``result = yield from a_call`` is ``result = yield a_call`` with the result typed ``R``.
    """

    resource: str = ""
    method: str = ""
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    enter: bool = False
    pick: Callable[[Any], Callable[..., Any]] | None = field(default=None, compare=False)

    def bound(self, client: Any) -> Any:
        if self.pick is not None:
            return self.pick(client)(*self.args, **self.kwargs)
        return getattr(getattr(client, self.resource), self.method)(*self.args, **self.kwargs)

    def with_options(self, options: Mapping[str, Any]) -> ClientCall[R]:
        """This call with per-call options (``timeout``, ``extra_headers``, ``extra_body``) added."""
        return replace(self, kwargs={**self.kwargs, **options}) if options else self

    def __iter__(self) -> Generator[ClientCall[R], Any, R]:
        result: R = yield self
        return result


def call(
    pick: Callable[[ChatRoutesClient], Callable[P, R]], /, *args: P.args, **kwargs: P.kwargs
) -> ClientCall[R]:
    """A typed call: ``call(lambda c: c.branches.fork, conversation_id, fork_point_message_id=...)``.

    ``pick`` is typed against the sync client, so mypy checks the method and its arguments; the async
    driver applies it to the async client (same methods, same signatures) and awaits the result.
    """
    return ClientCall(args=args, kwargs=kwargs, pick=pick)


def _sync_step(call: ClientCall[Any], client: Any) -> Any:
    outcome = call.bound(client)
    return outcome.__enter__() if call.enter else outcome


def _sync_steps(step: ClientCall[Any] | list[ClientCall[Any]], client: Any) -> Any:
    if not isinstance(step, list):
        return _sync_step(step, client)
    outcomes: list[Any] = []
    for call in step:
        try:
            outcomes.append(_sync_step(call, client))
        except Exception as exc:  # as gather(return_exceptions=True) does: every call is still made
            outcomes.append(exc)
    if (failure := _failure(outcomes)) is None:
        return outcomes
    for stream in _entered(step, outcomes):
        stream.__exit__(None, None, None)
    raise failure


def _failure(outcomes: list[Any]) -> BaseException | None:
    """A step's first failure in call order (an error that is not the API's, a bug, goes first), if any."""
    failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    if not failures:
        return None
    return next((f for f in failures if not isinstance(f, ChatRoutesError)), failures[0])


def _entered(step: list[ClientCall[Any]], outcomes: list[Any]) -> list[Any]:
    """The streams a failed step did enter: the driver closes them, since the flow never sees them."""
    return [o for c, o in zip(step, outcomes, strict=True) if c.enter and not isinstance(o, BaseException)]


async def _async_step(call: ClientCall[Any], client: Any) -> Any:
    outcome = call.bound(client)
    return await (outcome.__aenter__() if call.enter else outcome)


async def _async_steps(step: list[ClientCall[Any]], client: Any) -> list[Any]:
    calls = (_async_step(call, client) for call in step)
    outcomes = list(await asyncio.gather(*calls, return_exceptions=True))
    if (failure := _failure(outcomes)) is None:
        return outcomes
    for stream in _entered(step, outcomes):
        await stream.__aexit__(None, None, None)
    raise failure


@dataclass(frozen=True)
class _Done:
    value: Any


def _advance(flow: Flow[Any], result: Any, error: ChatRoutesError | None) -> Any:
    """The flow's next step given the last result (or error), or :class:`_Done` with its result."""
    try:
        return flow.send(result) if error is None else flow.throw(error)
    except StopIteration as done:
        return _Done(done.value)


def run(flow: Flow[T], client: Any) -> T:
    """Drive ``flow`` with a sync client."""
    result: Any = None
    error: ChatRoutesError | None = None
    while not isinstance(step := _advance(flow, result, error), _Done):
        try:
            result, error = _sync_steps(step, client), None
        except ChatRoutesError as exc:
            result, error = None, exc
    return step.value  # type: ignore[no-any-return]


async def arun(flow: Flow[T], client: Any) -> T:
    """Drive ``flow`` with an async client."""
    result: Any = None
    error: ChatRoutesError | None = None
    while not isinstance(step := _advance(flow, result, error), _Done):
        try:
            if isinstance(step, list):
                result = await _async_steps(step, client)
            else:
                result = await _async_step(step, client)
            error = None
        except ChatRoutesError as exc:
            result, error = None, exc
    return step.value  # type: ignore[no-any-return]
