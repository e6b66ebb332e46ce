"""Read persisted prediction files (CSV, JSON Lines, Parquet) through DuckDB into checked arrays."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from evalviz.analysis.artifacts import MEDIA_TYPES, PredictionArtifactRef, PredictionColumns, as_ref
from evalviz.data.connection import default_connection, quote_identifier, quote_literal

__all__ = [
    "PredictionArrays",
    "file_sha256",
    "load_prediction_arrays",
    "prediction_ref_for_file",
]

_EXTENSIONS = {
    ".csv": "text/csv",
    ".jsonl": "application/jsonl",
    ".ndjson": "application/jsonl",
    ".parquet": "application/vnd.apache.parquet",
    ".pq": "application/vnd.apache.parquet",
}


@dataclass(frozen=True, slots=True, eq=False)
class PredictionArrays:
    """Checked arrays read from one prediction artifact, in file order.

    ``labels`` is an ``int8`` array of 0/1 (``None`` when the artifact maps no label column),
    ``scores`` a finite ``float64`` array, ``row_ids`` and ``content_hashes`` tuples of strings
    (``None`` when not mapped), ``extra`` any further columns asked for, as numpy arrays.

    Example:
        >>> arrays = PredictionArrays(np.array([0, 1], dtype=np.int8), np.array([0.2, 0.9]))
        >>> len(arrays)
        2
    """

    labels: np.ndarray | None
    scores: np.ndarray
    row_ids: tuple[str, ...] | None = None
    content_hashes: tuple[str, ...] | None = None
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.scores)
        for name in ("labels", "row_ids", "content_hashes"):
            value = getattr(self, name)
            if value is not None and len(value) != n:
                raise ValueError(f"PredictionArrays.{name} has {len(value)} rows but scores has {n}")

    def __len__(self) -> int:
        return len(self.scores)


def file_sha256(path: str | Path) -> str:
    """The hex SHA-256 of a file's bytes.

    Example:
        >>> file_sha256("preds.csv")  # doctest: +SKIP
        '3a7bd3e2360a3d...'
    """
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _local_path(uri: str) -> Path | None:
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme and len(parsed.scheme) > 1:  # a one-letter scheme is a Windows drive
        return None
    return Path(uri)


def prediction_ref_for_file(
    path: str | Path,
    columns: PredictionColumns | Mapping[str, Any],
    *,
    media_type: str | None = None,
    role: str = "predictions",
) -> PredictionArtifactRef:
    """Register a prediction file: a ref pinned to the file's current SHA-256 and row count.

    The media type is taken from the extension (``.csv``, ``.jsonl``, ``.parquet``) unless given.
    Readers later refuse the file if it changed.

    Example:
        >>> ref = prediction_ref_for_file("preds.parquet", {"label": "y", "score": "p"})  # doctest: +SKIP
        >>> ref.n_rows, len(ref.sha256)  # doctest: +SKIP
        (50000, 64)
    """
    path = Path(path)
    if media_type is None:
        media_type = _EXTENSIONS.get(path.suffix.lower())
        if media_type is None:
            raise ValueError(
                f"cannot tell the media type of {str(path)!r} from its extension; pass media_type= "
                f"(one of {', '.join(MEDIA_TYPES)})"
            )
    if not path.is_file():
        raise FileNotFoundError(f"prediction file {str(path)!r} does not exist")
    unpinned = PredictionArtifactRef(str(path), media_type, columns, role=role)
    n_rows = _count_rows(unpinned)
    return PredictionArtifactRef(
        str(path), media_type, unpinned.columns, sha256=file_sha256(path), n_rows=n_rows, role=role
    )


def _source_sql(ref: PredictionArtifactRef, varchar_columns: Sequence[str] = ()) -> str:
    kind = MEDIA_TYPES[ref.media_type]
    if kind == "csv":
        if varchar_columns:
            types = ", ".join(f"{quote_literal(c)}: 'VARCHAR'" for c in varchar_columns)
            return f"read_csv(?, types = {{{types}}})"
        return "read_csv(?)"
    if kind == "jsonl":
        return "read_json(?, format = 'newline_delimited')"
    return "read_parquet(?)"


def _location(ref: PredictionArtifactRef) -> str:
    local = _local_path(ref.uri)
    if local is None:
        return ref.uri
    if not local.is_file():
        raise FileNotFoundError(f"prediction file {ref.uri!r} does not exist")
    return str(local)


def _count_rows(ref: PredictionArtifactRef) -> int:
    cur = default_connection().cursor()
    try:
        return int(
            cur.sql(f"SELECT count(*) FROM {_source_sql(ref)}", params=[_location(ref)]).fetchall()[0][0]
        )
    except Exception as exc:
        raise ValueError(f"could not read prediction file {ref.uri!r} as {ref.media_type}: {exc}") from exc
    finally:
        cur.close()


def _verify_pinned(ref: PredictionArtifactRef) -> None:
    if ref.sha256 is None:
        return
    local = _local_path(ref.uri)
    if local is None:
        raise ValueError(f"cannot check the sha256 of {ref.uri!r}: only local files can be verified")
    actual = file_sha256(local)
    if actual != ref.sha256:
        raise ValueError(
            f"prediction file {ref.uri!r} changed since it was registered: its sha256 is {actual}, "
            f"the ref records {ref.sha256}"
        )


def read_prediction_table(
    ref: PredictionArtifactRef | Mapping[str, Any], columns: Sequence[str], *, as_text: Sequence[str] = ()
) -> pa.Table:
    """Read the named columns of a prediction artifact into a pyarrow table, in file order.

    Verifies ``sha256`` and ``n_rows`` when the ref records them. Columns in ``as_text`` are
    read as strings where the format allows (CSV), so ids like ``007`` keep their zeros.
    """
    ref = as_ref(ref)
    location = _location(ref)
    _verify_pinned(ref)
    wanted = list(dict.fromkeys(columns))
    cur = default_connection().cursor()
    try:
        try:
            available = [
                row[0]
                for row in cur.sql(f"DESCRIBE SELECT * FROM {_source_sql(ref)}", params=[location]).fetchall()
            ]
        except Exception as exc:
            raise ValueError(
                f"could not read prediction file {ref.uri!r} as {ref.media_type}: {exc}"
            ) from exc
        missing = [c for c in wanted if c not in available]
        if missing:
            raise ValueError(
                f"prediction file {ref.uri!r} has no column(s) {', '.join(repr(c) for c in missing)}; "
                f"its columns are {', '.join(repr(c) for c in available)}"
            )
        text_cols = [c for c in dict.fromkeys(as_text) if c in available]
        select = ", ".join(quote_identifier(c) for c in wanted)
        table = cur.sql(
            f"SELECT {select} FROM {_source_sql(ref, text_cols)}", params=[location]
        ).to_arrow_table()
    finally:
        cur.close()
    if ref.n_rows is not None and table.num_rows != ref.n_rows:
        raise ValueError(
            f"prediction file {ref.uri!r} changed since it was registered: it has {table.num_rows} rows, "
            f"the ref records {ref.n_rows}"
        )
    return table


def _first_true(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _column_array(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    return col


def _first_null(col: pa.Array) -> int | None:
    if col.null_count == 0:
        return None
    return _first_true(np.asarray(col.is_null().to_numpy(zero_copy_only=False)))


def _floats_from_arrow(col: pa.Array, problem: str) -> np.ndarray | None:
    """A numeric or boolean column cast to ``float64``, or a text column parsed as floats; None for other types.

    An unparsable text value raises ``"{problem}; row {i} has {value!r}"``.
    """
    t = col.type
    if pa.types.is_boolean(t) or pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return np.asarray(col.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        raw = col.to_pylist()
        values = np.empty(len(raw), dtype=np.float64)
        for i, v in enumerate(raw):
            try:
                values[i] = float(v)
            except ValueError:
                raise ValueError(f"{problem}; row {i} has {v!r}") from None
        return values
    return None


def labels_from_arrow(col: pa.ChunkedArray | pa.Array, *, column: str, source: str = "") -> np.ndarray:
    """Convert a column to an ``int8`` array of 0/1, or raise naming the first bad row."""
    col = _column_array(col)
    where = f" in {source}" if source else ""
    bad_null = _first_null(col)
    if bad_null is not None:
        raise ValueError(f"label column {column!r}{where} must be 0 or 1; row {bad_null} is missing (null)")
    t = col.type
    if pa.types.is_boolean(t):
        return np.asarray(col.to_numpy(zero_copy_only=False), dtype=np.int8)
    values = _floats_from_arrow(col, f"label column {column!r}{where} must be 0 or 1")
    if values is None:
        raise ValueError(f"label column {column!r}{where} must hold 0/1 values, not {t}")
    bad = (values != 0.0) & (values != 1.0)
    if bad.any():
        i = _first_true(bad)
        shown = col[i].as_py()
        raise ValueError(f"label column {column!r}{where} must be 0 or 1; row {i} has {shown!r}")
    return values.astype(np.int8)


def scores_from_arrow(col: pa.ChunkedArray | pa.Array, *, column: str, source: str = "") -> np.ndarray:
    """Convert a column to a finite ``float64`` array, or raise naming the first bad row."""
    col = _column_array(col)
    where = f" in {source}" if source else ""
    bad_null = _first_null(col)
    if bad_null is not None:
        raise ValueError(
            f"score column {column!r}{where} must be finite numbers; row {bad_null} is missing (null)"
        )
    t = col.type
    values = _floats_from_arrow(col, f"score column {column!r}{where} must be finite numbers")
    if values is None:
        raise ValueError(f"score column {column!r}{where} must hold numbers, not {t}")
    finite = np.isfinite(values)
    if not finite.all():
        i = _first_true(~finite)
        raise ValueError(
            f"score column {column!r}{where} must be finite numbers; row {i} has {float(values[i])!r}"
        )
    return np.ascontiguousarray(values)


def strings_from_arrow(col: pa.ChunkedArray | pa.Array, *, column: str, source: str = "") -> tuple[str, ...]:
    """Convert an id-like column to a tuple of strings; nulls are an error naming the row."""
    col = _column_array(col)
    bad_null = _first_null(col)
    if bad_null is not None:
        where = f" in {source}" if source else ""
        raise ValueError(f"column {column!r}{where} must not be empty; row {bad_null} is missing (null)")
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        if pa.types.is_floating(col.type):
            return tuple(_float_text(v) for v in col.to_pylist())
        col = pc.cast(col, pa.string())
    return tuple(col.to_pylist())


def _float_text(v: float) -> str:
    if math.isfinite(v) and v == int(v):
        return str(int(v))
    return repr(v)


def load_prediction_arrays(
    ref: PredictionArtifactRef | Mapping[str, Any], *, extra_columns: Sequence[str] = ()
) -> PredictionArrays:
    """Load labels, scores, row ids and content hashes of a prediction artifact, checked.

    Reads through DuckDB (``text/csv``, ``application/jsonl``, Parquet). A ref that records
    ``sha256`` or ``n_rows`` refuses a file that "changed since it was registered". Labels must be
    0/1 and scores finite; the error names the first bad row (0-based). ``extra_columns`` are read
    too (e.g. a slice or cluster column) and returned in ``PredictionArrays.extra``.

    Example:
        >>> ref = {"uri": "preds.csv", "media_type": "text/csv", "columns": {"label": "y", "score": "p"}}
        >>> arrays = load_prediction_arrays(ref)  # doctest: +SKIP
        >>> arrays.labels[:3], arrays.scores[:3]  # doctest: +SKIP
        (array([0, 1, 1], dtype=int8), array([0.12, 0.93, 0.71]))
    """
    ref = as_ref(ref)
    cols = ref.columns
    wanted = [c for c in (cols.label, cols.score, cols.row_id, cols.content_hash) if c is not None]
    wanted += [c for c in extra_columns if c not in wanted]
    as_text = [c for c in (cols.row_id, cols.content_hash, *extra_columns) if c is not None]
    table = read_prediction_table(ref, wanted, as_text=as_text)
    source = repr(ref.uri)
    labels = labels_from_arrow(table[cols.label], column=cols.label, source=source) if cols.label else None
    scores = scores_from_arrow(table[cols.score], column=cols.score, source=source)
    row_ids = (
        strings_from_arrow(table[cols.row_id], column=cols.row_id, source=source) if cols.row_id else None
    )
    hashes = (
        strings_from_arrow(table[cols.content_hash], column=cols.content_hash, source=source)
        if cols.content_hash
        else None
    )
    extra = {c: table[c].to_numpy() for c in extra_columns}
    return PredictionArrays(labels, scores, row_ids, hashes, extra)
