"""What the score charts share: their columns and arguments checked, their query run, and their marks (a bar or
point per score, its interval, the evals without a score) with one set of tooltip rows.

Every mark of a score chart reads one dataset of `query.scores.scores_sql` rows; a score, its interval and a
marker for an eval without a score share the tooltip rows and the log link.
"""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.charts import Layer, LayerChart
from evalviz.constants.statuses import ERROR, NO_DATA
from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.query.scores import ModelOrder, ScoreColumns, scores_sql
from evalviz.rendering.component import Component
from evalviz.rendering.contract import TooltipRow
from evalviz.views.chart import AXIS_LABEL_LIMIT, text_width, title_spec
from evalviz.views.colors import ERROR_COLOR
from evalviz.views.formatting import COUNT_FORMAT, count_text
from evalviz.views.grid import check_numeric
from evalviz.views.marks import bars, intervals, points
from evalviz.views.options import ViewOptions
from evalviz.views.roles import TASK, TASK_DISPLAY, EvalRoles

DATASET = "scores"
DEFAULT_SIZE = (700, 400)
SIDE_ROOM = 180  # pixels of a chart's width that its score axis and legends take, about
SLANT = -40  # degrees band labels slant by when they do not fit level
SCORE_FORMAT = ".3f"
BAR_COLOR = "#4c78a8"
INTERVAL_COLOR = "#303030"
# An eval without a score sits at zero as a hollow marker: a grey circle when it has none, a dark cross when it
# failed; the legend names both.
FLAG_SHAPES = {NO_DATA: "circle", ERROR: "cross"}
FLAG_STROKES = {NO_DATA: "#8c8c8c", ERROR: ERROR_COLOR}
FLAGS_TITLE = "Not scored"
Mark = Literal["bar", "point"]


@dataclass(frozen=True)
class ScoreTable:
    """The rows a score chart draws (`scores_sql`'s columns) and what the chart reads off them: the labels of
    models, tasks and levels in drawing order, whether scores are bounded to [0, 1], the flags present and the
    most rows one mark holds."""

    rows: pa.Table
    models: list[str]
    tasks: list[str]
    levels: list[str]
    bounded: bool
    flags: list[str]
    max_rows: int

    @classmethod
    def of(cls, rows: pa.Table) -> ScoreTable:
        def ordered(key: str) -> list[str]:
            if rows.num_rows == 0 or rows[key].null_count == rows.num_rows:
                return []
            pairs = sorted(set(zip(rows[f"{key}_pos"].to_pylist(), rows[key].to_pylist(), strict=True)))
            return [label for _, label in pairs]

        present = set(rows["status"].to_pylist())
        bounded = rows.num_rows > 0 and bool(rows["bounded"][0].as_py())
        return cls(rows=rows.drop_columns(["bounded"]), models=ordered("model"),
                   tasks=ordered("task") if "task_pos" in rows.column_names else [],
                   levels=ordered("level") if "level_pos" in rows.column_names else [], bounded=bounded,
                   flags=[flag for flag in FLAG_SHAPES if flag in present],
                   max_rows=int(pc.max(rows["n"]).as_py() or 0))

    def labels(self, key: str) -> list[str]:
        """The labels of "model", "task" or "level", in drawing order."""
        return {"model": self.models, "task": self.tasks, "level": self.levels}[key]

    def where(self, key: str, label: str) -> pa.Table:
        """The rows of one task (or model, or level)."""
        return self.rows.filter(pc.equal(self.rows[key], label))


def checked_ci(ci: object) -> float:
    """The z of a normal interval at confidence `ci` (0.95 -> 1.96), after checking 0 < ci < 1.

    Example:
        >>> round(checked_ci(0.95), 3)
        1.96
    """
    if (isinstance(ci, bool) or not isinstance(ci, numbers.Real) or not math.isfinite(ci)
            or not 0 < ci < 1):
        raise EvalvizError(f"ci is a confidence level between 0 and 1 (0.95 for a 95% interval), not {ci!r}.")
    return NormalDist().inv_cdf(0.5 + float(ci) / 2)


def checked_mark(mark: object) -> Mark:
    """`mark` after checking it is "bar" or "point"."""
    if mark not in ("bar", "point"):
        raise EvalvizError(f"mark is 'bar' (bars with interval rules) or 'point' (points with interval rules), "
                           f"not {mark!r}.")
    return mark  # type: ignore[return-value]


def has_task(data: Data, task_name: str) -> bool:
    """Whether a view that can do without tasks has them: a task column the caller names must exist; left at
    its default, inspect_ai's task columns are used when present."""
    return task_name != TASK_DISPLAY or TASK_DISPLAY in data.columns or TASK in data.columns


def score_columns(data: Data, roles: EvalRoles, *, task: bool, by_task: bool, factor: str | None = None,
                  view: str) -> ScoreColumns:
    """The columns `roles` name, after checking that they exist and that scores and their intervals are numbers.

    Raises:
        MissingColumnError: a column the table lacks, naming the columns it has.
        ColumnTypeError: scores (or stderr, low, high) that are not numbers.
    """
    columns = ScoreColumns(
        model=roles.model.column, model_group=roles.model.group, value=roles.value,
        task=roles.task.column if task else None, task_group=roles.task.group if task else None, by_task=by_task,
        factor=factor, stderr=roles.stderr, low=roles.low, high=roles.high, link=roles.link, status=roles.status,
        reason=roles.reason, scorer=roles.scorer, score_name=roles.score_name, metric=roles.metric,
    )
    data.require_columns(columns.model, columns.model_group, columns.task, columns.task_group, columns.factor,
                         columns.value, columns.stderr, columns.low, columns.high, columns.link, columns.status,
                         columns.reason, purpose=view)
    data.require_rows()
    check_numeric(data, columns.value)
    for role in ("stderr", "low", "high"):
        if getattr(columns, role) is not None:
            check_numeric(data, getattr(columns, role), role)
    return columns


def interval_source(columns: ScoreColumns, ci: float) -> str:
    """What the intervals are: "95% CI from stderr", or "interval from low/high"."""
    if columns.low and columns.high:
        return f"interval from {columns.low}/{columns.high}"
    return f"{ci * 100:g}% CI from stderr"


def score_table(data: Data, columns: ScoreColumns, *, ci: float, order: ModelOrder | None = None,
                level_labels: dict[str | None, str] | None = None) -> ScoreTable:
    """The scores to draw, aggregated in DuckDB (`query.scores.scores_sql`)."""
    sql = scores_sql(columns, z=checked_ci(ci), interval_source=interval_source(columns, ci),
                     order=order or ModelOrder(),
                     level_labels=level_labels)
    return ScoreTable.of(data.sql(sql))


def aggregation_note(table: ScoreTable, mark: Mark) -> str | None:
    """A subtitle saying that marks hold several rows, when some do."""
    if table.max_rows <= 1:
        return None
    return (f"Each {mark} shows the mean of its rows (up to {count_text(table.max_rows)}); hover it for the "
            "row count.")


def tooltip_rows(roles: EvalRoles, *, task: bool, tasks: bool = False,
                 level: str | None = None) -> tuple[TooltipRow, ...]:
    """The rows every mark of a score chart shows on hover (rows without a value are left out)."""
    rows = [TooltipRow("model", roles.model.title)]
    if task:
        rows.append(TooltipRow("tasks", "Tasks") if tasks else TooltipRow("task", roles.task.title))
    if level is not None:
        rows.append(TooltipRow("level", level))
    rows += [TooltipRow("value", "Score", SCORE_FORMAT), TooltipRow("interval", "Interval"),
             TooltipRow("n", "Rows", COUNT_FORMAT), TooltipRow("scorer", "Scorer"), TooltipRow("note", "Status"),
             TooltipRow("link", "Log" if roles.link == "log_viewer" else roles.link or "Link")]
    return tuple(rows)


def score_layers(table: ScoreTable, *, mark: Mark, band: dict[str, Any], value_axis: Literal["x", "y"],
                 color: dict[str, Any] | None, tooltip: tuple[TooltipRow, ...] | None, legend: bool,
                 domain: list[float] | None = None) -> list[Layer]:
    """The marks of a score chart: a bar (or point) per score with its interval as a rule, and a hollow marker
    at zero for each eval without a score. `band` places a mark on the other axis (x and xOffset, or y); the
    score axis spans `domain`, or [0, 1] for bounded scores, or the data."""
    ends = ("x", "x2") if value_axis == "x" else ("y", "y2")
    domain = domain or ([0, 1] if table.bounded else None)
    scale = {"domain": domain} if domain else {}
    value = {"field": "value", "type": "quantitative", "title": "Score", "scale": scale}
    shared = {"tooltip": tooltip, "link": "link", **band}
    fill = color or {"value": BAR_COLOR}
    drawn = "datum.value !== null"
    score = (bars("scores", where=drawn, **{value_axis: value}, color=fill, **shared) if mark == "bar" else
             points("scores", where=drawn, **{value_axis: value}, color=fill, filled=True, size=70, opacity=1,
                    **shared))
    interval = intervals("intervals", where="datum.low !== null", **{ends[0]: {**value, "field": "low"}},
                         **{ends[1]: {"field": "high"}}, color={"value": INTERVAL_COLOR}, strokeWidth=1.5, **shared)
    layers = [score, interval] if mark == "bar" else [interval, score]  # a point sits on its interval
    if table.flags:
        layers.append(flag_layer(table.flags, ends[0], value, shared, legend))
    return layers


def flag_layer(flags: list[str], axis: str, value: dict[str, Any], shared: dict[str, Any], legend: bool) -> Layer:
    """Evals without a score, at zero: a hollow circle when they have none, a cross when they failed."""
    legend_spec = {"title": FLAGS_TITLE} if legend else None
    status = {"field": "status", "type": "nominal", "title": FLAGS_TITLE, "legend": legend_spec}
    return points(
        "unscored", where=" || ".join(f"datum.status === {json.dumps(flag)}" for flag in flags),
        **{axis: {**{k: v for k, v in value.items() if k != "field"}, "datum": 0}},
        shape={**status, "scale": {"domain": flags, "range": [FLAG_SHAPES[f] for f in flags]}},
        stroke={**status, "scale": {"domain": flags, "range": [FLAG_STROKES[f] for f in flags]}},
        filled=False, size=80, strokeWidth=2, **shared,
    )


def band_axis(field: str, labels: list[str], title: str, *, angle: float = 0, labels_shown: bool = True,
              offset: bool = False, padding: float = 0.2) -> dict[str, Any]:
    """A nominal channel placing marks in bands, in the order of `labels` (an xOffset when `offset`), `padding`
    of each band left free between bands."""
    channel: dict[str, Any] = {"field": field, "type": "nominal", "sort": labels, "title": title,
                               "scale": {"paddingInner": padding}}
    if offset:
        return channel
    channel["axis"] = ({"labelLimit": AXIS_LABEL_LIMIT, "labelAngle": angle} if labels_shown
                       else {"labels": False, "ticks": False, "title": None})
    return channel


def color_channel(field: str, labels: list[str], options: ViewOptions, title: str) -> dict[str, Any]:
    """Colour by `field` (each model, each level), with its legend titled `title` unless legends are off."""
    legend = {"title": options.legend_title(title), "labelLimit": AXIS_LABEL_LIMIT} if options.legend_on else None
    return {"field": field, "type": "nominal", "sort": labels, "scale": {"domain": labels}, "legend": legend}


def value_domain(table: ScoreTable, *also: float) -> list[float]:
    """The score axis's span: [0, 1] for bounded scores, else from zero (bars start there) to every score, end
    of an interval and value in `also`."""
    if table.bounded:
        return [0.0, 1.0]
    ends = [0.0, *also]
    for name in ("value", "low", "high"):
        extremes = pc.min_max(table.rows[name]).as_py()
        ends += [v for v in extremes.values() if v is not None]
    return [min(ends), max(ends)]


def grouped_chart(table: ScoreTable, options: ViewOptions, *, mark: Mark, group: tuple[str, str],
                  member: tuple[str, str], tooltip: tuple[TooltipRow, ...]) -> Component:
    """A chart of scores in groups along x (tasks, or models), one mark per member of a group side by side
    (models, or levels), coloured by member. `group` and `member` are (key, title)."""
    width, height = options.sized(*DEFAULT_SIZE)
    (group_key, group_title), (member_key, member_title) = group, member
    groups, members = table.labels(group_key), table.labels(member_key)
    room = (width - SIDE_ROOM) / max(len(groups), 1)
    angle = 0 if text_width(groups) <= room - 6 else SLANT
    band = {"x": band_axis(group_key, groups, group_title, angle=angle),
            "xOffset": band_axis(member_key, members, member_title, offset=True, padding=0.05)}
    layers = score_layers(table, mark=mark, band=band, value_axis="y",
                          color=color_channel(member_key, members, options, member_title),
                          tooltip=tooltip if options.tip else None, legend=options.legend_on)
    subtitle = options.subtitle if options.subtitle is not None else aggregation_note(table, mark)
    chart = LayerChart(tuple(layers), data=DATASET, width=width, height=height, fit=True,
                       title=title_spec(options.title, subtitle, width), properties=options.properties())
    return Component.from_parts(chart, {DATASET: table.rows})
