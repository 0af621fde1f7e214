"""Fixtures of the API tests; the harness they use is ``api_harness.py``."""

from __future__ import annotations

import pytest
from api_harness import ApiClient, Server, pg_database_url


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    """The shared server: two workers, a small upload limit to test it cheaply.

    SQLite by default; ``PLANSITE_TEST_BACKEND=postgresql`` runs the whole HTTP suite on a
    PostgreSQL database made for the session (see ``ADMIN_URL``) and dropped after it.
    """
    env = {"PLANSITE_WORKERS": "2", "PLANSITE_MAX_UPLOAD_MB": "6"}
    srv = Server(tmp_path_factory.mktemp("plansite-data"), env)
    try:
        yield srv.start()
    finally:
        srv.close()


@pytest.fixture(scope="session")
def api(server: Server) -> ApiClient:
    with server.client() as client:
        yield client


@pytest.fixture()
def pg_database():
    """A fresh, uniquely named PostgreSQL database, dropped after the test."""
    with pg_database_url() as url:
        yield url
