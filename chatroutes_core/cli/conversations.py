"""`chatroutes conversations [--limit N]`: the conversations of the key, newest first.

One GET (`/conversations?page=1&limit=N`); sorted again here by last activity, newest first, so the order
holds whatever order a server returns.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from chatroutes_core.cli.console import (
    SubparsersAction,
    add_command,
    add_connection_options,
    api_client,
    api_error,
)
from chatroutes_core.cli.tree_render import preview
from chatroutes_core.cli.tree_safe import one_line

if TYPE_CHECKING:
    from chatroutes_core.models import Conversation


def newest_first(conversations: Sequence[Conversation]) -> list[Conversation]:
    return sorted(conversations, key=lambda c: c.updated_at or c.created_at or "", reverse=True)


def render(conversations: Sequence[Conversation], total: int | None) -> str:
    if not conversations:
        return "No conversations yet.\n"
    shown = len(conversations)
    head = f"{shown} conversation(s), newest first" + (f" (of {total})" if total and total > shown else "")
    lines = [head + ":", ""]
    lines.append(f"{'id':<30}  {'updated':<24}  {'msgs':>4}  {'branches':>8}  title")
    for c in conversations:
        when = one_line(c.updated_at or c.created_at or "?")
        messages = "?" if c.message_count is None else str(c.message_count)
        branches = "?" if c.branch_count is None else str(c.branch_count)
        title = one_line(preview(c.title or "", 50))  # server text: no escape sequence reaches the terminal
        lines.append(f"{one_line(c.id):<30}  {when:<24}  {messages:>4}  {branches:>8}  {title}")
    lines += ["", "Show one: chatroutes tree <id>"]
    return "\n".join(lines) + "\n"


def register(subparsers: SubparsersAction) -> None:
    parser = add_command(
        subparsers,
        "conversations",
        run,
        help="list your conversations, newest first",
        description="List the conversations of the API key, newest first (by last activity).",
    )
    parser.add_argument("--limit", type=int, default=20, help="at most this many (1-100, default 20)")
    add_connection_options(parser)
    parser.add_argument("--no-color", action="store_true", help="no spinner")


def run(args: argparse.Namespace, stream: IO[str] | None = None) -> int:
    from chatroutes_core import ChatRoutesError

    out = stream if stream is not None else sys.stdout
    if not 1 <= args.limit <= 100:
        print("error: --limit must be between 1 and 100", file=sys.stderr)
        return 2
    try:
        with api_client(args, "Listing conversations…") as client:
            page = client.conversations.list(page=1, limit=args.limit)
    except ChatRoutesError as exc:
        return api_error(exc)
    out.write(render(newest_first(page.conversations), page.total))
    return 0
