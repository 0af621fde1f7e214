"""The bid as a workbook whose totals are live formulas, and as CSV.

In the XLSX every extended amount and every total is a formula over the quantities, unit
prices, hours and rates, so an estimator who changes a quantity or the markup in Excel or
LibreOffice sees the bid recompute. The formulas follow the order and rounding of
``bid.compute_totals`` (ROUND to 2 decimals at each step), so an unedited workbook shows
exactly the figures of the PDF. The CSV carries values, not formulas.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from plansite.estimate.bid import LineItem
from plansite.estimate.document import Estimate
from plansite.estimate.money import as_str

HEADERS = ["Group", "Description", "Room", "Qty", "Unit", "Material unit", "Material",
           "Labor h/unit", "Labor h", "Labor rate", "Labor", "Line total"]
MONEY = "#,##0.00"


def write_xlsx(estimate: Estimate, path: str | Path | BinaryIO, number: str = "DRAFT") -> None:
    """Write the bid workbook: sheet "Bid" with formulas, "Fixture units" and "Sizing"."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Bid"
    bid = estimate.bid
    ws.append([f"Bid {number}", estimate.takeoff.get("source", ""),
               f"issued {bid.issued.isoformat()}", f"valid until {bid.valid_until.isoformat()}"])
    ws.append(HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)

    first = ws.max_row + 1
    for line in bid.base_lines():
        _line_row(ws, line)
    last = ws.max_row
    rates = _rates_block(ws, estimate)
    _totals_block(ws, first, last, rates, bid.permit_lines())
    _extras_block(ws, estimate, rates)

    for col, width in zip("ABCDEFGHIJKL", (12, 58, 14, 8, 6, 12, 12, 10, 9, 10, 12, 13),
                          strict=True):
        ws.column_dimensions[col].width = width
    _units_sheet(wb, estimate)
    wb.save(path)


def _line_row(ws: Any, line: LineItem) -> int:
    ws.append([line.group, line.description, line.room, float(line.quantity), line.unit,
               float(line.material_unit), None, float(line.labor_hours_unit), None,
               float(line.labor_rate), None, None])
    r = ws.max_row
    ws[f"G{r}"] = f"=ROUND(D{r}*F{r},2)"
    ws[f"I{r}"] = f"=D{r}*H{r}"
    ws[f"K{r}"] = f"=ROUND(I{r}*J{r},2)"
    ws[f"L{r}"] = f"=G{r}+K{r}"
    for col in "FGJKL":
        ws[f"{col}{r}"].number_format = MONEY
    return r


def _rates_block(ws: Any, estimate: Estimate) -> dict[str, str]:
    """Write the editable rates; return the cell address of each."""
    r = estimate.bid.rates
    ws.append([])
    ws.append(["Rates", "(edit these; the totals recompute)"])
    cells = {}
    for name, value in (("discount", r.discount), ("markup", r.markup), ("tax", r.tax)):
        ws.append(["", f"{name} rate", "", None, None, None, None, None, None, None, None,
                   float(value)])
        cells[name] = f"L{ws.max_row}"
    ws.append(["", "tax applies to (materials or all)", "", None, None, None, None, None, None,
               None, None, r.tax_applies_to])
    cells["tax_applies_to"] = f"L{ws.max_row}"
    return cells


def _totals_block(ws: Any, first: int, last: int, rates: dict[str, str],
                  permits: list[LineItem]) -> None:
    ws.append([])
    ws.append(["Totals"])
    ws[f"A{ws.max_row}"].font = Font(bold=True)
    rows: dict[str, int] = {}

    def put(label: str, formula: str, key: str, bold: bool = False) -> None:
        ws.append(["", label])
        rows[key] = ws.max_row
        ws[f"L{ws.max_row}"] = formula
        ws[f"L{ws.max_row}"].number_format = MONEY
        if bold:
            ws[f"B{ws.max_row}"].font = ws[f"L{ws.max_row}"].font = Font(bold=True)

    span = f"{first}:{last}" if last >= first else None
    put("Material", f"=SUM(G{span.replace(':', ':G')})" if span else "=0", "material")
    put("Labor", f"=SUM(K{span.replace(':', ':K')})" if span else "=0", "labor")
    put("Subtotal", f"=L{rows['material']}+L{rows['labor']}", "subtotal")
    put("Discount", f"=ROUND(L{rows['subtotal']}*{rates['discount']},2)", "discount")
    put("After discount", f"=L{rows['subtotal']}-L{rows['discount']}", "after_discount")
    put("Markup", f"=ROUND(L{rows['after_discount']}*{rates['markup']},2)", "markup")
    put("After markup", f"=L{rows['after_discount']}+L{rows['markup']}", "after_markup")
    put("Taxable", f"=IF({rates['tax_applies_to']}=\"all\",L{rows['after_markup']},"
        f"IF(L{rows['subtotal']}=0,0,ROUND(L{rows['after_markup']}*L{rows['material']}"
        f"/L{rows['subtotal']},2)))", "taxable")
    put("Tax", f"=ROUND(L{rows['taxable']}*{rates['tax']},2)", "tax")
    permit_cells = []
    for line in permits:
        ws.append(["Permits", line.description, "", 1, "lot", float(line.total)])
        ws[f"F{ws.max_row}"].number_format = MONEY
        permit_cells.append(f"F{ws.max_row}")
    put("Permits", "=" + ("+".join(permit_cells) if permit_cells else "0"), "permits")
    put("Total", f"=L{rows['after_markup']}+L{rows['tax']}+L{rows['permits']}", "total",
        bold=True)


def _extras_block(ws: Any, estimate: Estimate, rates: dict[str, str]) -> None:
    if not estimate.bid.extras:
        return
    ws.append([])
    ws.append(["Optional and alternates (not in the total): price = line + markup + tax"])
    for line, _ in estimate.bid.extras:
        r = _line_row(ws, line)
        ws[f"M{r}"] = (f"=L{r}+ROUND(L{r}*{rates['markup']},2)+ROUND(IF("
                       f"{rates['tax_applies_to']}=\"all\",L{r}+ROUND(L{r}*{rates['markup']},2),"
                       f"IF(L{r}=0,0,ROUND((L{r}+ROUND(L{r}*{rates['markup']},2))*G{r}/L{r},2)))"
                       f"*{rates['tax']},2)")
        ws[f"M{r}"].number_format = MONEY


def _units_sheet(wb: Workbook, estimate: Estimate) -> None:
    ws = wb.create_sheet("Fixture units")
    units = estimate.units.to_dict()
    ws.append([units["code_name"], units["dfu_table"], units["wsfu_table"], units["occupancy"]])
    ws.append(["Fixture", "Count", "dfu each", "dfu", "dfu row", "wsfu each", "wsfu",
               "wsfu row"])
    first = ws.max_row + 1
    for line in units["lines"]:
        ws.append([line["fixture_type"], line["count"], line["dfu_each"], None, line["dfu_row"],
                   line["wsfu_each"], None, line["wsfu_row"]])
        r = ws.max_row
        ws[f"D{r}"] = f"=IF(C{r}=\"\",0,B{r}*C{r})"
        ws[f"G{r}"] = f"=IF(F{r}=\"\",0,B{r}*F{r})"
    last = ws.max_row
    ws.append(["Total", f"=SUM(B{first}:B{last})" if last >= first else 0, None,
               f"=SUM(D{first}:D{last})" if last >= first else 0, None, None,
               f"=SUM(G{first}:G{last})" if last >= first else 0])
    ws.append([])
    ws.append(["Element", "Size (in)", "Load", "Unit", "Table", "Row", "Reason"])
    for answer in estimate.sizing:
        d = answer.to_dict()
        ws.append([d["element"], d["size_in"], d["load"], d["unit"], d["table"], d["row"],
                   d["reason"]])
    for i in range(1, 9):
        ws.column_dimensions[get_column_letter(i)].width = 16


def write_csv(estimate: Estimate, out: TextIO) -> None:
    """Line items, then the totals, as plain values."""
    writer = csv.writer(out)
    writer.writerow(["kind", "group", "description", "room", "quantity", "unit",
                     "material_unit", "material", "labor_hours", "labor_rate", "labor", "total"])
    for line in estimate.bid.lines + [line for line, _ in estimate.bid.extras]:
        writer.writerow([line.kind, line.group, line.description, line.room, line.quantity,
                         line.unit, as_str(line.material_unit), as_str(line.material_ext),
                         line.labor_hours.normalize(), as_str(line.labor_rate),
                         as_str(line.labor_ext), as_str(line.total)])
    for name, value in estimate.bid.totals.to_dict().items():
        writer.writerow(["total", "", name, "", "", "", "", "", "", "", "", value])
