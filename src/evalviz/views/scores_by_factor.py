"""`scores_by_factor`: per model, the score at each of the two levels of a factor, with intervals."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.query.axes import NULL_LABEL
from evalviz.query.scores import levels_sql
from evalviz.rendering.component import Component
from evalviz.views.linking import Linking
from evalviz.views.options import NOT_GIVEN, Legend, ViewOptions, checks_arguments
from evalviz.views.roles import HEADLINE, HEADLINE_STDERR, LOG_VIEWER, MODEL_DISPLAY, TASK_DISPLAY, eval_roles
from evalviz.views.score_filters import score_links
from evalviz.views.score_marks import (
    Mark,
    ScoreTable,
    checked_ci,
    checked_mark,
    grouped_chart,
    has_task,
    notes,
    score_columns,
    score_table,
    tooltip_rows,
)

if TYPE_CHECKING:
    from evalviz.interaction.selection import Selection

SHOWN_LEVELS = 10  # an error names up to this many levels of a factor


@checks_arguments()
def scores_by_factor(
    data: Data,
    factor: str,
    factor_labels: Sequence[str] | Mapping[Any, str] | None = None,
    model_name: str = MODEL_DISPLAY,
    score_value: str = HEADLINE,
    score_stderr: str | None = HEADLINE_STDERR,
    ci: float = 0.95,
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
    """Scores by factor: per model, the score at each of the two levels of `factor` (with and without a system
    prompt, say) side by side, coloured by level, with intervals.

    A mark is the mean over its tasks of each task's mean score, in DuckDB: a task run twice counts once, and
    its standard error is sqrt(sum se_t^2) / T over the T tasks (none when a task lacks one). The tooltip lists
    the tasks and counts the rows; the subtitle says when the two levels cover different tasks. Intervals,
    statuses, tooltips and clicks are as in `scores_by_task`.

    Args:
        data: An evals table (inspect_ai's `evals_df`).
        factor: A column with two values (a boolean, or two names); NULL counts as a value. It titles the
            legend.
        factor_labels: Names of the two levels: a pair in the levels' order (False before True, else sorted),
            or a mapping {level: name}. By default the levels themselves ("false", "true").
        model_name: Column of models (falling back to `model`).
        score_value, score_stderr, ci: As in `scores_by_task`.
        task_name: Column of tasks, averaged per task and listed in the tooltip (used when present).
        low, high, link, status, error_message, completed_samples, total_samples, mark: As in `scores_by_task`.
        title, subtitle, width, height, legend, tip, **attributes: As every view (`ViewOptions`).
        filter_by: A Selection whose clauses filter the bars: a bar (a model at a level) is kept when its model
            and level (or a column with one value per bar, such as the model's organisation) are, exactly, on a
            standalone page as in the live widget; models left without bars leave no band. A bar averages its
            tasks' means, which the page does not redo: a filter on a column varying within a bar (the task, a
            run) is named on the page as needing the live widget, where the chart is drawn again over the
            rows kept.
        target: A Selection a click on a bar publishes into: its model and level; a click on a level in the
            legend publishes the level (shift-click adds, a click on it again or on empty space clears).
        highlight: Fade the bars the selections leave out instead of removing them.

    Raises:
        EvalvizError: a factor without exactly two levels (naming them), labels that do not name them, or a
            wrong interval (as in `scores_by_task`).

    Example:
        >>> import evalviz as ev
        >>> evals = ev.Data.from_file("examples/data/evals.parquet")
        >>> reasoning = evals.derive("SELECT *, task_name IN ('arithmetic', 'logic_puzzles') AS reasoning FROM this")
        >>> chart = ev.scores_by_factor(reasoning, "reasoning", ("Other tasks", "Reasoning tasks"))
    """
    options = ViewOptions(title, subtitle, width, height, legend, tip, attributes)
    mark = checked_mark(mark)
    ci = checked_ci(ci)
    data.require_columns(factor, purpose="scores_by_factor")
    labels = level_labels(factor, factor_levels(data, factor), factor_labels)
    roles = eval_roles(data, model_name=model_name, task_name=task_name, score_value=score_value,
                       score_stderr=score_stderr, low=low, high=high, link=link, status=status,
                       error_message=error_message, completed_samples=completed_samples,
                       total_samples=total_samples)
    task = has_task(data, task_name)
    columns = score_columns(data, roles, task=task, by_task=False, factor=factor, view="scores_by_factor")
    links = score_links(data, columns, Linking.of(filter_by, target, highlight))
    table = score_table(data, links.columns if links else columns, ci=ci, view="scores_by_factor",
                        level_labels=labels)
    said = notes(table, mark, columns, ci, tip=options.tip) + (_coverage_note(table, factor) if task else [])
    return grouped_chart(table, options, mark=mark, group=("model", roles.model.title), member=("level", factor),
                         tooltip=tooltip_rows(roles, task=task, tasks=True, level=factor,
                                              score_format=table.score_format), said=said, links=links)


def _coverage_note(table: ScoreTable, factor: str) -> list[str]:
    """A subtitle note when the two levels hold different tasks: their scores then average different tasks."""
    covered: dict[str, set[str]] = {key: set() for key in table.keys["level"]}
    for level, tasks in zip(table.rows["level"].to_pylist(), table.rows["tasks"].to_pylist(), strict=True):
        covered[level].update(tasks.split(", ") if tasks else ())
    first, second = (covered[key] for key in table.keys["level"])
    if first == second:
        return []
    names = dict(zip(table.keys["level"], table.labels["level"], strict=True))
    only = [f"{len(c - other)} only at {names[key]}" for key, c, other in
            zip(table.keys["level"], (first, second), (second, first), strict=True) if c - other]
    return [f"The levels of {factor!r} hold different tasks ({', '.join(only)})."]


@dataclass(frozen=True)
class Level:
    """A level of a factor: its text as DuckDB writes it (None for NULL; what the query matches) and its value
    as Python reads it (what `factor_labels` are matched to)."""

    text: str | None
    value: object


def factor_levels(data: Data, factor: str) -> list[Level]:
    """The two values of `factor`, in their order (false before true).

    Raises:
        EvalvizError: the factor has fewer or more than two values, naming them.
    """
    found = data.run(levels_sql(factor, SHOWN_LEVELS)).to_pylist()
    levels = [Level(row["level"], row["value"]) for row in found]
    count = found[0]["levels"] if found else 0
    shown = ", ".join(NULL_LABEL if level.text is None else repr(level.text) for level in levels)
    if count == 1:
        raise EvalvizError(
            f"scores_by_factor compares the two levels of a factor, and {factor!r} has only one: {shown}. To see "
            "the scores at that one level, use scores_by_model or scores_by_task; to compare, pass a factor "
            "with two values (data.derive(\"SELECT *, ... AS factor FROM this\")), or rows with both levels."
        )
    if count != 2:
        more = f" and {count - len(levels)} more" if count > len(levels) else ""
        raise EvalvizError(
            f"scores_by_factor compares the two levels of a factor, and {factor!r} has {count}: {shown}{more}. "
            "Filter the rows to two of them (data.filter(...)), or derive a column of two values "
            "(data.derive(\"SELECT *, ... AS factor FROM this\")); NULL counts as a level."
        )
    return levels


def level_labels(factor: str, levels: list[Level], given: object) -> dict[str | None, str]:
    """The name drawn for each level, keyed by its text: from `given` (a pair in the levels' order, or a mapping
    level -> name, its keys matched to the levels by value: True, np.True_ and "true" name the level true; 1 and
    1.0 the level 1.0), else the level itself ("(null)" for NULL).

    Example:
        >>> level_labels("hint", [Level("false", False), Level("true", True)], {True: "Hint", False: "No hint"})
        {'false': 'No hint', 'true': 'Hint'}
    """
    texts = [level.text for level in levels]
    if given is None:
        return {text: NULL_LABEL if text is None else text for text in texts}
    if isinstance(given, Mapping):
        found = [[name for key, name in given.items() if _names(key, level)] for level in levels]
        missing = [level.text for level, names in zip(levels, found, strict=True) if len(names) != 1]
        if missing:
            raise EvalvizError(f"factor_labels names {[*given]!r}, not each level of {factor!r} once: "
                               f"{', '.join(NULL_LABEL if m is None else repr(m) for m in missing)}.")
        names = [name for name, in found]
    elif isinstance(given, Sequence) and not isinstance(given, str) and len(given) == len(levels):
        names = list(given)
    else:
        raise EvalvizError(f"factor_labels is a pair of names in the levels' order ({texts[0]!r} first), or a "
                           f"mapping {{level: name}}, not {given!r}.")
    if not all(isinstance(name, str) for name in names) or len(set(names)) != len(names):
        raise EvalvizError(f"factor_labels gives each level a name of its own (text), not {names!r}.")
    return dict(zip(texts, names, strict=True))


def _names(key: object, level: Level) -> bool:
    """Whether a key of `factor_labels` names `level`: by value (a numpy scalar as its Python value; a boolean
    only a boolean, a number an equal number), or by the level's text."""
    if type(key).__module__ == "numpy" and hasattr(key, "item"):  # np.True_, np.float64(0.5): their Python value
        key = key.item()
    value = level.value
    if key is None or value is None:
        return key is None and value is None
    if isinstance(key, str) and not isinstance(value, str):
        return key == level.text  # "true" for True, "0.5" for 0.5: as DuckDB writes the level
    if isinstance(key, bool) or isinstance(value, bool):
        return isinstance(key, bool) and isinstance(value, bool) and key == value
    if isinstance(key, numbers.Real) and isinstance(value, numbers.Real | Decimal):
        key_number, value_number = float(key), float(value)
        return key_number == value_number or (math.isnan(key_number) and math.isnan(value_number))
    try:
        return bool(key == value)
    except (TypeError, ValueError):  # a key that does not compare with the level (an array, say) does not name it
        return False
