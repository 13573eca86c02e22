"""The router's input: what a caller may pass to ``AutoBranchRouter`` and the request it becomes (pure)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.prompt_values import PromptValue
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.runnables.base import coerce_to_runnable
from langchain_core.runnables.config import ensure_config

from chatroutes_core.errors import ChatRoutesError, UsageError
from chatroutes_core.mapper import check_binding
from langchain_chatroutes._convert import BRANCH_KEY, CONVERSATION_KEY

__all__ = ["NoRouteError", "RouteError", "RouterRequest", "normalize_routes", "parse_router_input"]


class NoRouteError(UsageError):
    """No route fits the request and the router has no default route."""


class RouteError(ChatRoutesError, RuntimeError):
    """A route failed; ``route`` names it and ``__cause__`` is the original error."""

    def __init__(self, route: str, error: BaseException) -> None:
        super().__init__(f"route {route!r} failed: {type(error).__name__}: {error}")
        self.route = route


@contextmanager
def raised_as_route_error(name: str) -> Iterator[None]:
    """A route's failure re-raised as :class:`RouteError` naming the route (the original as its cause)."""
    try:
        yield
    except Exception as exc:
        raise RouteError(name, exc) from exc


def short(text: str, limit: int = 80) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ------------------------------------------------------------------------------------- input (pure)


@dataclass(frozen=True)
class RouterRequest:
    """What the router was given: the text to analyse, what a single route receives, and the ids."""

    text: str
    route_input: Any
    conversation_id: str | None = None
    branch_id: str | None = None
    anchor_message_id: str | None = None
    """The last ChatRoutes reply in a message list: where the caller stands (fan-outs fork there)."""

    @property
    def binding(self) -> tuple[str | None, str | None]:
        return self.conversation_id, self.branch_id


def parse_router_input(input: Any, config: RunnableConfig | None = None) -> RouterRequest:
    """Read a router input: a string, a message list / prompt value, or ``{"input": ..., ids...}``.

    The text analysed is the string, or the last human message's text. ``conversation_id`` and
    ``branch_id`` come from the dict, else from ``config["configurable"]["chatroutes_conversation_id"/
    "chatroutes_branch_id"]`` (never generic keys such as ``conversation_id``), else from the last ChatRoutes
    reply in a message list (whose message id is then the fork point of a fan-out).

    Raises:
        TypeError: Unsupported input type.
        UsageError: No text to route, a dict without ``"input"``, a bad id (also a ``ValueError``).
    """
    configurable = ensure_config(config).get("configurable") or {}
    conversation_id = configurable.get(CONVERSATION_KEY)
    branch_id = configurable.get(BRANCH_KEY)
    inner = input
    if isinstance(input, Mapping):
        if "input" not in input:
            raise UsageError("a dict input to AutoBranchRouter needs an 'input' key (a string or messages)")
        inner = input["input"]
        conversation_id = input.get("conversation_id") or conversation_id
        branch_id = input.get("branch_id") or branch_id
    text = _text_of(inner)
    if not text.strip():
        raise UsageError("AutoBranchRouter needs a non-empty text to route")
    for name, value in (("conversation_id", conversation_id), ("branch_id", branch_id)):
        if value is not None and (not isinstance(value, str) or not value):
            raise UsageError(f"{name} must be a non-empty string, got {value!r}")
    check_binding(conversation_id, branch_id)  # a branch needs its conversation (the core's error)
    anchor = _anchor(inner)
    if anchor and conversation_id in (None, anchor[0]):
        if conversation_id is None or branch_id is None:
            conversation_id, branch_id = anchor[0], branch_id or anchor[1]
        return RouterRequest(text, inner, conversation_id, branch_id, anchor[2])
    return RouterRequest(text, inner, conversation_id, branch_id)


def _anchor(value: Any) -> tuple[str, str | None, str] | None:
    """(conversation, branch, message) of the last ChatRoutes reply in a message list, if any."""
    if isinstance(value, PromptValue):
        value = value.to_messages()
    if isinstance(value, str) or not isinstance(value, Sequence):
        return None
    for message in reversed(value):
        if isinstance(message, BaseMessage) and message.type == "ai":
            ref = message.response_metadata.get("chatroutes")
            if isinstance(ref, Mapping) and ref.get("conversation_id") and ref.get("message_id"):
                return str(ref["conversation_id"]), ref.get("branch_id"), str(ref["message_id"])
    return None


def _text_of(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, PromptValue):
        value = value.to_messages()
    if isinstance(value, Sequence):
        for message in reversed(value):
            role, content = _role_content(message)
            if role in {"human", "user"}:
                return content
        raise UsageError("the message list has no human message to route")
    raise TypeError(
        f"AutoBranchRouter input must be a string, a list of messages or a dict with 'input', "
        f"got {type(value).__name__}"
    )


def _role_content(message: Any) -> tuple[str, str]:
    if isinstance(message, str):
        return "human", message
    if isinstance(message, BaseMessage):
        return message.type, _content_text(message.content)
    if isinstance(message, tuple) and len(message) == 2:
        return str(message[0]), _content_text(message[1])
    if isinstance(message, Mapping):
        return str(message.get("role") or message.get("type") or ""), _content_text(message.get("content"))
    raise TypeError(f"unsupported message in AutoBranchRouter input: {type(message).__name__}")


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            b if isinstance(b, str) else str(b.get("text", ""))
            for b in content
            if isinstance(b, str) or (isinstance(b, Mapping) and b.get("type") == "text")
        )
    return ""


def normalize_routes(
    routes: Mapping[str, Any],
) -> tuple[dict[str, Runnable[Any, Any]], dict[str, str]]:
    if not isinstance(routes, Mapping) or not routes:
        raise UsageError("routes must be a non-empty mapping of route name to runnable")
    runnables: dict[str, Runnable[Any, Any]] = {}
    descriptions: dict[str, str] = {}
    for name, spec in routes.items():
        if not isinstance(name, str) or not name:
            raise UsageError(f"route names must be non-empty strings, got {name!r}")
        target, description = spec if isinstance(spec, tuple) else (spec, "")
        if not isinstance(description, str):
            raise UsageError(f"route {name!r}: the description must be a string")
        try:
            runnables[name] = coerce_to_runnable(target)
        except TypeError as exc:
            raise UsageError(f"route {name!r} is not a runnable or callable: {target!r}") from exc
        descriptions[name] = description
    return runnables, descriptions


# ------------------------------------------------------------------------------------------- router


def check_options(
    detector: Any, threshold: Any, max_routes: Any, classifier: Any, *, detector_is_model: bool
) -> None:
    """The router's arguments, refused with a ``UsageError`` before anything is built."""
    if not detector_is_model and detector not in ("api", "local") and not callable(detector):
        raise UsageError(f"detector must be 'api', 'local', a callable or a chat model, got {detector!r}")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1:
        raise UsageError(f"threshold must be a number between 0 and 1, got {threshold!r}")
    if isinstance(max_routes, bool) or not isinstance(max_routes, int) or max_routes < 1:
        raise UsageError(f"max_routes must be a positive integer, got {max_routes!r}")
    if classifier is not None and not callable(classifier):
        raise UsageError("classifier must be a callable (part, {name: description}) -> name | None")
