"""Statements reading what an input offers: the distinct values of a column (its options) and its range (a
slider's ends)."""

from __future__ import annotations

from evalviz.data.connection import quote_identifier as q


def options_sql(column: str, limit: int, *, finite: bool = False) -> str:
    """Up to `limit` distinct values of `column` in order, NULL last, as "v", each row with "k": how many distinct
    values the column holds in all (NULL counted as one). With `finite` (a column of floats), NaN and infinities
    are left out: no clause can hold them.

    Example:
        >>> print(options_sql("m", 11))
        SELECT v, count(*) OVER () AS k FROM (SELECT DISTINCT "m" AS v FROM this) ORDER BY v ASC NULLS LAST LIMIT 11
    """
    kept = f" WHERE {q(column)} IS NULL OR isfinite({q(column)})" if finite else ""
    return (f"SELECT v, count(*) OVER () AS k FROM (SELECT DISTINCT {q(column)} AS v FROM this{kept}) "
            f"ORDER BY v ASC NULLS LAST LIMIT {int(limit)}")


def range_sql(column: str) -> str:
    """One row: the least ("low") and greatest ("high") finite value of the numeric `column`, both NULL when it
    has none.

    Example:
        >>> print(range_sql("score"))
        SELECT min("score") AS low, max("score") AS high FROM this WHERE isfinite("score"::DOUBLE)
    """
    return f"SELECT min({q(column)}) AS low, max({q(column)}) AS high FROM this WHERE isfinite({q(column)}::DOUBLE)"
