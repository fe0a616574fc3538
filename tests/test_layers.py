"""The package's shape: stages in subpackages, imports only running down them, each spreadsheet engine in its place."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "optimiser"

#: Each module's place in the flow — input (read and validate, scenario) → model (index sets, families,
#: build, solve, extract) → analysis (many plans: sweeps, alternatives, the rules) → report (workbooks,
#: JSON, terminal) → commands (the record of every command and option) → pipeline → CLI/API. A module may import
#: only modules of a lower rank.
RANK = {
    "__init__": 0, "lang": 0.5,
    "input.__init__": 0, "input.data": 1, "input.hints": 1, "input.manifest": 2, "input.tables": 3, "input.read": 4,
    "input.targeting": 2.5, "input.planfile": 5, "input.scenario": 5, "input.synthetic": 5, "input.uncertainty": 6,
    "model.__init__": 10, "model.committed": 10.5, "model.index": 11, "model.cash": 11.5, "model.families": 12,
    "model.build": 13, "model.solve": 14,
    "model.results": 15, "model.fields": 15.5, "model.extract": 16, "model.optimum": 17,
    "analysis.__init__": 20, "analysis.runs": 20.5, "analysis.compare": 21, "analysis.alternatives": 21,
    "analysis.simulate": 21, "analysis.sweep": 21, "analysis.rules_gap": 22, "analysis.recourse": 21.5,
    "analysis.futures": 22, "analysis.extensive": 22.5, "analysis.decide": 23, "analysis.confidence": 24,
    "analysis.delays": 24, "analysis.replan": 22,
    "report.__init__": 30, "report.files": 31, "report.xlsx": 32, "report.inputs": 33, "report.jsondoc": 33,
    "report.words": 33, "report.cash": 33, "report.columns": 33.5, "report.plan": 34, "report.sweep": 34, "report.comparison": 34,
    "report.answers": 33.2, "report.delays": 34,
    "report.futures": 34, "report.terminal": 34, "report.template": 34, "report.rules": 35, "report.iamc": 34,
    "report.frames": 35,
    "commands": 38,
    "pipeline": 40,
    "cli": 41, "api": 41,
    "__main__": 42,
}
#: The only modules that import pandas (where DataFrames are made).
PANDAS = {"report.frames", "api"}
#: Where workbooks are opened (reading, untrusted input: openpyxl) and written (the spreadsheet toolkit: XlsxWriter).
OPENPYXL = {"input.read", "input.planfile"}
XLSXWRITER = {"report.xlsx"}


def _name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE).with_suffix("").parts)


def _modules() -> dict[str, Path]:
    return {_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(name: str, path: Path) -> tuple[set[str], set[str]]:
    """(package modules imported, top-level third-party packages imported), anywhere in the file."""
    own, other = set(), set()
    package = name.split(".")[:-1] if not name.endswith("__init__") else name.split(".")[:-1]
    modules = _modules()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = base + (node.module.split(".") if node.module else [])
                dotted = ".".join(target)
                if dotted in modules:
                    own.add(dotted)
                elif f"{dotted}.__init__" in modules or not dotted:
                    for a in node.names:  # from . import x / from .sub import module
                        sub = ".".join(target + [a.name])
                        own.add(sub if sub in modules else (f"{dotted}.__init__" if dotted else "__init__"))
            elif node.module:
                other.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            other.update(a.name.split(".")[0] for a in node.names)
    return own, other


def test_every_module_has_a_rank():
    assert set(_modules()) == set(RANK)


def test_imports_only_run_down_the_stages():
    upward = []
    for name, path in _modules().items():
        own, _ = _imports(name, path)
        for target in own:
            if target != name and RANK[target] >= RANK[name] and target != "__init__":
                upward.append(f"{name} (rank {RANK[name]}) imports {target} (rank {RANK[target]})")
    assert not upward, upward


def test_subpackages_follow_the_flow():
    """No stage imports a later stage: input ← model ← analysis ← report ← pipeline ← cli."""
    order = ["input", "model", "analysis", "report", "pipeline", "cli"]
    bad = []
    for name, path in _modules().items():
        stage = name.split(".")[0]
        if stage not in order:
            continue
        for target in _imports(name, path)[0]:
            other = target.split(".")[0]
            if other in order and order.index(other) > order.index(stage):
                bad.append(f"{name} imports {target}")
    assert not bad, bad


def test_openpyxl_is_imported_where_workbooks_are_read_only():
    users = {name for name, path in _modules().items() if "openpyxl" in _imports(name, path)[1]}
    assert users == OPENPYXL, users ^ OPENPYXL


def test_the_writer_engine_is_imported_by_the_toolkit_only():
    users = {name for name, path in _modules().items() if "xlsxwriter" in _imports(name, path)[1]}
    assert users == XLSXWRITER, users ^ XLSXWRITER


#: What the spreadsheet engines' objects offer (openpyxl's and XlsxWriter's workbooks, sheets, cells, formats and
#: charts): a module that uses one of these holds an engine object. Only the toolkit and the readers may.
ENGINE_ATTRIBUTES = {
    # openpyxl
    "ws", "st", "_wb", "cell", "font", "fill", "alignment", "number_format", "freeze_panes", "add_chart",
    "column_dimensions", "row_dimensions", "merge_cells", "sheet_state", "properties", "conditional_formatting",
    "add_data_validation", "data_validations", "print_title_rows", "print_title_cols", "print_area", "page_setup",
    "page_margins", "x_axis", "y_axis", "scaling", "_charts", "create_sheet", "active", "column_letter",
    "auto_filter", "row_breaks", "col_breaks", "oddHeader", "oddFooter", "comment",
    # XlsxWriter
    "add_worksheet", "add_format", "write_number", "write_string", "write_blank", "write_boolean", "write_comment",
    "set_column", "set_column_pixels", "set_row", "merge_range", "autofilter", "data_validation",
    "conditional_format", "insert_chart", "add_series", "set_x_axis", "set_y_axis", "set_y2_axis", "combine",
    "set_paper", "set_landscape", "set_portrait", "fit_to_pages", "set_print_scale", "set_margins", "repeat_rows",
    "repeat_columns", "set_h_pagebreaks", "set_v_pagebreaks", "set_header", "set_footer", "worksheets_objs",
    "set_properties",
}


def test_no_spreadsheet_object_is_used_outside_the_toolkit_and_the_readers():
    """Writers go through report/xlsx.py's own API (Book, Sheet, Chart): no engine object anywhere else, so
    the engine behind the toolkit can change in one module."""
    found: dict[str, list[str]] = {}
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ENGINE_ATTRIBUTES:
                found.setdefault(name, []).append(f"{name}:{node.lineno} .{node.attr}")
    assert len(found.get("report.xlsx", [])) > 20  # the check sees the toolkit's own use of the engine
    outside = [use for name, uses in found.items() if name not in OPENPYXL | XLSXWRITER for use in uses]
    assert not outside, outside


def test_the_cli_does_not_import_pandas():
    import subprocess
    import sys

    code = "import sys, optimiser.cli; sys.exit(0 if 'pandas' not in sys.modules else 1)"
    assert subprocess.run([sys.executable, "-c", code], cwd=PACKAGE.parent).returncode == 0


def test_pandas_is_imported_only_where_dataframes_are_made():
    users = {name for name, path in _modules().items() if "pandas" in _imports(name, path)[1]}
    assert users <= PANDAS, users - PANDAS


def test_the_package_is_cheap_to_import_and_its_api_names_load_on_first_use():
    """import optimiser loads neither pandas nor the solver; every top-level API name resolves."""
    import subprocess
    import sys

    import optimiser

    code = ("import sys, optimiser; heavy = [m for m in ('pandas', 'pyomo', 'highspy', 'openpyxl') "
            "if m in sys.modules]; sys.exit(1 if heavy else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=PACKAGE.parent).returncode == 0
    for name, module in optimiser._LAZY.items():
        assert module in RANK, (name, module)
        assert getattr(optimiser, name) is getattr(__import__(f"optimiser.{module}", fromlist=[name]), name)
    assert set(optimiser._LAZY) <= set(dir(optimiser))
