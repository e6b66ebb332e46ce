"""`checkbox_group`: a checkbox per value of a column; the rows holding a ticked value are kept."""

from __future__ import annotations

from typing import Any

from evalviz.data.table import Data
from evalviz.interaction.inputs.base import ALL, Target, as_component, checks_input
from evalviz.interaction.inputs.choices import choice_element
from evalviz.rendering.component import Component


@checks_input
def checkbox_group(
    data: Data,
    column: str,
    *,
    value: Any = ALL,
    target: Target,
    label: str | None = None,
) -> Component:
    """A checkbox for each distinct value of `column` (read in DuckDB, in order, NULL last as "(null)").

    Ticking boxes publishes into `target` a clause keeping the rows whose `column` holds a ticked value (op "in",
    the input's id as its source); with no box ticked the clause is taken out and every row is kept. Given an
    `ev.Param`, the input sets it to the list of ticked values instead (None when none is ticked), and starts at the
    Param's value when `value` is not given. At most 1,000 boxes are drawn; the input says how many more values the
    column holds.

    Args:
        data: The table the values are read from (a `Data`, or a dataframe).
        column: The column whose values get a box; text, numbers or booleans.
        value: The values ticked at first: "all" (none ticked: no filter), a value, or a list of values.
        target: The `ev.Selection` the clause goes into (charts take it as `filter_by=`), or an `ev.Param`.
        label: The text shown above the boxes (the column's name by default).

    Returns:
        A Component: show it, or compose it with charts in `ev.vconcat` / `ev.hconcat`.

    Raises:
        MissingColumnError: `column` is not in `data` (the columns present are listed).
        ColumnTypeError: `column` holds dates, lists or other values a clause cannot carry.
        EvalvizError: a `value` is not a value of the column (its values are named); `target` is not a Selection
            or Param.

    Example:
        >>> import evalviz as ev
        >>> evals = ev.Data.from_file("examples/data/evals.parquet")
        >>> orgs = ev.checkbox_group(evals, "model_organization_name", target=ev.Selection.intersect())
    """
    return as_component(choice_element("checkbox_group", data, column, multiple=True, value=value, target=target,
                                    label=label))
