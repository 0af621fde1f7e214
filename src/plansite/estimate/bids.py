"""Stored bids, price-book versions, corrections and accuracy: the estimating unit of work.

Every function takes an open ``Session`` and leaves committing to the caller
(``store.db.session_scope``), so a bid, its number and its first log entry are written
in one transaction or not at all.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plansite.estimate import metrics
from plansite.estimate.bid import BidOptions
from plansite.estimate.corrections import (Correction, Reviewed, agreement, apply_corrections,
                                           mean_confidence)
from plansite.estimate.document import Estimate, estimate_takeoff
from plansite.estimate.models import (AccuracyRecord, BidRecord, CorrectionRecord,
                                      PriceBookVersion)
from plansite.estimate.numbering import next_bid_number
from plansite.estimate.pricebook import PriceBook, merged_book
from plansite.estimate.workflow import EDITABLE, log_event


class BidNotEditable(ValueError):
    """A bid past review keeps the prices and takeoff it was sent with."""


# --- price books ----------------------------------------------------------------------------

def current_pricebook(session: Session, company: str) -> tuple[PriceBook, PriceBookVersion | None]:
    """The company's latest saved book, or the shipped default when it has none."""
    row = _latest_pricebook(session, company)
    return (PriceBook(row.document), row) if row else (PriceBook.default(), None)


def save_pricebook(session: Session, company: str, overrides: dict[str, Any],
                   note: str = "") -> PriceBookVersion:
    """Merge ``overrides`` into the current book and store the result as the next version.

    The stored document is merged as it is, without loading it as a ``PriceBook`` first: a
    version saved before a check was added may fail that check, and the override is how the
    company repairs it.
    """
    current = _latest_pricebook(session, company)
    merged = merged_book(current.document if current else PriceBook.default().doc, overrides)
    latest = current.version if current else 0
    doc = dict(merged.doc, version=f"{company}-v{latest + 1}")
    row = PriceBookVersion(company_id=company, version=latest + 1, document=doc,
                           content_hash=PriceBook(doc).content_hash, note=note)
    session.add(row)
    session.flush()
    return row


def _latest_pricebook(session: Session, company: str) -> PriceBookVersion | None:
    return session.scalars(select(PriceBookVersion)
                           .where(PriceBookVersion.company_id == company)
                           .order_by(PriceBookVersion.version.desc()).limit(1)).first()


# --- bids -------------------------------------------------------------------------------------

def options_from_dict(doc: dict[str, Any]) -> tuple[BidOptions, dict[str, Any]]:
    """Split stored bid options into bid choices and estimate settings (code, occupancy)."""
    def rate(name: str) -> Decimal | None:
        return None if doc.get(name) is None else Decimal(str(doc[name]))

    options = BidOptions(tier=doc.get("tier"), discount_rate=rate("discount_rate"),
                         markup_rate=rate("markup_rate"), tax_rate=rate("tax_rate"),
                         optional_lines=list(doc.get("optional_lines", [])),
                         alternate_tiers=list(doc.get("alternate_tiers", ["premium"])))
    settings = {k: doc[k] for k in ("edition", "occupancy", "slope") if doc.get(k)}
    return options, settings


def price(takeoff: dict[str, Any], book: PriceBook, options_doc: dict[str, Any],
          issued: date | None = None) -> Estimate:
    options, settings = options_from_dict(options_doc)
    estimate = estimate_takeoff(takeoff, book=book, options=options, issued=issued,
                                **settings)
    metrics.record_confidence(takeoff)
    return estimate


def create_bid(session: Session, *, company: str, takeoff: dict[str, Any],
               plan_set_id: str | None = None, title: str = "",
               customer: dict[str, Any] | None = None, options: dict[str, Any] | None = None,
               actor: str = "", now: datetime | None = None) -> BidRecord:
    """Price a takeoff with the company's current book and store it as a numbered draft."""
    now = now or datetime.now(timezone.utc)
    options = options or {}
    book, version = current_pricebook(session, company)
    estimate = price(takeoff, book, options, issued=now.date())

    number = next_bid_number(session, company, now.year)
    bid = BidRecord(number=number, company_id=company, plan_set_id=plan_set_id,
                    title=title or takeoff.get("source", ""), customer=customer or {},
                    status="draft", options=options,
                    pricebook_id=version.id if version else None, pricebook_doc=book.doc,
                    takeoff=takeoff, document=estimate.to_dict(), total=estimate.bid.to_dict()[
                        "total"], created_at=now, updated_at=now)
    session.add(bid)
    session.flush()
    log_event(session, bid, action="created", actor=actor, to_status="draft",
              note=f"priced with book {book.version} ({book.content_hash[:12]})", now=now)
    return bid


def reprice_bid(session: Session, bid: BidRecord, takeoff: dict[str, Any], *, actor: str,
                note: str = "takeoff corrected") -> BidRecord:
    """Re-price a draft or review bid from a new takeoff with the book it was made with."""
    if bid.status not in EDITABLE:
        raise BidNotEditable(f"bid {bid.number} is {bid.status}; only draft or review bids "
                             "follow takeoff corrections")
    estimate = price(takeoff, PriceBook(bid.pricebook_doc), bid.options or {},
                     issued=bid.created_at.date())
    old_total = bid.total
    bid.takeoff, bid.document = takeoff, estimate.to_dict()
    bid.total = bid.document["total"]
    bid.updated_at = datetime.now(timezone.utc)
    log_event(session, bid, action="repriced", actor=actor,
              note=f"{note}: total {old_total} -> {bid.total}")
    return bid


def bid_estimate(bid: BidRecord) -> Estimate:
    """Rebuild the priced estimate of a stored bid (for the PDF and XLSX writers)."""
    return price(bid.takeoff, PriceBook(bid.pricebook_doc), bid.options or {},
                 issued=bid.created_at.date())


# --- corrections and accuracy ------------------------------------------------------------------

def add_corrections(session: Session, plan_set_id: str, corrections: list[Correction],
                    actor: str = "") -> None:
    start = session.scalar(select(func.max(CorrectionRecord.seq))
                           .where(CorrectionRecord.plan_set_id == plan_set_id)) or 0
    for offset, fix in enumerate(corrections, start=1):
        session.add(CorrectionRecord(plan_set_id=plan_set_id, seq=start + offset, actor=actor,
                                     correction=fix.to_dict()))
    session.flush()


def reviewed_takeoff(session: Session, plan_set_id: str, machine: dict[str, Any]) -> Reviewed:
    rows = session.scalars(select(CorrectionRecord)
                           .where(CorrectionRecord.plan_set_id == plan_set_id)
                           .order_by(CorrectionRecord.seq)).all()
    return apply_corrections(machine, [Correction.from_dict(r.correction) for r in rows])


def record_accuracy(session: Session, plan_set_id: str, machine: dict[str, Any],
                    reviewed: dict[str, Any]) -> AccuracyRecord:
    """Store and export the agreement of the machine takeoff with the reviewed one."""
    score = agreement(machine, reviewed)
    row = session.get(AccuracyRecord, plan_set_id) or AccuracyRecord(plan_set_id=plan_set_id)
    row.score, row.updated_at = score, datetime.now(timezone.utc)
    row.machine_counts, row.reviewed_counts = machine.get("counts", {}), reviewed["counts"]
    session.add(row)
    metrics.record_accuracy(score)
    return row


def takeoff_confidence(takeoff: dict[str, Any]) -> float | None:
    return mean_confidence(takeoff)
