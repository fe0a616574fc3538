"""The Cash chart renders in LibreOffice: the Cash sheet of a real plan converted to PDF by soffice.

Skipped only when LibreOffice (soffice) is not installed. The sheet is converted
twice, with and without its chart; the PDF with the chart must hold its drawing:
many more filled rectangles (the stacked columns) and line segments (the
commitments line, the axes and grid) than the same sheet without it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from builders import measure, tables, yearly
from optimiser.input.tables import to_input
from optimiser.pipeline import solve_input
from optimiser.report.cash import cash_sheet
from optimiser.report.xlsx import Sheet, new_workbook, save

SOFFICE = shutil.which("soffice") or ("/usr/bin/soffice" if Path("/usr/bin/soffice").exists() else None)
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def _plan():
    years = [2024, 2025, 2026]
    return solve_input(to_input(tables(
        measures=[measure("a", 1.0, 100, eligible="S", lead_time_years=1), measure("b", 2.0, 80, eligible="N"),
                  measure("c", 2.0, 120, eligible="S;N")],
        instruments=[{"instrument_id": "S", "payout": "operating"}, {"instrument_id": "N", "payout": "0.2;0.5;0.3"}],
        budgets=[{"instrument_id": "S", **yearly(1e6, years)}, {"instrument_id": "N", **yearly(1000.0, years)}],
        prices=[{"parameter": "co2_price_eur_per_t", **dict(zip(years, (40.0, 50.0, 60.0))), 2030: 90.0}],
        committed=[{"measure_id": "c", "year": 2022, "share": 0.25, "instrument_id": "S", "subsidy_meur": 300}],
        reduction=3.0)))


def _cash_workbook(path: Path, result, chart: bool) -> Path:
    wb = new_workbook("cash")
    sheet = Sheet(wb, "Cash")
    cash_sheet(sheet, result)
    if not chart:
        sheet.charts.clear()
    sheet.finish()
    return save(wb, path)


def _drawing(pdf: Path) -> tuple[int, int]:
    """(filled shapes, line segments) drawn in the PDF's content streams (the PDF operators f, f*, B, B* and l)."""
    data = pdf.read_bytes()
    fills = lines = 0
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            text = zlib.decompress(m.group(1))
        except zlib.error:
            text = m.group(1)
        fills += len(re.findall(rb"\s(?:f|f\*|B|B\*)\s", text))
        lines += len(re.findall(rb"\sl\s", text))
    return fills, lines


def _to_pdf(xlsx: Path) -> Path:
    proc = subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{xlsx.parent}/profile",
                           "--convert-to", "pdf", "--outdir", str(xlsx.parent), str(xlsx)],
                          capture_output=True, text=True, timeout=180)
    pdf = xlsx.with_suffix(".pdf")
    assert proc.returncode == 0 and pdf.exists(), proc.stdout + proc.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    return pdf


def test_the_cash_chart_is_drawn_by_libreoffice(tmp_path):
    result = _plan()
    assert result.cash.paid_meur > 0
    (tmp_path / "with").mkdir()
    (tmp_path / "without").mkdir()
    with_chart = _drawing(_to_pdf(_cash_workbook(tmp_path / "with" / "cash.xlsx", result, chart=True)))
    without = _drawing(_to_pdf(_cash_workbook(tmp_path / "without" / "cash.xlsx", result, chart=False)))
    years = len(result.cash.years)
    bars = sum(1 for by_year in result.cash.cash.values() for v in by_year.values() if v > 1e-6)
    # the stacked columns (one filled shape per instrument and year that pays) and the commitments line's segments
    assert with_chart[0] >= without[0] + bars, (with_chart, without)
    assert with_chart[1] >= without[1] + years - 1, (with_chart, without)
