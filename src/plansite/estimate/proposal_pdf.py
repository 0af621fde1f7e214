"""The proposal a customer signs, as a PDF drawn with PyMuPDF.

Sections in order: company block and bid number, customer and project, scope (what the
takeoff found, the code the fixture units follow, the sizes they give), line items,
totals in their stated order, optional and alternate prices, validity, terms, and the two
signature lines. Pages break between rows; the base-14 Helvetica fonts keep the file small
and need no font files, at the price of Latin-1 text only (other characters print as "?").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pymupdf

from plansite.estimate.document import Estimate
from plansite.estimate.money import fmt

PAGE_W, PAGE_H = 612.0, 792.0  # US Letter in points
MARGIN = 48.0
BODY, SMALL, TITLE = 9.5, 8.0, 16.0
REGULAR, BOLD = "helv", "hebo"


@dataclass
class ProposalInfo:
    """Who and what the proposal is for; every field prints as given."""

    number: str = "DRAFT"
    customer: dict[str, str] = field(default_factory=dict)
    project: str = ""
    company: dict[str, str] | None = None
    terms: list[str] | None = None


class _Pages:
    """A cursor over pages: writes a line, moves down, opens a new page when full."""

    def __init__(self, doc: pymupdf.Document, footer: str) -> None:
        self.doc, self.footer = doc, footer
        self.page: pymupdf.Page | None = None
        self.y = 0.0
        self.new_page()

    def new_page(self) -> None:
        self.page = self.doc.new_page(width=PAGE_W, height=PAGE_H)
        self.y = MARGIN
        self._put(MARGIN, PAGE_H - 28, f"{self.footer}   page {self.doc.page_count}", SMALL)

    def ensure(self, height: float) -> None:
        if self.y + height > PAGE_H - MARGIN:
            self.new_page()

    def text(self, text: str, size: float = BODY, bold: bool = False, x: float = MARGIN,
             gap: float = 1.35) -> None:
        self.ensure(size * gap)
        self._put(x, self.y + size, text, size, bold)
        self.y += size * gap

    def wrap(self, text: str, size: float = BODY, width: float = PAGE_W - 2 * MARGIN,
             x: float = MARGIN) -> None:
        line = ""
        for word in text.split():
            trial = f"{line} {word}".strip()
            if pymupdf.get_text_length(trial, REGULAR, size) > width and line:
                self.text(line, size, x=x)
                line = word
            else:
                line = trial
        if line:
            self.text(line, size, x=x)

    def row(self, cells: list[str], widths: list[float], bold: bool = False,
            size: float = BODY) -> None:
        """One table row; the first cell is left-aligned and clipped, the rest right-aligned."""
        self.ensure(size * 1.5)
        x = MARGIN
        for i, (cell, width) in enumerate(zip(cells, widths, strict=True)):
            if i == 0:
                self._put(x, self.y + size, _clip(cell, width - 6, size, bold), size, bold)
            else:
                w = pymupdf.get_text_length(cell, BOLD if bold else REGULAR, size)
                self._put(x + width - w, self.y + size, cell, size, bold)
            x += width
        self.y += size * 1.5

    def rule(self) -> None:
        self.ensure(6)
        self.page.draw_line((MARGIN, self.y + 2), (PAGE_W - MARGIN, self.y + 2), width=0.5)
        self.y += 6

    def space(self, points: float = 8) -> None:
        self.y += points

    def _put(self, x: float, y: float, text: str, size: float, bold: bool = False) -> None:
        self.page.insert_text((x, y), _latin1(text), fontsize=size,
                              fontname=BOLD if bold else REGULAR)


def write_proposal(estimate: Estimate, path: str | Path | BinaryIO,
                   info: ProposalInfo | None = None) -> None:
    """Draw the proposal of ``estimate`` to a file path or a binary stream."""
    info = info or ProposalInfo()
    doc = pymupdf.open()
    pages = _Pages(doc, f"Proposal {info.number}")

    _header(pages, estimate, info)
    _scope(pages, estimate, info)
    _lines(pages, estimate)
    _totals(pages, estimate)
    _extras(pages, estimate)
    _closing(pages, estimate, info)

    doc.set_metadata({"title": f"Proposal {info.number}", "creator": "PlanSiteOS",
                      "subject": f"total {fmt(estimate.bid.totals.total)}"})
    doc.save(str(path) if isinstance(path, (str, Path)) else path, garbage=3, deflate=True)
    doc.close()


def _header(p: _Pages, estimate: Estimate, info: ProposalInfo) -> None:
    company = info.company or {}
    p.text(company.get("name", "Plumbing contractor"), TITLE, bold=True)
    for key in ("address", "phone", "email"):
        if company.get(key):
            p.text(company[key], SMALL)
    if company.get("license"):
        p.text(f"License {company['license']}", SMALL)
    p.space(4)
    bid = estimate.bid
    p.text(f"PROPOSAL {info.number}", 12, bold=True)
    p.text(f"Date {bid.issued:%B %d, %Y}    Valid until {bid.valid_until:%B %d, %Y}", SMALL)
    for warning in bid.warnings:
        p.text(f"Note: {warning}", SMALL, bold=True)
    p.rule()

    customer = info.customer
    p.text("Customer", bold=True)
    for key in ("name", "company", "address", "phone", "email"):
        if customer.get(key):
            p.text(customer[key])
    if not customer:
        p.text("(customer to be named)")
    p.space(4)
    p.text("Project", bold=True)
    p.text(info.project or estimate.takeoff.get("source", ""))
    p.rule()


def _has_pipe(estimate: Estimate) -> bool:
    return any(line.unit == "ft" for line in estimate.bid.lines)


def _scope(p: _Pages, estimate: Estimate, info: ProposalInfo) -> None:
    units = estimate.units
    counts = estimate.takeoff.get("counts", {})
    fixtures = ", ".join(f"{n} {_plural(t.replace('_', ' '), n)}"
                         for t, n in sorted(counts.items()))
    p.text("Scope of work", bold=True)
    p.wrap(f"Furnish and install the plumbing shown on {estimate.takeoff.get('source', '')}: "
           f"{fixtures or 'no fixtures were found'}; rough-in, top-out and trim of each "
           + ("fixture, and the piping listed below." if _has_pipe(estimate)
              else "fixture. Piping is not included in this proposal."))
    p.wrap(f"Fixture units per {units.edition.name} ({units.edition.dfu_table}, "
           f"{units.edition.wsfu_table}), {units.occupancy} occupancy: "
           f"{units.total.dfu} dfu drainage, {units.total.wsfu} wsfu water supply"
           + (f"; {units.total.unrated} fixture(s) have no table rating." if units.total.unrated
              else "."))
    for answer in estimate.sizing:
        size = f"{answer.size_in} in" if answer.size_in is not None else "not sized"
        row = f" ({answer.table}: {answer.row})" if answer.row else f" ({answer.reason})"
        p.wrap(f"{answer.element.replace('_', ' ').capitalize()}: {size}{row}", SMALL)
    p.rule()


_WIDTHS = [236.0, 46.0, 34.0, 66.0, 66.0, 68.0]


def _lines(p: _Pages, estimate: Estimate) -> None:
    p.text("Line items", bold=True)
    p.row(["Description", "Qty", "Unit", "Material", "Labor", "Total"], _WIDTHS, bold=True)
    group = None
    for line in estimate.bid.lines:
        if line.group != group:
            group = line.group
            p.row([group, "", "", "", "", ""], _WIDTHS, bold=True, size=SMALL)
        # A long description continues on lines of its own rather than being cut short.
        first, *rest = _fit_lines(line.description, _WIDTHS[0] - 6, SMALL)
        p.row([first, _qty(line.quantity), line.unit, fmt(line.material_ext),
               fmt(line.labor_ext), fmt(line.total)], _WIDTHS, size=SMALL)
        for more in rest:
            p.row(["   " + more, "", "", "", "", ""], _WIDTHS, size=SMALL)
    p.rule()


def _totals(p: _Pages, estimate: Estimate) -> None:
    t, r = estimate.bid.totals, estimate.bid.rates
    widths = [sum(_WIDTHS[:-1]), _WIDTHS[-1]]
    rows: list[tuple[str, Any, bool]] = [
        (f"Material {fmt(t.material)} + labor {fmt(t.labor)} ({t.labor_hours.normalize()} h)"
         " = subtotal", t.subtotal, False),
        (f"Discount ({_pct(r.discount)})", -t.discount, False),
        (f"Markup ({_pct(r.markup)} of the discounted subtotal)", t.markup, False),
        (f"Tax ({_pct(r.tax)} of {fmt(t.taxable)}, {r.tax_applies_to})", t.tax, False),
        ("Permits (at cost)", t.permits, False),
        ("Total", t.total, True),
    ]
    for label, amount, bold in rows:
        p.row([label, fmt(amount)], widths, bold=bold)
    p.rule()


def _extras(p: _Pages, estimate: Estimate) -> None:
    if not estimate.bid.extras:
        return
    p.text("Optional items and alternates (not included in the total)", bold=True)
    widths = [sum(_WIDTHS[:-1]), _WIDTHS[-1]]
    for line, totals in estimate.bid.extras:
        p.row([line.description, fmt(totals.total)], widths, size=SMALL)
    p.rule()


def _closing(p: _Pages, estimate: Estimate, info: ProposalInfo) -> None:
    bid = estimate.bid
    p.text("Validity", bold=True)
    p.wrap(f"This proposal is valid for {bid.validity_days} days, until "
           f"{bid.valid_until:%B %d, %Y}.")
    p.space(4)
    p.ensure(BODY * 6)  # keep the heading with its first terms
    p.text("Terms", bold=True)
    for i, term in enumerate(info.terms or [], start=1):
        p.wrap(f"{i}. {term}", SMALL)
    p.space(24)
    p.ensure(90)
    for who in ("Contractor", "Customer acceptance"):
        p.text(f"{who}: ______________________________   Name: ____________________   "
               "Date: ____________")
        p.space(18)


def _qty(value: Any) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _pct(rate: Any) -> str:
    return f"{float(rate) * 100:g}%"


def _plural(name: str, n: int) -> str:
    """English plural of a fixture name for the scope ("2 lavatories", "3 floor drains")."""
    if n == 1 or name == "other":
        return name
    if name.endswith("y") and not name.endswith(("ay", "ey", "oy")):
        return name[:-1] + "ies"
    if name.endswith(("s", "sh", "ch", "x")):
        return name + "es"
    return name + "s"


def _fit_lines(text: str, width: float, size: float) -> list[str]:
    """Break ``text`` at spaces into lines no wider than ``width`` (a long word is clipped)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and pymupdf.get_text_length(_latin1(trial), REGULAR, size) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return [*lines, line] if line or not lines else lines


def _clip(text: str, width: float, size: float, bold: bool) -> str:
    font = BOLD if bold else REGULAR
    if pymupdf.get_text_length(_latin1(text), font, size) <= width:
        return text
    while text and pymupdf.get_text_length(_latin1(text) + "...", font, size) > width:
        text = text[:-1]
    return text + "..."


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")
