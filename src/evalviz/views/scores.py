"""`scores_heatmap`: one cell per (model, task), coloured by its headline score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from evalviz.constants.statuses import COLORED
from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.query.aggregates import Aggregate
from evalviz.rendering.component import Component
from evalviz.views.axis_groups import parse_groups
from evalviz.views.chart import hover_note
from evalviz.views.grid import MIXED, Grid, GridColumns, aggregate_grid
from evalviz.views.grid_filters import grid_links
from evalviz.views.grid_marks import Labels
from evalviz.views.heatmap import GridDrawing, aggregation_note, draw_grid, grid_options, with_notes
from evalviz.views.linking import Linking
from evalviz.views.options import (
    NOT_GIVEN,
    TICK_ROTATIONS,
    CellOptions,
    ColorScale,
    Legend,
    ScaleType,
    checked_chart_options,
    checks_arguments,
    did_you_mean,
    extra_layers,
)
from evalviz.views.roles import LOG_VIEWER, eval_roles
from evalviz.views.sorting import GridSort

if TYPE_CHECKING:
    from evalviz.interaction.selection import Selection
    from evalviz.views.heatmap import Marks

Orientation = Literal["horizontal", "vertical"]


@checks_arguments(options=TICK_ROTATIONS)
def scores_heatmap(
    data: Data,
    task_name: str = "task_display_name",
    task_label: str | None = None,
    model_name: str = "model_display_name",
    model_label: str | None = None,
    score_value: str = "score_headline_value",
    cell: CellOptions | None = None,
    tip: bool = True,
    title: str | None = None,
    marks: Marks = None,
    height: int | None = None,
    width: int | None = None,
    legend: Legend = NOT_GIVEN,
    sort: GridSort = "ascending",
    groups: Mapping[str, Mapping[str, Sequence[Any]]] | None = None,
    color_scale: ScaleType = "linear",
    exponent: float | None = None,
    orientation: Orientation = "horizontal",
    link: str | None = "log_viewer",
    low: str | None = "low",
    high: str | None = "high",
    agg: Aggregate = "mean",
    status: str | None = "status",
    error_message: str | None = "error_message",
    completed_samples: str | None = "completed_samples",
    total_samples: str | None = "total_samples",
    filter_by: Selection | None = None,
    target: Selection | None = None,
    highlight: bool = False,
    subtitle: str | None = None,
    **attributes: Any,
) -> Component:
    """Heatmap of scores by model and task, from an inspect_ai evals table (one row per eval log).

    The `agg` (mean by default) score per (model, task) is computed in DuckDB: several logs of one pair
    (repeated runs) become one cell whose tooltip says how many rows it holds. Hovering a cell shows model,
    task, score, its interval, the row count and the log link: the interval of the `low` and `high` columns
    when the table has both (as the score charts read them; a cell of several rows then has none), else the 95%
    confidence interval from `score_headline_stderr` (of the rows' mean, for a cell of several rows);
    clicking a cell opens its `log_viewer` link in a new tab. Pairs without a score are drawn grey, with a
    legend entry. An eval that failed (`status` "error") is an error cell (dark, with a cross) whose tooltip
    gives its `error_message`; one that did not finish ("started": still running, or stopped without writing
    its results; "cancelled") is an error cell too, its tooltip saying "did not finish (started)": either way it
    has no result to show. A cell whose runs did not all fail keeps the score of those that ran, coloured as
    any other, and is marked "partly failed" (a dark corner, with a legend entry) when some of its runs failed
    (a retried eval) or an eval completed fewer samples than it had (`completed_samples` below
    `total_samples`: errored samples dropped by `fail_on_error`); its tooltip says how many: "1 of 2 rows
    failed", "12 of 16 samples completed". The tooltip names the scorer and metric of the headline score
    (`score_headline_name`, `score_headline_metric`; and `score_headline_score` when a scorer gives several
    scores: "rubric / tone (mean)"), since inspect_ai picks each task's headline scorer on its own; a cell
    mixing scorers says so, and so does the subtitle when cells differ. Intervals of scores in
    [0, 1] are clipped to [0, 1]. Cells are keyed by the models and tasks themselves (`model`, `task_name`): when
    one display name stands for several models (or tasks), each keeps its own row, labelled with the display
    name and its id ("GPT-4o · openai/azure/gpt-4o").

    Args:
        data: An evals table, e.g. from `inspect_ai.analysis.evals_df`.
        task_name: Column of task names (falls back to `task_name` when `task_display_name` is absent).
        task_label: Title of the task axis ("Task").
        model_name: Column of model names (falls back to `model` when `model_display_name` is absent).
        model_label: Title of the model axis ("Model").
        score_value: Numeric column of scores.
        cell: How cells and annotations are drawn, e.g. `ev.CellOptions(inset=1, annot_fmt="{:.0%}")`.
        tip: Show a tooltip on hover.
        title: Chart title.
        marks: Extra Altair layers drawn on top.
        height: Outer height in pixels (width / 1.618 by default).
        width: Outer width in pixels (700 by default).
        legend: None hides the legend; a string titles it.
        sort: "ascending" (best tasks right, best models on top), "descending", None (input order) or
            "cluster" (models that score alike next to each other, and tasks alike). Explicit orders are a mapping
            {"x": [...], "y": [...]} (a list of labels or "cluster" per axis).
        groups: Axis groups drawn as labelled brackets, e.g. {"y": {"Open weights": [...], "API": [...]}}:
            each group's labels are kept together, in the order given, and sorted within it (see `ev.heatmap`).
        color_scale: "linear", "log" (scores above 0 only), "sqrt" or "power" (with `exponent`).
        exponent: The power of color_scale="power".
        orientation: "horizontal" (tasks on x, models on y) or "vertical" (models on x, tasks on y).
        link: Column of log viewer URLs (ignored when the default column is absent).
        low, high: Columns of each score's interval, used instead of the standard error when both are present
            (ignored when the default columns are absent), as in `scores_by_task`. A row with a negative
            stderr, a low end above its high end, or a score outside its interval is refused.
        agg: How the rows of one cell combine: "mean", "median", "min", "max" or "sum".
        status: Column of each eval's status: "success", "error", "started" or "cancelled" (ignored when the
            default column is absent).
        error_message: Column of each failed eval's error (ignored when the default column is absent).
        completed_samples, total_samples: Columns of the samples each eval completed, and had (ignored when
            the default columns are absent).
        filter_by: A Selection whose clauses filter the evals: a filtered cell shows the `agg` of the runs kept,
            and models and tasks left without runs leave no row or column (see `ev.heatmap`).
        target: A Selection a click on a cell publishes into: its model and task (shift-click adds a cell; a
            click on it again, or on empty space, clears); its log then opens with Ctrl (Cmd) held.
        highlight: Fade the cells the selections leave out instead of removing them.
        subtitle: A line below the title; the chart's own notes (rows per cell, values not written) follow it.
        **attributes: e.g. `x_tick_rotate=45`, or Vega-Lite top-level properties.

    Example:
        >>> import evalviz as ev
        >>> evals = ev.Data.from_file("examples/data/evals.parquet")
        >>> ev.scores_heatmap(evals, title="Scores").write_html("scores.html")  # doctest: +SKIP
    """
    width, height = checked_chart_options(width=width, height=height, cell=cell, attributes=attributes)
    check_orientation(orientation)
    options, rotate = grid_options(attributes, title=title, subtitle=subtitle, width=width, height=height,
                                   legend=legend, tip=tip)
    marks = extra_layers(marks)
    axis_groups, scale = parse_groups(groups), ColorScale(color_scale, exponent)
    roles = eval_roles(data, model_name=model_name, task_name=task_name, score_value=score_value, low=low,
                       high=high, link=link, status=status, error_message=error_message,
                       completed_samples=completed_samples, total_samples=total_samples, model_label=model_label,
                       task_label=task_label)
    x, y = (roles.task, roles.model) if orientation == "horizontal" else (roles.model, roles.task)
    columns = GridColumns(
        x=x.column, y=y.column, x_group=x.group, y_group=y.group, fill=roles.value, link=roles.link,
        low=roles.low, high=roles.high, stderr=roles.stderr, status=roles.status, reason=roles.reason,
        completed=roles.completed, total=roles.total, scorer=roles.scorer, score_name=roles.score_name,
        metric=roles.metric,
    )
    links = grid_links(data, columns, Linking.of(filter_by, target, highlight), agg)
    grid = aggregate_grid(data, links.columns if links else columns, agg=agg, sort=sort, view="scores_heatmap",
                          groups=axis_groups)
    labels = Labels(x=x.title, y=y.title, fill="Score", link=link_title(roles.link),
                    interval="interval" if roles.low else "95% CI")
    notes = (aggregation_note(grid, agg, tip=tip), _scorers_note(grid, tip=tip))
    drawing = GridDrawing(labels, cell=cell or CellOptions(), scale=scale, groups=axis_groups, rotate=rotate,
                          marks=marks)
    return draw_grid(grid, drawing, with_notes(options, *notes), links=links)


def _scorers_note(grid: Grid, *, tip: bool) -> str | None:
    """A subtitle saying that the headline scores do not all come from one scorer and metric, when so."""
    if "scorer" not in grid.cells.column_names:
        return None
    # Read in Python: a Python value given to Arrow would load pandas (one row per model and task here).
    shown = {scorer for scorer, status in zip(grid.cells["scorer"].to_pylist(), grid.cells["status"].to_pylist(),
                                              strict=True) if status in COLORED and scorer is not None}
    scorers = {part for s in shown for part in s.removeprefix(MIXED).split(", ")}
    if len(scorers) <= 1:
        return None
    return hover_note(f"The headline scores come from different scorers ({'; '.join(sorted(scorers))})",
                      "hover a cell for its scorer", tip=tip)


def link_title(link: str | None) -> str:
    """The tooltip title of a link column: "Log" for inspect_ai's log viewer links."""
    return "Log" if link == LOG_VIEWER else link or "link"


def check_orientation(orientation: str) -> None:
    """Raise unless `orientation` is "horizontal" or "vertical", naming the closest."""
    if orientation not in ("horizontal", "vertical"):
        raise EvalvizError(f"orientation must be 'horizontal' or 'vertical', not {orientation!r}."
                           f"{did_you_mean(orientation, ('horizontal', 'vertical'))}")
