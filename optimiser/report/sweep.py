"""The sweep workbook: one row per point, a native chart of the main curve, the binding limits of every point.

Sheets: ``Sweep`` (one row per point, and a native Excel chart of the main
curve below the table), ``Binding limits`` (per point, every limit with a
positive shadow price) and ``About``. Limits are named by their family's
declaration (:mod:`optimiser.model.families`); every cell and file goes through
the spreadsheet toolkit (:mod:`optimiser.report.xlsx`).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from ..analysis.sweep import SweepRun
from ..model.families import TARGET, limit_label, limit_sort_key
from .xlsx import EUR_T, M_EUR, MT, SECONDS, SHADOW, Col, Sheet, line_series, new_workbook, right_axis, save, scatter_chart

#: Most curves one chart draws (one per combination of the other varied values).
MAX_CURVES = 6
COST_LINE, MARGINAL_LINE, SLOPE_LINE, CASH_LINE = "1F4E79", "C62828", "E69F00", "2E7D32"
PEAK_CASH = "peak cash, all instruments (M€)"
#: Rows between the main chart and the peak-cash chart below it.
CHART_ROWS = 26


# ---------------------------------------------------------------- sweep workbook

def write_sweep(run: SweepRun, path: str | os.PathLike, *, force: bool = True) -> Path:
    """Write the sweep workbook atomically; returns its path."""
    return save(sweep_workbook(run), path, force=force)


def _status_text(status: str) -> str:
    return {"target_met": "target met", "target_not_met": "target not met"}.get(status, status)


def sweep_columns(run: SweepRun) -> tuple[list[tuple[str, str | None]], list]:
    """The Sweep sheet's columns (header with unit, number format) and a value getter per column."""
    points = run.points
    target_years = _ordered(y for p in points for y in p.target_mt)
    instruments = _ordered(i for p in points for i in p.spend_meur) or list(run.base.instruments)
    limits = sorted({k for p in points for k in p.shadow if k[0] != TARGET and p.shadow[k] > 0},
                    key=limit_sort_key)
    labels = {}
    for p in points:
        labels.update(p.limits)
    cols: list[tuple[str, str | None]] = [("point", "0")]
    get: list = [lambda p: p.number]
    for v in run.varies:
        cols.append((v.header, None))
        get.append(lambda p, k=v.key: p.values.get(k))
    maximising = run.base.settings.objective == "max-abatement"
    cols += [("status", None), ("solver (warm re-solve, or rebuilt: why)", None), ("public cost (M€)", M_EUR)]
    get += [lambda p: _status_text(p.status), lambda p: p.solver_note, lambda p: p.public_cost_meur]
    if not maximising:  # when maximising abatement the objective is the abatement (its own columns)
        cols.append(("objective (M€, shortfall penalty included)", M_EUR))
        get.append(lambda p: p.objective_meur)
    for y in target_years:
        cols += [(f"required reduction {y} (Mt CO2-eq/yr)", MT), (f"abatement {y} (Mt CO2-eq/yr)", MT),
                 (f"shortfall {y} (Mt CO2-eq/yr)", MT)]
        get += [lambda p, y=y: p.target_mt.get(y), lambda p, y=y: p.abatement_mt.get(y) if p.ok else None,
                lambda p, y=y: p.shortfall_mt.get(y) if p.ok else None]
    for i in instruments:
        cols.append((f"spend {i} (M€)", M_EUR))
        get.append(lambda p, i=i: p.spend_meur.get(i) if p.ok else None)
    cols += [(PEAK_CASH, M_EUR), ("peak cash year", "0"), ("released, vrijval (M€)", M_EUR)]
    get += [lambda p: p.peak_cash_meur if p.ok else None, lambda p: p.peak_cash_year if p.ok else None,
            lambda p: p.released_meur if p.ok else None]
    for y in target_years if not maximising else []:
        name, _, _, unit = limit_label(run.base, TARGET, y)
        cols.append((f"shadow price {name} {y} ({unit})", EUR_T))
        get.append(lambda p, y=y: p.shadow.get((TARGET, y), 0.0) if p.ok else None)
    slope = slope_header(run)
    if slope:
        slopes = run.slopes()
        cols.append((slope, EUR_T if not maximising else SHADOW))
        get.append(lambda p: slopes.get(p.number))
    for key in limits:
        limit, ident, year, unit = labels.get(key) or limit_label(run.base, *key)
        name = " ".join(str(x) for x in (limit, ident, year) if x not in (None, ""))
        cols.append((f"shadow price {name} ({unit})", SHADOW))
        get.append(lambda p, key=key: p.shadow.get(key, 0.0) if p.ok else None)
    cols += [("time (s)", SECONDS), ("message", None)]
    get += [lambda p: p.seconds, lambda p: p.message]
    return cols, get


def slope_header(run: SweepRun) -> str | None:
    """The header of the slope column (None when the first varied value is not a number)."""
    if not run.varies or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in run.varies[0].values):
        return None
    first = run.varies[0]
    per = first.unit or "unit"
    if first.op == "scale":
        per = "unit of the scale factor"
    if run.base.settings.objective == "max-abatement":
        T = run.base.settings.target_year
        return f"slope of abatement {T} from the previous point (Mt CO2-eq/yr per {per})"
    if per == "Mt CO2-eq/yr":
        per = "Mt/yr, i.e. € per t of annual abatement"
    return f"slope of the cost curve from the previous point (M€ per {per})"


def _ordered(items) -> list:
    seen: dict = {}
    for x in items:
        seen.setdefault(x, None)
    return list(seen)


def sweep_workbook(run: SweepRun):
    """The sweep workbook as an (unsaved) openpyxl Workbook."""
    wb = new_workbook(f"Policy-mix sweep: {run.scenario_name}")
    sheet = Sheet(wb, "Sweep")
    cols, get = sweep_columns(run)
    _, last = sheet.table([Col(h, fmt) for h, fmt in cols], [[g(p) for g in get] for p in run.points],
                          freeze=1 + len(run.varies), autofilter=True)
    if run.mip:  # where the reader looks: under the table, above the chart
        sheet.put(last + 2, 1, "Lumpy measures: shadow prices are those of the LP with the binaries fixed at each "
                               "point's optimum; read them beside the slope of the cost curve (About).", fit=False)
    chart_note = _sweep_chart(sheet.ws, run, cols, last)
    sheet.finish()
    sheet = Sheet(wb, "Binding limits")
    _binding_sheet(sheet, run)
    sheet.finish()
    sheet = Sheet(wb, "About")
    _sweep_about(sheet, run, chart_note)
    sheet.finish(widths={1: 38, 2: 70})
    return wb


def _sweep_chart(ws, run: SweepRun, cols: list, last: int) -> str:
    """A scatter chart with straight lines (numeric x) of the main curve below the table.

    min-cost: public cost (M€, left axis) and the target's shadow price — the
    marginal € per t of annual abatement (right axis) — against the first
    varied value. max-abatement: abatement in the target year (Mt/yr, left)
    and public cost (M€, right). A grid draws one curve per combination of the
    other varied values (the points are ordered so each is a block of rows).
    Returns a sentence for the About sheet.
    """
    points = run.points
    if not points or not run.varies:
        return "no chart: no points"
    first = run.varies[0]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in first.values):
        return f"no chart: the first varied value ({first.key}) is not a number"
    headers = [h for h, _ in cols]
    T = run.base.settings.target_year
    max_abatement = points[0].objective == "max-abatement"
    col_x = 2
    try:
        col_cost = headers.index("public cost (M€)") + 1
        col_abate = headers.index(f"abatement {T} (Mt CO2-eq/yr)") + 1
        if not max_abatement:
            name, _, _, unit = limit_label(run.base, TARGET, T)
            col_marg = headers.index(f"shadow price {name} {T} ({unit})") + 1
    except ValueError:
        return "no chart: the target year varies"
    col_slope = None
    if max_abatement:
        left = (col_abate, f"abatement {T} (Mt CO2-eq/yr)", "0.0")
        right = (col_cost, "public cost (M€)", "#,##0")
    else:
        left = (col_cost, "public cost (M€)", "#,##0")
        right = (col_marg, f"marginal cost: target shadow price {T} (M€ per Mt/yr, i.e. € per t of annual "
                           "abatement)", "#,##0")
        slope = slope_header(run)
        if first.unit == "Mt CO2-eq/yr" and slope in headers:  # the slope is in the marginal cost's unit
            col_slope = headers.index(slope) + 1

    block = len(first.values)
    blocks = [(1 + k * block, (k + 1) * block) for k in range(len(points) // block)]
    shown = blocks[:MAX_CURVES]

    def label(start: int) -> str:
        others = [f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                  for k, v in points[start - 1].values.items() if k != first.key]
        return ", ".join(others)

    main = scatter_chart(f"Most abatement within budgets and limits against {first.key}" if max_abatement
                         else f"Public cost and marginal cost against {first.key}",
                         headers[col_x - 1], left[1], y_format=left[2])
    main.y_axis.majorGridlines = None
    main.x_axis.axPos = "b"
    xs = [float(v) for v in first.values]
    if min(xs) != max(xs):
        main.x_axis.scaling.min, main.x_axis.scaling.max = min(xs), max(xs)
    second = right_axis(main, right[1], right[2])
    dashes = (None, "dash", "sysDot", "dashDot", "lgDash", "sysDash")
    for n, (start, end) in enumerate(shown):
        suffix = f" ({label(start)})" if len(blocks) > 1 else ""
        main.series.append(line_series(ws, col_x, left[0], start + 1, end + 1, left[1].split(" (")[0] + suffix,
                                       COST_LINE, dash=dashes[n], marker="circle"))
        second.series.append(line_series(ws, col_x, right[0], start + 1, end + 1,
                                         right[1].split(":")[0].split(" (")[0] + suffix, MARGINAL_LINE,
                                         dash=dashes[n], marker="circle"))
        if col_slope:
            second.series.append(line_series(ws, col_x, col_slope, start + 1, end + 1,
                                             "slope of the cost curve" + suffix, SLOPE_LINE, dash=dashes[n],
                                             marker="triangle"))
    main += second
    ws.add_chart(main, ws.cell(row=last + 3, column=1).coordinate)
    note = f"below the table: {left[1]} (left axis) and {right[1]} (right axis) against {first.key}"
    if col_slope:
        note += ("; on the right axis too, the slope of the cost curve from the previous point (M€ per Mt/yr), "
                 "which the target's shadow price should match between points of an LP")
    if PEAK_CASH in headers:
        col_cash = headers.index(PEAK_CASH) + 1
        cash = scatter_chart(f"Peak cash against {first.key}", headers[col_x - 1], PEAK_CASH, y_format="#,##0")
        cash.x_axis.axPos = "b"
        if min(xs) != max(xs):
            cash.x_axis.scaling.min, cash.x_axis.scaling.max = min(xs), max(xs)
        for n, (start, end) in enumerate(shown):
            suffix = f" ({label(start)})" if len(blocks) > 1 else ""
            cash.series.append(line_series(ws, col_x, col_cash, start + 1, end + 1, "peak cash" + suffix, CASH_LINE,
                                           dash=dashes[n], marker="circle"))
        ws.add_chart(cash, ws.cell(row=last + 3 + CHART_ROWS, column=1).coordinate)
        note += f"; below it, the peak cash in one year (all instruments, M€) against {first.key}"
    if len(blocks) > len(shown):
        note += f"; {len(shown)} of {len(blocks)} curves drawn (the first {len(shown)} combinations)"
    return note


def _binding_sheet(sheet: Sheet, run: SweepRun) -> None:
    cols = [Col("point", "0")] + [Col(v.header) for v in run.varies]
    cols += [Col("status"), Col("limit"), Col("id"), Col("year", "0"), Col("shadow price (unit in next column)", SHADOW),
             Col("shadow price unit")]
    rows = []
    for p in run.points:
        head = [p.number] + [p.values.get(v.key) for v in run.varies] + [_status_text(p.status)]
        if not p.ok:
            rows.append(head + ["(no plan)", p.message, None, None, None])
            continue
        binding = sorted(p.binding(), key=lambda b: (limit_sort_key((b[0], b[1]))[0], -b[2]))
        if not binding:
            rows.append(head + ["none binds", None, None, None, None])
        for fam, key, value in binding:
            limit, ident, year, unit = p.limits.get((fam, key)) or limit_label(run.base, fam, key)
            rows.append(head + [limit, ident or None, year, value, unit])
    sheet.table(cols, rows, freeze=1 + len(run.varies), autofilter=True)


def _sweep_about(sheet: Sheet, run: SweepRun, chart_note: str) -> None:
    from .. import __version__

    sheet.title("About this sweep workbook")
    sheet.line("A what-if sweep of policymix: the plan solved at every point of a grid of input values. "
               "Money in M€, abatement in Mt CO2-eq/yr, unit costs in €/t.")
    sheet.row += 1
    rebuilt = [p for p in run.points if p.rebuilt]
    sheet.pairs([
        ("tool", f"policymix {__version__}"),
        ("solver", run.solver_name),
        ("input file", run.source_file or "(not from a file)"),
        ("input SHA-256", run.source_sha256),
        ("scenario", run.scenario_name),
        ("objective", run.base.settings.objective),
        ("overrides applied to every point", "; ".join(run.base_overrides) or "none"),
        ("points", len(run.points)),
        ("points solved", sum(p.ok for p in run.points)),
        ("points failed (no plan; see message)", len(run.failed)),
        ("points that miss a target", sum(p.status == "target_not_met" for p in run.points)),
        ("model builds", 1 + run.rebuilds),
        ("solver rebuilds (structure changed)", run.rebuilds),
        ("points rebuilt", ", ".join(str(p.number) for p in rebuilt) or "none"),
        ("sweep time (s)", round(run.seconds, 3)),
        ("chart", chart_note),
        ("generated", datetime.now().astimezone().isoformat(timespec="seconds")),
    ], bold_labels=True)
    if run.mip:
        sheet.heading("Lumpy (all-or-nothing) measures")
        sheet.line("With lumpy measures each point is a MIP: its shadow prices are those of the LP with the lumpy "
                   "decisions (the binaries) fixed at that point's optimum. They describe the margin of that set of "
                   "projects only, and jump between points where another set is chosen (the target's can fall to 0 "
                   "and rise again). The column 'slope of the cost curve from the previous point' shows what the "
                   "cost really does between points; read it beside the shadow prices.")
    sheet.heading("What was varied (the first variation changes fastest; the others form blocks)")
    sheet.table([Col("option"), Col("target"), Col("key in JSON and columns"), Col("operation"), Col("unit"),
                 Col("values (count)", "0"), Col("values")],
                [[v.option, v.target, v.key,
                  "set each value" if v.op == "set" else "multiply the base value by each factor",
                  v.unit, len(v.values), ", ".join(f"{x:g}" if isinstance(x, float) else str(x) for x in v.values)]
                 for v in run.varies])
    if rebuilt:
        sheet.heading("Rebuilds: points where the model's structure changed (built afresh)")
        sheet.table([Col("point", "0"), Col("why")],
                    [[p.number, p.solver_note.removeprefix("rebuilt: ")] for p in rebuilt])
    sheet.heading("Sheets")
    sheet.table([Col("sheet"), Col("what it shows"), Col("units")], [
        ["Sweep", "one row per point: the varied values, status, how the solver got there (warm re-solve on the "
                  "live HiGHS instance, or rebuilt and why), public cost, objective, required reduction, abatement "
                  "and shortfall per target year, spend per instrument over all years, the peak cash in one year, "
                  "its year and the commitments released (vrijval), the target's shadow price, "
                  "the slope of the cost curve from the previous point, and the shadow price of every limit that "
                  "binds at some point (policy limits first, then limits of single measures); the charts of the main "
                  "curve and of peak cash below the table",
         "M€; Mt CO2-eq/yr; € per t of annual abatement; shadow prices in the unit in each header"],
        ["Binding limits", "per point, every limit with a positive shadow price (largest first within targets, "
                           "budgets, resources and then single measures)", "in the unit column"],
        ["About", "this page", ""],
    ])
