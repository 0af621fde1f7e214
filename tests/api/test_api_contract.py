"""What the service promises outside its routes: the served OpenAPI document is the one
the code generates, the configuration docs list every variable, and the migrations build
exactly the tables the models declare."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from api_harness import ApiClient

from plansite.api.app import create_app
from plansite.settings import ENV_VARS, Settings, from_env
from plansite.store import migrate
from plansite.store.db import make_engine

DOCS = Path(__file__).resolve().parents[2] / "docs" / "CONFIGURATION.md"


def test_served_openapi_is_the_generated_one(api: ApiClient, tmp_path) -> None:
    served = api.get("/api/v1/openapi.json").json()
    generated = create_app(Settings(data_dir=tmp_path)).openapi()
    assert served["paths"].keys() == generated["paths"].keys()
    for group in ("blueprints", "parse", "detect", "render", "chat"):
        assert any(p.startswith(f"/api/v1/{group}") for p in served["paths"]), group
    upload = served["paths"]["/api/v1/projects/{project_id}/blueprints"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert api.get("/api/v1/docs").status_code == 200


def test_every_variable_is_documented() -> None:
    documented = set(re.findall(r"^\| `(PLANSITE_\w+)`", DOCS.read_text(), flags=re.MULTILINE))
    assert documented == set(ENV_VARS)


def test_settings_from_environment(tmp_path) -> None:
    s = from_env({"PLANSITE_DATA_DIR": str(tmp_path), "PLANSITE_PORT": "5123",
                  "DATABASE_URL": "postgres://u@h/db", "PLANSITE_MAX_UPLOAD_MB": "0.5"})
    assert (s.port, s.max_upload_bytes, s.data_dir) == (5123, 2**19, tmp_path)
    assert s.db_url == "postgres://u@h/db" and not s.is_sqlite
    assert from_env({"PLANSITE_DATA_DIR": str(tmp_path)}).db_url.startswith("sqlite:///")
    with pytest.raises(ValueError, match="PLANSITE_WORKERS"):
        from_env({"PLANSITE_WORKERS": "many"})


def test_migrations_build_the_declared_schema(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), migrate.target_metadata())
    engine.dispose()
    assert diff == [], "models changed without a migration in store/migrations/versions"
    assert migrate.current_revision(url) == migrate.head_revision()


def test_db_command_migrates_and_reports(tmp_path) -> None:
    def db(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "plansite.cli.main", "db", *args, "--data-dir",
             str(tmp_path)], capture_output=True, text=True, timeout=120, check=False,
            env={k: v for k, v in os.environ.items()
                 if not k.startswith("PLANSITE_") and k != "DATABASE_URL"},
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "revision none: behind" in db("current")
    assert "up to date" in db("upgrade")
    assert (tmp_path / "plansite.db").exists()


def test_serve_refuses_a_malformed_setting(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "plansite.cli.main", "serve", "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PLANSITE_PORT": "five thousand"},
    )
    assert done.returncode == 64
    assert "PLANSITE_PORT='five thousand' is not a whole number" in done.stderr


def test_the_server_address_leads_to_the_api_docs() -> None:
    from fastapi.testclient import TestClient

    with TestClient(create_app(Settings(data_dir=Path(tempfile.mkdtemp())))) as client:
        answer = client.get("/", follow_redirects=False)

    assert answer.status_code == 307 and answer.headers["location"] == "/api/v1/docs"
