"""Service configuration, read from ``PLANSITE_*`` environment variables.

The full list, with defaults and what each is for, is in docs/CONFIGURATION.md; the table
there and ``ENV_VARS`` below must agree (a test checks). Command-line flags of
``plansite serve`` override the environment. Nothing defaults to a path inside the source
tree: the data directory is ``$XDG_DATA_HOME/plansite`` (``~/.local/share/plansite``).
"""

from __future__ import annotations

import ipaddress
import math
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
    "PLANSITE_API_TOKEN": (
        "unset",
        "when set (16+ characters), all routes but /health, /ready, /metrics need a bearer token",
    ),
    "PLANSITE_ALLOWED_HOSTS": (
        "127.0.0.1,localhost,::1",
        "host names the API answers to (the Host header), plus `PLANSITE_HOST`",
    ),
    "PLANSITE_MAX_JSON_KB": ("1024", "largest JSON request body, in KiB (uploads excepted)"),
}

# Names a local client uses for this machine; the Host header must be one of these (or one
# the operator lists), so a DNS-rebinding page cannot talk to the API under its own name.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MIN_TOKEN_CHARS = 16

# field → (variable, command-line flag or "", lowest, highest): the ranges ``validate``
# enforces and the bad-configuration messages quote.
RANGES: dict[str, tuple[str, str, float, float]] = {
    "port": ("PLANSITE_PORT", "--port", 1, 65535),
    "workers": ("PLANSITE_WORKERS", "--workers", 0, 64),
    "job_lease_s": ("PLANSITE_JOB_LEASE_S", "", 1, 86400),
    "job_max_attempts": ("PLANSITE_JOB_MAX_ATTEMPTS", "", 1, 100),
    "job_timeout_s": ("PLANSITE_JOB_TIMEOUT_S", "", 1, 86400),
}
MAX_UPLOAD_MB = 102400.0
MAX_JSON_KB = 65536


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
    max_json_bytes: int = 1024 * 2**10
    # Not shown by repr(): settings end up in logs and tracebacks.
    api_token: str | None = field(default=None, repr=False)
    # None: no Host check. Only settings built in code (in-process test clients, which send
    # ``Host: testserver``) leave it so; ``from_env`` always fills it in.
    allowed_hosts: tuple[str, ...] | None = None
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

    @property
    def trusted_hosts(self) -> frozenset[str] | None:
        """Host names requests may carry: the allow-list plus the host the API listens on."""
        if self.allowed_hosts is None:
            return None
        names = {_host_name(h) for h in self.allowed_hosts}
        if self.host not in WILDCARD_HOSTS:
            names.add(_host_name(self.host))
        return frozenset(names - {""})

    @property
    def listens_on_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host.strip("[]")).is_loopback
        except ValueError:
            return False

    def with_overrides(self, **changes) -> Settings:
        """Return a copy with the non-None values of ``changes`` applied (CLI flags)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def validate(self) -> Settings:
        """Raise ``ValueError`` naming the variable and its allowed range when a value is out
        of it; a server must refuse to start rather than fail later on a value like port 0.
        """
        for name, (variable, flag, low, high) in RANGES.items():
            value = getattr(self, name)
            if not (math.isfinite(value) and low <= value <= high):
                where = f"{variable} (or {flag})" if flag else variable
                raise ValueError(f"{where} must be from {low:g} to {high:g}, got {value:g}")

        if not 0 < self.max_upload_bytes <= MAX_UPLOAD_MB * 2**20:
            raise ValueError(f"PLANSITE_MAX_UPLOAD_MB must be above 0 and at most "
                             f"{MAX_UPLOAD_MB:g}, got {self.max_upload_bytes / 2**20:g}")
        if not 0 < self.max_json_bytes <= MAX_JSON_KB * 2**10:
            raise ValueError(f"PLANSITE_MAX_JSON_KB must be from 1 to {MAX_JSON_KB}, "
                             f"got {self.max_json_bytes / 2**10:g}")
        if self.log_level not in LOG_LEVELS:
            raise ValueError(f"PLANSITE_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, "
                             f"got {self.log_level!r}")
        if self.api_token is not None and (
            len(self.api_token) < MIN_TOKEN_CHARS or any(c.isspace() for c in self.api_token)
        ):
            raise ValueError(f"PLANSITE_API_TOKEN must be at least {MIN_TOKEN_CHARS} "
                             "characters without spaces")
        return self

    def check_exposure(self) -> None:
        """Refuse to listen beyond this machine without a token: anyone who can reach the
        port could otherwise read and change every project.
        """
        if not self.listens_on_loopback and not self.api_token:
            raise ValueError(
                f"PLANSITE_HOST (or --host) is {self.host}, not a loopback address, and "
                "PLANSITE_API_TOKEN is not set; set a token (and PLANSITE_ALLOWED_HOSTS to "
                "the names clients use) or listen on 127.0.0.1"
            )


def from_env(env: dict[str, str] | None = None) -> Settings:
    """Build ``Settings`` from the environment; a malformed or out-of-range value raises
    ``ValueError`` with one line naming the variable (``plansite serve`` exits 64 on it)."""
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
        max_upload_bytes=_upload_bytes(get("PLANSITE_MAX_UPLOAD_MB")),
        migrate_on_start=_bool(get("PLANSITE_MIGRATE_ON_START"), True,
                               "PLANSITE_MIGRATE_ON_START"),
        ocr=_bool(get("PLANSITE_OCR"), True, "PLANSITE_OCR"),
        log_level=(get("PLANSITE_LOG_LEVEL") or "INFO").upper(),
        max_json_bytes=_int(get("PLANSITE_MAX_JSON_KB"), 1024, "PLANSITE_MAX_JSON_KB") * 2**10,
        api_token=get("PLANSITE_API_TOKEN"),
        allowed_hosts=_hosts(get("PLANSITE_ALLOWED_HOSTS")),
    ).validate()


def _upload_bytes(value: str | None) -> int:
    """MiB to bytes, range-checked before the conversion (``inf`` cannot become an int)."""
    mib = _float(value, 500.0, "PLANSITE_MAX_UPLOAD_MB")
    if not (math.isfinite(mib) and 0 < mib <= MAX_UPLOAD_MB):
        raise ValueError(f"PLANSITE_MAX_UPLOAD_MB must be above 0 and at most "
                         f"{MAX_UPLOAD_MB:g}, got {value}")

    return max(1, int(mib * 2**20))


def _hosts(value: str | None) -> tuple[str, ...]:
    if value is None:
        return LOOPBACK_HOSTS
    names = tuple(_host_name(part) for part in value.split(","))
    bad = [n for n in names if not n or any(c in n for c in " /@?#*")]
    if bad:
        raise ValueError(f"PLANSITE_ALLOWED_HOSTS must be comma-separated host names or "
                         f"addresses (no ports, no wildcards), got {value!r}")
    return names


def _host_name(value: str) -> str:
    """``[::1]``, ``LocalHost.`` and `` 127.0.0.1 `` as the Host check compares them."""
    return value.strip().strip("[]").rstrip(".").lower()


def _int(value: str | None, default: int, name: str) -> int:
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a whole number{_allowed(name)}") from None


def _float(value: str | None, default: float, name: str) -> float:
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a number{_allowed(name)}") from None


def _allowed(variable: str) -> str:
    """`` (allowed: 1 to 65535)`` for a ranged variable, so one message says what to write."""
    bounds = {
        "PLANSITE_MAX_UPLOAD_MB": f"above 0, at most {MAX_UPLOAD_MB:g}",
        "PLANSITE_MAX_JSON_KB": f"1 to {MAX_JSON_KB}",
        **{v: f"{lo:g} to {hi:g}" for v, _, lo, hi in RANGES.values()},
    }
    return f" (allowed: {bounds[variable]})" if variable in bounds else ""


def _bool(value: str | None, default: bool, name: str) -> bool:
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name}={value!r} must be 1/0, true/false, yes/no or on/off")
