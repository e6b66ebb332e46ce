"""Turning the paths users give into DuckDB scans: formats, patterns, folders, reader options and file changes.

A path that exists is read as it is spelled, whatever characters it holds; only a path that names nothing is a
pattern, and within a pattern a folder that exists is taken as spelled too. Patterns and folders are expanded
here, in Python, into a list of files, each read once however many names it has (a symbolic or hard link is the
file it names); DuckDB is then given each file with its glob characters escaped, and with "./" before a name
DuckDB would expand ("~") or read as a URL ("s3:..."), so it reads that file and no other.
"""

from __future__ import annotations

import fnmatch
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from evalviz.data.connection import quote_literal
from evalviz.data.read_errors import Dialect, csv_misread, read_error
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
_GLOB_CHARS = frozenset("*?[")
# What DuckDB reads other than as a local file name: "~" for the home folder, "scheme:" for a URL (s3://, hf://).
_DUCKDB_SPECIAL = re.compile(r"~|[A-Za-z][A-Za-z0-9+.-]*:")
# The names DuckDB gives the columns of a CSV file in which it found no header: column0, column1 (column00, ...).
_GENERATED_NAME = re.compile(r"column\d+")
# The reader options that change how DuckDB's sniffer splits a CSV file (passed to its sniff_csv).
_SNIFF_OPTIONS = frozenset({
    "delim", "sep", "delimiter", "separator", "quote", "escape", "header", "skip", "comment", "new_line", "encoding",
    "compression", "max_line_size", "maximum_line_size", "names", "column_names", "columns", "null_padding",
    "ignore_errors", "strict_mode", "sample_size", "auto_detect",
})
_READERS = {"parquet": "read_parquet", "csv": "read_csv", "jsonl": "read_json", "json": "read_json"}
_READER_DOCS = {
    "parquet": "https://duckdb.org/docs/stable/data/parquet/overview#parameters",
    "csv": "https://duckdb.org/docs/stable/data/csv/overview#parameters",
    "jsonl": "https://duckdb.org/docs/stable/data/json/loading_json#parameters",
    "json": "https://duckdb.org/docs/stable/data/json/loading_json#parameters",
}
PathLike = str | os.PathLike[str]


@dataclass
class FileSource:
    """Files read by one DuckDB reader, and what they held when first read (to notice later changes)."""

    files: tuple[str, ...]
    fmt: str
    options: dict[str, Any]
    stamps: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    schema: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        """The files as shown in messages."""
        return repr(self.files[0]) if len(self.files) == 1 else f"{len(self.files)} files ({self.files[0]!r}, ...)"

    def scan_sql(self) -> str:
        """The DuckDB table function reading the files, each escaped so that DuckDB does not glob its name."""
        files = ", ".join(quote_literal(literal_for_duckdb(f)) for f in self.files)
        options = "".join(f", {name} := {_option_sql(name, value)}" for name, value in self.options.items())
        return f"{_READERS[self.fmt]}([{files}]{options})"

    def open(self, connection: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyRelation:
        """A relation over the files; the files are opened now to learn their columns."""
        relation = connection.sql(f"SELECT * FROM {self.scan_sql()}")
        schema = _schema_of(relation)
        if not self.schema:
            self.schema, self.stamps = schema, _stamps(self.files)
        return relation

    def read_error(self, exc: BaseException) -> str | None:
        """The message for an error of DuckDB reading the files' content (a line at fault, a corrupt file): the
        file, the line, the problem and the way out; None for an error of another kind."""
        return read_error(exc, reason_of(exc, self.files), self.files, self.fmt, self.options)

    def verify(self, connection: duckdb.DuckDBPyConnection) -> None:
        """Raise `DataSourceError` when a file was deleted, or rewritten with other columns, since it was read.

        A file rewritten with the same columns is read as it is now, as a lazy table should.
        """
        now = _stamps(self.files)
        if now == self.stamps:
            return
        gone = [f for f in self.files if f not in now]
        if gone:
            raise DataSourceError(
                f"The file {gone[0]!r} was deleted or moved after Data.from_file read it. Put it back, or read "
                "what is there now with Data.from_file again."
            )
        try:
            schema = _schema_of(connection.sql(f"SELECT * FROM {self.scan_sql()}"))
        except duckdb.Error as exc:
            raise DataSourceError(
                f"{self.label} changed after Data.from_file read it, and can no longer be read as {self.fmt}: "
                f"{self.read_error(exc) or reason_of(exc, self.files)}"
            ) from exc
        if schema != self.schema:
            raise DataSourceError(
                f"{self.label} changed after Data.from_file read it: its columns were {_listing(self.schema)} "
                f"and are now {_listing(schema)}. Read it again with Data.from_file to use the new columns."
            )
        self.stamps = now


def read_files(
    connection: duckdb.DuckDBPyConnection,
    path: PathLike | Sequence[PathLike],
    fmt: str | None,
    options: Mapping[str, Any] | None = None,
) -> tuple[duckdb.DuckDBPyRelation, FileSource]:
    """A lazy relation over the files `path` names; nothing is loaded until a query runs."""
    iterable = isinstance(path, Iterable) and not isinstance(path, bytes)
    paths = [path] if isinstance(path, str | os.PathLike) else list(path) if iterable else None
    if paths is None or not all(isinstance(p, str | os.PathLike) for p in paths):
        raise DataSourceError(f"Give a path, a glob or a list of them (str or pathlib.Path), not {path!r}.")
    if not paths:
        raise DataSourceError("No path given: pass a file, a glob or a non-empty list of files.")
    files: dict[object, str] = {}  # the file's identity -> the path as found, each file once
    hive = False
    for p in paths:
        expanded, is_hive = _expand(p)
        for f in expanded:
            files.setdefault(_identity(f), f)
        hive = hive or is_hive
    found = list(files.values())
    fmt = _format_of(found, fmt)
    source = FileSource(tuple(found), fmt, _reader_options(connection, fmt, hive, len(found), options or {}))
    try:
        relation = source.open(connection)
        if fmt == "csv" and "header" not in source.options and _only_a_header(relation):
            source = FileSource(source.files, fmt, {**source.options, "header": True})
            relation = source.open(connection)
    except (duckdb.Error, OSError) as exc:
        said = source.read_error(exc)
        raise DataSourceError(said or f"Could not read {source.label} as {fmt}: {reason_of(exc, source.files)}"
                              ) from exc
    if fmt == "csv" and (misread := csv_misread(source.files, source.options,
                                                lambda file: sniffed_dialect(connection, file, source.options))):
        raise DataSourceError(misread)
    return relation, source


def sniffed_dialect(connection: duckdb.DuckDBPyConnection, file: str, options: Mapping[str, Any]) -> Dialect | None:
    """How DuckDB splits the CSV `file` read with `options` (its `sniff_csv`, which reads at most its sample of
    rows); None when it cannot tell.

    Example:
        >>> sniffed_dialect(duckdb.connect(), "no such file.csv", {}) is None
        True
    """
    given = "".join(f", {name}={_option_sql(name, value)}" for name, value in options.items() if name in _SNIFF_OPTIONS)
    try:
        rows = connection.execute(
            "SELECT Delimiter, Quote, Escape, SkipRows, Comment, len(Columns) FROM "
            f"sniff_csv({quote_literal(literal_for_duckdb(file))}{given})"
        ).fetchall()
    except duckdb.Error:
        return None
    return Dialect.sniffed(rows[0]) if rows else None


def literal_for_duckdb(path: str) -> str:
    """`path` as DuckDB reads that one file: its glob characters escaped ("[" -> "[[]"), and "./" before a
    relative name that DuckDB would otherwise expand ("~x.csv": the home folder) or read as a URL ("s3:x").

    Example:
        >>> literal_for_duckdb("results [v2]?.csv")
        'results [[]v2][?].csv'
        >>> literal_for_duckdb("~draft.csv")
        './~draft.csv'
    """
    escaped = "".join(f"[{ch}]" if ch in _GLOB_CHARS else ch for ch in path)
    return "./" + escaped if _DUCKDB_SPECIAL.match(path) else escaped


def reason_of(exc: BaseException, files: Sequence[str] = ()) -> str:
    """An engine error's whole text, every line, with escaped file names shown as the user spelled them."""
    text = str(exc).strip() or type(exc).__name__
    for f in files:
        escaped = literal_for_duckdb(f)
        if escaped != f:
            text = text.replace(escaped, f)
    return text


# -- paths ---------------------------------------------------------------------------------------------------
def _expand(path: PathLike) -> tuple[list[str], bool]:
    """One user path -> the files it names, and whether they sit in a hive-partitioned folder."""
    text = _home_expanded(os.fspath(path))
    if os.path.isdir(text):
        files = [f for f in _match(text, ["**", "*"], text) if _data_suffix(f) in _SUFFIXES]
        if not files:
            raise DataSourceError(f"The folder {text!r} holds no data file ({', '.join(sorted(_SUFFIXES))}).")
        return files, any(_in_hive_folder(f, text) for f in files)
    if os.path.exists(text):
        if not os.access(text, os.R_OK):
            raise DataSourceError(f"File {text!r} cannot be read: permission denied.")
        return [text], False
    if os.path.lexists(text):
        raise DataSourceError(f"{text!r} is a symbolic link to {os.readlink(text)!r}, which does not exist.")
    if not _is_glob(text):
        raise DataSourceError(f"File not found: {text!r}. Check the path (working directory: {os.getcwd()!r}).")
    root = _glob_root(text)
    files = _match(root, list(Path(text).parts[len(Path(root).parts) if root != "." else 0 :]), text)
    if not files:
        raise DataSourceError(
            f"No file matches {text!r}. Check the pattern and the working directory ({os.getcwd()!r})."
        )
    return files, "=" in text or any(_in_hive_folder(f, root) for f in files)


def _home_expanded(path: str) -> str:
    """`path` with a leading "~" or "~user" expanded, as a shell does, unless only the path as spelled exists
    (a file named "~draft.csv" in the working folder)."""
    expanded = os.path.expanduser(path)
    return path if not os.path.lexists(expanded) and os.path.lexists(path) else expanded


def _identity(path: str) -> object:
    """What tells files apart: the device and inode of the file `path` leads to (so a hard link and a symbolic
    link are the file they name), or its real path when it cannot be looked at."""
    try:
        status = os.stat(path)
    except OSError:
        return os.path.realpath(path)
    return status.st_dev, status.st_ino


def _only_a_header(relation: duckdb.DuckDBPyRelation) -> bool:
    """Whether DuckDB read a CSV file holding one line of names as one row of data, under names it made up.

    With one line, DuckDB's sniffer has no rows to compare it with: it takes "m,t,s" for data ("t" reads as
    true), though "model,task,score" for a header. A line of words (text or true/false, no number, no date) is
    read as a header, as other CSV readers do, so the table has those columns and no rows.
    """
    if not all(_GENERATED_NAME.fullmatch(name) for name in relation.columns):
        return False
    rows = relation.limit(2).fetchall()
    if len(rows) != 1:
        return False
    values = [value for value in rows[0] if value is not None]
    return bool(values) and all(isinstance(value, str | bool) for value in values)


def _is_glob(path: str) -> bool:
    return any(ch in _GLOB_CHARS for ch in path)


def _is_pattern(folder: str, part: str) -> bool:
    """Whether a part of a path is a pattern: it holds glob characters and names nothing in `folder`."""
    return _is_glob(part) and not os.path.lexists(os.path.join(folder, part))


def _glob_root(pattern: str) -> str:
    """The folder a glob pattern starts from: its leading parts that are not patterns (a folder "d[1]" that
    exists is one)."""
    fixed: list[str] = []
    for part in Path(pattern).parts:
        if _is_pattern(os.path.join(*fixed) if fixed else "", part):
            break
        fixed.append(part)
    return str(Path(*fixed)) if fixed else "."


def _match(root: str, segments: list[str], pattern: str) -> list[str]:
    """The files below `root` matching the path `segments` ("**" for any folders), sorted, each file once.

    Symbolic links are followed; one that leads back into a folder it sits in is reported as a loop.
    """
    found: dict[object, str] = {}
    _walk(root if root != "." else "", segments, (os.path.realpath(root),), pattern, found)
    return sorted(found.values())


def _walk(folder: str, segments: list[str], chain: tuple[str, ...], pattern: str, found: dict[object, str]) -> None:
    head, rest = segments[0], segments[1:]
    if head == "**":
        _walk(folder, rest or ["*"], chain, pattern, found)
        for sub in _entries(folder, "*", directories=True):
            _walk(sub, segments, _deeper(chain, sub, pattern), pattern, found)
        return
    if not _is_pattern(folder, head):
        target = os.path.join(folder, head)
        if not rest and os.path.isfile(target):
            found.setdefault(_identity(target), target)
        elif rest and os.path.isdir(target):
            _walk(target, rest, chain, pattern, found)
        return
    for entry in _entries(folder, head, directories=bool(rest)):
        if rest:
            _walk(entry, rest, chain, pattern, found)
        else:
            found.setdefault(_identity(entry), entry)


def _entries(folder: str, name_pattern: str, *, directories: bool) -> list[str]:
    """The files (or folders) in `folder` whose names match; hidden names only when the pattern starts with '.'."""
    try:
        with os.scandir(folder or ".") as scan:
            entries = list(scan)
    except OSError:
        return []
    hidden = name_pattern.startswith(".")
    chosen = []
    for entry in entries:
        if entry.name.startswith(".") and not hidden:
            continue
        try:
            kind_ok = entry.is_dir() if directories else entry.is_file()
        except OSError:
            continue
        if kind_ok and fnmatch.fnmatchcase(entry.name, name_pattern):
            chosen.append(os.path.join(folder, entry.name))
    return sorted(chosen)


def _deeper(chain: tuple[str, ...], folder: str, pattern: str) -> tuple[str, ...]:
    real = os.path.realpath(folder)
    if real in chain:
        raise DataSourceError(
            f"{pattern!r} runs into a loop of symbolic links: {folder!r} leads back to {real!r}, a folder it is "
            "in. Remove the link, or use a pattern that does not descend through it."
        )
    return (*chain, real)


def _in_hive_folder(file: str, root: str) -> bool:
    """Whether `file` sits in `key=value` folders below `root` (hive partitioning)."""
    try:
        folders = Path(file).relative_to(root).parts[:-1]
    except ValueError:
        return False
    return any("=" in part for part in folders)


# -- formats and reader options ------------------------------------------------------------------------------
def _format_of(files: Sequence[str], given: str | None) -> str:
    if given is not None:
        fmt = str(given).lower().lstrip(".")
        if fmt == "ndjson":
            fmt = "jsonl"
        if fmt not in FORMATS:
            raise DataSourceError(f"Unknown format {given!r}. Use one of: {', '.join(FORMATS)}.")
        return fmt
    found = {_SUFFIXES.get(_data_suffix(f)) for f in files}
    if None in found:
        bad = next(f for f in files if _data_suffix(f) not in _SUFFIXES)
        raise DataSourceError(
            f"Cannot tell the format of {bad!r} from its extension. Pass format= one of: {', '.join(FORMATS)}."
        )
    if len(found) > 1:
        raise DataSourceError(f"The files mix formats ({', '.join(sorted(found))}); read each format separately.")
    return found.pop()


def _data_suffix(file: str) -> str:
    """The suffix naming a file's format, before the ".gz" of a gzip-compressed CSV or JSON file ("x.csv.gz")."""
    suffixes = [suffix.lower() for suffix in Path(file).suffixes]
    if len(suffixes) > 1 and suffixes[-1] == ".gz" and _SUFFIXES.get(suffixes[-2]) in ("csv", "jsonl", "json"):
        return suffixes[-2]
    return suffixes[-1] if suffixes else ""


def _reader_options(
    connection: duckdb.DuckDBPyConnection, fmt: str, hive: bool, n_files: int, given: Mapping[str, Any]
) -> dict[str, Any]:
    """Our defaults for the reader, then the user's options (checked against the reader's parameters)."""
    options: dict[str, Any] = {"hive_partitioning": hive}
    if fmt in ("parquet", "csv"):
        options["union_by_name"] = n_files > 1
    else:
        options["format"] = "newline_delimited" if fmt == "jsonl" else "auto"
    if given:
        valid = _reader_parameters(connection, fmt)
        for name in given:
            if str(name).lower() not in valid:
                raise DataSourceError(
                    f"{fmt} files take no reader option {name!r}. DuckDB's {_READERS[fmt]} takes: "
                    f"{', '.join(sorted(valid))} (explained at {_READER_DOCS[fmt]})."
                )
        options.update({str(name).lower(): value for name, value in given.items()})
    return options


def _reader_parameters(connection: duckdb.DuckDBPyConnection, fmt: str) -> set[str]:
    rows = connection.execute(
        "SELECT DISTINCT unnest(parameters) FROM duckdb_functions() WHERE function_name = ?", [_READERS[fmt]]
    ).fetchall()
    return {str(row[0]).lower() for row in rows} - {"path", "paths"}


def _option_sql(name: str, value: Any) -> str:
    """A reader option's value as a SQL literal: text, a number, true/false, a list or a dict of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    if isinstance(value, str):
        return quote_literal(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_option_sql(name, v) for v in value) + "]"
    if isinstance(value, Mapping):
        keys = ("'" + str(k).replace("'", "''") + "'" for k in value)
        return "{" + ", ".join(f"{k}: {_option_sql(name, v)}" for k, v in zip(keys, value.values(), strict=True)) + "}"
    raise DataSourceError(
        f"The reader option {name}={value!r} is not one DuckDB takes: give text, a number, true/false, or a list "
        "or dict of those."
    )


# -- change detection ----------------------------------------------------------------------------------------
def _stamps(files: Sequence[str]) -> dict[str, tuple[int, int, int]]:
    """Size, modification time and inode of each file that exists."""
    stamps = {}
    for f in files:
        try:
            st = os.stat(f)
        except OSError:
            continue
        stamps[f] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return stamps


def _schema_of(relation: duckdb.DuckDBPyRelation) -> tuple[tuple[str, str], ...]:
    return tuple((name, str(kind)) for name, kind in zip(relation.columns, relation.types, strict=True))


def _listing(schema: Sequence[tuple[str, str]]) -> str:
    return ", ".join(f"{name!r} {kind}" for name, kind in schema) or "none"
