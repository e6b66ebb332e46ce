"""`confusion_grid`: a binary classifier's confusion matrix at a threshold, per series and per slice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.charts import ConcatChart, Interaction, Layer, LayerChart
from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.query.confusion import NORMALIZE, Normalize, confusion_parts_sql, confusion_sql
from evalviz.rendering.component import Component
from evalviz.rendering.contract import TooltipRow
from evalviz.views.cell_text import CellText, hidden_values_note, needed_size
from evalviz.views.chart import CONCAT_SPACING, panel_title, panel_width, text_width, title_spec, wrapped_title
from evalviz.views.colors import MISSING_COLOR
from evalviz.views.font_metrics import BOLD_WIDENING, drawn_width
from evalviz.views.formatting import COUNT_FORMAT, count_text
from evalviz.views.grid_layout import LEGEND_TITLE_FONT_SIZE
from evalviz.views.linking import Linking
from evalviz.views.marks import cells, text
from evalviz.views.options import NOT_GIVEN, Legend, ViewOptions, checked_number, checks_arguments, did_you_mean
from evalviz.views.predictions import SERIES, SLICE, carried, read_predictions
from evalviz.views.sample_filters import MAX_PARTS, SampleLinks, sample_links

if TYPE_CHECKING:
    from evalviz.interaction.selection import Selection

DATASET = "cells"
MAX_PANELS = 60  # panels (series x slices) drawn at most: more would not be read one by one
PANEL = 170  # pixels: each panel's plot, square (narrower by default when a row of them would not fit a page)
CELL_FONT_SIZE = 12  # pixels: a cell's name, count and share
PANEL_TITLE_FONT_SIZE = 11
AXIS_TITLE_FONT_SIZE = 11  # pixels, bold: Vega's
AXIS_ROOM = 34  # pixels of width a panel's y axis takes besides its labels (ticks, padding, title)
LEGEND_ROOM = 60  # pixels of width the colour legend takes besides its title (its offset, gradient and labels)
SCHEME = "blues"
CLASSES = ["negative", "positive"]  # the order of rows and columns: scikit-learn's [0, 1]
RATE_FORMAT, SHARE_FORMAT = ".3f", ".1%"
SHARE_TITLES = {"true": "Share of actual class", "pred": "Share of predicted class", "all": "Share of all"}
# What each panel's colour, text and axes share across panels.
SHARED = {"scale": {"color": "shared", "x": "shared", "y": "shared"}, "legend": {"color": "shared"}}


@checks_arguments()
def confusion_grid(
    source: object,
    label: str = "label",
    score: str | Sequence[str] = "score",
    series: str | None = None,
    threshold: float = 0.5,
    slice: str | None = None,  # the name for the column of slices (shadows the builtin here only)
    normalize: str | None = None,
    *,
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
    """Counts of a binary classifier at a threshold: a 2 x 2 grid (actual class down, predicted class across,
    negative first, as `sklearn.metrics.confusion_matrix(y, score >= threshold, labels=[0, 1])` lays it out) per
    series, and per slice when `slice` names a column (series in rows, slices in columns).

    A prediction is positive when its score is at least `threshold`. Counts run in DuckDB; a cell without
    predictions is drawn as a 0. Each cell writes its name (TN, FP, FN, TP) and count, and with `normalize` its
    share: of its actual class ("true": a row sums to 100%), of its predicted class ("pred": a column does) or of
    all the panel's predictions ("all"), as scikit-learn normalises; where that total is 0 the share is undefined
    and written "–" (scikit-learn writes 0); cells too small for their text write none, and the subtitle says so
    (and the width that writes it). Cells are coloured by the share when normalised, else by the count,
    on one scale for every panel. Hover a cell for its count and share and its panel's precision, recall (true
    positive rate), false positive rate and accuracy (a rate whose denominator is 0 is left out). Rows without a
    label or a score are not drawn (the subtitle says how many).

    Linking (a table only): with `filter_by`, each panel ships its counts per value of the filter columns (up to
    200,000 rows), which the page filters and adds up again: after any filter, on a column with one value per
    panel (`series`, `slice`, a model's organisation) or varying within one (an epoch), each cell's count, share
    and its panel's rates are those of the filtered predictions, as scikit-learn counts them (a cell left empty
    is a 0; a panel left empty is blank). With `highlight` (whole panels fade) a column varying within a panel,
    or beyond that size, is not applied: a note under the chart says it needs the live widget. A click on a
    cell publishes its panel's `series` (and `slice`) values into `target`.

    Args:
        source: Predictions: an `ev.Data` or dataframe with label and score columns, or prediction artifacts
            (see `evalviz.views.predictions.read_predictions`).
        label: The column of 0/1 ground truth.
        score: The column of scores, or a list of them (one series each).
        series: The column naming each row's series (a model, a scorer).
        threshold: The score from which a prediction is positive (score >= threshold), a finite number.
        slice: A column of the table whose values each get their own panels (e.g. a difficulty).
        normalize: None (counts), "true", "pred" or "all" (shares, as scikit-learn's `normalize`).
        title, subtitle, width, height, legend, tip, **attributes: As every view (`ViewOptions`): `width` and
            `height` are each panel's plot (170 x 170 by default, narrower when a row of panels would be wider than
            a page shows); what is left out is said after a given subtitle.
        filter_by: A Selection whose clauses filter the predictions (see Linking above).
        target: A Selection clicks on cells publish their panel's series and slice into.
        highlight: Fade what the selections leave out instead of removing it.

    Raises:
        EvalvizError: `threshold` not a finite number, `normalize` other than None, "true", "pred" or "all",
            more than 60 panels, `slice` given with prediction artifacts, or what `read_predictions` refuses
            (missing columns, labels other than 0/1, no rows).

    Example:
        >>> import evalviz as ev
        >>> preds = ev.Data.from_sql("SELECT (i % 7 < 3)::INT AS label, (i % 10) / 10 AS score, "
        ...                          "['easy', 'hard'][i % 2 + 1] AS difficulty FROM range(200) t(i)")
        >>> chart = ev.confusion_grid(preds, threshold=0.4, slice="difficulty", normalize="true")
    """
    options = ViewOptions(title, subtitle, width, height, legend, tip, attributes)
    cut = checked_number("threshold", threshold)
    share_of = _checked_normalize(normalize)
    linking = Linking.of(filter_by, target, highlight)
    predictions = read_predictions(source, label=label, score=score, series=series, view="confusion_grid",
                                   slice_by=slice, carry=carried(linking, series, slice))
    table = predictions.data.run(confusion_sql(cut, share_of, sliced=slice is not None))
    panels = _panels(table)
    links = sample_links(predictions.data, linking, (SERIES, SLICE) if slice is not None else SERIES,
                         (series, slice))
    linked = _linked(predictions.data, links, cut, share_of, sliced=slice is not None)
    said = [f"Predicted positive: score \u2265 {cut:g}."]
    if share_of and (table["share"].null_count or linked is not None):
        said.append("Grey: no share, for want of predictions of that class.")
    if predictions.left_out:
        said.append(f"{count_text(predictions.left_out)} prediction{'s' if predictions.left_out > 1 else ''} "
                    f"without a label or score {'are' if predictions.left_out > 1 else 'is'} not drawn.")
    text_ = " ".join([options.subtitle, *said] if options.subtitle is not None else said)
    return _chart(table, panels, options, text_, cut=cut, share_of=share_of,
                  titles=(predictions.series_title, slice), linked=linked)


def _linked(data: Data, links: SampleLinks | None, cut: float, share_of: Normalize | None, *,
            sliced: bool) -> tuple[pa.Table, Interaction | None] | None:
    """The counts each panel ships, per cell and value of the filter columns, and the interaction adding them up
    again after filtering (`_recounted`); None when the chart is in no selection."""
    if links is None:
        return None
    if links.linking.highlight:  # a faded cell is a whole cell: its parts cannot be faded apart
        links = links.constant_only("{column} varies within a panel, and a highlight fades whole panels")
    parts = data.run(confusion_parts_sql(cut, sliced=sliced, filters=links.shipped, limit=MAX_PARTS + 1))
    if parts.num_rows > MAX_PARTS:
        links = links.constant_only(f"{{column}} varies within a panel in more than {MAX_PARTS:,} combinations "
                                    "of cells and values")
        parts = data.run(confusion_parts_sql(cut, sliced=sliced, filters=links.shipped, limit=MAX_PARTS + 1))
    constant = tuple(f for c, f in links.fields.items() if c not in links.varying)
    return parts, links.interaction(click=("cells", "counts"), then=_recounted(share_of, constant))


def _recounted(share_of: Normalize | None, constant: tuple[str, ...]) -> tuple[dict[str, Any], ...]:
    """The Vega-Lite transforms turning a panel's filtered counts (`confusion_parts_sql`) into its four cells, as
    `confusion_sql` computes them: counts added up per cell (a cell without any is a 0), then shares and rates."""
    panel = ["series", "slice", *constant]
    over = {"true": ["actual"], "pred": ["predicted"]}.get(share_of or "all", [])
    rates = {"precision": ("datum.tp", "datum.tp + datum.fp"), "recall": ("datum.tp", "datum.tp + datum.fn"),
             "fpr": ("datum.fp", "datum.fp + datum.tn"), "accuracy": ("datum.tp + datum.tn", "datum.n")}
    return (
        {"calculate": "datum.actual * 2 + datum.predicted", "as": "k"},
        {"aggregate": [{"op": "sum", "field": "count", "as": "count"}], "groupby": [*panel, "k"]},
        {"impute": "count", "key": "k", "keyvals": [0, 1, 2, 3], "groupby": panel, "value": 0},
        {"calculate": "floor(datum.k / 2)", "as": "actual"},
        {"calculate": "datum.k % 2", "as": "predicted"},
        {"calculate": "datum.actual === 1 ? 'positive' : 'negative'", "as": "actual_text"},
        {"calculate": "datum.predicted === 1 ? 'positive' : 'negative'", "as": "predicted_text"},
        {"calculate": "['TN', 'FP', 'FN', 'TP'][datum.k]", "as": "cell"},
        *({"calculate": f"datum.cell === '{cell.upper()}' ? datum.count : 0", "as": f"c_{cell}"}
          for cell in ("tp", "fp", "fn", "tn")),
        {"joinaggregate": [{"op": "sum", "field": "count", "as": "n"}, {"op": "sum", "field": "count", "as": "whole"},
                           *({"op": "sum", "field": f"c_{c}", "as": c} for c in ("tp", "fp", "fn", "tn"))],
         "groupby": panel},
        *([{"joinaggregate": [{"op": "sum", "field": "count", "as": "whole"}], "groupby": [*panel, *over]}]
          if over else []),
        {"calculate": "datum.whole > 0 ? datum.count / datum.whole : null", "as": "share"},
        *({"calculate": f"({whole}) > 0 ? ({part}) / ({whole}) : null", "as": name}
          for name, (part, whole) in rates.items()),
    )


def _checked_normalize(normalize: object) -> Normalize | None:
    if normalize is not None and normalize not in NORMALIZE:
        raise EvalvizError(f"normalize is None (counts), 'true' (shares of each actual class), 'pred' (of each "
                           f"predicted class) or 'all', not {normalize!r}.{did_you_mean(normalize, NORMALIZE)}")
    return normalize  # type: ignore[return-value]


def _panels(table: pa.Table) -> list[tuple[str, str | None]]:
    """The (series, slice) of each panel, in order; refused when there are too many to read."""
    keys = list(dict.fromkeys(zip(table["series"].to_pylist(), table["slice"].to_pylist(), strict=True)))
    if len(keys) > MAX_PANELS:
        raise EvalvizError(f"confusion_grid would draw {len(keys)} panels (series x slices), more than {MAX_PANELS}"
                           f". Slice by a column of fewer values, or filter the table first, e.g. "
                           f"data.filter(\"model IN ('a', 'b')\").")
    return keys


def _chart(table: pa.Table, panels: list[tuple[str, str | None]], options: ViewOptions, subtitle: str, *,
           cut: float, share_of: Normalize | None, titles: tuple[str, str | None],
           linked: tuple[pa.Table, Interaction | None] | None) -> Component:
    """One panel per (series, slice): a row per series, its slices side by side; `linked`: each panel draws its
    shipped counts, added up again by the interaction (`_linked`)."""
    width, height = _panel_size(options, panels, share_of)
    top = (1.0 if share_of else float(pc.max(table["count"]).as_py() or 1)) or 1.0
    written = _cell_text(table, share_of)
    band = (width / len(CLASSES), height / len(CLASSES))
    if not written.fits(band):
        larger = needed_size(written, band, (0, 0), (len(CLASSES), len(CLASSES)))
        subtitle = f"{subtitle} {hidden_values_note(written, band, tip=options.tip, larger=larger)}"
    x_title = wrapped_title([f"Predicted (score \u2265 {cut:g})"], width, AXIS_TITLE_FONT_SIZE)
    layers = _layers(options, x_title, share_of=share_of, top=top, titles=titles, written=written.fits(band))
    rows: dict[str, list[LayerChart]] = {}
    for series, slice_value in panels:
        heading = [series] if slice_value is None else [series, f"{titles[1]}: {slice_value}"]
        rows.setdefault(series, []).append(LayerChart(layers, data=DATASET, width=width, height=height,
                                                      title=panel_title(heading, width + _axis_room(),
                                                                        PANEL_TITLE_FONT_SIZE),
                                                      interaction=linked[1] if linked else None))
    grid = [ConcatChart("hconcat", tuple(row), properties={"resolve": SHARED}) for row in rows.values()]
    columns = max(len(row) for row in rows.values())
    title = title_spec(options.title, subtitle, (width + _axis_room()) * columns + CONCAT_SPACING * (columns - 1))
    chart = ConcatChart("vconcat", tuple(grid), properties={"resolve": SHARED, **({"title": title} if title else {}),
                                                            **options.properties()})
    datasets = {}
    drawn = linked[0] if linked else table
    for r, row_series in enumerate(rows):
        for c, (series, slice_value) in enumerate(key for key in panels if key[0] == row_series):
            mask = pc.equal(drawn["series"], series)
            if slice_value is not None:
                mask = pc.and_(mask, pc.equal(drawn["slice"], slice_value))
            datasets[f"c{r}_c{c}_{DATASET}"] = drawn.filter(mask)
    return Component.from_parts(chart, datasets)


def _panel_size(options: ViewOptions, panels: list[tuple[str, str | None]],
                share_of: Normalize | None) -> tuple[int, int]:
    """Each panel's plot (width, height): as given, else PANEL pixels square, narrowed so that a row of panels
    with their axes and the colour legend fits a page (`panel_width`)."""
    columns = max(sum(1 for key in panels if key[0] == series) for series, _ in panels)
    title = options.legend_title(SHARE_TITLES[share_of] if share_of else "Count")
    legend = drawn_width(title, LEGEND_TITLE_FONT_SIZE) * BOLD_WIDENING + LEGEND_ROOM if options.legend_on else 0
    default = panel_width(PANEL, columns, beside=_axis_room(), side=legend)
    return options.sized(default, PANEL if options.width is not None else default)


def _axis_room() -> float:
    """The pixels of width a panel's actual-class axis takes beside its plot (its title starts there)."""
    return text_width(CLASSES) + AXIS_ROOM


def _cell_text(table: pa.Table, share_of: Normalize | None) -> CellText:
    """The text each cell writes: its name, its count and (normalised) its share, one line each, as wide as the
    widest of them; filtered counts are never larger than those measured."""
    most = int(pc.max(table["count"]).as_py() or 0)
    shares = [f"{share:.1%}" if share is not None else "\u2013" for share in pc.unique(table["share"]).to_pylist()] \
        if share_of else []
    widest = max(drawn_width(text, CELL_FONT_SIZE) for text in ("TN", "FP", f"{most:,}", *shares))
    return CellText(widest, 3 if share_of else 2, CELL_FONT_SIZE)


def _layers(options: ViewOptions, x_title: str | list[str], *, share_of: Normalize | None, top: float,
            titles: tuple[str, str | None], written: bool) -> tuple[Layer, ...]:
    """A panel's marks: the four cells coloured by count (or share), and (when `written`, as they fit) their name,
    count and share; `x_title` titles the predicted classes' axis."""
    value = "share" if share_of else "count"
    x = {"field": "predicted_text", "type": "nominal", "title": x_title,
         "scale": {"domain": CLASSES}, "axis": {"labelAngle": 0}}
    y = {"field": "actual_text", "type": "nominal", "title": "Actual", "scale": {"domain": CLASSES}}
    color = {"condition": {"test": f"!isValid(datum.{value})", "value": MISSING_COLOR},  # an undefined share
             "field": value, "type": "quantitative", "scale": {"scheme": SCHEME, "domain": [0, top]},
             "legend": {"title": options.legend_title(SHARE_TITLES[share_of] if share_of else "Count"),
                        **({"format": ".0%"} if share_of else {})} if options.legend_on else None}
    tooltip = _tooltip(share_of, titles) if options.tip else None
    share = "(isValid(datum.share) ? format(datum.share, '.1%') : '\u2013')"
    lines = ["datum.cell", "format(datum.count, ',d')", *([share] if share_of else [])]
    label = " + '\\n' + ".join(lines)  # a line break between them, in a Vega expression
    contrast = {"condition": {"test": f"isValid(datum.{value}) && datum.{value} > {0.55 * top!r}",
                              "value": "white"}, "value": "black"}
    drawn = cells("cells", x=x, y=y, color=color, tooltip=tooltip, stroke="white", strokeWidth=1, invalid="show")
    if not written:
        return (drawn,)
    return (drawn,
            text("counts", x=x, y=y, text={"field": "label", "type": "nominal"}, color=contrast, tooltip=tooltip,
                 lineBreak="\n", fontSize=CELL_FONT_SIZE, calculate={"label": label}))


def _tooltip(share_of: Normalize | None, titles: tuple[str, str | None]) -> tuple[TooltipRow, ...]:
    series_title, slice_title = titles
    return (TooltipRow("series", series_title), *((TooltipRow("slice", slice_title),) if slice_title else ()),
            TooltipRow("cell", "Cell"), TooltipRow("actual_text", "Actual"),
            TooltipRow("predicted_text", "Predicted"), TooltipRow("count", "Count", COUNT_FORMAT),
            TooltipRow("share", SHARE_TITLES[share_of or "all"], SHARE_FORMAT),
            TooltipRow("precision", "Precision", RATE_FORMAT), TooltipRow("recall", "Recall (TPR)", RATE_FORMAT),
            TooltipRow("fpr", "False positive rate", RATE_FORMAT), TooltipRow("accuracy", "Accuracy", RATE_FORMAT),
            TooltipRow("n", "Predictions", COUNT_FORMAT))
