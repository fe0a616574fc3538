"""The rules simulation's sheets: "Rules vs optimum", "Rule outcomes" and "Rounds".

``policymix simulate`` writes the plan workbook of :mod:`optimiser.report.plan` for
the simulated plan (same sheets, same effective inputs, so it re-reads as an
input) with "Rule outcomes" and "Rounds" in front. ``policymix rules-gap`` (and
``plan --versus-rules``) writes the optimal plan's workbook with "Rules vs
optimum", "Rule outcomes" and "Rounds" in front. Like the rest of the workbook
layer, every cell and file goes through the spreadsheet toolkit
(:mod:`optimiser.report.xlsx`).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..analysis.rules_gap import RulesGap, cost_per_t
from ..analysis.simulate import RulesResult, allocation_of, phases_of
from ..lang import _, num
from .plan import plan_workbook
from .xlsx import COUNT, EUR_T, M_EUR, MT, SHARE, Col, Sheet, save


# ---------------------------------------------------------------- Rule outcomes and Rounds

def _limits(blocked: list[dict]) -> str:
    return "; ".join(f"{b['kind']} {b['id']}" + (f" {b['year']}" if b.get("year") is not None else "")
                     for b in blocked)


def rule_outcomes_sheet(wb, rules: RulesResult, index: int) -> None:
    inp = rules.input
    T = inp.settings.target_year
    s = Sheet(wb, _("Rule outcomes"), index)
    s.title(_("Rules simulation: {scenario} — each instrument allocates by its own rules",
              scenario=inp.settings.scenario_name))
    s.line(_("Not an optimum: no shadow prices (every one is 0 in the sheets of this plan). Subsidy = committed "
             "(granted) money; abatement counts only what is realised. docs/rules.md describes every rule."))
    s.line(_("Order within each year: measures whose gap the CO2 price has closed, then {order} (rule sets "
             "sde_round, tender, fcfs, maatwerk; then workbook order).",
             order=" → ".join(rules.run_order) or _("no instrument")))
    s.heading(_("Result"))
    realised_cost = rules.realised_cost_meur
    pairs = [
        (_("abatement realised {year} (Mt CO2-eq/yr)", year=T), rules.abatement_mt[T], MT),
        (_("target {year} (Mt CO2-eq/yr)", year=T), rules.target_mt[T], MT),
        (_("public cost committed (M€)"), rules.public_cost_meur, M_EUR),
        (_("of which committed but idle (M€)"), rules.committed_idle_meur, M_EUR),
        (_("public cost of realised measures (M€)"), realised_cost, M_EUR),
        (_("public cost per t of annual abatement {year} (€/t)", year=T), cost_per_t(rules), EUR_T),
    ]
    for label, value, fmt in pairs:
        s.put(s.row, 1, label)
        s.put(s.row, 2, value, fmt)
        s.row += 1

    s.heading(_("Instruments"))
    rows = []
    for i, inst in inp.instruments.items():
        spent = sum(rules.spend_meur[(i, y)] for y in inp.years)
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
    s.ws.freeze_panes = "A3"
    s.finish()


def rounds_sheet(wb, rules: RulesResult, index: int) -> None:
    s = Sheet(wb, _("Rounds"), index)
    s.title(_("Rounds: every allocation stage of every instrument, year by year"))
    s.line(_("A stage is a yearly round (or a fence inside it): the budget left when it opened, the applications "
             "admitted and ranked, those granted and what this instrument paid (co-financing by others excluded)."))
    s.table([Col(_("year")), Col(_("instrument")), Col(_("allocation")), Col(_("stage")),
             Col(_("available (M€)"), M_EUR), Col(_("ceiling (€/t)"), EUR_T), Col(_("applications"), COUNT), Col(_("granted"), COUNT),
             Col(_("granted (M€)"), M_EUR)],
            [[r.year, r.instrument_id, r.allocation, r.stage, r.available_meur, r.ceiling_eur_per_t,
              r.applications, r.granted, r.granted_meur] for r in rules.rounds])
    s.ws.freeze_panes = "A3"
    s.finish()


# ---------------------------------------------------------------- Rules vs optimum

def rules_vs_optimum_sheet(wb, gap: RulesGap, index: int) -> None:
    r, opt, same, spend = gap.rules, gap.optimum, gap.at_rules_abatement, gap.at_rules_spending
    inp = r.input
    T = gap.target_year
    s = Sheet(wb, _("Rules vs optimum"), index)
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
    for label, value, fmt in (
        (_("extra public cost of the rules for the abatement they reach (M€)"), gap.extra_public_cost_meur, M_EUR),
        (_("extra abatement of the optimum with the rules' spending, {year} (Mt CO2-eq/yr)", year=T),
         gap.extra_abatement_mt, MT),
    ):
        s.put(s.row, 1, label).font = s.st.bold
        s.put(s.row, 2, value, fmt).font = s.st.bold
        s.row += 1

    s.heading(_("Side by side"))
    runs = (r, opt, same, spend)
    headers = [Col("", wrap=36), Col(_("rules")), Col(_("optimum (workbook targets)")),
               Col(_("optimum at the rules' abatement")), Col(_("optimum with the rules' spending"))]
    words = {"target_met": _("target met"), "target_not_met": _("target not met")}
    rows = [[_("status")] + [words.get(x.status, x.status.replace("_", " ")) for x in runs]]
    for y in r.target_mt:
        rows.append([_("abatement {year} (Mt CO2-eq/yr)", year=y)] + [x.abatement_mt[y] for x in runs])
        rows.append([_("target {year} (Mt CO2-eq/yr)", year=y)] + [x.target_mt[y] for x in runs])
    rows.append([_("public cost committed (M€)")] + [x.public_cost_meur for x in runs])
    rows.append([_("of which committed but idle (M€)"), r.committed_idle_meur, 0.0, 0.0, 0.0])
    rows.append([_("public cost per t of annual abatement {year} (€/t)", year=T)] + [cost_per_t(x) for x in runs])
    rows.append([_("measures taken up (count)")] + [sum(1 for mr in x.measures.values() if mr.committed_share > 1e-6)
                                                    for x in runs])
    for i in inp.instruments:
        rows.append([_("committed by {instrument} (M€)", instrument=i)]
                    + [sum(x.spend_meur[(i, y)] for y in inp.years) for x in runs])
    s.table(headers, [[row[0]] + list(row[1:]) for row in rows])
    for row in range(s.row - len(rows), s.row):  # number formats by row: Mt, M€, €/t, counts
        label = str(s.ws.cell(row=row, column=1).value)
        fmt = MT if "Mt" in label else EUR_T if "€/t" in label else COUNT if label == _("measures taken up (count)") \
            else M_EUR
        for col in range(2, 6):
            cell = s.ws.cell(row=row, column=col)
            if isinstance(cell.value, (int, float)):
                cell.number_format = fmt

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
    s.ws.freeze_panes = "A3"
    s.finish()


# ---------------------------------------------------------------- files

def simulation_workbook(rules: RulesResult):
    wb = plan_workbook(rules)
    wb.properties.title = _("Rules simulation: {scenario}", scenario=rules.input.settings.scenario_name)
    rule_outcomes_sheet(wb, rules, 0)
    rounds_sheet(wb, rules, 1)
    wb.active = 0
    return wb


def write_simulation(rules: RulesResult, path: str | os.PathLike, *, force: bool = True) -> Path:
    """The simulated plan: Rule outcomes, Rounds, then the plan workbook's sheets and effective inputs."""
    return save(simulation_workbook(rules), path, force=force)


def rules_gap_workbook(gap: RulesGap):
    wb = plan_workbook(gap.optimum)
    rules_vs_optimum_sheet(wb, gap, 0)
    rule_outcomes_sheet(wb, gap.rules, 1)
    rounds_sheet(wb, gap.rules, 2)
    wb.active = 0
    return wb


def write_rules_gap(gap: RulesGap, path: str | os.PathLike, *, force: bool = True) -> Path:
    """The optimal plan with Rules vs optimum, Rule outcomes and Rounds in front."""
    return save(rules_gap_workbook(gap), path, force=force)
