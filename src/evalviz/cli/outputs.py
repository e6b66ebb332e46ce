"""Writing a chart or a page to the file named by `-o`, in the format its suffix names."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from evalviz.errors import OutputError

# suffix -> the method of a Component that writes it
WRITERS = {".html": "write_html", ".png": "write_png", ".svg": "write_svg", ".pdf": "write_pdf"}


def checked_output(path: Path, suffixes: tuple[str, ...] = tuple(WRITERS)) -> Path:
    """`path` when a file of a format in `suffixes` can be written there; checked before any data is read.

    Example:
        >>> checked_output(Path("chart.svg"))
        PosixPath('chart.svg')
    """
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        named = f"ends in {suffix!r}" if suffix else "has no suffix"
        raise OutputError(f"The output {str(path)!r} {named}: name a file ending in {', '.join(suffixes)}.")
    if path.is_dir():
        raise OutputError(f"The output {str(path)!r} is a folder: give the path of a file in it.")
    folder = path.resolve().parent
    if not folder.is_dir():
        raise OutputError(f"The folder {str(folder)!r} does not exist: create it, or write elsewhere.")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"The folder {str(folder)!r} cannot be written to: write elsewhere.")
    return path


def write_output(item: Any, path: Path) -> Path:
    """Write a Component (or a page) to `path` in the format of its suffix; return the path written.

    Example:
        >>> import evalviz as ev
        >>> chart = ev.scores_heatmap(ev.Data.from_file("examples/data/evals.parquet"))
        >>> write_output(chart, Path("scores.svg"))  # doctest: +SKIP
    """
    writer = getattr(item, WRITERS[checked_output(path).suffix.lower()], None)
    if writer is None:
        raise OutputError(f"{type(item).__name__} cannot be written as {path.suffix}: write it as .html.")
    try:
        return writer(path)
    except OSError as exc:  # the file system refused the file (a full disk, a read-only file system)
        raise OutputError(f"Could not write {str(path)!r}: {exc.strerror or exc}.") from exc
