"""`heatmap`: the shared core that scores_heatmap, sample_heatmap and slice_metric_heatmap are built on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pyarrow as pa
import pyarrow.compute as pc

from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.rendering.component import Component
from evalviz.views.colors import MISSING_COLOR, vega_scheme
from evalviz.views.formatting import d3_format
from evalviz.views.grid import Grid, GridColumns, aggregate_grid
from evalviz.views.options import NOT_GIVEN, CellOptions, NotGiven

DATASET = "cells"
DEFAULT_WIDTH = 700
GOLDEN = 1.618
AXIS_LABEL_LIMIT = 160  # pixels; longer labels end in an ellipsis on the axis and stay whole in the tooltip
MIN_ANNOTATED_HEIGHT = 14  # pixels of cell height below which annotations are switched off
ANNOTATION_CHAR_WIDTH = 7  # pixels per character, to tell whether an annotation fits its cell


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
    cell: CellOptions | None = None,
    tip: bool = True,
    title: str | None = None,
    marks: Sequence[alt.TopLevelMixin] | None = None,
    width: int | None = None,
    height: int | None = None,
    legend: str | None | NotGiven = NOT_GIVEN,
    sort: object = "ascending",
    cmap: str = "viridis",
    domain: tuple[float, float] | None = None,
    center: float | None = None,
    **attributes: Any,
) -> Component:
    """A grid of cells, one per (x, y), coloured by the `agg` of `fill` over the rows of that cell.

    Aggregation runs in DuckDB; only the cells travel to the browser. Cells without a value are drawn in a
    neutral colour with a legend entry of their own.

    Example:
        >>> import evalviz as ev
        >>> data = ev.Data.from_file("examples/data/evals.parquet")
        >>> chart = ev.heatmap(data, x="task_display_name", y="model_display_name", fill="score_headline_value")
    """
    cell = cell or CellOptions()
    grid = aggregate_grid(
        data, GridColumns(x=x, y=y, fill=fill, link=link, low=low, high=high, stderr=stderr), agg=agg, sort=sort
    )
    return draw_grid(
        grid, x_label=x_label or x, y_label=y_label or y, fill_label=fill_label or fill, cell=cell, tip=tip,
        title=title, marks=marks, width=width, height=height, legend=legend, cmap=cmap, domain=domain,
        center=center, **attributes,
    )


def draw_grid(
    grid: Grid,
    *,
    x_label: str,
    y_label: str,
    fill_label: str,
    cell: CellOptions,
    tip: bool,
    title: str | None,
    marks: Sequence[alt.TopLevelMixin] | None,
    width: int | None,
    height: int | None,
    legend: str | None | NotGiven,
    cmap: str,
    domain: tuple[float, float] | None,
    center: float | None,
    **attributes: Any,
) -> Component:
    """The Vega-Lite spec of an aggregated grid, and its Component."""
    width = width or DEFAULT_WIDTH
    height = height or round(width / GOLDEN)
    cells = grid.cells
    fmt = d3_format(cell.annot_fmt or "{:.3f}")
    has_link = "link" in cells.column_names and cells["link"].null_count < len(cells)
    x_tick_rotate = attributes.pop("x_tick_rotate", None)
    y_tick_rotate = attributes.pop("y_tick_rotate", None)

    # The inset between cells, in pixels, as the band scales' inner padding (a fraction of a band).
    x_padding = min(cell.inset * len(grid.x_order) / width, 0.5)
    y_padding = min(cell.inset * len(grid.y_order) / height, 0.5)
    base = alt.Chart(alt.Data(name=DATASET)).encode(
        x=alt.X("x:N", title=x_label, sort=grid.x_order, scale=alt.Scale(paddingInner=x_padding, paddingOuter=0),
                axis=_axis(x_tick_rotate, default_angle=-45)),
        y=alt.Y("y:N", title=y_label, sort=grid.y_order, scale=alt.Scale(paddingInner=y_padding, paddingOuter=0),
                axis=_axis(y_tick_rotate, default_angle=0)),
    )
    rect = {"cornerRadius": cell.corner_radius, "stroke": cell.stroke, "strokeWidth": 1 if cell.stroke else 0}
    rect = {k: v for k, v in rect.items() if v is not None}
    show_legend = not (legend is None)
    tooltip = _tooltip(cells, x_label=x_label, y_label=y_label, fill_label=fill_label, fmt=fmt) if tip else alt.Undefined

    scale = _color_scale(cells, cmap=cmap, domain=domain, center=center)
    colored = base.mark_rect(cursor="pointer" if has_link else "default", **rect).encode(
        color=alt.Color("value:Q", scale=scale,
                        legend=alt.Legend(title=legend if isinstance(legend, str) else fill_label)
                        if show_legend else None),
        tooltip=tooltip,
    ).transform_filter("isValid(datum.value)")
    # Missing cells use the fill channel, so their legend entry stands beside the colour legend.
    missing = base.mark_rect(**rect).encode(
        fill=alt.Fill("status:N", scale=alt.Scale(domain=["no data"], range=[MISSING_COLOR]),
                        legend=alt.Legend(title=None) if show_legend else None),
        tooltip=tooltip,
    ).transform_filter("!isValid(datum.value)").transform_calculate(status="'no data'")
    has_missing = cells["value"].null_count > 0
    layers: list[alt.TopLevelMixin] = [missing, colored] if has_missing else [colored]

    # Annotations switch themselves off when the cells are too small to read them.
    if cell.annotate and _annotations_fit(cells, grid, width, height, fmt):
        layers.append(_annotations(base, cell, fmt))
    layers.extend(marks or [])

    chart = alt.layer(*layers).properties(width=width, height=height)
    if title:
        chart = chart.properties(title=alt.TitleParams(text=title, anchor="start"))
    if attributes:
        chart = chart.properties(**attributes)
    spec = chart.to_dict()
    spec["usermeta"] = {"evalviz": {"link_field": "link" if has_link else None, "renderer": "svg"}}
    return Component.from_parts(spec, {DATASET: cells})


def _axis(rotate: float | None, *, default_angle: float) -> alt.Axis:
    """A nominal axis; `rotate` turns its labels counter-clockwise by that many degrees."""
    angle = default_angle if rotate is None else -float(rotate)
    return alt.Axis(labelLimit=AXIS_LABEL_LIMIT, labelAngle=angle, labelAlign="right" if angle else alt.Undefined)


def _color_scale(cells: pa.Table, *, cmap: str, domain: tuple[float, float] | None, center: float | None) -> alt.Scale:
    scheme, reverse = vega_scheme(cmap)
    values = cells["value"]
    lo, hi = pc.min(values).as_py(), pc.max(values).as_py()
    if domain is None and lo is not None and 0 <= lo and hi <= 1:
        domain = (0.0, 1.0)  # scores in [0, 1] span the whole of it, so colours compare across charts
    if center is not None:
        lo_d, hi_d = domain if domain is not None else (lo, hi)
        if lo_d is None:
            lo_d = hi_d = center
        reach = max(abs(center - lo_d), abs(hi_d - center)) or 1.0
        domain = (center - reach, center + reach)
    kwargs: dict[str, Any] = {"scheme": scheme, "reverse": reverse}
    if domain is not None:
        if domain[0] >= domain[1]:
            raise EvalvizError(f"The colour domain {list(domain)} is empty: vmin must be below vmax.")
        kwargs["domain"] = list(domain)
        kwargs["clamp"] = True
    return alt.Scale(**kwargs)


def _tooltip(cells: pa.Table, *, x_label: str, y_label: str, fill_label: str, fmt: str) -> list[alt.Tooltip]:
    names = cells.column_names
    tooltip = [
        alt.Tooltip("y:N", title=y_label),
        alt.Tooltip("x:N", title=x_label),
        alt.Tooltip("value:Q", title=fill_label, format=fmt),
        alt.Tooltip("n:Q", title="rows"),
    ]
    if "low" in names:
        tooltip += [alt.Tooltip("low:Q", title="95% CI low", format=fmt),
                    alt.Tooltip("high:Q", title="95% CI high", format=fmt)]
    if "link" in names:
        tooltip.append(alt.Tooltip("link:N", title="link"))
    return tooltip


def _annotations_fit(cells: pa.Table, grid: Grid, width: int, height: int, fmt: str) -> bool:
    cell_w = width / max(len(grid.x_order), 1)
    cell_h = height / max(len(grid.y_order), 1)
    sample = pc.max(cells["value"]).as_py() or 0.0
    text_w = ANNOTATION_CHAR_WIDTH * len(_python_preview(fmt, sample))
    return cell_h >= MIN_ANNOTATED_HEIGHT and cell_w >= text_w + 4


def _python_preview(fmt: str, value: float) -> str:
    return ("{:" + fmt + "}").format(value)


def _annotations(base: alt.Chart, cell: CellOptions, fmt: str) -> alt.Chart:
    # Text is black on light cells and white on dark ones, judged from the colour the cell actually got.
    color: Any = alt.value(cell.text) if cell.text else alt.condition(
        "luminance(scale('color', datum.value)) > 0.45", alt.value("black"), alt.value("white")
    )
    return base.mark_text(fontSize=11).encode(
        text=alt.Text("value:Q", format=fmt), color=color
    ).transform_filter("isValid(datum.value)")
