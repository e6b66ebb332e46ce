"""The marks of a grid chart: coloured cells, flagged cells, their crosses, infinity signs, annotations and the
corners of partly failed cells, each a layer with its own tooltip rows and link (see `evalviz.views.marks`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.charts import Layer, ScaleExpr
from evalviz.constants.statuses import COLORED, ERROR, INFINITE, NO_DATA, PARTIAL, SKIPPED
from evalviz.errors import EvalvizError
from evalviz.rendering.contract import TooltipRow
from evalviz.views.cell_text import CellText
from evalviz.views.chart import band_labels, fitted_labels
from evalviz.views.colors import ERROR_COLOR, INFINITE_COLOR, MISSING_COLOR, SKIPPED_COLOR, vega_scheme
from evalviz.views.font_metrics import drawn_width
from evalviz.views.formatting import COUNT_FORMAT, format_value
from evalviz.views.grid import Grid
from evalviz.views.grid_layout import GridLayout
from evalviz.views.marks import cells, points, text
from evalviz.views.options import CellOptions, ColorScale

ANNOTATION_FONT_SIZE = 11
MEASURED_VALUES = 2000  # up to this many values, "auto" annotation measures the text of every one
MIN_GLYPH_SIZE = 9  # pixels; smaller error cells show their colour only, partly failed ones no corner
MAX_GLYPH_FONT = 16  # pixels: the largest cross or infinity sign
# A partly failed cell's mark: a triangle filling its top right corner (a Vega symbol path within [-1, 1]).
CORNER_PATH = "M1,-1L1,1L-1,-1Z"
MAX_CORNER = 14  # pixels along each side of the corner mark
# The colour domain stays within ±COLOR_LIMIT (a quarter of the largest float, about 4.5e307), so that its span
# (and a browser's scale arithmetic on it) stays finite: values beyond take the colour of the nearer end.
COLOR_LIMIT = sys.float_info.max / 4
FLAG_COLORS = {NO_DATA: MISSING_COLOR, SKIPPED: SKIPPED_COLOR, INFINITE: INFINITE_COLOR, ERROR: ERROR_COLOR}
# Whether a cell is coloured by its value ("ok" or "partly failed"), as a Vega expression.
COLORED_TEST = f"indexof({json.dumps(list(COLORED))}, datum.status) >= 0"
# Black or white text, whichever contrasts more with the colour the cell got from the colour scale.
CONTRAST_TEST = ScaleExpr("contrast(scale($color, datum.value), 'black') >= "
                          "contrast(scale($color, datum.value), 'white')")


@dataclass(frozen=True)
class Labels:
    """What the axes, the colour and the tooltip rows are called."""

    x: str
    y: str
    fill: str
    rows: str | None = "rows"  # tooltip title of the row count; None hides it
    link: str = "link"
    interval: str = "95% CI"
    size: str = "n"
    scorer: str = "Scorer"
    x_members: str = "values in this cell"  # tooltip title of what a binned cell holds
    y_members: str = "values in this cell"
    x_axis: bool = True  # title the axes with x and y (a bare grid has names for its tooltip only)
    y_axis: bool = True


@dataclass(frozen=True)
class GridMarks:
    """What every mark of one grid chart shares: where a cell is, what its tooltip shows, and its link.

    Attributes:
        x, y: The band encodings placing a cell by its axis values' keys.
        value_rows: The tooltip rows of a coloured cell; `flag_rows` those of a flagged one (None: no tooltip).
        link: The field whose URL a click opens (None when no cell has an http(s) link).
        band: A cell's width and height in pixels.
        cell: How cells are drawn.
        legend_on: Whether the marks have legend entries.
    """

    x: Mapping[str, Any]
    y: Mapping[str, Any]
    value_rows: tuple[TooltipRow, ...] | None
    flag_rows: tuple[TooltipRow, ...] | None
    link: str | None
    band: tuple[float, float]
    cell: CellOptions
    legend_on: bool

    def value_cells(self, scale: Mapping[str, Any], legend_title: str, fmt: str) -> Layer:
        """The cells coloured by their value."""
        legend = {"title": legend_title, **({"format": ".0%"} if fmt.endswith("%") else {})}
        color = {"field": "value", "type": "quantitative", "scale": dict(scale),
                 "legend": legend if self.legend_on else None}
        return cells("cells", x=self.x, y=self.y, color=color, tooltip=self.value_rows, link=self.link,
                     where=COLORED_TEST, **self._rect())

    def flagged_cells(self, flags: list[str]) -> Layer:
        """The cells without a colour (no data, skipped, infinite, error), on the fill channel so that their
        legend entries stand beside the colour legend."""
        fill = {"field": "status", "type": "nominal",
                "scale": {"domain": flags, "range": [FLAG_COLORS[f] for f in flags]},
                "legend": {"title": None} if self.legend_on else None}
        return cells("flagged", x=self.x, y=self.y, fill=fill, tooltip=self.flag_rows, link=self.link,
                     where=f"!({COLORED_TEST})", **self._rect())

    def crosses(self) -> Layer:
        """A cross on each error cell, telling it apart from any colour of the scheme."""
        return text("crosses", x=self.x, y=self.y, tooltip=self.flag_rows, link=self.link,
                    where=f"datum.status === '{ERROR}'", text="\u00d7", **self._glyph())

    def infinities(self) -> Layer:
        """An infinity sign (minus for -inf) on each infinite cell."""
        return text("infinities", x=self.x, y=self.y, text={"field": "sign", "type": "nominal"},
                    tooltip=self.flag_rows, link=self.link, where=f"datum.status === '{INFINITE}'",
                    calculate={"sign": "datum.note[0] === '-' ? '\u2212\u221e' : '\u221e'"}, **self._glyph())

    def annotations(self, fmt: str) -> Layer:
        """Each coloured cell's value written on it, in black or white by its colour unless the cell says."""
        color = {"value": self.cell.text} if self.cell.text else {
            "condition": {"test": CONTRAST_TEST, "value": "black"}, "value": "white"}
        return text("annotations", x=self.x, y=self.y, text={"field": "value", "type": "quantitative", "format": fmt},
                    color=color, tooltip=self.value_rows, link=self.link, where=COLORED_TEST,
                    fontSize=ANNOTATION_FONT_SIZE)

    def corners(self) -> Layer:
        """A dark triangle in the top right corner of each partly failed cell, outlined in white so it shows on
        any colour, with a legend entry: the cell keeps its colour, and says some of it failed."""
        side = min(self.band[0] * 0.25, self.band[1] * 0.25, MAX_CORNER)
        half = side / 2  # the symbol is centred on its position: shift it into the cell
        shape = {"field": "status", "type": "nominal", "scale": {"domain": [PARTIAL], "range": [CORNER_PATH]},
                 "legend": {"title": None, "symbolFillColor": ERROR_COLOR, "symbolStrokeColor": ERROR_COLOR}
                 if self.legend_on else None}
        return points("corners", x={**self.x, "bandPosition": 1}, y={**self.y, "bandPosition": 0}, shape=shape,
                      tooltip=self.value_rows, link=self.link, where=f"datum.status === '{PARTIAL}'", filled=True,
                      color=ERROR_COLOR, stroke="white", strokeWidth=0.75, opacity=1, size=side * side,
                      xOffset=-half, yOffset=half)

    def glyphs_fit(self) -> bool:
        """Whether cells are large enough to carry a cross, an infinity sign or a corner."""
        return min(self.band) >= MIN_GLYPH_SIZE

    def _rect(self) -> dict[str, Any]:
        stroke = {"stroke": self.cell.stroke, "strokeWidth": 1} if self.cell.stroke else {}
        return {"cornerRadius": self.cell.corner_radius, **stroke}

    def _glyph(self) -> dict[str, Any]:
        return {"color": "white", "fontSize": min(self.band[1] * 0.7, MAX_GLYPH_FONT), "fontWeight": "bold"}


def axes(grid: Grid, labels: Labels, layout: GridLayout, inset: float,
         offsets: tuple[float, float] = (0, 0),
         follow: tuple[bool, bool] = (False, False)) -> tuple[dict[str, Any], dict[str, Any]]:
    """The x and y encodings of a grid's cells: placed by their axis values' keys, which are unique, on band
    scales whose inner padding leaves `inset` pixels between cells; the axes draw the values' labels, `offsets`
    (x, y) pixels away from the cells (the room of axis groups). An axis that `follow`s filters (x, y) takes its
    domain from the cells drawn, sorted by their positions (xo, yo; a binned grid's bins xb, yb), so that values
    filtered out leave no band;
    else its domain is every value, in order."""
    band_w, band_h = layout.band(grid)
    encodings = []
    for axis, order, title, angle, size, offset, follows in (
            ("x", grid.x_order, labels.x if labels.x_axis else None, layout.x_angle, band_w, offsets[0], follow[0]),
            ("y", grid.y_order, labels.y if labels.y_axis else None, layout.y_angle, band_h, offsets[1], follow[1])):
        padding = min(inset / size, 0.5) if size > 0 else 0
        position = f"{axis}o" if f"{axis}o" in grid.cells.column_names else f"{axis}b"  # a binned grid's: xb, yb
        domain = {"sort": {"field": position, "op": "min"}} if follows else {}
        encodings.append({
            "field": axis, "type": "nominal", "title": title, **domain,
            "scale": {**({} if follows else {"domain": order}), "paddingInner": padding, "paddingOuter": 0},
            "axis": {**band_labels(angle), **({"offset": offset} if offset else {}),
                     **fitted_labels(dict(zip(order, grid.x_labels if axis == "x" else grid.y_labels,
                                              strict=True)))},
        })
    return encodings[0], encodings[1]


def annotation_text(values: pa.Array, python_format: str) -> CellText | None:
    """The text the cells' values are written in (None without values): as wide as the widest value's, each
    value's measured in a grid of up to MEASURED_VALUES values, else the lowest, highest and middle ones'.

    Example:
        >>> round(annotation_text(pa.array([0.5, 0.25]), "{:.3f}").width, 1)
        31.5
    """
    if not len(values):
        return None
    measured = pc.unique(values).to_pylist() if len(values) <= MEASURED_VALUES else \
        {*span(values), values[len(values) // 2].as_py()}
    widest = max(drawn_width(format_value(python_format, v), ANNOTATION_FONT_SIZE) for v in measured)
    return CellText(widest, 1, ANNOTATION_FONT_SIZE)


def annotated(cell: CellOptions, text: CellText | None, band: tuple[float, float]) -> bool:
    """Whether cells `band` (width, height) pixels large carry their values' `text`: `cell.annotate` True always,
    False never, "auto" where the text fits (`CellText.fits`); never without values.

    Example:
        >>> annotated(CellOptions(), CellText(28.0, 1, 11), (30.0, 20.0))
        False
    """
    if text is None or cell.annotate is False:
        return False
    return cell.annotate is True or text.fits(band)


def tooltip_rows(names: list[str], labels: Labels, fmt: str, *, ok: bool) -> tuple[TooltipRow, ...]:
    """A cell's tooltip rows: row, column, the value (or why there is none), interval, counts, scorer and link.
    `names` are the cells' columns; `ok` for a coloured cell, else a flagged one; `fmt` the values' d3 format."""
    # The axis values' labels where a key is not its label, else the keys, which are the labels.
    rows = [TooltipRow("y_label" if "y_label" in names else "y", labels.y),
            TooltipRow("x_label" if "x_label" in names else "x", labels.x)]
    if ok:
        rows.append(TooltipRow("value", labels.fill, fmt))
        if "low" in names:
            rows.append(TooltipRow("interval", labels.interval))
        rows.append(TooltipRow("note", "Status"))  # a partly failed cell's failures (null when ok)
    else:
        rows.append(TooltipRow("note", labels.fill))
    for axis, title in (("x", labels.x_members), ("y", labels.y_members)):
        if f"{axis}_members" in names:  # a binned cell: which values it holds
            rows.append(TooltipRow(f"{axis}_members", title))
    if ok and "low_value" in names:
        rows += [TooltipRow("low_value", "min", fmt), TooltipRow("high_value", "max", fmt)]
    if "scorer" in names:
        rows.append(TooltipRow("scorer", labels.scorer))
    if "size" in names:
        rows.append(TooltipRow("size", labels.size, COUNT_FORMAT))
    if labels.rows:
        rows.append(TooltipRow("n", labels.rows, COUNT_FORMAT))
    if "link" in names:
        rows.append(TooltipRow("link", labels.link))
    return tuple(rows)


def interval_text(fmt: str) -> dict[str, str]:
    """A calculate transform writing a cell's interval as text ("[0.412, 0.688]", or "none")."""
    f = json.dumps(fmt)
    return {"calculate": f"isValid(datum.low) && isValid(datum.high) ? "
                         f"'[' + format(datum.low, {f}) + ', ' + format(datum.high, {f}) + ']' : 'none'",
            "as": "interval"}


def opens_links(cells_table: pa.Table) -> bool:
    """Whether some cell has a link a click opens (the browser opens http(s) URLs only)."""
    return "link" in cells_table.column_names and pc.any(
        pc.match_substring_regex(cells_table["link"], "^https?://", ignore_case=True)).as_py() is True


def span(values: pa.Array) -> tuple[float, float] | tuple[()]:
    """The lowest and highest of `values` (empty when there are none)."""
    if not len(values):
        return ()
    extremes = pc.min_max(values)
    return extremes["min"].as_py(), extremes["max"].as_py()


def color_scale(values_span: tuple[float, ...], *, cmap: str, domain: tuple[float | None, float | None] | None,
                center: float | None, kind: ColorScale | None = None) -> dict[str, Any]:
    """The colour scale over values spanning `values_span` (lowest, highest; empty without values): scores in
    [0, 1] span [0, 1] (on a linear, sqrt or power scale; a log scale spans the values themselves); `domain`
    (vmin, vmax) overrides; `center` makes a diverging scale symmetric around it (on a linear scale), or is its
    midpoint (Vega-Lite's domainMid, on the others). `kind` is the scale type (linear by default). Its ends stay
    within ±COLOR_LIMIT.

    Raises:
        EvalvizError: an empty domain, or a log scale whose domain or centre is not above 0.

    Example:
        >>> color_scale((0.2, 0.9), cmap="viridis", domain=None, center=None)
        {'scheme': 'viridis', 'reverse': False, 'domain': [0.0, 1.0], 'clamp': True}
        >>> color_scale((0.01, 100.0), cmap="viridis", domain=None, center=None, kind=ColorScale("log"))
        {'scheme': 'viridis', 'reverse': False, 'type': 'log', 'domain': [0.01, 100.0], 'clamp': True}
    """
    kind = kind or ColorScale()
    scheme, reverse = vega_scheme(cmap)
    lo, hi = values_span or (None, None)
    vmin, vmax = domain if domain is not None else (None, None)
    if vmin is None and vmax is None and lo is not None and 0 <= lo and hi <= 1 and not kind.log:
        vmin, vmax = 0.0, 1.0  # scores in [0, 1] span the whole of it, so colours compare across charts
    vmin = lo if vmin is None else vmin
    vmax = hi if vmax is None else vmax
    if kind.log:
        _check_log_domain(vmin, vmax, center)
    if center is not None and kind.kind == "linear":
        low_end = center if vmin is None else vmin
        high_end = center if vmax is None else vmax
        reach = max(abs(center - low_end), abs(high_end - center)) or 1.0  # inf when the distance overflows
        vmin, vmax = center - reach, center + reach
    scale: dict[str, Any] = {"scheme": scheme, "reverse": reverse, **kind.vega()}
    if vmin is not None and vmax is not None:
        if vmin > vmax or (vmin == vmax and domain is not None and None not in domain):
            raise EvalvizError(f"The colour domain [{vmin}, {vmax}] is empty: vmin must be below vmax.")
        vmin, vmax = (min(max(end, -COLOR_LIMIT), COLOR_LIMIT) for end in (vmin, vmax))
        if vmin == vmax:  # one value: give the scale some room so the colour sits in the middle
            vmin, vmax = (vmin / 2, vmax * 2) if kind.log else (vmin - max(0.5, abs(vmin) * 1e-6),
                                                                vmax + max(0.5, abs(vmax) * 1e-6))
        scale.update(domain=[vmin, vmax], clamp=True)
        if center is not None and kind.kind != "linear":
            if not vmin < center < vmax:
                raise EvalvizError(f"center={center:g} lies outside the colour domain [{vmin:g}, {vmax:g}]: "
                                   "a log, sqrt or power scale puts its middle colour there, within the domain.")
            scale["domainMid"] = center
    return scale


def _check_log_domain(vmin: float | None, vmax: float | None, center: float | None) -> None:
    """Raise when a log colour scale's domain or centre is not above 0 (the cells were checked before)."""
    for name, end in (("vmin", vmin), ("vmax", vmax), ("center", center)):
        if end is not None and end <= 0:
            raise EvalvizError(f"color_scale='log' takes values above 0; {name} is {end:g}. Give a {name} above 0, "
                               "or use color_scale='sqrt' or 'power', which take 0.")


def check_log_values(cells_table: pa.Table, labels: Labels) -> None:
    """Raise when a coloured cell of a log colour scale holds a value that is not above 0 (or, in a binned grid,
    holds one: its `low_value`), naming the first such cell by its row and column, and its value.

    Example:
        >>> table = pa.table({"x": ["a"], "y": ["m"], "value": [0.0], "status": ["ok"]})
        >>> check_log_values(table, Labels(x="Task", y="Model", fill="Score"))
        Traceback (most recent call last):
        ...
        evalviz.errors.EvalvizError: color_scale='log' takes values above 0: the cell of Model 'm', Task 'a' has ...
    """
    names = cells_table.column_names
    column = "low_value" if "low_value" in names else "value"
    coloured = pc.is_in(cells_table["status"], pa.array(list(COLORED)))
    bad = pc.and_(coloured, pc.less_equal(cells_table[column], 0.0))
    found = pc.index(bad, True).as_py()
    if found < 0:
        return
    row = cells_table.slice(found, 1).to_pylist()[0]
    y, x = (row.get(f"{axis}_label", row[axis]) for axis in "yx")
    held = f"holds {row[column]:g} ({labels.fill}; its mean is {row['value']:g})" if column == "low_value" \
        else f"has {row['value']:g} ({labels.fill})"
    raise EvalvizError(
        f"color_scale='log' takes values above 0: the cell of {labels.y} {y!r}, {labels.x} {x!r} {held}. Use "
        "color_scale='sqrt' or 'power' (with an exponent), which take 0, or filter out the rows without a "
        "positive value."
    )
