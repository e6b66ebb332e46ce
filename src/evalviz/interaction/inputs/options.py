"""What an input offers, read in DuckDB: a column's distinct values (the options of a select, of checkboxes and
radio buttons) and its range (a slider's ends), as values JSON carries and the page compares as they are."""

from __future__ import annotations

import decimal
import math
import reprlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evalviz.data.table import Data
from evalviz.data.types import describe, is_boolean, is_floating, is_numeric, is_text
from evalviz.errors import ArgumentTypeError, ColumnTypeError, EmptyDataError, EvalvizError
from evalviz.interaction.selection import Scalar
from evalviz.query.options import options_sql, range_sql
from evalviz.signatures import did_you_mean

MAX_OPTIONS = 1000  # options shown at most; the input says how many more the column holds
NULL_LABEL = "(null)"
EMPTY_LABEL = "(empty text)"


@dataclass(frozen=True)
class Option:
    """One value an input offers, and the text shown for it."""

    value: Scalar
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "label": self.label}


@dataclass(frozen=True)
class Options:
    """A column's distinct values in order (NULL last), at most `MAX_OPTIONS`, and how many it holds in all."""

    column: str
    values: tuple[Option, ...]
    total: int

    @property
    def note(self) -> str | None:
        """What the page says when values were left out, else None."""
        if self.total <= len(self.values):
            return None
        return (f"Showing the first {len(self.values):,} of {self.total:,} values of {self.column}; "
                "use ev.search to filter on the others.")

    def index(self, value: Any) -> int | None:
        """The position of the option whose value is `value` (True is not 1), else None."""
        for i, option in enumerate(self.values):
            if same_value(option.value, value):
                return i
        return None

    def missing(self, value: Any, argument: str, name: str) -> EvalvizError:
        """The error for a `value` given in `argument` of the input `name` that is not among the options: a
        sentence naming the value, the column, the closest of its values and its values.

        Example:
            >>> options = Options("status", (Option("success", "success"),), 1)
            >>> str(options.missing("succes", "values", "checkbox")).split(".")[0]
            "checkbox's values= names 'succes', which is not a value of column 'status'"
        """
        shown = ", ".join(repr(o.value) for o in self.values[:20])
        more = f" and {len(self.values) - 20:,} more" if len(self.values) > 20 else ""
        cut = f" (the first {len(self.values):,} of {self.total:,})" if self.total > len(self.values) else ""
        texts = [o.value for o in self.values if isinstance(o.value, str)]
        close = did_you_mean(value, texts) if isinstance(value, str) else ""
        listing = f"Its only value is {shown}" if self.total == 1 else f"Its values{cut} are {shown or 'none'}{more}"
        return EvalvizError(f"{name}'s {argument}= names {reprlib.repr(value)}, which is not a value of column "
                            f"{self.column!r}.{close} {listing}. Give one of them, or {ALL_TEXT}.")


ALL_TEXT = "'all' for no filter"


def same_value(a: Any, b: Any) -> bool:
    """Whether two option values are the same value: equal, and both booleans or neither (True is not 1)."""
    return isinstance(a, bool) == isinstance(b, bool) and (a is None) == (b is None) and a == b


def checked_option_column(data: Data, column: str, name: str) -> None:
    """Raise unless `column` is in `data` and holds text, numbers or booleans: values a clause carries as they are."""
    data.require_columns(column, purpose=f"the {name} input")
    kind = data.types[column]
    if not (is_text(kind) or is_numeric(kind) or is_boolean(kind)):
        raise ColumnTypeError(
            f"Column {column!r} holds {describe(kind)} values; {name} offers text, numbers or booleans. Make a "
            f"column of text first: data.derive(\"SELECT *, CAST({column} AS VARCHAR) AS {column}_text FROM this\") "
            "(and draw the charts it filters from that data too).")


def read_options(data: Data, column: str) -> Options:
    """The distinct values of `column` (text, numbers or booleans), in order, NULL last, at most MAX_OPTIONS.

    Example:
        >>> data = Data.from_sql("SELECT * FROM (VALUES ('b'), ('a'), (NULL), ('a')) t(model)")
        >>> [(o.value, o.label) for o in read_options(data, "model").values]
        [('a', 'a'), ('b', 'b'), (None, '(null)')]
    """
    rows = data.run(options_sql(column, MAX_OPTIONS, finite=is_floating(data.types[column]))).to_pylist()
    values = tuple(Option(value, label_of(value)) for value in (plain(row["v"]) for row in rows))
    return Options(column, values, rows[0]["k"] if rows else 0)


def read_range(data: Data, column: str, name: str) -> tuple[float, float]:
    """The least and greatest finite values of the numeric `column`.

    Raises:
        ColumnTypeError: the column does not hold numbers.
        EmptyDataError: it holds no finite number.
    """
    checked_numeric_column(data, column, name)
    row = data.run(range_sql(column)).to_pylist()[0]
    if row["low"] is None:
        raise EmptyDataError(f"Column {column!r} holds no finite number, so {name} has no range to read: give min= "
                             "and max=, or a column with numbers.")
    return plain(row["low"]), plain(row["high"])


def checked_numeric_column(data: Data, column: str, name: str) -> None:
    """Raise unless `column` is in `data` and holds numbers."""
    data.require_columns(column, purpose=f"the {name} input")
    kind = data.types[column]
    if not is_numeric(kind):
        raise ColumnTypeError(
            f"{name} moves over numbers; column {column!r} holds {describe(kind)} values. Use ev.select, "
            "ev.checkbox_group or ev.search for text, or give a column of numbers.")


def plain(value: Any) -> Scalar:
    """A value as JSON carries it: DECIMAL as a float, others as they are."""
    return float(value) if isinstance(value, decimal.Decimal) else value


def label_of(value: Scalar) -> str:
    """The text shown for a value: NULL and empty text named, booleans as true/false, numbers as Python
    writes them.

    Example:
        >>> [label_of(v) for v in (None, "", True, 0.5, 3)]
        ['(null)', '(empty text)', 'true', '0.5', '3']
    """
    if value is None:
        return NULL_LABEL
    if value == "" and isinstance(value, str):
        return EMPTY_LABEL
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def checked_number(value: Any, argument: str) -> float | int:
    """`value` when it is a finite number (not a boolean), DECIMAL as a float; else an error naming `argument`."""
    if isinstance(value, decimal.Decimal):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ArgumentTypeError(f"{argument} is a finite number, not {reprlib.repr(value)}.")
    return value


def as_values(value: Any, argument: str) -> Sequence[Any]:
    """`value` as a list of values: a list or tuple as it is, one value as a list of one."""
    if isinstance(value, list | tuple):
        return value
    if isinstance(value, set | frozenset | dict):
        raise ArgumentTypeError(f"{argument} is a value or a list of values, not {reprlib.repr(value)}.")
    return [value]
