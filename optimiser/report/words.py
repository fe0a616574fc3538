"""The plan in plain words, for a budget team: the sentences the terminal and the Summary sheet share.

Every limit is named and explained by its family's declaration (:mod:`optimiser.model.families`:
``in_words``, ``relaxed``, ``shadow_unit_of``, ``label``); nothing here names a family. Numbers in
sentences have three significant digits and no exponent (:func:`optimiser.report.xlsx.sig`); a limit
is called binding only where its shadow price matters at the precision shown
(:func:`optimiser.model.results.binds`).
"""

from __future__ import annotations

from ..lang import _, num, sig
from ..model.families import BUDGET, PERIOD_BUDGET, TARGET, family, objective_unit, reported
from ..model.index import PENALTY_FACTOR, PENALTY_FLOOR, derived_penalty, measure_cost_per_mt, shortfall_penalty
from ..model.results import BINDING_MIN, BINDING_SHARE, TOL, PlanResult, span

MAX_ABATEMENT = "max-abatement"


def maximising(result: PlanResult) -> bool:
    return result.input.settings.objective == MAX_ABATEMENT


# ---------------------------------------------------------------- the answer

def headline(result: PlanResult) -> str:
    """The answer in one sentence: met or not, how much, at what public cost."""
    r, T = result, result.input.settings.target_year
    abated, required = r.abatement_mt.get(T, 0.0), r.target_mt.get(T, 0.0)
    cost = num(r.public_cost_meur, ",.0f")
    if maximising(r):
        met = _("met") if abated >= required - TOL else _("not met, {short} Mt short",
                                                          short=num(required - abated, ",.2f"))
        return _("The most abatement within every budget and limit: {abated} Mt CO2-eq/yr in {year} "
                 "(target {required} Mt: {met}) at a public cost of {cost} M€.",
                 abated=num(abated, ",.2f"), year=T, required=num(required, ",.2f"), met=met, cost=cost)
    if r.target_met:
        return _("Every target is met: {abated} Mt CO2-eq/yr in {year} (required {required}) "
                 "at a public cost of {cost} M€ of commitments.",
                 abated=num(abated, ",.2f"), year=T, required=num(required, ",.2f"), cost=cost)
    short = ", ".join(_("{amount} Mt CO2-eq/yr in {year}", amount=num(v, ",.3f"), year=y)
                      for y, v in r.shortfall_mt.items() if v > 0)
    return _("Target NOT met: short by {short}; the plan abates {abated} Mt CO2-eq/yr in {year} "
             "at a public cost of {cost} M€ of commitments.", short=short, abated=num(abated, ",.2f"), year=T,
             cost=cost)


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
        return [m.support_years], _(" of {name} (the measure at the margin)", name=m.name or best)
    periods = sorted({inp.measures[mid].support_years for mid, mr in result.measures.items()
                      if mr.taken_up})
    return periods, _(" of the funded measures")


def marginal_value(result: PlanResult) -> list[str]:
    """The target's marginal value in M€ per Mt/yr and in € per tonne avoided, each with what it means."""
    r, inp = result, result.input
    T = inp.settings.target_year
    if maximising(r) or not r.solver or T not in r.shadow.get(TARGET, {}):
        return []  # no target rows, or not an optimum (a rules simulation has no shadow prices)
    value = r.shadow[TARGET][T]
    if r.shortfall_mt.get(T, 0.0) > TOL:
        p = shortfall_penalty(inp)
        return [_("Marginal value of the {year} target: {value} M€ per Mt/yr — exactly the shortfall penalty "
                  "({penalty} €/t per t/yr): the target is not met, so each further t/yr required is one more t/yr "
                  "short. It is the penalty the model charges, not a cost of abatement.",
                  year=T, value=num(value, ",.0f"), penalty=num(p, ",.0f"))]
    if value <= TOL:
        return [_("Marginal value of the {year} target: 0 — the target does not bind (measures that need no "
                  "subsidy, or limits, decide the plan).", year=T)]
    lines = [_("Marginal value of the {year} target: {value} M€ per Mt/yr — one more tonne a year of abatement in "
               "{year} needs {value} € more in commitments.", year=T, value=num(value, ",.0f"))]
    if r.relaxation_total is not None:
        lines[0] += " " + _("(With the relaxation held at its least: more abatement may not relax more.)")
    periods, whose = _margin(r, value)
    if len(periods) == 1:
        lines.append(_("Spread over the {years}-year support period{whose}, that is {eur} € per tonne avoided, "
                       "comparable with the gaps (€/t) of the MACC.", years=num(periods[0], "g"), whose=whose,
                       eur=num(value / periods[0], ",.0f")))
    elif periods:
        lines.append(_("Spread over the {low}–{high}-year support periods{whose}, that is {least}–{most} € per "
                       "tonne avoided, comparable with the gaps (€/t) of the MACC.", low=num(periods[0], "g"),
                       high=num(periods[-1], "g"), whose=whose, least=num(value / periods[-1], ",.0f"),
                       most=num(value / periods[0], ",.0f")))
    return lines


# ---------------------------------------------------------------- limits

def saves(result: PlanResult, value: float) -> str:
    """'saves 2.64 M€' (least cost) or 'adds 0.00192 Mt CO2-eq/yr of abatement' (most abatement)."""
    if maximising(result):
        return _("adds {value} Mt CO2-eq/yr of abatement", value=sig(value))
    return _("saves {value} M€", value=sig(value))


def limit_sentence(result: PlanResult, name: str, key, value: float) -> str:
    """'one more MW of Grid capacity, Zeeland in 2030 saves 0.41 M€' and the like.

    Where the plan falls short, a limit's shadow price counts the shortfall penalty it avoids, which is no
    money anyone pays: the sentence says what the relaxation buys instead — 'one more MW of … cuts the
    shortfall by 0.0019 Mt CO2-eq/yr, at 0.30 M€ more public cost' (the shadow-price checks measure both).
    """
    f = family(name)
    effect = result.limit_effects.get(name, {}).get(key) if name != TARGET else None
    if effect is not None and not maximising(result):
        less, more = effect
        cost = (_("at {value} M€ more public cost", value=sig(more * f.step)) if more * f.step >= 0.0005 else
                _("saving {value} M€ of public cost", value=sig(-more * f.step)) if more * f.step <= -0.0005 else
                _("at no extra public cost"))
        return _("{relaxed} cuts the shortfall by {mt} Mt CO2-eq/yr, {cost}", relaxed=f.relaxed(result.input, key),
                 mt=sig(less * f.step), cost=cost)
    return f"{f.relaxed(result.input, key)} {saves(result, value * f.step)}"


def limit_meaning(result: PlanResult, name: str, key, value: float) -> str:
    """The limit's sentence, with the target's value in its unit and the penalty said where it is one."""
    text = limit_sentence(result, name, key, value)
    if name == TARGET and not maximising(result) and result.shortfall_mt.get(key, 0.0) > TOL:
        text += _("; this is the shortfall penalty: the target is not met")
    return text


def policy_binding(result: PlanResult) -> list[tuple[str, object, float]]:
    """Binding limits a budget team sets (budgets, resources, …; not the target), largest first."""
    return [b for b in result.binding() if family(b[0]).kind == "policy" and b[0] != TARGET]


def single_measure_sentence(result: PlanResult) -> str | None:
    """The binding limits of single measures (deployable shares, exclusive groups, caps) in one sentence."""
    counts: dict[str, int] = {}
    for name, _key, _value in result.binding():
        if family(name).kind == "measure":
            counts[name] = counts.get(name, 0) + 1
    if not counts:
        return None
    parts = ", ".join(f"{family(n).text('label')} ({c})" for n, c in counts.items())
    what = _("lower the cost") if not maximising(result) else _("raise the abatement")
    return _("Limits of single measures also bind — {parts}: more room there would {what}, but they "
             "describe what a measure can do, not a budget decision; the Measure plan gives each one.",
             parts=parts, what=what)


# ---------------------------------------------------------------- budgets

def headroom(result: PlanResult) -> list[dict]:
    """Per instrument: committed, budget available over the years, headroom, and when it is full.

    The budget available is the sum of the yearly budgets, or the period budget where that is lower.
    """
    inp = result.input
    full: dict[str, list] = {}
    for name, key, _value in result.binding():
        if name in (BUDGET, PERIOD_BUDGET):
            ident, year = family(name).split(key)
            full.setdefault(str(ident), []).append(year)
    out = []
    for i, inst in inp.instruments.items():
        committed = result.instrument_spend_meur(i)
        yearly = sum(inp.budgets[i].values())
        available = yearly if inst.period_budget_meur is None else min(yearly, inst.period_budget_meur)
        years = [y for y in full.get(i, []) if y is not None]
        when = ", ".join(filter(None, [span(years) if years else "",
                                       _("period budget") if None in full.get(i, []) else ""]))
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
    text = _("Budget left unused: {left} M€ of {total} M€ over {years}", left=num(left, ",.0f"),
             total=num(total, ",.0f"), years=span(result.input.years))
    if used_up:
        text += _("; used up: {ids}", ids=", ".join(used_up))
    if binding:
        if maximising(result):
            return text + _("; binding (more would raise the abatement): {ids}.", ids=", ".join(binding))
        return text + _("; binding (more would lower the cost): {ids}.", ids=", ".join(binding))
    if maximising(result):
        return text + _("; no budget binds (more budget would not raise the abatement).")
    return text + _("; no budget binds (more budget would not lower the cost).")


# ---------------------------------------------------------------- what must give

def relaxation_words(result: PlanResult, item: dict) -> str:
    """'+5 MW Grid capacity, Zeeland in 2026 (5.3 % of its 95 MW)'."""
    inp = result.input
    f = family(item["kind"])
    key = f.key_of(item["id"], item["year"])
    unit = f.unit_of(inp, key)
    limit = item.get("limit", 0.0)
    of = _(" ({share} % of its {limit} {unit})", share=num(100 * item["relative"], ".1f"),
           limit=num(limit, ",.4g"), unit=unit) if limit else _(" (the limit was 0)")
    return f"+{num(item['amount'], ',.4g')} {unit} {f.in_words(inp, key)}{of}"


def what_must_give(result: PlanResult) -> list[str]:
    """An elastic run: what gives, in the limits' own units, and the total relative relaxation."""
    if result.relaxation_total is None:
        return []
    r = result
    if not r.relaxations:
        return [_("Nothing must give: every target is met within every budget and limit.")]
    total = r.relaxation_total
    lines = [_("What must give for every target to be met (the least change first, then the least cost; "
               "total relative relaxation {total}: the amounts added as shares of their limits, summed):",
               total=num(total, ".3g"))]
    lines += [f"  {relaxation_words(r, item)}" for item in r.relaxations]
    if not r.target_met:
        lines.append("  " + _("Even with these, the measures' potential falls short: the shortfall above is what "
                              "is left."))
    return lines


# ---------------------------------------------------------------- the model's own terms (About)

def penalty_words(result: PlanResult) -> str:
    """The shortfall penalty used and where it comes from."""
    inp = result.input
    p = shortfall_penalty(inp)
    if inp.settings.shortfall_penalty_eur_per_t is not None:
        return _("{penalty} € per t/yr of shortfall (M€ per Mt/yr), set in the workbook", penalty=num(p, ",.0f"))
    return _("{penalty} € per t/yr of shortfall (M€ per Mt/yr), derived from the data: {factor} × the "
             "dearest measure's gap × support years × cost weight, rounded up to 1, 2 or 5 × a power of ten, "
             "at least {floor} (here the dearest is {dearest}), so missing the target is never "
             "cheaper than funding a measure that could meet it", penalty=num(p, ",.0f"),
             factor=num(PENALTY_FACTOR, "g"), floor=num(PENALTY_FLOOR, ",.0f"), dearest=_dearest(inp))


def _dearest(inp) -> str:
    best = max(inp.measures, key=lambda m: measure_cost_per_mt(inp, m), default=None)
    if best is None:
        return _("none")
    m = inp.measures[best]
    return _("{name} at {value} M€ per Mt/yr", name=m.name or best, value=num(measure_cost_per_mt(inp, best), ",.0f"))


def objective_words(result: PlanResult) -> str:
    inp = result.input
    if maximising(result):
        T = inp.settings.target_year
        return _("maximise the abatement operating in {year} within every budget and limit (no target rows); "
                 "public cost only breaks ties (10⁻⁷ Mt/yr per M€)", year=T)
    return _("minimise public cost + shortfall penalty × shortfall: Σ cost weight × subsidy committed + "
             "P × Σ shortfall (M€)")


def binding_rule(result: PlanResult) -> str:
    unit = objective_unit(result.input)
    least = BINDING_MIN.get(result.input.settings.objective, BINDING_MIN["min-cost"])
    return _("a limit is called binding when relaxing it by one step (1 M€, 1 MW, 1 percentage point, …) or "
             "{share} % of its size, whichever is more, would move the objective by at least "
             "{least} {unit} (half the last digit the plan shows); smaller shadow prices are noise at that "
             "precision and are not listed (the JSON and the sheets keep every value)",
             share=num(100 * BINDING_SHARE, ".0f"), least=num(least, "g"), unit=unit)


def derived_penalty_note(result: PlanResult) -> str | None:
    """When the workbook sets a penalty: what the data would give."""
    inp = result.input
    if inp.settings.shortfall_penalty_eur_per_t is None:
        return None
    return _("derived from the data it would be {penalty} €/t", penalty=num(derived_penalty(inp), ",.0f"))


def shadow_unit_words(f) -> str:
    """A family's shadow-price unit for the About sheet."""
    if not f.reported:
        return _("— (an identity: no shadow price)")
    if f.shadow_unit is not None:
        return f.text("shadow_unit")
    return _("M€ per {unit}", unit=_(f.unit) if isinstance(f.unit, str) else _("unit of the limit (its own unit)"))


__all__ = ["binding_rule", "headline", "headroom", "headroom_sentence", "limit_meaning", "limit_sentence",
           "marginal_value", "maximising", "objective_words", "penalty_words", "policy_binding", "relaxation_words",
           "reported", "saves", "shadow_unit_words", "single_measure_sentence", "what_must_give"]


def provenance(solver: str, source_file: str | None, sha256: str | None, scenario: str) -> list[tuple]:
    """The first rows of every About sheet: tool, solver, input file, its SHA-256, scenario."""
    from .. import __version__

    return [(_("tool"), f"policymix {__version__}"), (_("solver"), solver),
            (_("input file"), source_file or _("(not from a file)")), (_("input SHA-256"), sha256 or ""),
            (_("scenario"), scenario)]
