"""Errors evalviz raises for bad input: each names the problem and the way out."""

from __future__ import annotations

import difflib
from collections.abc import Sequence


class EvalvizError(ValueError):
    """Base class of evalviz's input errors."""


class MissingColumnError(EvalvizError, KeyError):
    """A column a function needs is not in the table."""

    def __init__(self, column: str, available: Sequence[str], *, purpose: str = "") -> None:
        self.column = column
        self.available = list(available)
        close = difflib.get_close_matches(column, self.available, n=1, cutoff=0.6)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        what = f" (needed for {purpose})" if purpose else ""
        listing = ", ".join(repr(c) for c in self.available) or "none"
        super().__init__(f"Column {column!r}{what} is not in the data.{hint} Columns present: {listing}.")

    def __str__(self) -> str:  # KeyError would otherwise print the message in quotes
        return self.args[0]


class ArgumentTypeError(EvalvizError, TypeError):
    """An argument or a field is of a type the function cannot take (a number where a name is needed, a list
    where a mapping is): a `TypeError` too, as Python raises for a wrong type."""


class UnknownNameError(EvalvizError, KeyError):
    """A name (of a registered metric, ...) is not one evalviz knows: a `KeyError` too, as a lookup raises."""

    def __str__(self) -> str:  # KeyError would otherwise print the message in quotes
        return self.args[0]


class EmptyDataError(EvalvizError):
    """The table, or what a filter left of it, has no rows to draw."""


class DataSourceError(EvalvizError):
    """A file or other source could not be read."""


class QueryError(EvalvizError):
    """SQL the user gave (a filter, a derived table, a query) is not valid for the table, or failed when it ran."""


class ColumnTypeError(EvalvizError):
    """A column holds values of a type the operation cannot use (text where numbers are needed, lists, ...)."""


class OutputError(EvalvizError):
    """A chart cannot be written or shown as it is (it names a URL to load, holds a value JSON cannot carry, or
    a drill-down asked for a cell it does not have); nothing was written."""
