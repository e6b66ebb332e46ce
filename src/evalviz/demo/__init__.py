"""The demo: one page of every evalviz view, inputs, linked charts and a table, drawn from the example data that
ships with evalviz (real inspect_ai results made offline by `examples/make_example_data.py`).

`evalviz demo` writes it; `docs/render_images.py` draws the same charts as the docs' images.
"""

from __future__ import annotations

import os
from pathlib import Path

import evalviz as ev
from evalviz.demo.data_files import DATA, example_file, example_files
from evalviz.demo.examples import Example, build_examples, interactive_examples
from evalviz.errors import OutputError

PAGE_NAME = "evalviz-demo.html"

__all__ = [
    "DATA",
    "PAGE_NAME",
    "Example",
    "build_examples",
    "build_page",
    "example_file",
    "example_files",
    "interactive_examples",
    "write_demo",
]


def build_page(data_dir: Path = DATA) -> ev.Page:
    """The demo page: a heading and a sentence before each chart.

    Example:
        >>> from evalviz.demo import build_page
        >>> build_page().write_html("demo.html")  # doctest: +SKIP
    """
    items = []
    for example in [*build_examples(data_dir), *interactive_examples(data_dir)]:
        items += [ev.md(f"## {example.heading}\n\n{example.text}"), example.chart]
    return ev.page(*items, title="evalviz views")


def write_demo(folder: str | os.PathLike[str], data_dir: Path = DATA) -> Path:
    """Build the demo page and write it to `folder`/evalviz-demo.html, creating the folder; the path written.

    Example:
        >>> from evalviz.demo import write_demo
        >>> write_demo("out")  # doctest: +SKIP
        PosixPath('out/evalviz-demo.html')
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{str(folder)!r} is a file: give the folder to write the demo in.")
    page = build_page(data_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Could not create the folder {str(folder)!r}: {exc.strerror or exc}.") from exc
    return page.write_html(folder / PAGE_NAME)
