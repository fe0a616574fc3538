"""The sweep workbook and the comparison workbook (the workbook layer of sweeps and compare).

Like :mod:`optimiser.write`, openpyxl is imported only inside the functions
that need it; every file is written atomically (:func:`optimiser.write.atomic_write`)
and every cell through :func:`optimiser.write.set_cell` (text from an input can
never become a formula).

Sweep workbook: ``Sweep`` (one row per point, and a native Excel chart of the
main curve below the table), ``Binding limits`` (per point, every limit with a
positive shadow price) and ``About``. Comparison workbook: ``Comparison``,
``Measures`` and ``About``.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from .sweep import SweepRun, limit_label, limit_sort_key
from .write import wrapped_lines, atomic_write, new_workbook, set_cell

M_EUR = "#,##0.0"
MT = "0.000"
EUR_T = "#,##0"
SHARE = "0.0%"
SHADOW = "[>=100]#,##0;[>=1]#,##0.00;0.000###"
SECONDS = "0.000"
#: Most curves one chart draws (one per combination of the other varied values).
MAX_CURVES = 6
HEADER_FILL = "DCE6F1"
COST_LINE, MARGINAL_LINE = "1F4E79", "C62828"


class _Styles:
    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill

        self.title = Font(bold=True, size=14)
        self.heading = Font(bold=True, size=12)
        self.bold = Font(bold=True)
        self.fill = PatternFill("solid", start_color=HEADER_FILL, end_color=HEADER_FILL)
        self.wrap = Alignment(wrap_text=True, vertical="top")


def _header(ws, st: _Styles, row: int, headers: list[str]) -> None:
    for c, h in enumerate(headers, start=1):
        cell = set_cell(ws, row, c, h)
        cell.font, cell.fill, cell.alignment = st.bold, st.fill, st.wrap


def _widths(ws, widths: dict[int, int]) -> None:
    from openpyxl.utils import get_column_letter

    for c, w in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = min(max(9, w + 2), 60)


def _table(ws, st: _Styles, top: int, cols: list[tuple[str, str | None]], rows: list[list]) -> int:
    """Header at ``top`` and rows below; returns the last row written."""
    _header(ws, st, top, [h for h, _ in cols])
    widths = {c: min(len(h), 18) for c, (h, _) in enumerate(cols, start=1)}
    r = top
    for r, values in enumerate(rows, start=top + 1):
        for c, ((_, fmt), v) in enumerate(zip(cols, values), start=1):
            set_cell(ws, r, c, v, fmt)
            shown = len(f"{v:,.3f}") if isinstance(v, float) else len(str(v)) if v is not None else 0
            widths[c] = max(widths[c], min(shown, 50))
    _widths(ws, widths)
    lines = max(wrapped_lines(h, min(max(9, widths[c] + 2), 60) - 1) for c, (h, _) in enumerate(cols, start=1))
    if lines > 1:
        ws.row_dimensions[top].height = 15 * lines
    return max(r, top)


def _pairs(ws, st: _Styles, row: int, items) -> int:
    for label, value in items:
        set_cell(ws, row, 1, label).font = st.bold
        set_cell(ws, row, 2, value)
        row += 1
    return row


# ---------------------------------------------------------------- sweep workbook

def write_sweep(run: SweepRun, path: str | os.PathLike, *, force: bool = True) -> Path:
    """Write the sweep workbook atomically; returns its path."""

    def fill(tmp: str) -> None:
        sweep_workbook(run).save(tmp)

    return atomic_write(path, fill, force=force)


def _status_text(status: str) -> str:
    return {"target_met": "target met", "target_not_met": "target not met"}.get(status, status)


def sweep_columns(run: SweepRun) -> tuple[list[tuple[str, str | None]], list]:
    """The Sweep sheet's columns (header with unit, number format) and a value getter per column."""
    points = run.points
    target_years = _ordered(y for p in points for y in p.target_mt)
    instruments = _ordered(i for p in points for i in p.spend_meur) or list(run.base.instruments)
    limits = sorted({k for p in points for k in p.shadow if k[0] != "target" and p.shadow[k] > 0},
                    key=limit_sort_key)
    labels = {}
    for p in points:
        labels.update(p.limits)
    cols: list[tuple[str, str | None]] = [("point", "0")]
    get: list = [lambda p: p.number]
    for v in run.varies:
        cols.append((v.header, None))
        get.append(lambda p, k=v.key: p.values.get(k))
    cols += [("status", None), ("solver (warm re-solve, or rebuilt: why)", None),
             ("public cost (M€)", M_EUR), ("objective (M€, shortfall penalty included)", M_EUR)]
    get += [lambda p: _status_text(p.status), lambda p: p.solver_note,
            lambda p: p.public_cost_meur, lambda p: p.objective_meur]
    for y in target_years:
        cols += [(f"required reduction {y} (Mt CO2-eq/yr)", MT), (f"abatement {y} (Mt CO2-eq/yr)", MT),
                 (f"shortfall {y} (Mt CO2-eq/yr)", MT)]
        get += [lambda p, y=y: p.target_mt.get(y), lambda p, y=y: p.abatement_mt.get(y) if p.ok else None,
                lambda p, y=y: p.shortfall_mt.get(y) if p.ok else None]
    for i in instruments:
        cols.append((f"spend {i} (M€)", M_EUR))
        get.append(lambda p, i=i: p.spend_meur.get(i) if p.ok else None)
    for y in target_years:
        cols.append((f"shadow price target {y} (€ per t of annual abatement)", EUR_T))
        get.append(lambda p, y=y: p.shadow.get(("target", y), 0.0) if p.ok else None)
    for key in limits:
        limit, ident, year, unit = labels.get(key) or limit_label(run.base, *key)
        name = " ".join(str(x) for x in (limit, ident, year) if x is not None)
        cols.append((f"shadow price {name} ({unit})", SHADOW))
        get.append(lambda p, key=key: p.shadow.get(key, 0.0) if p.ok else None)
    cols += [("time (s)", SECONDS), ("message", None)]
    get += [lambda p: p.seconds, lambda p: p.message]
    return cols, get


def _ordered(items) -> list:
    seen: dict = {}
    for x in items:
        seen.setdefault(x, None)
    return list(seen)


def sweep_workbook(run: SweepRun):
    """The sweep workbook as an (unsaved) openpyxl Workbook."""
    wb = new_workbook(f"Policy-mix sweep: {run.scenario_name}")
    st = _Styles()

    ws = wb.create_sheet("Sweep")
    cols, get = sweep_columns(run)
    rows = [[g(p) for g in get] for p in run.points]
    last = _table(ws, st, 1, cols, rows)
    ws.freeze_panes = ws.cell(row=2, column=2 + len(run.varies))
    if last > 1:
        ws.auto_filter.ref = f"A1:{ws.cell(row=last, column=len(cols)).coordinate}"
    chart_note = _sweep_chart(ws, run, cols, last)

    _binding_sheet(wb.create_sheet("Binding limits"), st, run)
    _sweep_about(wb.create_sheet("About"), st, run, chart_note)
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
    from openpyxl.chart import Reference, ScatterChart, Series
    from openpyxl.chart.axis import NumericAxis

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
        col_marg = headers.index(f"shadow price target {T} (€ per t of annual abatement)") + 1
    except ValueError:
        return "no chart: the target year varies"
    if max_abatement:
        left = (col_abate, f"abatement {T} (Mt CO2-eq/yr)", "0.0")
        right = (col_cost, "public cost (M€)", "#,##0")
    else:
        left = (col_cost, "public cost (M€)", "#,##0")
        right = (col_marg, f"marginal cost: target shadow price {T} (€ per t of annual abatement)", "#,##0")

    block = len(first.values)
    blocks = [(1 + k * block, (k + 1) * block) for k in range(len(points) // block)]
    shown = blocks[:MAX_CURVES]

    def label(start: int) -> str:
        others = [f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                  for k, v in points[start - 1].values.items() if k != first.key]
        return ", ".join(others)

    def series(col: int, start: int, end: int, title: str, colour: str, dash: str | None):
        s = Series(Reference(ws, min_col=col, min_row=start + 1, max_row=end + 1),
                   Reference(ws, min_col=col_x, min_row=start + 1, max_row=end + 1), title=title)
        s.marker.symbol = "circle"
        s.marker.size = 4
        s.smooth = False
        s.graphicalProperties.line.solidFill = colour
        s.graphicalProperties.line.width = 22225
        if dash:
            s.graphicalProperties.line.prstDash = dash
        return s

    main = ScatterChart()
    main.title = (f"Most abatement within budgets and limits against {first.key}" if max_abatement
                  else f"Public cost and marginal cost against {first.key}")
    main.style = 2
    main.scatterStyle = "lineMarker"
    main.display_blanks = "gap"
    main.height, main.width = 12, 24
    main.x_axis.title = headers[col_x - 1]
    main.y_axis.title = left[1]
    main.y_axis.number_format = left[2]
    main.y_axis.majorGridlines = None
    main.x_axis.delete = main.y_axis.delete = False
    main.legend.position = "b"
    main.x_axis.axPos = "b"
    xs = [float(v) for v in first.values]
    main.x_axis.scaling.min, main.x_axis.scaling.max = min(xs), max(xs)
    if min(xs) == max(xs):
        main.x_axis.scaling.min, main.x_axis.scaling.max = None, None
    # the right axis: Excel wants a chart group of its own, with a hidden x axis over the same values
    second = ScatterChart()
    second.x_axis = NumericAxis(axId=300, crossAx=200, axPos="b", delete=True)
    second.x_axis.majorGridlines = None
    second.y_axis.axId = 200
    second.y_axis.crossAx = 300
    second.y_axis.axPos = "r"
    second.y_axis.title = right[1]
    second.y_axis.number_format = right[2]
    second.y_axis.crosses = "max"
    second.y_axis.delete = False
    second.y_axis.majorGridlines = None
    dashes = (None, "dash", "sysDot", "dashDot", "lgDash", "sysDash")
    for n, (start, end) in enumerate(shown):
        suffix = f" ({label(start)})" if len(blocks) > 1 else ""
        main.series.append(series(left[0], start, end, left[1].split(" (")[0] + suffix, COST_LINE, dashes[n]))
        second.series.append(series(right[0], start, end, right[1].split(":")[0].split(" (")[0] + suffix,
                                    MARGINAL_LINE, dashes[n]))
    main += second
    ws.add_chart(main, ws.cell(row=last + 3, column=1).coordinate)
    note = f"below the table: {left[1]} (left axis) and {right[1]} (right axis) against {first.key}"
    if len(blocks) > len(shown):
        note += f"; {len(shown)} of {len(blocks)} curves drawn (the first {len(shown)} combinations)"
    return note


def _binding_sheet(ws, st: _Styles, run: SweepRun) -> None:
    cols: list[tuple[str, str | None]] = [("point", "0")]
    cols += [(v.header, None) for v in run.varies]
    cols += [("status", None), ("limit", None), ("id", None), ("year", "0"),
             ("shadow price (unit in next column)", SHADOW), ("shadow price unit", None)]
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
            rows.append(head + [limit, ident, year, value, unit])
    last = _table(ws, st, 1, cols, rows)
    ws.freeze_panes = ws.cell(row=2, column=2 + len(run.varies))
    if last > 1:
        ws.auto_filter.ref = f"A1:{ws.cell(row=last, column=len(cols)).coordinate}"


def _sweep_about(ws, st: _Styles, run: SweepRun, chart_note: str) -> None:
    from . import __version__

    set_cell(ws, 1, 1, "About this sweep workbook").font = st.title
    set_cell(ws, 2, 1, "A what-if sweep of policymix: the plan solved at every point of a grid of input values. "
                       "Money in M€, abatement in Mt CO2-eq/yr, unit costs in €/t.")
    rebuilt = [p for p in run.points if p.rebuilt]
    row = _pairs(ws, st, 4, [
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
    ])
    row += 1
    set_cell(ws, row, 1, "What was varied (the first variation changes fastest; the others form blocks)").font = \
        st.heading
    row += 1
    vrows = [[v.option, v.target, v.key, "set each value" if v.op == "set" else "multiply the base value by each factor",
              v.unit, len(v.values), ", ".join(f"{x:g}" if isinstance(x, float) else str(x) for x in v.values)]
             for v in run.varies]
    row = _table(ws, st, row, [("option", None), ("target", None), ("key in JSON and columns", None),
                               ("operation", None), ("unit", None), ("values (count)", "0"), ("values", None)],
                 vrows) + 2
    if rebuilt:
        set_cell(ws, row, 1, "Rebuilds: points where the model's structure changed (built afresh)").font = st.heading
        row = _table(ws, st, row + 1, [("point", "0"), ("why", None)],
                     [[p.number, p.solver_note.removeprefix("rebuilt: ")] for p in rebuilt]) + 2
    set_cell(ws, row, 1, "Sheets").font = st.heading
    _table(ws, st, row + 1, [("sheet", None), ("what it shows", None), ("units", None)], [
        ["Sweep", "one row per point: the varied values, status, how the solver got there (warm re-solve on the "
                  "live HiGHS instance, or rebuilt and why), public cost, objective, required reduction, abatement "
                  "and shortfall per target year, spend per instrument over all years, the target's shadow price "
                  "and the shadow price of every limit that binds at some point (policy limits first, then limits "
                  "of single measures); the chart of the main curve below the table",
         "M€; Mt CO2-eq/yr; € per t of annual abatement; shadow prices in the unit in each header"],
        ["Binding limits", "per point, every limit with a positive shadow price (largest first within targets, "
                           "budgets, resources and then single measures)", "in the unit column"],
        ["About", "this page", ""],
    ])
    ws.column_dimensions["A"].width = 38
    ws.column_dimensions["B"].width = 70


# ---------------------------------------------------------------- comparison workbook

def write_comparison(comparison, path: str | os.PathLike, *, force: bool = True) -> Path:
    """Write the comparison workbook atomically; returns its path."""

    def fill(tmp: str) -> None:
        comparison_workbook(comparison).save(tmp)

    return atomic_write(path, fill, force=force)


def comparison_workbook(cmp):
    from . import __version__

    a, b = cmp.a, cmp.b
    wb = new_workbook(f"Policy-mix comparison: {a['file']} vs {b['file']}")
    st = _Styles()

    ws = wb.create_sheet("Comparison")
    set_cell(ws, 1, 1, f"Plan A: {a['file']}   vs   plan B: {b['file']}").font = st.title
    set_cell(ws, 2, 1, "No differences: the plans agree on status, cost, targets, spend, measures and shadow prices."
             if cmp.same else f"{len(cmp.differences)} differences (B − A in the change column).")
    rows = []
    for d in cmp.differences:
        rows.append([d.section, d.item, d.unit, _cell_value(d.a), _cell_value(d.b), d.change, d.note])
    last = _table(ws, st, 4, [("section", None), ("item", None), ("unit", None), ("plan A", "#,##0.000"),
                              ("plan B", "#,##0.000"), ("change (B − A)", "#,##0.000"), ("note", None)], rows)
    ws.freeze_panes = "C5"
    if last > 4:
        ws.auto_filter.ref = f"A4:{ws.cell(row=last, column=7).coordinate}"

    ws = wb.create_sheet("Measures")
    rows = [[m["measure_id"], m["name"], m["status_a"], m["status_b"], m["share_a"], m["share_b"],
             m["cost_a"], m["cost_b"], m["change"]] for m in cmp.measures]
    _table(ws, st, 1, [("measure id", None), ("name", None), ("status A", None), ("status B", None),
                       ("committed share A (%)", SHARE), ("committed share B (%)", SHARE),
                       ("public cost A (M€)", M_EUR), ("public cost B (M€)", M_EUR), ("change", None)], rows)
    ws.freeze_panes = "B2"

    ws = wb.create_sheet("About")
    set_cell(ws, 1, 1, "About this comparison workbook").font = st.title
    _pairs(ws, st, 3, [
        ("tool", f"policymix {__version__}"),
        ("plan A", a["file"]), ("plan A SHA-256", a["sha256"]), ("plan A input", a.get("input_file", "")),
        ("plan B", b["file"]), ("plan B SHA-256", b["sha256"]), ("plan B input", b.get("input_file", "")),
        ("generated", datetime.now().astimezone().isoformat(timespec="seconds")),
        ("what is compared", "input (SHA-256, scenario, overrides), status, public cost, objective, required "
                             "reduction, abatement and shortfall per target year, spend per instrument over all "
                             "years, each measure's committed share, and the shadow price of every target, "
                             "budget, period budget and resource limit and of the single-measure limits either "
                             "plan lists as binding"),
        ("tolerance", "a number counts as changed when it moves by more than 1e-6 + 1e-6 × its size"),
    ])
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 90
    return wb


def _cell_value(v):
    if isinstance(v, (list, tuple)):
        return "; ".join(map(str, v))
    return v
