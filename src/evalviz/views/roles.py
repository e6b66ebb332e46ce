"""Column roles, resolved once per view: which columns of an evals table are the model, the task, the score, its
interval, link and status, with inspect_ai's column names as defaults and their fallbacks.

A role left at its default is optional: used when the table has the column, ignored when not. A column the caller
names must exist (views check that before any work, naming the columns the table has).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from evalviz.data.table import Data
from evalviz.query.roles import names_and_pairs_sql

# inspect_ai's columns (`evals_df`, `model_info`, `task_info`, `log_viewer`).
MODEL_DISPLAY, MODEL = "model_display_name", "model"
TASK_DISPLAY, TASK = "task_display_name", "task_name"
HEADLINE = "score_headline_value"
HEADLINE_STDERR = "score_headline_stderr"
HEADLINE_SCORER, HEADLINE_SCORE = "score_headline_name", "score_headline_score"
HEADLINE_METRIC = "score_headline_metric"
LOG_VIEWER = "log_viewer"
STATUS, ERROR_MESSAGE = "status", "error_message"
COMPLETED_SAMPLES, TOTAL_SAMPLES = "completed_samples", "total_samples"


@dataclass(frozen=True)
class Axis:
    """An axis keyed by `column`; with a `group`, values are the `column` grouped under `group` (the display
    name), so that two models sharing a display name stay apart."""

    column: str
    group: str | None
    title: str


@dataclass(frozen=True)
class EvalRoles:
    """The columns an evals view reads (None: the table has no such column)."""

    model: Axis
    task: Axis
    value: str
    stderr: str | None = None
    low: str | None = None
    high: str | None = None
    link: str | None = None
    status: str | None = None
    reason: str | None = None
    completed: str | None = None
    total: str | None = None
    scorer: str | None = None
    score_name: str | None = None
    metric: str | None = None


def eval_roles(data: Data, *, model_name: str = MODEL_DISPLAY, task_name: str = TASK_DISPLAY,
               score_value: str = HEADLINE, score_stderr: str | None = HEADLINE_STDERR, low: str | None = None,
               high: str | None = None, link: str | None = LOG_VIEWER, status: str | None = STATUS,
               error_message: str | None = ERROR_MESSAGE, completed_samples: str | None = COMPLETED_SAMPLES,
               total_samples: str | None = TOTAL_SAMPLES, model_label: str | None = None,
               task_label: str | None = None) -> EvalRoles:
    """The roles of an evals table's columns, inspect_ai's defaults and fallbacks applied.

    `score_stderr` left at its default is the standard error beside the score, when the table has one
    (score_headline_value -> score_headline_stderr, score_x_accuracy -> score_x_stderr); None: no standard error.
    `low`/`high` name an interval's ends, used (instead of the standard error) when both are present.

    Example:
        >>> import evalviz as ev
        >>> roles = eval_roles(ev.Data.from_file("examples/data/evals.parquet"))
        >>> roles.model.column, roles.task.column, roles.value
        ('model_display_name', 'task_display_name', 'score_headline_value')
    """
    model_column = fallback_column(data, model_name, MODEL_DISPLAY, MODEL)
    task_column = fallback_column(data, task_name, TASK_DISPLAY, TASK)
    headline = score_value == HEADLINE and HEADLINE_SCORER in data.columns
    roles = (model_column, task_column, score_value, score_stderr, low, high, link, status, error_message,
             completed_samples, total_samples)
    model_key, task_key = keyed_by(data, (model_column, MODEL), (task_column, TASK), taken=roles)
    low_column, high_column = optional_column(data, low, "low"), optional_column(data, high, "high")
    if low_column is None or high_column is None:
        low_column = high_column = None
    stderr = stderr_column(data, score_value) if score_stderr == HEADLINE_STDERR else score_stderr
    return EvalRoles(
        model=Axis(*model_key, model_label or "Model"),
        task=Axis(*task_key, task_label or "Task"),
        value=score_value,
        stderr=None if low_column else stderr,
        low=low_column,
        high=high_column,
        link=optional_column(data, link, LOG_VIEWER),
        status=optional_column(data, status, STATUS),
        reason=optional_column(data, error_message, ERROR_MESSAGE),
        completed=optional_column(data, completed_samples, COMPLETED_SAMPLES),
        total=optional_column(data, total_samples, TOTAL_SAMPLES),
        scorer=HEADLINE_SCORER if headline else None,
        score_name=HEADLINE_SCORE if headline and HEADLINE_SCORE in data.columns else None,
        metric=HEADLINE_METRIC if headline and HEADLINE_METRIC in data.columns else None,
    )


def fallback_column(data: Data, given: str, default: str, fallback: str) -> str:
    """inspect_ai's display-name column, or the raw column when the table has no display names.

    Example:
        >>> import evalviz as ev
        >>> fallback_column(ev.Data.from_sql("SELECT 'm' AS model"), "model_display_name", "model_display_name",
        ...                 "model")
        'model'
    """
    if given == default and default not in data.columns and fallback in data.columns:
        return fallback
    return given


def keyed_by(data: Data, *axes: tuple[str, str], taken: Iterable[str | None] = ()) -> list[tuple[str, str | None]]:
    """For each axis (shown, key), the (column, group) keying an axis drawn by the names in `shown` (e.g.
    model_display_name): `shown` alone when each of its names stands for one `key` (the id: model, task_name),
    else the key grouped under the name, so that two models sharing a display name stay two rows, labelled
    "GPT-4o · openai/gpt-4o" and "GPT-4o · openai/azure/gpt-4o". All axes are counted in one query. A key column
    given another role (`taken`: the columns of every role, e.g. a task column named "model") keys no axis.

    Example:
        >>> import evalviz as ev
        >>> data = ev.Data.from_sql("SELECT * FROM (VALUES ('GPT-4o', 'openai/gpt-4o'), "
        ...                         "('GPT-4o', 'openai/azure/gpt-4o')) AS t(model_display_name, model)")
        >>> keyed_by(data, ("model_display_name", "model"))
        [('model', 'model_display_name')]
    """
    others = set(taken)
    counted = [(shown, key) for shown, key in axes
               if shown != key and key in data.columns and shown in data.columns and key not in others]
    counts = data.run(names_and_pairs_sql(counted)).to_pylist()[0] if counted else {}
    keyed: list[tuple[str, str | None]] = []
    for shown, key in axes:
        if (shown, key) not in counted:
            keyed.append((shown, None))
            continue
        i = counted.index((shown, key))
        keyed.append((shown, None) if counts[f"names_{i}"] == counts[f"pairs_{i}"] else (key, shown))
    return keyed


def optional_column(data: Data, given: str | None, default: str) -> str | None:
    """A column read when present: left at its `default` and absent, it is not used; a column the caller names
    must exist (checked later).

    Example:
        >>> import evalviz as ev
        >>> optional_column(ev.Data.from_sql("SELECT 1 AS x"), "log_viewer", "log_viewer") is None
        True
    """
    if given == default and given not in data.columns:
        return None
    return given


def optional_link(data: Data, link: str | None) -> str | None:
    """The link column: inspect_ai's `log_viewer` when present, or the column the caller names."""
    return optional_column(data, link, LOG_VIEWER)


def stderr_column(data: Data, score_value: str) -> str | None:
    """inspect_ai's evals table carries each scorer's standard error beside its metrics:
    score_headline_value -> score_headline_stderr, score_match_accuracy -> score_match_stderr.

    Example:
        >>> import evalviz as ev
        >>> stderr_column(ev.Data.from_sql("SELECT 0.5 AS score_x_accuracy, 0.1 AS score_x_stderr"),
        ...               "score_x_accuracy")
        'score_x_stderr'
    """
    if "_" not in score_value:
        return None
    candidate = score_value.rsplit("_", 1)[0] + "_stderr"
    return candidate if candidate != score_value and candidate in data.columns else None
