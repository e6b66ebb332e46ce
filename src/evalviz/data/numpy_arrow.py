"""numpy arrays to and from Arrow columns on their buffers, without pyarrow's pandas shim.

pyarrow imports pandas (when it is installed: 0.3 s and more) the first time it converts Python or numpy values
(`pa.array`, `pa.table` of a dict, `Array.to_numpy`). Views that compute in numpy (the classifier curves) read
and write their columns here instead, so that a first chart in a fresh process does not pay for pandas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa

__all__ = ["column", "numbers", "repeated_text", "table", "text"]


def numbers(values: pa.ChunkedArray | pa.Array, dtype: type | np.dtype) -> np.ndarray:
    """A column of numbers of `dtype` without nulls (a DOUBLE column as float64, TINYINT as int8, ...) as one
    numpy array.

    Raises:
        TypeError: the column is not of `dtype`, or holds nulls.

    Example:
        >>> numbers(pa.chunked_array([column(np.array([1.5, 2.0]))]), np.float64).tolist()
        [1.5, 2.0]
    """
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    wanted = pa.from_numpy_dtype(np.dtype(dtype))
    if any(chunk.type != wanted or chunk.null_count for chunk in chunks):
        raise TypeError(f"expected a column of {wanted} without nulls, not {values.type}")
    return np.concatenate([np.frombuffer(chunk.buffers()[1], dtype=dtype, count=chunk.offset + len(chunk))
                           [chunk.offset:] for chunk in chunks] or [np.zeros(0, dtype)])


def column(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """A numpy array of numbers as an Arrow array, NULL where `missing` is True.

    Example:
        >>> column(np.array([1.0, 2.0]), missing=np.array([True, False])).to_pylist()
        [None, 2.0]
    """
    values = np.ascontiguousarray(values)
    validity = None if missing is None else pa.py_buffer(np.packbits(~missing, bitorder="little"))
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [validity, pa.py_buffer(values)])


def text(values: Sequence[str]) -> pa.Array:
    """Strings as an Arrow string array.

    Example:
        >>> text(["a", "é"]).to_pylist()
        ['a', 'é']
    """
    encoded = [value.encode("utf-8") for value in values]
    offsets = np.concatenate([[0], np.cumsum([len(e) for e in encoded])]).astype(np.int32)
    return pa.Array.from_buffers(pa.string(), len(values), [None, pa.py_buffer(offsets),
                                                            pa.py_buffer(b"".join(encoded))])


def repeated_text(values: Sequence[str], counts: Sequence[int]) -> pa.DictionaryArray:
    """Each string of `values` repeated `counts` times, as a dictionary array.

    Example:
        >>> repeated_text(["a", "b"], [2, 1]).to_pylist()
        ['a', 'a', 'b']
    """
    indices = np.repeat(np.arange(len(values), dtype=np.int32), np.asarray(counts, dtype=np.int64))
    return pa.DictionaryArray.from_arrays(column(indices), text(values))


def table(columns: Mapping[str, pa.Array]) -> pa.Table:
    """Arrow arrays as a table, by name.

    Example:
        >>> table({"x": column(np.arange(2.0))}).num_rows
        2
    """
    return pa.Table.from_arrays(list(columns.values()), names=list(columns))
