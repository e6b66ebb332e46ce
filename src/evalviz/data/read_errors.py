"""The message for a file whose content DuckDB could not read: the file, the line when DuckDB says it, the problem
in a few words and the way out, in place of DuckDB's text (its "Possible fixes" and the reader's settings).

A CSV file whose rows DuckDB's sniffer cannot split alike fails with no line named, or is read as one column
named by its whole header line; Python's `csv` module then finds the line at fault.
"""

from __future__ import annotations

import csv
import gzip
import itertools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import IO, Any

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
# A problem DuckDB names in a CSV error: how to say it and the way out (the match's groups fill both), and whether
# the line DuckDB quotes is the one at fault (for a byte that is not UTF-8, it quotes another).
_CSV_PROBLEMS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[str, str]], bool], ...] = (
    (re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)"), lambda m: (
        f"has {m[2]} fields where the header has {m[1]}",
        _SKIP_ROWS + (_PAD_ROWS if int(m[2]) < int(m[1]) else "")),
     True),
    (re.compile(r"unterminated quote"), lambda m: ('opens a quote (") that is never closed', _QUOTING), True),
    (re.compile(r'converting column "(.+?)"\. Could not convert string "(.*)" to \'(\w+)\''), lambda m: (
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


@dataclass(frozen=True)
class Dialect:
    """How DuckDB splits a CSV file into rows and fields, as its `sniff_csv` reports it (with the options given)."""

    delimiter: str
    quote: str  # "" when fields are not quoted
    escape: str
    skip: int  # the lines before the first DuckDB reads (the header, or the first row)
    comment: str
    columns: int

    @classmethod
    def sniffed(cls, row: Sequence[Any]) -> Dialect:
        """The dialect of a `sniff_csv` row (Delimiter, Quote, Escape, SkipRows, Comment, the number of Columns).

        Example:
            >>> Dialect.sniffed([";", '"', '"', 0, "(empty)", 3]).quote
            '"'
        """
        delimiter, quote, escape, skip, comment, columns = (("" if v == "(empty)" else v) for v in row)
        return cls(str(delimiter), str(quote), str(escape), int(skip or 0), str(comment), int(columns or 0))


def csv_misread(files: Sequence[str], options: Mapping[str, Any],
                sniff: Callable[[str], Dialect | None]) -> str | None:
    """The message for a CSV file DuckDB read otherwise than its lines say, checked file by file: DuckDB's sniffer
    skips lines it cannot split alike (a bad last line leaves only that line, under made-up names) or falls back to
    one column. Its dialect (`sniff(file)`) is compared with the file's first line, and the first line that does not
    split as that one is named; None when DuckDB read every file from its first line with its fields.

    Example:
        >>> csv_misread([], {}, lambda file: None) is None
        True
    """
    for file in files:
        if fault := _csv_fault(file, options, sniff(file), SNIFFED_LINES):
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
    if original and original[1].count('"') % 2:  # DuckDB, finding no quotes in its sample, reads one as a value
        return (f"{file!r} cannot be read as CSV: line {line[1]} ({_shortened(original[1])}) opens a quote (\") that "
                f"is never closed: {_QUOTING}.")
    for pattern, said, quoted in _CSV_PROBLEMS:
        if match := pattern.search(reason):
            problem, way_out = said(match)
            shown = f" ({_shortened(original[1])})" if quoted and original and original[1].strip() else ""
            at = _long_line(file, int(match[1])) if "line size" in pattern.pattern else line[1]
            return f"{file!r} cannot be read as CSV: line {at}{shown} {problem}: {way_out}."
    problem = _ENGINE_PREFIX.sub("", reason.splitlines()[0])
    return (f"{file!r} cannot be read as CSV: line {line[1]} fails ({problem}): {_SKIP_ROWS} (Data.from_file "
            "passes reader options to DuckDB's read_csv).")


def _csv_fault(file: str, options: Mapping[str, Any], dialect: Dialect | None = None,
               lines: int | None = None) -> str | None:
    """The first line of a CSV file (of its first `lines`, when given) that does not split as its first line, or
    whose quote is not closed, when DuckDB's `dialect` (None: its sniffer failed) did not read the file from its
    first line with its fields; split by Python's `csv` module with that dialect, or with the delimiter that splits
    the first line most when DuckDB found none (one column).

    A sniffer that found no quotes in lines that do not split alike may have split quoted fields: the file is then
    split with double quotes too, and the later line at fault is named (the dialect reading more lines alike).
    """
    found = _misfit(file, options, dialect, lines)
    if found and dialect and not dialect.quote and "quote" not in options:
        quoted = _misfit(file, options, replace(dialect, quote='"', escape='"'), lines, checked=True)
        found = max(found, quoted or found, key=lambda fault: fault[0])
    return found[1] if found else None


def _misfit(file: str, options: Mapping[str, Any], dialect: Dialect | None, lines: int | None,
            checked: bool = False) -> tuple[int, str] | None:
    """The line at fault in `file` split with `dialect`, and the message; `checked` when DuckDB is known to have
    misread it."""
    guessed = dialect is None or (dialect.columns == 1 and not _given_delimiter(options))
    start, header = 1, "the header"
    try:
        with _opened(file, options) as handle:
            if guessed:
                dialect = _guessed(handle, options)
            reader = _reader(handle, dialect)
            if reader is None:
                return None
            first: tuple[int, list[str]] | None = None
            for fields in itertools.islice(reader, lines):
                line, start = start, reader.line_num + 1
                if not fields or (dialect.comment and fields[0].startswith(dialect.comment)):
                    continue
                if first is None:
                    if line <= dialect.skip and "skip" in options or (
                            fields[0].startswith("#") and (guessed or line <= dialect.skip)):
                        continue  # a preamble DuckDB skips: a comment, or the lines the user skipped
                    if not (guessed or checked) and line == dialect.skip + 1 and len(fields) == dialect.columns:
                        return None
                    first = line, fields
                    header = "the header" if options.get("header", True) else f"line {line}"
                elif len(fields) != len(first[1]):
                    return line, _fields_fault(file, line, fields, header, len(first[1]), dialect.delimiter)
    except csv.Error:
        return start, (f"{file!r} cannot be read as CSV: line {start} opens a quote (\") that is not closed where "
                       f"its field ends: {_QUOTING}.")
    except (OSError, LookupError, EOFError, UnicodeError):
        return None
    return None


def _long_line(file: str, limit: int) -> str:
    """The number of the first line longer than `limit` bytes (of the sniffer's sample of lines), which DuckDB
    numbers otherwise; "near" the line after those when none of them is."""
    number = 0
    try:
        with open(file, "rb") as handle:
            for number, line in enumerate(itertools.islice(handle, SNIFFED_LINES), start=1):
                if len(line.rstrip(b"\r\n")) > limit:
                    return str(number)
    except OSError:
        pass
    return f"near {number + 1}"


def _opened(file: str, options: Mapping[str, Any]) -> IO[str]:
    """The file as text, uncompressed when it is gzip (by its compression= option, or its name)."""
    encoding = str(options.get("encoding", "utf-8"))
    compression = str(options.get("compression", "auto")).lower()
    if compression == "gzip" or (compression == "auto" and file.lower().endswith(".gz")):
        return gzip.open(file, "rt", encoding=encoding, errors="replace", newline="")
    return open(file, encoding=encoding, errors="replace", newline="")


def _guessed(handle: IO[str], options: Mapping[str, Any]) -> Dialect:
    """The dialect of a file DuckDB found no delimiter in: the delimiter given, or the one splitting the first line
    (not a comment) into most fields, with double quotes; the handle is rewound."""
    head = next((text for text in handle if text.strip() and not text.startswith("#")), "")
    handle.seek(0)
    delimiter = _given_delimiter(options) or max(DELIMITERS, key=lambda d: len(next(csv.reader([head], delimiter=d))))
    return Dialect(delimiter, str(options.get("quote", '"')), str(options.get("escape", '"')),
                   int(options.get("skip", 0)), str(options.get("comment", "")), 0)


def _reader(handle: IO[str], dialect: Dialect) -> Any:
    """Python's csv reader splitting as `dialect` does; None for one Python cannot (a delimiter of several
    characters)."""
    if len(dialect.delimiter) != 1 or len(dialect.quote) > 1 or len(dialect.escape) > 1:
        return None
    if not dialect.quote:
        return csv.reader(handle, delimiter=dialect.delimiter, quoting=csv.QUOTE_NONE, strict=True)
    escape = dialect.escape if dialect.escape and dialect.escape != dialect.quote else None
    return csv.reader(handle, delimiter=dialect.delimiter, quotechar=dialect.quote, escapechar=escape,
                      doublequote=escape is None, strict=True)


def _fields_fault(file: str, line: int, fields: list[str], header: str, expected: int, delimiter: str) -> str:
    split_at = "" if delimiter == "," else f" (split at {delimiter!r})"
    pad = _PAD_ROWS if len(fields) < expected else ""
    return (f"{file!r} cannot be read as CSV: line {line} ({_shortened(delimiter.join(fields))}) has {len(fields)} "
            f"fields where {header} has {expected}{split_at}: {_SKIP_ROWS}{pad}.")


def _json_error(exc: BaseException, reason: str, files: Sequence[str], fmt: str) -> str | None:
    what = _CORRUPT[fmt][0]
    unit = "line" if fmt == "jsonl" else "record"
    if match := _JSON_MALFORMED.search(reason):
        at = _first_line_not_json(match[1], int(match[2])) if fmt == "jsonl" else int(match[2])
        if "UTF-8" in match[3]:
            return (f"{match[1]!r} is not UTF-8 text: {unit} {at} holds a byte that is not UTF-8 (a file saved as "
                    "latin-1 or cp1252?): save it as UTF-8 (DuckDB reads JSON only as UTF-8).")
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
        with open(file, "rb") as handle:
            for number, line in enumerate(itertools.islice(handle, reported), start=1):
                try:
                    json.loads(line.decode("utf-8")) if line.strip() else None
                except ValueError:  # UnicodeDecodeError too
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
    return next((str(options[name]) for name in ("delim", "sep", "delimiter", "separator") if options.get(name)), None)


def _shortened(line: str) -> str:
    line = line.strip()
    return line if len(line) <= LINE_SHOWN else line[:LINE_SHOWN - 3] + "..."
