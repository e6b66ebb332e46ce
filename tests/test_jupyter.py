"""A real JupyterLab on loopback: a notebook cell displays a scores_heatmap as a widget, and the chart, its
tooltip and the clicked-cell selection (browser -> kernel) all work; an ev.table pages, sorts and searches through
the kernel; an input in one cell filters a chart and a table in others."""

from __future__ import annotations

import contextlib
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser import HEATMAP_CELLS_JS, ChartPage
from jupyter_server import JupyterLab, jupyter_lab, run_cell

pytestmark = pytest.mark.jupyter

NOTEBOOK_CELLS = [
    "import evalviz as ev\n"
    "import pyarrow as pa\n"
    "table = pa.table({'model_display_name': ['alpha', 'alpha', 'beta', 'beta'],\n"
    "                  'task_display_name': ['Arithmetic', 'Capitals', 'Arithmetic', 'Capitals'],\n"
    "                  'score_headline_value': [0.2, 0.4, 0.6, 0.8],\n"
    "                  'log_viewer': ['https://logs.example.com/viewer/#/logs/a.eval'] * 4})\n"
    "chart = ev.scores_heatmap(ev.Data.from_dataframe(table), title='Scores in JupyterLab')\n"
    "chart",
    "print('SELECTION', chart.selection)",
]


def test_scores_heatmap_in_jupyterlab(browser, tmp_path: Path) -> None:
    with jupyter_lab(tmp_path) as lab:
        lab.write_notebook("chart.ipynb", NOTEBOOK_CELLS)
        context, page, outside = lab.open_notebook(browser, "chart.ipynb")
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        run_cell(page, 0)
        target = page.locator(".jp-OutputArea-output div.evalviz-target[data-evalviz-state=ready]")
        target.wait_for(timeout=60_000)
        # The widget, not its static output too (hidden by the view: tests/test_notebook_reopen.py).
        assert page.locator(".jp-OutputArea-output div.evalviz-target:visible").count() == 1

        chart = ChartPage(page=page, context=context)
        assert len(chart.cells()) == 4
        beta = chart.cell(y="beta", x="Capitals")
        tip = chart.hover(beta)
        assert tip["Model"] == "beta" and tip["Task"] == "Capitals" and tip["Score"] == "0.800"
        assert "Scores in JupyterLab" in target.inner_text()

        # A click reaches the kernel: the Component's selection is the clicked cell. The click also opens the
        # cell's log link, whose request is aborted like any other that leaves loopback.
        page.mouse.click(*beta.center)
        page.wait_for_timeout(500)
        run_cell(page, 1)
        printed = page.locator(".jp-OutputArea-output pre", has_text="SELECTION")
        printed.wait_for(timeout=30_000)
        text = printed.inner_text()
        assert "'y': 'beta'" in text and "'x': 'Capitals'" in text and "0.8" in text
        assert all(url.startswith("https://logs.example.com/") for url in outside), outside
        assert dialogs == []
        context.close()


def test_binned_sample_heatmap_drills_down_in_the_widget(browser, tmp_path: Path) -> None:
    """A click on a bin asks the kernel for that region (a message, its cells, Arrow bytes back); the
    region shows single samples with their own tooltips, and Back returns to the overview."""
    rows = "range(30) a(m), range(1200) b(s)"  # 36,000 cells: more samples than the chart has pixels
    cells = [
        "import duckdb, evalviz as ev\n"
        "duckdb.connect().execute(\"\"\"COPY (\n"
        "  SELECT 'model-' || lpad(CAST(m AS VARCHAR), 2, '0') AS model_display_name,\n"
        "  's' || lpad(CAST(s AS VARCHAR), 4, '0') AS id, 1 AS epoch,\n"
        "  CASE WHEN hash(m, s) % 100 < 30 + 2 * m THEN 1.0 ELSE 0.0 END AS score_match,\n"
        "  'https://logs.example.com/viewer/#/logs/m' || m || '.eval/samples/sample/s' || s || '/1' AS log_viewer\n"
        f"  FROM {rows}) TO 'samples.parquet' (FORMAT parquet)\"\"\")\n"
        "chart = ev.sample_heatmap(ev.Data.from_file('samples.parquet'), score_value='score_match')\n"
        "chart",
    ]
    with jupyter_lab(tmp_path) as lab:
        lab.write_notebook("drill.ipynb", cells)
        context, page, outside = lab.open_notebook(browser, "drill.ipynb")
        run_cell(page, 0)
        ready = ".jp-OutputArea-output div.evalviz-target[data-evalviz-state=ready]"
        page.locator(ready).wait_for(timeout=60_000)
        chart = ChartPage(page=page, context=context)
        overview = chart.cells()
        assert len(overview) < 30 * 1200 and "x_members" in overview[0].datum  # binned
        target = next(c for c in overview if c.datum["y"] == "model-07" and c.datum["xb"] == 40)
        members = target.datum["x_members"]
        first, last = members.split(" \u2026 ")[0], members.split(" \u2026 ")[1].split(" (")[0]

        page.mouse.click(*target.center)
        page.locator(".evalviz-back").wait_for(timeout=10_000)
        page.locator(ready).wait_for(timeout=10_000)
        detail = chart.cells()
        shown = {c.datum["x"] for c in detail}
        assert {first, last} <= shown and all("x_members" not in c.datum for c in detail)
        tip = chart.hover(chart.cell(x=first, y="model-07"))
        assert tip["Sample"] == first and tip["Log"].endswith(f"/samples/sample/s{int(first[1:])}/1")
        # The channel's timing marks, which the drill-down benchmark reads: the answer matched to its ask by id.
        asked, answered = page.evaluate(
            "() => ['asked', 'answered'].map((n) => performance.getEntriesByName(`evalviz:drill-${n}`)"
            ".map((m) => m.detail))"
        )
        assert len(asked) == len(answered) == 1 and answered[0]["id"] == asked[0]["id"]
        assert answered[0]["pythonMs"] > 0

        page.locator(".evalviz-back").click()
        page.locator(ready).wait_for(timeout=10_000)
        assert len(chart.cells()) == len(overview)
        assert outside == []
        context.close()


SAMPLES_TABLE = (
    "import duckdb, evalviz as ev\n"
    "duckdb.connect().execute(\"\"\"COPY (\n"
    "  SELECT 'model-' || lpad(CAST(m AS VARCHAR), 2, '0') AS model_display_name,\n"
    "  's' || lpad(CAST(s AS VARCHAR), 4, '0') AS id, e AS epoch,\n"
    "  CASE WHEN hash(m, s, e) % 100 < 30 + 2 * m THEN 1.0 ELSE 0.0 END AS score_match\n"
    "  FROM range(30) a(m), range(1200) b(s), range(2) c(e)) TO 'samples.parquet' (FORMAT parquet)\"\"\")\n"
    "samples = ev.Data.from_file('samples.parquet')\n"
    "models = ev.Selection.intersect(name='models')\n"
)


def test_charts_in_separate_cells_stay_linked_and_the_binned_heatmap_requeries(browser, tmp_path: Path) -> None:
    """A selection shared by widgets of two cells: a change on the page redraws both from the kernel (the
    binned heatmap binned again over the kept rows), and Python reads the clauses the page set."""
    import duckdb

    cells = [
        SAMPLES_TABLE + "heat = ev.sample_heatmap(samples, score_value='score_match', filter_by=models)\nheat",
        "other = ev.sample_heatmap(samples, score_value='score_match', filter_by=models, width=500)\nother",
        "print('CLAUSES', [(c.fields, c.value) for c in heat.params['models'].clauses])",
    ]
    kept = ["model-03", "model-17", "model-29"]
    with jupyter_lab(tmp_path) as lab:
        lab.write_notebook("linked.ipynb", cells)
        context, page, outside = lab.open_notebook(browser, "linked.ipynb")
        ready = ".jp-OutputArea-output div.evalviz-target[data-evalviz-state=ready]"
        run_cell(page, 0)
        page.locator(ready).first.wait_for(timeout=60_000)
        run_cell(page, 1)
        page.locator(ready).nth(1).wait_for(timeout=60_000)
        chart = ChartPage(page=page, context=context)
        assert {c.datum["y"] for c in chart.cells(0)} == {f"model-{m:02d}" for m in range(30)}

        clause = {"source": "test", "fields": ["model_display_name"], "op": "in", "value": [[m] for m in kept]}
        page.evaluate("(clause) => evalviz.selections.publish('models', clause)", clause)
        page.locator("[data-evalviz-requeries='1']").nth(1).wait_for(timeout=30_000)
        rows = duckdb.connect().sql(
            "SELECT model_display_name, count(*), sum(score_match) FROM read_parquet(?) "
            "WHERE model_display_name IN (?, ?, ?) GROUP BY ALL", params=[str(tmp_path / "samples.parquet"), *kept]
        ).fetchall()
        for index in (0, 2):  # each cell's widget view; its static output after it is hidden, not drawn
            cells_drawn = chart.cells(index)
            assert {c.datum["y"] for c in cells_drawn} == set(kept)
            assert "x_members" in cells_drawn[0].datum  # still binned: 1,200 samples
            # Each model's bins hold its rows, and their values add up to its scores, as DuckDB counts them.
            for model, count, total in rows:
                mine = [c.datum for c in cells_drawn if c.datum["y"] == model]
                assert sum(d["n"] for d in mine) == count
                assert sum(d["value"] * d["n_values"] for d in mine) == pytest.approx(total)

        run_cell(page, 2)
        printed = page.locator(".jp-OutputArea-output pre", has_text="CLAUSES")
        printed.wait_for(timeout=30_000)
        assert printed.inner_text().strip() == (
            "CLAUSES [(('model_display_name',), (('model-03',), ('model-17',), ('model-29',)))]")
        assert outside == []
        context.close()


# A table of 50,000 samples (25 models x 1,000 samples x 2 epochs, one hostile model name), written in file
# order; and a small evals table of organisations, one of them hostile.
HOSTILE = "<img src=x onerror=alert('name')>"
LIVE_SETUP = (
    "import duckdb, evalviz as ev\n"
    "duckdb.connect().execute(\"\"\"COPY (\n"
    f"  SELECT CASE WHEN m = 3 THEN '{HOSTILE.replace(chr(39), chr(39) * 2)}'\n"
    "    ELSE 'model-' || lpad(CAST(m AS VARCHAR), 2, '0') END AS model_display_name,\n"
    "  'm' || lpad(CAST(m AS VARCHAR), 2, '0') || '/s' || lpad(CAST(s AS VARCHAR), 4, '0') AS id, e AS epoch,\n"
    "  CASE WHEN hash(m, s, e) % 100 < 30 + 2 * m THEN 1.0 ELSE 0.0 END AS score_match\n"
    "  FROM range(25) a(m), range(1000) b(s), range(1, 3) c(e) ORDER BY m, s, e) TO 'samples.parquet'\"\"\")\n"
    "duckdb.connect().execute(\"\"\"COPY (\n"
    "  SELECT 'model-' || m AS model_display_name,\n"
    f"  CASE m % 3 WHEN 0 THEN 'Org A' WHEN 1 THEN '{HOSTILE.replace(chr(39), chr(39) * 2)}' ELSE 'Org C' END\n"
    "    AS model_organization_name, 'task-' || t AS task_display_name,\n"
    "  round(0.1 + 0.8 * ((m * 5 + t * 3 + r) % 9) / 8, 4) AS score_headline_value\n"
    "  FROM range(6) a(m), range(4) b(t), range(2) c(r) WHERE r = 0 OR (m + t) % 2 = 1) TO 'evals.parquet'\"\"\")\n"
    "samples, evals = ev.Data.from_file('samples.parquet'), ev.Data.from_file('evals.parquet')\n"
    "chosen = ev.Selection.intersect()\n"
)
SAMPLE_COLUMNS = ["id", "epoch", "model_display_name", "score_match"]
EVAL_COLUMNS = ["model_display_name", "task_display_name", "score_headline_value"]
ROWS_JS = """(el) => [...el.querySelectorAll('.tabulator-row')].map((r) =>
    [...r.querySelectorAll('.tabulator-cell')].map((c) => c.textContent))"""
# The kernel's answers to the page's requests of one kind ("table:" for a table's pages, "requery" for charts).
ANSWERS_JS = """(kind) => performance.getEntriesByType('mark')
    .filter((m) => m.name.startsWith('evalviz:' + kind) && m.name.endsWith('-answered')).map((m) => m.detail)"""


@pytest.fixture(scope="module")
def shared_lab(tmp_path_factory) -> Iterator[JupyterLab]:  # noqa: ANN001
    """One JupyterLab for the tests below, its folder holding the tables LIVE_SETUP writes."""
    with jupyter_lab(tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture
def lab(shared_lab: JupyterLab) -> JupyterLab:
    """The shared JupyterLab with its saved workspaces deleted: a notebook opened alone, not among the tabs a test
    before left open (one of which may become the current one the cells are run in)."""
    api = f"{shared_lab.base}/lab/api/workspaces"
    with urllib.request.urlopen(f"{api}?token={shared_lab.token}", timeout=10) as answer:
        names = json.load(answer)["workspaces"]["ids"]
    for name in names:
        urllib.request.urlopen(urllib.request.Request(f"{api}/{name}?token={shared_lab.token}", method="DELETE"),
                               timeout=10).close()
    return shared_lab


def shown_row(row: tuple, kinds: str) -> list[str]:
    """A row as the table shows it: floats to 3 decimals, the rest as text."""
    return [f"{v:.3f}" if k == "f" else str(v) for v, k in zip(row, kinds, strict=True)]


def wait_rows(page, output, want: list[list[str]]) -> None:  # noqa: ANN001
    """Wait until the table in `output` draws `want`, then compare (the rows drawn name the difference)."""
    grid = output.locator(".tabulator").first
    with contextlib.suppress(PlaywrightTimeout):  # the comparison below says what differs
        page.wait_for_function(f"([el, want]) => JSON.stringify(({ROWS_JS})(el)) === JSON.stringify(want)",
                               arg=[grid.element_handle(), want], timeout=15_000)
    assert grid.evaluate(ROWS_JS) == want


def test_a_table_of_samples_pages_sorts_and_searches_through_the_kernel(browser, lab: JupyterLab) -> None:
    """Next page, a header click and typed search text each draw DuckDB's page of the 50,000 rows, answered by
    the kernel over the widget's channel (the widget ships only the first page)."""
    import duckdb

    lab.write_notebook("table.ipynb", [LIVE_SETUP + f"ev.table(samples, {SAMPLE_COLUMNS!r}, page_size=20)"])
    context, page, outside = lab.open_notebook(browser, "table.ipynb")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    run_cell(page, 0)
    output = page.locator(".jp-OutputArea-output").filter(has=page.locator("[data-evalviz-table=ready]"))
    output.wait_for(timeout=60_000)

    con = duckdb.connect()
    con.execute(f"CREATE TABLE s AS SELECT {', '.join(SAMPLE_COLUMNS)} FROM read_parquet(?)",
                [str(lab.root / "samples.parquet")])  # in the file's order

    def duck(sql: str, params: list | None = None) -> list[list[str]]:
        return [shown_row(r, "titf") for r in con.execute(sql, params or []).fetchall()]

    wait_rows(page, output, duck("SELECT * FROM s LIMIT 20"))
    assert "50,000 rows" in output.locator(".evalviz-table-count").inner_text()
    answered = 0

    def asked_the_kernel() -> None:
        nonlocal answered
        answers = page.evaluate(ANSWERS_JS, "table:")
        assert len(answers) > answered and all(a["pythonMs"] > 0 for a in answers[answered:]), answers
        answered = len(answers)

    output.locator(".tabulator-page[data-page='next']").click()
    wait_rows(page, output, duck("SELECT * FROM s LIMIT 20 OFFSET 20"))
    asked_the_kernel()

    output.locator(".tabulator-col[tabulator-field='score_match'] .tabulator-col-title").click()
    wait_rows(page, output, duck("SELECT * FROM s ORDER BY score_match, id, epoch LIMIT 20"))
    asked_the_kernel()

    # Search: any shown column containing the text, case ignored, in the sorted order.
    output.locator(".evalviz-table-search").fill("L-07")
    contains = " OR ".join(f"contains(lower(CAST({c} AS VARCHAR)), lower(?))" for c in SAMPLE_COLUMNS)
    wait_rows(page, output, duck(f"SELECT * FROM s WHERE {contains} ORDER BY score_match, id, epoch LIMIT 20",
                                 ["L-07"] * len(SAMPLE_COLUMNS)))
    asked_the_kernel()
    output.locator(".tabulator-page[data-page='next']").click()
    wait_rows(page, output, duck(f"SELECT * FROM s WHERE {contains} ORDER BY score_match, id, epoch "
                                 "LIMIT 20 OFFSET 20", ["L-07"] * len(SAMPLE_COLUMNS)))
    asked_the_kernel()

    # The hostile model name is a cell's text.
    output.locator(".evalviz-table-search").fill("onerror")
    wait_rows(page, output, duck("SELECT * FROM s WHERE model_display_name = ? ORDER BY score_match, id, epoch "
                                 "LIMIT 20", [HOSTILE]))
    assert output.locator(".tabulator img").count() == 0 and dialogs == []
    assert outside == []
    context.close()


def test_an_input_in_one_cell_filters_a_chart_and_a_table_in_others(browser, lab: JupyterLab) -> None:
    """A select in one cell, a heatmap and a table it filters in two others: choosing an organisation redraws the
    heatmap from the kernel to DuckDB's means over the kept rows, and the table holds DuckDB's rows."""
    import duckdb

    cells = [
        LIVE_SETUP + "ev.select(evals, 'model_organization_name', target=chosen, label='Organisation')",
        "ev.scores_heatmap(evals, filter_by=chosen)",
        f"ev.table(evals, {EVAL_COLUMNS!r}, filter_by=chosen, page_size=50)",
    ]
    lab.write_notebook("linked_input.ipynb", cells)
    context, page, outside = lab.open_notebook(browser, "linked_input.ipynb")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for index in range(3):
        run_cell(page, index)
        page.locator(".jp-OutputArea-output > div[data-evalviz-state=ready]").nth(index).wait_for(timeout=60_000)
    outputs = page.locator(".jp-OutputArea-output:visible")  # the widget views; their static outputs are hidden
    chart = outputs.nth(1).locator("div.evalviz-target").first
    rows_output = outputs.nth(2)
    rows_output.locator("[data-evalviz-table=ready]").wait_for(timeout=30_000)

    con = duckdb.connect()
    con.execute("CREATE TABLE evals AS SELECT * FROM read_parquet(?)", [str(lab.root / "evals.parquet")])
    requeries = table_asked = 0
    for org in (HOSTILE, "Org A", None):
        outputs.nth(0).locator("select").select_option(label=org or "All")
        page.wait_for_function(f"(n) => ({ANSWERS_JS})('requery').length > n", arg=requeries, timeout=30_000)
        page.wait_for_function("(el) => el.dataset.evalvizState === 'ready'", arg=chart.element_handle())
        answers = page.evaluate(ANSWERS_JS, "requery")
        assert all(a["pythonMs"] > 0 for a in answers[requeries:])
        requeries = len(answers)
        where, params = ("model_organization_name = ?", [org]) if org else ("TRUE", [])
        means = dict(((m, t), v) for m, t, v in con.execute(
            "SELECT model_display_name, task_display_name, avg(score_headline_value) FROM evals "
            f"WHERE {where} GROUP BY ALL", params).fetchall())
        page.wait_for_function(f"([el, n]) => ({HEATMAP_CELLS_JS})(el).length === n", arg=[chart.element_handle(),
                                                                                      len(means)], timeout=10_000)
        drawn = {(m, t): v for m, t, v in chart.evaluate(HEATMAP_CELLS_JS)}
        assert drawn.keys() == means.keys(), org
        assert all(drawn[k] == pytest.approx(means[k], abs=1e-9) for k in means), (org, drawn, means)
        rows = con.execute(f"SELECT {', '.join(EVAL_COLUMNS)} FROM evals WHERE {where}", params).fetchall()
        wait_rows(page, rows_output, [shown_row(r, "ttf") for r in rows])
        # The table's rows, filtered in the kernel; unfiltered, its first page is the one the widget shipped.
        table_answers = page.evaluate(ANSWERS_JS, "table:")
        assert (len(table_answers) > table_asked) == bool(org)
        assert all(a["pythonMs"] > 0 for a in table_answers[table_asked:])
        table_asked = len(table_answers)
    assert HOSTILE in outputs.nth(0).locator("option").all_inner_texts() and dialogs == []
    assert outside == []
    context.close()
