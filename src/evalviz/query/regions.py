"""The predicate that narrows a table to the rows of a region of a binned grid, so a drill-down scans less."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal


@dataclass(frozen=True)
class KeyValues:
    """The values a region's axis holds of one key column: texts (`text`) or integers, None for NULL."""

    column: str
    values: Sequence[object]
    text: bool


def region_filter_sql(keys: Sequence[KeyValues]) -> str:
    """A SQL predicate keeping the rows whose key columns hold one of the `keys`' values ("true" without keys).

    A text or integer column is compared as it is stored, so DuckDB can filter while it scans the file; a NULL
    value is kept by IS NULL (never by the text "(null)").

    Example:
        >>> region_filter_sql([KeyValues("model", ["a", None], text=True), KeyValues("id", [3], text=False)])
        '("model" IN (\\'a\\') OR "model" IS NULL) AND ("id" IN (3))'
    """
    tests = []
    for key in keys:
        listed = ", ".join(quote_literal(str(v)) if key.text else str(int(v))  # type: ignore[call-overload]
                           for v in key.values if v is not None)
        either = [f"{q(key.column)} IN ({listed})"] if listed else []
        if None in key.values:
            either.append(f"{q(key.column)} IS NULL")
        tests.append(f"({' OR '.join(either)})" if either else "false")  # a region without values has no rows
    return " AND ".join(tests) or "true"
