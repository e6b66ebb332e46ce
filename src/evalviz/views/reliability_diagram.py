"""`reliability_diagram`: binned calibration of a classifier's scores, per series, with counts and ECE."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from evalviz.analysis.artifacts import PredictionArtifactRef
from evalviz.charts import ConcatChart, Layer, LayerChart
from evalviz.data.connection import quote_identifier as q
from evalviz.data.table import Data
from evalviz.errors import ColumnTypeError, EvalvizError
from evalviz.query.calibration import STRATEGIES, Strategy, any_outside_unit_sql, outside_unit_sql, reliability_sql
from evalviz.rendering.component import Component
from evalviz.rendering.contract import TooltipRow
from evalviz.views.chart import title_spec
from evalviz.views.colors import check_series_count
from evalviz.views.formatting import COUNT_FORMAT, count_text
from evalviz.views.marks import bars, intervals, lines, points, rules
from evalviz.views.options import NOT_GIVEN, Legend, ViewOptions, checks_arguments, did_you_mean
from evalviz.views.predictions import SCORE, SERIES, Predictions, read_predictions
from evalviz.views.score_marks import checked_ci, normal_z

DATASET, DIAGONAL = "bins", "diagonal"
MAX_BINS = 1000
SCORE_FORMAT, ECE_FORMAT = ".3f", ".3f"
WIDTH, HEIGHT = 560, 630
HISTOGRAM_HEIGHT = 90  # pixels of the count panel below the diagram
LEGEND_ROOM, AXES_ROOM = 170, 150  # pixels of the outer size the legend and the axes and titles take
DIAGONAL_COLOR = "#888"
# A bin as text: "[0, 0.1]" for the first (it holds its lower edge), "(0.1, 0.2]" for the others.
BIN_TEXT = ("(datum.bin === 0 ? '[' : '(') + format(datum.low, '.4~g') + ', ' + format(datum.high, '.4~g') "
            "+ ']'")


@checks_arguments()
def reliability_diagram(
    source: object,
    label: str = "label",
    score: str | Sequence[str] = "score",
    series: str | None = None,
    bins: int = 10,
    strategy: str = "uniform",
    *,
    ci: float | None = 0.95,
    title: str | None = None,
    subtitle: str | None = None,
    width: int | None = None,
    height: int | None = None,
    legend: Legend = NOT_GIVEN,
    tip: bool = True,
    **attributes: Any,
) -> Component:
    """Binned calibration: per bin of scores, the mean score against the observed share of positives, one line
    per series, the diagonal of perfect calibration, the predictions per bin in a panel below, and each series'
    expected calibration error (ECE) in the legend.

    Binning runs in DuckDB, in one query, exactly as `sklearn.calibration.calibration_curve(y, p, n_bins=bins,
    strategy=strategy)` bins (its points are the drawn points): "uniform" cuts [0, 1] into `bins` equal bins,
    "quantile" at the series' score percentiles (numpy's linear method), so that bins hold about as many
    predictions. A bin holds the scores above its lower edge up to and including its upper edge, the first bin
    its lower edge too: a score of 1.0 is in the last bin. Empty bins are not drawn (the line joins the bins on
    either side). ECE = sum over a series' bins of n_bin / n * |observed - mean score|. Each point's vertical bar
    is the Wilson score interval of its observed share at `ci`. Rows without a label or a score are not drawn
    (the subtitle says how many). Hover a point, its interval or a bar for the bin, mean score, observed share,
    interval, predictions, positives and the series' ECE.

    Args:
        source: Predictions: an `ev.Data` or dataframe with label and score columns, or prediction artifacts
            (see `evalviz.views.predictions.read_predictions`).
        label: The column of 0/1 ground truth.
        score: The column of predicted probabilities in [0, 1], or a list of them (one series each).
        series: The column naming each row's series (a model, a scorer).
        bins: How many bins, from 1 to 1000.
        strategy: "uniform" (equal widths) or "quantile" (equal counts, per series).
        ci: The confidence level of each bin's interval (Wilson), or None for none.
        title, subtitle, width, height, legend, tip, **attributes: As every view (`ViewOptions`): 560 x 630 by
            default; what is left out is said after a given subtitle.

    Raises:
        EvalvizError: a score outside [0, 1] (naming its row and value), `bins` not a whole number from 1 to
            1000, `strategy` other than "uniform" or "quantile", `ci` not between 0 and 1, more than 10 series,
            or what `read_predictions` refuses (missing columns, labels other than 0/1, no rows).

    Example:
        >>> import evalviz as ev
        >>> preds = ev.Data.from_sql("SELECT (i % 7 < 3)::INT AS label, (i % 10) / 10 AS score FROM range(500) t(i)")
        >>> chart = ev.reliability_diagram(preds, bins=5)
    """
    options = ViewOptions(title, subtitle, width, height, legend, tip, attributes)
    bin_count = _checked_bins(bins)
    binning = _checked_strategy(strategy)
    level = None if ci is None else checked_ci(ci)
    predictions = read_predictions(source, label=label, score=score, series=series, view="reliability_diagram")
    _check_probabilities(source, predictions, score)
    table = predictions.data.run(reliability_sql(bin_count, binning, None if level is None else normal_z(level)))
    check_series_count(list(dict.fromkeys(table["series"].to_pylist())), view="reliability_diagram",
                       series_title=predictions.series_title, drawing="diagrams")
    said = _notes(table, predictions, bin_count, binning, level)
    text = " ".join([options.subtitle, *said] if options.subtitle is not None else said)
    return _chart(_with_entries(table), predictions.series_title, options, text, level)


def _checked_bins(bins: object) -> int:
    if isinstance(bins, bool) or not isinstance(bins, numbers.Integral) or not 1 <= bins <= MAX_BINS:
        raise EvalvizError(f"bins is how many bins the scores are cut into, a whole number from 1 to {MAX_BINS}, "
                           f"not {bins!r}.")
    return int(bins)


def _checked_strategy(strategy: object) -> Strategy:
    if strategy not in STRATEGIES:
        raise EvalvizError(f"strategy is 'uniform' (bins of equal width) or 'quantile' (bins of equal counts), not "
                           f"{strategy!r}.{did_you_mean(strategy, STRATEGIES)}")
    return strategy  # type: ignore[return-value]


def _check_probabilities(source: object, predictions: Predictions, score: str | Sequence[str]) -> None:
    """Refuse a score outside [0, 1], naming its row (in the table, or within its artifact's series)."""
    if not predictions.data.run(any_outside_unit_sql(SCORE))["outside"][0].as_py():
        return
    if isinstance(source, PredictionArtifactRef | Mapping | list | tuple):  # artifacts: rows within each series
        found = [(SCORE, row) for row in predictions.data.run(outside_unit_sql(SCORE, within=SERIES)).to_pylist()]
    else:  # a table (read_predictions read it): rows in table order
        table = Data.from_dataframe(source)
        found = [(column, row) for column in ([score] if isinstance(score, str) else list(score))
                 for row in table.run(outside_unit_sql(column)).to_pylist()]
    if found:
        column, row = found[0]
        where = f"row {row['row']} of {row['within']!r}" if row["within"] is not None else f"row {row['row']}"
        raise ColumnTypeError(
            f"reliability_diagram reads scores as probabilities, but the score column {column!r} holds "
            f"{row['value']!r} at {where} (0-based), outside [0, 1]. Map scores to probabilities first, e.g. "
            f"data.derive(\"SELECT *, 1 / (1 + exp(-{q(column)})) AS probability FROM this\") for logits, and pass "
            f"score='probability'.")


def _notes(table: pa.Table, predictions: Predictions, bins: int, strategy: Strategy,
           level: float | None) -> list[str]:
    """The subtitle: each series' ECE first, then how bins are cut, the interval and what is left out."""
    eces = dict(zip(table["series"].to_pylist(), table["ece"].to_pylist(), strict=True))
    said = [f"ECE (expected calibration error): {', '.join(f'{s} {e:.3f}' for s, e in eces.items())}."]
    said.append(f"{bins} {'equal-width' if strategy == 'uniform' else 'equal-count (quantile)'} bin"
                f"{'s' if bins > 1 else ''}; dashed diagonal: perfect calibration.")
    if level is not None:
        said.append(f"Bars: {level:.0%} Wilson intervals.")
    if predictions.left_out:
        said.append(f"{count_text(predictions.left_out)} prediction{'s' if predictions.left_out > 1 else ''} "
                    f"without a label or score {'are' if predictions.left_out > 1 else 'is'} not drawn.")
    return said


def _with_entries(table: pa.Table) -> pa.Table:
    """The bins with each series' legend entry: its name and ECE."""
    entries = [f"{s} · ECE {e:.3f}" for s, e in zip(table["series"].to_pylist(), table["ece"].to_pylist(),
                                                    strict=True)]
    return table.append_column("entry", pa.array(entries, pa.string()))


def _chart(table: pa.Table, series_title: str, options: ViewOptions, subtitle: str, level: float | None) -> Component:
    """The diagram above, the predictions per bin below, sharing the scores' axis and the series' colours."""
    width, height = options.sized(WIDTH, HEIGHT)
    plot_width = max(60, width - LEGEND_ROOM)
    plot_height = max(60, height - HISTOGRAM_HEIGHT - AXES_ROOM)
    entries = list(dict.fromkeys(table["entry"].to_pylist()))
    color = {"field": "entry", "type": "nominal", "title": options.legend_title(series_title),
             "scale": {"domain": entries}, "legend": {"labelLimit": 300} if options.legend_on else None}
    tooltip = _tooltip(series_title, level) if options.tip else None
    diagram = LayerChart(_diagram(color, tooltip, level), data=DATASET, width=plot_width, height=plot_height)
    counts = LayerChart(_histogram({**color, "legend": None}, tooltip), data=DATASET, width=plot_width,
                        height=HISTOGRAM_HEIGHT)
    title = title_spec(options.title, subtitle, width)
    chart = ConcatChart("vconcat", (diagram, counts),
                        properties={**({"title": title} if title else {}), **options.properties()})
    diagonal = pa.table({"x": [0.0], "x2": [1.0]})
    return Component.from_parts(chart, {f"c0_{DATASET}": table, f"c0_{DIAGONAL}": diagonal,
                                        f"c1_{DATASET}": table})


def _tooltip(series_title: str, level: float | None) -> tuple[TooltipRow, ...]:
    return (TooltipRow("series", series_title), TooltipRow("bin_text", "Bin"),
            TooltipRow("predicted", "Mean score", SCORE_FORMAT), TooltipRow("observed", "Observed share", SCORE_FORMAT),
            *((TooltipRow("interval", f"{level:.0%} Wilson interval"),) if level is not None else ()),
            TooltipRow("n", "Predictions", COUNT_FORMAT), TooltipRow("positives", "Positives", COUNT_FORMAT),
            TooltipRow("ece", "ECE of the series", ECE_FORMAT))


def _texts(level: float | None) -> dict[str, str]:
    """The tooltip's text fields: the bin's range, and its interval."""
    interval = {"interval": f"'[' + format(datum.ci_low, '{SCORE_FORMAT}') + ', ' + "
                            f"format(datum.ci_high, '{SCORE_FORMAT}') + ']'"} if level is not None else {}
    return {"bin_text": BIN_TEXT, **interval}


def _unit(field: str, title: str) -> dict[str, Any]:
    return {"field": field, "type": "quantitative", "title": title, "scale": {"domain": [0, 1], "nice": False}}


def _diagram(color: dict[str, Any], tooltip: tuple[TooltipRow, ...] | None, level: float | None) -> tuple[Layer, ...]:
    """The diagonal, each bin's interval, the series' lines and the bins' points."""
    x, y = _unit("predicted", "Mean predicted score"), _unit("observed", "Observed share of positives")
    texts = _texts(level)
    layers = [rules("diagonal", data=DIAGONAL, x={**x, "field": "x"}, y={**y, "field": "x"}, x2={"field": "x2"},
                    y2={"field": "x2"}, color={"value": DIAGONAL_COLOR}, strokeDash=[4, 3], strokeWidth=1)]
    if level is not None:
        layers.append(intervals("intervals", x=x, y={**y, "field": "ci_low"}, y2={"field": "ci_high"}, color=color,
                                strokeWidth=1.5, opacity=0.6, tooltip=tooltip, calculate=texts))
    layers += [lines("lines", x=x, y=y, color=color, strokeWidth=1.5),
               points("points", x=x, y=y, color=color, filled=True, size=45, opacity=1, tooltip=tooltip,
                      calculate=texts)]
    return tuple(layers)


def _histogram(color: dict[str, Any], tooltip: tuple[TooltipRow, ...] | None) -> tuple[Layer, ...]:
    """Each bin's predictions as a bar over its range, series over each other."""
    x = _unit("low", "Score")
    y = {"field": "n", "type": "quantitative", "title": "Predictions", "stack": None, "scale": {"zero": True},
         "axis": {"tickCount": 3}}
    return (bars("counts", x=x, x2={"field": "high"}, y=y, y2={"datum": 0}, color=color, stroke=color,
                 fillOpacity=0.35, strokeWidth=1, tooltip=tooltip, calculate=_texts(None)),)
