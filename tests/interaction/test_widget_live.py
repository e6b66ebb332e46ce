"""The live widget's kernel side: the page's selection changes reach the Selection and Param objects, and a chart
given `filter_by` is drawn again in DuckDB over the rows the page's clauses keep, the values bound as parameters."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest
from widget_live_views import HOSTILE, ROWS, mean_by_model

import evalviz as ev
from evalviz.data.table import Data
from evalviz.errors import EvalvizError, MissingColumnError, QueryError
from evalviz.interaction.selection import Param, Selection
from evalviz.rendering.channel import Channel
from evalviz.rendering.component import Component
from evalviz.rendering.items import Layout
from evalviz.rendering.requery import live_parts, requeried
from evalviz.rendering.widget import LiveCharts, requery_handler


def from_ipc(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(data).read_all()


def in_clause(column: str, *values: object, source: str = "picker") -> dict:
    return {"source": source, "fields": [column], "op": "in", "value": [[v] for v in values]}


def ask(live: LiveCharts, payload: dict) -> tuple[dict, dict[str, pa.Table]]:
    """A requery through the channel as the page sends it; the reply and its tables decoded from Arrow bytes."""
    sent: list[tuple[dict, list[bytes]]] = []
    channel = Channel(lambda content, buffers: sent.append((content, buffers)))
    channel.handle("requery", requery_handler(live))
    channel.receive({"kind": "requery", "id": "p-1", "payload": payload})
    [(reply, buffers)] = sent
    assert reply["id"] == "p-1", reply
    return reply, {name: from_ipc(data) for name, data in zip(reply.get("tables", []), buffers, strict=True)}


def expected_means(where: str, params: list) -> list[dict]:
    rows = ROWS  # noqa: F841 - read by DuckDB
    return duckdb.connect().sql(
        f"SELECT model, avg(score) AS mean, count(*) AS n FROM rows WHERE {where} GROUP BY model ORDER BY model",
        params=params).to_arrow_table().to_pylist()


def test_the_page_reports_selection_and_param_changes_to_python() -> None:
    models, threshold = Selection.intersect(), Param(0.5)
    chart = mean_by_model(ROWS, filter_by=models)
    assert chart.params == {models.name: models}
    heard: list[tuple] = []
    models.observe(lambda s: heard.append(s.clauses))
    widget = chart.widget
    widget.params[threshold.name] = threshold  # a param the page also shares
    clause = in_clause("model", "beta", HOSTILE)
    # What a message from the page does: the `state` traitlet is set from the front end.
    widget.set_state({"state": {models.name: {"clauses": [clause]}, threshold.name: {"value": 0.75}}})
    assert [c.to_dict() for c in models.clauses] == [clause] and threshold.value == 0.75
    assert len(heard) == 1
    # A second widget on the page sharing the selection reports the same change: observers hear it once.
    mean_by_model(ROWS, title="again", filter_by=models).widget.set_state(
        {"state": {models.name: {"clauses": [clause]}}})
    assert len(heard) == 1
    widget.set_state({"state": {models.name: {"clauses": []}}})
    assert models.clauses == () and len(heard) == 2


def test_a_malformed_page_report_leaves_the_selection_as_it_was() -> None:
    models = Selection.intersect()
    widget = mean_by_model(ROWS, filter_by=models).widget
    widget.set_state({"state": {models.name: {"clauses": [{"source": "s", "fields": ["model"], "op": "nope",
                                                            "value": []}]}}})
    assert models.clauses == ()


@pytest.mark.parametrize(("clauses", "resolve", "where", "params"), [
    ([in_clause("model", "alpha", "gamma")], "intersect", "model IN (?, ?)", ["alpha", "gamma"]),
    ([in_clause("model", "alpha"), {"source": "s", "fields": ["score"], "op": "range", "value": [0.3, 1]}],
     "intersect", "model = ? AND score BETWEEN ? AND ?", ["alpha", 0.3, 1]),
    ([in_clause("model", "alpha"), {"source": "s", "fields": ["task"], "op": "prefix", "value": "MA"}],
     "union", "model = ? OR lower(task) LIKE ?", ["alpha", "ma%"]),
    ([in_clause("model", HOSTILE)], "intersect", "model = ?", [HOSTILE]),
])
def test_a_requery_answers_what_duckdb_computes_on_the_kept_rows(clauses, resolve, where, params) -> None:
    models = Selection(resolve)
    live = LiveCharts(live_parts(mean_by_model(ROWS, filter_by=models)))
    reply, tables = ask(live, {"prefix": "", "resolve": resolve, "clauses": clauses})
    assert reply["payload"]["note"] is None
    assert tables["means"].to_pylist() == expected_means(where, params)
    assert reply["payload"]["spec"]["data"] == {"name": "means"}


def test_a_hostile_value_is_only_a_value(tmp_path) -> None:
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    con.execute("CREATE TABLE x AS SELECT * FROM ROWS")
    data = Data.from_sql("SELECT * FROM x", connection=con)
    live = LiveCharts(live_parts(mean_by_model(data, filter_by=Selection.intersect())))
    for value in (HOSTILE, "x'); DROP TABLE x; --", 'a" OR 1=1 --'):
        reply, tables = ask(live, {"prefix": "", "resolve": "intersect",
                                   "clauses": [in_clause("model", value), in_clause("task", value, source="t")]})
        assert "error" not in reply and tables["means"].num_rows == 0
    assert con.execute("SELECT count(*) FROM x").fetchone() == (ROWS.num_rows,)  # the table is still there


def test_requery_errors_name_the_problem() -> None:
    live = LiveCharts(live_parts(mean_by_model(ROWS, filter_by=Selection.intersect())))
    reply, _ = ask(live, {"prefix": "", "resolve": "intersect", "clauses": [in_clause("organisation", "x")]})
    assert "Column 'organisation'" in reply["error"] and "'model'" in reply["error"]
    reply, _ = ask(live, {"prefix": "c3_", "resolve": "intersect", "clauses": []})
    assert reply["error"] == "No chart at 'c3_' re-queries; those that do: ''."
    reply, _ = ask(live, {"prefix": "", "resolve": "everything", "clauses": []})
    assert "resolves as one of single, intersect, union, crossfilter" in reply["error"]
    with pytest.raises(MissingColumnError):
        live.requery("", [in_clause("nope", 1)], "intersect")


def test_a_layout_requeries_each_filtered_part_under_its_prefix() -> None:
    models = Selection.single()
    filtered = mean_by_model(ROWS, filter_by=models)
    plain = mean_by_model(ROWS)
    page = Component.from_parts(Layout("vconcat", (plain.chart, filtered.chart)),
                                {**{f"c0_{k}": v for k, v in plain.datasets.items()},
                                 **{f"c1_{k}": v for k, v in filtered.datasets.items()}},
                                parts=(plain, filtered))
    assert list(live_parts(page)) == ["c1_"] and page.widget.live == {"c1_": models.name}
    _, tables = ask(LiveCharts(live_parts(page)), {"prefix": "c1_", "resolve": "single",
                                                   "clauses": [in_clause("model", "beta")]})
    assert tables["means"].to_pylist() == expected_means("model = ?", ["beta"])


def test_data_where_binds_values_and_composes() -> None:
    data = Data.from_dataframe(ROWS)
    kept = data.where('"model" IN (?, ?)', ["alpha", HOSTILE]).filter("score > 0.3").where('"task" = ?', ["math"])
    assert kept.to_arrow().to_pylist() == [{"model": HOSTILE, "task": "math", "score": 0.5}]
    assert kept.run("SELECT count(*) AS n FROM this WHERE score < ?", [1.0])["n"].to_pylist() == [1]
    assert len(kept.on_own_cursor()) == 1
    with pytest.raises(QueryError, match="where takes a SQL condition"):
        data.where("", [])
    with pytest.raises(QueryError, match="as a list"):
        data.where('"model" = ?', "alpha")
    with pytest.raises(QueryError, match="is not valid SQL"):
        data.where('"modle" = ?', ["alpha"])


def test_the_binned_sample_heatmap_requeried_over_a_model_filter(samples_path) -> None:
    """The benchmark's chart, small: the view called again over the kept rows bins only those models' rows."""
    import pyarrow.compute as pc

    data = ev.Data.from_file(samples_path)
    chart = ev.sample_heatmap(data, score_value="score_match", width=300, height=200)
    models = sorted(set(data.to_arrow()["model_display_name"].to_pylist()))[:2]
    call = chart.call
    assert call is not None and call.view.__name__ == "sample_heatmap"
    condition, params = '"model_display_name" IN (?, ?)', models
    again = call.over(data.where(condition, params))
    cells = again.datasets["cells"]
    assert sorted(set(cells["y"].to_pylist())) == models
    rows = data.to_arrow()  # noqa: F841 - read by DuckDB
    counted = duckdb.connect().execute(
        "SELECT count(*) FROM rows WHERE model_display_name IN (?, ?)", models).fetchone()[0]
    assert pc.sum(cells["n"]).as_py() == counted
    assert again.call is not None and again.call.data is not data
    assert "x_members" in cells.column_names  # binned, as the benchmark's chart is
    # A selection keeping no row: the chart stays, its data emptied, and the page is told why.
    kept, note = requeried(chart, [{"source": "s", "fields": ["model_display_name"], "op": "in",
                                    "value": [["'; DROP TABLE x; --"]]}], "intersect")
    assert kept is chart and note == "No rows match the selection."


def test_every_view_records_its_call() -> None:
    chart = ev.scores_heatmap(ev.Data.from_file("examples/data/evals.parquet"), title="t")
    assert chart.call.view.__name__ == "scores_heatmap" and chart.call.arguments.arguments["title"] == "t"
    with pytest.raises(EvalvizError, match="cannot be drawn again"):
        requeried(Component.from_parts({"mark": "point"}, {}), [], "intersect")


def test_a_drill_down_after_a_requery_opens_a_region_of_the_filtered_chart(samples_path) -> None:
    data = ev.Data.from_file(samples_path)
    models = Selection.intersect()
    chart = ev.sample_heatmap(data, score_value="score_match", width=300, height=200, filter_by=models)
    widget = chart.widget
    sent: list = []
    widget.send = lambda content, buffers=None: sent.append((content, buffers or []))
    kept = sorted(set(data.to_arrow()["model_display_name"].to_pylist()))[1:3]
    widget.channel.receive({"kind": "requery", "id": 1, "payload": {
        "prefix": "", "resolve": "intersect", "clauses": [in_clause("model_display_name", *kept)]}})
    (reply, buffers), = sent
    cells = from_ipc(buffers[reply["tables"].index("cells")])
    assert sorted(set(cells["y"].to_pylist())) == kept
    first = cells.to_pylist()[0]
    widget.channel.receive({"kind": "drill", "id": 2, "payload": {"datum": {"xb": first["xb"], "yb": first["yb"]}}})
    reply, buffers = sent[-1]
    assert "error" not in reply, reply
    region = from_ipc(buffers[reply["tables"].index("cells")])
    assert set(region["y"].to_pylist()) <= set(kept) and "x_members" not in region.column_names
