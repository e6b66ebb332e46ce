"""`scores_timeline`: scores against model release date, one panel per task, with each task's frontier."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.charts import ConcatChart, Interaction, Layer, LayerChart
from evalviz.data.table import Data
from evalviz.errors import ArgumentTypeError, ColumnTypeError, EvalvizError
from evalviz.query.timeline import TimelineColumns, left_out_sql, timeline_sql, unreadable_date_sql
from evalviz.rendering.component import Component
from evalviz.rendering.contract import TooltipRow
from evalviz.views.chart import fitted_labels, panel_title, panel_width, title_spec
from evalviz.views.font_metrics import BOLD_WIDENING, drawn_width
from evalviz.views.formatting import COUNT_FORMAT, count_text
from evalviz.views.grid_layout import LEGEND_TITLE_FONT_SIZE
from evalviz.views.interval_checks import check_intervals
from evalviz.views.linking import Linking
from evalviz.views.marks import intervals, lines, points
from evalviz.views.options import NOT_GIVEN, Legend, ViewOptions, checks_arguments
from evalviz.views.roles import HEADLINE, HEADLINE_STDERR, LOG_VIEWER, MODEL_DISPLAY, TASK_DISPLAY, eval_roles
from evalviz.views.score_filters import ScoreLinks, score_links
from evalviz.views.score_layout import legend_width
from evalviz.views.score_marks import (
    INTERVAL_COLOR,
    SCORE_FORMAT,
    checked_ci,
    interval_columns,
    interval_source,
    normal_z,
    score_columns,
)

if TYPE_CHECKING:
    from evalviz.interaction.selection import Selection

DATASET = "timeline"
PER_ROW = 3  # panels side by side before the next row
PANEL_SIZE = (320, 240)  # pixels: each panel's plot by default (narrower when a row would not fit a page)
SCORE_AXIS_ROOM = 50  # pixels of width a panel's score axis takes (labels, ticks, title)
LEGEND_OFFSET = 18  # pixels between the last panel and the legend: Vega's default
FRONTIER_COLOR = "#303030"
# Every panel draws dates, scores and organisations on the same scales, with one legend.
SHARED = {"scale": {"x": "shared", "y": "shared", "color": "shared"}, "legend": {"color": "shared"}}


@checks_arguments()
def scores_timeline(
    data: Data,
    model_name: str = MODEL_DISPLAY,
    task_name: str = TASK_DISPLAY,
    model_organization: str | None = "model_organization_name",
    model_release_date: str = "model_release_date",
    score_value: str = HEADLINE,
    score_stderr: str | None = HEADLINE_STDERR,
    ci: float = 0.95,
    *,
    low: str | None = "low",
    high: str | None = "high",
    link: str | None = LOG_VIEWER,
    status: str | None = "status",
    frontier: bool = True,
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
    """Scores against model release date: one panel per task, a point per model coloured by organisation with its
    interval, and the task's frontier (the best score released so far) as a step line.

    Several rows of one (model, task) are averaged in DuckDB, their interval the standard error of the mean at
    `ci` (or `low`/`high` as given, for one row), clamped to [0, 1] when every score lies there. Models without a
    release date, and evals without a score, are not drawn: the subtitle says how many (and names the models).
    Hover a point for model, organisation, release date, task, score, interval, rows, status and log; click it to
    open the log (http(s) links only). `ev.prepare(evals, ev.model_info())` adds release dates and organisations.

    Args:
        data: An evals table (inspect_ai's `evals_df`), with release dates.
        model_name, task_name: Columns of models and tasks (falling back to `model` and `task_name`).
        model_organization: Column of the models' organisations (None, or absent at its default: colour by model).
        model_release_date: Column of the models' release dates (dates, timestamps or ISO text).
        score_value, score_stderr: Columns of scores and their standard errors (None: no interval from stderr).
        ci: Confidence level of intervals from standard errors, between 0 and 1.
        low, high: Columns of interval ends (used when present; a name other than the default must exist).
        link, status: Columns of log links and eval statuses (used when present).
        frontier: Draw each task's frontier.
        title, subtitle, width, height, legend, tip, **attributes: As every view (`ViewOptions`); width and height
            are each panel's (320 x 240 by default, narrower when a row of panels and the legend would be wider
            than a page shows); what is left out is said after a given subtitle.
        filter_by: A Selection whose clauses filter the points. A point is one (model, task): a filter on the
            model, the task, the organisation or another column with one value per point keeps or drops whole
            points exactly, and each task's frontier is drawn again over the points kept (the best score
            released so far among them, as DuckDB computes it over the filtered rows), on a standalone page as
            in the live widget. A filter on a column varying within a point (its runs) is named on the page as
            needing the live widget. A task whose points are all filtered out keeps its (empty) panel.
        target: A Selection a click on a point (or its interval) publishes into: its model and task; a click on
            an organisation in the legend publishes the organisation (shift-click adds, a click on it again or
            on empty space clears).
        highlight: Fade the points the selections leave out instead of removing them (the frontier stays
            that of every point).

    Raises:
        EvalvizError: a release date that is not a date, a negative stderr, a low end above its high end, or no
            model with both a date and a score.

    Example:
        >>> import evalviz as ev
        >>> chart = ev.scores_timeline(ev.Data.from_file("examples/data/evals.parquet"), title="Frontier")
    """
    options = ViewOptions(title, subtitle, width, height, legend, tip, attributes)
    ci = checked_ci(ci)
    if not isinstance(frontier, bool):
        raise ArgumentTypeError(f"frontier is True or False, not {frontier!r}.")
    roles = eval_roles(data, model_name=model_name, task_name=task_name, score_value=score_value,
                       score_stderr=score_stderr, low=low, high=high, link=link, status=status, error_message=None,
                       completed_samples=None, total_samples=None)
    scores = score_columns(data, roles, task=True, by_task=True, view="scores_timeline")
    organization = _organization(data, model_organization)
    data.require_columns(model_release_date, organization, purpose="scores_timeline")
    linking = Linking.of(filter_by, target, highlight)
    links = score_links(data, scores, linking)
    columns = TimelineColumns(links.columns if links else scores, released=model_release_date,
                              organization=organization)
    _check_dates(data, columns.released)
    check_intervals(data, interval_columns(columns.scores), "scores_timeline", ("model", "task"))
    rows = data.run(timeline_sql(columns, z=normal_z(ci), interval_source=interval_source(columns.scores, ci)))
    left_out = data.run(left_out_sql(columns)).to_pylist()[0]
    if rows.num_rows == 0:
        raise EvalvizError(f"scores_timeline draws models with a release date ({columns.released!r}) and a score; "
                           "none has both. Add release dates with ev.prepare(evals, ev.model_info()).")
    said = _notes(left_out)
    text = " ".join([options.subtitle, *said] if options.subtitle is not None else said) or None
    interaction = _interaction(links, columns, frontier=frontier) if links else None
    return _chart(rows, columns, roles.model.title, roles.task.title, options, text, frontier=frontier,
                  interaction=interaction)


def _interaction(links: ScoreLinks, columns: TimelineColumns, *, frontier: bool) -> Interaction | None:
    """The timeline's Interaction: filtered over the points' keys and shipped columns, its frontiers drawn
    again over the points kept; clicks publish a point's model and task, legend clicks its organisation."""
    linking = links.linking
    keys = {name: column for column, name in links._keys().items()}  # noqa: SLF001 - the score charts' keys
    legend = None
    if columns.organization is not None:
        linking.publishes(columns.organization)
        legend = ("points", "organization", {"org_v": columns.organization})
    fields = {**links.fields, **({columns.organization: "org_v"} if columns.organization else {})}
    unanswered = {c: why for c, why in links.unanswered.items() if c not in fields}
    redrawn = linking.filter_by is not None and not linking.highlight and frontier
    then = ({"window": [{"op": "max", "field": "value", "as": "frontier"}], "sort": [{"field": "date"}],
             "groupby": ["task"], "frame": [None, 0]},) if redrawn else ()
    return linking.interaction(fields=fields, unanswered=unanswered, click=("points", "intervals"),
                               click_fields=keys, legend=legend, then=then)


def _organization(data: Data, column: str | None) -> str | None:
    """The organisation column: the one named, or None when absent at its default."""
    if column == "model_organization_name" and column not in data.columns:
        return None
    return column


def _check_dates(data: Data, released: str) -> None:
    """Refuse release dates that are not dates, naming one."""
    bad = data.run(unreadable_date_sql(released)).to_pylist()
    if bad:
        raise ColumnTypeError(f"scores_timeline reads release dates from {released!r}, but {bad[0]['v']!r} is not a "
                              "date: give dates, timestamps or ISO text (2025-04-15), or name another column with "
                              "model_release_date=.")


def _notes(left_out: dict[str, Any]) -> list[str]:
    """What the subtitle says is not drawn: models without a release date (naming up to three), evals without
    a score."""
    said = []
    undated = int(left_out["undated"])
    if undated:
        more = ", ..." if undated > 3 else ""
        said.append(f"{count_text(undated)} model{'s' if undated > 1 else ''} left out for lack of a release date "
                    f"({left_out['names']}{more}).")
    unscored = int(left_out["unscored"])
    if unscored:
        said.append(f"{count_text(unscored)} eval{'s' if unscored > 1 else ''} without a score not drawn.")
    return said


def _chart(rows: pa.Table, columns: TimelineColumns, model_title: str, task_title: str, options: ViewOptions,
           subtitle: str | None, *, frontier: bool, interaction: Interaction | None) -> Component:
    """One panel per task (PER_ROW to a row), sharing the colour scale and its legend."""
    tasks = list(dict.fromkeys(rows["task"].to_pylist()))
    width, height = _panel_size(rows, columns, model_title, options, min(len(tasks), PER_ROW))
    layers = _layers(rows, columns, model_title, task_title, options, frontier=frontier)
    # One Interaction for every panel (one client); only the first publishes the shared legend's clicks.
    panels = [LayerChart(layers, data=DATASET, width=width, height=height,
                         title=panel_title([task], width + SCORE_AXIS_ROOM),  # it starts left of the score axis
                         interaction=_without_legend(interaction) if i else interaction)
              for i, task in enumerate(tasks)]
    grid = [ConcatChart("hconcat", tuple(panels[i:i + PER_ROW]), properties={"resolve": SHARED})
            for i in range(0, len(panels), PER_ROW)]
    title = title_spec(options.title, subtitle, width * min(len(tasks), PER_ROW))
    chart = ConcatChart("vconcat", tuple(grid), properties={"resolve": SHARED, **({"title": title} if title else {}),
                                                            **options.properties()})
    datasets = {f"c{i // PER_ROW}_c{i % PER_ROW}_{DATASET}": rows.filter(pc.equal(rows["task"], task))
                for i, task in enumerate(tasks)}
    return Component.from_parts(chart, datasets)


def _panel_size(rows: pa.Table, columns: TimelineColumns, model_title: str, options: ViewOptions,
                per_row: int) -> tuple[int, int]:
    """Each panel's plot (width, height): as given, else PANEL_SIZE, narrower when `per_row` panels side by side,
    with their score axes and the colour legend, would be wider than a page shows (`panel_width`)."""
    by = "organization" if columns.organization else "model"
    entries = [str(v) for v in pc.unique(rows[by]).to_pylist() if v is not None]
    title = options.legend_title("Organisation" if columns.organization else model_title)
    legend = LEGEND_OFFSET + max(legend_width(entries, 1), drawn_width(title, LEGEND_TITLE_FONT_SIZE) * BOLD_WIDENING)
    default = panel_width(PANEL_SIZE[0], per_row, beside=SCORE_AXIS_ROOM, side=legend if options.legend_on else 0)
    return options.sized(default, PANEL_SIZE[1])


def _without_legend(interaction: Interaction | None) -> Interaction | None:
    """`interaction` without its legend's publisher."""
    if interaction is None:
        return None
    return dataclasses.replace(interaction, publish=tuple(p for p in interaction.publish if p.how != "legend"))


def _layers(rows: pa.Table, columns: TimelineColumns, model_title: str, task_title: str, options: ViewOptions, *,
            frontier: bool) -> tuple[Layer, ...]:
    """A panel's marks: the frontier's steps, each point's interval, and the points."""
    bounded = bool(pc.all(pc.and_(pc.greater_equal(rows["value"], 0), pc.less_equal(rows["value"], 1))).as_py())
    x = {"field": "date", "type": "temporal", "title": "Release date", "scale": {"type": "utc", "padding": 12},
         "axis": {"format": "%b %Y", "labelOverlap": True}}
    y = {"field": "value", "type": "quantitative", "title": "Score",
         **({"scale": {"domain": [0, 1]}} if bounded else {})}
    by = "organization" if columns.organization else "model"
    members = sorted(name for name in pc.unique(rows[by]).to_pylist() if name is not None)
    # An explicit domain, in the order Vega sorts it: charts composed with this one colour its members alike.
    color = {"field": by, "type": "nominal", "scale": {"domain": members, "scheme": "tableau10"},
             "legend": {"title": options.legend_title("Organisation" if columns.organization else model_title),
                        **fitted_labels({name: name for name in members})}
             if options.legend_on else None}
    tooltip = (TooltipRow("model", model_title), TooltipRow("organization", "Organisation"),
               TooltipRow("released", "Released"), TooltipRow("task", task_title),
               TooltipRow("value", "Score", SCORE_FORMAT), TooltipRow("interval", "Interval"),
               TooltipRow("frontier", "Best so far", SCORE_FORMAT), TooltipRow("n", "Rows", COUNT_FORMAT),
               TooltipRow("note", "Status"),
               TooltipRow("link", "Log" if columns.scores.link == "log_viewer" else columns.scores.link or "Link"))
    shared = {"tooltip": tooltip if options.tip else None, "link": "link" if columns.scores.link else None}
    layers = []
    if frontier:
        layers.append(lines("frontier", x=x, y={**y, "field": "frontier"}, color={"value": FRONTIER_COLOR},
                            interpolate="step-after", strokeWidth=1.5, strokeDash=[4, 3], opacity=0.8))
    layers.append(intervals("intervals", where="datum.low !== null", x=x, y={**y, "field": "low"},
                            y2={"field": "high"}, color={"value": INTERVAL_COLOR}, strokeWidth=1.5, **shared))
    layers.append(points("points", x=x, y=y, color=color, filled=True, size=70, opacity=1, **shared))
    return tuple(layers)
