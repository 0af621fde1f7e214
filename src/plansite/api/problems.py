"""Errors as RFC 9457 problem+json documents with a stable, machine-readable ``code``.

Clients branch on ``code`` (``project_not_found``, ``upload_too_large``, ...), never on
``title`` or ``detail``, which are for people and may be reworded.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"

_CODES_BY_STATUS = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict",
    413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_request",
    500: "internal_error",
}


class Problem(BaseModel):
    """The body of every error response."""

    type: str
    title: str
    status: int
    code: str
    detail: str = ""
    instance: str = ""
    errors: list[dict[str, Any]] | None = None


class ApiProblem(Exception):
    """Raise from a route to answer with a problem document."""

    def __init__(self, status: int, code: str, title: str, detail: str = "") -> None:
        super().__init__(detail or title)
        self.status, self.code, self.title, self.detail = status, code, title, detail


def not_found(kind: str, ident: str) -> ApiProblem:
    return ApiProblem(404, f"{kind}_not_found", f"{kind.replace('_', ' ')} not found",
                      f"no {kind.replace('_', ' ')} with id {ident!r}")


def problem_response(
    request: Request, status: int, code: str, title: str, detail: str = "", **extra: Any
) -> JSONResponse:
    return problem_at(request.url.path, status, code, title, detail, **extra)


def problem_at(
    path: str, status: int, code: str, title: str, detail: str = "",
    headers: dict[str, str] | None = None, **extra: Any,
) -> JSONResponse:
    """A problem document for ``path``; the ASGI guards, which have no ``Request``, use it."""
    body = Problem(
        type=f"/problems/{code}", title=title, status=status, code=code, detail=detail,
        instance=path, **extra,
    )
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status,
                        media_type=MEDIA_TYPE, headers=headers)


def install(app: FastAPI) -> None:
    """Route every error the app can produce through ``problem_response``."""

    @app.exception_handler(ApiProblem)
    async def _api(request: Request, exc: ApiProblem) -> JSONResponse:
        return problem_response(request, exc.status, exc.code, exc.title, exc.detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _CODES_BY_STATUS.get(exc.status_code, f"http_{exc.status_code}")
        title = code.replace("_", " ")
        return problem_response(request, exc.status_code, code, title, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            # The body guard catches this first; kept for bodies that reach FastAPI anyway.
            return problem_response(request, 400, "malformed_json", "malformed JSON",
                                    "the request body is not valid JSON")
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return problem_response(request, 422, "invalid_request", "invalid request", detail,
                                errors=errors)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(request, 500, "internal_error", "internal error",
                                "the server failed; the log has the traceback")


# Shared ``responses=`` entries so the OpenAPI document shows problem bodies.
def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        s: {"model": Problem, "content": {MEDIA_TYPE: {}}, "description": _describe(s)}
        for s in statuses
    }


def _describe(status: int) -> str:
    return {
        400: "Bad request", 401: "Missing or wrong API token", 403: "Cross-site request",
        404: "Not found", 409: "Conflict", 413: "Upload too large",
        415: "Not a drawing file", 422: "Invalid request", 507: "Storage unavailable",
    }.get(status, "Error")
