"""The budget cycle: the input of the next round from a plan (docs/model.md section 18, ``policymix replan``).

A plan commits shares of measures in start_year … target_year. A budget round later, the commitments of the
years before YEAR have been made; the next round plans YEAR … target_year with them as decisions already
taken. :func:`replan` takes a plan — its own input sheets (the effective inputs it was made from) and what it
commits, read back from a plan workbook (:func:`from_workbook`) or from a plan in hand (:func:`from_result`)
— and returns the next round's input:

- ``start_year`` becomes YEAR;
- every commitment of the plan in start_year … YEAR − 1 becomes a decision of the past in sheet
  ``committed``: the measure, the year, the share, the instrument and the subsidy it paid — one row per
  instrument where the plan split a commitment between instruments, the share divided in proportion to the
  subsidy, so that each row's gap per tonne, subsidy / (share · A_m · D_m), is the plan's g_{m,y} and its
  cash is paid out as the plan's was — and a note naming the plan. A forced decision of those years (a row of
  sheet committed from start_year on) is replaced by what the plan committed then, its note kept;
- an instrument's period budget (M€ over all years of commitments) is reduced by what the plan committed
  from it in start_year … YEAR − 1: a period budget counts the commitments from start_year on, and a
  decision of the past is in no budget, so what the moved commitments used must leave it;
- nothing else is reduced: the yearly budgets, capacities and milestones of the years before YEAR leave the
  horizon; a cash limit of a year from YEAR on stays as it was, because the model already subtracts the
  cash the decisions of the past pay in that year (section 13), and the moved commitments pay the same cash
  as past decisions as they did in the plan; the cash limits of the years before YEAR are past and dropped;
- prices stay as they are, the years before YEAR included (the price history the decisions already taken
  were paid at); the shortfall penalty the plan used is written into the settings where the next round's
  data would derive another;
- everything else is as in the plan's input sheets: its decisions of the past (before its start_year) stay
  as they are, its forced decisions from YEAR on stay forced, its scenarios and uncertainty rows stay
  (but those naming a year column before YEAR, which no longer exists).

With nothing edited, planning the next round gives the same commitments from YEAR on as the plan: plans
are canonical (section 16) and the canonical rule counts the years from the first year of the price row
(docs/model.md, "Canonical plans"), which the next round keeps.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..input.data import Committed, InputError, PlanInput, Problem
from ..input.planfile import NotAPlan, check_commitments, read_plan_results
from ..input.read import DEFAULT_MAX_UNZIPPED_MB, read_workbook
from ..input.tables import to_input, to_tables
from ..lang import _, ngettext, num
from ..model.cash import problems as fixed_problems
from ..model.index import derived_penalty, has_shortfall, shortfall_penalty, unit_gap
from ..model.results import PlanResult
from .simulate import RulesResult

#: Solver noise in a stored plan (shares, M€): a plan's values are cleaned at 1e-6 and stored to 9 decimals.
NOISE = 1e-6
#: Relative room of a check of the plan against its own input sheets (a funding row, a budget).
ROOM = 1e-6


@dataclass(frozen=True)
class PlanCommitments:
    """A plan as re-planning reads it: its own input sheets and what it commits.

    ``shares[(m, y)]``: d_{m,y}; ``subsidies[(m, i, y)]``: s_{m,i,y} (M€); ``name``: how the notes name the
    plan (its file name, or the plan of its input workbook for a plan in hand); ``path``: its file, if any.
    """

    input: PlanInput
    shares: dict[tuple[str, int], float]
    subsidies: dict[tuple[str, str, int], float]
    name: str
    path: str | None = None


@dataclass(frozen=True)
class Reduction:
    """A period budget reduced by what the moved commitments used (M€)."""

    instrument_id: str
    before: float
    used: float
    after: float


@dataclass
class Replanned:
    """The next round's input (:func:`replan`) and what changed against the plan's input sheets.

    ``moved``: the rows added to sheet committed (the plan's commitments of ``plan_start`` … ``from_year`` − 1);
    ``replaced``: the forced decisions of those years they replace; ``reductions``: the period budgets
    reduced; ``dropped``: what left the horizon, in words; ``penalty``: the shortfall penalty written into the
    settings (None: left as it was).
    """

    input: PlanInput
    plan: str
    from_year: int
    plan_start: int
    moved: list[Committed] = field(default_factory=list)
    replaced: list[Committed] = field(default_factory=list)
    reductions: list[Reduction] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    penalty: float | None = None

    @property
    def moved_years(self) -> list[int]:
        return list(range(self.plan_start, self.from_year))

    def summary(self) -> list[str]:
        """What the next round's input takes from the plan and what it changed, in a few sentences."""
        if self.from_year == self.plan_start:
            return [_("Re-planned {plan} from {year}, its own first year: nothing is decided yet, so the workbook is "
                      "the plan's own input.", plan=self.plan, year=self.from_year)]
        years = _span(self.moved_years)
        lines = [_("Re-planned {plan} from {year}: start_year {year} (the plan's was {start}).", plan=self.plan,
                   year=self.from_year, start=self.plan_start)]
        measures = sorted({c.measure_id for c in self.moved}, key=lambda m: (m.casefold(), m))
        if measures:
            shown = ", ".join(measures[:6]) + (_(" and {n} more", n=len(measures) - 6) if len(measures) > 6 else "")
            lines.append(ngettext("The plan's commitments of {years} are decisions already taken (sheet committed, "
                                  "{rows} row): {measures}.",
                                  "The plan's commitments of {years} are decisions already taken (sheet committed, "
                                  "{rows} rows): {measures}.", len(self.moved), years=years, rows=len(self.moved),
                                  measures=shown))
        else:
            lines.append(_("The plan commits nothing in {years}: sheet committed is as it was.", years=years))
        if self.reductions:
            budgets = "; ".join(f"{r.instrument_id} {num(r.before, ',.1f')} → {num(r.after, ',.1f')} M€"
                                for r in self.reductions)
            lines.append(_("Period budgets less what those commitments used: {budgets}.", budgets=budgets))
        if self.input.cash_limits:
            lines.append(_("Cash limits are as they were: the planner subtracts the cash the decisions already taken "
                           "pay in each year from that year's limit."))
        if self.dropped:
            lines.append(_("Before {year}, out of the horizon: {what}.", year=self.from_year,
                           what="; ".join(self.dropped)))
        if self.penalty is not None:
            lines.append(_("Shortfall penalty set to {penalty} €/t per t/yr, the value the plan used (the next round's "
                           "data alone would give another).", penalty=num(self.penalty, ",.0f")))
        lines.append(_("Edit what really happened (grants made, prices, dates), then plan the workbook."))
        return lines


# ---------------------------------------------------------------- the plan, from a workbook or in hand

def from_result(result: PlanResult) -> PlanCommitments:
    """A plan in hand (the API's ``Plan``): its effective input and its commitments, at full precision."""
    if isinstance(result, RulesResult):
        raise InputError(Problem(_("a simulation of the instruments' own rules is not a plan to re-plan from: "
                                   "re-plan a plan made by policymix plan")))
    shares = {(m, y): v for m, mr in result.measures.items() for y, v in mr.new.items() if v > 0}
    subsidies = {(m, i, y): v for m, mr in result.measures.items() for (i, y), v in mr.subsidy_by_year.items()
                 if v > 0}
    source = result.source_file or result.input.settings.scenario_name
    return PlanCommitments(result.input, shares, subsidies, _("the plan of {source}", source=source))


def from_workbook(path: str | os.PathLike, max_unzipped_mb: float = DEFAULT_MAX_UNZIPPED_MB) -> PlanCommitments:
    """A plan workbook (``policymix plan -o PLAN.xlsx``): its input sheets and the commitments it stores.

    Refuses (:class:`InputError`, naming the file) a workbook that holds no stored plan (an input, sweep or
    futures workbook), a simulation of the rules, and a plan whose stored result or input sheets were edited
    so that they no longer agree."""
    path = str(path)
    name = Path(path).name
    try:
        document = read_plan_results(path, max_unzipped_mb)
    except NotAPlan:
        raise InputError(Problem(_("is not a plan workbook: it holds no plan stored by policymix plan; replan "
                                   "re-plans the plan workbook of a round (an input workbook is planned first: "
                                   "policymix plan {name} -o PLAN.xlsx)", name=name), path)) from None
    if document.get("kind") == "rules":
        raise InputError(Problem(_("is a simulation of the instruments' own rules (policymix simulate), not a plan "
                                   "to re-plan from: re-plan a plan made by policymix plan"), path))
    plan_input = read_workbook(path, max_unzipped_mb).input
    again = _("plan the workbook again (policymix plan {name} -o NEW.xlsx) and re-plan the new plan", name=name)
    problems = check_commitments(document, plan_input)
    if problems:
        raise InputError([Problem(f"{p}; {again}", path) for p in problems[:10]])
    shares = {(m, int(y)): float(v) for m, by_year in (document.get("commitments") or {}).items()
              for y, v in by_year.items() if v}
    stored = document.get("subsidies")
    if stored is None:  # a plan made before subsidies per year were stored: its input sheets plan it again
        subsidies = _planned_again(plan_input, shares, document, path, again)
    else:
        subsidies = {}
        for m, by_instrument in stored.items():
            for i, by_year in by_instrument.items():
                for y, v in by_year.items():
                    subsidies[(m, i, int(y))] = float(v or 0.0)
    return PlanCommitments(plan_input, shares, subsidies, name, path)


def _planned_again(plan_input: PlanInput, shares: dict, document: dict, path: str, again: str) -> dict:
    """s_{m,i,y} of a plan that stores only d_{m,y} and Σ_y s_{m,i,y}: its input sheets planned again, used only
    where that plan commits what the stored one does (plans are canonical: an unedited plan re-runs to itself)."""
    from ..model.optimum import optimise

    result = optimise(plan_input).result
    again_shares = {(m, y): v for m, mr in result.measures.items() for y, v in mr.new.items() if v > NOISE}
    stored_paid = {(m, i): float(v or 0.0) for m, entry in document["plan"]["measures"].items()
                   for i, v in (entry.get("subsidy_meur") or {}).items()}
    paid = {(m, i): v for m, mr in result.measures.items() for i, v in mr.subsidy_meur.items()}
    for a, b in ((shares, again_shares), (stored_paid, paid)):
        for key in set(a) | set(b):
            u, v = a.get(key, 0.0), b.get(key, 0.0)
            if abs(u - v) > ROOM * max(abs(u), abs(v)) + NOISE:
                raise InputError(Problem(_("stores no subsidies per year (it was written by an older policymix) and "
                                           "its input sheets now give another plan; {again}", again=again), path))
    return {(m, i, y): v for m, mr in result.measures.items() for (i, y), v in mr.subsidy_by_year.items() if v > 0}


# ---------------------------------------------------------------- the plan checked against its own inputs

def _check(plan: PlanCommitments) -> None:
    """The commitments agree with the plan's own input sheets: each pays its gap exactly through eligible
    instruments (constraint 1), within the yearly and period budgets. An input sheet edited after the plan
    was made (a price, a cost, a budget) is found here rather than written into the next round: one line per
    kind of disagreement, its first case and how many more."""
    inp = plan.input
    years = set(inp.years)
    unknown, unpaid = [], []
    paid: dict[tuple[str, int], float] = defaultdict(float)
    for (m, i, y), v in sorted(plan.subsidies.items()):
        if m not in inp.measures or y not in years or i not in inp.measures[m].eligible_instruments or v < -NOISE:
            unknown.append(_("its stored subsidy of {subsidy} M€ from '{instrument}' to '{measure}' in {year} does not "
                             "fit its input sheets (a measure, instrument or year they do not have, or an instrument "
                             "the measure is not eligible for)", subsidy=num(v, ",.6g"), instrument=i, measure=m,
                             year=y))
            continue
        paid[(m, y)] += v
    _refuse(plan, unknown)
    for (m, y) in sorted(set(plan.shares) | set(paid)):
        if m not in inp.measures:
            continue  # check_commitments named it
        meas = inp.measures[m]
        d = plan.shares.get((m, y), 0.0)
        gap = unit_gap(inp, m, y) * meas.abatement_mt * meas.support_years * d if y in inp.co2_price else 0.0
        if abs(paid[(m, y)] - gap) > ROOM * max(gap, paid[(m, y)]) + 10 * NOISE:
            unpaid.append(_("'{measure}' in {year}: the plan pays {paid} M€ for a share of {share}, but its input "
                            "sheets give a gap of {gap} M€ for it (were a cost, abatement, support years or the CO2 "
                            "price edited after it was planned?)", measure=m, year=y, paid=num(paid[(m, y)], ",.6g"),
                            share=num(d, ".6g"), gap=num(gap, ",.6g")))
    _refuse(plan, unpaid)  # what pays the commitments first: a budget then follows from it
    spend: dict[tuple[str, int], float] = defaultdict(float)
    for (m, i, y), v in plan.subsidies.items():
        spend[(i, y)] += v
    over, total = [], defaultdict(float)
    for (i, y), v in sorted(spend.items()):
        total[i] += v
        limit = inp.budgets.get(i, {}).get(y)
        if limit is not None and v > limit * (1 + ROOM) + 10 * NOISE:
            over.append(_("the plan commits {spend} M€ from '{instrument}' in {year}, more than the budget of {budget} "
                          "M€ its input sheets give (was the budget edited after it was planned?)",
                          spend=num(v, ",.6g"), instrument=i, year=y, budget=num(limit, ",.6g")))
    for i, v in sorted(total.items()):
        limit = inp.instruments[i].period_budget_meur if i in inp.instruments else None
        if limit is not None and v > limit * (1 + ROOM) + 10 * NOISE:
            over.append(_("the plan commits {spend} M€ from '{instrument}' in all, more than the period budget of "
                          "{budget} M€ its input sheets give (was it edited after it was planned?)",
                          spend=num(v, ",.6g"), instrument=i, budget=num(limit, ",.6g")))
    _refuse(plan, over)


def _refuse(plan: PlanCommitments, problems: list[str]) -> None:
    """One line for the disagreements found: the first, how many more, and the way out."""
    if not problems:
        return
    name = Path(plan.path).name if plan.path else ""
    more = ngettext(" (and {n} more like it)", " (and {n} more like it)", len(problems) - 1) \
        if len(problems) > 1 else ""
    again = _("; plan the workbook again (policymix plan {name} -o NEW.xlsx) and re-plan the new plan",
              name=name) if name else ""
    raise InputError(Problem(problems[0] + more + again, plan.path))


# ---------------------------------------------------------------- the next round

def replan(plan: PlanCommitments, from_year: int, *, option: str = "from_year") -> Replanned:
    """The next round's input: ``plan``'s commitments before ``from_year`` taken as decided (module docstring).

    ``from_year`` may be any year of the plan's horizon; its start_year gives the plan's own input again (nothing
    is decided yet). ``option``: how messages name the year (``--from 2029`` or ``from_year=2029``).
    Raises :class:`InputError` for a year outside the horizon, an elastic plan, or a plan that does not agree
    with its own input sheets.
    """
    inp = plan.input
    settings = inp.settings
    start, target = settings.start_year, settings.target_year
    if not (start <= from_year <= target):
        raise InputError(Problem(_("{option}: expected a year of the plan's horizon {start}–{target} (the year the "
                                   "next round decides from), found {year}", option=option, start=start,
                                   target=target, year=from_year)))
    if settings.elastic:
        raise InputError(Problem(_("was planned with --elastic (what must give): its commitments may exceed the "
                                   "limits of its input sheets, so they are not decisions a round can take; re-plan "
                                   "a plan made without --elastic"), plan.path))
    _check(plan)
    out = Replanned(input=inp, plan=plan.name, from_year=from_year, plan_start=start)
    decided = list(range(start, from_year))
    if not decided:
        return out  # the plan's own input: nothing is decided yet
    years_text = _span(decided)

    # sheet committed: the plan's decisions of the past, the moved commitments, the forced decisions left
    forced_notes = {(c.measure_id, c.year): c.note for c in inp.forced_decisions}
    out.replaced = [c for c in inp.forced_decisions if c.year < from_year]
    moved = _moved(plan, decided, forced_notes)
    out.moved = moved
    committed = (tuple(inp.past_decisions) + tuple(moved)
                 + tuple(c for c in inp.forced_decisions if c.year >= from_year))

    # period budgets: less what the moved commitments used
    used: dict[str, float] = defaultdict(float)
    for c in moved:
        if c.instrument_id and c.subsidy_meur:
            used[c.instrument_id] += c.subsidy_meur
    instruments = dict(inp.instruments)
    for i, inst in inp.instruments.items():
        if inst.period_budget_meur is None or used.get(i, 0.0) <= 0:
            continue
        after = max(0.0, inst.period_budget_meur - used[i])
        out.reductions.append(Reduction(i, inst.period_budget_meur, used[i], after))
        note = _("period budget {before} M€ less {used} M€ committed in {years} by {plan}",
                 before=num(inst.period_budget_meur, ",.6g"), used=num(used[i], ",.6g"), years=years_text,
                 plan=plan.name)
        instruments[i] = replace(inst, period_budget_meur=after,
                                 source=f"{inst.source}; {note}" if inst.source else note)

    # the horizon: years before from_year leave the budgets, capacities, fences, milestones and cash limits
    def later(series):
        return {y: v for y, v in series.items() if y >= from_year}

    targets = {y: v for y, v in inp.targets.items() if y >= from_year}
    gone = sorted(y for y in inp.targets if y < from_year)
    if gone:
        out.dropped.append(_("milestones of {years}", years=", ".join(map(str, gone))))
    cash_limits = {}
    for lid, limit in inp.cash_limits.items():
        kept = later(limit.limits)
        if len(kept) < len(limit.limits):
            out.dropped.append(_("cash limits of {id} in {years}", id=lid,
                                 years=_span([t for t in limit.limits if t < from_year])))
        if kept:
            cash_limits[lid] = replace(limit, limits=kept)
    scenarios = tuple(r for r in inp.scenarios if not _names_year_before(r.column, from_year))
    uncertainty = tuple(r for r in inp.uncertainty if not _names_year_before(r.column, from_year))
    for kept, rows, what in ((scenarios, inp.scenarios, "scenarios"), (uncertainty, inp.uncertainty, "uncertainty")):
        if len(kept) < len(rows):
            out.dropped.append(ngettext("{n} row of sheet {sheet} that names a year before {year}",
                                        "{n} rows of sheet {sheet} that name a year before {year}",
                                        len(rows) - len(kept), sheet=what, year=from_year))

    sources = dict(inp.sources)
    sources[("settings", "start_year")] = _(
        "re-planned from {plan} from {year}: its commitments of {years} are decisions already taken (sheet "
        "committed)", plan=plan.name, year=from_year, years=years_text)
    new_settings = replace(settings, start_year=from_year)
    nxt = replace(inp, settings=new_settings, instruments=instruments, committed=committed, targets=targets,
                  budgets={i: later(b) for i, b in inp.budgets.items()},
                  resources={r: replace(res, capacity=later(res.capacity)) for r, res in inp.resources.items()},
                  fences={f: replace(fence, budget=later(fence.budget)) for f, fence in inp.fences.items()},
                  cash_limits=cash_limits, scenarios=scenarios, uncertainty=uncertainty, sources=sources)
    # the shortfall penalty: the plan's, where the next round's data would derive another (section 3)
    if settings.shortfall_penalty_eur_per_t is None and has_shortfall(inp):
        used_penalty = shortfall_penalty(inp)
        if derived_penalty(nxt) != used_penalty:
            out.penalty = used_penalty
            sources[("settings", "shortfall_penalty_eur_per_t")] = _(
                "the penalty {plan} used (derived from its data; leave blank to derive it again)", plan=plan.name)
            nxt = replace(nxt, settings=replace(new_settings, shortfall_penalty_eur_per_t=used_penalty),
                          sources=sources)
    out.input = _valid(nxt, plan)
    return out


def _moved(plan: PlanCommitments, decided: list[int], forced_notes: dict) -> list[Committed]:
    """The plan's commitments of the ``decided`` years as rows of sheet committed, in year, measure and
    instrument order; a split commitment as one row per instrument, its share divided by the subsidy."""
    inp = plan.input
    left = {m: meas.max_share for m, meas in inp.measures.items()}
    group_left: dict[str, float] = defaultdict(lambda: 1.0)
    for c in inp.past_decisions:
        left[c.measure_id] -= c.share
        g = inp.measures[c.measure_id].exclusive_group
        if g:
            group_left[g] -= c.share
    paid: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)  # (m, y) → instrument → M€
    for (m, i, y), v in plan.subsidies.items():
        if v > NOISE:
            paid[(m, y)][i] = v
    rows: list[Committed] = []
    for y in decided:
        for m in sorted((m for (m, t) in plan.shares if t == y), key=lambda k: (k.casefold(), k)):
            meas = inp.measures[m]
            share = plan.shares[(m, y)]
            if share <= NOISE:
                continue
            # solver noise and the stored rounding kept within what is left of the measure (and its group)
            if meas.lumpy and abs(share - meas.max_share) <= NOISE:
                share = meas.max_share
            room = min(left[m], group_left[meas.exclusive_group] if meas.exclusive_group else left[m])
            if room < share <= room + NOISE:
                share = max(0.0, room)
            left[m] -= share
            if meas.exclusive_group:
                group_left[meas.exclusive_group] -= share
            note = _("committed in {year} by {plan}", year=y, plan=plan.name)
            if forced_notes.get((m, y)):
                note = f"{note}: {forced_notes[(m, y)]}"
            money = paid.get((m, y), {})
            total = sum(money.values())
            if total <= NOISE:
                rows.append(Committed(m, y, share, "", None, note=note))
                continue
            for i in sorted(money, key=lambda k: (k.casefold(), k)):
                rows.append(Committed(m, y, share * money[i] / total, i, money[i], note=note))
    return rows


def _names_year_before(column: str, year: int) -> bool:
    text = str(column).strip()
    return text.isdigit() and int(text) < year


def _span(years: list[int]) -> str:
    ys = sorted(set(years))
    return str(ys[0]) if len(ys) == 1 else f"{ys[0]}–{ys[-1]}"


def _valid(nxt: PlanInput, plan: PlanCommitments) -> PlanInput:
    """The next round's input as its workbook will be read back: every rule of the contract checked, and the
    decisions already taken that no plan could keep (section 12) refused before anything is written."""
    try:
        read = to_input(to_tables(nxt))
        fixed = fixed_problems(read)
        if fixed:
            raise InputError(fixed)
    except InputError as exc:
        raise InputError([replace(p, message=_("the next round's input would not be valid: {problem}",
                                               problem=p.message), file=p.file or plan.path)
                          for p in exc.problems[:10]]) from None
    return read
