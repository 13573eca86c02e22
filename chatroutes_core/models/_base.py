"""The one base of every response model: camelCase on the wire, snake_case in Python, unknown fields kept."""

from __future__ import annotations

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
