"""Stored bids on SQLite and PostgreSQL: numbers unique under real concurrency, the status
workflow with its log and expiry, price-book versions that leave old bids alone, and
corrections that the takeoff, the fixture units and draft bids follow."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from plansite.estimate import bids as store
from plansite.estimate.corrections import Correction, detection_id
from plansite.estimate.models import BidEvent, BidRecord
from plansite.estimate.workflow import TransitionError, expire_due, transition
from plansite.store.db import make_engine, make_session_factory, session_scope

TAKEOFF = {
    "source": "store-test.pdf",
    "counts": {"water_closet": 2, "lavatory": 1},
    "sheets": [{"sheet": 1, "title": "FIRST FLOOR PLAN", "number": "P1"}],
    "detections": [
        {"type": "water_closet", "sheet": 1, "room": "BATH", "bbox": [0, 0, 10, 10],
         "confidence": 0.9, "method": "tag"},
        {"type": "water_closet", "sheet": 1, "room": "WC", "bbox": [50, 0, 60, 10],
         "confidence": 0.8, "method": "block"},
        {"type": "lavatory", "sheet": 1, "room": "BATH", "bbox": [20, 0, 30, 10],
         "confidence": 0.7, "method": "tag"},
    ],
}

THREADS, PER_THREAD = 8, 4


def test_bid_numbers_unique_under_concurrency(db_url: str) -> None:
    """Eight threads, each with its own connection, create bids at the same moment."""
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            for _ in range(PER_THREAD):
                with session_scope(factory) as session:
                    store.create_bid(session, company="acme", takeoff=TAKEOFF, actor="t")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)

    assert not errors, errors
    with factory() as session:
        numbers = session.scalars(select(BidRecord.number)).all()
    year = datetime.now(timezone.utc).year
    assert sorted(numbers) == [f"B-{year}-{n:05d}" for n in range(1, THREADS * PER_THREAD + 1)]
    engine.dispose()


def test_workflow_log_and_automatic_expiry(db_url: str) -> None:
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    sent_at = datetime(2026, 1, 5, 12, tzinfo=timezone.utc)
    with session_scope(factory) as session:
        bid = store.create_bid(session, company="acme", takeoff=TAKEOFF, actor="ann",
                               now=sent_at - timedelta(days=1))
        with pytest.raises(TransitionError, match="can move to archived, review"):
            transition(session, bid, "sent", actor="ann")
        for status in ("review", "approved", "sent"):
            transition(session, bid, status, actor="ann", now=sent_at)
        assert bid.expires_at == sent_at + timedelta(days=30)
        bid_id = bid.id

    with session_scope(factory) as session:
        assert expire_due(session, now=sent_at + timedelta(days=29)) == []
        expired = expire_due(session, now=sent_at + timedelta(days=30, seconds=1))
        assert [b.id for b in expired] == [bid_id]

    with session_scope(factory) as session:
        bid = session.get(BidRecord, bid_id)
        assert bid.status == "expired"
        transition(session, bid, "archived", actor="ann")
        with pytest.raises(TransitionError, match="archived is final"):
            transition(session, bid, "draft", actor="ann")
        log = session.scalars(select(BidEvent).where(BidEvent.bid_id == bid_id)
                              .order_by(BidEvent.at)).all()
        moves = [(e.from_status, e.to_status, e.actor) for e in log]
    assert moves == [(None, "draft", "ann"), ("draft", "review", "ann"),
                     ("review", "approved", "ann"), ("approved", "sent", "ann"),
                     ("sent", "expired", "system"), ("expired", "archived", "ann")]
    engine.dispose()


def test_new_pricebook_version_leaves_existing_bids(sqlite_url: str) -> None:
    factory = make_session_factory(make_engine(sqlite_url))
    with session_scope(factory) as session:
        old = store.create_bid(session, company="acme", takeoff=TAKEOFF)
        old_total, old_id = old.total, old.id
        v1 = store.save_pricebook(session, "acme", {"markup": {"rate": "0.30"}}, "raise")
        v2 = store.save_pricebook(session, "acme", {"tax": {"rate": "0.05"}})
        new = store.create_bid(session, company="acme", takeoff=TAKEOFF)
        assert (v1.version, v2.version) == (1, 2)
        assert v2.document["markup"]["rate"] == "0.30"      # versions build on each other
        assert new.pricebook_id == v2.id and Decimal(new.total) > Decimal(old_total)

    with session_scope(factory) as session:
        kept = session.get(BidRecord, old_id)
        assert kept.total == old_total and kept.pricebook_doc["markup"]["rate"] == "0.15"
        assert store.bid_estimate(kept).bid.totals.total == Decimal(old_total)
        other, none = store.current_pricebook(session, "other-co")
        assert none is None and other.is_placeholder


def test_corrections_flow_into_takeoff_units_bid_and_accuracy(sqlite_url: str) -> None:
    factory = make_session_factory(make_engine(sqlite_url))
    wc_in_wc_room = detection_id(TAKEOFF["detections"][1])
    lav = detection_id(TAKEOFF["detections"][2])
    with session_scope(factory) as session:
        bid = store.create_bid(session, company="acme", takeoff=TAKEOFF, plan_set_id="ps1")
        before = Decimal(bid.total)
        store.add_corrections(session, "ps1", [
            Correction(action="remove", detection_id=wc_in_wc_room),
            Correction(action="retype", detection_id=lav, fixture_type="kitchen_sink"),
            Correction(action="add", fixture_type="floor_drain", sheet=1,
                       bbox=[70, 0, 72, 2], room="WC"),
            Correction(action="remove", detection_id="no-such-id"),
        ], actor="rev")
        reviewed = store.reviewed_takeoff(session, "ps1", TAKEOFF)
        accuracy = store.record_accuracy(session, "ps1", TAKEOFF, reviewed.takeoff)
        store.reprice_bid(session, bid, reviewed.takeoff, actor="rev")

    assert reviewed.takeoff["counts"] == {"floor_drain": 1, "kitchen_sink": 1,
                                          "water_closet": 1}
    assert [u.detection_id for u in reviewed.unmatched] == ["no-such-id"]
    # machine {wc 2, lav 1} vs reviewed {wc 1, ks 1, fd 1}: tp 1, fp 2, fn 2 -> F1 = 2/6
    assert accuracy.score == pytest.approx(0.3333, abs=1e-4)
    units = bid.document["fixture_units"]
    assert units["dfu"] == 3 + 2 + 2                  # WC 3, kitchen sink 2, floor drain 2
    assert Decimal(bid.total) != before
    assert {li["fixture_type"] for li in bid.document["line_items"]} >= {"floor_drain",
                                                                          "kitchen_sink"}


def test_only_draft_and_review_bids_follow_corrections(sqlite_url: str) -> None:
    factory = make_session_factory(make_engine(sqlite_url))
    with session_scope(factory) as session:
        bid = store.create_bid(session, company="acme", takeoff=TAKEOFF)
        for status in ("review", "approved"):
            transition(session, bid, status, actor="x")
        with pytest.raises(store.BidNotEditable):
            store.reprice_bid(session, bid, TAKEOFF, actor="x")


def test_accuracy_and_confidence_reach_the_metrics_registry(sqlite_url: str) -> None:
    metrics = pytest.importorskip("plansite.observability.metrics")
    factory = make_session_factory(make_engine(sqlite_url))
    with session_scope(factory) as session:
        reviewed = dict(TAKEOFF, counts={"water_closet": 2})
        row = store.record_accuracy(session, "ps-metrics", TAKEOFF, reviewed)
        store.create_bid(session, company="acme", takeoff=TAKEOFF)
    assert metrics.REGISTRY.get_sample_value("estimate_accuracy_score") == row.score == 0.8
    assert metrics.REGISTRY.get_sample_value("fixture_detection_confidence") == \
        pytest.approx((0.9 + 0.8 + 0.7) / 3)
