"""`chatroutes compare "TEXT" --models gpt-5 claude-sonnet-4-5 [--conversation ID]`: replies side by side.

Each model answers on its own branch of one conversation, all forked at the same point (the plan in
`chatroutes_core._compare`, shared with `langchain_chatroutes.CompareModels`): a new conversation by default,
or the tip of `--conversation`'s main branch. Requests: 1 + 2N new, 2N with `--conversation`; the sends run
concurrently. Without an API key (`--api-key` or `$CHATROUTES_API_KEY`) it runs on an in-process local
server, whose offline replies only report their context.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import IO, Any

from chatroutes_core.cli.console import (
    SubparsersAction,
    add_command,
    add_connection_options,
    api_error,
    console_on,
    plural,
    read_text,
    spinner_console,
    waiting,
)
from chatroutes_core.integration import DEFAULT_MODEL

DEFAULT_MODELS = (DEFAULT_MODEL, "claude-sonnet-4-5")


def compare(
    client: Any, text: str, models: Sequence[str], conversation_id: str | None = None
) -> tuple[str, dict[str, Any]]:
    """Run the compare with a core client: (conversation id, {model: (branch id, SendMessageResponse)})."""
    from chatroutes_core.flows import run
    from chatroutes_core.integration import check_models, compare_title, plan_compare

    checked = check_models(models)
    plan = plan_compare(checked, title=compare_title(text), conversation_id=conversation_id)
    conversation, branches = run(plan, client)

    def one(model: str, branch_id: str) -> tuple[str, Any]:
        return branch_id, client.messages.send(conversation, content=text, model=model, branch_id=branch_id)

    with ThreadPoolExecutor(max_workers=len(branches)) as pool:
        replies = list(pool.map(lambda pair: one(*pair), branches))
    return conversation, dict(zip(checked, replies, strict=True))


def render_columns(replies: Mapping[str, tuple[str, Any]], width: int = 100) -> str:
    """The replies in columns, one per model, headed by the model and its branch (plain text)."""
    models = list(replies)
    gap = " │ "
    column = max(20, (width - len(gap) * (len(models) - 1)) // max(1, len(models)))
    heads = [textwrap.wrap(f"{m} ({replies[m][0]})", column) for m in models]
    bodies = [_wrap(str(replies[m][1].message.content), column) for m in models]
    lines: list[str] = []
    for block in (heads, [["─" * column] for _ in models], bodies):
        for i in range(max(len(cells) for cells in block)):
            row = [(cells[i] if i < len(cells) else "").ljust(column) for cells in block]
            lines.append(gap.join(row).rstrip())
    return "\n".join(lines) + "\n"


def _wrap(text: str, width: int) -> list[str]:
    out: list[str] = []
    for paragraph in text.splitlines() or [""]:
        out.extend(textwrap.wrap(paragraph, width) or [""])
    return out


def print_rich(console: Any, replies: Mapping[str, tuple[str, Any]]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=True, expand=True)
    for model, (branch, _) in replies.items():
        table.add_column(Text(f"{model}\n{branch}"), ratio=1)
    table.add_row(*(Text(str(reply.message.content)) for _, reply in replies.values()))
    console.print(table)


@contextmanager
def _connection(args: argparse.Namespace, err: IO[str]) -> Iterator[tuple[Any, bool]]:
    """A core client for the API (or --base-url), or for an in-process local server when there is no key."""
    from chatroutes_core import ChatRoutesClient

    key = args.api_key or os.environ.get("CHATROUTES_API_KEY")
    if key:
        with ChatRoutesClient(api_key=key, base_url=args.base_url) as client:
            yield client, False
        return
    if args.conversation:
        raise SystemExit("error: --conversation needs the server that holds it: set CHATROUTES_API_KEY")
    from chatroutes_core.testing import LocalServer

    print("No API key: comparing on an in-process local server (offline replies).", file=err)
    with (
        LocalServer() as server,
        ChatRoutesClient(api_key=server.api_key, base_url=server.base_url) as client,
    ):
        yield client, True


def register(subparsers: SubparsersAction) -> None:
    parser = add_command(
        subparsers,
        "compare",
        run,
        help="send one turn to several models and show the replies side by side",
        description="Send TEXT to each model on its own branch of one conversation, all forked at the same "
        "point, and print the replies side by side.",
    )
    parser.add_argument("text", help="the turn to send ('-' reads it from stdin)")
    parser.add_argument(
        "--models", nargs="+", default=list(DEFAULT_MODELS), metavar="MODEL",
        help=f"model aliases (default: {' '.join(DEFAULT_MODELS)})",
    )  # fmt: skip
    parser.add_argument("--conversation", default=None, metavar="ID", help="fork at this conversation's tip")
    add_connection_options(parser)
    parser.add_argument("--width", type=int, default=100, help="plain output width (default 100)")
    parser.add_argument("--no-color", action="store_true", help="plain text output")


def run(args: argparse.Namespace, stream: IO[str] | None = None) -> int:
    from chatroutes_core import ChatRoutesError, ConfigurationError
    from chatroutes_core.integration import check_models

    out = stream if stream is not None else sys.stdout
    text = read_text(args.text)
    if not text.strip():
        print("error: the text is empty", file=sys.stderr)
        return 2
    try:
        check_models(args.models)
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        with (
            _connection(args, sys.stderr) as (client, offline),
            waiting(spinner_console(args.no_color), f"Asking {len(args.models)} models…"),
        ):
            conversation, replies = compare(client, text, args.models, args.conversation)
    except ChatRoutesError as exc:
        return api_error(exc)
    console = console_on(out, args.no_color)
    header = f"Conversation {conversation}: {plural(len(replies), 'sibling branch')}, one per model\n"
    if console is not None:
        console.print(header.rstrip(), style="bold", markup=False)
        print_rich(console, replies)
    else:
        out.write(header + "\n" + render_columns(replies, args.width))
    if offline:
        out.write("\n(The local server was temporary: set CHATROUTES_API_KEY to keep the conversation.)\n")
    else:
        out.write(f"\nSee the branches: chatroutes tree {conversation}\n")
    return 0
