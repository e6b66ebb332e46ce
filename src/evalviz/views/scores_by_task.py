"""`scores_by_task`: per task, one bar (or point) per model with its interval."""

from __future__ import annotations

from typing import Any

from evalviz.data.table import Data
from evalviz.rendering.component import Component
from evalviz.views.options import NOT_GIVEN, Legend, ViewOptions, checks_arguments
from evalviz.views.roles import HEADLINE, HEADLINE_STDERR, LOG_VIEWER, MODEL_DISPLAY, TASK_DISPLAY, eval_roles
from evalviz.views.score_marks import checked_ci, checked_mark, grouped_chart, score_columns, score_table, tooltip_rows


@checks_arguments()
def scores_by_task(
    data: Data,
    model_name: str = MODEL_DISPLAY,
    task_name: str = TASK_DISPLAY,
    score_value: str = HEADLINE,
    score_stderr: str | None = HEADLINE_STDERR,
    ci: float = 0.95,
    *,
    low: str | None = "low",
    high: str | None = "high",
    link: str | None = LOG_VIEWER,
    status: str | None = "status",
    error_message: str | None = "error_message",
    mark: str = "bar",
    title: str | None = None,
    subtitle: str | None = None,
    width: int | None = None,
    height: int | None = None,
    legend: Legend = NOT_GIVEN,
    tip: bool = True,
    **attributes: Any,
) -> Component:
    """Scores by task: for each task, one bar (or point) per model, coloured by model, with its interval.

    Several rows of one (model, task) (repeated runs) are averaged in DuckDB; the tooltip says how many. Intervals
    come from `score_stderr` (a normal interval at `ci`; for a mean of k runs, the standard error
    sqrt(sum se_i^2) / k) or, when the table has them, from `low`/`high` columns (used as given for one row:
    intervals of several rows do not combine, and the tooltip says so). When every score lies in [0, 1], intervals
    are clamped to [0, 1] and so is the axis. An eval without a score is a grey hollow circle at zero, a failed
    one (`status` "error", or an `error_message`) a dark cross, each with a legend entry and its reason in the
    tooltip. Hover a mark for model, task, score, interval and its source, rows, scorer and log; click it to open
    the log (http(s) links only).

    Args:
        data: An evals table (inspect_ai's `evals_df`).
        model_name, task_name: Columns of models and tasks (falling back to `model` and `task_name`).
        score_value, score_stderr: Columns of scores and their standard errors (None: no interval from stderr).
        ci: Confidence level of intervals from standard errors, between 0 and 1.
        low, high: Columns of interval ends (used when present; a name other than the default must exist).
        link, status, error_message: Columns of log links, eval statuses and errors (used when present).
        mark: "bar" (bars with interval rules) or "point" (points with interval rules).
        title, subtitle, width, height, legend, tip, **attributes: As every view (`ViewOptions`): the subtitle
            defaults to a note when marks average several rows; 700 x 400 pixels by default.

    Example:
        >>> import evalviz as ev
        >>> chart = ev.scores_by_task(ev.Data.from_file("examples/data/evals.parquet"), title="Scores")
    """
    options = ViewOptions(title, subtitle, width, height, legend, tip, attributes)
    mark = checked_mark(mark)
    checked_ci(ci)
    roles = eval_roles(data, model_name=model_name, task_name=task_name, score_value=score_value,
                       score_stderr=score_stderr, low=low, high=high, link=link, status=status,
                       error_message=error_message)
    columns = score_columns(data, roles, task=True, by_task=True, view="scores_by_task")
    table = score_table(data, columns, ci=ci)
    return grouped_chart(table, options, mark=mark, group=("task", roles.task.title),
                         member=("model", roles.model.title), tooltip=tooltip_rows(roles, task=True))
