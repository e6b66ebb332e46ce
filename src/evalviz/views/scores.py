"""`scores_heatmap`: one cell per (model, task), coloured by its headline score."""

from __future__ import annotations

from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.data.connection import quote_identifier as q
from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.rendering.component import Component
from evalviz.views.grid import COLORED, MIXED, Grid, GridColumns, aggregate_grid
from evalviz.views.heatmap import Labels, Legend, Marks, aggregation_note, draw_grid
from evalviz.views.options import (
    NOT_GIVEN,
    TICK_ROTATIONS,
    CellOptions,
    checked_chart_options,
    checks_arguments,
    did_you_mean,
)

HEADLINE = "score_headline_value"
# inspect_ai's evals table: the scorer, score and metric behind the headline value.
HEADLINE_SCORER, HEADLINE_SCORE = "score_headline_name", "score_headline_score"
HEADLINE_METRIC = "score_headline_metric"

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
    sort: object = "ascending",
    orientation: Orientation = "horizontal",
    link: str | None = "log_viewer",
    agg: str = "mean",
    status: str | None = "status",
    error_message: str | None = "error_message",
    completed_samples: str | None = "completed_samples",
    total_samples: str | None = "total_samples",
    **attributes: Any,
) -> Component:
    """Heatmap of scores by model and task, from an inspect_ai evals table (one row per eval log).

    The `agg` (mean by default) score per (model, task) is computed in DuckDB: several logs of one pair
    (repeated runs) become one cell whose tooltip says how many rows it holds. Hovering a cell shows model,
    task, score, its 95% confidence interval (from `score_headline_stderr`), the row count and the log link;
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
            {"x": [...], "y": [...]}.
        orientation: "horizontal" (tasks on x, models on y) or "vertical" (models on x, tasks on y).
        link: Column of log viewer URLs (ignored when the default column is absent).
        agg: How the rows of one cell combine: "mean", "median", "min", "max" or "sum".
        status: Column of each eval's status: "success", "error", "started" or "cancelled" (ignored when the
            default column is absent).
        error_message: Column of each failed eval's error (ignored when the default column is absent).
        completed_samples, total_samples: Columns of the samples each eval completed, and had (ignored when
            the default columns are absent).
        **attributes: e.g. `x_tick_rotate=45`, or Vega-Lite top-level properties.

    Example:
        >>> import evalviz as ev
        >>> evals = ev.Data.from_file("examples/data/evals.parquet")
        >>> ev.scores_heatmap(evals, title="Scores").write_html("scores.html")  # doctest: +SKIP
    """
    width, height = checked_chart_options(width=width, height=height, cell=cell, attributes=attributes)
    check_orientation(orientation)
    task_name = fallback_column(data, task_name, "task_display_name", "task_name")
    model_name = fallback_column(data, model_name, "model_display_name", "model")
    link = optional_link(data, link)
    stderr = _stderr_column(data, score_value)
    task = (*keyed_by(data, task_name, "task_name"), task_label or "Task")
    model = (*keyed_by(data, model_name, "model"), model_label or "Model")
    (x, x_group, x_label), (y, y_group, y_label) = (task, model) if orientation == "horizontal" else (model, task)
    headline = score_value == HEADLINE and HEADLINE_SCORER in data.columns
    columns = GridColumns(
        x=x, y=y, x_group=x_group, y_group=y_group, fill=score_value, link=link, stderr=stderr,
        status=optional_column(data, status, "status"),
        reason=optional_column(data, error_message, "error_message"),
        completed=optional_column(data, completed_samples, "completed_samples"),
        total=optional_column(data, total_samples, "total_samples"), scorer=HEADLINE_SCORER if headline else None,
        score_name=HEADLINE_SCORE if headline and HEADLINE_SCORE in data.columns else None,
        metric=HEADLINE_METRIC if headline and HEADLINE_METRIC in data.columns else None,
    )
    grid = aggregate_grid(data, columns, agg=agg, sort=sort)
    labels = Labels(x=x_label, y=y_label, fill="Score",
                    link="Log" if link == "log_viewer" else link or "link")
    notes = [aggregation_note(grid, agg), _scorers_note(grid)]
    return draw_grid(
        grid, labels=labels, cell=cell or CellOptions(), tip=tip, title=title,
        subtitle=" ".join(n for n in notes if n) or None, marks=marks, width=width, height=height, legend=legend,
        **attributes,
    )


def _scorers_note(grid: Grid) -> str | None:
    """A subtitle saying that the headline scores do not all come from one scorer and metric, when so."""
    if "scorer" not in grid.cells.column_names:
        return None
    shown = pc.filter(grid.cells["scorer"], pc.is_in(grid.cells["status"], pa.array(COLORED)))
    scorers = {part for s in pc.unique(shown).to_pylist() if s is not None
               for part in s.removeprefix(MIXED).split(", ")}
    if len(scorers) <= 1:
        return None
    return (f"The headline scores come from different scorers ({'; '.join(sorted(scorers))}): hover a cell for "
            "its scorer.")


def check_orientation(orientation: str) -> None:
    if orientation not in ("horizontal", "vertical"):
        raise EvalvizError(f"orientation must be 'horizontal' or 'vertical', not {orientation!r}."
                           f"{did_you_mean(orientation, ('horizontal', 'vertical'))}")


def fallback_column(data: Data, given: str, default: str, fallback: str) -> str:
    """inspect_ai's display-name column, or the raw column when the table has no display names."""
    if given == default and default not in data.columns and fallback in data.columns:
        return fallback
    return given


def keyed_by(data: Data, shown: str, key: str) -> tuple[str, str | None]:
    """(column, group) keying an axis drawn by the names in `shown` (e.g. model_display_name): `shown` alone when
    each of its names stands for one `key` (the id: model, task_name), else the key grouped under the name, so
    that two models sharing a display name stay two rows, labelled "GPT-4o · openai/gpt-4o" and "GPT-4o ·
    openai/azure/gpt-4o".

    Example:
        >>> import evalviz as ev
        >>> data = ev.Data.from_sql("SELECT * FROM (VALUES ('GPT-4o', 'openai/gpt-4o'), "
        ...                         "('GPT-4o', 'openai/azure/gpt-4o')) AS t(model_display_name, model)")
        >>> keyed_by(data, "model_display_name", "model")
        ('model', 'model_display_name')
    """
    if shown == key or key not in data.columns or shown not in data.columns:
        return shown, None
    counts = data.sql(f"SELECT (SELECT count(*) FROM (SELECT DISTINCT {q(shown)} FROM this)) AS names, "
                      f"(SELECT count(*) FROM (SELECT DISTINCT {q(shown)}, {q(key)} FROM this)) AS pairs").to_pylist()
    return (shown, None) if counts[0]["names"] == counts[0]["pairs"] else (key, shown)


def optional_link(data: Data, link: str | None) -> str | None:
    """The default link column is optional; a column the caller names must exist (checked later)."""
    return optional_column(data, link, "log_viewer")


def optional_column(data: Data, given: str | None, default: str) -> str | None:
    """A column read when present: left at its `default` and absent, it is not used; a column the caller names
    must exist (checked later)."""
    if given == default and given not in data.columns:
        return None
    return given


def _stderr_column(data: Data, score_value: str) -> str | None:
    """inspect_ai's evals table carries each scorer's standard error beside its metrics:
    score_headline_value -> score_headline_stderr, score_match_accuracy -> score_match_stderr."""
    if "_" not in score_value:
        return None
    candidate = score_value.rsplit("_", 1)[0] + "_stderr"
    return candidate if candidate != score_value and candidate in data.columns else None
