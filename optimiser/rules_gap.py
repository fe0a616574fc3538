"""Rules vs optimum: how far the instruments' own allocation rules land from the best possible plan.

Four runs on one input (docs/rules.md):

1. **rules** — :func:`optimiser.simulate.simulate`: each instrument allocates by
   its own rules; abatement counts only what is realised.
2. **optimum** — the plan as ``policymix plan`` solves it (the workbook's targets).
3. **optimum at the rules' abatement** — min-cost, with every target set to the
   abatement the rules realise in that year (overrides on
   ``settings:target_reduction_mt`` and ``targets:YEAR:reduction_mt``). Headline
   one: the rules' public cost minus this one's is the extra public cost the
   rules need for the abatement they reach.
4. **optimum with the rules' spending** — max-abatement, with each instrument's
   budget in each year set to what the rules committed there (and its period
   budget to the rules' total). Headline two: its abatement in the target year
   minus the rules' is the extra abatement the optimum reaches with the same money.

The rules' plan is a feasible plan of the model (its realised part meets every
budget, cap, resource and exclusive limit), so both headlines are ≥ 0 up to
solver precision (and, with lumpy measures, the MIP gap).

Stage logic (no openpyxl); the workbook sheets are in :mod:`optimiser.write_rules`.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .data import PlanInput, ScenarioRow
from .extract import TOL, PlanResult
from .pipeline import EXIT_NOT_MET, EXIT_OK, prepare, solve_input, stamp, write_outputs
from .read import DEFAULT_MAX_UNZIPPED_MB
from .scenario import apply_overrides
from .simulate import RulesGap, RulesResult, allocation_of, cost_per_t, phases_of, simulate
from .write import plan_json


def _literal(text: str) -> str:
    """An id as an override pattern that matches only itself (wildcard characters bracketed)."""
    return "".join(f"[{ch}]" if ch in "*?[]" else ch for ch in str(text))


#: Overrides carry 9 decimals: budgets rounded up and targets rounded down, so the rules' own plan stays
#: feasible in the comparison runs (a difference of at most 1e-9 M€ or Mt/yr).
DECIMALS = 9


def _up(v: float) -> float:
    return math.ceil(round(v * 10**DECIMALS, 3)) / 10**DECIMALS


def _down(v: float) -> float:
    return max(0.0, math.floor(round(v * 10**DECIMALS, 3)) / 10**DECIMALS)


def _set(sheet: str, rid: str, column: str, value) -> ScenarioRow:
    return ScenarioRow("rules-gap", sheet, rid, column, "set", value)


def _plain(inp: PlanInput) -> list[ScenarioRow]:
    """Overrides that turn elastic and strict mode off (the comparison runs are plain plans)."""
    rows = []
    if inp.settings.elastic:
        rows.append(_set("settings", "elastic", "value", "no"))
    if inp.settings.strict:
        rows.append(_set("settings", "strict", "value", "no"))
    return rows


def at_abatement_overrides(inp: PlanInput, rules: PlanResult) -> list[ScenarioRow]:
    """Min-cost with every target set to the abatement the rules realise in that year."""
    T = inp.settings.target_year
    rows = [_set("settings", "objective", "value", "min-cost")] + _plain(inp)
    rows.append(_set("settings", "target_reduction_mt", "value", _down(rules.abatement_mt[T])))
    for y in sorted(inp.targets):
        if y != T:
            rows.append(_set("targets", str(y), "reduction_mt", _down(rules.abatement_mt[y])))
    return rows


def at_spending_overrides(inp: PlanInput, rules: PlanResult) -> list[ScenarioRow]:
    """Max-abatement with each instrument's yearly (and period) budget set to what the rules committed."""
    rows = [_set("settings", "objective", "value", "max-abatement")] + _plain(inp)
    for i, inst in inp.instruments.items():
        for y in inp.years:
            spent = min(_up(rules.spend_meur[(i, y)]), inp.budgets[i][y])
            if spent != inp.budgets[i][y]:
                rows.append(_set("budgets", _literal(i), str(y), spent))
        if inst.period_budget_meur is not None:
            total = min(_up(sum(rules.spend_meur[(i, y)] for y in inp.years)), inst.period_budget_meur)
            if total < inst.period_budget_meur:
                rows.append(_set("instruments", _literal(i), "period_budget_meur", total))
    return rows


def compare(inp: PlanInput, *, rules: RulesResult | None = None, optimum: PlanResult | None = None,
            time_limit_s: float | None = None) -> RulesGap:
    """Simulate the rules, solve the optimum and the two comparison runs (SolverFailure propagates)."""
    rules = rules if rules is not None else simulate(inp)
    optimum = optimum if optimum is not None else solve_input(inp, time_limit_s=time_limit_s)
    by_abatement = at_abatement_overrides(inp, rules)
    by_spending = at_spending_overrides(inp, rules)
    same_abatement = solve_input(apply_overrides(inp, by_abatement), time_limit_s=time_limit_s)
    same_spending = solve_input(apply_overrides(inp, by_spending), time_limit_s=time_limit_s)
    return RulesGap(rules, optimum, same_abatement, same_spending,
                    [o.spec() for o in by_abatement], [o.spec() for o in by_spending])


# ---------------------------------------------------------------- JSON

def _num(v) -> float | None:
    if v is None:
        return None
    return round(float(v), 9)


def _side(result: PlanResult) -> dict:
    inp = result.input
    out = {
        "status": result.status,
        "abatement_mt": {str(y): _num(v) for y, v in result.abatement_mt.items()},
        "public_cost_meur": _num(result.public_cost_meur),
        "cost_per_t_eur": _num(cost_per_t(result)),
        "spend_meur": {i: _num(sum(result.spend_meur[(i, y)] for y in inp.years)) for i in inp.instruments},
        "measures_taken_up": sum(1 for mr in result.measures.values() if mr.committed_share > TOL),
    }
    if isinstance(result, RulesResult):
        out["committed_idle_meur"] = _num(result.committed_idle_meur)
        out["realised_cost_meur"] = _num(result.realised_cost_meur)
    return out


def rules_gap_json(gap: RulesGap) -> dict:
    """The ``rules_vs_optimum`` section of the JSON result (years as strings)."""
    rules_only, optimum_only = gap.funded_by_one_only(gap.optimum)
    same_rules_only, same_optimum_only = gap.funded_by_one_only(gap.at_rules_abatement)
    return {
        "target_year": str(gap.target_year),
        "extra_public_cost_meur": _num(gap.extra_public_cost_meur),
        "extra_abatement_mt": _num(gap.extra_abatement_mt),
        "rules": _side(gap.rules),
        "optimum": _side(gap.optimum),
        "optimum_at_rules_abatement": _side(gap.at_rules_abatement),
        "optimum_at_rules_spending": _side(gap.at_rules_spending),
        "funded_by_rules_only": rules_only,
        "funded_by_optimum_only": optimum_only,
        "at_rules_abatement": {"funded_by_rules_only": same_rules_only, "funded_by_optimum_only": same_optimum_only},
        "granted_not_realised": gap.granted_not_realised,
        "overrides": {"optimum_at_rules_abatement": gap.abatement_overrides,
                      "optimum_at_rules_spending": gap.spending_overrides},
    }


def simulation_json(rules: RulesResult) -> dict:
    """The plan JSON of the contract for a rules simulation, plus each measure's rule outcome and a ``rules`` key."""
    out = plan_json(rules)
    for mid, o in rules.outcomes.items():
        out["measures"][mid]["rule_outcome"] = {
            "outcome": o.outcome,
            "granted": o.granted,
            "realised": o.realised,
            "instrument": o.instrument_id,
            "granted_share": _num(o.granted_share),
            "realised_share": _num(o.realised_share),
            "granted_meur": _num(o.granted_meur),
            "idle_meur": _num(o.idle_meur),
            "grants": [
                {"instrument": g.instrument_id, "year": str(g.year), "stage": g.stage, "rank": g.rank,
                 "phase": g.phase, "share": _num(g.share), "realised_share": _num(g.realised_share),
                 "subsidy_meur": {i: _num(v) for i, v in g.subsidy_meur.items()},
                 "eur_per_t": _num(g.ask_eur_per_t)}
                for g in o.grants
            ],
            "reason": o.reason,
        }
    inp = rules.input
    out["rules"] = {
        "run_order": rules.run_order,
        "allocation": {i: allocation_of(inst) for i, inst in inp.instruments.items()},
        "phases_eur_per_t": {i: list(phases_of(inst)) for i, inst in inp.instruments.items() if phases_of(inst)},
        "committed_idle_meur": _num(rules.committed_idle_meur),
        "realised_cost_meur": _num(rules.realised_cost_meur),
        "rounds": [
            {"instrument": r.instrument_id, "allocation": r.allocation, "year": str(r.year), "stage": r.stage,
             "available_meur": _num(r.available_meur), "applications": r.applications, "granted": r.granted,
             "granted_meur": _num(r.granted_meur), "ceiling_eur_per_t": _num(r.ceiling_eur_per_t)}
            for r in rules.rounds
        ],
    }
    return out


# ---------------------------------------------------------------- words for the terminal

def summary_lines(gap: RulesGap) -> list[str]:
    """The comparison in a few sentences (for the terminal and docs)."""
    T = gap.target_year
    r, same, spend = gap.rules, gap.at_rules_abatement, gap.at_rules_spending
    lines = [
        f"Rules: {r.abatement_mt[T]:.2f} Mt/yr realised in {T} for {r.public_cost_meur:,.0f} M€ committed "
        f"({r.committed_idle_meur:,.0f} M€ of it idle: granted to projects that cannot be realised).",
        f"Optimum: {gap.optimum.abatement_mt[T]:.2f} Mt/yr in {T} for {gap.optimum.public_cost_meur:,.0f} M€ "
        f"(target {gap.optimum.target_mt[T]:.2f} Mt/yr).",
        f"Extra public cost of the rules for their abatement: {gap.extra_public_cost_meur:,.0f} M€ "
        f"(the optimum reaches {r.abatement_mt[T]:.2f} Mt/yr for {same.public_cost_meur:,.0f} M€).",
        f"Extra abatement of the optimum with the rules' spending: {gap.extra_abatement_mt:.2f} Mt/yr "
        f"({spend.abatement_mt[T]:.2f} Mt/yr for {spend.public_cost_meur:,.0f} M€).",
    ]
    rules_only, optimum_only = gap.funded_by_one_only(same)
    if rules_only or optimum_only:
        lines.append(f"At the same abatement, funded by the rules only: {', '.join(rules_only) or 'none'}; "
                     f"by the optimum only: {', '.join(optimum_only) or 'none'}.")
    if gap.granted_not_realised:
        lines.append(f"Granted but not (fully) realised: {', '.join(gap.granted_not_realised)}.")
    return lines


def simulation_lines(rules: RulesResult) -> list[str]:
    T = rules.input.settings.target_year
    counts: dict[str, int] = {}
    for o in rules.outcomes.values():
        counts[o.outcome] = counts.get(o.outcome, 0) + 1
    met = "target met" if rules.target_met else (
        "target NOT met (" + ", ".join(f"{y}: {v:.2f} Mt short" for y, v in rules.shortfall_mt.items() if v > 0) + ")")
    return [
        f"Rules simulation ({' → '.join(rules.run_order) or 'no instrument allocates'}): {met}; "
        f"{rules.abatement_mt[T]:.2f} Mt/yr realised in {T} for {rules.public_cost_meur:,.0f} M€ committed, "
        f"{rules.committed_idle_meur:,.0f} M€ of it idle.",
        "Measures: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + ".",
    ]


# ---------------------------------------------------------------- end to end (the CLI calls these)

@dataclass
class RulesOutcome:
    result: PlanResult  # the simulated plan (simulate) or the optimum (rules-gap)
    exit_code: int
    gap: RulesGap | None = None
    plan_path: Path | None = None
    json_path: str | None = None
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def run_simulate(workbook: str | os.PathLike | None = None, *, scenario: str | None = None,
                 overrides: list[tuple[str, str]] = (), output: str | os.PathLike | None = None,
                 json_path: str | None = None, force: bool = False, outputs_dir: str | os.PathLike = "outputs",
                 write_workbook: bool = True, max_unzipped_mb: float = DEFAULT_MAX_UNZIPPED_MB) -> RulesOutcome:
    """``policymix simulate``: allocate by the rules and write the plan in the optimal plan's shape."""
    from .write_rules import write_simulation

    t0 = time.perf_counter()
    wb, inp, applied, out = prepare(workbook, scenario, overrides, output, json_path, force, max_unzipped_mb)
    result = simulate(inp)
    stamp(result, wb, applied)
    t1 = time.perf_counter()
    path = write_outputs(lambda p, force: write_simulation(result, p, force=force), out, force,
                         inp.settings.scenario_name, outputs_dir, "rules", write_workbook,
                         json_path, lambda: simulation_json(result))
    code = EXIT_OK if result.target_met else EXIT_NOT_MET
    return RulesOutcome(result, code, None, path, json_path, list(wb.notes),
                        {"simulate": t1 - t0, "write": time.perf_counter() - t1})


def run_rules_gap(workbook: str | os.PathLike | None = None, *, scenario: str | None = None,
                  overrides: list[tuple[str, str]] = (), output: str | os.PathLike | None = None,
                  json_path: str | None = None, force: bool = False, outputs_dir: str | os.PathLike = "outputs",
                  write_workbook: bool = True, max_unzipped_mb: float = DEFAULT_MAX_UNZIPPED_MB,
                  alternatives: int = 0, slack: float = 0.05) -> RulesOutcome:
    """``policymix rules-gap`` / ``plan --versus-rules``: the optimal plan with the rules beside it.

    The exit code is the plan's (0 target met, 3 not met): the comparison is added to the plan.
    """
    from .write_rules import write_rules_gap

    t0 = time.perf_counter()
    wb, inp, applied, out = prepare(workbook, scenario, overrides, output, json_path, force, max_unzipped_mb)
    optimum = solve_input(inp, alternatives=alternatives, slack=slack)
    gap = compare(inp, optimum=optimum)
    for result in (gap.rules, gap.optimum):
        stamp(result, wb, applied)
    t1 = time.perf_counter()
    path = write_outputs(lambda p, force: write_rules_gap(gap, p, force=force), out, force,
                         inp.settings.scenario_name, outputs_dir, "rules-gap", write_workbook,
                         json_path, lambda: dict(plan_json(optimum), rules_vs_optimum=rules_gap_json(gap)))
    code = EXIT_OK if optimum.target_met else EXIT_NOT_MET
    return RulesOutcome(optimum, code, gap, path, json_path, list(wb.notes),
                        {"solve": t1 - t0, "write": time.perf_counter() - t1})
