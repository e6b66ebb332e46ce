"""`search`: a text box; the rows whose column matches the text typed are kept."""

from __future__ import annotations

import reprlib
from typing import Literal

from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.interaction.inputs.base import (
    InputElement,
    Target,
    as_component,
    checked_label,
    checked_target,
    checks_input,
    starting_value,
)
from evalviz.interaction.inputs.options import checked_option_column
from evalviz.rendering.component import Component

TYPES = ("contains", "prefix", "regexp")


@checks_input
def search(
    data: Data,
    column: str,
    *,
    type: Literal["contains", "prefix", "regexp"] = "contains",  # noqa: A002 - named as inspect_viz names it
    value: str = "",
    target: Target,
    label: str | None = None,
    placeholder: str | None = None,
) -> Component:
    """A search box: typing publishes into `target` a clause keeping the rows whose `column`, read as text,
    matches what is typed; an empty box takes the clause out.

    "contains" and "prefix" match without regard to case; "regexp" matches a regular expression as written (a
    pattern still being typed that is not valid matches nothing, and the box says so). Given an `ev.Param`, the box
    sets it to the text instead, starting with the Param's text when `value` is not given. The page publishes
    `value` when drawn.

    Args:
        data: The table holding `column` (a `Data`, or a dataframe).
        column: The column searched: text, numbers or booleans.
        type: "contains" (anywhere), "prefix" (at the start) or "regexp" (a regular expression).
        value: The text in the box at first.
        target: The `ev.Selection` the clause goes into (charts take it as `filter_by=`), or an `ev.Param`.
        label: The text shown before the box (the column's name by default).
        placeholder: Grey text in the empty box.

    Returns:
        A Component: show it, or compose it with charts in `ev.vconcat` / `ev.hconcat`.

    Raises:
        MissingColumnError: `column` is not in `data` (the columns present are listed).
        ColumnTypeError: `column` holds dates, lists or other values a clause cannot carry.
        EvalvizError: `type` is not one of the above; `target` is not a Selection or Param.

    Example:
        >>> import evalviz as ev
        >>> samples = ev.Data.from_file("examples/data/samples.parquet")
        >>> box = ev.search(samples, "input", target=ev.Selection.intersect(), placeholder="Find a prompt")
    """
    target = checked_target(target, "search")
    if type not in TYPES:
        raise EvalvizError(f"type is one of {', '.join(map(repr, TYPES))}, not {reprlib.repr(type)}.")
    checked_option_column(data, column, "search")
    value = starting_value(value, "", target)
    if not isinstance(value, str):
        raise EvalvizError(f"A search box starts with text, not {reprlib.repr(value)}.")
    fields = {"type": type, "value": value, "placeholder": placeholder}
    return as_component(InputElement("search", target, column, checked_label(label, column), fields))
