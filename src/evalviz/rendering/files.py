"""Writing an output file whole or not at all: a failed write never leaves a cut file where a good one was."""

from __future__ import annotations

import os
import stat
import uuid
from collections.abc import Callable
from pathlib import Path

from evalviz.errors import OutputError


def replace_file(path: str | os.PathLike[str], build: Callable[[], str | bytes]) -> Path:
    """Check `path`, build the content (text is written as UTF-8), write it to a temporary file beside `path`,
    then rename that over `path`.

    Nothing is written when the path is wrong or building fails. Readers see the old file or the new one, never
    a part of either. A file that was there keeps its permissions; a symbolic link keeps pointing where it did,
    and its target is replaced.

    Raises:
        OutputError: `path` is a folder, or is in a folder that does not exist.
        Whatever `build` raises.

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "chart.html"
        >>> replace_file(target, lambda: "<p>chart</p>").read_text()
        '<p>chart</p>'
    """
    target = Path(path)
    final = Path(os.path.realpath(target))
    if final.is_dir():
        raise OutputError(f"{str(target)!r} is a folder: give the path of a file, e.g. {str(target / 'chart')!r}.")
    if not final.parent.is_dir():
        raise OutputError(f"The folder {str(final.parent)!r} does not exist: create it, or write elsewhere.")
    content = build()
    data = content.encode("utf-8") if isinstance(content, str) else content
    temporary = final.with_name(f".{final.name}.{uuid.uuid4().hex[:12]}.tmp")
    # Created as open() would create the file (0o666 less the umask), then given the old file's mode.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if final.exists():
            os.chmod(temporary, stat.S_IMODE(final.stat().st_mode))
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target
