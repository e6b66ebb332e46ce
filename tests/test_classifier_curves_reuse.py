"""pr_curve and roc_curve of the same predictions rank them once (issue 13's benchmark), and never reuse a
ranking for rows that changed: each curve's areas equal scikit-learn's on the rows as they are when it is drawn.
The predictions' checks run in one pass and still name the offending column and row."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

import evalviz as ev
import evalviz.views.classifier_curves as curves_view
from evalviz.errors import ColumnTypeError


def predictions(seed: int, n: int = 400) -> pa.Table:
    rng = np.random.default_rng(seed)
    label = rng.integers(0, 2, n)
    return pa.table({"model": np.array(["a", "b"])[np.arange(n) % 2], "label": label,
                     "score": rng.normal(0, 1, n) + label})


def areas(chart: ev.Component) -> dict[str, float]:
    return {row["series"]: row["area"] for row in chart.datasets["series"].to_pylist()}


def expected(table: pa.Table, metric) -> dict[str, float]:
    model, label, score = (table[c].to_numpy(zero_copy_only=False) for c in ("model", "label", "score"))
    return {m: metric(label[model == m], score[model == m]) for m in sorted(set(model))}


@pytest.fixture
def counted_ranks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many series the curve views ranked, call by call, from an empty store of rankings (whatever earlier
    tests drew)."""
    calls: list[int] = []
    rank = curves_view.rank
    monkeypatch.setattr(curves_view, "_LAST_RANKED", {})

    def counting(positives: np.ndarray, negatives: np.ndarray):
        calls.append(1)
        return rank(positives, negatives)

    monkeypatch.setattr(curves_view, "rank", counting)
    return calls


def test_pr_then_roc_of_the_same_predictions_rank_each_series_once(counted_ranks: list[int]) -> None:
    table = predictions(seed=1)
    data = ev.Data.from_dataframe(table)
    assert areas(ev.pr_curve(data, series="model")) == pytest.approx(expected(table, average_precision_score))
    assert areas(ev.roc_curve(data, series="model")) == pytest.approx(expected(table, roc_auc_score))
    assert len(counted_ranks) == 2  # two series, ranked by pr_curve only
    ev.roc_curve(data, label="label", score="score")  # other roles: other predictions, ranked anew
    assert len(counted_ranks) == 3


def test_a_table_updated_between_two_curves_is_ranked_again(counted_ranks: list[int]) -> None:
    db = duckdb.connect()
    db.register("first", predictions(seed=2))
    db.execute("CREATE TABLE preds AS SELECT * FROM first")
    data = ev.Data.from_sql("SELECT * FROM preds", connection=db)
    ev.roc_curve(data, series="model")
    for change in ("UPDATE preds SET label = 1 - label WHERE score > 1.5",  # labels only
                   "UPDATE preds SET model = 'b' WHERE score < -1",  # the series only
                   "UPDATE preds SET score = -score WHERE model = 'a' AND label = 0"):  # scores only
        db.execute(change)
        now = db.sql("SELECT * FROM preds").to_arrow_table()
        assert areas(ev.roc_curve(data, series="model")) == pytest.approx(expected(now, roc_auc_score))
    assert len(counted_ranks) == 4 * 2


def test_a_file_rewritten_between_two_curves_is_ranked_again(tmp_path) -> None:
    path = tmp_path / "preds.parquet"
    pq.write_table(predictions(seed=3), path)
    data = ev.Data.from_file(path)
    ev.pr_curve(data, series="model")
    rewritten = predictions(seed=4)
    pq.write_table(rewritten, path)
    assert areas(ev.roc_curve(data, series="model")) == pytest.approx(expected(rewritten, roc_auc_score))


def test_one_pass_of_checks_names_the_score_column_and_row_at_fault() -> None:
    table = pa.table({"y": [0, 1, None, 1], "p": [0.1, 0.9, 0.5, 0.4], "q": [0.3, 0.2, float("inf"), 0.6]})
    with pytest.raises(ColumnTypeError, match="score column 'q' holds inf at row 2"):
        ev.roc_curve(table, label="y", score=["p", "q"])
    with pytest.raises(ColumnTypeError, match="label column 'y' holds '0.5' at row 1"):
        ev.pr_curve(pa.table({"y": [0, 0.5, None], "p": [0.1, 0.2, 0.3]}), label="y", score="p")
    chart = ev.roc_curve(pa.table({"y": [0, 1, None, 1, 0], "p": [0.1, 0.9, 0.5, float("nan"), 0.4]}),
                         label="y", score="p")
    assert "2 predictions without a label or a score are left out" in " ".join(chart.spec["title"]["text"])
