"""The marks of distributions: violins (panels of kernel density estimates, split in halves), boxes, jittered
strips, and histograms (one panel per group), shared by `score_distribution` and `score_histograms`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.charts import Interaction, Layer, LayerChart
from evalviz.query.axes import KEY_MARK
from evalviz.rendering.contract import TooltipRow
from evalviz.views.chart import panel_title
from evalviz.views.formatting import COUNT_FORMAT, UNMARKED_LABEL
from evalviz.views.marks import areas, bars, intervals, points
from evalviz.views.marks.base import layer

VALUE_FORMAT = ".4~g"
INNER_COLOR = "#333333"
HALF_OFFSET = 0.06  # where a split violin's inner box sits, either side of the middle (in violin widths)
RANK = "group_rank"  # the datum field of a group's place on a following group axis
SHARED_PANELS = {"scale": {"x": "shared", "y": "shared", "color": "shared"}, "legend": {"color": "shared"}}


@dataclass(frozen=True)
class Titles:
    """What the axes, legend and tooltips call the value, the groups and the split (None: no split)."""

    value: str
    group: str
    split: str | None = None


def summary_rows(titles: Titles) -> tuple[TooltipRow, ...]:
    """A group's tooltip: group, split level, values, mean and quartiles."""
    return (TooltipRow("group", titles.group), *((TooltipRow("half", titles.split),) if titles.split else ()),
            TooltipRow("n", "Values", COUNT_FORMAT), TooltipRow("mean", "Mean", VALUE_FORMAT),
            TooltipRow("q1", "Q1 (25%)", VALUE_FORMAT), TooltipRow("median", "Median", VALUE_FORMAT),
            TooltipRow("q3", "Q3 (75%)", VALUE_FORMAT))


def label(key: str) -> str:
    """A group's label: its key without the invisible mark keeping a NULL group apart from one named "(null)"."""
    return key.replace(KEY_MARK, "")


def group_axis(title: str, groups: list[str], *, follow: bool = False) -> dict[str, Any]:
    """The x channel of one band per group, in `groups` order, labelled without the keys' marks; `follow`: only
    the groups drawn get a band (a filter on the page leaves no empty band), still in that order (`group_rank`)."""
    order = {"sort": {"field": RANK, "op": "min"}} if follow else {"scale": {"domain": groups}}
    return {"field": "group", "type": "nominal", "title": title, **order,
            "axis": {"labelAngle": 0 if len(groups) <= 6 else -40, "labelLimit": 160, "labelExpr": UNMARKED_LABEL}}


def group_rank(groups: list[str], *, follow: bool) -> dict[str, str]:
    """The calculate giving each row its group's place in `groups` (what a following group axis sorts by)."""
    return {RANK: f"indexof({json.dumps(groups)}, datum.group)"} if follow else {}


def color_encoding(field: str, domain: list[str], title: str | None, *, legend: bool) -> dict[str, Any]:
    """Colour by `field` over `domain`, in its order, with a legend titled `title` (or none), labelled without
    the keys' marks."""
    return {"field": field, "type": "nominal", "scale": {"domain": domain, "scheme": "tableau10"},
            "title": title, "legend": {"labelExpr": UNMARKED_LABEL} if legend else None}


def box_layers(titles: Titles, groups: list[str], color: dict[str, Any], *, tip: bool,
               follow: bool = False) -> tuple[Layer, ...]:
    """Boxes from Q1 to Q3 with the median, whiskers to the furthest values within 1.5 IQR, and outliers, one per
    group on the x axis, a split's halves side by side, from one dataset: the rows whose `part` is "summary"
    (`summary_sql`'s) and those whose `part` is "outlier" (`outliers_sql`'s). `follow`: see `group_axis`."""
    x = group_axis(titles.group, groups, follow=follow)
    box, beyond = "datum.part === 'summary'", "datum.part === 'outlier'"
    rank = group_rank(groups, follow=follow)
    offset = {"xOffset": {"field": "half", "type": "nominal", "scale": {"paddingInner": 0.15}}} if titles.split \
        else {}
    y = {"field": "q1", "type": "quantitative", "title": titles.value, "scale": {"zero": False}}
    rows = (*summary_rows(titles), TooltipRow("low", "Whisker low", VALUE_FORMAT),
            TooltipRow("high", "Whisker high", VALUE_FORMAT), TooltipRow("n_outliers", "Outliers", COUNT_FORMAT))
    tooltip = rows if tip else None
    return (
        intervals("whiskers", x=x, y={**y, "field": "low"}, y2={"field": "high"}, color={"value": INNER_COLOR},
                  tooltip=tooltip, where=box, calculate=rank, **offset),
        bars("boxes", x=x, y=y, y2={"field": "q3"}, color=color, stroke=INNER_COLOR, strokeWidth=1,
             tooltip=tooltip, width={"band": 0.8}, where=box, calculate=rank, **offset),
        layer("medians", "tick", {"x": x, "y": {**y, "field": "median"}, **offset}, color="white", thickness=2,
              tooltip=tooltip, where=box, calculate=rank),
        points("outliers", x=x, y={**y, "field": "value"}, color=color, filled=False, size=30,
               tooltip=(TooltipRow("group", titles.group), *((TooltipRow("half", titles.split),)
                                                             if titles.split else ()),
                        TooltipRow("value", titles.value, VALUE_FORMAT)) if tip else None, where=beyond,
               calculate=rank, **offset),
    )


def strip_layers(titles: Titles, groups: list[str], color: dict[str, Any], *, tip: bool,
                 detail_rows: tuple[TooltipRow, ...] = (), link: str | None = None,
                 follow: bool = False) -> tuple[Layer, ...]:
    """Points jittered across their group's band (dataset "points", `sample_sql`'s rows). `follow`: see
    `group_axis`."""
    x = group_axis(titles.group, groups, follow=follow)
    jitter = {"field": "jitter", "type": "quantitative", "scale": {"domain": [-0.6, 0.6]}}
    y = {"field": "y", "type": "quantitative", "title": titles.value, "scale": {"zero": False}}
    rows = (TooltipRow("group", titles.group), *((TooltipRow("color", titles.split),) if titles.split else ()),
            TooltipRow("y", titles.value, VALUE_FORMAT), *detail_rows)
    return (points("points", x=x, xOffset=jitter, y=y, color=color, filled=True, size=22, opacity=0.7,
                   tooltip=rows if tip else None, link=link, calculate=group_rank(groups, follow=follow)),)


def violin_panels(density: pa.Table, summary: pa.Table, titles: Titles, groups: list[str], color: dict[str, Any],
                  *, height: int, panel_width: int, tip: bool,
                  interaction: Interaction | None = None) -> tuple[tuple[LayerChart, ...], dict[str, pa.Table]]:
    """One panel per group: its violin (each half the density of a split level, left and right), the box from Q1
    to Q3 inside and the median as a white dot; the panels share the value axis. A panel reads one dataset: its
    density's rows (`part` "density") and its summary's (`part` "summary"), so that a filter on the page keeps or
    drops them together (`interaction`, shared by every panel). Returns the panels and their datasets."""
    split = titles.split is not None
    rows = summary_rows(titles) if tip else None
    panels, datasets = [], {}
    is_density, is_summary = "datum.part === 'density'", "datum.part === 'summary'"
    for i, group in enumerate(groups):
        x = {"field": "x_left", "type": "quantitative", "scale": {"domain": [-1.05, 1.05]},
             "axis": {"title": label(group), "labels": False, "ticks": False, "grid": False, "domain": False,
                      "titleLimit": panel_width}}
        y = {"field": "value", "type": "quantitative", "title": titles.value, "scale": {"zero": False},
             **({} if i == 0 else {"axis": None})}
        inner_x = {"field": "at", "type": "quantitative"}
        at = {"at": f"datum.side === 1 ? {HALF_OFFSET} : -{HALF_OFFSET}" if split else "0"}
        layers = (
            areas("violin", x=x, x2={"field": "x_right"}, y=y, color=color, detail={"field": "half"},
                  orient="horizontal", opacity=0.85, tooltip=rows, where=is_density,
                  calculate={"x_left": "datum.side === 1 ? 0 : -datum.width",
                             "x_right": "datum.side === 0 ? 0 : datum.width" if split else "datum.width"}),
            intervals("quartiles", x=inner_x, y={**y, "field": "q1"}, y2={"field": "q3"},
                      color={"value": INNER_COLOR}, strokeWidth=5, tooltip=rows, where=is_summary, calculate=at),
            points("median", x=inner_x, y={**y, "field": "median"}, color={"value": "white"},
                   filled=True, size=20, opacity=1, tooltip=rows, where=is_summary, calculate=at),
        )
        panels.append(LayerChart(layers, data="violin", width=panel_width, height=height, interaction=interaction))
        datasets[f"c{i}_violin"] = parts({"density": density.filter(pc.equal(density["group"], group)),
                                          "summary": summary.filter(pc.equal(summary["group"], group))})
    return tuple(panels), datasets


def parts(tables: dict[str, pa.Table]) -> pa.Table:
    """Tables of different rows as one, each row's `part` naming the table it comes from (columns one lacks are
    null in its rows): what layers reading one dataset tell apart with `where`."""
    named = [table.append_column("part", pa.array([part] * table.num_rows, pa.string()))
             for part, table in tables.items()]
    return pa.concat_tables(named, promote_options="default")


def histogram_panels(bins: pa.Table, titles: Titles, color: dict[str, Any], *, width: int, panel_height: int,
                     overlay: bool, tip: bool, interaction: Interaction | None = None,
                     brushed: Interaction | None = None) -> tuple[tuple[LayerChart, ...], dict[str, pa.Table]]:
    """One panel per `panel` of `histogram_sql`'s bins, one above another over the same bin edges: bars of counts,
    a split's levels overlaid (`overlay`) or side by side within each bin. `interaction` links every panel (one
    client), `brushed` (the same with a brush) the last, whose axis shows the values. Returns the panels (to be
    stacked in a vconcat resolved by SHARED_PANELS) and their datasets."""
    panels = list(dict.fromkeys(bins["panel"].to_pylist()))
    sides = 2 if titles.split else 1
    if overlay or sides == 1:
        place = {"b0": "datum.x0", "b1": "datum.x1"}
    else:
        place = {"b0": f"datum.x0 + (datum.x1 - datum.x0) * datum.side / {sides}",
                 "b1": f"datum.x0 + (datum.x1 - datum.x0) * (datum.side + 1) / {sides}"}
    domain = [bins["lo"][0].as_py(), bins["hi"][0].as_py()]
    rows = (TooltipRow("panel", titles.group), *((TooltipRow("color", titles.split),) if titles.split else ()),
            TooltipRow("x0", "From", VALUE_FORMAT), TooltipRow("x1", "To", VALUE_FORMAT),
            TooltipRow("n", "Count", COUNT_FORMAT), TooltipRow("share", "Share", ".1%"))
    drawn = []
    for i, panel in enumerate(panels):
        x = {"field": "b0", "type": "quantitative", "title": titles.value if i == len(panels) - 1 else None,
             "scale": {"domain": domain, "nice": False}}
        y = {"field": "n", "type": "quantitative", "title": "Count", "stack": None}
        bar = bars("bins", x=x, x2={"field": "b1"}, y=y, y2={"datum": 0}, color=color,
                   opacity=0.6 if overlay and sides > 1 else 0.9, stroke="white", strokeWidth=0.5,
                   tooltip=rows if tip else None, calculate=place)
        last = i == len(panels) - 1 and brushed is not None
        drawn.append(LayerChart((bar,), data="bins", width=width, height=panel_height,
                                title=panel_title([label(panel)], width, 11),
                                interaction=brushed if last else interaction))
    datasets = {f"c{i}_bins": bins.filter(pc.equal(bins["panel"], panel)) for i, panel in enumerate(panels)}
    return tuple(drawn), datasets
