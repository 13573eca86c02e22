"""The one base of every response model: camelCase on the wire, snake_case in Python, unknown fields kept."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

__all__ = ["ChatRoutesModel"]


class ChatRoutesModel(BaseModel):
    """Accepts camelCase (wire) and snake_case (Python) keys; keeps fields the API adds later."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        protected_namespaces=(),
    )

    def __getitem__(self, key: str) -> Any:
        """Dict-style reads by wire (camelCase) or Python name, as on the official SDK's dict results.

        ``conversation["id"]``, ``reply["message"]["content"]`` and ``branch.get("isMain")`` keep code written
        for the official SDK working; unknown fields the API sent are readable the same way.
        """
        fields = type(self).model_fields
        if key in fields:
            return getattr(self, key)
        for name, info in fields.items():
            if info.alias == key:
                return getattr(self, name)
        extra = self.__pydantic_extra__ or {}
        if key in extra:
            return extra[key]
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        """``self[key]``, or ``default`` when there is no such field."""
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key, _MISSING) is not _MISSING


_MISSING = object()
