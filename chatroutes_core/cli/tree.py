"""`chatroutes tree CONVERSATION_ID [--format text|mermaid|html|json]`: fetch a tree and render it.

One GET for the tree, one per branch for its history; works against the live API and the local server.
"""

from __future__ import annotations

import argparse
import sys
from typing import IO, Any

from chatroutes_core.cli.console import make_console, spinner_console, use_color, waiting
from chatroutes_core.cli.tree_render import FORMATS, TreeView, build_view, render, render_rich


def fetch_view(client: Any, conversation_id: str) -> TreeView:
    """The conversation's tree with every branch's history, ready for `chatroutes_core.cli.tree_render`."""
    tree = client.conversations.get_tree(conversation_id)
    branches = list(tree.iter_branches())
    histories = {
        b.id: client.branches.get_history(conversation_id, b.id, branches=branches) for b in branches
    }
    return build_view(tree, histories)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "tree",
        help="show a conversation's branches and messages",
        description="Render a conversation tree as a terminal tree, a mermaid diagram, an html page or json.",
    )
    parser.add_argument("conversation_id", help="the conversation id (e.g. conv_...)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    parser.add_argument("--base-url", default=None, help="API base URL (default: $CHATROUTES_BASE_URL)")
    parser.add_argument("--api-key", default=None, help="API key (default: CHATROUTES_API_KEY)")
    parser.add_argument("--no-color", action="store_true", help="plain text output")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, stream: IO[str] | None = None) -> int:
    from chatroutes_core import ChatRoutesClient, ChatRoutesError

    out = stream if stream is not None else sys.stdout
    color = args.format == "text" and use_color(args.no_color, out)
    console = make_console(color, out)
    try:
        with (
            ChatRoutesClient(api_key=args.api_key, base_url=args.base_url) as client,
            waiting(spinner_console(args.no_color), f"Fetching {args.conversation_id}…"),
        ):
            view = fetch_view(client, args.conversation_id)
    except ChatRoutesError as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    if console is not None:
        console.print(render_rich(view))
    else:
        out.write(render(view, args.format))
    return 0
