"""``create_app(settings)``: the PlanSiteOS API with its in-process worker.

Routes are grouped by the service that will own them in the distributed layout
(blueprints, parse, detect, estimate, render, chat); jobs belong to the API itself.
Every request first passes the guards (``guards.py``): Host allow-list, cross-site
refusal, the optional API token, and bounded, well-formed JSON bodies.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse

from plansite import __version__
from plansite.api import (
    blueprints_routes,
    chat_routes,
    detect_routes,
    estimate_routes,
    jobs_routes,
    parse_routes,
    problems,
    render_routes,
)
from plansite.api.guards import AccessGuard, JsonBodyGuard
from plansite.api.services import close_services, open_services
from plansite.observability import install as install_observability
from plansite.observability.probes import job_table_stats, readiness_checks
from plansite.settings import Settings, from_env


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = (settings or from_env()).validate()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.services = open_services(settings)
        yield
        close_services(app.state.services)

    app = FastAPI(
        title="PlanSiteOS API", version=__version__, lifespan=lifespan,
        openapi_url="/api/v1/openapi.json", docs_url="/api/v1/docs", redoc_url=None,
        description="Upload plumbing plan sets, follow their analysis, read the takeoff.",
    )
    app.state.settings = settings
    problems.install(app)
    for router in service_routers():
        app.include_router(router)
    app.add_api_route("/", _to_docs, include_in_schema=False)

    # The last middleware added runs first: access is checked before any body is read,
    # and the metrics middleware (added by observability) still counts the refusals.
    app.add_middleware(JsonBodyGuard, max_bytes=settings.max_json_bytes)
    app.add_middleware(AccessGuard, settings=settings)
    install_observability(app, checks=readiness_checks(app), job_stats=job_table_stats(app))
    return app


async def _to_docs() -> RedirectResponse:
    """A person who opens the server's address lands on the API's own documentation."""
    return RedirectResponse("/api/v1/docs")


def service_routers() -> list[APIRouter]:
    return [
        blueprints_routes.router, jobs_routes.router, parse_routes.router,
        detect_routes.router, estimate_routes.router, render_routes.router,
        chat_routes.router,
    ]
