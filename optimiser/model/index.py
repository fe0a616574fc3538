"""The model's sparse index sets (docs/model.md sections 2–4), computed in plain Python before anything is built.

Index sets are sparse: a commitment variable d[m,y] exists only for years
y ≥ e_m in which the measure can still operate by the last year and can be
funded (its gap is zero, or it has an eligible instrument with budget that
year); a subsidy variable s[m,i,y] only for eligible pairs with a positive gap
and a budget; a cap row only where the cap can bind. The constraint families
(:mod:`optimiser.model.families`) and the Pyomo rules only read these lists
and dicts.

Symbols → names
  d_{m,y}  ``model.d[m, y]``       share of m newly committed in y
  x_{m,y}  Σ_{t≤y} d_{m,t}         share committed by y (an expression)
  o_{m,y}  x_{m,y−L_m}             share operating in y (an expression)
  s_{m,i,y} ``model.s[m, i, y]``   subsidy from i to m committed in y (M€)
  σ_y      ``model.shortfall[y]``  shortfall in target year y (Mt)
  b_{m,y}  ``model.b[m, y]``       lumpy: committed in full in y (binary)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..input.data import PlanInput

@dataclass
class Index:
    """Sparse index sets and coefficient lookups of one model instance."""

    years: list[int]
    target_years: list[int]
    gap: dict[tuple[str, int], float] = field(default_factory=dict)  # Gap_{m,y} (M€ per full share)
    d_keys: list[tuple[str, int]] = field(default_factory=list)
    d_years: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    s_keys: list[tuple[str, str, int]] = field(default_factory=list)
    s_by_my: dict[tuple[str, int], list[str]] = field(default_factory=lambda: defaultdict(list))
    s_by_iy: dict[tuple[str, int], list[str]] = field(default_factory=lambda: defaultdict(list))
    funding_keys: list[tuple[str, int]] = field(default_factory=list)
    capex_cap: dict[tuple[str, str, int], float] = field(default_factory=dict)  # coefficient on d
    eur_per_t_cap: dict[tuple[str, str, int], float] = field(default_factory=dict)
    budget_keys: list[tuple[str, int]] = field(default_factory=list)
    period_budget_keys: list[str] = field(default_factory=list)
    resource_terms: dict[tuple[str, int], list[tuple[float, str, int]]] = field(default_factory=dict)
    max_share_keys: list[str] = field(default_factory=list)
    exclusive: dict[str, list[str]] = field(default_factory=dict)
    lumpy_keys: list[tuple[str, int]] = field(default_factory=list)
    target_terms: dict[int, list[tuple[float, str, int]]] = field(default_factory=dict)
    excluded: dict[str, tuple[str, str]] = field(default_factory=dict)  # measure → (kind, why it has no variable)


def unit_gap(inp: PlanInput, m: str, y: int) -> float:
    """g_{m,y} = max(0, c_m − p_y): unprofitable gap per tonne (€/t)."""
    return max(0.0, inp.measures[m].cost_eur_per_t - inp.co2_price[y])


def index_sets(inp: PlanInput, *, late_until: int | None = None, stable: bool = False) -> Index:
    """The index sets of ``inp``.

    ``late_until``: commitments in years up to this one exist even when they cannot operate within the
    horizon (a stochastic program shares them between futures with different lead times).
    ``stable``: the sets do not depend on costs and prices (many futures re-solved on one model): a
    funding row and subsidy variables also where the gap is zero (they pay 0), and a cap row wherever
    the instrument has that cap, even where it cannot bind. The optimum is the same.
    """
    years = inp.years
    last = years[-1]
    idx = Index(years=years, target_years=sorted(inp.targets))
    budgets = inp.budgets
    for mid, m in inp.measures.items():
        first = max(m.earliest_year, years[0])
        can_fund_any = False
        for y in range(first, last + 1):
            if y + m.lead_time_years > last and (late_until is None or y > late_until):
                break  # committed now, it cannot operate within the horizon
            g = unit_gap(inp, mid, y) * m.abatement_mt * m.support_years
            if g > 0 or stable:
                insts = [i for i in m.eligible_instruments if budgets[i][y] > 0 or inp.settings.elastic]
                insts = [i for i in insts if _cap_coefficient(inp, mid, i) != 0.0]
                if not insts and g > 0:
                    continue
                idx.gap[(mid, y)] = g
                if not insts:  # stable, no gap and nothing to pay it with: committed without a subsidy
                    idx.d_keys.append((mid, y))
                    idx.d_years[mid].append(y)
                    can_fund_any = True
                    continue
                idx.funding_keys.append((mid, y))
                for i in insts:
                    idx.s_keys.append((mid, i, y))
                    idx.s_by_my[(mid, y)].append(i)
                    idx.s_by_iy[(i, y)].append(mid)
                    inst = inp.instruments[i]
                    if inst.capex_share_cap is not None and (stable or inst.capex_share_cap * m.capex_meur < g):
                        idx.capex_cap[(mid, i, y)] = inst.capex_share_cap * m.capex_meur
                    if inst.eur_per_t_cap is not None and (
                            stable or inst.eur_per_t_cap * m.abatement_mt * m.support_years < g):
                        idx.eur_per_t_cap[(mid, i, y)] = inst.eur_per_t_cap * m.abatement_mt * m.support_years
            else:
                idx.gap[(mid, y)] = 0.0
            idx.d_keys.append((mid, y))
            idx.d_years[mid].append(y)
            can_fund_any = True
        if not can_fund_any:
            idx.excluded[mid] = _why_excluded(inp, mid)
            continue
        idx.max_share_keys.append(mid)
        if m.lumpy:
            idx.lumpy_keys += [(mid, y) for y in idx.d_years[mid]]
        if m.exclusive_group:
            idx.exclusive.setdefault(m.exclusive_group, []).append(mid)
    # a lone member is already bounded by its max_share ≤ 1
    idx.exclusive = {g: ms for g, ms in idx.exclusive.items() if len(ms) > 1}

    seen_budget = set()
    for (mid, i, y) in idx.s_keys:
        if (i, y) not in seen_budget:
            seen_budget.add((i, y))
            idx.budget_keys.append((i, y))
    order = {i: n for n, i in enumerate(inp.instruments)}
    idx.budget_keys.sort(key=lambda k: (order[k[0]], k[1]))
    used = {i for (_, i, _) in idx.s_keys}
    idx.period_budget_keys = [i for i, inst in inp.instruments.items() if inst.period_budget_meur is not None and i in used]

    # resources: stock rows count what operates (committed ≥ L years before), flow rows what is built
    usage_by_resource: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (mid, r), a in inp.usage.items():
        if a != 0 and mid in idx.d_years:
            usage_by_resource[r].append((mid, a))
    for r, res in inp.resources.items():
        for y in years:
            terms = []
            for mid, a in usage_by_resource.get(r, []):
                lead = inp.measures[mid].lead_time_years
                for t in idx.d_years[mid]:
                    if (res.kind == "stock" and t + lead <= y) or (res.kind == "flow" and t == y):
                        terms.append((a, mid, t))
            if terms:
                idx.resource_terms[(r, y)] = terms

    for y in idx.target_years:
        idx.target_terms[y] = [
            (inp.measures[mid].abatement_mt, mid, t)
            for mid, ts in idx.d_years.items()
            for t in ts
            if t + inp.measures[mid].lead_time_years <= y
        ]
    return idx


def _cap_coefficient(inp: PlanInput, mid: str, i: str) -> float | None:
    """0.0 when instrument i can pay nothing to m (a zero cap), else None."""
    inst, m = inp.instruments[i], inp.measures[mid]
    if inst.capex_share_cap is not None and inst.capex_share_cap * m.capex_meur == 0:
        return 0.0
    if inst.eur_per_t_cap is not None and inst.eur_per_t_cap == 0:
        return 0.0
    return None


def _why_excluded(inp: PlanInput, mid: str) -> tuple[str, str]:
    m = inp.measures[mid]
    last = inp.years[-1]
    first = max(m.earliest_year, inp.years[0])
    if first > last:
        return "earliest_year", f"earliest year {m.earliest_year} is after {last}"
    if first + m.lead_time_years > last:
        return "lead_time", (f"lead time too long: committed in {first} at the earliest, it operates from "
                             f"{first + m.lead_time_years}, after {last}")
    if not m.eligible_instruments:
        return "eligibility", "needs a subsidy but is eligible for no instrument"
    return "eligibility", ("needs a subsidy but none of its instruments (" + ", ".join(m.eligible_instruments)
                           + ") has budget or room under its caps in the years it could be committed")


def has_shortfall(inp: PlanInput) -> bool:
    """σ exists unless the run is strict (no shortfall) or maximises abatement (no target)."""
    return inp.settings.objective == "min-cost" and not inp.settings.strict


# ---------------------------------------------------------------- rows as data
#
# Each constraint family returns its rows as plain data — for every row key the linear
# terms (coefficient, variable name, variable index), the sense and the right-hand side —
# so the same numbers build the Pyomo model and update a live HiGHS instance in a sweep
# (optimiser.model.solve.Solver.update).

Term = tuple[float, str, object]


@dataclass
class Rows:
    sense: str  # "<=", "==" or ">="
    terms: dict[object, list[Term]] = field(default_factory=dict)
    rhs: dict[object, float] = field(default_factory=dict)

    def add(self, key, terms: list[Term], rhs: float) -> None:
        self.terms[key] = terms
        self.rhs[key] = rhs
