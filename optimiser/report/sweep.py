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
from ..lang import N_, _, num
from ..model.families import TARGET, limit_label, limit_sort_key
from .words import provenance
from .xlsx import EUR_T, M_EUR, MT, SECONDS, SHADOW, Col, Sheet, line_series, new_workbook, right_axis, save, scatter_chart

#: Most curves one chart draws (one per combination of the other varied values).
MAX_CURVES = 6
COST_LINE, MARGINAL_LINE, SLOPE_LINE, CASH_LINE = "1F4E79", "C62828", "E69F00", "2E7D32"
PEAK_CASH = N_("peak cash, all instruments (M€)")


# ---------------------------------------------------------------- sweep workbook

def write_sweep(run: SweepRun, path: str | os.PathLike, *, force: bool = True) -> Path:
    """Write the sweep workbook atomically; returns its path."""
    return save(sweep_workbook(run), path, force=force)


def _status_text(status: str) -> str:
    return {"target_met": _("target met"), "target_not_met": _("target not met")}.get(status, status)


def sweep_columns(run: SweepRun) -> tuple[list[tuple[str, str | None]], list, list[int]]:
    """The Sweep sheet's columns (header with unit, number format), a value getter per column and the
    columns where a group starts (a printed page may break there)."""
    points = run.points
    target_years = _ordered(y for p in points for y in p.target_mt)
    instruments = _ordered(i for p in points for i in p.spend_meur) or list(run.base.instruments)
    limits = sorted({k for p in points for k in p.shadow if k[0] != TARGET and p.shadow[k] > 0},
                    key=limit_sort_key)
    labels = {}
    for p in points:
        labels.update(p.limits)
    cols: list[tuple[str, str | None]] = [(_("point"), "0")]
    get: list = [lambda p: p.number]
    for v in run.varies:
        cols.append((v.header, None))
        get.append(lambda p, k=v.key: p.values.get(k))
    maximising = run.base.settings.objective == "max-abatement"
    cols += [(_("status"), None), (_("solver (warm re-solve, or rebuilt: why)"), None)]
    get += [lambda p: _status_text(p.status), lambda p: p.solver_note]
    groups = [len(cols)]
    cols.append((_("public cost (M€)"), M_EUR))
    get.append(lambda p: p.public_cost_meur)
    if not maximising:  # when maximising abatement the objective is the abatement (its own columns)
        cols.append((_("objective (M€, shortfall penalty included)"), M_EUR))
        get.append(lambda p: p.objective_meur)
    groups.append(len(cols))
    for y in target_years:
        cols += [(_("required reduction {year} (Mt CO2-eq/yr)", year=y), MT),
                 (_("abatement {year} (Mt CO2-eq/yr)", year=y), MT), (_("shortfall {year} (Mt CO2-eq/yr)", year=y), MT)]
        get += [lambda p, y=y: p.target_mt.get(y), lambda p, y=y: p.abatement_mt.get(y) if p.ok else None,
                lambda p, y=y: p.shortfall_mt.get(y) if p.ok else None]
    groups.append(len(cols))
    for i in instruments:
        cols.append((_("spend {instrument} (M€)", instrument=i), M_EUR))
        get.append(lambda p, i=i: p.spend_meur.get(i) if p.ok else None)
    groups.append(len(cols))
    cols += [(_(PEAK_CASH), M_EUR), (_("peak cash year"), "0"), (_("released, vrijval (M€)"), M_EUR)]
    get += [lambda p: p.peak_cash_meur if p.ok else None, lambda p: p.peak_cash_year if p.ok else None,
            lambda p: p.released_meur if p.ok else None]
    groups.append(len(cols))
    for y in target_years if not maximising else []:
        name, unit = limit_label(run.base, TARGET, y)[::3]
        cols.append((_("shadow price {limit} {year} ({unit})", limit=name, year=y, unit=unit), EUR_T))
        get.append(lambda p, y=y: p.shadow.get((TARGET, y), 0.0) if p.ok else None)
    slope = slope_header(run)
    if slope:
        slopes = run.slopes()
        cols.append((slope, EUR_T if not maximising else SHADOW))
        get.append(lambda p: slopes.get(p.number))
    for key in limits:
        limit, ident, year, unit = labels.get(key) or limit_label(run.base, *key)
        name = " ".join(str(x) for x in (limit, ident, year) if x not in (None, ""))
        cols.append((_("shadow price {limit} ({unit})", limit=name, unit=unit), SHADOW))
        get.append(lambda p, key=key: p.shadow.get(key, 0.0) if p.ok else None)
    groups.append(len(cols))
    cols += [(_("time (s)"), SECONDS), (_("message"), None)]
    get += [lambda p: p.seconds, lambda p: p.message]
    return cols, get, groups


def slope_header(run: SweepRun) -> str | None:
    """The header of the slope column (None when the first varied value is not a number)."""
    if not run.varies or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in run.varies[0].values):
        return None
    first = run.varies[0]
    per = first.unit or _("unit")
    if first.op == "scale":
        per = _("unit of the scale factor")
    if run.base.settings.objective == "max-abatement":
        T = run.base.settings.target_year
        return _("slope of abatement {year} from the previous point (Mt CO2-eq/yr per {per})", year=T, per=per)
    if first.unit == "Mt CO2-eq/yr":
        per = _("Mt/yr, i.e. € per t of annual abatement")
    return _("slope of the cost curve from the previous point (M€ per {per})", per=per)


def _ordered(items) -> list:
    seen: dict = {}
    for x in items:
        seen.setdefault(x, None)
    return list(seen)


def sweep_workbook(run: SweepRun):
    """The sweep workbook as an (unsaved) openpyxl Workbook."""
    wb = new_workbook(_("Policy-mix sweep: {scenario}", scenario=run.scenario_name))
    sheet = Sheet(wb, _("Sweep"), orientation="landscape")
    cols, get, breaks = sweep_columns(run)
    wrapped = {_("solver (warm re-solve, or rebuilt: why)"), _("message")}
    last = sheet.table([Col(h, fmt, wrap=h in wrapped) for h, fmt in cols],
                          [[g(p) for g in get] for p in run.points], freeze=1 + len(run.varies), autofilter=True,
                          breaks=breaks)[1]
    sheet.row = last + 1
    if run.mip:  # where the reader looks: under the table, above the chart
        sheet.row += 1
        sheet.line(_("Lumpy measures: shadow prices are those of the LP with the binaries fixed at each point's "
                     "optimum; read them beside the slope of the cost curve ({sheet}).", sheet=_("About")))
    sheet.row += 1
    chart_note = _sweep_chart(sheet, run, cols)
    sheet.finish()
    sheet = Sheet(wb, _("Binding limits"))
    _binding_sheet(sheet, run)
    sheet.finish()
    sheet = Sheet(wb, _("About"), orientation="landscape")
    _sweep_about(sheet, run, chart_note)
    sheet.finish(widths={1: 26, 2: 26, 3: 22, 4: 18, 5: 12, 6: 10, 7: 30})
    return wb


def _sweep_chart(sheet: Sheet, run: SweepRun, cols: list) -> str:
    """A scatter chart with straight lines (numeric x) of the main curve below the table.

    min-cost: public cost (M€, left axis) and the target's shadow price — the
    marginal € per t of annual abatement (right axis) — against the first
    varied value. max-abatement: abatement in the target year (Mt/yr, left)
    and public cost (M€, right). A grid draws one curve per combination of the
    other varied values (the points are ordered so each is a block of rows).
    Returns a sentence for the About sheet.
    """
    ws = sheet.ws
    points = run.points
    if not points or not run.varies:
        return _("no chart: no points")
    first = run.varies[0]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in first.values):
        return _("no chart: the first varied value ({key}) is not a number", key=first.key)
    headers = [h for h, _fmt in cols]
    T = run.base.settings.target_year
    max_abatement = points[0].objective == "max-abatement"
    col_x = 2
    try:
        col_cost = headers.index(_("public cost (M€)")) + 1
        col_abate = headers.index(_("abatement {year} (Mt CO2-eq/yr)", year=T)) + 1
        if not max_abatement:
            name, unit = limit_label(run.base, TARGET, T)[::3]
            col_marg = headers.index(_("shadow price {limit} {year} ({unit})", limit=name, year=T, unit=unit)) + 1
    except ValueError:
        return _("no chart: the target year varies")
    col_slope = None
    if max_abatement:
        left = (col_abate, _("abatement {year} (Mt CO2-eq/yr)", year=T), "0.0")
        right = (col_cost, _("public cost (M€)"), "#,##0")
    else:
        left = (col_cost, _("public cost (M€)"), "#,##0")
        right = (col_marg, _("marginal cost: target shadow price {year} (M€ per Mt/yr, i.e. € per t of annual "
                             "abatement)", year=T), "#,##0")
        slope = slope_header(run)
        if first.unit == "Mt CO2-eq/yr" and slope in headers:  # the slope is in the marginal cost's unit
            col_slope = headers.index(slope) + 1

    block = len(first.values)
    blocks = [(1 + k * block, (k + 1) * block) for k in range(len(points) // block)]
    shown = blocks[:MAX_CURVES]

    def label(start: int) -> str:
        others = [f"{k}={num(v, 'g')}" if isinstance(v, float) else f"{k}={v}"
                  for k, v in points[start - 1].values.items() if k != first.key]
        return ", ".join(others)

    main = scatter_chart(_("Most abatement within budgets and limits against {key}", key=first.key) if max_abatement
                         else _("Public cost and marginal cost against {key}", key=first.key),
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
                                             _("slope of the cost curve") + suffix, SLOPE_LINE, dash=dashes[n],
                                             marker="triangle"))
    main += second
    sheet.chart(main)
    note = _("below the table: {left} (left axis) and {right} (right axis) against {key}", left=left[1],
             right=right[1], key=first.key)
    if col_slope:
        note += _("; on the right axis too, the slope of the cost curve from the previous point (M€ per Mt/yr), "
                  "which the target's shadow price should match between points of an LP")
    if _(PEAK_CASH) in headers:
        col_cash = headers.index(_(PEAK_CASH)) + 1
        cash = scatter_chart(_("Peak cash against {key}", key=first.key), headers[col_x - 1], _(PEAK_CASH),
                             y_format="#,##0")
        cash.x_axis.axPos = "b"
        if min(xs) != max(xs):
            cash.x_axis.scaling.min, cash.x_axis.scaling.max = min(xs), max(xs)
        for n, (start, end) in enumerate(shown):
            suffix = f" ({label(start)})" if len(blocks) > 1 else ""
            cash.series.append(line_series(ws, col_x, col_cash, start + 1, end + 1, _("peak cash") + suffix, CASH_LINE,
                                           dash=dashes[n], marker="circle"))
        sheet.chart(cash)
        note += _("; below it, the peak cash in one year (all instruments, M€) against {key}", key=first.key)
    if len(blocks) > len(shown):
        note += _("; {shown} of {all} curves drawn (the first {shown} combinations)", shown=len(shown),
                  all=len(blocks))
    return note


def _binding_sheet(sheet: Sheet, run: SweepRun) -> None:
    cols = [Col(_("point"), "0")] + [Col(v.header) for v in run.varies]
    cols += [Col(_("status")), Col(_("limit")), Col(_("id")), Col(_("year"), "0"), Col(_("shadow price (unit in next column)"), SHADOW),
             Col(_("shadow price unit"), wrap=True)]
    rows = []
    for p in run.points:
        head = [p.number] + [p.values.get(v.key) for v in run.varies] + [_status_text(p.status)]
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
