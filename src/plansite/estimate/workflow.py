"""The status of a bid, who moved it, and its automatic expiry.

    draft -> review -> approved -> sent -> accepted | rejected | expired -> archived
      ^        |          |
      +--------+----------+   (sent back for changes)

A draft may also be archived (abandoned). Every change is written to the activity log
with its actor and note. A bid's validity starts when it is sent; ``expire_due`` moves
every sent bid past its ``expires_at`` to ``expired`` as the actor ``system``. The API
calls it before it reads bids, so an expired bid is never shown as sent; the worker may
call it on a timer as well.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from plansite.estimate.models import BidEvent, BidRecord

STATUSES = ("draft", "review", "approved", "sent", "accepted", "rejected", "expired",
            "archived")
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"review", "archived"}),
    "review": frozenset({"draft", "approved"}),
    "approved": frozenset({"sent", "draft"}),
    "sent": frozenset({"accepted", "rejected", "expired"}),
    "accepted": frozenset({"archived"}),
    "rejected": frozenset({"archived"}),
    "expired": frozenset({"archived"}),
    "archived": frozenset(),
}
# Statuses in which the bid may still be re-priced (after corrections or a new price book).
EDITABLE = frozenset({"draft", "review"})


class TransitionError(ValueError):
    """The requested status change is not allowed from the bid's current status."""


def transition(session: Session, bid: BidRecord, to: str, *, actor: str, note: str = "",
               now: datetime | None = None) -> BidEvent:
    """Move ``bid`` to ``to`` and log it; raise ``TransitionError`` naming the legal moves."""
    now = now or datetime.now(timezone.utc)
    if to not in STATUSES:
        raise TransitionError(f"unknown status {to!r}; statuses are {', '.join(STATUSES)}")
    allowed = TRANSITIONS[bid.status]
    if to not in allowed:
        moves = ", ".join(sorted(allowed)) or "none (archived is final)"
        raise TransitionError(f"bid {bid.number} is {bid.status}; it can move to {moves}")

    if to == "sent":
        validity = int(bid.pricebook_doc.get("validity_days", 30))
        bid.sent_at = now
        bid.expires_at = now + timedelta(days=validity)
    event = log_event(session, bid, action="status", actor=actor, note=note,
                      from_status=bid.status, to_status=to, now=now)
    bid.status = to
    bid.updated_at = now
    return event


def log_event(session: Session, bid: BidRecord, *, action: str, actor: str, note: str = "",
              from_status: str | None = None, to_status: str | None = None,
              now: datetime | None = None) -> BidEvent:
    event = BidEvent(bid_id=bid.id, action=action, actor=actor, note=note,
                     from_status=from_status, to_status=to_status,
                     at=now or datetime.now(timezone.utc))
    session.add(event)
    return event


def expire_due(session: Session, now: datetime | None = None) -> list[BidRecord]:
    """Expire every sent bid whose validity has run out; return the bids changed."""
    now = now or datetime.now(timezone.utc)
    due = session.scalars(
        select(BidRecord).where(BidRecord.status == "sent", BidRecord.expires_at.is_not(None))
    ).all()
    expired = []
    for bid in due:
        if _aware(bid.expires_at) <= now:
            transition(session, bid, "expired", actor="system",
                       note=f"validity ended {bid.expires_at:%Y-%m-%d}", now=now)
            expired.append(bid)
    return expired


def _aware(when: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they were stored as UTC."""
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
