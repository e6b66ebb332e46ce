"""`select`: a drop-down of a column's values; picking one (or several) keeps the rows holding it."""

from __future__ import annotations

from typing import Any

from evalviz.data.table import Data
from evalviz.interaction.inputs.base import ALL, Target, as_component, checks_input
from evalviz.interaction.inputs.choices import choice_element
from evalviz.rendering.component import Component


@checks_input
def select(
    data: Data,
    column: str,
    *,
    multiple: bool = False,
    value: Any = ALL,
    target: Target,
    label: str | None = None,
) -> Component:
    """A drop-down listing the distinct values of `column` (read in DuckDB, in order, NULL last as "(null)").

    Picking a value publishes into `target` a clause keeping the rows whose `column` holds it (op "in", the input's
    id as its source); "All" takes the clause out. Given an `ev.Param`, the input sets it to the value picked
    instead (None for "All"; a list when `multiple`), and starts at the Param's value when `value` is not given. The
    page publishes the starting `value` when drawn. At most 1,000 values are listed; the input says how many more
    the column holds.

    Args:
        data: The table the values are read from (a `Data`, or a dataframe).
        column: The column listed; its values are text, numbers or booleans.
        multiple: Pick several values (a list box, Ctrl/Shift-click); none picked keeps every row.
        value: The value picked at first: "all" (no filter), a value of the column (a list of one for a value
            that is the text "all"), or with `multiple` a list of values (one value alone is picked as a list of
            one: `value="arithmetic"` is `value=["arithmetic"]`).
        target: The `ev.Selection` the clause goes into (charts take it as `filter_by=`), or an `ev.Param`.
        label: The text shown before the drop-down (the column's name by default).

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
        >>> models = ev.Selection.intersect()
        >>> picker = ev.select(evals, "model_display_name", target=models, label="Model")
    """
    return as_component(choice_element("select", data, column, multiple=multiple, value=value, target=target,
                                    label=label))
