"""Each endpoint written once: a spec (a plain function with the public signature and docstring that returns
the request, a flow or a page plan) made into the sync and the async method by the descriptors below.

``inspect.signature(Messages.send)`` is the spec's with ``self`` in front; ``help()`` shows the spec's
docstring; mypy sees ``client.messages.send(...) -> SendMessageResponse`` and, on the async client, a
coroutine of it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from types import SimpleNamespace
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from .._http.request import Call, CallOptions
from .._types import NOT_GIVEN
from ..flows import Flow, arun, run

__all__ = ["Endpoint", "Pages", "async_endpoint", "async_flow", "async_pages", "method", "sync_endpoint",
           "sync_flow", "sync_pages"]  # fmt: skip

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")
T = TypeVar("T")


class Pages(Generic[T]):
    """Pure paging plan: the next page's call (None when done) and the items of a page."""

    def __init__(self, first: Callable[[int], Call[Any]], items: Callable[[Any], list[T]],
                 last: Callable[[Any], bool]) -> None:  # fmt: skip
        self._call, self._items, self._last, self._page = first, items, last, 1

    def next_call(self) -> Call[Any] | None:
        return None if self._page == 0 else self._call(self._page)

    def items(self, result: Any) -> list[T]:
        self._page = 0 if self._last(result) else self._page + 1
        return self._items(result)


def _keyword(name: str, annotation: Any) -> inspect.Parameter:
    text = getattr(annotation, "__forward_arg__", annotation)
    default = NOT_GIVEN if name == "timeout" else None
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=text)


def _spelled_out(spec: Callable[..., Any], annotation: str) -> list[inspect.Parameter]:
    """The keywords of ``**kwargs: Unpack[X]`` (X a TypedDict), X's own first and the call options last."""
    if not annotation.startswith("Unpack[") or not annotation.endswith("]"):
        raise TypeError(f"{spec.__qualname__}: annotate **kwargs Unpack[<a TypedDict>], not {annotation}")
    keywords: dict[str, Any] = spec.__globals__[annotation[len("Unpack[") : -1]].__annotations__
    order = [name for name in keywords if name not in CallOptions.__annotations__]
    return [_keyword(name, keywords[name]) for name in order + list(CallOptions.__annotations__)]


def _public_signature(spec: Callable[..., Any], returns: str) -> inspect.Signature:
    """The spec's signature with ``self`` in front and its ``**kwargs`` spelled out as keywords."""
    signature = inspect.signature(spec)
    this = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    parameters = [this]
    for parameter in signature.parameters.values():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            parameters += _spelled_out(spec, str(parameter.annotation))
        else:
            parameters.append(parameter)
    return signature.replace(parameters=parameters, return_annotation=returns)


def _returns(spec: Callable[..., Any], template: str) -> str:
    # "Call[X]" / "Flow[X]" / "Pages[X]" -> the template around X (annotations are strings here)
    annotation = str(spec.__annotations__.get("return", "Any"))
    inner = annotation[annotation.index("[") + 1 : -1] if annotation.endswith("]") else annotation
    return template.format(inner)


class Endpoint(Generic[P, R]):
    """A method made from a spec: a function on the class (with the spec's signature), bound on instances."""

    def __init__(
        self, spec: Callable[P, Any], function: Callable[Concatenate[Any, P], R], returns: str
    ) -> None:
        functools.update_wrapper(function, spec)
        signature = _public_signature(spec, returns)
        function.__signature__ = signature  # type: ignore[attr-defined]
        function.__annotations__ = {
            name: parameter.annotation
            for name, parameter in signature.parameters.items()
            if parameter.annotation is not inspect.Parameter.empty
        } | {"return": returns}
        self.function = function

    def __set_name__(self, owner: type, name: str) -> None:
        self.function.__name__ = name
        self.function.__qualname__ = f"{owner.__qualname__}.{name}"
        self.function.__module__ = owner.__module__

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Callable[Concatenate[Any, P], R]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> Callable[P, R]: ...
    def __get__(self, obj: object, owner: type | None = None) -> Any:
        return self.function if obj is None else self.function.__get__(obj, owner)


def sync_endpoint(spec: Callable[P, Call[T]]) -> Endpoint[P, T]:
    def function(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self._transport.send(spec(*args, **kwargs))  # type: ignore[no-any-return]

    return Endpoint(spec, function, _returns(spec, "{}"))


def async_endpoint(spec: Callable[P, Call[T]]) -> Endpoint[P, Coroutine[Any, Any, T]]:
    async def function(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._transport.send(spec(*args, **kwargs))  # type: ignore[no-any-return]

    return Endpoint(spec, function, _returns(spec, "{}"))


def sync_flow(spec: Callable[P, Flow[T]], resource: str) -> Endpoint[P, T]:
    """A flow run with this resource standing as ``client.<resource>``."""

    def function(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return run(spec(*args, **kwargs), SimpleNamespace(**{resource: self}))

    return Endpoint(spec, function, _returns(spec, "{}"))


def async_flow(spec: Callable[P, Flow[T]], resource: str) -> Endpoint[P, Coroutine[Any, Any, T]]:
    async def function(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await arun(spec(*args, **kwargs), SimpleNamespace(**{resource: self}))

    return Endpoint(spec, function, _returns(spec, "{}"))


def sync_pages(spec: Callable[P, Pages[T]]) -> Endpoint[P, Iterator[T]]:
    def function(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
        pages = spec(*args, **kwargs)
        while (call := pages.next_call()) is not None:
            yield from pages.items(self._transport.send(call))

    return Endpoint(spec, function, _returns(spec, "Iterator[{}]"))


def async_pages(spec: Callable[P, Pages[T]]) -> Endpoint[P, AsyncIterator[T]]:
    async def function(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> AsyncIterator[T]:
        pages = spec(*args, **kwargs)
        while (call := pages.next_call()) is not None:
            for item in pages.items(await self._transport.send(call)):
                yield item

    return Endpoint(spec, function, _returns(spec, "AsyncIterator[{}]"))


def method(spec: Callable[P, S], then: Callable[[Any, S], R]) -> Endpoint[P, R]:
    """A method that hands the spec's result to ``then(self, result)`` (e.g. to open a stream)."""

    def function(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return then(self, spec(*args, **kwargs))

    return Endpoint(spec, function, str(then.__annotations__.get("return", "Any")))
