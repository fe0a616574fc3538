"""Commitments and cash (docs/model.md section 13): what the state pays out, year by year, for what it commits.

Budgets limit commitments (verplichtingen), promised in the year of the decision.
The cash (kas) of a commitment s_{m,i,y} follows the instrument's ``payout``:

- a profile π (shares summing to 1): cash_t = s · π_{t−y} for t − y = 0 … len(π) − 1;
- ``operating`` (paid per tonne while the measure runs, like SDE++): for
  t = y + L_m … y + L_m + D_m − 1,
  cash_t = s · min(g_{m,y}, max(0, c_m − p_t)) / (g_{m,y} · D_m), p_t the price
  in year t (:meth:`PlanInput.price_at`: the outlook after target_year, a
  missing later year the last year given, before start_year the start_year
  price). A fractional D_m pays its last year the fraction D_m − ⌊D_m⌋ of a
  year. Cash never exceeds the commitment; what a rising price leaves unpaid
  is released (vrijval).

Decisions of the past (sheet ``committed``, year < start_year) pay the same way
from their own year, with g_{m,y} = subsidy_meur / (share · A_m · D_m).

Cash is linear in s, so a cash ceiling (sheet ``cash_limits``) is a sparse
linear row over s: Σ_{i matching} Σ_{m,y} f_{m,i,y,t} · s_{m,i,y} ≤ C_t − the
past decisions' cash in t (the ``cash`` constraint family). :func:`problems`
names the fixed commitments (past and forced) that no plan could keep within
the limits, before anything is solved.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
from dataclasses import dataclass, field

from ..lang import _
from ..input.data import Instrument, PlanInput, Problem
from ..input.manifest import ALL_INSTRUMENTS
from .committed import built_by, decisions
from .index import Index, index_sets, unit_gap

#: Cash below this (M€) is rounding noise.
TOL = 1e-6
#: Relative room before what fixed decisions use counts as above a limit (their shares and subsidies are
#: read from sheets and stored plans rounded to 9 decimals).
_ABOVE = 1e-9


def schedule(inp: PlanInput, mid: str, inst: Instrument, y: int, g: float) -> dict[int, float]:
    """The share of a commitment to measure ``mid`` made in year ``y`` that instrument ``inst`` pays in each year.

    ``g`` is the unprofitable gap per tonne the commitment covers (€/t); the shares sum to at most 1.
    """
    profile = inst.payout_profile
    if profile is not None:
        return {y + k: p for k, p in enumerate(profile) if p > 0}
    m = inp.measures[mid]
    if g <= 0:
        return {}
    out = {}
    start, years = y + m.lead_time_years, m.support_years
    for k in range(math.ceil(years)):
        t = start + k
        weight = min(1.0, years - k)  # a fractional last support year pays that fraction of a year
        paid = min(g, max(0.0, m.cost_eur_per_t - inp.price_at(t)))
        if paid > 0:
            out[t] = paid * weight / (g * years)
    return out


def operating_schedules(inp: PlanInput, pairs: list[tuple[str, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`schedule` of an ``operating`` instrument for many commitments at once, each (m, y) at the plan's
    gap g_{m,y} = max(0, c_m − p_y): three arrays of equal length — the position of (m, y) in ``pairs``, the
    year t, the share f paid then (only f > 0) — in the order :func:`schedule` gives them, pair by pair."""
    if not pairs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    measures = [inp.measures[m] for m, _y in pairs]
    y = np.array([y for _m, y in pairs], dtype=np.int64)
    start = y + np.array([m.lead_time_years for m in measures], dtype=np.int64)
    years = np.array([m.support_years for m in measures], dtype=float)
    cost = np.array([m.cost_eur_per_t for m in measures], dtype=float)
    width = int(math.ceil(years.max())) if len(years) else 0
    k = np.arange(width)
    t = start[:, None] + k[None, :]
    first, last = int(min(y.min(), t.min())), int(max(y.max(), t.max()))
    price = np.array([inp.price_at(year) for year in range(first, last + 1)])
    g = np.maximum(0.0, cost - price[y - first])
    weight = np.minimum(1.0, years[:, None] - k[None, :])  # a fractional last support year pays that fraction
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.minimum(g[:, None], np.maximum(0.0, cost[:, None] - price[t - first])) * weight / (g * years)[:, None]
    keep = (k[None, :] < np.ceil(years)[:, None]) & (g[:, None] > 0) & (f > 0)
    pair, step = np.nonzero(keep)
    return pair, t[pair, step], f[pair, step]


def plan_schedule(inp: PlanInput, mid: str, i: str, y: int) -> dict[int, float]:
    """:func:`schedule` of a commitment of the plan: its gap is g_{m,y} = max(0, c_m − p_y)."""
    return schedule(inp, mid, inp.instruments[i], y, unit_gap(inp, mid, y))


@dataclass
class PastPayment:
    """A past decision's subsidy and how it is paid out."""

    measure_id: str
    instrument_id: str
    year: int
    subsidy_meur: float
    shares: dict[int, float]  # year → share of the subsidy paid then


def past_payments(inp: PlanInput) -> list[PastPayment]:
    """The past decisions with a subsidy, each with g = subsidy / (share · A_m · D_m)."""
    out = []
    for c in inp.past_decisions:
        if not c.instrument_id or not c.subsidy_meur:
            continue
        m = inp.measures[c.measure_id]
        g = c.subsidy_meur / (c.share * m.abatement_mt * m.support_years)
        out.append(PastPayment(c.measure_id, c.instrument_id, c.year, c.subsidy_meur,
                               schedule(inp, c.measure_id, inp.instruments[c.instrument_id], c.year, g)))
    return out


def matching(inp: PlanInput, limit_id: str) -> list[str]:
    """The instruments a cash limit covers: one, or all (``*``)."""
    return list(inp.instruments) if limit_id == ALL_INSTRUMENTS else [limit_id]


def past_cash(inp: PlanInput) -> dict[tuple[str, int], float]:
    """(instrument, year) → cash the past decisions pay then (M€)."""
    out: dict[tuple[str, int], float] = defaultdict(float)
    for p in past_payments(inp):
        for t, share in p.shares.items():
            out[(p.instrument_id, t)] += p.subsidy_meur * share
    return dict(out)


def cash_terms(idx: Index, inp: PlanInput) -> tuple[dict[tuple[str, int], list], dict[tuple[str, int], float]]:
    """The rows of the cash limits: (limit id, t) → [(f, "s", (m, i, y))] and → the limit left after the past
    decisions' cash, C_t − Σ_{i matching} past cash_{i,t}."""
    if not inp.cash_limits:
        return {}, {}
    wanted = {(lid, t) for lid, limit in inp.cash_limits.items() for t in limit.limits}
    covers: dict[str, list[str]] = defaultdict(list)  # instrument → the limits covering it
    for lid in inp.cash_limits:
        for i in matching(inp, lid):
            covers[i].append(lid)
    terms: dict[tuple[str, int], list] = defaultdict(list)
    for (m, i, y) in idx.s_keys:
        if not covers.get(i):
            continue
        for t, f in plan_schedule(inp, m, i, y).items():
            for lid in covers[i]:
                if (lid, t) in wanted:
                    terms[(lid, t)].append((f, "s", (m, i, y)))
    past = past_cash(inp)
    rhs = {}
    for lid, limit in inp.cash_limits.items():
        for t, value in limit.limits.items():
            rhs[(lid, t)] = value - sum(past.get((i, t), 0.0) for i in matching(inp, lid))
    return dict(terms), rhs


# ---------------------------------------------------------------- the projection of a plan

@dataclass
class CashProjection:
    """Commitments, cash and released money per instrument, from the earliest decision to the last payment.

    ``commitments[i][t]``: M€ committed by i in t (the plan's, and the past decisions' in their own year);
    ``cash[i][t]``: M€ i pays out in t; ``released[i]``: what i committed but will not pay (vrijval).
    Years before ``start_year`` are decisions of the past.
    """

    years: list[int]
    start_year: int
    commitments: dict[str, dict[int, float]]
    cash: dict[str, dict[int, float]]
    released: dict[str, float]
    by_measure: dict[tuple[str, str], dict[int, float]] = field(default_factory=dict)  # (m, i) → year → cash

    def total_cash(self, t: int) -> float:
        return sum(c.get(t, 0.0) for c in self.cash.values())

    def total_commitments(self, t: int) -> float:
        return sum(c.get(t, 0.0) for c in self.commitments.values())

    @property
    def released_meur(self) -> float:
        return sum(self.released.values())

    @property
    def committed_meur(self) -> float:
        return sum(sum(c.values()) for c in self.commitments.values())

    @property
    def paid_meur(self) -> float:
        return sum(sum(c.values()) for c in self.cash.values())

    def peak(self, from_year: int | None = None) -> tuple[int, float] | None:
        """(year, M€) of the most cash paid in one year (from ``from_year`` on; default start_year); None if none."""
        first = self.start_year if from_year is None else from_year
        best = None
        for t in self.years:
            v = self.total_cash(t)
            if t >= first and v > TOL and (best is None or v > best[1] + TOL):
                best = (t, v)
        return best


def project(inp: PlanInput, subsidy: dict[tuple[str, str, int], float],
            paid_share: dict[tuple[str, int], float] | None = None) -> CashProjection:
    """The cash projection of a plan committing ``subsidy[(m, i, y)]`` M€, plus the past decisions.

    ``paid_share[(m, y)]``: the part of the commitment that is realised and so paid out (the rules
    simulation: a grant that cannot connect is never paid; default 1); the rest is released.
    """
    commitments: dict[str, dict[int, float]] = {i: defaultdict(float) for i in inp.instruments}
    cash: dict[str, dict[int, float]] = {i: defaultdict(float) for i in inp.instruments}
    by_measure: dict[tuple[str, str], dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for (m, i, y), s in subsidy.items():
        if s <= TOL:
            continue
        commitments[i][y] += s
        paid = s * (1.0 if paid_share is None else paid_share.get((m, y), 1.0))
        for t, f in plan_schedule(inp, m, i, y).items():
            cash[i][t] += paid * f
            by_measure[(m, i)][t] += paid * f
    for p in past_payments(inp):
        commitments[p.instrument_id][p.year] += p.subsidy_meur
        for t, f in p.shares.items():
            cash[p.instrument_id][t] += p.subsidy_meur * f
            by_measure[(p.measure_id, p.instrument_id)][t] += p.subsidy_meur * f
    used = [t for d in list(commitments.values()) + list(cash.values()) for t, v in d.items() if v > TOL]
    first = min(used + [inp.settings.start_year])
    last = max(used + [inp.settings.target_year])
    years = list(range(first, last + 1))
    out_c = {i: {t: commitments[i].get(t, 0.0) for t in years} for i in inp.instruments}
    out_k = {i: {t: cash[i].get(t, 0.0) for t in years} for i in inp.instruments}
    released = {i: max(0.0, sum(out_c[i].values()) - sum(out_k[i].values())) for i in inp.instruments}
    return CashProjection(years, inp.settings.start_year, out_c, out_k, released,
                          {k: dict(v) for k, v in by_measure.items()})


# ---------------------------------------------------------------- fixed commitments no plan can keep

def _forced_use(inp: PlanInput, dec, suppliers: set[str]) -> list[Problem]:
    """Forced decisions that need more of a resource no measure supplies than is left beside the past
    decisions: stock from year + L_m on, flow in their year (one problem per resource, its first year)."""
    if not dec.forced:
        return []
    first_row = {}
    for c in inp.forced_decisions:
        first_row.setdefault(c.measure_id, c.row)
    built = built_by(inp, dec.forced)
    out = []
    for r, res in inp.resources.items():
        if r in suppliers:
            continue
        users = [(m, a) for (m, r2), a in inp.usage.items() if r2 == r and a > 0 and m in inp.measures]
        for y in inp.years:
            if res.kind == "stock":
                use = sum(a * built.get((m, y), 0.0) for m, a in users)
                left = res.capacity[y] - dec.past_use.get((r, y), 0.0)
            else:
                use = sum(a * dec.forced.get((m, y), 0.0) for m, a in users)
                left = res.capacity[y]
            if use > max(left, 0.0) + 1e-9 * max(1.0, abs(res.capacity[y])):
                who = sorted(m for m, a in users if (built if res.kind == "stock" else dec.forced).get((m, y)))
                out.append(Problem(
                    f"the forced decisions on {', '.join(who)} need {use:,.6g} {res.unit or 'units'} of {r} in {y}, "
                    f"more than the {max(left, 0.0):,.6g} its capacity leaves"
                    + (" beside the decisions of the past" if left < res.capacity[y] else ""),
                    None, "committed", first_row.get(who[0]) if who else None, "year"))
                break  # its first year says it
    return out


def problems(inp: PlanInput, *, future: bool = False) -> list[Problem]:
    """The decisions already taken that no plan can keep within the limits (one problem each).

    - a forced decision that has no commitment variable: none of the measure's instruments can pay
      its gap that year (no budget, or caps that pay nothing) — elastic runs may use any instrument;
    - past decisions whose operating use of a stock resource exceeds its capacity (when no measure
      could supply more of it);
    - forced decisions whose use of a resource no measure supplies — a stock one from the year they
      operate, a flow one in their year — exceeds what its capacity leaves beside the past decisions;
    - past decisions whose cash alone exceeds a cash limit.
    An elastic run may relax budgets, capacities and cash limits, so only the first applies to it.
    ``future``: the input is one of many futures (``policymix futures``), in which the past decisions
    operate as far as the capacities allow (:func:`optimiser.model.committed.connect`), so the second
    does not apply.
    """
    if not inp.committed and not inp.cash_limits:
        return []
    out: list[Problem] = []
    elastic = inp.settings.elastic
    rows = {(c.measure_id, c.year): c.row for c in inp.forced_decisions}
    if rows:
        idx = index_sets(inp)
        for (m, y), row in rows.items():
            meas = inp.measures[m]
            gap = idx.gap.get((m, y), unit_gap(inp, m, y) * meas.abatement_mt * meas.support_years)
            if y not in idx.d_years.get(m, []):
                out.append(Problem(
                    _("the forced decision on '{measure}' in {year} cannot be paid: its gap is {gap} M€ for a full "
                      "share and none of its instruments ({instruments}) has budget or room under its caps that year",
                      measure=m, year=y, gap=f"{gap:,.6g}", instruments=";".join(meas.eligible_instruments) or _("none")),
                    None, "committed", row, "year"))
                continue
            room = sum(min(gap, idx.capex_cap.get((m, i, y), gap), idx.eur_per_t_cap.get((m, i, y), gap))
                       for i in idx.s_by_my.get((m, y), []))
            if gap > 0 and room < gap * (1 - 1e-9):
                out.append(Problem(
                    _("the forced decision on '{measure}' in {year} cannot be paid: its instruments' caps together pay "
                      "at most {room} of its gap of {gap} M€ for a full share", measure=m, year=y, room=f"{room:,.6g}",
                      gap=f"{gap:,.6g}"), None, "committed", row, "year"))
    if elastic:
        return out
    dec = decisions(inp)
    suppliers = {r for (_m, r), a in inp.usage.items() if a < 0}
    first_row = {}
    for c in inp.past_decisions:
        first_row.setdefault(c.measure_id, c.row)
    said: set[str] = set()
    built_use = {} if future else dec.past_use_built  # a future connects what fits (committed.connect)
    for (r, y), use in sorted(built_use.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        res = inp.resources[r]
        if use > res.capacity[y] + _ABOVE * max(1.0, abs(res.capacity[y])) and r not in suppliers and r not in said:
            said.add(r)  # its first year says it
            users = sorted({m for (m, r2) in inp.usage if r2 == r
                            and (dec.past_operating.get((m, y)) or dec.past_idle.get((m, y)))})
            out.append(Problem(
                _("the past decisions on {measures} use {use} {unit} of {resource} in {year}, more than its capacity of "
                  "{capacity}: move them later (lead_time_years) or raise the capacity", measures=", ".join(users),
                  use=f"{use:,.6g}", unit=res.unit or _("units"), resource=r, year=y,
                  capacity=f"{res.capacity[y]:,.6g}"), None, "committed", first_row.get(users[0]) if users else None,
                "year"))
    out += _forced_use(inp, dec, suppliers)
    if inp.cash_limits:
        past = past_cash(inp)
        for lid, limit in inp.cash_limits.items():
            for t, value in limit.limits.items():
                paid = sum(past.get((i, t), 0.0) for i in matching(inp, lid))
                if paid > value + _ABOVE * max(1.0, abs(value)):
                    out.append(Problem(_("the past decisions (sheet committed) alone pay {paid} M€ in {year}, above this "
                                         "limit of {limit} M€", paid=f"{paid:,.6g}", year=t, limit=f"{value:,.6g}"),
                                       None, "cash_limits", limit.row, str(t)))
    return out
