"""Writing an output file whole or not at all: a failed write never leaves a cut file where a good one was.

A regular file (or a path where none is yet) is written to a temporary file beside it, then renamed over it. A
character device or a pipe (/dev/stdout, /dev/null, a named pipe) cannot be replaced: it is written to directly,
once the output is built whole.
"""

from __future__ import annotations

import os
import stat
import uuid
from collections.abc import Callable
from pathlib import Path

from evalviz.errors import OutputError
from evalviz.rendering.outgoing import well_formed

_TEMPORARY_MIN = 24  # the length a temporary name may take even beside a shorter name (".{8 hex}.tmp" and more)


def replace_file(path: str | os.PathLike[str], build: Callable[[], str | bytes]) -> Path:
    """Check `path`, build the content (text is written as UTF-8, `_bytes`), write it to a temporary file beside `path`,
    then rename that over `path`; a character device or a pipe is written to directly.

    Nothing is written when the path is wrong or building fails. Readers see the old file or the new one, never
    a part of either. A file that was there keeps its permissions; a symbolic link keeps pointing where it did,
    and its target is replaced. The temporary name is no longer than the file's own (or 24 bytes), so any name
    the folder takes can be written.

    Raises:
        OutputError: `path` is not a path, is a folder or another file that cannot be written (a socket, a
            block device), is in a folder that does not exist, or the system refuses the write (permissions, a
            full disk).
        Whatever `build` raises.

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "chart.html"
        >>> replace_file(target, lambda: "<p>chart</p>").read_text()
        '<p>chart</p>'
    """
    if isinstance(path, bytes) or not isinstance(path, str | os.PathLike) or not os.fspath(path):
        raise OutputError(f"Give the path of the file to write, such as 'chart.html', not {path!r}.")
    target = Path(path)
    kind = _kind(target)
    if kind is not None and not stat.S_ISREG(kind):
        if stat.S_ISCHR(kind) or stat.S_ISFIFO(kind):
            _write_directly(target, build())
            return target
        raise OutputError(_not_writable(target, kind))
    final = Path(os.path.realpath(target))
    if not final.parent.is_dir():
        raise OutputError(f"The folder {str(final.parent)!r} does not exist: create it, or write elsewhere.")
    content = build()
    data = _bytes(content)
    temporary = final.with_name(_temporary_name(final.name))
    try:
        # Created as open() would create the file (0o666 less the umask), then given the old file's mode.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise OutputError(_could_not_write(target, exc)) from exc
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if final.exists():
            os.chmod(temporary, stat.S_IMODE(final.stat().st_mode))
        os.replace(temporary, final)
    except BaseException as exc:
        temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):  # a full disk, a file the user may not replace
            raise OutputError(_could_not_write(target, exc)) from exc
        raise
    return target


def _could_not_write(target: Path, exc: OSError) -> str:
    return (f"Could not write {str(target)!r}: {exc.strerror or exc}. Check the folder's permissions and free "
            "space, or write elsewhere.")


def _kind(target: Path) -> int | None:
    """The file type bits of what `target` leads to (following links, as the kernel does for /dev/stdout), or
    None when nothing is there yet."""
    try:
        return os.stat(target).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"{str(target)!r} cannot be written: {exc.strerror or exc}.") from exc


def _not_writable(target: Path, mode: int) -> str:
    if stat.S_ISDIR(mode):
        return f"{str(target)!r} is a folder: give the path of a file, e.g. {str(target / 'chart')!r}."
    what = "a socket" if stat.S_ISSOCK(mode) else "a block device" if stat.S_ISBLK(mode) else "not a file"
    return f"{str(target)!r} is {what}, which a chart is not written to: give the path of a file."


def _write_directly(target: Path, content: str | bytes) -> None:
    """Write the whole output to a character device or a pipe (it cannot be replaced, nor cut short by it)."""
    data = _bytes(content)
    try:
        with open(target, "wb") as out:
            out.write(data)
    except OSError as exc:
        raise OutputError(_could_not_write(target, exc)) from exc


def _bytes(content: str | bytes) -> bytes:
    """The content as written: text as UTF-8, any lone surrogate in it as U+FFFD (`outgoing.well_formed`)."""
    return well_formed(content).encode("utf-8") if isinstance(content, str) else content


def _temporary_name(name: str) -> str:
    """A hidden name beside `name` for the file being written: as much of the name as fits, and a random part,
    in no more bytes than the name has (or _TEMPORARY_MIN)."""
    random_part = f".{uuid.uuid4().hex[:8]}.tmp"
    budget = max(len(os.fsencode(name)), _TEMPORARY_MIN) - len(random_part) - 1
    kept = name
    while len(os.fsencode(kept)) > budget:  # the name's bytes on disk (a byte it did not decode with counts one)
        kept = kept[:-1]
    return f".{kept}{random_part}"
