"""A page carries the renderer gzip-compressed (base64) inside a small bootstrap, as does one output of a notebook or
Quarto document (tests/test_renderer_once.py), unpacked by the browser and run once per page however many carry it;
and integers beyond +-(2**53 - 1) reach the page as their exact text, which the page and the kernel keep as the same
rows.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import subprocess
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import evalviz as ev
from browser import open_chart_page
from evalviz.interaction.selection import Clause
from evalviz.interaction.table import table
from evalviz.query.filters import where_sql
from evalviz.rendering.bundle import bundle_source
from evalviz.rendering.html import item_markup, renderer_script, standalone_page

ROOT = Path(__file__).resolve().parents[1]
REQUIRE_JS = ROOT / "node_modules" / "requirejs" / "require.js"
BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{10000,}={0,2}")


def cell_count(evals_path) -> int:
    """Distinct (model, task) pairs of the example evals: the cells a scores heatmap draws."""
    query = f"SELECT count(DISTINCT (model_display_name, task_display_name)) FROM '{evals_path}'"
    return duckdb.sql(query).fetchall()[0][0]


def test_a_page_carries_the_renderer_compressed_and_a_small_bootstrap(evals_path, render):
    page_html = ev.scores_heatmap(ev.Data.from_file(evals_path)).to_html()
    plain = bundle_source()
    assert len(page_html.encode()) < 0.5 * len(plain.encode())  # a page was larger than the plain bundle
    assert plain[:300] not in page_html and plain[-300:] not in page_html
    script = renderer_script()
    (packed,) = BASE64_RUN.findall(script)
    assert len(script) - len(packed) < 2_000  # the bootstrap itself
    unpacked = gzip.decompress(base64.b64decode(packed)).decode()
    assert "globalThis.evalviz=" in unpacked.replace(" ", "") and len(unpacked) > 0.9 * len(plain)
    page = render(page_html)
    assert len([c for c in page.cells() if c.name and c.name.endswith("cells_marks")]) == cell_count(evals_path)


# Counts the renderer's runs: the bootstrap calls the global `eval` with the bundle (a megabyte of source).
COUNT_EVALS = ("<script>window.__evals = 0; const plainEval = window.eval; window.eval = (source) => {"
               "if (String(source).length > 1e6) window.__evals += 1; return plainEval(source); };</script>")


def test_several_outputs_on_a_page_with_an_amd_loader_run_the_renderer_once(evals_path, render):
    data = ev.Data.from_file(evals_path)
    first = ev.scores_heatmap(data)._repr_mimebundle_()[0]["text/html"]
    second = ev.scores_by_model(data)._repr_mimebundle_()[0]["text/html"]
    body = (f"<script>{REQUIRE_JS.read_text()}</script>"
            "<script>window.__amd = typeof define === 'function' && !!define.amd;</script>"
            f"{COUNT_EVALS}{first}{second}")
    page_html = standalone_page(body)  # the page's policy; its own bootstrap makes three on the page
    assert page_html.count(renderer_script()) == 3
    page = render(page_html, wait_for=2)
    assert page.page.evaluate("window.__amd") is True
    assert page.page.evaluate("window.__evals") == 1
    models = sorted(m for (m,) in duckdb.sql(f"SELECT DISTINCT model_display_name FROM '{evals_path}'").fetchall())

    def drawn() -> tuple[int, list[str]]:
        heatmap = [c for c in page.cells(0) if c.name and c.name.endswith("cells_marks")]
        return len(heatmap), sorted((set(page.axis_labels("y", 1)) | set(page.axis_labels("x", 1))) & set(models))

    assert drawn() == (cell_count(evals_path), models)
    page.page.evaluate("globalThis.evalviz.renderAll()")  # rendering twice is harmless
    assert page.page.locator("div.evalviz-chart canvas, div.evalviz-chart svg.marks").count() == 2
    assert drawn() == (cell_count(evals_path), models)


def test_a_renderer_that_cannot_start_says_why_in_place_of_each_chart(evals_path, browser, tmp_path):
    chart = ev.scores_heatmap(ev.Data.from_file(evals_path))
    body = "<script>delete window.DecompressionStream;</script>" + item_markup(chart.item, chart.datasets)
    path = tmp_path / "old_browser.html"
    path.write_text(standalone_page(body), encoding="utf-8")
    with pytest.raises(AssertionError, match="could not start its renderer: .*DecompressionStream"):
        open_chart_page(browser, path)


# --- integers beyond 2**53 ---------------------------------------------------------------------------------------

WIDE = [2**53 + 1, 2**53, -(2**53 + 1), 5, 2**63 - 1]
WIDE_SQL = "SELECT id, n FROM '{path}' ORDER BY id"


def table_cells(page, index: int) -> list[list[str]]:
    """The text of each cell of the index-th table on the page, row by row (thousands separators out, minus as -)."""
    return page.page.evaluate("""(i) => [...document.querySelectorAll('.tabulator')[i]
        .querySelectorAll('.tabulator-row')].map((r) => [...r.querySelectorAll('.tabulator-cell')]
        .map((c) => c.textContent.replaceAll(',', '').replaceAll('\u2212', '-')))""", index)


def test_wide_integers_show_exactly_and_a_clicked_row_keeps_the_same_rows_in_page_and_kernel(
        tmp_path, render):
    path = tmp_path / "wide.parquet"
    pq.write_table(pa.table({"id": list("abcde"), "n": pa.array(WIDE, pa.int64())}), path)
    query = WIDE_SQL.format(path=path)
    data = ev.Data.from_sql(query)
    picked = ev.Selection.single(name="picked")
    page = render(ev.vconcat(table(data, key="n", target=picked), table(data, filter_by=picked)))
    expected = duckdb.sql(f"SELECT id, n::VARCHAR FROM ({query}) ORDER BY id")
    assert sorted(table_cells(page, 0)) == [list(row) for row in expected.fetchall()]

    chosen = str(2**53 + 1)  # a row whose n a JavaScript number would read as 2**53, the next row's
    row = [cells[1] for cells in table_cells(page, 0)].index(chosen)
    page.page.locator(".tabulator").nth(0).locator(".tabulator-row").nth(row).click()
    page.page.wait_for_function("document.querySelectorAll('.tabulator')[1].querySelectorAll('.tabulator-row')"
                                ".length === 1")
    published = page.page.evaluate("globalThis.evalviz.selections.clauses('picked')")
    assert [c["value"] for c in published] == [[[chosen]]]
    condition, params = where_sql([Clause.from_dict(c) for c in published], "single", data.types)
    by_kernel = duckdb.connect().execute(f"SELECT id FROM ({query}) WHERE {condition}", params).fetchall()
    exact = duckdb.sql(f"SELECT id FROM ({query}) WHERE n = {chosen}").fetchall()
    assert [row[0] for row in table_cells(page, 1)] == [i for (i,) in by_kernel] == [i for (i,) in exact]


def test_the_text_of_a_safe_integer_keeps_no_row_in_page_or_kernel(tmp_path, render):
    """A safe integer reaches the page as a number, which text never equals; the kernel agrees."""
    path = tmp_path / "wide.parquet"
    pq.write_table(pa.table({"id": list("abcde"), "n": pa.array(WIDE, pa.int64())}), path)
    query = WIDE_SQL.format(path=path)
    data = ev.Data.from_sql(query)
    picked = ev.Selection.single(name="picked")
    for text in ["5", "+9007199254740993", "09007199254740993", "9007199254740993.0"]:
        picked.publish(Clause("probe", ("n",), "in", [[text]]))
        condition, params = where_sql(picked.clauses, "single", data.types)
        assert duckdb.connect().execute(f"SELECT id FROM ({query}) WHERE {condition}", params).fetchall() == []
    page = render(table(data, filter_by=picked))
    assert table_cells(page, 0) == []


# The page's Arrow reader (js/arrow.js) over IPC bytes DuckDB wrote, run by Node: the rows as JSON.
READ_ROWS = """
import { readFileSync } from "node:fs";
import { arrowRows } from "{module}";
process.stdout.write(JSON.stringify(arrowRows(new Uint8Array(readFileSync(process.argv[2])))));
"""


def test_the_page_reads_integers_of_every_width_exactly_and_decimals_as_numbers(tmp_path):
    """HUGEINT (and every sum of integers) reaches Arrow as a decimal of scale 0; DECIMAL(p, s) as a decimal."""
    query = ("SELECT * FROM (VALUES (9007199254740993::BIGINT, 18446744073709551615::UBIGINT, "
             "(-170141183460469231731687303715884105727)::HUGEINT, 12.345::DECIMAL(10,3), 7::HUGEINT), "
             "(NULL, 3, 9007199254740991::HUGEINT, -0.5::DECIMAL(10,3), NULL)) AS t(b, u, h, d, small)")
    arrow = duckdb.sql(query).arrow()
    arrow = arrow.read_all() if isinstance(arrow, pa.RecordBatchReader) else arrow
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, arrow.schema) as writer:
        writer.write_table(arrow)
    (tmp_path / "rows.arrow").write_bytes(sink.getvalue().to_pybytes())
    script = tmp_path / "read.mjs"
    script.write_text(READ_ROWS.replace("{module}", (ROOT / "js" / "arrow.js").as_uri()))
    rows = json.loads(subprocess.run(["node", str(script), str(tmp_path / "rows.arrow")], check=True,
                                     capture_output=True, text=True).stdout)
    exact = duckdb.sql(f"SELECT b::VARCHAR, u::VARCHAR, h::VARCHAR, d::DOUBLE, small::VARCHAR FROM ({query})")
    safe = 2**53 - 1
    for row, (b, u, h, d, small) in zip(rows, exact.fetchall(), strict=True):
        for name, text in (("b", b), ("u", u), ("h", h), ("small", small)):
            expected = None if text is None else int(text) if abs(int(text)) <= safe else text
            assert row[name] == expected, (name, row[name], text)
        assert row["d"] == d
