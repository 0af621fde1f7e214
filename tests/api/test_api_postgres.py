"""The core flow on PostgreSQL: the same code with ``DATABASE_URL``, in a database made for
this run and dropped after it (fixture ``pg_database`` in conftest). Skipped, with the
reason, when no PostgreSQL answers.
"""

from __future__ import annotations

from api_harness import DXF, Server, corpus_file, expected_takeoff


def test_core_flow_on_postgresql(pg_database: str, tmp_path) -> None:
    server = Server(tmp_path / "data", {"DATABASE_URL": pg_database}).start()
    try:
        with server.client() as api:
            project = api.new_project("on postgres")
            up = api.upload(project, corpus_file(DXF)).json()
            job = api.wait_job(up["job_id"])
            takeoff = api.get(f"/api/v1/blueprints/{up['id']}/takeoff").json()
            sets = api.get(f"/api/v1/projects/{project}/blueprints").json()
    finally:
        server.close()

    assert job["state"] == "succeeded", job
    assert takeoff["counts"] == expected_takeoff(DXF)["counts"]
    assert sets["total"] == 1
    assert not (tmp_path / "data" / "plansite.db").exists(), "SQLite used instead of PG"
