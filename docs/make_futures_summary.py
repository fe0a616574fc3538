"""Regenerate docs/futures.md from fresh runs of the shipped workbooks: the default and the advice's (ser-2023).

    python docs/make_futures_summary.py            # writes docs/futures.md
    python docs/make_futures_summary.py --check    # exit 1 when the page is out of date

Every number on the page comes from the runs below (the same seed gives the same futures and, whatever the
number of workers, the same numbers), so the page stays true when the data or the model change.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # the package; generated.py beside this script

from optimiser.analysis import futures as F  # noqa: E402
from optimiser.analysis.decide import decide  # noqa: E402
from optimiser.pipeline import load, run  # noqa: E402
from generated import publish  # noqa: E402

PAGE = HERE / "futures.md"
SAMPLES, SEED, DECIDE_SAMPLES, DECIDE_BY = 200, 1, 100, 2025
#: Planning to a confidence level: futures, and the levels asked of each workbook (the runs of the page).
CONFIDENCE_SAMPLES, ON_TIME_SAMPLES = 100, 40
LEVELS = {"default": "0.1:0.5:0.1", "ser-2023": "0.05:0.25:0.05", "on time": "0.5:0.9:0.1"}
DELAY_YEARS, TOP_DELAYS = (1, 2), 5


def pct(v: float) -> str:
    return f"{100 * v:.1f} %"


def interval(run) -> str:
    lo, hi = run.p_target_met_ci
    return f"{pct(run.p_target_met)} (95 % interval {pct(lo)}–{pct(hi)})"


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def numbers() -> str:
    from dataclasses import replace

    _, base, _ = load("ser-2023")
    T = base.settings.target_year
    ws = F.run(base, samples=SAMPLES, seed=SEED, jobs=2)
    commitments, split, _ = F.plan_commitments(base)
    st = F.run(base, mode="stress_test", samples=SAMPLES, seed=SEED, jobs=2, commitments=commitments,
               split=split)
    on_time = F.run(replace(base, uncertainty=tuple(r for r in base.uncertainty if r.op != "shift")),
                    samples=SAMPLES, seed=SEED, jobs=2)
    futures = F.draw(base, DECIDE_SAMPLES, SEED)
    d = decide(base, futures, DECIDE_BY)
    dec = F.FuturesRun(mode="decide_by", samples=DECIDE_SAMPLES, seed=SEED, base=base, futures=futures,
                       results=d.results, dims=F.dimensions(base.uncertainty), decision=d)
    F.summarise(dec)
    past = base.past_decisions
    past_mt = sum(base.measures[c.measure_id].abatement_mt * c.share for c in past)
    past_names = ", ".join(sorted({c.measure_id for c in past}))
    past_idle = mean(r.idle_mt for r in ws.results)
    hindsight = (f"by {T} they can connect in every future" if past_idle < 0.005 else
                 f"planned with hindsight, {past_idle:.2f} Mt/yr of them is still idle in {T} on average")
    lines = [
        f"The advice's workbook has {len(base.uncertainty)} uncertain inputs in {len(ws.dims)} dimensions "
        f"(inputs/SOURCES.md, section 11). With `--samples {SAMPLES} --seed {SEED}` (decide-by: "
        f"`--samples {DECIDE_SAMPLES}`):",
        "",
        "| question | P(target met) | median public cost | 90th percentile | robust core |",
        "|---|---|---|---|---|",
    ]
    for label, run in (("wait and see (each future planned on its own)", ws),
                       ("stress test of its plan (the commitments fixed)", st),
                       (f"decide by {DECIDE_BY}, adapt later ({DECIDE_SAMPLES} futures)", dec)):
        lines.append(f"| {label} | {interval(run)} | {run.cost_quantile(0.5):,.0f} M€ | "
                     f"{run.cost_quantile(0.9):,.0f} M€ | {len(run.robust_core())} measures |")
    lines += [
        "",
        f"Its plan, made for the workbook's own case, meets every target in {pct(st.p_target_met)} of "
        f"the futures; planned for each future with hindsight, {pct(ws.p_target_met)} could. What breaks the "
        f"target is the delay of the grid reinforcements and CO2 stores: with only the costs, the CO2 price and the "
        f"build slips uncertain (the `shift` rows left out), wait and see meets it in {interval(on_time)}.",
        "",
        f"The decisions taken before {base.settings.start_year} ({past_names}; {past_mt:.2f} Mt/yr once running) "
        f"count in every future as far as that future's grid and storage let them connect; {hindsight}. With "
        f"the plan fixed, on average {mean(r.idle_mt for r in st.results):.2f} Mt/yr of its {T} abatement, these "
        f"decisions included, is built but idle for want of grid, hydrogen or storage.",
        "",
        "What moves the shortfall most (wait and see, Spearman's ρ with the shortfall; first-order variance "
        "share by RBD-FAST):",
        "",
        "| uncertain input | ρ | variance share |",
        "|---|---|---|",
    ]
    for drv in ws.drivers[:6]:
        rho = "" if drv.rho_shortfall is None else f"{drv.rho_shortfall:+.2f}"
        s1 = "" if drv.s1_shortfall is None else f"{drv.s1_shortfall:.2f}"
        lines.append(f"| {drv.label} | {rho} | {s1} |")
    now = [f"{m} ({', '.join(f'{v:.0%} in {y}' for y, v in ys.items())})" for m, ys in d.here_and_now.items()]
    vss = "unbounded" if d.vss_meur is None else f"{d.vss_meur:,.0f} M€"
    eev = "unbounded" if d.eev_meur is None else f"{d.eev_meur:,.0f} M€"
    lines += [
        "",
        f"Decide by {DECIDE_BY} ({DECIDE_SAMPLES} futures, one stochastic program of "
        f"{d.size.columns:,} columns and {d.size.rows:,} rows): commit now {', '.join(now) or 'nothing'}. Expected "
        f"public cost {d.expected_public_cost_meur:,.0f} M€, expected shortfall "
        f"{', '.join(f'{v:.2f} Mt/yr in {y}' for y, v in d.expected_shortfall_mt.items())} (means over the futures). "
        f"The program minimises public cost plus a shortfall penalty of {base_penalty(base):,.0f} € per t/yr "
        f"({d.expected_cost_meur:,.0f} M€ in expectation, not a cost); committing now what the plan for the average "
        f"future commits would raise that to {eev}: the value of the stochastic solution is {vss}. What is "
        f"committed now but cannot connect in a future stands idle there, so the commitments made now need not fit "
        f"every future's grid and storage.",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- planning to a confidence level, delays

def confidence_run(workbook: str, levels: str, samples: int, **options):
    """``policymix futures WORKBOOK --confidence LEVELS --samples N`` as the command runs it."""
    return run("futures", workbook=workbook, samples=samples, seed=SEED, confidence=levels, jobs=2,
               write_workbook=False, **options).result


def curve_table(c) -> list[str]:
    """One row per level asked: attainable, expected public cost and shortfall, P in sample and out of sample."""
    T = sorted(c.answer.expected_shortfall_mt)[-1] if c.answer.expected_shortfall_mt else None
    lines = [f"| confidence | attainable | expected public cost | expected shortfall {T} | P in its {c.samples} "
             f"futures | P in {c.validation_samples:,} fresh futures (95 % interval) |",
             "|---|---|---|---|---|---|"]
    for p in c.plans:
        lo, hi = p.p_target_met_validation_ci or (0.0, 0.0)
        short = p.expected_shortfall_mt.get(T, 0.0) if T is not None else 0.0
        lines.append(f"| {pct0(p.confidence)} | {'yes' if p.attainable else 'no'} | "
                     f"{p.expected_public_cost_meur:,.0f} M€ | {short:.2f} Mt/yr | {pct(p.p_target_met)} | "
                     f"{pct(p.p_target_met_validation)} ({pct(lo)}–{pct(hi)}) |")
    return lines


def pct0(v: float) -> str:
    return f"{100 * v:g} %"


def why(c) -> str:
    """What limits the most attainable level: the limits and the uncertain inputs, in words."""
    reasons = c.best.reasons or c.answer.reasons
    if reasons is None or not reasons.missed:
        return ""
    limits = "; ".join(f"{r.words} ({r.futures} futures)" for r in reasons.limits[:3])
    text = (f"Of the {reasons.missed} futures its plan misses, {reasons.alone} cannot be met by any plan (planned "
            f"on its own, each still falls short); the limits that hold the target back there: {limits}.")
    if reasons.inputs:
        text += " The uncertain inputs that set the missed futures apart: " + "; ".join(
            f"{r.name} (drawn {r.mean_missed:.2f} on average where missed, {r.mean_met:.2f} where met)"
            for r in reasons.inputs[:3]) + "."
    return text


def confidence_numbers(workbook: str, label: str) -> str:
    from dataclasses import replace

    c = confidence_run(workbook, LEVELS[workbook], CONFIDENCE_SAMPLES).confidence
    n = c.samples
    most = round(c.max_attainable * n)
    asked = f"`policymix futures {workbook if workbook != 'default' else ''} --samples {n} --confidence " \
            f"{LEVELS[workbook]}`".replace("futures  ", "futures ")
    lines = [f"{label}, {asked} (each plan judged on {c.validation_samples:,} fresh futures, seed + 1):", ""]
    lines += curve_table(c)
    lines.append("")
    b = next((p for p in reversed(c.plans) if p.counted == most), c.best)  # judged on fresh futures where asked
    if most == 0:
        lines.append(f"No level is attainable: not one of the {n} futures can meet every target, even planned on its "
                     f"own. The least-cost answer then commits nothing beyond the decisions already taken; the "
                     f"expected shortfall is {sum(b.expected_shortfall_mt.values()):.2f} Mt/yr. {why(c)}")
    else:
        lines.append(f"At most {pct(c.max_attainable)} of the {n} futures ({most}) can be met by one plan: it costs "
                     f"{b.expected_public_cost_meur:,.0f} M€ in expectation (the program priced it at "
                     f"{b.program_cost_meur:,.0f} M€ before crediting the releases of idle operating tonnes), leaves "
                     f"{sum(b.expected_shortfall_mt.values()):.2f} Mt/yr short on average"
                     + (f" and meets every target in {pct(b.p_target_met_validation)} of the fresh futures"
                        if b.p_target_met_validation is not None else "") + f". {why(c)}")
    if workbook == "ser-2023":
        _, base, _ = load(workbook)
        on_time = replace(base, uncertainty=tuple(r for r in base.uncertainty if r.op != "shift"))
        from optimiser.analysis.confidence import plan_to_confidence

        futures = F.draw(on_time, ON_TIME_SAMPLES, SEED)
        t = plan_to_confidence(on_time, futures, LEVELS["on time"], seed=SEED, jobs=2)
        costs = sorted({round(p.expected_public_cost_meur) for p in t.plans if p.attainable})
        lines += ["", f"The same question with the grids and CO2 stores on time (the uncertainty sheet's `shift` rows "
                      f"left out; {ON_TIME_SAMPLES} futures, `--confidence {LEVELS['on time']}`):", ""]
        lines += curve_table(t)
        lines += ["", f"One plan can meet every target in {pct(t.max_attainable)} of these futures; "
                      + (f"the cost does not rise between the levels attainable ({costs[0]:,} M€): meeting the target "
                         f"in any of them takes the same commitments. " if len(costs) == 1 else
                         f"the cost rises from {costs[0]:,} to {costs[-1]:,} M€ over the levels attainable. ")
                      + why(t)]
    return "\n".join(lines)


def delay_numbers(workbook: str, label: str) -> str:
    register = run("delays", workbook=workbook, years=DELAY_YEARS, write_workbook=False).result
    T = register.base.settings.target_year
    top = sorted(register.delays, key=lambda d: (-d.abatement_lost_mt, -(d.extra_shortfall_mt or 0.0),
                                                 -(d.extra_public_cost_meur or 0.0), d.item, d.years))[:TOP_DELAYS]
    lines = [f"{label} (`policymix delays {workbook if workbook != 'default' else ''} --years "
             f"{','.join(map(str, DELAY_YEARS))}`, {len(register.delays)} re-plans): the "
             f"plan fixed abates {register.plan_abatement_mt:.2f} Mt/yr in {T}; re-planned without delay it costs "
             f"{register.plan_cost_meur:,.0f} M€ and leaves {register.plan_shortfall_mt:.2f} Mt/yr short. The delays "
             f"that cost most:".replace("delays  --", "delays --"), "",
             f"| item | years late | abatement lost {T}, plan fixed | re-planned: public cost | re-planned: shortfall |",
             "|---|---|---|---|---|"]
    for d in top:
        lines.append(f"| {d.name or d.item} (`{d.item}`) | {d.years} | {d.abatement_lost_mt:.2f} Mt/yr | "
                     f"{d.extra_public_cost_meur:+,.0f} M€ | {d.extra_shortfall_mt:+.2f} Mt/yr |")
    lines += ["", "A negative extra public cost is money the re-plan no longer spends because the delay leaves less that "
                  "can be bought in time; the shortfall column says what that costs in tonnes."]
    return "\n".join(lines)


def stress_line(workbook: str) -> str:
    from optimiser.report.answers import stress_sentence

    return stress_sentence(run("plan", workbook=workbook, write_workbook=False).result) or ""


def base_penalty(base) -> float:
    from optimiser.model.index import shortfall_penalty, with_penalty

    return shortfall_penalty(with_penalty(base))


#: Planning to a confidence level, measured by bench/bench_futures.py (see the page's Speed section).
SPEED = """Planning to a confidence level, measured with `python bench/bench_futures.py --repeat 0 --cold 0
--confidence 100,400 --level P --validate 1000` on a shared 2-core machine (load 3.1–3.6 from other work, so
wall times are noisy), each plan judged on 1 000 fresh futures; "end to end" is the command as a user runs
it, the workbook and the JSON written:

| workbook, level | futures | the program | end to end | each future on its own | program | validation |
|---|---|---|---|---|---|---|
| default, p = 0.5 | 100 | 3,015 columns, 9,604 rows, 104 binaries | 6.9 s | 2.4 s | 0.0 s | 2.0 s |
| default, p = 0.5 | 400 | 11,123 columns, 37,998 rows, 404 binaries | 17.1 s | 8.4 s | 0.2 s | 2.9 s |
| ser-2023, p = 0.05 | 100 | 3,431 columns, 15,651 rows, 107 binaries | 20.3 s | 3.4 s | 0.6 s | 8.6 s |
| ser-2023, p = 0.05 | 400 | 11,699 columns, 61,857 rows, 407 binaries | 42.0 s | 18.0 s | 9.4 s | 7.5 s |

What scales: each future adds one block — on the default about 27 columns, 95 rows and 380 nonzeros for
the confidence program (every commitment shared: a future adds its o' variables, its shortfall and its z)
— and rows over shared columns that are the same in every future are written once. The program is one
MIP solved in one process: HiGHS's branch and bound does not run on the workers. What the workers do:
each future planned on its own (step 0) and the fresh futures of the validation, which are independent
and scale with the cores. A decomposition of the MIP itself over Dask workers (scenario decomposition,
progressive hedging) is not implemented: step 0 fixes the binaries of every future no plan can meet —
all of them on the default, 95 of 100 on ser-2023 — so the time goes to building, to the per-future
solves and to the validation, all of which already use the workers. A level below the most attainable
has binaries to choose and costs more: ser-2023 at 1–5 % in steps of 1 % over 100 futures took 46 s
(load 1.6).

The delay register of the default (`policymix delays --years 1,2`: 12 re-plans, warm re-solves on one
kept HiGHS instance) takes 1.2 s end to end. The default plan with its headline over 30 futures
(`policymix plan`, `bench/bench_plan.py`'s end-to-end figure, measured side by side): median 1.35 s
against 0.79 s with `--futures 0` (load 1.8), 1.57 s against 0.83 s at load 3.2 — most of the difference is
importing scipy.stats for the Latin hypercube; the 30 futures themselves take 0.11 s."""


def page() -> str:
    parts = {
        "{numbers}": numbers(),
        "{default_confidence}": confidence_numbers("default", "The default"),
        "{ser_confidence}": confidence_numbers("ser-2023", "The advice's workbook"),
        "{default_delays}": delay_numbers("default", "The default"),
        "{ser_delays}": delay_numbers("ser-2023", "The advice's workbook"),
        "{default_stress}": stress_line("default"),
        "{ser_stress}": stress_line("ser-2023"),
        "{speed}": SPEED,
    }
    text = TEMPLATE
    for key, value in parts.items():
        text = text.replace(key, value)
    return text


TEMPLATE = """# Futures: how likely is the target, what it costs to be sure, what each delay costs

<!-- generated by docs/make_futures_summary.py: edit the script, not this page -->

`policymix futures` asks the plan question over many futures drawn from the
workbook's `uncertainty` sheet (contract sections 14, 16 and 17; the choices
behind it in [model.md](model.md), section 5c):

```
policymix futures --samples 1000 --seed 1                 # wait and see
policymix plan -o plan.xlsx && policymix futures --plan plan.xlsx --samples 1000
policymix futures --decide-by 2025 --samples 100          # decide now, adapt later
policymix futures --samples 100 --confidence 0.8          # the cheapest plan that is 80 % sure
policymix futures --samples 100 --confidence 0.5:0.9:0.1  # the cost-of-confidence curve
policymix delays --years 1,2                              # what each delay costs
policymix futures --samples 10000 --scheduler tls://scheduler:8786 \\
    --tls-ca-file ca.pem --tls-cert cert.pem --tls-key key.pem   # on a Dask cluster
```

Every futures run says how likely every target is, the expected public cost
and shortfall (means over the futures: the shortfall penalty steers the
programs and is never reported as a cost), the abatement reached in at least
50, 80 and 95 % of the futures per target year, and the cash each instrument
pays per year in a good, a middling and a bad year for the treasury (the
10th, 50th and 90th percentile over the futures) — on the terminal, in the
futures workbook (sheets Summary, Sure abatement, Cash bands) and in the JSON
(`sure_abatement_mt`, `cash_bands_meur`). From Python:
`optimiser.futures(samples=100, confidence=0.8)` and `optimiser.delays()`.

## The uncertainty sheet

One row per uncertain input, written like an override: `sheet`, `id`,
`column` (wildcards allowed), `op` (`scale`, `add`, `set`, or `shift`: a year
series moved k whole years later), a `distribution` (`uniform` low–high,
`triangular` low–mode–high, `normal` mean and sd, truncated to low/high where
given, `choice` of `values` with `weights`) and an optional `group`: rows of
one group take the same quantile of their own distributions, so they move
together (all electrolysis costs, all grid reinforcements). `policymix check`
names every problem by sheet, row and column.

## The questions

The futures are drawn by Latin hypercube sampling, one dimension per group or
ungrouped row, from `--seed`: each dimension's N draws fall one in each of N
equal strata, which spreads them better than plain random draws. The same seed
gives the same futures, and the same numbers, on one worker or many.

- **Wait and see** plans each future on its own: what the least-cost plan
  would do knowing that future. It bounds what adapting can achieve.
- **Stress test** (`--plan`) fixes a plan's commitments: from start_year on
  they are forced decisions of every future, and the plan's decisions of the
  past (its sheet `committed`) stay. In each future they operate after that
  future's lead times; what is built but cannot connect to that future's grid,
  hydrogen or CO2 storage stands idle and does not abate; the public cost is
  the plan's own commitments at that future's unprofitable gaps, less what an
  operating instrument (SDE++) does not pay for idle tonnes (the past
  decisions' money is sunk).
- **Decide now, adapt later** (`--decide-by YEAR`) solves one stochastic
  program: commitments up to YEAR are the same in every future, later ones are
  chosen per future, and the mean of public cost plus the shortfall penalty is
  minimised. A commitment made now that a future cannot connect stands idle
  there (recourse), so what is committed now need not fit every future. It
  reports the expected public cost and shortfall, and what committing now
  what the plan for the average future commits would give instead, in the same
  terms; the value of the stochastic solution (VSS) is that difference in the
  program's own objective, which weighs each t/yr of shortfall at the penalty.
- **Planning to a confidence level** (`--confidence P`, with or without
  `--decide-by`): the plan of least expected public cost that meets every
  target in at least ⌈P·N⌉ of the N futures; where no plan can, the plan
  meeting every target in the most futures, at least cost, with the reasons
  and exit code 3. A range `P1:P2:STEP` (or a list `P1,P2,…`) gives the
  cost-of-confidence curve and the highest level attainable; the level
  answered first is the highest attainable one asked (where none is, the
  lowest). Each plan is judged on `--validate M` fresh futures (default 1 000,
  drawn from seed + 1; 0: none): P(target met) out of sample with its 95 %
  Wilson interval, so a plan tuned to its sample is seen. The futures
  workbook gains a sheet Confidence: the answer, what to commit, why a level
  is out of reach, the curve with a chart (expected public cost against the
  confidence, the attainable maximum marked).
- **What each delay costs** (`policymix delays [--plan PLAN] [--years 1,2]`):
  for every stock resource whose capacity rises within the horizon and every
  lumpy measure, the abatement the plan loses in the target year with its
  commitments fixed (without `--plan`, the plan of the workbook), and,
  re-planned, the extra public cost and the shortfall left.
- **A plan's own headline**: when the workbook has an `uncertainty` sheet,
  `policymix plan` adds one line — how often the plan meets every target over
  30 futures drawn with seed 1 (a stress test in the planning process; the
  numbers of `policymix futures --plan` with `--samples 30 --seed 1`) and its
  abatement reached in at least 80 % of them. `--futures N` sets how many,
  `--futures 0` leaves it out.

Decisions already taken (sheet `committed`) are in every future. Where a
future's grid or CO2 store comes too late for a project already built, that
project abates only as far as the capacity there lets it connect — before
anything new is connected (first come, first served); [model.md](model.md),
section 5c.

P(target met) is the share of futures meeting every target, with a 95 %
Wilson interval. The futures workbook states it in sentences with the
expected public cost and shortfall, the p-sure abatement, the cash bands and
the robust core (measures funded in at least 90 % of the futures), then gives
every future's draws (rounded to their meaning; rows of a group drawn alike
share a column) and results, a histogram of the target-year abatement against
the target, the probability of meeting the target against the public cost,
each measure's share of futures, the drivers of the shortfall (Spearman's ρ
and a variance share by RBD-FAST) and the effective inputs, uncertainty sheet
included: the workbook repeats the run. 1 000 futures of the default print on
at most 60 A4 pages (tests/test_futures_print.py).

## What it costs to be sure of the target

A budget team asks what it costs to be p sure of the target, and, where no
money buys that, the most that can be made sure and what limits it. The runs
below answer that for both shipped workbooks; the method is at the end of
this page.

{default_confidence}

{ser_confidence}

The check on fresh futures is the honest figure: a plan chosen to meet the
target in a given share of its own futures meets it, on futures it was not
chosen on, somewhat less often — the in-sample share is exact on the sample,
not in the population.

## What each delay costs

{default_delays}

{ser_delays}

## A plan's own headline

The default (`policymix plan`): {default_stress}

The advice's workbook (`policymix plan ser-2023`): {ser_stress}

## The advice's workbook (ser-2023)

These runs use `inputs/ser-2023.xlsx` (`policymix futures ser-2023 …`): the SER advice's question, planned
from 2024 with the decide-by year 2025 inside its horizon. The default workbook of December 2026 plans from
2027 and misses the target already in its own case (docs/default-plan.md); `policymix futures` runs on it
the same way.

{numbers}

## The method of recourse, confidence and delays, and its limits

Code: `optimiser/analysis/recourse.py` (recourse), `extensive.py` (the program over N futures),
`decide.py` (decide now, adapt later), `confidence.py` (planning to a confidence level), `delays.py`
(the delay register); summaries of every futures run in `futures.py`.

### Recourse: what a plan does in a future where not all of it can run

In a future, what is committed but cannot run — its grid reinforcement, hydrogen supply or CO2 store
late or too small, its lead time longer — stands idle there:

    0 ≤ o'_{m,y} ≤ o_{m,y} = Σ_{t ≤ y − L_m} d_{m,t}
    Σ_m a_{m,r} · o'_{m,y} ≤ Cap_{r,y} − past use_{r,y}      every stock resource r, target year y
    Σ_m A_m · o'_{m,y} + σ_y ≥ T_y − past abatement_y        every target year y

Abatement counts only in target years, so a stock resource binds only there: in an earlier year a
commitment that cannot connect yet waits (it stands idle that year and runs when it can). Flow
resources (installation labour) limit what is committed, as in a plan. The decisions of the past
(sheet `committed`) connect first.

**What it pays.** An instrument with a cash profile pays the commitment, idle or not. An `operating`
instrument (paid per tonne while the measure runs, like SDE++) pays only for the share of a commitment
running in the target year: the share idle then is released (never paid); the share running then is paid
its whole support period — a plant that connects late starts its support late.

**Two computations, one rule.**

- *A plan fixed* (the stress test, a plan judged on fresh futures, the in-sample evaluation of every
  program below, the delay register): what runs is the most that can — per target year,
  max Σ A_m · o'_m within the capacities left (`committed.connect`, an LP). A plant that can run, runs.
  Cost and cash follow from it. This is exact.
- *Inside a program that still chooses the commitments*: o' is a variable, but only for a measure
  that uses a stock resource which can be short in that future (its capacity there is less than what
  every measure using it could use together); elsewhere o' = o. Here the program prices the release
  of an operating instrument only where it is certain from the data: a commitment whose lead time runs
  past the target year in that future, or a measure whose stock resource has no capacity left then.
  A release that depends on the plan (a share idle because other measures take the grid) would make
  the cost concave in the commitments, and a linear program would then idle paid plants on purpose to
  save their subsidy — in the futures the chance constraint does not count it would idle everything it
  could. So the program prices such a share as paid; the evaluation credits its release afterwards.
  **Limit:** the expected public cost reported (evaluated) can be below what the program minimised
  (`program_cost_meur`); the program may therefore miss a slightly cheaper plan that leans on such
  releases. With grants only, or where no commitment is partly idle, the two are equal.

**Which instrument.** A commitment made now is made through its instruments now: its subsidy in
future f is s^f_{m,i,t} = Gap^f_{m,t} · q_{m,i,t}, where q_{m,i,t} ≥ 0 — the share of m committed in t
through instrument i, Σ_i q_{m,i,t} = d_{m,t} — is one column for every future, re-priced at that future's
gap in its budget, cap, cash and cost rows. A commitment that adapts per future (after decide-by's year)
takes that future's instruments. A plan judged on fresh futures keeps each measure's mix of instruments
(its subsidy per instrument summed over the sample).

### Decide now, adapt later, with recourse

The extensive form over N futures shares the commitments of years ≤ YEAR (d and, for lumpy measures,
b) and gives every future its own copy of everything else, with the recourse rows above:

    min (1/N) Σ_f [cost_f + P · Σ_y σ^f_y]

A commitment made now no longer has to fit every future's grid and storage: it is made where it pays in
expectation, and a later commitment buys a fallback only in the futures that need it. Hand case
(tests/test_confidence.py): a grid-dependent measure A (50 M€) and a fallback B (100 M€, from 2026),
the grid slipping in 3 of 10 futures — commit A now, buy B where the grid slips: 0.7 · 50 + 0.3 · 150 =
80 M€, where requiring every commitment to fit every future could only buy B everywhere (100 M€).

The expected public cost (mean of what each future pays, evaluated) and the expected shortfall (mean
per target year) are reported apart. The objective — public cost plus the penalty — is only what the
program minimises, and what VSS = EEV − RP compares; it is never a cost. EEV fixes the commitments made
now at those of the plan for the mean-value future, planned as a plan is (its resources bind in every
year), the later ones adapting with recourse.

### The cheapest plan that is p sure

Over N drawn futures: the plan of least expected public cost that meets every target in at least
K = ⌈p·N⌉ of them. Without `decide_by` every commitment is made now (one plan for all futures); with it,
the later commitments adapt per future.

**Exact on the sample** — a chance constraint with one binary per future:

    σ^f_y ≤ M_{f,y} · (1 − z_f)            future f counts only if it has no shortfall
    Σ_f z_f + v ≥ K,  0 ≤ v ≤ K
    min (1/N) Σ_f cost_f + (ε/N) Σ_{f,y} σ^f_y + B · v

- M_{f,y} = T_y − the abatement of the decisions of the past in f: the most shortfall f can have (the
  tightest big-M the data give without solving). Where it is ≤ 0 the future meets that target whatever is
  done, and it needs no binary.
- **A future the constraint does not count** pays only ε = 10⁻⁶ M€ per Mt/yr of shortfall, a tie-break
  below anything the solver tells apart. The question is the least expected public cost at that
  confidence; money spent in a future that misses anyway buys tonnes, not the target, so the plan spends
  none there (with decide-by, no later commitments in those futures). A penalty as large as P would turn
  the question back into "least cost plus penalty" and make the confidence level irrelevant; a middling
  one would be a price of carbon nobody set. The shortfall left in those futures is reported (expected
  shortfall), never priced.
- v, the futures short of K, costs B = 1 + an upper bound of any future's public cost (every measure at its
  dearest gap and instrument), so B · v outweighs every cost difference: when no plan reaches K the same
  program returns the plan meeting the most futures at least cost. Neither ε · σ nor B · v is reported.

**How it is solved.** One live HiGHS instance, the matrix handed over directly (no modelling layer):

0. each future is planned on its own with recourse (on the local workers or a Dask cluster). A future
   that misses a target even then can be met by no plan: its z_f is fixed at 0. This is the step that
   makes the default solvable in seconds: most of its futures cannot meet the 2030 target at all;
1. the most futures any plan meets: first all those that can be met on their own at once (an LP/MIP with
   their z fixed at 1); only if that is infeasible, branch and bound with B · v. This gives the most
   attainable share K*/N and the plan meeting it at least cost;
2. the levels, from the highest down: only the right-hand side of Σ z ≥ K changes, and branch and bound
   starts from the plan of the level above, which meets at least as many futures and so is feasible. The
   program's cost therefore never rises as p falls — never falls as p rises;
3. a level above K*/N is not attainable: its answer is the plan of step 1.

The MIP gap of each level is reported (HiGHS's relative gap; the workbook's `mip_gap` setting is the
tolerance).

**Why not attainable.** For the futures the plan misses:
- where the future planned on its own still falls short, the limits with a positive shadow price in that
  plan (of the LP with the binaries fixed): budgets, resources, cash limits — policy limits first —, then
  the limits of single measures (deployable shares, exclusive groups); counted over the missed futures;
- where its own plan would meet it, what keeps this plan from doing so there: the stock resources full in
  the target year while some of the plan's commitments stand idle, and commitments built after the target
  year;
- the uncertain inputs that set the missed futures apart: per dimension of the draws, the rank-biserial
  correlation of its quantile with missing (Mann–Whitney U; +1: every missed future drew higher than every
  met one), with the mean drawn value in missed and met futures.

**In sample and out of sample.** Each plan is evaluated on its own futures with recourse (P in sample,
expected public cost and shortfall, p-sure abatement, cash bands) and judged on M fresh futures drawn
from seed + 1 (default M = 1 000), its commitments fixed (with decide-by: those made now; the later ones
planned for each fresh future, least cost plus penalty with recourse), on the local workers or Dask like
a stress test: P out of sample with its 95 % Wilson interval. A plan tuned to its sample shows as a P out
of sample below p.

### In every futures run

- **p-sure abatement** per target year: the abatement reached in at least p of the futures, for p = 0.5,
  0.8, 0.95 — the ⌈p·N⌉-th largest abatement (a failed future counts as none). No interpolation: it is
  reached in at least that share of the sample.
- **cash bands**: per instrument and year the 10th, 50th and 90th percentile of the cash paid over the
  futures (numpy's linear interpolation; a future paying nothing that year counts 0), the decisions of the
  past included; an operating instrument pays only for what runs.

### What each delay costs

Items: every stock resource whose capacity rises within the horizon and every lumpy measure. A delay of
k years moves the resource's capacity series k years later (the `shift` of an override) or adds k years
to the measure's lead time. Per item and k: the target-year abatement the plan loses with its commitments
fixed (recourse, as a stress test), and, re-planned, the extra public cost against the plan of the
undelayed input and the shortfall left. The re-plans run on one kept HiGHS instance: a capacity series
moved only changes numbers (a warm update); a lead time changes the model's structure and is built anew.

### Limits, in short

- Exact on the sample, not in the population: a plan meeting p of 100 futures may meet fewer of the next
  1 000 — which is why every plan is judged out of sample.
- The program prices an operating instrument's plan-dependent release as paid (recourse, above).
- The instrument mix of a measure may differ between futures in the programs.
- Release and running are judged in the target year: a plant that runs then is paid its whole support
  period, whatever it missed earlier.
- One binary per future: the program grows linearly in N and branch and bound can grow faster where
  many futures can be met on their own but not all together.

## On a Dask cluster

`--scheduler` sends the futures to a Dask cluster. Its scheduler runs any code
a client sends on every worker, and the input (budgets, company projects)
travels with the tasks, so the cluster speaks TLS: `tls://HOST:PORT` with the
cluster's CA certificate, this client's certificate and its key
(`--tls-ca-file`, `--tls-cert`, `--tls-key`, or Dask's own configuration,
`distributed.comm.tls.*`); the README's "A cluster only the team can use" has
the openssl commands that make them and the `dask scheduler` and `dask worker`
lines that use them. A plain `tcp://` address is for a scheduler on this
machine; any other gets a warning before anything is sent. Each wait (the
scheduler's answer, a first worker, a worker again after all left) lasts at
most `--scheduler-timeout` seconds (default 30). A cluster that cannot be used
is refused in one line before any future is solved (exit 2); one that fails
under a started run stops it with nothing written (exit 4). The futures'
numbers are the same as on the local workers: each future is solved from a
cold start on its own input, whichever worker takes it.

## Speed

Each worker builds the model once per structure and re-solves every further
future on its kept HiGHS instance, changing numbers only; costs and prices
never change the structure, a lead time that pushes a commitment past the
horizon does (18 builds for 1 000 futures of the default on 2 workers). An
all-or-nothing project with few possible years is solved as one LP per
choice instead of by branch and bound. `bench/bench_futures.py` times 1 000
futures of the default workbook end to end (`policymix futures --samples
1000`) against 1 000 cold plans (`policymix plan` with that future's
overrides, a fresh process each), the decide-by program and planning to a
confidence level at a few sizes, and the delay register. Measured on a shared
2-core machine: 1 000 futures in about 11 s end to end (18 s of CPU), over 100
times less than the cold plans. Decide-by 2025 with recourse over 25, 100 and
400 futures: 4.4, 8.3 and 39 s wall (1.9, 4.6 and 24 s of CPU; the machine was
shared, load about 3): the program grows linearly with N (about 220 columns,
190 rows and 1 030 nonzeros per future; a commitment made now and its
instruments are one column for all futures), its solve time somewhat faster;
the size estimate puts 400 futures at 0.3 GB. Before any future but the first
is made, the program's size is estimated from that one future's rows times N;
a run that would not fit in memory stops at once with the number of futures
that would (400 000 futures of the default are refused in about 2 s).

{speed}
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/futures.md is out of date")
    args = parser.parse_args(argv)
    return publish(PAGE, page(), args.check, "make_futures_summary.py")


if __name__ == "__main__":
    sys.exit(main())
