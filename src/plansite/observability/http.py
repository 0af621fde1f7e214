"""Request metrics and request logs for any ASGI app, and ``install`` to wire it all in.

The middleware is pure ASGI (no ``BaseHTTPMiddleware``), so streaming responses and
background tasks are not buffered. The ``route`` label is the route template
(``/api/v1/projects/{project_id}``), found by matching the request against the app's routes;
the raw path is never a label, so ids in URLs cannot create unbounded time series. Requests
that match no route are labelled ``<unmatched>``.

Duration is measured to the end of the response body, except for event streams
(``text/event-stream``, e.g. job progress), which stay open for minutes by design: for them
it is the time to the response headers, so they do not make the latency alert fire.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import Response
from starlette.routing import Match, Mount

from plansite.observability import metrics
from plansite.observability.health import Check, health_router
from plansite.observability.logs import CORRELATION_ID, accept_request_id

log = logging.getLogger("plansite.http")

UNMATCHED = "<unmatched>"
# Any other method a client sends is labelled "other", so it cannot add time series.
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
REQUEST_ID_HEADER = b"x-request-id"


class MetricsMiddleware:
    """Counts and times every HTTP request by route template, and logs one line per request."""

    def __init__(self, app: Any, routes_of: Any = None) -> None:
        self.app = app
        # The app whose routes give the templates; set by ``install`` (the FastAPI app).
        self.routes_of = routes_of

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        probe = dict(scope)
        started = time.perf_counter()
        cid = accept_request_id(_header(scope, REQUEST_ID_HEADER))
        token = CORRELATION_ID.set(cid)
        status: dict[str, Any] = {"code": 500, "headers_at": None}

        async def send_with_status(message: dict) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = list(message.get("headers", []))
                if _is_event_stream(headers):
                    status["headers_at"] = time.perf_counter()
                headers.append((REQUEST_ID_HEADER, cid.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        except Exception:
            log.exception(
                "unhandled error in %s %s; the client got a 500, fix the handler",
                scope["method"], self._route(scope, probe),
            )
            raise
        finally:
            elapsed = (status["headers_at"] or time.perf_counter()) - started
            route = self._route(scope, probe)
            self._record(scope["method"], route, status["code"], elapsed, scope["path"])
            CORRELATION_ID.reset(token)

    def _route(self, scope: dict, probe: dict) -> str:
        found = scope.get("route")
        template = getattr(found, "path_format", None) or getattr(found, "path", None)
        if template:
            return template
        routes = getattr(self.routes_of, "routes", None) or []
        return route_template(routes, probe) or UNMATCHED

    @staticmethod
    def _record(method: str, route: str, code: int, elapsed: float, path: str) -> None:
        method = method if method in METHODS else "other"
        metrics.HTTP_REQUESTS.labels(method=method, route=route, status_code=str(code)).inc()
        metrics.HTTP_DURATION.labels(method=method, route=route).observe(elapsed)
        level = logging.ERROR if code >= 500 else logging.INFO
        log.log(
            level, "%s %s answered %d in %.3fs", method, route, code, elapsed,
            extra={"method": method, "route": route, "path": path, "status": code,
                   "duration_s": round(elapsed, 4)},
        )


def route_template(routes: list, scope: dict, prefix: str = "") -> str | None:
    """Return the template of the first route that fully matches ``scope``, or None."""
    for route in routes:
        try:
            match, child = route.matches(scope)
        except Exception:  # noqa: BLE001 - a custom route that cannot match is skipped
            continue
        if match != Match.FULL:
            continue
        found = child.get("route")
        if getattr(found, "path_format", None):
            return prefix + found.path_format
        if isinstance(route, Mount):
            inner = getattr(route, "routes", None)
            if inner:
                nested = route_template(inner, {**scope, **child}, prefix + route.path)
                if nested:
                    return nested
            return prefix + route.path + "/{path}"
        return prefix + getattr(route, "path_format", getattr(route, "path", ""))
    return None


def _is_event_stream(headers: list) -> bool:
    for key, value in headers:
        if key.lower() == b"content-type" and value.startswith(b"text/event-stream"):
            return True
    return False


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def metrics_router() -> APIRouter:
    router = APIRouter(tags=["metrics"])

    @router.get("/metrics", include_in_schema=False)
    def scrape() -> Response:
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    return router


def install(
    app: FastAPI,
    *,
    checks: Mapping[str, Check] | None = None,
    job_stats: metrics.JobStatsSource | None = None,
) -> FastAPI:
    """Add request metrics/logs and the ``/metrics``, ``/health``, ``/ready`` routes to ``app``.

    ``checks`` names the readiness checks (``database``, ``blob_store``, ``queue``);
    ``job_stats`` reads the job table for ``blueprints_pending_count`` and the queue gauges.
    """
    app.include_router(metrics_router())
    app.include_router(health_router(checks))
    app.add_middleware(MetricsMiddleware, routes_of=app)
    metrics.set_job_stats_source(job_stats)
    return app
