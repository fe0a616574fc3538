"""Writing files so that nothing is ever half-written: a temporary file beside the target, then a rename."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path


def atomic_write(path: str | os.PathLike, write, *, force: bool = True) -> Path:
    """Call ``write(tmp_path)`` to fill a temporary file beside ``path``, then rename it into place.

    The temporary file is flushed and synced before the rename, so an interrupted run leaves
    the old file or the new one, never a truncated one. With ``force=False`` an existing target
    is never replaced (the rename is a hard link that fails if the name exists, so two runs
    cannot both claim it).
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        if force:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)  # raises FileExistsError rather than replace
            os.unlink(tmp)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return target


def json_text(document: dict | list) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_json(document: dict | list, path: str, *, force: bool = True) -> None:
    """Write JSON to ``path`` atomically, or to stdout when ``path`` is '-'."""
    text = json_text(document)
    if path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return

    def fill(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)

    atomic_write(path, fill, force=force)


def write_model_file(write_model, path: str | os.PathLike, *, force: bool = True) -> Path:
    """Write a solver's model file atomically: ``write_model(name)`` writes it in the format that
    ``name``'s extension says (``.mps``, ``.lp``), so the temporary file keeps that extension."""
    suffix = Path(path).suffix

    def fill(tmp: str) -> None:
        named = tmp + suffix
        try:
            write_model(named)
            os.replace(named, tmp)
        finally:
            if os.path.exists(named):
                os.unlink(named)

    return atomic_write(path, fill, force=force)
