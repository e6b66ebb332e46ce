"""`scores_by_model`: one bar (or point) per model with its interval, sorted; a panel per task."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from evalviz.charts import ConcatChart, Layer, LayerChart
from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.query.scores import ModelOrder
from evalviz.rendering.component import Component
from evalviz.views.chart import panel_title, text_width, title_spec
from evalviz.views.formatting import count_text
from evalviz.views.grid_layout import MIN_PLOT, TITLE_LINE
from evalviz.views.linking import Linking
from evalviz.views.marks import rules, text
from evalviz.views.options import NOT_GIVEN, Legend, ViewOptions, checked_number, checks_arguments
from evalviz.views.roles import HEADLINE, HEADLINE_STDERR, LOG_VIEWER, MODEL_DISPLAY, TASK_DISPLAY, eval_roles
from evalviz.views.score_filters import score_links
from evalviz.views.score_layout import STATUS_LEGEND, title_lines
from evalviz.views.score_marks import (
    DATASET,
    Mark,
    ScoreTable,
    band_axis,
    checked_ci,
    checked_mark,
    has_task,
    notes,
    score_columns,
    score_layers,
    score_table,
    subtitle_text,
    tooltip_rows,
    value_domain,
)
from evalviz.views.sorting import BarSort, parse_sort

if TYPE_CHECKING:
    from evalviz.interaction.selection import Selection

BASELINE = "baseline"  # the dataset of the baseline rule
BASELINE_COLOR = "#c0392b"
PANELS_PER_ROW = 3
BAR_PIXELS = 22  # height of a model's band
PANEL_GAP = 20  # pixels between panels (Vega-Lite's concat spacing)
PANEL_ROOM = 70  # pixels of a panel's height its title and score axis take
MAX_DEFAULT_HEIGHT = 4_000  # pixels: a chart of many models and tasks is drawn no taller, by default
MIN_BAND = 1.0  # pixels: a model's band never gets thinner than this by default


@dataclass(frozen=True)
class PanelLayout:
    """The panels of a chart: their number per row, their plot area, and what the subtitle says about them."""

    columns: int
    rows: int
    plot_width: float
    plot_height: float
    notes: tuple[str, ...]


@checks_arguments()
def scores_by_model(
    data: Data,
    model_name: str = MODEL_DISPLAY,
    score_value: str = HEADLINE,
    score_stderr: str | None = HEADLINE_STDERR,
    ci: float = 0.95,
    sort: BarSort = "descending",
    baseline: float | None = None,
    *,
    task_name: str = TASK_DISPLAY,
    low: str | None = "low",
    high: str | None = "high",
    link: str | None = LOG_VIEWER,
    status: str | None = "status",
    error_message: str | None = "error_message",
    completed_samples: str | None = "completed_samples",
    total_samples: str | None = "total_samples",
    mark: Mark = "bar",
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
    """Scores by model: one horizontal bar (or point) per model with its interval, sorted; with several tasks,
    one panel per task (up to three side by side), the models in the same order in each.

    Scores, intervals, repeated runs, evals without a score and tooltips are as in `scores_by_task`. A
    `baseline` draws a labelled rule at that score in every panel.

    Args:
        data: An evals table (inspect_ai's `evals_df`).
        model_name: Column of models (falling back to `model`).
        score_value, score_stderr: Columns of scores and their standard errors (None: no interval from stderr).
        ci: Confidence level of intervals from standard errors, between 0 and 1.
        sort: "descending" (best model on top), "ascending", None (input order) or a list of model names
            (models it leaves out follow in input order). A model is ranked by the mean of its scores over the
            tasks where it has one: a task without its score is left out of its mean, not counted as zero.
        baseline: A score drawn as a rule (a finite number; within [0, 1] when the scores are).
        task_name: Column of tasks, one panel each (used when present; a name other than the default must
            exist).
        low, high, link, status, error_message, completed_samples, total_samples, mark: As in
            `scores_by_task`.
        title, subtitle, width, height, legend, tip, **attributes: As every view (`ViewOptions`); 700 pixels
            wide by default, 22 pixels per model high, at most 4,000 pixels in all (the bands then get thinner,
            and the subtitle says so).
        filter_by, target, highlight: As in `scores_by_task`: filtered bars leave no band in any panel; a click
            on a bar publishes its model and task.

    Example:
        >>> import evalviz as ev
        >>> chart = ev.scores_by_model(ev.Data.from_file("examples/data/evals.parquet"), baseline=0.5)
    """
    options = ViewOptions(title, subtitle, width, height, legend, tip, attributes)
    mark = checked_mark(mark)
    ci = checked_ci(ci)
    order = parse_sort(sort, axes=("y",))
    baseline = checked_number("baseline", baseline, optional=True)
    roles = eval_roles(data, model_name=model_name, task_name=task_name, score_value=score_value,
                       score_stderr=score_stderr, low=low, high=high, link=link, status=status,
                       error_message=error_message, completed_samples=completed_samples,
                       total_samples=total_samples)
    task = has_task(data, task_name)
    linking = Linking.of(filter_by, target, highlight)
    columns = score_columns(data, roles, task=task, by_task=True, view="scores_by_model")
    links = score_links(data, columns, linking)
    table = score_table(data, links.columns if links else columns, ci=ci, view="scores_by_model",
                        order=ModelOrder(order.by_value, order.explicit_order("y") or ()))
    order.check_matches("y", table.labels["model"])
    if baseline is not None and table.bounded and not 0 <= baseline <= 1:
        raise EvalvizError(f"baseline={baseline:g} lies outside [0, 1], where every score lies: give the baseline "
                           "on the scores' scale (0.5, not 50).")
    tooltip = tooltip_rows(roles, task=task, score_format=table.score_format) if options.tip else None
    domain = value_domain(table, *([] if baseline is None else [baseline]))
    width = options.width or 700
    said = notes(table, mark, columns, ci, tip=options.tip)
    layout = _panels(table, options, width, title_lines(options.title, subtitle_text(options, said), width) + 1)
    title = title_spec(options.title, subtitle_text(options, said + list(layout.notes)), width)
    last = layout.columns - 1  # the panel at the end of the first row holds the legend

    def layers(index: int) -> tuple[Layer, ...]:
        """A panel's marks; only the first of each row of panels labels the models."""
        band = {"y": band_axis("model", table.models, roles.model.title, relabelled=table.relabelled("model"),
                               labels_shown=index % PANELS_PER_ROW == 0, follow=links is not None and links.follows)}
        return (*score_layers(table, mark=mark, band=band, value_axis="x", color=None, tooltip=tooltip,
                              legend=options.legend_on and index == last, domain=domain),
                *_baseline_layers(baseline, domain))

    interaction = links.interaction(legend=False) if links else None  # one for every panel: one client
    if len(table.tasks) <= 1:
        height = options.height or round(layout.plot_height + PANEL_ROOM + TITLE_LINE * _lines(title))
        chart = LayerChart(layers(0), data=DATASET, width=width, height=height, fit=True, title=title,
                           properties=options.properties(), interaction=interaction)
        return Component.from_parts(chart, _datasets(table.rows, baseline))
    panels = [LayerChart(layers(i), data=DATASET, width=round(layout.plot_width), height=round(layout.plot_height),
                         title=panel_title([label], layout.plot_width, 12), interaction=interaction)
              for i, label in enumerate(table.labels["task"])]
    chart = ConcatChart("vconcat", tuple(ConcatChart("hconcat", tuple(panels[i:i + PANELS_PER_ROW]))
                                         for i in range(0, len(panels), PANELS_PER_ROW)),
                        properties={**({"title": title} if title else {}), **options.properties()})
    datasets: dict[str, pa.Table] = {}
    for i, key in enumerate(table.tasks):
        scope = f"c{i // PANELS_PER_ROW}_c{i % PANELS_PER_ROW}_"  # the panel's place in the concatenation
        datasets.update(_datasets(table.where("task", key), baseline, scope))
    return Component.from_parts(chart, datasets)


def _lines(title: dict[str, Any] | None) -> int:
    """The lines a title spec takes."""
    if not title:
        return 0
    text = title["text"]
    return (len(text) if isinstance(text, list) else 1) + len(title.get("subtitle", []))


def _panels(table: ScoreTable, options: ViewOptions, width: int, lines: int) -> PanelLayout:
    """The panels' layout: up to three a row, each model BAR_PIXELS high unless the chart would grow past
    MAX_DEFAULT_HEIGHT (then thinner, and a note says so), or as the height given allows.

    Raises:
        EvalvizError: a width or height given that leaves a panel less than MIN_PLOT pixels, naming the least.
    """
    models, tasks = max(len(table.models), 1), max(len(table.tasks), 1)
    columns, rows = min(tasks, PANELS_PER_ROW), math.ceil(tasks / PANELS_PER_ROW)
    room = width - text_width(table.labels["model"]) - STATUS_LEGEND * bool(table.flags) - 40  # 40: axis title
    plot_width = room / columns - PANEL_GAP * (columns > 1)
    title = TITLE_LINE * lines
    if options.height is None:
        band = min(BAR_PIXELS, max(MIN_BAND, (MAX_DEFAULT_HEIGHT - title - rows * PANEL_ROOM) / (rows * models)))
        plot_height = band * models
    else:
        plot_height = (options.height - title) / rows - PANEL_ROOM
    for name, given, plot, least in (
            ("width", options.width, plot_width, width - plot_width * columns + MIN_PLOT * columns),
            ("height", options.height, plot_height, title + rows * (PANEL_ROOM + MIN_PLOT))):
        if given is not None and plot < MIN_PLOT:
            raise EvalvizError(f"{name}={given} leaves no room for the plots of {count_text(tasks)} panel(s) "
                               f"beside their axes, legends and title: give {name}={math.ceil(least)} or more (or "
                               "None for the default).")
    said: tuple[str, ...] = ()
    band = plot_height / models
    if band < BAR_PIXELS * 0.75:
        capped = f" (the default height is capped near {MAX_DEFAULT_HEIGHT:,} pixels)" if options.height is None else ""
        said = (f"{count_text(len(table.models))} models in {count_text(tasks)} panel(s) get {band:.1f} pixels "
                f"each{capped}: filter the models or tasks (data.filter(...)), or see them all in scores_heatmap.",)
    return PanelLayout(columns=columns, rows=rows, plot_width=plot_width, plot_height=plot_height, notes=said)


def _baseline_layers(baseline: float | None, domain: list[float]) -> tuple[Layer, ...]:
    """A dashed rule at the baseline score, labelled above the plot."""
    if baseline is None:
        return ()
    at = {"field": BASELINE, "type": "quantitative", "scale": {"domain": domain}, "title": "Score"}
    return (rules("baseline", data=BASELINE, x=at, color={"value": BASELINE_COLOR}, strokeDash=[4, 3],
                  strokeWidth=1.5),
            text("baseline_label", data=BASELINE, x=at, y={"value": 0}, text={"field": "label"},
                 color={"value": BASELINE_COLOR}, align="left", baseline="bottom", dx=3, dy=-2, fontSize=10))


def _datasets(rows: pa.Table, baseline: float | None, scope: str = "") -> dict[str, pa.Table]:
    """The datasets of one panel, named in its `scope`: its scores, and the baseline."""
    datasets = {scope + DATASET: rows}
    if baseline is not None:
        datasets[scope + BASELINE] = pa.table({BASELINE: [baseline], "label": [f"baseline {baseline:g}"]})
    return datasets
