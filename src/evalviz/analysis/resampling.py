"""How bootstrap resamples are drawn: free rows, rows within each label, or whole clusters, in chunks.

A resample is either row indices (free or stratified resampling) or row multiplicities (cluster resampling: all
rows of a drawn cluster enter together). Chunks hold about `CHUNK_ELEMENTS` (resample, row) pairs, so memory stays
at a few tens of MB per thread whatever the data's size; the random draws of chunk `i` come from the `i`-th child
of the seed (`evalviz.analysis.arguments.Resampling.child_seed`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from evalviz.analysis.metrics import Workspace
from evalviz.errors import EvalvizError

__all__ = ["CHUNK_ELEMENTS", "Design", "Resample", "encode_clusters"]

#: Elements (resamples x rows) drawn per chunk; bounds memory at a few tens of MB per thread.
CHUNK_ELEMENTS = 1 << 18


@dataclass(frozen=True)
class Resample:
    """A chunk of resamples: row indices, or row multiplicities (one of the two).

    Attributes:
        idx: (resamples, rows) row indices, as free and stratified resampling draw them.
        weights: (resamples, rows) how often each row enters each resample, as cluster resampling draws them.

    Example:
        >>> Resample(idx=np.array([[0, 0, 1], [2, 1, 0]])).size
        2
    """

    idx: np.ndarray | None = None
    weights: np.ndarray | None = None

    @property
    def size(self) -> int:
        """The number of resamples in the chunk."""
        return (self.idx if self.idx is not None else self.weights).shape[0]  # type: ignore[union-attr]


def encode_clusters(clusters: Any, n: int) -> tuple[np.ndarray, int]:
    """Cluster ids as integer codes 0..K-1, numbered in sorted order of the ids where they sort.

    Ids are told apart by value, as Python compares them: `1` and `"1"` are two clusters (a list is not first
    turned into one array type, which would make both the text "1"), `1` and `1.0` one.

    Args:
        clusters: One id per row (a list, a numpy array, ...).
        n: The number of rows.

    Returns:
        (each row's code, K).

    Raises:
        EvalvizError: Not one id per row, a missing id (None or NaN), or an id that is not a single value.

    Example:
        >>> encode_clusters([1, "1", 1.0, "a"], 4)[1]
        3
    """
    if isinstance(clusters, np.ndarray) and clusters.dtype != object:
        values = clusters
    elif isinstance(clusters, (str, bytes, Mapping)) or not hasattr(clusters, "__len__"):
        raise EvalvizError(f"clusters must give one id per row ({n} rows), got {type(clusters).__name__}")
    else:
        values = np.fromiter(clusters, dtype=object, count=len(clusters))
    if values.ndim != 1 or len(values) != n:
        raise EvalvizError(f"clusters must give one id per row ({n} rows), got shape {values.shape}")
    if values.dtype == object:
        return _codes_by_value(values)
    if values.dtype.kind == "f" and np.isnan(values).any():
        raise EvalvizError(
            f"cluster ids must not be missing; row {int(np.flatnonzero(np.isnan(values))[0])} is NaN"
        )
    _, codes = np.unique(values, return_inverse=True)
    codes = codes.astype(np.int64).ravel()
    return codes, int(codes.max() + 1) if n else 0


def _codes_by_value(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Codes of Python objects, numbered in sorted order (in order of first appearance where ids of different
    types do not sort); a missing or unhashable id raises."""
    index: dict[Any, int] = {}
    codes = np.empty(len(values), dtype=np.int64)
    for i, value in enumerate(values):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            raise EvalvizError(f"cluster ids must not be missing; row {i} is {value!r}")
        try:
            codes[i] = index.setdefault(value, len(index))
        except TypeError:
            raise EvalvizError(
                f"cluster ids must be single values (text or numbers); row {i} has {type(value).__name__} {value!r}"
            ) from None
    try:
        ordered = sorted(index)
    except TypeError:
        return codes, len(index)
    number = np.empty(len(index), dtype=np.int64)
    number[[index[v] for v in ordered]] = np.arange(len(index))
    return number[codes], len(index)


def _uniform_indices(
    rng: np.random.Generator, upper: int, shape: tuple[int, int], ws: Workspace, name: str
) -> np.ndarray:
    """Integers uniform on [0, upper), written into a reused buffer.

    ``floor(u * upper)`` of a 53-bit uniform double: each value's probability is off by at most
    ``upper / 2**53`` (about 1e-11 for 50,000 rows), far below any Monte Carlo error, and unlike
    ``Generator.integers`` it needs no fresh array per chunk.
    """
    uniform = ws.get(name + "_uniform", shape, np.float64)
    rng.random(out=uniform)
    out = ws.get(name, shape, np.int64)
    # u <= 1 - 2**-53, so u * upper rounds below upper for any upper < 2**53: the cast floors into range.
    np.multiply(uniform, upper, out=out, casting="unsafe")
    return out


class Design:
    """How resamples are drawn: free rows, within labels (`stratify`), or whole clusters.

    Args:
        n: Rows of the data.
        labels: 0/1 labels, needed to stratify.
        stratify: Draw each resample's rows within each label, keeping the class balance.
        clusters: One cluster id per row: a resample draws clusters, and all rows of a drawn cluster enter it.

    Raises:
        EvalvizError: `stratify` without labels, `stratify` with clusters, or cluster ids that are missing, not
            one per row, or not single values.

    Example:
        >>> design = Design(4, clusters=["a", "a", "b", "c"])
        >>> design.describe(), design.n_units
        ('cluster', 3)
        >>> design.draw(np.random.default_rng(0), 5).weights.shape
        (5, 4)
    """

    def __init__(
        self,
        n: int,
        *,
        labels: np.ndarray | None = None,
        stratify: bool = False,
        clusters: Any = None,
    ) -> None:
        self.n = n
        self.codes: np.ndarray | None = None
        self.n_clusters = 0
        self.strata: list[np.ndarray] | None = None
        if clusters is not None:
            self.codes, self.n_clusters = encode_clusters(clusters, n)
        if stratify:
            if labels is None:
                raise EvalvizError("stratify=True needs labels to stratify by")
            if clusters is not None:
                raise EvalvizError("stratify=True and clusters cannot be combined; choose one")
            self.strata = [s for s in (np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)) if len(s)]
            # Column j of a resample draws from the rows of its stratum: strata_rows[start + floor(u * size)].
            self.strata_rows = np.concatenate(self.strata)
            self.strata_size = np.concatenate([np.full(len(r), float(len(r))) for r in self.strata])
            self.strata_start = np.concatenate(
                [
                    np.full(len(r), start, dtype=np.int64)
                    for r, start in zip(self.strata, self._starts(), strict=True)
                ]
            )

    def _starts(self) -> list[int]:
        starts, total = [], 0
        for rows in self.strata or []:
            starts.append(total)
            total += len(rows)
        return starts

    @property
    def n_units(self) -> int:
        """What a resample draws: clusters, or rows."""
        return self.n_clusters if self.codes is not None else self.n

    def describe(self) -> str:
        """The design as results report it: "cluster", "stratified" or "rows"."""
        if self.codes is not None:
            return "cluster"
        return "stratified" if self.strata is not None else "rows"

    def chunk_size(self, n_resamples: int) -> int:
        """Resamples drawn per chunk: a chunk holds about ``CHUNK_ELEMENTS`` (resample, row) pairs."""
        width = max(self.n, self.n_clusters, 1)
        return max(1, min(n_resamples, CHUNK_ELEMENTS // width))

    def draw(self, rng: np.random.Generator, b: int, ws: Workspace | None = None) -> Resample:
        """Draw `b` resamples from `rng`, into the buffers of `ws` (reused from chunk to chunk)."""
        ws = ws or Workspace()
        if self.codes is not None:
            k = self.n_clusters
            picks = _uniform_indices(rng, k, (b, k), ws, "cluster")
            picks += (np.arange(b, dtype=np.int64) * k)[:, None]
            counts = np.bincount(picks.ravel(), minlength=b * k).reshape(b, k).astype(np.float64)
            weights = ws.get("weights", (b, self.n), np.float64)
            return Resample(weights=np.take(counts, self.codes, axis=1, out=weights, mode="clip"))
        if self.strata is not None:
            uniform = ws.get("idx_uniform", (b, self.n), np.float64)
            rng.random(out=uniform)
            local = ws.get("strata_local", (b, self.n), np.int64)
            np.multiply(uniform, self.strata_size, out=local, casting="unsafe")  # floor(u * size) < size
            local += self.strata_start
            idx = ws.get("idx", (b, self.n), np.int64)
            return Resample(idx=np.take(self.strata_rows, local, out=idx, mode="clip"))
        return Resample(idx=_uniform_indices(rng, self.n, (b, self.n), ws, "idx"))

    def identity(self) -> Resample:
        """The data itself, as one resample (to compute the point values the same way)."""
        return Resample(idx=np.arange(self.n)[None, :])
