"""The rules simulation: allocate every instrument's budget by its own rules, not by optimisation.

``simulate(inp)`` replays how the state actually hands out the money — SDE++
rounds, the NIKI tender, VEKI first come first served, maatwerk deals — and
returns the result in the shape of an optimal plan (:class:`RulesResult` is a
:class:`~optimiser.extract.PlanResult`), plus for every measure whether it was
granted, realised, or blocked and by what. docs/rules.md describes every rule
and every choice; in short:

* Years run in order. In each year, first the measures whose gap the CO2 price
  has closed are realised without subsidy (if their resources fit); then the
  instruments run in the order of their rule sets — ``sde_round``, ``tender``,
  ``fcfs``, ``maatwerk`` (generic before bespoke) — and within one rule set in
  workbook order. An instrument whose ``allocation`` is ``none`` grants nothing.
* Applications are the measures eligible for the instrument that can be
  committed that year (earliest year, lead time within the horizon: as in the
  model), still have a share to deploy, need a subsidy, and hold no grant from
  another instrument (a measure granted by one instrument applies nowhere else).
* Each instrument pays the gap as far as its caps allow; the rest is paid by
  the measure's other eligible instruments, in run order, as far as their caps
  allow (the state-aid rule: the whole gap, never more). An application whose
  gap cannot be covered is rejected.
* ``sde_round``: one round a year with that year's budget; applications above
  the instrument's €/t cap or above the last phase ceiling cannot apply; the
  rest are ranked by subsidy intensity (€ per tonne avoided), in phases of
  rising ceilings; fences (ring-fenced sub-budgets) first, for their members.
  ``tender``: the same ranking without phases. ``fcfs``: by earliest year, then
  id. ``maatwerk``: by size (abatement at the deployable share), largest first.
* In that order an application is granted in full when it fits what is left of
  every budget it draws on (yearly, period, fence), else rejected, and the
  next, smaller one may still fit. A lumpy measure is one application; a
  non-lumpy measure stands for many small ones of equal intensity, so the
  share that fits is granted. Ties are broken by measure id.
* Realisation, in grant order: a granted share is realised only if its use of
  every resource fits what earlier realised measures left, in every year it
  operates (stock) or is built (flow); a lumpy measure all or nothing.
  Otherwise it is granted but not realised: its money is committed but idle.
* Decisions already taken (sheet ``committed``): a decision of the past
  operates from its year + L_m and takes its resources, its share and its
  exclusive group's before anything is granted; its money is sunk. A forced
  decision is granted first in its year, in full, by the instrument its row
  names (else the first of the measure's instruments with budget that year
  whose caps, with co-financing, pay the gap), booked on the budgets like any
  grant and realised as far as its resources fit.
* Cash limits (sheet ``cash_limits``) are budgets too: a grant must also fit
  what is left of every cash limit covering its instruments in every year it
  pays out (a non-lumpy measure: the share that fits), after the past
  decisions' cash. What a grant that is not realised would have paid is
  released, not paid.

This module is stage logic: plain data in, plain data out (no openpyxl).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from ..lang import N_, _, num
from ..input.data import Instrument, PlanInput
from ..input.manifest import DEFAULT_SDE_PHASES, default_allocation
from ..model.cash import matching, past_cash, plan_schedule
from ..model.committed import decisions
from ..model.families import BUDGET, CASH, EXCLUSIVE, PERIOD_BUDGET, RESOURCE
from ..model.index import unit_gap
from ..model.results import TOL, PlanResult, assemble, clean, span

#: Rule sets in the order they run within a year (generic before bespoke).
RUN_ORDER: tuple[str, ...] = ("sde_round", "tender", "fcfs", "maatwerk")
#: Shares, M€ and €/t below this are rounding noise.
EPS = 1e-9

#: Outcome of a measure under the rules.
REALISED = N_("realised")
PARTLY_REALISED = N_("partly realised")
NOT_REALISED = N_("granted, not realised")
MARKET = N_("realised without subsidy")
NOT_GRANTED = N_("not granted")
DECIDED = N_("decided before the plan")  # committed in full before start_year (sheet committed)


def allocation_of(inst: Instrument) -> str:
    """The instrument's rule set: its ``allocation`` cell, else the default from its id or kind."""
    return inst.allocation or default_allocation(inst.instrument_id, inst.kind)


def phases_of(inst: Instrument) -> tuple[float, ...]:
    """Phase ceilings (€/t) of an sde_round instrument (blank: the default phases); () otherwise."""
    if allocation_of(inst) != "sde_round":
        return ()
    return tuple(inst.phases_eur_per_t) or DEFAULT_SDE_PHASES


def run_order(inp: PlanInput) -> list[str]:
    """The instruments that allocate, in the order they run within a year."""
    position = {i: k for k, i in enumerate(inp.instruments)}
    active = [i for i, inst in inp.instruments.items() if allocation_of(inst) in RUN_ORDER]
    return sorted(active, key=lambda i: (RUN_ORDER.index(allocation_of(inp.instruments[i])), position[i]))


@dataclass
class Grant:
    """One grant (or, with ``instrument_id`` None, one commitment without subsidy)."""

    measure_id: str
    instrument_id: str | None  # the instrument whose rules granted it; None: no subsidy needed
    year: int
    share: float
    subsidy_meur: dict[str, float]  # per instrument: the granting one and any co-financers
    stage: str  # "round", a fence id, or "market"
    rank: int | None  # place in the order of its round (1 = first)
    phase: int | None  # sde_round: the phase (1-based) whose ceiling admits its intensity
    ask_eur_per_t: float  # the granting instrument's subsidy per tonne avoided over the support period
    order: int  # grant order (1-based): the order in which resources are claimed
    realised_share: float = 0.0
    blocked_by: list[dict] = field(default_factory=list)  # resources that did not fit {"kind", "id", "year"}

    @property
    def total_meur(self) -> float:
        return sum(self.subsidy_meur.values())

    @property
    def idle_meur(self) -> float:
        if self.share <= EPS:
            return 0.0
        return self.total_meur * max(0.0, self.share - self.realised_share) / self.share


@dataclass
class RuleOutcome:
    """What the rules did with one measure."""

    measure_id: str
    outcome: str  # realised / partly realised / granted, not realised / realised without subsidy / not granted
    instrument_id: str | None  # the instrument that granted it (None when not granted or no subsidy needed)
    granted_share: float
    realised_share: float
    granted_meur: float
    idle_meur: float
    grants: list[Grant]
    blocked_by: list[dict]  # what blocked its grant or its realisation {"kind", "id", "year"}
    reason: str

    @property
    def granted(self) -> bool:
        return self.granted_share > TOL and self.instrument_id is not None

    @property
    def realised(self) -> bool:
        return self.realised_share > TOL


@dataclass
class RoundLog:
    """One stage of one instrument's allocation in one year."""

    instrument_id: str
    allocation: str
    year: int
    stage: str  # "round" or a fence id
    available_meur: float  # budget left when the stage opened (yearly budget, or fence budget)
    applications: int  # admitted applications ranked in this stage
    granted: int
    granted_meur: float  # paid by this instrument in this stage (co-financing paid by others not included)
    ceiling_eur_per_t: float | None  # highest intensity admitted (None: no ceiling)


@dataclass
class RulesResult(PlanResult):
    """A plan made by the instruments' rules, in the shape of an optimal plan, plus what the rules did."""

    outcomes: dict[str, RuleOutcome] = field(default_factory=dict)
    rounds: list[RoundLog] = field(default_factory=list)
    run_order: list[str] = field(default_factory=list)
    committed_idle_meur: float = 0.0  # Σ w_i · subsidy of granted but unrealised shares

    @property
    def realised_cost_meur(self) -> float:
        return self.public_cost_meur - self.committed_idle_meur


# ---------------------------------------------------------------- the simulation

class _Simulation:
    def __init__(self, inp: PlanInput):
        self.inp = inp
        self.years = inp.years
        self.last = self.years[-1]
        self.order = run_order(inp)
        self.alloc = {i: allocation_of(inst) for i, inst in inp.instruments.items()}
        self.budget_left = {(i, y): float(inp.budgets[i][y]) for i in inp.instruments for y in self.years}
        self.period_left = {i: (float("inf") if inst.period_budget_meur is None else float(inst.period_budget_meur))
                            for i, inst in inp.instruments.items()}
        self.fence_left = {(f, y): float(fence.budget[y]) for f, fence in inp.fences.items() for y in self.years}
        past = decisions(inp)  # decisions of the past take their share, group and resources first
        self.share_left = {mid: past.left(inp, mid) for mid in inp.measures}
        self.group_left: dict[str, float] = {m.exclusive_group: 1.0 - past.past_group.get(m.exclusive_group, 0.0)
                                             for m in inp.measures.values() if m.exclusive_group}
        self.resource_left = {(r, y): float(res.capacity[y]) - past.past_use.get((r, y), 0.0)
                              for r, res in inp.resources.items() for y in self.years}
        self.forced = past.forced  # (m, y) → share granted first in y, kept free for it until then
        for (mid, _year), share in self.forced.items():
            self.share_left[mid] -= share
            if inp.measures[mid].exclusive_group:
                self.group_left[inp.measures[mid].exclusive_group] -= share
        self.forced_by = {(c.measure_id, c.year): c.instrument_id for c in inp.forced_decisions}
        paid_before = past_cash(inp)
        self.cash_left = {(lid, t): v - sum(paid_before.get((i, t), 0.0) for i in matching(inp, lid))
                          for lid, limit in inp.cash_limits.items() for t, v in limit.limits.items()}
        self.cash_covers: dict[str, list[str]] = defaultdict(list)  # instrument → cash limits covering it
        for lid in inp.cash_limits:
            for i in matching(inp, lid):
                self.cash_covers[i].append(lid)
        self.usage: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for (mid, r), a in inp.usage.items():
            if a != 0:
                self.usage[mid].append((r, a))
        self.primary: dict[str, str] = {}  # measure → the instrument that granted it
        self.grants: list[Grant] = []
        # measure → [{"kind", "id", "year", "instrument", "text"}]
        self.rejections: dict[str, list[dict]] = defaultdict(list)
        self.rounds: list[RoundLog] = []
        self.eligible_for: dict[str, list[str]] = defaultdict(list)
        for mid, m in inp.measures.items():
            for i in m.eligible_instruments:
                self.eligible_for[i].append(mid)

    # -------------------------------------------------------- helpers

    def gap_full(self, mid: str, y: int) -> float:
        """Gap_{m,y}: M€ of subsidy a full share needs (unprofitable gap × A × D)."""
        m = self.inp.measures[mid]
        return unit_gap(self.inp, mid, y) * m.abatement_mt * m.support_years

    def can_commit(self, mid: str, y: int) -> bool:
        """As in the model: not before the earliest year, and operating within the horizon."""
        m = self.inp.measures[mid]
        return y >= m.earliest_year and y + m.lead_time_years <= self.last

    def room(self, mid: str) -> float:
        """The share still open to mid: its undeployed share within what its exclusive group leaves."""
        m = self.inp.measures[mid]
        left = self.share_left[mid]
        if m.exclusive_group:
            left = min(left, self.group_left[m.exclusive_group])
        return max(0.0, left)

    def reject(self, mid: str, instrument: str | None, y: int, kind: str, lid: str, text: str) -> None:
        self.rejections[mid].append({"kind": kind, "id": lid, "year": y, "instrument": instrument, "text": text})

    def cap_room(self, mid: str, i: str, gap: float) -> float:
        """The most instrument i may pay for a full share of mid under its caps (M€)."""
        inst, m = self.inp.instruments[i], self.inp.measures[mid]
        room = gap
        if inst.capex_share_cap is not None:
            room = min(room, inst.capex_share_cap * m.capex_meur)
        if inst.eur_per_t_cap is not None:
            room = min(room, inst.eur_per_t_cap * m.abatement_mt * m.support_years)
        return max(0.0, room)

    def split(self, mid: str, i: str, y: int) -> dict[str, float] | None:
        """M€ per full share paid by i and by co-financers (the measure's other eligible instruments, in
        run order, with budget that year) as their caps allow; None when the caps cannot cover the gap."""
        gap = self.gap_full(mid, y)
        first = self.cap_room(mid, i, gap)
        if first <= EPS:
            return None
        out = {i: first}
        rest = gap - first
        for j in self.order:
            if rest <= EPS * max(1.0, gap):
                break
            if j == i or j not in self.inp.measures[mid].eligible_instruments or self.inp.budgets[j][y] <= EPS:
                continue
            take = min(rest, self.cap_room(mid, j, gap))
            if take > EPS:
                out[j] = take
                rest -= take
        if rest > EPS * max(1.0, gap):
            return None
        return out

    # -------------------------------------------------------- one year

    def run(self) -> None:
        for y in self.years:
            self.forced_grants(y)
            self.market(y)
            for i in self.order:
                self.allocate(i, y)

    def forced_grants(self, y: int) -> None:
        """Forced decisions of year y (sheet committed): granted in full before anything else that year."""
        for (mid, year), share in sorted(self.forced.items()):
            if year != y:
                continue
            m = self.inp.measures[mid]
            self.share_left[mid] += share  # the share kept free for it: granted now
            if m.exclusive_group:
                self.group_left[m.exclusive_group] += share
            if self.gap_full(mid, y) <= 0:
                grant = Grant(mid, None, y, share, {}, "forced", None, None, 0.0, len(self.grants) + 1)
                self.share_left[mid] -= share
                if m.exclusive_group:
                    self.group_left[m.exclusive_group] -= share
                grant.realised_share, grant.blocked_by = self.fit_resources(mid, y, share)
                self.claim(grant)
                self.grants.append(grant)
                continue
            named = self.forced_by.get((mid, y)) or ""
            candidates = ([named] if named else []) + [i for i in self.order + list(self.inp.instruments)
                                                       if i != named and i in m.eligible_instruments]
            for i in candidates:
                split = self.split(mid, i, y)
                if split is None or self.inp.budgets[i][y] <= EPS and not named:
                    continue
                ask = split[i] / (m.abatement_mt * m.support_years)
                grant = Grant(mid, i, y, share, {k: p * share for k, p in split.items()}, "forced", None, None, ask,
                              len(self.grants) + 1)
                self.commit(grant, None)
                break
            else:
                self.share_left[mid] -= share
                if m.exclusive_group:
                    self.group_left[m.exclusive_group] -= share
                self.reject(mid, None, y, "eligibility", mid, "the forced decision could not be paid: no instrument's "
                                                              "caps (with co-financing) cover its gap")

    def market(self, y: int) -> None:
        """Measures whose gap the CO2 price has closed invest without subsidy (if their resources fit)."""
        for mid, m in sorted(self.inp.measures.items()):
            if self.primary.get(mid) or not self.can_commit(mid, y) or self.gap_full(mid, y) > 0:
                continue
            share = self.room(mid)
            if share <= EPS or (m.lumpy and share < m.max_share * (1 - EPS)):
                continue
            if m.lumpy:
                share = m.max_share
            grant = Grant(mid, None, y, share, {}, "market", None, None, 0.0, len(self.grants) + 1)
            realised, blocked = self.fit_resources(mid, y, share)
            if realised <= EPS:
                for b in blocked:
                    self.reject(mid, None, y, RESOURCE, b["id"], "")
                continue  # no money committed: the firm may try again next year
            grant.share = grant.realised_share = realised
            self.share_left[mid] -= realised
            if m.exclusive_group:
                self.group_left[m.exclusive_group] -= realised
            self.claim(grant)
            self.grants.append(grant)

    def allocate(self, i: str, y: int) -> None:
        """One instrument's allocation in year y, by its rule set."""
        inp = self.inp
        inst = inp.instruments[i]
        alloc = self.alloc[i]
        if self.inp.budgets[i][y] <= EPS:
            return  # no round this year
        entries = []  # (measure, full gap per t, ask per t, split per full share)
        for mid in self.eligible_for[i]:
            if self.primary.get(mid, i) != i or not self.can_commit(mid, y) or self.room(mid) <= EPS:
                continue
            g = unit_gap(inp, mid, y)
            if g <= 0:
                continue  # no subsidy needed (the market step)
            if alloc in ("sde_round", "tender") and inst.eur_per_t_cap is not None and g > inst.eur_per_t_cap + EPS:
                self.reject(mid, i, y, "cap", i, _("its gap of {gap} €/t is above the {cap} €/t cap of {instrument}",
                                                   gap=num(g, ",.0f"), cap=num(inst.eur_per_t_cap, ",.0f"),
                                                   instrument=i))
                continue
            split = self.split(mid, i, y)
            if split is None:
                self.reject(mid, i, y, "cap", i, _("the caps of {instrument} and its other instruments cannot pay its "
                                                 "whole gap", instrument=i))
                continue
            m = inp.measures[mid]
            entries.append((mid, g, split[i] / (m.abatement_mt * m.support_years), split))

        if alloc in ("sde_round", "tender"):
            phases = phases_of(inst)
            ceiling = phases[-1] if phases else None
            if inst.eur_per_t_cap is not None:  # no intensity above the instrument's cap is admitted anyway
                ceiling = inst.eur_per_t_cap if ceiling is None else min(ceiling, inst.eur_per_t_cap)
            for f, fence in inp.fences.items():
                if fence.instrument_id != i or self.fence_left[(f, y)] <= EPS:
                    continue
                f_ceiling = fence.eur_per_t_cap if fence.eur_per_t_cap is not None else ceiling
                members = [e for e in entries if inp.measures[e[0]].fence == f]
                admitted = [e for e in members if f_ceiling is None or e[2] <= f_ceiling + EPS]
                self.stage(i, y, f, sorted(admitted, key=lambda e: (e[2], e[0])), phases, f_ceiling)
            admitted = []
            for e in entries:
                if ceiling is not None and e[2] > ceiling + EPS:
                    if not self.primary.get(e[0]):
                        self.reject(e[0], i, y, "phase", i, _("its subsidy intensity of {ask} €/t is above the last "
                                                              "phase ceiling of {instrument} ({ceiling} €/t)",
                                                              ask=num(e[2], ",.0f"), instrument=i,
                                                              ceiling=num(ceiling, ",.0f")))
                    continue
                admitted.append(e)
            self.stage(i, y, "round", sorted(admitted, key=lambda e: (e[2], e[0])), phases, ceiling)
        elif alloc == "fcfs":
            order = sorted(entries, key=lambda e: (inp.measures[e[0]].earliest_year, e[0]))
            self.stage(i, y, "round", order, (), None)
        elif alloc == "maatwerk":
            size = lambda e: inp.measures[e[0]].abatement_mt * inp.measures[e[0]].max_share  # noqa: E731
            self.stage(i, y, "round", sorted(entries, key=lambda e: (-size(e), e[0])), (), None)

    def stage(self, i: str, y: int, stage: str, order: list, phases: tuple, ceiling: float | None) -> None:
        """Grant applications in order while they fit; log the stage."""
        fence = stage if stage != "round" else None
        available = self.fence_left[(fence, y)] if fence else self.budget_left[(i, y)]
        granted, paid = 0, 0.0
        for rank, (mid, g, ask, split) in enumerate(order, start=1):
            m = self.inp.measures[mid]
            room = self.room(mid)
            if room <= EPS or self.primary.get(mid, i) != i:
                continue  # granted in an earlier stage of this round, or its source went to another option
            if m.lumpy and room < m.max_share * (1 - EPS):
                self.reject(mid, i, y, EXCLUSIVE, m.exclusive_group, _("its emission source (group '{group}') is partly taken by another "
                                                                    "option", group=m.exclusive_group))
                continue
            share, limit = self.fit_budgets(mid, i, y, split, fence, room)
            if share is None:
                self.reject(mid, i, y, *limit)
                continue
            if limit is not None and share < room - EPS:
                self.reject(mid, i, y, *limit)  # a non-lumpy measure: only part of it fitted
            phase = next((k for k, c in enumerate(phases, start=1) if ask <= c + EPS), None) if phases else None
            grant = Grant(mid, i, y, share, {k: p * share for k, p in split.items()}, stage, rank, phase, ask,
                          len(self.grants) + 1)
            self.commit(grant, fence)
            granted += 1
            paid += grant.subsidy_meur[i]
        if order or available > EPS:
            self.rounds.append(RoundLog(i, self.alloc[i], y, stage, available, len(order), granted, paid, ceiling))

    def fit_budgets(self, mid: str, i: str, y: int, split: dict[str, float], fence: str | None,
                    room: float) -> tuple[float | None, tuple]:
        """The share granted: all of ``room`` if it fits every budget it draws on; for a non-lumpy measure
        the part that fits; (None, the limit that did not fit) otherwise."""
        m = self.inp.measures[mid]
        want = m.max_share if m.lumpy else room
        share, limit = want, None
        for k, p in split.items():
            if p <= EPS:
                continue
            checks = [(self.budget_left[(k, y)], (BUDGET, k, _("did not fit what was left of the {year} budget of "
                                                               "{instrument}", year=y, instrument=k)))]
            if self.period_left[k] != float("inf"):
                checks.append((self.period_left[k], (PERIOD_BUDGET, k, _("did not fit what was left of the period "
                                                                           "budget of {instrument}", instrument=k))))
            if fence and k == i:
                checks.append((self.fence_left[(fence, y)], ("fence", fence, _("did not fit what was left of fence "
                                                                               "'{fence}' of {instrument}", fence=fence,
                                                                               instrument=i))))
            for left, why in checks:
                if left / p < share:
                    share, limit = max(0.0, left / p), why
        for (lid, t), per_share in self.cash_per_share(mid, y, split).items():
            left = self.cash_left[(lid, t)]
            if per_share > EPS and left / per_share < share:
                share, limit = max(0.0, left / per_share), (CASH, lid, _("did not fit what was left of the cash "
                                                                         "limit of {limit} in {year}", limit=lid,
                                                                         year=t))
        if m.lumpy and share < want * (1 - EPS):
            return None, limit
        if share <= EPS:
            return None, limit
        return share, limit

    def cash_per_share(self, mid: str, y: int, split: dict[str, float]) -> dict[tuple[str, int], float]:
        """(cash limit, year) → cash a full share granted in y with this split pays out then (M€)."""
        out: dict[tuple[str, int], float] = defaultdict(float)
        for k, p in split.items():
            for lid in self.cash_covers.get(k, []):
                for t, f in plan_schedule(self.inp, mid, k, y).items():
                    if (lid, t) in self.cash_left:
                        out[(lid, t)] += p * f
        return out

    def commit(self, grant: Grant, fence: str | None) -> None:
        """Book a grant on every budget (and cash limit) it draws on, then try to realise it."""
        y = grant.year
        if grant.share > EPS:
            split = {k: v / grant.share for k, v in grant.subsidy_meur.items()}
            for key, per_share in self.cash_per_share(grant.measure_id, y, split).items():
                self.cash_left[key] = max(0.0, self.cash_left[key] - grant.share * per_share)
        for k, v in grant.subsidy_meur.items():
            self.budget_left[(k, y)] = max(0.0, self.budget_left[(k, y)] - v)
            if self.period_left[k] != float("inf"):
                self.period_left[k] = max(0.0, self.period_left[k] - v)
        if fence:
            paid = grant.subsidy_meur[grant.instrument_id]
            self.fence_left[(fence, y)] = max(0.0, self.fence_left[(fence, y)] - paid)
        m = self.inp.measures[grant.measure_id]
        self.share_left[grant.measure_id] -= grant.share
        if m.exclusive_group:
            self.group_left[m.exclusive_group] -= grant.share
        self.primary[grant.measure_id] = grant.instrument_id
        grant.realised_share, blocked = self.fit_resources(grant.measure_id, y, grant.share)
        if grant.realised_share < grant.share - EPS:
            grant.blocked_by = blocked
        self.claim(grant)
        self.grants.append(grant)

    def fit_resources(self, mid: str, y: int, share: float) -> tuple[float, list[dict]]:
        """The part of ``share`` (committed in y) whose resource use fits what is left, and what did not fit."""
        m = self.inp.measures[mid]
        fit, blocked = share, []
        for r, a in self.usage.get(mid, []):
            if a <= 0:
                continue  # it supplies r: always fits
            for t in self.use_years(r, mid, y):
                room = self.resource_left[(r, t)] / a
                if room < share - EPS:
                    blocked.append({"kind": RESOURCE, "id": r, "year": t})
                    fit = min(fit, max(0.0, room))
        if m.lumpy and fit < share - EPS:
            fit = 0.0
        return (0.0 if fit <= EPS else fit), blocked

    def use_years(self, r: str, mid: str, y: int) -> list[int]:
        """Years in which a commitment of mid in y uses r: while operating (stock) or while being built (flow)."""
        if self.inp.resources[r].kind == "stock":
            return [t for t in self.years if t >= y + self.inp.measures[mid].lead_time_years]
        return [y]

    def claim(self, grant: Grant) -> None:
        """Take the realised share's resources (a supplier adds to what is left)."""
        if grant.realised_share <= 0:
            return
        for r, a in self.usage.get(grant.measure_id, []):
            for t in self.use_years(r, grant.measure_id, grant.year):
                self.resource_left[(r, t)] -= a * grant.realised_share


# ---------------------------------------------------------------- results

def simulate(inp: PlanInput) -> RulesResult:
    """Allocate by the instruments' rules (docs/rules.md); the result has the shape of an optimal plan."""
    started = time.perf_counter()
    sim = _Simulation(inp)
    sim.run()
    result = _result(inp, sim)
    result.solver = {"name": "rules simulation (no solver)", "status": "simulated", "rows": "—", "columns": "—",
                     "seconds": time.perf_counter() - started, "mip": False, "mip_gap": 0.0}
    return result


def _result(inp: PlanInput, sim: _Simulation) -> RulesResult:
    """The simulated plan through the planner's one result assembler, plus what the rules did."""
    new: dict[tuple[str, int], float] = defaultdict(float)
    realised: dict[tuple[str, int], float] = defaultdict(float)
    subsidy: dict[tuple[str, str, int], float] = defaultdict(float)
    by_measure: dict[str, list[Grant]] = defaultdict(list)
    for g in sim.grants:
        by_measure[g.measure_id].append(g)
        new[(g.measure_id, g.year)] += g.share
        realised[(g.measure_id, g.year)] += g.realised_share
        for i, v in g.subsidy_meur.items():
            subsidy[(g.measure_id, i, g.year)] += v
    weights = {i: inst.cost_weight for i, inst in inp.instruments.items()}
    idle = sum(sum(weights[i] * v for i, v in g.subsidy_meur.items()) * (g.idle_meur / g.total_meur)
               for g in sim.grants if g.total_meur > EPS and g.idle_meur > EPS)
    # no optimisation, no shadow prices: every one is 0
    result = assemble(inp, new=new, realised=realised, subsidy=subsidy, result_type=RulesResult,
                      rounds=sim.rounds, run_order=sim.order, committed_idle_meur=clean(idle))
    for mid, mr in result.measures.items():
        outcome = _outcome(inp, sim, mid, by_measure.get(mid, []))
        result.outcomes[mid] = outcome
        mr.reason = outcome.reason if (outcome.outcome not in (REALISED, MARKET, DECIDED) or mr.status != "funded") \
            else ""
        mr.blocked_by = [{k: v for k, v in b.items() if k in ("kind", "id", "year")} for b in outcome.blocked_by]
    return result


def _outcome(inp: PlanInput, sim: _Simulation, mid: str, grants: list[Grant]) -> RuleOutcome:
    m = inp.measures[mid]
    paid = [g for g in grants if g.instrument_id is not None]
    granted = sum(g.share for g in grants)
    realised = sum(g.realised_share for g in grants)
    money = sum(g.total_meur for g in paid)
    idle = sum(g.idle_meur for g in paid)
    instrument = paid[0].instrument_id if paid else None
    resource_blocks = [b for g in grants for b in g.blocked_by]
    if paid:
        if realised >= granted - TOL:
            outcome = REALISED
        elif realised > TOL:
            outcome = PARTLY_REALISED
        else:
            outcome = NOT_REALISED
    elif grants:
        outcome = MARKET
    else:
        outcome = NOT_GRANTED
    before = sum(c.share for c in inp.past_decisions if c.measure_id == mid)
    if before > TOL and not grants:
        outcome = DECIDED

    parts = []
    if paid:
        years = span([g.year for g in paid])
        rank = paid[0]
        where = _("fence '{fence}' of ", fence=rank.stage) if rank.stage not in ("round", "market", "forced") else ""
        detail = _("a forced decision, sheet committed") if rank.stage == "forced" else \
            _("rank {rank}", rank=rank.rank) + (_(", phase {phase}", phase=rank.phase) if rank.phase else "")
        co = sorted({i for g in paid for i in g.subsidy_meur if i != instrument})
        parts.append(_("granted {share} by {where}{instrument} in {years} ({detail}; {ask} €/t)",
                       share=num(granted, ".0%"), where=where, instrument=instrument, years=years, detail=detail,
                       ask=num(rank.ask_eur_per_t, ",.0f"))
                     + (_(", co-financed by {instruments}", instruments=", ".join(co)) if co else ""))
        forced = [g for g in paid if g.stage == "forced"]
        if forced and rank.stage != "forced":
            parts.append(_("{share} of it a forced decision in {years} (sheet committed)",
                           share=num(sum(g.share for g in forced), ".0%"), years=span([g.year for g in forced])))
    elif grants:
        parts.append(_("needs no subsidy at the CO2 price of {years}", years=span([g.year for g in grants])))
    if resource_blocks:
        parts.append(_resources_text(inp, resource_blocks, _("not realised") if realised <= TOL else
                                     _("only {share} realised", share=num(realised, ".0%")))
                     + (_("; {idle} M€ committed but idle", idle=num(idle, ",.1f")) if idle > TOL else ""))
    if before > TOL:
        parts.insert(0, _("{share} committed before {year} (sheet committed)", share=num(before, ".0%"),
                          year=inp.settings.start_year))
    rejected = sim.rejections.get(mid, [])
    blocked = list(resource_blocks)
    if granted + before < m.max_share - TOL:
        why = _rejections_text(inp, rejected) if rejected else _never_applied(inp, sim, mid)
        if why:
            parts.append((_("the rest: ") if granted > TOL else "") + why)
        blocked += [{k: v for k, v in b.items() if k in ("kind", "id", "year")} for b in rejected]
        if not rejected:
            blocked.append({"kind": _never_kind(inp, sim, mid), "id": mid, "year": None})
    return RuleOutcome(mid, outcome, instrument, clean(granted), clean(realised), clean(money), clean(idle),
                       grants, _dedupe(blocked), "; ".join(p for p in parts if p))


def _resources_text(inp: PlanInput, blocks: list[dict], lead: str) -> str:
    years: dict[str, list[int]] = defaultdict(list)
    for b in blocks:
        years[b["id"]].append(b["year"])
    names = [_("{resource} full in {years}", resource=inp.resources[r].name or r, years=span(ys))
             for r, ys in years.items()]
    return f"{lead}: " + ", ".join(names)


def _rejections_text(inp: PlanInput, rejected: list[dict]) -> str:
    """Rejections folded per (instrument, reason) with their years."""
    folded: dict[tuple, list[int]] = defaultdict(list)
    for r in rejected:
        text = r["text"]
        if r["kind"] == BUDGET:
            text = _("did not fit what was left of the budget of {instrument}", instrument=r["id"])
        elif r["kind"] == CASH:
            text = _("did not fit what was left of the cash limit of {limit}", limit=r["id"])
        elif r["kind"] == RESOURCE:
            text = _("needs no subsidy but {resource} was full", resource=inp.resources[r["id"]].name or r["id"])
        folded[(r["instrument"], text)].append(r["year"])
    return "; ".join(f"{text} ({span(ys)})" for (_instrument, text), ys in folded.items())


def _never_applied(inp: PlanInput, sim: _Simulation, mid: str) -> str:
    m = inp.measures[mid]
    years = [y for y in inp.years if sim.can_commit(mid, y)]
    if m.earliest_year > sim.last:
        return _("earliest year {year} is after {last}", year=m.earliest_year, last=sim.last)
    if not years:
        first = max(m.earliest_year, inp.years[0])
        return _("lead time too long: committed in {first} at the earliest, it operates from {operating}, after "
                 "{last}", first=first, operating=first + m.lead_time_years, last=sim.last)
    if m.exclusive_group and sim.group_left[m.exclusive_group] <= EPS:
        group = m.exclusive_group
        others = [o for o in sim.primary if o != mid and inp.measures[o].exclusive_group == group]
        others += [g.measure_id for g in sim.grants if g.instrument_id is None and g.measure_id != mid
                   and inp.measures[g.measure_id].exclusive_group == m.exclusive_group]
        return _("its emission source (group '{group}') went to {others}", group=m.exclusive_group,
                 others=", ".join(sorted(set(others))))
    if not m.eligible_instruments:
        return _("needs a subsidy but is eligible for no instrument")
    active = [i for i in m.eligible_instruments if i in sim.order]
    if not active:
        return _("needs a subsidy but none of its instruments allocates by rules (allocation none)")
    return _("needs a subsidy but none of its instruments ({instruments}) had budget left when it could apply "
             "({years})", instruments=", ".join(active), years=span(years))


def _never_kind(inp: PlanInput, sim: _Simulation, mid: str) -> str:
    m = inp.measures[mid]
    if m.earliest_year > sim.last:
        return "earliest_year"
    if not any(sim.can_commit(mid, y) for y in inp.years):
        return "lead_time"
    if m.exclusive_group and sim.group_left[m.exclusive_group] <= EPS:
        return EXCLUSIVE
    return "eligibility"


def _dedupe(items: list[dict]) -> list[dict]:
    seen, out = set(), []
    for b in items:
        key = (b["kind"], b["id"], b.get("year"))
        if key not in seen:
            seen.add(key)
            out.append({"kind": b["kind"], "id": b["id"], "year": b.get("year")})
    return out
