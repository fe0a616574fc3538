"""A plan's results as plain data, and the one assembler that builds them.

The optimum (:func:`optimiser.model.extract.extract`) and the rules
simulation (:func:`optimiser.analysis.simulate.simulate`) both describe a plan
by what it commits — the share of each measure newly committed per year, the
part of it that is realised, and the subsidy per measure, instrument and
year — and :func:`assemble` turns that into a :class:`PlanResult`: per-measure,
per-instrument and per-resource figures, abatement and shortfall per target
year, and the shadow price of every limit (non-negative: how much the
objective falls when the limit is relaxed by one unit; 0 when not binding).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..input.data import PlanInput
from .cash import CashProjection, project
from .committed import decisions
from .families import FAMILIES, family
from .index import shortfall_penalty, unit_gap

#: Values below this are solver noise (shares, Mt, M€).
TOL = 1e-6
#: The status of a measure this plan commits nothing to but that was (partly) decided before start_year
#: (sheet committed): not funded by this plan, nor a measure it leaves out.
DECIDED = "decided before start_year"

#: A limit is called binding when relaxing it by the larger of one step of its family (1 M€, 1 MW,
#: 1 percentage point, …) and BINDING_SHARE of its size would move the objective by at least BINDING_MIN:
#: half the last digit the plan shows of its totals (public cost to 0.1 M€; abatement to 0.001 Mt CO2-eq/yr
#: when maximising abatement). Smaller shadow prices do not matter at the precision shown.
BINDING_SHARE = 0.01
BINDING_MIN = {"min-cost": 0.05, "max-abatement": 0.0005}


def binds(inp: PlanInput, name: str, value: float, rhs: float | None = 0.0) -> bool:
    """Whether a limit with shadow price ``value`` and right-hand side ``rhs`` is called binding."""
    if value <= TOL:
        return False
    size = max(family(name).step, BINDING_SHARE * abs(rhs or 0.0))
    return value * size >= BINDING_MIN.get(inp.settings.objective, BINDING_MIN["min-cost"])


def clean(v: float) -> float:
    """Solver noise (|v| < TOL) as 0."""
    return 0.0 if abs(v) < TOL else v


def span(years) -> str:
    """'2025' or '2025–2027' (the first and last of the years given)."""
    ys = sorted(set(years))
    return str(ys[0]) if len(ys) == 1 else f"{ys[0]}–{ys[-1]}"


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
    status: str  # funded / partly funded / not funded / decided before start_year (DECIDED: nothing new)
    reason: str = ""
    reduced_cost_eur_per_t: float | None = None  # how far its gap must fall before more is funded
    blocked_by: list[dict] = field(default_factory=list)  # limits that hold it back {"kind","id","year"}
    competes_for: list[dict] = field(default_factory=list)  # binding limits a funded measure draws on
    operating_by_year: dict[int, float] = field(default_factory=dict)  # o_{m,y} in every year (realised part)
    past_share: float = 0.0  # committed before start_year (sheet committed): operating, not in committed_share

    @property
    def taken_up(self) -> bool:
        """Whether the plan commits any of it (its committed share by the target year is more than solver noise)."""
        return self.committed_share > TOL

    def subsidy_in(self, year: int) -> float:
        """M€ committed to it in ``year``, all instruments together."""
        return sum(v for (_i, y), v in self.subsidy_by_year.items() if y == year)

    def public_cost_in(self, inp: PlanInput, year: int) -> float:
        """The public cost of what is committed to it in ``year``: Σ_i w_i · s_{m,i,y} (M€)."""
        return sum(inp.instruments[i].cost_weight * v for (i, y), v in self.subsidy_by_year.items() if y == year)


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
    limit_rhs: dict[str, dict] = field(default_factory=dict)  # family → index → right-hand side of the model's row
    #: where the plan falls short: family → index → (Mt/yr less shortfall, M€ more public cost) per unit of
    #: relaxation of a binding limit (its shadow price then counts the penalty; these say what it buys)
    limit_effects: dict[str, dict] = field(default_factory=dict)
    relaxations: list[dict] = field(default_factory=list)  # elastic mode: what must give
    relaxation_total: float | None = None  # elastic mode: Σ relaxation / |limit| (phase 1's least)
    alternatives: object = None  # optimiser.analysis.alternatives.Alternatives when asked for
    solver: dict = field(default_factory=dict)
    overrides: list[str] = field(default_factory=list)
    source_file: str = ""
    source_sha256: str = ""
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # about the input, for the reader (e.g. a penalty too low)
    cash: CashProjection | None = None  # commitments, cash and released money per instrument and year
    #: the plan's quick stress test over drawn futures (``policymix plan`` when the input has an uncertainty sheet:
    #: optimiser.analysis.futures.QuickStress); None when not run
    stress: object = None

    @property
    def target_met(self) -> bool:
        return self.status == "target_met"

    def instrument_spend_meur(self, instrument: str) -> float:
        """Subsidy committed by ``instrument`` over all years of the plan: Σ_{m,y} s_{m,i,y} (M€)."""
        return sum(self.spend_meur.get((instrument, y), 0.0) for y in self.input.years)

    def binding(self) -> list[tuple[str, object, float]]:
        """Every binding limit (:func:`binds`: its shadow price matters at the precision shown), largest
        shadow price first: (family, index, value)."""
        rows = [(fam, key, val) for fam, vals in self.shadow.items() for key, val in vals.items()
                if binds(self.input, fam, val, self.limit_rhs.get(fam, {}).get(key))]
        return sorted(rows, key=lambda r: -r[2])


def full_shadow_prices(inp: PlanInput, shadow: dict[str, dict]) -> dict[str, dict]:
    """The shadow price of every limit of every reported family: 0 where the model has no row.

    A family that declares ``limits`` lists all of them (every instrument × year for budgets, …);
    for the others the model's rows are the limits.
    """
    out: dict[str, dict] = {}
    for f in FAMILIES:
        if not f.reported:
            continue
        found = shadow.get(f.name, {})
        keys = f.limits(inp) if f.limits is not None else found
        out[f.name] = {k: _pos(found.get(k, 0.0)) for k in keys}
    return out


def _pos(v: float) -> float:
    """Limits' shadow prices are ≥ 0 by duality; clip solver noise."""
    return 0.0 if v < TOL else v


def assemble(inp: PlanInput, *, new: dict[tuple[str, int], float], subsidy: dict[tuple[str, str, int], float],
             realised: dict[tuple[str, int], float] | None = None, shortfall: dict[int, float] | None = None,
             shadow: dict[str, dict] | None = None, objective_meur: float | None = None,
             possible_years: dict[str, list[int]] | None = None, result_type: type = PlanResult,
             **extra) -> PlanResult:
    """A plan's results from what it commits.

    ``new[(m, y)]``: share of m newly committed in y; ``realised[(m, y)]``: the part of it realised
    (default: all of it) — what operates, abates and uses resources; ``subsidy[(m, i, y)]``: M€ committed
    from i to m in y; ``shortfall[y]``: σ (default: what the realised abatement misses);
    ``shadow``: the solver's shadow prices by family (default: none, all 0);
    ``objective_meur``: default public cost + P · Σ shortfall (min-cost) or public cost;
    ``possible_years[m]``: the years m could be committed (for the gap shown of an unfunded measure).
    """
    years = inp.years
    T = inp.settings.target_year
    realised = new if realised is None else realised
    weights = {i: inst.cost_weight for i, inst in inp.instruments.items()}
    target_years = sorted(inp.targets)

    spend: dict[tuple[str, int], float] = {(i, y): 0.0 for i in inp.instruments for y in years}
    per_measure_s: dict[str, dict[tuple[str, int], float]] = defaultdict(dict)
    for (m, i, y), v in subsidy.items():
        v = clean(v)
        if v:
            spend[(i, y)] += v
            per_measure_s[m][(i, y)] = per_measure_s[m].get((i, y), 0.0) + v

    measures: dict[str, MeasureResult] = {}
    abatement = {y: 0.0 for y in target_years}
    resource_use = {(r, y): 0.0 for r in inp.resources for y in years}
    past = decisions(inp)  # sheet committed: decisions of the past operate from their year + L_m
    usage: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (mid, r), a in inp.usage.items():
        if a != 0 and r in inp.resources:
            usage[mid].append((r, a))
    for mid, m in inp.measures.items():
        d = {y: clean(new.get((mid, y), 0.0)) for y in years}
        done = d if realised is new else {y: clean(realised.get((mid, y), 0.0)) for y in years}
        committed, acc = {}, 0.0
        for y in years:
            acc += d[y]
            committed[y] = clean(acc)
        # o_{m,y}: what operates in y, committed (and realised) at least L_m years before
        operating, acc = {}, 0.0
        for y in years:
            if y - m.lead_time_years in done:
                acc += done[y - m.lead_time_years]
            operating[y] = clean(acc + past.past_operating.get((mid, y), 0.0))
        op = {y: operating[y] for y in target_years}
        for y in target_years:
            abatement[y] += m.abatement_mt * op[y]
        for r, a in usage.get(mid, []):
            stock = inp.resources[r].kind == "stock"
            for y in years:
                resource_use[(r, y)] += a * (operating[y] if stock else done[y])
        by_year = per_measure_s.get(mid, {})
        total_by_instrument: dict[str, float] = defaultdict(float)
        for (i, _), v in by_year.items():
            total_by_instrument[i] += v
        total = sum(total_by_instrument.values())
        share = committed[T]
        tonnes = m.abatement_mt * share * m.support_years
        commit_years = [y for y in years if d[y] > TOL]
        first = commit_years[0] if commit_years else \
            ((possible_years or {}).get(mid) or [max(m.earliest_year, years[0])])[0]
        gap = unit_gap(inp, mid, first) if first in inp.co2_price else max(0.0, m.cost_eur_per_t)
        before = past.past_share.get(mid, 0.0)
        if share <= TOL and before > TOL:  # only what was decided before start_year: this plan decides nothing
            status = DECIDED
        else:
            status = "funded" if share + before >= m.max_share - TOL else \
                "partly funded" if share + before > TOL else "not funded"
        measures[mid] = MeasureResult(
            measure_id=mid, new=d, committed=committed, committed_share=share, operating_share=op,
            abatement_mt=clean(m.abatement_mt * operating[T]),
            subsidy_meur=dict(total_by_instrument), subsidy_by_year=dict(by_year),
            public_cost_meur=clean(sum(weights[i] * v for i, v in total_by_instrument.items())),
            eur_per_t=(total / tonnes) if tonnes > TOL else None, gap_eur_per_t=gap,
            commit_year=commit_years[0] if commit_years else None, status=status, operating_by_year=operating,
            past_share=before,
        )

    abatement = {y: clean(v) for y, v in abatement.items()}
    if shortfall is None:
        shortfall = {y: max(0.0, inp.targets[y] - abatement[y]) for y in target_years}
    shortfall_mt = {y: clean(shortfall.get(y, 0.0)) for y in target_years}
    public_cost = sum(weights[i] * v for (i, _), v in spend.items())
    if objective_meur is None:
        penalty = shortfall_penalty(inp) * sum(shortfall_mt.values())
        objective_meur = clean(public_cost + (penalty if inp.settings.objective == "min-cost" else 0.0))
    met = all(v <= TOL for v in shortfall_mt.values())
    return result_type(
        input=inp,
        status="target_met" if met else "target_not_met",
        objective_meur=objective_meur,
        public_cost_meur=clean(public_cost),
        target_mt=dict(sorted(inp.targets.items())),
        abatement_mt=abatement,
        shortfall_mt=shortfall_mt,
        measures=measures,
        spend_meur={k: clean(v) for k, v in spend.items()},
        instrument_cost_meur={i: clean(sum(weights[i] * spend[(i, y)] for y in years)) for i in inp.instruments},
        resource_use={k: clean(v) for k, v in resource_use.items()},
        shadow=full_shadow_prices(inp, shadow or {}),
        cash=project(inp, subsidy, None if realised is new else _paid_share(new, realised)),
        **extra,
    )


def _paid_share(new: dict, realised: dict) -> dict[tuple[str, int], float]:
    """(m, y) → realised / committed share: what is paid out of a commitment (the rest is released)."""
    return {k: min(1.0, max(0.0, realised.get(k, 0.0) / v)) for k, v in new.items() if v > TOL}
