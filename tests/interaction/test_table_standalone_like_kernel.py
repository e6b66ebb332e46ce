"""A standalone ev.table sorts and searches its shipped rows as the live widget's kernel does, in Chromium with the
network cut: rows tied on the sorted column come by the tie-breaking columns (a sample's id and epoch) then the
table's order, ascending or descending; a float is searched as DuckDB writes it ("1.0", "1e-07"). Expected rows
come from DuckDB over the same data, and from the kernel's own pages."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.interaction.table import table

ROWS_JS = """(el) => [...el.querySelectorAll('.tabulator-row')].map(r =>
    [...r.querySelectorAll('.tabulator-cell')].map(c => c.textContent))"""
FLOATS = [1.0, 0.0, -0.0, 5.0, 100.0, 1e-07, 2.5e-05, 4.194, 0.30000000000000004, 1e16, 1.2345678901234568e17,
          123456789012345.6, 3e-05, float("nan"), float("inf"), None]


def samples() -> pa.Table:
    rows = 48  # 4 models x 6 ids x 2 epochs, in an order that is not id's
    table = duckdb.sql(f"""SELECT 'sample-' || (i * 5 % 6) AS id, i % 2 + 1 AS epoch, 'model-' || (i % 4) AS model,
                           CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 3 % 4) / 2.0 END AS score
                           FROM range({rows}) AS r(i) ORDER BY hash(i)""").to_arrow_table()
    return table.append_column("x", pa.array([FLOATS[i % len(FLOATS)] for i in range(rows)], pa.float64()))


def shown_rows(page) -> list[list[str]]:  # noqa: ANN001
    return page.page.locator("div.evalviz-target").first.evaluate(ROWS_JS)


@pytest.mark.parametrize("column", ["score", "model"])
def test_rows_tied_on_a_sort_come_as_the_kernel_orders_them(render, column: str) -> None:  # noqa: ANN001
    data = samples()
    shown = ["model", "id", "epoch", "score"]
    element = table(ev.Data.from_dataframe(data), shown, page_size=48)
    page = render(element)
    header = page.page.locator(f".tabulator-col[tabulator-field='{column}'] .tabulator-col-title")
    con = duckdb.connect()
    con.register("t", data)
    for direction in ("asc", "desc"):
        header.click()
        ordered = con.execute(f"SELECT model, id, epoch FROM (SELECT *, row_number() OVER () AS place FROM t) "
                              f"ORDER BY {column} {direction} NULLS LAST, id, epoch, place").fetchall()
        assert [tuple(r[:3]) for r in shown_rows(page)] == [(m, i, str(e)) for m, i, e in ordered], direction
        _, tables = element.chart.page({"page": 1, "size": 48, "sort": [{"column": column, "dir": direction}]})
        assert [(r["model"], r["id"], r["epoch"]) for r in tables["rows"].to_pylist()] == ordered  # the kernel's


@pytest.mark.parametrize("text", ["1.0", "0.0", "-0.0", "5.0", "100.0", "1e-07", "2.5e-05", "e+16", "e+17",
                                  "345.6", "3e-05", "nan", "inf", "0.3000"])
def test_a_float_is_searched_as_duckdb_writes_it(render, text: str) -> None:  # noqa: ANN001
    data = samples().select(["id", "x"])
    element = table(ev.Data.from_dataframe(data), ["x"], page_size=48)
    page = render(element)
    box = page.page.locator(".evalviz-table-search")
    box.fill(text)
    con = duckdb.connect()
    con.register("t", data)
    (expected,) = con.execute("SELECT count(*) FROM t WHERE contains(lower(CAST(x AS VARCHAR)), ?)", [text]).fetchone()
    count = page.page.locator(".evalviz-table-count")
    want = f"{expected} of {data.num_rows} rows" if expected != data.num_rows else f"{expected} rows"
    count.filter(has_text=want).wait_for(timeout=5000)
    assert element.chart.page({"page": 1, "size": 48, "search": text})[0]["total"] == expected  # the kernel's
    assert expected > 0
