"""Terminal output for the `chatroutes` command: rich when colour is on, plain text otherwise.

Colour is on only when the stream is a TTY, `--no-color` was not given, `NO_COLOR` is unset and `rich` (from
the `[server]` extra) is installed; everything else gets plain text with no escape codes.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from chatroutes_core import ChatRoutesClient

SubparsersAction = Any  # argparse._SubParsersAction is private; it is only used to call add_parser()


def plural(count: int, noun: str) -> str:
    """``1 branch``, ``2 branches``, ``0 messages``: a count with its noun in the right number."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {noun}es" if noun.endswith(("s", "sh", "ch", "x")) else f"{count} {noun}s"


def use_color(no_color: bool = False, stream: IO[str] | None = None) -> bool:
    stream = stream if stream is not None else sys.stdout
    if no_color or os.environ.get("NO_COLOR") or not _isatty(stream):
        return False
    try:
        import rich  # noqa: F401
    except ImportError:
        return False
    return True


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def make_console(color: bool, stream: IO[str] | None = None) -> Console | None:
    """A rich console writing to `stream` when colour is on, else None (callers then print plain text)."""
    if not color:
        return None
    from rich.console import Console

    return Console(file=stream if stream is not None else sys.stdout, force_terminal=True, highlight=False)


@contextmanager
def waiting(console: Console | None, message: str) -> Iterator[Any]:
    """A spinner while waiting on the network, only when there is a rich console."""
    if console is None:
        with nullcontext() as ctx:
            yield ctx
        return
    with console.status(message, spinner="dots") as status:
        yield status


def console_on(stream: IO[str], no_color: bool = False) -> Console | None:
    """A rich console on `stream` when colour is on there (see `use_color`), else None."""
    return make_console(use_color(no_color, stream), stream)


def spinner_console(no_color: bool = False) -> Console | None:
    """A console on stderr for spinners, so stdout stays clean when piped (`tree --format html > t.html`)."""
    return console_on(sys.stderr, no_color)


@contextmanager
def api_client(args: argparse.Namespace, message: str) -> Iterator[ChatRoutesClient]:
    """A client for ``--api-key`` and ``--base-url``, with a spinner saying `message` while the block runs."""
    from chatroutes_core import ChatRoutesClient

    with (
        ChatRoutesClient(api_key=args.api_key, base_url=args.base_url) as client,
        waiting(spinner_console(args.no_color), message),
    ):
        yield client


def api_error(exc: Exception) -> int:
    """Report a failed API call on stderr; returns the exit status (1).

    A missing key is told in the command line's words (``--api-key``, not the library's ``api_key=...``).
    """
    from chatroutes_core.integration import missing_key_message

    message = str(exc).replace(missing_key_message("api_key=..."), missing_key_message("--api-key KEY"))
    print(f"error: {type(exc).__name__}: {message}", file=sys.stderr)
    return 1


def add_command(
    subparsers: SubparsersAction,
    name: str,
    run: Callable[..., int],
    *,
    help: str,
    description: str | None = None,
) -> argparse.ArgumentParser:
    """The parser of the subcommand ``name``, whose ``func`` is ``run``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(name, help=help, description=description)
    parser.set_defaults(func=run)
    return parser


def read_text(text: str) -> str:
    """A TEXT argument; ``-`` reads it from stdin."""
    return sys.stdin.read() if text == "-" else text


def add_connection_options(parser: Any) -> None:
    """``--base-url`` and ``--api-key``, defaulting to the environment, for commands that call the API."""
    parser.add_argument("--base-url", default=None, help="API base URL (default: $CHATROUTES_BASE_URL)")
    parser.add_argument("--api-key", default=None, help="API key (default: $CHATROUTES_API_KEY)")
