"""Wording the command line and the mapper put in front of people: counts agree with their nouns, fork
titles say what the fork is about instead of repeating an id the tree already shows, install advice names
requirements that exist."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chatroutes_core._lazy import install_hint
from chatroutes_core.cli.console import plural
from chatroutes_core.mapper._flows import fork_title


def test_plural() -> None:
    assert plural(1, "branch") == "1 branch"
    assert plural(2, "branch") == "2 branches"
    assert plural(0, "message") == "0 messages"
    assert plural(1, "sibling branch") == "1 sibling branch"


def test_fork_title_names_the_turn_not_the_id() -> None:
    assert fork_title("What about Rust instead?") == "Fork: What about Rust instead?"
    long = "Could you compare the professional and the enterprise tiers for a team of forty people please"
    title = fork_title(long)
    assert title.endswith("…") and len(title) <= len("Fork: ") + 49
    assert long.startswith(title.removeprefix("Fork: ").removesuffix("…"))
    assert fork_title("<tool_response>{}</tool_response>") == "Fork"
    assert fork_title("   ") == "Fork"


@given(st.text())
def test_fork_title_is_one_line_made_of_the_turns_words(content: str) -> None:
    title = fork_title(content)
    assert "\n" not in title and title.startswith("Fork")
    body = title.removeprefix("Fork: ").removesuffix("…")
    if body != "Fork":
        words = body.split()
        flat = content.split()
        assert words[:-1] == flat[: len(words) - 1]  # whole words of the turn, in order; the last may be cut


def test_install_hint_names_real_requirements() -> None:
    hint = install_hint("server")
    assert "'fastapi>=0.110'" in hint and "pip install -e '.[server]'" in hint
    assert "chatroutes-integrations[" not in hint
    assert install_hint("no-such-extra") == "from a checkout: pip install -e '.[no-such-extra]'"
