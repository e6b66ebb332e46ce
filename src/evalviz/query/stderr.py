"""The standard error of a group of estimates, in SQL: one rule for every view that combines rows (the heatmaps'
cells and the score charts' marks), safe from overflow.

A mean of k independent estimates with standard errors se_i has the standard error sqrt(se_1^2 + ... + se_k^2) / k
(a sum: the root alone). It is taken over the rows that have a value, and only when every one of them has a
finite standard error: a group where some lack one has none (a view's tooltip says why), since the rows without
one would be left out of the interval but not of the value.
"""

from __future__ import annotations

# Squares of standard errors beyond about 1e154 overflow: their sum is then taken of the errors scaled by 2^-600
# (the result scaled back), which keeps every finite standard error finite when squared.
_SCALE = 600


def combined_stderr_sql(agg: str, se: str = "se", value: str = "v") -> str:
    """SQL of the standard error of the `agg` ("mean" or "sum") of a group's values `value`, from their standard
    errors `se` (finite, or NULL): NULL unless every row with a value has one. Scaled down before it is divided,
    so that a mean of large errors stays finite when it can.

    Example:
        >>> "count(se) FILTER (WHERE v IS NOT NULL) = count(v)" in combined_stderr_sql("mean")
        True
    """
    where = f"{value} IS NOT NULL"
    plain = f"sqrt(sum({se} * {se}) FILTER (WHERE {where}))"
    scaled = f"sqrt(sum(pow({se} * pow(2.0, -{_SCALE}), 2)) FILTER (WHERE {where}))"
    divisor = f" / count({value})" if agg == "mean" else ""
    combined = (f"CASE WHEN isinf({plain}) THEN {scaled}{divisor} * pow(2.0, {_SCALE}) "
                f"ELSE {plain}{divisor} END")
    return f"CASE WHEN count({value}) > 0 AND count({se}) FILTER (WHERE {where}) = count({value}) THEN {combined} END"
