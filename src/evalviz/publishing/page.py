"""`page`: charts, inputs, tables and Markdown text in rows and columns, one document.

A page is a Component (`evalviz.rendering.component`) whose chart is a layout of rows (`rendering.items.Layout`):
it displays in a notebook, writes one offline HTML file and links its parts through the params and selections
they share, as every Component does. It is never merged into one Vega-Lite chart, even of charts alone, so it
has no image form: its charts are written one by one.
"""

from __future__ import annotations

import functools
import reprlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from evalviz.data.table import Data
from evalviz.errors import ArgumentTypeError, EvalvizError, OutputError
from evalviz.publishing.markdown import heading
from evalviz.rendering.component import Component, scoped_datasets
from evalviz.rendering.items import Layout
from evalviz.signatures import checks_signature

Item = Component | Sequence[Component]


@dataclass(frozen=True)
class Row(Layout):
    """Items side by side on a page, wrapping onto further lines when the page is narrower than they are.

    Example:
        >>> from evalviz.publishing.markdown import MarkdownText
        >>> Row("hconcat", (MarkdownText("<p>a</p>"), MarkdownText("<p>b</p>"))).to_item("")["wrap"]
        True
    """

    def to_item(self, scope: str) -> dict[str, Any]:
        return {**super().to_item(scope), "wrap": True}


@dataclass(frozen=True, eq=False)
class Page(Component):
    """A document of charts, inputs, tables and text in rows (`ev.page`): it displays in a notebook and writes
    one offline HTML file, whose <title> is the page's title.

    Example:
        >>> import evalviz as ev
        >>> evals = ev.Data.from_file("examples/data/evals.parquet")
        >>> report = ev.page(ev.md("# Scores"), ev.scores_heatmap(evals), title="Report")
        >>> report.write_html("report.html")  # doctest: +SKIP
    """

    title: str | None = None

    @functools.cached_property
    def spec(self) -> dict[str, Any]:
        """A page has no Vega-Lite spec.

        Raises:
            OutputError: always; PNG, SVG, PDF and Altair take charts one by one.
        """
        raise _not_one_chart()

    def to_altair(self) -> Any:
        """A page has no Altair form (and Altair is not imported to say so).

        Raises:
            OutputError: always; write its charts one by one.
        """
        raise _not_one_chart()

    def _title(self) -> str | None:
        return self.title

    def __repr__(self) -> str:
        return f"<evalviz.Page {self.title or 'untitled'!r} ({len(self.parts)} rows, {len(self.datasets)} datasets)>"


def _not_one_chart() -> OutputError:
    return OutputError("A page is a document, not one chart, so it has no PNG, SVG, PDF or Altair form: write it "
                       "with write_html, or write each of its charts (write_png, write_svg, write_pdf) one by one.")


@checks_signature
def page(*items: Item, title: str | None = None) -> Page:
    """A page of charts, inputs, tables and Markdown text, top to bottom.

    Each item is a row. A list or tuple of items is one row of columns side by side, which wrap onto further lines
    when the page is too narrow. Params and selections the items share link them all: an input filters every chart
    given its selection as `filter_by`. The page displays in a notebook and `write_html(path)` writes it as one
    file that opens offline.

    Args:
        *items: Components (charts, composed charts, inputs, tables, `ev.md` text), or lists of them for a row.
        title: The page's title: an <h1> heading above its items, and the HTML file's <title>.

    Returns:
        A Page.

    Raises:
        ArgumentTypeError: an item is not a Component (text not wrapped in `ev.md`, a dataframe, None, a list in a
            row), or the title is not a str; the message names the item's position.
        EvalvizError: the page or one of its rows is empty, or the title is blank.

    Example:
        >>> import evalviz as ev
        >>> evals = ev.Data.from_file("examples/data/evals.parquet")
        >>> models = ev.Selection.intersect(name="models")
        >>> report = ev.page(
        ...     ev.md("Pick a model to compare it across tasks."),
        ...     ev.select(evals, "model_display_name", target=models, label="Model"),
        ...     [ev.scores_heatmap(evals, filter_by=models), ev.scores_by_task(evals, filter_by=models)],
        ...     title="Evaluation report",
        ... )
        >>> report.params["models"] is models
        True
    """
    _check_title(title)
    if not items:
        raise EvalvizError("ev.page needs at least one item: charts, inputs, tables or ev.md(...) text.")
    rows = [_row(item, i) for i, item in enumerate(items)]
    if title is not None:
        rows.insert(0, Component.from_parts(heading(title), {}))
    layout = Layout("vconcat", tuple(row.chart for row in rows))
    return Page(chart=layout, datasets=scoped_datasets(rows), parts=tuple(rows), title=title)


def _check_title(title: object) -> None:
    if title is None:
        return
    if not isinstance(title, str):
        raise ArgumentTypeError(f"ev.page's title is a str (or None for no title), not {type(title).__name__} "
                                f"({reprlib.repr(title)}).")
    if not title.strip():
        raise EvalvizError("ev.page's title is blank: give it some text, or leave it out for a page without one.")


def _row(item: object, i: int) -> Component:
    """The Component of the i-th item: the item itself, or its columns side by side."""
    if not isinstance(item, list | tuple):
        return _part(item, f"items[{i}]")
    columns = [_part(column, f"items[{i}][{j}]") for j, column in enumerate(item)]
    if not columns:
        raise EvalvizError(f"ev.page's items[{i}] is an empty {type(item).__name__}: a row needs at least one item; "
                           "leave it out.")
    if len(columns) == 1:
        return columns[0]
    return Component(chart=Row("hconcat", tuple(column.chart for column in columns)), datasets=scoped_datasets(columns),
                     parts=tuple(columns))


def _part(item: object, where: str) -> Component:
    if isinstance(item, Component):
        return item
    raise ArgumentTypeError(f"ev.page's {where} is {_described(item)}, which a page cannot hold: {_way_out(item)}.")


def _described(item: object) -> str:
    """The item's type, and for Python's own types its value, shortened."""
    if item is None:
        return "None"
    kind = type(item)
    if kind.__module__ == "builtins":
        return f"a {kind.__name__} ({reprlib.repr(item)})"
    return f"a {kind.__module__.split('.')[0]}.{kind.__qualname__}"


def _way_out(item: object) -> str:
    if isinstance(item, str):
        return "wrap text in ev.md(...)"
    if isinstance(item, list | tuple):
        return ("a row holds items side by side, one level deep: put them in the row itself, or compose them "
                "first with ev.hconcat(...) or ev.vconcat(...)")
    if item is None:
        return "leave it out"
    if isinstance(item, Data | pa.Table | pa.RecordBatch) or hasattr(item, "__dataframe__"):
        return "show rows with ev.table(data), or draw them with a view (ev.scores_heatmap(data), ...)"
    if type(item).__module__.split(".")[0] == "altair":
        return "draw it with an evalviz view (its marks= take Altair layers), or write it with Altair itself"
    return "it holds Components (charts, inputs and tables evalviz made) and ev.md(...) text, or lists of them"
