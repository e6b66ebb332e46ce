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


class EmptyDataError(EvalvizError):
    """The table, or what a filter left of it, has no rows to draw."""


class DataSourceError(EvalvizError):
    """A file or other source could not be read."""
