"""`scores_by_task`: per task, one bar (or point) per model with its interval."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from evalviz.data.table import Data
from evalviz.rendering.component import Component
from evalviz.views.linking import Linking
from evalviz.views.options import NOT_GIVEN, Legend, ViewOptions, checks_arguments
from evalviz.views.roles import HEADLINE, HEADLINE_STDERR, LOG_VIEWER, MODEL_DISPLAY, TASK_DISPLAY, eval_roles
from evalviz.views.score_filters import score_links
from evalviz.views.score_marks import (
    Mark,
    checked_ci,
    checked_mark,
    grouped_chart,
    notes,
    score_columns,
    score_table,
    tooltip_rows,
)

if TYPE_CHECKING:
    from evalviz.interaction.selection import Selection


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
    """Scores by task: for each task, one bar (or point) per model, coloured by model, with its interval.

    Several rows of one (model, task) (repeated runs) are averaged in DuckDB; the tooltip says how many. Intervals
    come from `score_stderr` (a normal interval at `ci`; for a mean of k runs, the standard error
    sqrt(sum se_i^2) / k, none when a run lacks one) or, when the table has them, from `low`/`high` columns (used
    as given for one row: intervals of several rows do not combine, and the tooltip says so). When every score
    lies in [0, 1], intervals are clamped to [0, 1] and so is the axis. Statuses are `scores_heatmap`'s: a score
    some of whose runs failed, or that completed fewer samples than it had, is "partly failed" (a dark triangle
    at its end); an eval without a score is a grey hollow circle at zero, a skipped one a square, an infinite
    score a diamond, a failed one (`status` "error", "started" or "cancelled") a dark cross, each with a legend
    entry and its reason in the tooltip. Models are keyed by their values (a NULL model and one named "(null)"
    stay apart), and a model keeps its colour in every chart of the same models. The default width grows with
    the bars; the subtitle says when they are too thin to read. Hover a mark for model, task, score, interval and
    its source (or why there is none), rows, scorer and log; click it to open the log (http(s) links only).

    Args:
        data: An evals table (inspect_ai's `evals_df`).
        model_name, task_name: Columns of models and tasks (falling back to `model` and `task_name`).
        score_value, score_stderr: Columns of scores and their standard errors (None: no interval from stderr).
        ci: Confidence level of intervals from standard errors, between 0 and 1.
        low, high: Columns of interval ends (used when present; a name other than the default must exist).
        link, status, error_message: Columns of log links, eval statuses and errors (used when present).
        completed_samples, total_samples: Columns of the samples each eval completed, and had (used when
            present).
        mark: "bar" (bars with interval rules) or "point" (points with interval rules).
        title, subtitle, width, height, legend, tip, **attributes: As every view (`ViewOptions`): the subtitle
            defaults to notes on the marks; 400 pixels high, and 700 wide or more with many bars.
        filter_by: A Selection whose clauses filter the bars: a bar is kept when its model and task (or a column
            with one value per bar, such as the model's organisation) are; tasks and models left without bars
            leave no band. A filter on a column that varies within a bar (its runs) is named on the page as
            needing the live widget.
        target: A Selection a click on a bar (or on a model in the legend) publishes into: its model and task
            (the legend: the model); shift-click adds, a click on it again or on empty space clears. Its log then
            opens with Ctrl (Cmd) held.
        highlight: Fade the bars the selections leave out instead of removing them.

    Raises:
        EvalvizError: a negative stderr, a low end above its high end, or an interval that leaves out its score
            (naming the row), or a size that leaves no room for the plot.

    Example:
        >>> import evalviz as ev
        >>> chart = ev.scores_by_task(ev.Data.from_file("examples/data/evals.parquet"), title="Scores")
    """
    options = ViewOptions(title, subtitle, width, height, legend, tip, attributes)
    mark = checked_mark(mark)
    ci = checked_ci(ci)
    roles = eval_roles(data, model_name=model_name, task_name=task_name, score_value=score_value,
                       score_stderr=score_stderr, low=low, high=high, link=link, status=status,
                       error_message=error_message, completed_samples=completed_samples,
                       total_samples=total_samples)
    linking = Linking.of(filter_by, target, highlight)
    columns = score_columns(data, roles, task=True, by_task=True, view="scores_by_task")
    links = score_links(data, columns, linking)
    table = score_table(data, links.columns if links else columns, ci=ci, view="scores_by_task")
    return grouped_chart(table, options, mark=mark, group=("task", roles.task.title),
                         member=("model", roles.model.title),
                         tooltip=tooltip_rows(roles, task=True, score_format=table.score_format),
                         said=notes(table, mark, columns, ci, tip=options.tip), links=links)
