"""`sample_heatmap`: one cell per (model, sample), coloured by the sample's score over its epochs."""

from __future__ import annotations

from typing import Any

from evalviz.data.connection import quote_identifier as q
from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.rendering.component import Component
from evalviz.views.grid import GridColumns, aggregate_grid
from evalviz.views.heatmap import Labels, Legend, Marks, aggregation_note, draw_grid
from evalviz.views.options import NOT_GIVEN, CellOptions
from evalviz.views.scores import Orientation, check_orientation, fallback_column, optional_link

SAMPLE_FORMAT = "{:.2g}"  # per-sample scores are mostly 0, 1 or a fraction of epochs: "0", "1", "0.5"
TASK_COLUMNS = ("task_display_name", "task_name")
SEPARATOR = " \u00b7 "  # between a task and a sample id when a table holds several tasks


def sample_heatmap(
    data: Data,
    id: str = "id",
    id_label: str | None = None,
    model_name: str = "model_display_name",
    model_label: str | None = None,
    score_value: str | None = None,
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
    """Heatmap of per-sample scores by model, from an inspect_ai samples table (one row per sample and epoch).

    The epochs of one (sample, model) are aggregated in DuckDB (`agg`, mean by default) into one cell whose
    tooltip says how many rows it holds; clicking a cell opens the sample in the log viewer. Samples a model
    has no score for are drawn grey, with a legend entry. When the table holds several tasks, sample ids are
    shown with their task ("Arithmetic · 3"), since ids repeat across tasks.

    Args:
        data: A samples table, e.g. from `inspect_ai.analysis.samples_df`.
        id: Column of sample ids.
        id_label: Title of the sample axis ("Sample").
        model_name: Column of model names (falls back to `model` when `model_display_name` is absent).
        model_label: Title of the model axis ("Model").
        score_value: The score column to colour by, e.g. "score_match" (required: a samples table has one
            column per scorer).
        cell: How cells and annotations are drawn (annotations show when the cells are large enough).
        tip: Show a tooltip on hover.
        title: Chart title.
        marks: Extra Altair layers drawn on top.
        height: Outer height in pixels (width / 1.618 by default).
        width: Outer width in pixels (700 by default).
        legend: None hides the legend; a string titles it.
        sort: "ascending" (easiest samples right, best models on top), "descending", None (input order) or
            {"x": [...], "y": [...]}.
        orientation: "horizontal" (samples on x, models on y) or "vertical" (models on x, samples on y).
        link: Column of log viewer URLs (ignored when the default column is absent).
        agg: How the epochs of one cell combine: "mean", "median", "min", "max" or "sum".
        **attributes: e.g. `x_tick_rotate=90`, or Vega-Lite top-level properties.

    Example:
        >>> import evalviz as ev
        >>> samples = ev.Data.from_file("examples/data/samples.parquet")
        >>> chart = ev.sample_heatmap(samples.filter("task_name = 'capitals'"), score_value="score_match")
    """
    check_orientation(orientation)
    if score_value is None:
        scores = [c for c in data.columns if c.startswith("score_")]
        listing = ", ".join(repr(c) for c in scores) if scores else "none (no column starts with 'score_')"
        raise EvalvizError(
            "sample_heatmap needs score_value, the score column to colour the cells by. Score columns "
            f"present: {listing}."
        )
    data.require_columns(id, score_value, purpose="sample_heatmap")
    model_name = fallback_column(data, model_name, "model_display_name", "model")
    link = optional_link(data, link)
    task = _several_tasks(data)

    sample = (id, id_label or "Sample")
    model = (model_name, model_label or "Model")
    (x, x_label), (y, y_label) = (sample, model) if orientation == "horizontal" else (model, sample)
    columns = GridColumns(x=x, y=y, fill=score_value, link=link, x_group=task if x == id else None,
                          y_group=task if y == id else None, separator=SEPARATOR)
    grid = aggregate_grid(data, columns, agg=agg, sort=sort)

    notes = [aggregation_note(grid, agg)]
    if task is not None:
        notes.append(f"Sample ids are shown with their task (task{SEPARATOR}id).")
    cell = cell or CellOptions()
    if cell.annot_fmt is None:
        cell = CellOptions(**{**cell.__dict__, "annot_fmt": SAMPLE_FORMAT})
    scorer = score_value.removeprefix("score_")
    labels = Labels(x=x_label, y=y_label, fill=f"Score ({scorer})" if scorer else "Score",
                    link="Log" if link == "log_viewer" else link or "link")
    return draw_grid(
        grid, labels=labels, cell=cell, tip=tip, title=title,
        subtitle=" ".join(n for n in notes if n) or None, marks=marks, width=width, height=height,
        legend=legend, **attributes,
    )


def _several_tasks(data: Data) -> str | None:
    """The task column, when the table holds samples of more than one task."""
    for column in TASK_COLUMNS:
        if column in data.columns:
            count = data.sql(f"SELECT count(DISTINCT {q(column)}) AS k FROM this")["k"][0].as_py()
            return column if count > 1 else None
    return None
