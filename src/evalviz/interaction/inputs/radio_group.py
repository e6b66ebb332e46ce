"""`radio_group`: a radio button per value of a column, and "All"; the rows holding the chosen value are kept."""

from __future__ import annotations

from typing import Any

from evalviz.data.table import Data
from evalviz.interaction.inputs.base import ALL, Target, as_component, checks_input
from evalviz.interaction.inputs.choices import choice_element
from evalviz.rendering.component import Component


@checks_input
def radio_group(
    data: Data,
    column: str,
    *,
    value: Any = ALL,
    target: Target,
    label: str | None = None,
) -> Component:
    """A radio button "All", then one for each distinct value of `column` (read in DuckDB, in order, NULL last as
    "(null)").

    Choosing a value publishes into `target` a clause keeping the rows whose `column` holds it (op "in", the input's
    id as its source); "All" takes the clause out. Given an `ev.Param`, the input sets it to the value chosen
    instead (None for "All"), and starts at the Param's value when `value` is not given. At most 1,000 buttons are
    drawn; the input says how many more values the column holds.

    Args:
        data: The table the values are read from (a `Data`, or a dataframe).
        column: The column whose values get a button; text, numbers or booleans.
        value: The value chosen at first: "all" (no filter), or a value of the column (a list of one for a value
            that is the text "all").
        target: The `ev.Selection` the clause goes into (charts take it as `filter_by=`), or an `ev.Param`.
        label: The text shown above the buttons (the column's name by default).

    Returns:
        A Component: show it, or compose it with charts in `ev.vconcat` / `ev.hconcat`.

    Raises:
        MissingColumnError: `column` is not in `data` (the columns present are listed).
        ColumnTypeError: `column` holds dates, lists or other values a clause cannot carry.
        EvalvizError: `value` is not a value of the column (its values are named); `target` is not a Selection
            or Param.

    Example:
        >>> import evalviz as ev
        >>> evals = ev.Data.from_file("examples/data/evals.parquet")
        >>> tasks = ev.radio_group(evals, "task_name", target=ev.Selection.intersect())
    """
    return as_component(choice_element("radio_group", data, column, multiple=False, value=value, target=target,
                                    label=label))
