"""`slider`: a value (or a range, with two thumbs) of a numeric column; the rows holding it are kept."""

from __future__ import annotations

import reprlib
from typing import Any, Literal

from evalviz.data.table import Data
from evalviz.data.types import is_integer
from evalviz.errors import ArgumentTypeError, EvalvizError
from evalviz.interaction.inputs.base import (
    InputElement,
    Target,
    as_component,
    checked_label,
    checked_target,
    checks_input,
    needs_column,
    starting_value,
)
from evalviz.interaction.inputs.options import checked_number, checked_numeric_column, read_range
from evalviz.rendering.component import Component

Number = int | float


@checks_input
def slider(
    data: Data | None = None,
    column: str | None = None,
    *,
    select: Literal["point", "interval"] = "point",
    min: float | None = None,  # noqa: A002 - named as inspect_viz and HTML name it
    max: float | None = None,  # noqa: A002
    step: float | None = None,
    value: Any = None,
    target: Target,
    label: str | None = None,
) -> Component:
    """A slider over the numbers of `column`, from its least to its greatest finite value (read in DuckDB) unless
    `min` and `max` are given.

    With `select="point"`, moving it publishes into `target` a clause keeping the rows whose `column` equals the
    value (op "in"); with `select="interval"` it has two thumbs (the low one never past the high one) and the clause
    keeps the rows from low to high, both included (op "range"). Given an `ev.Param`, the slider sets it to the
    value (a [low, high] list for "interval") instead, starting at the Param's value when `value` is not given. The
    page publishes `value` when drawn; with no `value`, nothing is published until the slider is moved (every row is
    kept, rows with no value too).

    Args:
        data: The table holding `column` (a `Data`, or a dataframe); None for a slider setting a Param.
        column: A column of numbers; None for a slider setting a Param (then `min` and `max` are needed).
        select: "point" (one value) or "interval" (a range).
        min, max: The slider's ends (default: the column's least and greatest finite values).
        step: The distance between the values it stops at (default: 1 for a column of integers, any otherwise).
        value: Where it starts: a number ("point") or a (low, high) pair ("interval"), within [min, max].
        target: The `ev.Selection` the clause goes into (charts take it as `filter_by=`), or an `ev.Param`.
        label: The text shown before the slider (the column's name by default).

    Returns:
        A Component: show it, or compose it with charts in `ev.vconcat` / `ev.hconcat`.

    Raises:
        MissingColumnError: `column` is not in `data` (the columns present are listed).
        ColumnTypeError: `column` holds text or other values that are not numbers.
        EmptyDataError: the column holds no finite number and `min` or `max` is not given.
        EvalvizError: `select`, `min`, `max`, `step` or `value` is not as above; `target` is not a Selection or
            Param.

    Example:
        >>> import evalviz as ev
        >>> evals = ev.Data.from_file("examples/data/evals.parquet")
        >>> scores = ev.slider(evals, "score_headline_value", select="interval", step=0.05,
        ...                    target=ev.Selection.intersect(), label="Score")
    """
    target = checked_target(target, "slider")
    needs_column(data, column, target, "slider")
    if select not in ("point", "interval"):
        raise EvalvizError(f"select is 'point' (one value) or 'interval' (a range), not {reprlib.repr(select)}.")
    low, high = _ends(data, column, min, max)
    fields = {"select": select, "min": low, "max": high, "step": _step(data, column, step),
              "value": _start(starting_value(value, None, target), select, low, high)}
    return as_component(InputElement("slider", target, column, checked_label(label, column) or "", fields))


def _ends(data: Data | None, column: str | None, low: Any, high: Any) -> tuple[Number, Number]:
    """The slider's ends: as given, else the column's finite range."""
    if data is None or column is None:
        if low is None or high is None:
            raise EvalvizError("A slider without data needs min= and max=.")
    else:
        checked_numeric_column(data, column, "slider")
        if low is None or high is None:
            found = read_range(data, column, "slider")
            low, high = found[0] if low is None else low, found[1] if high is None else high
    low, high = checked_number(low, "min"), checked_number(high, "max")
    if low > high:
        raise EvalvizError(f"min ({low}) is above max ({high}); give min <= max.")
    return low, high


def _step(data: Data | None, column: str | None, step: Any) -> Number | str:
    if step is None:
        return 1 if data is not None and column is not None and is_integer(data.types[column]) else "any"
    step = checked_number(step, "step")
    if step <= 0:
        raise EvalvizError(f"step is a positive number, not {step}.")
    return step


def _start(value: Any, select: str, low: Number, high: Number) -> Number | list[Number] | None:
    """The value the slider starts at, checked to lie within [low, high]."""
    if value is None:
        return None
    if select == "point":
        point = checked_number(value, "value")
        if not low <= point <= high:
            raise EvalvizError(f"value {point} lies outside the slider's range [{low}, {high}]; give a value in it.")
        return point
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ArgumentTypeError(f"An interval slider's value is a (low, high) pair, not {reprlib.repr(value)}.")
    start, end = checked_number(value[0], "value's low"), checked_number(value[1], "value's high")
    if not low <= start <= end <= high:
        raise EvalvizError(f"value ({start}, {end}) is not a range within [{low}, {high}] with low <= high.")
    return [start, end]
