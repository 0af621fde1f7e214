"""``plansite serve``: the API and its in-process worker on one port (5000 by default).

Flags override the ``PLANSITE_*`` environment (docs/CONFIGURATION.md). The database is
migrated on start unless ``PLANSITE_MIGRATE_ON_START=0``. A malformed or out-of-range
setting, or listening beyond loopback without ``PLANSITE_API_TOKEN``, stops it before it
binds: one line on stderr naming the variable, exit status 64 (EX_USAGE, as for bad flags).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

log = logging.getLogger(__name__)

EXIT_BAD_CONFIG = 64


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the API with an in-process worker")
    p.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="TCP port (default 5000)")
    p.add_argument("--data-dir", type=Path, help="database and blob folder")
    p.add_argument("--workers", type=int, help="analysis jobs run at once (0 = no worker)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from plansite.api.app import create_app
    from plansite.observability.logs import configure_logging
    from plansite.settings import from_env

    try:
        settings = from_env().with_overrides(
            host=args.host, port=args.port, data_dir=args.data_dir, workers=args.workers
        ).validate()
        settings.check_exposure()
    except ValueError as exc:
        print(f"plansite serve: {exc}", file=sys.stderr)
        return EXIT_BAD_CONFIG

    configure_logging(service="api", level=settings.log_level)
    log.info("serving on http://%s:%d (data in %s)", settings.host, settings.port,
             settings.data_dir)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                log_level=settings.log_level.lower(), access_log=False,
                log_config=None)
    return 0
