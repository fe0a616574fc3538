"""Decisions already taken (docs/model.md section 12, sheet ``committed``) as the model sees them.

Plain arithmetic on the input, before any model exists:

- a decision of the past (year < start_year) is a constant: it operates from
  year + L_m (counts toward the targets, uses stock resources), and it reduces
  what is left to commit: x_{m,y} ≤ u_m − past share (and Σ_{m∈g} x ≤ 1 − the
  group's past share). Its money is sunk: in no budget, not in the objective.
  Its commitment year lies before the plan, so it uses no flow resource in it.
- a forced decision (year ≥ start_year) is a lower bound d_{m,year} ≥ share
  (the ``committed`` constraint family).

What is built but cannot connect does not abate (section 14). A workbook whose
past decisions alone use more of a stock resource than it has is bad input
(:func:`optimiser.model.cash.problems`), but a future may make it so: a grid
reinforcement or a CO2 store that slips past a project already built. Then the
past decisions operate as far as that year's capacities allow — each year
the most abatement they can give, ``max Σ_m A_m · o_{m,y}`` subject to
``Σ_m a_{m,r} · o_{m,y} ≤ Cap_{r,y}`` for every stock resource no measure
supplies and ``0 ≤ o_{m,y} ≤`` the past share built by y (:func:`connect`) —
and they connect before anything the plan adds (first come, first served).
Where they fit, which is always the case in a valid workbook, nothing changes.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from dataclasses import dataclass, field

from ..input.data import PlanInput

#: Abatement-free tie-break in :func:`connect`: of two ways to use a resource equally well, operate more.
_OPERATE_MORE = 1e-6
#: Relative room before a use counts as above a capacity.
_FITS = 1e-9


@dataclass
class Decisions:
    """The decisions of sheet ``committed``, aggregated for the model."""

    past_share: dict[str, float] = field(default_factory=dict)  # measure → Σ past shares
    past_group: dict[str, float] = field(default_factory=dict)  # exclusive group → Σ past shares of its members
    past_operating: dict[tuple[str, int], float] = field(default_factory=dict)  # (m, y) → past share operating in y
    past_use: dict[tuple[str, int], float] = field(default_factory=dict)  # (r, y) → stock use by past decisions
    past_abatement: dict[int, float] = field(default_factory=dict)  # y → Σ A_m · past share operating in y
    forced: dict[tuple[str, int], float] = field(default_factory=dict)  # (m, y) → share that must be committed
    #: (m, y) → past share built by y that cannot connect (a resource short of what it has been promised)
    past_idle: dict[tuple[str, int], float] = field(default_factory=dict)
    #: (r, y) → stock use the past decisions built by y would make, connected or not
    past_use_built: dict[tuple[str, int], float] = field(default_factory=dict)

    def left(self, inp: PlanInput, m: str) -> float:
        """u_m − past share: what is left to commit of measure m."""
        return inp.measures[m].max_share - self.past_share.get(m, 0.0)

    def idle_mt(self, inp: PlanInput, y: int) -> float:
        """Σ A_m · idle past share in y: abatement built before the plan that cannot connect in y (Mt/yr)."""
        return sum(inp.measures[m].abatement_mt * v for (m, t), v in self.past_idle.items() if t == y)


def built_by(inp: PlanInput, shares: dict[tuple[str, int], float]) -> dict[tuple[str, int], float]:
    """(m, y) → share of m built by year y (committed in year t with t + L_m ≤ y), for y in the plan's years.

    ``shares[(m, t)]``: share of m committed in year t (any year, before the plan or in it).
    """
    out: dict[tuple[str, int], float] = {}
    for (m, t), share in shares.items():
        if share == 0 or m not in inp.measures:
            continue
        ready = t + inp.measures[m].lead_time_years
        for y in inp.years:
            if ready <= y:
                out[(m, y)] = out.get((m, y), 0.0) + share
    return out


def unsupplied_stock(inp: PlanInput) -> list[str]:
    """The stock resources no measure supplies (no negative use): what is built uses them, nothing adds."""
    suppliers = {r for (_, r), a in inp.usage.items() if a < 0}
    return [r for r, res in inp.resources.items() if res.kind == "stock" and r not in suppliers]


def connect(inp: PlanInput, built: dict[tuple[str, int], float], resources: list[str],
            capacity: dict[tuple[str, int], float] | None = None) -> dict[tuple[str, int], float]:
    """(m, y) → share operating: what is built, as far as the capacities of ``resources`` in y allow.

    Per year y where what is built does not fit: max Σ_m (A_m + ε) · o_m  s.t.  Σ_m a_{m,r} · o_m ≤ Cap_{r,y}
    (r in ``resources``), 0 ≤ o_m ≤ built_{m,y} (an LP solved by HiGHS through scipy; ε a tie-break that
    operates more of what abates nothing). Where it fits, o = built. ``capacity[(r, y)]``: the capacity
    left for what ``built`` holds, where it is less than Cap_{r,y} (the decisions of the past connect first).
    """
    def cap(r: str, y: int) -> float:
        return inp.resources[r].capacity[y] if capacity is None else capacity.get((r, y), inp.resources[r].capacity[y])

    out = dict(built)
    by_year: dict[int, list[str]] = defaultdict(list)
    for (m, y), share in built.items():
        if share > 0:
            by_year[y].append(m)
    wanted = set(resources)
    uses: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (m, r), a in inp.usage.items():
        if a != 0 and r in wanted:
            uses[m].append((r, a))
    for y, ms in sorted(by_year.items()):
        ms = sorted(ms)
        rows: dict[str, dict[str, float]] = defaultdict(dict)
        for m in ms:
            for r, a in uses.get(m, []):
                rows[r][m] = a
        over = [r for r, coef in rows.items()
                if sum(a * built[(m, y)] for m, a in coef.items()) > cap(r, y) + _FITS * max(1.0, abs(cap(r, y)))]
        if not over:
            continue
        import numpy as np
        from scipy.optimize import linprog

        names = sorted(rows)
        A = np.array([[rows[r].get(m, 0.0) for m in ms] for r in names])
        b = np.array([cap(r, y) for r in names])
        gain = np.array([inp.measures[m].abatement_mt + _OPERATE_MORE for m in ms])
        lp = linprog(-gain, A_ub=A, b_ub=b, bounds=[(0.0, built[(m, y)]) for m in ms], method="highs")
        shares = lp.x if lp.status == 0 else np.zeros(len(ms))
        for m, v in zip(ms, shares):
            out[(m, y)] = min(built[(m, y)], max(0.0, float(v)))
    return out


#: The decisions of the inputs seen last (an input is read-only: one computation serves every stage).
_SEEN: dict[int, tuple[weakref.ref, Decisions]] = {}


def decisions(inp: PlanInput) -> Decisions:
    """Aggregate the rows of sheet ``committed`` (already validated: known measures, shares that fit)."""
    seen = _SEEN.get(id(inp))
    if seen is not None and seen[0]() is inp:
        return seen[1]
    out = _decisions(inp)
    if len(_SEEN) > 64:
        for key in [k for k, (ref, _) in _SEEN.items() if ref() is None] or list(_SEEN)[:32]:
            del _SEEN[key]
    _SEEN[id(inp)] = (weakref.ref(inp), out)
    return out


def _decisions(inp: PlanInput) -> Decisions:
    out = Decisions()
    if not inp.committed:
        return out
    past_share: dict[str, float] = defaultdict(float)
    past: dict[tuple[str, int], float] = defaultdict(float)
    for c in inp.past_decisions:
        m = inp.measures[c.measure_id]
        past_share[c.measure_id] += c.share
        past[(c.measure_id, c.year)] += c.share
        if m.exclusive_group:
            out.past_group[m.exclusive_group] = out.past_group.get(m.exclusive_group, 0.0) + c.share
    out.past_share = dict(past_share)
    built = built_by(inp, past)
    operating = connect(inp, built, unsupplied_stock(inp))
    out.past_operating = {k: v for k, v in operating.items() if v > 0}
    out.past_idle = {k: built[k] - v for k, v in operating.items() if built[k] - v > 1e-12}
    for (mid, y), share in out.past_operating.items():
        out.past_abatement[y] = out.past_abatement.get(y, 0.0) + inp.measures[mid].abatement_mt * share
    for (mid, r), a in inp.usage.items():
        res = inp.resources.get(r)
        if a == 0 or res is None or res.kind != "stock" or mid not in past_share:
            continue
        for y in inp.years:
            share = out.past_operating.get((mid, y), 0.0)
            if share:
                out.past_use[(r, y)] = out.past_use.get((r, y), 0.0) + a * share
            share = built.get((mid, y), 0.0)
            if share:
                out.past_use_built[(r, y)] = out.past_use_built.get((r, y), 0.0) + a * share
    for c in inp.forced_decisions:
        out.forced[(c.measure_id, c.year)] = out.forced.get((c.measure_id, c.year), 0.0) + c.share
    return out
