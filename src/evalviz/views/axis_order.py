"""The drawing order of a grid's axis after the query ordered it: groups kept together, clustered axes clustered.

The query orders each axis (by value, explicitly, or in input order; a clustered axis by label). This step then
cuts each axis into its groups (`axis_groups`) and, on an axis the sort clusters, orders each group's labels by
`clustering.leaf_order` over their cells, turned so that the better end lies where "ascending" puts it (the
higher mean at the right of x and the top of y). Only the small aggregated grid is read here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from evalviz.views.axis_groups import AxisGroups
from evalviz.views.clustering import check_clusterable, leaf_order
from evalviz.views.sorting import Sort


def needs_arranging(sort: Sort, groups: AxisGroups) -> bool:
    """Whether the query's order is not the drawing order: some axis is clustered or grouped."""
    return bool(sort.clustered) or bool(groups)


def names_axes(sort: Sort, groups: AxisGroups) -> bool:
    """Whether `sort` or `groups` say something of one axis but not the other (an explicit order, one axis
    clustered, groups): a view that may turn its chart must then keep the axes the user named.

    Example:
        >>> from evalviz.views.axis_groups import parse_groups
        >>> from evalviz.views.sorting import parse_sort
        >>> names_axes(parse_sort({"y": "cluster"}, axes=("x", "y")), parse_groups(None))
        True
        >>> names_axes(parse_sort("cluster", axes=("x", "y")), parse_groups(None))
        False
    """
    return bool(sort.explicit) or len(sort.clustered) == 1 or bool(groups)


def check_sizes(sort: Sort, counts: tuple[int, int], names: tuple[str | None, str | None] = (None, None)) -> None:
    """Raise when an axis the sort clusters is too large to cluster (`clustering.check_clusterable`); `counts`
    are the numbers of x and y values."""
    for axis, count, other, name in (("x", counts[0], counts[1], names[0]), ("y", counts[1], counts[0], names[1])):
        if axis in sort.clustered:
            check_clusterable(axis, count, other, name=name)


def arranged(axis: str, labels: Sequence[str], sort: Sort, groups: AxisGroups,
             rows: np.ndarray | None = None) -> list[int]:
    """The positions of `labels` (one axis in the query's order) in drawing order.

    `rows` holds the cells of each label along the other axis (one row per label, NaN without a value); it is
    read when `axis` is clustered.

    Example:
        >>> from evalviz.views.axis_groups import parse_groups
        >>> from evalviz.views.sorting import parse_sort
        >>> arranged("y", ["a", "b", "c"], parse_sort(None, axes=("x", "y")), parse_groups({"y": {"G": ["c"]}}))
        [2, 0, 1]
    """
    blocks = groups.blocks(axis, labels) if groups.on(axis) else [list(range(len(labels)))]
    if axis not in sort.clustered or rows is None:
        return [position for block in blocks for position in block]
    order = []
    for block in blocks:
        within = [block[i] for i in leaf_order(rows[block])]
        order += _turned(within, rows, rising=axis == "x")
    return order


def _turned(order: list[int], rows: np.ndarray, *, rising: bool) -> list[int]:
    """`order` or its reverse (which keeps every neighbour), whichever puts the higher mean at the end "ascending"
    puts it: last when `rising` (x, left to right), first otherwise (y, top to bottom). A label without any value
    counts as the lowest."""
    if len(order) < 2:
        return order
    first, last = (_mean(rows[order[i]]) for i in (0, -1))
    if (first > last) if rising else (first < last):
        return order[::-1]
    return order


def _mean(row: np.ndarray) -> float:
    """The mean of a row's values (NaN: none), or -inf when it has none."""
    present = row[~np.isnan(row)]
    return float(present.mean()) if len(present) else -np.inf
