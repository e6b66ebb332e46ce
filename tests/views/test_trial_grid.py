"""Findings of the new-user trial (issue 10) in the heatmap views, read from the cells' data and the spec:
partly failed cells keep the value of their good rows, an eval that completed fewer samples than it had says
so, a cell opens the link of what failed, counts carry thousands separators, unknown arguments name the
closest, the binned subtitle is true wherever it is shown, and label widths are measured in the charts' font.

Expected values are computed apart, with DuckDB or numpy.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from inspect_ai.analysis import EvalResults

import evalviz as ev
from evalviz.rendering.contract import RendererContract, TooltipRow
from evalviz.views.chart import AXIS_LABEL_LIMIT, TITLE_MARGIN, label_widths, subtitle_lines
from evalviz.views.colors import ERROR_COLOR
from evalviz.views.font_metrics import drawn_width
from evalviz.views.grid_marks import CORNER_PATH
from grid_cells import cell, cells, parquet

LOG = "https://logs.example.com/viewer/#/logs/{}.eval"
SAMPLE_LINK = "https://logs.example.com/viewer/#/logs/run.eval/samples/sample/{}/{}"








def layers_with(chart: ev.Component, channel: str) -> list[dict]:
    return [layer for layer in chart.spec["layer"] if channel in layer.get("encoding", {})]


# -- partly failed cells -------------------------------------------------------------------------------------
@pytest.fixture
def evals(tmp_path: Path) -> ev.Data:
    """An evals table with inspect_ai's columns: a flaky eval completed 12 of its 16 samples; a retried pair
    holds a failed run and a good one; a pair failed twice; the rest ran whole."""
    return parquet(
        tmp_path, "evals",
        model_display_name=["flaky", "flaky", "retried", "retried", "broken", "broken", "good"],
        task_display_name=["arith", "spell", "arith", "arith", "arith", "arith", "arith"],
        status=["success", "success", "error", "success", "error", "error", "success"],
        error_message=[None, None, "RuntimeError: HTTP 503", None, "RuntimeError: HTTP 503", "OSError: disk", None],
        total_samples=[16.0, 16.0, None, 16.0, None, None, 16.0],
        completed_samples=[12.0, 16.0, None, 16.0, None, None, 16.0],
        score_headline_value=[1.0, 0.5, None, 0.75, None, None, 0.25],
        log_viewer=[LOG.format(n) for n in ("f1", "f2", "r1", "r2", "b1", "b2", "g1")],
    )


def test_inspect_ai_names_the_sample_count_columns_so() -> None:
    names = {column.name for column in EvalResults}
    assert {"completed_samples", "total_samples", "status", "error_message"} <= names


def test_an_eval_that_completed_fewer_samples_is_partly_failed_with_its_score(evals: ev.Data) -> None:
    chart = ev.scores_heatmap(evals)
    flaky = cell(chart, x="arith", y="flaky")
    assert flaky["status"] == "partly failed" and flaky["value"] == 1.0
    assert flaky["note"] == "partly failed: 12 of 16 samples completed"
    whole = cell(chart, x="spell", y="flaky")
    assert whole["status"] == "ok" and whole["note"] is None
    # Without the columns, nothing is known of the samples: the cell is an ordinary one.
    plain = ev.scores_heatmap(evals, completed_samples=None, total_samples=None)
    assert cell(plain, x="arith", y="flaky")["status"] == "ok"


def test_a_retried_eval_shows_its_good_run_and_says_one_failed(evals: ev.Data) -> None:
    chart = ev.scores_heatmap(evals)
    retried = cell(chart, x="arith", y="retried")
    assert retried["status"] == "partly failed" and retried["value"] == 0.75 and retried["n"] == 2
    assert retried["note"] == "partly failed: 1 of 2 rows failed: RuntimeError: HTTP 503"
    assert retried["link"] == LOG.format("r1")  # the cell's mark speaks of the failed run: its log opens
    broken = cell(chart, x="arith", y="broken")  # every run failed: only then an error cell
    assert broken["status"] == "error" and broken["value"] is None
    assert broken["note"] == "error (all 2 rows): OSError: disk; RuntimeError: HTTP 503"
    assert cell(chart, x="arith", y="good")["status"] == "ok"


def test_partly_failed_cells_are_coloured_and_marked_with_a_legend_entry(evals: ev.Data) -> None:
    chart = ev.scores_heatmap(evals)
    colored = layers_with(chart, "color")[0]
    assert "partly failed" in colored["transform"][0]["filter"]  # coloured by its value, as an ok cell
    flags = layers_with(chart, "fill")[0]["encoding"]["fill"]["scale"]["domain"]
    assert "partly failed" not in flags and "error" in flags
    (corner,) = layers_with(chart, "shape")
    assert corner["encoding"]["shape"]["scale"] == {"domain": ["partly failed"], "range": [CORNER_PATH]}
    assert corner["mark"]["color"] == ERROR_COLOR
    assert corner["encoding"]["x"]["bandPosition"] == 1 and corner["encoding"]["y"]["bandPosition"] == 0
    # Its tooltip names the failures; an ok cell's has no such row (its note is null).
    rows = RendererContract.of_spec(chart.spec).tooltips
    assert TooltipRow("note", "Status") in rows[colored["name"]] and rows[corner["name"]] == rows[colored["name"]]


def test_a_sample_whose_epoch_failed_shows_the_other_epochs_and_opens_the_failed_one(tmp_path: Path) -> None:
    data = parquet(
        tmp_path, "samples", id=["1", "1", "1", "2", "2", "3", "3"], epoch=[1, 2, 3, 1, 2, 1, 2],
        model_display_name=["m"] * 7, score_match=[1.0, None, 0.5, 0.0, 1.0, None, None],
        error=["", "RuntimeError: sandbox died", "", "", "", "TimeoutError", "TimeoutError"],
        log_viewer=[SAMPLE_LINK.format(i, e) for i, e in [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (3, 1), (3, 2)]],
    )
    chart = ev.sample_heatmap(data, score_value="score_match")
    partly = cell(chart, x="1")
    assert partly["status"] == "partly failed" and partly["value"] == pytest.approx(0.75)
    assert partly["note"] == "partly failed: 1 of 3 rows failed: RuntimeError: sandbox died"
    assert partly["link"] == SAMPLE_LINK.format(1, 2)  # the epoch that failed
    assert cell(chart, x="2")["link"] == SAMPLE_LINK.format(2, 1)  # nothing failed: the first epoch
    failed = cell(chart, x="3")
    assert failed["status"] == "error" and failed["note"] == "error (all 2 rows): TimeoutError"


def test_a_bin_holding_failed_samples_shows_mean_min_and_max_of_the_others(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    n = 400
    scores = rng.random(2 * n).round(3)
    errors = [""] * (2 * n)
    for i in (5, 6, n + 390):
        errors[i] = f"RuntimeError: sample {i} died"
    table = pa.table({"id": [f"s{i:03d}" for i in range(n)] * 2, "model_display_name": ["a"] * n + ["b"] * n,
                      "score_match": [None if e else s for s, e in zip(scores.tolist(), errors, strict=True)],
                      "error": errors})
    pq.write_table(table, tmp_path / "big.parquet")
    chart = ev.sample_heatmap(ev.Data.from_file(tmp_path / "big.parquet"), score_value="score_match", sort=None,
                              width=400, height=300)
    binned = [c for c in cells(chart) if c["status"] == "partly failed"]
    assert len(binned) == 2 and not [c for c in cells(chart) if c["status"] == "error"]
    con = duckdb.connect()
    con.register("t", table)
    for bin_cell in binned:
        first, last = (int(v) - 1 for v in bin_cell["x"].split("\u2013"))
        ids = [f"s{i:03d}" for i in range(first, last + 1)]
        expected = con.execute(
            "SELECT avg(score_match), min(score_match), max(score_match), count(*), "
            "count(*) FILTER (WHERE error <> '') FROM t WHERE model_display_name = ? AND list_contains(?, id)",
            [bin_cell["y"], ids]).fetchone()
        mean, low, high, rows, failed = expected
        assert bin_cell["value"] == pytest.approx(mean)
        assert (bin_cell["low_value"], bin_cell["high_value"]) == (pytest.approx(low), pytest.approx(high))
        assert bin_cell["n"] == rows
        assert bin_cell["note"].startswith(f"partly failed: {failed} of {rows} rows failed: RuntimeError: sample ")
    # The cells are too small for a corner mark: the subtitle says what they hold.
    subtitle = " ".join(chart.spec["title"]["text"])
    assert "2 cells are partly failed (too small to mark)" in subtitle


# -- counts, subtitles, arguments ------------------------------------------------------------------------------
def test_counts_have_thousands_separators_everywhere(tmp_path: Path) -> None:
    long_form = parquet(tmp_path, "slices", row=["easy", "hard"], col=["m", "m"], value=[0.5, 0.7],
                        n=[10000, 1041])
    chart = ev.slice_metric_heatmap(long_form)
    rows = RendererContract.of_spec(chart.spec).tooltips["cells"]
    assert TooltipRow("size", "n", ",d") in rows
    repeated = parquet(tmp_path, "repeated", x=["a"] * 1200, y=["m"] * 1200, v=[0.5] * 1200)
    many = ev.heatmap(repeated, x="x", y="y", fill="v")
    assert "(up to 1,200)" in " ".join(many.spec["title"]["text"])
    assert TooltipRow("n", "rows", ",d") in RendererContract.of_spec(many.spec).tooltips["cells"]


def test_the_binned_subtitle_is_true_in_a_notebook_and_in_a_saved_file(tmp_path: Path) -> None:
    data = parquet(tmp_path, "big", id=[str(i) for i in range(600)], model_display_name=["a"] * 600,
                   score_match=[0.5] * 600)
    chart = ev.sample_heatmap(data, score_value="score_match", width=400)
    subtitle = " ".join(chart.spec["title"]["text"])
    assert subtitle.startswith("Binned") and chart.drilldown is not None
    assert "In a live notebook, a click on a cell shows its samples one by one" in subtitle
    assert "a saved file holds this overview only" in subtitle
    assert "in a notebook, click it" not in subtitle  # the words that promised a click in any file


@pytest.mark.parametrize(("call", "wrong", "right"), [
    (lambda data, **kw: ev.heatmap(data, x="t", y="m", fill="s", **kw), "fill_lable", "fill_label"),
    (lambda data, **kw: ev.scores_heatmap(data, **kw), "model_lable", "model_label"),
    (lambda data, **kw: ev.sample_heatmap(data, score_value="s", **kw), "id_lable", "id_label"),
    (lambda data, **kw: ev.slice_metric_heatmap(data, **kw), "metric_nam", "metric_name"),
    (lambda data, **kw: ev.diff_plot(data, **kw), "higher_is_beter", "higher_is_better"),
    (lambda data, **kw: ev.heatmap(data, x="t", y="m", fill="s", **kw), "backgroud", "background"),
    (lambda data, **kw: ev.scores_heatmap(data, **kw), "x_tick_rotat", "x_tick_rotate"),
])
def test_an_unknown_argument_names_the_closest_before_any_work(call, wrong: str, right: str) -> None:
    # The data is not a table at all: the argument is refused before the view looks at it.
    with pytest.raises(ev.EvalvizError, match=rf"has no argument '{wrong}'\. Did you mean '{right}'\?"):
        call(None, **{wrong: 1})


def test_an_argument_a_view_does_not_take_lists_what_it_takes() -> None:
    with pytest.raises(ev.EvalvizError) as caught:
        ev.heatmap(None, x="t", y="m", fill="s", orientation="vertical")
    message = str(caught.value)
    assert message.startswith("heatmap has no argument 'orientation'. It takes data, x, y, fill,")
    assert "background" in message and "x_tick_rotate" in message


def test_unknown_names_of_options_name_the_closest(tmp_path: Path) -> None:
    data = parquet(tmp_path, "evals", model_display_name=["a"], task_display_name=["t"], score_headline_value=[0.5])
    for kwargs, closest in (({"cmap": "viridisx"}, "viridis"), ({"cmap": "blues"}, "Blues"), ({"agg": "meen"}, "mean"),
                            ({"sort": "ascendng"}, "ascending")):
        with pytest.raises(ev.EvalvizError, match=f"Did you mean '{closest}'"):
            ev.heatmap(data, x="task_display_name", y="model_display_name", fill="score_headline_value", **kwargs)
    with pytest.raises(ev.EvalvizError, match="Did you mean 'vertical'"):
        ev.scores_heatmap(data, orientation="verticle")


# -- label widths ----------------------------------------------------------------------------------------------
def test_label_widths_are_those_of_dejavu_sans() -> None:
    # DejaVu Sans's advance widths (font units of 2048 per em): "i" 569, "m" 1995, "0" to "9" 1303, "W" 2025.
    assert drawn_width("i" * 20, 10) == pytest.approx(20 * 569 * 10 / 2048)
    assert drawn_width("m" * 20, 10) == pytest.approx(20 * 1995 * 10 / 2048)
    assert drawn_width("0123456789", 11) == pytest.approx(10 * 1303 * 11 / 2048)
    assert drawn_width("\u00c9t\u00e9", 10) == drawn_width("Ete", 10)  # an accent takes no width of its own
    assert drawn_width("\u65e5\u672c", 10) == 20  # a full-width character takes an em
    assert label_widths(["W" * 100]) == [AXIS_LABEL_LIMIT]  # the axis cuts a long label


def test_a_subtitle_is_wrapped_to_the_chart_width_in_its_font() -> None:
    text = ("The headline scores come from different scorers (includes (accuracy); match (accuracy)): hover a cell "
            "for its scorer. Each cell shows the mean of its rows (up to 2); hover a cell for its row count.")
    for width in (300, 480, 700):
        lines = subtitle_lines(text, width)
        assert " ".join(lines) == text
        assert all(drawn_width(line, 12) <= width - TITLE_MARGIN for line in lines)
        # Greedy: the next line's first word would not have fitted on the line before.
        for line, after in zip(lines, lines[1:], strict=False):
            assert drawn_width(f"{line} {after.split()[0]}", 12) > width - TITLE_MARGIN


def test_slanted_labels_leave_room_for_their_neighbours(tmp_path: Path) -> None:
    """The docs' hconcat example: "includes" at 480 px wide lost two of its four task labels to Vega's overlap
    removal. A label slanted by a takes w cos a + h sin a along the axis: each must fit its band."""
    evals = ev.Data.from_file(Path(__file__).resolve().parents[2] / "examples" / "data" / "evals.parquet")
    chart = ev.scores_heatmap(evals, score_value="score_includes_accuracy", title="includes", width=480)
    x_axis = layers_with(chart, "color")[0]["encoding"]["x"]["axis"]
    angle = np.radians(-x_axis["labelAngle"])
    labels = chart.spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    band = chart.spec["usermeta"]["evalviz"]["plot_size"][0] / len(labels)
    widths = label_widths(labels)
    assert max(widths[1:]) * np.cos(angle) + 10 * np.sin(angle) <= band
    assert json.dumps(chart.spec)  # a valid spec all the same
