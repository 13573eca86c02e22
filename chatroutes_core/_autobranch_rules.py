"""The rules behind ``chatroutes_core.autobranch``: every detector, run over the text.

One module per kind of branch point (``_autobranch_lists``, ``_autobranch_intents``,
``_autobranch_alternatives``, ``_autobranch_conditions``); each yields :class:`Candidate` spans, and
``autobranch`` resolves overlaps, thresholds and shapes them.
"""

from __future__ import annotations

from ._autobranch_alternatives import alternatives
from ._autobranch_candidate import Candidate, Kind
from ._autobranch_conditions import conditionals
from ._autobranch_intents import multi_intents
from ._autobranch_lists import enumerations
from ._autobranch_text import sentences

__all__ = ["Candidate", "Kind", "candidates"]


def candidates(text: str) -> list[Candidate]:
    """Every candidate branch point in ``text``, from every detector (overlaps not resolved)."""
    spans = sentences(text)
    return [
        *enumerations(text),
        *multi_intents(text, spans),
        *alternatives(text, spans),
        *conditionals(text),
    ]
