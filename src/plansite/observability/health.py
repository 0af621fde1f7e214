"""``GET /health`` (is the process alive) and ``GET /ready`` (can it do its work now).

Liveness touches nothing outside the process, so a database outage never makes an
orchestrator restart healthy API processes. Readiness runs each dependency check (database,
blob store, queue) with a time limit and answers 503 naming the ones that failed, so the
on-call person knows where to look without reading logs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping

import anyio
from fastapi import APIRouter
from fastapi.responses import JSONResponse

log = logging.getLogger(__name__)

# A check returns None (or True) when the dependency works and raises (or returns False)
# when it does not. The /ready answer names the kind of failure only; the exception text,
# which can carry host names, paths or user names, goes to the log for the person on call.
Check = Callable[[], object]


class NotReady(RuntimeError):
    """A check's own verdict, worded to be shown in the /ready answer as it is."""

CHECK_TIMEOUT_S = 3.0


def health_router(checks: Mapping[str, Check] | None = None) -> APIRouter:
    """Router with ``/health`` and ``/ready``; ``checks`` maps a dependency name to its check."""
    router = APIRouter(tags=["health"])
    named = dict(checks or {})

    @router.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/ready", include_in_schema=False)
    async def ready() -> JSONResponse:
        results = {name: await _run_check(name, check) for name, check in named.items()}
        failed = [name for name, result in results.items() if result["status"] != "ok"]
        body = {
            "status": "ok" if not failed else "unavailable",
            "failed": failed,
            "checks": results,
        }
        return JSONResponse(body, status_code=503 if failed else 200)

    return router


async def _run_check(name: str, check: Check) -> dict[str, object]:
    started = time.perf_counter()
    try:
        with anyio.fail_after(CHECK_TIMEOUT_S):
            outcome = await anyio.to_thread.run_sync(check, abandon_on_cancel=True)
        error = "check returned False" if outcome is False else None
    except TimeoutError:
        error = f"no answer within {CHECK_TIMEOUT_S:.0f}s"
    except NotReady as exc:
        error = str(exc)
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", with its reason
        log.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
        error = f"{type(exc).__name__} (details in the server log)"

    elapsed = round(time.perf_counter() - started, 4)
    if error:
        log.warning("readiness check %s failed: %s", name, error)
        return {"status": "failed", "error": error, "duration_s": elapsed}
    return {"status": "ok", "duration_s": elapsed}
