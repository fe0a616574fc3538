"""The sweep workbook: one row per point, native charts of the main curve and peak cash, the binding limits of
every point.

Sheets: ``Sweep`` (one row per point; printed without the shadow price of
every limit, which ``Binding limits`` prints in a form fit to read), ``Charts``
(the main curve and peak cash, native Excel charts, each whole on a page, their
axes scaled to the data), ``Binding limits`` (per point, every limit with a
positive shadow price) and ``About``. A point's figures are its headline record
(:class:`optimiser.model.fields.Headline`): the Sweep sheet's columns are the
result fields a sweep shows (:mod:`optimiser.model.fields`, :mod:`.columns`);
limits are named by their family's declaration (:mod:`optimiser.model.families`);
every cell and file goes through the spreadsheet toolkit (:mod:`optimiser.report.xlsx`).
"""

from __future__ import annotations

import math
import os
from datetime import datetime
from pathlib import Path

from ..analysis.sweep import SweepRun
from ..lang import _, num
from ..model.families import TARGET, limit_label, limit_sort_key
from ..model.index import shortfall_penalty
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
    where each figure is: (field name, key) → column (1-based); the shadow price of every limit that binds at
    some point comes last (``where["printed"]``: the last column before them)."""
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
    cols += [Col(_("solver (warm re-solve, or rebuilt: why)"), wrap=True), Col(_("time (s)"), SECONDS),
             Col(_("message"), wrap=True)]
    get += [lambda p: p.solver_note, lambda p: p.seconds, lambda p: p.message]
    where["printed"] = len(cols)
    breaks.append(len(cols))
    for key in limits:
        limit, ident, year, unit = labels.get(key) or limit_label(run.base, *key)
        name = " ".join(str(x) for x in (limit, ident, year) if x not in (None, ""))
        cols.append(Col(_("shadow price {limit} ({unit})", limit=name, unit=unit), SHADOW))
        get.append(lambda p, key=key: p.shadow.get(key, 0.0) if p.ok else None)
    return cols, get, breaks, where


def sweep_workbook(run: SweepRun):
    """The sweep workbook (unsaved: a :class:`optimiser.report.xlsx.Book`)."""
    with new_workbook(_("Policy-mix sweep: {scenario}", scenario=run.scenario_name)) as book:
        _sweep_sheets(book, run)
    return book


def _sweep_sheets(book, run: SweepRun) -> None:
    """Sweep (the table: printed without the shadow price of every limit, which Binding limits prints one row per
    point and limit), Charts (the main curve and peak cash, each on a page, with what to read them by),
    Binding limits, About."""
    sheet = book.sheet(_("Sweep"), orientation="landscape")
    cols, get, breaks, where = sweep_columns(run)
    sheet.table(cols, [[g(p) for g in get] for p in run.points], freeze=1 + len(run.varies), autofilter=True,
                breaks=breaks)
    sheet.print_columns(where["printed"])
    sheet.finish()
    sheet = book.sheet(_("Charts"), orientation="landscape")
    sheet.title(_("Charts of the sweep (their data: sheet {sheet})", sheet=_("Sweep")))
    if run.mip:
        sheet.line(_("Lumpy measures: shadow prices are those of the LP with the binaries fixed at each point's "
                     "optimum; read them beside the slopes of public cost and of the objective ({sheet}).",
                     sheet=_("About")))
    chart_note = _sweep_chart(sheet, run, cols, where)
    if not sheet.charts:
        sheet.line(chart_note)
    sheet.finish()
    sheet = book.sheet(_("Binding limits"))
    _binding_sheet(sheet, run)
    sheet.finish()
    sheet = book.sheet(_("About"), orientation="landscape")
    _sweep_about(sheet, run, chart_note)
    sheet.finish(widths={1: 26, 2: 26, 3: 22, 4: 18, 5: 12, 6: 10, 7: 30})


def _sweep_chart(sheet: Sheet, run: SweepRun, cols: list[Col], where: dict) -> str:
    """A scatter chart with straight lines (numeric x) of the main curve (on the Charts sheet; its data on Sweep).

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
    data = _("Sweep")
    if max_abatement:
        left = (col_abate, cols[col_abate - 1].header, "0.0")
        right = (col_cost, cols[col_cost - 1].header, "#,##0")
        col_slope = None
    else:
        left = (col_cost, cols[col_cost - 1].header, "#,##0")
        right = (col_marg, _("marginal value of the target: its shadow price {year} (M€ per Mt/yr, i.e. € per t of "
                             "annual abatement)", year=T), "#,##0")
        # the objective's slope is drawn beside the target's shadow price (which it matches between points of an
        # LP) where it is in that unit; where no point misses the target it is public cost's (the sheet then shows
        # that column alone: the two are the same)
        slope_field = "objective_slope" if ("objective_slope", None) in where else "public_cost_slope"
        col_slope = where.get((slope_field, None)) if first.unit == "Mt CO2-eq/yr" else None

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
    right_range, above = (None, None), 0
    if not max_abatement:  # the right axis spans the marginal values of the points that meet the target
        right_range, above = marginal_range(run, [c for c in (col_marg, col_slope) if c], where)
    main = Chart("scatter", _("Most abatement within budgets and limits against {key}", key=first.key)
                 if max_abatement else _("Public cost and the marginal value of the target against {key}",
                                         key=first.key),
                 x_title, left[1], y_format=left[2], x_range=x_range, gridlines=False,
                 right_title=right[1], right_format=right[2], right_range=right_range, data_sheet=data)
    for n, (start, end) in enumerate(shown):
        suffix = f" ({label(start)})" if len(blocks) > 1 else ""
        main.series.append(Line(left[0], start + 1, end + 1, left[1].split(" (")[0] + suffix, COST_LINE, x_col=col_x,
                                dash=dashes[n], marker="circle"))
        main.right.append(Line(right[0], start + 1, end + 1, right[1].split(":")[0].split(" (")[0] + suffix,
                               MARGINAL_LINE, x_col=col_x, dash=dashes[n], marker="circle"))
        if col_slope:
            main.right.append(Line(col_slope, start + 1, end + 1, (_("slope of the objective")
                                                                   if slope_field == "objective_slope" else
                                                                   _("slope of public cost")) + suffix, SLOPE_LINE,
                                   x_col=col_x, dash=dashes[n], marker="triangle"))
    sheet.chart(main)
    if above:
        sheet.line(_("At the {n} points that miss the target its shadow price is the shortfall penalty ({penalty} €/t): "
                     "a price the model charges, no cost. The right axis spans the points that meet the target; those "
                     "points lie above it.", n=above, penalty=num(shortfall_penalty(run.base), ",.0f")))
        sheet.row += 1
    note = _("on sheet {sheet}: {left} (left axis) and {right} (right axis) against {key}", sheet=_("Charts"),
             left=left[1], right=right[1], key=first.key)
    if col_slope and slope_field == "objective_slope":
        note += _("; on the right axis too, the slope of the objective (public cost plus the shortfall penalty) from "
                  "the previous point (M€ per Mt/yr), which the target's shadow price should match between points "
                  "of an LP")
    elif col_slope:
        note += _("; on the right axis too, the slope of public cost from the previous point (M€ per Mt/yr), which "
                  "the target's shadow price should match between points of an LP")
    if above:
        note += _("; the right axis spans the points that meet the target: at the {n} points that miss it the "
                  "target's shadow price is the shortfall penalty ({penalty} €/t), a price the model charges and no "
                  "cost, and lies above the axis", n=above, penalty=num(shortfall_penalty(run.base), ",.0f"))
    col_cash = where.get(("peak_cash_meur", None))
    if col_cash is not None:
        peak = cols[col_cash - 1].header
        cash = Chart("scatter", _("Peak cash against {key}", key=first.key), x_title, peak, y_format="#,##0",
                     x_range=x_range, data_sheet=data)
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


def marginal_range(run: SweepRun, cols: list[int], where: dict) -> tuple[tuple[float | None, float | None], int]:
    """The right axis of the main chart of a min-cost sweep: ((low, high), points left above it).

    At a point that misses the target its shadow price is the shortfall penalty (and the objective's slope into
    it holds the penalty too): drawn, such a point would stretch the axis to the penalty and flatten the real
    curve. So the axis spans the values of the points that meet the target (0 included, a tenth of margin);
    when no point misses it, the application scales the axis itself.
    """
    T = run.base.settings.target_year
    met = {p.number for p in run.points if p.ok and (p.headline.get("shortfall_mt", T) or 0.0) <= 1e-6}
    missed = sum(1 for p in run.points if p.ok and p.number not in met)
    if not missed or not met:
        return (None, None), 0
    slope_col = where.get(("objective_slope", None)) or where.get(("public_cost_slope", None))
    values = []
    for p in run.points:
        if p.number not in met:
            continue
        for col in cols:
            if col == slope_col:
                previous = next((q for q in run.points if q.number == p.number - 1), None)
                if previous is None or previous.number not in met:
                    continue  # a slope from a point that misses the target holds the penalty
                value = p.headline.get("objective_slope" if ("objective_slope", None) in where
                                       else "public_cost_slope")
            else:
                value = p.headline.get("target_shadow_eur_per_t", T)
            if isinstance(value, (int, float)) and math.isfinite(value):
                values.append(float(value))
    if not values:
        return (None, None), missed
    low, high = min(0.0, min(values)), max(0.0, max(values))
    margin = (high - low) * 0.1 or max(1.0, abs(high) * 0.1)
    return (low - margin if low < 0 else 0.0, high + margin), missed


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
                     "and rise again). The column 'slope of public cost from the previous point' shows what the "
                     "public cost really does between points, and the slope of the objective what the shadow prices "
                     "should match; read them beside the shadow prices."))
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
                       "the slopes of public cost and of the objective (public cost plus the shortfall penalty) "
                       "from the previous point, then the shadow price of every limit that binds at some point "
                       "(policy limits first, then limits of single measures; on screen only: sheet Binding limits "
                       "prints them)"),
         _("M€; Mt CO2-eq/yr; € per t of annual abatement; shadow prices in the unit in each header")],
        [_("Charts"), _("the main curve (public cost and the marginal value of the target, or the most abatement "
                        "and its public cost) and the peak cash against the first varied value"),
         _("in the axis titles")],
        [_("Binding limits"), _("per point, every limit with a positive shadow price (largest first within "
                                "targets, budgets, resources and then single measures)"), _("in the unit column")],
        [_("About"), _("this page"), ""],
    ])
