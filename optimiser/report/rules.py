"""The rules simulation's sheets: "Rules vs optimum", "Rule outcomes" and "Rounds".

``policymix simulate`` writes the plan workbook of :mod:`optimiser.report.plan` for
the simulated plan (same sheets, same effective inputs, so it re-reads as an
input) with "Rule outcomes" and "Rounds" in front. ``policymix rules-gap`` (and
``plan --versus-rules``) writes the optimal plan's workbook with "Rules vs
optimum", "Rule outcomes" and "Rounds" in front. Like the rest of the workbook
layer, every cell and file goes through the spreadsheet toolkit
(:mod:`optimiser.report.xlsx`); the figures of each run (the rules' and the
optimum's) are the headline fields the rules view shows (:mod:`optimiser.model.fields`).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..analysis.rules_gap import RulesGap
from ..analysis.simulate import RulesResult, allocation_of, phases_of
from ..lang import _, num
from ..model.fields import RULES, Headline
from ..model.results import PlanResult
from .columns import Column, headline_columns
from .plan import plan_workbook
from .xlsx import COUNT, EUR_T, M_EUR, MT, SHARE, Col, save


# ---------------------------------------------------------------- Rule outcomes and Rounds

def _limits(blocked: list[dict]) -> str:
    return "; ".join(f"{b['kind']} {b['id']}" + (f" {b['year']}" if b.get("year") is not None else "")
                     for b in blocked)


def _figures(result: PlanResult) -> list[Column]:
    """The figures the rules view shows of a run: per target year and instrument of the input."""
    inp = result.input
    return headline_columns(inp, RULES, target_years=sorted(inp.targets), instruments=list(inp.instruments))


def rule_outcomes_sheet(book, rules: RulesResult, index: int) -> None:
    inp = rules.input
    T = inp.settings.target_year
    s = book.sheet(_("Rule outcomes"), index)
    s.title(_("Rules simulation: {scenario} — each instrument allocates by its own rules",
              scenario=inp.settings.scenario_name))
    s.line(_("Not an optimum: no shadow prices (every one is 0 in the sheets of this plan). Subsidy = committed "
             "(granted) money; abatement counts only what is realised. docs/rules.md describes every rule."))
    s.line(_("Order within each year: measures whose gap the CO2 price has closed, then {order} (rule sets "
             "sde_round, tender, fcfs, maatwerk; then workbook order).",
             order=" → ".join(rules.run_order) or _("no instrument")))
    s.heading(_("Result"))
    record = Headline.of(rules)
    s.pairs([(c.header, c.of_record(record, rules), c.field.fmt) for c in _figures(rules)])

    s.heading(_("Instruments"))
    rows = []
    for i, inst in inp.instruments.items():
        spent = rules.instrument_spend_meur(i)
        idle = sum(g.subsidy_meur.get(i, 0.0) * (g.idle_meur / g.total_meur)
                   for o in rules.outcomes.values() for g in o.grants if g.total_meur > 0)
        phases = ";".join(f"{p:g}" for p in phases_of(inst))
        rows.append([i, allocation_of(inst), phases or None, inst.eur_per_t_cap, spent,
                     sum(inp.budgets[i].values()), idle])
    s.table([Col(_("instrument")), Col(_("allocation (rule set)")), Col(_("phase ceilings (€/t)"), wrap=20),
             Col(_("€/t cap"), EUR_T), Col(_("committed (M€)"), M_EUR), Col(_("sum of yearly budgets (M€)"), M_EUR),
             Col(_("committed but idle (M€)"), M_EUR)], rows)

    s.heading(_("Measures"))
    rows = []
    for mid, o in rules.outcomes.items():
        m, mr = inp.measures[mid], rules.measures[mid]
        first = o.grants[0] if o.grants else None
        rows.append([
            mid, m.name, m.cluster, _(o.outcome), o.instrument_id,
            ";".join(sorted({str(g.year) for g in o.grants})) or None,
            (first.stage if first and first.stage != "round" else None),
            first.rank if first else None, first.phase if first else None,
            first.ask_eur_per_t if first and first.instrument_id else None,
            o.granted_share, o.realised_share, o.granted_meur, o.idle_meur, mr.abatement_mt,
            _limits(o.blocked_by) or None, o.reason,
        ])
    s.table([Col(_("measure id")), Col(_("name"), wrap=True), Col(_("cluster"), wrap=16), Col(_("outcome"), wrap=16),
             Col(_("granted by")), Col(_("grant year(s)")), Col(_("fence")), Col(_("rank in round"), COUNT),
             Col(_("phase"), COUNT), Col(_("subsidy intensity (€/t)"), EUR_T), Col(_("granted share (%)"), SHARE),
             Col(_("realised share (%)"), SHARE), Col(_("subsidy committed (M€)"), M_EUR), Col(_("committed but idle (M€)"), M_EUR),
             Col(_("abatement {year} (Mt CO2-eq/yr)", year=T), MT), Col(_("blocked by (kind id year)"), wrap=True),
             Col(_("what happened"), wrap=40)], rows, freeze=1, breaks=[4, 10])
    s.freeze(2)
    s.finish()


def rounds_sheet(book, rules: RulesResult, index: int) -> None:
    s = book.sheet(_("Rounds"), index)
    s.title(_("Rounds: every allocation stage of every instrument, year by year"))
    s.line(_("A stage is a yearly round (or a fence inside it): the budget left when it opened, the applications "
             "admitted and ranked, those granted and what this instrument paid (co-financing by others excluded)."))
    s.table([Col(_("year")), Col(_("instrument")), Col(_("allocation")), Col(_("stage")),
             Col(_("available (M€)"), M_EUR), Col(_("ceiling (€/t)"), EUR_T), Col(_("applications"), COUNT), Col(_("granted"), COUNT),
             Col(_("granted (M€)"), M_EUR)],
            [[r.year, r.instrument_id, r.allocation, r.stage, r.available_meur, r.ceiling_eur_per_t,
              r.applications, r.granted, r.granted_meur] for r in rules.rounds])
    s.freeze(2)
    s.finish()


# ---------------------------------------------------------------- Rules vs optimum

def rules_vs_optimum_sheet(book, gap: RulesGap, index: int) -> None:
    r, opt, same, spend = gap.rules, gap.optimum, gap.at_rules_abatement, gap.at_rules_spending
    inp = r.input
    T = gap.target_year
    s = book.sheet(_("Rules vs optimum"), index)
    s.title(_("Rules vs optimum: {scenario}", scenario=inp.settings.scenario_name))
    s.line(_("The rules realise {abatement} Mt CO2-eq/yr in {year} for {cost} M€ committed ({idle} M€ of it idle). "
             "The cheapest plan reaching the same abatement costs {same} M€: the rules need {extra} M€ more.",
             abatement=num(r.abatement_mt[T], ",.2f"), year=T, cost=num(r.public_cost_meur, ",.0f"),
             idle=num(r.committed_idle_meur, ",.0f"), same=num(same.public_cost_meur, ",.0f"),
             extra=num(gap.extra_public_cost_meur, ",.0f")))
    s.line(_("With the rules' spending ({used} M€ used of {cost} M€, per instrument and year), the optimum realises "
             "{abatement} Mt CO2-eq/yr in {year}: {extra} Mt/yr more than the rules.",
             used=num(spend.public_cost_meur, ",.0f"), cost=num(r.public_cost_meur, ",.0f"),
             abatement=num(spend.abatement_mt[T], ",.2f"), year=T, extra=num(gap.extra_abatement_mt, ",.2f")))
    s.heading(_("Headline numbers"))
    s.pairs([(_("extra public cost of the rules for the abatement they reach (M€)"), gap.extra_public_cost_meur, M_EUR),
             (_("extra abatement of the optimum with the rules' spending, {year} (Mt CO2-eq/yr)", year=T),
              gap.extra_abatement_mt, MT)], bold_labels=True, bold_values=True)

    s.heading(_("Side by side"))
    runs = (r, opt, same, spend)
    headers = [Col("", wrap=36), Col(_("rules")), Col(_("optimum (workbook targets)")),
               Col(_("optimum at the rules' abatement")), Col(_("optimum with the rules' spending"))]
    figures = _figures(r)
    records = [Headline.of(x) for x in runs]
    s.table(headers, [[c.header] + [c.of_record(record, x) for record, x in zip(records, runs)] for c in figures],
            row_formats=[c.field.fmt for c in figures])

    s.heading(_("Measures funded by one and not the other"))
    rules_only, opt_only = gap.funded_by_one_only(opt)
    same_rules_only, same_opt_only = gap.funded_by_one_only(same)
    rows = []
    for mid in inp.measures:
        tags = []
        if mid in rules_only:
            tags.append(_("rules, not the optimum"))
        if mid in opt_only:
            tags.append(_("the optimum, not the rules"))
        if mid in same_rules_only:
            tags.append(_("rules, not the optimum at the same abatement"))
        if mid in same_opt_only:
            tags.append(_("the optimum at the same abatement, not the rules"))
        if not tags:
            continue
        o, m = r.outcomes[mid], inp.measures[mid]
        rows.append([mid, m.name, m.cluster, "; ".join(tags), _(o.outcome), r.measures[mid].committed_share,
                     sum(r.measures[mid].subsidy_meur.values()), opt.measures[mid].committed_share,
                     sum(opt.measures[mid].subsidy_meur.values()), same.measures[mid].committed_share])
    s.table([Col(_("measure id"), wrap=36), Col(_("name"), wrap=True), Col(_("cluster"), wrap=16), Col(_("funded by"), wrap=24),
             Col(_("rules outcome"), wrap=16),
             Col(_("rules: granted share (%)"), SHARE), Col(_("rules: subsidy (M€)"), M_EUR),
             Col(_("optimum: share (%)"), SHARE), Col(_("optimum: subsidy (M€)"), M_EUR),
             Col(_("optimum at the rules' abatement: share (%)"), SHARE)], rows)
    if not rows:
        s.line(_("None: both fund the same measures."))

    s.heading(_("How the comparison runs were made (overrides on this workbook's inputs)"))
    for spec in gap.abatement_overrides:
        s.line(_("optimum at the rules' abatement: {spec}", spec=spec))
    for spec in gap.spending_overrides:
        s.line(_("optimum with the rules' spending: {spec}", spec=spec))
    s.freeze(2)
    s.finish()


# ---------------------------------------------------------------- files

def simulation_workbook(rules: RulesResult):
    book = plan_workbook(rules)
    book.title = _("Rules simulation: {scenario}", scenario=rules.input.settings.scenario_name)
    rule_outcomes_sheet(book, rules, 0)
    rounds_sheet(book, rules, 1)
    book.show_first()
    return book


def write_simulation(rules: RulesResult, path: str | os.PathLike, *, force: bool = True) -> Path:
    """The simulated plan: Rule outcomes, Rounds, then the plan workbook's sheets and effective inputs."""
    return save(simulation_workbook(rules), path, force=force)


def rules_gap_workbook(gap: RulesGap):
    book = plan_workbook(gap.optimum)
    rules_vs_optimum_sheet(book, gap, 0)
    rule_outcomes_sheet(book, gap.rules, 1)
    rounds_sheet(book, gap.rules, 2)
    book.show_first()
    return book


def write_rules_gap(gap: RulesGap, path: str | os.PathLike, *, force: bool = True) -> Path:
    """The optimal plan with Rules vs optimum, Rule outcomes and Rounds in front."""
    return save(rules_gap_workbook(gap), path, force=force)
