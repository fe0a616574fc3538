"""Writing files so that nothing is ever half-written: a temporary file beside the target, then a rename."""

from __future__ import annotations

import errno
import json
import os
import secrets
import stat
import sys
from pathlib import Path


#: The longest file name most file systems take (bytes); a temporary name is kept within it.
NAME_MAX = 255


def _temporary(folder: Path, name: str) -> tuple[int, str]:
    """Create a new hidden file ``.<name>.<random>.tmp`` in ``folder`` as an ordinary new file is created
    (mode 0666 less the umask, as ``open(path, "w")`` would), and return its descriptor and path. A long
    ``name`` is shortened in the temporary name so that it stays a legal file name."""
    stem = name
    while len(f".{stem}.12345678.tmp".encode()) > NAME_MAX:
        stem = stem[:-1]
    for _attempt in range(100):
        path = folder / f".{stem}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666), str(path)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder / f".{stem}.tmp"))


def atomic_write(path: str | os.PathLike, write, *, force: bool = True) -> Path:
    """Call ``write(tmp_path)`` to fill a temporary file beside ``path``, then rename it into place.

    The temporary file is flushed and synced before the rename, so an interrupted run leaves
    the old file or the new one, never a truncated one. With ``force=False`` an existing target
    is never replaced (the rename is a hard link that fails if the name exists, so two runs
    cannot both claim it).

    The file gets the permissions an ordinary new file gets (0666 less the umask); a file it replaces
    keeps its own. An error of the file system names ``path``, the user's file, never the temporary one.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except FileExistsError:  # a file stands where a folder of the path should be: not "the name is taken"
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder)) from None
        fd, tmp = _temporary(folder, target.name)
        ordinary = stat.S_IMODE(os.fstat(fd).st_mode)
        os.close(fd)
    except OSError as exc:
        raise _about(exc, target) from exc
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        mode = _replaced_mode(target) if force else None
        os.chmod(tmp, ordinary if mode is None else mode)  # a writer may have made the file anew (HiGHS does)
        if force:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)  # raises FileExistsError rather than replace
            os.unlink(tmp)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError) and any(str(name or "").startswith(tmp) for name in (exc.filename, exc.filename2)):
            raise _about(exc, target) from exc
        raise
    return target


def _replaced_mode(target: Path) -> int | None:
    """The permissions of the file ``target`` that is about to be replaced (None: no such file)."""
    try:
        st = os.stat(target)
    except OSError:
        return None
    return stat.S_IMODE(st.st_mode) if stat.S_ISREG(st.st_mode) else None


def _about(exc: OSError, target: Path) -> OSError:
    """The same error (its class follows its errno: PermissionError, FileExistsError, …) about the user's file."""
    if exc.errno is None:
        return OSError(f"{target}: {exc}")
    return OSError(exc.errno, exc.strerror or os.strerror(exc.errno), str(target))


def json_text(document: dict | list, *, compact: bool = False) -> str:
    """JSON text: indented for a person, or ``compact`` (one line, for a program; written by the json module's
    C encoder, several times faster than the indented text of a plant-level plan)."""
    if compact:
        return json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
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
