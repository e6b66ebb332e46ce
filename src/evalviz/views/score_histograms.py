"""`score_histograms`: a classifier's scores by label, negatives and positives overlaid or side by side, one
panel per series, drawn by the histograms of `score_distribution(kind="histogram")`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from evalviz.errors import ArgumentTypeError, ColumnTypeError, EvalvizError
from evalviz.query.distributions import MAX_MAGNITUDE, DistributionColumns, group_sizes_sql, range_sql
from evalviz.rendering.component import Component
from evalviz.views.distribution_marks import Titles, color_encoding
from evalviz.views.linking import Linking
from evalviz.views.options import NOT_GIVEN, Legend, ViewOptions, checks_arguments
from evalviz.views.predictions import LABEL, SCORE, SERIES, read_predictions
from evalviz.views.sample_filters import sample_links
from evalviz.views.score_distribution import drawn_groups, histogram_component, linked_histogram, rows_text

if TYPE_CHECKING:
    from evalviz.interaction.selection import Selection

LEVELS = ("0", "1")  # the labels, as text: negatives left (first), positives right
CLASS_NAMES = "datum.label === '1' ? 'positive (1)' : 'negative (0)'"


@checks_arguments()
def score_histograms(
    source: object,
    label: str = "label",
    score: str | Sequence[str] = "score",
    series: str | None = None,
    bins: int = 20,
    *,
    overlay: bool = True,
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
    """A classifier's score distribution by label: the negatives' and the positives' scores as histograms over the
    same bins, overlaid (or side by side within each bin), one panel per series (model, scorer or file).

    Bins are counted in DuckDB by the same statement as `score_distribution(kind="histogram")`: `bins` equal bins
    from 0 to 1 when every score lies there, else from the least to the greatest score, shared by every panel.
    Rows without a label or score (NULL or NaN) are left out and counted in the subtitle; an infinite score, or a
    label other than 0 and 1, is refused. Hover a bar for its series, label, edges, count and share of the label's
    scores.

    Linking (a table only): with `filter_by`, a filter on a column holding one value per series (`series` itself,
    a model's organisation) keeps or drops whole panels; on a column varying within a series (an epoch, a
    difficulty), the page ships each bin's count per value of that column (up to 200,000 rows) and adds up those
    kept, so each bar is the count of the filtered predictions in its bin (bins keep their edges); with
    `highlight`, or beyond that size, a note under the chart says the filter needs the live widget. A click on a
    bar publishes its series' `series` value into `target`; dragging along the scores brushes a range of `score`
    (one score column), published as a "range" clause.

    Args:
        source: An `ev.Data` with label and score columns, or prediction artifacts (a `PredictionArtifactRef`,
            its `to_dict()`, a list of them or a mapping of name to ref).
        label: The column of 0/1 ground truth (a table only).
        score: The column of scores, or a list of them (one series each; a table only).
        series: The column naming each row's series (a table only).
        bins: The number of bins (2 to 200).
        overlay: Negatives and positives overlaid (True) or side by side within each bin (False).
        title, subtitle, width, height, legend, tip, **attributes: As every view (`ViewOptions`); 640 pixels wide,
            110 high per series by default.
        filter_by: A Selection whose clauses filter the predictions (see Linking above).
        target: A Selection clicks on bars and the brush publish into.
        highlight: Fade what the selections leave out instead of removing it.

    Raises:
        EvalvizError: a column the table lacks, labels other than 0/1, an infinite score, no prediction, bad
            `bins` or `overlay`, or a source that is neither a table nor artifacts.

    Example:
        >>> import evalviz as ev
        >>> preds = ev.Data.from_sql("SELECT i % 2 AS y, (i % 2 + i / 100) / 2 AS p FROM range(100) t(i)")
        >>> chart = ev.score_histograms(preds, label="y", score="p")
    """
    options = ViewOptions(title, subtitle, width, height, legend, tip, attributes)
    if isinstance(bins, bool) or not isinstance(bins, int) or not 2 <= bins <= 200:
        raise EvalvizError(f"bins is a number of histogram bins from 2 to 200, not {bins!r}.")
    if not isinstance(overlay, bool):
        raise ArgumentTypeError(f"overlay is True or False, not {overlay!r}.")
    linking = Linking.of(filter_by, target, highlight)
    carry = [c for c in dict.fromkeys([series, *linking.wanted()]) if c is not None] if linking.active else []
    predictions = read_predictions(source, label=label, score=score, series=series, view="score_histograms",
                                   carry=carry)
    sizes = predictions.data.run(group_sizes_sql(DistributionColumns(SCORE, SERIES, LABEL, LEVELS)))
    if sizes.num_rows == 0:
        raise EvalvizError("score_histograms has no prediction to draw: every row's label or score is NULL or NaN.")
    columns, said = drawn_groups(DistributionColumns(SCORE, SERIES, LABEL, LEVELS), sizes, "series")
    low, high = predictions.data.run(range_sql(columns)).to_pylist()[0].values()
    if (far := max(low, high, key=abs)) and abs(far) > MAX_MAGNITUDE:
        raise ColumnTypeError(f"A score of {far:g} is beyond ±{MAX_MAGNITUDE:.0e}: the span of its bins overflows. "
                              "Rescale the scores first, or filter such rows out.")
    span = (0.0, 1.0) if low >= 0 and high <= 1 else None
    links = sample_links(predictions.data, linking, SERIES, (series,)) if linking.active else None
    table, drawn = linked_histogram(predictions.data, columns, bins, span, links,
                                    brush=score if isinstance(score, str) else None)
    titles = Titles(score if isinstance(score, str) else "score", predictions.series_title, label)
    groups = list(dict.fromkeys(table["panel"].to_pylist()))
    color = color_encoding("color", list(LEVELS), options.legend_title(label), legend=options.legend_on)
    if color["legend"] is not None:
        color["legend"] = {"labelExpr": CLASS_NAMES}
    said = [f"{bins} bins from {table['lo'][0].as_py():.4g} to {table['hi'][0].as_py():.4g}, shared by every panel.",
            *said]
    if predictions.left_out:
        said.append(f"{rows_text(predictions.left_out)} without a label or score (NULL or NaN) left out.")
    return histogram_component(table, titles, groups, color, options, said, overlay=overlay, links=drawn)
