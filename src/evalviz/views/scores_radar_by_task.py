"""`scores_radar_by_task`: one closed polygon per model over the tasks, each task's scores normalised over the
models, the raw score in the tooltip."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.charts import Interaction, Layer, LayerChart
from evalviz.data.connection import quote_identifier
from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.query.axes import KEY_MARK
from evalviz.query.grid_columns import filter_field
from evalviz.query.radar import RadarColumns, Scaling, rings_sql, spokes_sql, vertices_sql
from evalviz.rendering.component import Component
from evalviz.rendering.contract import TooltipRow
from evalviz.views.chart import AXIS_LABEL_LIMIT, hover_note, label_widths, title_line_count, title_spec
from evalviz.views.formatting import count_text
from evalviz.views.grid import check_numeric
from evalviz.views.grid_filters import MarkFilters, mark_filters
from evalviz.views.linking import Linking
from evalviz.views.marks import lines, points, rules, text
from evalviz.views.options import NOT_GIVEN, Legend, ViewOptions, checked_number, checks_arguments
from evalviz.views.roles import HEADLINE, LOG_VIEWER, MODEL_DISPLAY, TASK_DISPLAY, eval_roles
from evalviz.views.score_marks import SCHEMES

if TYPE_CHECKING:
    from evalviz.interaction.selection import Selection

VERTICES, SPOKES, RINGS = "vertices", "spokes", "rings"
Normalization = Literal["min_max", "percentile", "none", "absolute"]  # "absolute" is inspect_viz's "none"
NORMALIZATIONS: dict[str, str] = {"min_max": "min_max", "percentile": "percentile", "none": "none", "absolute": "none"}
SIDE = 360  # pixels: the plot's default height (the radar's diameter, with its labels)
MIN_SIDE = 120
LABEL_FONT = 11
LABEL_LIMIT, MIN_LABEL_LIMIT = 130, 50  # pixels: task labels longer than the limit end in an ellipsis
LABEL_ROOM = 20  # pixels between the outermost task label's anchor and the plot's top or bottom edge
LEGEND_ROOM = 150  # pixels a legend takes beside the plot
TITLE_LINE = 26
GRID_COLOR, OUTER_COLOR, TEXT_COLOR = "#dddddd", "#999999", "#555555"
MAX_MODELS = SCHEMES[-1][0]  # polygons drawn at most, one colour each: the first models by label
MAX_TASKS = 40  # spokes drawn at most: the first tasks by label
# A legend label expression drawing a model's key (`query.radar._key_sql`) as its label: the text before its last
# KEY_MARK.
KEY_LABEL = (f"indexof(datum.label, {json.dumps(KEY_MARK)}) < 0 ? datum.label : "
             f"substring(datum.label, 0, lastindexof(datum.label, {json.dumps(KEY_MARK)}))")
# An "x" drawn as a Vega symbol path: a missing vertex's mark.
MISSING_SHAPE = "M-1,-1L1,1M1,-1L-1,1"


@checks_arguments()
def scores_radar_by_task(
    data: Data,
    model_name: str = MODEL_DISPLAY,
    task_name: str = TASK_DISPLAY,
    score_value: str = HEADLINE,
    normalization: Normalization = "min_max",
    *,
    invert: Sequence[str] | None = None,
    domain: tuple[float, float] | None = None,
    link: str | None = LOG_VIEWER,
    status: str | None = "status",
    error_message: str | None = "error_message",
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
    """A radar of scores by task: one spoke per task (evenly spaced, the first straight up, then clockwise), one
    closed polygon per model coloured by model, with rings at a quarter, half, three quarters and all of the
    outer ring, labelled with their values.

    Each task's scores are normalised over the models in DuckDB: "min_max" puts the lowest model at the centre
    and the highest on the outer ring (all at 0.5 when they tie; with `domain`, (low, high) are fixed and scores
    beyond are drawn at its edge), "percentile" gives each model its percentile rank (its mean rank among the
    models scored on the task, ties sharing, over their count: pandas' `rank(pct=True)`), "none" draws the raw
    scores (the outer ring is then 1, or the highest score above it). Several rows of one (model, task) are
    averaged (the tooltip says how many). A (model, task) without a score (no row, a failed eval, a NaN) is
    never drawn as a zero: its polygon breaks there, and an "x" in the model's colour beyond the outer ring on
    that task's spoke marks it (the tooltip says why). At most 20 models (one colour each) and 40 tasks are
    drawn, the first by label, normalised among themselves; the subtitle says what is left out. Hover a vertex
    for model, task, the raw score, its normalised value, rows and log; click it to open the log (http(s) links
    only).

    Args:
        data: An evals table (inspect_ai's `evals_df`).
        model_name, task_name: Columns of models and tasks (falling back to `model` and `task_name`).
        score_value: The column of scores.
        normalization: "min_max", "percentile" or "none" (inspect_viz's "absolute" is "none").
        invert: Tasks (as labelled) whose lower scores are better: their normalised values run the other way.
        domain: (low, high) of "min_max" normalisation for every task (None: each task's own min and max).
        link, status, error_message: Columns of log links, eval statuses and errors (used when present).
        title, subtitle, width, height, legend, tip, **attributes: As every view (`ViewOptions`); the radar
            stays round (its height sets its size, 360 pixels by default); what is normalised, averaged or
            missing is said after a given subtitle.
        filter_by: A Selection whose clauses filter the models. A filter on the model (or a column with one
            value per model, such as its organisation) keeps or drops whole polygons, exactly, on a standalone
            page as in the live widget: with "min_max" normalisation over the models, each task's lowest and
            highest are taken again among the models kept (as DuckDB does over the filtered rows); with "none"
            or a fixed `domain` the polygons kept do not change. "percentile" ranks, a filter on the task (the
            spokes) or on a column varying within a model are named on the page as needing the live widget.
        target: A Selection a click on a vertex (or on a model in the legend) publishes into: its model
            (shift-click adds, a click on it again or on empty space clears).
        highlight: Fade the polygons the selections leave out instead of removing them (the normalisation
            stays that of every model).

    Raises:
        EvalvizError: fewer than 3 tasks (pointing to scores_by_task), an unknown normalisation, a `domain` or
            `invert` that does not fit, negative scores without normalisation, or no score at all.

    Example:
        >>> import evalviz as ev
        >>> chart = ev.scores_radar_by_task(ev.Data.from_file("examples/data/evals.parquet"),
        ...                                 normalization="percentile", title="Relative strengths")
    """
    options = ViewOptions(title, subtitle, width, height, legend, tip, attributes)
    scaling = Scaling(_checked_normalization(normalization), domain=_checked_domain(domain, normalization))
    roles = eval_roles(data, model_name=model_name, task_name=task_name, score_value=score_value,
                       score_stderr=None, link=link, status=status, error_message=error_message,
                       completed_samples=None, total_samples=None)
    columns = RadarColumns(model=roles.model.column, model_group=roles.model.group, task=roles.task.column,
                           task_group=roles.task.group, value=roles.value, link=roles.link, status=roles.status,
                           reason=roles.reason)
    data.require_columns(columns.model, columns.model_group, columns.task, columns.task_group, columns.value,
                         columns.link, columns.status, columns.reason, purpose="scores_radar_by_task")
    data.require_rows()
    check_numeric(data, columns.value)
    linking = Linking.of(filter_by, target, highlight)
    filters = _filters(data, columns, linking, scaling)
    if linking.active:
        columns = dataclasses.replace(columns, filters=filters.constant, raw_key=True)
    most = (MAX_MODELS, MAX_TASKS)
    spokes = data.run(spokes_sql(columns, scaling, most))
    _check_tasks(spokes["task"].to_pylist())
    scaling = Scaling(scaling.normalization, _checked_invert(invert, spokes["task"].to_pylist(), scaling),
                      scaling.domain)
    vertices = data.run(vertices_sql(columns, scaling, most))
    _check_scores(vertices, scaling)
    outer = float(vertices["outer_value"][0].as_py())
    said = _notes(vertices, scaling, tip=options.tip)
    text_said = " ".join([options.subtitle, *said] if options.subtitle is not None else said) or None
    datasets = {VERTICES: vertices, SPOKES: spokes, RINGS: data.run(rings_sql(outer, spokes.num_rows))}
    keys = {name: column for column, name in columns.shipped()[:2 if columns.model_group else 1]}
    interaction = linking.interaction(
        fields={column: name for column, name in {**{column: name for name, column in keys.items()},
                **{c: filter_field(i) for i, c in enumerate(filters.constant)}}.items()
                if column not in filters.unanswered},
        unanswered=filters.unanswered, click=("vertices", "missing", "polygons"), click_fields=keys,
        legend=("polygons", "model_key", keys),
        then=_renormalised() if _renormalises(scaling, linking) else ())
    return _chart(datasets, options, text_said, model_title=roles.model.title, task_title=roles.task.title,
                  scaling=scaling, interaction=interaction)


def _filters(data: Data, columns: RadarColumns, linking: Linking, scaling: Scaling) -> MarkFilters:
    """The columns a filter reads, by how the page answers them: one value per model (whole polygons), or not
    (a task's spokes, a column varying within a model: named on the page); none under percentile ranks."""
    if not linking.active:
        return MarkFilters()
    model_keys = tuple(c for c in (columns.model_group, columns.model) if c)
    linking.publishes(*model_keys)
    filters = mark_filters(data, [quote_identifier(c) for c in model_keys], linking, exclude=model_keys)
    filters = filters.refuse_varying("varies within a model's polygon (a task is a spoke: the page cannot "
                                     "redraw the spokes)")
    if scaling.normalization == "percentile" and linking.filter_by is not None and not linking.highlight:
        why = "percentile ranks among the models kept, which the page cannot recompute"
        return MarkFilters(unanswered={**filters.unanswered,
                                       **{c: why for c in (*model_keys, *filters.constant)}})
    return filters


def _renormalises(scaling: Scaling, linking: Linking) -> bool:
    """Whether a filter changes the polygons kept: min-max normalisation over the models kept."""
    return (scaling.normalization == "min_max" and scaling.domain is None and linking.filter_by is not None
            and not linking.highlight)


def _renormalised() -> tuple[dict[str, Any], ...]:
    """The Vega-Lite transforms normalising each task's scores again over the models kept, as
    `query.radar` does: min-max of halves (no overflow), 0.5 where they tie, and the vertices placed again."""
    share = ("(datum.inverted ? datum.hi / 2 - datum.raw / 2 : datum.raw / 2 - datum.lo / 2) / "
             "(datum.hi / 2 - datum.lo / 2)")
    value = f"datum.raw === null ? null : datum.hi === datum.lo ? 0.5 : max(0, min(1, {share}))"
    return ({"joinaggregate": [{"op": "min", "field": "raw", "as": "lo"}, {"op": "max", "field": "raw", "as": "hi"}],
             "groupby": ["ti"]},
            {"calculate": value, "as": "value"},
            {"calculate": "datum.value === null ? null : datum.value / datum.outer_value * cos(datum.angle)",
             "as": "x"},
            {"calculate": "datum.value === null ? null : datum.value / datum.outer_value * sin(datum.angle)",
             "as": "y"})


def _checked_normalization(normalization: object) -> str:
    if normalization not in NORMALIZATIONS:
        raise EvalvizError(f"normalization is 'min_max' (each task from its lowest to its highest model), "
                           f"'percentile' (each model's percentile rank) or 'none' (raw scores), not "
                           f"{normalization!r}.")
    return NORMALIZATIONS[normalization]  # type: ignore[index]


def _checked_domain(domain: object, normalization: object) -> tuple[float, float] | None:
    """(low, high) of min-max normalisation: two finite numbers, low below high, given with "min_max" only."""
    if domain is None:
        return None
    if normalization != "min_max":
        raise EvalvizError(f"domain fixes the ends of 'min_max' normalisation; with normalization="
                           f"{normalization!r} leave it out.")
    try:
        low, high = (checked_number("domain", end) for end in domain)  # type: ignore[union-attr]
    except (EvalvizError, TypeError, ValueError):  # not two finite numbers
        low = high = None
    if isinstance(domain, str) or low is None or high is None or not low < high:
        raise EvalvizError(f"domain is (low, high): two finite numbers, low below high, such as (0, 1); not "
                           f"{domain!r}.")
    return low, high


def _check_tasks(tasks: list[str]) -> None:
    if len(tasks) < 3:
        named = ", ".join(repr(task) for task in tasks) or "none"
        raise EvalvizError(f"A radar needs 3 or more tasks (one spoke each); the data has {len(tasks)} ({named}). "
                           "Compare models on fewer tasks with ev.scores_by_task(data).")


def _checked_invert(invert: object, tasks: list[str], scaling: Scaling) -> tuple[str, ...]:
    """The tasks whose lower scores are better: labels of the data's tasks, with a normalisation to invert."""
    if invert is None:
        return ()
    if isinstance(invert, str) or not isinstance(invert, Sequence) or not all(isinstance(t, str) for t in invert):
        raise EvalvizError(f"invert is a list of tasks whose lower scores are better, such as [{tasks[0]!r}], not "
                           f"{invert!r}.")
    if invert and scaling.normalization == "none":
        raise EvalvizError("invert turns the normalised scores of a task around; give normalization='min_max' or "
                           "'percentile' with it.")
    unknown = [task for task in invert if task not in tasks]
    if unknown:
        raise EvalvizError(f"invert names {unknown[0]!r}, which is not a task of the data. Its tasks: "
                           f"{', '.join(repr(task) for task in tasks)}.")
    return tuple(dict.fromkeys(invert))


def _check_scores(vertices: pa.Table, scaling: Scaling) -> None:
    raw = vertices["raw"]
    if raw.null_count == len(raw):
        raise EvalvizError("scores_radar_by_task found no score to draw: every (model, task) failed or has no "
                           "finite score. Check the status and score columns.")
    if scaling.normalization == "none" and pc.min(raw).as_py() < 0:
        raise EvalvizError(f"Without normalisation a radar draws scores as distances from its centre, and "
                           f"{pc.min(raw).as_py()!r} is negative. Give normalization='min_max' or 'percentile'.")


def _notes(vertices: pa.Table, scaling: Scaling, *, tip: bool) -> list[str]:
    """What the subtitle says: how scores are normalised, averaged rows, inverted tasks and missing scores."""
    drawn = vertices.filter(pc.invert(vertices["closing"]))
    what = {"min_max": "Scores min-max normalised per task over the models (centre: lowest, outer ring: highest)"
                       if scaling.domain is None else
                       f"Scores min-max normalised over [{scaling.domain[0]:g}, {scaling.domain[1]:g}]",
            "percentile": "Scores as percentile ranks per task among the models",
            "none": "Raw scores"}[scaling.normalization]
    said = [hover_note(what, "hover a vertex for its raw score", tip=tip)]
    averaged = pc.sum(pc.greater(drawn["n"], 1)).as_py() or 0
    if averaged:
        said.append(f"{count_text(averaged)} vertices average several rows.")
    if scaling.inverted:
        said.append(f"Lower is better on {', '.join(scaling.inverted)} (inverted).")
    missing = drawn["raw"].null_count
    if missing:
        said.append(f"{count_text(missing)} (model, task) score{'s are' if missing > 1 else ' is'} missing: the "
                    "polygon breaks there, marked x beyond the outer ring.")
    for kind, count, most in (("models", "all_models", MAX_MODELS), ("tasks", "all_tasks", MAX_TASKS)):
        if (every := vertices[count][0].as_py()) > most:
            among = ", normalised among themselves" if kind == "models" else ""
            said.append(f"The first {most} of {count_text(every)} {kind} (by name) are drawn{among}; filter the "
                        "data for the others.")
    return said


def _layout(spokes: pa.Table, options: ViewOptions, subtitle: str | None) -> tuple[int, int, float, float, int]:
    """(plot width, plot height, x reach, y reach, label limit): the plot's pixels and the radius units each half
    of it spans, at the same pixels per unit on both axes (the radar stays round), leaving room for the task
    labels beside it, each cut to the label limit (their tooltip shows them whole)."""
    legend = LEGEND_ROOM if options.legend_on else 0
    limit = LABEL_LIMIT if options.width is None else \
        int(min(LABEL_LIMIT, max(MIN_LABEL_LIMIT, (options.width - legend - 2 * MIN_SIDE) / 2)))
    widths = [min(w, limit) for w in label_widths(spokes["task"].to_pylist(), LABEL_FONT)]
    aligns = spokes["align"].to_pylist()
    side = SIDE
    if options.height is not None:
        lines_above = title_line_count(options.title, subtitle, options.width or SIDE)
        side = max(MIN_SIDE, options.height - TITLE_LINE * lines_above - 10)
    if options.width is not None:
        room = max((w for w, align in zip(widths, aligns, strict=True) if align != "center"), default=0.0)
        side = max(MIN_SIDE, min(side, round(options.width - legend - 2 * room)))
    reach_y = max(abs(v) for v in spokes["ly"].to_pylist() + [1.0])
    per_unit = (side / 2 - LABEL_ROOM) / reach_y
    half = max([per_unit * 1.02] + [abs(lx) * per_unit + (w if align != "center" else w / 2)
                                    for lx, w, align in zip(spokes["lx"].to_pylist(), widths, aligns,
                                                            strict=True)]) + 6
    return round(2 * half), side, round(2 * half) / 2 / per_unit, side / 2 / per_unit, limit


def _chart(datasets: dict[str, pa.Table], options: ViewOptions, subtitle: str | None, *, model_title: str,
           task_title: str, scaling: Scaling, interaction: Interaction | None = None) -> Component:
    """The rings, spokes and labels, then each model's polygon, vertices and missing-vertex marks."""
    plot_width, plot_height, reach_x, reach_y, limit = _layout(datasets[SPOKES], options, subtitle)
    x = {"field": "x", "type": "quantitative", "axis": None,
         "scale": {"domain": [-reach_x, reach_x], "nice": False, "zero": False}}
    y = {**x, "field": "y", "scale": {"domain": [-reach_y, reach_y], "nice": False, "zero": False}}
    vertices = datasets[VERTICES]
    models = list(dict.fromkeys(vertices["model_key"].to_pylist()))
    scheme = next(name for size, name in SCHEMES if len(models) <= size)  # one colour a model: MAX_MODELS at most
    color = {"field": "model_key", "type": "nominal", "scale": {"domain": models, "scheme": scheme},
             "legend": {"title": options.legend_title(model_title), "labelLimit": AXIS_LABEL_LIMIT,
                        "labelExpr": KEY_LABEL} if options.legend_on else None}
    value_title = {"min_max": "Normalised (min-max)", "percentile": "Percentile rank"}.get(scaling.normalization)
    tooltip = (TooltipRow("model", model_title), TooltipRow("task", task_title), TooltipRow("score", "Score"),
               *((TooltipRow("value", value_title, ".3f"),) if value_title else ()), TooltipRow("n", "Rows"),
               TooltipRow("note", "Note"), TooltipRow("link", "Log"))
    shared = {"tooltip": tooltip if options.tip else None,
              "link": "link" if pc.any(pc.starts_with(pc.fill_null(vertices["link"], ""), "http")).as_py()
              else None}
    layers = [*_grid(x, y), *_task_labels(x, y, task_title, limit, tip=options.tip),
              lines("polygons", x=x, y=y, color=color, detail={"field": "mi", "type": "nominal"},
                    order={"field": "place", "type": "quantitative"}, invalid="break-paths-filter-domains",
                    strokeWidth=2),
              points("vertices", x=x, y=y, color=color, filled=True, size=55, opacity=1,
                     where="!datum.closing && datum.raw !== null", **shared),
              points("missing", x={**x, "field": "mx"}, y={**y, "field": "my"}, color=color,
                     shape={"value": MISSING_SHAPE}, filled=False, size=50, strokeWidth=2, opacity=1,
                     where="!datum.closing && datum.raw === null", **shared)]
    chart = LayerChart(tuple(layers), data=VERTICES, width=plot_width, height=plot_height, interaction=interaction,
                       title=title_spec(options.title, subtitle, plot_width + LEGEND_ROOM),
                       properties={"config": {"view": {"stroke": None}}, **options.properties()})
    return Component.from_parts(chart, datasets)


def _grid(x: dict[str, Any], y: dict[str, Any]) -> list[Layer]:
    """The rings (the outer one darker), each ring's value between the first two spokes, and the spokes."""
    return [
        lines("rings", data=RINGS, x=x, y=y, detail={"field": "ring", "type": "nominal"},
              order={"field": "point", "type": "quantitative"},
              color={"condition": {"test": "datum.ring === 1", "value": OUTER_COLOR}, "value": GRID_COLOR},
              strokeWidth=1),
        rules("spokes", data=SPOKES, x={**x, "field": "zero"}, y={**y, "field": "zero"}, x2={"field": "x"},
              y2={"field": "y"}, color={"value": GRID_COLOR}, calculate={"zero": "0"}),
        text("ring_values", data=RINGS, x={**x, "field": "lx"}, y={**y, "field": "ly"},
             text={"field": "score", "format": ".2~f"}, where="datum.point === 0", align="left", baseline="bottom",
             dx=2, dy=-1, fontSize=9, color=TEXT_COLOR),
    ]


def _task_labels(x: dict[str, Any], y: dict[str, Any], task_title: str, limit: int, *, tip: bool) -> list[Layer]:
    """The task labels beyond their spokes' ends: beside a spoke on the left or right, above the top spoke,
    below the bottom one (Vega-Lite takes a text's align and baseline per mark, so one mark per placement)."""
    tooltip = (TooltipRow("task", task_title), TooltipRow("missing", "Models without a score")) if tip else None
    return [text(f"task_labels_{align}_{baseline}", data=SPOKES, x={**x, "field": "lx"}, y={**y, "field": "ly"},
                 text={"field": "task"}, where=f"datum.align === '{align}' && datum.baseline === '{baseline}'",
                 align=align, baseline=baseline, fontSize=LABEL_FONT, limit=limit, color="#333333",
                 tooltip=tooltip)
            for align, baseline in (("left", "middle"), ("right", "middle"), ("center", "bottom"), ("center", "top"))]
