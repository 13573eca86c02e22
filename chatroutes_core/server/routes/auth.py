"""The JS SDK's ``auth`` resource: ``GET /auth/me`` answers for the API key; the account routes refuse.

The local server has API keys, not accounts. ``/auth/me`` returns a user derived from the key (its id is
the ``userId`` the key's conversations carry; no secret and no part of the key). Register, login, refresh
and logout answer 404 ``NOT_SUPPORTED_LOCALLY`` with a sentence saying so: a 4xx, because both official
SDKs resend on every 5xx (a 501 would be tried four times before the caller hears of it).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ..errors import ApiError
from ..wire import ok, user_id
from .deps import Owner

router = APIRouter(tags=["auth"])

ACCOUNT_ROUTES = ("register", "login", "refresh", "logout")
"""Paths under ``/auth/`` the hosted service has for accounts and tokens (no key needed but for logout)."""


@router.get("/auth/me")
async def me(owner: Owner) -> dict[str, Any]:
    uid = user_id(owner)
    return ok({"id": uid, "email": f"{uid}@localhost", "plan": "local", "name": "Local API key"})


def _not_here(route: str) -> ApiError:
    return ApiError(
        404,
        f"POST /auth/{route} is not available on the local ChatRoutes server: it has API keys, not "
        "accounts. Use the key `chatroutes serve` prints (Authorization: ApiKey <key>).",
        code="NOT_SUPPORTED_LOCALLY",
    )


@router.post("/auth/{route}")
async def account_route(route: str) -> dict[str, Any]:
    if route in ACCOUNT_ROUTES:
        raise _not_here(route)
    raise ApiError(404, "Not found")
