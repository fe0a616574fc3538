"""The Cash sheet of a plan workbook and the plan's cash in words (docs/model.md section 13).

Commitments (verplichtingen) and cash (kas) per instrument and year, from the
earliest decision to the last payment, the money released (vrijval), the cash
limits with their shadow prices and the decisions already taken; a native
stacked column chart of cash by instrument with the commitments as a line.
Everything goes through the spreadsheet toolkit (:mod:`optimiser.report.xlsx`).
"""

from __future__ import annotations

from ..input.data import OPERATING
from ..lang import _, num
from ..model.cash import matching
from ..model.families import CASH, COMMITTED, family
from ..model.results import TOL, PlanResult
from .xlsx import M_EUR, PALETTE, SHADOW, SHARE, Bars, Chart, Col, Line, Sheet, sig

COMMITMENTS_LINE = "000000"
#: Height of the chart (cm).
CHART_CM = 12


def cash_sentences(result: PlanResult) -> list[str]:
    """Two sentences for the Summary: the peak cash year and its amount; how much of the commitments is released."""
    proj = result.cash
    if proj is None:
        return []
    start = proj.start_year
    peak = proj.peak()
    if peak is None:
        first = _("The plan pays out no cash from {start} on.", start=start)
    else:
        year, amount = peak
        first = _("Cash (kas) peaks in {year} at {amount} M€ paid out by all instruments together (see the {sheet} "
                  "sheet).", year=year, amount=num(amount, ",.1f"), sheet=_("Cash"))
    committed, released = proj.committed_meur, proj.released_meur
    past = sum(v for by_year in proj.commitments.values() for t, v in by_year.items() if t < start)
    whose = _(" ({plan} M€ by this plan, {past} M€ decided before {start})", plan=num(committed - past, ",.1f"),
              past=num(past, ",.1f"), start=start) if past > 0 else ""
    if committed <= 0:
        second = _("Nothing is committed, so nothing is released.")
    elif released <= TOL:
        second = _("None of the {committed} M€ committed{whose} is expected to be released: all of it is paid out.",
                   committed=num(committed, ",.1f"), whose=whose)
    else:
        second = _("Of the {committed} M€ committed{whose}, {released} M€ ({share}%) is expected to be released "
                   "(vrijval): operating support a rising CO2 price makes unnecessary, or grants that are never "
                   "realised.", committed=num(committed, ",.1f"), whose=whose, released=num(released, ",.1f"),
                   share=num(100 * released / committed, ".0f"))
    return [first, second]


def cash_line(result: PlanResult) -> str | None:
    """The cash in one terminal line: the peak and what is released."""
    peak = result.cash.peak() if result.cash is not None else None
    if peak is None:
        return None
    return _("Cash peaks in {year} at {amount} M€; {released} M€ of the {committed} M€ committed is expected to be "
             "released (vrijval).", year=peak[0], amount=num(peak[1], ",.0f"),
             released=num(result.cash.released_meur, ",.0f"), committed=num(result.cash.committed_meur, ",.0f"))


def _phase(t: int, result: PlanResult) -> str:
    s = result.input.settings
    return _("past") if t < s.start_year else _("plan") if t <= s.target_year else _("after")


def cash_sheet(sheet: Sheet, result: PlanResult, **kw) -> None:
    """The Cash sheet: per-instrument totals, the chart, the table by year, cash limits, decisions already taken."""
    inp, proj = result.input, result.cash
    sheet.title(_("Cash: commitments (verplichtingen) and cash paid out (kas), M€"))
    for text in cash_sentences(result):
        sheet.line(text)
    sheet.line(_("Commitments are what the plan promises in the year of the decision (what budgets limit); cash is "
                 "what the state pays out each year: an operating instrument per tonne while the measure runs, never "
                 "more than committed; any other by its payout profile."))
    sheet.freeze(1)
    if proj is None:
        return

    sheet.heading(_("By instrument (all years)"))
    rows = []
    for i, inst in inp.instruments.items():
        committed = sum(proj.commitments[i].values())
        past = sum(v for t, v in proj.commitments[i].items() if t < proj.start_year)
        paid = sum(proj.cash[i].values())
        years = [t for t, v in proj.cash[i].items() if v > TOL]
        peak = max(years, key=lambda t: proj.cash[i][t]) if years else None
        rows.append((i, _("operating") if inst.payout == OPERATING else _("profile {shares}", shares=inst.payout),
                     committed,
                     past, paid, proj.released[i], proj.released[i] / committed if committed > 0 else None,
                     f"{years[0]}–{years[-1]}" if years else "", peak, proj.cash[i][peak] if peak else None))
    sheet.table([Col(_("instrument")), Col(_("payout"), wrap=22), Col(_("commitments (M€)"), M_EUR),
                 Col(_("of which decided in the past (M€)"), M_EUR), Col(_("cash paid out (M€)"), M_EUR),
                 Col(_("released, vrijval (M€)"), M_EUR), Col(_("released share (%)"), SHARE),
                 Col(_("years paying out")), Col(_("peak year")), Col(_("peak cash (M€)"), M_EUR)], rows)

    # the chart's data: one row per year (below the chart)
    sheet.row += 1
    chart_top = sheet.chart_space(CHART_CM)
    sheet.heading(_("By year (years before start_year are decisions of the past; after target_year the "
                    "commitments of the plan pay out)"))
    paying = [i for i in inp.instruments if any(v > TOL for v in proj.cash[i].values())]
    cols = [Col(_("year")), Col(_("phase (past / plan / after)"))]
    cols += [Col(_("cash {instrument} (M€)", instrument=i), M_EUR) for i in paying]
    cols += [Col(_("cash, all instruments (M€)"), M_EUR), Col(_("commitments, all instruments (M€)"), M_EUR)]
    cols += [Col(_("commitments {instrument} (M€)", instrument=i), M_EUR) for i in inp.instruments
             if sum(proj.commitments[i].values()) > TOL]
    committing = [i for i in inp.instruments if sum(proj.commitments[i].values()) > TOL]
    table = [[t, _phase(t, result)] + [proj.cash[i][t] for i in paying]
             + [proj.total_cash(t), proj.total_commitments(t)] + [proj.commitments[i][t] for i in committing]
             for t in proj.years]
    top, last = sheet.table(cols, table)
    if paying or committing:
        # commitments come in a few large decisions, cash year by year: each on its own axis, so the one does not
        # flatten the other (the left axis spans the cash paid, the right one the commitments)
        series = [Bars(3 + n, top + 1, last, _("cash {instrument}", instrument=i), PALETTE[n % len(PALETTE)])
                  for n, i in enumerate(paying)]
        commitments = Line(3 + len(paying) + 1, top + 1, last, _("commitments (all instruments), right axis"),
                           COMMITMENTS_LINE, width=2.25, marker="circle")
        sheet.chart(Chart("column", _("Cash paid out by instrument (left axis) and commitments (right axis), M€"),
                          _("year"), _("cash paid out (M€)"), series=series, right=[commitments],
                          right_title=_("commitments (M€)"), right_format="#,##0", categories=(1, top + 1, last),
                          y_format="#,##0", y_range=(0.0, None), right_range=(0.0, None), height=CHART_CM),
                    row=chart_top)

    if inp.cash_limits:
        f = family(CASH)
        sheet.heading(_("Cash limits (kasplafonds) and their shadow prices"))
        rows = []
        for lid, limit in inp.cash_limits.items():
            covered = matching(inp, lid)
            for t, value in sorted(limit.limits.items()):
                paid = sum(proj.cash.get(i, {}).get(t, 0.0) for i in covered)
                shadow = result.shadow.get(CASH, {}).get((lid, t), 0.0)
                rows.append((lid, f.item_of(inp, lid), t, value, paid, value - paid, shadow,
                             _("{relaxed} saves {value} M€", relaxed=f.relaxed(inp, (lid, t)), value=sig(shadow))
                             if shadow > 0 else _("not binding")))
        sheet.table([Col(_("limit")), Col(_("covers")), Col(_("year")), Col(_("cash limit (M€)"), M_EUR),
                     Col(_("cash paid (M€)"), M_EUR), Col(_("room left (M€)"), M_EUR),
                     Col(_("shadow price (M€ saved per M€ of cash room)"), SHADOW), Col(_("in words"), wrap=True)], rows)

    if inp.committed:
        sheet.heading(_("Decisions already taken (sheet committed)"))
        forced = result.shadow.get(COMMITTED, {})
        rows = []
        for c in inp.committed:
            m = inp.measures[c.measure_id]
            past = c.year < inp.settings.start_year
            rows.append((c.measure_id, c.year, _("past: sunk, in no budget") if past else _("forced: paid and budgeted"),
                         c.share, c.instrument_id or None, c.subsidy_meur, c.year + m.lead_time_years,
                         None if past else forced.get((c.measure_id, c.year), 0.0), c.note))
        sheet.table([Col(_("measure")), Col(_("year")), Col(_("kind"), wrap=16), Col(_("share (%)"), SHARE), Col(_("instrument")),
                     Col(_("subsidy (M€)"), M_EUR), Col(_("operating from (year)")),
                     Col(_("shadow price of forcing it (M€ per unit share)"), SHADOW), Col(_("note"), wrap=24)], rows)
