"""What the inputs offering a column's values share (`select`, `checkbox_group`, `radio_group`): options read in
DuckDB, the value they start at checked against them, the element drawn."""

from __future__ import annotations

import reprlib
from typing import Any

from evalviz.data.table import Data
from evalviz.errors import ArgumentTypeError
from evalviz.interaction.inputs.base import ALL, InputElement, checked_label, checked_target, starting_value
from evalviz.interaction.inputs.options import Options, as_values, checked_option_column, read_options


def choice_element(name: str, data: Data, column: str, *, multiple: bool, value: Any, target: Any,
                   label: str | None) -> InputElement:
    """The element of an input offering the values of `column`: one of them (`multiple` False) or several.

    `value` is ALL ("all": no filter), one value (or a list of one, for a value that is the text "all"), or, when
    `multiple`, a list of values; each must be a value of the column.
    """
    target = checked_target(target, name)
    checked_option_column(data, column, name)
    options = read_options(data, column)
    selected = _selected(options, starting_value(value, ALL, target), multiple, name)
    return InputElement(name, target, column, checked_label(label, column), {
        "multiple": multiple, "options": [o.to_dict() for o in options.values], "selected": selected,
        "note": options.note})


def _selected(options: Options, value: Any, multiple: bool, name: str) -> list[int]:
    """The positions of the options `value` picks (none for ALL)."""
    if isinstance(value, str) and value == ALL:
        return []
    values = as_values(value, "value")
    if not multiple and len(values) != 1:
        raise ArgumentTypeError(f"value is one value of the column (or 'all'), not {reprlib.repr(value)}; a list of "
                                "values needs multiple=True (or ev.checkbox_group).")
    selected = []
    for one in values:
        index = options.index(one)
        if index is None:
            raise options.missing(one, "value", name)
        selected.append(index)
    return sorted(set(selected))

