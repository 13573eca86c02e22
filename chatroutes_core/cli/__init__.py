"""The ``chatroutes`` command line: one module per subcommand, each with ``register(subparsers)``.

    chatroutes demo            a guided tour (offline by default)
    chatroutes serve           the local ChatRoutes-compatible server
    chatroutes conversations   list conversations, newest first
    chatroutes tree ID         a conversation's branches and messages (text, mermaid, html, json)
    chatroutes suggest TEXT    AutoBranch suggestions with the trigger spans highlighted
    chatroutes compare TEXT    one turn sent to several models, replies side by side
    chatroutes explore         the branch explorer (browser) against any ChatRoutes API
    chatroutes --version

``register`` adds the subcommand's parser and sets ``func`` (a ``Callable[[argparse.Namespace], int]``);
add a new module to ``SUBCOMMANDS``. Only the demo imports LangChain or LlamaIndex, inside its steps.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from chatroutes_core._version import __version__
from chatroutes_core.cli import compare, conversations, demo, explore, serve, suggest, tree
from chatroutes_core.cli.console import SubparsersAction

__all__ = ["SUBCOMMANDS", "build_parser", "main"]

SUBCOMMANDS: list[Callable[[SubparsersAction], None]] = [
    serve.register,
    demo.register,
    conversations.register,
    tree.register,
    suggest.register,
    compare.register,
    explore.register,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatroutes", description="ChatRoutes tools")
    parser.add_argument("--version", action="version", version=f"chatroutes {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    return func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
