"""Statements counting and listing distinct values, with which views tell how many tasks or metrics a table holds."""

from __future__ import annotations

from collections.abc import Sequence

from evalviz.data.connection import quote_identifier as q


def distinct_count_sql(columns: Sequence[str]) -> str:
    """One row, "k": how many distinct combinations of `columns` the table holds (a NULL counts as a value).

    Example:
        >>> distinct_count_sql(["task_display_name", "task_name"])
        'SELECT count(*) AS k FROM (SELECT DISTINCT "task_display_name", "task_name" FROM this)'
    """
    return f"SELECT count(*) AS k FROM (SELECT DISTINCT {', '.join(q(c) for c in columns)} FROM this)"


def distinct_values_sql(column: str, limit: int) -> str:
    """Up to `limit` distinct values of `column`, in order, as column "v".

    Example:
        >>> distinct_values_sql("metric", 11)
        'SELECT DISTINCT "metric" AS v FROM this ORDER BY 1 LIMIT 11'
    """
    return f"SELECT DISTINCT {q(column)} AS v FROM this ORDER BY 1 LIMIT {int(limit)}"
