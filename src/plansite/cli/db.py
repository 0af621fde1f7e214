"""``plansite db``: migrate the database (``upgrade``) or show its revision (``current``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("db", help="database migrations")
    p.add_argument("action", choices=("upgrade", "current"))
    p.add_argument("--revision", default="head", help="target of upgrade (default head)")
    p.add_argument("--data-dir", type=Path, help="data folder holding the SQLite database")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from plansite.settings import from_env
    from plansite.store import migrate

    settings = from_env().with_overrides(data_dir=args.data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.db_url
    try:
        if args.action == "upgrade":
            migrate.upgrade(url, args.revision)
        current = migrate.current_revision(url)
    except SQLAlchemyError as exc:
        print(f"plansite db: cannot reach the database: {exc.__class__.__name__}: "
              f"{str(exc).splitlines()[0]}", file=sys.stderr)
        return 69
    head = migrate.head_revision()
    state = "up to date" if current == head else f"behind (head is {head})"
    print(f"database revision {current or 'none'}: {state}")
    return 0
