"""The data faults an adversarial tester found (issue 10), each tried as a user would, on real files and DuckDB:
header-only CSVs, column names and index levels, paths DuckDB reads its own way, hard links, strict=False logs,
scores written as Python or in other scripts, Enum members and categories, links into the log viewer, and SQL
that would change the shared connection."""

from __future__ import annotations

import doctest
import enum
import importlib
import os
import re
import urllib.parse
import warnings
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import evalviz as ev
from evalviz.errors import ColumnTypeError, DataSourceError, EmptyDataError, EvalvizError, QueryError

ADVICE = re.compile(r"Pick the number first, for example: (.+), where data is this table")


def column(data: ev.Data, name: str) -> list[Any]:
    return data.to_arrow()[name].to_pylist()


# -- 2.2: a CSV of only a header --------------------------------------------------------------------------------
@pytest.mark.parametrize("header", ["m,t,s", "model,task,score", "ok,t,f,yes"])
def test_a_csv_of_one_line_of_names_is_a_header_without_rows(header: str, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(header + "\n", encoding="utf-8")
    data = ev.Data.from_file(path)
    assert data.columns == header.split(",") and len(data) == 0
    names = header.split(",")
    with pytest.raises(EmptyDataError, match="has no rows to draw"):
        ev.heatmap(data, x=names[1], y=names[0], fill=names[2])


def test_a_one_line_csv_of_numbers_stays_data_and_header_false_is_kept(tmp_path: Path) -> None:
    numbers = tmp_path / "one.csv"
    numbers.write_text("1,2,3\n", encoding="utf-8")
    expected = duckdb.sql(f"SELECT * FROM read_csv('{numbers}')").fetchall()
    assert ev.Data.from_file(numbers).relation.fetchall() == expected == [(1, 2, 3)]
    words = tmp_path / "words.csv"
    words.write_text("m,t,s\n", encoding="utf-8")
    assert len(ev.Data.from_file(words, header=False)) == 1  # the user's choice is DuckDB's reading


def test_text_that_is_not_a_score_is_not_sent_to_score_to_float() -> None:
    names = ev.Data.from_sql("SELECT 'a' AS m, 'x' AS t, 'gpt-4o' AS s")
    with pytest.raises(ColumnTypeError) as caught:
        ev.heatmap(names, x="t", y="m", fill="s")
    assert "'gpt-4o'" in str(caught.value) and "score_to_float" not in str(caught.value)
    letters = ev.Data.from_sql("SELECT 'a' AS m, 'x' AS t, 'C' AS s")
    with pytest.raises(ColumnTypeError, match=r"ev\.score_to_float\('s'\)"):
        ev.heatmap(letters, x="t", y="m", fill="s")


# -- 2.5, 2.6: column names and index levels of dataframes ------------------------------------------------------
@pytest.mark.parametrize(
    ("names", "renamed", "reason"),
    [
        (["a", "a"], ["a", "a_1"], "it repeats the name of column 0"),
        ([1, "1"], ["1", "1_1"], "as text it is '1', as column 0's name 1 is"),
        (["", ""], ["column0", "column1"], "it has no name"),
        (["A", "a"], ["A", "a_1"], "it differs only in case from column 0's 'A'"),
    ],
)
def test_column_names_sql_cannot_tell_apart_are_renamed_with_their_reason(names: list, renamed: list,
                                                                           reason: str) -> None:
    frame = pd.DataFrame([[1.5, 2.5]], columns=names)
    with pytest.warns(UserWarning, match=re.escape(reason)) as caught:
        data = ev.Data.from_dataframe(frame)
    assert "only in case" not in str(caught[0].message) or reason.startswith("it differs")
    assert data.columns == renamed
    # Each column keeps its own values, by position.
    assert [column(data, name)[0] for name in renamed] == frame.iloc[0].tolist()
    arrow = pa.Table.from_arrays([pa.array([1]), pa.array([2])], names=[str(n) for n in names])
    with pytest.warns(UserWarning, match="cannot be told apart"):
        assert ev.Data.from_dataframe(arrow).columns == renamed


def test_an_index_level_named_as_a_column_is_kept_once_when_it_holds_that_column() -> None:
    frame = pd.DataFrame({"model": ["a", "b", "c"], "score": [0.1, 0.2, 0.3]}).set_index("model", drop=False)
    data = ev.Data.from_dataframe(frame)
    assert data.columns == ["model", "score"]
    assert column(data, "model") == frame["model"].tolist() and column(data, "score") == frame["score"].tolist()


def test_an_index_level_named_as_a_column_with_other_values_is_refused_with_a_way_out() -> None:
    frame = pd.DataFrame({"a": [1, 2], "b": [3, 4]}, index=pd.Index([7, 8], name="a"))
    with pytest.raises(EvalvizError, match=r"index level 'a' has the name of a column") as caught:
        ev.Data.from_dataframe(frame)
    fix = re.search(r"e\.g\. (df\.rename_axis\(.+?\))", str(caught.value)).group(1)
    data = ev.Data.from_dataframe(eval(fix, {"df": frame}))
    assert data.columns == ["a_index", "a", "b"] and column(data, "a_index") == [7, 8]


# -- 2.7: inspect_ai's errors with strict=False, and files that are not logs ------------------------------------
def test_strict_false_warns_with_inspect_ais_own_errors(log_dir: Path) -> None:
    ia = pytest.importorskip("inspect_ai.analysis")
    columns = [*ia.EvalInfo, ia.EvalColumn("broken", path="eval.no_such_field", required=True)]
    _, errors = ia.evals_df(log_dir, columns=columns, strict=False, quiet=True)
    assert errors  # inspect_ai reports one error per log
    with pytest.warns(UserWarning, match=rf"inspect_ai could not read {len(errors)} value") as caught:
        data = ev.Data.from_inspect_logs(log_dir, columns=columns, strict=False)
    message = str(caught[0].message)
    # inspect_ai reads logs in parallel, so the order of its errors varies between reads: the warning names five.
    assert sum(str(error) in message for error in errors) == min(len(errors), 5)
    assert len(data) == len(list(log_dir.glob("*.eval")))


def test_a_file_that_is_not_a_log_is_refused_not_skipped(log_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("inspect_ai")
    table = tmp_path / "evals.parquet"
    table.write_bytes(b"PAR1")
    with pytest.raises(DataSourceError, match=r"evals\.parquet' is not an inspect_ai log file.*Data\.from_file"):
        ev.Data.from_inspect_logs([log_dir, table], strict=False)


# -- 3.1, 3.2, 3.4: paths DuckDB would read its own way --------------------------------------------------------
def test_a_file_whose_name_starts_with_a_tilde_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    Path("~draft.csv").write_text("a\n1\n2\n", encoding="utf-8")
    expected = pacsv.read_csv("~draft.csv")["a"].to_pylist()
    assert column(ev.Data.from_file("~draft.csv"), "a") == expected
    assert column(ev.Data.from_file(Path("~draft.csv")), "a") == expected
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "mine.csv").write_text("a\n5\n", encoding="utf-8")
    assert column(ev.Data.from_file("~/mine.csv"), "a") == [5]  # "~/" is still the home folder
    # Prediction files are read through the same escaping.
    from evalviz.analysis import load_prediction_arrays, prediction_ref_for_file

    Path("~preds.csv").write_text("id,y,p\na,1,0.9\nb,0,0.2\n", encoding="utf-8")
    ref = prediction_ref_for_file("~preds.csv", {"label": "y", "score": "p", "row_id": "id"})
    assert load_prediction_arrays(ref).scores.tolist() == pacsv.read_csv("~preds.csv")["p"].to_pylist()


def test_a_folder_with_glob_characters_in_a_pattern_is_taken_as_spelled(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for folder, value in (("d[1]", 1), ("d1", 2)):
        Path(folder).mkdir()
        (Path(folder) / "x.csv").write_text(f"a\n{value}\n", encoding="utf-8")
    assert column(ev.Data.from_file("d[1]/*.csv"), "a") == pacsv.read_csv("d[1]/x.csv")["a"].to_pylist() == [1]
    assert column(ev.Data.from_file("d?/*.csv"), "a") == [2]  # no folder "d?": a pattern, matching d1


def test_a_file_with_a_hard_link_is_read_once(tmp_path: Path) -> None:
    first = tmp_path / "a.csv"
    first.write_text("a\n1\n2\n", encoding="utf-8")
    os.link(first, tmp_path / "b.csv")
    assert os.stat(first).st_nlink == 2
    rows = pacsv.read_csv(first).num_rows
    assert len(ev.Data.from_file([first, tmp_path / "b.csv"])) == rows
    assert len(ev.Data.from_file(str(tmp_path / "*.csv"))) == rows
    assert len(ev.Data.from_file(tmp_path)) == rows


# -- 4.4: score_to_float as inspect_ai's value_to_float, value for value ----------------------------------------
TEXTS = [
    "0.5", "C", "I", "P", "N", "c", " C", "yes", "YES", "False", "\u0663", "\uff10.\uff15", "\u0661\u0662",
    "\U0001d7d9", " 1 ", "\u30001\u3000", "\xa02", "\x1c1", "\x0b3", "1_000", "1__0", "_1", "1_", "1e1_0", ".5",
    "5.", "+.5e-1", "1e", "e1", "0x10", "inf", "-Infinity", "nan", "1e400", "1,5", "1 2", "\u0661\u066b\u0665",
    "", "\u00bd", "\u2462", "-0", "00.10", "1E5", "\u0967\u0966",
]


def test_text_scores_are_read_as_value_to_float_reads_them() -> None:
    value_to_float = pytest.importorskip("inspect_ai.scorer").value_to_float()
    data = ev.Data.from_dataframe(pa.table({"score": TEXTS}))
    converted = column(ev.prepare(data, ev.score_to_float("score")), "score")
    assert converted == [value_to_float(text) for text in TEXTS]


@pytest.mark.parametrize(
    "text", ["{'value': 1.0, 'explanation': 'ok'}", "{'value': 'C'}", "['C', 'I']", "[0.25]", '{"value": 0.5}']
)
def test_objects_and_lists_written_as_text_are_refused_with_a_way_that_works(text: str) -> None:
    import ast

    value_to_float = pytest.importorskip("inspect_ai.scorer").value_to_float()
    data = ev.Data.from_dataframe(pa.table({"score": ["I", text, None]}))
    with pytest.raises(ColumnTypeError, match=r"holds (objects|lists) .* in row 1 \(counting from 0\)") as caught:
        ev.prepare(data, ev.score_to_float("score"))
    assert text in str(caught.value)
    fixed = eval(ADVICE.search(str(caught.value)).group(1), {"ev": ev, "data": data})
    parsed = ast.literal_eval(text)
    picked = parsed["value"] if isinstance(parsed, dict) else parsed[0]
    assert column(fixed, "score") == [0.0, value_to_float(picked), None]


def test_text_in_brackets_that_is_no_object_is_a_word() -> None:
    data = ev.Data.from_dataframe(pa.table({"score": ["[citation needed]", "{C}"]}))
    assert column(ev.prepare(data, ev.score_to_float("score")), "score") == [0.0, 0.0]


def test_enum_members_in_a_pandas_column_are_their_values() -> None:
    value_to_float = pytest.importorskip("inspect_ai.scorer").value_to_float()

    class Grade(enum.Enum):
        CORRECT = "C"
        PARTIAL = "P"
        WRONG = "I"

    class Level(enum.IntEnum):
        ONE = 1

    frame = pd.DataFrame({"grade": [Grade.CORRECT, Grade.PARTIAL, Grade.WRONG, None], "level": [Level.ONE] * 4})
    data = ev.Data.from_dataframe(frame)
    assert column(data, "grade") == ["C", "P", "I", None]
    converted = column(ev.prepare(data, ev.score_to_float(["grade", "level"])), "grade")
    assert converted == [value_to_float(g.value) for g in frame["grade"][:3]] + [None] == [1.0, 0.5, 0.0, None]


# -- 4.6: categories keep their order -------------------------------------------------------------------------
def test_a_polars_enum_and_a_pandas_categorical_keep_their_order() -> None:
    order = ["easy", "medium", "hard"]
    values = ["hard", "easy", "medium", "hard"]
    frames = {
        "polars": pl.DataFrame({"level": pl.Series(values, dtype=pl.Enum(order))}),
        "pandas": pd.DataFrame({"level": pd.Categorical(values, categories=order)}),
        "arrow": pa.table({"level": pa.DictionaryArray.from_arrays([2, 0, 1, 2], order, ordered=True)}),
    }
    for name, frame in frames.items():
        data = ev.Data.from_dataframe(frame)
        assert data.schema["level"] == "ENUM('easy', 'medium', 'hard')", name
        assert data.sql("SELECT level FROM this ORDER BY level")["level"].to_pylist() == sorted(values, key=order.index)


def test_evaluate_slices_orders_enum_slices_the_same_through_data() -> None:
    from evalviz.analysis import evaluate_slices

    order = ["easy", "medium", "hard"]
    rng = np.random.default_rng(0)
    frame = pl.DataFrame({"level": pl.Series(["hard", "easy", "medium"] * 10, dtype=pl.Enum(order)),
                          "y": rng.integers(0, 2, 30), "a": rng.random(30)})

    def slices(source: Any) -> list[str]:
        table = evaluate_slices(source, scorers=["a"], label="y", slice_by="level", n_resamples=10, min_rows=1)
        return list(dict.fromkeys(column(table, "slice")))

    assert slices(ev.Data.from_dataframe(frame)) == slices(frame) == ["all", *order]


# -- 4.7: task_info and model_info take what they say ----------------------------------------------------------
def test_task_and_model_info_refuse_values_they_would_misread() -> None:
    with pytest.raises(EvalvizError, match=r"'a' maps to None"):
        ev.task_info({"a": None})
    with pytest.raises(EvalvizError, match=r"5 maps to 'Five'"):
        ev.task_info({5: "Five"})
    with pytest.raises(EvalvizError, match=r"builtin is True or False, not 'no'"):
        ev.model_info(builtin="no")
    with pytest.raises(EvalvizError, match=r"'m' maps to 5"):
        ev.model_info({"m": 5})


# -- 3.3, 6.1-6.4: links into the log viewer -------------------------------------------------------------------
def fragment_parts(url: str) -> list[str]:
    """The path parts of a viewer link's fragment, decoded once as the viewer decodes them."""
    return [urllib.parse.unquote(p) for p in urllib.parse.urlsplit(url).fragment.split("/")]


def test_a_viewer_url_with_a_query_keeps_it_before_the_fragment() -> None:
    data = ev.Data.from_sql("SELECT '/l/a b.eval' AS log")
    for viewer in ("https://v/?tok=1", "https://v/#/", "https://v#"):
        link = column(ev.prepare(data, ev.log_viewer("eval", {"/l": viewer})), "log_viewer")[0]
        parts = urllib.parse.urlsplit(link)
        assert (parts.scheme, parts.netloc, parts.path) == ("https", "v", "/")
        assert parts.query == ("tok=1" if "tok" in viewer else "")
        assert fragment_parts(link) == ["", "logs", "a b.eval"]
    with pytest.raises(EvalvizError, match=r"has a fragment '#/logs/x'"):
        ev.log_viewer("eval", {"/l": "https://v/#/logs/x"})


@pytest.mark.parametrize("viewer", [None, 5, "", "ftp://host/", "javascript:alert(1)", "viewer/", ["https://v/"]])
def test_a_mapping_to_anything_but_an_http_url_is_refused(viewer: Any) -> None:
    with pytest.raises(EvalvizError, match=r"maps each log folder to the http\(s\) URL"):
        ev.log_viewer("eval", {"/l": viewer})


def test_rows_without_a_log_get_no_link_and_a_column_of_numbers_is_refused() -> None:
    data = ev.Data.from_dataframe(pa.table({"log": ["/l/a.eval", "", "  ", None]}))
    links = column(ev.prepare(data, ev.log_viewer("eval", {"/l": "https://v/"})), "log_viewer")
    assert links == ["https://v/#/logs/a.eval", None, None, None]
    numbers = ev.Data.from_sql("SELECT 5 AS log")
    with pytest.raises(ColumnTypeError, match=r"column 'log', which holds INTEGER values, not text"):
        ev.prepare(numbers, ev.log_viewer("eval", {"/l": "https://v/"}))


@pytest.mark.parametrize("target", [["eval"], None, 1])
def test_a_target_that_is_not_a_name_is_refused(target: Any) -> None:
    with pytest.raises(EvalvizError, match="log_viewer target must be one of 'eval', 'sample'"):
        ev.log_viewer(target, {"/l": "https://v/"})


def test_logs_and_folders_match_however_each_is_spelled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = tmp_path / "real" / "logs"
    real.mkdir(parents=True)
    (real / "a.eval").touch()
    work = tmp_path / "work"
    work.mkdir()
    (work / "logs").symlink_to(real)
    monkeypatch.chdir(work)
    logs = ["logs/a.eval", "../work/logs/a.eval", str(real / "a.eval"), "./logs/./a.eval"]
    data = ev.Data.from_dataframe(pa.table({"log": logs}))
    for folder in ("logs/", "logs", str(real), str(work / "logs"), "../real/logs"):
        links = column(ev.prepare(data, ev.log_viewer("eval", {folder: "https://v/"})), "log_viewer")
        assert links == ["https://v/#/logs/a.eval"] * len(logs), folder
    with pytest.raises(EvalvizError, match=r"No url_mappings entry covers the log '\.\./x\.eval' \(that is '"):
        ev.prepare(ev.Data.from_sql("SELECT '../x.eval' AS log"), ev.log_viewer("eval", {"logs": "https://v/"}))


# -- 8: arguments and SQL that would change the shared connection ----------------------------------------------
def test_select_and_from_sql_check_their_arguments() -> None:
    with pytest.raises(EvalvizError, match="select takes column names as text.*not 1"):
        ev.Data.from_sql("SELECT 1 AS a").select(1)
    with pytest.raises(EvalvizError, match="connection=a DuckDB connection.*not str 'x'"):
        ev.Data.from_sql("SELECT 1 AS a", connection="x")


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda: ev.Data.from_sql("CREATE TABLE evalviz_side AS SELECT 1 AS a"), "CREATE"),
        (lambda: ev.Data.from_sql("SELECT 1 AS a").derive("CREATE TABLE evalviz_side AS SELECT * FROM this"),
         "CREATE"),
        (lambda: ev.Data.from_sql("SELECT 1 AS a").sql("CREATE TABLE evalviz_side AS SELECT * FROM this"),
         "CREATE"),
        (lambda: ev.Data.from_sql("SET threads = 1"), "SET"),
        (lambda: ev.Data.from_sql("COPY (SELECT 1) TO 'evalviz_side.csv'"), "COPY"),
        (lambda: ev.Data.from_sql("PIVOT (SELECT 1 AS a, 2 AS b) ON a USING sum(b)"), "MULTI"),
    ],
)
def test_statements_that_change_the_session_are_refused_before_they_run(make: Any, kind: str, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(QueryError, match=rf"takes a query that returns rows .* not a statement of type {kind}"):
        make()
    with pytest.raises(QueryError, match="not valid SQL"):
        ev.Data.from_sql("SELECT * FROM evalviz_side")  # no table was made
    assert list(tmp_path.iterdir()) == []  # no file was written


def test_a_users_connection_keeps_its_tables_and_queries_still_run() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE runs AS SELECT 'a' AS model, 1.0 AS score")
    for statement in ("DROP TABLE runs", "SELECT 1; DROP TABLE runs", "DELETE FROM runs", "INSERT INTO runs VALUES "
                      "('b', 0.0) RETURNING *"):
        with pytest.raises(QueryError):
            ev.Data.from_sql(statement, connection=con)
    assert con.execute("SELECT * FROM runs").fetchall() == [("a", 1.0)]
    queries = ["WITH r AS (SELECT * FROM runs) SELECT * FROM r", "FROM runs", "VALUES (1)", "DESCRIBE runs",
               "SUMMARIZE runs", "PIVOT runs ON model IN ('a') USING sum(score)"]
    for query in queries:
        assert len(ev.Data.from_sql(query, connection=con)) >= 1, query


# -- the examples in the new modules' docstrings ------------------------------------------------------------
@pytest.mark.parametrize("name", ["evalviz.data.sources", "evalviz.data.frames", "evalviz.data.statements",
                                  "evalviz.data.number_text", "evalviz.data.nested_scores",
                                  "evalviz.data.viewer_links", "evalviz.data.types"])
def test_docstring_examples(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.parametrize("path", [5, [5], None, b"logs"])
def test_from_inspect_logs_names_a_path_that_is_not_one(path: Any) -> None:
    with pytest.raises(DataSourceError, match=r"Give a log file, a folder of logs or a list of them"):
        ev.Data.from_inspect_logs(path)


@pytest.mark.parametrize("query", ["SELECT 1 AS a; -- done", "SELECT 1 AS a;\n-- note\n", "SELECT 1 AS a /* c */ ;;",
                                   "select 1 as a;"])
def test_a_query_may_end_in_semicolons_and_comments(query: str) -> None:
    assert ev.Data.from_sql(query).to_arrow().to_pylist() == [{"a": 1}]
    assert ev.Data.from_sql("SELECT 2 AS b").derive(query.replace("1 AS a", "b - 1 AS a FROM this")).columns == ["a"]


def test_a_semicolon_inside_a_string_is_kept_and_explain_returns_its_plan() -> None:
    assert ev.Data.from_sql("SELECT ';' AS s -- x").to_arrow().to_pylist() == [{"s": ";"}]
    plan = ev.Data.from_sql("EXPLAIN SELECT 1 AS a")
    assert plan.columns == duckdb.connect().sql("EXPLAIN SELECT 1 AS a").columns


def test_a_url_log_cannot_climb_out_of_its_mapped_folder_and_schemes_match_in_any_case() -> None:
    viewer = ev.log_viewer("eval", {"s3://b/logs": "https://v/"})
    logs = ev.Data.from_sql("SELECT * FROM (VALUES ('S3://b/logs/a.eval'), ('s3://b/logs/sub/x.eval')) t(log)")
    assert ev.prepare(logs, viewer).to_arrow()["log_viewer"].to_pylist() == [
        "https://v/#/logs/a.eval", "https://v/#/logs/sub/x.eval"]
    outside = ev.Data.from_sql("SELECT 's3://b/logs/../secret/a.eval' AS log")
    with pytest.raises(ev.EvalvizError, match="that is 's3://b/secret/a.eval'"):
        ev.prepare(outside, viewer)
