"""The machine-readable results: the plan JSON of docs/model.md section 11, and what sweeps,
the rules simulation and the rules-vs-optimum comparison add to it.

Plain dicts (years as strings, numbers rounded to 9 decimals, no NaN); every
shadow price of every reported constraint family appears under its family's
name (:mod:`optimiser.model.families`), nested by the family's (id, year).
:func:`plan_document` is the JSON plus what ``policymix compare`` needs; it is
stored in every plan workbook, so a comparison reads data, not headers.
"""

from __future__ import annotations

import math

from ..analysis.futures import FuturesRun
from ..analysis.rules_gap import RulesGap, cost_per_t
from ..analysis.simulate import RulesResult, allocation_of, phases_of
from ..analysis.sweep import SweepPoint, SweepRun
from ..lang import language
from ..model.families import family, limit_label, reported
from ..model.index import shortfall_penalty
from ..model.results import TOL, PlanResult

#: The version of the stored plan document (bumped when its shape changes).
DOCUMENT_FORMAT = "policymix-plan/1"


def _num(v) -> float | None:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return None
    return round(float(v), 9)


def shadow_json(name: str, values: dict) -> dict:
    """One family's shadow prices nested by its (id, year): {year: v}, {id: v} or {id: {year: v}}."""
    f = family(name)
    out: dict = {}
    for key, v in values.items():
        ident, year = f.split(key)
        if ident is None:
            out[str(year)] = _num(v)
        elif year is None:
            out[str(ident)] = _num(v)
        else:
            out.setdefault(str(ident), {})[str(year)] = _num(v)
    return out


def empty_shadow_prices() -> dict:
    return {f.name: {} for f in reported()}


def plan_json(result: PlanResult) -> dict:
    """The machine-readable result of docs/model.md section 11 (years as strings)."""
    T = result.input.settings.target_year
    return {
        "status": result.status,
        "objective_meur": _num(result.objective_meur),
        "public_cost_meur": _num(result.public_cost_meur),
        "abatement_mt": {str(y): _num(v) for y, v in result.abatement_mt.items()},
        "shortfall_mt": {str(y): _num(v) for y, v in result.shortfall_mt.items()},
        "measures": {
            mid: {
                "committed_share": _num(mr.committed[T]),
                "past_share": _num(mr.past_share),
                "subsidy_meur": {i: _num(v) for i, v in mr.subsidy_meur.items()},
                "reduced_cost_eur_per_t": _num(mr.reduced_cost_eur_per_t),
                "blocked_by": [_limit_json(b) for b in mr.blocked_by],
            }
            for mid, mr in result.measures.items()
        },
        "shadow_prices": {f.name: shadow_json(f.name, result.shadow[f.name])
                          for f in reported() if f.name in result.shadow},
        "relaxations": [{k: _num(v) if k in ("amount", "limit", "relative") else v for k, v in r.items()}
                        for r in result.relaxations],
        "total_relative_relaxation": _num(result.relaxation_total),
        "shortfall_penalty_eur_per_t": _num(shortfall_penalty(result.input)),
        "warnings": list(result.warnings),
        **cash_json(result),
    }


def cash_json(result: PlanResult) -> dict:
    """Section 13: ``commitments_meur`` and ``cash_meur`` {instrument: {year: M€}}, ``released_meur`` {instrument: M€}."""
    proj = result.cash
    if proj is None:
        return {"commitments_meur": {}, "cash_meur": {}, "released_meur": {}}
    return {
        "commitments_meur": {i: {str(t): _num(v) for t, v in by_year.items()} for i, by_year in proj.commitments.items()},
        "cash_meur": {i: {str(t): _num(v) for t, v in by_year.items()} for i, by_year in proj.cash.items()},
        "released_meur": {i: _num(v) for i, v in proj.released.items()},
    }


def _limit_json(limit: dict) -> dict:
    return {"kind": limit["kind"], "id": limit["id"], "year": None if limit.get("year") is None else str(limit["year"])}


def plan_document(result: PlanResult) -> dict:
    """The plan JSON with what a comparison of two plans needs: provenance, names, totals, units.

    Its units are in English whatever the plan's language, so plans in different languages compare.
    """
    with language("en"):
        return _plan_document(result)


def _plan_document(result: PlanResult) -> dict:
    inp = result.input
    shadow = []
    for f in reported():
        for key, v in result.shadow.get(f.name, {}).items():
            name, ident, year, unit = limit_label(inp, f.name, key)
            shadow.append({"kind": name, "id": ident or None, "year": year, "value": _num(v), "unit": unit})
    return {
        "format": DOCUMENT_FORMAT,
        "plan": plan_json(result),
        "scenario": inp.settings.scenario_name,
        "input_file": result.source_file,
        "input_sha256": result.source_sha256,
        "overrides": list(result.overrides),
        "target_mt": {str(y): _num(v) for y, v in result.target_mt.items()},
        "instruments": {i: {"spend_meur": _num(sum(result.spend_meur[(i, y)] for y in inp.years)),
                            "public_cost_meur": _num(result.instrument_cost_meur[i])} for i in inp.instruments},
        "measures": {mid: {"name": inp.measures[mid].name, "status": mr.status,
                           "public_cost_meur": _num(mr.public_cost_meur)} for mid, mr in result.measures.items()},
        "shadow_prices": shadow,
        # what the plan commits, per measure and year (d_{m,y}): a stress test (policymix futures --plan) fixes it
        "commitments": {mid: {str(y): _num(v) for y, v in mr.new.items() if v > TOL}
                        for mid, mr in result.measures.items() if any(v > TOL for v in mr.new.values())},
    }


def infeasible_json(iis: list[dict]) -> dict:
    """The JSON result of a strict run whose target cannot be met: every contract key, no plan."""
    return {
        "status": "target_not_met", "objective_meur": None, "public_cost_meur": None, "abatement_mt": {},
        "shortfall_mt": {}, "measures": {}, "shadow_prices": empty_shadow_prices(),
        "relaxations": [], "total_relative_relaxation": None, "warnings": [],
        "iis": [{k: v for k, v in item.items() if k not in ("text", "name")} for item in iis],
        "commitments_meur": {}, "cash_meur": {}, "released_meur": {},
    }


# ---------------------------------------------------------------- sweeps

def point_json(point: SweepPoint, result: PlanResult) -> dict:
    """A solved sweep point: the plan JSON plus its ``"point"``."""
    return dict(plan_json(result), point=dict(point.values))


def failed_json(point: SweepPoint) -> dict:
    """A failed point in the JSON list: every contract key present (no plan), the reason and the point."""
    years = [str(y) for y in point.target_mt]
    return {
        "status": "failed", "message": point.message, "objective_meur": None, "public_cost_meur": None,
        "abatement_mt": {y: None for y in years}, "shortfall_mt": {y: None for y in years}, "measures": {},
        "shadow_prices": empty_shadow_prices(), "point": dict(point.values),
        "commitments_meur": {}, "cash_meur": {}, "released_meur": {},
    }


def sweep_json(run: SweepRun) -> list[dict]:
    return [p.json if p.json is not None else failed_json(p) for p in run.points]


# ---------------------------------------------------------------- rules

def _side(result: PlanResult) -> dict:
    inp = result.input
    out = {
        "status": result.status,
        "abatement_mt": {str(y): _num(v) for y, v in result.abatement_mt.items()},
        "public_cost_meur": _num(result.public_cost_meur),
        "cost_per_t_eur": _num(cost_per_t(result)),
        "spend_meur": {i: _num(sum(result.spend_meur[(i, y)] for y in inp.years)) for i in inp.instruments},
        "measures_taken_up": sum(1 for mr in result.measures.values() if mr.committed_share > TOL),
    }
    if isinstance(result, RulesResult):
        out["committed_idle_meur"] = _num(result.committed_idle_meur)
        out["realised_cost_meur"] = _num(result.realised_cost_meur)
    return out


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


# ---------------------------------------------------------------- futures (docs/model.md section 14)

def futures_json(run: FuturesRun) -> dict:
    """The futures result of docs/model.md section 14 (years as strings), plus what the workbook summarises."""
    rows = run.base.uncertainty
    by_number = {f.number: f for f in run.futures}
    futures = []
    for r in run.results:
        years = [str(y) for y in sorted(run.base.targets)]
        futures.append({
            "number": r.number,
            "draw": {k: _num(v) for k, v in by_number[r.number].draw(rows).items()},
            "status": r.status,
            "public_cost_meur": _num(r.public_cost_meur),
            "objective_meur": _num(r.objective_meur),
            "abatement_mt": {str(y): _num(v) for y, v in r.abatement_mt.items()} if r.ok else {y: None for y in years},
            "shortfall_mt": {str(y): _num(v) for y, v in r.shortfall_mt.items()} if r.ok else {y: None for y in years},
            "target_met": r.target_met,
            **({"message": r.message} if r.message else {}),
        })
    out = {
        "mode": run.mode,
        "samples": run.samples,
        "seed": run.seed,
        "p_target_met": _num(run.p_target_met),
        "p_target_met_ci": [_num(run.p_target_met_ci[0]), _num(run.p_target_met_ci[1])],
        "funded_share": {m: _num(v) for m, v in run.funded_share.items()},
        "robust_core": run.robust_core(),
        "public_cost_meur": {"median": _num(run.cost_quantile(0.5)), "p90": _num(run.cost_quantile(0.9))},
        "drivers": [{"dimension": d.dimension.key, "rows": [rows[k].name for k in d.dimension.rows],
                     "spearman_shortfall": _num(d.rho_shortfall), "spearman_public_cost": _num(d.rho_cost),
                     "s1_shortfall": _num(d.s1_shortfall)} for d in run.drivers],
        "futures": futures,
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
            here_and_now={m: {str(y): _num(v) for y, v in ys.items()} for m, ys in decision.here_and_now.items()},
            expected_cost_meur=_num(decision.expected_cost_meur),
            vss_meur=_num(decision.vss_meur),
            eev_meur=_num(decision.eev_meur),
            mean_value_plan={m: {str(y): _num(v) for y, v in ys.items()} for m, ys in decision.mean_plan.items()},
        )
    return out
