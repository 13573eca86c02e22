"""Issue 25 figures: private cross-package imports, lines per package, the largest modules.

`python -m bench.layout` prints them as Markdown. A private import is an import, in `langchain_chatroutes`,
`llama_index_chatroutes` or `chatroutes_core/cli`, of a `chatroutes_core` module any part of whose dotted
path starts with `_`, or of a name starting with `_` (multi-line imports and `import a._b` count too).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("chatroutes_core", "langchain_chatroutes", "llama_index_chatroutes")
CONSUMERS = ("langchain_chatroutes", "llama_index_chatroutes", "chatroutes_core/cli")


def _private(dotted: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in dotted.split("."))


def private_imports() -> list[tuple[str, int, str, list[str]]]:
    """Each private cross-package import: (file, line, module, the names it imports)."""
    found: list[tuple[str, int, str, list[str]]] = []
    for consumer in CONSUMERS:
        for path in sorted((ROOT / consumer).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                rel = str(path.relative_to(ROOT))
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    if not node.module.startswith("chatroutes_core"):
                        continue
                    names = [a.name for a in node.names]
                    if _private(node.module):
                        found.append((rel, node.lineno, node.module, names))
                    elif private_names := [n for n in names if _private(n)]:
                        found.append((rel, node.lineno, node.module, private_names))
                elif isinstance(node, ast.Import):
                    for alias in node.names:
                        if alias.name.startswith("chatroutes_core") and _private(alias.name):
                            found.append((rel, node.lineno, alias.name, [alias.name]))
    return found


def lines_per_package() -> dict[str, int]:
    return {pkg: sum(len(p.read_text().splitlines()) for p in (ROOT / pkg).rglob("*.py")) for pkg in PACKAGES}


def largest_modules(count: int = 10) -> list[tuple[int, str]]:
    sizes = [
        (len(p.read_text().splitlines()), str(p.relative_to(ROOT)))
        for pkg in PACKAGES
        for p in (ROOT / pkg).rglob("*.py")
    ]
    return sorted(sizes, reverse=True)[:count]


def main() -> None:
    found = private_imports()
    print(f"private cross-package imports: {len(found)} statements, {sum(len(n) for *_, n in found)} names")
    for rel, line, module, names in found:
        print(f"  {rel}:{line} {module}: {', '.join(names)}")
    print("lines per package:")
    for pkg, lines in lines_per_package().items():
        print(f"  {pkg}: {lines}")
    print("largest modules:")
    for lines, rel in largest_modules():
        print(f"  {lines} {rel}")


if __name__ == "__main__":
    main()
