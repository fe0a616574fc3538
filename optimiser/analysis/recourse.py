"""Recourse (docs/model.md section 16): what committed measures do in a future where not all of them can run.

One implementation serves the stress test, decide-by and the confidence questions.

In a future, what is committed but cannot run there — a grid, a hydrogen supply or a CO2 store that is
late or too small, a lead time that runs past the target year — stands idle:

    0 ≤ o'_{m,y} ≤ o_{m,y} = Σ_{t ≤ y − L_m} d_{m,t}          (the share of m running in y)
    Σ_m a_{m,r} · o'_{m,y} ≤ Cap_{r,y} − past use_{r,y}       (every stock resource r, target year y)
    Σ_m A_m · o'_{m,y} + σ_y ≥ T_y − past abatement_y         (every target year y)

Abatement counts only in target years, so stock resources bind there only: in another year a commitment
that cannot connect yet waits (it stands idle that year and runs later). Flow resources (installation
labour) limit what is committed, as in a plan.

What it pays. A commitment through an instrument with a cash profile is paid in full, idle or not. An
``operating`` instrument (paid per tonne while the measure runs, like SDE++) pays only for the tonnes that
run: the share of a commitment standing idle in the target year is released (never paid); the share running
then is paid its whole support period (a plant that connects late starts its support period late).

Two ways to compute it:

- :func:`evaluate`: a plan's commitments fixed. What runs is the most that can (``committed.connect``: most
  abatement within the capacities left after the decisions of the past, which connect first): a plant
  that can run, runs. Exact.
- :func:`recourse_rows` and :func:`cost_terms`: the same rows for a program in which the commitments
  are still to be chosen (:mod:`optimiser.analysis.extensive`). An o' variable exists only for a measure
  that uses a stock resource that can be short in that future (its capacity less than what every measure
  using it could use); elsewhere o' = o. In the program, an operating instrument's commitment is released
  where it is certain from the data alone that it cannot run in that future (its lead time runs past the
  target year, or a stock resource it needs has no capacity left then). A release that depends on the plan
  (a share idle because others take the grid) makes the cost concave in the commitments — the program
  would then idle paid plants on purpose to save their subsidy — so the program prices such a share as
  paid, and :func:`evaluate` credits its release afterwards: the costs reported are the evaluated ones,
  never above the program's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..input.data import OPERATING, PlanInput
from ..model.build import objective
from ..model.cash import past_cash, plan_schedule
from ..model.committed import built_by, connect, decisions
from ..model.families import RESOURCE, TARGET
from ..model.index import Index, Rows, Term, unit_gap

#: The variable o'_{m,y}: the share of m running in target year y.
RUN = "run"
#: The rows o'_{m,y} − Σ_{t ≤ y − L_m} d_{m,t} ≤ 0.
OPERATE = "operate"
#: Below this a share, Mt or M€ is rounding noise.
TOL = 1e-9


def operating_instruments(inp: PlanInput) -> set[str]:
    """The instruments that pay per tonne while the measure runs (payout ``operating``)."""
    return {i for i, inst in inp.instruments.items() if inst.payout.strip().lower() == OPERATING}


def stock_resources(inp: PlanInput) -> list[str]:
    return [r for r, res in inp.resources.items() if res.kind == "stock"]


def capacity_left(inp: PlanInput) -> dict[tuple[str, int], float]:
    """(r, y) → Cap_{r,y} less what the decisions of the past use (they connect first), for stock resources."""
    past = decisions(inp).past_use
    return {(r, y): inp.resources[r].capacity[y] - past.get((r, y), 0.0) for r in stock_resources(inp)
            for y in inp.years}


def short_resources(idx: Index, inp: PlanInput) -> dict[int, set[str]]:
    """Per target year: the stock resources that can be short in this input — the capacity left is less than
    what all the measures using it could use together (Σ_{m: a_{m,r} > 0} a_{m,r} · (u_m − past share))."""
    left = capacity_left(inp)
    dec = idx.decisions
    potential: dict[str, float] = defaultdict(float)
    for (m, r), a in inp.usage.items():
        if a > 0 and m in idx.d_years and r in inp.resources and inp.resources[r].kind == "stock":
            potential[r] += a * dec.left(inp, m)
    out: dict[int, set[str]] = {}
    for y in idx.target_years:
        out[y] = {r for r, use in potential.items() if use > left[(r, y)] + 1e-9 * max(1.0, abs(left[(r, y)]))}
    return out


def idle_measures(idx: Index, inp: PlanInput) -> dict[int, set[str]]:
    """Per target year: the measures that may stand idle in it (they use a stock resource that can be short)."""
    short = short_resources(idx, inp)
    out: dict[int, set[str]] = {y: set() for y in idx.target_years}
    for (m, r), a in inp.usage.items():
        if a > 0 and m in idx.d_years:
            for y in idx.target_years:
                if r in short[y]:
                    out[y].add(m)
    return out


def recourse_rows(idx: Index, inp: PlanInput, rows: dict[str, Rows]) -> dict[str, Rows]:
    """The rows of one future with recourse (a new dict; ``rows`` is not changed).

    - stock resource rows: only in target years, and over o'_{m,y} for the measures that may stand idle;
    - target rows: over o'_{m,y} for those measures;
    - ``operate`` rows: o'_{m,y} ≤ o_{m,y} = Σ_{t ≤ y − L_m} d_{m,t}.
    Every other family as in a plan.
    """
    idle = idle_measures(idx, inp)
    targets = set(idx.target_years)
    lead = {m: inp.measures[m].lead_time_years for m in idx.d_years}

    def swap(terms: list[Term], y: int) -> list[Term]:
        out: list[Term] = []
        seen: dict[str, float] = {}
        for c, name, index in terms:
            if name == "d" and index[0] in idle.get(y, ()):
                seen[index[0]] = c  # the same coefficient on every cohort of m (a_{m,r} or A_m)
            else:
                out.append((c, name, index))
        return out + [(c, RUN, (m, y)) for m, c in seen.items()]

    out = dict(rows)
    res = rows[RESOURCE]
    new = Rows(res.sense)
    for key, terms in res.terms.items():
        r, y = key
        if inp.resources[r].kind == "stock":
            if y not in targets:
                continue  # what cannot connect yet waits: abatement counts in target years only
            terms = swap(terms, y)
        new.add(key, terms, res.rhs[key], limit=res.limit(key))
    out[RESOURCE] = new
    tgt = rows[TARGET]
    new = Rows(tgt.sense)
    for y, terms in tgt.terms.items():
        new.add(y, swap(terms, y), tgt.rhs[y])
    out[TARGET] = new
    op = Rows("<=")
    for y in idx.target_years:
        for m in sorted(idle[y]):
            built = [(-1.0, "d", (m, t)) for t in idx.d_years[m] if t + lead[m] <= y]
            op.add((m, y), [(1.0, RUN, (m, y))] + built, 0.0)
    out[OPERATE] = op
    return out


def blocked(idx: Index, inp: PlanInput) -> set[str]:
    """Measures that certainly cannot run in the target year of this input: a stock resource they use has no
    capacity left then and no measure supplies it."""
    T = inp.settings.target_year
    left = capacity_left(inp)
    supplied = {r for (_m, r), a in inp.usage.items() if a < 0}
    return {m for (m, r), a in inp.usage.items()
            if a > 0 and r not in supplied and (r, T) in left and left[(r, T)] <= TOL}


def cost_terms(idx: Index, inp: PlanInput, rows: dict[str, Rows]) -> tuple[list[Term], list[Term]]:
    """(public cost terms, shortfall penalty terms) of one future with recourse.

    Public cost: Σ w_i · s_{m,i,t}, with an operating instrument's commitment to a cohort (m, t) released
    (coefficient 0) where it certainly cannot run in the target year: t + L_m > T, or m :func:`blocked`.
    Penalty: P · Σ_y σ_y.
    """
    T = inp.settings.target_year
    released = operating_instruments(inp)
    stuck = blocked(idx, inp) if released else set()
    cost: list[Term] = []
    penalty: list[Term] = []
    for c, name, index in objective(idx, inp, rows):
        if name == "s":
            m, i, t = index
            if i in released and (m in stuck or t + inp.measures[m].lead_time_years > T):
                continue
            cost.append((c, name, index))
        elif name == "shortfall":
            penalty.append((c, name, index))
        else:
            cost.append((c, name, index))
    return cost, penalty


# ---------------------------------------------------------------- a plan's commitments in one future

@dataclass
class Evaluation:
    """A plan's commitments in one future, with recourse (plain data)."""

    abatement_mt: dict[int, float]  # per target year: Σ A_m · o'_{m,y} (with the decisions of the past)
    shortfall_mt: dict[int, float]
    public_cost_meur: float  # Σ w_i · s, less what operating instruments release
    released_meur: float  # what operating instruments do not pay for idle tonnes (cost-weighted)
    idle_mt: float  # target-year abatement committed (or built before the plan) that does not run
    running: dict[str, float]  # measure → share running in the target year (new commitments)
    committed: dict[str, float]  # measure → share newly committed by the target year
    cash_meur: dict[str, dict[int, float]] = field(default_factory=dict)  # instrument → year → cash paid

    @property
    def target_met(self) -> bool:
        return all(v <= 1e-6 for v in self.shortfall_mt.values())


def repriced(inp: PlanInput, new: dict[tuple[str, int], float], split: dict[str, dict[str, float]]
             ) -> dict[tuple[str, str, int], float]:
    """The subsidy s_{m,i,t} a plan's commitments need in this future: the future's gap Gap_{m,t} · d_{m,t},
    paid by the instruments in the plan's shares ``split[m][i]`` (the plan's own cheapest eligible
    instrument where it paid m nothing)."""
    out: dict[tuple[str, str, int], float] = {}
    for (m, t), share in new.items():
        if share <= 0 or m not in inp.measures:
            continue
        meas = inp.measures[m]
        gap = unit_gap(inp, m, t) * meas.abatement_mt * meas.support_years * share
        if gap <= 0:
            continue
        parts = split.get(m) or {}
        parts = {i: v for i, v in parts.items() if i in inp.instruments and v > 0}
        if not parts:
            eligible = [i for i in meas.eligible_instruments if i in inp.instruments]
            if not eligible:
                continue
            cheapest = min(eligible, key=lambda i: (inp.instruments[i].cost_weight, eligible.index(i)))
            parts = {cheapest: 1.0}
        total = sum(parts.values())
        for i, v in parts.items():
            out[(m, i, t)] = out.get((m, i, t), 0.0) + gap * v / total
    return out


def evaluate(inp: PlanInput, new: dict[tuple[str, int], float], subsidy: dict[tuple[str, str, int], float],
             *, cash: bool = True) -> Evaluation:
    """The commitments ``new[(m, t)]`` (years ≥ start_year) with their subsidies ``subsidy[(m, i, t)]`` (M€, at
    this future's gaps) in the future ``inp``, whose decisions of the past (sheet committed) connect first.

    o' is the most that can run: per target year, max Σ_m A_m · o'_m within the stock capacities left
    (:func:`optimiser.model.committed.connect`). An operating instrument's commitment to (m, t) pays the share
    running in the target year: 0 when t + L_m > T, else o'_{m,T} / o_{m,T}.
    """
    T = inp.settings.target_year
    targets = sorted(inp.targets)
    dec = decisions(inp)
    new = {k: v for k, v in new.items() if v > TOL and k[0] in inp.measures}
    built = {k: v for k, v in built_by(inp, new).items() if k[1] in inp.targets}
    left = capacity_left(inp)
    run = connect(inp, built, stock_resources(inp), capacity=left)
    abatement, shortfall = {}, {}
    for y in targets:
        a = dec.past_abatement.get(y, 0.0) + sum(inp.measures[m].abatement_mt * v for (m, t), v in run.items()
                                                 if t == y)
        abatement[y] = 0.0 if abs(a) < TOL else a
        s = inp.targets[y] - abatement[y]
        shortfall[y] = 0.0 if s < 1e-9 * max(1.0, inp.targets[y]) else s
    running = {m: v for (m, t), v in run.items() if t == T and v > TOL}
    idle = sum(inp.measures[m].abatement_mt * (v - run[(m, t)]) for (m, t), v in built.items() if t == T)
    idle += dec.idle_mt(inp, T)
    committed: dict[str, float] = defaultdict(float)
    for (m, _t), v in new.items():
        committed[m] += v

    def paid(m: str, t: int) -> float:
        if t + inp.measures[m].lead_time_years > T:
            return 0.0
        b = built.get((m, T), 0.0)
        return 1.0 if b <= TOL else min(1.0, max(0.0, run.get((m, T), 0.0) / b))

    weight = {i: inst.cost_weight for i, inst in inp.instruments.items()}
    operating = operating_instruments(inp)
    cost = released = 0.0
    paid_share: dict[tuple[str, str, int], float] = {}
    for (m, i, t), s in subsidy.items():
        if s <= 0:
            continue
        f = paid(m, t) if i in operating else 1.0
        paid_share[(m, i, t)] = f
        cost += weight.get(i, 1.0) * s * f
        released += weight.get(i, 1.0) * s * (1.0 - f)
    cash_paid: dict[str, dict[int, float]] = {}
    if cash:
        flows: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
        for (m, i, t), s in subsidy.items():
            if s <= 0:
                continue
            f = paid_share[(m, i, t)]
            for year, share in plan_schedule(inp, m, i, t).items():
                flows[i][year] += s * f * share
        for (i, year), v in past_cash(inp).items():
            flows[i][year] += v
        cash_paid = {i: dict(sorted(ys.items())) for i, ys in flows.items()}
    return Evaluation(abatement, shortfall, cost, released, max(0.0, idle), running,
                      {m: v for m, v in committed.items() if v > TOL}, cash_paid)
