"""The message for a file whose content DuckDB could not read: the file, the line when DuckDB says it, the problem
in a few words and the way out, in place of DuckDB's text (its "Possible fixes" and the reader's settings).

A CSV file whose rows DuckDB's sniffer cannot split alike fails with no line named, or is read as one column
named by its whole header line; Python's `csv` module then finds the line at fault.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import duckdb

LINE_SHOWN = 60  # characters of a line at fault shown in a message at most
DELIMITERS = (",", "\t", ";", "|")  # those DuckDB's sniffer tries
SNIFFED_LINES = 20_480  # the rows DuckDB's CSV sniffer reads (its sample_size): where a misread starts
_ENGINE_PREFIX = re.compile(r"^[A-Z][A-Za-z ]* Error: ")
_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_ORIGINAL = re.compile(r"^Original Line: (.*)$", re.MULTILINE)
_SNIFFING = re.compile(r'Error when sniffing file "(.+?)"')
_JSON_MALFORMED = re.compile(r"Malformed JSON in file \"(.+?)\", at byte \d+ in (?:line|record/value) (\d+): (.+)")
_JSON_TYPE = re.compile(r"JSON transform error in file \"(.+?)\", in (?:line|record/value) (\d+): (.+)")

_QUOTING = ("close the quote: a field holding the delimiter, a quote or a line break is quoted whole, and a quote "
            'inside it doubled ("")')
_SKIP_ROWS = "fix that line; or read the file with Data.from_file(path, ignore_errors=True) to skip such rows"
_PAD_ROWS = ", or null_padding=True to read the missing fields as NULL"
# Reader options that set how a CSV file splits into columns: DuckDB's sniffer then reads it as told.
_DIALECT_OPTIONS = ("delim", "sep", "delimiter", "quote", "escape", "header", "names", "column_names", "columns",
                    "skip", "auto_detect", "comment", "new_line")
_GENERATED_NAME = re.compile(r"column\d+")  # the names DuckDB gives columns when it finds no header
# A problem DuckDB names in a CSV error: how to say it and the way out (the match's groups fill both), and whether
# the line DuckDB quotes is the one at fault (for a byte that is not UTF-8, it quotes another).
_CSV_PROBLEMS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[str, str]], bool], ...] = (
    (re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)"), lambda m: (
        f"has {m[2]} fields where the header has {m[1]}",
        _SKIP_ROWS + (_PAD_ROWS if int(m[2]) < int(m[1]) else "")),
     True),
    (re.compile(r"unterminated quote"), lambda m: ('opens a quote (") that is never closed', _QUOTING), True),
    (re.compile(r'converting column "((?:[^"]|"")+)"\. Could not convert string "(.*)" to \'(\w+)\''), lambda m: (
        f"holds {m[2]!r} in column {m[1]!r}, which the rows before it made a {m[3]} column",
        f"fix the value, or read the file with Data.from_file(path, types={{{m[1]!r}: 'VARCHAR'}}) to read the "
        "column as text, or sample_size=-1 to detect its type from every row"), True),
    (re.compile(r"not utf-8 encoded|Invalid unicode"), lambda m: (
        "is not UTF-8 text", "read the file with its encoding: Data.from_file(path, encoding='utf-16') (or "
        "'latin-1')"), False),
    (re.compile(r"Maximum line size of (\d+) bytes exceeded"), lambda m: (
        f"is longer than the {int(m[1]):,} bytes DuckDB reads in a line",
        "read the file with Data.from_file(path, max_line_size=...) giving a larger size in bytes"), True),
)
# What a file DuckDB finds corrupt is not, and what to check, by format.
_CORRUPT = {
    "parquet": ("a readable Parquet file", "check that it was written completely (a copy or download cut short "
                "loses the footer Parquet ends with) and that it holds Parquet, not another format under a .parquet "
                "name"),
    "jsonl": ("readable JSON Lines", "check that each line holds one whole JSON object and that the file was "
              "written completely"),
    "json": ("readable JSON", "check that the file holds JSON (or JSON Lines) and that it was written completely"),
}


def read_error(exc: BaseException, reason: str, files: Sequence[str], fmt: str,
               options: Mapping[str, Any] | None = None) -> str | None:
    """The message for an error of DuckDB reading the content of `files` (as `fmt`, with reader `options`), its
    text `reason`; None for an error of another kind (a missing file, the user's SQL).

    Example:
        >>> reason = ("Invalid Input Error: CSV Error on Line: 7\\nOriginal Line: a,b,c\\nExpected Number of "
        ...           "Columns: 2 Found: 3\\nPossible fixes:\\n* Enable ignore errors")
        >>> read_error(duckdb.InvalidInputException(reason), reason, ["x.csv"], "csv").split(";")[0]
        "'x.csv' cannot be read as CSV: line 7 (a,b,c) has 3 fields where the header has 2: fix that line"
    """
    if fmt == "csv":
        return _csv_error(reason, files, options or {})
    if fmt in ("jsonl", "json"):
        return _json_error(exc, reason, files, fmt)
    return _corrupt(exc, reason, files, fmt)


def csv_misread(files: Sequence[str], columns: Sequence[str], options: Mapping[str, Any]) -> str | None:
    """The message for a CSV file DuckDB read otherwise than its header line says, as its sniffer does when a line
    does not split as the others (one column named by the whole header line, or a line of data taken for the
    header): the line at fault; None when the columns are the header's, or no line is at fault.

    Example:
        >>> csv_misread(["x.csv"], ["a"], {"delim": ","}) is None  # a dialect given is kept as DuckDB read it
        True
    """
    if any(name in options for name in _DIALECT_OPTIONS) or all(_GENERATED_NAME.fullmatch(c) for c in columns):
        return None
    for file in files:
        header = _header(file, options)
        if header and not set(header) <= set(columns) and (fault := _csv_fault(file, options, SNIFFED_LINES)):
            return fault
    return None


def _csv_error(reason: str, files: Sequence[str], options: Mapping[str, Any]) -> str | None:
    if sniffed := _SNIFFING.search(reason):
        return _csv_fault(sniffed[1], options) or (
            f"{sniffed[1]!r} cannot be read as CSV: no delimiter and quoting split every line alike. Check that "
            "every line has the header's fields, or give the file's delim=, quote= and header= to Data.from_file.")
    line = _CSV_LINE.search(reason)
    if line is None:
        return None
    file = _named_file(reason, files)
    original = _ORIGINAL.search(reason)
    for pattern, said, quoted in _CSV_PROBLEMS:
        if match := pattern.search(reason):
            problem, way_out = said(match)
            shown = f" ({_shortened(original[1])})" if quoted and original and original[1].strip() else ""
            return f"{file!r} cannot be read as CSV: line {line[1]}{shown} {problem}: {way_out}."
    problem = _ENGINE_PREFIX.sub("", reason.splitlines()[0])
    return (f"{file!r} cannot be read as CSV: line {line[1]} fails ({problem}): {_SKIP_ROWS} (Data.from_file "
            "passes reader options to DuckDB's read_csv).")


def _csv_fault(file: str, options: Mapping[str, Any], lines: int | None = None) -> str | None:
    """The first line of a CSV file (of its first `lines`, when given) whose fields do not match its header's, or
    whose quote is not closed, as Python's `csv` module reads it; None when every line reads alike."""
    encoding, start = str(options.get("encoding", "utf-8")), 1
    try:
        with open(file, newline="", encoding=encoding, errors="replace") as handle:
            head = handle.readline()
            handle.seek(0)
            delimiter = _given_delimiter(options) or max(DELIMITERS, key=head.count)
            reader = csv.reader(handle, delimiter=delimiter, strict=True)
            header, start = next(reader, []), reader.line_num + 1
            for row in itertools.islice(reader, lines):
                if row and len(row) != len(header):
                    text = delimiter.join(row)
                    return (f"{file!r} cannot be read as CSV: line {start} ({_shortened(text)}) has {len(row)} "
                            f"fields where the header has {len(header)}: {_SKIP_ROWS}"
                            f"{_PAD_ROWS if len(row) < len(header) else ''}.")
                start = reader.line_num + 1
    except csv.Error:
        return (f"{file!r} cannot be read as CSV: line {start} opens a quote (\") that is not closed where its "
                f"field ends: {_QUOTING}.")
    except (OSError, LookupError):
        return None
    return None


def _header(file: str, options: Mapping[str, Any]) -> list[str] | None:
    """The first line of a CSV file split into fields as Python's `csv` module reads it; None when unreadable."""
    try:
        with open(file, newline="", encoding=str(options.get("encoding", "utf-8")), errors="replace") as handle:
            head = handle.readline()
    except (OSError, LookupError):
        return None
    return next(csv.reader([head], delimiter=max(DELIMITERS, key=head.count)), None)


def _json_error(exc: BaseException, reason: str, files: Sequence[str], fmt: str) -> str | None:
    what = _CORRUPT[fmt][0]
    unit = "line" if fmt == "jsonl" else "record"
    if match := _JSON_MALFORMED.search(reason):
        at = _first_line_not_json(match[1], int(match[2])) if fmt == "jsonl" else int(match[2])
        return (f"{match[1]!r} is not {what}: check {unit} {at}, which is not one whole JSON "
                f"{'object' if fmt == 'jsonl' else 'value'} ({match[3].rstrip('.')}); fix it (or the file, when it "
                "was cut short), or read the file with Data.from_file(path, ignore_errors=True), where it is a row of "
                "NULLs.")
    if match := _JSON_TYPE.search(reason):
        return (f"{match[1]!r} cannot be read: {unit} {match[2]} holds a value of another type than the {unit}s "
                f"before it ({match[3].rstrip('.')}): fix it, or read the file with Data.from_file(path, "
                f"sample_size=-1) to detect the types from every {unit}.")
    return _corrupt(exc, reason, files, fmt)


def _first_line_not_json(file: str, reported: int) -> int:
    """The first line up to `reported` (where DuckDB's parser failed, which is the next line when an object is cut
    at a line's end) that is not JSON on its own; `reported` when each is."""
    try:
        with open(file, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(itertools.islice(handle, reported), start=1):
                try:
                    json.loads(line) if line.strip() else None
                except ValueError:
                    return number
    except OSError:
        pass
    return reported


def _corrupt(exc: BaseException, reason: str, files: Sequence[str], fmt: str) -> str | None:
    """A file DuckDB found corrupt (random bytes, cut short, another format under the suffix): the file, what it
    is not, what to check, and DuckDB's reason as a short tail."""
    if fmt not in _CORRUPT or not isinstance(exc, duckdb.InvalidInputException):
        return None
    named = [f for f in files if f in reason] or (list(files) if len(files) == 1 else [])
    if not named:
        return None
    what, check = _CORRUPT[fmt]
    tail = _ENGINE_PREFIX.sub("", reason.splitlines()[0]).rstrip(".")
    return f"{named[0]!r} is not {what}: {check} (DuckDB: {tail})."


def _named_file(reason: str, files: Sequence[str]) -> str:
    """The file an error names (DuckDB's "file = ..." line), else the first file read."""
    named = re.search(r"^\s*file = (.+)$", reason, re.MULTILINE)
    return next((f for f in files if named and named[1].strip() == f), files[0] if files else "the file")


def _given_delimiter(options: Mapping[str, Any]) -> str | None:
    return next((str(options[name]) for name in ("delim", "sep", "delimiter") if options.get(name)), None)


def _shortened(line: str) -> str:
    line = line.strip()
    return line if len(line) <= LINE_SHOWN else line[:LINE_SHOWN - 3] + "..."
