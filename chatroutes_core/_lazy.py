"""Lazy exports for the adapter packages: names are imported on first access, so ``import
langchain_chatroutes`` is cheap and a missing framework is reported with the extra that installs it."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from importlib import import_module, metadata
from typing import Any

from . import _exceptions

__all__ = ["CORE_ERRORS", "install_hint", "lazy_exports"]

CORE_ERRORS: dict[str, str] = dict.fromkeys(_exceptions.__all__, "chatroutes_core._exceptions")
"""Where each class of the core error tree is defined: both adapters export the whole tree, the same
classes, so ``except <adapter>.ChatRoutesError`` catches everything the packages raise."""


DISTRIBUTION = "chatroutes-integrations"
_EXTRA = re.compile(r"""^(?P<req>[^;]+);\s*extra\s*==\s*["'](?P<extra>[^"']+)["']\s*$""")


def install_hint(extra: str) -> str:
    """The command that installs `extra` (``server``, ``langchain``, ...), read from this distribution's own
    metadata, so it names real requirements: the package is installed from a checkout, not from an index.

    >>> install_hint("server").startswith("pip install 'fastapi")
    True
    """
    try:
        requirements = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        requirements = []
    wanted = []
    for line in requirements:
        match = _EXTRA.match(line)
        if match and match["extra"] == extra:
            wanted.append(f"'{match['req'].strip()}'")
    checkout = f"from a checkout: pip install -e '.[{extra}]'"
    return f"pip install {' '.join(wanted)} ({checkout})" if wanted else checkout


def lazy_exports(
    package: str, where: Mapping[str, str], frameworks: Collection[str], install: str
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's module ``__getattr__`` and ``__dir__`` (PEP 562) for the names in ``where``.

    ``where`` maps each public name to the module defining it. When that import fails because a top-level
    package in ``frameworks`` is missing, the ``ImportError`` says ``install`` (e.g. the pip extra).
    """

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        try:
            module = import_module(where[name])
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.split(".")[0] in frameworks:
                raise ImportError(f"{name} needs {install}") from exc
            raise
        return getattr(module, name)

    def __dir__() -> list[str]:
        return sorted(where)

    return __getattr__, __dir__
