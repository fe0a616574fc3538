"""The machine-readable results: the plan JSON of docs/model.md section 11, and what sweeps,
the rules simulation and the rules-vs-optimum comparison add to it.

Plain dicts (years as strings, numbers rounded to 9 decimals, no NaN), made from the result-field registry
(:mod:`optimiser.model.fields`): every field a JSON shows is written under its key — a field of a measure
under ``measures.<id>``, any other as a key of its own, nested by its dimensions ({year: v},
{instrument: {year: v}}, …). Every shadow price of every reported constraint family appears under its
family's name (:mod:`optimiser.model.families`), nested by the family's (id, year). A document without a
plan (a strict run that cannot meet its target, a failed sweep point, a future without a plan) has the same
keys, each empty (:func:`empty_json`). :func:`plan_document` is the JSON plus what ``policymix compare``
needs; it is stored in every plan workbook, so a comparison reads data, not headers.
"""

from __future__ import annotations

import math

from ..analysis.futures import FuturesRun
from ..analysis.rules_gap import RulesGap
from ..analysis.simulate import RulesResult, allocation_of, phases_of
from ..analysis.sweep import SweepPoint, SweepRun
from ..lang import language
from ..model.families import limit_label, reported
from ..model.fields import (CONFIDENCE, CURVE, DELAYS, FUTURES, FUTURES_RUN, JSON, MEASURES, PLAN, RULES, STORED,
                            SWEEP, TARGETS, Field, Headline, fields, run_fields)
from ..model.results import TOL, PlanResult

#: The version of the stored plan document (bumped when its shape changes).
DOCUMENT_FORMAT = "policymix-plan/1"


def _num(v) -> float | None:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return None
    return round(float(v), 9)


def jsonable(value):
    """A value as JSON holds it: numbers rounded, mapping keys (years) as strings, tuples as lists."""
    if isinstance(value, float):
        return _num(value)
    if isinstance(value, dict):
        return {k if type(k) is str else str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def _value(f: Field, result: PlanResult, key: tuple = ()):
    """A field's value in a row of a plan, as JSON holds it."""
    value = f.value(result, *key)
    if f.to_json is not None and value is not None:
        value = f.to_json(value)
    return _num(value) if isinstance(value, float) else jsonable(value) if isinstance(value, (dict, list, tuple)) \
        else value


def _measure_field(f: Field) -> bool:
    return f.table is MEASURES or f.table.within(MEASURES)


def _nest(into: dict, keys: tuple, value) -> None:
    """``into[k1][k2]… = value``, the keys (years, ids) as strings."""
    for k in keys[:-1]:
        into = into.setdefault(str(k), {})
    into[str(keys[-1])] = value


def document(result: PlanResult, view: str) -> dict:
    """The fields ``view`` shows of a plan, as JSON: a measure's under ``measures``, the others as keys."""
    doc: dict = {}
    for f in fields(view=view):
        if not f.key:
            continue
        if _measure_field(f):
            measures = doc.setdefault("measures", {m: {} for m in result.measures})
            if f.table is MEASURES:
                for m in result.measures:
                    measures[m][f.key] = _value(f, result, (m,))
                continue
            for m in measures:
                measures[m][f.key] = {}
            for key in f.table.rows(result):
                _nest(measures[key[0]][f.key], key[1:], _value(f, result, key))
        elif f.table is PLAN:
            doc[f.key] = _value(f, result)
        else:
            nested: dict = {}
            for key in f.table.rows(result):
                value = _value(f, result, key)
                if value is not None:
                    _nest(nested, key, value)
            doc[f.key] = nested
    return doc


def plan_json(result: PlanResult) -> dict:
    """The machine-readable result of docs/model.md section 11 (years as strings)."""
    return document(result, JSON)


def empty_json(status: str | None = None, target_years=()) -> dict:
    """The plan JSON's keys where there is no plan: each empty (None, {} or []; {year: None} per target year),
    the measures none; ``status`` the status field's own empty value unless given."""
    doc: dict = {}
    for f in fields(view=JSON):
        if not f.key:
            continue
        if _measure_field(f):
            doc["measures"] = {}
        elif f.table is TARGETS:
            doc[f.key] = {str(y): None for y in target_years}
        else:
            doc[f.key] = f.empty() if f.empty is not None else (None if f.table is PLAN else {})
    if status is not None:
        doc["status"] = status
    return doc


def headline_json(record: Headline, view: str, target_years=()) -> dict:
    """The headline fields ``view`` shows, from a record (a future, one side of a comparison of plans)."""
    out: dict = {}
    for f in fields(view=view):
        if not (f.headline and f.key):
            continue
        value = record.get(f)
        if f.table is not PLAN and value is None:
            value = {y: None for y in target_years} if f.table is TARGETS else {}
        out[f.key] = value
    return jsonable(out)


def plan_document(result: PlanResult) -> dict:
    """The plan JSON with what a comparison of two plans needs: provenance, names, totals, units.

    Its units are in English whatever the plan's language, so plans in different languages compare.
    """
    with language("en"):
        return _plan_document(result)


def _plan_document(result: PlanResult) -> dict:
    inp = result.input
    doc = {
        "format": DOCUMENT_FORMAT,
        "plan": plan_json(result),
        "scenario": inp.settings.scenario_name,
        "start_year": inp.settings.start_year,
        "input_file": result.source_file,
        "input_sha256": result.source_sha256,
        "overrides": list(result.overrides),
    }
    # the stored fields: per target year as keys; per measure and per instrument under their ids
    for f in fields(view=STORED):
        if f.table is TARGETS:
            doc[f.key] = {str(key[0]): _num(f.value(result, *key)) for key in f.table.rows(result)}
        elif f.table.axes and f.table.axes == f.table.axes[:1]:
            part = doc.setdefault(f.table.name, {str(k[0]): {} for k in f.table.rows(result)})
            for key in f.table.rows(result):
                part[str(key[0])][f.key] = jsonable(_value(f, result, key))
    shadow = []
    for f in reported():
        for key, v in result.shadow.get(f.name, {}).items():
            name, ident, year, unit = limit_label(inp, f.name, key)
            shadow.append({"kind": name, "id": ident or None, "year": year, "value": _num(v), "unit": unit})
    doc["shadow_prices"] = shadow
    # what the plan commits, per measure and year (d_{m,y}): a stress test (policymix futures --plan) fixes it
    doc["commitments"] = {mid: {str(y): _num(v) for y, v in mr.new.items() if v > TOL}
                          for mid, mr in result.measures.items() if any(v > TOL for v in mr.new.values())}
    # and what it pays for them, per measure, instrument and year (s_{m,i,y}): policymix replan moves the
    # commitments of the years already decided into sheet committed with their instrument and subsidy
    subsidies: dict = {}
    for mid, mr in result.measures.items():
        for (i, y), v in sorted(mr.subsidy_by_year.items(), key=lambda k: (k[0][1], k[0][0])):
            if v > TOL:
                subsidies.setdefault(mid, {}).setdefault(i, {})[str(y)] = _num(v)
    doc["subsidies"] = subsidies
    # a plan of the instruments' own rules (policymix simulate), or the optimum
    doc["kind"] = "rules" if isinstance(result, RulesResult) else "plan"
    return doc


def infeasible_json(iis: list[dict], target_years=()) -> dict:
    """The JSON result of a strict run whose target cannot be met: every contract key, no plan, and the IIS."""
    return dict(empty_json(target_years=target_years),
                iis=[{k: v for k, v in item.items() if k not in ("text", "name")} for item in iis])


# ---------------------------------------------------------------- sweeps

def point_json(point: SweepPoint, result: PlanResult) -> dict:
    """A solved sweep point: the plan JSON plus its ``"point"`` (and no ``"message"``: null)."""
    return dict(plan_json(result), point=dict(point.values), message=None)


def failed_json(point: SweepPoint) -> dict:
    """A failed point in the JSON list: every key of a solved point (no plan), the reason and the point."""
    years = list(point.required_mt or {})
    return dict(empty_json("failed", years), point=dict(point.values), message=point.message)


def sweep_json(run: SweepRun) -> list[dict]:
    """One document per point: its plan (or none) and the figures worked out across points (the slopes of
    public cost and of the objective from the previous point: the sweep's fields the analysis fills)."""
    across = [f for f in fields(PLAN, SWEEP) if f.headline and f.value is None and f.key]
    return [dict(p.json if p.json is not None else failed_json(p),
                 **{f.key: _num(p.headline.get(f)) for f in across}) for p in run.points]


# ---------------------------------------------------------------- rules

def _side(result: PlanResult) -> dict:
    """One side of the rules-vs-optimum comparison: its headline figures the rules view shows."""
    return headline_json(Headline.of(result), RULES)


def rules_gap_json(gap: RulesGap) -> dict:
    """The ``rules_vs_optimum`` section of the JSON result (years as strings)."""
    rules_only, optimum_only = gap.funded_by_one_only(gap.optimum)
    same_rules_only, same_optimum_only = gap.funded_by_one_only(gap.at_rules_abatement)
    return {
        "target_year": str(gap.target_year),
        "extra_public_cost_meur": _num(gap.extra_public_cost_meur),
        "extra_abatement_mt": _num(gap.extra_abatement_mt),
        "rules": _side(gap.rules),
        "optimum": _side(gap.optimum),
        "optimum_at_rules_abatement": _side(gap.at_rules_abatement),
        "optimum_at_rules_spending": _side(gap.at_rules_spending),
        "funded_by_rules_only": rules_only,
        "funded_by_optimum_only": optimum_only,
        "at_rules_abatement": {"funded_by_rules_only": same_rules_only, "funded_by_optimum_only": same_optimum_only},
        "granted_not_realised": gap.granted_not_realised,
        "overrides": {"optimum_at_rules_abatement": gap.abatement_overrides,
                      "optimum_at_rules_spending": gap.spending_overrides},
    }


def simulation_json(rules: RulesResult) -> dict:
    """The plan JSON of the contract for a rules simulation, plus each measure's rule outcome and a ``rules`` key."""
    out = plan_json(rules)
    for mid, o in rules.outcomes.items():
        out["measures"][mid]["rule_outcome"] = {
            "outcome": o.outcome,
            "granted": o.granted,
            "realised": o.realised,
            "instrument": o.instrument_id,
            "granted_share": _num(o.granted_share),
            "realised_share": _num(o.realised_share),
            "granted_meur": _num(o.granted_meur),
            "idle_meur": _num(o.idle_meur),
            "grants": [
                {"instrument": g.instrument_id, "year": str(g.year), "stage": g.stage, "rank": g.rank,
                 "phase": g.phase, "share": _num(g.share), "realised_share": _num(g.realised_share),
                 "subsidy_meur": {i: _num(v) for i, v in g.subsidy_meur.items()},
                 "eur_per_t": _num(g.ask_eur_per_t)}
                for g in o.grants
            ],
            "reason": o.reason,
        }
    inp = rules.input
    out["rules"] = {
        "run_order": rules.run_order,
        "allocation": {i: allocation_of(inst) for i, inst in inp.instruments.items()},
        "phases_eur_per_t": {i: list(phases_of(inst)) for i, inst in inp.instruments.items() if phases_of(inst)},
        "committed_idle_meur": _num(rules.committed_idle_meur),
        "realised_cost_meur": _num(rules.realised_cost_meur),
        "rounds": [
            {"instrument": r.instrument_id, "allocation": r.allocation, "year": str(r.year), "stage": r.stage,
             "available_meur": _num(r.available_meur), "applications": r.applications, "granted": r.granted,
             "granted_meur": _num(r.granted_meur), "ceiling_eur_per_t": _num(r.ceiling_eur_per_t)}
            for r in rules.rounds
        ],
    }
    return out


# ---------------------------------------------------------------- futures (docs/model.md sections 14 and 17)

def record_json(record, view: str) -> dict:
    """The figures a run view shows of a record (a futures run, a confidence level, a delay), under their keys."""
    return {f.key: jsonable(record.get(f)) for f in run_fields(view) if f.key}


def _shares(nested: dict) -> dict:
    return {m: {str(y): _num(v) for y, v in ys.items()} for m, ys in nested.items()}


def futures_json(run: FuturesRun) -> dict:
    """The futures result of docs/model.md sections 14 and 17 (years as strings), plus what the workbook
    summarises. Every run has its P(target met), expected public cost and shortfall, p-sure abatement and cash
    bands (the fields of view ``futures_run``); decide-by adds what to commit now and the value of the stochastic
    solution; a confidence run its answer (the fields of view ``confidence``), the plan's commitments, why a
    level is not attainable and, for a range, the curve."""
    rows = run.base.uncertainty
    by_number = {f.number: f for f in run.futures}
    years = sorted(run.base.targets)
    futures = []
    for r in run.results:
        futures.append({
            "number": r.number,
            "draw": {k: _num(v) for k, v in by_number[r.number].draw(rows).items()},
            **headline_json(r.headline, FUTURES, years),
            **({"message": r.message} if r.message else {}),
        })
    out = {
        "mode": run.mode,
        "samples": run.samples,
        "seed": run.seed,
        **record_json(run.record, FUTURES_RUN),
        "funded_share": {m: _num(v) for m, v in run.funded_share.items()},
        "robust_core": run.robust_core(),
        "public_cost_meur": {"median": _num(run.cost_quantile(0.5)), "p90": _num(run.cost_quantile(0.9))},
        "drivers": [{"dimension": d.dimension.key, "rows": [rows[k].name for k in d.dimension.rows],
                     "spearman_shortfall": _num(d.rho_shortfall), "spearman_public_cost": _num(d.rho_cost),
                     "s1_shortfall": _num(d.s1_shortfall)} for d in run.drivers],
    }
    if run.mode == "stress_test":
        nested: dict = {}
        for (m, y), v in sorted(run.commitments.items()):
            nested.setdefault(m, {})[str(y)] = _num(v)
        out["plan"] = {"file": run.plan_file, "commitments": nested}
    decision = run.decision
    if decision is not None:
        out.update(
            decide_by=str(decision.year),
            here_and_now=_shares(decision.here_and_now),
            expected_cost_meur=_num(decision.expected_cost_meur),
            vss_meur=_num(decision.vss_meur),
            eev_meur=_num(decision.eev_meur),
            eev_public_cost_meur=_num(decision.eev_public_cost_meur),
            eev_shortfall_mt=jsonable(decision.eev_shortfall_mt),
            mean_value_plan=_shares(decision.mean_plan),
        )
    if run.confidence is not None:
        out.update(confidence_json(run.confidence))
    out["futures"] = futures
    return out


def confidence_json(c) -> dict:
    """The answer of ``futures --confidence`` (docs/model.md section 17): the fields of view ``confidence`` of the
    level answered (the highest level asked that is attainable; where none is, the lowest: the plan meeting every
    target in the most futures), its commitments, why it is not attainable (where it is not) and, when several
    levels were asked, the curve."""
    answer = c.answer
    out = record_json(answer.record, CONFIDENCE)
    out.update(decide_by=None if c.decide_by is None else str(c.decide_by),
               here_and_now=_shares(answer.here_and_now), reasons=reasons_json(answer.reasons))
    if len(c.plans) > 1:
        out["curve"] = [record_json(p.record, CURVE) for p in c.plans]
        out["highest_attainable"] = _num(c.highest_attainable)
    return out


def reasons_json(reasons) -> dict | None:
    """Why a level is not attainable: the futures missed, the limits and the uncertain inputs (None: attainable)."""
    if reasons is None:
        return None
    return {"missed": reasons.missed, "alone": reasons.alone,
            "limits": [{"family": r.family, "id": r.id, "year": None if r.year is None else str(r.year),
                        "futures": r.futures, "words": r.words} for r in reasons.limits],
            "inputs": [{"name": r.name, "rows": list(r.rows), "effect": _num(r.effect),
                        "mean_missed": _num(r.mean_missed), "mean_met": _num(r.mean_met)} for r in reasons.inputs]}


# ---------------------------------------------------------------- the delay register (docs/model.md section 17)

def delays_json(register) -> dict:
    """``policymix delays --json``: the plan fixed (its target-year abatement without delay), the plan of the
    undelayed input (its public cost and shortfall, what a re-plan is set against), and ``delays``: one entry per item
    and years of delay with the fields of view ``delays`` (``item``, ``years``, ``abatement_lost_mt``,
    ``extra_public_cost_meur``, ``shortfall_mt``)."""
    return {
        "plan_fixed": {"file": register.plan_file or None, "abatement_mt": _num(register.plan_abatement_mt)},
        "replanned_without_delay": {"public_cost_meur": _num(register.plan_cost_meur),
                                    "shortfall_mt": _num(register.plan_shortfall_mt)},
        "years": list(register.years),
        "delays": [{"item": d.item, "years": d.years, **record_json(d.record, DELAYS)} for d in register.delays],
    }
