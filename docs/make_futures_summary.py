"""Regenerate docs/futures.md from fresh futures runs of the advice's shipped workbook (ser-2023).

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
sys.path.insert(0, str(HERE.parent))

from optimiser.analysis import futures as F  # noqa: E402
from optimiser.analysis.decide import decide  # noqa: E402
from optimiser.pipeline import load  # noqa: E402

PAGE = HERE / "futures.md"
SAMPLES, SEED, DECIDE_SAMPLES, DECIDE_BY = 200, 1, 100, 2025


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


def base_penalty(base) -> float:
    from optimiser.model.index import shortfall_penalty, with_penalty

    return shortfall_penalty(with_penalty(base))


def page() -> str:
    return TEMPLATE.replace("{numbers}", numbers())


TEMPLATE = """# Futures: how likely is the target, which measures are robust, what to decide now

<!-- generated by docs/make_futures_summary.py: edit the script, not this page -->

`policymix futures` asks the plan question over many futures drawn from the
workbook's `uncertainty` sheet (contract section 14; the choices behind it in
[model.md](model.md), section 5c):

```
policymix futures --samples 1000 --seed 1                 # wait and see
policymix plan -o plan.xlsx && policymix futures --plan plan.xlsx --samples 1000
policymix futures --decide-by 2025 --samples 100          # decide now, adapt later
policymix futures --samples 10000 --scheduler tls://scheduler:8786 \
    --tls-ca-file ca.pem --tls-cert cert.pem --tls-key key.pem   # on a Dask cluster
```

## The uncertainty sheet

One row per uncertain input, written like an override: `sheet`, `id`,
`column` (wildcards allowed), `op` (`scale`, `add`, `set`, or `shift`: a year
series moved k whole years later), a `distribution` (`uniform` low–high,
`triangular` low–mode–high, `normal` mean and sd, truncated to low/high where
given, `choice` of `values` with `weights`) and an optional `group`: rows of
one group take the same quantile of their own distributions, so they move
together (all electrolysis costs, all grid reinforcements). `policymix check`
names every problem by sheet, row and column.

## The method

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
  there (recourse, contract section 16), so what is committed now need not fit
  every future. The value of the stochastic solution (VSS) is what committing
  the plan for the average future would cost more in expectation.

The method of recourse and of planning to a confidence level, and its limits:
[confidence-method.md](confidence-method.md).

Decisions already taken (sheet `committed`) are in every future. Where a
future's grid or CO2 store comes too late for a project already built, that
project abates only as far as the capacity there lets it connect — before
anything new is connected (first come, first served); [model.md](model.md),
section 5c.

P(target met) is the share of futures meeting every target, with a 95 %
Wilson interval. The futures workbook states it in one sentence with the
median and 90th-percentile public cost and the robust core (measures funded
in at least 90 % of the futures), then gives every future's draws and results,
a histogram of the target-year abatement against the target, the probability
of meeting the target against the public cost, each measure's share of
futures, the drivers of the shortfall (Spearman's ρ and a variance share by
RBD-FAST) and the effective inputs, uncertainty sheet included: the workbook
repeats the run.

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
overrides, a fresh process each), and the decide-by program at a few sizes.
Measured on a shared 2-core machine: 1 000 futures in about 11 s end to end
(18 s of CPU), over 100 times less than the cold plans. Decide-by 2025 with
recourse over 25, 100 and 400 futures: 4.4, 8.3 and 39 s wall (1.9, 4.6 and
24 s of CPU; the machine was shared, load about 3): the program grows linearly
with N (about 220 columns, 190 rows and 1 030 nonzeros per future; a
commitment made now and its instruments are one column for all futures), its
solve time somewhat faster; the size estimate puts 400 futures at 0.3 GB. Before any future
but the first is made, the program's size is estimated from that one future's
rows times N; a run that would not fit in memory stops at once with the
number of futures that would.

## The advice's workbook (ser-2023)

These runs use `inputs/ser-2023.xlsx` (`policymix futures ser-2023 …`): the SER advice's question, planned
from 2024 with the decide-by year 2025 inside its horizon. The default workbook of December 2026 plans from
2027 and misses the target already in its own case (docs/default-plan.md); `policymix futures` runs on it
the same way.

{numbers}
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/futures.md is out of date")
    args = parser.parse_args(argv)
    text = page()
    if args.check:
        if not PAGE.exists() or PAGE.read_text(encoding="utf-8") != text:
            print("docs/futures.md is out of date: run python docs/make_futures_summary.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
