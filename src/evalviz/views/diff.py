"""`diff_plot`: paired differences per slice, a point and an interval each, against a line at zero.

It draws the tables of `evalviz.analysis.paired_diff_table` and `paired_diff_between_models` (columns slice,
delta, low, high, n, status, reason, baseline_value, candidate_value, baseline_name, candidate_name), or any
table with such columns. The rows are selected in DuckDB (`evalviz.query.diffs`); only the drawn rows, one per
slice, travel to the browser.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence, Set
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.charts import Layer, LayerChart, ScaleExpr
from evalviz.constants.long_form import (
    BASELINE_NAME,
    BASELINE_VALUE,
    CANDIDATE_NAME,
    CANDIDATE_VALUE,
    DELTA,
    HIGH,
    LOW,
    METRIC,
    REASON,
    SLICE,
    STATUS,
    N,
)
from evalviz.constants.statuses import ERROR, INFINITE, NO_VALUE, SKIPPED
from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.query import diffs as sql
from evalviz.query.axes import KEY_MARK, NULL_LABEL
from evalviz.query.diffs import BETTER, FLAGGED, NO_INTERVAL, RESULTS, UNCLEAR, WORSE, DiffColumns, RowOrder
from evalviz.rendering.component import Component
from evalviz.rendering.contract import TooltipRow
from evalviz.views.chart import AXIS_LABEL_LIMIT, subtitle_lines, text_width, title_spec
from evalviz.views.colors import ERROR_COLOR, INFINITE_COLOR, MISSING_COLOR, SKIPPED_COLOR
from evalviz.views.formatting import COUNT_FORMAT, d3_format, without_sign
from evalviz.views.grid import check_numeric
from evalviz.views.marks import intervals, points, rules, text
from evalviz.views.options import MAX_PIXELS, NOT_GIVEN, Legend, ViewOptions, checks_arguments
from evalviz.views.roles import optional_column
from evalviz.views.sorting import parse_sort

__all__ = ["BETTER", "NO_INTERVAL", "UNCLEAR", "WORSE", "diff_plot"]

DATASET = "diffs"
DEFAULT_WIDTH = 700
ROW_HEIGHT = 28  # pixels per slice when the height is not given
AXIS_HEIGHT = 50  # pixels below the rows: the x axis, its title and padding
TITLE_LINE_HEIGHT = 24
DEFAULT_X_LABEL = "Difference (candidate - baseline)"
NAMED_X_LABEL = "Difference ({candidate} - {baseline})"  # when the table names the two sides
ZERO_COLOR = "#666666"
FLAG_TEXT_COLOR = "#555555"
SEPARATOR_COLOR = "#bbbbbb"
Y_PADDING = 0.3  # of the slice scale, in steps: room above the first row and below the last
X_LIMIT = 1e300  # the x axis stays within ±X_LIMIT: beyond, a browser's scale arithmetic overflows
MAX_METRICS_SHOWN = 10

_COLORS = {BETTER: "#2166ac", WORSE: "#b2182b", UNCLEAR: "#525252", NO_INTERVAL: "#969696",
           SKIPPED: SKIPPED_COLOR, ERROR: ERROR_COLOR, INFINITE: INFINITE_COLOR, NO_VALUE: MISSING_COLOR}
_SHAPES = {UNCLEAR: "circle", NO_INTERVAL: "square", SKIPPED: "diamond", ERROR: "cross", INFINITE: "triangle-up",
           NO_VALUE: "diamond"}
# The optional roles, by their default columns: used when the table has them.
_OPTIONAL = {"low": LOW, "high": HIGH, "n": N, "status": STATUS, "reason": REASON, "baseline": BASELINE_VALUE,
             "candidate": CANDIDATE_VALUE, "baseline_name": BASELINE_NAME, "candidate_name": CANDIDATE_NAME}
_HAS_VALUE = "isValid(datum.delta)"
_ONE_ROW = ({"aggregate": [{"op": "count", "as": "rows"}]},)  # a layer drawn once, whatever the rows


@checks_arguments()
def diff_plot(
    data: Data | Any,
    *,
    slice: str = SLICE,
    delta: str = DELTA,
    low: str | None = LOW,
    high: str | None = HIGH,
    n: str | None = N,
    status: str | None = STATUS,
    reason: str | None = REASON,
    baseline: str | None = BASELINE_VALUE,
    candidate: str | None = CANDIDATE_VALUE,
    baseline_name: str | None = BASELINE_NAME,
    candidate_name: str | None = CANDIDATE_NAME,
    title: str | None = None,
    subtitle: str | None = None,
    width: int | None = None,
    height: int | None = None,
    sort: str | Sequence[str] | None = "descending",
    overall: str | None = "all",
    x_label: str | None = None,
    y_label: str | None = None,
    fmt: str = "{:+.3f}",
    higher_is_better: bool = True,
    legend: Legend = NOT_GIVEN,
    tip: bool = True,
    **attributes: Any,
) -> Component:
    """Paired differences per slice: a point at `delta` and a line from `low` to `high`, one row per slice,
    against a vertical line at zero.

    Colour and shape say how the interval reads: "better" (it lies wholly above zero; a triangle pointing
    right), "worse" (wholly below; pointing left) or "no clear difference" (it includes zero; a circle).
    Rows whose status is "skipped" or "error", or without a finite delta, are not dropped: a neutral marker
    sits on the zero line with the status and reason written beside it and in the tooltip; an infinite delta
    is flagged "infinite", its value ("inf" or "-inf") in the tooltip. An infinite end of an interval is drawn
    to the edge of the plot and read as such against zero; no infinity or NaN reaches the spec. The tooltip
    gives the slice, the difference, the interval, n, the baseline and candidate values (when the table has
    them, under the names of the two sides when the table names them) and the result. The overall slice
    (named by `overall`, as the analysis tables name it) stays on top, apart from the slices below it,
    whatever the sort. The rows are selected in DuckDB; only the drawn rows travel to the browser.

    Args:
        data: One row per slice, e.g. from `evalviz.analysis.paired_diff_table` or `paired_diff_between_models`
            (a `Data`, or a pyarrow Table or pandas / polars dataframe).
        slice, delta: Columns of the slice names and of the differences (candidate - baseline).
        low, high: Columns of the interval; n, status ("ok", "skipped", "error"), reason: of the sample count,
            the row's status and why. Optional: used when the table has them. Pass None to leave one out; a
            name other than the default must be a column of the table.
        baseline, candidate: Columns of the two values compared, shown in the tooltip when present.
        baseline_name, candidate_name: Columns naming the two sides compared (the models, or the scorers), as
            the analysis tables have them: when each holds one name, the x axis says "Difference (Atlas Large -
            Atlas Small)" and the tooltip gives each value under its side's name.
        title, subtitle: Chart title and a line below it (by default the metric, when the table names one).
        width, height: Outer size in pixels (1 to 10000): 700 wide, and 50 + 28 px per slice (plus the title)
            high, at most 10000 (many slices then share it in thinner rows).
        sort: "descending" (largest difference on top), "ascending" (smallest on top; either way rows without
            a difference go last), None (input order) or a list of slice names (slices left out follow in
            input order; a name the table does not hold is ignored).
        overall: The name of the overall slice ("all" in the analysis tables): drawn on top in bold, set apart
            from the sorted slices by a line. None sorts it with the others.
        x_label, y_label: Axis titles (by default the x axis names the two sides compared, as far as the table
            names them, and the y axis is titled with the slice column).
        fmt: Python format string of the differences and intervals in the tooltip: "{:+.3f}", "{:+.1%}".
        higher_is_better: Whether a positive difference is an improvement (False for losses, error rates).
        legend: The legend of results: shown by default, None or False hides it, a string titles it.
        tip: Show a tooltip on hover.
        **attributes: Vega-Lite top-level properties such as `background`.

    Example:
        >>> import evalviz as ev
        >>> from evalviz.analysis import paired_diff_between_models
        >>> samples = ev.Data.from_file("examples/data/samples.parquet")
        >>> diffs = paired_diff_between_models(samples, "Atlas Small", "Atlas Large", score="match",
        ...                                    by="task", progress=False)
        >>> chart = ev.diff_plot(diffs, title="Atlas Large - Atlas Small")
        >>> len(chart.datasets["diffs"])  # the overall slice and four tasks
        5
    """
    options = ViewOptions(title=title, subtitle=subtitle, width=width, height=height, legend=legend, tip=tip,
                          attributes=attributes)
    properties = options.properties()
    order = _row_order(sort, overall)
    columns = _resolve_columns(data, slice=slice, delta=delta, low=low, high=high, n=n, status=status,
                               reason=reason, baseline=baseline, candidate=candidate, baseline_name=baseline_name,
                               candidate_name=candidate_name)
    metric = _one_metric(data, columns)
    names = _side_names(data, columns)
    data = data.select(*columns.used())
    data.require_rows()
    _check_unique_slices(data, columns.slice)
    _check_intervals(data, columns)
    rows = data.sql(sql.rows_sql(columns, order, higher_is_better=higher_is_better))
    extent = _x_extent(rows)
    rows = _bounded(rows, extent)
    if subtitle is None and metric is not None:
        options = dataclasses.replace(options, subtitle=f"metric: {metric}")
    if x_label is None:
        x_label = NAMED_X_LABEL.format(**names) if names else DEFAULT_X_LABEL
    drawing = _Drawing(
        columns=columns, labels=rows["slice"].to_pylist(),
        results=[r for r in RESULTS if r in set(rows["result"].to_pylist())], extent=extent, fmt=d3_format(fmt),
        x_label=x_label, y_label=columns.slice if y_label is None else y_label, higher_is_better=higher_is_better,
        names=names, overall=overall, options=options,
    )
    chart = dataclasses.replace(drawing.chart(), properties=properties)
    return Component.from_parts(chart, {DATASET: rows})


# -- columns, checks and order -------------------------------------------------------------------------------
def _row_order(sort: object, overall: str | None) -> RowOrder:
    """The order of the rows, from the one sort grammar: a set or a dict of slice names has no order."""
    if isinstance(sort, Set) or (isinstance(sort, Mapping) and set(sort) - {"y"}):
        raise EvalvizError(
            f"diff_plot's sort is 'descending', 'ascending', None or a list of slice names, not a "
            f"{type(sort).__name__}: give the slices in a list, in the order to draw them."
        )
    parsed = parse_sort(sort, axes=("y",), view="sort")
    explicit = tuple(NULL_LABEL if label is None else label for label in parsed.explicit_order("y") or ())
    return RowOrder(by_value=parsed.by_value, explicit=explicit, overall=overall)


def _resolve_columns(data: Data, **given: str | None) -> DiffColumns:
    """The columns of each role. `slice` and `delta` are required; an optional column left at its default name
    is used when present, and one named otherwise must be there."""
    for role in ("slice", "delta"):
        if not isinstance(given[role], str):
            raise EvalvizError(f"{role} names a column of the table, not {given[role]!r}.")
    data.require_columns(given["slice"], given["delta"], purpose="diff_plot")
    resolved: dict[str, str | None] = {"slice": given["slice"], "delta": given["delta"]}
    for role, default in _OPTIONAL.items():
        resolved[role] = optional_column(data, given[role], default)
        if resolved[role] is not None:
            data.require_columns(resolved[role], purpose=f"diff_plot's {role}")
    if (resolved["low"] is None) != (resolved["high"] is None):
        have, lack = ("low", "high") if resolved["low"] else ("high", "low")
        raise EvalvizError(
            f"The interval needs both ends: the table has {have}={resolved[have]!r} but no {lack} column "
            f"({lack}={given[lack]!r}). Columns present: {', '.join(repr(c) for c in data.columns)}."
        )
    for role in ("delta", "low", "high", "n", "baseline", "candidate"):
        if resolved[role] is not None:
            check_numeric(data, resolved[role], role)
    return DiffColumns(**resolved)


def _one_metric(data: Data, columns: DiffColumns) -> str | None:
    """The metric a table names in a `metric` column; a table of several metrics must be filtered first."""
    if METRIC not in data.columns or METRIC in columns.used():
        return None
    names = data.sql(sql.metrics_sql(METRIC, MAX_METRICS_SHOWN + 1))["m"].to_pylist()
    if len(names) > 1:
        shown = ", ".join(repr(m) for m in names[:MAX_METRICS_SHOWN]) + (
            ", ..." if len(names) > MAX_METRICS_SHOWN else "")
        raise EvalvizError(
            f"The table holds several metrics ({shown}); diff_plot shows one. Filter first, e.g. "
            f"data.filter(\"metric = {names[0]!r}\")."
        )
    return names[0] if names else None


def _side_names(data: Data, columns: DiffColumns) -> dict[str, str] | None:
    """{"baseline": name, "candidate": name} when the table names each side with one name, else None."""
    if columns.baseline_name is None or columns.candidate_name is None:
        return None
    names = data.sql(sql.side_names_sql(columns.baseline_name, columns.candidate_name)).to_pylist()[0]
    if names["nb"] != 1 or names["nc"] != 1 or not names["b"].strip() or not names["c"].strip():
        return None
    return {"baseline": names["b"], "candidate": names["c"]}


def _check_unique_slices(data: Data, column: str) -> None:
    """One row per slice: repeated slices (several metrics, scorers or runs) would be drawn on top of each
    other."""
    repeated = data.sql(sql.repeated_slices_sql(column)).to_pylist()
    if repeated:
        shown = ", ".join(f"{r['s']!r} ({r['c']} rows)" for r in repeated)
        raise EvalvizError(
            f"diff_plot draws one row per slice, but some slices repeat: {shown}. Filter the table to one "
            "comparison first (one metric, one pair of models)."
        )


def _check_intervals(data: Data, columns: DiffColumns) -> None:
    """Refuse a row whose interval is upside down (low above high) or leaves out its own difference: either
    would be read wrongly against zero."""
    if columns.low is None:
        return
    wrong = data.sql(sql.wrong_interval_sql(columns)).to_pylist()
    if wrong:
        row = wrong[0]
        problem = "low is above high" if row["lo"] > row["hi"] else "the difference lies outside its interval"
        raise EvalvizError(
            f"diff_plot cannot draw slice {row['s']!r}: {problem} (difference {row['d']!r}, interval "
            f"[{row['lo']!r}, {row['hi']!r}]). Check the {columns.low!r} and {columns.high!r} columns: an "
            "interval runs from its lower to its upper end and holds its estimate."
        )


def _x_extent(rows: pa.Table) -> tuple[float, float]:
    """The range of the x axis: every point and finite end of an interval, and zero, with a little room at both
    ends; within ±X_LIMIT, so that the browser's scale arithmetic stays finite (values beyond are drawn at the
    edge, the scale clamps them)."""
    values = [0.0]
    for name in ("delta", "low", "high"):
        values += [min(max(v, -X_LIMIT), X_LIMIT) for v in rows[name].to_pylist() if v is not None and math.isfinite(v)]
    lo, hi = min(values), max(values)
    if lo == hi:
        return -1.0, 1.0
    pad = 0.04 * (hi - lo)
    return max(lo - pad, -X_LIMIT), min(hi + pad, X_LIMIT)


def _bounded(rows: pa.Table, extent: tuple[float, float]) -> pa.Table:
    """The rows with each infinite end of an interval drawn at the edge of the x range (its text stays "inf")."""
    for name in ("low", "high"):
        column = rows[name]
        infinite = pc.fill_null(pc.is_inf(column), False)
        edge = pc.if_else(pc.greater(column, 0), extent[1], extent[0])
        rows = rows.set_column(rows.schema.get_field_index(name), name, pc.if_else(infinite, edge, column))
    return rows


# -- drawing -------------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _Drawing:
    """What the chart is drawn from: the rows' labels (in drawing order) and results, the x range, the labels
    and the options."""

    columns: DiffColumns
    labels: list[str]
    results: list[str]
    extent: tuple[float, float]
    fmt: str
    x_label: str
    y_label: str
    higher_is_better: bool
    names: dict[str, str] | None
    overall: str | None
    options: ViewOptions

    def chart(self) -> LayerChart:
        """The chart: the zero line, intervals and points, the overall row's separator and the flagged rows."""
        width, height = self.options.sized(DEFAULT_WIDTH, self._default_height())
        plot_width, plot_height = self._plot_size(width, height)
        has_overall = self._overall is not None
        layers = [
            rules("zero", x=self._zero_x(plot_width), color=ZERO_COLOR, strokeWidth=1.5, strokeDash=[4, 3]),
            intervals("interval", x=self._x("low", plot_width), x2={"field": "high"}, y=self._y(),
                      color=self._color(), tooltip=self._tooltip(), strokeWidth=2.5,
                      where=f"{_HAS_VALUE} && isValid(datum.low) && isValid(datum.high)"),
            points("point", x=self._x("delta", plot_width), y=self._y(), color=self._color(), shape=self._shape(),
                   tooltip=self._tooltip(), where=_HAS_VALUE, filled=True, size=110, opacity=1),
            *(self._separator() if has_overall and len(self.labels) > 1 else ()),
            *(self._flagged(plot_width) if any(r in FLAGGED for r in self.results) else ()),
        ]
        layers[0] = dataclasses.replace(layers[0], transform=_ONE_ROW)  # one line, not one per row
        return LayerChart(
            tuple(layers), data=DATASET, width=width, height=height, fit=True,
            plot_size=(round(plot_width), round(plot_height)), transform=self._texts(),
            title=title_spec(self.options.title, self.options.subtitle, width),
        )

    @property
    def _overall(self) -> str | None:
        """The overall slice, when it is drawn on top (the query puts it first)."""
        return self.overall if self.labels and self.labels[0] == self.overall else None

    def _title_lines(self, width: int) -> int:
        return bool(self.options.title) + len(subtitle_lines(self.options.subtitle, width))

    def _default_height(self) -> int:
        width = self.options.sized(DEFAULT_WIDTH, 0)[0]
        return min(AXIS_HEIGHT + ROW_HEIGHT * len(self.labels) + TITLE_LINE_HEIGHT * self._title_lines(width),
                   MAX_PIXELS)

    def _plot_size(self, width: int, height: int) -> tuple[float, float]:
        """The plot area left by the slice labels, the legend, the x axis and the title."""
        legend_title = self.options.legend_title("")
        legend_area = (max(len(r) for r in [*self.results, legend_title]) * 6 + 45) if self.options.legend_on else 0
        y_area = text_width(self.labels) + 30 + (16 if self.y_label != "" else 0)
        plot_height = max(height - AXIS_HEIGHT - TITLE_LINE_HEIGHT * self._title_lines(width), 20)
        return max(width - y_area - legend_area, 60.0), plot_height

    def _axis(self, plot_width: float) -> dict[str, Any]:
        # Vega picks tick labels to suit the tick step; a percent format keeps percent ticks.
        axis = {"grid": True, "gridColor": "#eeeeee", "tickCount": max(int(plot_width / 80), 2), "labelOverlap": True}
        return {"format": "~%", **axis} if self.fmt.endswith("%") else axis

    def _scale(self) -> dict[str, Any]:
        return {"domain": list(self.extent), "nice": True, "zero": True, "clamp": True}

    def _x(self, field: str, plot_width: float) -> dict[str, Any]:
        return {"field": field, "type": "quantitative", "scale": self._scale(), "title": self.x_label,
                "axis": self._axis(plot_width)}

    def _zero_x(self, plot_width: float) -> dict[str, Any]:
        return {"datum": 0, "type": "quantitative", "scale": self._scale(), "title": self.x_label,
                "axis": self._axis(plot_width)}

    def _y(self) -> dict[str, Any]:
        axis: dict[str, Any] = {"labelLimit": AXIS_LABEL_LIMIT, "grid": False, "domain": False, "ticks": False,
                                "labelExpr": f"replace(datum.value, {json.dumps(KEY_MARK)}, '')"}
        if self._overall is not None:
            axis["labelFontWeight"] = {"condition": {"test": f"datum.value === {json.dumps(self._overall)}",
                                                     "value": "bold"}, "value": "normal"}
        return {"field": "slice", "type": "nominal", "title": self.y_label or None, "sort": None,
                "scale": {"domain": self.labels, "padding": Y_PADDING}, "axis": axis}

    def _legend(self) -> dict[str, Any] | None:
        if not self.options.legend_on:
            return None
        return {"title": self.options.legend_title("") or None, "orient": "right"}

    def _color(self) -> dict[str, Any]:
        return {"field": "result", "type": "nominal", "legend": self._legend(),
                "scale": {"domain": self.results, "range": [_COLORS[r] for r in self.results]}}

    def _shape(self) -> dict[str, Any]:
        up, down = (BETTER, WORSE) if self.higher_is_better else (WORSE, BETTER)
        shapes = {**_SHAPES, up: "triangle-right", down: "triangle-left"}
        return {"field": "result", "type": "nominal", "legend": self._legend(),
                "scale": {"domain": self.results, "range": [shapes[r] for r in self.results]}}

    def _separator(self) -> tuple[Layer]:
        """A line halfway between the overall row and the first slice. The slice scale is a band scale with
        padding Y_PADDING: its step is the band's width over (1 - Y_PADDING)."""
        half_step = ScaleExpr(f"bandwidth($y) / {1 - Y_PADDING} / 2")
        return (rules("separator", y=self._y(), color=SEPARATOR_COLOR, strokeWidth=1, yOffset={"expr": half_step},
                      where=f"datum.slice === {json.dumps(self._overall)}"),)

    def _flagged(self, plot_width: float) -> tuple[Layer, Layer]:
        """Rows without a difference: a neutral marker on the zero line, and their status and reason beside it,
        on whichever side of zero has more room."""
        lo, hi = self.extent
        zero_at = (0 - lo) / (hi - lo)
        right = zero_at <= 0.5
        room = (1 - zero_at if right else zero_at) * plot_width - 18
        flagged = f"!({_HAS_VALUE})"
        return (
            points("flagged", x=self._zero_x(plot_width), y=self._y(), color=self._color(), shape=self._shape(),
                   tooltip=self._tooltip(), where=flagged, filled=True, size=90, opacity=1),
            text("flag_text", x=self._zero_x(plot_width), y=self._y(), text={"field": "note", "type": "nominal"},
                 color={"condition": {"test": f"datum.result === '{ERROR}'", "value": ERROR_COLOR},
                        "value": FLAG_TEXT_COLOR},
                 tooltip=self._tooltip(), where=flagged, align="left" if right else "right",
                 dx=10 if right else -10, baseline="middle", fontSize=11, limit=max(room, 40)),
        )

    def _texts(self) -> tuple[dict[str, str], ...]:
        """The numbers of the tooltip as text: "inf"/"-inf" where infinite, "none" where missing."""
        value_fmt = without_sign(self.fmt)
        interval = (f"isValid(datum.low) && isValid(datum.high) ? '[' + {_number_expr('low', self.fmt)} + ', ' "
                    f"+ {_number_expr('high', self.fmt)} + ']' : 'none'")
        texts = {"delta_text": _number_expr("delta", self.fmt), "interval": interval,
                 "n_text": _number_expr("n", COUNT_FORMAT), "baseline_text": _number_expr("baseline", value_fmt),
                 "candidate_text": _number_expr("candidate", value_fmt)}
        return tuple({"calculate": expression, "as": field} for field, expression in texts.items())

    def _tooltip(self) -> tuple[TooltipRow, ...] | None:
        """Tooltip rows: slice, difference, interval, n, the two values compared (under the names of their
        sides, when known), and the result or reason."""
        if not self.options.tip:
            return None
        titles = {side: f"{self.names[side]} ({side})" if self.names else side for side in ("baseline", "candidate")}
        columns = self.columns
        wanted = [("slice", self.y_label or "slice", True), ("delta_text", "difference", True),
                  ("interval", "interval", columns.low is not None), ("n_text", "n", columns.n is not None),
                  ("baseline_text", titles["baseline"], columns.baseline is not None),
                  ("candidate_text", titles["candidate"], columns.candidate is not None),
                  ("note", "result", True)]
        return tuple(TooltipRow(field, title) for field, title, shown in wanted if shown)


def _number_expr(field: str, fmt: str) -> str:
    """The tooltip text of a number: "inf" or "-inf" where it is infinite, else formatted, or "none"."""
    return (f"(isValid(datum.{field}_inf) ? datum.{field}_inf : isValid(datum.{field}) ? "
            f"format(datum.{field}, {json.dumps(fmt)}) : 'none')")
