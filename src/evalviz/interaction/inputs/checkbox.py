"""`checkbox`: one box; ticked, it keeps the rows holding one value of a column (or sets a Param)."""

from __future__ import annotations

import reprlib
from typing import Any

from evalviz.data.table import Data
from evalviz.errors import ArgumentTypeError
from evalviz.interaction.inputs.base import (
    ALL,
    InputElement,
    Target,
    as_component,
    checked_label,
    checked_target,
    checks_input,
    needs_column,
)
from evalviz.interaction.inputs.options import checked_option_column, read_options, same_value
from evalviz.interaction.selection import Param, _scalar
from evalviz.rendering.component import Component


@checks_input
def checkbox(
    data: Data | None = None,
    column: str | None = None,
    *,
    values: tuple[Any, Any] = (True, False),
    checked: bool = False,
    target: Target,
    label: str | None = None,
) -> Component:
    """One checkbox: ticked, it publishes into `target` a clause keeping the rows whose `column` holds
    `values[0]`; not ticked, one keeping `values[1]`. Either may be "all": no clause, every row kept.

    Given an `ev.Param`, the box sets it to `values[0]` or `values[1]` instead ("all" sets None), ticked at first when
    the Param holds `values[0]`; such a box needs no data. The page publishes the starting state when drawn.

    Args:
        data: The table holding `column` (a `Data`, or a dataframe); None for a box setting a Param.
        column: The column the clauses read (text, numbers or booleans); None for a box setting a Param.
        values: (value when ticked, value when not ticked), each a value of the column or "all".
        checked: Whether the box starts ticked.
        target: The `ev.Selection` the clause goes into (charts take it as `filter_by=`), or an `ev.Param`.
        label: The text beside the box (the column's name by default).

    Returns:
        A Component: show it, or compose it with charts in `ev.vconcat` / `ev.hconcat`.

    Raises:
        MissingColumnError: `column` is not in `data` (the columns present are listed).
        ColumnTypeError: `column` holds dates, lists or other values a clause cannot carry.
        EvalvizError: `values` is not a pair, or names a value the column does not hold (its values are named);
            `target` is not a Selection or Param.

    Example:
        >>> import evalviz as ev
        >>> evals = ev.Data.from_file("examples/data/evals.parquet")
        >>> finished = ev.checkbox(evals, "status", values=("success", "all"), label="Only finished runs",
        ...                        target=ev.Selection.intersect())
    """
    target = checked_target(target, "checkbox")
    needs_column(data, column, target, "checkbox")
    pair = _checked_values(values)
    if data is not None and column is not None:
        checked_option_column(data, column, "checkbox")
        options = read_options(data, column)
        if options.total == len(options.values):  # every value known: a value the column lacks is refused
            for value in pair:
                if value is not None and options.index(value["value"]) is None:
                    raise options.missing(value["value"], "values", "checkbox")
    if not checked and isinstance(target, Param) and pair[0] is not None and same_value(target.value, pair[0]["value"]):
        checked = True  # the box shows what its Param holds
    element = InputElement("checkbox", target, column, checked_label(label, column) or "",
                           {"checked": checked, "values": list(pair)})
    return as_component(element)


def _checked_values(values: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Each state's value as the page takes it: {"value": v}, or None for "all"."""
    if not isinstance(values, list | tuple) or len(values) != 2:
        raise ArgumentTypeError(f"values is a pair (value when ticked, value when not ticked), such as "
                                f"(True, False) or ('error', 'all'), not {reprlib.repr(values)}.")
    return tuple(None if isinstance(v, str) and v == ALL else {"value": _scalar(v, "values")} for v in values)
