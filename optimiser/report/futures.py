"""The futures workbook (``policymix futures``, docs/model.md sections 14 and 17): for the people who decide.

Sheets (:data:`optimiser.input.manifest.FUTURES_SHEETS`): Summary (the answer in sentences), Confidence (a
confidence run: its answer, its commitments, why a level is out of reach, the cost-of-confidence curve),
Here and now (decide-by), Futures (one row per future: draws rounded to their meaning and results), Charts
(the distribution of target-year abatement against the target, and the probability of meeting the target
against the public cost), Sure abatement (reached in at least 50, 80, 95 % of the futures), Cash bands (the
10th, 50th and 90th percentile of cash per instrument and year), Measure shares (robust or contingent),
Drivers (which uncertain inputs move the shortfall most), About; then the effective input sheets,
uncertainty sheet included, so the workbook is itself an input that repeats the run. Every cell goes
through the spreadsheet toolkit (:mod:`optimiser.report.xlsx`); a future's figures are its headline record
and the run's figures its record, in the columns of the result fields (:mod:`optimiser.model.fields`,
:mod:`.columns`). Printed, each chart is whole on one page with its axes scaled to its data, and chart data
sit in hidden columns outside the print area.
"""

from __future__ import annotations

import math
import os
from datetime import datetime
from pathlib import Path

from ..analysis.futures import ROBUST_SHARE, FuturesRun
from ..input.manifest import FUTURES_SHEETS
from ..input.tables import to_tables
from ..lang import N_, _, num
from ..lang import name as language_name  # the run's language, in words
from ..model.fields import CASH, CONFIDENCE, CURVE, FUTURES, FUTURES_RUN, LEVEL, SURE, SURE_LEVELS, run_fields
from . import answers
from .columns import headline_columns, optional_columns, record_columns
from .inputs import add_input_sheets, in_its_language
from .words import provenance
from .xlsx import (COUNT, M_EUR, MIN_SCALE, MT, PALETTE, SHARE, Bars, Chart, Col, Line, Sheet, column_mm, new_workbook,
                   page_mm, save)

MET_COLOUR, MISSED_COLOUR, LINE_COLOUR = "1B7837", "C62828", "1F4E79"
#: Bars of the abatement histogram.
BINS = 20

#: The question asked, in words: (its short name, the whole of it); translated where shown.
MODE_WORDS = {
    "wait_and_see": (N_("wait and see"), N_("wait and see: each future planned on its own, knowing that future")),
    "stress_test": (N_("stress test"), N_("stress test: the plan's commitments fixed, each future showing what they "
                                          "achieve and cost there")),
    "decide_by": (N_("decide now, adapt later"),
                  N_("decide now, adapt later: the commitments up to the decision year the same in every future, "
                     "later ones chosen per future, least expected public cost plus the shortfall penalty")),
    "confidence": (N_("planning to a confidence level"),
                   N_("planning to a confidence level: the plan of least expected public cost that meets every target "
                      "in at least the share asked of the futures")),
}
#: What a drawn value is, per override operation (the unit in the Futures sheet's header).
OP_UNITS = {"scale": N_("factor ×"), "shift": N_("years later"), "add": N_("added"), "set": N_("value")}


def write_futures(run: FuturesRun, path: str | os.PathLike, *, force: bool = True) -> Path:
    """Write the futures workbook atomically; returns its path."""
    return save(futures_workbook(run), path, force=force)


def pct(v: float) -> str:
    return num(100 * v, ".1f") + " %"


def _share(v: float) -> str:
    """A share as a whole percentage in a sentence (90 %)."""
    return num(100 * v, ".0f") + " %"


def headline(run: FuturesRun) -> str:
    """P(target met) with its 95 % interval, in one sentence."""
    lo, hi = run.p_target_met_ci
    n = len(run.results)
    who = {"wait_and_see": _("planned on its own"),
           "stress_test": _("with the plan {plan}", plan=run.plan_file or "").rstrip(),
           "decide_by": _("with the here-and-now commitments and later ones adapted"),
           "confidence": _("with the plan of this confidence level")}[run.mode]
    return _("The probability that every target is met is {p} (95 % interval {low} to {high}): {met} of {n} futures "
             "{who} meet every target.", p=pct(run.p_target_met), low=pct(lo), high=pct(hi), met=num(run.met, ",d"),
             n=num(n, ",d"), who=who)


def _shows(title: str, run: FuturesRun) -> bool:
    """Whether the workbook of this run has the sheet."""
    if title == "Here and now":
        return run.decision is not None
    if title == "Confidence":
        return run.confidence is not None
    return True


def futures_workbook(run: FuturesRun):
    """The futures workbook (unsaved: a :class:`optimiser.report.xlsx.Book`)."""
    book = new_workbook(_("Policy-mix futures: {scenario}", scenario=run.scenario_name))
    for spec in FUTURES_SHEETS:
        if not _shows(spec.title, run):
            continue
        sheet = book.sheet(_(spec.title), **_LAYOUT.get(spec.title, {}))
        widths = _WRITERS[spec.title](sheet, run) or {}
        sheet.finish(widths={**_WIDTHS.get(spec.title, {}), **widths})
    add_input_sheets(book, to_tables(in_its_language(run.base)), run.base.years)
    return book


# ---------------------------------------------------------------- Summary

def _summary(sheet: Sheet, run: FuturesRun) -> None:
    T = run.base.settings.target_year
    short, whole = MODE_WORDS[run.mode]
    sheet.title(_("Futures: {scenario} ({n} futures, {mode})", scenario=run.scenario_name,
                  n=num(len(run.results), ",d"), mode=_(short)))
    if run.confidence is not None:
        for text in answers.confidence_lines(run):
            sheet.line(text)
    sheet.line(headline(run))
    for text in [answers.expected_line(run), *answers.sure_lines(run), answers.cash_line(run)]:
        if text:
            sheet.line(text)
    core = run.robust_core()
    sheet.line(_("Robust core (funded in at least {share} of the futures): {n} measures", share=_share(ROBUST_SHARE),
                 n=len(core)) + (f": {', '.join(core)}." if core else "."))
    contingent = run.contingent()
    if contingent:
        sheet.line(_("Contingent (funded in some futures only): {n} measures, listed on '{sheet}'.",
                     n=len(contingent), sheet=_("Measure shares")))
    d = run.decision
    if d is not None:
        for text in answers.decide_lines(run):
            sheet.line(text)
    if run.failed:
        sheet.line(_("{n} futures have no plan (solver failure): see column '{column}' on '{sheet}'.",
                     n=len(run.failed), column=_("message"), sheet=_("Futures")))
    sheet.heading(_("Key figures"))
    items = [
        (_("what was asked"), _(whole)),
        (_("futures (Latin hypercube samples)"), len(run.results), COUNT),
        (_("seed"), run.seed, COUNT),
        (_("futures meeting every target"), run.met, COUNT),
    ]
    items += _record_pairs(run.record, (FUTURES_RUN,), run)
    items.append((_("required reduction {year} (Mt CO2-eq/yr)", year=T), run.base.targets.get(T), MT))
    ok = [r for r in run.results if r.ok]
    if ok:
        abate = sorted(r.abatement_mt.get(T, 0.0) for r in ok)
        items += [(_("median public cost (M€)"), run.cost_quantile(0.5), M_EUR),
                  (_("90th-percentile public cost (M€)"), run.cost_quantile(0.9), M_EUR),
                  (_("median abatement {year} (Mt CO2-eq/yr)", year=T), _quantile(abate, 0.5), MT),
                  (_("10th-percentile abatement {year} (Mt CO2-eq/yr)", year=T), _quantile(abate, 0.1), MT)]
    if run.mode == "stress_test":
        items.append((_("plan stress-tested"), run.plan_file))
    if ok and _shows_idle(run):
        label = (_("mean abatement {year} built but idle for want of resources (Mt CO2-eq/yr)", year=T)
                 if run.mode == "stress_test" else
                 _("mean abatement {year} built but idle for want of resources (Mt CO2-eq/yr): decisions already taken",
                   year=T))
        items.append((label, sum(r.idle_mt for r in ok) / len(ok), MT))
    if d is not None:
        items += [(_("decision year (commitments up to it shared)"), d.year, COUNT),
                  (_("expected public cost with the mean-value plan's commitments made now (M€)"),
                   d.eev_public_cost_meur, M_EUR)]
        items += [(_("expected shortfall {year} with the mean-value plan's commitments made now (Mt CO2-eq/yr)",
                     year=y), v, MT) for y, v in sorted(d.eev_shortfall_mt.items())]
        items += [(_("objective of the stochastic program, RP: expected public cost plus the shortfall penalty "
                     "(M€; not a cost)"), d.expected_cost_meur, M_EUR),
                  (_("the same with the mean-value plan's commitments made now, EEV (M€; not a cost)"), d.eev_meur,
                   M_EUR),
                  (_("value of the stochastic solution, VSS = EEV − RP (M€ of that objective)"), d.vss_meur, M_EUR)]
    sheet.pairs(items, bold_labels=True)
    if run.drivers:
        sheet.heading(_("What moves the shortfall most (sheet '{sheet}')", sheet=_("Drivers")))
        for drv in run.drivers[:5]:
            if drv.rho_shortfall is not None:
                text = _("{driver}: rank correlation {rho} with the shortfall", driver=drv.label,
                         rho=num(drv.rho_shortfall, "+.2f"))
                if drv.s1_shortfall is not None:
                    text += _(", first-order variance share {s1}", s1=num(drv.s1_shortfall, ".2f"))
                sheet.line(text)
    for note in run.notes:
        sheet.line(_("Note: {text}", text=note))


def _record_pairs(record, views, run: FuturesRun) -> list[tuple]:
    """(label, value, number format) of a record's figures of the plan and per target year (the fields of
    ``views``), as a sheet shows them."""
    cols = record_columns(run.base, views, target_years=sorted(run.base.targets))
    return [(c.header, c.of_record(record), c.col.fmt) for c in cols]


def _shows_idle(run: FuturesRun) -> bool:
    """Idle abatement is shown for a stress test, and where decisions already taken could not all connect."""
    return run.mode == "stress_test" or any(r.idle_mt > 1e-9 for r in run.results)


def _quantile(sorted_values: list[float], q: float) -> float:
    import numpy as np

    return float(np.quantile(sorted_values, q))


# ---------------------------------------------------------------- Confidence

def _confidence(sheet: Sheet, run: FuturesRun) -> None:
    c = run.confidence
    a = c.answer
    inp = run.base
    sheet.title(_("What it costs to be sure of every target ({n} futures)", n=num(c.samples, ",d")))
    for text in answers.confidence_lines(run):
        sheet.line(text)
    sheet.heading(_("The answer at {p}", p=answers.level(a.confidence)))
    sheet.pairs(_record_pairs(a.record, (CONFIDENCE,), run), bold_labels=True)
    sheet.heading(_("What to commit (the same in every future)") if c.decide_by is None else
                  _("What to commit by {year} (the same in every future; later commitments adapt)", year=c.decide_by))
    rows = []
    for m, ys in sorted(a.here_and_now.items()):
        meas = inp.measures.get(m)
        split = ", ".join(f"{i} {num(v, '.0%')}" for i, v in a.split.get(m, {}).items())
        for y, v in sorted(ys.items()):
            rows.append([m, meas.name if meas else "", y, v, split])
    if rows:
        sheet.table([Col(_("measure")), Col(_("name"), wrap=40), Col(_("year"), COUNT),
                     Col(_("share of the measure committed (%)"), SHARE),
                     Col(_("instruments (share of its subsidy)"), wrap=30)], rows)
    else:
        sheet.line(_("Nothing: no commitment beyond the decisions already taken."))
    why = a.reasons
    if why is not None and why.missed:
        sheet.heading(_("Why no plan is {p} sure", p=answers.level(a.confidence)))
        if why.limits:
            sheet.table([Col(_("limit that holds the target back"), wrap=60), Col(_("missed futures"), COUNT)],
                        [[r.words, r.futures] for r in why.limits])
        if why.inputs:
            sheet.row += 1
            sheet.table([Col(_("uncertain input"), wrap=45),
                         Col(_("rank-biserial correlation with missing (−1 … 1)"), "0.00"),
                         Col(_("mean drawn value where missed"), "0.000"),
                         Col(_("mean drawn value where met"), "0.000")],
                        [[r.name, r.effect, r.mean_missed, r.mean_met] for r in why.inputs])
    if len(c.plans) > 1:
        _curve(sheet, run)


def _curve(sheet: Sheet, run: FuturesRun) -> None:
    """The cost-of-confidence curve: one row per level asked, and the chart of expected public cost against the
    level, the attainable maximum marked."""
    c = run.confidence
    sheet.heading(_("The cost of confidence"))
    sheet.line(_("One row per level asked. A level above the most attainable ({most}) has no plan of its own: its "
                 "row repeats the plan meeting every target in the most futures.", most=answers.level(c.max_attainable)))
    cols = record_columns(run.base, (CURVE, LEVEL), target_years=sorted(run.base.targets))
    sheet.table([c_.col for c_ in cols], [[c_.of_record(p.record) for c_ in cols] for p in c.plans])
    ok = [p for p in c.plans if p.attainable]
    if not ok:
        sheet.line(_("No level of the range is attainable: there is no curve to draw."))
        return
    # chart data in hidden columns beyond the tables: the attainable levels, the others, the maximum
    data_col = max(12, len(cols) + 2)
    top = 1
    attain = [[p.confidence, p.expected_public_cost_meur] for p in ok]
    last = sheet.data(top, data_col, [_("confidence"), _("expected public cost (M€)")], attain, [SHARE, M_EUR])
    beyond = [[p.confidence, p.expected_public_cost_meur] for p in c.plans if not p.attainable]
    cost_top = max(p.expected_public_cost_meur for p in c.plans)
    y_top = _nice_top(cost_top)
    mark = sheet.data(top, data_col + 2, [_("most attainable"), ""],
                      [[c.max_attainable, 0.0], [c.max_attainable, y_top]], [SHARE, M_EUR])
    series = [Line(data_col + 1, top + 1, last, _("attainable: the cheapest plan that is this sure"), LINE_COLOUR,
                   x_col=data_col, marker="circle"),
              Line(data_col + 3, top + 1, mark, _("most attainable: {p}", p=answers.level(c.max_attainable)),
                   MISSED_COLOUR, x_col=data_col + 2, dash="dash")]
    if beyond:
        end = sheet.data(top, data_col + 4, [_("not attainable"), ""], beyond, [SHARE, M_EUR])
        series.append(Line(data_col + 5, top + 1, end, _("not attainable: the plan meeting the most futures"),
                           "7F7F7F", x_col=data_col + 4, marker="triangle", width=0.75, dash="sysDot"))
    levels = [p.confidence for p in c.plans] + [c.max_attainable]
    sheet.hide_columns(data_col)
    sheet.row += 1
    sheet.chart(Chart("scatter", _("Expected public cost against the confidence asked ({n} futures)",
                                   n=num(c.samples, ",d")),
                      _("confidence: share of the futures meeting every target"), _("expected public cost (M€)"),
                      series=series, x_format="0%", y_format="#,##0",
                      x_range=(_nice_floor(min(levels)), _nice_ceil(max(levels))), y_range=(0.0, y_top),
                      hidden_data=True))


def _nice_top(v: float) -> float:
    """A round axis maximum at or above ``v`` (1, 2, 2.5, 5 × a power of ten)."""
    if v <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(v))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= v * 1.02:
            return step * power
    return 10 * power


def _nice_floor(p: float) -> float:
    """A share axis minimum: ``p`` rounded down to 5 %."""
    return max(0.0, math.floor(p * 20 - 1e-9) / 20)


def _nice_ceil(p: float) -> float:
    """A share axis maximum: ``p`` rounded up to 5 % (at least 5 %)."""
    return min(1.0, max(0.05, math.ceil(p * 20 + 1e-9) / 20))


# ---------------------------------------------------------------- Here and now (decide-by)

def _here_and_now(sheet: Sheet, run: FuturesRun) -> None:
    d = run.decision
    inp = run.base
    sheet.title(_("What to commit by {year} (the same in every future)", year=d.year))
    sheet.line(_("Each row: a share of a measure to commit now. Later years are decided per future, once it is known. "
                 "Beside it, what the plan for the mean-value future would commit now; what committing that instead "
                 "would give, in expected public cost and shortfall, is on the Summary."))
    keys = sorted({(m, y) for m, ys in d.here_and_now.items() for y in ys}
                  | {(m, y) for m, ys in d.mean_plan.items() for y in ys})
    rows = []
    for m, y in keys:
        meas = inp.measures.get(m)
        rows.append([m, meas.name if meas else "", meas.cluster if meas else "", y,
                     d.here_and_now.get(m, {}).get(y, 0.0), d.mean_plan.get(m, {}).get(y, 0.0),
                     run.funded_share.get(m, 0.0)])
    sheet.table([Col(_("measure")), Col(_("name"), wrap=40), Col(_("cluster")), Col(_("year"), COUNT),
                 Col(_("commit now: share of the measure (%)"), SHARE),
                 Col(_("plan for the mean-value future: share (%)"), SHARE),
                 Col(_("funded in this share of futures, by the end (%)"), SHARE)], rows, freeze=1, autofilter=True)
    if d.size is not None:
        sheet.heading(_("The stochastic program"))
        sheet.pairs([(_("futures"), d.size.futures, COUNT), (_("columns"), d.size.columns, COUNT),
                     (_("rows"), d.size.rows, COUNT), (_("nonzeros"), d.size.nonzeros, COUNT),
                     (_("solver status"), d.status), (_("build time (s)"), round(d.seconds_build, 2)),
                     (_("solve time (s)"), round(d.seconds_solve, 2)),
                     (_("EEV time: mean-value plan and re-solve (s)"), round(d.seconds_eev, 2))], bold_labels=True)


# ---------------------------------------------------------------- Futures

def _draw_columns(run: FuturesRun) -> list[tuple[str, str | None, list[int]]]:
    """The draw columns of the Futures sheet: (header, number format, uncertainty rows). Rows of one group
    whose values are the same in every future (same distribution, same quantile) share one column, headed by
    the group ('h2_cost (6 rows, factor ×)'); a row of a group whose rows differ is headed by what it changes
    ('grid_zeeland (years later)', '+1' where another row of the group is drawn alike); a row of its own by its
    name."""
    rows_u = run.base.uncertainty
    names = list(dict.fromkeys(r.name for r in rows_u))
    first = {n: next(k for k, r in enumerate(rows_u) if r.name == n) for n in names}
    values = {n: [f.values[first[n]] for f in run.futures] for n in names}
    out: list[tuple[str, str | None, list[int]]] = []
    done: set[str] = set()
    for n in names:
        if n in done:
            continue
        row = rows_u[first[n]]
        same = [n]
        if row.group:
            same = [m for m in names if m not in done and rows_u[first[m]].group == row.group
                    and rows_u[first[m]].op == row.op and values[m] == values[n]]
        done.update(same)
        unit = _(OP_UNITS[row.op])
        whole_group = sum(r.group == row.group for r in rows_u) if row.group else 0
        if len(same) > 1 and len(same) == len({r.name for r in rows_u if r.group == row.group}):
            header = _("{group} ({n} rows, {unit})", group=row.group, n=whole_group, unit=unit)
        elif row.group:  # a row of a group whose rows differ: named by what it changes (the name is long)
            header = f"{row.id}" + (f" +{len(same) - 1}" if len(same) > 1 else "") + f" ({unit})"
        else:
            header = f"{n} ({unit})"
        out.append((header, _draw_format(row.op, values[n]), [first[n]]))
    return out


def _draw_format(op: str, values: list) -> str:
    """A drawn value's format by its meaning: whole years (shift, a whole-number add), a factor to 3 decimals."""
    if op == "shift" or all(float(v).is_integer() for v in values):
        return COUNT
    return "0.000" if op in ("scale", "add") else "General"


def _rounded(op: str, value: float):
    """A drawn value rounded to its meaning: a shift in whole years, a factor to 3 decimals, a value to 4
    significant digits."""
    if value is None:
        return None
    if op == "shift" or float(value).is_integer():
        return int(round(value))
    if op in ("scale", "add"):
        return round(float(value), 3)
    return float(f"{value:.4g}")


#: Width (characters) of a draw column of the Futures sheet: its header wraps, its numbers are short.
DRAW_WIDTH = 9
#: Width of a figure column of the Futures sheet (public cost, abatement, shortfall), and of one in words (status).
FIGURE_WIDTH, TEXT_WIDTH = 10, 16


def _futures(sheet: Sheet, run: FuturesRun) -> dict[int, int]:
    """One row per future: its draws (rounded to their meaning), then its figures (the headline fields a futures
    run shows) and, where a future failed, why (how each was solved is counted on the About sheet). Returns the
    widths of the draw columns."""
    rows_u = run.base.uncertainty
    draws = _draw_columns(run)
    figures = optional_columns(headline_columns(run.base, FUTURES, target_years=sorted(run.base.targets)),
                               [r.headline for r in run.results])
    cols = [Col(_("future"), COUNT)] + [Col(header, fmt) for header, fmt, _rows in draws]
    messages = any(r.message for r in run.results)
    cols += [c.col for c in figures] + ([Col(_("message"), wrap=40)] if messages else [])
    by_number = {f.number: f for f in run.futures}
    table = []
    for r in run.results:
        f = by_number[r.number]
        table.append([r.number] + [_rounded(rows_u[k[0]].op, f.values[k[0]]) for _h, _f, k in draws]
                     + [c.of_record(r.headline) for c in figures] + ([r.message] if messages else []))
    sheet.table(cols, table, freeze=1, autofilter=True, breaks=[1 + len(draws)])
    widths = {}
    for k, c in enumerate(figures, start=2 + len(draws)):  # numbers and yes/no: narrow, their headers wrap
        if c.field.fmt is not None:
            widths[k] = FIGURE_WIDTH
        elif c.field.words is None:
            widths[k] = 7
    # the draws as wide as one landscape page at the least readable scale allows (fewer header lines)
    rest = 8 + sum(widths.values()) + TEXT_WIDTH * (len(figures) - len(widths)) + (40 if messages else 0)
    room = page_mm("landscape")[0] * 100 / MIN_SCALE / column_mm(1) * 0.98
    draw = max(DRAW_WIDTH, min(14, math.floor((room - rest) / max(1, len(draws)))))
    widths.update({2 + k: draw for k in range(len(draws))})
    return widths


# ---------------------------------------------------------------- Charts

#: Column of the charts' data (hidden, never printed).
DATA_COL = 16
#: Height of each chart of the Charts sheet (cm): both on one printed page.
CHART_CM = 8.5


def _charts(sheet: Sheet, run: FuturesRun) -> None:
    T = run.base.settings.target_year
    target = run.base.targets.get(T, 0.0)
    ok = [r for r in run.results if r.ok]
    sheet.title(_("Abatement in {year} against the target, and the probability of meeting it against the cost",
                  year=T))
    if not ok:
        sheet.line(_("No future has a plan: nothing to draw."))
        return
    # histogram data: bins of target-year abatement with an edge at the target, counts split by met / missed
    values = [r.abatement_mt.get(T, 0.0) for r in ok]
    lo, hi = min(values + [target]), max(values + [target])
    width = (hi - lo) / BINS if hi > lo else 1.0
    start = target - math.ceil((target - lo) / width - 1e-9) * width
    count = max(1, math.ceil((hi - start) / width + 1e-9))
    top = 1
    data_col = DATA_COL
    bins = []
    for k in range(count):
        a, b = start + k * width, start + (k + 1) * width
        inside = [r for r, v in zip(ok, values) if a - 1e-9 <= v < b - 1e-9 or (k == count - 1 and v >= b - 1e-9)]
        bins.append([a, b, f"{num(a, '.2f')}–{num(b, '.2f')}", sum(r.target_met for r in inside),
                     sum(not r.target_met for r in inside)])
    last = sheet.data(top, data_col, [_("abatement {year} from (Mt CO2-eq/yr)", year=T), _("to"), _("bin"),
                                      _("futures meeting every target"), _("futures missing a target")],
                      bins, [MT, MT, None, COUNT, COUNT], bold=True)
    sheet.row = 3
    sheet.chart(Chart("column", _("Abatement in {year} over {n} futures (target {target} Mt: green bars meet it)",
                                  year=T, n=num(len(ok), ",d"), target=num(target, ".2f")),
                      _("abatement {year} (Mt CO2-eq/yr)", year=T), _("futures"),
                      series=[Bars(data_col + 3, top + 1, last, _("meets every target"), MET_COLOUR),
                              Bars(data_col + 4, top + 1, last, _("misses a target"), MISSED_COLOUR)],
                      categories=(data_col + 2, top + 1, last), y_format="0", gap=15, hidden_data=True,
                      height=CHART_CM))
    # cumulative probability: share of futures that meet the target at a public cost ≤ x
    cum_top = last + 3
    cost_sorted = sorted(ok, key=lambda r: r.public_cost_meur or 0.0)
    n = len(run.results)
    shares, met = [], 0
    for r in cost_sorted:
        met += r.target_met
        shares.append([r.public_cost_meur, met / n])
    sheet.data(cum_top, data_col, [_("public cost (M€)"),
                                   _("share of futures meeting every target at this public cost or less")],
               shares, [M_EUR, SHARE], bold=True)
    highest = met / n if n else 0.0
    sheet.row += 1
    if not met:
        sheet.line(_("No future meets every target: there is no probability of meeting it to draw against the cost."))
        sheet.hide_columns(data_col)
        return
    sheet.chart(Chart("scatter", _("Probability of meeting every target at a public cost up to x"),
                      _("public cost (M€)"), _("P(target met and public cost ≤ x)"),
                      series=[Line(data_col + 1, cum_top + 1, cum_top + len(cost_sorted), _("cumulative probability"),
                                   LINE_COLOUR, x_col=data_col)],
                      y_format="0%" if highest >= 0.1 else "0.0%", x_format="#,##0",
                      y_range=(0.0, _share_top(highest)), hidden_data=True, height=CHART_CM))
    sheet.hide_columns(data_col)


def _share_top(v: float) -> float:
    """A probability axis's maximum scaled to the data: the next of 1, 2, 5 % … 100 % at or above ``v``."""
    for top in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1.0):
        if v <= top + 1e-12:
            return top
    return 1.0


# ---------------------------------------------------------------- Sure abatement

def _sure(sheet: Sheet, run: FuturesRun) -> None:
    inp = run.base
    sheet.title(_("The abatement reached in at least 50, 80 and 95 % of the futures"))
    sheet.line(_("In at least the share of the futures heading each column, the abatement in that year is this much "
                 "or more (the ⌈p·N⌉-th largest of the N futures; a future without a plan counts as none)."))
    for text in answers.sure_lines(run):
        sheet.line(text)
    (f,) = run_fields(FUTURES_RUN, SURE)
    years = sorted(inp.targets)
    sure = run.record.get(f) or {}
    cols = [Col(_("target year"), COUNT), Col(_("required reduction (Mt CO2-eq/yr)"), MT)]
    cols += [Col(f.header(inp, long=True, level=answers.level(p)), f.fmt) for p in SURE_LEVELS]
    sheet.row += 1
    top, last = sheet.table(cols, [[y, inp.targets[y]] + [sure.get(p, {}).get(y) for p in SURE_LEVELS]
                                   for y in years])
    if not sure:
        return
    sheet.row += 1
    series = [Bars(3 + k, top + 1, last, answers.level(p), colour)
              for k, (p, colour) in enumerate(zip(SURE_LEVELS, ("9ECAE1", "4292C6", "08519C")))]
    series.append(Line(2, top + 1, last, _("required reduction"), MISSED_COLOUR, marker="triangle", width=0.01))
    sheet.chart(Chart("column", _("Abatement reached in at least 50, 80 and 95 % of {n} futures, against the target",
                                  n=num(len(run.results), ",d")),
                      _("target year"), _("abatement (Mt CO2-eq/yr)"), series=series, categories=(1, top + 1, last),
                      stacked=False, gap=80, y_format="0.0", y_range=(0.0, None), height=9, width=16))


# ---------------------------------------------------------------- Cash bands

#: Most instruments drawn in the cash chart (the others are in the table).
CASH_CHART_INSTRUMENTS = 4


def _cash_bands(sheet: Sheet, run: FuturesRun) -> None:
    (f,) = run_fields(FUTURES_RUN, CASH)
    bands = run.record.get(f) or {}
    sheet.title(_("Cash paid per instrument and year over the futures: 10th, 50th and 90th percentile"))
    sheet.line(_("Per instrument and year, the cash paid (kas, M€) in a good, a middling and a bad year for the "
                 "treasury over the futures: 10 % of the futures pay less than the first figure, 10 % more than "
                 "the last; decisions of the past included; an operating instrument pays only for what runs."))
    text = answers.cash_line(run)
    if text:
        sheet.line(text)
    if not bands:
        sheet.line(_("No future pays any cash."))
        return
    years = sorted({y for ys in bands.values() for y in ys})
    which = (_("10th percentile"), _("median"), _("90th percentile"))
    rows = [[i, which[k]] + [bands[i][y][k] if y in bands[i] else None for y in years]
            for i in sorted(bands) for k in range(3)]
    sheet.row += 1
    chart_row = sheet.chart_space(CHART_CM + 1)
    cols = [Col(_("instrument")), Col(_("cash (M€)"))] + [Col(str(y), M_EUR) for y in years]
    sheet.table(cols, rows, freeze=2)
    # the chart: the instruments paying most, their median solid and their 10th–90th percentile dashed
    peak = {i: max(v[1] for v in ys.values()) for i, ys in bands.items()}
    drawn = sorted(bands, key=lambda i: (-peak[i], i))[:CASH_CHART_INSTRUMENTS]
    data_col = len(cols) + 3
    header = [_("year")] + [f"{i} {w}" for i in drawn for w in ("p10", "p50", "p90")]
    data = [[y] + [v for i in drawn for v in bands[i].get(y, (0.0, 0.0, 0.0))] for y in years]
    last = sheet.data(1, data_col, header, data, [COUNT] + [M_EUR] * (3 * len(drawn)))
    series = []
    for k, i in enumerate(drawn):
        colour = PALETTE[k % len(PALETTE)]
        base = data_col + 1 + 3 * k
        series += [Line(base + 1, 2, last, _("{instrument}: median", instrument=i), colour, x_col=data_col, width=2.25),
                   Line(base, 2, last, _("{instrument}: 10th percentile", instrument=i), colour, x_col=data_col,
                        width=1.0, dash="dash"),
                   Line(base + 2, 2, last, _("{instrument}: 90th percentile", instrument=i), colour, x_col=data_col,
                        width=1.0, dash="sysDot")]
    title = (_("Cash paid over the futures (M€): median, 10th and 90th percentile") if len(drawn) == len(bands) else
             _("Cash paid over the futures by the {n} instruments paying most (M€): median, 10th and 90th percentile",
               n=len(drawn)))
    sheet.chart(Chart("scatter", title, _("year"), _("cash (M€)"), series=series, x_format="0", y_format="#,##0",
                      x_range=(years[0], years[-1]) if len(years) > 1 else (None, None), y_range=(0.0, None),
                      hidden_data=True, height=CHART_CM), row=chart_row)
    sheet.hide_columns(data_col)
    return {2 + k: 7 for k in range(len(years))}


# ---------------------------------------------------------------- Measure shares

#: How often a measure is funded, in words.
KIND_WORDS = {"robust": N_("robust"), "contingent": N_("contingent"), "never": N_("never funded")}


def _measure_shares(sheet: Sheet, run: FuturesRun) -> None:
    inp = run.base
    committed: dict[str, list[float]] = {m: [] for m in inp.measures}
    for r in run.results:
        for m, v in r.committed.items():
            committed.setdefault(m, []).append(v)
    rows = []
    for m, share in sorted(run.funded_share.items(), key=lambda kv: (-kv[1], kv[0])):
        meas = inp.measures[m]
        kind = "robust" if share >= ROBUST_SHARE - 1e-12 else "contingent" if share > 0 else "never"
        shares = committed.get(m) or []
        rows.append([m, meas.name, meas.cluster, share, _(KIND_WORDS[kind]),
                     sum(shares) / len(shares) if shares else None])
    sheet.title(_("Which measures are funded in nearly every future (robust) and which only in some (contingent)"))
    sheet.table([Col(_("measure")), Col(_("name"), wrap=34), Col(_("cluster"), wrap=14),
                 Col(_("share of futures funding it (%)"), SHARE),
                 Col(_("robust (≥ {share}) or contingent", share=_share(ROBUST_SHARE))),
                 Col(_("mean committed share where funded (%)"), SHARE)], rows, freeze=1, autofilter=True)


# ---------------------------------------------------------------- Drivers

def _drivers(sheet: Sheet, run: FuturesRun) -> None:
    rows_u = run.base.uncertainty
    sheet.title(_("What moves the shortfall most"))
    sheet.line(_("One row per dimension of the draws (a group, or an ungrouped row). Spearman's ρ: the rank "
                 "correlation of its draw with the shortfall (summed over target years) and with the public cost, "
                 "from −1 to 1. First-order variance share: the part of the shortfall's variance it explains alone "
                 "(RBD-FAST, SALib, on the Latin hypercube; from 100 futures on). Blank: it does not vary."))
    sheet.table([Col(_("dimension"), wrap=24), Col(_("rows (uncertain inputs)"), wrap=50),
                 Col(_("Spearman ρ with the shortfall"), "0.00"),
                 Col(_("first-order variance share of the shortfall"), "0.00"), Col(_("± (95 %)"), "0.00"),
                 Col(_("Spearman ρ with the public cost"), "0.00")],
                [[d.dimension.key, _rows_in_words([rows_u[k].name for k in d.dimension.rows]), d.rho_shortfall,
                  d.s1_shortfall, d.s1_conf, d.rho_cost] for d in run.drivers], freeze=1)


def _rows_in_words(names: list[str], most: int = 3) -> str:
    """The uncertain inputs of a dimension: all of them, or the first few and how many more."""
    if len(names) <= most:
        return "; ".join(names)
    return "; ".join(names[:most]) + " " + _("and {n} more", n=len(names) - most)


# ---------------------------------------------------------------- About

def command_line(run: FuturesRun) -> str:
    """The command that repeats the run."""
    command = ["policymix futures", run.source_file or "WORKBOOK", f"--samples {run.samples}", f"--seed {run.seed}"]
    if run.mode == "stress_test":
        command.append(f"--plan {run.plan_file}")
    c = run.confidence
    year = run.decision.year if run.decision is not None else (c.decide_by if c is not None else None)
    if year is not None:
        command.append(f"--decide-by {year}")
    if c is not None:
        command.append("--confidence " + ",".join(f"{p.confidence:g}" for p in c.plans))
        command.append(f"--validate {c.validation_samples}")
    return " ".join(command + list(run.overrides))


def _about(sheet: Sheet, run: FuturesRun) -> None:
    sheet.title(_("About this futures workbook"))
    sheet.line(_("policymix futures: the plan question asked over many drawn futures (docs/futures.md). Money in M€, "
                 "abatement in Mt CO2-eq/yr, shares in %."))
    sheet.row += 1
    seconds = run.seconds or 0.0
    items = [
        *provenance(run.solver_name, run.source_file, run.source_sha256, run.scenario_name),
        (_("overrides applied to every future"), "; ".join(run.overrides) or _("none")),
        (_("question"), _(MODE_WORDS[run.mode][1])),
        (_("language"), language_name()),
        (_("futures"), len(run.results), COUNT),
        (_("seed"), run.seed, COUNT),
        (_("sampling"), _("Latin hypercube (scipy.stats.qmc.LatinHypercube), one dimension per group or ungrouped "
                          "row; values by each distribution's inverse CDF; shift draws rounded to whole years")),
        (_("dimensions"), len(run.dims), COUNT),
        (_("workers"), run.workers),
    ]
    c = run.confidence
    if c is not None:
        items += [(_("the program (columns, rows, nonzeros, binaries)"),
                   f"{num(c.size.columns, ',d')}, {num(c.size.rows, ',d')}, {num(c.size.nonzeros, ',d')}, "
                   f"{num(c.size.binaries, ',d')}" if c.size is not None else ""),
                  (_("fresh futures each plan is judged on (seed + 1)"), c.validation_samples, COUNT),
                  (_("time: each future on its own (s)"), round(c.seconds_alone, 2)),
                  (_("time: the program, every level (s)"),
                   round(c.seconds_build + sum(p.seconds_solve for p in c.plans), 2)),
                  (_("time: the validation (s)"), round(sum(p.seconds_validate for p in c.plans), 2))]
    else:
        items += [(_("models built (a structure seen for the first time by a worker)"), run.builds, COUNT),
                  (_("futures re-solved on a kept model"), run.updates, COUNT)]
    items += [
        (_("run time (s)"), round(seconds, 2)),
        (_("futures per second"), round(len(run.results) / seconds, 1) if seconds > 0 and c is None else None),
        (_("to repeat it (this workbook is also an input)"), command_line(run)),
        (_("generated"), datetime.now().astimezone().isoformat(timespec="seconds")),
    ]
    sheet.pairs([i for i in items if i[1] is not None], bold_labels=True)
    sheet.heading(_("Sheets"))
    sheet.table([Col(_("sheet")), Col(_("what it shows"), wrap=60), Col(_("units"), wrap=30)],
                [[_(s.title), _(s.shows), _(s.units) if s.units else ""] for s in FUTURES_SHEETS
                 if _shows(s.title, run)]
                + [[_("(input sheets)"), _("the effective inputs, the uncertainty sheet among them: this workbook "
                                          "re-runs the same futures"), ""]])


_WRITERS = {"Summary": _summary, "Confidence": _confidence, "Here and now": _here_and_now, "Futures": _futures,
            "Charts": _charts, "Sure abatement": _sure, "Cash bands": _cash_bands, "Measure shares": _measure_shares,
            "Drivers": _drivers, "About": _about}
_WIDTHS = {"Summary": {1: 60, 2: 22}, "About": {1: 44, 2: 90}}
#: How some sheets print: a page of sentences, or landscape for a long wide table.
_LAYOUT = {"Summary": {"orientation": "portrait"}, "About": {"orientation": "portrait"},
           "Sure abatement": {"orientation": "portrait"},
           "Measure shares": {"orientation": "portrait"}, "Charts": {"orientation": "portrait"},
           "Drivers": {"orientation": "landscape"}, "Futures": {"orientation": "landscape", "dense": True}}
