"""Drill-down regions: read from full-resolution cells kept in memory once a widget shows the chart, queried
from the table before that. Both ways must give the same cells; keeping them must not block the user's queries."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.views import regions as regions_module
from evalviz.views.binning import axis_ranks
from evalviz.views.grid import GridColumns
from evalviz.views.regions import Region, RegionSource

MODELS, SAMPLES, EPOCHS = 12, 900, 2


@pytest.fixture(scope="module")
def samples_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sample rows with scores on a 0-10 scale; some (model, sample) pairs have no rows at all."""
    path = tmp_path_factory.mktemp("regions") / "samples.parquet"
    duckdb.connect().execute(
        f"""COPY (
            SELECT 'model-' || lpad(CAST(m AS VARCHAR), 2, '0') AS model_display_name,
                   's' || lpad(CAST(s AS VARCHAR), 4, '0') AS id, e + 1 AS epoch,
                   CAST(hash(m, s, e) % 11 AS DOUBLE) AS score_match,
                   'https://logs.example.com/m' || m || '/s' || s || '/' || (e + 1) AS log_viewer
            FROM range({MODELS}) a(m), range({SAMPLES}) b(s), range({EPOCHS}) c(e)
            WHERE (m * 7 + s) % 13 <> 0
            ORDER BY m, s, e
        ) TO '{path}' (FORMAT parquet)"""
    )
    return path


def awkward_table() -> ev.Data:
    """Two tasks whose ids repeat, NULL labels, NaN and missing scores, statuses with reasons, odd links."""
    rows = []
    for task in ("alpha", "beta"):
        for i in range(40):
            for model in ("m1", "m2", None, "m'4"):
                if (i + len(model or "")) % 5 == 0:
                    continue  # a pair without rows
                status = "error" if i % 11 == 0 else "skipped" if i % 7 == 0 else "ok"
                rows.append({
                    "task_name": task, "id": None if i == 3 else f"q{i}", "model": model,
                    "score": float("nan") if i % 9 == 0 else None if i % 10 == 0 else (i % 4) / 3,
                    "status": status, "reason": None if status == "ok" else f"because {i}",
                    "link": "javascript:alert(1)" if i == 5 else f"https://h/{task}/{i}/{model}",
                })
    return ev.Data.from_dataframe(pa.Table.from_pylist(rows))


def test_kept_regions_equal_queried_regions() -> None:
    data = awkward_table()
    columns = GridColumns(x="id", y="model", fill="score", link="link", status="status", reason="reason",
                          x_group="task_name")
    ranks = axis_ranks(data, columns, "ascending")
    source = RegionSource(data, columns, agg="mean", ranks=ranks)
    n_x, n_y = ranks[0].num_rows, ranks[1].num_rows
    windows = [Region(0, n_x, 0, n_y), Region(0, 7, 1, 3), Region(n_x - 9, n_x, 0, 2), Region(30, 55, 2, n_y)]
    queried = [source.grid(w) for w in windows]
    assert not source.in_memory

    source.keep_in_background()
    assert source.ready.wait(60) and source.in_memory
    for window, before in zip(windows, queried, strict=True):
        after = source.grid(window)
        assert after.x_order == before.x_order and after.y_order == before.y_order
        assert after.cells.equals(before.cells), window

    # Against an independent computation: the whole grid holds every pair, rows counted and averaged.
    whole = queried[0].cells.to_pylist()
    assert len(whole) == n_x * n_y
    cell = next(c for c in whole if c["x"] == "alpha \u00b7 q2" and c["y"] == "m1")
    expected = data.sql(
        "SELECT avg(score) AS v, count(*) AS n FROM this WHERE task_name = 'alpha' AND id = 'q2' AND model = 'm1'"
    ).to_pylist()[0]
    assert (cell["value"], cell["n"], cell["status"]) == (pytest.approx(expected["v"]), expected["n"], "ok")
    empty = next(c for c in whole if c["n"] == 0)
    assert (empty["status"], empty["note"], empty["value"]) == ("no data", "no rows", None)
    failed = next(c for c in whole if c["status"] == "error")
    assert failed["note"].startswith("error: because ")
    assert any(c["y"] == "(null)" for c in whole) and any(c["x"].endswith("(null)") for c in whole)


def test_drill_down_is_the_same_before_and_after_the_cells_are_kept(samples_file: Path) -> None:
    chart = ev.sample_heatmap(ev.Data.from_file(samples_file), score_value="score_match")
    cells = chart.datasets["cells"].to_pylist()
    clicks = [cells[0], cells[len(cells) // 2], cells[-1]]
    queried = [chart.drilldown(datum) for datum in clicks]
    assert not chart.drilldown.regions.in_memory

    chart.widget  # noqa: B018 - showing the widget starts keeping the cells
    assert chart.drilldown.regions.ready.wait(60) and chart.drilldown.regions.in_memory
    for datum, before in zip(clicks, queried, strict=True):
        after = chart.drilldown(datum)
        assert after.spec == before.spec
        assert after.datasets["cells"].equals(before.datasets["cells"])


def test_keeping_cells_leaves_the_connection_free(samples_file: Path) -> None:
    data = ev.Data.from_file(samples_file)
    chart = ev.sample_heatmap(data, score_value="score_match")
    chart.drilldown.prepare()
    # The user's own queries and charts run while the cells are kept, on the same session connection.
    counts = [len(data) for _ in range(20)]
    again = ev.sample_heatmap(data.filter("epoch = 1"), score_value="score_match")
    assert counts == [MODELS * SAMPLES * EPOCHS - len(_missing_pairs()) * EPOCHS] * 20
    assert again.datasets["cells"].num_rows > 0
    assert chart.drilldown.regions.ready.wait(60) and chart.drilldown.regions.in_memory


def _missing_pairs() -> list[tuple[int, int]]:
    return [(m, s) for m in range(MODELS) for s in range(SAMPLES) if (m * 7 + s) % 13 == 0]


def test_regions_are_queried_when_the_cells_cannot_be_kept(monkeypatch: pytest.MonkeyPatch, samples_file: Path
                                                          ) -> None:
    # A connection's TEMP table is invisible to other connections, so the background cursor cannot read it.
    con = duckdb.connect()
    con.execute(f"CREATE TEMP TABLE samples AS SELECT * FROM '{samples_file}'")
    chart = ev.sample_heatmap(ev.Data.from_sql("SELECT * FROM samples", connection=con), score_value="score_match")
    datum = chart.datasets["cells"].to_pylist()[5]
    before = chart.drilldown(datum)
    chart.drilldown.prepare()
    assert chart.drilldown.regions.ready.wait(60) and not chart.drilldown.regions.in_memory
    assert chart.drilldown(datum).datasets["cells"].equals(before.datasets["cells"])

    # A grid too large to keep is not kept either.
    monkeypatch.setattr(regions_module, "MAX_KEPT_CELLS", 1000)
    big = ev.sample_heatmap(ev.Data.from_file(samples_file), score_value="score_match")
    big.drilldown.prepare()
    assert big.drilldown.regions.ready.wait(5) and not big.drilldown.regions.in_memory
    assert big.drilldown(datum).datasets["cells"].num_rows > 0


def test_a_region_keeps_the_overview_colours_and_plot_area(samples_file: Path) -> None:
    chart = ev.sample_heatmap(ev.Data.from_file(samples_file), score_value="score_match")
    region = chart.drilldown(chart.datasets["cells"].to_pylist()[40])

    def color_domain(spec: dict) -> list[float]:
        return spec["layer"][0]["encoding"]["color"]["scale"]["domain"]

    # Scores run 0..10. The bins' means stay well inside that, but single samples reach the ends, so the
    # overview's colours span the samples' min and max, and the region keeps them.
    means = [v for v in chart.datasets["cells"]["value"].to_pylist() if v is not None]
    assert 0 < min(means) and max(means) < 10
    assert color_domain(chart.spec) == color_domain(region.spec) == [0.0, 10.0]
    assert region.spec["autosize"] == {"type": "pad"}
    assert [region.spec["width"], region.spec["height"]] == chart.spec["usermeta"]["evalviz"]["plot_size"]


def test_charts_keep_their_cells_within_a_memory_budget(monkeypatch: pytest.MonkeyPatch, samples_file: Path
                                                       ) -> None:
    data = ev.Data.from_file(samples_file)
    charts = [ev.sample_heatmap(data, score_value="score_match") for _ in range(3)]
    sources = [chart.drilldown.regions for chart in charts]
    datum = charts[0].datasets["cells"].to_pylist()[7]
    queried = [chart.drilldown(datum) for chart in charts]

    def keep(i: int) -> None:
        charts[i].drilldown.prepare()
        _wait_until(lambda: sources[i].in_memory)

    keep(0)
    # Room for about two charts' cells.
    monkeypatch.setattr(regions_module, "KEPT_BYTES_BUDGET", int(sources[0].kept_bytes * 2.5))
    keep(1)
    charts[0].drilldown(datum)  # drilled into: now the second chart is the least recently used
    keep(2)
    assert [s.in_memory for s in sources] == [True, False, True]

    # The chart that gave its cells up still answers, from the table; asked again, it keeps them anew and the
    # least recently used (the first) gives way.
    assert charts[1].drilldown(datum).datasets["cells"].equals(queried[1].datasets["cells"])
    keep(1)
    assert [s.in_memory for s in sources] == [False, True, True]
    assert charts[1].drilldown(datum).datasets["cells"].equals(queried[1].datasets["cells"])


def _wait_until(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
