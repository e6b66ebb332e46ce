"""The one gate every spec passes on its way to a renderer (a page, the widget, vl-convert): the same rules for
every target. Nothing is fetched, the JSON is strict, and text is drawn in the same fonts everywhere.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.errors import OutputError
from evalviz.rendering.paint import check_paint

# The fonts of every target, page and exported image alike; the first one installed draws the text. vl-convert
# does not fall back along the list: a text holding a character its font lacks ("₂" in "CO₂") is drawn wholly in
# whichever font of the system has it, a serif one say, in its regular weight. So the list starts with the sans
# font covering the most characters, DejaVu Sans (installed on most Linux systems, where browsers draw
# "sans-serif" with it), then Helvetica (macOS) and Arial (Windows).
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"

# What ends a line of text in JavaScript: Vega-Lite cannot take one in an encoding's title (`_titles_in_lines`).
_LINE_BREAK = re.compile("\r\n|[\n\r\u2028\u2029]")
_DATA_KEYS = ("datasets", "values", "usermeta")
# A UTF-16 surrogate alone: Python's stand-in for a byte a file name did not decode with (`os.fsdecode`), which no
# UTF-8 file, browser or vl-convert takes.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def outgoing_spec(spec: Mapping[str, Any], datasets: Mapping[str, pa.Table] | None = None) -> dict[str, Any]:
    """The spec as every target gets it: checked, with evalviz's fonts unless the spec chose its own, and each
    encoding title that breaks lines written as its lines (`_titles_in_lines`).

    `datasets` are the tables the spec names, for the colours it takes from the data as they are.

    Raises:
        OutputError: the spec loads data from a URL, or paints with a resource (url(...) in a colour; see
            `evalviz.rendering.paint`): no target fetches anything. Or it holds a number JSON cannot carry
            (NaN, infinity). Each names where.

    Example:
        >>> outgoing_spec({"mark": "point", "data": {"values": [{"a": 1}]}})["config"]["font"] == FONT
        True
    """
    fetched = next(_data_urls(spec, "spec"), None)
    if fetched is not None:
        path, url = fetched
        raise OutputError(
            f"The chart loads data from the URL {url!r} ({path}). evalviz charts fetch nothing, in every "
            "target: read the data into a Data or dataframe and draw that."
        )
    check_paint(spec, datasets)
    spec_json(spec)
    spec = _titles_in_lines(spec)
    config = spec.get("config", {})
    return dict(spec) if "font" in config else {**spec, "config": {**config, "font": FONT}}


def _titles_in_lines(node: Any) -> Any:
    """The spec with each encoding channel's title that holds a line break (a column named "score\\nmatch" in a
    CSV header) as the list of its lines, which Vega-Lite draws as lines. Vega-Lite writes a channel's title
    unescaped into the expression that describes each mark to screen readers, so a line break in it stops the
    chart from drawing ("Expression parse error"), on the page and in every exported image.

    Example:
        >>> _titles_in_lines({"encoding": {"x": {"field": "a", "title": "score\\nmatch"}}})
        {'encoding': {'x': {'field': 'a', 'title': ['score', 'match']}}}
    """
    if isinstance(node, list | tuple):
        return [_titles_in_lines(child) for child in node]
    if not isinstance(node, Mapping):
        return node
    return {key: value if key in _DATA_KEYS else _channels_in_lines(value) if key == "encoding"
            else _titles_in_lines(value) for key, value in node.items()}


def _channels_in_lines(encoding: Any) -> Any:
    """An encoding's channel definitions (one, or a list as a tooltip's; with their conditions) with titles in
    lines."""
    if isinstance(encoding, list | tuple):
        return [_channels_in_lines(child) for child in encoding]
    if not isinstance(encoding, Mapping):
        return encoding
    out = {}
    for key, value in encoding.items():
        if key == "title" and isinstance(value, str) and _LINE_BREAK.search(value):
            out[key] = _LINE_BREAK.split(value)
        else:
            out[key] = value if key in _DATA_KEYS else _channels_in_lines(value)
    return out


def outgoing_item(item: Mapping[str, Any], datasets: Mapping[str, pa.Table] | None = None) -> dict[str, Any]:
    """An item tree (`evalviz.rendering.items`) as every target gets it: each chart's spec through
    `outgoing_spec`, reading the datasets under its prefix; other items as they are.

    Example:
        >>> item = outgoing_item({"kind": "layout", "items": [{"kind": "chart", "spec": {"mark": "point"}}]})
        >>> item["items"][0]["spec"]["config"]["font"] == FONT
        True
    """
    if item.get("kind") == "chart":
        prefix = item.get("prefix", "")
        own = {name[len(prefix):]: table for name, table in (datasets or {}).items() if name.startswith(prefix)}
        return {**item, "spec": outgoing_spec(item["spec"], own)}
    if item.get("kind") == "layout":
        return {**item, "items": [outgoing_item(child, datasets) for child in item["items"]]}
    return dict(item)


def spec_json(payload: Any) -> str:
    """Strict JSON of a spec (or a payload holding one): never NaN or Infinity, which JSON does not have.

    Raises:
        OutputError: naming the first field whose value JSON cannot carry.

    Example:
        >>> spec_json({"width": 300})
        '{"width": 300}'
    """
    try:
        return well_formed(json.dumps(payload, ensure_ascii=False, allow_nan=False))
    except (ValueError, TypeError) as exc:
        path, value = unjsonable(payload) or ("?", None)
        raise OutputError(
            f"The chart holds {value!r} at {path}, which JSON cannot carry ({exc}). This is a bug in evalviz "
            "when evalviz made the chart; for values you gave (chart attributes, extra marks), give finite "
            "numbers, strings, lists and dicts."
        ) from None


def well_formed(text: str) -> str:
    """`text` as every target can take it: a lone surrogate (a title or path holding a file name's undecodable
    byte, as Python reads non-UTF-8 names) is written as the replacement character U+FFFD, as a browser shows a
    byte it cannot read.

    Example:
        >>> well_formed("logs-caf\\udce9")
        'logs-caf\ufffd'
    """
    return _LONE_SURROGATE.sub("\ufffd", text) if _LONE_SURROGATE.search(text) else text


def json_rows(table: pa.Table) -> list[dict[str, Any]]:
    """A dataset's rows as JSON values, for renderers that take one JSON document (vl-convert, Altair), read
    as the page reads them from Arrow.

    NaN and infinities become null, which Vega reads as "no value" as it reads NaN; timestamps and dates become
    milliseconds since 1970, times and durations their count of units, decimals floats.

    Example:
        >>> json_rows(pa.table({"v": [1.5, float("nan")]}))
        [{'v': 1.5}, {'v': None}]
    """
    for i, field in enumerate(table.schema):
        table = table.set_column(i, field.name, _json_column(table.column(i), field.type))
    return table.to_pylist()


_MS_PER_UNIT = {"s": 1000.0, "ms": 1.0, "us": 1e-3, "ns": 1e-6}


def _json_column(column: pa.ChunkedArray, kind: pa.DataType) -> pa.ChunkedArray:
    if pa.types.is_floating(kind):
        return pc.if_else(pc.is_finite(column), column, pa.scalar(None, kind))
    if pa.types.is_decimal(kind):
        return column.cast(pa.float64())
    if pa.types.is_timestamp(kind):
        return pc.multiply(column.cast(pa.int64()).cast(pa.float64()), _MS_PER_UNIT[kind.unit])
    if pa.types.is_date(kind):
        return column.cast(pa.date64()).cast(pa.int64())
    if pa.types.is_time(kind) or pa.types.is_duration(kind):
        return column.cast(pa.int64())
    return column


def _data_urls(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    """The URLs a spec loads data from ({"data": {"url": ...}}, at any depth), with their paths; the rows of
    inline data are values, not spec, and are not looked into."""
    if isinstance(node, Mapping):
        data = node.get("data")
        if isinstance(data, Mapping) and "url" in data:
            yield f"{path}.data.url", data["url"]
        for key, value in node.items():
            if key not in ("datasets", "values", "usermeta"):
                yield from _data_urls(value, f"{path}.{key}")
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            yield from _data_urls(value, f"{path}[{i}]")


def unjsonable(payload: Any) -> tuple[str, Any] | None:
    """The first field of a JSON-like tree whose value JSON cannot carry (NaN, an infinity, an object), with its
    path, or None.

    Example:
        >>> unjsonable({"layer": [{"width": 100}, {"height": float("inf")}]})
        ('spec.layer[1].height', inf)
    """
    return next(((path, value) for path, value in _walk(payload, "spec") if not _json_scalar(value)), None)


def _json_scalar(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, str | int | bool | Mapping | list | tuple)


def _walk(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every node of a JSON-like tree with its path ("spec.layer[0].mark"), parents before children."""
    yield path, node
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}" if str(key).isidentifier() else f"{path}[{str(key)!r}]")
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}[{i}]")
