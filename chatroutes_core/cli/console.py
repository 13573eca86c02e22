"""Terminal output for the `chatroutes` command: rich when colour is on, plain text otherwise.

Colour is on only when the stream is a TTY, `--no-color` was not given, `NO_COLOR` is unset and `rich` (from
the `[server]` extra) is installed; everything else gets plain text with no escape codes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

SubparsersAction = Any  # argparse._SubParsersAction is private; it is only used to call add_parser()


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


def spinner_console(no_color: bool = False) -> Console | None:
    """A console on stderr for spinners, so stdout stays clean when piped (`tree --format html > t.html`)."""
    return make_console(use_color(no_color, sys.stderr), sys.stderr)


def add_connection_options(parser: Any) -> None:
    """``--base-url`` and ``--api-key``, defaulting to the environment, for commands that call the API."""
    parser.add_argument("--base-url", default=None, help="API base URL (default: $CHATROUTES_BASE_URL)")
    parser.add_argument("--api-key", default=None, help="API key (default: $CHATROUTES_API_KEY)")
