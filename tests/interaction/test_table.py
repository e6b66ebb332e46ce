"""ev.table in Python: the rows a page ships, the kernel's pages (paged, sorted, searched, filtered) against
DuckDB queries written here, the channel carrying them, and bad input refused before anything is drawn."""

from __future__ import annotations

import json

import duckdb
import pyarrow as pa
import pyarrow.ipc as ipc
import pytest

import evalviz as ev
from evalviz.errors import ColumnTypeError, EvalvizError, MissingColumnError
from evalviz.interaction.selection import Clause
from evalviz.interaction.table import table
from evalviz.rendering.channel import Channel
from evalviz.rendering.items import handlers_of

SHOWN = ["id", "epoch", "model_display_name", "score_match", "working_time", "log_viewer"]


@pytest.fixture(scope="module")
def samples(samples_path):  # noqa: ANN001, ANN201
    return ev.Data.from_file(samples_path)


@pytest.fixture(scope="module")
def duck(samples_path):  # noqa: ANN001, ANN201
    con = duckdb.connect()
    con.execute(f"CREATE VIEW s AS SELECT * FROM read_parquet('{samples_path}')")
    return con


def rows_of(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    return con.sql(sql, params=params).to_arrow_table().to_pylist()


def test_a_page_ships_the_first_max_rows_rows_and_says_how_many_there_are(samples, duck) -> None:  # noqa: ANN001
    chart = table(samples, SHOWN, max_rows=100)
    cols = ", ".join(f'"{c}"' for c in SHOWN)
    assert chart.datasets["rows"].to_pylist() == rows_of(duck, f"SELECT {cols} FROM s LIMIT 100")
    item = chart.item
    assert item["kind"] == "table" and item["total"] == rows_of(duck, "SELECT count(*) AS n FROM s")[0]["n"]
    assert [c["field"] for c in item["columns"]] == SHOWN
    assert {c["field"]: c["kind"] for c in item["columns"]}["score_match"] == "float"
    assert item["key"] == ["sample_id"]  # one sample in one epoch of one eval (id and epoch repeat across evals)


def test_kernel_pages_follow_the_order_asked_with_ties_broken_by_the_key(samples, duck) -> None:  # noqa: ANN001
    element = table(samples, SHOWN).chart
    cols = ", ".join(f'"{c}"' for c in SHOWN)
    for sort, order in ((["score_match", "desc"], "score_match DESC"), (["model_display_name", "asc"],
                                                                        "model_display_name ASC")):
        for page in (1, 3):
            answer, tables = element.page({"page": page, "size": 25, "sort": [{"column": sort[0], "dir": sort[1]}]})
            # Rows tied on the key too (one id and epoch per model) come in the file's order
            expected = rows_of(duck, f"SELECT {cols} FROM (SELECT *, row_number() OVER () AS position FROM s) "
                                     f"ORDER BY {order} NULLS LAST, id, epoch, position "
                                     f"LIMIT 25 OFFSET {(page - 1) * 25}")
            assert tables["rows"].to_pylist() == expected
            assert answer["total"] == 960 and answer["last_page"] == 39 and answer["page"] == page


def test_kernel_search_keeps_rows_where_any_shown_column_contains_the_text(samples, duck) -> None:  # noqa: ANN001
    element = table(samples, SHOWN).chart
    cols = ", ".join(f'"{c}"' for c in SHOWN)
    for text in ("ATLAS l", "sample/1/", "no such text", "0.2", "1.0", "e"):
        answer, tables = element.page({"page": 1, "size": 1000, "search": text})
        anywhere = " OR ".join(f'CAST("{c}" AS VARCHAR) ILIKE ?' for c in SHOWN)
        expected = rows_of(duck, f"SELECT {cols} FROM s WHERE {anywhere}", [f"%{text}%"] * len(SHOWN))
        assert answer["total"] == len(expected)
        assert sorted(map(json.dumps, tables["rows"].to_pylist())) == sorted(map(json.dumps, expected))


def test_kernel_pages_keep_what_the_selection_keeps_and_say_which_columns_they_cannot_filter(samples,  # noqa: ANN001
                                                                                             duck) -> None:
    element = table(samples, SHOWN, filter_by=ev.Selection.intersect()).chart
    clauses = [Clause("a", ("model_display_name",), "in", [["Borealis"], ["Delta Pro"]]).to_dict(),
               Clause("b", ("score_match",), "range", [0.5, 1]).to_dict(),
               {"source": "c", "fields": ["no_such_column"], "op": "contains", "value": "x"}]
    answer, tables = element.page({"page": 1, "size": 1000, "search": "2",
                                   "filter": {"resolve": "intersect", "clauses": clauses}})
    expected = rows_of(duck, "SELECT count(*) AS n FROM s WHERE model_display_name IN ('Borealis', 'Delta Pro') "
                             "AND score_match BETWEEN 0.5 AND 1 AND (CAST(id AS VARCHAR) LIKE '%2%' OR "
                             "CAST(epoch AS VARCHAR) LIKE '%2%' OR model_display_name LIKE '%2%' OR "
                             "CAST(score_match AS VARCHAR) LIKE '%2%' OR CAST(working_time AS VARCHAR) LIKE '%2%' "
                             "OR log_viewer LIKE '%2%')")[0]["n"]
    assert answer["total"] == tables["rows"].num_rows == expected > 0
    assert answer["ignored"] == ["no_such_column"]
    union = element.page({"page": 1, "size": 10, "filter": {"resolve": "union", "clauses": clauses[:2]}})[0]
    assert union["total"] == rows_of(duck, "SELECT count(*) AS n FROM s WHERE model_display_name IN "
                                           "('Borealis', 'Delta Pro') OR score_match BETWEEN 0.5 AND 1")[0]["n"]


def test_hostile_search_text_and_clause_values_are_bound_not_pasted() -> None:
    hostile = "x'); DROP TABLE t; --"
    data = ev.Data.from_dataframe(pa.table({"id": [1, 2], "name": [hostile, "plain"]}))
    element = table(data).chart
    answer, tables = element.page({"page": 1, "size": 10, "search": hostile,
                                   "filter": {"resolve": "intersect",
                                              "clauses": [Clause("s", ("name",), "in", [[hostile]]).to_dict()]}})
    assert answer["total"] == 1 and tables["rows"].to_pylist() == [{"id": 1, "name": hostile}]


def test_the_widget_channel_answers_table_requests_with_arrow_pages(samples, duck) -> None:  # noqa: ANN001
    sent: list = []
    channel = Channel(lambda content, buffers: sent.append((json.loads(json.dumps(content)), buffers)))
    component = ev.vconcat(table(samples, SHOWN, page_size=10))  # in a layout, as beside charts
    for kind, handler in handlers_of(component.chart).items():
        channel.handle(kind, handler)
    name = component.item["items"][0]["id"]
    assert set(channel.kinds) == {f"table:{name}", f"table-drawn:{name}"}  # pages; the first page drawn
    kind = f"table:{name}"
    channel.receive({"kind": kind, "id": 7, "payload": {"page": 2, "size": 10,
                                                        "sort": [{"column": "working_time", "dir": "asc"}]}})
    content, buffers = sent.pop()
    rows = ipc.open_stream(pa.BufferReader(buffers[0])).read_all().to_pylist()
    cols = ", ".join(f'"{c}"' for c in SHOWN)
    assert content["id"] == 7 and content["tables"] == ["rows"] and content["payload"]["total"] == 960
    assert rows == rows_of(duck, f"SELECT {cols} FROM (SELECT *, row_number() OVER () AS position FROM s) "
                                 "ORDER BY working_time NULLS LAST, id, epoch, position LIMIT 10 OFFSET 10")
    channel.receive({"kind": kind, "id": 8, "payload": {"page": 1, "size": 10,
                                                        "sort": [{"column": "scroe", "dir": "asc"}]}})
    content, _ = sent.pop()
    assert "scroe" in content["error"] and "'score_match'" in content["error"]


@pytest.mark.parametrize("payload", [
    None, {"page": 0}, {"page": 1, "size": 5000}, {"page": True}, {"search": 3},
    {"sort": [{"column": "id", "dir": "up"}]}, {"filter": {"resolve": "some"}},
    {"filter": {"resolve": "union", "clauses": [{"source": "s"}]}},
])
def test_malformed_page_requests_are_evalviz_errors(samples, payload) -> None:  # noqa: ANN001
    with pytest.raises(EvalvizError):
        table(samples, SHOWN).chart.page(payload)


def test_bad_arguments_are_refused_naming_the_problem_and_the_way_out(samples) -> None:  # noqa: ANN001
    with pytest.raises(MissingColumnError, match=r"'scroe'.*Columns present: .*'score_match'"):
        table(samples, ["id", "scroe"])
    with pytest.raises(EvalvizError, match=r"select is one of 'single_row', 'multiple_row', 'none'"):
        table(samples, select="single")
    with pytest.raises(EvalvizError, match="select='none' publishes no rows"):
        table(samples, target=ev.Selection.single(), select="none")
    with pytest.raises(ColumnTypeError, match="number columns; 'model' holds VARCHAR"):
        table(samples, format={"model": ".2f"})
    with pytest.raises(EvalvizError, match=r"d3-format string .* not '%.2'"):
        table(samples, format={"score_match": "%.2"})
    with pytest.raises(MissingColumnError, match="the table's key"):
        table(samples, key="sampleid")
    with pytest.raises(EvalvizError, match="give key="):
        table(ev.Data.from_sql("SELECT 1 AS a"), target=ev.Selection.single())
    with pytest.raises(EvalvizError, match="page_size is a whole number"):
        table(samples, page_size=0)
    with pytest.raises(EvalvizError, match="max_rows is a whole number"):
        table(samples, max_rows=2.5)
    with pytest.raises(EvalvizError, match="align takes 'left', 'center' or 'right'"):
        table(samples, align={"id": "middle"})
    with pytest.raises(EvalvizError, match="filter_by takes an ev.Selection"):
        table(samples, filter_by="models")


def test_key_columns_are_recorded_in_the_target_and_filter_columns_are_shipped_unshown(samples) -> None:  # noqa: ANN001
    picked = ev.Selection.single()
    table(samples, ["model_display_name"], target=picked, key="task_name")
    assert picked.columns == ("task_name",)
    follower = table(samples, ["model_display_name", "score_match"], filter_by=picked)  # ties: id, epoch
    assert follower.datasets["rows"].column_names == ["model_display_name", "score_match", "id", "epoch",
                                                      "task_name"]
    assert [c["field"] for c in follower.item["columns"]] == ["model_display_name", "score_match"]


@pytest.mark.parametrize("drop", [[], ["sample_id"], ["sample_id", "eval_id"], ["sample_id", "eval_id", "log"]])
def test_a_clicked_row_publishes_a_key_naming_that_row_alone(duck, drop: list[str]) -> None:  # noqa: ANN001
    """The default key names one row of inspect_ai's samples: sample_id, else id and epoch with the eval's id or log,
    else with the task and model (id and epoch repeat across evals)."""
    rows = duck.sql(f"SELECT * EXCLUDE ({', '.join(drop)}) FROM s" if drop else "SELECT * FROM s").to_arrow_table()
    key = table(ev.Data.from_dataframe(rows), ["model_display_name"], target=ev.Selection.single()).item["key"]
    assert key and not set(key) & set(drop)
    names = ", ".join(f'"{c}"' for c in key)
    count, distinct = duck.sql(f"SELECT count(*), count(DISTINCT ({names})) FROM s").fetchall()[0]
    assert count == distinct  # every row has a key of its own
    assert count != duck.sql("SELECT count(DISTINCT (id, epoch)) FROM s").fetchall()[0][0]  # which id, epoch is not
