"""Cut a long text into bounded segments so AutoBranch detection stays linear in the text length.

Every rule runs on one segment at a time and never looks past it, so the work per segment is bounded by
a constant (whatever the rules do inside it) and the whole detection is linear in ``len(text)``. A text of
at most ``SEGMENT_LIMIT`` characters is one segment, so short messages see no cut at all. A longer one is
cut at the best boundary in the second half of each window: a blank line, else a line break, else the end
of a sentence, else a space, else (one unbroken run of characters) at the limit itself. Each segment but
the last is therefore at least half the limit long, so there are at most ``2 * len(text) / limit + 1``
segments, and finding each cut reads one window.
"""

from __future__ import annotations

from .._exceptions import UsageError

__all__ = ["SEGMENT_LIMIT", "segments"]

SEGMENT_LIMIT = 4096
"""The longest segment. Far above a chat message's paragraph; a branch point across a cut is not seen."""

# Boundaries in order of preference; a segment ends just after the separator.
_BOUNDARIES: tuple[tuple[str, ...], ...] = (
    ("\n\n", "\n\r\n"),
    ("\n",),
    (". ", "? ", "! ", ".\t", "?\t", "!\t"),
    (" ", "\t"),
)


def segments(text: str, limit: int = SEGMENT_LIMIT) -> list[tuple[int, int]]:
    """Consecutive ``(start, end)`` spans that cover ``text`` exactly, each at most ``limit`` long.

    Raises:
        UsageError: ``limit`` is below 2.
    """
    if limit < 2:
        raise UsageError(f"limit must be at least 2, got {limit}")
    spans: list[tuple[int, int]] = []
    pos, n = 0, len(text)
    while n - pos > limit:
        cut = _cut(text, pos + limit // 2, pos + limit)
        spans.append((pos, cut))
        pos = cut
    if pos < n or not spans:
        spans.append((pos, n))
    return spans


def _cut(text: str, lo: int, hi: int) -> int:
    """The end of a segment within ``(lo, hi]``: just after the last preferred separator there."""
    for separators in _BOUNDARIES:
        found = [(i + len(sep)) for sep in separators if (i := text.rfind(sep, lo, hi)) >= 0]
        if found:
            return max(found)
    return hi
