"""`scores_heatmap`: one cell per (model, task), coloured by its headline score."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import altair as alt

from evalviz.data.table import Data
from evalviz.rendering.component import Component
from evalviz.views.heatmap import heatmap
from evalviz.views.options import NOT_GIVEN, CellOptions, NotGiven

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
    marks: Sequence[alt.TopLevelMixin] | None = None,
    height: int | None = None,
    width: int | None = None,
    legend: str | None | NotGiven = NOT_GIVEN,
    sort: object = "ascending",
    orientation: Orientation = "horizontal",
    link: str | None = "log_viewer",
    agg: str = "mean",
    **attributes: Any,
) -> Component:
    """Heatmap of scores by model and task, from an inspect_ai evals table (one row per eval log).

    The mean score per (model, task) is computed in DuckDB. Hovering a cell shows model, task, score and row
    count; clicking a cell opens its `log_viewer` link in a new tab.

    Example:
        >>> import evalviz as ev
        >>> evals = ev.Data.from_file("examples/data/evals.parquet")
        >>> ev.scores_heatmap(evals, title="Scores").write_html("scores.html")  # doctest: +SKIP
    """
    if orientation not in ("horizontal", "vertical"):
        raise ValueError(f"orientation must be 'horizontal' or 'vertical', not {orientation!r}.")
    if link is not None and link not in data.columns:
        link = None if link == "log_viewer" else link  # the default column is optional; a named one is not
    task = (task_name, task_label or "Task")
    model = (model_name, model_label or "Model")
    (x, x_label), (y, y_label) = (task, model) if orientation == "horizontal" else (model, task)
    return heatmap(
        data, x=x, y=y, fill=score_value, x_label=x_label, y_label=y_label, fill_label="Score", agg=agg,
        link=link, stderr=_stderr_column(data, score_value), cell=cell, tip=tip, title=title, marks=marks,
        width=width, height=height, legend=legend, sort=sort, **attributes,
    )


def _stderr_column(data: Data, score_value: str) -> str | None:
    """inspect_ai's evals table carries the headline score's standard error beside it."""
    candidate = score_value.removesuffix("_value") + "_stderr"
    return candidate if candidate != score_value and candidate in data.columns else None
