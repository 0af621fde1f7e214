"""Bid numbers that stay unique when many requests create bids at once.

One counter row per company and year. A number is taken by an ``UPDATE ... RETURNING``
on that row inside the transaction that inserts the bid: PostgreSQL locks the row until
the transaction ends and SQLite locks the whole database for the write, so two
transactions can never read the same value, and a transaction that rolls back gives its
number back (no gaps from failures). The row is created with an insert that ignores a
conflict, so the first two bids of a year cannot race on creating it. The unique index on
``estimate_bids.number`` is the last guard.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from plansite.estimate.models import BidCounter

NUMBER_PREFIX = "B"


def next_bid_number(session: Session, company_id: str, year: int,
                    prefix: str = NUMBER_PREFIX) -> str:
    """Take the next number of ``company_id`` for ``year``, e.g. ``B-2026-00042``.

    Must run inside the transaction that stores the bid; the first statement is a write,
    which is what keeps SQLite from handing this transaction a stale read snapshot.
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(BidCounter).values(company_id=company_id, year=year, last=0)
        .on_conflict_do_nothing(index_elements=["company_id", "year"])
    )
    value = session.execute(
        update(BidCounter)
        .where(BidCounter.company_id == company_id, BidCounter.year == year)
        .values(last=BidCounter.last + 1)
        .returning(BidCounter.last)
    ).scalar_one()
    return f"{prefix}-{year}-{value:05d}"
