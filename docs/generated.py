"""What every docs generator does with the text it made: write its page, or with --check say that the page is
out of date (exit 1) so that a test fails when the page drifts from the code."""

from __future__ import annotations

import sys
from pathlib import Path


def publish(page: Path, text: str, check: bool, script: str) -> int:
    """Write ``text`` to ``page`` (only when it changed); with ``check`` write nothing and return 1 when the page
    differs, naming ``script`` (the generator, e.g. "make_commands.py") as the way to bring it up to date."""
    stale = not page.exists() or page.read_text(encoding="utf-8") != text
    if check:
        if stale:
            print(f"{page} is out of date: run python docs/{script}", file=sys.stderr)
            return 1
        print(f"{page} is up to date")
        return 0
    if stale:
        page.write_text(text, encoding="utf-8")
    print(f"wrote {page}" if stale else f"{page} is up to date")
    return 0


def between(page: Path, begin: str, end: str, section: str) -> str | None:
    """The text of ``page`` with what stands between the markers ``begin`` and ``end`` replaced by ``section``
    (a line each for the markers); None, with a line on stderr, when a marker is missing."""
    text = page.read_text(encoding="utf-8")
    head, found_begin, rest = text.partition(begin)
    _old, found_end, tail = rest.partition(end)
    if not (found_begin and found_end):
        print(f"{page}: the markers {begin} … {end} are missing", file=sys.stderr)
        return None
    return f"{head}{begin}\n{section.rstrip(chr(10))}\n{end}{tail}"
