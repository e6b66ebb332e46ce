"""`heatmap`: the shared core that scores_heatmap, sample_heatmap and slice_metric_heatmap are built on.

`grid.py` aggregates rows into cells in DuckDB; this module draws the cells as a Vega-Lite spec (with Altair).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import pyarrow as pa
import pyarrow.compute as pc

from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.rendering.component import Component
from evalviz.views.chart import (
    AXIS_LABEL_LIMIT,
    LABEL_FONT_SIZE,
    built_unchecked,
    label_widths,
    subtitle_lines,
    text_width,
    title_params,
    to_spec,
)
from evalviz.views.colors import ERROR_COLOR, INFINITE_COLOR, MISSING_COLOR, SKIPPED_COLOR, vega_scheme
from evalviz.views.font_metrics import BOLD_WIDENING, drawn_width
from evalviz.views.formatting import COUNT_FORMAT, count_text, d3_format, format_value
from evalviz.views.grid import (
    COLORED,
    ERROR,
    INFINITE,
    NO_DATA,
    OK,
    PARTIAL,
    SKIPPED,
    Grid,
    GridColumns,
    aggregate_grid,
)
from evalviz.views.options import (
    NOT_GIVEN,
    TICK_ROTATIONS,
    CellOptions,
    NotGiven,
    checked_chart_options,
    checked_domain,
    checked_number,
    checks_arguments,
)

DATASET = "cells"
DEFAULT_WIDTH = 700
GOLDEN = 1.618
DEFAULT_FORMAT = "{:.3f}"
WHOLE_FORMAT = "{:,.0f}"  # the default for whole numbers of an integer column: "6", "1,024"
ANNOTATION_FONT_SIZE = 11
LEGEND_TITLE_FONT_SIZE = 11  # bold
LABEL_GAP = 2  # pixels between neighbouring x labels
SLANTS = (45.0, 60.0)  # degrees x labels may slant by, least first, before they stand upright
MIN_ANNOTATED_HEIGHT = 14  # pixels of cell height below which annotations are switched off
MIN_GLYPH_SIZE = 9  # pixels; smaller error cells show their colour only, partly failed ones no corner
# A partly failed cell's mark: a triangle filling its top right corner (a Vega symbol path within [-1, 1]).
CORNER_PATH = "M1,-1L1,1L-1,-1Z"
# The colour domain stays within ±COLOR_LIMIT (a quarter of the largest float, about 4.5e307), so that its span
# (and a browser's scale arithmetic on it) stays finite: values beyond take the colour of the nearer end.
COLOR_LIMIT = sys.float_info.max / 4
MAX_CORNER = 14  # pixels along each side of the corner mark
CANVAS_MIN_CELLS = 1000  # from this many cells on, one canvas draws faster than an SVG element per cell
FLAG_COLORS = {NO_DATA: MISSING_COLOR, SKIPPED: SKIPPED_COLOR, INFINITE: INFINITE_COLOR, ERROR: ERROR_COLOR}

Marks = Sequence[alt.TopLevelMixin] | alt.TopLevelMixin | None
Legend = str | bool | None | NotGiven


@dataclass(frozen=True)
class Labels:
    """What the axes, the colour and the tooltip rows are called."""

    x: str
    y: str
    fill: str
    rows: str | None = "rows"  # tooltip title of the row count; None hides it
    link: str = "link"
    interval: str = "95% CI"
    size: str = "n"
    scorer: str = "Scorer"
    x_members: str = "values in this cell"  # tooltip title of what a binned cell holds
    y_members: str = "values in this cell"
    x_axis: bool = True  # title the axes with x and y (a bare grid has names for its tooltip only)
    y_axis: bool = True


@checks_arguments(options=TICK_ROTATIONS)
def heatmap(
    data: Data,
    x: str,
    y: str,
    fill: str,
    *,
    x_label: str | None = None,
    y_label: str | None = None,
    fill_label: str | None = None,
    agg: str = "mean",
    link: str | None = None,
    low: str | None = None,
    high: str | None = None,
    stderr: str | None = None,
    size: str | None = None,
    status: str | None = None,
    reason: str | None = None,
    error: str | None = None,
    cell: CellOptions | None = None,
    tip: bool = True,
    title: str | None = None,
    subtitle: str | None = None,
    marks: Marks = None,
    width: int | None = None,
    height: int | None = None,
    legend: Legend = NOT_GIVEN,
    sort: object = "ascending",
    cmap: str = "viridis",
    domain: tuple[float | None, float | None] | None = None,
    center: float | None = None,
    **attributes: Any,
) -> Component:
    """A grid of cells, one per (x, y), coloured by the `agg` of `fill` over the rows of that cell.

    Aggregation runs in DuckDB; only the cells travel to the browser. Several rows for one cell become one
    cell whose tooltip gives the row count. Cells are keyed by the values of `x` and `y` themselves: a NULL and
    the text "(null)" are two columns of the grid (both labelled "(null)"). Cells without a value (NaN, NULL, no
    row at all) are drawn in a neutral colour with a legend entry of their own; with a `status` column,
    "skipped" rows are neutral too and a cell whose rows all failed ("error", or an `error` message) is dark
    with a cross. A cell whose rows failed only in part keeps the value of the others, coloured, and is marked
    "partly failed" (a dark corner, with a legend entry; its tooltip says how many rows failed, and why). A
    cell of several rows opens the link of a failed one, when it has one. A cell whose value is infinite (an
    infinite row, or a sum that overflows) is flagged "infinite", drawn dark with an ∞ and its value ("inf" or
    "-inf") in the tooltip; it takes no part in the colour scale. Values are written with three decimals, whole
    numbers of an integer column without any; counts with thousands separators ("10,000"). A keyword argument
    that is neither a parameter nor a Vega-Lite top-level property is refused, naming the closest.

    Args:
        data: The table.
        x, y: Columns whose values become the columns and rows of the grid.
        fill: The numeric column that colours the cells.
        x_label, y_label, fill_label: Axis and legend titles (default: the column names).
        agg: How the rows of one cell combine: "mean", "median", "min", "max" or "sum".
        link: A column of URLs; clicking a cell opens its http(s) link in a new tab.
        low, high: Columns of an interval shown in the tooltip; or `stderr`, a standard error (95% CI). When
            every value lies in [0, 1] (a score such as an accuracy), intervals are clipped to [0, 1].
        size, status, reason: Columns of a sample count, a row status ("ok", "skipped", "error"; inspect_ai's
            "started" and "cancelled" are errors, saying the eval did not finish) and why.
        error: A column of error messages: a row with a non-empty one failed, and its cell is an error.
        cell: How cells and their annotations are drawn (`CellOptions`).
        tip: Show a tooltip on hover.
        title, subtitle: Chart title and a line below it.
        marks: Extra Altair layers drawn on top; without data of their own they see the cells (columns x, y,
            value, n, status, ...; x and y are the labels, unless two axis values share a label: then the keys,
            with the labels in x_label and y_label).
        width, height: Outer size in pixels (700, and width / 1.618 by default; from 1 to 10,000).
        legend: None hides the legends, a string titles the colour legend.
        sort: "ascending" (highest values towards the top right), "descending", None (input order) or
            {"x": [...], "y": [...]} explicit orders.
        cmap: A matplotlib colour map name ("viridis", "RdBu_r", ...).
        domain: (vmin, vmax) of the colour scale; either may be None. Values in [0, 1] span [0, 1].
        center: Centre of a diverging colour scale; the domain becomes symmetric around it. The domain's ends
            stay within ±4.5e307 (values beyond take the colour of the nearer end), so its span stays finite.
        **attributes: `x_tick_rotate` / `y_tick_rotate` (degrees, counter-clockwise), or Vega-Lite top-level
            properties such as `background`.

    Example:
        >>> import evalviz as ev
        >>> data = ev.Data.from_file("examples/data/evals.parquet")
        >>> chart = ev.heatmap(data, x="task_display_name", y="model_display_name",
        ...                    fill="score_headline_value")
    """
    width, height = checked_chart_options(width=width, height=height, cell=cell, attributes=attributes)
    domain = checked_domain(domain)
    center = checked_number("center", center, optional=True)
    columns = GridColumns(x=x, y=y, fill=fill, link=link, low=low, high=high, stderr=stderr, size=size,
                          status=status, reason=reason, error=error)
    grid = aggregate_grid(data, columns, agg=agg, sort=sort)
    labels = Labels(x=x_label or x, y=y_label or y, fill=fill_label or fill,
                    interval="interval" if low and high else "95% CI")
    return draw_grid(
        grid, labels=labels, cell=cell or CellOptions(), tip=tip, title=title,
        subtitle=subtitle if subtitle is not None else aggregation_note(grid, agg), marks=marks, width=width,
        height=height, legend=legend, cmap=cmap, domain=domain, center=center, **attributes,
    )


def aggregation_note(grid: Grid, agg: str) -> str | None:
    """A subtitle saying that cells hold several rows, when some do."""
    most = grid.max_rows
    if most <= 1:
        return None
    return f"Each cell shows the {agg} of its rows (up to {count_text(most)}); hover a cell for its row count."


@dataclass(frozen=True)
class _Layout:
    """Sizes worked out before drawing: the plot area inside the axes, legend and title, and label angles."""

    plot_width: float
    plot_height: float
    x_angle: float
    y_angle: float

    def band(self, grid: Grid) -> tuple[float, float]:
        return self.plot_width / max(len(grid.x_order), 1), self.plot_height / max(len(grid.y_order), 1)


def _layout(grid: Grid, *, width: float, height: float, legend_on: bool, legend_title: str, titled: int,
            x_rotate: float | None, y_rotate: float | None, plot_size: tuple[int, int] | None) -> _Layout:
    """Estimate the plot area of a chart of `width` x `height` pixels in all (Vega fits it exactly), unless
    `plot_size` gives it, and choose the label angles. Text is measured in the charts' font."""
    y_area = text_width(grid.y_labels) + 30 if y_rotate is None or y_rotate == 0 else 60
    legend_area = 0.0
    if legend_on:
        flags = [s for s in grid.statuses if s != OK]
        entries = max(label_widths(flags), default=0.0) + 25
        title = drawn_width(legend_title, LEGEND_TITLE_FONT_SIZE) * BOLD_WIDENING
        legend_area = max(60.0, min(title, 180), entries) + 20
    plot_width = max(width - y_area - legend_area, 40.0) if plot_size is None else float(plot_size[0])
    band_width = plot_width / max(len(grid.x_order), 1)
    widths = label_widths(grid.x_labels)
    x_angle = x_label_angle(widths, band_width) if x_rotate is None else -float(x_rotate)
    x_extent = max(widths, default=0.0)
    x_area = 12 + abs(math.sin(math.radians(x_angle))) * x_extent + 30
    plot_height = max(height - x_area - 26 * titled, 40.0) if plot_size is None else float(plot_size[1])
    y_angle = 0.0 if y_rotate is None else -float(y_rotate)
    return _Layout(plot_width=plot_width, plot_height=plot_height, x_angle=x_angle, y_angle=y_angle)


def x_label_angle(widths: Sequence[float], band: float) -> float:
    """The angle of x labels `widths` pixels wide under bands of `band` pixels: level when neighbours do not
    touch, else the least slant (45 or 60 degrees) at which no two boxes overlap (Vega hides overlapping
    labels), else upright, so that as many as possible stay readable.

    A label slanted by a, anchored at its tick, takes w cos a + h sin a pixels along the axis (h its height).

    Example:
        >>> x_label_angle([52.1, 97.3, 66.2, 72.7], 75.6)
        -60.0
    """
    neighbours = list(zip(widths, widths[1:], strict=False)) or [(w, w) for w in widths]
    if all((a + b) / 2 + LABEL_GAP <= band for a, b in neighbours):
        return 0.0
    slanted = widths[1:] or widths  # the first label has no neighbour on the side it leans to
    for angle in SLANTS:
        a = math.radians(angle)
        if max(slanted) * math.cos(a) + LABEL_FONT_SIZE * math.sin(a) + LABEL_GAP <= band:
            return -angle
    return -90.0


@built_unchecked
def draw_grid(
    grid: Grid,
    *,
    labels: Labels,
    cell: CellOptions,
    tip: bool = True,
    title: str | None = None,
    subtitle: str | None = None,
    marks: Marks = None,
    width: int | None = None,
    height: int | None = None,
    legend: Legend = NOT_GIVEN,
    cmap: str = "viridis",
    domain: tuple[float | None, float | None] | None = None,
    center: float | None = None,
    value_range: tuple[float, float] | None = None,
    plot_size: tuple[int, int] | None = None,
    **attributes: Any,
) -> Component:
    """The Vega-Lite spec of an aggregated grid, and its Component.

    `value_range` is what the colour scale spans (by default the cells' values), so that charts of parts of
    one table can share colours. `plot_size` fixes the cells' area in pixels and lets the chart grow around it,
    rather than fitting the whole chart into `width` x `height`: Vega then lays it out in one pass, and a
    region that replaces an overview keeps the overview's plot area.
    """
    width = DEFAULT_WIDTH if width is None else width
    height = round(width / GOLDEN) if height is None else height
    if width <= 0 or height <= 0:
        raise EvalvizError(f"width and height must be positive, not {width} and {height}.")
    fmt_python = cell.annot_fmt or (WHOLE_FORMAT if grid.whole_numbers else DEFAULT_FORMAT)
    fmt = d3_format(fmt_python)
    x_rotate = attributes.pop("x_tick_rotate", None)
    y_rotate = attributes.pop("y_tick_rotate", None)
    legend_on = legend is not None and legend is not False
    legend_title = legend if isinstance(legend, str) else labels.fill

    def laid_out(subtitle: str | None) -> _Layout:
        return _layout(grid, width=width, height=height, legend_on=legend_on, legend_title=legend_title,
                       titled=bool(title) + len(subtitle_lines(subtitle, width)), x_rotate=x_rotate,
                       y_rotate=y_rotate, plot_size=plot_size)

    layout = laid_out(subtitle)
    corners = PARTIAL in grid.statuses and min(layout.band(grid)) >= MIN_GLYPH_SIZE
    if PARTIAL in grid.statuses and not corners:  # cells too small to mark: the subtitle says what they hide
        subtitle = " ".join(filter(None, (subtitle, _unmarked_note(grid))))
        layout = laid_out(subtitle)
    band_w, band_h = layout.band(grid)
    cells = grid.cells
    names = cells.column_names
    # A pointer over cells when some link will open (the browser opens http(s) URLs only).
    has_link = "link" in names and pc.any(
        pc.match_substring_regex(cells["link"], "^https?://", ignore_case=True)
    ).as_py() is True

    # The gap between cells, in pixels, as the band scales' inner padding (a fraction of a band).
    x_padding = min(cell.inset / band_w, 0.5) if band_w > 0 else 0
    y_padding = min(cell.inset / band_h, 0.5) if band_h > 0 else 0
    # Cells are placed by their axis values' keys, which are unique; the axes draw the values' labels.
    x = alt.X("x:N", title=labels.x if labels.x_axis else None,
              scale=alt.Scale(domain=grid.x_order, paddingInner=x_padding, paddingOuter=0),
              axis=alt.Axis(labelLimit=AXIS_LABEL_LIMIT, labelAngle=layout.x_angle, labelOverlap=True,
                            **_label_lookup(grid.relabelled("x"))))
    y = alt.Y("y:N", title=labels.y if labels.y_axis else None,
              scale=alt.Scale(domain=grid.y_order, paddingInner=y_padding, paddingOuter=0),
              axis=alt.Axis(labelLimit=AXIS_LABEL_LIMIT, labelAngle=layout.y_angle, labelOverlap=True,
                            **_label_lookup(grid.relabelled("y"))))
    base = alt.Chart().encode(x=x, y=y)
    rect: dict[str, Any] = {"cornerRadius": cell.corner_radius}
    if cell.stroke:
        rect.update(stroke=cell.stroke, strokeWidth=1)
    # Our layers, each with its tooltip rows. A tooltip is the cell's datum, formatted into rows only when the
    # cell is hovered (see usermeta "tooltips"): formatting every cell's tooltip up front costs more than
    # drawing the cells.
    ours: list[tuple[alt.Chart, list[dict[str, str]] | None]] = []  # rows are None without tooltips
    tip_mark: dict[str, Any] = {"tooltip": {"content": "data"}} if tip else {}

    values = grid.values()
    scale = _color_scale(value_range or _span(values), cmap=cmap, domain=domain, center=center)
    legend_format = ".0%" if fmt.endswith("%") else alt.Undefined
    cursor = "pointer" if has_link else "default"
    ok_tip = _tooltip(names, labels, fmt, ok=True) if tip else None
    flagged_tip = _tooltip(names, labels, fmt, ok=False) if tip else None
    colored = base.mark_rect(cursor=cursor, **rect, **tip_mark).encode(
        color=alt.Color("value:Q", scale=scale,
                        legend=alt.Legend(title=legend_title, format=legend_format) if legend_on else None),
    ).transform_filter(_colored_filter())
    if len(values):  # without any value there is nothing to colour, and no colour legend to show
        ours.append((colored, ok_tip))

    flags = [s for s in grid.statuses if s not in COLORED]
    if flags:
        # Cells without a colour use the fill channel, so their legend entries stand beside the colour legend.
        ours.append((base.mark_rect(cursor=cursor, **rect, **tip_mark).encode(
            fill=alt.Fill("status:N", scale=alt.Scale(domain=flags, range=[FLAG_COLORS[f] for f in flags]),
                          legend=alt.Legend(title=None) if legend_on else None),
        ).transform_filter(f"!({_colored_filter()})"), flagged_tip))
    if ERROR in flags and min(band_w, band_h) >= MIN_GLYPH_SIZE:
        # A cross tells error cells apart from any colour of the scheme. Text over a cell carries the cell's
        # tooltip (and datum, so a click on it opens the cell's link).
        cross = base.mark_text(text="\u00d7", color="white", fontSize=min(band_h * 0.7, 16), fontWeight="bold",
                               cursor=cursor, **tip_mark)
        ours.append((cross.transform_filter(f"datum.status === '{ERROR}'"), flagged_tip))
    if INFINITE in flags and min(band_w, band_h) >= MIN_GLYPH_SIZE:
        # An infinity sign, minus for -inf, tells infinite cells apart from any colour of the scheme.
        infinity = base.mark_text(color="white", fontSize=min(band_h * 0.7, 16), fontWeight="bold", cursor=cursor,
                                  **tip_mark).encode(text="sign:N")
        infinity = infinity.transform_filter(f"datum.status === '{INFINITE}'").transform_calculate(
            sign="datum.note[0] === '-' ? '\u2212\u221e' : '\u221e'")
        ours.append((infinity, flagged_tip))

    annotate = True if cell.annotate is None else cell.annotate
    if annotate and len(values) and _annotations_fit(values, band_w, band_h, fmt_python):
        ours.append((_annotations(base, cell, fmt, cursor=cursor, **tip_mark), ok_tip))
    if corners:
        side = min(band_w * 0.25, band_h * 0.25, MAX_CORNER)
        ours.append((_partly_failed_corner(x, y, side, legend_on=legend_on, cursor=cursor, **tip_mark), ok_tip))
    layers = [layer for layer, _ in ours] + _as_list(marks)

    chart = alt.layer(*layers, data=alt.Data(name=DATASET)).properties(width=round(layout.plot_width),
                                                                        height=round(layout.plot_height))
    if "low" in names:
        chart = chart.transform_calculate(interval=_interval_expr(fmt))
    if title or subtitle:
        chart = chart.properties(title=title_params(title, subtitle, width))
    spec = to_spec(chart, attributes, validate=bool(attributes) or bool(_as_list(marks)))
    if plot_size is None:
        # Vega fits the whole chart (axes, legend and title included) into width x height.
        spec["autosize"] = {"type": "fit", "contains": "padding"}
        spec["width"], spec["height"] = width, height
    else:
        spec["autosize"] = {"type": "pad"}
    spec["usermeta"] = {"evalviz": {
        "link_field": "link" if has_link else None,
        "renderer": "canvas" if len(cells) >= CANVAS_MIN_CELLS else "svg",
        "plot_size": [round(layout.plot_width), round(layout.plot_height)],
    }}
    if tip:
        # Tooltip rows under Vega-Lite's name for each layer's marks (the layers of `marks` keep their own).
        spec["usermeta"]["evalviz"]["tooltips"] = {f"layer_{i}": rows for i, (_, rows) in enumerate(ours)}
    return Component.from_parts(spec, {DATASET: cells})


def _unmarked_note(grid: Grid) -> str:
    """What a subtitle says of partly failed cells too small to carry a mark."""
    partial = pc.sum(pc.equal(grid.cells["status"], PARTIAL)).as_py()
    if partial == 1:
        return "1 cell is partly failed (too small to mark): it shows the value of its good rows; hover it for why."
    return (f"{count_text(partial)} cells are partly failed (too small to mark): they show the value of their good "
            "rows; hover a cell for its failures.")


def _colored_filter() -> str:
    """A Vega expression: whether a cell is coloured by its value ("ok" or "partly failed")."""
    return f"indexof({json.dumps(list(COLORED))}, datum.status) >= 0"


def _partly_failed_corner(x: alt.X, y: alt.Y, side: float, *, legend_on: bool, cursor: str, **mark: Any) -> alt.Chart:
    """A dark triangle `side` pixels wide in the top right corner of each partly failed cell, outlined in white
    so it shows on any colour, with a legend entry: the cell keeps its colour, and says some of it failed."""
    corner_x, corner_y = x.copy(), y.copy()
    corner_x.bandPosition, corner_y.bandPosition = 1, 0  # the band's right end, and its top
    half = side / 2  # the symbol is centred on its position: shift it into the cell
    return alt.Chart().mark_point(
        filled=True, color=ERROR_COLOR, stroke="white", strokeWidth=0.75, opacity=1, size=side * side,
        xOffset=-half, yOffset=half, cursor=cursor, **mark,
    ).encode(
        x=corner_x, y=corner_y,
        shape=alt.Shape("status:N", scale=alt.Scale(domain=[PARTIAL], range=[CORNER_PATH]),
                        legend=alt.Legend(title=None, symbolFillColor=ERROR_COLOR, symbolStrokeColor=ERROR_COLOR)
                        if legend_on else None),
    ).transform_filter(f"datum.status === '{PARTIAL}'")


def _label_lookup(relabelled: dict[str, str]) -> dict[str, str]:
    """An axis's labelExpr drawing the label of each key that is not its own label (none when every key is)."""
    if not relabelled:
        return {}
    keys, labels = json.dumps(list(relabelled)), json.dumps(list(relabelled.values()))
    return {"labelExpr": f"indexof({keys}, datum.value) < 0 ? datum.value : {labels}[indexof({keys}, datum.value)]"}


def _as_list(marks: Marks) -> list[alt.TopLevelMixin]:
    if marks is None:
        return []
    if isinstance(marks, alt.TopLevelMixin):
        return [marks]
    return list(marks)


def _span(values: pa.Array) -> tuple[float, float] | None:
    """The lowest and highest of `values` (None when there are none)."""
    if not len(values):
        return None
    extremes = pc.min_max(values)
    return extremes["min"].as_py(), extremes["max"].as_py()


def _color_scale(span: tuple[float, float] | None, *, cmap: str, domain: tuple[float | None, float | None] | None,
                 center: float | None) -> alt.Scale:
    """The colour scale over values spanning `span`: scores in [0, 1] span [0, 1]; `domain` (vmin, vmax)
    overrides; `center` makes a diverging scale symmetric around it. Its ends stay within ±COLOR_LIMIT."""
    scheme, reverse = vega_scheme(cmap)
    lo, hi = span if span is not None else (None, None)
    vmin, vmax = domain if domain is not None else (None, None)
    if vmin is None and vmax is None and lo is not None and 0 <= lo and hi <= 1:
        vmin, vmax = 0.0, 1.0  # scores in [0, 1] span the whole of it, so colours compare across charts
    vmin = lo if vmin is None else vmin
    vmax = hi if vmax is None else vmax
    if center is not None:
        low_end = center if vmin is None else vmin
        high_end = center if vmax is None else vmax
        reach = max(abs(center - low_end), abs(high_end - center)) or 1.0  # inf when the distance overflows
        vmin, vmax = center - reach, center + reach
    kwargs: dict[str, Any] = {"scheme": scheme, "reverse": reverse}
    if vmin is not None and vmax is not None:
        if vmin > vmax or (vmin == vmax and domain is not None and None not in domain):
            raise EvalvizError(f"The colour domain [{vmin}, {vmax}] is empty: vmin must be below vmax.")
        vmin, vmax = (min(max(end, -COLOR_LIMIT), COLOR_LIMIT) for end in (vmin, vmax))
        if vmin == vmax:  # one value: give the scale some room so the colour sits in the middle
            room = max(0.5, abs(vmin) * 1e-6)
            vmin, vmax = vmin - room, vmax + room
        kwargs.update(domain=[vmin, vmax], clamp=True)
    return alt.Scale(**kwargs)


def _interval_expr(fmt: str) -> str:
    f = json.dumps(fmt)
    return (f"isValid(datum.low) && isValid(datum.high) ? "
            f"'[' + format(datum.low, {f}) + ', ' + format(datum.high, {f}) + ']' : 'none'")


def _tooltip(names: list[str], labels: Labels, fmt: str, *, ok: bool) -> list[dict[str, str]]:
    """Tooltip rows: row, column, the value (or why there is none), interval, counts, status and link.

    Each row is a datum field and its title; a number also has its d3 format ("" for plain numbers), as a
    Vega-Lite tooltip of a quantitative field would.
    """
    # The axis values' labels where a key is not its label, else the keys, which are the labels.
    tooltip = [{"field": "y_label" if "y_label" in names else "y", "title": labels.y},
               {"field": "x_label" if "x_label" in names else "x", "title": labels.x}]
    if ok:
        tooltip.append({"field": "value", "title": labels.fill, "format": fmt})
        if "low" in names:
            tooltip.append({"field": "interval", "title": labels.interval})
        tooltip.append({"field": "note", "title": "Status"})  # a partly failed cell's failures (null when ok)
    else:
        tooltip.append({"field": "note", "title": labels.fill})
    for axis, title in (("x", labels.x_members), ("y", labels.y_members)):
        if f"{axis}_members" in names:  # a binned cell: which values it holds
            tooltip.append({"field": f"{axis}_members", "title": title})
    if ok and "low_value" in names:
        tooltip += [{"field": "low_value", "title": "min", "format": fmt},
                    {"field": "high_value", "title": "max", "format": fmt}]
    if "scorer" in names:
        tooltip.append({"field": "scorer", "title": labels.scorer})
    if "size" in names:
        tooltip.append({"field": "size", "title": labels.size, "format": COUNT_FORMAT})
    if labels.rows:
        tooltip.append({"field": "n", "title": labels.rows, "format": COUNT_FORMAT})
    if "link" in names:
        tooltip.append({"field": "link", "title": labels.link})
    return tooltip


def _annotations_fit(values: pa.Array, band_w: float, band_h: float, fmt: str) -> bool:
    """Whether the widest annotation fits its cell with room to spare."""
    samples = {*_span(values), values[len(values) // 2].as_py()}
    longest = max(drawn_width(format_value(fmt, v), ANNOTATION_FONT_SIZE) for v in samples)
    return band_h >= MIN_ANNOTATED_HEIGHT and band_w >= longest + 6


def _annotations(base: alt.Chart, cell: CellOptions, fmt: str, *, cursor: str, **mark: Any) -> alt.Chart:
    # Black or white, whichever contrasts more with the colour the cell actually got from the colour scale.
    color: Any = alt.value(cell.text) if cell.text else alt.condition(
        "contrast(scale('color', datum.value), 'black') >= contrast(scale('color', datum.value), 'white')",
        alt.value("black"), alt.value("white"),
    )
    # The text carries its cell's tooltip (and datum, so a click on it opens the cell's link).
    return base.mark_text(fontSize=ANNOTATION_FONT_SIZE, cursor=cursor, **mark).encode(
        text=alt.Text("value:Q", format=fmt), color=color,
    ).transform_filter(_colored_filter())
