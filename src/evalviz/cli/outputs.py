"""Writing a chart or a page to the file named by `-o`, in the format its suffix names."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from evalviz.errors import OutputError
from evalviz.rendering.figure_style import Style
from evalviz.rendering.items import Element

# suffix -> the method of a Component that writes it
WRITERS = {".html": "write_html", ".png": "write_png", ".svg": "write_svg", ".pdf": "write_pdf"}


def checked_output(path: Path, suffixes: tuple[str, ...] = tuple(WRITERS), example: str = "chart.html") -> Path:
    """`path` when a file of a format in `suffixes` can be written there; checked before any data is read.
    `example` is a file name an error proposes in a folder given instead of a file.

    Example:
        >>> checked_output(Path("chart.svg"))
        PosixPath('chart.svg')
    """
    if path.is_dir():
        raise OutputError(f"The output {str(path)!r} is a folder: give the path of a file in it, e.g. "
                          f"{str(path / example)!r}.")
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        named = f"ends in {suffix!r}" if suffix else "has no suffix"
        raise OutputError(f"The output {str(path)!r} {named}: name a file ending in {', '.join(suffixes)}.")
    folder = path.resolve().parent
    if not folder.is_dir():
        raise OutputError(f"The folder {str(folder)!r} does not exist: create it, or write elsewhere.")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"The folder {str(folder)!r} cannot be written to: write elsewhere.")
    return path


def write_output(item: Any, path: Path, style: Style = "screen") -> Path:
    """Write a Component (or a page) to `path` in the format of its suffix, in `style` ("screen", or "print": a
    figure for a paper, `figure_style`); return the path written.

    Example:
        >>> import evalviz as ev
        >>> chart = ev.scores_heatmap(ev.Data.from_file("examples/data/evals.parquet"))
        >>> write_output(chart, Path("scores.svg"))  # doctest: +SKIP
    """
    suffix = checked_output(path).suffix.lower()
    writer = getattr(item, WRITERS[suffix], None)
    if writer is None or (suffix != ".html" and isinstance(getattr(item, "chart", None), Element)):
        raise OutputError(f"This view draws inputs, a table or text, which only an HTML page holds, not a "
                          f"{suffix} image: name an output ending in .html (-o {str(path.with_suffix('.html'))!r}).")
    try:
        return writer(path, style=style)
    except OSError as exc:  # the file system refused the file (a full disk, a read-only file system)
        raise OutputError(f"Could not write {str(path)!r}: {exc.strerror or exc}.") from exc
