"""Turning the paths users give into DuckDB relations: file formats, globs, lists and hive folders."""

from __future__ import annotations

import glob as globlib
import os
from collections.abc import Sequence
from pathlib import Path

import duckdb

from evalviz.errors import DataSourceError

FORMATS = ("parquet", "csv", "jsonl", "json")
_SUFFIXES = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
}
_GLOB_CHARS = set("*?[")

PathLike = str | os.PathLike[str]


def _is_glob(path: str) -> bool:
    return any(ch in path for ch in _GLOB_CHARS)


def _expand(path: PathLike) -> tuple[list[str], bool]:
    """One user path -> the files it names, and whether they sit in a hive-partitioned folder."""
    text = os.path.expanduser(os.fspath(path))
    if _is_glob(text):
        files = sorted(f for f in globlib.glob(text, recursive=True) if os.path.isfile(f))
        if not files:
            raise DataSourceError(
                f"No file matches {text!r}. Check the pattern and the working directory ({os.getcwd()!r})."
            )
        return files, "=" in text or any(_in_hive_folder(f, _glob_root(text)) for f in files)
    p = Path(text)
    if p.is_dir():
        files = sorted(str(f) for f in p.rglob("*") if f.is_file() and f.suffix.lower() in _SUFFIXES)
        if not files:
            raise DataSourceError(
                f"The folder {text!r} holds no data file ({', '.join(sorted(_SUFFIXES))})."
            )
        return files, any(_in_hive_folder(f, text) for f in files)
    if not p.exists():
        raise DataSourceError(
            f"File not found: {text!r}. Check the path (working directory: {os.getcwd()!r})."
        )
    if not os.access(p, os.R_OK):
        raise DataSourceError(f"File {text!r} cannot be read: permission denied.")
    return [text], False


def _glob_root(pattern: str) -> str:
    """The folder a glob pattern starts from: its leading parts without glob characters."""
    parts = Path(pattern).parts
    fixed = parts[: next((i for i, part in enumerate(parts) if _is_glob(part)), len(parts))]
    return str(Path(*fixed)) if fixed else "."


def _in_hive_folder(file: str, root: str) -> bool:
    """Whether `file` sits in `key=value` folders below `root` (hive partitioning)."""
    try:
        folders = Path(file).relative_to(root).parts[:-1]
    except ValueError:
        return False
    return any("=" in part for part in folders)


def _format_of(files: Sequence[str], given: str | None) -> str:
    if given is not None:
        fmt = given.lower().lstrip(".")
        if fmt == "ndjson":
            fmt = "jsonl"
        if fmt not in FORMATS:
            raise DataSourceError(f"Unknown format {given!r}. Use one of: {', '.join(FORMATS)}.")
        return fmt
    found = {_SUFFIXES.get(Path(f).suffix.lower()) for f in files}
    if None in found:
        bad = next(f for f in files if Path(f).suffix.lower() not in _SUFFIXES)
        raise DataSourceError(
            f"Cannot tell the format of {bad!r} from its extension. "
            f"Pass format= one of: {', '.join(FORMATS)}."
        )
    if len(found) > 1:
        raise DataSourceError(
            f"The files mix formats ({', '.join(sorted(found))}); read each format separately."
        )
    return found.pop()


def read_files(
    connection: duckdb.DuckDBPyConnection, path: PathLike | Sequence[PathLike], fmt: str | None
) -> tuple[duckdb.DuckDBPyRelation, list[str]]:
    """A lazy relation over the files `path` names; nothing is loaded until a query runs."""
    paths = [path] if isinstance(path, str | os.PathLike) else list(path)
    if not paths:
        raise DataSourceError("No path given: pass a file, a glob or a non-empty list of files.")
    files: list[str] = []
    hive = False
    for p in paths:
        expanded, is_hive = _expand(p)
        files.extend(expanded)
        hive = hive or is_hive
    fmt = _format_of(files, fmt)
    try:
        if fmt == "parquet":
            relation = connection.read_parquet(files, hive_partitioning=hive, union_by_name=len(files) > 1)
        elif fmt == "csv":
            relation = connection.read_csv(files, hive_partitioning=hive, union_by_name=len(files) > 1)
        else:
            relation = connection.read_json(
                files, format="newline_delimited" if fmt == "jsonl" else "auto", hive_partitioning=hive
            )
        relation.columns  # noqa: B018 - forces DuckDB to open the files now, so errors name them here
    except (duckdb.Error, OSError) as exc:
        shown = files[0] if len(files) == 1 else f"{len(files)} files ({files[0]!r}, ...)"
        raise DataSourceError(f"Could not read {shown} as {fmt}: {_reason(exc)}") from exc
    return relation, files


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
