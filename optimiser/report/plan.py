"""The plan workbook (docs/model.md section 9).

Result sheets — Summary, Measure plan, Instrument use, Resource use, By
cluster, MACC (a native Excel chart), About — then the effective input sheets,
so the plan workbook is itself an input that re-runs to the same plan, and a
hidden sheet holding the plan's machine-readable result
(:func:`optimiser.report.jsondoc.plan_document`), which ``policymix compare``
reads. Limits are named and explained by their family's declaration
(:mod:`optimiser.model.families`); the columns of the Summary's targets, the
Measure plan, Instrument use and Resource use, and the figures of About, are
the result fields of :mod:`optimiser.model.fields` (:mod:`.columns`). Every
cell goes through the spreadsheet toolkit (:mod:`optimiser.report.xlsx`).
"""

from __future__ import annotations

import contextvars
import os
import sys
import threading
from datetime import datetime
from pathlib import Path

from ..input.manifest import PLAN_SHEETS, RESULT_DOCUMENT_SHEET
from ..input.tables import to_tables
from ..lang import N_, _, num
from ..lang import name as language_name  # the run's language, in words
from ..model.families import FAMILIES, family
from ..model.fields import FUNDED, INSTRUMENT_YEARS, INSTRUMENTS, MEASURES, NOT_FUNDED, PARTLY, PLAN, RESOURCES, SHEET, \
    TARGETS, field, fields, measure_status
from ..model.results import DECIDED, PlanResult, span
from . import words
from .answers import stress_sentence
from .cash import cash_sentences, cash_sheet
from .columns import columns, key_headers, long_columns, rows as table_rows
from .files import json_text
from .inputs import add_input_sheets, in_its_language
from .jsondoc import plan_document
from .xlsx import AMOUNT, COUNT, EUR_T, M_EUR, MT, SHADOW, SHARE, Chart, Col, Line, Sheet, new_workbook, save

FUNDED_LINE, UNFUNDED_LINE, TARGET_LINE, DECIDED_LINE = "1B7837", "9E9E9E", "C62828", "5C6BC0"
#: Characters of the stored result per cell (a cell holds at most 32 767).
DOCUMENT_CHUNK = 30_000


#: Write a plan's input sheets while HiGHS solves (:class:`Started`): True always, False never (everything after
#: the solve), None when a processor is free for it (:func:`spare_core`). bench/bench_scale.py measures each.
BACKGROUND: bool | None = None
#: Python's thread switch interval (s) while the input sheets are written beside HiGHS: HiGHS's interrupt checks
#: (thousands a second) call into Python, and wait for the writing thread to let go of the interpreter.
SWITCH_INTERVAL = 0.0005


def spare_core() -> bool:
    """Whether a processor is free for writing beside the solver: the run queue (load average over the last
    minute) leaves one of the processors this process may use idle. On a machine whose processors are busy, a
    thread beside HiGHS only takes time from it (docs/performance.md)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:  # pragma: no cover
        return False
    return cores >= 2 and load <= cores - 1.5


def write_plan(result: PlanResult, path: str | os.PathLike, *, force: bool = True,
               started: Started | None = None) -> Path:
    """Write the plan workbook atomically; returns its path. ``started``: the workbook begun while the plan was
    solved (:func:`start_plan_workbook`)."""
    book = started.complete(result) if started is not None else plan_workbook(result)
    return save(book, path, force=force)


def _title(inp) -> str:
    return _("Policy-mix plan: {scenario}", scenario=inp.settings.scenario_name)


def plan_workbook(result: PlanResult, *, book=None):
    """The plan workbook (unsaved: a :class:`optimiser.report.xlsx.Book`). ``book``: one that holds the input
    sheets already (the result sheets go in front of them)."""
    inputs_written = book is not None
    if book is None:
        book = new_workbook(_title(result.input))
    with book:  # an error gives the book up: what was written out goes now, not when the book is collected
        _fill(book, result, inputs_written)
    return book


def _fill(book, result: PlanResult, inputs_written: bool) -> None:
    generated = datetime.now().astimezone().isoformat(timespec="seconds")
    at = 0  # the result sheets come first, in the manifest's order

    def sheet(title: str, **kw) -> Sheet:
        nonlocal at
        at += 1
        return book.sheet(title, at - 1, **kw)

    for spec in PLAN_SHEETS:
        if spec.hidden:
            continue
        orientation, note, widths = _PRINTED.get(spec.title, (None, False, None))
        s = sheet(_(spec.title), orientation=orientation, note=note)
        _WRITERS[spec.title](s, result, generated=generated)
        s.finish(widths=widths)
    if result.alternatives is not None:
        s = sheet(_("Alternatives"), orientation="landscape")
        _alternatives(s, result)
        s.finish()
        for k, alt in enumerate(result.alternatives.plans, start=1):
            s = sheet(_("Alternative {k}", k=k), orientation="landscape")
            _alternative(s, result, alt, k)
            s.finish()
    if not inputs_written:
        add_input_sheets(book, to_tables(in_its_language(result.input)), result.input.years)
    add_result_document(book, result)


class Started:
    """A plan workbook begun before its plan is known: its input sheets — the effective inputs, which the solve
    does not change, a third of a plant-level workbook's cells — are written out by a thread while HiGHS solves
    (HiGHS lets go of Python's lock while it runs; the simplex uses one core). :meth:`complete` adds the result
    sheets once the plan is there; :meth:`discard` gives the workbook up (a failed or interrupted solve), its
    temporary files removed. An error of the thread is raised where the workbook is completed, as it would have
    been raised there without the thread."""

    def __init__(self, inp):
        self.book = new_workbook(_title(inp))
        self._error: BaseException | None = None
        self._done = False
        self._thread = threading.Thread(target=contextvars.copy_context().run, args=(self._inputs, inp),
                                        name="policymix: input sheets", daemon=True)
        self._thread.start()

    def _inputs(self, inp) -> None:
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
        try:
            add_input_sheets(self.book, to_tables(in_its_language(inp)), inp.years)
        except BaseException as exc:  # raised again by complete(), in the thread that writes the workbook
            self._error = exc
        finally:
            sys.setswitchinterval(interval)

    def complete(self, result: PlanResult):
        """The whole workbook for ``result`` (made once; a later call, e.g. to save it under another name, gets
        the same book). After an error of the thread, the workbook is made anew the next time."""
        if self._done:
            return self.book
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            self.book.discard()
            self.book = None
            raise error
        if self.book is None:  # the thread failed before: everything in this thread
            self.book = plan_workbook(result)
        else:
            plan_workbook(result, book=self.book)
        self._done = True
        return self.book

    def discard(self) -> None:
        """Stop and remove what was written (nothing of it stays on disk)."""
        if self.book is not None:
            self.book.cancel()
        self._thread.join()
        if self.book is not None:
            self.book.discard()


def start_plan_workbook(inp) -> Started | None:
    """Begin the plan workbook of ``inp`` in the background (None when :data:`BACKGROUND` says not to)."""
    return Started(inp) if (spare_core() if BACKGROUND is None else BACKGROUND) else None


def add_result_document(book, result: PlanResult) -> None:
    """The plan's result as JSON text in a hidden sheet (column A, in chunks): what compare reads."""
    book.hidden_text(RESULT_DOCUMENT_SHEET, json_text(plan_document(result), compact=True), DOCUMENT_CHUNK)


# ---------------------------------------------------------------- Summary
#
# The Summary speaks to a budget team: the answer in the first lines, then the sentences and tables that
# explain it, each made by one small function below (SUMMARY_LINES, then SUMMARY_SECTIONS, in order). The
# model's own terms (objective with the penalty, cost weights, solver) are on the About sheet.

def binding_limit_row(result: PlanResult, name: str, key, value: float, lang: str | None = None) -> tuple:
    """One row of the binding-limits table: (limit in words, kind of limit, shadow price, unit, what it means)."""
    inp = result.input
    f = family(name)
    return (f.in_words(inp, key, lang), f.text("label", lang), value, f.shadow_unit_of(inp, key, lang),
            words.limit_meaning(result, name, key, value))


def _notes_lines(result: PlanResult) -> list[str]:
    return [_("warning: {text}", text=w) for w in result.warnings]


#: The sentences under the title, in order: each function gives a list of lines.
SUMMARY_LINES = [
    lambda r: [words.headline(r)],
    lambda r: [s for s in [stress_sentence(r)] if s],  # the plan over drawn futures (issue 23)
    words.marginal_value,
    cash_sentences,
    words.what_must_give,
    lambda r: [words.headroom_sentence(r)],
    lambda r: [s for s in [words.single_measure_sentence(r)] if s],
    _notes_lines,
]


def _summary_targets(sheet: Sheet, result: PlanResult) -> None:
    sheet.heading(_("Targets (not a constraint when maximising abatement)") if words.maximising(result)
                  else _("Targets"))
    _long_table(sheet, result, TARGETS)


def _long_table(sheet: Sheet, result: PlanResult, table, **kw) -> tuple[int, int]:
    """A table of the plan one row per key (a target year; an instrument and year; …): its fields, then the
    shadow prices of the families keyed by its rows."""
    cols = long_columns(result, table, SHEET)
    return sheet.table(key_headers(table) + [c.col for c in cols], table_rows(result, table, cols), **kw)


def _summary_relaxations(sheet: Sheet, result: PlanResult) -> None:
    if result.relaxation_total is None:
        return
    sheet.heading(_("What must give (elastic run: the least total relative relaxation first, then the least cost)"))
    rows = [_relaxation_row(result, r) for r in result.relaxations]
    sheet.table([Col(_("limit"), wrap=True), Col(_("year")), Col(_("amount to add"), AMOUNT), Col(_("unit"), wrap=True),
                 Col(_("limit before (unit)"), AMOUNT), Col(_("relative (amount ÷ limit)"), SHARE),
                 Col(_("in words"), wrap=True, span=3)], rows)
    if rows:
        sheet.line(_("total relative relaxation: {total} (the sum of the relative amounts; what the elastic run "
                     "minimised first)", total=num(result.relaxation_total, ".4g")))
    else:
        sheet.line(_("Nothing must give: every target is met within every budget and limit."))


def _summary_headroom(sheet: Sheet, result: PlanResult) -> None:
    sheet.heading(_("Budget headroom per instrument (commitments over {years})", years=span(result.input.years)))
    rows = [(h["id"], h["name"], h["committed"], h["available"], h["headroom"], h["used"], h["public_cost"],
             h["full"] or "—") for h in words.headroom(result)]
    sheet.table([Col(_("instrument"), wrap=True), Col(_("name"), wrap=True, span=2), Col(_("committed (M€)"), M_EUR),
                 Col(_("budget available (M€)"), M_EUR), Col(_("headroom (M€)"), M_EUR), Col(_("used (%)"), SHARE),
                 Col(_("public cost (M€)"), M_EUR), Col(_("binding (years: more would help)"), wrap=True)], rows)
    sheet.line(_("budget available: the sum of the yearly budgets, or the period budget where that is lower; "
                 "year by year in {sheet}", sheet=_("Instrument use")))


def _summary_binding(sheet: Sheet, result: PlanResult) -> None:
    if result.relaxation_total is not None:
        sheet.heading(_("Binding limits: targets, budgets and resources (largest shadow price first; with the least "
                        "relaxation held)"))
    else:
        sheet.heading(_("Binding limits: targets, budgets and resources (largest shadow price first)"))
    rows = [binding_limit_row(result, fam, key, val) for fam, key, val in result.binding()
            if family(fam).kind == "policy"]
    sheet.table([Col(_("limit"), wrap=True), Col(_("kind of limit"), wrap=True),
                 Col(_("shadow price (unit in next column)"), SHADOW), Col(_("shadow price unit"), wrap=True, span=2),
                 Col(_("what it means"), wrap=True, span=4)], rows)
    if not rows:
        sheet.line(_("None of them binds: no shadow price matters at the precision shown."))


def _summary_input(sheet: Sheet, result: PlanResult) -> None:
    sheet.heading(_("Input"))
    sheet.pairs([(_("input file"), result.source_file or _("(not from a file)")),
                 (_("scenario"), result.input.settings.scenario_name),
                 (_("overrides applied (count)"), len(result.overrides), COUNT)], span=8)
    for spec in result.overrides:
        sheet.line(_("override: {spec}", spec=spec))
    for note in result.notes:
        sheet.line(_("note: {text}", text=note))
    sheet.line(_("How the plan was computed (objective, shortfall penalty, cost weights, solver): see {sheet}.",
                 sheet=_("About")))


#: The tables after the sentences, in order.
SUMMARY_SECTIONS = [_summary_relaxations, _summary_targets, _summary_headroom, _summary_binding, _summary_input]


def _summary(sheet: Sheet, result: PlanResult, **kw) -> None:
    sheet.title(_("Policy-mix plan: {scenario}", scenario=result.input.settings.scenario_name))
    for make in SUMMARY_LINES:
        for text in make(result):
            sheet.line(text)
    sheet.freeze(2)
    for section in SUMMARY_SECTIONS:
        section(sheet, result)


def _relaxation_row(result: PlanResult, r: dict) -> tuple:
    inp = result.input
    f = family(r["kind"])
    key = f.key_of(r["id"], r["year"])
    return (f.in_words(inp, key), r["year"] or _("all"), r["amount"], f.unit_of(inp, key), r.get("limit"),
            r.get("relative"), words.relaxation_words(result, r))


# ---------------------------------------------------------------- Measure plan

#: A plan with more measures than this gets a compact Measure plan: a share, abatement, subsidy or shadow price
#: of exactly 0 is left blank (the headers say "blank = 0"), which keeps every number and leaves out about a
#: third of the sheet's cells at plant level (100 000 of 310 000 at 10 000 measures; openpyxl spends ~14 µs
#: per cell).
COMPACT_MEASURES = 2_000


def _measure_plan(sheet: Sheet, result: PlanResult, **kw) -> None:
    """One row per measure: the fields of the measures (and per measure and year, per measure and instrument,
    spread in place) the plan workbook shows, then the shadow price of each family keyed by measure."""
    compact = len(result.measures) > COMPACT_MEASURES
    cols = columns(result, MEASURES, SHEET, compact=compact)
    top, last = sheet.table(key_headers(MEASURES) + [c.col for c in cols],
                            table_rows(result, MEASURES, cols, compact=compact), freeze=2, autofilter=True,
                            repeat_cols=1, breaks=[k + 1 for k, c in enumerate(cols) if c.page])
    for k, c in enumerate(cols):
        if c.field is not None and c.field.shaded:
            sheet.shade_status(k + 2, top + 1, last, _(FUNDED), _(PARTLY), decided=measure_status(result, DECIDED))


# ---------------------------------------------------------------- Instrument use

def _instrument_use(sheet: Sheet, result: PlanResult, **kw) -> None:
    _long_table(sheet, result, INSTRUMENT_YEARS, freeze=1, autofilter=True)
    sheet.heading(_("Over all years {years}", years=span(result.input.years)))
    _long_table(sheet, result, INSTRUMENTS)


# ---------------------------------------------------------------- Resource use

def _resource_use(sheet: Sheet, result: PlanResult, **kw) -> None:
    _long_table(sheet, result, RESOURCES, freeze=1, autofilter=True)
    if not result.input.resources:
        sheet.line(_("The input has no limited resources."))


# ---------------------------------------------------------------- By cluster

def _by_cluster(sheet: Sheet, result: PlanResult, **kw) -> None:
    inp = result.input
    T = inp.settings.target_year
    groups: dict[str, list] = {}
    for mid, mr in result.measures.items():
        groups.setdefault(inp.measures[mid].cluster or _("(no cluster)"), []).append((inp.measures[mid], mr))

    past = bool(inp.past_decisions)

    def row(label: str, items: list) -> tuple:
        return (label, len(items),
                sum(mr.status == "funded" for _m, mr in items), sum(mr.status == "partly funded" for _m, mr in items),
                sum(mr.status == "not funded" for _m, mr in items),
                *([sum(mr.status == DECIDED for _m, mr in items)] if past else []),
                sum(m.abatement_mt * m.max_share for m, _mr in items), sum(mr.abatement_mt for _m, mr in items),
                sum(sum(mr.subsidy_meur.values()) for _m, mr in items), sum(mr.public_cost_meur for _m, mr in items))

    rows = [row(c, items) for c, items in sorted(groups.items())]
    rows.append(row(_("all clusters"), [x for items in groups.values() for x in items]))
    cols = [Col(_("cluster")), Col(_("measures (count)"), COUNT), Col(_("funded (count)"), COUNT),
            Col(_("partly funded (count)"), COUNT), Col(_("not funded (count)"), COUNT),
            *([Col(_("decided before {year}, nothing new (count)", year=inp.settings.start_year), COUNT)]
              if past else []),
            Col(_("abatement potential (Mt CO2-eq/yr)"), MT), Col(_("abatement {year} (Mt CO2-eq/yr)", year=T), MT),
            Col(_("subsidy (M€)"), M_EUR), Col(_("public cost (M€)"), M_EUR)]
    last = sheet.table(cols, rows, freeze=1)[1]
    sheet.bold_row(last, len(cols))  # the total row


# ---------------------------------------------------------------- MACC

def _macc(sheet: Sheet, result: PlanResult, **kw) -> None:
    """The measures along the marginal abatement cost curve of what this plan decides, and its chart.

    What was decided before start_year (sheet committed) comes first: sunk, it is no choice of this plan and
    costs nothing more now, so it opens the curve at 0 €/t. Then the rest of every measure's potential in the
    order of its unprofitable gap: what this plan funds, and what it leaves. The rows follow the curve: the
    measures decided before start_year as a whole first, then by gap; "cumulative potential" is where each
    measure's step ends on the chart.
    """
    inp = result.input
    T, start = inp.settings.target_year, inp.settings.start_year
    parts = {}
    for mid, mr in result.measures.items():
        m = inp.measures[mid]
        potential = m.abatement_mt * m.max_share
        past = m.abatement_mt * min(mr.past_share, m.max_share)
        new = m.abatement_mt * min(mr.committed_share, max(0.0, m.max_share - mr.past_share))
        parts[mid] = (potential, past, new, potential - past)
    decided_total = sum(p[1] for p in parts.values())
    whole = sorted((mr for mr in result.measures.values() if parts[mr.measure_id][3] <= 1e-9 < parts[mr.measure_id][1]),
                   key=lambda mr: (mr.gap_eur_per_t, mr.measure_id))
    rest = sorted((mr for mr in result.measures.values() if parts[mr.measure_id][3] > 1e-9),
                  key=lambda mr: (mr.gap_eur_per_t, mr.measure_id))
    rows, segments, x, block = [], [], decided_total, 0.0
    for rank, mr in enumerate(whole + rest, start=1):
        m = inp.measures[mr.measure_id]
        potential, past, new, remaining = parts[mr.measure_id]
        if remaining <= 1e-9:
            block += past
            end = block
        else:
            if new > 1e-9:
                segments.append((x, x + new, mr.gap_eur_per_t, True))
            if remaining - new > 1e-9:
                segments.append((x + new, x + remaining, mr.gap_eur_per_t, False))
            x += remaining
            end = x
        rows.append((rank, mr.measure_id, m.name, field("status", MEASURES).shown(mr.status, result),
                     mr.gap_eur_per_t, potential, past or None, new, end, _("yes") if new > 1e-9 else _("no")))
    cols = [Col(_("rank")), Col(_("measure id")), Col(_("name"), wrap=45), Col(_("status"), wrap=14),
            Col(_("unprofitable gap (€/t)"), EUR_T), Col(_("abatement potential (Mt CO2-eq/yr)"), MT),
            Col(_("decided before {year} (Mt CO2-eq/yr)", year=start), MT),
            Col(_("funded by this plan by {year} (Mt CO2-eq/yr)", year=T), MT),
            Col(_("cumulative potential (Mt CO2-eq/yr)"), MT), Col(_("funded by this plan"))]
    top, last = sheet.table(cols, rows, freeze=0)
    sheet.shade_status(4, top + 1, last, _(FUNDED), _(PARTLY), decided=measure_status(result, DECIDED))
    if segments or decided_total > 1e-9:
        sheet.row += 1
        _macc_chart(sheet, segments, decided_total, result.target_mt[T], T, start, first_col=len(cols) + 2)


def macc_points(segments: list[tuple], decided: float) -> tuple[list[list], tuple[float, float]]:
    """The step points of a MACC (x, funded y, not funded y, decided y) and the y range of what is decided now.

    ``segments``: (x0, x1, gap, funded by this plan) in the order of the curve, after the ``decided`` Mt/yr
    decided before start_year (drawn at 0 €/t from x = 0). Each step is drawn (x0, y_prev), (x0, y), (x1, y); a
    step that goes on the series of the step before leaves out its first point (the last one of that step); a
    blank cell breaks a series where another takes over. The y range spans the curve's gaps (and 0), not the
    gaps of what was decided before.
    """
    points: list[list] = []
    if decided > 1e-9:
        points += [[0.0, None, None, 0.0], [decided, None, None, 0.0]]
    prev_y, prev_kind, prev_end = 0.0, None, None
    for x0, x1, y, funded in segments:
        kind = 1 if funded else 2
        here = [[x0, prev_y], [x0, y], [x1, y]]
        if kind == prev_kind and prev_end == x0 and prev_y == y:
            here = here[2:]  # the same series goes straight on
        elif kind == prev_kind and prev_end == x0:
            here = here[1:]  # its first point is the last one of the step before
        for px, py in here:
            row = [px, None, None, None]
            row[kind] = py
            points.append(row)
        prev_y, prev_kind, prev_end = y, kind, x1
    gaps = [seg[2] for seg in segments] or [0.0]
    low = min(0.0, min(gaps))
    high = max(gaps) * 1.05 if max(gaps) > 0 else 1.0
    return points, (low, high)


def _macc_chart(sheet: Sheet, segments: list[tuple], decided: float, target: float, T: int, start: int,
                first_col: int) -> None:
    """A step-shaped MACC below the table: what was decided before start_year at 0 €/t, then funded and not
    funded steps as line series, the target as a vertical line; the y axis spans what is decided now.

    Its step points are in helper columns from ``first_col`` on (x, funded y, not funded y, decided y, target x,
    target y), hidden and not printed (:func:`macc_points`).
    """
    header = [_("chart: cumulative potential (Mt CO2-eq/yr)"), _("chart: funded gap (€/t)"),
              _("chart: not funded gap (€/t)"), _("chart: decided before {year} (€/t)", year=start),
              _("chart: target {year} (Mt CO2-eq/yr)", year=T), _("chart: target line (€/t)")]
    points, (y_low, y_high) = macc_points(segments, decided)
    points = [p + [None, None] for p in points]
    for k, y in enumerate((y_low, y_high)):  # the target: a vertical line over the whole y range
        if k < len(points):
            points[k][4:] = [target, y]
        else:
            points.append([None, None, None, None, target, y])
    last = sheet.data(1, first_col, header, points, [MT, EUR_T, EUR_T, EUR_T, MT, EUR_T])
    x, funded_y, unfunded_y, decided_y, target_x, target_y = range(first_col, first_col + 6)
    series = []
    if decided > 1e-9:
        series.append(Line(decided_y, 2, last, _("decided before {year}: {amount} Mt CO2-eq/yr (sunk)", year=start,
                                                 amount=num(decided, ",.2f")), DECIDED_LINE, x_col=x, width=3.0))
    series += [Line(funded_y, 2, last, _(FUNDED), FUNDED_LINE, x_col=x, width=3.0),
               Line(unfunded_y, 2, last, _(NOT_FUNDED), UNFUNDED_LINE, x_col=x),
               Line(target_y, 2, 3, _("target {year}: {amount} Mt CO2-eq/yr", year=T, amount=num(target, ",.2f")),
                    TARGET_LINE, x_col=target_x, dash="dash")]
    sheet.chart(Chart(
        "scatter", _("Marginal abatement cost curve (target {year})", year=T),
        _("cumulative abatement potential (Mt CO2-eq/yr)"), _("unprofitable gap (€/t)"), series=series,
        x_format="0.0", y_format="#,##0", x_range=(0, None), y_range=(y_low, y_high), hidden_data=True))
    sheet.hide_columns(first_col - 1)


# ---------------------------------------------------------------- About

def _about(sheet: Sheet, result: PlanResult, *, generated: str) -> None:
    from ..input.manifest import SETTINGS_KEYS, SHEETS

    sheet.title(_("About this plan workbook"))
    question = (_("the most abatement the budgets and limits allow") if words.maximising(result)
                else _("the least-public-cost policy mix"))
    sheet.line(_("A plan of policymix: {question} for Dutch industrial decarbonisation. "
                 "Money in M€, abatement in Mt CO2-eq/yr, unit costs in €/t.", question=question))
    sheet.freeze(2)

    sheet.heading(_("Provenance"))
    sheet.pairs([
        *words.provenance(result.solver.get("name", "HiGHS"), result.source_file, result.source_sha256,
                          result.input.settings.scenario_name),
        (_("overrides applied"), "; ".join(result.overrides) if result.overrides else _("none")),
        (_("language"), language_name()),
        (_("generated"), generated),
        (_("re-run"), _("this workbook is itself a valid input: its input sheets hold the effective inputs "
                        "(overrides already applied), so planning it again, without the overrides, gives the same "
                        "plan")),
    ], span=6)
    for spec in result.overrides:
        sheet.line(_("override: {spec}", spec=spec))

    _about_computation(sheet, result)

    sheet.heading(_("Result sheets"))
    sheet.table([Col(_("sheet")), Col(_("what it shows"), wrap=True, span=4), Col(_("units"), wrap=True, span=2)],
                [(_(s.title), _(s.shows), _(s.units) if s.units else "") for s in PLAN_SHEETS if not s.hidden])

    sheet.heading(_("Limits and their shadow prices (how much the objective falls when the limit is relaxed by one unit)"))
    sheet.table([Col(_("constraint")), Col(_("what it is"), wrap=True), Col(_("meaning"), wrap=True, span=3),
                 Col(_("shadow price unit"), wrap=True), Col(_("an elastic run may relax it"))],
                [(f.name, f.text("label"), f.text("meaning"), words.shadow_unit_words(f),
                  _("yes") if f.relaxable else _("no")) for f in FAMILIES])

    sheet.heading(_("Input sheets (after the result sheets; names are matched case-insensitively)"))
    sheet.table([Col(_("sheet")), Col(_("required")), Col(_("description"), wrap=True, span=5)],
                [(s.name, _("yes") if s.required else _("no"), _(s.description)) for s in SHEETS])

    sheet.heading(_("Input columns"))
    sheet.table([Col(_("sheet")), Col(_("column"), wrap=True), Col(_("type")), Col(_("required")), Col(_("default"), wrap=True),
                 Col(_("unit"), wrap=True), Col(_("description"), wrap=True)], _manifest_rows(SHEETS, result.input.years))

    sheet.heading(_("Settings keys (sheet settings, one key per row)"))
    sheet.table([Col(_("key")), Col(_("type")), Col(_("required")), Col(_("default"), wrap=True), Col(_("unit"), wrap=True),
                 Col(_("description"), wrap=True, span=2)],
                [(c.name, _(TYPES.get(c.type, c.type)), _("yes") if c.required else _("no"), _default(c),
                  _(c.unit) if c.unit else "", _(c.description)) for c in SETTINGS_KEYS.values()])


def _about_computation(sheet: Sheet, result: PlanResult) -> None:
    """The model's own terms: what it optimises, the penalty used, when a limit binds, cost weights, solver."""
    inp, solver = result.input, result.solver
    sheet.heading(_("How the plan was computed"))
    rows = [(_("objective"), words.objective_words(result))]
    rows += [(f.header(inp), f.shown(f.of(result), result), f.fmt) for f in fields(PLAN, SHEET, inp)]
    rows.append((_("shortfall penalty P"), words.penalty_words(result)))
    note = words.derived_penalty_note(result)
    if note:
        rows.append((_("shortfall penalty P, from the data"), note))
    rows.append((_("binding limits"), words.binding_rule(result)))
    rows.append((_("one plan per question"), _(
        "where several plans reach the least objective (instruments with the same gap, measures with the same €/t), "
        "the plan shown is the one that 1. pays the least cash over the horizon and the price outlook, then 2. has "
        "the lowest peak of yearly cash, then 3. puts its money on the options that come first by year, then "
        "measure id, then instrument id (each M€ weighed by (1 + place / number of places)²) and commits measures "
        "that need no subsidy in full and as early as the limits allow. The same workbook gives this plan whatever "
        "the solver algorithm, the order of rows or the number of workers; the shadow prices are those of the "
        "least-cost question (docs/model.md, \"Canonical plans\")")))
    if result.relaxation_total is not None:
        rows.append((_("elastic run"), _("phase 1 minimises the total relative relaxation Σ r_k / |limit_k| (|limit| "
                                         "taken as 1 where it is 0) of every budget, period budget and resource row, "
                                         "with no shortfall (where no relaxation suffices, the least shortfall first); "
                                         "phase 2 the objective with that total held; the relaxations reported are "
                                         "phase 2's")))
    rows += [(_("solver"), solver.get("name", "HiGHS")), (_("solver status"), solver.get("status", "")),
             (_("solve time (s)"), solver.get("seconds"), "0.000"),
             (_("lumpy measures (MIP)"), _("yes: shadow prices from the LP with the lumpy decisions fixed")
              if solver.get("mip") else _("no")),
             (_("model size (rows × columns)"), f"{solver.get('rows', '?')} × {solver.get('columns', '?')}")]
    sheet.pairs(rows, span=6)
    sheet.heading(_("Cost weights (public cost per € an instrument pays)"))
    sheet.table([Col(_("instrument")), Col(_("name"), wrap=True), Col(_("kind"), wrap=True, span=3),
                 Col(_("cost weight (€ per € paid)"), AMOUNT)],
                [(i, inst.name, inst.kind, inst.cost_weight) for i, inst in inp.instruments.items()])


#: The manifest's column types in words (About sheet).
TYPES = {"str": N_("text"), "float": N_("number"), "int": N_("whole number"), "bool": N_("yes/no"),
         "ids": N_("ids separated by ';'"), "numbers": N_("numbers separated by ';'"), "any": N_("number or text")}


def _default(c):
    if isinstance(c.default, bool):
        return _("yes") if c.default else _("no")
    return c.default


def _manifest_rows(sheets, years: list[int]) -> list[tuple]:
    """(sheet, column, type, required, default, unit, description) for every input column."""
    rows = []
    for spec in sheets:
        for c in spec.columns:
            rows.append((spec.name, c.name, _(TYPES.get(c.type, c.type)), _("yes") if c.required else _("no"),
                         _default(c), _(c.unit) if c.unit else "",
                         _(c.description) + (_(" (one of {choices})", choices=", ".join(c.choices)) if c.choices
                                             else "")))
        if spec.year_columns:
            span = {"any": _("any year from {year}", year=years[0]),
                    "outlook": _("{first} … {last}, then later years", first=years[0], last=years[-1])}
            rows.append((spec.name, span.get(spec.year_span, f"{years[0]} … {years[-1]}"), _(TYPES["float"]),
                         _("no") if spec.year_span == "any" else _("yes"), None, _(spec.year_unit),
                         _(spec.year_description)))
    return rows


def _alternatives(sheet: Sheet, result: PlanResult) -> None:
    alts = result.alternatives
    n = len(alts.plans)
    sheet.title(_("Near-optimal alternatives: {n} plans within {slack} % of the optimum's cost", n=n,
                  slack=num(100 * alts.slack, ".0f")))
    sheet.line(_("Each alternative costs at most the optimum plus the slack and funds measures as different as "
                 "possible from the plans before it. Measures funded in the optimum and in every alternative are "
                 "must-haves; the rest are choices."))
    sheet.heading(_("Plans"))
    sheet.table([Col(_("plan")), Col(_("objective (M€)"), M_EUR), Col(_("public cost (M€)"), M_EUR),
                 Col(_("abatement {year} (Mt CO2-eq/yr)", year=result.input.settings.target_year), MT),
                 Col(_("measures funded (count)"), COUNT)],
                [(_("optimum"), result.objective_meur, result.public_cost_meur,
                  result.abatement_mt.get(result.input.settings.target_year, 0.0),
                  sum(mr.taken_up for mr in result.measures.values()))]
                + [(_("alternative {k}", k=k), a.objective_meur, a.public_cost_meur,
                    a.abatement_mt.get(result.input.settings.target_year, 0.0),
                    sum(mr.taken_up for mr in a.measures.values()))
                   for k, a in enumerate(alts.plans, start=1)])
    sheet.heading(_("Measures"))
    must = set(alts.must_haves())
    rows = []
    for mid in result.input.measures:
        in_opt = alts.in_optimum.get(mid, False)
        count = alts.counts.get(mid, 0)
        if not in_opt and not count:
            continue
        rows.append((mid, result.input.measures[mid].name, _("yes") if in_opt else _("no"), count,
                     _("must-have") if mid in must else _("choice")))
    rows.sort(key=lambda r: (r[4] != _("must-have"), -r[3], r[0]))
    sheet.table([Col(_("measure id")), Col(_("name"), wrap=True), Col(_("in the optimum")),
                 Col(_("funded in alternatives (of {n})", n=n), COUNT), Col(_("verdict"))], rows, autofilter=True)


def _alternative(sheet: Sheet, result: PlanResult, alt: PlanResult, k: int) -> None:
    T = result.input.settings.target_year
    sheet.title(_("Alternative {k}: public cost {cost} M€ (optimum {optimum} M€), abatement {abatement} Mt CO2-eq/yr",
                  k=k, cost=num(alt.public_cost_meur, ",.1f"), optimum=num(result.public_cost_meur, ",.1f"),
                  abatement=num(alt.abatement_mt.get(T, 0.0), ",.3f")))
    rows = [(mid, result.input.measures[mid].name, mr.committed_share, result.measures[mid].committed_share,
             mr.abatement_mt, sum(mr.subsidy_meur.values()), mr.public_cost_meur)
            for mid, mr in alt.measures.items() if mr.taken_up or result.measures[mid].taken_up]
    sheet.table([Col(_("measure id")), Col(_("name"), wrap=True), Col(_("committed share by {year} (%)", year=T), SHARE),
                 Col(_("in the optimum (%)"), SHARE), Col(_("abatement {year} (Mt CO2-eq/yr)", year=T), MT),
                 Col(_("total subsidy (M€)"), M_EUR), Col(_("public cost (M€)"), M_EUR)], rows, freeze=2)


#: How each result sheet prints: (orientation, a page of sentences, fixed column widths). The Summary is a
#: portrait note of one or two pages: a wide first column for the limits in words, narrow number columns.
_PRINTED = {
    "Summary": ("portrait", True, {1: 28, **{c: 11 for c in range(2, 10)}}),
    "Measure plan": ("landscape", False, None),
    "About": ("landscape", False, {1: 22, 2: 24, 3: 8, 4: 9, 5: 12, 6: 14, 7: 52}),
}

#: The writer of each visible result sheet (the sheets and their order are declared in the manifest).
_WRITERS = {
    "Summary": _summary,
    "Measure plan": _measure_plan,
    "Instrument use": _instrument_use,
    "Cash": cash_sheet,
    "Resource use": _resource_use,
    "By cluster": _by_cluster,
    "MACC": _macc,
    "About": _about,
}
