"""`diff_plot`: paired differences per slice, a point and an interval each, against a line at zero.

It draws the tables of `evalviz.analysis.paired_diff_table` and `paired_diff_between_models` (columns slice,
delta, low, high, n, status, reason, baseline_value, candidate_value, baseline_name, candidate_name), or any
table with such columns. The rows are selected in DuckDB; only the drawn rows, one per slice, travel to the
browser.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import pyarrow as pa
import pyarrow.compute as pc

from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.rendering.component import Component
from evalviz.views.chart import AXIS_LABEL_LIMIT, built_unchecked, subtitle_lines, text_width, title_params, to_spec
from evalviz.views.colors import ERROR_COLOR, INFINITE_COLOR, MISSING_COLOR, SKIPPED_COLOR
from evalviz.views.formatting import COUNT_FORMAT, d3_format, without_sign
from evalviz.views.grid import KEY_MARK, NULL_LABEL, check_numeric, explicit_order
from evalviz.views.options import MAX_PIXELS, checks_arguments

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

# What a row shows, in legend order. The first three read the interval against zero.
BETTER, WORSE, UNCLEAR = "better", "worse", "no clear difference"
NO_INTERVAL, SKIPPED, ERROR, INFINITE, NO_VALUE = "no interval", "skipped", "error", "infinite", "no value"
FLAGGED = (SKIPPED, ERROR, INFINITE, NO_VALUE)
RESULTS = (BETTER, WORSE, UNCLEAR, NO_INTERVAL, *FLAGGED)
_COLORS = {BETTER: "#2166ac", WORSE: "#b2182b", UNCLEAR: "#525252", NO_INTERVAL: "#969696",
           SKIPPED: SKIPPED_COLOR, ERROR: ERROR_COLOR, INFINITE: INFINITE_COLOR, NO_VALUE: MISSING_COLOR}
_SHAPES = {UNCLEAR: "circle", NO_INTERVAL: "square", SKIPPED: "diamond", ERROR: "cross", INFINITE: "triangle-up",
           NO_VALUE: "diamond"}
_READINGS = {
    BETTER: "better: the interval excludes zero",
    WORSE: "worse: the interval excludes zero",
    UNCLEAR: "no clear difference: the interval includes zero",
    NO_INTERVAL: "no interval",
}


@dataclass(frozen=True)
class _Columns:
    """The user's columns behind each role (None: the table has no such column)."""

    slice: str
    delta: str
    low: str | None
    high: str | None
    n: str | None
    status: str | None
    reason: str | None
    baseline: str | None
    candidate: str | None
    baseline_name: str | None
    candidate_name: str | None


@checks_arguments()
@built_unchecked
def diff_plot(
    data: Data | Any,
    *,
    slice: str = "slice",
    delta: str = "delta",
    low: str | None = "low",
    high: str | None = "high",
    n: str | None = "n",
    status: str | None = "status",
    reason: str | None = "reason",
    baseline: str | None = "baseline_value",
    candidate: str | None = "candidate_value",
    baseline_name: str | None = "baseline_name",
    candidate_name: str | None = "candidate_name",
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
            input order; a name the table does not hold is refused).
        overall: The name of the overall slice ("all" in the analysis tables): drawn on top in bold, set apart
            from the sorted slices by a line. None sorts it with the others.
        x_label, y_label: Axis titles (by default the x axis names the two sides compared, as far as the table
            names them, and the y axis is titled with the slice column).
        fmt: Python format string of the differences and intervals in the tooltip: "{:+.3f}", "{:+.1%}".
        higher_is_better: Whether a positive difference is an improvement (False for losses, error rates).
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
    columns = _resolve_columns(data, slice=slice, delta=delta, low=low, high=high, n=n, status=status,
                               reason=reason, baseline=baseline, candidate=candidate, baseline_name=baseline_name,
                               candidate_name=candidate_name)
    fmt_d3 = d3_format(fmt)
    value_d3 = without_sign(fmt_d3)
    metric = _one_metric(data, columns)
    names = _side_names(data, columns)
    if x_label is None:
        x_label = NAMED_X_LABEL.format(**names) if names else DEFAULT_X_LABEL
    data = data.select(*dict.fromkeys(c for c in vars(columns).values() if c is not None))
    data.require_rows()
    _check_unique_slices(data, columns.slice)
    _check_intervals(data, columns)
    rows = data.sql(_query(columns, sort=sort, higher_is_better=higher_is_better, overall=overall))
    labels = rows["slice"].to_pylist()
    order = _pinned(_explicit_order(sort, labels) if _is_explicit(sort) else labels, overall)

    width = width or DEFAULT_WIDTH
    if subtitle is None and metric is not None:
        subtitle = f"metric: {metric}"
    title_lines = bool(title) + len(subtitle_lines(subtitle, width))
    height = height or min(AXIS_HEIGHT + ROW_HEIGHT * len(order) + TITLE_LINE_HEIGHT * title_lines, MAX_PIXELS)

    results = [r for r in RESULTS if r in set(rows["result"].to_pylist())]
    lo, hi = _x_extent(rows)
    rows = _bounded(rows, (lo, hi))
    legend_area = max(len(r) for r in results) * 6 + 45
    y_area = text_width(order) + 30 + (16 if y_label != "" else 0)
    plot_width = max(width - y_area - legend_area, 60.0)
    plot_height = max(height - AXIS_HEIGHT - TITLE_LINE_HEIGHT * title_lines, 20)
    chart = _chart(
        rows, columns, order=order, results=results, extent=(lo, hi), plot_width=plot_width,
        plot_height=plot_height,
        fmt=fmt_d3, value_fmt=value_d3, x_label=x_label,
        y_label=columns.slice if y_label is None else y_label, higher_is_better=higher_is_better, tip=tip,
        overall=overall if order and order[0] == overall else None, names=names,
    )
    if title or subtitle:
        chart = chart.properties(title=title_params(title, subtitle, width))
    spec = to_spec(chart, attributes, validate=bool(attributes))
    spec["autosize"] = {"type": "fit", "contains": "padding"}
    spec["width"], spec["height"] = width, height
    spec["usermeta"] = {"evalviz": {"link_field": None, "renderer": "svg",
                                    "plot_size": [round(plot_width), round(plot_height)]}}
    return Component.from_parts(spec, {DATASET: rows})


def _pinned(order: list[str], overall: str | None) -> list[str]:
    """The slice order with the overall slice first, apart from the sorted slices."""
    if overall is None or overall not in order:
        return order
    return [overall, *(s for s in order if s != overall)]


# -- columns and SQL -----------------------------------------------------------------------------------------
_DEFAULTS = {"low": "low", "high": "high", "n": "n", "status": "status", "reason": "reason",
             "baseline": "baseline_value", "candidate": "candidate_value", "baseline_name": "baseline_name",
             "candidate_name": "candidate_name"}


def _resolve_columns(data: Data, **given: str | None) -> _Columns:
    """The columns of each role. `slice` and `delta` are required; an optional column left at its default name
    is used when present, and one named otherwise must be there."""
    present = set(data.columns)
    for role in ("slice", "delta"):
        if not isinstance(given[role], str):
            raise EvalvizError(f"{role} names a column of the table, not {given[role]!r}.")
    data.require_columns(given["slice"], given["delta"], purpose="diff_plot")
    resolved: dict[str, str | None] = {"slice": given["slice"], "delta": given["delta"]}
    for role, default in _DEFAULTS.items():
        name = given[role]
        if name is not None and not isinstance(name, str):
            raise EvalvizError(f"{role} names a column of the table (or None), not {name!r}.")
        if name is None or (name == default and name not in present):
            resolved[role] = None
            continue
        data.require_columns(name, purpose=f"diff_plot's {role}")
        resolved[role] = name
    if (resolved["low"] is None) != (resolved["high"] is None):
        have, lack = ("low", "high") if resolved["low"] else ("high", "low")
        raise EvalvizError(
            f"The interval needs both ends: the table has {have}={resolved[have]!r} but no {lack} column "
            f"({lack}={given[lack]!r}). Columns present: {', '.join(repr(c) for c in data.columns)}."
        )
    for role in ("delta", "low", "high", "n", "baseline", "candidate"):
        if resolved[role] is not None:
            check_numeric(data, resolved[role], role)
    return _Columns(**resolved)


def _one_metric(data: Data, columns: _Columns) -> str | None:
    """The metric a table names in a `metric` column; a table of several metrics must be filtered first."""
    if "metric" not in data.columns or "metric" in vars(columns).values():
        return None
    metrics = data.sql(f"SELECT DISTINCT CAST({q('metric')} AS VARCHAR) AS m FROM this ORDER BY 1 LIMIT 11")
    names = metrics["m"].to_pylist()
    if len(names) > 1:
        shown = ", ".join(repr(m) for m in names[:10]) + (", ..." if len(names) > 10 else "")
        raise EvalvizError(
            f"The table holds several metrics ({shown}); diff_plot shows one. Filter first, e.g. "
            f"data.filter(\"metric = {names[0]!r}\")."
        )
    return names[0] if names else None


def _side_names(data: Data, columns: _Columns) -> dict[str, str] | None:
    """{"baseline": name, "candidate": name} when the table names each side with one name, else None."""
    if columns.baseline_name is None or columns.candidate_name is None:
        return None
    names = data.sql(
        f"SELECT count(DISTINCT {q(columns.baseline_name)}) AS nb, count(DISTINCT {q(columns.candidate_name)}) AS nc, "
        f"CAST(any_value({q(columns.baseline_name)}) AS VARCHAR) AS b, "
        f"CAST(any_value({q(columns.candidate_name)}) AS VARCHAR) AS c FROM this"
    ).to_pylist()[0]
    if names["nb"] != 1 or names["nc"] != 1 or not names["b"].strip() or not names["c"].strip():
        return None
    return {"baseline": names["b"], "candidate": names["c"]}


def _check_unique_slices(data: Data, column: str) -> None:
    """One row per slice: repeated slices (several metrics, scorers or runs) would be drawn on top of each
    other."""
    label = _label_sql(column)
    repeated = data.sql(
        f"SELECT {label} AS s, count(*) AS c FROM this GROUP BY 1 HAVING count(*) > 1 ORDER BY c DESC, s LIMIT 3"
    ).to_pylist()
    if repeated:
        shown = ", ".join(f"{r['s']!r} ({r['c']} rows)" for r in repeated)
        raise EvalvizError(
            f"diff_plot draws one row per slice, but some slices repeat: {shown}. Filter the table to one "
            "comparison first (one metric, one pair of models)."
        )


def _check_intervals(data: Data, columns: _Columns) -> None:
    """Refuse a row whose interval is upside down (low above high) or leaves out its own difference: either
    would be read wrongly against zero. Beyond rounding (a billionth of the values' size) only."""
    if columns.low is None:
        return
    d, lo, hi = (_number(c) for c in (columns.delta, columns.low, columns.high))
    slack = f"1e-9 * (abs({lo}) + abs({hi}) + coalesce(abs({d}), 0))"
    wrong = data.sql(
        f"SELECT {_label_sql(columns.slice)} AS s, {d} AS d, {lo} AS lo, {hi} AS hi FROM this "
        f"WHERE isfinite({lo}) AND isfinite({hi}) AND ({lo} > {hi} + {slack} "
        f"OR (isfinite({d}) AND ({d} < {lo} - {slack} OR {d} > {hi} + {slack}))) LIMIT 1"
    ).to_pylist()
    if wrong:
        row = wrong[0]
        problem = "low is above high" if row["lo"] > row["hi"] else "the difference lies outside its interval"
        raise EvalvizError(
            f"diff_plot cannot draw slice {row['s']!r}: {problem} (difference {row['d']!r}, interval "
            f"[{row['lo']!r}, {row['hi']!r}]). Check the {columns.low!r} and {columns.high!r} columns: an "
            "interval runs from its lower to its upper end and holds its estimate."
        )


def _label_sql(column: str) -> str:
    """SQL of a slice's key, drawn as its label: its text, NULL as "(null)"; a NULL beside the text "(null)"
    gets KEY_MARK (an invisible character, taken off the axis label) appended, so the two stay two slices."""
    text = f"CAST({q(column)} AS VARCHAR)"
    twin = f"(SELECT coalesce(bool_or(CAST({q(column)} AS VARCHAR) = '{NULL_LABEL}'), false) FROM this)"
    return (f"CASE WHEN {q(column)} IS NOT NULL THEN {text} WHEN {twin} "
            f"THEN '{NULL_LABEL}' || {quote_literal(KEY_MARK)} ELSE '{NULL_LABEL}' END")


def _number(column: str | None) -> str:
    return f"CAST({q(column)} AS DOUBLE)" if column is not None else "CAST(NULL AS DOUBLE)"


def _finite(value: str) -> str:
    return f"CASE WHEN isfinite({value}) THEN {value} END"


def _not_nan(value: str) -> str:
    return f"CASE WHEN NOT isnan({value}) THEN {value} END"


def _infinity_text(value: str) -> str:
    """'inf' or '-inf' where `value` is infinite, else NULL: the text the tooltip shows for it."""
    return f"CASE WHEN isinf({value}) THEN CASE WHEN {value} > 0 THEN 'inf' ELSE '-inf' END END"


def _is_explicit(sort: object) -> bool:
    return sort is not None and not isinstance(sort, str)


def _explicit_order(sort: Sequence[str], labels: list[str]) -> list[str]:
    """The slices in the order `sort` (a list or tuple of slice names) gives; as in the heatmaps, names the table
    does not hold are ignored (one order may serve several filtered tables) and slices it leaves out follow."""
    if not isinstance(sort, list | tuple):  # a set or a dict has no order of its own
        raise EvalvizError(
            f"diff_plot's sort is 'descending', 'ascending', None or a list of slice names, not a "
            f"{type(sort).__name__}: give the slices in a list, in the order to draw them."
        )
    return explicit_order(sort, labels)


def _query(columns: _Columns, *, sort: object, higher_is_better: bool, overall: str | None) -> str:
    """One row per slice: the values to draw, the result (how the interval reads, or why there is none) and
    the note of the tooltip. Deltas and values are finite or NULL, with "inf"/"-inf" as text beside them; the
    ends of the interval keep their infinities (they still read against zero), for `_bounded` to draw."""
    status = f"lower(trim(CAST({q(columns.status)} AS VARCHAR)))" if columns.status else "CAST(NULL AS VARCHAR)"
    reason = f"nullif(trim(CAST({q(columns.reason)} AS VARCHAR)), '')" if columns.reason else "CAST(NULL AS VARCHAR)"
    size = _number(columns.n)
    up, down = (BETTER, WORSE) if higher_is_better else (WORSE, BETTER)
    pin = "" if overall is None else f"(slice = {quote_literal(overall)}) DESC, "
    if sort == "descending":
        order = f"{pin}delta DESC NULLS LAST, ord"
    elif sort == "ascending":
        order = f"{pin}delta ASC NULLS LAST, ord"
    elif sort is None or _is_explicit(sort):
        if isinstance(sort, dict):
            raise EvalvizError("diff_plot's sort is 'descending', 'ascending', None or a list of slice names.")
        order = f"{pin}ord"
    else:
        raise EvalvizError(
            f"sort={sort!r} is not understood. Use 'descending' (largest difference on top), 'ascending', None "
            "(input order) or a list of slice names."
        )
    readings = " ".join(f"WHEN result = '{r}' THEN '{text}'" for r, text in _READINGS.items())
    return f"""
        WITH raw AS (
            SELECT {_label_sql(columns.slice)} AS slice, {_number(columns.delta)} AS d,
                   {_not_nan(_number(columns.low))} AS lo, {_not_nan(_number(columns.high))} AS hi,
                   {size} AS size, {status} AS st, {reason} AS reason,
                   {_number(columns.baseline)} AS b, {_number(columns.candidate)} AS c, row_number() OVER () AS ord
            FROM this
        ),
        flagged AS (
            SELECT *, CASE WHEN st = '{ERROR}' THEN '{ERROR}' WHEN st = '{SKIPPED}' THEN '{SKIPPED}'
                           WHEN isinf(d) THEN '{INFINITE}' WHEN NOT isfinite(d) OR d IS NULL THEN '{NO_VALUE}'
                      END AS flag
            FROM raw
        ),
        src AS (
            SELECT slice, {_finite("size")} AS n, st, reason, ord, flag, {_finite("b")} AS baseline,
                   {_finite("c")} AS candidate, {_infinity_text("size")} AS n_inf,
                   CASE WHEN flag IS NULL THEN d END AS delta,
                   CASE WHEN flag IS NULL THEN lo END AS low,
                   CASE WHEN flag IS NULL THEN hi END AS high,
                   {_infinity_text("d")} AS delta_inf, {_infinity_text("b")} AS baseline_inf,
                   {_infinity_text("c")} AS candidate_inf
            FROM flagged
        ),
        results AS (
            SELECT *, CASE WHEN flag IS NOT NULL THEN flag
                           WHEN low IS NULL OR high IS NULL THEN '{NO_INTERVAL}'
                           WHEN low > 0 THEN '{up}' WHEN high < 0 THEN '{down}'
                           ELSE '{UNCLEAR}' END AS result
            FROM src
        )
        SELECT slice, delta, low, high, n, baseline, candidate, reason, result,
            CASE {readings}
                 WHEN result = '{INFINITE}' THEN 'infinite difference (' || delta_inf || ')'
                                                 || coalesce(': ' || reason, '')
                 WHEN reason IS NOT NULL THEN result || ': ' || reason
                 WHEN result = '{NO_VALUE}' THEN '{NO_VALUE} (the difference is missing or NaN)'
                 ELSE result END AS note,
            delta_inf, {_infinity_text("low")} AS low_inf, {_infinity_text("high")} AS high_inf, n_inf,
            baseline_inf, candidate_inf
        FROM results
        ORDER BY {order}
    """


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
def _chart(rows: pa.Table, columns: _Columns, *, order: list[str], results: list[str],
           extent: tuple[float, float], plot_width: float, plot_height: float, fmt: str, value_fmt: str,
           x_label: str, y_label: str, higher_is_better: bool, tip: bool, overall: str | None,
           names: dict[str, str] | None) -> alt.LayerChart:
    up, down = (BETTER, WORSE) if higher_is_better else (WORSE, BETTER)
    shapes = {**_SHAPES, up: "triangle-right", down: "triangle-left"}
    x_scale = alt.Scale(domain=list(extent), nice=True, zero=True, clamp=True)
    # Vega picks tick labels to suit the tick step; a percent format keeps percent ticks.
    axis = alt.Axis(format="~%" if fmt.endswith("%") else alt.Undefined, grid=True, gridColor="#eeeeee",
                    tickCount=max(int(plot_width / 80), 2), labelOverlap=True)

    def x_of(field: str) -> alt.X:
        return alt.X(f"{field}:Q", scale=x_scale, title=x_label, axis=axis)

    zero_x = alt.XDatum(0, type="quantitative", scale=x_scale, title=x_label, axis=axis)
    is_overall = f"datum.value === {json.dumps(overall)}"
    base = alt.Chart().encode(
        y=alt.Y("slice:N", title=y_label or None, sort=None, scale=alt.Scale(domain=order, padding=Y_PADDING),
                axis=alt.Axis(labelLimit=AXIS_LABEL_LIMIT, grid=False, domain=False, ticks=False,
                              labelExpr=f"replace(datum.value, {json.dumps(KEY_MARK)}, '')",
                              labelFontWeight=alt.Undefined if overall is None else
                              {"condition": {"test": is_overall, "value": "bold"}, "value": "normal"})),
    )
    legend = alt.Legend(title=None, orient="right")
    color = alt.Color("result:N", scale=alt.Scale(domain=results, range=[_COLORS[r] for r in results]),
                      legend=legend)
    shape = alt.Shape("result:N", scale=alt.Scale(domain=results, range=[shapes[r] for r in results]),
                      legend=legend)
    tooltip = _tooltip(columns, y_label, names) if tip else alt.Undefined
    has_value = "isValid(datum.delta)"
    flagged = f"!({has_value})"

    layers: list[alt.TopLevelMixin] = [
        # The line at zero: one rule, from one aggregated row.
        alt.Chart(name="zero").transform_aggregate(rows="count()").mark_rule(
            color=ZERO_COLOR, strokeWidth=1.5, strokeDash=[4, 3]).encode(x=zero_x),
        base.properties(name="interval").mark_rule(strokeWidth=2.5).encode(
            x=x_of("low"), x2="high:Q", color=color, tooltip=tooltip,
        ).transform_filter(f"{has_value} && isValid(datum.low) && isValid(datum.high)"),
        base.properties(name="point").mark_point(filled=True, size=110, opacity=1).encode(
            x=x_of("delta"), color=color, shape=shape, tooltip=tooltip,
        ).transform_filter(has_value),
    ]
    if overall is not None and len(order) > 1:
        # The overall row stands apart: a line halfway between it and the first slice. The slice scale is a band
        # scale with padding Y_PADDING: its step is the band's width over (1 - Y_PADDING).
        half_step = f"bandwidth('y') / {1 - Y_PADDING} / 2"
        layers.append(base.properties(name="separator").mark_rule(
            color=SEPARATOR_COLOR, strokeWidth=1, yOffset=alt.ExprRef(half_step),
        ).transform_filter(f"datum.slice === {json.dumps(overall)}"))
    if any(r in FLAGGED for r in results):
        # Rows without a difference: a neutral marker on the zero line, and their status and reason beside it,
        # on whichever side of zero has more room.
        lo, hi = extent
        zero_at = (0 - lo) / (hi - lo)
        right = zero_at <= 0.5
        room = (1 - zero_at if right else zero_at) * plot_width - 18
        layers += [
            base.properties(name="flagged").mark_point(filled=True, size=90, opacity=1).encode(
                x=zero_x, color=color, shape=shape, tooltip=tooltip,
            ).transform_filter(flagged),
            base.properties(name="flag_text").mark_text(
                align="left" if right else "right", dx=10 if right else -10, baseline="middle", fontSize=11,
                limit=max(room, 40),
            ).encode(
                x=zero_x, text="note:N", tooltip=tooltip,
                color=alt.condition(f"datum.result === '{ERROR}'", alt.value(ERROR_COLOR),
                                    alt.value(FLAG_TEXT_COLOR)),
            ).transform_filter(flagged),
        ]
    chart = alt.layer(*layers, data=alt.Data(name=DATASET)).properties(
        width=round(plot_width), height=round(plot_height))
    return chart.transform_calculate(
        delta_text=_number_expr("delta", fmt),
        interval=(f"isValid(datum.low) && isValid(datum.high) ? '[' + {_number_expr('low', fmt)} + ', ' "
                  f"+ {_number_expr('high', fmt)} + ']' : 'none'"),
        n_text=_number_expr("n", COUNT_FORMAT),
        baseline_text=_number_expr("baseline", value_fmt),
        candidate_text=_number_expr("candidate", value_fmt),
    )


def _number_expr(field: str, fmt: str) -> str:
    """The tooltip text of a number: "inf" or "-inf" where it is infinite, else formatted, or "none"."""
    return (f"(isValid(datum.{field}_inf) ? datum.{field}_inf : isValid(datum.{field}) ? "
            f"format(datum.{field}, {json.dumps(fmt)}) : 'none')")


def _tooltip(columns: _Columns, y_label: str, names: dict[str, str] | None) -> list[alt.Tooltip]:
    """Tooltip rows: slice, difference, interval, n, the two values compared (under the names of their sides,
    when known), and the result or reason."""
    titles = {side: f"{names[side]} ({side})" if names else side for side in ("baseline", "candidate")}
    tooltip = [alt.Tooltip("slice:N", title=y_label or "slice"),
               alt.Tooltip("delta_text:N", title="difference")]
    if columns.low:
        tooltip.append(alt.Tooltip("interval:N", title="interval"))
    if columns.n:
        tooltip.append(alt.Tooltip("n_text:N", title="n"))
    if columns.baseline:
        tooltip.append(alt.Tooltip("baseline_text:N", title=titles["baseline"]))
    if columns.candidate:
        tooltip.append(alt.Tooltip("candidate_text:N", title=titles["candidate"]))
    tooltip.append(alt.Tooltip("note:N", title="result"))
    return tooltip
