"""`reliability_diagram`: binned calibration of a classifier's scores, per series, with counts and ECE."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from evalviz.analysis.artifacts import PredictionArtifactRef
from evalviz.charts import ConcatChart, Interaction, Layer, LayerChart
from evalviz.data.connection import quote_identifier as q
from evalviz.data.table import Data
from evalviz.errors import ColumnTypeError, EvalvizError
from evalviz.query.calibration import (
    STRATEGIES,
    Strategy,
    any_outside_unit_sql,
    outside_unit_sql,
    reliability_parts_sql,
    reliability_sql,
)
from evalviz.rendering.component import Component
from evalviz.rendering.contract import TooltipRow
from evalviz.views.chart import title_spec
from evalviz.views.colors import check_series_count
from evalviz.views.formatting import COUNT_FORMAT, count_text
from evalviz.views.linking import Linking
from evalviz.views.marks import bars, intervals, lines, points, rules
from evalviz.views.options import NOT_GIVEN, Legend, ViewOptions, checks_arguments, did_you_mean
from evalviz.views.predictions import SCORE, SERIES, Predictions, carried, read_predictions
from evalviz.views.sample_filters import MAX_PARTS, SampleLinks, sample_links, with_series_fields
from evalviz.views.score_marks import checked_ci, normal_z

if TYPE_CHECKING:
    from evalviz.interaction.selection import Selection

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
    filter_by: Selection | None = None,
    target: Selection | None = None,
    highlight: bool = False,
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

    Linking (a table only): with `filter_by`, a filter on a column holding one value per series (`series`
    itself, a model's organisation) keeps or drops whole series (the legend lists those left). With "uniform"
    bins, whose edges do not depend on the predictions, the page ships each bin's counts and score sum per value
    of the columns varying within a series (an epoch, a difficulty; up to 200,000 rows) and adds up those kept:
    each point's mean score, observed share and Wilson interval, each bar's count and each series' ECE (in the
    legend) are then those of the filtered predictions, as scikit-learn bins them. "Quantile" bins are cut at
    each series' own percentiles, so a filter varying within a series moves their edges: such a filter, or one
    under `highlight` (whole series fade) or beyond that size, is not applied, and a note under the chart says
    it needs the live widget. A click on a point, interval, line or bar, or on a legend entry, publishes the
    series' `series` value into `target`.

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
        filter_by: A Selection whose clauses filter the predictions (see Linking above).
        target: A Selection clicks on a series' marks or legend entry publish the series into.
        highlight: Fade what the selections leave out instead of removing it.

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
    linking = Linking.of(filter_by, target, highlight)
    predictions = read_predictions(source, label=label, score=score, series=series, view="reliability_diagram",
                                   carry=carried(linking, series))
    _check_probabilities(source, predictions, score)
    z = None if level is None else normal_z(level)
    table = predictions.data.run(reliability_sql(bin_count, binning, z))
    check_series_count(list(dict.fromkeys(table["series"].to_pylist())), view="reliability_diagram",
                       series_title=predictions.series_title, drawing="diagrams")
    links = sample_links(predictions.data, linking, SERIES, (series,))
    drawn, interaction = _with_entries(table), None
    if links is not None:
        drawn, interaction = _linked(predictions.data, links, drawn, bin_count, binning, z)
    said = _notes(table, predictions, bin_count, binning, level, recounted=bool(interaction and interaction.then))
    text = " ".join([options.subtitle, *said] if options.subtitle is not None else said)
    return _chart(drawn, predictions.series_title, options, text, level, interaction)


def _linked(data: Data, links: SampleLinks, table: pa.Table, bins: int, strategy: Strategy,
            z: float | None) -> tuple[pa.Table, Interaction | None]:
    """The bins a linked diagram ships and its interaction: with a filter column varying within a series, the
    bins' counts per value of the filter columns, added up again on the page (`_recounted`); else the bins with
    the columns of their series (a filter keeps or drops whole series)."""
    if strategy == "quantile":
        links = links.constant_only("{column} varies within a series, and quantile bins are cut at the series' "
                                    "own percentiles, which move with the predictions kept")
    if links.linking.highlight:  # a faded point is a whole bin: its parts cannot be faded apart
        links = links.constant_only("{column} varies within a series, and a highlight fades whole series")
    if links.varying:
        parts = data.run(reliability_parts_sql(bins, strategy, links.shipped, MAX_PARTS + 1))
        if parts.num_rows <= MAX_PARTS:
            constant = tuple(f for c, f in links.fields.items() if c not in links.varying)
            return parts, _interaction(links, then=_recounted(z, constant))
        links = links.constant_only(f"{{column}} varies within a series in more than {MAX_PARTS:,} combinations "
                                    "of bins and values")
    return with_series_fields(table, data, links), _interaction(links)


def _interaction(links: SampleLinks, **drawn: Any) -> Interaction | None:
    """The diagram's interaction: clicks on a series' point, interval or line, and its legend entries, publish it."""
    return links.interaction(click=("points", "intervals", "lines"), legend=("points", "entry"), **drawn)


def _recounted(z: float | None, constant: tuple[str, ...]) -> tuple[dict[str, Any], ...]:
    """The Vega-Lite transforms turning filtered bin counts (`reliability_parts_sql`) into the bins
    `reliability_sql` computes: counts and score sums added up per bin, then mean score, observed share, Wilson
    interval (at normal quantile `z`; none when None), the series' predictions, ECE and legend entry."""
    z2 = "null" if z is None else repr(float(z) ** 2)
    center = f"(datum.observed + {z2} / (2 * datum.n)) / (1 + {z2} / datum.n)"
    half = (f"sqrt({z2}) * sqrt(datum.observed * (1 - datum.observed) / datum.n + {z2} / (4 * datum.n * datum.n)) "
            f"/ (1 + {z2} / datum.n)")
    interval = () if z is None else ({"calculate": f"max(0, {center} - {half})", "as": "ci_low"},
                                     {"calculate": f"min(1, {center} + {half})", "as": "ci_high"})
    return (
        {"aggregate": [{"op": "sum", "field": name, "as": name} for name in ("n", "positives", "score_sum")],
         "groupby": ["series", "bin", "low", "high", *constant]},
        {"calculate": "datum.score_sum / datum.n", "as": "predicted"},
        {"calculate": "datum.positives / datum.n", "as": "observed"},
        *interval,
        {"calculate": "datum.n * abs(datum.observed - datum.predicted)", "as": "gap"},
        {"joinaggregate": [{"op": "sum", "field": "n", "as": "total"}, {"op": "sum", "field": "gap", "as": "gaps"}],
         "groupby": ["series"]},
        {"calculate": "datum.gaps / datum.total", "as": "ece"},
        {"calculate": f"datum.series + ' · ECE ' + format(datum.ece, '{ECE_FORMAT}')", "as": "entry"},
    )


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


def _notes(table: pa.Table, predictions: Predictions, bins: int, strategy: Strategy, level: float | None, *,
           recounted: bool = False) -> list[str]:
    """The subtitle: each series' ECE first (in the legend only when the page recomputes it after a filter),
    then how bins are cut, the interval and what is left out."""
    eces = dict(zip(table["series"].to_pylist(), table["ece"].to_pylist(), strict=True))
    said = ["Legend: each series' ECE (expected calibration error) over the predictions drawn." if recounted else
            f"ECE (expected calibration error): {', '.join(f'{s} {e:.3f}' for s, e in eces.items())}."]
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


def _chart(table: pa.Table, series_title: str, options: ViewOptions, subtitle: str, level: float | None,
           interaction: Interaction | None = None) -> Component:
    """The diagram above, the predictions per bin below, sharing the scores' axis and the series' colours (and
    one interaction: the bars' clicks publish as the diagram's do)."""
    width, height = options.sized(WIDTH, HEIGHT)
    plot_width = max(60, width - LEGEND_ROOM)
    plot_height = max(60, height - HISTOGRAM_HEIGHT - AXES_ROOM)
    # Filtered, the legend lists the series left, in the same order (entries start with the sorted names).
    if interaction is not None and interaction.filters:
        order: dict[str, Any] = {"sort": "ascending"}
    else:
        order = {"scale": {"domain": list(dict.fromkeys(table["entry"].to_pylist()))}}
    color = {"field": "entry", "type": "nominal", "title": options.legend_title(series_title), **order,
             "legend": {"labelLimit": 300} if options.legend_on else None}
    tooltip = _tooltip(series_title, level) if options.tip else None
    bars_interaction = interaction and replace(interaction, publish=tuple(
        replace(p, marks=("counts",)) for p in interaction.publish if p.how == "click"))
    diagram = LayerChart(_diagram(color, tooltip, level), data=DATASET, width=plot_width, height=plot_height,
                         interaction=interaction)
    counts = LayerChart(_histogram({**color, "legend": None}, tooltip), data=DATASET, width=plot_width,
                        height=HISTOGRAM_HEIGHT, interaction=bars_interaction)
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
