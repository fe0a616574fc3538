"""A futures run and a delay register in plain words: the sentences the terminal and the workbooks share.

A budget team reads these first: what it costs to be p sure of every target, or the most that can be made
sure and what limits it (the limits and the uncertain inputs that fail the target in the futures it misses);
the abatement reached in at least 50, 80 and 95 % of the futures; the cash the instruments pay in a bad and a
good year; what deciding now buys; what each delay costs. Money is public cost — what the state pays —
never the shortfall penalty, which only steers the programs (docs/model.md sections 14 and 17).
"""

from __future__ import annotations

from ..lang import _, num, sig
from ..model.fields import SURE_LEVELS

#: Most limits, inputs and instruments named in one sentence.
MOST = 3


def pct(v: float | None, digits: int = 1) -> str:
    """A share as a percentage in a sentence: 0.053 → '5.3 %'."""
    return "—" if v is None else num(100 * v, f".{digits}f") + " %"


def level(p: float) -> str:
    """A confidence level or a share of futures as a whole percentage where it is one: 0.8 → '80 %', 0.95 → '95 %',
    0.125 → '12.5 %'."""
    whole = abs(100 * p - round(100 * p)) < 1e-9
    return pct(p, 0 if whole else 1)


def interval(ci) -> str:
    """A 95 % interval: '3.2–5.7 %'."""
    if not ci:
        return "—"
    return f"{num(100 * ci[0], '.1f')}–{num(100 * ci[1], '.1f')} %"


def mt(v: float | None) -> str:
    return "—" if v is None else num(v, ",.2f")


def meur(v: float | None) -> str:
    return "—" if v is None else num(v, ",.0f")


def shortfall_words(by_year: dict) -> str:
    """'0.12 Mt CO2-eq/yr in 2030' (each target year), or 'none'."""
    if not by_year or all(abs(v) < 5e-3 for v in by_year.values()):
        return _("none")
    return ", ".join(_("{amount} Mt CO2-eq/yr in {year}", amount=mt(v), year=y) for y, v in sorted(by_year.items()))


# ---------------------------------------------------------------- planning to a confidence level

def confidence_lines(run) -> list[str]:
    """The confidence answer: what it costs to be p sure of every target, or the most that can be made sure, at
    what cost, and what limits it; for a range, the highest level attainable."""
    c = run.confidence
    a = c.answer
    n = c.samples
    lines: list[str] = []
    asked = [p.confidence for p in c.plans]
    how = (_("one plan for every future") if c.decide_by is None else
           _("commitments up to {year} the same in every future, later ones adapted", year=c.decide_by))
    if a.attainable:
        lines.append(_("To be {p} sure of every target (met in at least {k} of {n} futures; {how}), the plan of least "
                       "expected public cost costs {cost} M€ (mean over the futures); expected shortfall: {short}.",
                       p=level(a.confidence), k=a.need, n=num(n, ",d"), how=how,
                       cost=meur(a.expected_public_cost_meur), short=shortfall_words(a.expected_shortfall_mt)))
    else:
        most = round(c.max_attainable * n)
        if most == 0:
            lines.append(_("No plan is {p} sure of every target: not one of the {n} futures can meet every target, even "
                           "planned on its own.", p=level(a.confidence), n=num(n, ",d")))
            lines.append(_("The least-cost answer then commits nothing beyond the decisions already taken; the expected "
                           "shortfall is {short}. What lowers the shortfall most: policymix plan, or futures "
                           "--decide-by.", short=shortfall_words(a.expected_shortfall_mt)))
        else:
            lines.append(_("No plan is {p} sure of every target: one plan meets every target in at most {most} of the "
                           "{n} futures ({share}; {how}).", p=level(a.confidence), most=num(most, ",d"),
                           n=num(n, ",d"), share=level(c.max_attainable), how=how))
            lines.append(_("The plan meeting every target in the most futures, at least cost: {cost} M€ of expected "
                           "public cost; expected shortfall: {short}.", cost=meur(a.expected_public_cost_meur),
                           short=shortfall_words(a.expected_shortfall_mt)))
    lines.append(_("It meets every target in {p} of the {n} futures it was planned on.", p=pct(a.p_target_met),
                   n=num(n, ",d"))
                 + (" " + _("Judged on {m} fresh futures (out of sample): {p} (95 % interval {ci}).",
                            m=num(a.validation_samples, ",d"), p=pct(a.p_target_met_validation),
                            ci=interval(a.p_target_met_validation_ci))
                    if a.validation_samples and a.p_target_met_validation is not None else ""))
    lines += reason_lines(a.reasons)
    if len(asked) > 1:
        top = c.highest_attainable
        lines.append(_("Cost of confidence from {low} to {high}: the highest level of the range attainable is {top} "
                       "(one plan can meet every target in at most {most} of the futures).", low=level(asked[0]),
                       high=level(asked[-1]), top=level(top), most=level(c.max_attainable)) if top is not None else
                     _("Cost of confidence from {low} to {high}: no level of the range is attainable; at most {most} "
                       "of the futures can be met.", low=level(asked[0]), high=level(asked[-1]),
                       most=level(c.max_attainable)))
    return lines


def reason_lines(reasons) -> list[str]:
    """What keeps a level out of reach: the futures missed, the limits, the uncertain inputs."""
    if reasons is None or not reasons.missed:
        return []
    lines = [_("What limits it: of the {missed} futures it misses, {alone} cannot be met by any plan (planned on its "
               "own, each still falls short).", missed=num(reasons.missed, ",d"), alone=num(reasons.alone, ",d"))]
    if reasons.limits:
        lines.append(_("The limits that hold the target back there: {limits}.", limits="; ".join(
            _("{limit} ({n} futures)", limit=r.words, n=num(r.futures, ",d")) for r in reasons.limits[:MOST])))
    if reasons.inputs:
        lines.append(_("The uncertain inputs that set the missed futures apart: {inputs}.", inputs="; ".join(
            _("{name} (drawn {missed} on average where missed, {met} where met)", name=r.name,
              missed=sig(r.mean_missed), met=sig(r.mean_met)) for r in reasons.inputs[:MOST])))
    return lines


# ---------------------------------------------------------------- every futures run

def expected_line(run) -> str | None:
    """The expected public cost and shortfall of a run, with the spread of the public cost."""
    if run.expected_public_cost_meur is None:
        return None
    median, p90 = run.cost_quantile(0.5), run.cost_quantile(0.9)
    return _("Expected public cost {cost} M€ (mean over the futures; median {median} M€, 90th percentile {p90} M€); "
             "expected shortfall {short}.", cost=meur(run.expected_public_cost_meur), median=meur(median),
             p90=meur(p90), short=shortfall_words(run.expected_shortfall_mt))


def sure_lines(run) -> list[str]:
    """The abatement reached in at least 50, 80 and 95 % of the futures, per target year."""
    sure = run.sure_abatement_mt
    if not sure:
        return []
    out = []
    for y in sorted(run.base.targets):
        values = " / ".join(mt(sure.get(p, {}).get(y)) for p in SURE_LEVELS)
        out.append(_("Abatement in {year} reached in at least {levels} of the futures: {values} Mt CO2-eq/yr (target "
                     "{target}).", year=y, levels=" / ".join(level(p) for p in SURE_LEVELS), values=values,
                     target=mt(run.base.targets[y])))
    return out


def cash_line(run) -> str | None:
    """The instruments paying most: in the year of their highest median cash, the median and the 10th–90th
    percentile range over the futures."""
    bands = run.cash_bands_meur
    if not bands:
        return None
    peaks = []
    for i, years in bands.items():
        year, (p10, p50, p90) = max(years.items(), key=lambda kv: (kv[1][1], -kv[0]))
        peaks.append((p50, i, year, p10, p90))
    peaks.sort(key=lambda x: (-x[0], x[1]))
    parts = [_("{instrument} {median} M€ in {year} (10th–90th percentile {p10}–{p90} M€)", instrument=i,
               median=meur(p50), year=year, p10=meur(p10), p90=meur(p90)) for p50, i, year, p10, p90 in peaks[:MOST]]
    return _("Cash paid, in each instrument's year of highest median: {parts}.", parts="; ".join(parts))


def decide_lines(run, most: int = 8) -> list[str]:
    """Decide by YEAR: what to commit now and what planning for the average future instead would give, in expected
    public cost and shortfall (the value of the stochastic solution in words); the run's own expected public cost
    and shortfall are :func:`expected_line`'s."""
    d = run.decision
    now = [_("{measure} {share} in {year}", measure=m, share=num(v, ".0%"), year=y)
           for m, ys in d.here_and_now.items() for y, v in ys.items()]
    listed = ", ".join(now[:most]) + (" …" if len(now) > most else "")
    lines = [_("Commit now (by {year}, the same in every future; later commitments adapt to each future): {what}",
               year=d.year, what=listed if now else _("nothing"))]
    if d.vss_meur is None:
        lines.append(_("Committing now what the plan for the average future commits has no plan in some future: "
                       "the value of the stochastic solution is unbounded ({why}).", why="; ".join(d.notes)))
    else:
        extra_cost = (d.eev_public_cost_meur or 0.0) - d.expected_public_cost_meur
        extra_short = {y: d.eev_shortfall_mt.get(y, 0.0) - v for y, v in d.expected_shortfall_mt.items()}
        lines.append(_("Committing now what the plan for the average future commits would instead give an expected "
                       "public cost of {cost} M€ ({change} M€) and an expected shortfall of {short}: the value of the "
                       "stochastic solution is {vss} in the program's own terms, which weigh each t/yr of shortfall "
                       "at the shortfall penalty (not a cost).", cost=meur(d.eev_public_cost_meur),
                       change=num(extra_cost, "+,.0f"), short=shortfall_words(d.eev_shortfall_mt),
                       vss=_("{amount} M€", amount=meur(d.vss_meur)))
                     + (" " + _("Planning for the average future would leave {more} more shortfall.",
                                more=shortfall_words(extra_short)) if any(v > 5e-3 for v in extra_short.values())
                        else ""))
    return lines


# ---------------------------------------------------------------- the plan's own headline

def stress_sentence(result) -> str | None:
    """A plan over drawn futures (``policymix plan`` with an uncertainty sheet): how often it meets every target
    and its 80 %-sure abatement in the target year."""
    s = getattr(result, "stress", None)
    if s is None:
        return None
    T = result.input.settings.target_year
    sure = s.sure_abatement_mt.get(0.8, {}).get(T)
    return _("Over {n} futures drawn from the uncertainty sheet (seed {seed}, the commitments fixed), this plan meets "
             "every target in {met} of them ({p}); its abatement in {year} reached in at least 80 % of them: {sure} Mt "
             "CO2-eq/yr (target {target}).", n=num(s.samples, ",d"), seed=s.seed, met=num(s.met, ",d"),
             p=pct(s.p_target_met, 0), year=T, sure=mt(sure), target=mt(result.target_mt.get(T)))


# ---------------------------------------------------------------- the delay register

def delay_lines(register, most: int = 3) -> list[str]:
    """The delay register in a few sentences: the plan it starts from and the delays that cost most."""
    T = register.base.settings.target_year if register.base is not None else None
    lines = [_("The plan fixed abates {abatement} Mt CO2-eq/yr in {year}; re-planned without delay, the least public "
               "cost is {cost} M€ with a shortfall of {short} Mt CO2-eq/yr.", abatement=mt(register.plan_abatement_mt),
               year=T, cost=meur(register.plan_cost_meur), short=mt(register.plan_shortfall_mt))]
    ranked = ranked_delays(register)
    costly = [d for d in ranked if d.abatement_lost_mt > 5e-3 or (d.extra_shortfall_mt or 0) > 5e-3
              or (d.extra_public_cost_meur or 0) > 0.5]
    if not costly:
        lines.append(_("No delay of {years} year(s) costs anything: the plan loses no abatement and a re-plan needs "
                       "no more money.", years=", ".join(str(k) for k in register.years)))
        return lines
    for d in costly[:most]:
        lines.append(delay_sentence(d))
    return lines


def ranked_delays(register) -> list:
    """The delays, those that cost most first: abatement lost with the plan fixed, then shortfall added and extra
    public cost re-planned."""
    return sorted(register.delays, key=lambda d: (-(d.abatement_lost_mt or 0.0), -(d.extra_shortfall_mt or 0.0),
                                                   -(d.extra_public_cost_meur or 0.0), d.item, d.years))


def delay_sentence(d) -> str:
    name = d.name or d.item
    if d.extra_public_cost_meur is None:
        return _("{item}, {k} year(s) late: the plan fixed loses {lost} Mt CO2-eq/yr; re-planned, no plan was found.",
                 item=name, k=d.years, lost=mt(d.abatement_lost_mt))
    return _("{item}, {k} year(s) late: the plan fixed loses {lost} Mt CO2-eq/yr; re-planned, the public cost changes "
             "by {cost} M€ and the shortfall by {short} Mt CO2-eq/yr.", item=name, k=d.years,
             lost=mt(d.abatement_lost_mt), cost=num(d.extra_public_cost_meur, "+,.0f"),
             short=num(d.extra_shortfall_mt or 0.0, "+,.2f"))
