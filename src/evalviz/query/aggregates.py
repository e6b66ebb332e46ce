"""How a group's values combine in SQL: the aggregates a cell takes, and a mean that does not overflow.

Shared by the cells of every grid (`query.cells`) and the ranking of its axes by their means (`query.axes`).
"""

from __future__ import annotations

from typing import Literal

Aggregate = Literal["mean", "median", "min", "max", "sum"]  # as a view's `agg` takes them
AGGREGATES = {"mean": "avg", "median": "median", "min": "min", "max": "max", "sum": "sum"}
# A mean of finite values is finite, though their running sum may overflow: such a mean is taken of the values
# scaled down by 2^-600 (exact for all but values below 2^-422, negligible beside those that overflow).
_SCALE = 600


def aggregate_sql(agg: str, column: str) -> str:
    """SQL of the `agg` of `column` over a group: infinite only when a value is, or when a sum overflows.

    Example:
        >>> aggregate_sql("max", "v")
        'max(v)'
    """
    plain = f"{AGGREGATES[agg]}({column})"
    if agg != "mean":
        return plain
    return (f"CASE WHEN isinf({plain}) AND count({column}) FILTER (WHERE isinf({column})) = 0 "
            f"THEN avg({column} * pow(2.0, -{_SCALE})) * pow(2.0, {_SCALE}) ELSE {plain} END")
