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
    reduced_cost_eur_per_t: float | None = None  # how far its gap must fall before more is funded
    blocked_by: list[dict] = field(default_factory=list)  # limits that hold it back {"kind","id","year"}
    competes_for: list[dict] = field(default_factory=list)  # binding limits a funded measure draws on


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
    relaxations: list[dict] = field(default_factory=list)  # elastic mode: what must give
    alternatives: object = None  # optimiser.alternatives.Alternatives when asked for
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
            reason="",
        )
        if status == "funded":
            measures[mid].competes_for = touched_limits(inp, idx, sol, mid)
        else:
            measures[mid].reason, measures[mid].blocked_by = why_not(inp, idx, sol, mid, share)
            measures[mid].reduced_cost_eur_per_t = reduced_cost_eur_per_t(inp, idx, sol, mid)
            if status == "partly funded":
                measures[mid].competes_for = touched_limits(inp, idx, sol, mid)

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
        relaxations=relaxations(sol),
        solver={"status": sol.status, "seconds": sol.seconds, "mip": sol.mip, "mip_gap": sol.mip_gap},
    )


def relaxations(sol: Solution) -> list[dict]:
    """Elastic mode: every budget and resource limit that had to give, in its own unit."""
    out = []
    for name, kind in (("budget_slack", "budget"), ("period_budget_slack", "budget"), ("resource_slack", "resource")):
        for key, v in sol.values.get(name, {}).items():
            if v > TOL:
                lid, year = (key if isinstance(key, tuple) else (key, None))
                out.append({"kind": kind, "id": lid, "year": None if year is None else str(year), "amount": v})
    return sorted(out, key=lambda r: (r["kind"], r["id"], r["year"] or ""))


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


def touched_limits(inp: PlanInput, idx: Index, sol: Solution, mid: str) -> list[dict]:
    """The binding limits measure ``mid`` draws on, as {"kind", "id", "year", "shadow_price"}.

    Its instruments' budgets in the years it could be committed, their period
    budgets, the resources it uses in the years it would operate (stock) or be
    built (flow), and its exclusive group.
    """
    m = inp.measures[mid]
    shadow = sol.shadow
    years_possible = idx.d_years.get(mid, [])
    out: list[dict] = []
    insts = []
    for y in years_possible:
        for i in idx.s_by_my.get((mid, y), []):
            if i not in insts:
                insts.append(i)
            v = shadow.get("budget", {}).get((i, y), 0.0)
            if v > TOL:
                out.append({"kind": "budget", "id": i, "year": y, "shadow_price": v})
    for i in insts:
        v = shadow.get("period_budget", {}).get(i, 0.0)
        if v > TOL:
            out.append({"kind": "period_budget", "id": i, "year": None, "shadow_price": v})
    first_op = min((t + m.lead_time_years for t in years_possible), default=None)
    for (mm, r), a in inp.usage.items():
        if mm != mid or a <= 0:
            continue
        stock = inp.resources[r].kind == "stock"
        for y in inp.years:
            v = shadow.get("resource", {}).get((r, y), 0.0)
            if v > TOL and ((stock and first_op is not None and y >= first_op) or (not stock and y in years_possible)):
                out.append({"kind": "resource", "id": r, "year": y, "shadow_price": v})
    if m.exclusive_group:
        v = shadow.get("exclusive", {}).get(m.exclusive_group, 0.0)
        if v > TOL:
            out.append({"kind": "exclusive", "id": m.exclusive_group, "year": None, "shadow_price": v})
    return out


def _span(ys: list[int]) -> str:
    ys = sorted(set(ys))
    return str(ys[0]) if len(ys) == 1 else f"{ys[0]}–{ys[-1]}"


def describe_limits(inp: PlanInput, idx: Index, mid: str, limits: list[dict]) -> list[str]:
    """Plain words for a list of limits, one phrase per limit (years folded into a span)."""
    years: dict[tuple[str, str], list[int]] = defaultdict(list)
    for lim in limits:
        years[(lim["kind"], lim["id"])].append(lim["year"])
    phrases = []
    for (kind, lid), ys in years.items():
        if kind == "budget":
            phrases.append(f"budget of {lid} exhausted in {_span(ys)}")
        elif kind == "period_budget":
            phrases.append(f"period budget of {lid} exhausted")
        elif kind == "resource":
            res = inp.resources[lid]
            phrases.append(f"{res.name or lid} limit binding in {_span(ys)}")
        elif kind == "exclusive":
            others = [o for o in idx.exclusive.get(lid, []) if o != mid]
            phrases.append(f"its emission source (group '{lid}') goes to " + ", ".join(others))
    return phrases


def why_not(inp: PlanInput, idx: Index, sol: Solution, mid: str, share: float) -> tuple[str, list[dict]]:
    """Why measure ``mid`` is not (fully) funded: (plain reason, blocked_by limits)."""
    m = inp.measures[mid]
    if mid in idx.excluded:
        kind, text = idx.excluded[mid]
        return text, [{"kind": kind, "id": mid, "year": None}]
    years_possible = idx.d_years.get(mid, [])
    limits = touched_limits(inp, idx, sol, mid)
    reasons = describe_limits(inp, idx, mid, limits)
    blocked = [{k: v for k, v in lim.items() if k != "shadow_price"} for lim in limits]
    gap_years = [y for y in years_possible if idx.gap.get((mid, y), 0.0) > 0]
    if gap_years and all(
        sum(_room(idx, mid, i, y) for i in idx.s_by_my.get((mid, y), [])) < idx.gap[(mid, y)] - TOL for y in gap_years
    ):
        reasons.append("its instruments' caps together cannot pay its whole gap")
        blocked.append({"kind": "cap", "id": ";".join(m.eligible_instruments), "year": None})
    if not reasons:
        target_value = max(sol.shadow.get("target", {}).values(), default=0.0)
        need = min((unit_gap(inp, mid, y) * m.support_years for y in years_possible), default=None)
        if need is not None and need > target_value + TOL:
            reasons.append(
                f"not needed at its cost: it needs {need:,.0f} € per t of annual abatement, "
                f"the target is worth {target_value:,.0f} €/t at the margin"
            )
            blocked.append({"kind": "cost", "id": mid, "year": None})
        elif share > TOL:
            reasons.append("the optimum is indifferent to funding more of it")
        else:
            reasons.append("cheaper measures meet the target")
            blocked.append({"kind": "cost", "id": mid, "year": None})
    return "; ".join(reasons), blocked


def reduced_cost_eur_per_t(inp: PlanInput, idx: Index, sol: Solution, mid: str) -> float | None:
    """By how many €/t the measure's gap would have to fall before more of it is funded.

    Committing one more unit share of m in y, paid through instrument i, changes the
    objective by rc(d_{m,y}) + Gap_{m,y} · rc(s_{m,i,y}) (reduced costs from HiGHS; the
    funding row's dual cancels along that direction). Each €/t less gap saves
    A_m · D_m · (w_i + the shadow prices of i's budgets) M€ on that share. The
    reduced cost reported is the smallest ratio over the years and instruments it
    could use; None when it has no commitment variable or no gap to close (a limit,
    not its cost, holds it back).
    """
    m = inp.measures[mid]
    rd = sol.reduced.get("d", {})
    rs = sol.reduced.get("s", {})
    best = None
    for y in idx.d_years.get(mid, []):
        gap = idx.gap.get((mid, y), 0.0)
        if gap <= 0 or (mid, y) not in rd:
            continue
        for i in idx.s_by_my.get((mid, y), []):
            if (mid, i, y) not in rs:
                continue
            step = rd[(mid, y)] + gap * rs[(mid, i, y)]
            price = (inp.instruments[i].cost_weight + sol.shadow.get("budget", {}).get((i, y), 0.0)
                     + sol.shadow.get("period_budget", {}).get(i, 0.0))
            if price <= 0:
                continue
            value = max(0.0, step) / (m.abatement_mt * m.support_years * price)
            best = value if best is None else min(best, value)
    return best


def _room(idx: Index, mid: str, i: str, y: int) -> float:
    """The most instrument i can pay m in y per full share under its caps."""
    g = idx.gap.get((mid, y), 0.0)
    return min(g, idx.capex_cap.get((mid, i, y), g), idx.eur_per_t_cap.get((mid, i, y), g))


#: Rows of the model that are accounting identities, not limits a user could relax.
IDENTITIES = ("funding", "lumpy", "lumpy_once")


def describe_iis(inp: PlanInput, iis: list[tuple[str, object]]) -> list[dict]:
    """An infeasible subset in the workbook's own words: {"kind", "id", "year", "text"}."""
    out = []
    for name, key in iis:
        if name in IDENTITIES:
            continue
        year = None
        if name == "target":
            lid, year = "target_reduction_mt", key
            text = f"target: {inp.targets[key]:g} Mt/yr required in {key} (sheet 'targets' / setting target_reduction_mt)"
        elif name == "budget":
            lid, year = key
            text = f"budget of {lid} in {year}: {inp.budgets[lid][year]:,.0f} M€ (sheet 'budgets')"
        elif name == "period_budget":
            lid = key
            text = f"period budget of {lid}: {inp.instruments[lid].period_budget_meur:,.0f} M€ (sheet 'instruments')"
        elif name == "resource":
            lid, year = key
            res = inp.resources[lid]
            text = f"{res.name or lid} in {year}: {res.capacity[year]:,.6g} {res.unit} (sheet 'resources', id {lid})"
        elif name == "max_share":
            lid = key
            text = f"measure {lid} can deploy at most {inp.measures[lid].max_share:.0%} (sheet 'measures', max_share)"
        elif name == "exclusive":
            lid = key
            text = f"exclusive group {lid}: its options share one emission source (sheet 'measures')"
        elif name in ("capex_cap", "eur_per_t_cap"):
            m, i, year = key
            lid = f"{m}/{i}"
            text = f"{name} of instrument {i} on measure {m} in {year} (sheet 'instruments')"
        else:
            lid, text = str(key), f"{name} {key}"
        out.append({"kind": name, "id": lid, "year": None if year is None else str(year), "text": text})
    return out
