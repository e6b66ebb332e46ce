"""The statement that finds a row whose interval is wrong, shared by every view that reads intervals (the
heatmaps' cells and the score charts' marks): a negative standard error, a low end above the high one, or an
interval that leaves out its own score.

Only rows that count are read: rows with a score (not NULL, not NaN) that did not fail or get skipped
(`query.rows.row_status_sql`). A failed row's interval plays no part in any chart, so it is not refused.
"""

from __future__ import annotations

from evalviz.constants.statuses import OK
from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.query.axes import label_sql
from evalviz.query.grid_columns import GridColumns, key_parts
from evalviz.query.rows import row_status_sql

NEGATIVE_STDERR, UPSIDE_DOWN, SCORE_OUTSIDE = "negative stderr", "low above high", "score outside"


def wrong_interval_sql(columns: GridColumns) -> str | None:
    """SQL of one row of the table `this` whose interval is wrong (None when `columns` name no interval): with
    `low` and `high`, an end above the other or a score outside them (beyond rounding: a billionth of the
    values' size); else, with `stderr`, a negative standard error.

    Columns: x and y (the labels of the row's axis values, as the axes draw them), problem (NEGATIVE_STDERR,
    UPSIDE_DOWN or SCORE_OUTSIDE), value, se, lo and hi.

    Example:
        >>> wrong_interval_sql(GridColumns(x="t", y="m", fill="s")) is None
        True
        >>> "negative stderr" in wrong_interval_sql(GridColumns(x="t", y="m", fill="s", stderr="se"))
        True
    """
    v = f"TRY_CAST({q(columns.fill)} AS DOUBLE)"
    null = "CAST(NULL AS DOUBLE)"
    if columns.low and columns.high:
        lo, hi = (f"TRY_CAST({q(c)} AS DOUBLE)" for c in (columns.low, columns.high))
        slack = f"1e-9 * (abs({lo}) + abs({hi}) + coalesce(abs({v}), 0))"
        both = f"isfinite({lo}) AND isfinite({hi})"
        problem = (f"CASE WHEN {both} AND {lo} > {hi} + {slack} THEN {quote_literal(UPSIDE_DOWN)} "
                   f"WHEN {both} AND isfinite({v}) AND ({v} < {lo} - {slack} OR {v} > {hi} + {slack}) "
                   f"THEN {quote_literal(SCORE_OUTSIDE)} END")
        se = null
    elif columns.stderr:
        se = f"TRY_CAST({q(columns.stderr)} AS DOUBLE)"
        problem = f"CASE WHEN {se} < 0 THEN {quote_literal(NEGATIVE_STDERR)} END"
        lo = hi = null
    else:
        return None
    status, _ = row_status_sql(status=columns.status, reason=columns.reason, error=columns.error)
    keys = [f"{q(column)} AS {name}" for axis in "xy" for column, name in key_parts(columns, axis)]
    counted = f"{status} = {quote_literal(OK)} AND NOT isnan({v})"  # a NULL score is no score: NOT NULL is NULL
    return (f"SELECT {label_sql('x', columns)} AS x, {label_sql('y', columns)} AS y, problem, v AS value, se, lo, "
            f"hi FROM (SELECT {', '.join(keys)}, {problem} AS problem, {v} AS v, {se} AS se, {lo} AS lo, "
            f"{hi} AS hi FROM this WHERE {counted}) WHERE problem IS NOT NULL LIMIT 1")
