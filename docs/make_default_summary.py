"""Regenerate docs/default-plan.md, docs/default-macc.png and docs/default-cash.png from the shipped default workbook
(the world as of December 2026), with its 2030 outcome beside the official outlook for industry.

    pip install '.[docs]' && python docs/make_default_summary.py
    python docs/make_default_summary.py --check   # exit 1 when the page is out of date (no picture drawn)

Everything on the page is computed here from a fresh run, so the page stays
true when the data or the model change.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # the package; generated.py beside this script

from optimiser.model.families import TARGET, family  # noqa: E402
from optimiser.pipeline import load, solve_input  # noqa: E402
from optimiser.report.words import (headroom_sentence, limit_sentence, marginal_value, penalty_words,  # noqa: E402
                                    policy_binding, relaxation_words, single_measure_sentence)
from generated import publish  # noqa: E402


def past_years(inp) -> str:
    """'2021–2026': the years of the decisions already taken, up to the year before start_year."""
    first = min((c.year for c in inp.past_decisions), default=inp.settings.start_year - 1)
    return f"{first}–{inp.settings.start_year - 1}"

#: The official outlook for industry beside which the page sets the plan (inputs/SOURCES.md, S1, S4, S73, S74).
OUTLOOK = [
    ("SER advice, Table 2.1 (PBL KEV 2023): the target the workbook asks for", "29.6", "S1"),
    ("Indicative residual for industry (Rutte IV), the official target", "at most 29.1", "S3, S4"),
    ("PBL, TNO and RVO on the cluster plans (CES 3.0, December 2024)", "about 38.5", "S73"),
    ("PBL, KEV 2024: industry's projected emissions", "33.3–42.5", "S4"),
]


def lever(m) -> str:
    """The abatement lever of a measure, from its id, name and sector (for the CES comparison)."""
    text = f"{m.measure_id} {m.name} {m.sector}".lower()
    if "ccs" in text or "capture" in text or "porthos" in text or "aramis" in text:
        return "CCS"
    if "electroly" in text or "hydrogen" in text or "h2" in text:
        return "hydrogen"
    if "boiler" in text or "heat pump" in text or "heat_pump" in text or "electri" in text or "eaf" in text:
        return "electrification"
    return "other (efficiency, N2O, recycling, waste heat, …)"


def macc_png(result, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    inp = result.input
    T = inp.settings.target_year
    rows = sorted(result.measures.values(), key=lambda mr: mr.gap_eur_per_t)
    fig, ax = plt.subplots(figsize=(10, 4.8), dpi=110)
    x = 0.0
    for mr in rows:
        m = inp.measures[mr.measure_id]
        width = m.abatement_mt * m.max_share
        funded = mr.committed_share * m.abatement_mt
        ax.bar(x, mr.gap_eur_per_t, width=funded, align="edge", color="#1b7837", edgecolor="white", linewidth=0.4)
        ax.bar(x + funded, mr.gap_eur_per_t, width=width - funded, align="edge", color="#bdbdbd",
               edgecolor="white", linewidth=0.4)
        x += width
    ax.axvline(result.target_mt[T], color="#c62828", linestyle="--", linewidth=1.5)
    ax.text(result.target_mt[T], ax.get_ylim()[1] * 0.95, f" target {result.target_mt[T]:.1f} Mt", color="#c62828",
            va="top")
    ax.set_xlabel("cumulative abatement potential (Mt CO2-eq/yr)")
    ax.set_ylabel("unprofitable gap (€/t)")
    ax.set_title(f"Default plan {T}: measures by gap per tonne (green = funded, grey = not funded)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def cash_png(result, path: Path) -> None:
    """Cash paid out by instrument (stacked columns) and the commitments (a line), as on the Cash sheet."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    proj = result.cash
    years = proj.years
    fig, ax = plt.subplots(figsize=(10, 4.8), dpi=110)
    bottom = [0.0] * len(years)
    colours = ["#1f4e79", "#2e7d32", "#f9a825", "#6a1b9a", "#00838f", "#c62828", "#8d6e63"]
    for n, (i, by_year) in enumerate((i, v) for i, v in proj.cash.items() if any(x > 1e-6 for x in v.values())):
        values = [by_year[t] for t in years]
        ax.bar(years, values, bottom=bottom, color=colours[n % len(colours)], label=f"cash {i}")
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.plot(years, [proj.total_commitments(t) for t in years], color="black", marker="o", label="commitments")
    ax.axvline(proj.start_year - 0.5, color="#9e9e9e", linestyle=":", linewidth=1)
    ax.set_xticks(years)
    ax.tick_params(axis="x", labelrotation=45)
    ax.set_ylabel("M€")
    ax.set_title(f"Default plan: cash paid out by instrument, and commitments (left of the dotted line: before "
                 f"{proj.start_year})")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def cash_lines(inp, result) -> list[str]:
    """The cash section: the decisions taken, per year and per instrument, the peak and what is released."""
    proj = result.cash
    lines = ["", "## Cash (kas) and commitments (verplichtingen)", ""]
    peak = proj.peak()
    if peak:
        lines.append(f"Cash peaks in **{peak[0]}** at **{peak[1]:,.0f} M€** paid out by all instruments together. "
                     f"Of the {proj.committed_meur:,.0f} M€ committed ({proj.committed_meur - _past(proj):,.0f} M€ by the "
                     f"plan, {_past(proj):,.0f} M€ decided before {proj.start_year}), **{proj.released_meur:,.0f} M€** "
                     f"({proj.released_meur / proj.committed_meur:.0%}) is expected to be released (vrijval): SDE++ pays "
                     "per tonne while the plants run, and the rising CO2 price closes most of their gap by then.")
    lines += ["", "![Cash of the default plan](default-cash.png)", "",
              "Decisions already taken (sheet `committed`; their money is sunk, their grants still pay out):", "",
              "| measure | year | instrument | subsidy (M€) | operating from |", "|---|---:|---|---:|---:|"]
    for c in inp.committed:
        lines.append(f"| {c.measure_id} | {c.year} | {c.instrument_id or '—'} | "
                     f"{'—' if c.subsidy_meur is None else f'{c.subsidy_meur:,.0f}'} | "
                     f"{c.year + inp.measures[c.measure_id].lead_time_years} |")
    paying = [i for i in inp.instruments if any(v > 1e-6 for v in proj.cash[i].values())]
    lines += ["", "| year | commitments (M€) | cash, all (M€) | " + " | ".join(f"cash {i} (M€)" for i in paying) + " |",
              "|---:|---:|---:|" + "---:|" * len(paying)]
    for t in proj.years:
        lines.append(f"| {t} | {proj.total_commitments(t):,.0f} | {proj.total_cash(t):,.0f} | "
                     + " | ".join(f"{proj.cash[i][t]:,.0f}" for i in paying) + " |")
    lines += ["", "| instrument | payout | committed (M€) | paid out (M€) | released (M€) |", "|---|---|---:|---:|---:|"]
    for i, inst in inp.instruments.items():
        committed = sum(proj.commitments[i].values())
        lines.append(f"| {i} | {inst.payout} | {committed:,.0f} | {sum(proj.cash[i].values()):,.0f} | "
                     f"{proj.released[i]:,.0f} |")
    return lines


def out_of_reach(inp) -> list[tuple[str, float, str]]:
    """Measures no money can make abate in the target year: (name, Mt/yr still open, why)."""
    T, y0 = inp.settings.target_year, inp.settings.start_year
    past = {}
    for c in inp.past_decisions:
        past[c.measure_id] = past.get(c.measure_id, 0.0) + c.share
    rows = []
    for mid, m in inp.measures.items():
        open_share = m.max_share - past.get(mid, 0.0)
        if open_share <= 1e-9:
            continue
        runs = max(y0, m.earliest_year or y0) + m.lead_time_years
        if runs > T:
            rows.append((m.name, m.abatement_mt * open_share,
                         f"{m.lead_time_years} years from decision to operation: decided in {y0} at the earliest, "
                         f"it runs from {runs}"))
            continue
        for (um, rid), amount in inp.usage.items():
            if um != mid or amount <= 0:
                continue
            res = inp.resources[rid]
            if res.kind == "stock" and all(res.capacity[y] <= 0 for y in range(runs, T + 1)):
                rows.append((m.name, m.abatement_mt * open_share, f"needs {res.name}, which is 0 through {T}"))
                break
    return sorted(rows, key=lambda r: -r[1])


def outlook_lines(inp, result, elastic, advice) -> list[str]:
    """The plan's 2030 outcome beside the official outlook, and what the gap costs."""
    T = inp.settings.target_year
    base = inp.settings.base_year_emissions_mt or 49.8
    lines = ["", "## Beside the official outlook", "",
             f"Industry emitted {base:g} Mt CO2-eq in 2022 (S1). Residual emissions in {T} (Mt CO2-eq):", "",
             "| | residual emissions 2030 (Mt) | source |", "|---|---:|---|",
             f"| this plan (least public cost, limits as they are) | {base - result.abatement_mt[T]:.1f} | "
             "policymix plan |",
             f"| this plan with `--elastic` (every budget and limit allowed to give) | "
             f"{base - elastic.abatement_mt[T]:.1f} | policymix plan --elastic |"]
    lines += [f"| {what} | {value} | {src} |" for what, value, src in OUTLOOK]
    lines += ["", f"The least-cost plan commits {result.public_cost_meur:,.0f} M€ and reaches "
                  f"{result.abatement_mt[T]:.2f} of the {result.target_mt[T]:g} Mt: it leaves industry at "
                  f"{base - result.abatement_mt[T]:.1f} Mt in {T}, close to the 38.5 Mt PBL, TNO and RVO expect "
                  f"from the cluster plans (S73) and {base - result.abatement_mt[T] - 29.1:.1f} Mt above the official "
                  "29.1. The model and the outlook were made independently: the model from the measures, limits and "
                  "budgets in inputs/SOURCES.md, the outlook from the firms' own plans.", ""]
    gave = [relaxation_words(elastic, item) for item in elastic.relaxations]
    lines += [f"**What must give.** Allowing every budget, period budget and resource limit to give "
              f"(`policymix plan --elastic`), the plan reaches {elastic.abatement_mt[T]:.2f} Mt at "
              f"{elastic.public_cost_meur:,.0f} M€, {elastic.public_cost_meur - result.public_cost_meur:,.0f} M€ "
              f"more, and is still {elastic.shortfall_mt[T]:.2f} Mt short. What would have to give:", ""]
    lines += [f"- {g}" for g in gave]
    lines += ["", "None of these is money: CO2 storage from Aramis (no operation before the end of 2030, S63) and "
                  "the Chemelot 380 kV grid (2031–2034, S36) come after 2030 whatever is paid, and the other grid "
                  "reinforcements are dated by the grid operators (A30). More budget would not lower the cost: no "
                  "budget binds in the least-cost plan.", "",
              f"**What no money can buy before {T}.** These measures cannot abate in {T} whatever is paid "
              f"(the {elastic.shortfall_mt[T]:.2f} Mt left after every limit has given, and more):", "",
              "| measure | Mt CO2-eq/yr | why |", "|---|---:|---|"]
    gone = out_of_reach(inp)
    lines += [f"| {name} | {mt:.2f} | {why} |" for name, mt, why in gone]
    named = {m.name: m for m in inp.measures.values()}
    by_group: dict[str, float] = {}
    for name, mt, _ in gone:  # options for the same emissions (an exclusive group) count once, at the largest
        group = named[name].exclusive_group or name
        by_group[group] = max(by_group.get(group, 0.0), mt)
    extra = elastic.public_cost_meur - result.public_cost_meur
    closed = elastic.abatement_mt[T] - result.abatement_mt[T]
    lines += ["", f"Together {sum(by_group.values()):.2f} Mt/yr of potential (options for the same emissions counted "
                  f"once) cannot abate in {T}.", "",
              f"**What the gap costs.** Of the {result.shortfall_mt[T]:.2f} Mt the least-cost plan leaves short, "
              f"{closed:.2f} Mt could be bought only if the grid and the CO2 storage above came in time, for "
              f"{extra:,.0f} M€ more in commitments ({extra / closed:,.0f} € per t/yr of annual abatement) — and they "
              f"do not come in time. The other {elastic.shortfall_mt[T]:.2f} Mt no money buys before {T}: the "
              f"measures above are too late or have nowhere to store their CO2. For comparison, the advice's plan of "
              f"2023 met all {result.target_mt[T]:g} Mt for {advice.public_cost_meur:,.0f} M€, deciding from 2024 with Aramis in 2030 and "
              "Tata's five-year build still possible; what changed since and why: [editions.md](editions.md). The "
              f"shortfall penalty behind the target's marginal value is what the model charges to steer, never a cost "
              "anyone pays."]
    return lines


def _past(proj) -> float:
    return sum(v for by_year in proj.commitments.values() for t, v in by_year.items() if t < proj.start_year)


def main(argv: list[str] | None = None) -> int:
    check = "--check" in (sys.argv[1:] if argv is None else argv)
    wb, inp, _ = load(None)
    result = solve_input(inp)
    elastic = solve_input(load(None, overrides=[("set", "settings:elastic=yes")])[1])
    T = inp.settings.target_year
    s = inp.settings
    lines = [
        "# What the default plan says",
        "",
        f"Generated by `docs/make_default_summary.py` from `inputs/default.xlsx` (SHA-256 `{wb.sha256[:16]}…`). "
        "Do not edit by hand.",
        "",
        f"**Question.** As of December 2026, with the decisions of {past_years(inp)} taken: can Dutch industry "
        f"still cut {s.target_reduction_mt:g} Mt CO2-eq/yr by {T} ({s.base_year_emissions_mt or 49.8:g} Mt in 2022 → "
        f"{(s.base_year_emissions_mt or 49.8) - s.target_reduction_mt:.1f} Mt), deciding from {s.start_year}, which "
        "measures and instruments get closest at least public cost, and what do the limits cost?",
        "",
    ]
    if result.target_met:
        lines.append(f"**Answer.** Yes: the plan abates {result.abatement_mt[T]:.2f} Mt/yr in {T} at a public cost "
                     f"of {result.public_cost_meur:,.0f} M€ of commitments.")
    else:
        lines.append(f"**Answer.** No: the best plan abates {result.abatement_mt[T]:.2f} Mt/yr in {T}, "
                     f"{result.shortfall_mt[T]:.2f} Mt short, at a public cost of {result.public_cost_meur:,.0f} M€.")
    lines += [" ".join(marginal_value(result)), "", f"Shortfall penalty used: {penalty_words(result)}.", ""]
    lines += outlook_lines(inp, result, elastic, solve_input(load("ser-2023")[1]))
    lines += [""]
    lines += [
        "![MACC of the default plan](default-macc.png)",
        "",
        "## Instruments",
        "",
        "| instrument | subsidy committed (M€) | public cost (M€) |",
        "|---|---:|---:|",
    ]
    for i in inp.instruments:
        spent = result.instrument_spend_meur(i)
        lines.append(f"| {i} | {spent:,.0f} | {result.instrument_cost_meur[i]:,.0f} |")
    by_lever: dict[str, float] = {}
    for mid, mr in result.measures.items():
        by_lever[lever(inp.measures[mid])] = by_lever.get(lever(inp.measures[mid]), 0.0) + mr.abatement_mt
    lines += ["", f"## Abatement in {T} by lever", "", "| lever | Mt CO2-eq/yr | share |", "|---|---:|---:|"]
    total = sum(by_lever.values()) or 1.0
    for name, v in sorted(by_lever.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {name} | {v:.2f} | {v / total:.0%} |")
    lines += ["", "## Binding limits", "", "| limit | shadow price | what it means |", "|---|---:|---|"]
    for fam, key, val in policy_binding(result):
        f = family(fam)
        lines.append(f"| {f.in_words(inp, key)} | {val:,.3g} {f.shadow_unit_of(inp, key)} | "
                     f"{limit_sentence(result, fam, key, val)} |")
    lines += ["", headroom_sentence(result)]
    single = single_measure_sentence(result)
    if single:
        lines += ["", single]
    funded_ccs = [mr for mid, mr in result.measures.items() if lever(inp.measures[mid]) == "CCS" and mr.eur_per_t]
    if funded_ccs:
        avg = sum(mr.eur_per_t * mr.committed_share for mr in funded_ccs) / sum(mr.committed_share for mr in funded_ccs)
        lines += ["", f"Funded CCS measures are paid {avg:,.0f} € per tonne avoided on average over their support "
                      "period (Porthos: about 53–56 €/t maximum, inputs/SOURCES.md)."]
    lines += cash_lines(inp, result)

    def peak(r) -> str:
        found = r.cash.peak()
        return f"{found[0]}: {found[1]:,.0f}" if found else "—"

    lines += ["", "## Scenarios", "", "| scenario | status | public cost (M€) | abatement 2030 (Mt/yr) | "
              "target shadow price (M€ per Mt/yr) | peak cash (year: M€) | released (M€) |",
              "|---|---|---:|---:|---:|---:|---:|",
              f"| default | {result.status} | {result.public_cost_meur:,.0f} | {result.abatement_mt[T]:.2f} | "
              f"{result.shadow[TARGET][T]:,.0f} | {peak(result)} | {result.cash.released_meur:,.0f} |"]
    for name in dict.fromkeys(row.scenario for row in inp.scenarios):
        _, sinp, _ = load(None, name)
        r = solve_input(sinp)
        lines.append(f"| {name} | {r.status} | {r.public_cost_meur:,.0f} | {r.abatement_mt[T]:.2f} | "
                     f"{r.shadow[TARGET][T]:,.0f} | {peak(r)} | {r.cash.released_meur:,.0f} |")
    text = "\n".join(lines) + "\n"
    code = publish(HERE / "default-plan.md", text, check, "make_default_summary.py")
    if not check:  # the pictures only when writing (a check draws nothing)
        macc_png(result, HERE / "default-macc.png")
        cash_png(result, HERE / "default-cash.png")
        print(f"drew {HERE / 'default-macc.png'} and {HERE / 'default-cash.png'}")
    return code


if __name__ == "__main__":
    sys.exit(main())
