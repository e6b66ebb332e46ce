"""A malformed CSV or JSON Lines file read by `Data.from_file` or `evalviz render`: one evalviz error naming the
file, the line at fault, the problem and the way out, without DuckDB's advice text; nothing written.

Files are written here with a bad line at a known place; the line number expected is found by reading the file
back, and the way out is checked by reading the file as the message says.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

import evalviz as ev
from evalviz.cli import main

# What DuckDB's own error text holds beyond the problem: its advice and the reader's settings.
DUCKDB_ADVICE = ("Possible fix", "Possible Solution", "file = ", "Auto-Detected", "sample_size = ", "strict_mode",
                 "Invalid Input Error", "Conversion Error", "Original Line")
HEATMAP = ["--model-name", "model", "--task-name", "task", "--score-value", "score", "--link", "none"]
# Rows within DuckDB's sniffing sample (its dialect fallback reads the file as one column), a few thousand (the
# sniffer fails), and beyond the sample (the scan fails while a query runs).
SIZES = (12, 3_000, 25_000)
BAD_LINES = {
    "more fields": "m1,t2,0.5,extra",
    "fewer fields": "m1,t2",
    "unclosed quote": 'm1,"t2,0.5',
}


def write_csv(path: Path, rows: int, bad: str | None = None, at: int | None = None) -> int:
    """A CSV of `rows` rows (model, task with a quoted comma, score) with `bad` after row `at` (by default half of
    them); the 1-based line of `bad`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["model", "task", "score"])
    writer.writerows((f"m{i % 3}", f"t, {i % 5}", (i % 100) / 100) for i in range(rows))
    lines = buffer.getvalue().splitlines()
    if bad is not None:
        lines.insert((rows // 2 if at is None else at) + 1, bad)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path.read_text(encoding="utf-8").splitlines().index(bad) + 1 if bad is not None else 0


def read_error(path: Path, **options: object) -> str:
    """The message of reading the file whole, as a view does; the error is an EvalvizError."""
    with pytest.raises(ev.EvalvizError) as raised:
        ev.Data.from_file(path, **options).to_arrow()
    assert isinstance(raised.value, ev.DataSourceError)
    return str(raised.value)


def assert_said_plainly(message: str, path: Path, line: int) -> None:
    assert message.startswith(repr(str(path))), message
    assert re.search(rf"\bline {line}\b", message), message
    assert not [text for text in DUCKDB_ADVICE if text in message], message
    assert "\n" not in message and len(message) < 400, message


@pytest.mark.parametrize("rows", SIZES)
@pytest.mark.parametrize("kind", BAD_LINES)
def test_a_bad_line_is_named_with_the_problem_and_the_way_out(tmp_path: Path, kind: str, rows: int) -> None:
    path = tmp_path / "scores.csv"
    line = write_csv(path, rows, BAD_LINES[kind])
    message = read_error(path)
    assert_said_plainly(message, path, line)
    if kind == "unclosed quote":
        assert 'opens a quote (")' in message and "close the quote" in message
        return
    fields = len(BAD_LINES[kind].split(","))
    assert f"has {fields} fields where the header has 3" in message
    assert "ignore_errors=True" in message
    # The way out works: the other rows are read, as Python's csv module reads them.
    kept = ev.Data.from_file(path, ignore_errors=True).to_arrow()
    expected = [row for row in csv.reader(path.open(newline="")) if len(row) == 3][1:]
    assert kept.num_rows == len(expected) == rows
    assert kept.column("task").to_pylist() == [row[1] for row in expected]


def test_fewer_fields_name_null_padding_too_and_it_reads_them_as_null(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    line = write_csv(path, SIZES[-1], BAD_LINES["fewer fields"])
    message = read_error(path)
    assert_said_plainly(message, path, line)
    assert "null_padding=True" in message
    padded = ev.Data.from_file(path, null_padding=True)
    row = padded.sql("SELECT * FROM this WHERE model = 'm1' AND task = 't2'").to_pylist()
    assert row == [{"model": "m1", "task": "t2", "score": None}]


def test_text_in_a_numeric_column_far_in_names_the_value_and_the_types_option(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    line = write_csv(path, SIZES[-1], "m1,t2,oops", at=SIZES[-1])  # past the rows DuckDB sniffs types from
    message = read_error(path)
    assert_said_plainly(message, path, line)
    assert "'oops' in column 'score'" in message and "types={'score': 'VARCHAR'}" in message
    as_text = ev.Data.from_file(path, types={"score": "VARCHAR"})
    assert as_text.sql("SELECT count(*) AS n FROM this WHERE score = 'oops'")["n"][0].as_py() == 1


def test_a_file_that_is_not_utf8_names_the_encoding_option(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_bytes("model,task,score\nm\u00e9,t,0.5\n".encode("latin-1"))
    message = read_error(path)
    assert_said_plainly(message, path, 2)
    assert "not UTF-8" in message and "encoding=" in message
    assert ev.Data.from_file(path, encoding="latin-1").to_arrow().column("model").to_pylist() == ["m\u00e9"]


def test_a_good_file_still_reads_whole(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    write_csv(path, SIZES[0])
    table = ev.Data.from_file(path).to_arrow()
    expected = list(csv.DictReader(path.open(newline="")))
    assert table.column("task").to_pylist() == [row["task"] for row in expected]


def test_a_one_column_file_with_a_quoted_comma_in_its_header_is_not_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text('"note, in full"\nfirst\nsecond\n', encoding="utf-8")
    assert ev.Data.from_file(path).to_arrow().to_pydict() == {"note, in full": ["first", "second"]}


@pytest.mark.parametrize("rows", [3, 25_000])
def test_a_json_lines_file_names_the_line_that_is_not_json(tmp_path: Path, rows: int) -> None:
    path = tmp_path / "scores.jsonl"
    lines = [json.dumps({"model": f"m{i % 3}", "score": i / 10}) for i in range(rows)]
    lines.insert(rows // 2, '{"model": "m1", "score": ')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    line = rows // 2 + 1
    message = read_error(path)
    assert_said_plainly(message, path, line)
    assert "is not readable JSON Lines" in message and "ignore_errors=True" in message
    kept = ev.Data.from_file(path, ignore_errors=True).to_arrow().to_pylist()
    assert kept == [json.loads(text) for text in lines[:rows // 2]] + [{"model": None, "score": None}] + [
        json.loads(text) for text in lines[rows // 2 + 1:]]  # the line at fault is a row of NULLs


def test_a_json_lines_value_of_another_type_far_in_names_the_line_and_sample_size(tmp_path: Path) -> None:
    path = tmp_path / "scores.jsonl"
    lines = [json.dumps({"model": "m", "score": i}) for i in range(25_000)] + ['{"model": "m", "score": "high"}']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = read_error(path)
    assert_said_plainly(message, path, len(lines))
    assert "sample_size=-1" in message
    assert ev.Data.from_file(path, sample_size=-1).to_arrow().num_rows == len(lines)


@pytest.mark.parametrize("rows", [SIZES[0], SIZES[-1]])
def test_the_cli_says_it_on_one_line_with_status_2_and_writes_nothing(tmp_path: Path, rows: int,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "scores.csv"
    line = write_csv(path, rows, BAD_LINES["more fields"])
    out = tmp_path / "scores.html"
    with pytest.raises(SystemExit) as raised:
        main(["render", str(path), "--view", "scores_heatmap", *HEATMAP, "-o", str(out)])
    captured = capsys.readouterr()
    assert raised.value.code == 2
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith("evalviz: error: ")
    assert_said_plainly(captured.err.removeprefix("evalviz: error: ").strip(), path, line)
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["scores.csv"]
