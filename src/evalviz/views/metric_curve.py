"""`metric_curve`: metrics over training steps or checkpoints, one line per series, the best step marked."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.charts import ConcatChart, Interaction, Layer, LayerChart
from evalviz.data.connection import quote_identifier
from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.query.curves import Best, CurveColumns, best_sql, curve_sql, unplaced_sql
from evalviz.query.grid_columns import filter_field
from evalviz.rendering.component import Component
from evalviz.rendering.contract import TooltipRow
from evalviz.views.chart import title_spec
from evalviz.views.colors import INFINITE_COLOR
from evalviz.views.formatting import UNMARKED_LABEL, count_text
from evalviz.views.grid import check_numeric
from evalviz.views.grid_filters import MarkFilters, mark_filters
from evalviz.views.linking import Linking
from evalviz.views.marks import areas, lines, points, rules, text
from evalviz.views.options import NOT_GIVEN, Legend, ViewOptions, checks_arguments

if TYPE_CHECKING:
    from evalviz.interaction.selection import Selection

DATASET, BEST = "curve", "best"
BEST_LAYERS = ("best", "best_value", "best_value_end")  # the layers of the best steps (their own dataset)
MAX_POINTS = 2000  # points drawn per line at most: a longer series is binned in DuckDB
VALUE_FORMAT, STEP_FORMAT = ".4~g", ",.6~g"
LABEL_LINE = 12  # pixels between the lines of best values
PANEL_ROOM = 60  # pixels of a panel's height its axes take
WIDTH, PANEL_HEIGHT = 640, 260


@checks_arguments()
def metric_curve(
    data: Data,
    x: str = "step",
    y: str | Sequence[str] = "value",
    series: str | None = None,
    best: Best | None = "max",
    *,
    max_points: int = MAX_POINTS,
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
    """Metrics over training steps or checkpoints: one line per series, coloured by series, each series' best
    step marked with a dashed rule and its value.

    Rows of one (series, step) are averaged in DuckDB (the tooltip says how many). A NULL or NaN value is a gap in
    its line, never a zero; an infinite value is left out of the mean and flagged by a triangle at the top of the
    plot. Rows without a finite step are not drawn (the subtitle says how many). A series with more than
    `max_points` steps is downsampled in DuckDB: its step range is cut into `max_points` equal bins, each drawn at
    its mean step and the mean of its steps' means, with a band from their min to their max; the best step is
    always found among all steps. Several metrics (`y` a list) are panels one above another over the same steps,
    each with its own best. Hover the line for a step's point: series, step, metric, value and rows.

    Args:
        data: A table of one row per (series, step), or several (averaged).
        x: The column of steps (numbers: training steps, epochs, checkpoints).
        y: The column of the metric, or a list of them (one panel each).
        series: The column naming each line (runs, models, seeds); None draws one line per metric.
        best: "max" (the highest value is best), "min" (the lowest, as for a loss) or None (no best marked).
        max_points: The most points drawn per line (a positive integer).
        title, subtitle, width, height, legend, tip, **attributes: As every view (`ViewOptions`): 640 pixels
            wide, 260 high per panel.
        filter_by: A Selection whose clauses filter the lines. A filter on the series (or a column with one
            value per series, such as a run's model or learning rate) keeps or drops whole lines, with their
            best steps, exactly, on a standalone page as in the live widget. A filter on a column varying within
            a series (a seed averaged into each step, a split) is named on the page as needing the live widget,
            where the chart is drawn again over the rows kept: the page does not recompute binned points and
            best steps. Without `series`, every column varies within the lines.
        target: A Selection a click on a line, a point or a best step (or on a series in the legend) publishes
            into: its series (shift-click adds, a click on it again or on empty space clears).
        highlight: Fade the lines the selections leave out instead of removing them.

    Raises:
        EvalvizError: a column the table lacks (naming those it has), steps or metrics that are not numbers,
            `best` other than "max", "min" or None, or `max_points` not a positive integer.

    Example:
        >>> import evalviz as ev
        >>> runs = ev.Data.from_sql("SELECT i AS step, i % 3 AS seed, 1 - 1 / (i + 1) AS accuracy "
        ...                         "FROM range(50) t(i)")
        >>> chart = ev.metric_curve(runs, y="accuracy", series="seed", title="Accuracy")
    """
    options = ViewOptions(title, subtitle, width, height, legend, tip, attributes)
    metrics = _checked_metrics(y)
    best_by = _checked_best(best)
    bins = _checked_max_points(max_points)
    _check_columns(data, x, metrics, series)
    linking = Linking.of(filter_by, target, highlight)
    filters = _filters(data, series, linking)
    shipped = {"filters": filters.constant, "raw_key": True} if linking.active else {}
    panels = [(data.run(curve_sql(CurveColumns(x, metric, series, **shipped), bins)),
               data.run(best_sql(CurveColumns(x, metric, series, **shipped), best_by)) if best_by else None)
              for metric in metrics]
    unplaced = int(data.run(unplaced_sql(x))["n"][0].as_py())
    interaction = _interaction(linking, series, filters) if linking.active else None
    return _chart(panels, metrics, options, x=x, series=series, best=best_by,
                  said=_notes(panels, unplaced, best_by, bins), interaction=interaction)


def _filters(data: Data, series: str | None, linking: Linking) -> MarkFilters:
    """The columns a filter reads, by how the page answers them: one value per series (whole lines kept or
    dropped), or varying within a series (named on the page)."""
    if series is None:
        return MarkFilters(unanswered={c: f"{c!r} varies within the lines (the chart has no series column)"
                                       for c in linking.wanted()})
    linking.publishes(series)
    filters = mark_filters(data, [quote_identifier(series)], linking, exclude=(series,))
    return filters.refuse_varying("varies within a series, whose binned points and best step the page cannot "
                                  "recompute")


def _interaction(linking: Linking, series: str | None, filters: MarkFilters) -> Interaction | None:
    """The chart's Interaction: filtered over each line's series and shipped columns (best steps too); clicks on
    a line and legend entries publish the series."""
    fields = {**({series: "k_v"} if series else {}), **{c: filter_field(i) for i, c in enumerate(filters.constant)}}
    clicks = {"click": ("lines", "points", *BEST_LAYERS), "click_fields": {"k_v": series},
              "legend": ("lines", "series", {"k_v": series})} if series else {}
    return linking.interaction(fields=fields, unanswered=filters.unanswered, also=BEST_LAYERS, **clicks)


def _checked_metrics(y: object) -> list[str]:
    """The metric columns: `y` alone, or its distinct names in order."""
    metrics = [y] if isinstance(y, str) else list(y) if isinstance(y, list | tuple) else None
    if not metrics or not all(isinstance(metric, str) for metric in metrics):
        raise EvalvizError(f"y is a column of a metric or a list of them, not {y!r}.")
    return list(dict.fromkeys(metrics))


def _checked_best(best: object) -> Best | None:
    if best not in ("max", "min", None):
        raise EvalvizError(f"best is 'max' (highest is best), 'min' (lowest, as for a loss) or None, not {best!r}.")
    return best  # type: ignore[return-value]


def _checked_max_points(max_points: object) -> int:
    if isinstance(max_points, bool) or not isinstance(max_points, int) or max_points < 2:
        raise EvalvizError(f"max_points is the most points a line draws, an integer of 2 or more, not "
                           f"{max_points!r}.")
    return max_points


def _check_columns(data: Data, x: str, metrics: list[str], series: str | None) -> None:
    data.require_columns(x, *metrics, series, purpose="metric_curve")
    data.require_rows()
    check_numeric(data, x, "step")
    for metric in metrics:
        check_numeric(data, metric, "metric")


def _notes(panels: list[tuple[pa.Table, pa.Table | None]], unplaced: int, best: Best | None,
           bins: int) -> list[str]:
    """What the subtitle says: the best step's rule, averaging, binning, infinite values and unplaced rows."""
    rows = [curve for curve, _ in panels]
    said = [f"Dashed rule: each series' best step ({'highest' if best == 'max' else 'lowest'} value)."] if best \
        else []
    if any(pc.max(curve["n"]).as_py() > 1 for curve in rows if curve.num_rows):
        said.append("A point is the mean of its rows at that step.")
    if any(pc.max(curve["steps"]).as_py() > 1 for curve in rows if curve.num_rows):
        said.append(f"Long series are binned to {bins} points (mean, band from min to max).")
    infinite = sum(pc.sum(curve["n_inf"]).as_py() or 0 for curve in rows)
    if infinite:
        said.append(f"{count_text(infinite)} infinite values are left out (triangles at the top).")
    if unplaced:
        said.append(f"{count_text(unplaced)} rows without a finite step are not drawn.")
    return said


def _chart(panels: list[tuple[pa.Table, pa.Table | None]], metrics: list[str], options: ViewOptions, *, x: str,
           series: str | None, best: Best | None, said: list[str], interaction: Interaction | None) -> Component:
    """One panel per metric, sharing the steps' domain and the series' colours."""
    width, height = options.sized(WIDTH, PANEL_HEIGHT * len(metrics))
    steps = [v for curve, _ in panels for v in pc.min_max(curve["x"]).as_py().values() if v is not None]
    domain = [min(steps), max(steps)] if steps else None
    names = sorted({name for curve, _ in panels for name in curve["series"].to_pylist()})
    title = title_spec(options.title, " ".join(said) if options.subtitle is None else options.subtitle, width)
    color = {"field": "series", "type": "nominal", "title": series, "scale": {"domain": names},
             "legend": {"labelExpr": UNMARKED_LABEL} if options.legend_on and series else None}
    if isinstance(options.legend, str) and color["legend"] is not None:
        color["title"] = options.legend
    layers = [_layers(i, curve, top, x=x, domain=domain, color=color if i == 0 else {**color, "legend": None},
                      series=series, best=best, tip=options.tip)
              for i, (curve, top) in enumerate(panels)]
    if len(panels) == 1:
        chart = LayerChart(layers[0], data=DATASET, width=width, height=height, fit=True, title=title,
                           properties=options.properties(), interaction=_present(interaction, layers[0]))
        return Component.from_parts(chart, _datasets(*panels[0]))
    plot_height = max(40, (height - PANEL_ROOM * len(panels)) // len(panels))
    # The panels share one client; only the first one's legend (the only one drawn) publishes.
    parts = tuple(LayerChart(layer, data=DATASET, width=max(40, width - 120), height=plot_height,
                             interaction=_present(interaction, layer, legend=i == 0))
                  for i, layer in enumerate(layers))
    chart = ConcatChart("vconcat", parts, properties={**({"title": title} if title else {}), **options.properties()})
    datasets: dict[str, pa.Table] = {}
    for i, panel in enumerate(panels):
        datasets.update(_datasets(*panel, scope=f"c{i}_"))
    return Component.from_parts(chart, datasets)


def _present(interaction: Interaction | None, layers: tuple[Layer, ...], *,
             legend: bool = True) -> Interaction | None:
    """`interaction` for a panel of `layers`: its best layers those the panel draws, its legend's publisher when
    `legend`."""
    if interaction is None:
        return None
    names = {layer.name for layer in layers}
    publish = tuple(dataclasses.replace(p, marks=tuple(m for m in p.marks if m in names)) for p in interaction.publish
                    if legend or p.how != "legend")
    return dataclasses.replace(interaction, publish=publish, also=tuple(n for n in interaction.also if n in names))


def _datasets(curve: pa.Table, top: pa.Table | None, scope: str = "") -> dict[str, pa.Table]:
    return {scope + DATASET: curve, **({scope + BEST: top} if top is not None else {})}


def _layers(i: int, curve: pa.Table, top: pa.Table | None, *, x: str, domain: list[float] | None,
            color: dict[str, Any], series: str | None, best: Best | None, tip: bool) -> tuple[Layer, ...]:
    """One panel's marks: the band of binned points, the lines, the points (shown on hover), infinite values'
    flags, and the best step's rule and value."""
    metric = curve["metric"][0].as_py() if curve.num_rows else ""
    step = {"field": "x", "type": "quantitative", "title": x, "scale": {"domain": domain, "nice": False}}
    value = {"field": "value", "type": "quantitative", "title": metric, "scale": {"zero": False}}
    binned = curve.num_rows > 0 and pc.max(curve["steps"]).as_py() > 1
    head = ([TooltipRow("series", series)] if series else []) + [TooltipRow("x", x, STEP_FORMAT),
                                                                   TooltipRow("metric", "Metric")]
    rows = (*head, TooltipRow("value", "Value", VALUE_FORMAT), TooltipRow("n", "Rows"),
            *((TooltipRow("steps", "Steps in bin"), TooltipRow("low", "Bin min", VALUE_FORMAT),
               TooltipRow("high", "Bin max", VALUE_FORMAT)) if binned else ()),
            TooltipRow("n_inf", "Infinite values (left out)"))
    hover = f"hover{i}"
    layers = [lines("lines", x=step, y=value, color=color, invalid="break-paths-filter-domains", strokeWidth=1.5),
              dataclasses.replace(
                  points("points", x=step, y=value, color=color, tooltip=rows if tip else None, filled=True, size=50,
                         opacity={"condition": {"param": hover, "empty": False, "value": 1}, "value": 0},
                         where="isValid(datum.value)"),
                  params=({"name": hover, "select": {"type": "point", "on": "pointerover", "clear": "pointerout"}},))]
    if binned:
        layers.insert(0, areas("band", x=step, y={"field": "low", "type": "quantitative"},
                               y2={"field": "high"}, color=color, opacity=0.2, where="datum.steps > 1"))
    if curve.num_rows and pc.sum(curve["n_inf"]).as_py():
        layers.append(points("infinite", x=step, y={"value": 0}, shape="triangle-down", color=INFINITE_COLOR,
                             filled=True, size=60, where="datum.n_inf > 0", tooltip=rows if tip else None))
    if best and top is not None:
        said = (*head, TooltipRow("value", f"Best ({best})", VALUE_FORMAT), TooltipRow("n", "Rows"))
        layers += [rules("best", data=BEST, x=step, color=color, strokeDash=[4, 3], strokeWidth=1.5,
                         tooltip=said if tip else None),
                   *_best_values(step, color, domain, tooltip=said if tip else None)]
    return tuple(layers)


def _best_values(step: dict[str, Any], color: dict[str, Any], domain: list[float] | None,
                 tooltip: tuple[TooltipRow, ...] | None) -> list[Layer]:
    """The best values as text at the top of the plot beside their rules, one line per series (so that close
    rules keep their values apart): right of a rule in the left half of the steps, left of it in the right half."""
    middle = (domain[0] + domain[1]) / 2 if domain else 0.0
    row = {"field": "line_y", "type": "quantitative", "scale": None}  # pixels from the top
    value = {"field": "value", "format": VALUE_FORMAT}
    return [text(name, data=BEST, x=step, y=row, color=color, text=value, align=align, dx=dx, baseline="top",
                 tooltip=tooltip, where=f"datum.x {side} {middle!r}",
                 calculate={"line_y": f"2 + datum.place * {LABEL_LINE}"})
            for name, align, dx, side in (("best_value", "left", 4, "<="), ("best_value_end", "right", -4, ">"))]
