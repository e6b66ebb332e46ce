"""The marks of `diff_plot`: the zero line, one interval and one point per slice (coloured and shaped by how the
interval reads), flagged rows on the zero line with their status, and the separator under the overall slice."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.charts import Interaction, Layer, LayerChart, ScaleExpr
from evalviz.constants.statuses import ERROR, INFINITE, NO_VALUE, SKIPPED
from evalviz.query.diffs import BETTER, FLAGGED, NO_INTERVAL, UNCLEAR, WORSE, DiffColumns
from evalviz.rendering.contract import TooltipRow
from evalviz.views.chart import AXIS_LABEL_LIMIT, text_width, title_line_count, title_spec
from evalviz.views.colors import ERROR_COLOR, INFINITE_COLOR, MISSING_COLOR, SKIPPED_COLOR
from evalviz.views.formatting import COUNT_FORMAT, UNMARKED_LABEL, without_sign
from evalviz.views.marks import intervals, points, rules, text
from evalviz.views.options import MAX_PIXELS, ViewOptions

DATASET = "diffs"
DEFAULT_WIDTH = 700
ROW_HEIGHT = 28  # pixels per slice when the height is not given
AXIS_HEIGHT = 50  # pixels below the rows: the x axis, its title and padding
TITLE_LINE_HEIGHT = 24
ZERO_COLOR = "#666666"
FLAG_TEXT_COLOR = "#555555"
SEPARATOR_COLOR = "#bbbbbb"
Y_PADDING = 0.3  # of the slice scale, in steps: room above the first row and below the last
X_LIMIT = 1e300  # the x axis stays within ±X_LIMIT: beyond, a browser's scale arithmetic overflows

RESULT_COLORS = {BETTER: "#2166ac", WORSE: "#b2182b", UNCLEAR: "#525252", NO_INTERVAL: "#969696",
           SKIPPED: SKIPPED_COLOR, ERROR: ERROR_COLOR, INFINITE: INFINITE_COLOR, NO_VALUE: MISSING_COLOR}
RESULT_SHAPES = {UNCLEAR: "circle", NO_INTERVAL: "square", SKIPPED: "diamond", ERROR: "cross", INFINITE: "triangle-up",
           NO_VALUE: "diamond"}
# The optional roles, by their default columns: used when the table has them.
_HAS_VALUE = "isValid(datum.delta)"
_ONE_ROW = ({"aggregate": [{"op": "count", "as": "rows"}]},)  # a layer drawn once, whatever the rows



def x_extent(rows: pa.Table) -> tuple[float, float]:
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


def bounded_to(rows: pa.Table, extent: tuple[float, float]) -> pa.Table:
    """The rows with each infinite end of an interval drawn at the edge of the x range (its text stays "inf")."""
    for name in ("low", "high"):
        column = rows[name]
        infinite = pc.fill_null(pc.is_inf(column), False)
        edge = pc.if_else(pc.greater(column, 0), extent[1], extent[0])
        rows = rows.set_column(rows.schema.get_field_index(name), name, pc.if_else(infinite, edge, column))
    return rows


# -- drawing -------------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class DiffDrawing:
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
    follow: bool = False  # the slice axis keeps only the rows a filter leaves (sorted by slice_pos)

    def chart(self, interaction: Interaction | None = None) -> LayerChart:
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
            title=title_spec(self.options.title, self.options.subtitle, width), interaction=interaction,
        )

    @property
    def _overall(self) -> str | None:
        """The overall slice, when it is drawn on top (the query puts it first)."""
        return self.overall if self.labels and self.labels[0] == self.overall else None

    def _title_lines(self, width: int) -> int:
        return title_line_count(self.options.title, self.options.subtitle, width)

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
                                "labelExpr": UNMARKED_LABEL}
        if self._overall is not None:
            axis["labelFontWeight"] = {"condition": {"test": f"datum.value === {json.dumps(self._overall)}",
                                                     "value": "bold"}, "value": "normal"}
        order: dict[str, Any] = ({"sort": {"field": "slice_pos", "op": "min"}, "scale": {"padding": Y_PADDING}}
                                 if self.follow else {"sort": None, "scale": {"domain": self.labels,
                                                                             "padding": Y_PADDING}})
        return {"field": "slice", "type": "nominal", "title": self.y_label or None, **order, "axis": axis}

    def _legend(self) -> dict[str, Any] | None:
        if not self.options.legend_on:
            return None
        return {"title": self.options.legend_title("") or None, "orient": "right"}

    def _color(self) -> dict[str, Any]:
        return {"field": "result", "type": "nominal", "legend": self._legend(),
                "scale": {"domain": self.results, "range": [RESULT_COLORS[r] for r in self.results]}}

    def _shape(self) -> dict[str, Any]:
        up, down = (BETTER, WORSE) if self.higher_is_better else (WORSE, BETTER)
        shapes = {**RESULT_SHAPES, up: "triangle-right", down: "triangle-left"}
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
