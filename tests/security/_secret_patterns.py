"""What an API key or credential looks like in recorded traffic (shared by the secret scans)."""

from __future__ import annotations

import re

# ChatRoutes keys: `cr_<env>_sk_<hex>` (docs: cr_prod_sk_ + 64 hex; the SDK tests use cr_production_sk_).
CHATROUTES_KEY = re.compile(r"cr_[A-Za-z0-9]+_sk_[A-Za-z0-9]{8,}")
# A credential after an auth scheme word: `ApiKey abc...`, `Bearer eyJ...` (16+ token characters).
SCHEME_TOKEN = re.compile(r"\b(?:ApiKey|Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{16,}", re.IGNORECASE)
# A header or field named like a credential, and the rest of its value (JSON, YAML map or YAML list form).
AUTH_FIELD = re.compile(
    r"""(?P<name>authorization|x-api-key|api[_-]?key|llmApiKey)["']?[ \t]*[:=][ \t]*"""
    r"""(?:\n[ \t]*-[ \t]+|\[[ \t]*)?["']?(?P<value>[^"'\n\]},]*)""",
    re.IGNORECASE,
)
_SCHEME_WORDS = re.compile(r"^(?:ApiKey|Bearer|Basic|Token)\s*", re.IGNORECASE)
_PLACEHOLDER_MARKS = (
    "redact",
    "scrub",
    "filter",
    "dummy",
    "placeholder",
    "hidden",
    "***",
    "xxxx",
    "<",
    "null",
)


def _is_placeholder(value: str) -> bool:
    rest = _SCHEME_WORDS.sub("", value.strip()).strip().lower()
    return not rest or rest in {"~", "none", "''", '""'} or any(mark in rest for mark in _PLACEHOLDER_MARKS)


def find_secrets(text: str) -> list[str]:
    """Every substring of ``text`` that looks like an API key or a credential value."""
    found = [m.group(0) for m in CHATROUTES_KEY.finditer(text)]
    found += [m.group(0) for m in SCHEME_TOKEN.finditer(text)]
    found += [m.group(0) for m in AUTH_FIELD.finditer(text) if not _is_placeholder(m.group("value"))]
    return found
