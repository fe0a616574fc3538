"""Regenerate the table of commands and options in docs/commands.md from the command record.

    python docs/make_commands.py            # rewrite the section between the markers
    python docs/make_commands.py --check    # exit 1 when the section is out of date

Every row comes from ``optimiser.commands.COMMANDS`` (the record the parser, the API and the validation are made
from), so the page cannot drift from what ``policymix --help`` and ``help(optimiser.plan)`` say.
Nothing under /work/shared is read.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # the package; generated.py beside this script

from optimiser.commands import COMMANDS, SETTINGS  # noqa: E402
from generated import between, publish  # noqa: E402

PAGE = HERE / "commands.md"
BEGIN, END = "<!-- commands:begin -->", "<!-- commands:end -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def section() -> str:
    lines = []
    for command in COMMANDS.values():
        lines += [f"### `policymix {command.name}` · `optimiser.{command.python_name}()`", "", command.help + ".", "",
                  "| command line | Python | value | default | what |", "|---|---|---|---|---|"]
        for o in command.options:
            if not (o.cli or o.api):  # the pipeline's own (where default names go, whether to write)
                continue
            cli = ("`" + ", ".join(o.flags) + (f" {o.metavar}`" if o.metavar else "`") if o.flags else
                   f"`{o.metavar or o.name.upper()}`") if o.cli else "—"
            python = f"`{o.name}`" if o.api else "—"
            value = o.kind.expected.format(choices=", ".join(o.kind.choices))
            if o.role == "output" and o.suffixes:
                value += " (" + " or ".join(o.suffixes) + (", or - for stdout" if o.stdout else "") + ")"
            default = "required" if o.required else (f"`{o.shown_default()}`" if o.default not in (None, ()) else "")
            text = o.help.format(default=o.shown_default(), kind=command.kind or command.name)
            lines.append(f"| {_cell(cli)} | {python} | {_cell(value)} | {_cell(default)} | {_cell(text)} |")
        if command.takes_settings:
            lines.append(f"| — | `**{SETTINGS}` | settings of the workbook | | any setting as a keyword: "
                         "`target_reduction_mt=25` (same as `--set settings:target_reduction_mt=25`) |")
        for group in command.exclusive:
            lines += ["", "At most one of " + ", ".join(f"`{command.option(n).flags[0]}`" for n in group) + "."]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main(argv=None) -> int:
    """Rewrite the section (or, with --check, only say whether it is stale: exit 1)."""
    check = "--check" in (sys.argv[1:] if argv is None else argv)
    fresh = between(PAGE, BEGIN, END, section())
    return 2 if fresh is None else publish(PAGE, fresh, check, "make_commands.py")


if __name__ == "__main__":
    sys.exit(main())
