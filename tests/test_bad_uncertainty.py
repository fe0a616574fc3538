"""Every malformed uncertainty sheet of tests/make_bad_uncertainty.py is refused by check and futures:
exit 2, one line naming sheet, row and column, nothing written."""

from __future__ import annotations

import pytest

from make_bad_corpus import OUT, build
from make_bad_uncertainty import CASES, with_sheet
from optimiser.cli import main
from test_bad_input import check_refusal, snapshot

COMMANDS = ("check", "futures")


def argv(command: str, folder, wb) -> list[str]:
    if command == "check":
        return ["check", str(wb)]
    return ["futures", str(wb), "-o", str(folder / OUT), "--samples", "4", "--jobs", "1"]


def test_the_base_is_valid(tmp_path, capsys):
    wb = with_sheet({})(tmp_path)
    assert main(["check", str(wb)]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("command", COMMANDS)
def test_refused(case, command, tmp_path, capsys):
    folder = tmp_path / "case"
    wb = build(case, folder)
    before = snapshot(folder)
    code = main(argv(command, folder, wb))
    check_refusal(case, folder, wb, code, capsys.readouterr().err, before)
