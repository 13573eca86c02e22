"""``ChatRoutes(...)``'s option check: a misspelt option is an error, not silently dropped (pure); and the
checks an assignment gets (shared by the LLM and the chat stores)."""

from __future__ import annotations

import difflib
import functools
from typing import Any

from pydantic import AliasChoices, BaseModel, SecretStr

from chatroutes_core import ConfigurationError, check_model

__all__ = ["CheckedAssignment", "options", "refuse_unknown"]


@functools.cache
def options(cls: type[BaseModel]) -> tuple[str, ...]:
    """Every keyword ``cls`` takes: its fields and their aliases (computed once per class)."""
    known = {"class_name"}  # the tag BaseComponent's dumps carry (model_validate(model_dump()) passes it)
    for name, info in cls.model_fields.items():
        alias = info.validation_alias
        choices = alias.choices if isinstance(alias, AliasChoices) else [alias, info.alias]
        known.update([name, *(c for c in choices if isinstance(c, str))])
    return tuple(sorted(known))


def refuse_unknown(cls: type[BaseModel], data: dict[str, Any]) -> None:
    """A misspelt option is an error: pydantic's default (which LlamaIndex's LLM keeps) drops it silently."""
    known = options(cls)
    for option in sorted(set(data).difference(known)):
        close = difflib.get_close_matches(option, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigurationError(f"{cls.__name__}() got an unknown option {option!r}{hint}")


class CheckedAssignment:
    """Mixed in before a pydantic model whose fields are not validated on assignment: a new key stays secret
    and an unknown model is refused now, not at the next request."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "api_key" and isinstance(value, str):
            value = SecretStr(value)
        elif name == "model":
            check_model(value)
        super().__setattr__(name, value)
