"""Pure routing by AutoBranch suggestions (chatroutes_core._routing): parts, scores, plans."""

from __future__ import annotations

import pytest

from chatroutes_core._routing import (
    RoutePart,
    RouteSuggestion,
    normalize_suggestion,
    parts_of,
    plan_routes,
    score_route,
    split_parts,
    terms,
)
from chatroutes_core.autobranch import detect, suggest_branches
from chatroutes_core.models import BranchSuggestion

ROUTES = {
    "billing": "invoices, payments, refunds and charges",
    "tech_support": "technical questions about the API, the SDK and errors",
    "sales": "pricing plans, quotes and upgrades",
}
MULTI = "I need help with billing and also have a technical question about the API"


def test_terms_stem_and_drop_stop_words() -> None:
    assert terms("How do I pay my Invoices?") == {"pay", "invoic"}
    assert terms("billing") == terms("Billing") == {"bill"}


def test_score_prefers_the_matching_route() -> None:
    part = "I was charged twice on my invoice"
    scores = {name: score_route(name, desc, part) for name, desc in ROUTES.items()}
    assert max(scores, key=scores.__getitem__) == "billing"
    assert scores["sales"] == 0.0
    assert 0.0 < scores["billing"] <= 1.0


def test_score_counts_the_route_name_and_prefixes() -> None:
    assert score_route("tech_support", "", "a technical problem") > 0  # "tech" is a prefix of "technical"
    assert score_route("billing", "", "a billing problem") > 0
    assert score_route("billing", "", "") == 0.0
    assert score_route("", "", "anything at all") == 0.0


def test_suggestion_context_counts_a_fifth() -> None:
    s = normalize_suggestion(detect(MULTI)[0])
    alone = score_route("billing", ROUTES["billing"], "have a technical question about the API")
    with_context = score_route("billing", ROUTES["billing"], "have a technical question about the API", s)
    assert alone == 0.0 and 0.0 < with_context < 0.25


def test_normalize_reads_local_api_and_dict_suggestions_alike() -> None:
    local = detect(MULTI)[0]
    wire = suggest_branches(MULTI)["suggestions"][0]
    from_local = normalize_suggestion(local)
    from_dict = normalize_suggestion(wire)
    from_model = normalize_suggestion(BranchSuggestion.model_validate(wire))
    assert from_local.options == from_dict.options == from_model.options == local.options
    assert from_local.trigger_text == from_dict.trigger_text == from_model.trigger_text
    assert (from_model.start, from_model.end) == (local.start, local.end)
    with pytest.raises(TypeError):
        normalize_suggestion(42)


def test_split_parts_finds_the_options_again_or_keeps_the_text() -> None:
    assert split_parts("Flask or FastAPI") == ("Flask", "FastAPI")
    assert split_parts("  just one thing  ") == ("just one thing",)


def test_parts_of_uses_options_above_threshold_else_the_whole_text() -> None:
    low = RouteSuggestion("b1", "t", "d", "x or y", 0, 6, 0.5, ("x", "y"))
    high = RouteSuggestion("b2", "t", "d", "p or q", 10, 16, 0.9, ("p", "q"))
    assert [p.text for p in parts_of("text", [high, low], 0.7)] == ["p", "q"]
    assert [p.text for p in parts_of("text", [high, low], 0.4)] == ["x", "y", "p", "q"]
    assert parts_of(" whole ", [low], 0.7) == [RoutePart("whole", None)]


def test_plan_sends_each_part_to_its_route_in_text_order() -> None:
    parts = parts_of(MULTI, [normalize_suggestion(s) for s in detect(MULTI)], 0.7)
    plan = plan_routes(parts, ROUTES)
    assert list(plan.routes) == ["billing", "tech_support"]
    assert plan.text_for("billing") == "I need help with billing"
    assert plan.text_for("tech_support") == "have a technical question about the API"


def test_plan_default_takes_unmatched_parts_and_ranks_last() -> None:
    parts = [RoutePart("my invoice is wrong"), RoutePart("what is the weather"), RoutePart("refund please")]
    plan = plan_routes(parts, ROUTES, default="fallback", max_routes=2)
    assert plan.text_for("billing") == "my invoice is wrong refund please"
    assert plan.text_for("fallback") == "what is the weather"
    assert list(plan_routes(parts, ROUTES, default="fallback", max_routes=1).routes) == ["billing"]
    assert plan_routes([RoutePart("what is the weather")], ROUTES).routes == {}


def test_plan_with_classifier() -> None:
    seen: list[tuple[str, list[str]]] = []

    def classify(part: RoutePart, routes: dict[str, str]) -> str | None:
        seen.append((part.text, sorted(routes)))
        return "sales" if "weather" in part.text else None

    plan = plan_routes([RoutePart("weather"), RoutePart("invoice")], ROUTES, classifier=classify)
    assert list(plan.routes) == ["sales"]
    assert seen == [("weather", sorted(ROUTES)), ("invoice", sorted(ROUTES))]
    with pytest.raises(ValueError, match="not a route"):
        plan_routes([RoutePart("x")], ROUTES, classifier=lambda p, r: "nope")
