"""The statements that order a grid's axes: each axis value's label, its mean, and its position in drawing order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from evalviz.data.connection import quote_literal
from evalviz.query.aggregates import aggregate_sql
from evalviz.query.grid_columns import GridColumns, part_names

NULL_LABEL = "(null)"  # the axis label of rows whose x or y is NULL
# Joins a label and a number into the key of an axis value whose label another value shares, or whose label holds
# this mark itself: keys are unique on each axis whatever the labels hold, labels need not be (a NULL and the text
# "(null)", or the composite keys ("a · b", "c") and ("a", "b · c")). Keys place cells; labels are only drawn.
KEY_MARK = "\u2063"

# A mean to sort by, to 10 significant digits: means equal but for the rounding of their sums (added in another
# order by other threads, or from rows grouped first: `views.binned_requery`) are ties, broken alike every time.
_SORTED_MEAN = "CASE WHEN m = 0 THEN m ELSE round(m, 10 - CAST(ceil(log10(abs(m))) AS INTEGER)) END"
# ORDER BY keys of each axis's values by their mean m: "ascending" puts the highest values towards the top right
# (x rising left to right; y lists its top row first, so it falls). Values without any value go to the low end.
_MEAN_ORDER = {
    "ascending": (f"{_SORTED_MEAN} ASC NULLS FIRST", f"{_SORTED_MEAN} DESC NULLS LAST"),
    "descending": (f"{_SORTED_MEAN} DESC NULLS LAST", f"{_SORTED_MEAN} ASC NULLS FIRST"),
}


def label_sql(axis: str, columns: GridColumns) -> str:
    """SQL of the label drawn for an axis value, from its key parts: their text, NULL as "(null)", a group and
    its value joined by the separator. Labels are only drawn: cells are keyed by the parts themselves."""
    texts = [f"coalesce(CAST({name} AS VARCHAR), {quote_literal(NULL_LABEL)})" for name in part_names(columns, axis)]
    return f" || {quote_literal(columns.separator)} || ".join(texts)


def axis_values_sql(axis: str, columns: GridColumns, relation: str, value: str, mean: str | None = None) -> str:
    """SQL of each distinct value of `axis` in `relation` (rows or cells with the key parts and `ord`): its key
    parts, label, m (the mean of `value`, to sort by: finite where the values are, though their sum overflows;
    or the SQL `mean`, over rows grouped already) and o (its first row)."""
    parts = ", ".join(part_names(columns, axis))
    return (f"SELECT {parts}, {label_sql(axis, columns)} AS label, {mean or aggregate_sql('mean', value)} AS m, "
            f"min(ord) AS o FROM {relation} GROUP BY {parts}")


def ranked_axis_sql(axis: str, columns: GridColumns, values: str, *,
                    by_value: Literal["ascending", "descending"] | None,
                    given: Sequence[str | None] | None = None) -> str:
    """SQL of an axis's values (`values`: SQL of `axis_values_sql`) in drawing order: the key parts, `axis` (the
    value's key), `axis`_label and `axis`o (its position, from 0).

    The order is by mean (`by_value`), or input order, with the labels of an explicit order (`given`; None names
    the NULL value) first, values it leaves out following in input order; ties go by first row, then label. A
    key is the label, unless an earlier value has the same label or the label holds KEY_MARK: then it is the
    label, KEY_MARK and the value's number among those of its label (from 1). Keys are unique: a key holding
    KEY_MARK splits at its last one into its label and number, and a key without it is a label no other value
    has.

    Example:
        >>> sql = ranked_axis_sql("x", GridColumns(x="t", y="m", fill="s"), "SELECT ...", by_value=None, given=["b"])
        >>> "VALUES ('b', 0)" in sql
        True
    """
    parts = part_names(columns, axis)
    order = ["o", "label", *(f"{p} NULLS FIRST" for p in parts)]
    join = ""
    if by_value is not None:
        order.insert(0, _MEAN_ORDER[by_value][0 if axis == "x" else 1])
    labels = list(dict.fromkeys(NULL_LABEL if label is None else label for label in given or ()))
    if labels:
        rows = ", ".join(f"({quote_literal(label)}, {i})" for i, label in enumerate(labels))
        join = f" LEFT JOIN (VALUES {rows}) AS given(given_label, given_at) ON given.given_label = vals.label"
        order.insert(0, "given_at NULLS LAST")
    mark = quote_literal(KEY_MARK)
    return f"""
        SELECT {", ".join(parts)},
            CASE WHEN twin = 1 AND NOT contains(label, {mark}) THEN label ELSE label || {mark} || twin END AS {axis},
            label AS {axis}_label, pos AS {axis}o
        FROM (SELECT *, row_number() OVER (PARTITION BY label ORDER BY pos) AS twin FROM (
            SELECT vals.*, row_number() OVER (ORDER BY {", ".join(order)}) - 1 AS pos
            FROM ({values}) AS vals{join}))"""


def positions_sql(axis: str, columns: GridColumns, ranks: str) -> str:
    """SQL of an axis from a table of its ranked values (`binning.axis_ranks`, or a slice of it), as
    `ranked_axis_sql` gives an axis."""
    return f"SELECT {', '.join(part_names(columns, axis))}, {axis}, {axis}_label, {axis}r AS {axis}o FROM {ranks}"
