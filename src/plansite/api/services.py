"""What the routes share: settings, database sessions, the blob store and the worker.

Built once per process by the app's lifespan and kept on ``app.state.services``; routes
reach it through the ``services`` and ``db`` dependencies.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from plansite.settings import Settings
from plansite.store import migrate
from plansite.store.blobs import BlobStore
from plansite.store.db import make_engine, make_session_factory

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    blobs: BlobStore
    worker: object | None = None

    def wake_worker(self) -> None:
        if self.worker is not None:
            self.worker.wake()


def open_services(settings: Settings) -> Services:
    """Create the data folder, migrate the database, open the stores, start the worker."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.migrate_on_start:
        migrate.upgrade(settings.db_url)
    engine = make_engine(settings.db_url)
    blobs = BlobStore(settings.blobs)
    if settings.is_sqlite:
        blobs.clear_tmp()
    services = Services(settings, engine, make_session_factory(engine), blobs)

    if settings.workers > 0:
        from plansite.api.worker import Worker

        worker = Worker(settings, services.sessions, blobs)
        worker.start()
        services.worker = worker
    log.info("data in %s, database %s", settings.data_dir, engine.url.render_as_string())
    return services


def close_services(services: Services) -> None:
    if services.worker is not None:
        services.worker.stop()
    services.engine.dispose()


def services(request: Request) -> Services:
    return request.app.state.services


def db(request: Request) -> Iterator[Session]:
    """A session per request; routes that write commit explicitly."""
    with request.app.state.services.sessions() as session:
        yield session
