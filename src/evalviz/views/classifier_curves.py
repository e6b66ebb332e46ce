"""`roc_curve` and `pr_curve`: a classifier's curves, one per series (scorer or model), each area in the legend."""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from evalviz.analysis.arguments import Resampling, check_resampling
from evalviz.analysis.classifier_curves import (
    GRID,
    PR,
    ROC,
    CurveKind,
    Ranking,
    bootstrap_band,
    by_series,
    kept_vertices,
    rank,
)
from evalviz.charts import Interaction, Layer, LayerChart
from evalviz.data.numpy_arrow import column, repeated_text, table, text
from evalviz.errors import EmptyDataError, EvalvizError
from evalviz.query.classifier_curves import class_scores_sql
from evalviz.rendering.component import Component
from evalviz.rendering.contract import TooltipRow
from evalviz.views.chart import title_spec
from evalviz.views.colors import check_series_count
from evalviz.views.formatting import COUNT_FORMAT, count_text
from evalviz.views.linking import Linking
from evalviz.views.marks import areas, lines, points, rules
from evalviz.views.options import NOT_GIVEN, Legend, ViewOptions, checks_arguments
from evalviz.views.predictions import SERIES as PREDICTED_SERIES
from evalviz.views.predictions import Predictions, PredictionSource, carried, read_predictions
from evalviz.views.sample_filters import sample_links, with_series_fields

if TYPE_CHECKING:
    from evalviz.interaction.selection import Selection

CURVE, SERIES, BAND, CHANCE = "curve", "series", "band", "chance"  # the datasets
MAX_POINTS = 2000  # vertices drawn per curve at most
UNDEFINED_NAMED = 3  # series without a curve named in the subtitle at most
N_RESAMPLES = 200
WIDTH, HEIGHT = 480, 520
RATE_FORMAT, AREA_FORMAT, THRESHOLD_FORMAT = ".4f", ".3f", ".6~g"
BASELINE_COLOR = "#888"
NOT_DECOMPOSABLE = ("{column} varies within a series, and a curve and its area cannot be recomputed from what the "
                    "page holds")
_LAST_RANKED: dict[tuple[object, ...], list[tuple[str, Ranking]]] = {}  # by `_ranked`: one entry at most


@dataclass(frozen=True)
class SeriesCurve:
    """One series' curve: its ranked predictions, its area (None when undefined, and why), every vertex's (x, y)
    and the indices of the vertices drawn (empty when undefined)."""

    name: str
    ranking: Ranking
    area: float | None
    undefined: str | None
    x: np.ndarray
    y: np.ndarray
    kept: np.ndarray

    @property
    def positives(self) -> int:
        return int(self.ranking.positives_at.sum())

    @property
    def negatives(self) -> int:
        return int(self.ranking.negatives_at.sum())

    def entry(self, kind: CurveKind) -> str:
        """The series' legend label: "model-a (AUC 0.873)"."""
        return f"{self.name} ({kind.area_short} {self.area:{AREA_FORMAT}})"


@checks_arguments()
def roc_curve(
    source: PredictionSource,
    label: str = "label",
    score: str | Sequence[str] = "score",
    series: str | None = None,
    *,
    max_points: int = MAX_POINTS,
    ci: float | None = None,
    n_resamples: int = N_RESAMPLES,
    seed: int | None = 0,
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
    """ROC curves: the true positive rate against the false positive rate at every threshold, one curve per
    series (several scorers or models on one chart), each series' ROC AUC in its legend label, the chance
    diagonal dotted.

    Every drawn point is a vertex of the exact curve (scikit-learn's `roc_curve(drop_intermediate=False)`): the
    distinct scores of a series, highest first, with the true and false positives at or above each. The AUC
    counts every threshold (ties as half), whatever is drawn. A curve of more than `max_points` vertices draws
    its corners (the vertices scikit-learn's `drop_intermediate` keeps: the curve through them is the same) when
    they fit, else `max_points` of them spread along the curve's length; the subtitle says so. A series with
    one class only has no curve: the subtitle names it ("model-b: no positives, ROC undefined"). Hover a point
    for its threshold, rates and counts. The last predictions ranked are kept (about 40 bytes per distinct
    score) while their rows stay the same: a `pr_curve` then a `roc_curve` of them check and read the rows each,
    but sort them once.

    Linking (a table only): with `filter_by`, a filter on a column holding one value per series (`series`
    itself, a model's organisation) keeps or drops whole curves, with their prevalence lines and bands (the
    legend lists the curves left); a curve and its area are not sums of parts, so a filter on a column varying
    within a series (an epoch, a difficulty) is not applied on a standalone page: a note under the chart says
    it needs the live widget, which draws the curves again over the filtered predictions. A click on a curve's
    line or point, or on its legend entry, publishes its `series` value into `target`; with `highlight`, the
    curves left out fade instead of vanishing.

    Args:
        source: An `ev.Data` of predictions, or prediction artifacts (as `read_predictions` takes them).
        label: The column of 0/1 ground truth (a table only).
        score: The column of scores, or a list of them: one curve per scorer (a table only).
        series: The column naming each row's series (a model); with several scores, one curve per pair.
        max_points: The most vertices drawn per curve (an integer of 2 or more).
        ci: None (no band), or a confidence level: a bootstrap band of the TPR at each FPR (of 0, 0.01, ..., 1)
            around each curve, from `n_resamples` resamples of the predictions drawn from `seed`. It costs one
            pass over a series' predictions per resample: about 50 ms per resample of a million predictions
            on two cores (10 s for the default 200).
        n_resamples: The bootstrap resamples of the band (with `ci`).
        seed: The seed of the band's resamples (None: fresh entropy, a different band each time).
        title, subtitle, width, height, legend, tip, **attributes: As every view (`ViewOptions`); 480 x 520
            pixels. What is not drawn is said after a given subtitle.
        filter_by: A Selection whose clauses filter the predictions (see Linking above).
        target: A Selection clicks on curves and legend entries publish the series into.
        highlight: Fade what the selections leave out instead of removing it.

    Raises:
        EvalvizError: as `read_predictions` (a missing column, labels other than 0/1, infinite scores, no rows),
            no series with both classes, more than 10 curves to draw (the palette's colours), or a
            bad `max_points`, `ci`, `n_resamples` or `seed`.

    Example:
        >>> import evalviz as ev
        >>> preds = ev.Data.from_sql("SELECT i % 2 AS label, (i % 7) / 7 + (i % 2) / 3 AS score FROM range(100) t(i)")
        >>> chart = ev.roc_curve(preds, title="ROC")
    """
    return _curve_view(ROC, source, label=label, score=score, series=series, max_points=max_points,
                       band=_checked_band(ci, n_resamples, seed),
                       options=ViewOptions(title, subtitle, width, height, legend, tip, attributes),
                       linking=Linking.of(filter_by, target, highlight))


@checks_arguments()
def pr_curve(
    source: PredictionSource,
    label: str = "label",
    score: str | Sequence[str] = "score",
    series: str | None = None,
    *,
    max_points: int = MAX_POINTS,
    ci: float | None = None,
    n_resamples: int = N_RESAMPLES,
    seed: int | None = 0,
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
    """Precision-recall curves: precision against recall at every threshold, one curve per series, each
    series' average precision (AP) in its legend label, each series' prevalence (a random classifier's
    precision) dashed.

    Every drawn point is a vertex of the exact curve (scikit-learn's `precision_recall_curve`), from recall 0
    (precision 1, above every score) to each distinct score. The curve is drawn in steps, the area under which
    is the AP as scikit-learn's `average_precision_score` computes it over every threshold. Long curves, series
    with no positives and hovering are as in `roc_curve` ("model-b: no positives, PR curve undefined"); a
    series of positives only has precision 1 throughout. Linking is as in `roc_curve`: whole curves follow a
    filter on a column with one value per series; a column varying within a series needs the live widget.

    Args:
        source, label, score, series, max_points: As `roc_curve`.
        ci: None (no band), or a confidence level: a bootstrap band of the precision at each recall (of 0,
            0.01, ..., 1) around each curve, from `n_resamples` resamples of the predictions drawn from `seed`.
            Its cost is as in `roc_curve`.
        n_resamples, seed: As `roc_curve`.
        title, subtitle, width, height, legend, tip, **attributes: As `roc_curve`.
        filter_by, target, highlight: As `roc_curve`.

    Raises:
        EvalvizError: as `roc_curve`.

    Example:
        >>> import evalviz as ev
        >>> preds = ev.Data.from_sql("SELECT i % 2 AS y, (i % 7) / 7 + (i % 2) / 3 AS p, i % 3 AS model "
        ...                          "FROM range(300) t(i)")
        >>> chart = ev.pr_curve(preds, label="y", score="p", series="model")
    """
    return _curve_view(PR, source, label=label, score=score, series=series, max_points=max_points,
                       band=_checked_band(ci, n_resamples, seed),
                       options=ViewOptions(title, subtitle, width, height, legend, tip, attributes),
                       linking=Linking.of(filter_by, target, highlight))


def _checked_band(ci: object, n_resamples: object, seed: object) -> Resampling | None:
    """The bootstrap band's resampling, checked (None: no band)."""
    if ci is not None and (isinstance(ci, bool | np.bool_) or not isinstance(ci, numbers.Real) or not 0 < ci < 1):
        raise EvalvizError(f"ci is None (no band) or a confidence level between 0 and 1 (0.95 for a 95% band), "
                           f"not {ci!r}.")
    resampling = check_resampling(n_resamples=n_resamples, seed=seed, confidence=0.95 if ci is None else float(ci),
                                  values_per_resample=len(GRID))
    return resampling if ci is not None else None


def _checked_max_points(max_points: object) -> int:
    if isinstance(max_points, bool) or not isinstance(max_points, numbers.Integral) or max_points < 2:
        raise EvalvizError(f"max_points is the most points a curve draws, an integer of 2 or more, not "
                           f"{max_points!r}.")
    return int(max_points)


def _curve_view(kind: CurveKind, source: object, *, label: str, score: str | Sequence[str], series: str | None,
                max_points: object, band: Resampling | None, options: ViewOptions, linking: Linking) -> Component:
    """The view both curves share: read and rank the predictions, compute each series' curve, then draw."""
    max_points = _checked_max_points(max_points)
    predictions = read_predictions(source, label=label, score=score, series=series, view=kind.view,
                                   carry=carried(linking, series))
    curves = [_series_curve(kind, name, ranking, max_points) for name, ranking in _ranked(predictions)]
    drawn = [curve for curve in curves if curve.undefined is None]
    if not drawn:
        said = "; ".join(f"{curve.name}: {curve.undefined}" for curve in curves[:3])
        raise EmptyDataError(f"{kind.view} draws series of predictions with both labels, 0 and 1; none has them "
                             f"({said}). Check the label column, or the filter that made the predictions.")
    check_series_count([curve.name for curve in drawn], view=kind.view, series_title=predictions.series_title)
    notes = _notes(kind, curves, max_points, band, predictions.left_out, legend=options.legend_on)
    datasets = {CURVE: _curve_table(kind, drawn), SERIES: _series_table(kind, drawn)}
    if band is not None:
        datasets[BAND] = _band_table(kind, drawn, band)
    links = sample_links(predictions.data, linking, PREDICTED_SERIES, (series,))
    interaction = None
    if links is not None:
        links = links.constant_only(NOT_DECOMPOSABLE)
        datasets = {name: with_series_fields(t, predictions.data, links) for name, t in datasets.items()}
        interaction = links.interaction(click=("lines", "points"), legend=("lines", "entry"),
                                        also=(BAND, "prevalence"))
    if kind is ROC:
        datasets[CHANCE] = table({"x": column(np.zeros(1)), "y": column(np.zeros(1)), "x2": column(np.ones(1)),
                                  "y2": column(np.ones(1))})  # the chance diagonal
    return _chart(kind, [curve.entry(kind) for curve in drawn], datasets, predictions.series_title, options, notes,
                  interaction)


def _ranked(predictions: Predictions) -> list[tuple[str, Ranking]]:
    """Each series' name and ranked predictions, in order of name.

    The last predictions ranked are kept, by their key (`Predictions.key`), so that the curves drawn of the same
    predictions one after the other (a `pr_curve`, then a `roc_curve`) fetch and sort them once; predictions of
    other rows, read again (a file rewritten, a table updated), have another key and are ranked anew.
    """
    if predictions.key is not None and (kept := _LAST_RANKED.get(predictions.key)) is not None:
        return kept
    ranked = [(name, rank(positives, negatives))
              for name, positives, negatives in by_series(predictions.data.run(class_scores_sql()))]
    if predictions.key is not None:
        _LAST_RANKED.clear()
        _LAST_RANKED[predictions.key] = ranked
    return ranked


def _series_curve(kind: CurveKind, name: str, ranking: Ranking, max_points: int) -> SeriesCurve:
    undefined = kind.undefined(int(ranking.positives_at.sum()), int(ranking.negatives_at.sum()))
    if undefined is not None:
        return SeriesCurve(name, ranking, None, undefined, np.zeros(0), np.zeros(0), np.arange(0))
    tp, fp = ranking.tp, ranking.fp
    x, y = kind.points(tp, fp)
    return SeriesCurve(name, ranking, kind.area(tp, fp), None, x, y,
                       kept_vertices(x, y, kind.corners(tp, fp), max_points))


def _curve_table(kind: CurveKind, curves: list[SeriesCurve]) -> pa.Table:
    """The drawn vertices of every curve: series, entry, vertex (its rank: 0 is the start), threshold (NULL for
    the start), tp, fp, x, y and the series' area."""
    parts = [{"vertex": c.kept, "threshold": c.ranking.vertex_thresholds[c.kept], "tp": c.ranking.tp[c.kept],
              "fp": c.ranking.fp[c.kept], "x": c.x[c.kept], "y": c.y[c.kept], "area": np.full(len(c.kept), c.area)}
             for c in curves]
    values = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    counts = [len(curve.kept) for curve in curves]
    return table({"series": repeated_text([curve.name for curve in curves], counts),
                  "entry": repeated_text([curve.entry(kind) for curve in curves], counts),
                  **{name: column(v, missing=np.isnan(v) if name == "threshold" else None)
                     for name, v in values.items()}})


def _series_table(kind: CurveKind, curves: list[SeriesCurve]) -> pa.Table:
    """One row per drawn series: series, entry, positives, negatives, prevalence, area, thresholds."""
    positives = np.array([curve.positives for curve in curves])
    negatives = np.array([curve.negatives for curve in curves])
    return table({
        "series": text([curve.name for curve in curves]), "entry": text([curve.entry(kind) for curve in curves]),
        "positives": column(positives), "negatives": column(negatives),
        "prevalence": column(positives / (positives + negatives)),
        "area": column(np.array([curve.area for curve in curves])),
        "thresholds": column(np.array([len(curve.ranking.thresholds) for curve in curves]))})


def _band_table(kind: CurveKind, curves: list[SeriesCurve], band: Resampling) -> pa.Table:
    """The bootstrap band of every curve on the grid: series, entry, x, low, high (grid points without any
    resample's value left out)."""
    bands = [bootstrap_band(curve.ranking, kind, n_resamples=band.n_resamples, seed=band.child_seed(i),
                            confidence=band.confidence) for i, curve in enumerate(curves)]
    known = [~np.isnan(low) for low, _ in bands]
    return table({
        "series": repeated_text([curve.name for curve in curves], [int(k.sum()) for k in known]),
        "entry": repeated_text([curve.entry(kind) for curve in curves], [int(k.sum()) for k in known]),
        "x": column(np.concatenate([GRID[k] for k in known])),
        "low": column(np.concatenate([low[k] for (low, _), k in zip(bands, known, strict=True)])),
        "high": column(np.concatenate([high[k] for (_, high), k in zip(bands, known, strict=True)]))})


def _notes(kind: CurveKind, curves: list[SeriesCurve], max_points: int, band: Resampling | None,
           left_out: int, *, legend: bool) -> tuple[list[str], list[str]]:
    """(what the chart shows, what it leaves out): the first is the subtitle unless one is given."""
    where = "Legend" if legend else "Tooltips"
    shown = [f"{where}: each curve's {kind.area_name}, over every threshold." if kind is ROC else
             f"{where}: each curve's {kind.area_name} (AP: the area under its steps, as scikit-learn's "
             f"average_precision_score)."]
    shown.append("Dotted diagonal: chance." if kind is ROC else "Dashed lines: each series' prevalence.")
    if any(len(curve.ranking.thresholds) + 1 > len(curve.kept) for curve in curves if curve.undefined is None):
        shown.append(f"Curves of more than {count_text(max_points)} thresholds are drawn through "
                     f"{count_text(max_points)} of them (exact points).")
    if band is not None:
        shown.append(f"Bands: {band.confidence:.0%} bootstrap interval of the {kind.y_title.lower()} at each "
                     f"{kind.x_title.lower()} ({count_text(band.n_resamples)} resamples, seed {band.seed_label}).")
    undefined = [curve for curve in curves if curve.undefined]
    left = [f"{curve.name}: {curve.undefined}, {kind.name} undefined." for curve in undefined[:UNDEFINED_NAMED]]
    if len(undefined) > UNDEFINED_NAMED:
        left.append(f"{count_text(len(undefined) - UNDEFINED_NAMED)} more series without both labels are not "
                    f"drawn.")
    if left_out:
        left.append(f"{count_text(left_out)} prediction{'s' * (left_out != 1)} without a label or a score "
                    f"{'are' if left_out != 1 else 'is'} left out.")
    return shown, left


def _chart(kind: CurveKind, entries: list[str], datasets: dict[str, pa.Table], series_title: str,
           options: ViewOptions, notes: tuple[list[str], list[str]], interaction: Interaction | None) -> Component:
    width, height = options.sized(WIDTH, HEIGHT)
    shown, left = notes
    subtitle = " ".join([*(shown if options.subtitle is None else [options.subtitle]), *left])
    legend = {"orient": "bottom", "direction": "vertical", "labelLimit": width, "symbolType": "stroke",
              "symbolStrokeWidth": 2, "symbolOpacity": 1} if options.legend_on else None
    # Filtered, the legend lists the curves left (in the same order: entries start with the sorted names).
    order = {"sort": "ascending"} if interaction is not None and interaction.filters else {"scale": {"domain": entries}}
    color = {"field": "entry", "type": "nominal", **order, "legend": legend,
             "title": options.legend_title(f"{series_title} · {kind.area_name}")}
    chart = LayerChart(_layers(kind, color, series_title, options.tip, band=BAND in datasets), data=CURVE,
                       width=width, height=height, fit=True, title=title_spec(options.title, subtitle, width),
                       properties=options.properties(), interaction=interaction)
    return Component.from_parts(chart, datasets)


def _layers(kind: CurveKind, color: dict[str, Any], series_title: str, tip: bool, *, band: bool) -> tuple[Layer, ...]:
    """The band, the baseline, the curves and their vertices (shown on hover, with their tooltips)."""
    x = {"field": "x", "type": "quantitative", "title": kind.x_title, "scale": {"domain": [0, 1], "nice": False}}
    y = {"field": "y", "type": "quantitative", "title": kind.y_title, "scale": {"domain": [0, 1], "nice": False}}
    rows = (TooltipRow("series", series_title), TooltipRow("threshold", "Threshold (score ≥)", THRESHOLD_FORMAT),
            TooltipRow("x", kind.x_title, RATE_FORMAT), TooltipRow("y", kind.y_title, RATE_FORMAT),
            TooltipRow("tp", "True positives", COUNT_FORMAT), TooltipRow("fp", "False positives", COUNT_FORMAT),
            TooltipRow("area", kind.area_name, AREA_FORMAT))
    layers = [_baseline(kind, x, y, color, series_title, tip),
              lines("lines", x=x, y=y, color=color, order={"field": "vertex", "type": "quantitative"},
                    interpolate=kind.interpolate, strokeWidth=1.5),
              dataclasses.replace(
                  points("points", x=x, y=y, color=color, tooltip=rows if tip else None, filled=True, size=40,
                         opacity={"condition": {"param": "hover", "empty": False, "value": 1}, "value": 0}),
                  params=({"name": "hover", "select": {"type": "point", "on": "pointerover",
                                                       "clear": "pointerout"}},))]
    if band:
        said = (TooltipRow("series", series_title), TooltipRow("x", kind.x_title, RATE_FORMAT),
                TooltipRow("low", "Band low", RATE_FORMAT), TooltipRow("high", "Band high", RATE_FORMAT))
        layers.insert(0, areas("band", data=BAND, x=x, y={"field": "low", "type": "quantitative"},
                               y2={"field": "high"}, color=color, opacity=0.2, interpolate=kind.interpolate,
                               tooltip=said if tip else None))
    return tuple(layers)


def _baseline(kind: CurveKind, x: dict[str, Any], y: dict[str, Any], color: dict[str, Any], series_title: str,
              tip: bool) -> Layer:
    """ROC: the chance diagonal; PR: each series' prevalence, the precision of a classifier that guesses."""
    if kind is ROC:
        return rules("chance", data=CHANCE, x=x, y=y, x2={"field": "x2"}, y2={"field": "y2"}, color=BASELINE_COLOR,
                     strokeDash=[2, 3])
    said = (TooltipRow("series", series_title), TooltipRow("prevalence", "Prevalence (precision of chance)",
                                                           RATE_FORMAT),
            TooltipRow("positives", "Positives", COUNT_FORMAT), TooltipRow("negatives", "Negatives", COUNT_FORMAT))
    return rules("prevalence", data=SERIES, y={**y, "field": "prevalence"}, color=color, strokeDash=[5, 4],
                 strokeWidth=1, opacity=0.8, tooltip=said if tip else None)
