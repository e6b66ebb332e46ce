"""`sample_scatter`: one point per sample, as a jittered strip or a scatter, to find outliers and read them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from evalviz.charts import LayerChart
from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.query.scatter import ScatterColumns, left_out_sql, sample_sql, strata_sql
from evalviz.rendering.component import Component
from evalviz.rendering.contract import TooltipRow
from evalviz.views.chart import title_spec
from evalviz.views.distribution_marks import VALUE_FORMAT, Titles, color_encoding, strip_layers
from evalviz.views.grid import check_numeric
from evalviz.views.linking import Interval, Linking
from evalviz.views.marks import points
from evalviz.views.options import NOT_GIVEN, Legend, ViewOptions, checks_arguments
from evalviz.views.roles import LOG_VIEWER, MODEL, MODEL_DISPLAY, optional_column, optional_link
from evalviz.views.sample_filters import SampleLinks, sample_links
from evalviz.views.score_distribution import POINTS_CEILING, refuse_unplaceable, rows_text, sample_notes

if TYPE_CHECKING:
    from evalviz.interaction.selection import Selection

MAX_POINTS = 5000  # points drawn at most by default: a larger table is subsampled in DuckDB
TEXT_LENGTH = 200  # characters of a sample's text its tooltip shows, an ellipsis after
DETAILS = ("id", "epoch", MODEL_DISPLAY, MODEL)  # columns shown on hover, when present (one of the model's two)
SAMPLE_KEYS = ("id", "epoch")  # what a click on a point publishes, when present, after its colour's column
WIDTH, HEIGHT = 640, 400


@checks_arguments()
def sample_scatter(
    data: Data,
    x: str | None = None,
    y: str | None = None,
    color: str | None = None,
    text: str | None = "input",
    max_points: int | None = None,
    stratify_by: str | None = None,
    *,
    details: Sequence[str] | None = None,
    link: str | None = LOG_VIEWER,
    seed: int = 0,
    text_length: int = TEXT_LENGTH,
    title: str | None = None,
    subtitle: str | None = None,
    width: int | None = None,
    height: int | None = None,
    legend: Legend = NOT_GIVEN,
    tip: bool = True,
    filter_by: Selection | None = None,
    target: Selection | None = None,
    highlight: bool = False,
    **attributes: Any,
) -> Component:
    """One point per sample: a jittered strip of `y` (one strip per `color` group, or one strip), or a scatter
    of `y` against `x`, to find outliers and read them. Hover a point for its sample's text (cut to
    `text_length` characters, an ellipsis after), id, epoch, model and values; click it to open its log (http(s)
    links only).

    A table of more than `max_points` rows (5,000 when None) is subsampled in DuckDB: a deterministic sample
    (the same `seed`, the same points) of exactly `max_points`, in which each stratum of `stratify_by` (by default
    the `color` groups) keeps one point and its share of the rest, by largest remainders (with more strata than
    points, the largest strata keep one point each); the subtitle says "N of M samples shown, stratified by X"
    and how many strata have no point. Rows without a value (NULL or NaN) are left out and counted; an infinite value is
    refused.

    Linking: every point is a row, so a `filter_by` filter is exact on the page: each point carries the columns
    the selection filters on (`Selection.columns`), and the points the filter leaves out are not drawn (with
    `highlight`, they fade). A subsampled chart filters the points of its sample (the subtitle's counts are the
    unfiltered ones); the live widget samples the filtered rows anew. A click on a point publishes into `target`
    its `color` value and its sample's `id` and `epoch` (those present); a click on a legend entry, the colour's
    value; dragging across the plot brushes a range of `x` (of `y`, for a strip), published as a "range" clause
    on that column, which the other charts on the page follow.

    Args:
        data: A table of one row per sample (inspect_ai's `samples_df`).
        x: The column of values across (None: a jittered strip).
        y: The column of values up the plot (numbers).
        color: The column colouring the points (and, without `x`, giving each its strip).
        text: The column of the sample's text (used when present at its default, "input").
        max_points: The most points drawn (None: 5,000).
        stratify_by: The column whose strata a subsample keeps the shares of (None: `color`, or none).
        details: Columns shown on hover (None: those of id, epoch, model_display_name or model present).
        link: The column of links a click opens (used when present at its default, "log_viewer").
        seed: The subsample's seed (a non-negative integer).
        text_length: The characters of text a tooltip shows (1 to 10,000).
        title, subtitle, width, height, legend, tip, **attributes: As every view (`ViewOptions`); 640 x 400.
        filter_by: A Selection whose clauses filter the points (see Linking above).
        target: A Selection clicks, legend clicks and the brush publish into.
        highlight: Fade the points the selections leave out instead of removing them.

    Raises:
        EvalvizError: no `y`, a column the table lacks, values that are not numbers or are infinite, bad
            `max_points`, `seed` or `text_length`, or no row with a value.

    Example:
        >>> import evalviz as ev
        >>> samples = ev.Data.from_file("examples/data/samples.parquet")
        >>> chart = ev.sample_scatter(samples, y="total_time", color="model_display_name")
    """
    options = ViewOptions(title, subtitle, width, height, legend, tip, attributes)
    cap, seed, text_length = _checked_numbers(max_points, seed, text_length)
    if y is None:
        raise EvalvizError("sample_scatter needs y=, the column of values drawn up the plot (e.g. y='total_time').")
    columns = ScatterColumns(y, x, group=color if x is None else None, color=color,
                             stratify_by=stratify_by if stratify_by is not None else color,
                             text=optional_column(data, text, "input"), details=_details(data, details),
                             link=optional_link(data, link))
    _check_columns(data, columns)
    keys = (color, *(k for k in SAMPLE_KEYS if k in data.columns))
    links = sample_links(data, Linking.of(filter_by, target, highlight), None, keys)
    if links is not None:
        columns = replace(columns, filters=links.shipped)
    shown = data.run(sample_sql(columns, max_points=cap, seed=seed, text_length=text_length))
    if shown.num_rows == 0:
        raise EvalvizError(f"sample_scatter has no sample with a value to draw: every row's {y!r}"
                           f"{' or ' + repr(x) if x else ''} is NULL or NaN.")
    said = sample_notes(data.run(strata_sql(columns, max_points=cap)), shown.num_rows, columns.stratify_by,
                        "samples", "strata")
    if left_out := int(data.run(left_out_sql(columns))["n"][0].as_py()):
        said.append(f"{rows_text(left_out)} without a value (NULL or NaN) left out.")
    width, height = options.sized(WIDTH, HEIGHT)
    chart = LayerChart(_layers(columns, shown, options, follow=links is not None and links.follows), data="points",
                       width=width, height=height, fit=True,
                       title=title_spec(options.title, " ".join([options.subtitle, *said] if options.subtitle
                                                               is not None else said) or None, width),
                       properties=options.properties(), interaction=_interaction(links, columns))
    return Component.from_parts(chart, {"points": shown})


def _interaction(links: SampleLinks | None, columns: ScatterColumns) -> Any:
    """Points filtered by every column shipped (each point is a row), publishing clicks, legend clicks (of the
    scatter's colours) and a brush along x (y for a strip)."""
    if links is None:
        return None
    brush = Interval("points", "x", "x", columns.x) if columns.x else Interval("points", "y", "y", columns.y)
    links.linking.publishes(brush.column)
    legend = ("points", "color") if columns.x is not None and columns.color else None
    return links.interaction(click=("points",), legend=legend, interval=brush)


def _checked_numbers(max_points: object, seed: object, text_length: object) -> tuple[int, int, int]:
    cap = MAX_POINTS if max_points is None else max_points
    if isinstance(cap, bool) or not isinstance(cap, int) or not 1 <= cap <= POINTS_CEILING:
        raise EvalvizError(f"max_points is the most points drawn, from 1 to {POINTS_CEILING:,} (None: {MAX_POINTS:,}), "
                           f"not {max_points!r}.")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise EvalvizError(f"seed is a non-negative integer, not {seed!r}.")
    if isinstance(text_length, bool) or not isinstance(text_length, int) or not 1 <= text_length <= 10_000:
        raise EvalvizError(f"text_length is the characters of text a tooltip shows, from 1 to 10000, not "
                           f"{text_length!r}.")
    return cap, seed, text_length


def _details(data: Data, details: Sequence[str] | None) -> tuple[str, ...]:
    """The columns shown on hover: those given, or the defaults present (the display name before the model)."""
    if details is None:
        present = [column for column in DETAILS if column in data.columns]
        return tuple(c for c in present if not (c == MODEL and MODEL_DISPLAY in present))
    if isinstance(details, str) or not all(isinstance(column, str) for column in details):
        raise EvalvizError(f"details is a list of column names, not {details!r}.")
    return tuple(dict.fromkeys(details))


def _check_columns(data: Data, columns: ScatterColumns) -> None:
    data.require_columns(columns.y, columns.x, columns.color, columns.stratify_by, columns.text, columns.link,
                         *columns.details, purpose="sample_scatter")
    data.require_rows()
    for column in (columns.y, columns.x):
        if column is not None:
            check_numeric(data, column, "value")
            refuse_unplaceable(data, column, "value")


def _layers(columns: ScatterColumns, shown: Any, options: ViewOptions, *, follow: bool = False) -> tuple:
    """The strip (no `x`) or the scatter, with the sample's tooltip and link; `follow`: a strip's bands are only
    those of the points a filter leaves."""
    groups = sorted(set(shown["color"].to_pylist()) - {None})
    color = (color_encoding("color", groups, options.legend_title(columns.color), legend=options.legend_on
                            and columns.x is not None) if columns.color else {"value": "#4c78a8"})
    rows = ((TooltipRow("text", columns.text),) if columns.text else ()) + tuple(
        TooltipRow(f"d{i}", column) for i, column in enumerate(columns.details)) + (
        (TooltipRow("link", "Log" if columns.link == LOG_VIEWER else columns.link),) if columns.link else ())
    link = "link" if columns.link else None
    if columns.x is None:
        titles = Titles(columns.y, columns.color or "")
        strips = list(dict.fromkeys(shown["group"].to_pylist()))
        return strip_layers(titles, strips, color, tip=options.tip, detail_rows=rows, link=link, follow=follow)
    tooltip = ((TooltipRow("color", columns.color),) if columns.color else ()) + (
        TooltipRow("x", columns.x, VALUE_FORMAT), TooltipRow("y", columns.y, VALUE_FORMAT), *rows)
    return (points("points", x={"field": "x", "type": "quantitative", "title": columns.x, "scale": {"zero": False}},
                   y={"field": "y", "type": "quantitative", "title": columns.y, "scale": {"zero": False}},
                   color=color, filled=True, size=28, opacity=0.7, tooltip=tooltip if options.tip else None,
                   link=link),)
