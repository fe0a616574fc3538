"""The plan workbook (docs/model.md section 9).

Result sheets — Summary, Measure plan, Instrument use, Resource use, By
cluster, MACC (a native Excel chart), About — then the effective input sheets,
so the plan workbook is itself an input that re-runs to the same plan, and a
hidden sheet holding the plan's machine-readable result
(:func:`optimiser.report.jsondoc.plan_document`), which ``policymix compare``
reads. Limits are named and explained by their family's declaration
(:mod:`optimiser.model.families`).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from ..input.manifest import PLAN_SHEETS, RESULT_DOCUMENT_SHEET
from ..input.tables import to_tables
from ..lang import N_, _, current, num
from ..model.families import BUDGET, FAMILIES, PERIOD_BUDGET, RESOURCE, TARGET, family, objective_unit, reported
from ..model.results import PlanResult, span
from .cash import cash_sentences, cash_sheet
from .files import json_text
from .inputs import add_input_sheets, in_its_language
from . import words
from .jsondoc import plan_document
from .xlsx import (AMOUNT, COUNT, EUR_T, HEADER_WRAP, M_EUR, MT, SHADOW, SHARE, Col, Sheet, line_series, new_workbook,
                   save, scatter_chart)

FUNDED_LINE, UNFUNDED_LINE, TARGET_LINE = "1B7837", "9E9E9E", "C62828"
#: Characters of the stored result per cell (a cell holds at most 32 767).
DOCUMENT_CHUNK = 30_000


def write_plan(result: PlanResult, path: str | os.PathLike, *, force: bool = True) -> Path:
    """Write the plan workbook atomically; returns its path."""
    return save(plan_workbook(result), path, force=force)


def plan_workbook(result: PlanResult):
    """The plan workbook as an (unsaved) openpyxl Workbook."""
    wb = new_workbook(_("Policy-mix plan: {scenario}", scenario=result.input.settings.scenario_name))
    generated = datetime.now().astimezone().isoformat(timespec="seconds")
    for spec in PLAN_SHEETS:
        if spec.hidden:
            continue
        orientation, note, widths = _PRINTED.get(spec.title, (None, False, None))
        sheet = Sheet(wb, _(spec.title), orientation=orientation, note=note)
        _WRITERS[spec.title](sheet, result, generated=generated)
        sheet.finish(widths=widths)
    if result.alternatives is not None:
        sheet = Sheet(wb, _("Alternatives"), orientation="landscape")
        _alternatives(sheet, result)
        sheet.finish()
        for k, alt in enumerate(result.alternatives.plans, start=1):
            sheet = Sheet(wb, _("Alternative {k}", k=k), orientation="landscape")
            _alternative(sheet, result, alt, k)
            sheet.finish()
    add_input_sheets(wb, to_tables(in_its_language(result.input)), result.input.years)
    add_result_document(wb, result)
    return wb


def add_result_document(wb, result: PlanResult) -> None:
    """The plan's result as JSON text in a hidden sheet (column A, in chunks): what compare reads."""
    ws = wb.create_sheet(RESULT_DOCUMENT_SHEET)
    ws.sheet_state = "hidden"
    text = json_text(plan_document(result))
    for k in range(0, len(text), DOCUMENT_CHUNK):
        ws.cell(row=k // DOCUMENT_CHUNK + 1, column=1).value = text[k:k + DOCUMENT_CHUNK]


# ---------------------------------------------------------------- Summary
#
# The Summary speaks to a budget team: the answer in the first lines, then the sentences and tables that
# explain it, each made by one small function below (SUMMARY_LINES, then SUMMARY_SECTIONS, in order). The
# model's own terms (objective with the penalty, cost weights, solver) are on the About sheet.

def binding_limit_row(result: PlanResult, name: str, key, value: float, lang: str | None = None) -> tuple:
    """One row of the binding-limits table: (limit in words, kind of limit, shadow price, unit, what it means)."""
    inp = result.input
    f = family(name)
    return (f.in_words(inp, key, lang), f.label(lang), value, f.shadow_unit_of(inp, key, lang),
            words.limit_meaning(result, name, key, value))


def _notes_lines(result: PlanResult) -> list[str]:
    return [_("warning: {text}", text=w) for w in result.warnings]


#: The sentences under the title, in order: each function gives a list of lines.
SUMMARY_LINES = [
    lambda r: [words.headline(r)],
    words.marginal_value,
    cash_sentences,
    words.what_must_give,
    lambda r: [words.headroom_sentence(r)],
    lambda r: [s for s in [words.single_measure_sentence(r)] if s],
    _notes_lines,
]


def _summary_targets(sheet: Sheet, result: PlanResult) -> None:
    if words.maximising(result):
        heading, unit = _("Targets (not a constraint when maximising abatement)"), None
    else:
        heading, unit = _("Targets"), family(TARGET).shadow_unit_of(result.input, result.input.settings.target_year)
    sheet.heading(heading)
    cols = [Col(_("target year")), Col(_("required reduction (Mt CO2-eq/yr)"), MT), Col(_("abatement (Mt CO2-eq/yr)"), MT),
            Col(_("shortfall (Mt CO2-eq/yr)"), MT), Col(_("met"))]
    if unit:
        cols.append(Col(_("marginal value ({unit})", unit=unit), EUR_T, span=2))
    rows = []
    for y, t in result.target_mt.items():
        short = result.shortfall_mt.get(y, 0.0)
        row = [y, t, result.abatement_mt.get(y, 0.0), short, _("yes") if short <= 0 else _("no")]
        if unit:
            row.append(result.shadow[TARGET].get(y, 0.0))
        rows.append(row)
    sheet.table(cols, rows)


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
    sheet.ws.freeze_panes = "A3"
    for section in SUMMARY_SECTIONS:
        section(sheet, result)


def _relaxation_row(result: PlanResult, r: dict) -> tuple:
    inp = result.input
    f = family(r["kind"])
    key = f.key_of(r["id"], r["year"])
    return (f.in_words(inp, key), r["year"] or _("all"), r["amount"], f.unit_of(inp, key), r.get("limit"),
            r.get("relative"), words.relaxation_words(result, r))


# ---------------------------------------------------------------- Measure plan

def _per_measure_families(result: PlanResult) -> list:
    """Families of single-measure limits whose rows are keyed by the measure alone (one value per measure)."""
    inp = result.input
    out = []
    for f in reported():
        keys = result.shadow.get(f.name, {})
        if f.kind == "measure" and keys and all(f.split(k)[0] in inp.measures and f.split(k)[1] is None
                                                for k in keys):
            out.append(f)
    return out


#: A plan with more measures than this gets a compact Measure plan: a share, abatement, subsidy or shadow price
#: of exactly 0 is left blank (the headers say "blank = 0"), which keeps every number and leaves out about a
#: third of the sheet's cells at plant level (100 000 of 310 000 at 10 000 measures; openpyxl spends ~14 µs
#: per cell).
COMPACT_MEASURES = 2_000


def _measure_plan(sheet: Sheet, result: PlanResult, **kw) -> None:
    inp = result.input
    years, T, targets = inp.years, inp.settings.target_year, list(result.target_mt)
    per_measure = _per_measure_families(result)
    compact = len(result.measures) > COMPACT_MEASURES
    zero = _("; blank = 0") if compact else ""

    def z(v):  # a zero left blank in a compact sheet
        return None if compact and v == 0 else v

    cols = [Col(_("measure id")), Col(_("name"), wrap=45), Col(_("sector"), wrap=16), Col(_("cluster"), wrap=20),
            Col(_("status")), Col(_("committed share by {year} (%)", year=T), SHARE), Col(_("commitment year"))]
    groups = [len(cols)]  # printed, a wide plan splits across pages at these columns
    cols += [Col(_("committed share {year} (%{zero})", year=y, zero=zero), SHARE) for y in years]
    past = bool(inp.past_decisions)
    cols += [Col(_("committed before {year} (%{zero})", year=years[0], zero=zero), SHARE)] if past else []
    groups.append(len(cols))
    cols += [Col(_("abatement {year} (Mt CO2-eq/yr{zero})", year=y, zero=zero), MT) for y in targets]
    cols += [Col(_("unprofitable gap (€/t)"), EUR_T)]
    cols += [Col(_("subsidy {instrument} (M€{zero})", instrument=i, zero=zero), M_EUR) for i in inp.instruments]
    cols += [Col(_("total subsidy (M€{zero})", zero=zero), M_EUR), Col(_("public cost (M€{zero})", zero=zero), M_EUR),
             Col(_("€ per tonne paid (€/t)"), EUR_T)]
    groups.append(len(cols))
    cols += [Col(_("reason (why not fully funded)"), wrap=38),
             Col(_("reduced cost (€/t the gap must fall)"), EUR_T), Col(_("blocked by"), wrap=38),
             Col(_("competes for (binding limits it draws on)"), wrap=38)]
    groups.append(len(cols))
    cols += [Col(_("shadow price of its {label} ({unit}{zero})", label=f.label(), unit=f.shadow_unit_of(inp, None),
                   zero=zero), SHADOW)
             for f in per_measure]
    rows = []
    for mid, mr in result.measures.items():
        m = inp.measures[mid]
        rows.append(
            [mid, m.name, m.sector, m.cluster, _(mr.status), mr.committed_share, mr.commit_year]
            + [z(mr.committed[y]) for y in years]
            + ([z(mr.past_share)] if past else [])
            + [z(m.abatement_mt * mr.operating_share.get(y, 0.0)) for y in targets]
            + [mr.gap_eur_per_t]
            + [z(mr.subsidy_meur.get(i, 0.0)) for i in inp.instruments]
            + [z(sum(mr.subsidy_meur.values())), z(mr.public_cost_meur), mr.eur_per_t, mr.reason,
               mr.reduced_cost_eur_per_t, _limits_text(result, mr.blocked_by),
               _limits_text(result, mr.competes_for)]
            + [z(result.shadow[f.name].get(f.key_of(mid, None), 0.0)) for f in per_measure]
        )
    top, last = sheet.table(cols, rows, freeze=2, autofilter=True, repeat_cols=1, breaks=groups)
    sheet.shade_status(5, top + 1, last, _(FUNDED), _(PARTLY))


#: What a limit that is not a constraint family holds a measure back by (Measure plan, "blocked by").
_OTHER_LIMITS = {"cost": N_("its cost"), "cap": N_("the caps of {id}"), "lead_time": N_("its lead time"),
                 "earliest_year": N_("its earliest year"), "eligibility": N_("its eligibility")}
#: A measure's status words (the results keep them in English; every sheet shows them in its language).
FUNDED, PARTLY, NOT_FUNDED = N_("funded"), N_("partly funded"), N_("not funded")


def _limits_text(result: PlanResult, limits: list[dict]) -> str:
    """Limits in words, years of one limit folded: 'SDE++ budget in 2025–2027; Grid capacity, Zeeland in 2030'."""
    inp = result.input
    years: dict[tuple, list] = {}
    for lim in limits:
        years.setdefault((lim["kind"], lim["id"]), []).append(lim.get("year"))
    parts = []
    for (kind, lid), ys in years.items():
        ys = [y for y in ys if y is not None]
        try:
            f = family(kind)
        except KeyError:
            other = _OTHER_LIMITS.get(kind)
            parts.append(_(other, id=lid) if other else f"{kind} {lid}")
            continue
        parts.append(f.in_words(inp, f.key_of(lid, None)) + (_(" in {years}", years=span(ys)) if ys else ""))
    return "; ".join(parts)


# ---------------------------------------------------------------- Instrument use

def _instrument_use(sheet: Sheet, result: PlanResult, **kw) -> None:
    inp = result.input
    rows = []
    for i, inst in inp.instruments.items():
        for y in inp.years:
            spend, budget = result.spend_meur[(i, y)], inp.budgets[i][y]
            rows.append((i, inst.name, y, spend, budget, spend / budget if budget > 0 else None,
                         result.shadow[BUDGET].get((i, y), 0.0), inst.cost_weight, inst.cost_weight * spend))
    sheet.table(
        [Col(_("instrument")), Col(_("name")), Col(_("year")), Col(_("spend (M€)"), M_EUR), Col(_("budget (M€)"), M_EUR),
         Col(_("used share (%)"), SHARE), Col(_("shadow price of budget (M€ per M€)"), SHADOW),
         Col(_("cost weight (€ per € paid)"), AMOUNT), Col(_("public cost (M€)"), M_EUR)],
        rows, freeze=1, autofilter=True,
    )

    sheet.heading(_("Over all years {years}", years=span(inp.years)))
    totals = []
    for i, inst in inp.instruments.items():
        spend = sum(result.spend_meur[(i, y)] for y in inp.years)
        period = inst.period_budget_meur
        totals.append((i, inst.name, inst.kind, spend, sum(inp.budgets[i].values()), period,
                       spend / period if period else None,
                       result.shadow[PERIOD_BUDGET].get(i, 0.0) if period is not None else None,
                       result.instrument_cost_meur[i]))
    sheet.table(
        [Col(_("instrument")), Col(_("name")), Col(_("kind"), wrap=True), Col(_("spend (M€)"), M_EUR),
         Col(_("sum of yearly budgets (M€)"), M_EUR), Col(_("period budget (M€)"), M_EUR),
         Col(_("period budget used (%)"), SHARE), Col(_("shadow price of period budget (M€ per M€)"), SHADOW),
         Col(_("public cost (M€)"), M_EUR)],
        totals,
    )


# ---------------------------------------------------------------- Resource use

def _resource_use(sheet: Sheet, result: PlanResult, **kw) -> None:
    inp = result.input
    rows = []
    for r, res in inp.resources.items():
        for y in inp.years:
            use, cap = result.resource_use[(r, y)], res.capacity[y]
            rows.append((r, res.name, res.kind, res.unit, y, use, cap, use / cap if cap > 0 else None,
                         result.shadow[RESOURCE].get((r, y), 0.0)))
    sheet.table(
        [Col(_("resource")), Col(_("name")), Col(_("kind (stock: used while operating; flow: while being built)")),
         Col(_("unit"), wrap=True), Col(_("year")), Col(_("use (unit)"), AMOUNT), Col(_("capacity (unit)"), AMOUNT),
         Col(_("used share (%)"), SHARE), Col(_("shadow price (M€ per unit of capacity)"), SHADOW)],
        rows, freeze=1, autofilter=True,
    )
    if not rows:
        sheet.line(_("The input has no limited resources."))


# ---------------------------------------------------------------- By cluster

def _by_cluster(sheet: Sheet, result: PlanResult, **kw) -> None:
    inp = result.input
    T = inp.settings.target_year
    groups: dict[str, list] = {}
    for mid, mr in result.measures.items():
        groups.setdefault(inp.measures[mid].cluster or _("(no cluster)"), []).append((inp.measures[mid], mr))

    def row(label: str, items: list) -> tuple:
        return (label, len(items),
                sum(mr.status == "funded" for _m, mr in items), sum(mr.status == "partly funded" for _m, mr in items),
                sum(mr.status == "not funded" for _m, mr in items),
                sum(m.abatement_mt * m.max_share for m, _mr in items), sum(mr.abatement_mt for _m, mr in items),
                sum(sum(mr.subsidy_meur.values()) for _m, mr in items), sum(mr.public_cost_meur for _m, mr in items))

    rows = [row(c, items) for c, items in sorted(groups.items())]
    rows.append(row(_("all clusters"), [x for items in groups.values() for x in items]))
    cols = [Col(_("cluster")), Col(_("measures (count)"), COUNT), Col(_("funded (count)"), COUNT),
            Col(_("partly funded (count)"), COUNT), Col(_("not funded (count)"), COUNT),
            Col(_("abatement potential (Mt CO2-eq/yr)"), MT), Col(_("abatement {year} (Mt CO2-eq/yr)", year=T), MT),
            Col(_("subsidy (M€)"), M_EUR), Col(_("public cost (M€)"), M_EUR)]
    last = sheet.table(cols, rows, freeze=1)[1]
    for c in range(1, len(cols) + 1):  # the total row
        sheet.ws.cell(row=last, column=c).font = sheet.st.bold


# ---------------------------------------------------------------- MACC

def _macc(sheet: Sheet, result: PlanResult, **kw) -> None:
    inp = result.input
    T = inp.settings.target_year
    order = sorted(result.measures.values(), key=lambda mr: (mr.gap_eur_per_t, mr.measure_id))
    rows, segments, x = [], [], 0.0
    for rank, mr in enumerate(order, start=1):
        m = inp.measures[mr.measure_id]
        potential = m.abatement_mt * m.max_share
        funded = m.abatement_mt * min(mr.committed_share + mr.past_share, m.max_share)
        rows.append((rank, mr.measure_id, m.name, _(mr.status), mr.gap_eur_per_t, potential, x + potential,
                     funded, _("yes") if funded > 0 else _("no")))
        if funded > 0:
            segments.append((x, x + funded, mr.gap_eur_per_t, True))
        if potential - funded > 1e-9:
            segments.append((x + funded, x + potential, mr.gap_eur_per_t, False))
        x += potential
    cols = [Col(_("rank")), Col(_("measure id")), Col(_("name"), wrap=45), Col(_("status")), Col(_("unprofitable gap (€/t)"), EUR_T),
            Col(_("abatement potential (Mt CO2-eq/yr)"), MT), Col(_("cumulative potential (Mt CO2-eq/yr)"), MT),
            Col(_("funded abatement by {year} (Mt CO2-eq/yr)", year=T), MT), Col(_("funded"))]
    top, last = sheet.table(cols, rows, freeze=0)
    sheet.shade_status(4, top + 1, last, _(FUNDED), _(PARTLY))
    if segments:
        sheet.row += 1
        _macc_chart(sheet, segments, result.target_mt[T], T, first_col=len(cols) + 2)


def _macc_chart(sheet: Sheet, segments: list[tuple], target: float, T: int, first_col: int) -> None:
    """A step-shaped MACC below the table: funded and unfunded steps as two line series, the target as a
    vertical line.

    Its step points are in helper columns from ``first_col`` on (x, funded y, unfunded y, target x,
    target y), hidden and not printed; each step is drawn (x0, y_prev), (x0, y), (x1, y), and a blank
    cell breaks a series where the other one takes over.
    """
    ws = sheet.ws
    header = [_("chart: cumulative potential (Mt CO2-eq/yr)"), _("chart: funded gap (€/t)"),
              _("chart: not funded gap (€/t)"), _("chart: target {year} (Mt CO2-eq/yr)", year=T),
              _("chart: target line (€/t)")]
    for k, text in enumerate(header):
        cell = sheet.put(1, first_col + k, text, fit=False)
        cell.font, cell.fill, cell.alignment = sheet.st.bold, sheet.st.header_fill, sheet.st.header_align
        sheet.widths[first_col + k] = HEADER_WRAP
    r, prev_y = 2, 0.0
    for x0, x1, y, funded in segments:
        col = first_col + (1 if funded else 2)
        for px, py in ((x0, prev_y), (x0, y), (x1, y)):
            sheet.put(r, first_col, px, MT)
            sheet.put(r, col, py, EUR_T)
            r += 1
        prev_y = y
    last = r - 1
    gaps = [seg[2] for seg in segments]
    y_low, y_high = min(0.0, min(gaps)), max(gaps) * 1.05 if max(gaps) > 0 else 1.0
    for k, y in enumerate((y_low, y_high)):
        sheet.put(2 + k, first_col + 3, target, MT)
        sheet.put(2 + k, first_col + 4, y, EUR_T)

    chart = scatter_chart(_("Marginal abatement cost curve (target {year})", year=T),
                          _("cumulative abatement potential (Mt CO2-eq/yr)"), _("unprofitable gap (€/t)"),
                          x_format="0.0", y_format="#,##0")
    chart.x_axis.scaling.min = 0
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = y_low, y_high
    for col, title, colour, width in ((first_col + 1, _(FUNDED), FUNDED_LINE, 38100),
                                      (first_col + 2, _(NOT_FUNDED), UNFUNDED_LINE, 22225)):
        chart.series.append(line_series(ws, first_col, col, 2, last, title, colour, width=width))
    chart.series.append(line_series(ws, first_col + 3, first_col + 4, 2, 3,
                                    _("target {year}: {amount} Mt CO2-eq/yr", year=T, amount=num(target, ",.2f")),
                                    TARGET_LINE, dash="dash"))
    chart.visible_cells_only = False  # its data are in hidden columns
    sheet.chart(chart)
    sheet.hide_columns(first_col - 1)


# ---------------------------------------------------------------- About

def _about(sheet: Sheet, result: PlanResult, *, generated: str) -> None:
    from ..input.manifest import SETTINGS_KEYS, SHEETS

    sheet.title(_("About this plan workbook"))
    question = (_("the most abatement the budgets and limits allow") if words.maximising(result)
                else _("the least-public-cost policy mix"))
    sheet.line(_("A plan of policymix: {question} for Dutch industrial decarbonisation. "
                 "Money in M€, abatement in Mt CO2-eq/yr, unit costs in €/t.", question=question))
    sheet.ws.freeze_panes = "A3"

    sheet.heading(_("Provenance"))
    sheet.pairs([
        *words.provenance(result.solver.get("name", "HiGHS"), result.source_file, result.source_sha256,
                          result.input.settings.scenario_name),
        (_("overrides applied"), "; ".join(result.overrides) if result.overrides else _("none")),
        (_("language"), _("English") if current() == "en" else _("Dutch")),
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
                [(f.name, f.label(), f.meaning(), words.shadow_unit_words(f), _("yes") if f.relaxable else _("no"))
                 for f in FAMILIES])

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
    rows = [(_("objective"), words.objective_words(result)),
            (_("objective value ({unit}, shortfall penalty included)", unit=objective_unit(inp))
             if not words.maximising(result) else _("objective value (public cost, M€)"), result.objective_meur, M_EUR),
            (_("shortfall penalty P"), words.penalty_words(result))]
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
        rows.append((_("total relative relaxation"), result.relaxation_total, "0.0000"))
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
                  sum(1 for mr in result.measures.values() if mr.committed_share > 1e-6))]
                + [(_("alternative {k}", k=k), a.objective_meur, a.public_cost_meur,
                    a.abatement_mt.get(result.input.settings.target_year, 0.0),
                    sum(1 for mr in a.measures.values() if mr.committed_share > 1e-6))
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
            for mid, mr in alt.measures.items() if mr.committed_share > 1e-6 or result.measures[mid].committed_share > 1e-6]
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
