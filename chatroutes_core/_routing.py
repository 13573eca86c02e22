"""Pure routing by AutoBranch suggestions, shared by the LangChain router and the LlamaIndex selector.

A request is cut into *parts*: the sub-parts (``options``) of each suggestion at or above the threshold, or
the whole text when there is none. Each part goes to the route whose name and description best match it
(:func:`score_route`, or a caller's ``classifier``); parts that match no route go to the default route.

No I/O, no framework imports.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._exceptions import UsageError
from .autobranch import Suggestion, detect
from .autobranch._wire import BranchPoint

__all__ = [
    "Classifier",
    "RoutePart",
    "RoutePlan",
    "RouteSuggestion",
    "normalize_suggestion",
    "parts_of",
    "plan_routes",
    "score_route",
    "split_parts",
    "terms",
]


@dataclass(frozen=True)
class RouteSuggestion(BranchPoint):
    """A suggestion from any detector (local, the API, or a callable), with its parts in ``options``."""

    options: tuple[str, ...]
    kind: str | None = None
    reasoning: str = ""
    estimated_divergence: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The wire shape (camelCase), plus ``options`` and ``kind``; plain JSON types only."""
        wire = self.wire(self.reasoning, self.estimated_divergence)
        return {**wire, "kind": self.kind, "options": list(self.options)}


@dataclass(frozen=True)
class RoutePart:
    """A piece of the request (``text``) and the suggestion it came from (``None``: the whole text)."""

    text: str
    suggestion: RouteSuggestion | None = None


Classifier = Callable[[RoutePart, Mapping[str, str]], "str | None"]
"""``classifier(part, {route name: description}) -> route name | None`` (``None``: no route fits)."""


@dataclass(frozen=True)
class RoutePlan:
    """Which parts each chosen route answers, best route first; ``scores[name]`` its best score."""

    routes: dict[str, tuple[RoutePart, ...]]
    scores: dict[str, float] = field(default_factory=dict)

    def text_for(self, name: str) -> str:
        """The text a route answers: its parts, in order, joined by spaces."""
        return " ".join(p.text for p in self.routes[name])


# ------------------------------------------------------------------------------------- suggestions


def split_parts(trigger_text: str) -> tuple[str, ...]:
    """The sub-parts of a trigger text, found again with the offline detector (itself when none)."""
    if not trigger_text.strip():
        return (trigger_text,)
    found = detect(trigger_text, threshold=0.0, suggestions_count=50)
    # The best point, with all its suggestions (a multi-intent point has one per intent).
    point = sorted((s for s in found if found and s.point == found[0].point), key=lambda s: s.start)
    if point and (point[-1].end - point[0].start) >= 0.6 * len(trigger_text.strip()):
        return tuple(o for s in point for o in s.options)
    return (trigger_text.strip(),)


def normalize_suggestion(obj: Any) -> RouteSuggestion:
    """A :class:`RouteSuggestion` from a local ``Suggestion``, an API ``BranchSuggestion`` or a dict.

    Raises:
        TypeError: ``obj`` is none of these.
    """
    if isinstance(obj, RouteSuggestion):
        return obj
    if isinstance(obj, Suggestion):
        return RouteSuggestion(
            obj.id, obj.title, obj.description, obj.trigger_text, obj.start, obj.end, obj.confidence,
            obj.options, obj.kind, obj.reasoning, obj.estimated_divergence,
        )  # fmt: skip
    if isinstance(obj, Mapping):
        get = obj.get
        point = get("branchPoint") or get("branch_point") or {}
        trigger = str(get("triggerText", get("trigger_text", "")) or "")
        options = get("options")
        return RouteSuggestion(
            id=str(get("id") or ""),
            title=str(get("title") or ""),
            description=str(get("description") or ""),
            trigger_text=trigger,
            start=int(_field(point, "start") or 0),
            end=int(_field(point, "end") or 0),
            confidence=float(get("confidence") or 0.0),
            options=tuple(str(o) for o in options) if options else split_parts(trigger),
            kind=get("kind"),
            reasoning=str(get("reasoning") or ""),
            estimated_divergence=get("estimatedDivergence", get("estimated_divergence")),
        )
    if hasattr(obj, "trigger_text") and hasattr(obj, "confidence"):  # chatroutes_core.models.BranchSuggestion
        point = getattr(obj, "branch_point", None)
        trigger = str(obj.trigger_text or "")
        return RouteSuggestion(
            id=str(getattr(obj, "id", "") or ""),
            title=str(getattr(obj, "title", "") or ""),
            description=str(getattr(obj, "description", "") or ""),
            trigger_text=trigger,
            start=int(_field(point, "start") or 0),
            end=int(_field(point, "end") or 0),
            confidence=float(obj.confidence or 0.0),
            options=split_parts(trigger),
            reasoning=str(getattr(obj, "reasoning", "") or ""),
            estimated_divergence=getattr(obj, "estimated_divergence", None),
        )
    raise TypeError(f"cannot read a suggestion from {type(obj).__name__}")


def _field(point: Any, name: str) -> Any:
    return point.get(name) if isinstance(point, Mapping) else getattr(point, name, None)


def parts_of(text: str, suggestions: Iterable[RouteSuggestion], threshold: float) -> list[RoutePart]:
    """The parts to route: each kept suggestion's options, or the whole text when none is kept."""
    parts = [
        RoutePart(option, s)
        for s in sorted(suggestions, key=lambda s: (s.start, -s.confidence))
        if s.confidence >= threshold
        for option in s.options
        if option.strip()
    ]
    return parts or [RoutePart(text.strip(), None)]


# ---------------------------------------------------------------------------------------- scoring

_STOP = frozenset(
    re.split(
        r"\s+",
        """a an the i me my we our you your it its is are was were be been am do does did how what why where
    when which who whom can could would should will to of in on at for with about from by and or but so if
    then than that this these those there here have has had get got not no please also just any some more
    most very much many need want like know tell help question questions thing things handle handles
    answer answers route routes anything something about also have having other""",
    )
)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "s", "e", "y")
_TOKEN = re.compile(r"[A-Za-z0-9]+")


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def terms(text: str) -> set[str]:
    """Lower-case, stemmed content words of ``text`` (``route_name`` splits at ``_`` and ``-`` too)."""
    return {_stem(w) for w in (t.lower() for t in _TOKEN.findall(text)) if w not in _STOP and len(w) > 1}


def _matches(a: set[str], b: set[str]) -> int:
    """How many words of ``a`` match one in ``b`` (equal, or one a prefix of the other of length >= 4)."""
    return sum(1 for x in a if x in b or any(_prefix(x, y) for y in b))


def _prefix(x: str, y: str) -> bool:
    short, long_ = (x, y) if len(x) <= len(y) else (y, x)
    return len(short) >= 4 and long_.startswith(short)


def score_route(name: str, description: str, part: str, suggestion: RouteSuggestion | None = None) -> float:
    """How well a route (``name``, ``description``) fits a part of a request, in ``[0, 1]``.

    Words of the part that match the route's words count fully; words of the suggestion's title,
    description and trigger text count a fifth as much (they name the other parts too). Scaled by the
    square root of the number of words, so a long part needs more matches than a short one.

    Example:
        >>> score_route("billing", "invoices, refunds and payments", "I was charged twice on my invoice") > 0
        True
    """
    route = terms(name.replace("_", " ").replace("-", " ") + " " + description)
    if not route:
        return 0.0
    own = terms(part)
    score = _matches(own, route) / math.sqrt(len(own)) if own else 0.0
    if suggestion is not None:
        context = terms(" ".join((suggestion.title, suggestion.description, suggestion.trigger_text)))
        if context:
            score += 0.2 * _matches(context, route) / math.sqrt(len(context))
    return round(min(1.0, score), 4)


def plan_routes(
    parts: Sequence[RoutePart],
    routes: Mapping[str, str],
    *,
    classifier: Classifier | None = None,
    default: str | None = None,
    min_score: float = 0.1,
    max_routes: int = 3,
) -> RoutePlan:
    """Send each part to its best route; unmatched parts go to ``default``; keep the ``max_routes`` best.

    Args:
        parts: The parts of the request (see :func:`parts_of`).
        routes: Route name -> description (may be empty).
        classifier: Replaces the scoring: returns a route name or ``None`` for each part.
        default: The route for parts that match no route (``None``: they are dropped).
        min_score: The lowest :func:`score_route` value that counts as a match.
        max_routes: The most routes chosen.

    Returns:
        A plan; empty ``routes`` when nothing matched and there is no default.

    Raises:
        UsageError: The classifier returned a name that is not a route.
    """
    best: dict[str, float] = {}
    chosen: dict[str, list[RoutePart]] = {}
    for part in parts:
        name, score = _pick(part, routes, classifier, min_score)
        if name is None:
            if default is None:
                continue
            name, score = default, 0.0
        chosen.setdefault(name, []).append(part)
        best[name] = max(best.get(name, 0.0), score)
    ranked = sorted(chosen, key=lambda n: (n == default and best[n] == 0.0, -best[n]))[:max_routes]
    order = [n for n in chosen if n in ranked]  # text order of each route's first part
    return RoutePlan({n: tuple(chosen[n]) for n in order}, {n: best[n] for n in order})


def _pick(
    part: RoutePart, routes: Mapping[str, str], classifier: Classifier | None, min_score: float
) -> tuple[str | None, float]:
    if classifier is not None:
        name = classifier(part, routes)
        if name is not None and name not in routes:
            raise UsageError(f"classifier returned {name!r}, which is not a route (routes: {sorted(routes)})")
        return name, 1.0 if name is not None else 0.0
    scored = [(score_route(n, d, part.text, part.suggestion), n) for n, d in routes.items()]
    scored = [(s, n) for s, n in scored if s >= min_score]
    if not scored:
        return None, 0.0
    score, name = max(scored, key=lambda sn: sn[0])  # first route wins a tie (max keeps the first)
    return name, score
