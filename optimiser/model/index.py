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

from ..lang import _, ngettext, num
from ..input.data import PlanInput
from .committed import Decisions, decisions

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
    decisions: Decisions = field(default_factory=Decisions)  # sheet committed: past decisions, forced ones


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
    idx = Index(years=years, target_years=sorted(inp.targets), decisions=decisions(inp))
    budgets = inp.budgets
    forced_years: dict[str, set[int]] = defaultdict(set)
    for (mid, y) in idx.decisions.forced:
        forced_years[mid].add(y)
    for mid, m in inp.measures.items():
        if idx.decisions.left(inp, mid) <= 1e-12:
            idx.excluded[mid] = ("committed", _("committed in full before {year} (sheet committed)", year=years[0]))
            continue
        first = max(m.earliest_year, years[0])
        can_fund_any = False
        for y in range(first, last + 1):
            if y + m.lead_time_years > last and y not in forced_years[mid] and (late_until is None or y > late_until):
                continue  # committed now, it cannot operate within the horizon (unless forced or shared)
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
    # a lone member is already bounded by its max_share ≤ 1, unless past decisions took part of the group
    idx.exclusive = {g: ms for g, ms in idx.exclusive.items()
                     if len(ms) > 1 or idx.decisions.past_group.get(g, 0.0) > 0}

    seen_budget = set()
    for (mid, i, y) in idx.s_keys:
        if (i, y) not in seen_budget:
            seen_budget.add((i, y))
            idx.budget_keys.append((i, y))
    order = {i: n for n, i in enumerate(inp.instruments)}
    idx.budget_keys.sort(key=lambda k: (order[k[0]], k[1]))
    used = {i for (_m, i, _y) in idx.s_keys}
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
        return "earliest_year", _("earliest year {year} is after {last}", year=m.earliest_year, last=last)
    if first + m.lead_time_years > last:
        return "lead_time", _("lead time too long: committed in {first} at the earliest, it operates from "
                              "{operating}, after {last}", first=first, operating=first + m.lead_time_years, last=last)
    if not m.eligible_instruments:
        return "eligibility", _("needs a subsidy but is eligible for no instrument")
    return "eligibility", _("needs a subsidy but none of its instruments ({instruments}) has budget or room under its "
                            "caps in the years it could be committed", instruments=", ".join(m.eligible_instruments))


# ---------------------------------------------------------------- the shortfall penalty P

#: A derived P is this many times the dearest measure's public cost per Mt/yr (its gap × support years ×
#: cost weight), rounded up to 1, 2 or 5 × a power of ten: missing the target is never cheaper than funding a
#: measure that could meet it, even through a chain of swaps between measures that share a limit.
PENALTY_FACTOR = 10.0
#: … and at least this (€/t, i.e. M€ per Mt/yr), so that P stays meaningful when every measure is cheap.
PENALTY_FLOOR = 1_000.0


def measure_cost_per_mt(inp: PlanInput, mid: str) -> float:
    """The most public money one Mt/yr of the measure can cost: max over the years it can be committed
    (from max(e_m, y0), operating by target_year) of g_{m,y} · D_m · the highest cost weight of its
    instruments (M€ per Mt/yr, i.e. € per t/yr). 0 when it needs no subsidy or can never be committed."""
    m = inp.measures[mid]
    weights = [inp.instruments[i].cost_weight for i in m.eligible_instruments if i in inp.instruments]
    if not weights:
        return 0.0
    last = inp.years[-1]
    years = [y for y in inp.years if y >= m.earliest_year and y + m.lead_time_years <= last]
    return max((unit_gap(inp, mid, y) * m.support_years * max(weights) for y in years), default=0.0)


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 × 10^k that is ≥ value."""
    import math

    if value <= 0:
        return 0.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 5.0, 10.0):
        if step * power >= value * (1 - 1e-12):
            return step * power
    return 10.0 * power  # pragma: no cover


def derived_penalty(inp: PlanInput) -> float:
    """P when the workbook does not set it: PENALTY_FACTOR × the dearest measure's cost per Mt/yr,
    rounded up to 1, 2 or 5 × a power of ten, and at least PENALTY_FLOOR (€/t = M€ per Mt/yr)."""
    dearest = max((measure_cost_per_mt(inp, m) for m in inp.measures), default=0.0)
    return max(PENALTY_FLOOR, _nice_ceiling(PENALTY_FACTOR * dearest))


def with_penalty(inp: PlanInput) -> PlanInput:
    """``inp`` with the shortfall penalty it uses written into its settings (the derived one where blank).

    Many futures of one input must share one P, so that their costs and the mean over them compare: a
    penalty derived from each future's own costs would differ between futures.
    """
    if inp.settings.shortfall_penalty_eur_per_t is not None:
        return inp
    from dataclasses import replace

    return replace(inp, settings=replace(inp.settings, shortfall_penalty_eur_per_t=derived_penalty(inp)))


def shortfall_penalty(inp: PlanInput) -> float:
    """P used by the model: the setting shortfall_penalty_eur_per_t, or :func:`derived_penalty`."""
    p = inp.settings.shortfall_penalty_eur_per_t
    return derived_penalty(inp) if p is None else float(p)


def penalty_warnings(inp: PlanInput) -> list[str]:
    """A warning when a penalty set in the workbook is below what some measure costs per Mt/yr: the plan
    may then report a shortfall rather than fund that measure."""
    p = inp.settings.shortfall_penalty_eur_per_t
    if p is None or not has_shortfall(inp):
        return []
    dearer = sorted(((measure_cost_per_mt(inp, m), m) for m in inp.measures), reverse=True)
    dearer = [(c, m) for c, m in dearer if c > p]
    if not dearer:
        return []
    names = ", ".join(_("{name} ({value} M€ per Mt/yr)", name=inp.measures[m].name or m, value=num(c, ",.0f"))
                      for c, m in dearer[:3])
    more = _(" and {n} more", n=len(dearer) - 3) if len(dearer) > 3 else ""
    return [ngettext("the shortfall penalty set in the workbook ({penalty} €/t per t/yr) is below the cost of "
                     "{n} measure: {names}{more}; the plan may report a shortfall rather than fund it. Leave "
                     "shortfall_penalty_eur_per_t blank to derive it from the data ({derived} €/t here)",
                     "the shortfall penalty set in the workbook ({penalty} €/t per t/yr) is below the cost of "
                     "{n} measures: {names}{more}; the plan may report a shortfall rather than fund them. Leave "
                     "shortfall_penalty_eur_per_t blank to derive it from the data ({derived} €/t here)",
                     len(dearer), penalty=num(p, ",.0f"), names=names, more=more,
                     derived=num(derived_penalty(inp), ",.0f"))]


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
    #: The limit as the workbook gives it, where the right-hand side is less: the decisions already taken
    #: (sheet committed) use part of it as a constant, moved to the right-hand side.
    limits: dict[object, float] = field(default_factory=dict)

    def add(self, key, terms: list[Term], rhs: float, *, limit: float | None = None) -> None:
        self.terms[key] = terms
        self.rhs[key] = rhs
        if limit is not None and limit != rhs:
            self.limits[key] = limit

    def limit(self, key) -> float:
        """The row's limit before the past decisions' constant use of it (its right-hand side where none)."""
        return self.limits.get(key, self.rhs[key])
