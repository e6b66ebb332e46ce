"""Issue 10, kind 9: charts and Data operations work from several threads at once, on one shared connection; a
table on its own cursor keeps what it scans alive."""

from __future__ import annotations

import gc
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import evalviz as ev

EVALS = Path(__file__).resolve().parents[2] / "examples" / "data" / "evals.parquet"
THREADS, ROUNDS = 8, 3


def one_round(data: ev.Data, title: str) -> list[Any]:
    """What a user does with a table from a thread: a chart, a filter, a count, a selection."""
    chart = ev.scores_heatmap(data, title=title)
    first = data.columns[0]
    return [
        chart.datasets["cells"].to_pylist(),
        len(data.filter("score_headline_value >= 0.5")),
        len(data),
        data.select(first).to_arrow()[first].to_pylist(),
        data.sql("SELECT count(DISTINCT model) AS n FROM this")["n"][0].as_py(),
    ]


def run_together(work: Any, n: int, rounds: int = ROUNDS) -> list[Any]:
    """`work(i)` `rounds` times in each of n threads released at one moment; the results, or the exception raised."""
    start = threading.Barrier(n)

    def task(i: int) -> Any:
        start.wait()
        return [work(i) for _ in range(rounds)]

    with ThreadPoolExecutor(n) as pool:
        futures = [pool.submit(task, i) for i in range(n)]
        return [f.exception() or f.result() for f in futures]


def test_eight_threads_draw_charts_from_one_table() -> None:
    if not EVALS.exists():
        pytest.skip("examples/data is built by examples/make_example_data.py")
    data = ev.Data.from_file(EVALS)
    alone = one_round(data, "t")
    results = run_together(lambda i: one_round(data, "t"), THREADS)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert all(r == [alone] * ROUNDS for r in results)
    # The single-threaded answers are the table's own, computed here with pyarrow.
    table = pq.read_table(EVALS)
    assert alone[2] == table.num_rows
    assert alone[1] == sum(v >= 0.5 for v in table["score_headline_value"].to_pylist() if v is not None)


def test_threads_on_a_dataframe_and_on_derived_tables() -> None:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"model": rng.choice(["a", "b", "c"], 300), "task": rng.choice(["x", "y"], 300),
                          "score": rng.random(300)})
    data = ev.Data.from_dataframe(frame)

    def work(i: int) -> list[Any]:
        part = data.filter(f"score >= {i / 10}")
        cells = ev.scores_heatmap(part, task_name="task", model_name="model", score_value="score", link=None)
        return [len(part), sorted((c["x"], c["y"], round(c["value"], 12)) for c in cells.datasets["cells"].to_pylist())]

    results = run_together(work, THREADS, rounds=1)
    for i, result in enumerate(results):
        assert not isinstance(result, BaseException), result
        kept = frame[frame.score >= i / 10]
        means = kept.groupby(["task", "model"]).score.mean()
        expected = [len(kept), sorted((t, m, round(v, 12)) for (t, m), v in means.items())]
        assert result == [expected]


@pytest.mark.parametrize("kind", ["arrow", "pandas"])
def test_a_table_on_its_own_cursor_outlives_the_table_it_came_from(kind: str) -> None:
    values = list(range(50))
    frame = pa.table({"v": values}) if kind == "arrow" else pd.DataFrame({"v": values})
    own = ev.Data.from_dataframe(frame).filter("v % 2 = 0").on_own_cursor()
    del frame
    gc.collect()
    assert own.to_arrow()["v"].to_pylist() == [v for v in values if v % 2 == 0]
    assert own.sql("SELECT sum(v) AS s FROM this")["s"][0].as_py() == sum(v for v in values if v % 2 == 0)


def test_a_file_table_on_its_own_cursor_still_notices_changes(tmp_path: Path) -> None:
    path = tmp_path / "s.parquet"
    pq.write_table(pa.table({"score": [0.5]}), path)
    own = ev.Data.from_file(path).on_own_cursor()
    path.unlink()
    with pytest.raises(ev.DataSourceError, match="deleted"):
        own.to_arrow()
