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
import pyomo.core as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.core.expr.numeric_expr import LinearExpression

from ..input.data import PlanInput
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
