"""`chatroutes suggest "TEXT"`: AutoBranch suggestions with the trigger span highlighted in the text.

Offline by default (the local detector in `chatroutes_core.autobranch`); `--api` asks the API (or the server
at `--base-url`). Plain output marks the span as `[[...]]`; with colour it is a rich highlight.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from chatroutes_core.cli.console import (
    add_command,
    add_connection_options,
    api_client,
    api_error,
    console_on,
    read_text,
)

if TYPE_CHECKING:
    from rich.console import Console

OPEN, CLOSE = "[[", "]]"
CONTEXT_CHARS = 70


@dataclass(frozen=True)
class SpanSuggestion:
    """One suggestion reduced to what the command shows (from the local detector or the API)."""

    title: str
    start: int
    end: int
    trigger_text: str
    confidence: float
    description: str = ""


def from_local(text: str, *, threshold: float, count: int) -> list[SpanSuggestion]:
    from chatroutes_core import autobranch

    found = autobranch.detect(text, threshold=threshold, suggestions_count=count)
    return [_normalise(s) for s in found]


def from_api(client: Any, text: str, *, threshold: float, count: int) -> list[SpanSuggestion]:
    response = client.autobranch.suggest_branches(text=text, threshold=threshold, suggestions_count=count)
    return [_normalise(s) for s in response.suggestions]


def _normalise(s: Any) -> SpanSuggestion:
    point = getattr(s, "branch_point", None)
    start = point.start if point is not None else s.start
    end = point.end if point is not None else s.end
    return SpanSuggestion(
        title=str(getattr(s, "title", "") or ""),
        start=int(start),
        end=int(end),
        trigger_text=str(s.trigger_text),
        confidence=float(getattr(s, "confidence", 0.0) or 0.0),
        description=str(getattr(s, "description", "") or ""),
    )


def window(text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> tuple[str, str, str]:
    """(before, span, after) around the span, trimmed to `context` characters each side with ellipses."""
    before, span, after = text[:start], text[start:end], text[end:]
    if len(before) > context:
        before = "…" + before[-context:]
    if len(after) > context:
        after = after[:context] + "…"
    return " ".join(before.split("\n")), span, " ".join(after.split("\n"))


def highlight_plain(text: str, start: int, end: int) -> str:
    before, span, after = window(text, start, end)
    return f"{before}{OPEN}{span}{CLOSE}{after}"


def render_plain(text: str, suggestions: Sequence[SpanSuggestion], source: str) -> str:
    if not suggestions:
        return f"No branch points found ({source}).\n"
    lines = [f"{len(suggestions)} suggestion(s) ({source}):", ""]
    for i, s in enumerate(suggestions, 1):
        lines.append(f"{i}. {s.title}  (confidence {s.confidence:.2f}, span {s.start}-{s.end})")
        lines.append(f"   {highlight_plain(text, s.start, s.end)}")
        if s.description:
            lines.append(f"   {s.description}")
        lines.append("")
    return "\n".join(lines)


def print_rich(console: Console, text: str, suggestions: Sequence[SpanSuggestion], source: str) -> None:
    from rich.text import Text

    if not suggestions:
        console.print(f"No branch points found ({source}).")
        return
    console.print(Text(f"{len(suggestions)} suggestion(s) ({source}):", style="bold"))
    for i, s in enumerate(suggestions, 1):
        head = Text(f"\n{i}. ")
        head.append(s.title, style="bold cyan")
        head.append(f"  confidence {s.confidence:.2f}", style="green")
        head.append(f"  span {s.start}-{s.end}", style="dim")
        console.print(head)
        before, span, after = window(text, s.start, s.end)
        body = Text("   ")
        body.append(before)
        body.append(span, style="bold black on yellow")
        body.append(after)
        console.print(body)
        if s.description:
            console.print(Text(f"   {s.description}", style="dim"))


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "suggest",
        run,
        help="show AutoBranch suggestions for a text, trigger spans highlighted",
        description="Find the places where a text could branch (several intents, alternatives, "
        "conditionals). Offline by default; --api asks the ChatRoutes API.",
    )
    parser.add_argument("text", help="the text to analyse ('-' reads it from stdin)")
    parser.add_argument("--threshold", type=float, default=0.7, help="minimum confidence (default 0.7)")
    parser.add_argument("--count", type=int, default=3, help="at most this many suggestions (default 3)")
    parser.add_argument("--api", action="store_true", help="use the API's detector instead of the local one")
    add_connection_options(parser)
    parser.add_argument("--no-color", action="store_true", help="plain text output")


def run(args: argparse.Namespace, stream: IO[str] | None = None) -> int:
    out = stream if stream is not None else sys.stdout
    args.text = read_text(args.text)
    if not args.text.strip():
        print("error: the text is empty", file=sys.stderr)
        return 2
    if not 0.0 <= args.threshold <= 1.0:
        print("error: --threshold must be between 0 and 1", file=sys.stderr)
        return 2
    if args.count < 1:
        print("error: --count must be at least 1", file=sys.stderr)
        return 2
    console = console_on(out, args.no_color)
    if args.api:
        from chatroutes_core import ChatRoutesError

        try:
            with api_client(args, "Asking AutoBranch…") as client:
                found = from_api(client, args.text, threshold=args.threshold, count=args.count)
        except ChatRoutesError as exc:
            return api_error(exc)
        source = "AutoBranch API"
    else:
        found = from_local(args.text, threshold=args.threshold, count=args.count)
        source = "offline detector"
    if console is not None:
        print_rich(console, args.text, found, source)
    else:
        out.write(render_plain(args.text, found, source))
    return 0
