"""Python format strings ("{:.3f}", "{:.0%}", "{:.2g}") as the d3 formats Vega draws with."""

from __future__ import annotations

import re

from evalviz.errors import EvalvizError

# The part of Python's format mini-language that d3-format reads the same way.
_SHARED_SPEC = re.compile(r"^(?:.?[<>^=])?[-+ ]?#?0?\d*,?(?:\.\d+)?[efgdrs%]?$")


def d3_format(python_format: str) -> str:
    """The d3 format equivalent to a one-field Python format string like "{:.3f}".

    Example:
        >>> d3_format("{:.0%}")
        '.0%'
    """
    match = re.fullmatch(r"\{:?([^{}]*)\}", python_format.strip())
    spec = match.group(1) if match else None
    if spec is None or not _SHARED_SPEC.match(spec):
        raise EvalvizError(
            f"Format {python_format!r} is not supported. Give one field like '{{:.3f}}', '{{:.0%}}' or '{{:.2g}}'."
        )
    try:
        python_format.format(0.5)
    except (ValueError, IndexError) as exc:
        raise EvalvizError(f"Format {python_format!r} is not a valid Python format string: {exc}.") from exc
    return spec
