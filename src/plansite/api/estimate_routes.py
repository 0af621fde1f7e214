"""Estimate service: fixture units, price books, bids and their workflow, corrections,
revision differences, and the proposal, workbook and CSV of a bid.

Company: every route that reads or writes company data takes ``company`` (default
``default``); there is no authentication in front of it yet, so it separates data, it
does not protect it. Money is returned as decimal strings. Stored bids keep the price book
they were priced with; ``PUT /pricebook`` only affects bids made afterwards.

Every takeoff, bid option and correction is checked (``plansite.estimate.inputs``) before
any arithmetic: a bad document is answered 422 with a code and the fields to fix, never a
500 from deep in the pricing and never a bid priced from a negative count.
"""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from plansite.api import lookups
from plansite.api.pagination import PageParams, page_params, paginate
from plansite.api.problems import ApiProblem, not_found, responses
from plansite.api.services import db
from plansite.estimate import bids as store
from plansite.estimate.codetables import UnknownEdition, available_editions, load_edition
from plansite.estimate.corrections import Correction, CorrectionError, agreement
from plansite.estimate.fixture_units import fixture_units
from plansite.estimate.inputs import InputError, check_bid_options, check_takeoff
from plansite.estimate.models import DEFAULT_COMPANY, BidEvent, BidRecord, PriceBookVersion
from plansite.estimate.pricebook import PriceBook, PriceBookError
from plansite.estimate.proposal_pdf import ProposalInfo, write_proposal
from plansite.estimate.revisions import diff_takeoffs
from plansite.estimate.sizing import size_all
from plansite.estimate.spreadsheet import write_csv, write_xlsx
from plansite.estimate.workflow import STATUSES, TransitionError, expire_due, transition

router = APIRouter(prefix="/api/v1/estimate", tags=["estimate"])
DB = Annotated[Session, Depends(db)]
Company = Annotated[str, Query(max_length=64, description="company the data belongs to")]
Paging = Annotated[PageParams, Depends(page_params)]
BidStatus = Annotated[str | None, Query(pattern=f"^({'|'.join(STATUSES)})$",
                                        description="only bids in this status")]


class UnitsIn(BaseModel):
    takeoff: dict[str, Any] = Field(description="a takeoff document (plansite analyze JSON)")
    code: str = "IPC-2021"
    occupancy: str = Field("private", pattern="^(private|public)$")


class PriceBookIn(BaseModel):
    overrides: dict[str, Any] = Field(description="partial price book merged into the current")
    note: str = ""


class BidIn(BaseModel):
    plan_set_id: str | None = None
    takeoff: dict[str, Any] | None = None
    title: str = ""
    customer: dict[str, str] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)
    actor: str = ""


class StatusIn(BaseModel):
    to: str
    actor: str = ""
    note: str = ""


class CorrectionsIn(BaseModel):
    corrections: list[dict[str, Any]]
    actor: str = ""


class DiffIn(BaseModel):
    old_plan_set_id: str | None = None
    new_plan_set_id: str | None = None
    old_takeoff: dict[str, Any] | None = None
    new_takeoff: dict[str, Any] | None = None


# --- codes and fixture units ----------------------------------------------------------------

@router.get("/codes")
def list_codes() -> dict[str, Any]:
    """Code editions with their tables and the sources their values were checked against."""
    editions = [load_edition(key) for key in available_editions()]
    return {"editions": [{"key": e.key, "name": e.name, "dfu_table": e.dfu_table,
                          "wsfu_table": e.wsfu_table, "checked": e.checked} for e in editions],
            "sources": editions[0].sources if editions else {}}


@router.post("/fixture-units", responses=responses(422))
def rate_takeoff(body: UnitsIn) -> dict[str, Any]:
    """Fixture units and pipe sizes of a posted takeoff, without storing anything."""
    units = _units(_checked(body.takeoff, "takeoff"), body.code, body.occupancy)
    return {"fixture_units": units.to_dict(), "sizing": [a.to_dict() for a in size_all(units)]}


# --- price book --------------------------------------------------------------------------------

@router.get("/pricebook", responses=responses(409))
def get_pricebook(session: DB, company: Company = DEFAULT_COMPANY) -> dict[str, Any]:
    book, row = _book(session, company)
    return {"company": company, "version": row.version if row else 0,
            "label": book.version, "hash": book.content_hash,
            "placeholder": book.is_placeholder, "document": book.doc}


@router.put("/pricebook", status_code=201, responses=responses(422))
def put_pricebook(body: PriceBookIn, session: DB,
                  company: Company = DEFAULT_COMPANY) -> dict[str, Any]:
    """Store the current book with ``overrides`` merged in as the company's next version."""
    try:
        row = store.save_pricebook(session, company, body.overrides, body.note)
    except PriceBookError as exc:
        raise ApiProblem(422, "invalid_pricebook", "invalid price book", str(exc)) from None
    session.commit()
    return {"company": company, "version": row.version, "hash": row.content_hash,
            "label": row.document["version"]}


@router.get("/pricebook/versions")
def list_pricebook_versions(session: DB, company: Company = DEFAULT_COMPANY) -> dict[str, Any]:
    rows = session.scalars(select(PriceBookVersion).where(PriceBookVersion.company_id == company)
                           .order_by(PriceBookVersion.version)).all()
    return {"company": company, "items": [
        {"version": r.version, "hash": r.content_hash, "note": r.note,
         "created_at": r.created_at.isoformat()} for r in rows]}


# --- bids ------------------------------------------------------------------------------------

@router.post("/bids", status_code=201, responses=responses(404, 409, 422))
def create_bid(body: BidIn, session: DB, company: Company = DEFAULT_COMPANY) -> dict[str, Any]:
    """Price a plan set's reviewed takeoff (or a posted takeoff) as a numbered draft bid."""
    if body.takeoff is None and body.plan_set_id is None:
        raise ApiProblem(422, "invalid_request", "nothing to price",
                         "give plan_set_id (its reviewed takeoff is priced) or takeoff")
    takeoff = (_checked(body.takeoff, "takeoff") if body.takeoff is not None
               else _reviewed(session, body.plan_set_id))
    try:
        options = check_bid_options(body.options)
    except InputError as exc:
        raise ApiProblem(422, "invalid_bid_options", "invalid bid options",
                         "; ".join(exc.problems)) from None
    _book(session, company)     # a stored book failing today's checks is a 409, not bad options

    try:
        bid = store.create_bid(session, company=company, takeoff=takeoff,
                               plan_set_id=body.plan_set_id, title=body.title,
                               customer=body.customer, options=options, actor=body.actor)
    except (PriceBookError, UnknownEdition, ValueError) as exc:
        raise ApiProblem(422, "invalid_bid_options", "invalid bid options", str(exc)) from None
    session.commit()
    return _bid_out(session, bid)


@router.get("/bids", responses=responses(422))
def list_bids(session: DB, paging: Paging, request: Request,
              company: Company = DEFAULT_COMPANY, status: BidStatus = None) -> dict[str, Any]:
    """One page of a company's bids by number (``limit``/``offset`` as on every list)."""
    _expire(session)
    query = select(BidRecord).where(BidRecord.company_id == company)
    if status:
        query = query.where(BidRecord.status == status)
    rows, total, nxt = paginate(session, query.order_by(BidRecord.number), paging, request)
    return {"items": [_bid_summary(b) for b in rows], "total": total,
            "limit": paging.limit, "offset": paging.offset, "next": nxt}


@router.get("/bids/{bid_id}", responses=responses(404))
def get_bid(bid_id: str, session: DB) -> dict[str, Any]:
    _expire(session)
    return _bid_out(session, _bid(session, bid_id))


@router.post("/bids/{bid_id}/status", responses=responses(404, 409))
def change_status(bid_id: str, body: StatusIn, session: DB) -> dict[str, Any]:
    _expire(session)
    bid = _bid(session, bid_id)
    try:
        transition(session, bid, body.to, actor=body.actor, note=body.note)
    except TransitionError as exc:
        raise ApiProblem(409, "illegal_transition", "status change not allowed",
                         str(exc)) from None
    session.commit()
    return _bid_out(session, bid)


@router.post("/expire")
def expire_now(session: DB) -> dict[str, Any]:
    """Expire every sent bid past its validity (the API also does this before each read)."""
    expired = _expire(session)
    return {"expired": [b.number for b in expired]}


@router.get("/bids/{bid_id}/proposal.pdf", responses=responses(404))
def bid_proposal(bid_id: str, session: DB) -> Response:
    bid = _bid(session, bid_id)
    estimate = store.bid_estimate(bid)
    book = bid.pricebook_doc
    info = ProposalInfo(number=bid.number, customer=dict(bid.customer or {}), project=bid.title,
                        company=book.get("company"), terms=book.get("terms"))
    buf = io.BytesIO()
    write_proposal(estimate, buf, info)
    return Response(buf.getvalue(), media_type="application/pdf",
                    headers=_attachment(f"{bid.number}.pdf"))


@router.get("/bids/{bid_id}/bid.xlsx", responses=responses(404))
def bid_workbook(bid_id: str, session: DB) -> Response:
    bid = _bid(session, bid_id)
    buf = io.BytesIO()
    write_xlsx(store.bid_estimate(bid), buf, number=bid.number)
    return Response(buf.getvalue(), headers=_attachment(f"{bid.number}.xlsx"),
                    media_type="application/vnd.openxmlformats-officedocument."
                               "spreadsheetml.sheet")


@router.get("/bids/{bid_id}/bid.csv", responses=responses(404))
def bid_csv(bid_id: str, session: DB) -> Response:
    bid = _bid(session, bid_id)
    text = io.StringIO()
    write_csv(store.bid_estimate(bid), text)
    return Response(text.getvalue(), media_type="text/csv",
                    headers=_attachment(f"{bid.number}.csv"))


# --- corrections, accuracy, revisions ---------------------------------------------------------

@router.post("/plansets/{plan_set_id}/corrections", responses=responses(404, 409, 422))
def correct_takeoff(plan_set_id: str, body: CorrectionsIn, session: DB) -> dict[str, Any]:
    """Record corrections; the reviewed takeoff, accuracy and draft bids follow."""
    machine = lookups.takeoff(session, plan_set_id).result
    try:
        fixes = [Correction.from_dict(doc) for doc in body.corrections]
    except CorrectionError as exc:
        raise ApiProblem(422, "invalid_correction", "invalid correction", str(exc)) from None
    store.add_corrections(session, plan_set_id, fixes, body.actor)
    reviewed = store.reviewed_takeoff(session, plan_set_id, machine)
    try:
        check_takeoff(reviewed.takeoff, "corrected takeoff")
    except InputError as exc:
        raise ApiProblem(422, "invalid_correction", "invalid correction",
                         "; ".join(exc.problems)) from None
    accuracy = store.record_accuracy(session, plan_set_id, machine, reviewed.takeoff)

    repriced = []
    drafts = session.scalars(select(BidRecord).where(BidRecord.plan_set_id == plan_set_id,
                                                     BidRecord.status.in_(("draft", "review"))))
    for bid in drafts:
        store.reprice_bid(session, bid, reviewed.takeoff, actor=body.actor)
        repriced.append({"number": bid.number, "total": bid.total})
    session.commit()
    return {"plan_set_id": plan_set_id, "counts": reviewed.takeoff["counts"],
            "estimate_accuracy_score": accuracy.score,
            "unmatched": [fix.to_dict() for fix in reviewed.unmatched],
            "repriced_bids": repriced}


@router.get("/plansets/{plan_set_id}/reviewed", responses=responses(404, 409))
def reviewed_takeoff(plan_set_id: str, session: DB) -> dict[str, Any]:
    machine = lookups.takeoff(session, plan_set_id).result
    reviewed = store.reviewed_takeoff(session, plan_set_id, machine)
    return {"plan_set_id": plan_set_id, "takeoff": reviewed.takeoff,
            "machine_counts": machine.get("counts", {}),
            "estimate_accuracy_score": agreement(machine, reviewed.takeoff),
            "fixture_detection_confidence": store.takeoff_confidence(machine),
            "unmatched": [fix.to_dict() for fix in reviewed.unmatched]}


@router.get("/plansets/{plan_set_id}/fixture-units", responses=responses(404, 409, 422))
def plan_set_units(plan_set_id: str, session: DB, code: str = "IPC-2021",
                   occupancy: Annotated[str, Query(pattern="^(private|public)$")] = "private"
                   ) -> dict[str, Any]:
    units = _units(_reviewed(session, plan_set_id), code, occupancy)
    return {"fixture_units": units.to_dict(), "sizing": [a.to_dict() for a in size_all(units)]}


@router.post("/revisions/diff", responses=responses(404, 409, 422))
def revision_diff(body: DiffIn, session: DB, company: Company = DEFAULT_COMPANY
                  ) -> dict[str, Any]:
    """Fixtures added, removed and moved between two revisions, and the cost delta."""
    old = _revision(session, body.old_takeoff, body.old_plan_set_id, "old_takeoff")
    new = _revision(session, body.new_takeoff, body.new_plan_set_id, "new_takeoff")
    if old is None or new is None:
        raise ApiProblem(422, "invalid_request", "two revisions needed",
                         "give old_ and new_ plan_set_id, or old_ and new_ takeoff")
    book, _ = _book(session, company)
    return diff_takeoffs(old, new, book=book).to_dict()


# --- helpers -----------------------------------------------------------------------------------

def _units(takeoff: dict[str, Any], code: str, occupancy: str):
    """Rate a takeoff that already passed ``check_takeoff``."""
    try:
        return fixture_units(takeoff, edition=code, occupancy=occupancy)  # type: ignore[arg-type]
    except UnknownEdition as exc:
        raise ApiProblem(422, "unknown_code", "unknown code edition", str(exc)) from None


def _checked(takeoff: Any, where: str) -> dict[str, Any]:
    """The takeoff if the estimator can price it; else 422 ``invalid_takeoff`` naming fields."""
    try:
        return check_takeoff(takeoff, where)
    except InputError as exc:
        raise ApiProblem(422, "invalid_takeoff", "invalid takeoff document",
                         "; ".join(exc.problems)) from None


def _reviewed(session: Session, plan_set_id: str) -> dict[str, Any]:
    """A plan set's reviewed takeoff, checked like a posted one: it may hold old corrections
    made before corrections were checked."""
    machine = lookups.takeoff(session, plan_set_id).result
    takeoff = store.reviewed_takeoff(session, plan_set_id, machine).takeoff
    return _checked(takeoff, f"reviewed takeoff of plan set {plan_set_id}")


def _revision(session: Session, takeoff: dict[str, Any] | None, plan_set_id: str | None,
              where: str) -> dict[str, Any] | None:
    """One side of a revision diff: the posted takeoff (even ``{}``), else the plan set's."""
    if takeoff is not None:
        return _checked(takeoff, where)
    return _reviewed(session, plan_set_id) if plan_set_id else None


def _book(session: Session, company: str) -> tuple[PriceBook, PriceBookVersion | None]:
    """The company's current book; a stored version that fails today's checks is a 409 the
    company fixes with ``PUT /pricebook``, not a 500 on every bid."""
    try:
        return store.current_pricebook(session, company)
    except PriceBookError as exc:
        raise ApiProblem(409, "stored_pricebook_invalid", "stored price book is invalid",
                         f"{exc}; correct it with PUT /api/v1/estimate/pricebook") from None


def _expire(session: Session) -> list[BidRecord]:
    expired = expire_due(session)
    if expired:
        session.commit()
    return expired


def _bid(session: Session, bid_id: str) -> BidRecord:
    bid = session.get(BidRecord, bid_id)
    if bid is None:
        bid = session.scalars(select(BidRecord).where(BidRecord.number == bid_id)).first()
    if bid is None:
        raise not_found("bid", bid_id)
    return bid


def _bid_summary(bid: BidRecord) -> dict[str, Any]:
    return {"id": bid.id, "number": bid.number, "status": bid.status, "title": bid.title,
            "plan_set_id": bid.plan_set_id, "total": bid.total,
            "created_at": bid.created_at.isoformat(),
            "expires_at": bid.expires_at.isoformat() if bid.expires_at else None}


def _bid_out(session: Session, bid: BidRecord) -> dict[str, Any]:
    events = session.scalars(select(BidEvent).where(BidEvent.bid_id == bid.id)
                             .order_by(BidEvent.at)).all()
    return {**_bid_summary(bid), "customer": bid.customer, "options": bid.options,
            "pricebook": {"id": bid.pricebook_id, "label": bid.pricebook_doc.get("version")},
            "estimate": bid.document,
            "activity": [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                          "from": e.from_status, "to": e.to_status, "note": e.note}
                         for e in events]}


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}
