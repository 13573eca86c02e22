"""Error bodies: ``{"success": false, "error": <message>, "message": <message>, "code": <CODE>}``.

``error`` and ``message`` hold the same sentence: the official Python SDK reads ``error``, the JS SDK
``message || error``.

``ApiError`` is raised by routes; the handlers installed by :func:`install_error_handlers` turn it, request
validation failures (always 400, never 422), unknown routes and any unexpected exception (500, no details)
into that body.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger("chatroutes_core.server")

_T = TypeVar("_T")

CODES = {
    400: "VALIDATION_ERROR",
    401: "AUTHENTICATION_ERROR",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    429: "RATE_LIMIT_EXCEEDED",
    502: "UPSTREAM_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


class ApiError(Exception):
    """An error answer: status, human message, optional machine code and details."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        details: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or CODES.get(status, "ERROR")
        self.details = details
        self.retry_after = retry_after  # seconds: a Retry-After header and a body retryAfter


def error_body(status: int, message: str, code: str | None = None, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "success": False,
        "error": message,
        "message": message,
        "code": code or CODES.get(status, "ERROR"),
    }
    if details is not None:
        body["details"] = details
    return body


def error_response(status: int, message: str, code: str | None = None, details: Any = None) -> JSONResponse:
    return JSONResponse(error_body(status, message, code, details), status_code=status)


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found")


def found(row: _T | None, what: str) -> _T:
    """``row``, unless it is None: then a 404 ``<what> not found``."""
    if row is None:
        raise not_found(what)
    return row


def _validation_message(errors: list[Any]) -> tuple[str, list[dict[str, str]]]:
    details: list[dict[str, str]] = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "query", "path", "header")]
        kind = err.get("type", "")
        if kind == "json_invalid":
            return "Invalid JSON in request body", [{"field": "body", "message": "Invalid JSON"}]
        if kind == "model_attributes_type" or (not loc and kind in ("dict_type", "model_type")):
            return "Request body must be a JSON object", [{"field": "body", "message": "expected an object"}]
        details.append({"field": ".".join(loc) or "body", "message": str(err.get("msg", "invalid"))})
    summary = "; ".join(f"{d['field']}: {d['message']}" for d in details[:5])
    return f"Invalid request: {summary}", details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        if exc.retry_after is None:
            return error_response(exc.status, exc.message, exc.code, exc.details)
        body = {**error_body(exc.status, exc.message, exc.code, exc.details), "retryAfter": exc.retry_after}
        headers = {"Retry-After": str(max(1, round(exc.retry_after)))}
        return JSONResponse(body, status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, details = _validation_message(list(exc.errors()))
        return error_response(400, message, "VALIDATION_ERROR", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = "Not found" if exc.status_code == 404 else str(exc.detail)
        return error_response(exc.status_code, message)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        logger.error("unhandled error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        body = {"success": False, "error": "Internal server error", "message": "Internal server error"}
        return JSONResponse(body, status_code=500)
