"""``plansite estimate``: from a plan file to fixture units, sizes, a priced bid and a proposal.

One command runs the takeoff, rates it under the chosen code, prices it with the shipped
price book (or a company's JSON overrides, ``--pricebook``) and writes any of the proposal
PDF, the XLSX with live totals and the CSV. It stores nothing: numbered bids with a status
and an activity log are made through the API. The proposal is marked DRAFT for that reason.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from plansite.errors import PlansiteError
from plansite.estimate.bid import BidOptions
from plansite.estimate.codetables import DEFAULT_EDITION, UnknownEdition, available_editions
from plansite.estimate.document import Estimate, estimate_takeoff
from plansite.estimate.inputs import check_takeoff
from plansite.estimate.money import fmt
from plansite.estimate.pricebook import PriceBook, PriceBookError
from plansite.estimate.proposal_pdf import ProposalInfo, write_proposal
from plansite.estimate.spreadsheet import write_csv, write_xlsx
from plansite.pipeline import analyze_path

log = logging.getLogger(__name__)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("estimate", help="fixture units, pipe sizes and a priced bid for a plan set")
    p.add_argument("path", type=Path, metavar="PATH", help="plan file, or a takeoff JSON file")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--proposal", type=Path, metavar="OUT.pdf", help="write the proposal PDF")
    p.add_argument("--xlsx", type=Path, metavar="OUT.xlsx", help="write the bid workbook")
    p.add_argument("--code", default=DEFAULT_EDITION,
                   help=f"code edition ({', '.join(available_editions())})")
    p.add_argument("--occupancy", choices=("private", "public"), default="private")
    p.add_argument("--tier", help="trim tier of the price book (economy, standard, premium)")
    p.add_argument("--markup", type=_rate, help="markup rate, e.g. 0.15")
    p.add_argument("--discount", type=_rate, help="discount rate, e.g. 0.05")
    p.add_argument("--pricebook", type=Path, help="JSON overrides merged into the price book")
    p.add_argument("--customer", default="", help="customer name for the proposal")
    p.add_argument("--project", default="", help="project name for the proposal")
    p.add_argument("--no-ocr", action="store_true", help="do not OCR outlined (SHX) text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        book = PriceBook.default()
        if args.pricebook:
            book = book.with_overrides(json.loads(args.pricebook.read_text(encoding="utf-8")))
        takeoff = _takeoff(args.path, ocr=not args.no_ocr)
        options = BidOptions(tier=args.tier, markup_rate=args.markup, discount_rate=args.discount)
        estimate = estimate_takeoff(takeoff, book=book, options=options, edition=args.code,
                                    occupancy=args.occupancy)
    except (UnknownEdition, PriceBookError, ValueError, OSError) as exc:
        print(f"plansite: {exc}", file=sys.stderr)
        return 64
    except PlansiteError as exc:
        print(f"plansite: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code

    info = ProposalInfo(number="DRAFT", customer={"name": args.customer} if args.customer else {},
                        project=args.project, company=book.doc.get("company"),
                        terms=book.doc.get("terms"))
    if args.proposal:
        write_proposal(estimate, args.proposal, info)
    if args.xlsx:
        write_xlsx(estimate, args.xlsx)

    doc = estimate.to_dict()
    doc["elapsed_s"] = round(time.perf_counter() - started, 3)
    if args.format == "json":
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.format == "csv":
        write_csv(estimate, sys.stdout)
    else:
        sys.stdout.write(render_table(estimate, doc["elapsed_s"]))
    for target in (args.proposal, args.xlsx):
        if target:
            print(f"wrote {target}", file=sys.stderr)
    return 0


def _takeoff(path: Path, ocr: bool) -> dict[str, Any]:
    """Analyse a plan file, or read a takeoff JSON written by ``plansite analyze``.

    A JSON file may have been edited by hand, so it gets the checks the API applies
    (``check_takeoff``): a usage error naming the field, not a traceback or a priced
    negative count.
    """
    if path.suffix.lower() == ".json":
        return check_takeoff(json.loads(path.read_text(encoding="utf-8")), path.name)
    return analyze_path(path, ocr=ocr).to_dict()


def render_table(estimate: Estimate, elapsed: float) -> str:
    units, bid = estimate.units, estimate.bid
    out = [f"{estimate.takeoff.get('source', '')}  ({units.edition.name}, {units.occupancy}, "
           f"{elapsed:.1f}s)",
           f"  fixture units: {units.total.dfu} dfu, {units.total.wsfu} wsfu "
           f"(cold {units.total.wsfu_cold}, hot {units.total.wsfu_hot})"
           + (f", {units.total.unrated} unrated" if units.total.unrated else "")]
    for floor, totals in units.floors.items():
        out.append(f"    {floor:<16} {totals.dfu:>7} dfu {totals.wsfu:>7} wsfu")
    for answer in estimate.sizing:
        size = f"{answer.size_in} in" if answer.size_in is not None else "-"
        out.append(f"  {answer.element:<15} {size:<8} {answer.row or answer.reason}")
    out.append(f"  {'line':<60}{'total':>12}")
    for line in bid.lines:
        out.append(f"  {line.description[:58]:<60}{fmt(line.total):>12}")
    t = bid.totals
    for label, value in (("subtotal", t.subtotal), ("discount", -t.discount),
                         ("markup", t.markup), ("tax", t.tax), ("permits", t.permits),
                         ("TOTAL", t.total)):
        out.append(f"  {label:>60}{fmt(value):>12}")
    for line, totals in bid.extras:
        out.append(f"  option: {line.description[:50]:<52}{fmt(totals.total):>12}")
    for warning in bid.warnings:
        out.append(f"  ! {warning}")
    return "\n".join(out) + "\n"


def _rate(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is a fraction between 0 and 1 (0.15 = 15%)")
    return value
