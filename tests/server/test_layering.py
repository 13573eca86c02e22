"""Server layering: the HTTP layer (``routes``, ``middleware``, ``app``) builds on the services and the store,
never the other way round."""

from __future__ import annotations

import ast
from pathlib import Path

import chatroutes_core.server as server

HTTP_LAYER = {"app.py", "middleware.py"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_service_imports_the_http_layer() -> None:
    root = Path(server.__file__).parent
    offenders = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] == "routes" or relative.name in HTTP_LAYER:
            continue
        bad = {
            name for name in _imports(path) if "routes" in name.split(".") or name.lstrip(".") == "middleware"
        }
        if bad:
            offenders[str(relative)] = sorted(bad)
    assert offenders == {}
