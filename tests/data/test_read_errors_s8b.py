"""CSV files DuckDB's sniffer reads otherwise than their lines say are refused at the line at fault, file by file,
with the dialect DuckDB detected or was given; good files of other dialects read whole (session 8, breaker 8).

Expected columns and rows are read back with Python's csv module given the file's dialect; expected lines are found
by looking the bad line up in the file.
"""

from __future__ import annotations

import csv
import gzip
import re
import time
from pathlib import Path

import duckdb
import pytest

import evalviz as ev
from evalviz.cli import main


def refused(path: Path | str, **options: object) -> str:
    with pytest.raises(ev.DataSourceError) as raised:
        ev.Data.from_file(path, **options).to_arrow()
    return str(raised.value)


def line_of(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


def good_rows(rows: int) -> str:
    return "a,b,c\n" + "".join(f"x{i},{i},{i / 10}\n" for i in range(rows))


@pytest.mark.parametrize("rows", [10, 1000])
@pytest.mark.parametrize("bad", ["1,2,3,4", "1,2"])
def test_a_bad_last_line_is_refused_at_that_line(tmp_path: Path, rows: int, bad: str) -> None:
    path = tmp_path / "scores.csv"
    path.write_text(good_rows(rows) + bad + "\n", encoding="utf-8")
    message = refused(path)
    assert message.startswith(repr(str(path)))
    assert re.search(rf"\bline {line_of(path, bad)}\b", message) and f"has {len(bad.split(','))} fields" in message
    kept = ev.Data.from_file(path, ignore_errors=True).to_arrow()  # the way out named works
    assert kept.column_names == ["a", "b", "c"] and kept.num_rows == rows


def test_decimal_commas_on_the_last_line_of_a_semicolon_file_are_refused_there(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    bad = "1,5;2,5;3,5"
    path.write_text("a;b;c\n" + "1;2;3\n" * 50 + bad + "\n", encoding="utf-8")
    assert re.search(rf"\bline {line_of(path, bad)} \(1,5;2,5;3,5\)", refused(path))


def test_a_glob_with_one_bad_file_names_that_file_and_its_line(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"p{i}.csv").write_text(good_rows(10), encoding="utf-8")
    bad = tmp_path / "p3.csv"
    bad.write_text("a,b,c\n1,2,3\n1,2\n4,5,6\n", encoding="utf-8")
    message = refused(str(tmp_path / "*.csv"))
    assert message.startswith(repr(str(bad))) and re.search(r"\bline 3\b", message)


def expected(path: Path, skip: int = 0, **dialect: str) -> tuple[list[str], int]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, **dialect))[skip:]
    return rows[0], len(rows) - 1


@pytest.mark.parametrize(("text", "skip", "dialect"), [
    ("# made by tool\na,b,c\n1,2,3\n4,5,6\n", 1, {}),
    ('"a,x";"b,y";c\n1;2;3\n4;5;6\n', 0, {"delimiter": ";"}),
    ("a,1\tb,2\tc,3\n1\t2\t3\n4\t5\t6\n", 0, {"delimiter": "\t"}),
])
def test_good_files_of_other_dialects_read_whole(tmp_path: Path, text: str, skip: int, dialect: dict[str, str]) -> None:
    path = tmp_path / "scores.csv"
    path.write_text(text, encoding="utf-8")
    table = ev.Data.from_file(path).to_arrow()
    columns, rows = expected(path, skip, **dialect)
    assert (table.column_names, table.num_rows) == (columns, rows)


def test_header_false_still_refuses_a_line_of_other_fields(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text(good_rows(100).replace("x50,50,5.0\n", "x50,50\n"), encoding="utf-8")
    message = refused(path, header=False)
    assert re.search(rf"\bline {line_of(path, 'x50,50')} \(x50,50\) has 2 fields", message)
    padded = ev.Data.from_file(path, header=False, null_padding=True).to_arrow()
    assert padded.num_rows == 101 and padded.num_columns == 3


def test_gzip_csv_is_recognised_by_suffix_and_checked(tmp_path: Path) -> None:
    good = tmp_path / "good.csv.gz"
    good.write_bytes(gzip.compress(good_rows(20).encode()))
    table = ev.Data.from_file(good).to_arrow()
    assert table.num_rows == duckdb.sql(f"SELECT count(*) FROM read_csv('{good}')").fetchall()[0][0] == 20
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(gzip.compress((good_rows(20) + "1,2,3,4\n").encode()))
    message = refused(bad)
    assert message.startswith(repr(str(bad))) and re.search(r"\bline 22\b", message)
    assert re.search(r"\bline 22\b", refused(bad, format="csv"))
    lines = tmp_path / "rows.jsonl.gz"
    lines.write_bytes(gzip.compress(b'{"a": 1}\n{"a": 2}\n'))
    assert ev.Data.from_file(lines).to_arrow().to_pydict() == {"a": [1, 2]}


def test_a_late_unclosed_quote_is_named_as_one(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    bad = 'y,"unterminated,3'
    path.write_text("a,b,c\n" + "x,1,2\n" * 25_000 + bad + "\n" + "x,1,2\n" * 10, encoding="utf-8")
    message = refused(path)
    assert re.search(rf"\bline {line_of(path, bad)}\b", message) and "never closed" in message


def test_a_late_type_error_in_a_column_named_with_a_quote_names_the_column(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text('a,"b""x",c\n' + "x,1,2\n" * 25_000 + "y,abc,3\n", encoding="utf-8")
    message = refused(path)
    assert "'abc' in column 'b\"x'" in message and "line 25002" in message
    assert ev.Data.from_file(path, types={'b"x': "VARCHAR"}).to_arrow().num_rows == 25_001


def test_the_cli_says_reader_options_are_python_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "scores.csv"
    path.write_text(good_rows(10) + "1,2,3,4\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["render", str(path), "--view", "scores_heatmap", "-o", str(tmp_path / "x.html")])
    err = capsys.readouterr().err
    assert "line 12" in err and "evalviz render reads files with DuckDB's defaults" in err


def test_a_big_good_csv_opens_fast(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text(good_rows(2_000_000), encoding="utf-8")
    started = time.perf_counter()
    data = ev.Data.from_file(path)
    assert time.perf_counter() - started < 5  # the check reads the sniffer's sample, not the 2,000,000 lines
    assert data.columns == ["a", "b", "c"]


def test_a_long_line_is_named_by_its_own_number(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("a,b\nx," + "y" * 3_000_000 + "\n", encoding="utf-8")
    longest = max(enumerate(path.read_bytes().splitlines(), start=1), key=lambda item: len(item[1]))[0]
    assert re.search(rf"\bline {longest} \(x,y", refused(path))
    assert ev.Data.from_file(path, max_line_size=10_000_000).to_arrow().num_rows == 1


def test_a_latin1_line_in_json_lines_is_named_as_an_encoding_problem(tmp_path: Path) -> None:
    path = tmp_path / "scores.jsonl"
    lines = [f'{{"a": {i}, "b": "x{i}"}}' for i in range(10)]
    lines[5] = '{"a": 5, "b": "caf\u00e9"}'
    path.write_bytes("\n".join(lines).encode("latin-1") + b"\n")
    message = refused(path)
    first_not_utf8 = next(n for n, raw in enumerate(path.read_bytes().splitlines(), start=1) if b"\xe9" in raw)
    assert re.search(rf"\bline {first_not_utf8}\b", message) and "not UTF-8" in message and "JSON object" not in message
