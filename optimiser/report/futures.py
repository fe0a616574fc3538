"""The futures workbook (``policymix futures``, docs/model.md section 14): for the people who decide.

Sheets (:data:`optimiser.input.manifest.FUTURES_SHEETS`): Summary (the answer
in sentences), Here and now (decide-by), Futures (one row per future: draws
and results), Charts (the distribution of target-year abatement against the
target, and the cumulative probability of meeting the target against the
public cost, both native Excel charts), Measure shares (robust or
contingent), Drivers (which uncertain inputs move the shortfall most), About;
then the effective input sheets, uncertainty sheet included, so the workbook
is itself an input that repeats the run. Every cell goes through the
spreadsheet toolkit (:mod:`optimiser.report.xlsx`); a future's figures are its headline record, in the
columns of the result fields a futures run shows (:mod:`optimiser.model.fields`, :mod:`.columns`).
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
from ..model.fields import FUTURES
from .columns import headline_columns, optional_columns
from .inputs import add_input_sheets, in_its_language
from .words import provenance
from .xlsx import COUNT, M_EUR, MT, SHARE, Bars, Chart, Col, Line, Sheet, new_workbook, save, sig

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
                     "later ones chosen per future, least expected cost")),
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
           "decide_by": _("with the here-and-now commitments and later ones adapted")}[run.mode]
    return _("The probability that every target is met is {p} (95 % interval {low} to {high}): {met} of {n} futures "
             "{who} meet every target.", p=pct(run.p_target_met), low=pct(lo), high=pct(hi), met=num(run.met, ",d"),
             n=num(n, ",d"), who=who)


def futures_workbook(run: FuturesRun):
    """The futures workbook (unsaved: a :class:`optimiser.report.xlsx.Book`)."""
    book = new_workbook(_("Policy-mix futures: {scenario}", scenario=run.scenario_name))
    for spec in FUTURES_SHEETS:
        if spec.title == "Here and now" and run.decision is None:
            continue
        sheet = book.sheet(_(spec.title))
        _WRITERS[spec.title](sheet, run)
        sheet.finish(widths=_WIDTHS.get(spec.title))
    add_input_sheets(book, to_tables(in_its_language(run.base)), run.base.years)
    return book


# ---------------------------------------------------------------- Summary

def _summary(sheet: Sheet, run: FuturesRun) -> None:
    T = run.base.settings.target_year
    short, whole = MODE_WORDS[run.mode]
    sheet.title(_("Futures: {scenario} ({n} futures, {mode})", scenario=run.scenario_name,
                  n=num(len(run.results), ",d"), mode=_(short)))
    sheet.line(headline(run))
    median, p90 = run.cost_quantile(0.5), run.cost_quantile(0.9)
    if median is not None:
        sheet.line(_("Public cost: median {median} M€, 90th percentile {p90} M€ over the futures.", median=sig(median),
                     p90=sig(p90)))
    core = run.robust_core()
    sheet.line(_("Robust core (funded in at least {share} of the futures): {n} measures", share=_share(ROBUST_SHARE),
                 n=len(core)) + (f": {', '.join(core)}." if core else "."))
    contingent = run.contingent()
    if contingent:
        sheet.line(_("Contingent (funded in some futures only): {n} measures, listed on '{sheet}'.",
                     n=len(contingent), sheet=_("Measure shares")))
    d = run.decision
    if d is not None:
        sheet.line(_("Decide by {year}: {n} measures committed now (sheet '{sheet}'), the same in every future; "
                     "expected cost {cost} M€ (public cost plus the shortfall penalty, mean over the futures).",
                     year=d.year, n=len(d.here_and_now), sheet=_("Here and now"), cost=sig(d.expected_cost_meur)))
        if d.vss_meur is not None:
            sheet.line(_("Value of the stochastic solution: {vss} M€ — what planning for the average future now "
                         "(EEV {eev} M€) would cost more in expectation.", vss=sig(d.vss_meur), eev=sig(d.eev_meur)))
        else:
            sheet.line(_("Value of the stochastic solution: unbounded — {why}", why="; ".join(d.notes)))
    if run.failed:
        sheet.line(_("{n} futures have no plan (solver failure): see column '{column}' on '{sheet}'.",
                     n=len(run.failed), column=_("message"), sheet=_("Futures")))
    sheet.heading(_("Key figures"))
    lo, hi = run.p_target_met_ci
    items = [
        (_("what was asked"), _(whole)),
        (_("futures (Latin hypercube samples)"), len(run.results), COUNT),
        (_("seed"), run.seed, COUNT),
        (_("futures meeting every target"), run.met, COUNT),
        (_("P(target met)"), run.p_target_met, SHARE),
        (_("95 % interval (Wilson), low"), lo, SHARE),
        (_("95 % interval (Wilson), high"), hi, SHARE),
        (_("median public cost (M€)"), median, M_EUR),
        (_("90th-percentile public cost (M€)"), p90, M_EUR),
        (_("required reduction {year} (Mt CO2-eq/yr)", year=T), run.base.targets.get(T), MT),
    ]
    ok = [r for r in run.results if r.ok]
    if ok:
        abate = sorted(r.abatement_mt.get(T, 0.0) for r in ok)
        items += [(_("median abatement {year} (Mt CO2-eq/yr)", year=T), _quantile(abate, 0.5), MT),
                  (_("10th-percentile abatement {year} (Mt CO2-eq/yr)", year=T), _quantile(abate, 0.1), MT),
                  (_("mean shortfall {year} (Mt CO2-eq/yr)", year=T),
                   sum(r.shortfall_mt.get(T, 0.0) for r in ok) / len(ok), MT)]
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
                  (_("expected cost, RP (M€)"), d.expected_cost_meur, M_EUR),
                  (_("expected public cost (M€)"), d.expected_public_cost_meur, M_EUR),
                  (_("expected cost with the mean-value plan's commitments, EEV (M€)"), d.eev_meur, M_EUR),
                  (_("value of the stochastic solution, VSS = EEV − RP (M€)"), d.vss_meur, M_EUR)]
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


def _shows_idle(run: FuturesRun) -> bool:
    """Idle abatement is shown for a stress test, and where decisions already taken could not all connect."""
    return run.mode == "stress_test" or any(r.idle_mt > 1e-9 for r in run.results)


def _quantile(sorted_values: list[float], q: float) -> float:
    import numpy as np

    return float(np.quantile(sorted_values, q))


# ---------------------------------------------------------------- Here and now (decide-by)

def _here_and_now(sheet: Sheet, run: FuturesRun) -> None:
    d = run.decision
    inp = run.base
    sheet.title(_("What to commit by {year} (the same in every future)", year=d.year))
    sheet.line(_("Each row: a share of a measure to commit now. Later years are decided per future, once it is known. "
                 "Beside it, what the plan for the mean-value future would commit now (its EEV is the expected cost of "
                 "committing that instead)."))
    keys = sorted({(m, y) for m, ys in d.here_and_now.items() for y in ys}
                  | {(m, y) for m, ys in d.mean_plan.items() for y in ys})
    rows = []
    for m, y in keys:
        meas = inp.measures.get(m)
        rows.append([m, meas.name if meas else "", meas.cluster if meas else "", y,
                     d.here_and_now.get(m, {}).get(y, 0.0), d.mean_plan.get(m, {}).get(y, 0.0),
                     run.funded_share.get(m, 0.0)])
    sheet.table([Col(_("measure")), Col(_("name")), Col(_("cluster")), Col(_("year"), COUNT),
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

def _futures(sheet: Sheet, run: FuturesRun) -> None:
    """One row per future: its draws, then its figures (the headline fields a futures run shows), how it was
    solved and why it failed."""
    rows_u = run.base.uncertainty
    names = list(dict.fromkeys(r.name for r in rows_u))
    figures = optional_columns(headline_columns(run.base, FUTURES, target_years=sorted(run.base.targets)),
                               [r.headline for r in run.results])
    cols = [Col(_("future"), COUNT)] + [Col(f"{n} ({_(_unit(run, n))})") for n in names]
    cols += [c.col for c in figures] + [Col(_("how it was solved")), Col(_("message"))]
    by_number = {f.number: f for f in run.futures}
    table = []
    for r in run.results:
        draw = by_number[r.number].draw(rows_u)
        table.append([r.number] + [draw.get(n) for n in names] + [c.of_record(r.headline) for c in figures]
                     + [r.solver_note, r.message])
    sheet.table(cols, table, freeze=1, autofilter=True)


def _unit(run: FuturesRun, name: str) -> str:
    row = next(r for r in run.base.uncertainty if r.name == name)
    return OP_UNITS[row.op]


# ---------------------------------------------------------------- Charts

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
    top = 3
    data_col = 20
    sheet.row = top
    bins = []
    for k in range(count):
        a, b = start + k * width, start + (k + 1) * width
        inside = [r for r, v in zip(ok, values) if a - 1e-9 <= v < b - 1e-9 or (k == count - 1 and v >= b - 1e-9)]
        bins.append([a, b, f"{num(a, '.2f')}–{num(b, '.2f')}", sum(r.target_met for r in inside),
                     sum(not r.target_met for r in inside)])
    last = sheet.data(top, data_col, [_("abatement {year} from (Mt CO2-eq/yr)", year=T), _("to"), _("bin"),
                                      _("futures meeting every target"), _("futures missing a target")],
                      bins, [MT, MT, None, COUNT, COUNT], bold=True)
    sheet.chart(Chart("column", _("Abatement in {year} over {n} futures (target {target} Mt: green bars meet it)",
                                  year=T, n=num(len(ok), ",d"), target=num(target, ".2f")),
                      _("abatement {year} (Mt CO2-eq/yr)", year=T), _("futures"),
                      series=[Bars(data_col + 3, top + 1, last, _("meets every target"), MET_COLOUR),
                              Bars(data_col + 4, top + 1, last, _("misses a target"), MISSED_COLOUR)],
                      categories=(data_col + 2, top + 1, last), y_format="0", gap=15), row=3)
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
    sheet.chart(Chart("scatter", _("Probability of meeting every target at a public cost up to x"),
                      _("public cost (M€)"), _("P(target met and public cost ≤ x)"),
                      series=[Line(data_col + 1, cum_top + 1, cum_top + len(cost_sorted), _("cumulative probability"),
                                   LINE_COLOUR, x_col=data_col)],
                      y_format="0%", x_format="#,##0", y_range=(0.0, 1.0)), row=30)
    sheet.row = max(sheet.row, 2)


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
    sheet.table([Col(_("measure")), Col(_("name")), Col(_("cluster")),
                 Col(_("share of futures funding it (%)"), SHARE),
                 Col(_("robust (≥ {share}) or contingent", share=_share(ROBUST_SHARE))),
                 Col(_("mean committed share where funded (%)"), SHARE)], rows, freeze=1, autofilter=True)


# ---------------------------------------------------------------- Drivers

def _drivers(sheet: Sheet, run: FuturesRun) -> None:
    rows_u = run.base.uncertainty
    sheet.title(_("Which uncertain inputs move the shortfall most"))
    sheet.line(_("One row per dimension of the draws (a group, or an ungrouped row). Spearman's ρ: the rank "
                 "correlation of its draw with the shortfall (summed over target years) and with the public cost, "
                 "from −1 to 1. First-order variance share: the part of the shortfall's variance it explains alone "
                 "(RBD-FAST, SALib, on the Latin hypercube; from 100 futures on). Blank: it does not vary."))
    sheet.table([Col(_("dimension")), Col(_("rows (uncertain inputs)")),
                 Col(_("Spearman ρ with the shortfall"), "0.00"),
                 Col(_("first-order variance share of the shortfall"), "0.00"), Col(_("± (95 %)"), "0.00"),
                 Col(_("Spearman ρ with the public cost"), "0.00")],
                [[d.dimension.key, "; ".join(rows_u[k].name for k in d.dimension.rows), d.rho_shortfall,
                  d.s1_shortfall, d.s1_conf, d.rho_cost] for d in run.drivers], freeze=1)


# ---------------------------------------------------------------- About

def _about(sheet: Sheet, run: FuturesRun) -> None:
    sheet.title(_("About this futures workbook"))
    sheet.line(_("policymix futures: the plan question asked over many drawn futures (docs/futures.md). Money in M€, "
                 "abatement in Mt CO2-eq/yr, shares in %."))
    sheet.row += 1
    seconds = run.seconds or 0.0
    command = ["policymix futures", run.source_file or "WORKBOOK", f"--samples {run.samples}", f"--seed {run.seed}"]
    if run.mode == "stress_test":
        command.append(f"--plan {run.plan_file}")
    if run.decision is not None:
        command.append(f"--decide-by {run.decision.year}")
    command += run.overrides
    sheet.pairs([
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
        (_("models built (a structure seen for the first time by a worker)"), run.builds, COUNT),
        (_("futures re-solved on a kept model"), run.updates, COUNT),
        (_("run time (s)"), round(seconds, 2)),
        (_("futures per second"), round(len(run.results) / seconds, 1) if seconds > 0 else None),
        (_("to repeat it (this workbook is also an input)"), " ".join(command)),
        (_("generated"), datetime.now().astimezone().isoformat(timespec="seconds")),
    ], bold_labels=True)
    sheet.heading(_("Sheets"))
    sheet.table([Col(_("sheet")), Col(_("what it shows")), Col(_("units"))],
                [[_(s.title), _(s.shows), _(s.units) if s.units else ""] for s in FUTURES_SHEETS
                 if s.title != "Here and now" or run.decision is not None]
                + [[_("(input sheets)"), _("the effective inputs, the uncertainty sheet among them: this workbook "
                                          "re-runs the same futures"), ""]])


_WRITERS = {"Summary": _summary, "Here and now": _here_and_now, "Futures": _futures, "Charts": _charts,
            "Measure shares": _measure_shares, "Drivers": _drivers, "About": _about}
_WIDTHS = {"Summary": {1: 60, 2: 22}, "About": {1: 44, 2: 90}}
