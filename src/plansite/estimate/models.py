"""Tables of estimating: price-book versions, bids, bid numbers, activity, corrections.

Declared on the store's ``Base`` so one Alembic history covers the database; the migration
is ``store/migrations/versions/0002_estimate.py``. Plan sets are referenced by id without
a foreign key, because the CLI and tests estimate takeoffs that no upload produced.

A bid stores the price book it was priced with (``pricebook_doc``) and its computed
document, so later price-book versions never change an existing bid.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plansite.store.db import Base
from plansite.store.models import new_id, utcnow

DEFAULT_COMPANY = "default"


class PriceBookVersion(Base):
    """One saved version of a company's price book (the full merged document)."""

    __tablename__ = "estimate_pricebooks"
    __table_args__ = (UniqueConstraint("company_id", "version"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    company_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BidCounter(Base):
    """The last bid number handed out per company and year; rows are locked to count."""

    __tablename__ = "estimate_bid_counters"

    company_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class BidRecord(Base):
    __tablename__ = "estimate_bids"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    company_id: Mapped[str] = mapped_column(String(64), index=True)
    plan_set_id: Mapped[str | None] = mapped_column(String(32), index=True, nullable=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    customer: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    pricebook_id: Mapped[str | None] = mapped_column(
        ForeignKey("estimate_pricebooks.id"), nullable=True)
    pricebook_doc: Mapped[dict[str, Any]] = mapped_column(JSON)
    takeoff: Mapped[dict[str, Any]] = mapped_column(JSON)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    total: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class BidEvent(Base):
    """The activity log of a bid: creation, status changes, re-pricing."""

    __tablename__ = "estimate_bid_events"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    bid_id: Mapped[str] = mapped_column(ForeignKey("estimate_bids.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(128), default="")
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class CorrectionRecord(Base):
    """One estimator correction of a plan set's machine takeoff, in the order made."""

    __tablename__ = "estimate_corrections"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    plan_set_id: Mapped[str] = mapped_column(String(32), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(128), default="")
    correction: Mapped[dict[str, Any]] = mapped_column(JSON)


class AccuracyRecord(Base):
    """Agreement between the machine takeoff and the reviewed one, per plan set."""

    __tablename__ = "estimate_accuracy"

    plan_set_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    machine_counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    reviewed_counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
