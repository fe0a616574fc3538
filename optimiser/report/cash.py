"""The Cash sheet of a plan workbook and the plan's cash in words (docs/model.md section 13).

Commitments (verplichtingen) and cash (kas) per instrument and year, from the
earliest decision to the last payment, the money released (vrijval), the cash
limits with their shadow prices and the decisions already taken; a native
stacked column chart of cash by instrument with the commitments as a line.
Everything goes through the spreadsheet toolkit (:mod:`optimiser.report.xlsx`).
"""

from __future__ import annotations

from ..input.data import OPERATING
from ..model.cash import matching
from ..model.families import CASH, family
from ..model.results import PlanResult
from .xlsx import (M_EUR, PALETTE, SHADOW, SHARE, Col, Sheet, add_line, column_chart, column_series, set_categories,
                   sig)

COMMITMENTS_LINE = "000000"
#: Rows the chart covers (about 12 cm at the default row height).
CHART_ROWS = 25


def cash_sentences(result: PlanResult) -> list[str]:
    """Two sentences for the Summary: the peak cash year and its amount; how much of the commitments is released."""
    proj = result.cash
    if proj is None:
        return []
    start = proj.start_year
    peak = proj.peak()
    if peak is None:
        first = "The plan pays out no cash from {start} on.".format(start=start)
    else:
        year, amount = peak
        first = (f"Cash (kas) peaks in {year} at {amount:,.1f} M€ paid out by all instruments together "
                 f"(see the Cash sheet).")
    committed, released = proj.committed_meur, proj.released_meur
    past = sum(v for by_year in proj.commitments.values() for t, v in by_year.items() if t < start)
    whose = f" ({committed - past:,.1f} M€ by this plan, {past:,.1f} M€ decided before {start})" if past > 0 else ""
    if committed <= 0:
        second = "Nothing is committed, so nothing is released."
    elif released <= 1e-6:
        second = f"None of the {committed:,.1f} M€ committed{whose} is expected to be released: all of it is paid out."
    else:
        second = (f"Of the {committed:,.1f} M€ committed{whose}, {released:,.1f} M€ ({released / committed:.0%}) is "
                  "expected to be released (vrijval): operating support a rising CO2 price makes unnecessary, or "
                  "grants that are never realised.")
    return [first, second]


def cash_line(result: PlanResult) -> str | None:
    """The cash in one terminal line: the peak and what is released."""
    peak = result.cash.peak() if result.cash is not None else None
    if peak is None:
        return None
    return (f"Cash peaks in {peak[0]} at {peak[1]:,.0f} M€; {result.cash.released_meur:,.0f} M€ of the "
            f"{result.cash.committed_meur:,.0f} M€ committed is expected to be released (vrijval).")


def _phase(t: int, result: PlanResult) -> str:
    s = result.input.settings
    return "past" if t < s.start_year else "plan" if t <= s.target_year else "after"


def cash_sheet(sheet: Sheet, result: PlanResult, **_) -> None:
    """The Cash sheet: per-instrument totals, the chart, the table by year, cash limits, decisions already taken."""
    inp, proj = result.input, result.cash
    sheet.title("Cash: commitments (verplichtingen) and cash paid out (kas), M€")
    for text in cash_sentences(result):
        sheet.line(text)
    sheet.line("Commitments are what the plan promises in the year of the decision (what budgets limit); cash is "
               "what the state pays out each year: an operating instrument per tonne while the measure runs, never "
               "more than committed; any other by its payout profile.")
    sheet.ws.freeze_panes = "A2"
    if proj is None:
        return

    sheet.heading("By instrument (all years)")
    rows = []
    for i, inst in inp.instruments.items():
        committed = sum(proj.commitments[i].values())
        past = sum(v for t, v in proj.commitments[i].items() if t < proj.start_year)
        paid = sum(proj.cash[i].values())
        years = [t for t, v in proj.cash[i].items() if v > 1e-6]
        peak = max(years, key=lambda t: proj.cash[i][t]) if years else None
        rows.append((i, inst.payout if inst.payout == OPERATING else f"profile {inst.payout}", committed,
                     past, paid, proj.released[i], proj.released[i] / committed if committed > 0 else None,
                     f"{years[0]}–{years[-1]}" if years else "", peak, proj.cash[i][peak] if peak else None))
    sheet.table([Col("instrument"), Col("payout"), Col("commitments (M€)", M_EUR),
                 Col("of which decided in the past (M€)", M_EUR), Col("cash paid out (M€)", M_EUR),
                 Col("released, vrijval (M€)", M_EUR), Col("released share (%)", SHARE),
                 Col("years paying out"), Col("peak year"), Col("peak cash (M€)", M_EUR)], rows)

    # the chart's data: one row per year (below the chart)
    chart_top = sheet.row + 1
    sheet.row = chart_top + CHART_ROWS
    sheet.heading("By year (years before start_year are decisions of the past; after target_year the commitments "
                  "of the plan pay out)")
    paying = [i for i in inp.instruments if any(v > 1e-6 for v in proj.cash[i].values())]
    cols = [Col("year"), Col("phase (past / plan / after)")]
    cols += [Col(f"cash {i} (M€)", M_EUR) for i in paying]
    cols += [Col("cash, all instruments (M€)", M_EUR), Col("commitments, all instruments (M€)", M_EUR)]
    cols += [Col(f"commitments {i} (M€)", M_EUR) for i in inp.instruments if sum(proj.commitments[i].values()) > 1e-6]
    committing = [i for i in inp.instruments if sum(proj.commitments[i].values()) > 1e-6]
    table = [[t, _phase(t, result)] + [proj.cash[i][t] for i in paying]
             + [proj.total_cash(t), proj.total_commitments(t)] + [proj.commitments[i][t] for i in committing]
             for t in proj.years]
    top, last = sheet.table(cols, table)
    if paying or committing:
        chart = column_chart("Cash paid out by instrument, and commitments (M€)", "year", "M€", y_format="#,##0")
        for n, i in enumerate(paying):
            chart.series.append(column_series(sheet.ws, 3 + n, top + 1, last, f"cash {i}",
                                              PALETTE[n % len(PALETTE)]))
        set_categories(chart, sheet.ws, 1, top + 1, last)
        add_line(chart, sheet.ws, 3 + len(paying) + 1, top + 1, last, "commitments (all instruments)",
                 COMMITMENTS_LINE, cat_col=1)
        sheet.ws.add_chart(chart, sheet.ws.cell(row=chart_top, column=1).coordinate)

    if inp.cash_limits:
        f = family(CASH)
        sheet.heading("Cash limits (kasplafonds) and their shadow prices")
        rows = []
        for lid, limit in inp.cash_limits.items():
            covered = matching(inp, lid)
            for t, value in sorted(limit.limits.items()):
                paid = sum(proj.cash.get(i, {}).get(t, 0.0) for i in covered)
                shadow = result.shadow.get(CASH, {}).get((lid, t), 0.0)
                rows.append((lid, f.item_of(inp, lid), t, value, paid, value - paid, shadow,
                             f"{f.relaxed(inp, (lid, t))} saves {sig(shadow)} M€" if shadow > 0 else "not binding"))
        sheet.table([Col("limit"), Col("covers"), Col("year"), Col("cash limit (M€)", M_EUR),
                     Col("cash paid (M€)", M_EUR), Col("room left (M€)", M_EUR),
                     Col("shadow price (M€ saved per M€ of cash room)", SHADOW), Col("in words")], rows)

    if inp.committed:
        sheet.heading("Decisions already taken (sheet committed)")
        forced = result.shadow.get("committed", {})
        rows = []
        for c in inp.committed:
            m = inp.measures[c.measure_id]
            past = c.year < inp.settings.start_year
            rows.append((c.measure_id, c.year, "past: sunk, in no budget" if past else "forced: paid and budgeted",
                         c.share, c.instrument_id or None, c.subsidy_meur, c.year + m.lead_time_years,
                         None if past else forced.get((c.measure_id, c.year), 0.0), c.note))
        sheet.table([Col("measure"), Col("year"), Col("kind"), Col("share (%)", SHARE), Col("instrument"),
                     Col("subsidy (M€)", M_EUR), Col("operating from (year)"),
                     Col("shadow price of forcing it (M€ per unit share)", SHADOW), Col("note")], rows)
