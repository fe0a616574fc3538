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
from ..model.families import BUDGET, FAMILIES, PERIOD_BUDGET, RESOURCE, TARGET, family, objective_unit, reported
from ..model.results import PlanResult, span
from .cash import cash_sentences, cash_sheet
from .files import json_text
from .inputs import add_input_sheets
from . import words
from .jsondoc import plan_document
from .xlsx import (AMOUNT, COUNT, EUR_T, HEADER_WRAP, M_EUR, MT, SHADOW, SHARE, Col, Sheet, line_series, new_workbook,
                   save, scatter_chart)

#: Columns (of default width) the MACC chart covers; its helper data start right of it.
CHART_COLUMNS = 16
FUNDED_LINE, UNFUNDED_LINE, TARGET_LINE = "1B7837", "9E9E9E", "C62828"
#: Characters of the stored result per cell (a cell holds at most 32 767).
DOCUMENT_CHUNK = 30_000


def write_plan(result: PlanResult, path: str | os.PathLike, *, force: bool = True) -> Path:
    """Write the plan workbook atomically; returns its path."""
    return save(plan_workbook(result), path, force=force)


def plan_workbook(result: PlanResult):
    """The plan workbook as an (unsaved) openpyxl Workbook."""
    wb = new_workbook(f"Policy-mix plan: {result.input.settings.scenario_name}")
    generated = datetime.now().astimezone().isoformat(timespec="seconds")
    for spec in PLAN_SHEETS:
        if spec.hidden:
            continue
        sheet = Sheet(wb, spec.title)
        _WRITERS[spec.title](sheet, result, generated=generated)
        sheet.finish()
    if result.alternatives is not None:
        sheet = Sheet(wb, "Alternatives")
        _alternatives(sheet, result)
        sheet.finish()
        for k, alt in enumerate(result.alternatives.plans, start=1):
            sheet = Sheet(wb, f"Alternative {k}")
            _alternative(sheet, result, alt, k)
            sheet.finish()
    add_input_sheets(wb, to_tables(result.input), result.input.years)
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

def binding_limit_row(result: PlanResult, name: str, key, value: float, lang: str = "en") -> tuple:
    """One row of the binding-limits table: (limit in words, kind of limit, shadow price, unit, what it means)."""
    inp = result.input
    f = family(name)
    return (f.in_words(inp, key, lang), f.label(lang), value, f.shadow_unit_of(inp, key, lang),
            words.limit_meaning(result, name, key, value))


def _notes_lines(result: PlanResult) -> list[str]:
    return [f"warning: {w}" for w in result.warnings]


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
        heading, unit = "Targets (not a constraint when maximising abatement)", None
    else:
        heading, unit = "Targets", family(TARGET).shadow_unit_of(result.input, result.input.settings.target_year)
    sheet.heading(heading)
    cols = [Col("target year"), Col("required reduction (Mt CO2-eq/yr)", MT), Col("abatement (Mt CO2-eq/yr)", MT),
            Col("shortfall (Mt CO2-eq/yr)", MT), Col("met")]
    if unit:
        cols.append(Col(f"marginal value ({unit})", EUR_T))
    rows = []
    for y, t in result.target_mt.items():
        short = result.shortfall_mt.get(y, 0.0)
        row = [y, t, result.abatement_mt.get(y, 0.0), short, "yes" if short <= 0 else "no"]
        if unit:
            row.append(result.shadow[TARGET].get(y, 0.0))
        rows.append(row)
    sheet.table(cols, rows)


def _summary_relaxations(sheet: Sheet, result: PlanResult) -> None:
    if result.relaxation_total is None:
        return
    sheet.heading("What must give (elastic run: the least total relative relaxation first, then the least cost)")
    rows = [_relaxation_row(result, r) for r in result.relaxations]
    sheet.table([Col("limit"), Col("year"), Col("amount to add", AMOUNT), Col("unit"), Col("limit before (unit)", AMOUNT),
                 Col("relative (amount ÷ limit)", SHARE), Col("in words")], rows)
    if rows:
        sheet.line(f"total relative relaxation: {result.relaxation_total:.4g} (the sum of the relative amounts; "
                   "what the elastic run minimised first)")
    else:
        sheet.line("Nothing must give: every target is met within every budget and limit.")


def _summary_headroom(sheet: Sheet, result: PlanResult) -> None:
    sheet.heading(f"Budget headroom per instrument (commitments over {span(result.input.years)})")
    rows = [(h["id"], h["committed"], h["available"], h["headroom"], h["used"], h["full"] or "—",
             h["public_cost"], h["name"]) for h in words.headroom(result)]
    sheet.table([Col("instrument"), Col("committed (M€)", M_EUR), Col("budget available (M€)", M_EUR),
                 Col("headroom (M€)", M_EUR), Col("used (%)", SHARE), Col("binding (years: more would help)"),
                 Col("public cost (M€)", M_EUR), Col("name")], rows)
    sheet.line("budget available: the sum of the yearly budgets, or the period budget where that is lower; "
               "year by year in Instrument use")


def _summary_binding(sheet: Sheet, result: PlanResult) -> None:
    held = "; with the least relaxation held" if result.relaxation_total is not None else ""
    sheet.heading(f"Binding limits: targets, budgets and resources (largest shadow price first{held})")
    rows = [binding_limit_row(result, fam, key, val) for fam, key, val in result.binding()
            if family(fam).kind == "policy"]
    sheet.table([Col("limit"), Col("kind of limit"), Col("shadow price (unit in next column)", SHADOW),
                 Col("shadow price unit"), Col("what it means")], rows)
    if not rows:
        sheet.line("None of them binds: no shadow price matters at the precision shown.")


def _summary_input(sheet: Sheet, result: PlanResult) -> None:
    sheet.heading("Input")
    sheet.pairs([("input file", result.source_file or "(not from a file)"),
                 ("scenario", result.input.settings.scenario_name),
                 ("overrides applied (count)", len(result.overrides), COUNT)])
    for spec in result.overrides:
        sheet.line(f"override: {spec}")
    for note in result.notes:
        sheet.line(f"note: {note}")
    sheet.line("How the plan was computed (objective, shortfall penalty, cost weights, solver): see About.")


#: The tables after the sentences, in order.
SUMMARY_SECTIONS = [_summary_relaxations, _summary_targets, _summary_headroom, _summary_binding, _summary_input]


def _summary(sheet: Sheet, result: PlanResult, **_) -> None:
    sheet.title(f"Policy-mix plan: {result.input.settings.scenario_name}")
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
    return (f.in_words(inp, key), r["year"] or "all", r["amount"], f.unit_of(inp, key), r.get("limit"),
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


def _measure_plan(sheet: Sheet, result: PlanResult, **_) -> None:
    inp = result.input
    years, T, targets = inp.years, inp.settings.target_year, list(result.target_mt)
    per_measure = _per_measure_families(result)
    cols = [Col("measure id"), Col("name"), Col("sector"), Col("cluster"), Col("status"),
            Col(f"committed share by {T} (%)", SHARE), Col("commitment year")]
    cols += [Col(f"committed share {y} (%)", SHARE) for y in years]
    past = bool(inp.past_decisions)
    cols += [Col(f"committed before {years[0]} (%)", SHARE)] if past else []
    cols += [Col(f"abatement {y} (Mt CO2-eq/yr)", MT) for y in targets]
    cols += [Col("unprofitable gap (€/t)", EUR_T)]
    cols += [Col(f"subsidy {i} (M€)", M_EUR) for i in inp.instruments]
    cols += [Col("total subsidy (M€)", M_EUR), Col("public cost (M€)", M_EUR),
             Col("€ per tonne paid (€/t)", EUR_T), Col("reason (why not fully funded)"),
             Col("reduced cost (€/t the gap must fall)", EUR_T), Col("blocked by"),
             Col("competes for (binding limits it draws on)")]
    cols += [Col(f"shadow price of its {f.label('en')} ({f.shadow_unit_of(inp, None)})", SHADOW)
             for f in per_measure]
    rows = []
    for mid, mr in result.measures.items():
        m = inp.measures[mid]
        rows.append(
            [mid, m.name, m.sector, m.cluster, mr.status, mr.committed_share, mr.commit_year]
            + [mr.committed[y] for y in years]
            + ([mr.past_share] if past else [])
            + [m.abatement_mt * mr.operating_share.get(y, 0.0) for y in targets]
            + [mr.gap_eur_per_t]
            + [mr.subsidy_meur.get(i, 0.0) for i in inp.instruments]
            + [sum(mr.subsidy_meur.values()), mr.public_cost_meur, mr.eur_per_t, mr.reason,
               mr.reduced_cost_eur_per_t, _limits_text(result, mr.blocked_by),
               _limits_text(result, mr.competes_for)]
            + [result.shadow[f.name].get(f.key_of(mid, None), 0.0) for f in per_measure]
        )
    top, last = sheet.table(cols, rows, freeze=2, autofilter=True)
    sheet.shade_status(5, top + 1, last)


#: What a limit that is not a constraint family holds a measure back by (Measure plan, "blocked by").
_OTHER_LIMITS = {"cost": "its cost", "cap": "the caps of {id}", "lead_time": "its lead time",
                 "earliest_year": "its earliest year", "eligibility": "its eligibility"}


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
            parts.append(_OTHER_LIMITS.get(kind, kind + " {id}").format(id=lid))
            continue
        parts.append(f.in_words(inp, f.key_of(lid, None)) + (f" in {span(ys)}" if ys else ""))
    return "; ".join(parts)


# ---------------------------------------------------------------- Instrument use

def _instrument_use(sheet: Sheet, result: PlanResult, **_) -> None:
    inp = result.input
    rows = []
    for i, inst in inp.instruments.items():
        for y in inp.years:
            spend, budget = result.spend_meur[(i, y)], inp.budgets[i][y]
            rows.append((i, inst.name, y, spend, budget, spend / budget if budget > 0 else None,
                         result.shadow[BUDGET].get((i, y), 0.0), inst.cost_weight, inst.cost_weight * spend))
    sheet.table(
        [Col("instrument"), Col("name"), Col("year"), Col("spend (M€)", M_EUR), Col("budget (M€)", M_EUR),
         Col("used share (%)", SHARE), Col("shadow price of budget (M€ per M€)", SHADOW),
         Col("cost weight (€ per € paid)", AMOUNT), Col("public cost (M€)", M_EUR)],
        rows, freeze=1, autofilter=True,
    )

    sheet.heading(f"Over all years {span(inp.years)}")
    totals = []
    for i, inst in inp.instruments.items():
        spend = sum(result.spend_meur[(i, y)] for y in inp.years)
        period = inst.period_budget_meur
        totals.append((i, inst.name, inst.kind, spend, sum(inp.budgets[i].values()), period,
                       spend / period if period else None,
                       result.shadow[PERIOD_BUDGET].get(i, 0.0) if period is not None else None,
                       result.instrument_cost_meur[i]))
    sheet.table(
        [Col("instrument"), Col("name"), Col("kind"), Col("spend (M€)", M_EUR),
         Col("sum of yearly budgets (M€)", M_EUR), Col("period budget (M€)", M_EUR),
         Col("period budget used (%)", SHARE), Col("shadow price of period budget (M€ per M€)", SHADOW),
         Col("public cost (M€)", M_EUR)],
        totals,
    )


# ---------------------------------------------------------------- Resource use

def _resource_use(sheet: Sheet, result: PlanResult, **_) -> None:
    inp = result.input
    rows = []
    for r, res in inp.resources.items():
        for y in inp.years:
            use, cap = result.resource_use[(r, y)], res.capacity[y]
            rows.append((r, res.name, res.kind, res.unit, y, use, cap, use / cap if cap > 0 else None,
                         result.shadow[RESOURCE].get((r, y), 0.0)))
    sheet.table(
        [Col("resource"), Col("name"), Col("kind (stock: used while operating; flow: while being built)"),
         Col("unit"), Col("year"), Col("use (unit)", AMOUNT), Col("capacity (unit)", AMOUNT),
         Col("used share (%)", SHARE), Col("shadow price (M€ per unit of capacity)", SHADOW)],
        rows, freeze=1, autofilter=True,
    )
    if not rows:
        sheet.line("The input has no limited resources.")


# ---------------------------------------------------------------- By cluster

def _by_cluster(sheet: Sheet, result: PlanResult, **_) -> None:
    inp = result.input
    T = inp.settings.target_year
    groups: dict[str, list] = {}
    for mid, mr in result.measures.items():
        groups.setdefault(inp.measures[mid].cluster or "(no cluster)", []).append((inp.measures[mid], mr))

    def row(label: str, items: list) -> tuple:
        return (label, len(items),
                sum(mr.status == "funded" for _, mr in items), sum(mr.status == "partly funded" for _, mr in items),
                sum(mr.status == "not funded" for _, mr in items),
                sum(m.abatement_mt * m.max_share for m, _ in items), sum(mr.abatement_mt for _, mr in items),
                sum(sum(mr.subsidy_meur.values()) for _, mr in items), sum(mr.public_cost_meur for _, mr in items))

    rows = [row(c, items) for c, items in sorted(groups.items())]
    rows.append(row("all clusters", [x for items in groups.values() for x in items]))
    cols = [Col("cluster"), Col("measures (count)", COUNT), Col("funded (count)", COUNT),
            Col("partly funded (count)", COUNT), Col("not funded (count)", COUNT),
            Col("abatement potential (Mt CO2-eq/yr)", MT), Col(f"abatement {T} (Mt CO2-eq/yr)", MT),
            Col("subsidy (M€)", M_EUR), Col("public cost (M€)", M_EUR)]
    _, last = sheet.table(cols, rows, freeze=1)
    for c in range(1, len(cols) + 1):  # the total row
        sheet.ws.cell(row=last, column=c).font = sheet.st.bold


# ---------------------------------------------------------------- MACC

def _macc(sheet: Sheet, result: PlanResult, **_) -> None:
    inp = result.input
    T = inp.settings.target_year
    order = sorted(result.measures.values(), key=lambda mr: (mr.gap_eur_per_t, mr.measure_id))
    rows, segments, x = [], [], 0.0
    for rank, mr in enumerate(order, start=1):
        m = inp.measures[mr.measure_id]
        potential = m.abatement_mt * m.max_share
        funded = m.abatement_mt * min(mr.committed_share + mr.past_share, m.max_share)
        rows.append((rank, mr.measure_id, m.name, mr.status, mr.gap_eur_per_t, potential, x + potential,
                     funded, "yes" if funded > 0 else "no"))
        if funded > 0:
            segments.append((x, x + funded, mr.gap_eur_per_t, True))
        if potential - funded > 1e-9:
            segments.append((x + funded, x + potential, mr.gap_eur_per_t, False))
        x += potential
    cols = [Col("rank"), Col("measure id"), Col("name"), Col("status"), Col("unprofitable gap (€/t)", EUR_T),
            Col("abatement potential (Mt CO2-eq/yr)", MT), Col("cumulative potential (Mt CO2-eq/yr)", MT),
            Col(f"funded abatement by {T} (Mt CO2-eq/yr)", MT), Col("funded")]
    top, last = sheet.table(cols, rows, freeze=0)
    sheet.shade_status(4, top + 1, last)
    if segments:
        _macc_chart(sheet, segments, result.target_mt[T], T, anchor_col=len(cols) + 2)


def _macc_chart(sheet: Sheet, segments: list[tuple], target: float, T: int, anchor_col: int) -> None:
    """A step-shaped MACC: funded and unfunded steps as two line series, the target as a vertical line.

    The chart sits at ``anchor_col``; its step points in helper columns right of it (x, funded y,
    unfunded y, target x, target y); each step is drawn (x0, y_prev), (x0, y),
    (x1, y), and a blank cell breaks a series where the other one takes over.
    """
    ws = sheet.ws
    first_col = anchor_col + CHART_COLUMNS
    header = ["chart: cumulative potential (Mt CO2-eq/yr)", "chart: funded gap (€/t)",
              "chart: not funded gap (€/t)", f"chart: target {T} (Mt CO2-eq/yr)", "chart: target line (€/t)"]
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

    chart = scatter_chart(f"Marginal abatement cost curve (target {T})",
                          "cumulative abatement potential (Mt CO2-eq/yr)", "unprofitable gap (€/t)",
                          x_format="0.0", y_format="#,##0")
    chart.x_axis.scaling.min = 0
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = y_low, y_high
    for col, title, colour, width in ((first_col + 1, "funded", FUNDED_LINE, 38100),
                                      (first_col + 2, "not funded", UNFUNDED_LINE, 22225)):
        chart.series.append(line_series(ws, first_col, col, 2, last, title, colour, width=width))
    chart.series.append(line_series(ws, first_col + 3, first_col + 4, 2, 3, f"target {T}: {target:,.2f} Mt CO2-eq/yr",
                                    TARGET_LINE, dash="dash"))
    ws.add_chart(chart, ws.cell(row=2, column=anchor_col).coordinate)


# ---------------------------------------------------------------- About

def _about(sheet: Sheet, result: PlanResult, *, generated: str) -> None:
    from .. import __version__
    from ..input.manifest import SETTINGS_KEYS, SHEETS

    sheet.title("About this plan workbook")
    question = ("the most abatement the budgets and limits allow" if words.maximising(result)
                else "the least-public-cost policy mix")
    sheet.line(f"A plan of policymix: {question} for Dutch industrial decarbonisation. "
               "Money in M€, abatement in Mt CO2-eq/yr, unit costs in €/t.")
    sheet.ws.freeze_panes = "A3"

    sheet.heading("Provenance")
    sheet.pairs([
        ("tool", f"policymix {__version__}"),
        ("solver", result.solver.get("name", "HiGHS")),
        ("input file", result.source_file or "(not from a file)"),
        ("input SHA-256", result.source_sha256 or ""),
        ("scenario", result.input.settings.scenario_name),
        ("overrides applied", "; ".join(result.overrides) if result.overrides else "none"),
        ("generated", generated),
        ("re-run", "this workbook is itself a valid input: its input sheets hold the effective inputs "
                   "(overrides already applied), so planning it again, without the overrides, gives the same plan"),
    ])
    for spec in result.overrides:
        sheet.line(f"override: {spec}")

    _about_computation(sheet, result)

    sheet.heading("Result sheets")
    sheet.table([Col("sheet"), Col("what it shows"), Col("units")],
                [(s.title, s.shows, s.units) for s in PLAN_SHEETS if not s.hidden])

    sheet.heading("Limits and their shadow prices (how much the objective falls when the limit is relaxed by one unit)")
    sheet.table([Col("constraint"), Col("what it is"), Col("meaning"), Col("shadow price unit"),
                 Col("an elastic run may relax it")],
                [(f.name, f.label("en"), f.meaning("en"), words.shadow_unit_words(f), "yes" if f.relaxable else "no")
                 for f in FAMILIES])

    sheet.heading("Input sheets (after the result sheets; names are matched case-insensitively)")
    sheet.table([Col("sheet"), Col("required"), Col("description")],
                [(s.name, "yes" if s.required else "no", s.description) for s in SHEETS])

    sheet.heading("Input columns")
    sheet.table([Col("sheet"), Col("column"), Col("type"), Col("required"), Col("default"), Col("unit"),
                 Col("description")], _manifest_rows(SHEETS, result.input.years))

    sheet.heading("Settings keys (sheet settings, one key per row)")
    sheet.table([Col("key"), Col("type"), Col("required"), Col("default"), Col("unit"), Col("description")],
                [(c.name, c.type, "yes" if c.required else "no", c.default, c.unit, c.description)
                 for c in SETTINGS_KEYS.values()])


def _about_computation(sheet: Sheet, result: PlanResult) -> None:
    """The model's own terms: what it optimises, the penalty used, when a limit binds, cost weights, solver."""
    inp, solver = result.input, result.solver
    sheet.heading("How the plan was computed")
    rows = [("objective", words.objective_words(result)),
            (f"objective value ({objective_unit(inp)}, shortfall penalty included)"
             if not words.maximising(result) else "objective value (public cost, M€)", result.objective_meur, M_EUR),
            ("shortfall penalty P", words.penalty_words(result))]
    note = words.derived_penalty_note(result)
    if note:
        rows.append(("shortfall penalty P, from the data", note))
    rows.append(("binding limits", words.binding_rule(result)))
    if result.relaxation_total is not None:
        rows.append(("elastic run", "phase 1 minimises the total relative relaxation Σ r_k / |limit_k| (|limit| "
                                    "taken as 1 where it is 0) of every budget, period budget and resource row, with "
                                    "no shortfall (where no relaxation suffices, the least shortfall first); phase 2 "
                                    "the objective with that total held; the relaxations reported are phase 2's"))
        rows.append(("total relative relaxation", result.relaxation_total, "0.0000"))
    rows += [("solver", solver.get("name", "HiGHS")), ("solver status", solver.get("status", "")),
             ("solve time (s)", solver.get("seconds"), "0.000"),
             ("lumpy measures (MIP)", "yes: shadow prices from the LP with the lumpy decisions fixed"
              if solver.get("mip") else "no"),
             ("model size (rows × columns)", f"{solver.get('rows', '?')} × {solver.get('columns', '?')}")]
    sheet.pairs(rows)
    sheet.heading("Cost weights (public cost per € an instrument pays)")
    sheet.table([Col("instrument"), Col("name"), Col("kind"), Col("cost weight (€ per € paid)", AMOUNT)],
                [(i, inst.name, inst.kind, inst.cost_weight) for i, inst in inp.instruments.items()])


def _manifest_rows(sheets, years: list[int]) -> list[tuple]:
    """(sheet, column, type, required, default, unit, description) for every input column."""
    rows = []
    for spec in sheets:
        for c in spec.columns:
            default = ("yes" if c.default else "no") if isinstance(c.default, bool) else c.default
            rows.append((spec.name, c.name, c.type, "yes" if c.required else "no", default, c.unit,
                         c.description + (f" (one of {', '.join(c.choices)})" if c.choices else "")))
        if spec.year_columns:
            span = {"any": f"any year from {years[0]}", "outlook": f"{years[0]} … {years[-1]}, then later years"}
            rows.append((spec.name, span.get(spec.year_span, f"{years[0]} … {years[-1]}"), "float",
                         "no" if spec.year_span == "any" else "yes", None, spec.year_unit, spec.year_description))
    return rows


def _alternatives(sheet: Sheet, result: PlanResult) -> None:
    alts = result.alternatives
    n = len(alts.plans)
    sheet.title(f"Near-optimal alternatives: {n} plans within {alts.slack:.0%} of the optimum's cost")
    sheet.line("Each alternative costs at most the optimum plus the slack and funds measures as different as "
               "possible from the plans before it. Measures funded in the optimum and in every alternative are "
               "must-haves; the rest are choices.")
    sheet.heading("Plans")
    sheet.table([Col("plan"), Col("objective (M€)", M_EUR), Col("public cost (M€)", M_EUR),
                 Col(f"abatement {result.input.settings.target_year} (Mt CO2-eq/yr)", MT),
                 Col("measures funded (count)", COUNT)],
                [("optimum", result.objective_meur, result.public_cost_meur,
                  result.abatement_mt.get(result.input.settings.target_year, 0.0),
                  sum(1 for mr in result.measures.values() if mr.committed_share > 1e-6))]
                + [(f"alternative {k}", a.objective_meur, a.public_cost_meur,
                    a.abatement_mt.get(result.input.settings.target_year, 0.0),
                    sum(1 for mr in a.measures.values() if mr.committed_share > 1e-6))
                   for k, a in enumerate(alts.plans, start=1)])
    sheet.heading("Measures")
    must = set(alts.must_haves())
    rows = []
    for mid in result.input.measures:
        in_opt = alts.in_optimum.get(mid, False)
        count = alts.counts.get(mid, 0)
        if not in_opt and not count:
            continue
        rows.append((mid, result.input.measures[mid].name, "yes" if in_opt else "no", count,
                     "must-have" if mid in must else "choice"))
    rows.sort(key=lambda r: (r[4] != "must-have", -r[3], r[0]))
    sheet.table([Col("measure id"), Col("name"), Col("in the optimum"),
                 Col(f"funded in alternatives (of {n})", COUNT), Col("verdict")], rows, autofilter=True)


def _alternative(sheet: Sheet, result: PlanResult, alt: PlanResult, k: int) -> None:
    T = result.input.settings.target_year
    sheet.title(f"Alternative {k}: public cost {alt.public_cost_meur:,.1f} M€ "
                f"(optimum {result.public_cost_meur:,.1f} M€), abatement {alt.abatement_mt.get(T, 0.0):,.3f} Mt CO2-eq/yr")
    rows = [(mid, result.input.measures[mid].name, mr.committed_share, result.measures[mid].committed_share,
             mr.abatement_mt, sum(mr.subsidy_meur.values()), mr.public_cost_meur)
            for mid, mr in alt.measures.items() if mr.committed_share > 1e-6 or result.measures[mid].committed_share > 1e-6]
    sheet.table([Col("measure id"), Col("name"), Col(f"committed share by {T} (%)", SHARE),
                 Col("in the optimum (%)", SHARE), Col(f"abatement {T} (Mt CO2-eq/yr)", MT),
                 Col("total subsidy (M€)", M_EUR), Col("public cost (M€)", M_EUR)], rows, freeze=2)


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
