"""Stage 3: build the Pyomo model from the input (docs/model.md sections 2–5).

``build_model`` reads as the model's table of contents: the sparse index sets
(:mod:`optimiser.model.index`), the variables, one constraint component per
family of the registry (:data:`optimiser.model.families.FAMILIES`, in order,
each named after its family), then the objective.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

# pyomo.core, not pyomo.environ: the model needs only the modelling components; pyomo.environ also loads
# every solver, transformation and DAE/GDP plugin (0.14 s more of every plan's start-up)
import numpy as np
import pyomo.core as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.core.expr.numeric_expr import LinearExpression

from ..input.data import PlanInput
from .cash import operating_schedules, past_cash
from .families import FAMILIES, model_rows
from .index import Index, Rows, Term, has_shortfall, index_sets, shortfall_penalty


def add_variables(model: pyo.ConcreteModel, idx: Index, inp: PlanInput, rows: dict[str, Rows]) -> None:
    """d ≥ 0 per (m, y); s ≥ 0 per eligible (m, i, y); σ ≥ 0 per target year; b binary for lumpy measures.

    An elastic run adds a slack ≥ 0 to every row of each family an elastic run may relax.
    """
    model.d = pyo.Var(idx.d_keys, within=pyo.NonNegativeReals)
    model.s = pyo.Var(idx.s_keys, within=pyo.NonNegativeReals)
    model.shortfall = pyo.Var(idx.target_years if has_shortfall(inp) else [], within=pyo.NonNegativeReals)
    model.b = pyo.Var(idx.lumpy_keys, within=pyo.Binary)
    if inp.settings.elastic:
        for f in FAMILIES:
            if f.relaxable:
                model.add_component(f.slack, pyo.Var(list(rows[f.name].terms), within=pyo.NonNegativeReals))


#: In max-abatement mode, public cost breaks ties: this many Mt/yr per M€ (far below any real trade-off).
TIE_BREAK_MT_PER_MEUR = 1e-7


def objective(idx: Index, inp: PlanInput, rows: dict[str, Rows]) -> list[Term]:
    """Minimise public cost plus the shortfall penalty (``objective = min-cost``, the default).

    min Σ_{m,i,y} w_i · s_{m,i,y} + P · Σ_y σ_y      (P in €/t × Mt = M€; P from ``index.shortfall_penalty``)

    Strict mode has no σ. An elastic run solves this objective last (phase 2), with the total relative
    relaxation held at its least (:func:`relaxation`, ``Solver.least_relaxation``); the relaxations
    themselves cost nothing here.

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
    terms = [(w[k[1]], "s", k) for k in idx.s_keys]
    if has_shortfall(inp):
        penalty = shortfall_penalty(inp)
        terms += [(penalty, "shortfall", y) for y in idx.target_years]
    return terms


def relaxation(rows: dict[str, Rows]) -> list[Term]:
    """The total relative relaxation of an elastic run (MODEL.md section 15): Σ_k r_k / |rhs_k|.

    One term per row k of every relaxable family; |rhs_k| is the limit as the workbook gives it (before the
    decisions already taken use part of it), taken as 1 where the limit is 0.
    """
    terms: list[Term] = []
    for f in FAMILIES:
        if not f.relaxable or f.name not in rows:
            continue
        family_rows = rows[f.name]
        for key in family_rows.rhs:
            limit = family_rows.limit(key)
            terms.append((1.0 / (abs(limit) if limit else 1.0), f.slack, key))
    return terms


@dataclass
class Preferences:
    """What the canonical stages prefer among plans of least objective (docs/model.md, "Canonical plans").

    ``cash``: Σ_{m,i,y} κ_{m,i,y} · s_{m,i,y}, the cash a plan pays over the horizon and the price outlook,
    κ = Σ_t f_{m,i,y,t} (the shares of the commitment paid in each year t, :func:`optimiser.model.cash.schedule`);
    the plan's cash in year t is Σ f_{m,i,y,t} · s_{m,i,y}, given as three arrays of equal length —
    ``paid_by`` (the position of (m, i, y) in ``Index.s_keys``), ``paid_in`` (t ≥ start_year) and ``paid`` (f) —
    to which the decisions of the past add ``past[t]`` (the yearly cash whose peak is the second preference,
    from the workbook's first year, :attr:`PlanInput.first_year`: the years a re-planned workbook has already
    decided count as they did in its plan);
    ``rule``: the last rule's costs (:func:`last_rule`).
    """

    cash: list[Term]
    paid_by: np.ndarray
    paid_in: np.ndarray
    paid: np.ndarray
    past: dict[int, float]
    rule: list[Term]


def preferences(idx: Index, inp: PlanInput) -> Preferences:
    """The three preferences of a canonical plan for this model (see :class:`Preferences`).

    Cash is linear in s: a commitment's cash follows its instrument's payout (a profile, or per tonne while
    the measure operates, at the price outlook of each year), MODEL.md section 13.
    """
    start = inp.settings.start_year
    profiles = {i: inst.payout_profile for i, inst in inp.instruments.items()}
    by_profile: list[tuple[int, int, float]] = []  # (position in s_keys, t, f) of profile instruments
    operating: dict[tuple[str, int], list[int]] = {}  # (m, y) → positions of its s keys paid while operating
    for n, (m, i, y) in enumerate(idx.s_keys):
        profile = profiles[i]
        if profile is None:
            operating.setdefault((m, y), []).append(n)
        else:
            by_profile += [(n, y + j, p) for j, p in enumerate(profile) if p > 0]
    pairs = list(operating)
    pair, t_op, f_op = operating_schedules(inp, pairs)
    positions = [operating[p] for p in pairs]
    counts = np.array([len(p) for p in positions], dtype=np.int64)
    flat = np.array([n for p in positions for n in p], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(counts)))
    # every s key of a pair takes the pair's schedule: entry r of the schedules repeats for each of them
    repeat = counts[pair] if len(pair) else np.zeros(0, dtype=np.int64)
    within = np.arange(int(repeat.sum())) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    paid_by = flat[np.repeat(offsets[pair], repeat) + within] if len(pair) else np.zeros(0, dtype=np.int64)
    paid_in = np.repeat(t_op, repeat)
    paid = np.repeat(f_op, repeat)
    if by_profile:
        prof = np.array(by_profile, dtype=float)
        paid_by = np.concatenate([paid_by, prof[:, 0].astype(np.int64)])
        paid_in = np.concatenate([paid_in, prof[:, 1].astype(np.int64)])
        paid = np.concatenate([paid, prof[:, 2]])
    total = np.bincount(paid_by, weights=paid, minlength=len(idx.s_keys)) if len(paid) else np.zeros(len(idx.s_keys))
    cash: list[Term] = [(float(v), "s", k) for v, k in zip(total, idx.s_keys) if v]
    later = paid_in >= start
    first = inp.first_year
    past: dict[int, float] = defaultdict(float)
    for (_i, t), v in past_cash(inp).items():
        if t >= first:
            past[t] += v
    return Preferences(cash=cash, paid_by=paid_by[later], paid_in=paid_in[later], paid=paid[later], past=dict(past),
                       rule=last_rule(idx, inp))


def _id_order(ident: str) -> tuple[str, str]:
    """Ids in the order a reader sorts them: letters alike whatever their case, then by case."""
    return ident.casefold(), ident


def _places(ids) -> dict[str, int]:
    """Each id's place in :func:`_id_order`."""
    return {ident: n for n, ident in enumerate(sorted(ids, key=_id_order))}


def last_rule(idx: Index, inp: PlanInput) -> list[Term]:
    """The last rule of a canonical plan: costs derived from years and ids alone, never from positions.

    Every commitment option (year y, measure m, instrument i) has its place n in the order year, then
    measure id, then instrument id (ids alphabetically, case aside) among all the workbook's years,
    measures and instruments — n = ((y − y0) · M + place of m) · I + place of i, from 0, of N = Y · M · I,
    the years Y = y0 … target_year counted from the workbook's first year y0 (:attr:`PlanInput.first_year`:
    start_year, or earlier where the prices sheet gives earlier years, as a re-planned workbook does for the
    years its plan already decided, so that the same option weighs the same in the plan and in the next
    round) — and weighs q = (1 + n / N)². Among plans still equal after cost, cash and peak, the rule minimises

        Σ_{m,i,y} q_{m,i,y} · s_{m,i,y}  −  Σ_{(m,y) without a gap} (5 − q'_{m,y}) · d_{m,y}

    — money sits on the options that come first (of two equal options, the earlier year, then the measure
    whose id comes first, then the instrument whose id comes first), and a measure that needs no subsidy
    that year (no money to place) is committed as fully and as early as the limits allow, again in the
    order year, measure id (q' = (1 + n' / N')², n' = (y − y0) · M + place of m, N' = Y · M).

    Each place weighs at least 2 / N more than the one before it, so of two options the earlier one wins
    by a margin HiGHS resolves (a weight of (n / N)² alone would not: its first places differ by 1 / N²);
    and the weights grow faster than the places (the square), so that no exchange of equal amounts keeps
    the sum: moving a share of one measure a year earlier and a share of another a year later changes q
    by different amounts for the two (with q = 1 + n / N both changes would be equal and the plans tie).
    A weight depends on its option's years and ids only, not on which other options the model has, so a
    future's model (built with every option, :func:`index_sets` ``stable``) and the plan's weigh the same
    option alike.
    """
    y0 = inp.first_year
    place, place_i = _places(inp.measures), _places(inp.instruments)
    n_m, n_i = max(1, len(place)), max(1, len(place_i))
    n_years = max(1, inp.settings.target_year - y0 + 1)
    whole = n_years * n_m * n_i
    terms: list[Term] = []
    for key in idx.s_keys:
        m, i, y = key
        n = ((y - y0) * n_m + place[m]) * n_i + place_i[i]
        terms.append(((1.0 + n / whole) ** 2, "s", key))
    for key in idx.d_keys:
        if idx.gap.get(key, 0.0) <= 0.0:
            m, y = key
            n = (y - y0) * n_m + place[m]
            terms.append((-(5.0 - (1.0 + n / (n_years * n_m)) ** 2), "d", key))
    return terms


def _constraint(rows: Rows) -> pyo.Constraint:
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
    rows: dict[str, Rows]
    options: dict = field(default_factory=dict)  # of index_sets (Solver.update computes the sets with them)


def build_model(inp: PlanInput, **index_options) -> Built:
    """The model of docs/model.md sections 2–5 for this input.

    Reads as the table of contents: index sets, variables, then one component per
    constraint family (FAMILIES, in order), then the objective. ``index_options`` go to
    :func:`~optimiser.model.index.index_sets` (e.g. ``stable=True`` for many futures on one model).
    """
    idx = index_sets(inp, **index_options)
    rows = model_rows(idx, inp)
    model = pyo.ConcreteModel(name="policymix")
    with PauseGC():
        add_variables(model, idx, inp, rows)
        for name, family_rows in rows.items():
            model.add_component(name, _constraint(family_rows))
        terms = objective(idx, inp, rows)
        model.objective = pyo.Objective(
            expr=LinearExpression(
                constant=0.0,
                linear_coefs=[c for c, _, _ in terms],
                linear_vars=[getattr(model, name)[index] for _, name, index in terms],
            ),
            sense=pyo.minimize,
        )
    return Built(model=model, index=idx, input=inp, rows=rows, options=dict(index_options))
