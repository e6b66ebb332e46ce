"""Paint that fetches nothing: colours checked as colours, and the spec's CSS paint checked before any target.

A chart drawn as SVG writes its colours into `fill` and `stroke` attributes, which are CSS: a colour
"url(http://host/p.svg#p)" makes the browser fetch that file, and a cursor "url(...)" fetches an image. The
standalone page forbids every fetch with its Content-Security-Policy, but a notebook's output, a Quarto page or
any page the chart is placed in has no such policy. So the rule is kept here, once, for every target:

- an option that is a colour (such as `CellOptions.stroke`) must be a CSS colour: a name, `#hex`, or a colour
  function of numbers (`rgb(...)`, `hsl(...)`, ...), which cannot name a resource;
- every string of the spec under a paint property (a key naming a colour, fill, stroke, background or cursor,
  and scale ranges and schemes), at any depth, is refused when it names a resource (`url(`, `image(`, ... also
  written with CSS escapes);
- colours taken from the data as they are (a paint channel with `"scale": null`) must be colours.

A Vega expression can still build a string at run time; only the page's policy stops what it would fetch.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.errors import EvalvizError, OutputError

# CSS Color 4 named colours, with transparent and currentcolor.
_NAMED_COLOURS = frozenset("""
aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown burlywood
cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan darkgoldenrod
darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon
darkseagreen darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue dimgray
dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite gold goldenrod gray green
greenyellow grey honeydew hotpink indianred indigo ivory khaki lavender lavenderblush lawngreen lemonchiffon
lightblue lightcoral lightcyan lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon
lightseagreen lightskyblue lightslategray lightslategrey lightsteelblue lightyellow lime limegreen linen magenta
maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen mediumslateblue mediumspringgreen
mediumturquoise mediumvioletred midnightblue mintcream mistyrose moccasin navajowhite navy oldlace olive
olivedrab orange orangered orchid palegoldenrod palegreen palegoldenrod paleturquoise palevioletred papayawhip
peachpuff peru pink plum powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown
seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen steelblue tan teal thistle
tomato turquoise violet wheat white whitesmoke yellow yellowgreen transparent currentcolor
""".split())
# "#rgb", "#rgba", "#rrggbb", "#rrggbbaa"; or a colour function whose arguments are numbers, units, "none",
# a colour space name, separated by spaces, commas or "/": no parenthesis, quote or backslash, so nothing nested.
_HEX = re.compile(r"#([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_FUNCTION = re.compile(r"(?i)(rgba?|hsla?|hwb|lab|lch|oklab|oklch|color)\(\s*[0-9a-z.%+\-\s,/]*\)")
# The CSS functions that name a resource to load.
_FETCHING = re.compile(r"(?i)(url|src|image|image-set|-webkit-image-set|cross-fade|element)\(")
# A CSS escape: a backslash and up to six hex digits (and one space after them), or any other character.
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6}\s?|.)", re.DOTALL)
_CSS_COMMENT = re.compile(r"/\*.*?(\*/|$)", re.DOTALL)
# Keys whose values are paint or other CSS a browser may load from: colours, fills, strokes, backgrounds,
# cursors, and the ranges and schemes of scales (which hold a colour scale's colours).
_PAINT_KEY = re.compile(r"(?i).*(colou?r|fill|stroke|background|cursor)|range|scheme")
_PAINT_CHANNELS = ("color", "fill", "stroke")
_DATA_KEYS = ("datasets", "values", "usermeta")


def is_colour(value: object) -> bool:
    """Whether `value` is a CSS colour that names no resource: a colour name, "#hex", or a colour function of
    numbers such as "rgb(10, 20, 30)" or "oklch(70% 0.1 200 / 50%)".

    Example:
        >>> is_colour("steelblue"), is_colour("#1f77b4"), is_colour("rgb(0 0 0 / 50%)")
        (True, True, True)
        >>> is_colour("url(http://host/p.svg#p)"), is_colour("rgb(url(x))")
        (False, False)
    """
    if not isinstance(value, str):
        return False
    text = value.strip()
    return text.lower() in _NAMED_COLOURS or bool(_HEX.fullmatch(text) or _FUNCTION.fullmatch(text))


def checked_colour(name: str, value: object) -> str:
    """`value`, after checking that it is a CSS colour (see `is_colour`); raises an error naming `name`.

    Example:
        >>> checked_colour("CellOptions.stroke", "white")
        'white'
        >>> checked_colour("CellOptions.stroke", "url(http://host/p.svg#p)")
        Traceback (most recent call last):
        ...
        evalviz.errors.EvalvizError: CellOptions.stroke is a CSS colour: ... not 'url(http://host/p.svg#p)'.
    """
    if not is_colour(value):
        raise EvalvizError(
            f"{name} is a CSS colour: a name such as 'white', '#1f77b4', or 'rgb(31, 119, 180)' (or None), not "
            f"{value!r}."
        )
    return value


def names_a_resource(text: str) -> bool:
    """Whether CSS `text` names a resource a browser would load (url(...), image(...)), escapes and comments
    undone first ("u\\\\72l(" is "url(").

    Example:
        >>> names_a_resource("u\\\\72l(http://host/p.svg)"), names_a_resource("steelblue")
        (True, False)
    """
    plain = _CSS_ESCAPE.sub(lambda m: _unescaped(m.group(1)), _CSS_COMMENT.sub("", text))
    return bool(_FETCHING.search(re.sub(r"\s+", "", plain)))


def check_paint(spec: Mapping[str, Any], datasets: Mapping[str, pa.Table] | None = None) -> None:
    """Raise `OutputError` when the spec's paint could make a browser fetch: a string naming a resource under a
    paint property, or a colour taken from the data (a paint channel with `"scale": null`) that is not one.

    Example:
        >>> check_paint({"mark": {"type": "rect", "stroke": "url(http://host/p.svg#p)"}})
        Traceback (most recent call last):
        ...
        evalviz.errors.OutputError: The chart's paint at spec.mark.stroke names a resource to load ...
    """
    for path, value in _paint_strings(spec, "spec", painted=False):
        if names_a_resource(value):
            raise OutputError(
                f"The chart's paint at {path} names a resource to load ({value!r}). evalviz charts fetch "
                "nothing, in every target: give colours as names, #hex or rgb(...)."
            )
    named = {**spec.get("datasets", {}), **(datasets or {})}
    for path, values in _data_colours(spec, "spec", named, spec.get("data")):
        wrong = next((v for v in values if not is_colour(v)), None)
        if wrong is not None:
            raise OutputError(
                f"The chart takes colours from the data as they are ({path}, \"scale\": null), and one is not a "
                f"colour: {wrong!r}. Give CSS colours (names, #hex, rgb(...)), or use a colour scale."
            )


def _unescaped(escape: str) -> str:
    hex_digits = escape.strip()
    if re.fullmatch(r"[0-9a-fA-F]{1,6}", hex_digits):
        code = int(hex_digits, 16)
        return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
    return escape


def _paint_strings(node: Any, path: str, *, painted: bool) -> Iterator[tuple[str, str]]:
    """Every string of the spec under a paint property, with its path; the rows of data are not looked into."""
    if isinstance(node, str):
        if painted:
            yield path, node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            if key not in _DATA_KEYS:
                inner = painted or bool(_PAINT_KEY.fullmatch(str(key)))
                yield from _paint_strings(value, f"{path}.{key}", painted=inner)
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            yield from _paint_strings(value, f"{path}[{i}]", painted=painted)


def _data_colours(node: Any, path: str, named: Mapping[str, Any], data: Any) -> Iterator[tuple[str, list]]:
    """The values each paint channel with `"scale": null` takes from the data as colours, with its path. A
    layer's data is its own "data", else its parent's."""
    if isinstance(node, list | tuple):
        for i, value in enumerate(node):
            yield from _data_colours(value, f"{path}[{i}]", named, data)
        return
    if not isinstance(node, Mapping):
        return
    data = node.get("data", data)
    encoding = node.get("encoding")
    if isinstance(encoding, Mapping):
        for channel in _PAINT_CHANNELS:
            definition = encoding.get(channel)
            if isinstance(definition, Mapping) and "scale" in definition and definition["scale"] is None:
                field = definition.get("field")
                if isinstance(field, str):
                    yield f"{path}.encoding.{channel}", _column_values(data, field, named)
    for key, value in node.items():
        if key not in (*_DATA_KEYS, "encoding", "data"):
            yield from _data_colours(value, f"{path}.{key}", named, data)


def _column_values(data: Any, field: str, named: Mapping[str, Any]) -> list:
    """The distinct values (not missing) of `field` in the data a layer draws: inline rows, or a named dataset
    (an Arrow table, or rows written in the spec)."""
    if not isinstance(data, Mapping):
        return []
    rows = data.get("values")
    if rows is None and isinstance(data.get("name"), str):
        rows = named.get(data["name"])
    if isinstance(rows, pa.Table):
        return pc.drop_null(pc.unique(rows[field])).to_pylist() if field in rows.column_names else []
    if isinstance(rows, list):
        return list({row[field] for row in rows if isinstance(row, Mapping) and row.get(field) is not None})
    return []
