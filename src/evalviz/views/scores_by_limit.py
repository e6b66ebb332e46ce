"""`scores_by_limit`: the share of each model's samples solved within a budget of tokens or time, as curves over
a grid of budgets with a confidence band; `scores_by_limit_data` gives the table behind them."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.charts import Interaction, Layer, LayerChart
from evalviz.data.connection import quote_identifier
from evalviz.data.table import Data
from evalviz.errors import EmptyDataError, EvalvizError, MissingColumnError
from evalviz.query.grid_columns import filter_field
from evalviz.query.limits import LimitColumns, Scale, limit_bounds_sql, limit_curve_sql
from evalviz.rendering.component import Component
from evalviz.rendering.contract import TooltipRow
from evalviz.views.chart import title_spec
from evalviz.views.error_messages import check_error_messages
from evalviz.views.formatting import UNMARKED_LABEL, count_text
from evalviz.views.grid import check_numeric
from evalviz.views.grid_filters import MAX_PARTS, PARTS, capped_parts, mark_filters
from evalviz.views.linking import Linking
from evalviz.views.marks import areas, lines, points
from evalviz.views.options import NOT_GIVEN, Legend, ViewOptions, checked_number, checks_arguments
from evalviz.views.roles import fallback_column, optional_column
from evalviz.views.score_marks import SCHEMES, checked_ci, normal_z

if TYPE_CHECKING:
    from evalviz.interaction.selection import Selection

DATASET = "curve"
STEPS, MAX_STEPS = 100, 10_000
MAX_CURVES = SCHEMES[-1][0]  # curves drawn at most, one colour each: the models solving the largest shares
WIDTH, HEIGHT = 640, 360
BUDGET_FORMAT, SHARE_FORMAT = ",.4~r", ".1%"
# The axis title of inspect_ai's resource columns; another column is titled by its name.
LIMIT_LABELS = {"total_tokens": "Total tokens", "total_time": "Total time (s)", "working_time": "Working time (s)"}


@checks_arguments()
def scores_by_limit(
    data: Data,
    limit: str = "total_tokens",
    score: str | None = None,
    model: str = "model_display_name",
    *,
    steps: int = STEPS,
    scale: Scale = "auto",
    threshold: float = 1.0,
    ci: float = 0.95,
    error: str | None = "error",
    limit_label: str | None = None,
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
    """The share of each model's samples solved within a budget of a resource (tokens, time): one curve per
    model over `steps` budgets, with a band of its Wilson confidence interval.

    A sample (a row: one sample in one epoch) is solved within budget b when it has no error, its score is at
    least `threshold` (1: inspect_ai's "C" as converted by `ev.score_to_float`, or full marks) and its `limit`
    value is at most b. The share is over all of the model's rows: an errored row, or one without a finite score
    or limit, is never solved but stays in the denominator (the tooltip counts them, the subtitle says so). At
    most 20 curves are drawn (one colour each): those of the models solving the largest shares, as said. The
    budgets run from the smallest limit in the table to the largest, evenly spaced on a log scale when the
    limits span two orders of magnitude or more (else linearly; `scale` chooses). The whole curve is one DuckDB
    query, whatever the number of budgets; `scores_by_limit_data` returns its table. Hover a curve for a budget:
    model, budget, solved share, interval, solved samples and those counted unsolved.

    Args:
        data: A samples table (inspect_ai's `samples_df`): one row per sample and epoch.
        limit: The column of the resource each sample used: "total_tokens", "total_time", "working_time", or
            another column of numbers.
        score: The score column (numbers or booleans, e.g. "score_match"); None: the table's one `score_*` column.
        model: The column naming each curve (falls back to "model" when the table has no display names).
        steps: How many budgets each curve is drawn at (2 to 10,000).
        scale: "auto", "log" or "linear": how the budgets are spaced, and the x axis.
        threshold: The least score that counts as solved.
        ci: The confidence level of the band (Wilson score interval of the share).
        error: The column of error messages (used when present); a row with a non-empty message is errored.
        limit_label: The x axis title (None: "Total tokens", "Total time (s)", ... or the column name).
        title, subtitle, width, height, legend, tip, **attributes: As every view (`ViewOptions`): 640 x 360
            pixels; the rule and what is counted unsolved are said after a given subtitle.
        filter_by: A Selection whose clauses filter the samples behind the curves. A filter on the model (or a
            column with one value per model, such as its organisation) keeps or drops whole curves. A filter
            on a column varying within a model's samples (the task, the epoch) is answered exactly on a
            standalone page too: the page carries each curve's counts per value of the filter columns (at most
            200,000 rows) and adds up those kept, so each curve is the solved share of the kept samples at each
            budget, with its Wilson band recomputed from the counts (the budgets stay those of the whole
            table; the live widget draws the chart again over the kept rows, budgets included). More
            combinations, or a highlight of such a column, are named on the page as needing the live widget.
            The curves drawn stay the (at most 20) models of the whole table.
        target: A Selection a click on a curve (or on a model in the legend) publishes into: its model
            (shift-click adds, a click on it again or on empty space clears).
        highlight: Fade the curves the selections leave out instead of removing them.

    Raises:
        EvalvizError: a column the table lacks (naming those it has), a limit or score that is not numbers, no
            score column or several to choose from, an error column of other than messages, `steps`, `scale`,
            `threshold` or `ci` out of range, or no sample with a finite limit (a positive one, on a log scale) or
            a finite score.

    Example:
        >>> import evalviz as ev
        >>> samples = ev.Data.from_file("examples/data/samples.parquet")
        >>> chart = ev.scores_by_limit(samples, limit="total_tokens", score="score_match")
    """
    options = ViewOptions(title, subtitle, width, height, legend, tip, attributes)
    linking = Linking.of(filter_by, target, highlight)
    rows, columns = _curve(data, limit, score, model, steps=steps, scale=scale, threshold=threshold, ci=ci,
                           error=error, max_models=MAX_CURVES)
    said = _notes(rows, columns, threshold, checked_ci(ci))
    text = " ".join([options.subtitle, *said] if options.subtitle is not None else said)
    label = limit_label if limit_label is not None else LIMIT_LABELS.get(columns.limit, columns.limit)
    linked = _linked(data, rows, columns, linking, steps=steps, scale=scale, threshold=threshold, ci=ci)
    return _chart(linked.rows, options, text, model_title=_model_title(columns.model), limit_title=label, ci=ci,
                  interaction=linked.interaction, parts=linked.parts)


@dataclasses.dataclass(frozen=True)
class LinkedCurves:
    """The curves' rows as a chart in selections ships them, its Interaction, and the parts of its curves it adds
    up again after filtering (None: no filter column varies within a model)."""

    rows: pa.Table
    interaction: Interaction | None = None
    parts: pa.Table | None = None


def _linked(data: Data, rows: pa.Table, columns: LimitColumns, linking: Linking, **curve: Any) -> LinkedCurves:
    """What the chart ships for its selections (see `scores_by_limit`'s filter_by): the curves' rows again with
    each model's typed value and the columns with one value per model, and the parts of each curve by the
    columns varying within a model."""
    if not linking.active:
        return LinkedCurves(rows)
    linking.publishes(columns.model)
    filters = mark_filters(data, [quote_identifier(columns.model)], linking, exclude=(columns.model,))
    if linking.highlight:
        filters = filters.refuse_varying("varies within a model's samples, and a highlight fades whole curves")
    z = normal_z(checked_ci(curve["ci"]))
    shipped = dataclasses.replace(columns, filters=filters.constant, raw_key=True)
    arguments = {"steps": curve["steps"], "scale": curve["scale"], "threshold": float(curve["threshold"]), "z": z,
                 "max_models": MAX_CURVES}
    rows = data.run(limit_curve_sql(shipped, **arguments))
    parts = None
    if filters.varying:
        finer = dataclasses.replace(shipped, filters=filters.constant + filters.varying)
        parts, filters = capped_parts(data.run(limit_curve_sql(finer, **arguments, limit=MAX_PARTS + 1)), filters)
    given = (*filters.constant, *filters.varying)
    fields = {columns.model: "k_v", **{c: filter_field(i) for i, c in enumerate(given)}}
    drawn: dict[str, Any] = {"source": PARTS, "then": _regrouped(z)} if parts is not None else {}
    interaction = linking.interaction(fields=fields, unanswered=filters.unanswered, click=("lines", "points", "band"),
                                      click_fields={"k_v": columns.model},
                                      legend=("lines", "model", {"k_v": columns.model}), **drawn)
    return LinkedCurves(rows, interaction, parts)


def _regrouped(z: float) -> tuple[dict[str, Any], ...]:
    """The Vega-Lite transforms adding the kept parts up into each model's curve: its counts summed per budget,
    the solved share and its Wilson interval at the normal quantile `z` (as `query.limits` computes them)."""
    z2 = repr(float(z) ** 2)
    sums = [{"op": "sum", "field": name, "as": name} for name in ("solved", "n", "errors", "unscored")]
    p, n = "datum.success_rate", "datum.n"
    calculate = {
        "success_rate": "datum.solved / datum.n",
        "center": f"({p} + {z2} / (2 * {n})) / (1 + {z2} / {n})",
        "half": f"sqrt({z2}) * sqrt({p} * (1 - {p}) / {n} + {z2} / (4 * {n} * {n})) / (1 + {z2} / {n})",
        "low": "max(0, datum.center - datum.half)",
        "high": "min(1, datum.center + datum.half)",
    }
    return ({"aggregate": sums, "groupby": ["model", "k_v", "budget"]},
            *({"calculate": expr, "as": name} for name, expr in calculate.items()))


@checks_arguments()
def scores_by_limit_data(
    data: Data,
    limit: str = "total_tokens",
    score: str | None = None,
    model: str = "model_display_name",
    *,
    steps: int = STEPS,
    scale: Scale = "auto",
    threshold: float = 1.0,
    ci: float = 0.95,
    error: str | None = "error",
) -> Data:
    """The table `scores_by_limit` draws (as inspect_viz's `scores_by_limit_df`), one row per (model, budget),
    computed by one DuckDB query; the arguments are the view's.

    Columns: model, budget, success_rate (solved / n), low and high (the Wilson score interval of the share at
    confidence `ci`), solved (rows solved within the budget), n (the model's rows, errored and unscored ones
    included), errors (rows with an error message), unscored (rows without an error that lack a finite score or
    limit), scale ("log" or "linear": how the budgets are spaced).

    Raises:
        EvalvizError: as `scores_by_limit`.

    Example:
        >>> import evalviz as ev
        >>> samples = ev.Data.from_file("examples/data/samples.parquet")
        >>> table = ev.scores_by_limit_data(samples, score="score_match", steps=10)
        >>> table.columns[:5]
        ['model', 'budget', 'success_rate', 'low', 'high']
        >>> len(table)  # 5 models x 10 budgets
        50
    """
    rows, _ = _curve(data, limit, score, model, steps=steps, scale=scale, threshold=threshold, ci=ci, error=error)
    return Data.from_dataframe(rows.drop_columns(["models", "scored"]))


def _curve(data: Data, limit: str, score: str | None, model: str, *, steps: object, scale: object,
           threshold: object, ci: object, error: str | None,
           max_models: int | None = None) -> tuple[pa.Table, LimitColumns]:
    """The checked arguments' curve table (the curves of `max_models` models at most), and the columns it
    read."""
    budgets = _checked_steps(steps)
    spacing = _checked_scale(scale)
    least = checked_number("threshold", threshold)
    z = normal_z(checked_ci(ci))
    columns = LimitColumns(fallback_column(data, model, "model_display_name", "model"), limit,
                           _score_column(data, score), optional_column(data, error, "error"))
    data.require_columns(columns.model, columns.limit, columns.score, columns.error, purpose="scores_by_limit")
    data.require_rows()
    check_numeric(data, columns.limit, "limit")
    check_numeric(data, columns.score)
    check_error_messages(data, columns.error)
    rows = data.run(limit_curve_sql(columns, steps=budgets, scale=spacing, threshold=least, z=z,
                                    max_models=max_models))
    if rows.num_rows == 0 or not rows["scored"][0].as_py():
        _explain_no_curve(data.run(limit_bounds_sql(columns)).to_pylist()[0], columns)
    return rows, columns


def _checked_steps(steps: object) -> int:
    if isinstance(steps, bool) or not isinstance(steps, int) or not 2 <= steps <= MAX_STEPS:
        raise EvalvizError(f"steps is the number of budgets each curve is drawn at, an integer from 2 to "
                           f"{MAX_STEPS:,}, not {steps!r}.")
    return steps


def _checked_scale(scale: object) -> Scale:
    if scale not in ("auto", "log", "linear"):
        raise EvalvizError(f"scale is 'auto' (log when the limits span two orders of magnitude), 'log' or "
                           f"'linear', not {scale!r}.")
    return scale  # type: ignore[return-value]


def _score_column(data: Data, score: str | None) -> str:
    """The score column: the one named, else the table's only `score_*` column."""
    if score is not None:
        return score
    found = [column for column in data.columns if column.startswith("score_")]
    if len(found) == 1:
        return found[0]
    if not found:
        raise MissingColumnError("score_*", data.columns, purpose="scores_by_limit: name it with score=")
    raise EvalvizError(f"scores_by_limit reads one score; the table has {', '.join(map(repr, found))}: name one "
                       f"with score=, e.g. score={found[0]!r}.")


def _explain_no_curve(bounds: dict[str, int], columns: LimitColumns) -> None:
    """Raise why the table gives no curve: no finite limit (no positive one for a log scale), or no finite
    score."""
    if not bounds["placed"]:
        raise EmptyDataError(f"scores_by_limit needs samples with a {columns.limit!r} value; every one is NULL or "
                             "not finite. Name another column with limit=.")
    if not bounds["positive"] and bounds["scored"]:
        raise EvalvizError(f"scale='log' needs positive {columns.limit!r} values, and none is above 0: use "
                           "scale='linear'.")
    if not bounds["scored"]:
        raise EmptyDataError(f"scores_by_limit needs samples with a {columns.score!r} score; every one is NULL or "
                             "not finite, so no sample could count as solved. Name another column with score=.")


def _percent(level: float) -> str:
    """A confidence level as a percentage, to the digits it has: 95%, 99.5%."""
    return f"{level * 100:.4g}%"


def _model_title(column: str) -> str:
    return "Model" if column in ("model_display_name", "model") else column


def _notes(rows: pa.Table, columns: LimitColumns, threshold: object, ci: float) -> list[str]:
    """What the subtitle says: the rule of a solved sample, the band, the rows counted unsolved, and the models
    left out."""
    said = [f"Solved within a budget: {columns.score} \u2265 {float(threshold):g} (no error) and {columns.limit} "
            f"\u2264 the budget. Band: {_percent(ci)} Wilson interval."]
    first = rows.filter(pc.equal(rows["budget"], pc.min(rows["budget"])))  # one row per model
    errors, unscored = (int(pc.sum(first[name]).as_py() or 0) for name in ("errors", "unscored"))
    counted = [f"{count_text(errors)} errored"] if errors else []
    counted += [f"{count_text(unscored)} without a score or {columns.limit}"] if unscored else []
    if counted:
        said.append(f"{' and '.join(counted)} samples count as unsolved.")
    drawn, models = first.num_rows, rows["models"][0].as_py()
    if models > drawn:
        said.append(f"The {count_text(drawn)} models of {count_text(models)} solving the largest shares are drawn; "
                    "filter the data for the others.")
    return said


def _chart(rows: pa.Table, options: ViewOptions, subtitle: str, *, model_title: str, limit_title: str,
           ci: object, interaction: Interaction | None = None, parts: pa.Table | None = None) -> Component:
    """The band, the lines and the hover points of every model's curve."""
    width, height = options.sized(WIDTH, HEIGHT)
    names = sorted(set(rows["model"].to_pylist()))
    budgets = pc.min_max(rows["budget"]).as_py()
    x = {"field": "budget", "type": "quantitative", "title": limit_title,
         "scale": {"type": rows["scale"][0].as_py(), "domain": [budgets["min"], budgets["max"]], "nice": False}}
    y = {"field": "success_rate", "type": "quantitative", "title": "Solved share", "scale": {"domain": [0, 1]},
         "axis": {"format": "%"}}
    scheme = next(name for size, name in SCHEMES if len(names) <= size)  # one colour a curve: MAX_CURVES at most
    color = {"field": "model", "type": "nominal", "scale": {"domain": names, "scheme": scheme},
             "legend": {"title": options.legend_title(model_title), "symbolType": "stroke", "symbolOpacity": 1,
                        "symbolStrokeWidth": 2, "labelExpr": UNMARKED_LABEL}
             if options.legend_on else None}  # the lines' colours, not the bands'
    layers = (areas("band", x=x, y={**y, "field": "low"}, y2={"field": "high"}, color=color, opacity=0.15),
              lines("lines", x=x, y=y, color=color, strokeWidth=1.5),
              _hover_points(x, y, color, _tooltip(model_title, limit_title, ci) if options.tip else None))
    chart = LayerChart(layers, data=DATASET, width=width, height=height, fit=True,
                       title=title_spec(options.title, subtitle, width), properties=options.properties(),
                       interaction=interaction)
    return Component.from_parts(chart, {DATASET: rows, **({PARTS: parts} if parts is not None else {})})


def _tooltip(model_title: str, limit_title: str, ci: object) -> tuple[TooltipRow, ...]:
    return (TooltipRow("model", model_title), TooltipRow("budget", limit_title, BUDGET_FORMAT),
            TooltipRow("success_rate", "Solved", SHARE_FORMAT),
            TooltipRow("interval", f"{_percent(checked_ci(ci))} Wilson interval"),
            TooltipRow("solved_of", "Solved samples"), TooltipRow("unsolvable", "Counted unsolved"))


def _hover_points(x: dict[str, Any], y: dict[str, Any], color: dict[str, Any],
                  tooltip: tuple[TooltipRow, ...] | None) -> Layer:
    """Each budget's point, shown while the pointer is on it, with the tooltip's texts."""
    texts = {
        "interval": f"'[' + format(datum.low, '{SHARE_FORMAT}') + ', ' + format(datum.high, '{SHARE_FORMAT}') + ']'",
        "solved_of": "format(datum.solved, ',') + ' of ' + format(datum.n, ',')",
        "unsolvable": "format(datum.errors, ',') + ' errored, ' + format(datum.unscored, ',') "
                      "+ ' without a score or limit'",
    }
    shown = {"condition": {"param": "hover", "empty": False, "value": 1}, "value": 0}
    return dataclasses.replace(
        points("points", x=x, y=y, color=color, tooltip=tooltip, filled=True, size=40, opacity=shown,
               calculate=texts),
        params=({"name": "hover", "select": {"type": "point", "on": "pointerover", "clear": "pointerout"}},))
