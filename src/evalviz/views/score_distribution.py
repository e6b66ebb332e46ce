"""`score_distribution`: per-sample values by model or class, as violins, boxes, jittered strips or histograms."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, get_args

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.charts import ConcatChart, Interaction, LayerChart
from evalviz.data.table import Data
from evalviz.errors import ArgumentTypeError, ColumnTypeError, EmptyDataError, EvalvizError
from evalviz.query.distributions import (
    MAX_MAGNITUDE,
    DistributionColumns,
    density_sql,
    group_sizes_sql,
    histogram_sql,
    left_out_sql,
    outliers_sql,
    split_levels_sql,
    summary_sql,
    unplaceable_sql,
)
from evalviz.query.scatter import ScatterColumns, sample_sql, strata_sql
from evalviz.rendering.component import Component
from evalviz.views.chart import title_spec
from evalviz.views.distribution_marks import (
    SHARED_PANELS,
    Titles,
    box_layers,
    color_encoding,
    histogram_panels,
    parts,
    strip_layers,
    violin_panels,
)
from evalviz.views.formatting import count_text
from evalviz.views.grid import check_numeric
from evalviz.views.linking import Interval, Linking
from evalviz.views.options import NOT_GIVEN, Legend, ViewOptions, checks_arguments
from evalviz.views.roles import MODEL, MODEL_DISPLAY, fallback_column
from evalviz.views.sample_filters import MAX_PARTS, SampleLinks, recounted, sample_links, with_group_fields

if TYPE_CHECKING:
    from evalviz.data.table import Data as Table
    from evalviz.interaction.selection import Selection

Kind = Literal["violin", "box", "strip", "histogram"]
KINDS = get_args(Kind)
KDE_POINTS = 100  # grid points of each density
KDE_MAX_VALUES = 4000  # values a density is estimated from at most, per group (a deterministic sample beyond)
MAX_OUTLIERS = 50  # outliers drawn per box at most: the furthest from it
MAX_POINTS = 5000  # points a strip draws at most
POINTS_CEILING = 100_000  # the most points any chart of samples draws, whatever max_points asks
MAX_GROUPS = 30  # groups (panels, boxes, strips) a chart draws at most: those with the most values
WIDTH, HEIGHT, PANEL_HEIGHT = 640, 360, 110
NOT_DECOMPOSABLE = ("{{column}} varies within a group, and a {marks} cannot be recomputed from what the page holds")
HIGHLIGHT = "a highlight fades whole bins"


@checks_arguments()
def score_distribution(
    data: Data,
    value: str,
    by: str | None = MODEL_DISPLAY,
    kind: Kind = "violin",
    split: str | None = None,
    *,
    bins: int = 20,
    overlay: bool = True,
    max_points: int = MAX_POINTS,
    seed: int = 0,
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
    """Per-sample values by model or class: a violin, box, jittered strip or histogram per group.

    Everything is computed in DuckDB and only what is drawn leaves it:

    - "violin": a Gaussian kernel density estimate per group on 100 points from its least to its greatest value,
      bandwidth by Scott's rule (as scipy.stats.gaussian_kde), from at most 4,000 values per group (a
      deterministic sample beyond); every violin is scaled by the chart's greatest density, so equal areas hold
      equal shares. The box from Q1 to Q3 and the median are drawn inside. A group whose values are all equal
      has no violin, only its median.
    - "box": quartiles by `quantile_cont` (linear, as numpy.percentile), whiskers to the furthest values within
      1.5 IQR of the box, and the values beyond as points (at most 50 per box, the furthest).
    - "strip": every value as a point jittered across its group's band; beyond `max_points`, a deterministic
      sample keeping each group's share (the subtitle says how many are shown).
    - "histogram": one panel per group over the same `bins` bin edges, from the least to the greatest value.

    `split` names a column of exactly two levels: each violin is then two halves (the first level left, the
    second right), each its colour; boxes stand side by side; a strip's points and a histogram's bars take the
    level's colour. NULL or NaN values are left out and counted in the subtitle; an infinite value is refused.
    Hover a group for its values, mean and quartiles.

    Linking: with `filter_by`, the page filters what it draws as DuckDB would over the filtered rows, or says it
    cannot. A filter on a column holding one value per group (`by` itself, a model's organisation) keeps or drops
    whole groups: their violins, boxes, strips or histogram panels (boxes and strips leave no empty band; a
    violin's panel is left empty). A strip's points are rows, so any column filters them exactly. A histogram's
    bins are counts: for a column varying within a group (an epoch, a difficulty) the page ships the counts per
    bin and value of that column (up to 200,000 rows) and adds up those kept, so each bar is the count of the
    filtered rows in that bin (bins keep their edges). A violin's density and a box's quartiles cannot be
    recomputed from counts: a filter on a column varying within a group is then not applied, and a note under the
    chart says it needs the live widget (which draws the chart again over the filtered rows). A click on a
    group's mark publishes its `by` value into `target`; dragging along the value axis of a strip or histogram
    brushes a range of `value`, published as a "range" clause.

    Args:
        data: A table of one row per sample (inspect_ai's `samples_df`).
        value: The column of values (numbers: a score, tokens, time).
        by: The column of groups (models, classes); falls back to `model` when `model_display_name` is absent;
            None draws one group.
        kind: "violin", "box", "strip" or "histogram".
        split: A column of exactly two levels, drawn as the halves of each violin (None: no split).
        bins: Histogram bins (2 to 200).
        overlay: A split histogram's levels overlaid (True) or side by side in each bin (False).
        max_points: The most points a strip draws.
        seed: The seed of a strip's subsample and of the values a large group's density is estimated from.
        title, subtitle, width, height, legend, tip, **attributes: As every view (`ViewOptions`); 640 x 360 by
            default (histograms: 110 pixels high per group).
        filter_by: A Selection whose clauses filter the rows drawn (see Linking above).
        target: A Selection clicks on groups and the brush publish into.
        highlight: Fade what the selections leave out instead of removing it.

    Raises:
        EvalvizError: an unknown `kind`, a column the table lacks, values that are not numbers or are infinite,
            a `split` without exactly two levels (naming them), bad `bins`, `max_points` or `seed`, or no value.

    Example:
        >>> import evalviz as ev
        >>> samples = ev.Data.from_file("examples/data/samples.parquet")
        >>> chart = ev.score_distribution(samples, "total_time", split="score_match")
    """
    options = ViewOptions(title, subtitle, width, height, legend, tip, attributes)
    _check_choices(kind, bins, max_points, seed, overlay)
    by = fallback_column(data, by, MODEL_DISPLAY, MODEL) if by is not None else None
    data.require_columns(value, by, split, purpose="score_distribution")
    data.require_rows()
    check_numeric(data, value, "value")
    refuse_unplaceable(data, value, "value")
    columns = DistributionColumns(value, by, split, _levels(data, split) if split else None)
    sizes = data.run(group_sizes_sql(columns))
    if sizes.num_rows == 0:
        raise EmptyDataError(f"score_distribution has no value of {value!r} to draw: every row's is NULL or NaN"
                             f"{' or its ' + repr(split) + ' is NULL' if split else ''}.")
    columns, said = drawn_groups(columns, sizes)
    links = sample_links(data, Linking.of(filter_by, target, highlight), by, (by,))
    summary = data.run(summary_sql(columns))
    titles = Titles(value, by or "Values", split)
    groups = list(dict.fromkeys(summary["group"].to_pylist()))
    said += _left_out_notes(data.run(left_out_sql(columns)).to_pylist()[0], split)
    draw = {"violin": _violins, "box": _boxes, "strip": _strip, "histogram": _histograms}[kind]
    return draw(data, columns, summary, titles, groups, options, said, bins=bins, overlay=overlay,
                max_points=max_points, seed=seed, links=links)


def _check_choices(kind: object, bins: object, max_points: object, seed: object, overlay: object) -> None:
    if kind not in KINDS:
        raise EvalvizError(f"kind is one of {', '.join(repr(k) for k in KINDS)}, not {kind!r}.")
    if isinstance(bins, bool) or not isinstance(bins, int) or not 2 <= bins <= 200:
        raise EvalvizError(f"bins is a number of histogram bins from 2 to 200, not {bins!r}.")
    if isinstance(max_points, bool) or not isinstance(max_points, int) or not 1 <= max_points <= POINTS_CEILING:
        raise EvalvizError(f"max_points is the most points a strip draws, from 1 to {count_text(POINTS_CEILING)}, "
                           f"not {max_points!r}.")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise EvalvizError(f"seed is a non-negative integer, not {seed!r}.")
    if not isinstance(overlay, bool):
        raise ArgumentTypeError(f"overlay is True or False, not {overlay!r}.")


def refuse_unplaceable(data: Data, column: str, role: str) -> None:
    """Refuse a value that cannot be drawn, naming its row: an infinite one has no place on an axis, in a density
    or a bin, and one beyond ±MAX_MAGNITUDE overflows a variance, a kernel or the span of an axis."""
    if not (bad := data.run(unplaceable_sql(column)).to_pylist()):
        return
    value, row = bad[0]["value"], bad[0]["row"]
    if math.isinf(value):
        raise ColumnTypeError(
            f"The {role} column {column!r} holds {value} at row {row}: an infinite value has no place on an axis. "
            "Keep only the finite values first (Data.filter with isfinite), or cap them.")
    raise ColumnTypeError(
        f"The {role} column {column!r} holds {value:g} at row {row}: a value beyond ±{MAX_MAGNITUDE:.0e} overflows "
        f"the statistics drawn (a variance, a density, the span of an axis). Rescale the column first (e.g. "
        f"data.derive(\"SELECT * REPLACE ({column} / 1e9 AS {column}) FROM this\")), or filter such rows out.")


def drawn_groups(columns: DistributionColumns, sizes: pa.Table,
                 kinds: str = "groups") -> tuple[DistributionColumns, list[str]]:
    """The columns restricted to the MAX_GROUPS groups (`kinds`: "groups", "series") with the most values
    (`group_sizes_sql`'s first rows) when there are more, and the note saying so (none when all are drawn)."""
    if sizes.num_rows <= MAX_GROUPS:
        return columns, []
    kept = sizes["group"].to_pylist()[:MAX_GROUPS]
    left = pc.sum(sizes["n"][MAX_GROUPS:]).as_py()
    return replace(columns, groups=tuple(kept)), [
        f"The {MAX_GROUPS} {kinds} with the most values drawn, of {count_text(sizes.num_rows)}; the "
        f"{rows_text(left)} of the others are not (filter the data to draw them)."]


def sample_notes(strata: pa.Table, shown: int, by: str | None, things: str, kinds: str) -> list[str]:
    """What a sample (`query.scatter.strata_sql`'s strata: m rows, k drawn) left out: "300 of 960 samples shown,
    stratified by model.", and the strata (`kinds`, e.g. "groups") without a point when there are more of them
    than points."""
    total = pc.sum(strata["m"]).as_py()
    if shown >= total:
        return []
    how = f"stratified by {by}" if by else "a deterministic random sample"
    said = [f"{count_text(shown)} of {count_text(total)} {things} shown, {how}."]
    if empty := pc.sum(pc.equal(strata["k"], 0)).as_py():
        said.append(f"{count_text(empty)} of {count_text(strata.num_rows)} {kinds} have no point: there are more "
                    f"{kinds} than points (one point each of the {count_text(shown)} largest).")
    return said


def rows_text(count: int) -> str:
    """A count of rows as text: "1 row", "2,000 rows"."""
    return f"{count_text(count)} row{'' if count == 1 else 's'}"


def _levels(data: Data, split: str) -> tuple[str, str]:
    """The split's two levels, in order; anything but two is refused, naming the levels."""
    levels = data.run(split_levels_sql(split))["level"].to_pylist()
    if len(levels) != 2:
        named = ", ".join(repr(level) for level in levels[:3]) + (", ..." if len(levels) > 3 else "")
        found = f"{'only ' if len(levels) == 1 else ''}{named}" if levels else "no level (every row is NULL)"
        raise EvalvizError(f"split draws two levels as the halves of each violin, but {split!r} has {found}. "
                           "Give a column of exactly two values (e.g. correct or not), or filter the data first.")
    return levels[0], levels[1]


def _left_out_notes(left_out: dict[str, int], split: str | None) -> list[str]:
    said = []
    if left_out["missing"]:
        said.append(f"{rows_text(left_out['missing'])} without a value (NULL or NaN) left out.")
    if left_out["unsplit"]:
        said.append(f"{rows_text(left_out['unsplit'])} without a {split} level left out.")
    return said


def _color(titles: Titles, columns: DistributionColumns, groups: list[str], options: ViewOptions,
           field: str) -> dict[str, Any]:
    """The split's levels in two colours with a legend, or the groups' colours without one."""
    if columns.levels:
        return color_encoding(field, list(columns.levels), options.legend_title(titles.split or ""),
                              legend=options.legend_on)
    return color_encoding(field, groups, None, legend=False)


def _single(layers: tuple, datasets: dict[str, pa.Table], data_name: str, options: ViewOptions,
            said: list[str], interaction: Interaction | None = None) -> Component:
    width, height = options.sized(WIDTH, HEIGHT)
    title = title_spec(options.title, _subtitle(options, said), width)
    chart = LayerChart(layers, data=data_name, width=width, height=height, fit=True, title=title,
                       properties=options.properties(), interaction=interaction)
    return Component.from_parts(chart, datasets)


def _subtitle(options: ViewOptions, said: list[str]) -> str | None:
    return " ".join([options.subtitle, *said] if options.subtitle is not None else said) or None


def _violins(data: Data, columns: DistributionColumns, summary: pa.Table, titles: Titles, groups: list[str],
             options: ViewOptions, said: list[str], *, seed: int, links: SampleLinks | None, **_: Any) -> Component:
    density = data.run(density_sql(columns, points=KDE_POINTS, max_values=KDE_MAX_VALUES, seed=seed))
    interaction = None
    if links is not None:
        links = links.constant_only(NOT_DECOMPOSABLE.format(marks="violin (a density)"))
        density, summary = (with_group_fields(t, data, links, columns.value) for t in (density, summary))
        interaction = links.interaction(click=("violin", "quartiles", "median"))
    width, height = options.sized(WIDTH, HEIGHT)
    panel_width = max(50, min(160, (width - 70) // max(1, len(groups))))
    panels, datasets = violin_panels(density, summary, titles, groups, _color(titles, columns, groups, options,
                                                                              "half" if columns.levels else "group"),
                                     height=height - 60, panel_width=panel_width, tip=options.tip,
                                     interaction=interaction)
    notes = ["Violins: Gaussian kernel density, bandwidth by Scott's rule, cut at each group's least and greatest "
             "value; inside, the box from Q1 to Q3 and the median."]
    if pc.any(pc.and_(pc.greater(summary["n"], KDE_MAX_VALUES), pc.not_equal(summary["min"], summary["max"]))).as_py():
        notes.append(f"Each density is estimated from at most {count_text(KDE_MAX_VALUES)} values (a sample).")
    if flat := pc.sum(pc.equal(summary["min"], summary["max"])).as_py():
        what = "half" if columns.levels else "group"
        notes.append(f"{flat} {what}{'s' if flat > 1 else ''} with all values equal: median only.")
    title = title_spec(options.title, _subtitle(options, notes + said), width)
    chart = ConcatChart("hconcat", panels, properties={"resolve": SHARED_PANELS, "spacing": 4,
                                                       **({"title": title} if title else {}), **options.properties()})
    return Component.from_parts(chart, datasets)


def _boxes(data: Data, columns: DistributionColumns, summary: pa.Table, titles: Titles, groups: list[str],
           options: ViewOptions, said: list[str], *, links: SampleLinks | None, **_: Any) -> Component:
    outliers = data.run(outliers_sql(columns, MAX_OUTLIERS))
    interaction = None
    if links is not None:
        links = links.constant_only(NOT_DECOMPOSABLE.format(marks="box (quartiles)"))
        summary, outliers = (with_group_fields(t, data, links, columns.value) for t in (summary, outliers))
        interaction = links.interaction(click=("boxes", "whiskers", "medians", "outliers"))
    layers = box_layers(titles, groups, _color(titles, columns, groups, options, "half" if columns.levels
                                               else "group"), tip=options.tip,
                        follow=links is not None and links.follows)
    notes = ["Boxes from Q1 to Q3 with the median; whiskers reach the furthest values within 1.5 IQR."]
    total = pc.sum(summary["n_outliers"]).as_py() or 0
    if total > outliers.num_rows:
        notes.append(f"{count_text(outliers.num_rows)} of {count_text(total)} outliers drawn (the furthest "
                     f"{MAX_OUTLIERS} per box).")
    return _single(layers, {"boxes": parts({"summary": summary, "outlier": outliers})}, "boxes", options,
                   notes + said, interaction)


def _strip(data: Data, columns: DistributionColumns, summary: pa.Table, titles: Titles, groups: list[str],
           options: ViewOptions, said: list[str], *, max_points: int, seed: int, links: SampleLinks | None,
           **_: Any) -> Component:
    scatter = ScatterColumns(columns.value, group=columns.by, color=columns.split or columns.by,
                             stratify_by=columns.by, present=(columns.split,) if columns.split else (),
                             strata=columns.groups, filters=links.shipped if links else ())
    shown = data.run(sample_sql(scatter, max_points=max_points, seed=seed, text_length=0))
    layers = strip_layers(titles, groups, _color(titles, columns, groups, options, "color"), tip=options.tip,
                          follow=links is not None and links.follows)
    strata = data.run(strata_sql(scatter, max_points=max_points))
    interaction = None
    if links is not None:  # each point is a row: every column shipped filters it exactly
        links.linking.publishes(columns.value)
        interaction = links.interaction(click=("points",), interval=Interval("points", "y", "y", columns.value))
    return _single(layers, {"points": shown}, "points", options,
                   [*sample_notes(strata, shown.num_rows, columns.by, "values", "groups"), *said], interaction)


def _histograms(data: Data, columns: DistributionColumns, summary: pa.Table, titles: Titles, groups: list[str],
                options: ViewOptions, said: list[str], *, bins: int, overlay: bool, links: SampleLinks | None,
                **_: Any) -> Component:
    table, drawn = linked_histogram(data, columns, bins, None, links, brush=columns.value)
    return histogram_component(table, titles, groups, _color(titles, columns, groups, options, "color"), options,
                               [f"{bins} bins shared by every panel.", *said], overlay=overlay, links=drawn)


def linked_histogram(data: Table, columns: DistributionColumns, bins: int, span: tuple[float, float] | None,
                     links: SampleLinks | None, *, brush: str | None) -> tuple[pa.Table, HistogramLinks | None]:
    """`histogram_sql`'s bins of `data`, and how the chart answers its selections: the columns with one value per
    group shipped with the bins; with columns varying within a group, the bins counted per value of the filter
    columns too (at most MAX_PARTS rows, beyond which those columns are not answered), which the page adds up
    again after filtering (`HistogramLinks.interaction`). `brush`: the source column of the values, which a brush
    publishes a range of (None: no brush)."""
    if links is None:
        return data.run(histogram_sql(columns, bins, span)), None
    if links.linking.highlight:  # a faded bar is a whole bin: the parts of one cannot be faded apart
        links = links.constant_only(f"{{column}} varies within a group, and {HIGHLIGHT}")
    if links.varying:
        counted = data.run(histogram_sql(replace(columns, filters=links.shipped), bins, span, limit=MAX_PARTS + 1))
        if counted.num_rows <= MAX_PARTS:
            return counted, HistogramLinks(links, brush, regrouped=True)
        links = links.constant_only(f"{{column}} varies within a group in more than {MAX_PARTS:,} combinations "
                                    "of bins and values")
    table = with_group_fields(data.run(histogram_sql(columns, bins, span)), data, links, columns.value, "panel")
    return table, HistogramLinks(links, brush)


@dataclass(frozen=True)
class HistogramLinks:
    """How a histogram takes part in selections: its links, the source column of its values (what its brush
    publishes a range of), and whether its bins are counted per filter value (`regrouped`: added up again on the
    page)."""

    links: SampleLinks
    value: str | None
    regrouped: bool = False

    def interactions(self) -> tuple[Interaction | None, Interaction | None]:
        """The interaction of every panel, and the same with a brush along the values (the last panel's)."""
        links = self.links
        drawn: dict[str, Any] = {}
        if self.regrouped:
            constant = tuple(f for c, f in links.fields.items() if c not in links.varying)
            drawn = {"then": recounted(("panel", "color", "side", "bin", "x0", "x1", "lo", "hi", *constant),
                                       total=("panel", "color"))}
        links.linking.publishes(self.value)
        interval = Interval("bins", "x", "b0", self.value) if self.value is not None else None
        brushed = links.interaction(click=("bins",), interval=interval, **drawn)
        if brushed is None:
            return None, None
        return replace(brushed, publish=tuple(p for p in brushed.publish if p.how != "interval")), brushed


def histogram_component(table: pa.Table, titles: Titles, groups: list[str], color: dict[str, Any],
                        options: ViewOptions, said: list[str], *, overlay: bool,
                        links: HistogramLinks | None = None) -> Component:
    """Histogram panels of `histogram_sql`'s bins, one per group, under the chart's title: the one way both
    `score_distribution(kind="histogram")` and `score_histograms` draw histograms."""
    width, _ = options.sized(WIDTH, HEIGHT)
    panel_height = options.height // max(1, len(groups)) - 40 if options.height else PANEL_HEIGHT
    every, brushed = links.interactions() if links else (None, None)
    panels, datasets = histogram_panels(table, titles, color, width=width - 80, panel_height=max(40, panel_height),
                                        overlay=overlay, tip=options.tip, interaction=every, brushed=brushed)
    title = title_spec(options.title, _subtitle(options, said), width)
    chart = ConcatChart("vconcat", panels, properties={"resolve": SHARED_PANELS, **({"title": title} if title else {}),
                                                       **options.properties()})
    return Component.from_parts(chart, datasets)
