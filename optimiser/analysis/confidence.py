"""Planning to a confidence level (docs/model.md section 17): the cheapest plan that is p sure of the target.

Over N sampled futures: the plan of least expected public cost that meets every target in at least
K = ⌈p·N⌉ of them, with recourse (section 16). Without ``decide_by`` every commitment is made now (one plan
for all futures); with it, the commitments after that year adapt per future.

Method: one mixed-integer program, exact on the sample — the extensive form
(:class:`optimiser.analysis.extensive.Program`) with one binary z_f per future (future f is counted as meeting
the targets only if its shortfall is 0), σ^f_y ≤ M_{f,y} · (1 − z_f) with M_{f,y} = T_y − the abatement of
the decisions of the past in f (the most shortfall f can have), Σ_f z_f + v ≥ K, and the futures short of K,
v, weighted above any cost. One live HiGHS instance answers every level:

1. K = N first: the plan meeting every target in the most futures (K* = N − v), at least cost — the most
   that is attainable on the sample (``max_attainable`` = K*/N);
2. then each level from the highest down, only the row Σ z ≥ K changed, branch and bound starting from the
   previous level's plan (which meets at least as many futures, so it is a feasible start): the cost of a
   lower level is never above that of a higher one;
3. a level above K*/N is not attainable: its answer is the plan of step 1, with the reasons — the limits
   that hold the target back in the futures it misses (each missed future planned on its own: the limits
   with a shadow price where even its own plan falls short, else what keeps this plan's commitments from
   running there) and the uncertain inputs whose draws set the missed futures apart from the met ones.

Each plan is then judged in sample (every future evaluated with its commitments and recourse: what can run,
runs) and on M fresh futures drawn from seed + 1 (``validate``), its commitments fixed (with decide-by: those
made now; the later ones planned per future), on the local workers or a Dask cluster like a stress test: P
out of sample with its 95 % Wilson interval.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from ..input.data import InputError, PlanInput, Problem
from ..input.uncertainty import Future, dimensions, draw_futures
from ..lang import _, current, num
from ..model.families import family, reported
from ..model.fields import Record
from ..model.index import with_penalty
from ..model.results import TOL
from ..model.solve import solver_version
from .decide import check_size, future_inputs, mean_cost, mean_shortfall
from .extensive import Program, Size, future_result
from .futures import FutureResult, Payload, cash_bands, solve_futures, sure_abatement, wilson

#: Fresh futures each plan is judged on by default.
VALIDATE = 1000
#: Most reasons of each kind reported.
REASONS = 5


@dataclass
class LimitReason:
    """A limit that holds the target back in missed futures."""

    family: str  # a constraint family (resource, budget, …), or "lead_time"
    id: str
    year: int | None
    futures: int  # missed futures in which it holds the target back
    words: str  # the limit in words, in the run's language


@dataclass
class InputReason:
    """An uncertain input whose draws set the missed futures apart from the met ones."""

    name: str  # the dimension's label (a group or one row)
    rows: list[str]
    effect: float  # rank-biserial correlation of its quantile with missing (−1 … 1; > 0: high draws miss)
    mean_missed: float  # the mean drawn value (the dimension's first row) in the missed futures
    mean_met: float


@dataclass
class Reasons:
    missed: int  # in-sample futures the plan misses
    alone: int  # of those, futures that no plan could meet (planned on their own, still short)
    limits: list[LimitReason] = field(default_factory=list)
    inputs: list[InputReason] = field(default_factory=list)


@dataclass
class ConfidencePlan:
    """The answer at one confidence level (field names as the JSON of docs/model.md section 17)."""

    confidence: float
    need: int  # K = ⌈p·N⌉
    attainable: bool
    max_attainable: float  # share of the futures the best plan meets
    here_and_now: dict[str, dict[int, float]]  # measure → year → share committed now
    p_target_met: float  # in sample, evaluated with recourse
    p_target_met_ci: tuple[float, float]
    expected_public_cost_meur: float  # mean over the futures of what each pays (never the penalty)
    expected_shortfall_mt: dict[int, float]  # per target year, the mean shortfall
    results: list[FutureResult]
    split: dict[str, dict[str, float]] = field(default_factory=dict)  # measure → instrument → share of its subsidy
    program_cost_meur: float = 0.0  # the public cost as the program priced it (≥ the evaluated one)
    mip_gap: float = 0.0
    status: str = ""
    counted: int = 0  # futures the chance constraint counts
    p_target_met_validation: float | None = None
    p_target_met_validation_ci: tuple[float, float] | None = None
    validation_samples: int = 0
    validation_results: list[FutureResult] = field(default_factory=list)
    reasons: Reasons | None = None
    sure_abatement_mt: dict[float, dict[int, float]] = field(default_factory=dict)
    cash_bands_meur: dict[str, dict[int, tuple[float, ...]]] = field(default_factory=dict)
    seconds_solve: float = 0.0
    seconds_validate: float = 0.0

    @property
    def record(self) -> Record:
        """This level's figures, as the result-field registry declares them (views ``confidence``, ``curve``)."""
        return Record(self)

    def curve_point(self) -> dict:
        """This level as one point of the cost-of-confidence curve (the JSON's ``curve`` entries)."""
        return {"confidence": self.confidence, "attainable": self.attainable,
                "expected_public_cost_meur": self.expected_public_cost_meur, "p_target_met": self.p_target_met,
                "p_target_met_validation": self.p_target_met_validation}


@dataclass
class ConfidenceRun:
    """Planning to one confidence level, or a range of them (the cost-of-confidence curve)."""

    samples: int
    seed: int
    decide_by: int | None
    futures: list[Future]
    plans: list[ConfidencePlan]  # one per level, in ascending order
    max_attainable: float  # the share of the futures the best plan meets (K*/N)
    best: ConfidencePlan | None = None  # the plan meeting the most futures at least cost
    validation_samples: int = 0
    size: Size | None = None
    seconds_build: float = 0.0
    seconds_alone: float = 0.0  # each future planned on its own (on the workers)
    seconds: float = 0.0
    solver_name: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def curve(self) -> list[dict]:
        return [p.curve_point() for p in self.plans]

    @property
    def answer(self) -> ConfidencePlan:
        """The level answered first: the highest level asked that is attainable; where none is, the lowest level
        asked (its plan is the one meeting every target in the most futures, at least cost)."""
        ok = [p for p in self.plans if p.attainable]
        return ok[-1] if ok else self.plans[0]

    @property
    def all_attainable(self) -> bool:
        """Whether every level asked is attainable (else ``policymix futures`` exits with 3)."""
        return all(p.attainable for p in self.plans)

    @property
    def highest_attainable(self) -> float | None:
        """The highest level of the range that is attainable (None when none is)."""
        ok = [p.confidence for p in self.plans if p.attainable]
        return max(ok) if ok else None


#: Most levels one run may ask for.
MAX_LEVELS = 200


def levels(value) -> list[float]:
    """The levels asked for, ascending, each 0 < p ≤ 1: a share (0.8), a list of shares, or the command line's
    text ``p`` or ``p1:p2:step`` (p1 ≤ p2, step > 0, at most :data:`MAX_LEVELS` levels); bad input otherwise."""
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, (int, float)):
        value = [value]
    if not isinstance(value, str):
        try:
            out = [float(p) for p in value]
        except (TypeError, ValueError):
            out = []
        if not all(math.isfinite(p) for p in out):
            out = []
        if not out or any(isinstance(p, bool) or not (0 < p <= 1) for p in out):
            raise InputError(Problem(_("--confidence {text}: every level must be a share above 0 and at most 1",
                                       text=value)))
        if len(set(out)) > MAX_LEVELS:
            raise InputError(Problem(_("--confidence {text}: {n} levels; at most 200", text=value, n=len(set(out)))))
        return sorted(set(out))
    text = value
    if "," in text:  # a list of levels: 0.5,0.8,0.95
        return levels([x.strip() for x in text.split(",")]) if all(x.strip() for x in text.split(",")) else \
            levels("")
    parts = str(text).split(":")
    try:
        values = [float(x) for x in parts]
    except ValueError:
        values = []
    if len(parts) not in (1, 3) or len(values) != len(parts) or not all(math.isfinite(v) for v in values):
        raise InputError(Problem(_("--confidence {text}: expected a share p (0 < p ≤ 1) or a range p1:p2:step",
                                   text=text)))
    if len(values) == 1:
        out = values
    else:
        low, high, step = values
        if step <= 0 or high < low:
            raise InputError(Problem(_("--confidence {text}: expected p1 ≤ p2 and a step > 0", text=text)))
        count = int(math.floor((high - low) / step + 1e-9)) + 1
        if count > MAX_LEVELS:
            raise InputError(Problem(_("--confidence {text}: {n} levels; at most 200", text=text, n=count)))
        out = [round(low + k * step, 10) for k in range(count)]
    bad = [p for p in out if not (0 < p <= 1)]
    if bad:
        raise InputError(Problem(_("--confidence {text}: every level must be a share above 0 and at most 1",
                                   text=text)))
    return sorted(set(out))


def need(p: float, n: int) -> int:
    """K = ⌈p·N⌉ (p·N within 10⁻⁹ of a whole number counts as that number)."""
    return max(0, min(n, math.ceil(p * n - 1e-9)))


def plan_to_confidence(base: PlanInput, futures: list[Future], confidence, *, decide_by: int | None = None,
                       validate: int = VALIDATE, seed: int = 1, jobs: int = 1, scheduler: str | None = None,
                       time_limit_s: float | None = None, on_stage=None, on_progress=None) -> ConfidenceRun:
    """The plan of least expected public cost meeting every target in ⌈p·N⌉ of the N ``futures``, for each
    level p of ``confidence`` (a share, a list of shares, or text ``p`` / ``p1:p2:step``).

    ``validate``: fresh futures (drawn from ``seed`` + 1) each plan is judged on; 0: none. ``jobs`` /
    ``scheduler``: where the fresh futures are evaluated.
    """
    started = time.perf_counter()
    todo = levels(confidence)
    if not isinstance(validate, int) or validate < 0:
        raise InputError(Problem(_("--validate {m}: expected a whole number ≥ 0", m=validate)))
    base = with_penalty(base)
    st = base.settings
    if st.objective != "min-cost" or st.elastic or st.strict:
        raise InputError(Problem(_("--confidence minimises the expected public cost: it needs objective min-cost, "
                                   "not elastic or strict")))
    until = st.target_year if decide_by is None else int(decide_by)
    option = "--confidence" if decide_by is None else f"--confidence … --decide-by {decide_by}"
    if not (st.start_year <= until <= st.target_year):
        raise InputError(Problem(_("--decide-by {year}: expected a year from start_year {start} to target_year "
                                   "{target}", year=until, start=st.start_year, target=st.target_year)))
    n = len(futures)
    size = check_size(base, futures, until, option, chance=True)
    inputs = future_inputs(base, futures, option)
    limit = time_limit_s if time_limit_s is not None else st.time_limit_s
    if on_stage:
        on_stage(_("building the program over {n} futures", n=num(n, ",d")))
    t0 = time.perf_counter()
    program = Program(inputs, until, need=n)
    seconds_build = time.perf_counter() - t0
    run_ = ConfidenceRun(n, seed, decide_by, futures, [], 0.0, validation_samples=validate, size=program.size,
                         seconds_build=seconds_build, solver_name=solver_version())

    # 0. each future planned on its own (with recourse): one that even then misses a target is never counted
    if on_stage:
        on_stage(_("each future planned on its own"))
    t1 = time.perf_counter()
    payload = Payload(base, "alone", lang=current(), evaluator=alone)
    own, _stats = solve_futures(payload, futures, jobs=jobs, scheduler=scheduler, on_progress=on_progress)
    for f, r in enumerate(own):
        if not r.target_met:
            program.fix_counted(f, 0.0, 0.0)
    possible = sum(r.target_met for r in own)
    run_.seconds_alone = time.perf_counter() - t1

    # 1. the most futures any plan meets, at least cost: first all those that can be met on their own at once
    if on_stage:
        on_stage(_("the plan meeting the target in the most futures ({k} of {n} can be met on their own)",
                   k=possible, n=n))
    for f, r in enumerate(own):
        if r.target_met:
            program.fix_counted(f, 1.0, 1.0)
    best_x, best = _solve_level(program, possible, limit, None, must=False)
    for f, r in enumerate(own):
        if r.target_met:
            program.fix_counted(f, 0.0, 1.0)
    if best is None:  # they cannot all be met by one plan: branch and bound on which
        best_x, best = _solve_level(program, n, limit, None)
        most = program.met_in_program()
        if most < n:  # least cost at that count, without the weight on the futures short of it
            best_x, best = _solve_level(program, most, limit, best_x)
    most = best["counted"]
    run_.max_attainable = most / n if n else 0.0
    best_plan = _plan(program, futures, most / n if n else 0.0, most, most, best, run_.max_attainable)
    run_.best = best_plan
    if any(need(p, n) > most for p in todo):
        best_plan.reasons = reasons(program, futures, best_plan, base, own)

    # 2. each level, highest first, from the plan of the level above
    previous = best_x
    plans: dict[float, ConfidencePlan] = {}
    for p in sorted(todo, reverse=True):
        k = need(p, n)
        if k > most:
            plan = _plan(program, futures, p, k, most, best, run_.max_attainable, like=best_plan)
        else:
            if on_stage:
                on_stage(_("confidence {p}: meeting every target in at least {k} of {n} futures",
                           p=num(p, ".0%"), k=k, n=n))
            previous, solved = _solve_level(program, k, limit, previous)
            plan = _plan(program, futures, p, k, most, solved, run_.max_attainable)
        plans[p] = plan
    run_.plans = [plans[p] for p in sorted(plans)]

    # 3. out of sample
    if validate:
        fresh = draw_futures(base.uncertainty, validate, seed + 1)
        judged: dict[tuple, ConfidencePlan] = {}
        for plan in run_.plans:
            key = _key(plan.here_and_now)
            if key in judged:  # the same plan at another level: judged once
                other = judged[key]
                plan.p_target_met_validation = other.p_target_met_validation
                plan.p_target_met_validation_ci = other.p_target_met_validation_ci
                plan.validation_samples, plan.validation_results = other.validation_samples, other.validation_results
                continue
            if on_stage:
                on_stage(_("confidence {p}: judged on {m} fresh futures", p=num(plan.confidence, ".0%"),
                           m=num(validate, ",d")))
            _validate(base, plan, fresh, until, decide_by, jobs=jobs, scheduler=scheduler, on_progress=on_progress)
            judged[key] = plan
    run_.seconds = time.perf_counter() - started
    return run_


def _key(here_and_now: dict) -> tuple:
    return tuple(sorted((m, y, round(v, 9)) for m, ys in here_and_now.items() for y, v in ys.items()))


def _solve_level(program: Program, k: int, limit, start, must: bool = True) -> tuple[list[float] | None, dict | None]:
    """Solve with Σ z ≥ ``k``; (None, None) when infeasible and not ``must``."""
    program.set_need(k)
    t0 = time.perf_counter()
    program.highs.clearSolver()
    ok, status, gap = program.solve(limit, start=start)
    if ok and not must and program.x[program.short] > 0.5:
        ok = False
    if not ok and not must:
        return None, None
    if not ok:
        from ..model.optimum import SolverFailure
        from ..model.solve import Solution

        raise SolverFailure(Solution(False, status, _("the program over the futures was not solved ({status})",
                                                      status=status)))
    return list(program.x), {"status": status, "gap": gap, "seconds": time.perf_counter() - t0,
                             "x": list(program.x), "counted": program.met_in_program(),
                             "program_cost": program.program_cost()}


def _plan(program: Program, futures: list[Future], p: float, k: int, most: int, solved: dict,
          max_attainable: float, like: ConfidencePlan | None = None) -> ConfidencePlan:
    """The plan of the program's solution ``solved`` (or, unattainable, a copy of ``like``: the best plan)."""
    if like is not None:
        plan = ConfidencePlan(p, k, False, max_attainable, like.here_and_now, like.p_target_met, like.p_target_met_ci,
                              like.expected_public_cost_meur, like.expected_shortfall_mt, like.results,
                              like.split, like.program_cost_meur, like.mip_gap, like.status, like.counted,
                              reasons=like.reasons, sure_abatement_mt=like.sure_abatement_mt,
                              cash_bands_meur=like.cash_bands_meur, seconds_solve=like.seconds_solve)
        return plan
    program.x = solved["x"]
    results = program.results(futures, _("program over the futures"))
    n = len(results)
    met = sum(r.target_met for r in results)
    return ConfidencePlan(
        p, k, solved["counted"] >= k, max_attainable, program.here_and_now(), met / n if n else 0.0, wilson(met, n),
        mean_cost(results), mean_shortfall(results), results, _split(program), solved["program_cost"], solved["gap"],
        solved["status"], solved["counted"], sure_abatement_mt=sure_abatement(results),
        cash_bands_meur=cash_bands(results), seconds_solve=solved["seconds"])


# ---------------------------------------------------------------- out of sample

def _validate(base: PlanInput, plan: ConfidencePlan, fresh: list[Future], until: int, decide_by, *, jobs: int,
              scheduler, on_progress=None) -> None:
    """P(target met) of ``plan`` over the ``fresh`` futures, its commitments fixed, with recourse."""
    t0 = time.perf_counter()
    commitments = {(m, y): v for m, ys in plan.here_and_now.items() for y, v in ys.items()}
    if decide_by is None:
        split = tuple((m, tuple(parts.items())) for m, parts in sorted(plan.split.items()))
        payload = Payload(base, "stress_test", tuple(sorted(commitments.items())), split, lang=current())
    else:
        payload = Payload(base, "adapt", tuple(sorted(commitments.items())), lang=current(), until=until,
                          evaluator=adapt)
    results, _stats = solve_futures(payload, fresh, jobs=jobs, scheduler=scheduler, on_progress=on_progress)
    n = len(results)
    met = sum(r.target_met for r in results)
    plan.validation_samples = n
    plan.validation_results = results
    plan.p_target_met_validation = met / n if n else None
    plan.p_target_met_validation_ci = wilson(met, n)
    plan.seconds_validate = time.perf_counter() - t0


def _split(program: Program) -> dict[str, dict[str, float]]:
    """Each measure's instruments as the program pays them: their shares of its subsidy summed over the sample
    futures (the program may pay a measure through other instruments in different futures; the mix over all
    of them is kept when the plan is judged on fresh futures)."""
    from collections import defaultdict

    money: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for f in range(program.n):
        for (m, i, _t), v in program.values(f)[1].items():
            if v > TOL:
                money[m][i] += v
    return {m: {i: v / sum(parts.values()) for i, v in sorted(parts.items())} for m, parts in sorted(money.items())}


def alone(state, inp: PlanInput, number: int) -> FutureResult:
    """One future planned on its own with recourse (least public cost plus the shortfall penalty): whether any
    plan can meet its targets."""
    program = Program([inp], inp.settings.target_year)
    ok, status, _gap = program.solve()
    if not ok:
        return FutureResult(number, "failed", message=_("not solved ({status})", status=status),
                            solver_note=_("planned on its own"))
    new, subsidy, shortfall = program.values(0)
    result = future_result(number, inp, new, subsidy, _("planned on its own"))
    if sum(shortfall.values()) > 1e-6:
        result.binding = tuple((fam, str(ident), year, text) for (fam, ident, year), text in _binding(program, inp).items())
    return result


def adapt(state, inp: PlanInput, number: int) -> FutureResult:
    """One fresh future for a decide-by plan: its commitments made now fixed, the later ones planned for this
    future (least public cost plus the shortfall penalty, with recourse), then evaluated."""
    until = state.payload.until
    fixed = {("d", k): v for k, v in state.commitments.items() if k[1] <= until}
    program = Program([inp], until)
    ok, status, _gap = program.solve_fixed(fixed)
    if not ok:
        return FutureResult(number, "failed", message=_("not solved ({status})", status=status),
                            solver_note=_("later commitments planned for this future"))
    new, subsidy, _shortfall = program.values(0)
    return future_result(number, inp, new, subsidy, _("later commitments planned for this future"))


# ---------------------------------------------------------------- why a level is not attainable

def reasons(program: Program, futures: list[Future], plan: ConfidencePlan, base: PlanInput,
            own: list[FutureResult]) -> Reasons:
    """What holds the target back in the futures ``plan`` misses (in sample).

    Limits: each missed future planned on its own (with recourse, every commitment free): where even then it
    falls short, the limits with a positive shadow price in that plan (budgets, resources, cash limits,
    deployable shares, …) — no plan could meet it; where its own plan meets it, what keeps this plan from doing
    so there: the stock resources full in the target year while some of the plan's commitments stand idle,
    and the commitments built after the target year (a longer lead time). Inputs: per dimension of the draws,
    the rank-biserial correlation of its quantile with missing (Mann–Whitney U), largest first. ``own``: each
    future planned on its own (:func:`alone`).
    """
    from collections import Counter

    missed = [f for f, r in enumerate(plan.results) if not r.target_met]
    out = Reasons(missed=len(missed), alone=0)
    if not missed:
        return out
    counts: Counter = Counter()
    words: dict[tuple, str] = {}
    for f in missed:
        inp = program.inputs[f]
        if own[f].ok and not own[f].target_met:
            out.alone += 1
            for fam, ident, year, text in own[f].binding:
                counts[(fam, ident, year)] += 1
                words[(fam, ident, year)] = text
        else:
            new, subsidy, _s = program.values(f)
            for key, text in _holding(inp, new).items():
                counts[key] += 1
                words[key] = text
    kind = {f.name: f.kind != "policy" for f in reported()}  # policy limits before limits of single measures
    order = {f.name: n for n, f in enumerate(reported())}
    ranked = sorted(counts.items(), key=lambda kv: (kind.get(kv[0][0], True), -kv[1],
                                                   order.get(kv[0][0], len(order)), str(kv[0])))
    out.limits = [LimitReason(k[0], str(k[1]), k[2], c, words[k]) for k, c in ranked[:REASONS]]
    out.inputs = _inputs(base, futures, plan)
    return out


def _binding(program: Program, inp: PlanInput) -> dict[tuple, str]:
    """The limits with a positive shadow price in a one-future program (policy and measure limits)."""
    duals = program.row_duals()
    names = {f.name for f in reported() if f.name != "target"}
    out = {}
    for (fam, key), value in duals.items():
        if fam in names and abs(value) > 1e-7:
            f = family(fam)
            ident, year = f.split(key)
            out[(fam, ident, year)] = f.in_words(inp, key)
    return out


def _holding(inp: PlanInput, new: dict) -> dict[tuple, str]:
    """What keeps a plan's commitments from running in the target year of one future."""
    from ..model.committed import built_by, connect
    from .recourse import capacity_left, stock_resources

    T = inp.settings.target_year
    new = {k: v for k, v in new.items() if v > TOL}
    out = {}
    for (m, t), v in new.items():
        if t + inp.measures[m].lead_time_years > T:
            out[("lead_time", m, t)] = _("{measure} committed in {year} runs only from {ready}, after {target}",
                                         measure=inp.measures[m].name or m, year=t,
                                         ready=t + inp.measures[m].lead_time_years, target=T)
    built = {k: v for k, v in built_by(inp, new).items() if k[1] == T}
    left = capacity_left(inp)
    run = connect(inp, built, stock_resources(inp), capacity=left)
    idle = {m for (m, _y), v in built.items() if v - run[(m, T)] > 1e-6}
    res = family("resource")
    for (m, r), a in inp.usage.items():
        if m in idle and a > 0 and inp.resources[r].kind == "stock":
            use = sum(b * run.get((m2, T), 0.0) for (m2, r2), b in inp.usage.items() if r2 == r)
            if use >= left[(r, T)] - 1e-6 * max(1.0, abs(left[(r, T)])):
                out[("resource", r, T)] = res.in_words(inp, (r, T))
    return out


def _inputs(base: PlanInput, futures: list[Future], plan: ConfidencePlan) -> list[InputReason]:
    import numpy as np
    from scipy.stats import mannwhitneyu

    dims = dimensions(base.uncertainty)
    miss = np.array([not r.target_met for r in plan.results])
    if not dims or miss.all() or not miss.any():
        return []
    U = np.array([f.u for f in futures])
    V = np.array([f.values for f in futures])
    out = []
    for k, d in enumerate(dims):
        a, b = U[miss, k], U[~miss, k]
        if np.ptp(U[:, k]) == 0:
            continue
        stat = mannwhitneyu(a, b, alternative="two-sided").statistic
        effect = float(2 * stat / (len(a) * len(b)) - 1)
        row = d.rows[0]
        out.append(InputReason(d.label(base.uncertainty), [base.uncertainty[j].name for j in d.rows], effect,
                               float(V[miss, row].mean()), float(V[~miss, row].mean())))
    out.sort(key=lambda r: -abs(r.effect))
    return [r for r in out if abs(r.effect) > 0.1][:REASONS]
