"""`scores_heatmap`: one cell per (model, task), coloured by its headline score."""

from __future__ import annotations

from typing import Any, Literal

from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.rendering.component import Component
from evalviz.views.grid import GridColumns, aggregate_grid
from evalviz.views.heatmap import Labels, Legend, Marks, aggregation_note, draw_grid
from evalviz.views.options import NOT_GIVEN, CellOptions

Orientation = Literal["horizontal", "vertical"]


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
    sort: object = "ascending",
    orientation: Orientation = "horizontal",
    link: str | None = "log_viewer",
    agg: str = "mean",
    **attributes: Any,
) -> Component:
    """Heatmap of scores by model and task, from an inspect_ai evals table (one row per eval log).

    The `agg` (mean by default) score per (model, task) is computed in DuckDB: several logs of one pair
    (repeated runs) become one cell whose tooltip says how many rows it holds. Hovering a cell shows model,
    task, score, its 95% confidence interval (from `score_headline_stderr`), the row count and the log link;
    clicking a cell opens its `log_viewer` link in a new tab. Pairs without a score are drawn grey, with a
    legend entry.

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
            {"x": [...], "y": [...]}.
        orientation: "horizontal" (tasks on x, models on y) or "vertical" (models on x, tasks on y).
        link: Column of log viewer URLs (ignored when the default column is absent).
        agg: How the rows of one cell combine: "mean", "median", "min", "max" or "sum".
        **attributes: e.g. `x_tick_rotate=45`, or Vega-Lite top-level properties.

    Example:
        >>> import evalviz as ev
        >>> evals = ev.Data.from_file("examples/data/evals.parquet")
        >>> ev.scores_heatmap(evals, title="Scores").write_html("scores.html")  # doctest: +SKIP
    """
    check_orientation(orientation)
    task_name = fallback_column(data, task_name, "task_display_name", "task_name")
    model_name = fallback_column(data, model_name, "model_display_name", "model")
    link = optional_link(data, link)
    stderr = _stderr_column(data, score_value)
    task = (task_name, task_label or "Task")
    model = (model_name, model_label or "Model")
    (x, x_label), (y, y_label) = (task, model) if orientation == "horizontal" else (model, task)
    grid = aggregate_grid(data, GridColumns(x=x, y=y, fill=score_value, link=link, stderr=stderr), agg=agg,
                          sort=sort)
    labels = Labels(x=x_label, y=y_label, fill="Score",
                    link="Log" if link == "log_viewer" else link or "link")
    return draw_grid(
        grid, labels=labels, cell=cell or CellOptions(), tip=tip, title=title,
        subtitle=aggregation_note(grid, agg), marks=marks, width=width, height=height, legend=legend,
        **attributes,
    )


def check_orientation(orientation: str) -> None:
    if orientation not in ("horizontal", "vertical"):
        raise EvalvizError(f"orientation must be 'horizontal' or 'vertical', not {orientation!r}.")


def fallback_column(data: Data, given: str, default: str, fallback: str) -> str:
    """inspect_ai's display-name column, or the raw column when the table has no display names."""
    if given == default and default not in data.columns and fallback in data.columns:
        return fallback
    return given


def optional_link(data: Data, link: str | None) -> str | None:
    """The default link column is optional; a column the caller names must exist (checked later)."""
    if link == "log_viewer" and link not in data.columns:
        return None
    return link


def _stderr_column(data: Data, score_value: str) -> str | None:
    """inspect_ai's evals table carries each scorer's standard error beside its metrics:
    score_headline_value -> score_headline_stderr, score_match_accuracy -> score_match_stderr."""
    if "_" not in score_value:
        return None
    candidate = score_value.rsplit("_", 1)[0] + "_stderr"
    return candidate if candidate != score_value and candidate in data.columns else None
