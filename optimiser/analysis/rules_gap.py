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

Stage logic (no openpyxl, no terminal): the workbook sheets are in
:mod:`optimiser.report.rules`, the JSON in :mod:`optimiser.report.json`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..input.data import PlanInput, ScenarioRow
from ..input.scenario import apply_overrides
from ..model.optimum import solve_input
from ..model.results import PlanResult
from .simulate import NOT_REALISED, PARTLY_REALISED, RulesResult, simulate


@dataclass
class RulesGap:
    """The four runs of a rules-vs-optimum comparison and what they say."""

    rules: RulesResult
    optimum: PlanResult
    at_rules_abatement: PlanResult  # min-cost, targets = the rules' realised abatement
    at_rules_spending: PlanResult  # max-abatement, budgets = what the rules committed
    abatement_overrides: list[str] = field(default_factory=list)
    spending_overrides: list[str] = field(default_factory=list)

    @property
    def target_year(self) -> int:
        return self.rules.input.settings.target_year

    @property
    def extra_public_cost_meur(self) -> float:
        """Headline one: what the rules spend beyond the cheapest plan reaching the same abatement (M€)."""
        return self.rules.public_cost_meur - self.at_rules_abatement.public_cost_meur

    @property
    def extra_abatement_mt(self) -> float:
        """Headline two: what the optimum abates beyond the rules with the rules' spending (Mt/yr in T)."""
        T = self.target_year
        return self.at_rules_spending.abatement_mt[T] - self.rules.abatement_mt[T]

    def funded_by_one_only(self, other: PlanResult) -> tuple[list[str], list[str]]:
        """(taken up by the rules but not by ``other``, taken up by ``other`` but not by the rules)."""
        rules = {m for m, mr in self.rules.measures.items() if mr.taken_up}
        theirs = {m for m, mr in other.measures.items() if mr.taken_up}
        order = list(self.rules.input.measures)
        return [m for m in order if m in rules - theirs], [m for m in order if m in theirs - rules]

    @property
    def granted_not_realised(self) -> list[str]:
        return [m for m, o in self.rules.outcomes.items() if o.outcome in (NOT_REALISED, PARTLY_REALISED)]


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
            total = min(_up(rules.instrument_spend_meur(i)), inst.period_budget_meur)
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
