"""What /ready tells any caller: which dependency failed, never a driver's message."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from plansite.observability.health import NotReady, health_router


def _ready(checks) -> dict:
    app = FastAPI()
    app.include_router(health_router(checks))
    answer = TestClient(app).get("/ready")
    assert answer.status_code == 503
    return answer.json()


def test_driver_errors_show_their_kind_only(caplog) -> None:
    def database() -> None:
        raise ConnectionError("could not connect to db.internal:5432 as admin/hunter2")

    body = _ready({"database": database})

    error = body["checks"]["database"]["error"]
    assert body["failed"] == ["database"]
    assert error.startswith("ConnectionError") and "hunter2" not in error
    assert "hunter2" in caplog.text, "the person on call still gets the whole message"


def test_a_checks_own_verdict_is_shown_as_written() -> None:
    def blob_store() -> None:
        raise NotReady("blob folder does not exist (PLANSITE_BLOB_DIR)")

    body = _ready({"blob_store": blob_store})

    assert body["checks"]["blob_store"]["error"] == "blob folder does not exist (PLANSITE_BLOB_DIR)"
