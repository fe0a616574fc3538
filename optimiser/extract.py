"""Stage 5: turn the solver's numbers into the plan's results (MODEL.md section 6).

Plain data out: a :class:`PlanResult` holding per-measure, per-instrument and
per-resource figures, the shadow price of every limit (non-negative: how much
the objective falls when the limit is relaxed by one unit; 0 when not
binding) and, for every measure not fully funded, a plain reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .build import Index, unit_gap
from .data import PlanInput
from .solve import Solution

#: Values below this are solver noise (shares, Mt, M€).
TOL = 1e-6


@dataclass
class MeasureResult:
    measure_id: str
    new: dict[int, float]  # d_{m,y}
    committed: dict[int, float]  # x_{m,y}
    committed_share: float  # x_{m,target_year}
    operating_share: dict[int, float]  # o_{m,y} per target year
    abatement_mt: float  # A_m · o_{m,target_year}
    subsidy_meur: dict[str, float]  # Σ_y s_{m,i,y} per instrument
    subsidy_by_year: dict[tuple[str, int], float]
    public_cost_meur: float
    eur_per_t: float | None  # subsidy per tonne avoided over the support period
    gap_eur_per_t: float  # unprofitable gap per tonne in its (first possible) commitment year
    commit_year: int | None
    status: str  # funded / partly funded / not funded
    reason: str


@dataclass
class PlanResult:
    input: PlanInput
    status: str  # "target_met" | "target_not_met"
    objective_meur: float
    public_cost_meur: float
    target_mt: dict[int, float]
    abatement_mt: dict[int, float]
    shortfall_mt: dict[int, float]
    measures: dict[str, MeasureResult]
    spend_meur: dict[tuple[str, int], float]  # Σ_m s_{m,i,y}
    instrument_cost_meur: dict[str, float]  # w_i · Σ spend
    resource_use: dict[tuple[str, int], float]
    shadow: dict[str, dict]  # family → index → value
    solver: dict = field(default_factory=dict)
    overrides: list[str] = field(default_factory=list)
    source_file: str = ""
    source_sha256: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def target_met(self) -> bool:
        return self.status == "target_met"

    def binding(self) -> list[tuple[str, object, float]]:
        """Every limit with a positive shadow price, largest first: (family, index, value)."""
        rows = [
            (fam, key, val)
            for fam, vals in self.shadow.items()
            if fam in ("target", "budget", "period_budget", "resource", "exclusive", "max_share", "capex_cap", "eur_per_t_cap")
            for key, val in vals.items()
            if val > TOL
        ]
        return sorted(rows, key=lambda r: -r[2])


def _clean(v: float) -> float:
    return 0.0 if abs(v) < TOL else v


def extract(inp: PlanInput, idx: Index, sol: Solution) -> PlanResult:
    years = inp.years
    T = inp.settings.target_year
    d = sol.values.get("d", {})
    s = sol.values.get("s", {})
    shortfall = sol.values.get("shortfall", {})
    shadow = sol.shadow
    weights = {i: inst.cost_weight for i, inst in inp.instruments.items()}

    spend: dict[tuple[str, int], float] = {(i, y): 0.0 for i in inp.instruments for y in years}
    per_measure_s: dict[str, dict[tuple[str, int], float]] = defaultdict(dict)
    for (m, i, y) in idx.s_keys:
        v = _clean(s.get((m, i, y), 0.0))
        if v:
            spend[(i, y)] += v
            per_measure_s[m][(i, y)] = v

    measures: dict[str, MeasureResult] = {}
    for mid, m in inp.measures.items():
        new = {y: _clean(d.get((mid, y), 0.0)) for y in years}
        committed, acc = {}, 0.0
        for y in years:
            acc += new[y]
            committed[y] = _clean(acc)
        operating = {
            y: _clean(sum(new[t] for t in years if t + m.lead_time_years <= y)) for y in sorted(inp.targets)
        }
        op_T = _clean(sum(new[t] for t in years if t + m.lead_time_years <= T))
        by_year = per_measure_s.get(mid, {})
        subsidy = defaultdict(float)
        for (i, y), v in by_year.items():
            subsidy[i] += v
        total = sum(subsidy.values())
        cost = sum(weights[i] * v for i, v in subsidy.items())
        tonnes = m.abatement_mt * committed[T] * m.support_years
        commit_years = [y for y in years if new[y] > TOL]
        first = commit_years[0] if commit_years else (idx.d_years.get(mid) or [max(m.earliest_year, years[0])])[0]
        gap = unit_gap(inp, mid, first) if first in inp.co2_price else max(0.0, m.cost_eur_per_t)
        share = committed[T]
        if share >= m.max_share - TOL:
            status = "funded"
        elif share > TOL:
            status = "partly funded"
        else:
            status = "not funded"
        measures[mid] = MeasureResult(
            measure_id=mid,
            new=new,
            committed=committed,
            committed_share=share,
            operating_share=operating,
            abatement_mt=_clean(m.abatement_mt * op_T),
            subsidy_meur=dict(subsidy),
            subsidy_by_year=dict(by_year),
            public_cost_meur=_clean(cost),
            eur_per_t=(total / tonnes) if tonnes > TOL else None,
            gap_eur_per_t=gap,
            commit_year=commit_years[0] if commit_years else None,
            status=status,
            reason="" if status == "funded" else why_not(inp, idx, sol, mid, share),
        )

    abatement = {
        y: _clean(sum(a * d.get((m, t), 0.0) for a, m, t in idx.target_terms[y])) for y in sorted(inp.targets)
    }
    if inp.settings.objective == "max-abatement":
        # no target rows: the shortfall is what the most abatement possible still misses
        shortfall_mt = {y: _clean(max(0.0, inp.targets[y] - abatement[y])) for y in sorted(inp.targets)}
    else:
        shortfall_mt = {y: _clean(shortfall.get(y, 0.0)) for y in sorted(inp.targets)}
    resource_use = {}
    for r in inp.resources:
        for y in years:
            terms = idx.resource_terms.get((r, y), [])
            resource_use[(r, y)] = _clean(sum(a * d.get((m, t), 0.0) for a, m, t in terms))
    public_cost = sum(weights[i] * v for (i, _), v in spend.items())
    inst_cost = {i: _clean(sum(weights[i] * spend[(i, y)] for y in years)) for i in inp.instruments}
    met = all(v <= TOL for v in shortfall_mt.values())
    return PlanResult(
        input=inp,
        status="target_met" if met else "target_not_met",
        # in max-abatement mode the solver's objective is in Mt/yr; the plan reports public cost
        objective_meur=sol.objective if inp.settings.objective == "min-cost" else _clean(public_cost),
        public_cost_meur=_clean(public_cost),
        target_mt=dict(sorted(inp.targets.items())),
        abatement_mt=abatement,
        shortfall_mt=shortfall_mt,
        measures=measures,
        spend_meur={k: _clean(v) for k, v in spend.items()},
        instrument_cost_meur=inst_cost,
        resource_use=resource_use,
        shadow=full_shadow_prices(inp, shadow),
        solver={"status": sol.status, "seconds": sol.seconds, "mip": sol.mip, "mip_gap": sol.mip_gap},
    )


def full_shadow_prices(inp: PlanInput, shadow: dict[str, dict]) -> dict[str, dict]:
    """Shadow prices for every limit of the input: 0 where the model has no row."""
    years = inp.years
    out: dict[str, dict] = {
        "target": {y: _pos(shadow.get("target", {}).get(y, 0.0)) for y in sorted(inp.targets)},
        "budget": {(i, y): _pos(shadow.get("budget", {}).get((i, y), 0.0)) for i in inp.instruments for y in years},
        "period_budget": {
            i: _pos(shadow.get("period_budget", {}).get(i, 0.0))
            for i, inst in inp.instruments.items() if inst.period_budget_meur is not None
        },
        "resource": {(r, y): _pos(shadow.get("resource", {}).get((r, y), 0.0)) for r in inp.resources for y in years},
    }
    for fam in ("max_share", "exclusive", "capex_cap", "eur_per_t_cap"):
        out[fam] = {k: _pos(v) for k, v in shadow.get(fam, {}).items()}
    return out


def _pos(v: float) -> float:
    """Limits' shadow prices are ≥ 0 by duality; clip solver noise."""
    return 0.0 if v < TOL else v


def why_not(inp: PlanInput, idx: Index, sol: Solution, mid: str, share: float) -> str:
    """A plain reason why measure ``mid`` is not (fully) funded."""
    m = inp.measures[mid]
    if mid in idx.excluded:
        return idx.excluded[mid]
    shadow = sol.shadow
    years_possible = idx.d_years.get(mid, [])
    reasons: list[str] = []
    T = inp.settings.target_year

    def span(ys: list[int]) -> str:
        ys = sorted(set(ys))
        return str(ys[0]) if len(ys) == 1 else f"{ys[0]}–{ys[-1]}"

    # budgets of its instruments in the years it could be committed
    by_inst: dict[str, list[int]] = defaultdict(list)
    for y in years_possible:
        for i in idx.s_by_my.get((mid, y), []):
            if shadow.get("budget", {}).get((i, y), 0.0) > TOL:
                by_inst[i].append(y)
    for i, ys in by_inst.items():
        reasons.append(f"budget of {i} exhausted in {span(ys)}")
    for i in {i for y in years_possible for i in idx.s_by_my.get((mid, y), [])}:
        if shadow.get("period_budget", {}).get(i, 0.0) > TOL:
            reasons.append(f"period budget of {i} exhausted")
    # resources it uses
    for (mm, r), a in inp.usage.items():
        if mm != mid or a <= 0:
            continue
        res = inp.resources[r]
        ys = [y for y in inp.years if shadow.get("resource", {}).get((r, y), 0.0) > TOL]
        if res.kind == "stock":
            first_op = min((t + m.lead_time_years for t in years_possible), default=None)
            ys = [y for y in ys if first_op is not None and y >= first_op]
        else:
            ys = [y for y in ys if y in years_possible]
        if ys:
            label = res.name or r
            reasons.append(f"{label} limit binding in {span(ys)}")
    if m.exclusive_group and shadow.get("exclusive", {}).get(m.exclusive_group, 0.0) > TOL:
        others = [o for o in idx.exclusive.get(m.exclusive_group, []) if o != mid]
        reasons.append(f"its emission source (group '{m.exclusive_group}') goes to " + ", ".join(others))
    # caps that cannot cover the gap
    if years_possible and all(
        sum(_room(idx, mid, i, y) for i in idx.s_by_my.get((mid, y), [])) < idx.gap.get((mid, y), 0.0) - TOL
        for y in years_possible if idx.gap.get((mid, y), 0.0) > 0
    ) and any(idx.gap.get((mid, y), 0.0) > 0 for y in years_possible):
        reasons.append("its instruments' caps together cannot pay its whole gap")
    if not reasons:
        target_value = max(shadow.get("target", {}).values(), default=0.0)
        need = min(
            (unit_gap(inp, mid, y) * m.support_years for y in years_possible), default=None
        )
        if need is not None and need > target_value + TOL:
            reasons.append(
                f"not needed at its cost: it needs {need:,.0f} € per t of annual abatement, "
                f"the target is worth {target_value:,.0f} €/t at the margin"
            )
        elif share > TOL:
            reasons.append("the optimum is indifferent to funding more of it")
        else:
            reasons.append("cheaper measures meet the target")
    return "; ".join(reasons)


def _room(idx: Index, mid: str, i: str, y: int) -> float:
    """The most instrument i can pay m in y per full share under its caps."""
    g = idx.gap.get((mid, y), 0.0)
    return min(g, idx.capex_cap.get((mid, i, y), g), idx.eur_per_t_cap.get((mid, i, y), g))
