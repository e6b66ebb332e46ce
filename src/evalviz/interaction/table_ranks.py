"""The sort ranks of a live table's copy, distinct values first (see `evalviz.interaction.table_pages`).

A row's rank in the whole table sorted by a column (ascending or descending, NULLs last either way, rows tied on it
ordered by the tie-breaking columns ascending, then by the copy's order) is found in three steps, each cheaper than
sorting every row by the column and the tie-breaking columns together:

1. Each column's values become codes: integers in the column's order, equal for values DuckDB's ORDER BY ties
   (0.0 and -0.0, every NaN; NaN after every number), NULL last (`value_codes`). A column of repeated values is
   dictionary-encoded and only its distinct values are sorted; a column of mostly distinct values (URLs) is sorted
   once. Types whose order Arrow may not share with DuckDB (lists, enums, intervals), or text under a DuckDB
   collation (the column's own or the default one), are coded by DuckDB itself (`evalviz.query.table.value_codes_sql`).
2. The tie order, once per table: the rows sorted by the tie-breaking columns' codes, then by the copy's order
   (`tie_order`, a stable lexicographic sort of integers).
3. Each column's ranks: its codes taken in the tie order and sorted stably (`sort_ranks`), so rows tied on the
   column keep the tie order. Codes below 65,536 (most columns of repeated values) are radix-sorted.

Example:
    >>> import pyarrow as pa
    >>> codes = value_codes(pa.chunked_array([[0.5, None, 0.5, 0.1]]))
    >>> codes.tolist()
    [1, -1, 1, 0]
    >>> ranks = sort_ranks(codes, tie_order([], 4))
    >>> ranks.column("asc").to_pylist(), ranks.column("desc").to_pylist()
    ([1, 3, 2, 0], [0, 3, 1, 2])
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from evalviz.data.types import TypeLike, type_id
from evalviz.errors import EvalvizError

# DuckDB types whose ORDER BY Arrow's sort shares (under DuckDB's default binary collation for text)
ARROW_ORDERED = frozenset({"tinyint", "smallint", "integer", "bigint", "utinyint", "usmallint", "uinteger", "ubigint",
                           "float", "double", "decimal", "boolean", "varchar", "date", "timestamp", "timestamp_s",
                           "timestamp_ms", "timestamp_ns", "timestamp with time zone"})
DICTIONARY_SAMPLE = 10_000  # values looked at to tell a column of repeated values from one of distinct values
_RADIX_CODES = 2**16  # numpy's stable sort of 16-bit integers is a radix sort


def arrow_ordered(kind: TypeLike, *, collated: bool) -> bool:
    """Whether `value_codes` orders a column of DuckDB type `kind` as DuckDB does; `collated`: the column is text
    DuckDB compares under a collation (its own or the default one), not byte by byte.

    Example:
        >>> arrow_ordered("VARCHAR", collated=False), arrow_ordered("VARCHAR", collated=True)
        (True, False)
        >>> arrow_ordered("INTEGER[]", collated=False)
        False
    """
    return type_id(kind) in ARROW_ORDERED and not (type_id(kind) == "varchar" and collated)


def value_codes(values: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Each value's code (int64): its place among the column's distinct values in DuckDB's ascending order, from
    0, values DuckDB ties sharing one; -1 for NULL. Only for types `arrow_ordered` allows.

    Example:
        >>> value_codes(pa.array(["b", None, "a", "b"])).tolist()
        [1, -1, 0, 1]
    """
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if _mostly_distinct(values) and not pa.types.is_floating(values.type):  # (Arrow ranks NaN apart from DuckDB)
        dense = pc.rank(values, sort_keys=[("", "ascending", "at_end")], tiebreaker="dense").to_numpy()
        return np.where(pc.is_null(values).to_numpy(zero_copy_only=False), -1, dense.astype(np.int64) - 1)
    if _mostly_distinct(values):
        order = pc.sort_indices(values, sort_keys=[("", "ascending", "at_end")]).to_numpy()
        codes = np.empty(len(values), np.int64)
        codes[order] = _dense(values.take(pa.array(order)))
        return codes
    encoded = values.dictionary_encode()
    dictionary = encoded.dictionary
    order = pc.sort_indices(dictionary, sort_keys=[("", "ascending", "at_end")]).to_numpy()
    place = np.empty(len(order) + 1, np.int64)
    place[order] = _dense(dictionary.take(pa.array(order)))
    place[-1] = -1  # NULL's index below
    return place[pc.fill_null(encoded.indices, len(order)).to_numpy()]


def tie_order(codes: Sequence[np.ndarray], rows: int) -> np.ndarray:
    """The rows (their positions) sorted by the tie-breaking columns' `codes` (`value_codes`; NULLs last), first
    column first, then by position.

    Example:
        >>> tie_order([np.array([1, 0, 1, -1]), np.array([0, 0, 1, 0])], 4).tolist()
        [1, 0, 2, 3]
    """
    if not codes:
        return np.arange(rows)
    nulls_last = [np.where(c < 0, c.max(initial=-1) + 1, c) for c in codes]
    widths = [int(c.max(initial=0)) + 1 for c in nulls_last]
    if math.prod(widths) <= _RADIX_CODES:  # one 16-bit key, radix-sorted: a few ms for millions of rows
        packed = np.zeros(rows, np.int64)
        for c, width in zip(nulls_last, widths, strict=True):
            packed = packed * width + c
        return np.argsort(packed.astype(np.uint16), kind="stable")
    return np.lexsort(tuple(reversed(nulls_last)))  # lexsort's last key sorts first; it is stable


def sort_ranks(codes: np.ndarray, ties: np.ndarray) -> pa.Table:
    """Each row's place (from 0) in the whole table sorted by the column of `codes` (`value_codes`), ascending
    ("asc") and descending ("desc"), NULLs last either way, tied rows in the order `ties` (`tie_order`): int32
    columns, one row per row.

    Example:
        >>> sort_ranks(np.array([0, 0, 1]), np.array([1, 0, 2])).column("desc").to_pylist()
        [2, 1, 0]
    """
    if len(codes) >= 2**31:
        raise EvalvizError(f"A table's sort ranks hold at most 2**31 - 1 rows, not {len(codes):,}.")
    last = codes.max(initial=-1) + 1  # NULL's code, after every value's, either way
    ascending = np.where(codes < 0, last, codes)
    rank = _ranks(ascending, ties)
    # Descending, the groups of tied rows come in the other order (NULLs still last), each in the same order
    counts = np.bincount(ascending, minlength=last + 1)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    start_descending = np.concatenate([np.cumsum(counts[-2::-1])[::-1] - counts[:-1], [start[-1]]])
    descending = rank - start[ascending] + start_descending[ascending]
    return pa.table({"asc": rank, "desc": descending.astype(np.int32)})


def _ranks(codes: np.ndarray, ties: np.ndarray) -> np.ndarray:
    if len(codes) and codes.max() == len(codes) - 1 and np.bincount(codes).max() == 1:  # every value apart
        return codes.astype(np.int32)
    in_tie_order = codes[ties]
    if in_tie_order.size and in_tie_order.max() < _RADIX_CODES:
        in_tie_order = in_tie_order.astype(np.uint16)
    order = ties[np.argsort(in_tie_order, kind="stable")]
    ranks = np.empty(len(codes), np.int32)
    ranks[order] = np.arange(len(codes), dtype=np.int32)
    return ranks


def _mostly_distinct(values: pa.Array) -> bool:
    """Whether most of a sample of the values differ: sorting them all is then cheaper than encoding them."""
    step = max(1, len(values) // DICTIONARY_SAMPLE)
    sample = values.take(pa.array(np.arange(0, len(values), step)))
    return len(sample) > 0 and pc.count_distinct(sample, mode="all").as_py() > len(sample) // 2


def _dense(ordered: pa.Array) -> np.ndarray:
    """Codes of values in ascending order, NULLs last: 0 for the first, one more at each value DuckDB does not tie
    with the one before it (floats: NaN ties NaN, -0.0 ties 0.0); -1 for NULL."""
    valid = len(ordered) - ordered.null_count
    codes = np.full(len(ordered), -1, np.int64)
    if valid == 0:
        return codes
    before, after = ordered.slice(0, valid - 1), ordered.slice(1, valid - 1)
    same = pc.equal(before, after)
    if pa.types.is_floating(ordered.type):
        same = pc.or_(same, pc.and_(pc.is_nan(before), pc.is_nan(after)))
    codes[0] = 0
    codes[1:valid] = np.cumsum(~same.to_numpy(zero_copy_only=False))
    return codes
