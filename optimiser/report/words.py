"""The plan in plain words, for a budget team: the sentences the terminal and the Summary sheet share.

Every limit is named and explained by its family's declaration (:mod:`optimiser.model.families`:
``in_words``, ``relaxed``, ``shadow_unit_of``, ``label``); nothing here names a family. Numbers in
sentences have three significant digits and no exponent (:func:`optimiser.report.xlsx.sig`); a limit
is called binding only where its shadow price matters at the precision shown
(:func:`optimiser.model.results.binds`).
"""

from __future__ import annotations

from ..model.families import BUDGET, PERIOD_BUDGET, TARGET, family, objective_unit, reported
from ..model.index import PENALTY_FACTOR, PENALTY_FLOOR, derived_penalty, measure_cost_per_mt, shortfall_penalty
from ..model.results import BINDING_MIN, BINDING_SHARE, TOL, PlanResult, span
from .xlsx import sig

MAX_ABATEMENT = "max-abatement"


def maximising(result: PlanResult) -> bool:
    return result.input.settings.objective == MAX_ABATEMENT


# ---------------------------------------------------------------- the answer

def headline(result: PlanResult) -> str:
    """The answer in one sentence: met or not, how much, at what public cost."""
    r, T = result, result.input.settings.target_year
    abated, required = r.abatement_mt.get(T, 0.0), r.target_mt.get(T, 0.0)
    if maximising(r):
        met = "met" if abated >= required - TOL else f"not met, {required - abated:,.2f} Mt short"
        return (f"The most abatement within every budget and limit: {abated:,.2f} Mt CO2-eq/yr in {T} "
                f"(target {required:,.2f} Mt: {met}) at a public cost of {r.public_cost_meur:,.0f} M€.")
    if r.target_met:
        return (f"Every target is met: {abated:,.2f} Mt CO2-eq/yr in {T} (required {required:,.2f}) "
                f"at a public cost of {r.public_cost_meur:,.0f} M€ of commitments.")
    short = ", ".join(f"{v:,.3f} Mt CO2-eq/yr in {y}" for y, v in r.shortfall_mt.items() if v > 0)
    return (f"Target NOT met: short by {short}; the plan abates {abated:,.2f} Mt CO2-eq/yr in {T} "
            f"at a public cost of {r.public_cost_meur:,.0f} M€ of commitments.")


#: A partly funded measure is "the measure at the margin" when its cost per Mt/yr is this close to the
#: target's marginal value (relative); else the marginal tonne comes from a combination of measures.
MARGIN_MATCH = 0.05


def _margin(result: PlanResult, value: float) -> tuple[list[float], str]:
    """(support periods, whose) for turning a value per t/yr into € per tonne avoided.

    The measure at the margin is a partly funded measure whose cost per Mt/yr in its commitment year (gap ×
    support years × cost weight) is within MARGIN_MATCH of ``value``; without one, the support periods of
    the funded measures (one, or the range).
    """
    inp = result.input
    best, best_gap = None, None
    for mid, mr in result.measures.items():
        if mr.status != "partly funded" or mr.gap_eur_per_t <= 0:
            continue
        m = inp.measures[mid]
        weights = [inp.instruments[i].cost_weight for i in mr.subsidy_meur] or [1.0]
        gap = abs(mr.gap_eur_per_t * m.support_years * max(weights) - value) / value
        if gap <= MARGIN_MATCH and (best_gap is None or gap < best_gap):
            best, best_gap = mid, gap
    if best is not None:
        m = inp.measures[best]
        return [m.support_years], f" of {m.name or best} (the measure at the margin)"
    periods = sorted({inp.measures[mid].support_years for mid, mr in result.measures.items()
                      if mr.committed_share > TOL})
    return periods, " of the funded measures"


def marginal_value(result: PlanResult) -> list[str]:
    """The target's marginal value in M€ per Mt/yr and in € per tonne avoided, each with what it means."""
    r, inp = result, result.input
    T = inp.settings.target_year
    if maximising(r) or not r.solver or T not in r.shadow.get(TARGET, {}):
        return []  # no target rows, or not an optimum (a rules simulation has no shadow prices)
    value = r.shadow[TARGET][T]
    if r.shortfall_mt.get(T, 0.0) > TOL:
        p = shortfall_penalty(inp)
        return [f"Marginal value of the {T} target: {value:,.0f} M€ per Mt/yr — exactly the shortfall penalty "
                f"({p:,.0f} €/t per t/yr): the target is not met, so each further t/yr required is one more t/yr "
                "short. It is the penalty the model charges, not a cost of abatement."]
    if value <= TOL:
        return [f"Marginal value of the {T} target: 0 — the target does not bind (measures that need no subsidy, "
                "or limits, decide the plan)."]
    lines = [f"Marginal value of the {T} target: {value:,.0f} M€ per Mt/yr — one more tonne a year of abatement in "
             f"{T} needs {value:,.0f} € more in commitments."]
    if r.relaxation_total is not None:
        lines[0] += " (With the relaxation held at its least: more abatement may not relax more.)"
    periods, whose = _margin(r, value)
    if len(periods) == 1:
        lines.append(f"Spread over the {periods[0]:g}-year support period{whose}, that is "
                     f"{value / periods[0]:,.0f} € per tonne avoided, comparable with the gaps (€/t) of the MACC.")
    elif periods:
        lines.append(f"Spread over the {periods[0]:g}–{periods[-1]:g}-year support periods{whose}, that is "
                     f"{value / periods[-1]:,.0f}–{value / periods[0]:,.0f} € per tonne avoided, comparable with "
                     "the gaps (€/t) of the MACC.")
    return lines


# ---------------------------------------------------------------- limits

def saves(result: PlanResult, value: float) -> str:
    """'saves 2.64 M€' (least cost) or 'adds 0.00192 Mt CO2-eq/yr of abatement' (most abatement)."""
    if maximising(result):
        return f"adds {sig(value)} Mt CO2-eq/yr of abatement"
    return f"saves {sig(value)} M€"


def limit_sentence(result: PlanResult, name: str, key, value: float) -> str:
    """'one more MW of Grid capacity, Zeeland in 2030 saves 0.41 M€' and the like."""
    f = family(name)
    return f"{f.relaxed(result.input, key)} {saves(result, value * f.step)}"


def limit_meaning(result: PlanResult, name: str, key, value: float) -> str:
    """The limit's sentence, with the target's value in its unit and the penalty said where it is one."""
    text = limit_sentence(result, name, key, value)
    if name == TARGET and not maximising(result) and result.shortfall_mt.get(key, 0.0) > TOL:
        text += "; this is the shortfall penalty: the target is not met"
    return text


def policy_binding(result: PlanResult) -> list[tuple[str, object, float]]:
    """Binding limits a budget team sets (budgets, resources, …; not the target), largest first."""
    return [b for b in result.binding() if family(b[0]).kind == "policy" and b[0] != TARGET]


def single_measure_sentence(result: PlanResult) -> str | None:
    """The binding limits of single measures (deployable shares, exclusive groups, caps) in one sentence."""
    counts: dict[str, int] = {}
    for name, _, _ in result.binding():
        if family(name).kind == "measure":
            counts[name] = counts.get(name, 0) + 1
    if not counts:
        return None
    parts = ", ".join(f"{family(n).label('en')} ({c})" for n, c in counts.items())
    what = "lower the cost" if not maximising(result) else "raise the abatement"
    return (f"Limits of single measures also bind — {parts}: more room there would {what}, but they "
            "describe what a measure can do, not a budget decision; the Measure plan gives each one.")


# ---------------------------------------------------------------- budgets

def headroom(result: PlanResult) -> list[dict]:
    """Per instrument: committed, budget available over the years, headroom, and when it is full.

    The budget available is the sum of the yearly budgets, or the period budget where that is lower.
    """
    inp = result.input
    full: dict[str, list] = {}
    for name, key, _ in result.binding():
        if name in (BUDGET, PERIOD_BUDGET):
            ident, year = family(name).split(key)
            full.setdefault(str(ident), []).append(year)
    out = []
    for i, inst in inp.instruments.items():
        committed = sum(result.spend_meur.get((i, y), 0.0) for y in inp.years)
        yearly = sum(inp.budgets[i].values())
        available = yearly if inst.period_budget_meur is None else min(yearly, inst.period_budget_meur)
        years = [y for y in full.get(i, []) if y is not None]
        when = ", ".join(filter(None, [span(years) if years else "",
                                       "period budget" if None in full.get(i, []) else ""]))
        out.append({"id": i, "name": inst.name or i, "committed": committed, "available": available,
                    "headroom": max(0.0, available - committed), "used": committed / available if available > 0
                    else None, "full": when, "public_cost": result.instrument_cost_meur.get(i, 0.0)})
    return out


def headroom_sentence(result: PlanResult) -> str:
    """'Budget left unused: 5,430 M€ of 12,000 M€ over 2024–2030; used up: NIKI; binding: SDE++ (2026–2027).'"""
    rows = headroom(result)
    left = sum(r["headroom"] for r in rows)
    total = sum(r["available"] for r in rows)
    used_up = [r["id"] for r in rows if r["available"] > 0 and r["headroom"] <= 1e-3 * max(1.0, r["available"])]
    binding = [f"{r['id']} ({r['full']})" for r in rows if r["full"]]
    text = f"Budget left unused: {left:,.0f} M€ of {total:,.0f} M€ over {span(result.input.years)}"
    if used_up:
        text += f"; used up: {', '.join(used_up)}"
    if binding:
        return text + f"; binding (more would {'raise the abatement' if maximising(result) else 'lower the cost'}): " \
                      f"{', '.join(binding)}."
    return text + "; no budget binds (more budget would not " + \
        ("raise the abatement)." if maximising(result) else "lower the cost).")


# ---------------------------------------------------------------- what must give

def relaxation_words(result: PlanResult, item: dict) -> str:
    """'+5 MW Grid capacity, Zeeland in 2026 (5.3 % of its 95 MW)'."""
    inp = result.input
    f = family(item["kind"])
    key = f.key_of(item["id"], item["year"])
    unit = f.unit_of(inp, key)
    limit = item.get("limit", 0.0)
    of = f" ({item['relative']:.1%} of its {limit:,.4g} {unit})".replace("%", " %") if limit else \
        " (the limit was 0)"
    return f"+{item['amount']:,.4g} {unit} {f.in_words(inp, key)}{of}"


def what_must_give(result: PlanResult) -> list[str]:
    """An elastic run: what gives, in the limits' own units, and the total relative relaxation."""
    if result.relaxation_total is None:
        return []
    r = result
    if not r.relaxations:
        return ["Nothing must give: every target is met within every budget and limit."]
    total = r.relaxation_total
    lines = [f"What must give for every target to be met (the least change first, then the least cost; "
             f"total relative relaxation {total:.3g}: the amounts added as shares of their limits, summed):"]
    lines += [f"  {relaxation_words(r, item)}" for item in r.relaxations]
    if not r.target_met:
        lines.append("  Even with these, the measures' potential falls short: the shortfall above is what is left.")
    return lines


# ---------------------------------------------------------------- the model's own terms (About)

def penalty_words(result: PlanResult) -> str:
    """The shortfall penalty used and where it comes from."""
    inp = result.input
    p = shortfall_penalty(inp)
    if inp.settings.shortfall_penalty_eur_per_t is not None:
        return f"{p:,.0f} € per t/yr of shortfall (M€ per Mt/yr), set in the workbook"
    return (f"{p:,.0f} € per t/yr of shortfall (M€ per Mt/yr), derived from the data: {PENALTY_FACTOR:g} × the "
            f"dearest measure's gap × support years × cost weight, rounded up to 1, 2 or 5 × a power of ten, "
            f"at least {PENALTY_FLOOR:,.0f} (here the dearest is {_dearest(inp)}), so missing the target is never "
            "cheaper than funding a measure that could meet it")


def _dearest(inp) -> str:
    best = max(inp.measures, key=lambda m: measure_cost_per_mt(inp, m), default=None)
    if best is None:
        return "none"
    m = inp.measures[best]
    return f"{m.name or best} at {measure_cost_per_mt(inp, best):,.0f} M€ per Mt/yr"


def objective_words(result: PlanResult) -> str:
    inp = result.input
    if maximising(result):
        T = inp.settings.target_year
        return (f"maximise the abatement operating in {T} within every budget and limit (no target rows); public "
                "cost only breaks ties (10⁻⁷ Mt/yr per M€)")
    return ("minimise public cost + shortfall penalty × shortfall: Σ cost weight × subsidy committed + "
            "P × Σ shortfall (M€)")


def binding_rule(result: PlanResult) -> str:
    unit = objective_unit(result.input)
    least = BINDING_MIN.get(result.input.settings.objective, BINDING_MIN["min-cost"])
    return (f"a limit is called binding when relaxing it by one step (1 M€, 1 MW, 1 percentage point, …) or "
            f"{BINDING_SHARE:.0%} of its size, whichever is more, would move the objective by at least "
            f"{least:g} {unit} (half the last digit the plan shows); smaller shadow prices are noise at that "
            "precision and are not listed (the JSON and the sheets keep every value)").replace("%", " %")


def derived_penalty_note(result: PlanResult) -> str | None:
    """When the workbook sets a penalty: what the data would give."""
    inp = result.input
    if inp.settings.shortfall_penalty_eur_per_t is None:
        return None
    return f"derived from the data it would be {derived_penalty(inp):,.0f} €/t"


def shadow_unit_words(f) -> str:
    """A family's shadow-price unit for the About sheet."""
    if not f.reported:
        return "— (an identity: no shadow price)"
    if f.shadow_unit is not None:
        return f.shadow_unit("en")
    return f"M€ per {f.unit if isinstance(f.unit, str) else 'unit of the limit (its own unit)'}"


__all__ = ["binding_rule", "headline", "headroom", "headroom_sentence", "limit_meaning", "limit_sentence",
           "marginal_value", "maximising", "objective_words", "penalty_words", "policy_binding", "relaxation_words",
           "reported", "saves", "shadow_unit_words", "single_measure_sentence", "what_must_give"]
