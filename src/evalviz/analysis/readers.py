"""Read persisted prediction files (CSV, JSON Lines, Parquet) through DuckDB into checked arrays.

Text formats are read as text and converted here, so a value is judged wherever it is in the file,
not by what DuckDB's type detection saw in its first rows. Only local files are read: a remote URI is refused
before DuckDB sees it, so nothing is ever fetched.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from evalviz.analysis.artifacts import (
    MEDIA_TYPES,
    PredictionArtifactRef,
    PredictionColumns,
    as_ref,
    media_type_reader,
    new_digest,
)
from evalviz.data.connection import default_connection, quote_identifier, quote_literal
from evalviz.data.sources import literal_for_duckdb
from evalviz.errors import ArgumentTypeError, DataSourceError, EvalvizError

__all__ = [
    "PredictionArrays",
    "PredictionFileNotFoundError",
    "file_digest",
    "file_sha256",
    "load_prediction_arrays",
    "mapped_slice_columns",
    "prediction_ref_for_file",
    "scorer_rows",
    "select_scorer",
    "split_by_scorer",
    "value_text",
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

    Attributes:
        labels: An `int8` array of 0/1 (None when the artifact maps no label column).
        scores: A finite `float64` array.
        row_ids: The row ids as text (None when not mapped).
        content_hashes: The content hashes as text (None when not mapped).
        extra: Any further columns asked for, as numpy arrays of text.
        scorers: The scorer of each row, when the artifact maps a `scorer` column.
        slices: The slice of each row (None where missing), when the artifact maps a `slice` column.

    Raises:
        EvalvizError: A field holds a number of rows other than `scores`.

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
    scorers: tuple[str, ...] | None = None
    slices: tuple[str | None, ...] | None = None

    def __post_init__(self) -> None:
        n = len(self.scores)
        for name in ("labels", "row_ids", "content_hashes", "scorers", "slices", *self.extra):
            value = self.extra[name] if name in self.extra else getattr(self, name)
            if value is not None and len(value) != n:
                raise EvalvizError(f"PredictionArrays.{name} has {len(value)} rows but scores has {n}")

    def __len__(self) -> int:
        return len(self.scores)

    def take(self, rows: np.ndarray) -> PredictionArrays:
        """The arrays of the given rows (indices or a boolean mask), in that order.

        Example:
            >>> PredictionArrays(None, np.array([0.2, 0.9, 0.4])).take(np.array([2, 0])).scores.tolist()
            [0.4, 0.2]
        """
        index = np.flatnonzero(rows) if np.asarray(rows).dtype == bool else np.asarray(rows, dtype=np.intp)

        def pick(values: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
            return None if values is None else tuple(values[i] for i in index)

        return PredictionArrays(
            None if self.labels is None else self.labels[index],
            self.scores[index],
            pick(self.row_ids),
            pick(self.content_hashes),
            {name: values[index] for name, values in self.extra.items()},
            pick(self.scorers),
            pick(self.slices),
        )


def split_by_scorer(arrays: PredictionArrays, name: str) -> dict[str, PredictionArrays]:
    """One artifact's rows per scorer: ``{name: arrays}``, or ``{"name/scorer": rows}`` per scorer column value.

    An artifact that maps a ``scorer`` column holds several scorers in long form; each scorer's
    rows are kept in file order, scorers in order of first appearance.

    Example:
        >>> a = PredictionArrays(None, np.array([0.1, 0.7, 0.3]), scorers=("bm25", "bert", "bm25"))
        >>> {k: v.scores.tolist() for k, v in split_by_scorer(a, "run1").items()}
        {'run1/bm25': [0.1, 0.3], 'run1/bert': [0.7]}
    """
    return {key: arrays.take(rows) for key, rows in scorer_rows(arrays, name).items()}


def scorer_rows(arrays: PredictionArrays, name: str) -> dict[str, np.ndarray]:
    """The file rows of each scorer of an artifact, named as :func:`split_by_scorer` names them.

    Example:
        >>> a = PredictionArrays(None, np.array([0.1, 0.7, 0.3]), scorers=("bm25", "bert", "bm25"))
        >>> {k: v.tolist() for k, v in scorer_rows(a, "run1").items()}
        {'run1/bm25': [0, 2], 'run1/bert': [1]}
    """
    if arrays.scorers is None:
        return {name: np.arange(len(arrays))}
    keys = np.asarray(arrays.scorers, dtype=object)
    return {f"{name}/{scorer}": np.flatnonzero(keys == scorer) for scorer in dict.fromkeys(arrays.scorers)}


def select_scorer(
    arrays: PredictionArrays,
    ref: PredictionArtifactRef | Mapping[str, Any],
    scorer: str | None,
    *,
    parameter: str = "scorer",
    alternative: str = "",
) -> tuple[PredictionArrays, np.ndarray]:
    """The rows of one scorer of an artifact, never several scorers pooled, and their rows in the file.

    An artifact that maps a ``scorer`` column and holds several scorers (long form) needs ``scorer`` to say
    which; ``parameter`` is the argument that takes it, named in the errors with ``alternative`` (another way
    out). An artifact of one scorer is returned as it is.

    Example:
        >>> a = PredictionArrays(None, np.array([0.1, 0.7, 0.3]), scorers=("bm25", "bert", "bm25"))
        >>> cols = {"score": "p", "scorer": "model"}
        >>> ref = {"uri": "long.csv", "media_type": "text/csv", "columns": cols}
        >>> picked, rows = select_scorer(a, ref, "bm25")
        >>> picked.scores.tolist(), rows.tolist()
        ([0.1, 0.3], [0, 2])
    """
    ref = as_ref(ref)
    column = ref.columns.scorer
    if column is None or arrays.scorers is None:
        if scorer is None:
            return arrays, np.arange(len(arrays))
        raise EvalvizError(
            f"{parameter}={scorer!r} picks a scorer, but {ref.uri!r} maps no scorer column (columns.scorer): it "
            f"holds one scorer's predictions; leave {parameter} out"
        )
    names = list(dict.fromkeys(arrays.scorers))
    shown = ", ".join(map(repr, names[:5])) + (", ..." if len(names) > 5 else "")
    if scorer is None:
        if len(names) <= 1:
            return arrays, np.arange(len(arrays))
        raise EvalvizError(
            f"{ref.uri!r} holds {len(names)} scorers in its column {column!r} ({shown}), and pooling them would "
            f"mix their predictions: pass {parameter}= to pick one (e.g. {parameter}={names[0]!r}){alternative}"
        )
    if scorer not in names:
        raise EvalvizError(
            f"{parameter}={scorer!r} is not a scorer of {ref.uri!r}: its column {column!r} holds {shown}"
        )
    rows = np.flatnonzero(np.asarray(arrays.scorers, dtype=object) == scorer)
    return arrays.take(rows), rows


def mapped_slice_columns(refs: Sequence[PredictionArtifactRef | Mapping[str, Any]]) -> list[str]:
    """The ``slice`` column the refs map, as a ``slice_by`` list (empty when none maps one).

    Example:
        >>> cols = {"label": "y", "score": "p", "slice": "lang"}
        >>> mapped_slice_columns([{"uri": "a.csv", "media_type": "text/csv", "columns": cols}])
        ['lang']
    """
    mapped = list(dict.fromkeys(r.columns.slice for r in map(as_ref, refs) if r.columns.slice is not None))
    if len(mapped) > 1:
        raise EvalvizError(
            f"the prediction artifacts map different slice columns ({', '.join(map(repr, mapped))}); "
            "pass slice_by= to choose"
        )
    return mapped


def file_digest(path: str | Path, algorithm: str = "sha256") -> str:
    """The hex digest of a file's bytes with a hashlib algorithm (or a sized BLAKE2, ``"blake2b-256"``).

    Example:
        >>> file_digest("preds.csv", "sha512")  # doctest: +SKIP
        'c1527cd893c124773d811911970c8fe6e857d6df5dc9226bd8a160614c0cd963a4...'
    """
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, lambda: new_digest(algorithm)).hexdigest()


def file_sha256(path: str | Path) -> str:
    """The hex SHA-256 of a file's bytes.

    Args:
        path: The file.

    Returns:
        64 lower-case hex characters.

    Raises:
        OSError: The file cannot be read.

    Example:
        >>> file_sha256("preds.csv")  # doctest: +SKIP
        '3a7bd3e2360a3d...'
    """
    return file_digest(path, "sha256")


class PredictionFileNotFoundError(DataSourceError, FileNotFoundError):
    """A prediction file a ref names does not exist."""


def local_file(uri: str) -> Path:
    """The local file a ref's ``uri`` names: a path, or a ``file://`` URI.

    A path that exists is taken literally (a file named ``~p.csv`` is that file); otherwise ``~`` is the
    home folder. A remote URI (``s3://``, ``https://``, ...) raises a ``DataSourceError`` without any attempt
    to reach it: evalviz reads local files only and never fetches or downloads anything. A folder, or a file
    that does not exist, raise naming it.

    Example:
        >>> local_file("s3://bucket/preds.parquet")
        Traceback (most recent call last):
        ...
        evalviz.errors.DataSourceError: prediction file 's3://bucket/preds.parquet' is not on this machine: ...
    """
    parsed = urlparse(uri)
    remote = parsed.scheme == "file" and parsed.netloc not in ("", "localhost")
    remote |= parsed.scheme not in ("", "file") and len(parsed.scheme) > 1  # "c:" is a Windows drive
    if remote and not Path(uri).exists():
        raise DataSourceError(
            f"prediction file {uri!r} is not on this machine: evalviz reads local files only and never fetches or "
            "downloads anything. Copy the file to this machine (e.g. with your storage's command-line tool) and "
            "point the ref's uri at the copy"
        )
    path = Path(unquote(parsed.path)) if parsed.scheme == "file" and not Path(uri).exists() else Path(uri)
    if not path.exists():
        path = path.expanduser()
    if path.is_dir():
        raise DataSourceError(
            f"prediction file {uri!r} is a folder, not a file: point the ref's uri at one CSV, JSON Lines or "
            "Parquet file in it"
        )
    if not path.is_file():
        raise PredictionFileNotFoundError(f"prediction file {uri!r} does not exist ({str(path.absolute())!r})")
    return path


def prediction_ref_for_file(
    path: str | Path,
    columns: PredictionColumns | Mapping[str, Any],
    *,
    media_type: str | None = None,
    role: str | Sequence[str] = "predictions",
) -> PredictionArtifactRef:
    """Register a prediction file: a ref pinned to the file's current SHA-256 and row count.

    Readers later refuse the file if it changed.

    Args:
        path: A local CSV, JSON Lines or Parquet file.
        columns: A `PredictionColumns` or its mapping (`{"label": "y", "score": "p"}`).
        media_type: The file's media type; by default taken from the extension (`.csv`, `.jsonl`, `.parquet`).
        role: The ref's role, or a list of roles.

    Returns:
        The pinned `PredictionArtifactRef`.

    Raises:
        DataSourceError: The file does not exist (a `FileNotFoundError` too), is a folder or a remote URI, or
            cannot be read.
        EvalvizError: The media type cannot be told from the extension, or the columns are not valid.

    Example:
        >>> ref = prediction_ref_for_file("preds.parquet", {"label": "y", "score": "p"})  # doctest: +SKIP
        >>> ref.n_rows, len(ref.sha256)  # doctest: +SKIP
        (50000, 64)
    """
    uri = os.fspath(path)
    if media_type is None:
        media_type = _EXTENSIONS.get(Path(uri).suffix.lower())
        if media_type is None:
            raise EvalvizError(
                f"cannot tell the media type of {uri!r} from its extension; pass media_type= "
                f"(one of {', '.join(MEDIA_TYPES)})"
            )
    local = local_file(uri)
    unpinned = PredictionArtifactRef(uri, media_type, columns, role=role)
    n_rows = _count_rows(unpinned)
    return PredictionArtifactRef(
        uri, media_type, unpinned.columns, sha256=file_sha256(local), n_rows=n_rows, role=role
    )


def _source_sql(ref: PredictionArtifactRef, columns: Sequence[str], keys: Sequence[str] = ()) -> str:
    """The DuckDB table function reading ``ref``; text formats give every column as VARCHAR.

    Reading text as text means no value is judged by a type guessed from the file's first rows:
    the converters below see every value and name the row of a bad one. A JSON Lines file is
    read for the given keys only (a key missing from a row is null); its ``keys`` columns (ids, names) as
    JSON, so that a number and a string are told apart (see :func:`value_text`).
    """
    kind = media_type_reader(ref.media_type)
    if kind == "csv":
        return "read_csv(?, all_varchar = true, header = true)"
    if kind == "jsonl":
        types = ", ".join(
            f"{quote_literal(c)}: {quote_literal('JSON' if c in keys else 'VARCHAR')}" for c in dict.fromkeys(columns)
        )
        return f"read_json(?, format = 'newline_delimited', records = true, columns = {{{types}}})"
    return "read_parquet(?)"


def _location(ref: PredictionArtifactRef) -> str:
    """The file of ``ref`` as DuckDB must be given it: absolute (DuckDB reads a leading "~" as the home folder)
    with "[", "?" and "*" escaped (DuckDB would read them as a pattern)."""
    return literal_for_duckdb(os.path.abspath(local_file(ref.uri)))


def _bad_json_line(path: Path) -> str | None:
    """Where a JSON Lines file first breaks: its line and row, read line by line as the format defines it.

    DuckDB's parser reads on past a line that ends inside an object and reports the line after it.
    """
    row = 0
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                return f"line {line_no} (row {row}) is not valid JSON ({exc.msg}): {line.strip()[:80]!r}"
            if not isinstance(value, dict):
                return f"line {line_no} (row {row}) is not a JSON object: {line.strip()[:80]!r}"
            row += 1
    return None


def _read_error(ref: PredictionArtifactRef, exc: Exception) -> DataSourceError:
    where = ""
    if media_type_reader(ref.media_type) == "jsonl":
        bad = _bad_json_line(local_file(ref.uri))
        where = f"{bad}; " if bad else ""
    return DataSourceError(f"could not read prediction file {ref.uri!r} as {ref.media_type}: {where}{exc}")


def _mapped(columns: PredictionColumns) -> list[str]:
    """The columns a ref's mapping reads as data (``text`` and ``provenance`` are only recorded)."""
    roles = (columns.label, columns.score, columns.row_id, columns.content_hash, columns.scorer, columns.slice)
    return list(dict.fromkeys(c for c in roles if c is not None))


def _count_rows(ref: PredictionArtifactRef) -> int:
    cur = default_connection().cursor()
    try:
        source = _source_sql(ref, _mapped(ref.columns))
        return int(cur.sql(f"SELECT count(*) FROM {source}", params=[_location(ref)]).fetchall()[0][0])
    except (duckdb.Error, pa.ArrowException) as exc:
        raise _read_error(ref, exc) from exc
    finally:
        cur.close()


def _verify_pinned(ref: PredictionArtifactRef) -> None:
    if ref.digest is None:
        return
    algorithm, expected = ref.digest
    actual = file_digest(local_file(ref.uri), algorithm)
    if actual != expected:
        rows = _row_change(ref)
        raise DataSourceError(
            f"prediction file {ref.uri!r} changed since it was registered: {rows}its {algorithm} is {actual}, "
            f"the ref records {ref.sha256}. {_REREGISTER}"
        )


_REREGISTER = (
    "If the change is meant, register the file again (prediction_ref_for_file(path, columns)) and use the new ref"
)


def _row_change(ref: PredictionArtifactRef) -> str:
    """What became of the rows of a file whose bytes changed, when the ref records their count ("" otherwise,
    or when the file can no longer be read)."""
    if ref.n_rows is None:
        return ""
    try:
        n_rows = _count_rows(ref)
    except DataSourceError:
        return ""
    if n_rows != ref.n_rows:
        return f"it has {n_rows} rows, the ref records {ref.n_rows}; "
    return f"it still has {n_rows} rows, but their bytes differ: "


def _file_columns(ref: PredictionArtifactRef, location: str, cur: duckdb.DuckDBPyConnection) -> list[str]:
    """The columns of the file as DuckDB sees them (for JSON Lines: the keys of its first rows)."""
    kind = media_type_reader(ref.media_type)
    source = "read_json(?, format = 'newline_delimited')" if kind == "jsonl" else _source_sql(ref, ())
    return [row[0] for row in cur.sql(f"DESCRIBE SELECT * FROM {source}", params=[location]).fetchall()]


def _missing_columns_error(
    ref: PredictionArtifactRef, missing: Sequence[str], available: Sequence[str]
) -> EvalvizError:
    return EvalvizError(
        f"prediction file {ref.uri!r} has no column(s) {', '.join(repr(c) for c in missing)}; "
        f"its columns are {', '.join(repr(c) for c in available)}"
    )


def read_prediction_table(
    ref: PredictionArtifactRef | Mapping[str, Any], columns: Sequence[str], keys: Sequence[str] = ()
) -> pa.Table:
    """Read the named columns of a prediction artifact into a pyarrow table, in file order.

    Verifies the digest (``sha256``) and ``n_rows`` when the ref records them. CSV and JSON Lines
    columns come as strings (so ids like ``007`` keep their zeros); the ``keys`` columns (ids, scorer and
    slice names, clusters) come as the text of each value, the same for every format (:func:`value_text`). A
    file DuckDB cannot parse raises a ``DataSourceError`` with DuckDB's reason, which names the line.
    """
    ref = as_ref(ref)
    location = _location(ref)
    _verify_pinned(ref)
    wanted = list(dict.fromkeys(columns))
    jsonl = media_type_reader(ref.media_type) == "jsonl"
    cur = default_connection().cursor()
    try:
        if not jsonl:  # a JSON Lines key may first appear late in the file: judged after reading
            available = _file_columns(ref, location, cur)
            missing = [c for c in wanted if c not in available]
            if missing:
                raise _missing_columns_error(ref, missing, available)
        select = ", ".join(quote_identifier(c) for c in wanted)
        source = _source_sql(ref, wanted, keys)
        table = cur.sql(f"SELECT {select} FROM {source}", params=[location]).to_arrow_table()
        if jsonl:
            absent = [c for c in wanted if table.num_rows and table[c].null_count == table.num_rows]
            available = _file_columns(ref, location, cur) if absent else []
            if [c for c in absent if c not in available]:
                raise _missing_columns_error(ref, [c for c in absent if c not in available], available)
    except (duckdb.Error, pa.ArrowException) as exc:
        raise _read_error(ref, exc) from exc
    finally:
        cur.close()
    if ref.n_rows is not None and table.num_rows != ref.n_rows:
        raise DataSourceError(
            f"prediction file {ref.uri!r} changed since it was registered: it has {table.num_rows} rows, "
            f"the ref records {ref.n_rows}. {_REREGISTER}"
        )
    for name in dict.fromkeys(keys):
        texts = key_texts(table[name], column=name, source=repr(ref.uri), json_values=jsonl)
        table = table.set_column(table.schema.get_field_index(name), name, texts)
    return table


def _first_true(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def plain_array(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    """One array of the column's values: chunks combined, a dictionary-encoded (categorical) column decoded.

    Example:
        >>> plain_array(pa.array(["C", "I", "C"]).dictionary_encode()).to_pylist()
        ['C', 'I', 'C']
    """
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    if pa.types.is_dictionary(col.type):
        col = col.dictionary_decode()
    return col


def _first_null(col: pa.Array) -> int | None:
    if col.null_count == 0:
        return None
    return _first_true(np.asarray(col.is_null().to_numpy(zero_copy_only=False)))


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def _parses(text: pa.Array) -> bool:
    try:
        pc.cast(text, pa.float64())
    except pa.ArrowInvalid:
        return False
    return True


def _first_unparsable(text: pa.Array) -> int:
    """The first row whose text is no number, found by halving (each half is parsed at C speed)."""
    lo, hi = 0, len(text)  # the first bad row is in [lo, hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _parses(text.slice(lo, mid - lo)):
            lo = mid
        else:
            hi = mid
    return lo


def _parse_floats(col: pa.Array, problem: str) -> np.ndarray:
    """Text parsed as numbers (``true``/``false`` as 1/0, spaces around ignored) wherever it is in the column.

    The first value that is no number raises ``"{problem}; row {i} has {value!r}"``.
    """
    try:  # plain numbers are parsed at once; other text is normalised first
        return _to_numpy(pc.cast(col, pa.float64()))
    except pa.ArrowInvalid:
        pass
    trimmed = pc.utf8_trim_whitespace(col)
    lowered = pc.utf8_lower(trimmed)
    text = pc.if_else(pc.equal(lowered, "true"), "1", pc.if_else(pc.equal(lowered, "false"), "0", trimmed))
    try:
        return _to_numpy(pc.cast(text, pa.float64()))
    except pa.ArrowInvalid:
        i = _first_unparsable(text)
        raise EvalvizError(f"{problem}; row {i} has {col[i].as_py()!r}") from None


def _to_numpy(values: pa.Array) -> np.ndarray:
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)


def _floats_from_arrow(col: pa.Array, problem: str) -> np.ndarray | None:
    """A numeric or boolean column cast to ``float64``, or a text column parsed as numbers; None for other types."""
    t = col.type
    if pa.types.is_boolean(t) or pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return np.asarray(col.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    if _is_text(t):
        return _parse_floats(col, problem)
    return None


def _shown(col: pa.Array, values: np.ndarray, i: int) -> str:
    """A bad value as the user wrote it: a number as a number (also when read from text)."""
    if _is_text(col.type):
        return _float_text(float(values[i]))
    return repr(col[i].as_py())


def labels_from_arrow(col: pa.ChunkedArray | pa.Array, *, column: str, source: str = "") -> np.ndarray:
    """Convert a column to an ``int8`` array of 0/1, or raise naming the first bad row.

    Numbers, booleans and their text (``"1"``, ``"0.0"``, ``"true"``) are understood.

    Example:
        >>> labels_from_arrow(pa.array(["1", "0", "true"]), column="y").tolist()
        [1, 0, 1]
    """
    col = plain_array(col)
    where = f" in {source}" if source else ""
    bad_null = _first_null(col)
    if bad_null is not None:
        raise EvalvizError(f"label column {column!r}{where} must be 0 or 1; row {bad_null} is missing (null)")
    t = col.type
    if pa.types.is_boolean(t):
        return np.asarray(col.to_numpy(zero_copy_only=False), dtype=np.int8)
    values = _floats_from_arrow(col, f"label column {column!r}{where} must be 0 or 1")
    if values is None:
        raise EvalvizError(f"label column {column!r}{where} must hold 0/1 values, not {t}")
    bad = (values != 0.0) & (values != 1.0)
    if bad.any():
        i = _first_true(bad)
        raise EvalvizError(f"label column {column!r}{where} must be 0 or 1; row {i} has {_shown(col, values, i)}")
    return values.astype(np.int8)


def scores_from_arrow(col: pa.ChunkedArray | pa.Array, *, column: str, source: str = "") -> np.ndarray:
    """Convert a column to a finite ``float64`` array, or raise naming the first bad row.

    Example:
        >>> scores_from_arrow(pa.array(["0.25", " 1e-3 "]), column="p").tolist()
        [0.25, 0.001]
    """
    col = plain_array(col)
    where = f" in {source}" if source else ""
    bad_null = _first_null(col)
    if bad_null is not None:
        raise EvalvizError(
            f"score column {column!r}{where} must be finite numbers; row {bad_null} is missing (null)"
        )
    t = col.type
    values = _floats_from_arrow(col, f"score column {column!r}{where} must be finite numbers")
    if values is None:
        raise EvalvizError(f"score column {column!r}{where} must hold numbers, not {t}")
    finite = np.isfinite(values)
    if not finite.all():
        i = _first_true(~finite)
        raise EvalvizError(
            f"score column {column!r}{where} must be finite numbers; row {i} has {float(values[i])!r}"
        )
    return np.ascontiguousarray(values)


def value_text(value: Any) -> str | None:
    """The text an id, a scorer or a slice value is known by: the same whatever the file's format.

    Text is kept as written (CSV is text: an id ``007`` keeps its zeros). A number is written by its value, so
    that ``5``, ``5.0`` (a JSON number, a Parquet DOUBLE, a ``Decimal``) are all ``"5"`` and pair with a CSV
    ``5``, and ``0.5`` is ``"0.5"`` (``inf`` and ``nan`` as such). A boolean is ``"True"`` or ``"False"``, a
    date or time its ISO text, bytes their UTF-8 text; None stays None. Anything else (a list, a mapping)
    names no row and raises ``TypeError``; bytes that are not UTF-8 raise ``UnicodeDecodeError``.

    Example:
        >>> [value_text(v) for v in ("007", 5, 5.0, Decimal("0.50"), True, None)]
        ['007', '5', '5', '0.5', 'True', None]
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return _float_text(float(value))
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8")
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    raise ArgumentTypeError(f"a {type(value).__name__} names no row")


def _float_text(v: float) -> str:
    if math.isfinite(v) and v == int(v):
        return str(int(v))
    return repr(v)


def _decimal_text(d: Decimal) -> str:
    """A decimal as the float of the same value is written, when there is one ('0.50' -> '0.5')."""
    if not d.is_finite():
        return _float_text(math.nan if d.is_nan() else float(d))
    if d == d.to_integral_value():
        return str(int(d))
    as_float = float(d)
    return _float_text(as_float) if Decimal(repr(as_float)) == d else str(d)


def _nested(t: pa.DataType) -> bool:
    return pa.types.is_nested(t) or pa.types.is_union(t) or pa.types.is_map(t)


def key_texts(
    col: pa.ChunkedArray | pa.Array, *, column: str, source: str = "", json_values: bool = False
) -> pa.Array:
    """A column of ids or names as the :func:`value_text` of each value, nulls kept.

    ``json_values``: the column holds JSON texts (how JSON Lines keys are read), so a JSON number ``5.0`` is
    the number 5 and a JSON string ``"5.0"`` the text ``5.0``. A value that names nothing (a list, a
    mapping, bytes that are not UTF-8) raises naming its row.

    Example:
        >>> key_texts(pa.array([5.0, 0.5, None]), column="id").to_pylist()
        ['5', '0.5', None]
    """
    col = plain_array(col)
    where = f" in {source}" if source else ""
    if _nested(col.type):
        raise EvalvizError(
            f"column {column!r}{where} must hold text or numbers (its values name rows, scorers or slices), "
            f"not {col.type}"
        )
    if not json_values and (_is_text(col.type) or pa.types.is_integer(col.type)):
        return pc.cast(col, pa.string())
    texts: list[str | None] = []
    for i, value in enumerate(col.to_pylist()):
        try:
            texts.append(value_text(json.loads(value) if json_values and value is not None else value))
        except (TypeError, UnicodeDecodeError):
            raise EvalvizError(
                f"column {column!r}{where} must hold text or numbers (its values name rows, scorers or slices); "
                f"row {i} has {value!r}"
            ) from None
    return pa.array(texts, type=pa.string())


def strings_from_arrow(col: pa.ChunkedArray | pa.Array, *, column: str, source: str = "") -> tuple[str, ...]:
    """Convert an id-like column to a tuple of :func:`value_text` strings; nulls are an error naming the row.

    Example:
        >>> strings_from_arrow(pa.array([7, 8]), column="id")
        ('7', '8')
    """
    col = plain_array(col)
    bad_null = _first_null(col)
    if bad_null is not None:
        where = f" in {source}" if source else ""
        raise EvalvizError(f"column {column!r}{where} must not be empty; row {bad_null} is missing (null)")
    return tuple(key_texts(col, column=column, source=source).to_pylist())


def load_prediction_arrays(
    ref: PredictionArtifactRef | Mapping[str, Any], *, extra_columns: Sequence[str] = ()
) -> PredictionArrays:
    """Load labels, scores, row ids and content hashes of a prediction artifact, checked.

    Reads through DuckDB (`text/csv`, `application/jsonl`, Parquet, and their aliases). Labels must be 0/1 and
    scores finite, wherever in the file. Row ids, content hashes, scorers, slices and extra columns come as the text
    of each value, the same whatever the file's format (`value_text`: a JSON `5.0` and a Parquet DOUBLE `5.0` are
    both "5"). Only local files are read: a remote URI raises before anything is fetched.

    Args:
        ref: A `PredictionArtifactRef` or its `to_dict()`.
        extra_columns: Further columns to read (e.g. a cluster column), returned in `PredictionArrays.extra`.

    Returns:
        The `PredictionArrays`, in file order; mapped `scorer` and `slice` columns are read too.

    Raises:
        DataSourceError: The file is missing, remote or unreadable, a line cannot be parsed (named by its line
            number), or the file "changed since it was registered" (its `sha256` or `n_rows` differs from the
            ref's).
        MissingColumnError: A mapped or extra column is not in the file.
        EvalvizError: A label other than 0/1 or a score that is not a finite number (naming the first bad row,
            0-based).

    Example:
        >>> ref = {"uri": "preds.csv", "media_type": "text/csv", "columns": {"label": "y", "score": "p"}}
        >>> arrays = load_prediction_arrays(ref)  # doctest: +SKIP
        >>> arrays.labels[:3], arrays.scores[:3]  # doctest: +SKIP
        (array([0, 1, 1], dtype=int8), array([0.12, 0.93, 0.71]))
    """
    ref = as_ref(ref)
    cols = ref.columns
    wanted = _mapped(cols)
    wanted += [c for c in extra_columns if c not in wanted]
    keys = [c for c in (cols.row_id, cols.content_hash, cols.scorer, cols.slice, *extra_columns) if c is not None]
    table = read_prediction_table(ref, wanted, keys)
    source = repr(ref.uri)

    def ids(column: str | None) -> tuple[str, ...] | None:
        return None if column is None else strings_from_arrow(table[column], column=column, source=source)

    labels = labels_from_arrow(table[cols.label], column=cols.label, source=source) if cols.label else None
    scores = scores_from_arrow(table[cols.score], column=cols.score, source=source)
    slices = None if cols.slice is None else tuple(table[cols.slice].to_pylist())
    extra = {c: np.asarray(table[c].to_pylist(), dtype=object) for c in extra_columns}
    return PredictionArrays(
        labels, scores, ids(cols.row_id), ids(cols.content_hash), extra, ids(cols.scorer), slices
    )
