"""Cluster ordering of a grid's axis: similar rows next to each other (the sort grammar's "cluster").

Rows are compared by their cells' values (the aggregated grid, NaN where a cell has no value): the distance of two
rows is the root mean square of their differences over the columns where both have a value, so a missing cell
neither counts as 0 nor removes a row. Two rows sharing no column are as far apart as the farthest pair that does
(or 1 when no pair does). The rows are then joined by average linkage (UPGMA, `scipy.cluster.hierarchy.linkage`)
and read off the tree's leaves in the order that puts the most similar neighbours side by side
(`optimal_leaf_ordering`). Everything is deterministic: the same grid gives the same order.
"""

from __future__ import annotations

import numpy as np

from evalviz.errors import EvalvizError
from evalviz.views.formatting import count_text

# Optimal leaf ordering grows as the cube of the labels: 2-4 s for 1,000 labels on 2 cores, 20 s or more for 2,000.
MAX_CLUSTER_LABELS = 1000
# The grid a clustering reads (labels of the clustered axis x labels of the other), as float64 values.
MAX_CLUSTER_CELLS = 5_000_000


def check_clusterable(axis: str, count: int, other: int, *, name: str | None = None) -> None:
    """Raise when an axis of `count` labels (across `other` labels) is too large to cluster.

    Raises:
        EvalvizError: naming the axis, its size and the way out (cluster the other axis alone, or filter).

    Example:
        >>> check_clusterable("x", 5000, 4, name="Sample")
        Traceback (most recent call last):
        ...
        evalviz.errors.EvalvizError: sort='cluster' orders at most 1,000 labels per axis; the x axis (Sample) ...
    """
    named = f"the {axis} axis" + (f" ({name})" if name else "")
    other_axis = "y" if axis == "x" else "x"
    if count > MAX_CLUSTER_LABELS:
        raise EvalvizError(
            f"sort='cluster' orders at most {count_text(MAX_CLUSTER_LABELS)} labels per axis; {named} has "
            f"{count_text(count)}. Cluster the other axis alone (sort={{{other_axis!r}: 'cluster'}}), or filter "
            "the table first."
        )
    if count * other > MAX_CLUSTER_CELLS:
        raise EvalvizError(
            f"sort='cluster' compares {named}'s labels over at most {count_text(MAX_CLUSTER_CELLS)} cells; this "
            f"grid has {count_text(count * other)} ({count_text(count)} x {count_text(other)}). Filter the table "
            "first."
        )


def distances(matrix: np.ndarray) -> np.ndarray:
    """The condensed distances between the rows of `matrix` (NaN: no value): the root mean square difference
    over the columns both rows have a value in; rows sharing none are as far apart as the farthest pair.

    Example:
        >>> distances(np.array([[0.0, 1.0], [0.5, np.nan], [np.nan, 0.0]])).tolist()  # rows 1 and 2 share none
        [0.5, 1.0, 1.0]
    """
    present = ~np.isnan(matrix)
    values = np.where(present, matrix, 0.0)
    weights = present.astype(float)
    squares = values * values
    # Sum over shared columns of (a - b)^2 = sum a^2 + sum b^2 - 2 sum ab, each over the columns both have.
    summed = squares @ weights.T + weights @ squares.T - 2.0 * (values @ values.T)
    shared = weights @ weights.T
    with np.errstate(invalid="ignore", divide="ignore"):
        rms = np.sqrt(np.clip(summed, 0.0, None) / shared)
    upper = np.triu_indices(len(matrix), k=1)
    condensed = rms[upper]
    known = condensed[np.isfinite(condensed)]
    farthest = float(known.max()) if len(known) and known.max() > 0 else 1.0
    return np.where(np.isfinite(condensed), condensed, farthest)


def leaf_order(matrix: np.ndarray) -> list[int]:
    """The rows of `matrix` in clustered order: average linkage over `distances`, leaves in optimal order.

    Example:
        >>> leaf_order(np.array([[0.0, 0.1], [1.0, 0.9], [0.05, 0.1], [0.9, 1.0]]))
        [0, 2, 3, 1]
    """
    if len(matrix) <= 2:
        return list(range(len(matrix)))
    from scipy.cluster.hierarchy import leaves_list, linkage, optimal_leaf_ordering  # slow to import: on first use

    condensed = distances(matrix)
    tree = optimal_leaf_ordering(linkage(condensed, method="average"), condensed)
    return [int(i) for i in leaves_list(tree)]
