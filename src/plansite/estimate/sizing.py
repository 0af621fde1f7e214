"""Building drain, stack and water-service sizes from fixture-unit totals.

Every answer carries the table and the row that decided it, so an estimator can check it
against the book in one look, and an answer the confirmed rows cannot give is returned as
``size_in=None`` with the reason, never extrapolated. This is a take-off check, not a
design: branches, vents, developed length and pressure loss are not sized.

Water service: demand in gpm comes from the Hunter flush-tank curve (interpolated between
the two rows around the load); the size is the smallest Type K copper tube whose velocity
at that demand stays under the limit in the data file. A building with flushometer-valve
water closets has a higher demand at small loads than this curve gives; the data file
explains why that curve is not tabulated.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from plansite.estimate.codetables import Edition
from plansite.estimate.fixture_units import FixtureUnits

DEFAULT_SLOPE = "1/4"
# Flow in gpm through a tube of inside diameter d inches gives v = GPM_TO_FPS * gpm / d^2 ft/s
# (0.002228 ft3/s per gpm divided by the bore area in ft2).
GPM_TO_FPS = Decimal("0.4085")


@dataclass(frozen=True)
class SizingAnswer:
    """One pipe size and the row of the table that decided it."""

    element: str
    size_in: Decimal | None
    load: Decimal
    unit: str
    table: str
    row: str
    reason: str
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "element": self.element,
            "size_in": None if self.size_in is None else float(self.size_in),
            "load": float(self.load),
            "unit": self.unit,
            "table": self.table,
            "row": self.row,
            "reason": self.reason,
            "sources": list(self.sources),
        }


def size_all(units: FixtureUnits, *, slope: str = DEFAULT_SLOPE) -> list[SizingAnswer]:
    """Size the building drain, the stack and the water service of one plan set."""
    intervals = max(len(units.floors), 1)
    return [
        size_building_drain(units.edition, units.total.dfu, units.water_closets, slope),
        size_stack(units.edition, units.total.dfu, units.max_floor_dfu, intervals,
                   units.water_closets),
        size_water_service(units.edition, units.total.wsfu),
    ]


def size_building_drain(code: Edition, dfu: Decimal, water_closets: int,
                        slope: str = DEFAULT_SLOPE) -> SizingAnswer:
    """Smallest building drain whose row at ``slope`` carries ``dfu``."""
    table = code.sizing["building_drain"]
    minimum = Decimal(str(table["min_with_water_closet_in"])) if water_closets else Decimal(0)
    if dfu <= 0:
        return SizingAnswer("building_drain", None, dfu, "dfu", table["table"], "",
                            "no drainage load in the takeoff")

    column = slope if _has_column(table["rows"], slope) else "any"
    for row in table["rows"]:
        diameter = Decimal(str(row["diameter_in"]))
        limit = row["max_dfu"].get(column)
        if limit is None or diameter < minimum or Decimal(limit) < dfu:
            continue
        if water_closets > row.get("max_water_closets", water_closets):
            continue
        where = f"at {column} in/ft" if column != "any" else "horizontal"
        reason = f"{dfu} dfu fits the {diameter} in row ({limit} dfu max {where})"
        if minimum and diameter == minimum and _smaller_row_fits(table["rows"], column, dfu,
                                                                 minimum):
            reason += f"; raised to {minimum} in because a water closet drains into it " \
                      f"({table['min_with_water_closet_source']})"
        return SizingAnswer("building_drain", diameter, dfu, "dfu", table["table"],
                            f"{diameter} in: {limit} dfu {where}", reason,
                            tuple(row["sources"]))
    return _beyond("building_drain", dfu, "dfu", table, f"at slope {slope} in/ft")


def size_stack(code: Edition, total_dfu: Decimal, max_interval_dfu: Decimal, intervals: int,
               water_closets: int) -> SizingAnswer:
    """Smallest stack for the total load and the heaviest single branch interval (floor)."""
    table = code.sizing["stack"]
    columns = table["columns"]
    if total_dfu <= 0:
        return SizingAnswer("stack", None, total_dfu, "dfu", table["table"], "",
                            "no drainage load in the takeoff")
    if intervals <= 1:
        return SizingAnswer("stack", None, total_dfu, "dfu", table["table"], "",
                            "the takeoff shows one floor: its fixtures drain through horizontal "
                            "branches to the building drain, so no stack carries the plan-set "
                            "load; size branch stacks by hand")

    if "stack_3_intervals_or_less" in columns:
        name = "stack_3_intervals_or_less" if intervals <= 3 else "stack_over_3_intervals"
        stack_col, interval_col = columns.index(name), columns.index("one_branch_interval")
    else:
        name, stack_col, interval_col = columns[0], 0, None
    minimum = Decimal(3) if water_closets else Decimal(0)

    for row in table["rows"]:
        diameter = Decimal(str(row["diameter_in"]))
        limits = row["max_dfu"]
        if diameter < minimum or Decimal(limits[stack_col]) < total_dfu:
            continue
        if water_closets > row.get("max_water_closets", water_closets):
            continue
        if interval_col is not None and Decimal(limits[interval_col]) < max_interval_dfu:
            continue
        detail = f"{diameter} in: {limits[stack_col]} dfu ({name.replace('_', ' ')})"
        if interval_col is not None:
            detail += f", {limits[interval_col]} dfu in one branch interval"
        reason = (f"{total_dfu} dfu on {intervals} branch interval(s), heaviest interval "
                  f"{max_interval_dfu} dfu")
        if minimum:
            reason += "; not below 3 in, the water-closet outlet (size never reduces "\
                      "in the direction of flow)"
        return SizingAnswer("stack", diameter, total_dfu, "dfu", table["table"], detail,
                            reason, tuple(row["sources"]))
    return _beyond("stack", total_dfu, "dfu", table, "")


def size_water_service(code: Edition, wsfu: Decimal) -> SizingAnswer:
    """Water service from total wsfu: Hunter demand, then the smallest tube under the limit."""
    spec = code.sizing["water_service"]
    title = f"{spec['demand_table']}; {spec['pipe']}"
    if wsfu <= 0:
        return SizingAnswer("water_service", None, wsfu, "wsfu", title, "",
                            "no water-supply load in the takeoff")

    found = demand_gpm(spec["demand_gpm_flush_tank"], wsfu)
    if found is None:
        last = spec["demand_gpm_flush_tank"][-1][0]
        return SizingAnswer("water_service", None, wsfu, "wsfu", title, "",
                            f"{wsfu} wsfu is beyond the last confirmed demand row ({last} wsfu)")
    gpm, demand_row, demand_sources = found

    vmax = Decimal(str(spec["max_velocity_fps"]))
    minimum = Decimal(str(spec["min_size_in"]))
    for nominal, bore in sorted(spec["inside_diameter_in"].items(), key=lambda kv: float(kv[0])):
        size, bore_in = Decimal(nominal), Decimal(str(bore))
        velocity = (GPM_TO_FPS * gpm / (bore_in * bore_in)).quantize(Decimal("0.1"))
        if size < minimum or velocity > vmax:
            continue
        row = (f"demand {demand_row}; {nominal} in Type K (bore {bore} in): "
               f"{velocity} ft/s at {gpm} gpm, limit {vmax} ft/s")
        return SizingAnswer("water_service", size, wsfu, "wsfu", title, row,
                            f"{wsfu} wsfu gives {gpm} gpm", demand_sources + tuple(
                                spec["pipe_sources"]))
    return SizingAnswer("water_service", None, wsfu, "wsfu", title, f"demand {demand_row}",
                        f"{gpm} gpm exceeds the largest tabulated tube at {vmax} ft/s")


def demand_gpm(points: list[list[Any]], wsfu: Decimal
               ) -> tuple[Decimal, str, tuple[str, ...]] | None:
    """Demand at ``wsfu`` by linear interpolation, with the row(s) used and their sources."""
    rows = [(Decimal(str(p[0])), Decimal(str(p[1])), p[2]) for p in points]
    if wsfu <= rows[0][0]:
        load, gpm, source = rows[0]
        return gpm, f"{load} wsfu -> {gpm} gpm (first row)", (source,)
    for (l0, g0, s0), (l1, g1, s1) in zip(rows, rows[1:], strict=False):
        if wsfu == l1:
            return g1, f"{l1} wsfu -> {g1} gpm", (s1,)
        if l0 < wsfu < l1:
            gpm = (g0 + (g1 - g0) * (wsfu - l0) / (l1 - l0)).quantize(Decimal("0.1"))
            return gpm, (f"{gpm} gpm interpolated between {l0} wsfu -> {g0} gpm and "
                         f"{l1} wsfu -> {g1} gpm"), tuple(sorted({s0, s1}))
    return None


def _has_column(rows: list[dict[str, Any]], column: str) -> bool:
    return any(column in row["max_dfu"] for row in rows)


def _smaller_row_fits(rows: list[dict[str, Any]], column: str, dfu: Decimal,
                      minimum: Decimal) -> bool:
    return any(Decimal(str(r["diameter_in"])) < minimum and r["max_dfu"].get(column) is not None
               and Decimal(r["max_dfu"][column]) >= dfu for r in rows)


def _beyond(element: str, load: Decimal, unit: str, table: dict[str, Any],
            where: str) -> SizingAnswer:
    last = table["rows"][-1]
    return SizingAnswer(element, None, load, unit, table["table"], "",
                        f"{load} {unit} {where} is beyond the largest confirmed row "
                        f"({last['diameter_in']} in); size it by hand".replace("  ", " "))
