"""`chatroutes tree CONVERSATION_ID [--format text|mermaid|html|json]`: fetch a tree and render it.

One GET for the tree, one per branch for its history; works against the live API and the local server.
"""

from __future__ import annotations

import argparse
import sys
from typing import IO, Any

from chatroutes_core.cli.console import add_command, add_connection_options, api_client, api_error, console_on
from chatroutes_core.cli.tree_render import FORMATS, render, render_rich
from chatroutes_core.treeview import TreeView, build_view


def fetch_view(client: Any, conversation_id: str) -> TreeView:
    """The conversation's tree with every branch's history (`chatroutes_core.treeview`), ready to render."""
    tree = client.conversations.get_tree(conversation_id)
    branches = list(tree.iter_branches())
    histories = {
        b.id: client.branches.get_history(conversation_id, b.id, branches=branches) for b in branches
    }
    return build_view(tree, histories)


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "tree",
        run,
        help="show a conversation's branches and messages",
        description="Render a conversation tree as a terminal tree, a mermaid diagram, an html page or json.",
    )
    parser.add_argument("conversation_id", help="the conversation id (e.g. conv_...)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    add_connection_options(parser)
    parser.add_argument("--no-color", action="store_true", help="plain text output")


def run(args: argparse.Namespace, stream: IO[str] | None = None) -> int:
    from chatroutes_core import ChatRoutesError

    out = stream if stream is not None else sys.stdout
    console = console_on(out, args.no_color or args.format != "text")  # colour only for the text tree
    try:
        with api_client(args, f"Fetching {args.conversation_id}…") as client:
            view = fetch_view(client, args.conversation_id)
    except ChatRoutesError as exc:
        return api_error(exc)
    if console is not None:
        console.print(render_rich(view))
    else:
        out.write(render(view, args.format))
    return 0
