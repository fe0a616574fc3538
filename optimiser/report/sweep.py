"""The sweep workbook: one row per point, a native chart of the main curve, the binding limits of every point.

Sheets: ``Sweep`` (one row per point, and a native Excel chart of the main
curve below the table), ``Binding limits`` (per point, every limit with a
positive shadow price) and ``About``. A point's figures are its headline record
(:class:`optimiser.model.fields.Headline`): the Sweep sheet's columns are the
result fields a sweep shows (:mod:`optimiser.model.fields`, :mod:`.columns`);
limits are named by their family's declaration (:mod:`optimiser.model.families`);
every cell and file goes through the spreadsheet toolkit (:mod:`optimiser.report.xlsx`).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from ..analysis.sweep import SweepRun
from ..lang import _, num
from ..model.families import TARGET, limit_label, limit_sort_key
from ..model.fields import SWEEP, field
from .columns import Column, breaks as column_breaks, headline_columns, optional_columns
from .words import provenance
from .xlsx import SECONDS, SHADOW, Chart, Col, Line, Sheet, new_workbook, save

#: Most curves one chart draws (one per combination of the other varied values).
MAX_CURVES = 6
COST_LINE, MARGINAL_LINE, SLOPE_LINE, CASH_LINE = "1F4E79", "C62828", "E69F00", "2E7D32"


# ---------------------------------------------------------------- sweep workbook

def write_sweep(run: SweepRun, path: str | os.PathLike, *, force: bool = True) -> Path:
    """Write the sweep workbook atomically; returns its path."""
    return save(sweep_workbook(run), path, force=force)


def _ordered(items) -> list:
    seen: dict = {}
    for x in items:
        seen.setdefault(x, None)
    return list(seen)


def point_columns(run: SweepRun, view: str = SWEEP) -> list[Column]:
    """The figures of a point a view shows: the headline fields, per target year and instrument of any point
    (fields no point has a value for, such as a slope along text values, left out)."""
    points = run.points
    cols = headline_columns(run.base, view, target_years=_ordered(y for p in points for y in p.required_mt or {}),
                            instruments=_ordered(i for p in points for i in p.subsidy_meur or {})
                            or list(run.base.instruments), per=run.per())
    return optional_columns(cols, [p.headline for p in points])


def sweep_columns(run: SweepRun) -> tuple[list[Col], list, list[int], dict]:
    """The Sweep sheet's columns, a value getter per column, the columns where a printed page may start, and
    where each figure is: (field name, key) → column (1-based)."""
    points = run.points
    limits = sorted({k for p in points for k in p.shadow if k[0] != TARGET and p.shadow[k] > 0}, key=limit_sort_key)
    labels = {}
    for p in points:
        labels.update(p.limits)
    cols: list[Col] = [Col(_("point"), "0")]
    get: list = [lambda p: p.number]
    for v in run.varies:
        cols.append(Col(v.header))
        get.append(lambda p, k=v.key: p.values.get(k))
    figures = point_columns(run)
    where = {}
    for c in figures:
        cols.append(c.col)
        get.append(lambda p, c=c: c.of_record(p.headline))
        where[(c.field.name, c.key)] = len(cols)
    breaks = column_breaks(figures, 1 + len(run.varies))
    breaks.append(len(cols))
    for key in limits:
        limit, ident, year, unit = labels.get(key) or limit_label(run.base, *key)
        name = " ".join(str(x) for x in (limit, ident, year) if x not in (None, ""))
        cols.append(Col(_("shadow price {limit} ({unit})", limit=name, unit=unit), SHADOW))
        get.append(lambda p, key=key: p.shadow.get(key, 0.0) if p.ok else None)
    breaks.append(len(cols))
    cols += [Col(_("solver (warm re-solve, or rebuilt: why)"), wrap=True), Col(_("time (s)"), SECONDS),
             Col(_("message"), wrap=True)]
    get += [lambda p: p.solver_note, lambda p: p.seconds, lambda p: p.message]
    return cols, get, breaks, where


def sweep_workbook(run: SweepRun):
    """The sweep workbook (unsaved: a :class:`optimiser.report.xlsx.Book`)."""
    with new_workbook(_("Policy-mix sweep: {scenario}", scenario=run.scenario_name)) as book:
        _sweep_sheets(book, run)
    return book


def _sweep_sheets(book, run: SweepRun) -> None:
    sheet = book.sheet(_("Sweep"), orientation="landscape")
    cols, get, breaks, where = sweep_columns(run)
    last = sheet.table(cols, [[g(p) for g in get] for p in run.points], freeze=1 + len(run.varies), autofilter=True,
                       breaks=breaks)[1]
    sheet.row = last + 1
    if run.mip:  # where the reader looks: under the table, above the chart
        sheet.row += 1
        sheet.line(_("Lumpy measures: shadow prices are those of the LP with the binaries fixed at each point's "
                     "optimum; read them beside the slope of the cost curve ({sheet}).", sheet=_("About")))
    sheet.row += 1
    chart_note = _sweep_chart(sheet, run, cols, where)
    sheet.finish()
    sheet = book.sheet(_("Binding limits"))
    _binding_sheet(sheet, run)
    sheet.finish()
    sheet = book.sheet(_("About"), orientation="landscape")
    _sweep_about(sheet, run, chart_note)
    sheet.finish(widths={1: 26, 2: 26, 3: 22, 4: 18, 5: 12, 6: 10, 7: 30})


def _sweep_chart(sheet: Sheet, run: SweepRun, cols: list[Col], where: dict) -> str:
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
        return _("no chart: no points")
    first = run.varies[0]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in first.values):
        return _("no chart: the first varied value ({key}) is not a number", key=first.key)
    T = run.base.settings.target_year
    max_abatement = run.base.settings.objective == "max-abatement"
    col_x = 2
    col_cost = where.get(("public_cost_meur", None))
    col_abate = where.get(("abatement_mt", T))
    col_marg = where.get(("target_shadow_eur_per_t", T))
    if col_cost is None or col_abate is None or (col_marg is None and not max_abatement):
        return _("no chart: the target year varies")
    x_title = cols[col_x - 1].header
    if max_abatement:
        left = (col_abate, cols[col_abate - 1].header, "0.0")
        right = (col_cost, cols[col_cost - 1].header, "#,##0")
        col_slope = None
    else:
        left = (col_cost, cols[col_cost - 1].header, "#,##0")
        right = (col_marg, _("marginal cost: target shadow price {year} (M€ per Mt/yr, i.e. € per t of annual "
                             "abatement)", year=T), "#,##0")
        # the slope is drawn beside the marginal cost where it is in that unit
        col_slope = where.get(("objective_slope", None)) if first.unit == "Mt CO2-eq/yr" else None

    block = len(first.values)
    blocks = [(1 + k * block, (k + 1) * block) for k in range(len(points) // block)]
    shown = blocks[:MAX_CURVES]

    def label(start: int) -> str:
        others = [f"{k}={num(v, 'g')}" if isinstance(v, float) else f"{k}={v}"
                  for k, v in points[start - 1].values.items() if k != first.key]
        return ", ".join(others)

    xs = [float(v) for v in first.values]
    x_range = (min(xs), max(xs)) if min(xs) != max(xs) else (None, None)
    dashes = (None, "dash", "sysDot", "dashDot", "lgDash", "sysDash")
    main = Chart("scatter", _("Most abatement within budgets and limits against {key}", key=first.key)
                 if max_abatement else _("Public cost and marginal cost against {key}", key=first.key),
                 x_title, left[1], y_format=left[2], x_range=x_range, gridlines=False,
                 right_title=right[1], right_format=right[2])
    for n, (start, end) in enumerate(shown):
        suffix = f" ({label(start)})" if len(blocks) > 1 else ""
        main.series.append(Line(left[0], start + 1, end + 1, left[1].split(" (")[0] + suffix, COST_LINE, x_col=col_x,
                                dash=dashes[n], marker="circle"))
        main.right.append(Line(right[0], start + 1, end + 1, right[1].split(":")[0].split(" (")[0] + suffix,
                               MARGINAL_LINE, x_col=col_x, dash=dashes[n], marker="circle"))
        if col_slope:
            main.right.append(Line(col_slope, start + 1, end + 1, _("slope of the cost curve") + suffix, SLOPE_LINE,
                                   x_col=col_x, dash=dashes[n], marker="triangle"))
    sheet.chart(main)
    note = _("below the table: {left} (left axis) and {right} (right axis) against {key}", left=left[1],
             right=right[1], key=first.key)
    if col_slope:
        note += _("; on the right axis too, the slope of the cost curve from the previous point (M€ per Mt/yr), "
                  "which the target's shadow price should match between points of an LP")
    col_cash = where.get(("peak_cash_meur", None))
    if col_cash is not None:
        peak = cols[col_cash - 1].header
        cash = Chart("scatter", _("Peak cash against {key}", key=first.key), x_title, peak, y_format="#,##0",
                     x_range=x_range)
        for n, (start, end) in enumerate(shown):
            suffix = f" ({label(start)})" if len(blocks) > 1 else ""
            cash.series.append(Line(col_cash, start + 1, end + 1, _("peak cash") + suffix, CASH_LINE, x_col=col_x,
                                    dash=dashes[n], marker="circle"))
        sheet.chart(cash)
        note += _("; below it, the peak cash in one year (all instruments, M€) against {key}", key=first.key)
    if len(blocks) > len(shown):
        note += _("; {shown} of {all} curves drawn (the first {shown} combinations)", shown=len(shown),
                  all=len(blocks))
    return note


def _binding_sheet(sheet: Sheet, run: SweepRun) -> None:
    status = field("status")
    cols = [Col(_("point"), "0")] + [Col(v.header) for v in run.varies]
    cols += [Col(status.header()), Col(_("limit")), Col(_("id")), Col(_("year"), "0"),
             Col(_("shadow price (unit in next column)"), SHADOW), Col(_("shadow price unit"), wrap=True)]
    rows = []
    for p in run.points:
        head = [p.number] + [p.values.get(v.key) for v in run.varies] + [status.shown(p.status)]
        if not p.ok:
            rows.append(head + [_("(no plan)"), p.message, None, None, None])
            continue
        binding = sorted(p.binding(), key=lambda b: (limit_sort_key((b[0], b[1]))[0], -b[2]))
        if not binding:
            rows.append(head + [_("none binds"), None, None, None, None])
        for fam, key, value in binding:
            limit, ident, year, unit = p.limits.get((fam, key)) or limit_label(run.base, fam, key)
            rows.append(head + [limit, ident or None, year, value, unit])
    sheet.table(cols, rows, freeze=1 + len(run.varies), autofilter=True)


def _sweep_about(sheet: Sheet, run: SweepRun, chart_note: str) -> None:
    sheet.title(_("About this sweep workbook"))
    sheet.line(_("A what-if sweep of policymix: the plan solved at every point of a grid of input values. "
                 "Money in M€, abatement in Mt CO2-eq/yr, unit costs in €/t."))
    sheet.row += 1
    rebuilt = [p for p in run.points if p.rebuilt]
    sheet.pairs([
        *provenance(run.solver_name, run.source_file, run.source_sha256, run.scenario_name),
        (_("objective"), run.base.settings.objective),
        (_("overrides applied to every point"), "; ".join(run.base_overrides) or _("none")),
        (_("points"), len(run.points)),
        (_("points solved"), sum(p.ok for p in run.points)),
        (_("points failed (no plan; see message)"), len(run.failed)),
        (_("points that miss a target"), sum(p.status == "target_not_met" for p in run.points)),
        (_("model builds"), 1 + run.rebuilds),
        (_("solver rebuilds (structure changed)"), run.rebuilds),
        (_("points rebuilt"), ", ".join(str(p.number) for p in rebuilt) or _("none")),
        (_("sweep time (s)"), round(run.seconds, 3)),
        (_("chart"), chart_note),
        (_("generated"), datetime.now().astimezone().isoformat(timespec="seconds")),
    ], bold_labels=True, span=6)
    if run.mip:
        sheet.heading(_("Lumpy (all-or-nothing) measures"))
        sheet.line(_("With lumpy measures each point is a MIP: its shadow prices are those of the LP with the lumpy "
                     "decisions (the binaries) fixed at that point's optimum. They describe the margin of that set of "
                     "projects only, and jump between points where another set is chosen (the target's can fall to 0 "
                     "and rise again). The column 'slope of the cost curve from the previous point' shows what the "
                     "cost really does between points; read it beside the shadow prices."))
    sheet.heading(_("What was varied (the first variation changes fastest; the others form blocks)"))
    sheet.table([Col(_("option")), Col(_("target"), wrap=True), Col(_("key in JSON and columns"), wrap=True),
                 Col(_("operation"), wrap=True), Col(_("unit")), Col(_("values (count)"), "0"), Col(_("values"), wrap=True)],
                [[v.option, v.target, v.key,
                  _("set each value") if v.op == "set" else _("multiply the base value by each factor"),
                  v.unit, len(v.values), ", ".join(num(x, "g") if isinstance(x, float) else str(x) for x in v.values)]
                 for v in run.varies])
    if rebuilt:
        sheet.heading(_("Rebuilds: points where the model's structure changed (built afresh)"))
        sheet.table([Col(_("point"), "0"), Col(_("why"), wrap=True, span=4)],
                    [[p.number, p.solver_note.removeprefix(_("rebuilt: "))] for p in rebuilt])
    sheet.heading(_("Sheets"))
    sheet.table([Col(_("sheet")), Col(_("what it shows"), wrap=True, span=4), Col(_("units"), wrap=True, span=2)], [
        [_("Sweep"), _("one row per point: the varied values, status, how the solver got there (warm re-solve on "
                       "the live HiGHS instance, or rebuilt and why), public cost, objective, required reduction, "
                       "abatement and shortfall per target year, spend per instrument over all years, the peak cash "
                       "in one year, its year and the commitments released (vrijval), the target's shadow price, "
                       "the slope of the cost curve from the previous point, and the shadow price of every limit "
                       "that binds at some point (policy limits first, then limits of single measures); the charts "
                       "of the main curve and of peak cash below the table"),
         _("M€; Mt CO2-eq/yr; € per t of annual abatement; shadow prices in the unit in each header")],
        [_("Binding limits"), _("per point, every limit with a positive shadow price (largest first within "
                                "targets, budgets, resources and then single measures)"), _("in the unit column")],
        [_("About"), _("this page"), ""],
    ])
