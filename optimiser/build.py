"""Stage 3: build the Pyomo model from the input (MODEL.md sections 2–5).

Index sets are computed first, in plain Python, and are sparse: a commitment
variable d[m,y] exists only for years y ≥ e_m in which the measure can still
operate by the last year and can be funded (its gap is zero, or it has an
eligible instrument with budget that year); a subsidy variable s[m,i,y] only
for eligible pairs with a positive gap and a budget; a cap row only where the
cap can bind. Pyomo rules only read these lists and dicts.

``build_model`` lists the constraint families in order, one small function
each; it reads as the model's table of contents.

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

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.core.expr.numeric_expr import LinearExpression

from .data import PlanInput

CO2 = "co2_price_eur_per_t"


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


def index_sets(inp: PlanInput) -> Index:
    years = inp.years
    last = years[-1]
    idx = Index(years=years, target_years=sorted(inp.targets))
    budgets = inp.budgets
    for mid, m in inp.measures.items():
        first = max(m.earliest_year, years[0])
        can_fund_any = False
        for y in range(first, last + 1):
            if y + m.lead_time_years > last:
                break  # committed now, it cannot operate within the horizon
            g = unit_gap(inp, mid, y) * m.abatement_mt * m.support_years
            if g > 0:
                insts = [i for i in m.eligible_instruments if budgets[i][y] > 0 or inp.settings.elastic]
                insts = [i for i in insts if _cap_coefficient(inp, mid, i) != 0.0]
                if not insts:
                    continue
                idx.gap[(mid, y)] = g
                idx.funding_keys.append((mid, y))
                for i in insts:
                    idx.s_keys.append((mid, i, y))
                    idx.s_by_my[(mid, y)].append(i)
                    idx.s_by_iy[(i, y)].append(mid)
                    inst = inp.instruments[i]
                    if inst.capex_share_cap is not None and inst.capex_share_cap * m.capex_meur < g:
                        idx.capex_cap[(mid, i, y)] = inst.capex_share_cap * m.capex_meur
                    if inst.eur_per_t_cap is not None and inst.eur_per_t_cap * m.abatement_mt * m.support_years < g:
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


# ---------------------------------------------------------------- variables

def has_shortfall(inp: PlanInput) -> bool:
    """σ exists unless the run is strict (no shortfall) or maximises abatement (no target)."""
    return inp.settings.objective == "min-cost" and not inp.settings.strict


def add_variables(model: pyo.ConcreteModel, idx: Index, inp: PlanInput) -> None:
    """d ≥ 0 per (m, y); s ≥ 0 per eligible (m, i, y); σ ≥ 0 per target year; b binary for lumpy measures.

    Elastic mode adds a penalised slack ≥ 0 to every budget, period budget and resource row.
    """
    model.d = pyo.Var(idx.d_keys, within=pyo.NonNegativeReals)
    model.s = pyo.Var(idx.s_keys, within=pyo.NonNegativeReals)
    model.shortfall = pyo.Var(idx.target_years if has_shortfall(inp) else [], within=pyo.NonNegativeReals)
    model.b = pyo.Var(idx.lumpy_keys, within=pyo.Binary)
    elastic = inp.settings.elastic
    model.budget_slack = pyo.Var(idx.budget_keys if elastic else [], within=pyo.NonNegativeReals)
    model.period_budget_slack = pyo.Var(idx.period_budget_keys if elastic else [], within=pyo.NonNegativeReals)
    model.resource_slack = pyo.Var(list(idx.resource_terms) if elastic else [], within=pyo.NonNegativeReals)


def _slack(inp: PlanInput, name: str, key) -> list:
    """The elastic slack term of a limit row: Σ … − slack ≤ limit (none outside elastic mode)."""
    return [(-1.0, name, key)] if inp.settings.elastic else []


# ---------------------------------------------------------------- constraint families
#
# Each family returns its rows as plain data — for every row key the linear
# terms (coefficient, variable name, variable index), the sense and the
# right-hand side — so the same numbers build the Pyomo model and update a
# live HiGHS instance in a sweep (optimiser.solve.Solver.update).

Term = tuple[float, str, object]


@dataclass
class Rows:
    sense: str  # "<=", "==" or ">="
    terms: dict[object, list[Term]] = field(default_factory=dict)
    rhs: dict[object, float] = field(default_factory=dict)

    def add(self, key, terms: list[Term], rhs: float) -> None:
        self.terms[key] = terms
        self.rhs[key] = rhs


def funding(idx: Index, inp: PlanInput) -> Rows:
    """funding — the whole gap is paid, never more (EU state-aid rule).

    Σ_{i:(m,i)∈E} s_{m,i,y} = Gap_{m,y} · d_{m,y}        ∀ m, y with Gap_{m,y} > 0

    Gap_{m,y} = max(0, c_m − p_y) · A_m · D_m  (``idx.gap``, M€ per full share).
    Dual: not reported (an accounting identity, not a limit).
    """
    rows = Rows("==")
    for (m, y) in idx.funding_keys:
        rows.add((m, y), [(1.0, "s", (m, i, y)) for i in idx.s_by_my[(m, y)]] + [(-idx.gap[(m, y)], "d", (m, y))], 0.0)
    return rows


def _cap_rows(caps: dict[tuple[str, str, int], float]) -> Rows:
    """s_{m,i,y} − cap_{m,i,y} · d_{m,y} ≤ 0 for every cap that can bind (cap in M€ per full share)."""
    rows = Rows("<=")
    for (m, i, y), cap in caps.items():
        rows.add((m, i, y), [(1.0, "s", (m, i, y)), (-cap, "d", (m, y))], 0.0)
    return rows


def capex_cap(idx: Index, inp: PlanInput) -> Rows:
    """capex_cap — an instrument pays at most a share of the capex.

    s_{m,i,y} ≤ capex_share_cap_i · K_m · d_{m,y}    (only where it can bind)
    Shadow price: M€ saved per M€ more room under the cap.
    """
    return _cap_rows(idx.capex_cap)


def eur_per_t_cap(idx: Index, inp: PlanInput) -> Rows:
    """eur_per_t_cap — an instrument pays at most so many € per tonne over the support period.

    s_{m,i,y} ≤ eur_per_t_cap_i · A_m · D_m · d_{m,y}    (only where it can bind)
    Shadow price: M€ saved per M€ more room under the cap.
    """
    return _cap_rows(idx.eur_per_t_cap)


def budget(idx: Index, inp: PlanInput) -> Rows:
    """budget — yearly commitment ceiling of each instrument.

    Σ_m s_{m,i,y} ≤ B_{i,y}        ∀ i, y with eligible spending
    Shadow price: M€ saved per M€ added.
    """
    rows = Rows("<=")
    for (i, y) in idx.budget_keys:
        rows.add((i, y), [(1.0, "s", (m, i, y)) for m in idx.s_by_iy[(i, y)]] + _slack(inp, "budget_slack", (i, y)),
                 inp.budgets[i][y])
    return rows


def period_budget(idx: Index, inp: PlanInput) -> Rows:
    """period_budget — an instrument's budget over all years, where given.

    Σ_{m,y} s_{m,i,y} ≤ Bp_i
    Shadow price: M€ saved per M€ added.
    """
    rows = Rows("<=")
    wanted = set(idx.period_budget_keys)
    terms: dict[str, list[Term]] = defaultdict(list)
    for k in idx.s_keys:
        if k[1] in wanted:
            terms[k[1]].append((1.0, "s", k))
    for i in idx.period_budget_keys:
        rows.add(i, terms[i] + _slack(inp, "period_budget_slack", i), inp.instruments[i].period_budget_meur)
    return rows


def resource(idx: Index, inp: PlanInput) -> Rows:
    """resource — grid, hydrogen, CO2 storage (stock) and installation labour (flow).

    stock:  Σ_m a_{m,r} · o_{m,y} ≤ Cap_{r,y}    (what operates in y: o_{m,y} = x_{m,y−L_m})
    flow:   Σ_m a_{m,r} · d_{m,y} ≤ Cap_{r,y}    (what is being committed/built in y)
    Shadow price: M€ per unit of capacity (e.g. per MW of grid in a cluster).
    """
    rows = Rows("<=")
    for (r, y), terms in idx.resource_terms.items():
        rows.add((r, y), [(a, "d", (m, t)) for a, m, t in terms] + _slack(inp, "resource_slack", (r, y)),
                 inp.resources[r].capacity[y])
    return rows


def max_share(idx: Index, inp: PlanInput) -> Rows:
    """max_share — at most the deployable share is committed.

    x_{m,T} = Σ_y d_{m,y} ≤ u_m     (x is non-decreasing, so the last year covers every year)
    Shadow price: M€ per unit share.
    """
    rows = Rows("<=")
    for m in idx.max_share_keys:
        rows.add(m, [(1.0, "d", (m, y)) for y in idx.d_years[m]], inp.measures[m].max_share)
    return rows


def exclusive(idx: Index, inp: PlanInput) -> Rows:
    """exclusive — options competing for the same emissions share one source.

    Σ_{m∈g} x_{m,T} ≤ 1     ∀ g    (x non-decreasing: the last year covers every year)
    Shadow price: M€ per unit share of the emission source.
    """
    rows = Rows("<=")
    for g, members in idx.exclusive.items():
        rows.add(g, [(1.0, "d", (m, y)) for m in members for y in idx.d_years[m]], 1.0)
    return rows


def lumpy(idx: Index, inp: PlanInput) -> Rows:
    """lumpy — all-or-nothing projects, committed in full in at most one year.

    d_{m,y} = u_m · b_{m,y}     ∀ lumpy m, y    (with lumpy_once: Σ_y b_{m,y} ≤ 1, b ∈ {0, 1})
    Duals: of the LP with b fixed at its optimum (not reported).
    """
    rows = Rows("==")
    for (m, y) in idx.lumpy_keys:
        rows.add((m, y), [(1.0, "d", (m, y)), (-inp.measures[m].max_share, "b", (m, y))], 0.0)
    return rows


def lumpy_once(idx: Index, inp: PlanInput) -> Rows:
    """lumpy_once — a lumpy project is committed in at most one year: Σ_y b_{m,y} ≤ 1."""
    rows = Rows("<=")
    for m in sorted({m for m, _ in idx.lumpy_keys}):
        rows.add(m, [(1.0, "b", (m, y)) for y in idx.d_years[m]], 1.0)
    return rows


def target(idx: Index, inp: PlanInput) -> Rows:
    """target — the required reduction in every target year, or a penalised shortfall.

    Σ_m A_m · o_{m,y} + σ_y ≥ T_y    ∀ target years y
    Shadow price: € per tonne of annual abatement (M€ of extra commitments per extra Mt/yr).
    """
    rows = Rows(">=")
    for y in idx.target_years:
        shortfall = [(1.0, "shortfall", y)] if has_shortfall(inp) else []
        rows.add(y, [(a, "d", (m, t)) for a, m, t in idx.target_terms[y]] + shortfall, inp.targets[y])
    return rows


#: In elastic mode the shortfall penalty is multiplied by this, so that relaxing a limit is
#: always preferred to missing the target; a shortfall remains only where no limit could help.
ELASTIC_SHORTFALL_FACTOR = 1000.0

#: In max-abatement mode, public cost breaks ties: this many Mt/yr per M€ (far below any real trade-off).
TIE_BREAK_MT_PER_MEUR = 1e-7


def objective(idx: Index, inp: PlanInput) -> list[Term]:
    """Minimise public cost plus the shortfall penalty (``objective = min-cost``, the default).

    min Σ_{m,i,y} w_i · s_{m,i,y} + P · Σ_y σ_y      (P in €/t × Mt = M€)

    Elastic mode adds  + Pb · Σ budget slack + Pr · Σ resource slack  and multiplies P by
    ELASTIC_SHORTFALL_FACTOR; strict mode has no σ.

    With ``objective = max-abatement`` (the reverse question): the most abatement
    operating in the target year T within every budget and limit, no target rows,
    public cost only as a tie-break:

    min −Σ_m A_m · o_{m,T} + ε · Σ w_i · s_{m,i,y}     (in Mt/yr; ε = TIE_BREAK_MT_PER_MEUR)
    """
    w = {i: inst.cost_weight for i, inst in inp.instruments.items()}
    if inp.settings.objective == "max-abatement":
        T = inp.settings.target_year
        gain: dict[tuple[str, int], float] = defaultdict(float)
        for m, ts in idx.d_years.items():
            for t in ts:
                if t + inp.measures[m].lead_time_years <= T:
                    gain[(m, t)] += inp.measures[m].abatement_mt
        return [(-a, "d", k) for k, a in gain.items()] + [
            (TIE_BREAK_MT_PER_MEUR * w[k[1]], "s", k) for k in idx.s_keys
        ]
    st = inp.settings
    terms = [(w[k[1]], "s", k) for k in idx.s_keys]
    if has_shortfall(inp):
        penalty = st.shortfall_penalty_eur_per_t * (ELASTIC_SHORTFALL_FACTOR if st.elastic else 1.0)
        terms += [(penalty, "shortfall", y) for y in idx.target_years]
    if st.elastic:
        terms += [(st.elastic_budget_penalty, "budget_slack", k) for k in idx.budget_keys]
        terms += [(st.elastic_budget_penalty, "period_budget_slack", i) for i in idx.period_budget_keys]
        terms += [(st.elastic_resource_penalty, "resource_slack", k) for k in idx.resource_terms]
    return terms


@dataclass(frozen=True)
class Family:
    name: str
    rows: object  # (Index, PlanInput) -> Rows
    meaning: str
    shadow_price: str
    unit: str


#: Every constraint family, in the order the model is built. Names are the
#: Pyomo component names, the docs/model.md rows and the plan's column names.
FAMILIES: tuple[Family, ...] = (
    Family("funding", funding, "the whole unprofitable gap is paid, never more", "—", "—"),
    Family("capex_cap", capex_cap, "an instrument pays at most its share of capex",
           "M€ saved per M€ more room under the cap", "M€/M€"),
    Family("eur_per_t_cap", eur_per_t_cap, "an instrument pays at most its €/t cap",
           "M€ saved per M€ more room under the cap", "M€/M€"),
    Family("budget", budget, "yearly commitment ceiling of an instrument", "M€ saved per M€ added", "M€/M€"),
    Family("period_budget", period_budget, "an instrument's budget over all years", "M€ saved per M€ added", "M€/M€"),
    Family("resource", resource, "grid, hydrogen, CO2 storage (stock) and labour (flow) limits",
           "M€ per unit of capacity", "M€/unit"),
    Family("max_share", max_share, "at most the deployable share of a measure", "M€ per share", "M€/share"),
    Family("exclusive", exclusive, "options for one emission source exclude each other", "M€ per share", "M€/share"),
    Family("lumpy", lumpy, "all-or-nothing projects (with lumpy_once)", "—", "—"),
    Family("target", target, "required reduction in each target year", "€ per t of annual abatement", "€/t"),
)
#: Rows that belong to a family but carry no number a sweep could change.
EXTRA_ROWS = (("lumpy_once", lumpy_once),)


def all_rows(idx: Index, inp: PlanInput) -> dict[str, Rows]:
    """Every row of the model, by component name."""
    out = {f.name: f.rows(idx, inp) for f in FAMILIES}
    out.update({name: fn(idx, inp) for name, fn in EXTRA_ROWS})
    if inp.settings.objective == "max-abatement":
        out["target"] = Rows(">=")  # no target: abatement is what is maximised
    return out


def _constraint(model, rows: Rows) -> pyo.Constraint:
    sense = rows.sense

    def rule(mdl, *key):
        key = key[0] if len(key) == 1 else key
        body = LinearExpression(
            constant=0.0,
            linear_coefs=[c for c, _, _ in rows.terms[key]],
            linear_vars=[getattr(mdl, name)[index] for _, name, index in rows.terms[key]],
        )
        rhs = rows.rhs[key]
        if sense == "<=":
            return body <= rhs
        if sense == ">=":
            return body >= rhs
        return body == rhs

    return pyo.Constraint(list(rows.terms), rule=rule)


@dataclass
class Built:
    model: pyo.ConcreteModel
    index: Index
    input: PlanInput


def build_model(inp: PlanInput) -> Built:
    """The model of MODEL.md sections 2–5 for this input.

    Reads as the table of contents: variables, then one component per
    constraint family (FAMILIES, in order), then the objective.
    """
    idx = index_sets(inp)
    model = pyo.ConcreteModel(name="policymix")
    with PauseGC():
        add_variables(model, idx, inp)
        for name, rows in all_rows(idx, inp).items():
            model.add_component(name, _constraint(model, rows))
        model.objective = pyo.Objective(
            expr=LinearExpression(
                constant=0.0,
                linear_coefs=[c for c, _, _ in objective(idx, inp)],
                linear_vars=[getattr(model, name)[index] for _, name, index in objective(idx, inp)],
            ),
            sense=pyo.minimize,
        )
    return Built(model=model, index=idx, input=inp)
