"""The statements column roles are resolved with."""

from __future__ import annotations

from evalviz.data.connection import quote_identifier as q


def names_and_pairs_sql(pairs: list[tuple[str, str]]) -> str:
    """One row: for each (shown, key) pair at index i, how many distinct values `shown` has ("names_i") and how
    many distinct (`shown`, `key`) pairs there are ("pairs_i"), in one scan. NULL counts as a value (a row of it
    is not NULL).

    Example:
        >>> names_and_pairs_sql([("name", "id")])
        'SELECT count(DISTINCT row("name")) AS names_0, count(DISTINCT row("name", "id")) AS pairs_0 FROM this'
    """
    counts = [f"count(DISTINCT row({q(shown)})) AS names_{i}, count(DISTINCT row({q(shown)}, {q(key)})) AS pairs_{i}"
              for i, (shown, key) in enumerate(pairs)]
    return f"SELECT {', '.join(counts)} FROM this"
