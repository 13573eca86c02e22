"""Issue 27: one suggestion per thing, titles a person would write, and the official SDK's sample texts."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatroutes_core.autobranch import detect, suggest_branches
from chatroutes_core.autobranch._titles import VOCABULARY

# The three texts of the official SDK's own materials (chatroutes/chatroutes-python-sdk): the pattern
# detection of test_complete_flow.py, and the pattern and hybrid cells of demo_complete_features.ipynb
# (indented and hard-wrapped, as the notebook sends them).
SDK_FLOW = "I need help with pricing information and technical support for my account."
SDK_PATTERN_CELL = """
    Hi, I'm having trouble with my account. I can't log in and I'm not sure 
    if I should reset my password or contact technical support. Also, I wanted 
    to ask about your pricing plans for the enterprise tier. Do you offer 
    discounts for annual subscriptions?
    """  # noqa: W291 (the notebook's trailing spaces)
SDK_HYBRID_CELL = """
    I've been thinking about upgrading our team's subscription. We currently 
    have 5 users on the basic plan, but we're growing fast. I'd like to 
    understand the differences between your professional and enterprise tiers, 
    especially regarding API rate limits and custom integrations. Also, one 
    of our team members reported a bug in the export feature - should I file 
    that separately?
    """  # noqa: W291


def _titles(text: str, threshold: float = 0.7) -> list[str]:
    """The titles in text order."""
    found = detect(text, threshold=threshold, suggestions_count=10)
    return [s.title for s in sorted(found, key=lambda s: s.start)]


@pytest.mark.parametrize(
    ("text", "threshold", "titles"),
    [
        (SDK_FLOW, 0.7, ["Pricing information", "Technical support for my account"]),
        (
            SDK_PATTERN_CELL,
            0.6,  # the notebook's threshold
            [
                "Login problem",
                "Reset my password or contact technical support",
                "Enterprise pricing",
                "Discounts for annual subscriptions",
            ],
        ),
        (SDK_HYBRID_CELL, 0.7, ["Professional or enterprise tiers", "Bug in the export feature"]),
    ],
)
def test_the_official_sdk_sample_texts_give_the_intents_a_reader_sees(
    text: str, threshold: float, titles: list[str]
) -> None:
    assert _titles(text, threshold) == titles
    for s in detect(text, threshold=threshold, suggestions_count=10):
        assert text[s.start : s.end] == s.trigger_text


def test_the_pattern_cell_has_one_choice_and_no_conditional() -> None:
    found = detect(SDK_PATTERN_CELL, threshold=0.6, suggestions_count=10)
    assert [s.kind for s in sorted(found, key=lambda s: s.start)] == [
        "multi_intent",
        "alternative",
        "multi_intent",
        "multi_intent",
    ]
    assert suggest_branches(SDK_PATTERN_CELL, threshold=0.6)["metadata"]["totalBranchPointsFound"] == 4


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        (
            "Should I learn Python or Rust? If I pick Rust, what book?",
            ["Python or Rust", "If you pick Rust: what book"],
        ),
        ("Should I use Flask or FastAPI for my API?", ["Flask or FastAPI"]),
        ("Which cloud should we standardize on, AWS, Azure or GCP?", ["AWS, Azure or GCP"]),
        (
            "I need help with billing and also have a technical question about the API",
            ["Billing help", "Technical question about the API"],
        ),
        (
            "I can't sign in to the app. Also, what does the Pro plan cost?",
            ["Login problem", "What does the Pro plan cost?"],
        ),
        (
            "Do you ship to Canada? And how much is express delivery?",
            ["Do you ship to Canada?", "How much is express delivery?"],
        ),
        (
            "If my application is rejected, what are my options?",
            ["If your application is rejected: what are your options"],
        ),
        (
            "I'm not sure whether I should reset my password or contact support.",
            ["Reset my password or contact support"],
        ),
    ],
)
def test_titles_a_person_would_write(text: str, titles: list[str]) -> None:
    assert _titles(text) == titles


@pytest.mark.parametrize(
    "text",
    [
        "I'm not sure whether I should reset my password or contact support.",
        "I can't decide whether to renew my lease or buy a flat.",
        "If interest rates drop next year, should I refinance or keep my fixed rate?",
        "Not sure if we should use Postgres or MySQL here?",
    ],
)
def test_a_whether_or_is_one_choice(text: str) -> None:
    found = detect(text, threshold=0.5, suggestions_count=10)
    assert [s.kind for s in found] == ["alternative"]


def _words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[\w'+#-]+(?:\.[\w]+)*", text)]


_SENTENCES = st.sampled_from(
    [
        "I need help with billing",
        "I can't log in",
        "Should I learn Python or Rust?",
        "If I pick Rust, what book?",
        "Also, what does the Pro plan cost?",
        "Please cancel my order and refund the shipping fee.",
        "Do you offer discounts for students?",
        "I wanted to ask about your pricing plans for the enterprise tier.",
        "Tell me the capital of Australia and how many states it has.",
        "Hi there!",
        "The export button does nothing.",
        "Which is healthier, oatmeal or granola?",
        "If it rains, we stay in; otherwise we go to the beach.",
        "1) reset my password 2) update my address",
        "Supercalifragilisticexpialidociousandmore or Antidisestablishmentarianismtoo?",
    ]
)


@settings(max_examples=150, deadline=None)
@given(parts=st.lists(_SENTENCES, min_size=1, max_size=5), seps=st.sampled_from([" ", "\n", " \n    "]))
def test_a_title_is_words_of_the_text_or_of_a_fixed_vocabulary(parts: list[str], seps: str) -> None:
    text = seps.join(parts)
    allowed = set(_words(text)) | VOCABULARY
    for s in detect(text, threshold=0.0, suggestions_count=10):
        assert s.title.strip(), s
        words = _words(s.title.replace("…", " "))
        assert words, s.title
        # every word whole: a word of the text (so never cut mid-word) or of the fixed vocabulary
        assert set(words) <= allowed, (s.title, set(words) - allowed)
        assert "\n" not in s.title and "  " not in s.title


def test_no_two_suggestions_cover_the_same_or_nested_span_as_the_same_thing() -> None:
    for text in (
        SDK_FLOW,
        SDK_PATTERN_CELL,
        SDK_HYBRID_CELL,
        "Should I learn Python or Rust? If I pick Rust, what book?",
    ):
        found = detect(text, threshold=0.0, suggestions_count=10)
        spans = [(s.start, s.end) for s in found]
        assert len(set(spans)) == len(spans)
        for a in found:
            for b in found:
                nested = a is not b and a.start <= b.start and b.end <= a.end
                assert not (
                    nested and a.kind in ("multi_intent", "conditional") and b.kind == "alternative"
                ), (a, b)


def test_a_conditional_description_reads_otherwise_not_a_negated_condition() -> None:
    [_choice, conditional] = sorted(
        detect("Should I learn Python or Rust? If I pick Rust, what book?"), key=lambda s: s.start
    )
    assert (
        conditional.description
        == "What happens depends on whether I pick Rust; branch for: what book / otherwise."
    )
