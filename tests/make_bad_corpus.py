"""The corpus of malformed inputs and command lines (issue 4), generated from one valid workbook.

Every case is a small function that writes one input (a workbook edited with
openpyxl, a package patched at the XML level, or raw bytes) into a folder, the
command line to run on it, and what the refusal must say: a message fragment
and the sheet, row and column it must name. Nothing binary is committed: the
tests build each case on the fly into ``tmp_path``; this script writes the
whole corpus to a folder for review:

    python tests/make_bad_corpus.py CORPUS_DIR     # one sub-folder per case, plus cases.md
    python tests/make_bad_corpus.py --list         # the cases, one per line

Placeholders in a case's arguments and fragment: ``{wb}`` the input path,
``{out}`` the plan file ``-o`` points at, ``{dir}`` the case folder.
"""

from __future__ import annotations

import io
import random
import re
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from builders import measure, tables, workbook, yearly  # noqa: E402

WB = "in.xlsx"  # the input's file name inside a case folder
OUT = "out/plan.xlsx"  # where `plan -o` writes, relative to the case folder


# ---------------------------------------------------------------- the valid base

def base_tables() -> dict:
    """A small valid input using every sheet: rows are measures a, b, c (rows 2–4), instrument G,
    resource grid_north, one usage row, a 2025 milestone and one scenario."""
    return tables(
        measures=[measure("a", 1.0, 50), measure("b", 2.0, 80), measure("c", 2.0, 120)],
        resources=[{"resource_id": "grid_north", "name": "grid north", "kind": "stock", "unit": "MW",
                    **yearly(500.0)}],
        usage=[{"measure_id": "a", "resource_id": "grid_north", "amount": 100.0}],
        targets=[{"year": 2025, "reduction_mt": 1.0}],
        scenarios=[{"scenario": "cheap-b", "sheet": "measures", "id": "b", "column": "cost_eur_per_t",
                    "op": "set", "value": 40, "note": "b gets cheaper"}],
    )


@lru_cache(maxsize=1)
def base_bytes() -> bytes:
    """The valid base workbook as bytes (built once per process)."""
    with tempfile.TemporaryDirectory() as d:
        path = workbook(Path(d) / "base.xlsx", base_tables())
        return path.read_bytes()


def write_base(folder: Path, name: str = WB) -> Path:
    path = folder / name
    path.write_bytes(base_bytes())
    return path


# ---------------------------------------------------------------- editing helpers

def edit(fn: Callable) -> Callable[[Path], Path]:
    """A case maker: the base workbook opened with openpyxl, ``fn(wb)`` applied, saved as the input.

    openpyxl stores a string starting with '=' as a formula without a cached
    value — exactly a workbook that was never calculated.
    """
    def make(folder: Path) -> Path:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(base_bytes()))
        fn(wb)
        path = folder / WB
        wb.save(path)
        return path
    make.__doc__ = fn.__doc__
    return make


def col_of(ws, header) -> int:
    for cell in ws[1]:
        if cell.value == header:
            return cell.column
    raise KeyError(f"{ws.title}: no column {header!r}")


def setter(sheet: str, row: int, header, value) -> Callable[[Path], Path]:
    def fn(wb):
        ws = wb[sheet]
        ws.cell(row=row, column=col_of(ws, header)).value = value
    return edit(fn)


def delete_column(sheet: str, header) -> Callable[[Path], Path]:
    def fn(wb):
        ws = wb[sheet]
        ws.delete_cols(col_of(ws, header))
    return edit(fn)


def delete_sheet(sheet: str) -> Callable[[Path], Path]:
    return edit(lambda wb: wb.remove(wb[sheet]))


def append_row(sheet: str, values: dict) -> Callable[[Path], Path]:
    def fn(wb):
        ws = wb[sheet]
        r = ws.max_row + 1
        for header, value in values.items():
            ws.cell(row=r, column=col_of(ws, header)).value = value
    return edit(fn)


def add_sheet_now(wb, sheet: str, rows: list[dict]) -> None:
    """Add an input sheet holding ``rows`` (headers from their keys, in order) to an open workbook."""
    ws = wb.create_sheet(sheet)
    headers = list(dict.fromkeys(k for r in rows for k in r))
    for c, h in enumerate(headers, start=1):
        ws.cell(row=1, column=c).value = h
    for n, r in enumerate(rows, start=2):
        for c, h in enumerate(headers, start=1):
            ws.cell(row=n, column=c).value = r.get(h)


def add_sheet(sheet: str, rows: list[dict], *more: Callable) -> Callable[[Path], Path]:
    """A case maker: the base workbook with a new sheet holding ``rows``, after the edits ``more``."""
    def fn(wb):
        for other in more:
            other(wb)
        add_sheet_now(wb, sheet, rows)
    return edit(fn)


def cell(sheet: str, row: int, header, value) -> Callable:
    """An edit for :func:`add_sheet`: one cell, adding the column when the sheet has no such header."""
    def fn(wb):
        ws = wb[sheet]
        try:
            col = col_of(ws, header)
        except KeyError:
            col = ws.max_column + 1
            ws.cell(row=1, column=col).value = header
        ws.cell(row=row, column=col).value = value
    return fn


def zip_parts(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i, z.read(i.filename)) for i in z.infolist()]


def rezip(parts: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            z.writestr(name, data)
    return buf.getvalue()


def sheet_part(sheet: str, data: bytes | None = None) -> str:
    """The package part holding a sheet of the base (openpyxl numbers them in workbook order)."""
    with zipfile.ZipFile(io.BytesIO(data or base_bytes())) as z:
        names = re.findall(rb'<sheet [^>]*name="([^"]+)"', z.read("xl/workbook.xml"))
    return f"xl/worksheets/sheet{[n.decode() for n in names].index(sheet) + 1}.xml"


def patch_part(data: bytes, part: str, fn: Callable[[str], str]) -> bytes:
    """``data`` (a package) with one part's XML text replaced by ``fn(text)``."""
    found = False
    out = []
    for info, body in zip_parts(data):
        if info.filename == part:
            body = fn(body.decode("utf-8")).encode("utf-8")
            found = True
        out.append((info.filename, body))
    assert found, part
    return rezip(out)


def cell_ref(sheet: str, row: int, header) -> str:
    import openpyxl
    from openpyxl.utils import get_column_letter

    wb = openpyxl.load_workbook(io.BytesIO(base_bytes()), read_only=True)
    try:
        header_row = next(wb[sheet].iter_rows(min_row=1, max_row=1, values_only=True))
    finally:
        wb.close()
    return f"{get_column_letter(list(header_row).index(header) + 1)}{row}"


def raw_cell(sheet: str, row: int, header, xml: str) -> Callable[[Path], Path]:
    """Replace one cell's XML (``{ref}`` in ``xml`` is its reference): cells no spreadsheet writes."""
    def make(folder: Path) -> Path:
        ref = cell_ref(sheet, row, header)
        pattern = re.compile(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)')
        def fn(text: str) -> str:
            new, n = pattern.subn(xml.format(ref=ref), text, count=1)
            assert n == 1, ref
            return new
        path = folder / WB
        path.write_bytes(patch_part(base_bytes(), sheet_part(sheet), fn))
        return path
    return make


def raw_bytes(data: bytes, name: str = WB) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path
    return make


# ---------------------------------------------------------------- hostile XML (used by the corpus and the tests)

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    + "]>\n"
)
EXTERNAL_ENTITY = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>\n'


def with_doctype(part: str, doctype: str, entity: str | None) -> bytes:
    """The base with ``doctype`` prepended to a part and (for a sheet) one cell's text set to ``&entity;``."""
    def fn(text: str) -> str:
        text = re.sub(r"^<\?xml[^>]*\?>\s*", "", text)
        if entity and "worksheets" in part:
            text = re.sub(r'<c r="B2"[^>]*?(/>|>.*?</c>)',
                          f'<c r="B2" t="inlineStr"><is><t>&{entity};</t></is></c>', text, count=1)
        return doctype + text
    return patch_part(base_bytes(), part, fn)


# ---------------------------------------------------------------- the cases

@dataclass(frozen=True)
class Case:
    name: str
    category: str
    make: Callable[[Path], Path]  # writes the input into a folder; returns the path given on the command line
    fragment: str  # text the error line must contain (placeholders allowed)
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    args: tuple[str, ...] = ()  # after the workbook
    commands: tuple[str, ...] = ("plan", "check")
    names_file: bool = True  # the error line starts with the input's path
    argv: tuple[str, ...] | None = None  # the whole command line (usage errors), replacing the default
    problems: int = 1  # error lines expected
    subprocess: bool = False  # also run as a real subprocess (a representative subset)

    def command_line(self, command: str, folder: Path, wb: Path) -> list[str]:
        if self.argv is not None:
            argv = list(self.argv)
        else:
            argv = [command, "{wb}", *self.args]
            if command == "plan" and "-o" not in self.args:
                argv += ["-o", "{out}"]
        return [self.fill(a, folder, wb) for a in argv]

    def fill(self, text: str, folder: Path, wb: Path) -> str:
        return text.replace("{wb}", str(wb)).replace("{out}", str(folder / OUT)).replace("{dir}", str(folder))

    def location(self, folder: Path, wb: Path) -> str:
        """The start of the error line: where the problem is (Problem.__str__)."""
        where = []
        if self.names_file:
            where.append(str(wb))
        if self.sheet:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        return ", ".join(where)


def _missing(folder: Path) -> Path:
    return folder / "no-such-workbook.xlsx"


def _folder(folder: Path) -> Path:
    path = folder / "a-folder.xlsx"
    path.mkdir()
    return path


def _zip_without_workbook(folder: Path) -> Path:
    path = folder / WB
    path.write_bytes(rezip([("readme.txt", b"not a workbook"), ("data/measures.csv", b"measure_id\na\n")]))
    return path


def _truncated(folder: Path) -> Path:
    path = folder / WB
    data = base_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _broken_xml(folder: Path) -> Path:
    path = folder / WB
    path.write_bytes(patch_part(base_bytes(), sheet_part("measures"), lambda t: t[: len(t) // 2]))
    return path


def _hostile(part_sheet: str | None, part: str | None, doctype: str, entity: str | None):
    def make(folder: Path) -> Path:
        path = folder / WB
        path.write_bytes(with_doctype(part or sheet_part(part_sheet), doctype, entity))
        return path
    return make


def _existing_output(folder: Path) -> Path:
    (folder / "out").mkdir()
    (folder / OUT).write_bytes(b"an older plan the user wants to keep")
    return write_base(folder)


def _output_folder(folder: Path) -> Path:
    (folder / "out" / "plan.xlsx").mkdir(parents=True)
    return write_base(folder)


def _two_settings(wb):
    ws = wb["settings"]
    ws.append(["target_year", 2030])


def _dup_header(wb):
    ws = wb["measures"]
    ws.cell(row=1, column=col_of(ws, "source")).value = " Cost_EUR_per_t "


def _rename_co2(wb):
    ws = wb["prices"]
    ws.cell(row=2, column=col_of(ws, "parameter")).value = "co2_price"


def _duplicate_id(wb):
    ws = wb["measures"]
    ws.cell(row=4, column=col_of(ws, "measure_id")).value = "a"


def _start_after_target(wb):
    ws = wb["settings"]
    ws["B3"] = 2027


def _drop_target_year(wb):
    ws = wb["settings"]
    ws.delete_rows(4)


def _huge_gap(wb):
    """Each number plausible on its own, their product (the gap the solver sees) is not."""
    ws = wb["measures"]
    ws.cell(row=3, column=col_of(ws, "abatement_mt")).value = 1e6
    ws.cell(row=3, column=col_of(ws, "cost_eur_per_t")).value = 1e9
    ws.cell(row=3, column=col_of(ws, "support_years")).value = 1000


def _scenario_row(**values):
    row = {"scenario": "broken", "sheet": "measures", "id": "a", "column": "cost_eur_per_t", "op": "set", "value": 1}
    row.update(values)
    return append_row("scenarios", row)


_ok = write_base

CASES: tuple[Case, ...] = (
    # ---- not a workbook at all
    Case("missing_path", "not a workbook", _missing, "file not found", subprocess=True),
    Case("directory", "not a workbook", _folder, "is a folder", subprocess=True),
    Case("empty_file", "not a workbook", raw_bytes(b""), "is empty", subprocess=True),
    Case("csv_named_xlsx", "not a workbook",
         raw_bytes(b"measure_id,abatement_mt,cost_eur_per_t\na,1,50\n"), "not a zip package", subprocess=True),
    Case("random_bytes", "not a workbook", raw_bytes(random.Random(4).randbytes(4096)), "not a zip package"),
    Case("zip_without_workbook_parts", "not a workbook", _zip_without_workbook, "no xl/workbook.xml part",
         subprocess=True),
    Case("password_protected_ole2", "not a workbook",
         raw_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088)), "password-protected", subprocess=True),
    Case("truncated_xlsx", "not a workbook", _truncated, "damaged or truncated"),
    Case("broken_sheet_xml", "not a workbook", _broken_xml, "the sheet's XML is damaged", sheet="measures"),
    Case("billion_laughs_in_sheet", "not a workbook", _hostile("measures", None, BILLION_LAUGHS, "lol9"),
         "XML entities"),
    Case("billion_laughs_in_workbook_part", "not a workbook",
         _hostile(None, "xl/workbook.xml", BILLION_LAUGHS, None), "XML entities"),
    Case("external_entity", "not a workbook", _hostile("measures", None, EXTERNAL_ENTITY, "ext"), "XML entities"),
    # ---- structure
    Case("missing_sheet_budgets", "structure", delete_sheet("budgets"), "required sheet is missing",
         sheet="budgets", subprocess=True),
    Case("missing_sheet_measures", "structure", delete_sheet("measures"), "required sheet is missing",
         sheet="measures"),
    Case("missing_column", "structure", delete_column("measures", "abatement_mt"), "required column is missing",
         sheet="measures", row=1, column="abatement_mt"),
    Case("missing_year_column", "structure", delete_column("budgets", 2025), "year column 2025 is missing",
         sheet="budgets", row=1, column="2025"),
    Case("duplicated_header", "structure", edit(_dup_header), "duplicate column header",
         sheet="measures", row=1, column="cost_eur_per_t"),
    Case("missing_required_setting", "structure", edit(_drop_target_year), "required setting 'target_year' is missing",
         sheet="settings", column="key"),
    Case("duplicate_setting", "structure", edit(_two_settings), "duplicate setting 'target_year'",
         sheet="settings", row=6, column="key"),
    # ---- values
    Case("text_in_number", "values", setter("measures", 3, "cost_eur_per_t", "cheap"),
         "found 'cheap', expected a number", sheet="measures", row=3, column="cost_eur_per_t", subprocess=True),
    Case("bad_input_with_json_output", "values", setter("measures", 3, "cost_eur_per_t", "cheap"),
         "found 'cheap', expected a number", sheet="measures", row=3, column="cost_eur_per_t",
         args=("--json", "{dir}/out/plan.json"), commands=("plan",)),
    Case("bad_input_with_json_to_stdout", "values", setter("measures", 3, "cost_eur_per_t", "cheap"),
         "found 'cheap', expected a number", sheet="measures", row=3, column="cost_eur_per_t",
         args=("--json", "-"), commands=("plan",), subprocess=True),
    Case("text_in_year_column", "values", setter("budgets", 2, 2025, "lots"), "found 'lots', expected a number",
         sheet="budgets", row=2, column="2025"),
    Case("text_in_setting", "values", setter("settings", 5, "value", "twenty"),
         "setting 'target_reduction_mt': found 'twenty', expected a number", sheet="settings", row=5, column="value"),
    Case("blank_required", "values", setter("measures", 2, "support_years", None), "blank cell, expected a value",
         sheet="measures", row=2, column="support_years"),
    Case("blank_year_cell", "values", setter("resources", 2, 2026, None), "blank cell, expected a number",
         sheet="resources", row=2, column="2026"),
    Case("blank_required_setting", "values", setter("settings", 5, "value", None),
         "setting 'target_reduction_mt' is blank", sheet="settings", row=5, column="value"),
    Case("nan_text", "values", setter("measures", 2, "abatement_mt", "NaN"), "expected a finite number",
         sheet="measures", row=2, column="abatement_mt"),
    Case("inf_text", "values", setter("prices", 2, 2025, "-inf"), "expected a finite number",
         sheet="prices", row=2, column="2025"),
    Case("numeric_overflow_to_inf", "values", raw_cell("measures", 4, "abatement_mt", '<c r="{ref}" t="n"><v>1e999</v></c>'),
         "expected a finite number", sheet="measures", row=4, column="abatement_mt"),
    Case("numeric_cell_holding_nan", "values", raw_cell("measures", 2, "cost_eur_per_t", '<c r="{ref}" t="n"><v>NaN</v></c>'),
         "found 'NaN' in a cell stored as a number, expected a number", sheet="measures", row=2, column="cost_eur_per_t"),
    Case("error_value_cell", "values", raw_cell("budgets", 2, 2026, '<c r="{ref}" t="e"><v>#NUM!</v></c>'),
         "found '#NUM!', expected a number", sheet="budgets", row=2, column="2026"),
    Case("boolean_in_number", "values", setter("measures", 3, "abatement_mt", True), "found True, expected a number",
         sheet="measures", row=3, column="abatement_mt"),
    Case("date_in_number", "values", setter("measures", 3, "capex_meur", datetime(2025, 1, 1)),
         "found the date 2025-01-01, expected a number (is the cell formatted as a date?)",
         sheet="measures", row=3, column="capex_meur"),
    Case("fraction_in_whole_number", "values", setter("measures", 2, "lead_time_years", 1.5),
         "expected a whole number", sheet="measures", row=2, column="lead_time_years"),
    Case("negative_abatement", "values", setter("measures", 2, "abatement_mt", -1.0), "expected a number > 0",
         sheet="measures", row=2, column="abatement_mt"),
    Case("negative_budget", "values", setter("budgets", 2, 2024, -5), "expected a number ≥ 0",
         sheet="budgets", row=2, column="2024"),
    Case("negative_capacity", "values", setter("resources", 2, 2025, -1), "expected a number ≥ 0",
         sheet="resources", row=2, column="2025"),
    Case("negative_capex", "values", setter("measures", 4, "capex_meur", -10), "expected a number ≥ 0",
         sheet="measures", row=4, column="capex_meur"),
    Case("negative_cost_weight", "values", setter("instruments", 2, "cost_weight", -1), "expected a number ≥ 0",
         sheet="instruments", row=2, column="cost_weight"),
    Case("share_above_one", "values", setter("measures", 3, "max_share", 1.5), "expected a share in (0, 1]",
         sheet="measures", row=3, column="max_share"),
    Case("share_zero", "values", setter("measures", 3, "max_share", 0), "expected a share in (0, 1]",
         sheet="measures", row=3, column="max_share"),
    Case("capex_share_cap_above_one", "values", setter("instruments", 2, "capex_share_cap", 1.2),
         "expected a share in [0, 1]", sheet="instruments", row=2, column="capex_share_cap"),
    Case("mip_gap_above_one", "values", append_row("settings", {"key": "mip_gap", "value": 2}),
         "setting 'mip_gap': found 2, expected a share in [0, 1]", sheet="settings", row=6, column="value"),
    Case("number_too_large", "values", setter("usage", 2, "amount", 1e15),
         "found 1e+15, expected a number between -1e12 and 1e12", sheet="usage", row=2, column="amount"),
    Case("subsidy_gap_too_large", "values", edit(_huge_gap), "gives a subsidy gap of 1e+18 M€",
         sheet="measures", row=3, column="cost_eur_per_t"),
    Case("support_years_zero", "values", setter("measures", 4, "support_years", 0), "expected a number > 0",
         sheet="measures", row=4, column="support_years"),
    Case("support_years_negative", "values", setter("measures", 4, "support_years", -3), "expected a number > 0",
         sheet="measures", row=4, column="support_years"),
    Case("start_after_target", "values", edit(_start_after_target), "start_year 2027 is after target_year 2026",
         sheet="settings", row=3, column="value"),
    Case("milestone_outside_range", "values", setter("targets", 2, "year", 2031),
         "milestone year 2031 is outside 2024–2026", sheet="targets", row=2, column="year"),
    Case("lumpy_not_yes_no", "values", setter("measures", 3, "lumpy", "maybe"), "found 'maybe', expected yes or no",
         sheet="measures", row=3, column="lumpy"),
    Case("resource_kind_not_stock_flow", "values", setter("resources", 2, "kind", "pool"),
         "found 'pool', expected one of stock, flow", sheet="resources", row=2, column="kind"),
    # ---- references
    Case("duplicate_id", "references", edit(_duplicate_id), "duplicate id 'a' (first on row 2)",
         sheet="measures", row=4, column="measure_id", subprocess=True),
    Case("unknown_instrument_in_eligibility", "references", setter("measures", 3, "eligible_instruments", "G;NOPE"),
         "unknown instrument 'NOPE'", sheet="measures", row=3, column="eligible_instruments"),
    Case("instrument_listed_twice", "references", setter("measures", 3, "eligible_instruments", "G;G"),
         "listed twice", sheet="measures", row=3, column="eligible_instruments"),
    Case("usage_unknown_measure", "references", append_row("usage", {"measure_id": "zz", "resource_id": "grid_north",
                                                                     "amount": 1}),
         "unknown measure 'zz'", sheet="usage", row=3, column="measure_id"),
    Case("usage_unknown_resource", "references", setter("usage", 2, "resource_id", "grid_south"),
         "unknown resource 'grid_south'", sheet="usage", row=2, column="resource_id"),
    Case("duplicate_usage", "references", append_row("usage", {"measure_id": "a", "resource_id": "grid_north",
                                                               "amount": 3}),
         "duplicate usage of 'grid_north' by 'a' (first on row 2)", sheet="usage", row=3, column="resource_id"),
    Case("budget_row_for_unknown_instrument", "references",
         append_row("budgets", {"instrument_id": "X", 2024: 1, 2025: 1, 2026: 1}),
         "budget row for unknown instrument 'X'", sheet="budgets", row=3, column="instrument_id"),
    Case("instrument_without_budget_row", "references", append_row("instruments", {"instrument_id": "H"}),
         "instrument 'H' has no row in sheet 'budgets'", sheet="instruments", row=3, column="instrument_id"),
    Case("missing_co2_price_row", "references", edit(_rename_co2), "required row 'co2_price_eur_per_t' is missing",
         sheet="prices", column="parameter"),
    # ---- decisions already taken (sheet committed) and cash limits (sheet cash_limits)
    Case("committed_unknown_measure", "references", add_sheet("committed", [{"measure_id": "zz", "year": 2023,
                                                                            "share": 1.0}]),
         "unknown measure 'zz'", sheet="committed", row=2, column="measure_id", subprocess=True),
    Case("committed_share_above_what_is_left", "values",
         add_sheet("committed", [{"measure_id": "a", "year": 2022, "share": 0.6},
                                 {"measure_id": "a", "year": 2024, "share": 0.5}]),
         "share 0.5 is above what is left of max_share 1 of 'a': 0.4", sheet="committed", row=3, column="share"),
    Case("committed_negative_share", "values", add_sheet("committed", [{"measure_id": "a", "year": 2023,
                                                                       "share": -0.5}]),
         "found -0.5, expected a share in (0, 1]", sheet="committed", row=2, column="share"),
    Case("committed_instrument_not_eligible", "references",
         add_sheet("committed", [{"measure_id": "c", "year": 2023, "share": 1.0, "instrument_id": "G",
                                  "subsidy_meur": 10}], cell("measures", 4, "eligible_instruments", None)),
         "measure 'c' is not eligible for instrument 'G'", sheet="committed", row=2, column="instrument_id"),
    Case("committed_year_after_target", "values", add_sheet("committed", [{"measure_id": "a", "year": 2027,
                                                                          "share": 1.0}]),
         "year 2027 is after target_year 2026", sheet="committed", row=2, column="year"),
    Case("committed_past_subsidy_without_instrument", "values",
         add_sheet("committed", [{"measure_id": "a", "year": 2023, "share": 1.0, "subsidy_meur": 10}]),
         "a past subsidy of 10 M€ without an instrument", sheet="committed", row=2, column="instrument_id"),
    Case("committed_forced_without_budget", "values",
         add_sheet("committed", [{"measure_id": "b", "year": 2024, "share": 0.5}], cell("budgets", 2, 2024, 0)),
         "the forced decision on 'b' in 2024 cannot be paid", sheet="committed", row=2, column="year"),
    Case("payout_not_summing_to_one", "values", edit(cell("instruments", 2, "payout", "0.5;0.4")),
         "the shares sum to 0.9", sheet="instruments", row=2, column="payout"),
    Case("cash_limit_unknown_instrument", "references", add_sheet("cash_limits", [{"instrument_id": "X", 2025: 10}]),
         "unknown instrument 'X'", sheet="cash_limits", row=2, column="instrument_id", subprocess=True),
    Case("cash_limit_negative", "values", add_sheet("cash_limits", [{"instrument_id": "*", 2025: -5}]),
         "expected a number ≥ 0", sheet="cash_limits", row=2, column="2025"),
    Case("cash_limit_text", "values", add_sheet("cash_limits", [{"instrument_id": "*", 2024: "lots"}]),
         "found 'lots', expected a number", sheet="cash_limits", row=2, column="2024"),
    Case("cash_limit_before_start_year", "values", add_sheet("cash_limits", [{"instrument_id": "*", 2023: 100}]),
         "year 2023 is before start_year 2024", sheet="cash_limits", row=2, column="2023"),
    Case("cash_limit_below_the_past_cash", "values",
         add_sheet("cash_limits", [{"instrument_id": "*", 2024: 50}],
                   cell("instruments", 2, "payout", "0;1"),
                   lambda wb: add_sheet_now(wb, "committed", [{"measure_id": "a", "year": 2023, "share": 1.0,
                                                              "instrument_id": "G", "subsidy_meur": 200}])),
         "the past decisions (sheet committed) alone pay 200 M€ in 2024, above this limit of 50 M€",
         sheet="cash_limits", row=2, column="2024"),
    # ---- formulas
    Case("formula_without_cached_value", "formulas", setter("measures", 2, "abatement_mt", "=0.5*2"),
         "holds the formula '=0.5*2' that was never calculated: open and save the workbook in Excel or LibreOffice",
         sheet="measures", row=2, column="abatement_mt", subprocess=True),
    Case("formula_in_year_column", "formulas", setter("budgets", 2, 2025, "=SUM(1,2)"), "never calculated",
         sheet="budgets", row=2, column="2025"),
    Case("formula_in_text_column", "formulas", setter("measures", 4, "eligible_instruments", '="G"'),
         "never calculated", sheet="measures", row=4, column="eligible_instruments"),
    Case("formula_in_setting", "formulas", setter("settings", 4, "value", "=2020+6"), "never calculated",
         sheet="settings", row=4, column="value"),
    # ---- overrides
    Case("override_unknown_sheet", "overrides", _ok, "unknown sheet 'nosuch', expected one of settings, measures",
         args=("--set", "nosuch:a:x=1"), subprocess=True),
    Case("override_unknown_id", "overrides", _ok, "no row of sheet 'measures' has an id matching 'zzz'",
         args=("--set", "measures:zzz:cost_eur_per_t=1")),
    Case("override_unknown_column", "overrides", _ok, "no column of sheet 'measures' matching 'nosuch'",
         args=("--set", "measures:a:nosuch=1")),
    Case("override_pattern_matches_nothing", "overrides", _ok, "no row of sheet 'budgets' has an id matching 'X*'",
         args=("--scale", "budgets:X*:*=2")),
    Case("override_factor_not_a_number", "overrides", _ok, "scale needs a number, found 'lots'",
         args=("--scale", "budgets:G:*=lots")),
    Case("override_delta_not_a_number", "overrides", _ok, "add needs a number, found 'two'",
         args=("--add", "measures:a:lead_time_years=two")),
    Case("override_value_not_a_number", "overrides", _ok, "found 'cheap', expected a number",
         args=("--set", "measures:a:cost_eur_per_t=cheap")),
    Case("override_unknown_setting", "overrides", _ok, "unknown setting 'nosuch'", args=("--set", "settings:nosuch=1")),
    Case("override_malformed", "overrides", _ok, "expected SHEET:ID:COLUMN=VALUE", args=("--set", "measures:a=1")),
    Case("override_makes_value_invalid", "overrides", _ok, "after the overrides: found -1, expected a number > 0",
         sheet="measures", row=2, column="abatement_mt", args=("--set", "measures:a:abatement_mt=-1")),
    Case("unknown_scenario", "overrides", _ok, "--scenario nope: unknown scenario; known: cheap-b",
         args=("--scenario", "nope")),
    Case("scenario_row_matches_nothing", "overrides", _scenario_row(id="zzz"),
         "no row of sheet 'measures' has an id matching 'zzz'", sheet="scenarios", row=3,
         args=("--scenario", "broken")),
    Case("scenario_row_bad_op", "overrides", _scenario_row(op="multiply"),
         "found 'multiply', expected one of set, scale, add", sheet="scenarios", row=3, column="op"),
    # ---- command-line usage
    Case("unknown_option", "usage", _ok, "unrecognized arguments: --frobnicate", args=("--frobnicate",),
         names_file=False, subprocess=True),
    Case("check_without_workbook", "usage", _ok, "the following arguments are required: workbook",
         argv=("check",), commands=("check",), names_file=False),
    Case("unknown_command", "usage", _ok, "invalid choice: 'optimise'", argv=("optimise", "{wb}"),
         commands=("",), names_file=False),
    Case("max_unzipped_mb_not_a_number", "usage", _ok, "--max-unzipped-mb: expected a number of MB > 0, found 'lots'",
         args=("--max-unzipped-mb", "lots"), names_file=False),
    Case("max_unzipped_mb_not_positive", "usage", _ok, "--max-unzipped-mb: expected a number of MB > 0",
         args=("--max-unzipped-mb", "-5"), names_file=False),
    Case("max_unzipped_mb_too_small", "usage", _ok, "above the limit of 0.001 MB",
         args=("--max-unzipped-mb", "0.001")),
    Case("scenario_without_name", "usage", _ok, "argument --scenario: expected one argument",
         argv=("check", "{wb}", "--scenario"), commands=("check",), names_file=False),
    Case("output_is_the_input", "usage", _ok, "-o {wb}: that is the input workbook", args=("-o", "{wb}"),
         commands=("plan",), names_file=False, subprocess=True),
    Case("output_exists_without_force", "usage", _existing_output, "-o {out}: file exists; pass --force",
         commands=("plan",), names_file=False, subprocess=True),
    Case("output_is_a_folder", "usage", _output_folder, "-o {out}: is a folder", commands=("plan",),
         names_file=False),
    Case("output_is_a_folder_with_force", "usage", _output_folder, "-o {out}: is a folder",
         args=("-o", "{out}", "--force"), commands=("plan",), names_file=False),
    Case("output_inside_a_file", "usage", _ok, "-o {wb}/plan.xlsx: {wb} is a file, not a folder",
         args=("-o", "{wb}/plan.xlsx"), commands=("plan",), names_file=False),
    Case("json_is_the_input", "usage", _ok, "--json {wb}: that is the input workbook", args=("--json", "{wb}"),
         commands=("plan",), names_file=False),
)

assert len({c.name for c in CASES}) == len(CASES), "case names must be unique"


def build(case: Case, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return case.make(folder)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Write the corpus of malformed inputs for review.")
    parser.add_argument("folder", nargs="?", type=Path, help="write one sub-folder per case here")
    parser.add_argument("--list", action="store_true", help="list the cases")
    args = parser.parse_args(argv)
    if args.list or not args.folder:
        for c in CASES:
            print(f"{c.category:15} {c.name:36} {c.fragment}")
        print(f"{len(CASES)} cases")
        return 0
    lines = ["# Malformed-input corpus", "", "| case | category | command | must say | sheet | row | column |",
             "|---|---|---|---|---|---|---|"]
    for c in CASES:
        folder = args.folder / c.name
        wb = build(c, folder)
        for cmd in c.commands:
            argv_ = " ".join(c.command_line(cmd, folder, wb))
            lines.append(f"| {c.name} | {c.category} | `policymix {argv_}` | {c.fill(c.fragment, folder, wb)} | "
                         f"{c.sheet or ''} | {c.row or ''} | {c.column or ''} |")
    (args.folder / "cases.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(CASES)} cases to {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
