"""A column that should hold numbers but holds text is refused naming its first value that is not a number and
that value's row (1-based, in the table as read), from Python and from the command line, with inspect_ai's advice
only for inspect_ai's score letters."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import evalviz as ev
from evalviz.errors import ColumnTypeError


def first_non_number(values: list[str | None]) -> tuple[int, str]:
    """The 1-based row and value of the first value float() cannot read (None: missing, skipped)."""
    for row, value in enumerate(values, start=1):
        if value is None:
            continue
        try:
            float(value)
        except ValueError:
            return row, value
    raise AssertionError("every value is a number")


def write_csv(path: Path, scores: list[str]) -> Path:
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["task", "model", "score"])
        writer.writerows([f"t{i % 3}", f"m{i % 2}", score] for i, score in enumerate(scores))
    return path


def test_the_first_value_that_is_not_a_number_is_named_with_its_row_from_a_csv(tmp_path: Path) -> None:
    scores = ["0.81", "0.7", "0.6", "0.5O", "n/a", "0.2"]
    path = write_csv(tmp_path / "results.csv", scores)
    row, value = first_non_number(scores)
    # DuckDB's own reading of the file has that value at that row.
    assert duckdb.sql(f"SELECT score FROM read_csv('{path}')").limit(100).fetchall()[row - 1][0] == value == "0.5O"
    with pytest.raises(ColumnTypeError) as caught:
        ev.heatmap(ev.Data.from_file(path), x="task", y="model", fill="score")
    message = str(caught.value)
    assert f"Column 'score' holds text, not numbers: row {row} holds {value!r}" in message
    assert "VARCHAR" not in message and "'0.81'" not in message and "inspect_ai" not in message
    result = subprocess.run([sys.executable, "-m", "evalviz", "render", str(path), "--view", "heatmap", "--x", "task",
                             "--y", "model", "--fill", "score", "-o", str(tmp_path / "x.html")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2 and f"row {row} holds {value!r}" in result.stderr
    assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize("bad", ["", "n/a", " ", "0,5"])
def test_an_empty_or_worded_value_in_parquet_is_named_at_its_row(tmp_path: Path, bad: str) -> None:
    n = 5000  # several row groups: the row is counted in the table's order, not a scan's
    scores = [str(i / n) for i in range(n)]
    scores[3217] = bad
    scores[10] = None
    path = tmp_path / "scores.parquet"
    pq.write_table(pa.table({"task": [f"t{i % 7}" for i in range(n)], "model": [f"m{i % 3}" for i in range(n)],
                             "score": scores}), path, row_group_size=700)
    row, value = first_non_number(scores)
    with pytest.raises(ColumnTypeError, match=f"row {row} holds {value!r}, which is not a number"):
        ev.heatmap(ev.Data.from_file(path), x="task", y="model", fill="score")


@pytest.mark.parametrize("letter", ["C", "I", "yes"])
def test_inspect_ai_advice_only_for_its_score_letters(letter: str) -> None:
    data = ev.Data.from_sql(f"SELECT * FROM (VALUES ('t', 'm', '1.0'), ('t', 'n', '{letter}')) v(task, model, score)")
    with pytest.raises(ColumnTypeError, match=rf"row 2 holds '{letter}'.*score_to_float\('score'\)"):
        ev.heatmap(data, x="task", y="model", fill="score")


def test_another_role_is_named_and_not_pointed_to_inspect_ai() -> None:
    data = ev.Data.from_sql("SELECT * FROM (VALUES ('t', 'm', 0.5, '0.1'), ('t', 'n', 0.6, 'C')) v(task, model, s, e)")
    with pytest.raises(ColumnTypeError) as caught:
        ev.heatmap(data, x="task", y="model", fill="s", stderr="e")
    assert "The stderr column 'e' holds text, not numbers: row 2 holds 'C'" in str(caught.value)
    assert "score_to_float" not in str(caught.value)


def test_numbers_stored_as_text_are_told_to_be_cast() -> None:
    data = ev.Data.from_sql("SELECT * FROM (VALUES ('t', 'm', '0.81'), ('t', 'n', ' 1e-1 ')) v(task, model, score)")
    with pytest.raises(ColumnTypeError, match=r"holds text such as '0.81': numbers stored as text. Cast") as caught:
        ev.heatmap(data, x="task", y="model", fill="score")
    fix = str(caught.value).split("Cast the column first: ")[1].rstrip(".")
    fixed = eval(fix, {"data": data})  # the code given works
    assert fixed.sql("SELECT typeof(score) AS t FROM this").column("t").to_pylist() == ["DOUBLE", "DOUBLE"]


def test_a_date_column_names_its_type_and_first_value() -> None:
    data = ev.Data.from_sql("SELECT * FROM (VALUES ('t', 'm', NULL), ('t', 'n', DATE '2025-01-02')) v(task, model, d)")
    with pytest.raises(ColumnTypeError, match=r"holds DATE values, not numbers: row 2 holds '2025-01-02'"):
        ev.score_distribution(data, value="d", by="model")
