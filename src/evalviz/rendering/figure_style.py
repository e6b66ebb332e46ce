"""Figure styles: how a chart is dressed for where it goes. "screen" is the chart as the view drew it; "print" is
a figure for a paper.

The print style is a transformation of the finished Vega-Lite spec, so every writer (HTML, PNG, SVG, PDF) gets
the same figure:

- text is larger (`PRINT_FONT_SIZES`, in pixels, which a PDF page writes as points) and scales with the figure:
  a chart drawn 400 pixels wide (the view's `width=400`) printed in a column 240 points wide (3.3 inches) shows
  its axis labels at 12 * 240 / 400 = 7.2 points. The view lays the chart out for its width as on screen (larger
  text takes room from the plot). The room an axis or legend gives its text (`labelLimit`, `titleLimit`, an axis's
  `maxExtent`, the view's or Vega's default) grows with the text (`_widened`), so a label the screen showed whole
  is not cut short with an ellipsis in print. Text drawn inside marks (a heatmap's cell values) keeps the size it was
  fitted to its mark with. Slanted axis labels are all shown: the views let Vega hide level labels only
  (`views.chart.band_labels`);
- no tooltips: the marks' tooltip channels and the renderer's tooltip rows are taken out;
- no actions menu: the renderer contract says so (`RendererContract.actions`), and the page draws none;
- a white background and thin axis, grid and frame strokes.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import Any, Literal

from evalviz.errors import OutputError
from evalviz.rendering.contract import KEY, RendererContract

Style = Literal["screen", "print"]
STYLES: tuple[Style, ...] = ("screen", "print")

# Text sizes of the print style, in pixels (points on a PDF page).
PRINT_FONT_SIZES = {"label": 12, "title": 13, "chart_title": 15, "subtitle": 12}
THIN_STROKE = 0.5  # axis domains and ticks, grid lines, the plot's frame
# Vega's text sizes of guides on screen, which a view's room for text was made for.
SCREEN_FONT_SIZES = {"label": 10, "title": 11}
# How much more room print text takes: each limit on the room of a guide's text, by the text it holds.
_GROWTH = {"label": PRINT_FONT_SIZES["label"] / SCREEN_FONT_SIZES["label"],
           "title": PRINT_FONT_SIZES["title"] / SCREEN_FONT_SIZES["title"]}
_LIMITS = {"labelLimit": "label", "maxExtent": "label", "titleLimit": "title"}
# Vega's own limits of axes and legends (vega-parser's defaults), widened in print where the spec sets none.
_VEGA_LIMITS = {"axis": {"labelLimit": 180, "maxExtent": 200}, "legend": {"labelLimit": 160, "titleLimit": 180}}

# Spec keys whose values are data, not spec: nothing under them is restyled.
_DATA_KEYS = frozenset({"data", "datasets", "values", "usermeta"})


# The size of axis labels the views lay a chart out for while a print figure is drawn again (`printed_layout`);
# None on screen, where the views lay out for Vega's own size.
_LAYOUT_LABEL_SIZE: ContextVar[float | None] = ContextVar("evalviz_layout_label_size", default=None)


def layout_label_size() -> float | None:
    """The axis label size (pixels) the views lay the chart being drawn out for: print's while a print figure is
    drawn (`printed_layout`), else None (the views' own screen size).

    Example:
        >>> layout_label_size() is None
        True
    """
    return _LAYOUT_LABEL_SIZE.get()


@contextlib.contextmanager
def printed_layout() -> Iterator[None]:
    """Views called in this block lay their charts out for print-size labels: they slant or space labels that the
    larger text would make collide, rather than leave Vega to hide them.

    Example:
        >>> with printed_layout():
        ...     layout_label_size()
        12
    """
    token = _LAYOUT_LABEL_SIZE.set(PRINT_FONT_SIZES["label"])
    try:
        yield
    finally:
        _LAYOUT_LABEL_SIZE.reset(token)


def check_style(style: object) -> Style:
    """`style` when it is one of `STYLES`.

    Raises:
        OutputError: naming the styles there are.

    Example:
        >>> check_style("print")
        'print'
    """
    if not isinstance(style, str) or style not in STYLES:
        allowed = " or ".join(repr(one) for one in STYLES)
        raise OutputError(f"style is {allowed} ({STYLES[0]!r} by default), not {style!r}.")
    return style  # type: ignore[return-value]


def styled_spec(spec: Mapping[str, Any], style: Style) -> dict[str, Any]:
    """The finished Vega-Lite spec in `style`: as it is for "screen", as a printed figure for "print".

    Example:
        >>> spec = {"mark": {"type": "rect", "tooltip": {"content": "data"}}, "title": "Scores"}
        >>> printed = styled_spec(spec, "print")
        >>> printed["mark"], printed["config"]["axis"]["labelFontSize"]
        ({'type': 'rect'}, 12)
    """
    if check_style(style) == "screen":
        return dict(spec)
    printed = _restyled(spec)
    widened = {guide: _widened(limits) for guide, limits in _VEGA_LIMITS.items()}
    printed["config"] = _merged(_merged(widened, printed.get("config", {})), print_config())
    contract = dataclasses.replace(RendererContract.of_spec(spec), tooltips={}, actions=False)
    usermeta = spec.get("usermeta") if isinstance(spec.get("usermeta"), Mapping) else {}
    meta = usermeta.get(KEY) if isinstance(usermeta.get(KEY), Mapping) else {}
    printed["usermeta"] = {**usermeta, KEY: {**meta, **contract.to_usermeta()[KEY]}}
    return printed


def styled_item(item: Mapping[str, Any], style: Style) -> dict[str, Any]:
    """An item tree (`evalviz.rendering.items`) with the spec of every chart in it in `style`; inputs and tables
    as they are.

    Example:
        >>> item = {"kind": "layout", "items": [{"kind": "chart", "spec": {"mark": "point"}, "prefix": "c0_"}]}
        >>> styled_item(item, "print")["items"][0]["spec"]["usermeta"]["evalviz"]["actions"]
        False
    """
    check_style(style)
    if item.get("kind") == "chart":
        return {**item, "spec": styled_spec(item["spec"], style)}
    if item.get("kind") == "layout":
        return {**item, "items": [styled_item(child, style) for child in item["items"]]}
    return dict(item)


def print_config() -> dict[str, Any]:
    """The Vega-Lite config of the print style: its text sizes, a white background, thin strokes."""
    label, title = PRINT_FONT_SIZES["label"], PRINT_FONT_SIZES["title"]
    guide_text = {"labelFontSize": label, "titleFontSize": title}
    return {
        "background": "white",
        "title": {"fontSize": PRINT_FONT_SIZES["chart_title"], "subtitleFontSize": PRINT_FONT_SIZES["subtitle"]},
        "axis": {**guide_text, "domainWidth": THIN_STROKE, "tickWidth": THIN_STROKE, "gridWidth": THIN_STROKE},
        "legend": {**guide_text, "strokeWidth": THIN_STROKE},
        "header": guide_text,
        "view": {"strokeWidth": THIN_STROKE},
    }


def _restyled(node: Any) -> Any:
    """The spec without tooltips (a mark's `tooltip` property, an encoding's tooltip channel), and with the titles
    that set their own size (a part's heading) at the print size of titles."""
    if isinstance(node, list):
        return [_restyled(child) for child in node]
    if not isinstance(node, Mapping):
        return node
    out = {}
    for key, value in node.items():
        if key == "tooltip":
            continue
        if key in _DATA_KEYS:
            out[key] = value
        elif key == "title" and isinstance(value, Mapping) and "fontSize" in value:
            out[key] = {**value, "fontSize": PRINT_FONT_SIZES["title"]}
        elif key in _VEGA_LIMITS and isinstance(value, Mapping):
            out[key] = _widened(_restyled(value))
        else:
            out[key] = _restyled(value)
    return out


def _widened(guide: Mapping[str, Any]) -> dict[str, Any]:
    """An axis's or legend's properties with the limits on the room of its text grown as print text grows.

    Example:
        >>> _widened({"labelLimit": 160, "title": "Task"})
        {'labelLimit': 192.0, 'title': 'Task'}
    """
    return {key: value * _GROWTH[_LIMITS[key]] if key in _LIMITS and _is_number(value) else value
            for key, value in guide.items()}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _merged(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `over` written over it, nested dicts merged key by key."""
    out = dict(base)
    for key, value in over.items():
        below = out.get(key)
        out[key] = _merged(below, value) if isinstance(below, Mapping) and isinstance(value, Mapping) else value
    return out
