"""What the score charts share: their columns and arguments checked, their query run, and their marks (a bar or
point per score, its interval, a marker for a partly failed score and for an eval without one) with one set of
tooltip rows.

Every mark of a score chart reads one dataset of `query.scores.scores_sql` rows, keyed as the heatmaps key their
cells (unique keys; labels drawn through a lookup, `chart.fitted_labels`); a score, its interval and its
markers share the tooltip rows and the log link.
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
from evalviz.constants.statuses import ERROR, INFINITE, NO_DATA, PARTIAL, SKIPPED
from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.query.scores import ModelOrder, ScoreColumns, interval_columns, scores_sql
from evalviz.rendering.component import Component
from evalviz.rendering.contract import TooltipRow
from evalviz.views.chart import band_labels, fitted_labels, hover_note, title_spec
from evalviz.views.colors import ERROR_COLOR, INFINITE_COLOR, SKIPPED_COLOR
from evalviz.views.formatting import COUNT_FORMAT, count_text
from evalviz.views.grid import check_numeric
from evalviz.views.grid_marks import COLOR_LIMIT
from evalviz.views.interval_checks import check_intervals
from evalviz.views.marks import bars, intervals, points
from evalviz.views.options import ViewOptions
from evalviz.views.roles import TASK, TASK_DISPLAY, EvalRoles
from evalviz.views.score_filters import ScoreLinks
from evalviz.views.score_layout import GROUP_PADDING, MEMBER_PADDING, grouped_layout, title_lines

DATASET = "scores"
DEFAULT_CI = 0.95
SCORE_FORMAT = ".3f"
LARGE_FORMAT = ".4~g"  # scores of a million or more: four significant digits
BAR_COLOR = "#4c78a8"
INTERVAL_COLOR = "#303030"
# The colour schemes of members (models, levels): ten colours, twenty beyond ten; beyond twenty they repeat.
SCHEMES = ((10, "tableau10"), (20, "tableau20"))
# A partly failed score carries a dark triangle at its end; an eval without a score sits at zero as a hollow
# marker (a grey circle without a score, a square when skipped, a diamond when infinite, a dark cross when it
# failed). One legend names them all.
FLAG_SHAPES = {PARTIAL: "triangle-down", NO_DATA: "circle", SKIPPED: "square", INFINITE: "diamond", ERROR: "cross"}
FLAG_STROKES = {PARTIAL: ERROR_COLOR, NO_DATA: "#8c8c8c", SKIPPED: SKIPPED_COLOR, INFINITE: INFINITE_COLOR,
                ERROR: ERROR_COLOR}
UNSCORED = tuple(flag for flag in FLAG_SHAPES if flag != PARTIAL)
FLAGS_TITLE = "Status"
KEYS = ("model", "task", "level")
Mark = Literal["bar", "point"]


@dataclass(frozen=True)
class ScoreTable:
    """The rows a score chart draws (`scores_sql`'s columns) and what the chart reads off them: the keys of
    models, tasks and levels in drawing order with their labels, whether scores are bounded to [0, 1], the
    statuses flagged and the most rows one mark holds."""

    rows: pa.Table
    keys: dict[str, list[str]]
    labels: dict[str, list[str]]
    bounded: bool
    flags: list[str]
    max_rows: int

    @classmethod
    def of(cls, rows: pa.Table) -> ScoreTable:
        keys: dict[str, list[str]] = {}
        labels: dict[str, list[str]] = {}
        for key in KEYS:
            if f"{key}_pos" not in rows.column_names:
                keys[key] = labels[key] = []
                continue
            ordered = sorted(set(zip(rows[f"{key}_pos"].to_pylist(), rows[key].to_pylist(),
                                     rows[f"{key}_label"].to_pylist(), strict=True)))
            keys[key], labels[key] = [k for _, k, _ in ordered], [label for _, _, label in ordered]
        present = set(rows["status"].to_pylist())
        bounded = rows.num_rows > 0 and bool(rows["bounded"][0].as_py())
        return cls(rows=rows.drop_columns(["bounded"]), keys=keys, labels=labels, bounded=bounded,
                   flags=[flag for flag in FLAG_SHAPES if flag in present],
                   max_rows=int(pc.max(rows["n"]).as_py() or 0))

    @property
    def models(self) -> list[str]:
        """The models' keys, in drawing order."""
        return self.keys["model"]

    @property
    def tasks(self) -> list[str]:
        """The tasks' keys, in drawing order."""
        return self.keys["task"]

    def relabelled(self, key: str) -> dict[str, str]:
        """The keys of "model", "task" or "level" that are not their own label, with their labels."""
        return {k: label for k, label in zip(self.keys[key], self.labels[key], strict=True) if k != label}

    def by_label(self, key: str) -> list[str]:
        """The keys ordered by their labels: a colour domain that gives a model the same colour in every chart
        of the same models, however each sorts them."""
        return [k for _, k in sorted(zip(self.labels[key], self.keys[key], strict=True))]

    def where(self, key: str, value: str) -> pa.Table:
        """The rows of one task (or model, or level), by its key."""
        return self.rows.filter(pc.equal(self.rows[key], value))

    @property
    def score_format(self) -> str:
        """The d3 format of the scores: three decimals, or four significant digits for large ones."""
        largest = max((abs(v) for v in pc.min_max(self.rows["value"]).as_py().values() if v is not None),
                      default=0.0)
        return SCORE_FORMAT if largest < 1e6 else LARGE_FORMAT


def checked_ci(ci: object) -> float:
    """The confidence level `ci` as a float, after checking 0 < ci < 1 (any real number: 0.95, Fraction(9, 10)).

    Example:
        >>> from fractions import Fraction
        >>> checked_ci(Fraction(9, 10))
        0.9
    """
    if (isinstance(ci, bool) or not isinstance(ci, numbers.Real) or not math.isfinite(ci)
            or not 0 < ci < 1):
        raise EvalvizError(f"ci is a confidence level between 0 and 1 (0.95 for a 95% interval), not {ci!r}.")
    return float(ci)


def normal_z(ci: float) -> float:
    """The z of a two-sided normal interval at confidence `ci`.

    Example:
        >>> round(normal_z(0.95), 3)
        1.96
    """
    upper = 0.5 + ci / 2
    return NormalDist().inv_cdf(upper) if upper < 1 else -NormalDist().inv_cdf((1 - ci) / 2)  # ci within 1e-16 of 1


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
        reason=roles.reason, completed=roles.completed, total=roles.total, scorer=roles.scorer,
        score_name=roles.score_name, metric=roles.metric,
    )
    data.require_columns(columns.model, columns.model_group, columns.task, columns.task_group, columns.factor,
                         columns.value, columns.stderr, columns.low, columns.high, columns.link, columns.status,
                         columns.reason, columns.completed, columns.total, purpose=view)
    data.require_rows()
    check_numeric(data, columns.value)
    for role in ("stderr", "low", "high"):
        if getattr(columns, role) is not None:
            check_numeric(data, getattr(columns, role), role)
    return columns


def interval_source(columns: ScoreColumns, ci: float) -> str:
    """What the intervals are: "95% CI from stderr", or "interval from low/high" (given as they are: a `ci`
    other than the default does not apply to them, and the source says so)."""
    if columns.low and columns.high:
        ignored = f"; ci={ci:g} does not apply to given intervals" if ci != DEFAULT_CI else ""
        return f"interval from {columns.low}/{columns.high}{ignored}"
    return f"{ci * 100:g}% CI from stderr"


def score_table(data: Data, columns: ScoreColumns, *, ci: float, view: str, order: ModelOrder | None = None,
                level_labels: dict[str | None, str] | None = None) -> ScoreTable:
    """The scores to draw, aggregated in DuckDB (`query.scores.scores_sql`), after checking their intervals."""
    check_intervals(data, interval_columns(columns), view, ("model", "task" if columns.task else None))
    sql = scores_sql(columns, z=normal_z(ci), interval_source=interval_source(columns, ci),
                     order=order or ModelOrder(), level_labels=level_labels)
    return ScoreTable.of(data.run(sql))


def notes(table: ScoreTable, mark: Mark, columns: ScoreColumns, ci: float, *, tip: bool) -> list[str]:
    """What the subtitle says about the marks: that they average several rows (and what hovering shows, with
    tooltips), that `ci` does not apply to intervals given as low/high."""
    said = []
    if columns.factor and columns.task:
        said.append(hover_note(f"Each {mark} is the mean of its tasks' scores (the runs of a task averaged first)",
                               "hover it for its tasks", tip=tip))
    elif table.max_rows > 1:
        said.append(hover_note(f"Each {mark} shows the mean of its rows (up to {count_text(table.max_rows)})",
                               "hover it for the row count", tip=tip))
    if columns.low and columns.high and ci != DEFAULT_CI:
        said.append(f"Intervals are given ({columns.low}/{columns.high}): ci={ci:g} does not apply to them.")
    return said


def subtitle_text(options: ViewOptions, said: list[str]) -> str | None:
    """The subtitle: the one given, else the notes (None without any)."""
    return options.subtitle if options.subtitle is not None else (" ".join(said) or None)


def tooltip_rows(roles: EvalRoles, *, task: bool, tasks: bool = False, level: str | None = None,
                 score_format: str = SCORE_FORMAT) -> tuple[TooltipRow, ...]:
    """The rows every mark of a score chart shows on hover (rows without a value are left out)."""
    rows = [TooltipRow("model_label", roles.model.title)]
    if task:
        rows.append(TooltipRow("tasks", "Tasks") if tasks else TooltipRow("task_label", roles.task.title))
    if level is not None:
        rows.append(TooltipRow("level_label", level))
    rows += [TooltipRow("value", "Score", score_format), TooltipRow("interval", "Interval"),
             TooltipRow("n", "Rows", COUNT_FORMAT), TooltipRow("scorer", "Scorer"), TooltipRow("note", "Status"),
             TooltipRow("link", "Log" if roles.link == "log_viewer" else roles.link or "Link")]
    return tuple(rows)


def score_layers(table: ScoreTable, *, mark: Mark, band: dict[str, Any], value_axis: Literal["x", "y"],
                 color: dict[str, Any] | None, tooltip: tuple[TooltipRow, ...] | None, legend: bool,
                 domain: list[float] | None = None) -> list[Layer]:
    """The marks of a score chart: a bar (or point) per score with its interval as a rule, a dark triangle at
    the end of each partly failed score, and a hollow marker at zero for each eval without a score. `band`
    places a mark on the other axis (x and xOffset, or y); the score axis spans `domain` (else `value_domain`)."""
    ends = ("x", "x2") if value_axis == "x" else ("y", "y2")
    value = {"field": "value", "type": "quantitative", "title": "Score",
             "scale": {"domain": domain or value_domain(table), "clamp": True}}
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
    """The markers of flagged marks, with one legend: a partly failed score's triangle at its value, and an
    eval without a score at zero (a hollow circle, square, diamond or cross by its status)."""
    legend_spec = {"title": FLAGS_TITLE} if legend else None
    status = {"field": "status", "type": "nominal", "title": FLAGS_TITLE, "legend": legend_spec}
    at_zero = " || ".join(f"datum.status === {json.dumps(flag)}" for flag in UNSCORED)
    return points(
        "flags", where=" || ".join(f"datum.status === {json.dumps(flag)}" for flag in flags),
        calculate={"at": f"({at_zero}) ? 0 : datum.value"},
        **{axis: {**{k: v for k, v in value.items() if k != "field"}, "field": "at"}},
        shape={**status, "scale": {"domain": flags, "range": [FLAG_SHAPES[f] for f in flags]}},
        stroke={**status, "scale": {"domain": flags, "range": [FLAG_STROKES[f] for f in flags]}},
        filled=False, size=80, strokeWidth=2, **shared,
    )


def band_axis(field: str, keys: list[str], title: str | None, *, relabelled: dict[str, str] | None = None,
              angle: float = 0, labels_shown: bool = True, offset: bool = False,
              padding: float = GROUP_PADDING, follow: bool = False) -> dict[str, Any]:
    """A nominal channel placing marks in bands by their keys, in the order of `keys` (an xOffset when
    `offset`), `padding` of each band left free between bands; the axis draws each key's label. An axis that
    `follow`s filters takes the keys of the marks drawn, in order of their `<field>_pos`: keys filtered out
    leave no band."""
    order: dict[str, Any] = {"sort": {"field": f"{field}_pos", "op": "min"}, "scale": {"paddingInner": padding}} \
        if follow else {"sort": keys, "scale": {"domain": keys, "paddingInner": padding}}
    channel: dict[str, Any] = {"field": field, "type": "nominal", "title": title, **order}
    if offset:
        return channel
    labels = {key: (relabelled or {}).get(key, key) for key in keys}
    channel["axis"] = ({**band_labels(angle), **fitted_labels(labels)} if labels_shown
                       else {"labels": False, "ticks": False, "title": None})
    return channel


def color_channel(table: ScoreTable, key: str, options: ViewOptions, title: str, columns: int,
                  entries: int) -> dict[str, Any]:
    """Colour by `key` (each model, each level): models by their labels' order, so that a model keeps its colour
    across charts of the same models; a legend of `entries` entries (every one, when they fit) in `columns`
    columns titled `title` unless legends are off."""
    domain = table.by_label(key) if key == "model" else table.keys[key]
    scheme = next((name for size, name in SCHEMES if len(domain) <= size), SCHEMES[-1][1])
    legend = {"title": options.legend_title(title), "symbolLimit": entries, "columns": columns,
              **fitted_labels(dict(zip(table.keys[key], table.labels[key], strict=True)))} \
        if options.legend_on else None
    return {"field": key, "type": "nominal", "scale": {"domain": domain, "scheme": scheme}, "legend": legend}


def colour_note(table: ScoreTable, key: str, noun: str) -> list[str]:
    """A subtitle note when members outnumber the colours (their colours repeat)."""
    count = len(table.keys[key])
    if count <= SCHEMES[-1][0]:
        return []
    return [f"{count_text(count)} {noun} share {SCHEMES[-1][0]} colours (they repeat): see them all in "
            "scores_heatmap."]


def value_domain(table: ScoreTable, *also: float) -> list[float]:
    """The score axis's span: [0, 1] for bounded scores, else from zero (bars start there) to every score, end
    of an interval and value in `also`, within ±COLOR_LIMIT so that a browser's scale arithmetic stays finite."""
    if table.bounded:
        return [0.0, 1.0]
    ends = [0.0, *also]
    for name in ("value", "low", "high"):
        extremes = pc.min_max(table.rows[name]).as_py()
        ends += [v for v in extremes.values() if v is not None]
    low, high = (max(-COLOR_LIMIT, min(COLOR_LIMIT, end)) for end in (min(ends), max(ends)))
    return [low, high if high > low else low + 1.0]


def grouped_chart(table: ScoreTable, options: ViewOptions, *, mark: Mark, group: tuple[str, str],
                  member: tuple[str, str], tooltip: tuple[TooltipRow, ...], said: list[str],
                  links: ScoreLinks | None = None) -> Component:
    """A chart of scores in groups along x (tasks, or models), one mark per member of a group side by side
    (models, or levels), coloured by member. `group` and `member` are (key, title); `said` the subtitle's notes
    so far; `links` its selections (`score_filters`)."""
    (group_key, group_title), (member_key, member_title) = group, member
    said = said + colour_note(table, member_key, "models" if member_key == "model" else "levels")
    width = options.sized(0, 0)[0] or 700
    lines = title_lines(options.title, subtitle_text(options, said), width)
    layout = grouped_layout(table.labels[group_key], table.labels[member_key], options, flags=bool(table.flags),
                            title_lines=lines + 1)
    said += list(layout.notes)
    follow = links is not None and links.follows
    band = {"x": band_axis(group_key, table.keys[group_key], group_title, relabelled=table.relabelled(group_key),
                           angle=layout.angle, follow=follow),
            "xOffset": band_axis(member_key, table.keys[member_key], member_title, offset=True,
                                 padding=MEMBER_PADDING, follow=follow)}
    layers = score_layers(table, mark=mark, band=band, value_axis="y",
                          color=color_channel(table, member_key, options, member_title, layout.legend_columns,
                                                layout.legend_entries),
                          tooltip=tooltip if options.tip else None, legend=options.legend_on)
    chart = LayerChart(tuple(layers), data=DATASET, width=layout.width, height=layout.height, fit=True,
                       title=title_spec(options.title, subtitle_text(options, said), layout.width),
                       properties=options.properties(),
                       interaction=links.interaction(legend=member_key in ("model", "level"),
                                                                 series=member_key) if links else None)
    return Component.from_parts(chart, {DATASET: table.rows})
