"""Service configuration, read from ``PLANSITE_*`` environment variables.

The full list, with defaults and what each is for, is in docs/CONFIGURATION.md; the table
there and ``ENV_VARS`` below must agree (a test checks). Command-line flags of
``plansite serve`` override the environment. Nothing defaults to a path inside the source
tree: the data directory is ``$XDG_DATA_HOME/plansite`` (``~/.local/share/plansite``).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field, replace
from pathlib import Path

# name → (default shown in the docs, one-line purpose). The docs table is generated from it.
ENV_VARS: dict[str, tuple[str, str]] = {
    "PLANSITE_HOST": ("127.0.0.1", "interface the API listens on (0.0.0.0 for all)"),
    "PLANSITE_PORT": ("5000", "TCP port of the API"),
    "PLANSITE_DATA_DIR": (
        "$XDG_DATA_HOME/plansite or ~/.local/share/plansite",
        "folder holding the SQLite database and the blob store",
    ),
    "PLANSITE_DATABASE_URL": (
        "sqlite:///<data dir>/plansite.db",
        "SQLAlchemy URL; `DATABASE_URL` is read when this is unset",
    ),
    "PLANSITE_BLOB_DIR": ("<data dir>/blobs", "content-addressed file store"),
    "PLANSITE_WORKERS": ("2", "analysis jobs run at once by the in-process worker; 0 = none"),
    "PLANSITE_JOB_LEASE_S": (
        "60",
        "seconds a running job is held without a heartbeat before another worker takes it",
    ),
    "PLANSITE_JOB_MAX_ATTEMPTS": (
        "3",
        "tries before a job that keeps dying (crash, kill) is marked failed",
    ),
    "PLANSITE_JOB_TIMEOUT_S": (
        "900",
        "seconds one file may take to analyse before it is stopped and its job failed",
    ),
    "PLANSITE_MAX_UPLOAD_MB": ("500", "largest single uploaded file, in MiB (decimals allowed)"),
    "PLANSITE_MIGRATE_ON_START": ("1", "apply Alembic migrations when the server starts"),
    "PLANSITE_OCR": ("1", "read outlined (SHX) text by OCR during analysis"),
    "PLANSITE_LOG_LEVEL": ("INFO", "log level of the server (DEBUG, INFO, WARNING)"),
}


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "plansite"


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment, resolved to concrete values."""

    data_dir: Path = field(default_factory=default_data_dir)
    host: str = "127.0.0.1"
    port: int = 5000
    database_url: str = ""
    blob_dir: Path | None = None
    workers: int = 2
    job_lease_s: float = 60.0
    job_max_attempts: int = 3
    job_timeout_s: float = 900.0
    max_upload_bytes: int = 500 * 2**20
    migrate_on_start: bool = True
    ocr: bool = True
    log_level: str = "INFO"
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'plansite.db'}"

    @property
    def blobs(self) -> Path:
        return self.blob_dir or self.data_dir / "blobs"

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    def with_overrides(self, **changes) -> Settings:
        """Return a copy with the non-None values of ``changes`` applied (CLI flags)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def from_env(env: dict[str, str] | None = None) -> Settings:
    """Build ``Settings`` from the environment; a malformed value raises ``ValueError``."""
    env = dict(os.environ if env is None else env)

    def get(name: str) -> str | None:
        value = env.get(name)
        return value.strip() if value and value.strip() else None

    data_dir = Path(get("PLANSITE_DATA_DIR") or default_data_dir()).expanduser()
    blob_dir = get("PLANSITE_BLOB_DIR")
    return Settings(
        data_dir=data_dir,
        host=get("PLANSITE_HOST") or "127.0.0.1",
        port=_int(get("PLANSITE_PORT"), 5000, "PLANSITE_PORT"),
        database_url=get("PLANSITE_DATABASE_URL") or get("DATABASE_URL") or "",
        blob_dir=Path(blob_dir).expanduser() if blob_dir else None,
        workers=_int(get("PLANSITE_WORKERS"), 2, "PLANSITE_WORKERS"),
        job_lease_s=_float(get("PLANSITE_JOB_LEASE_S"), 60.0, "PLANSITE_JOB_LEASE_S"),
        job_max_attempts=_int(get("PLANSITE_JOB_MAX_ATTEMPTS"), 3, "PLANSITE_JOB_MAX_ATTEMPTS"),
        job_timeout_s=_float(get("PLANSITE_JOB_TIMEOUT_S"), 900.0, "PLANSITE_JOB_TIMEOUT_S"),
        max_upload_bytes=int(
            _float(get("PLANSITE_MAX_UPLOAD_MB"), 500.0, "PLANSITE_MAX_UPLOAD_MB") * 2**20
        ),
        migrate_on_start=_bool(get("PLANSITE_MIGRATE_ON_START"), True),
        ocr=_bool(get("PLANSITE_OCR"), True),
        log_level=(get("PLANSITE_LOG_LEVEL") or "INFO").upper(),
    )


def _int(value: str | None, default: int, name: str) -> int:
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a whole number") from None


def _float(value: str | None, default: float, name: str) -> float:
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a number") from None


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.lower() not in ("0", "false", "no", "off")
