"""Python format strings ("{:.3f}", "{:.0%}", "{:.2g}") as the d3 formats Vega draws with, and the one way
counts are written: with thousands separators ("10,000"), in tooltips, notes and subtitles alike."""

from __future__ import annotations

import json
import re

from evalviz.errors import EvalvizError
from evalviz.query.axes import KEY_MARK

# The part of Python's format mini-language that d3-format reads the same way:
# [[fill]align][sign][#][0][width][,][.precision][type]
_SHARED_SPEC = re.compile(
    r"^(?P<align>.?[<>^=])?(?P<sign>[-+ ])?(?P<alt>#)?(?P<zero>0)?(?P<width>\d*)(?P<comma>,)?"
    r"(?P<precision>\.\d+)?(?P<type>[efg%])?$"
)
# A label expression drawing a group's key (`query.series.series_key_sql`, `query.axes`) without its KEY_MARK.
UNMARKED_LABEL = f"replace(datum.label, {json.dumps(KEY_MARK)}, '')"
COUNT_FORMAT = ",d"  # the d3 format of a count (rows, samples): "10,000"


def count_text(count: int) -> str:
    """A count as text, with thousands separators.

    Example:
        >>> count_text(10000)
        '10,000'
    """
    return f"{count:,}"


def d3_format(python_format: str) -> str:
    """The d3 format that draws numbers as the one-field Python format string `python_format` does.

    Python's "g" drops trailing zeros and d3's keeps them unless told with "~", so "g" gains a "~".

    Example:
        >>> d3_format("{:.0%}")
        '.0%'
        >>> d3_format("{:.2g}")
        '.2~g'
    """
    spec = python_spec(python_format)
    match = _SHARED_SPEC.match(spec)
    assert match is not None  # python_spec checked it
    if match["type"] == "g" and not match["alt"]:
        return spec[:-1] + "~g"
    return spec


def python_spec(python_format: str) -> str:
    """The format spec inside a one-field Python format string, after checking it formats a float.

    Example:
        >>> python_spec("{:.3f}")
        '.3f'
    """
    if not isinstance(python_format, str):
        raise EvalvizError(f"A format is a string like '{{:.3f}}', not {python_format!r}.")
    match = re.fullmatch(r"\{:?([^{}]*)\}", python_format.strip())
    spec = match.group(1) if match else None
    if spec is None or not _SHARED_SPEC.match(spec):
        raise EvalvizError(
            f"Format {python_format!r} is not supported. Give one field like '{{:.3f}}', '{{:.0%}}' or "
            "'{:.2g}' (fixed 'f', exponent 'e', general 'g' or percent '%', with optional sign, width, ','"
            " and precision)."
        )
    try:
        python_format.format(0.5)
    except (ValueError, IndexError, KeyError) as exc:
        raise EvalvizError(f"Format {python_format!r} is not a valid Python format string: {exc}.") from exc
    return spec


def format_value(python_format: str, value: float) -> str:
    """`value` written with `python_format`, as Python writes it (used to size annotations)."""
    return ("{:" + python_spec(python_format) + "}").format(value)


def without_sign(d3: str) -> str:
    """A d3 format without a forced sign ("+.3f" -> ".3f"), for values that are not differences.

    Example:
        >>> without_sign("+.3f")
        '.3f'
    """
    match = _SHARED_SPEC.match(d3.replace("~g", "g"))
    if match and match["sign"] == "+":
        start = match.start("sign")
        return d3[:start] + d3[start + 1:]
    return d3
