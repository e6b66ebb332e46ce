"""ev.table as a user sees it in Chromium, the network cut: the rows shown, sorting, search, paging, the row cap,
hostile text kept as text, only http(s) links, row clicks publishing into the page's registry and filter_by
hiding rows. Expected rows come from DuckDB over the same data. The live widget's paging, sorting and search go
through the real renderer and the real kernel-side channel (a page bridged to Python in place of a notebook)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.interaction.table import table
from evalviz.rendering.bundle import BUNDLE_PATH
from evalviz.rendering.channel import Channel
from evalviz.rendering.items import handlers_of

HOSTILE_COLUMN = "<img src=x onerror=alert('column')>"
NAMES = ["alpha", "Beta", "gamma", "<img src=x onerror=alert('cell')>", "<script>alert('s')</script>", "Alphabet",
         "\"><b>bold</b>", "delta"]
URLS = ["https://example.com/a?i={i}", "http://example.org/{i}", "javascript:alert({i})",
        "data:text/html,<script>alert({i})</script>", "ftp://example.net/{i}", None]

ROWS_JS = """(el) => [...el.querySelectorAll('.tabulator-row')].map(r =>
    [...r.querySelectorAll('.tabulator-cell')].map(c => c.textContent))"""


def example(n: int = 45) -> pa.Table:
    return pa.table({
        "id": list(range(n)),
        "name": [NAMES[(i * 5) % len(NAMES)] for i in range(n)],
        "score": [None if i % 11 == 3 else round((i * 0.6180339887) % 1, 6) for i in range(n)],
        "url": [None if URLS[i % len(URLS)] is None else URLS[i % len(URLS)].format(i=i) for i in range(n)],
        HOSTILE_COLUMN: [f"h{i}" for i in range(n)],
        "hidden": [i % 3 for i in range(n)],
    })


def query(data: pa.Table, sql: str) -> list[tuple]:
    con = duckdb.connect()
    con.register("t", data)
    return con.execute(sql).fetchall()


def shown(value: object, kind: str) -> str:
    """A value as the table should show it: floats to 3 decimals, NULL empty."""
    if value is None:
        return ""
    return f"{value:.3f}" if kind == "float" else str(value)


def rows(page) -> list[list[str]]:  # noqa: ANN001
    return page.page.locator("div.evalviz-target").first.evaluate(ROWS_JS)


def status(page) -> str:  # noqa: ANN001
    return page.page.locator(".evalviz-table-count").inner_text()


COLUMNS = ["id", "name", "score", "url", HOSTILE_COLUMN]


def test_rows_sorting_search_paging_and_the_cap_as_duckdb_says(render) -> None:  # noqa: ANN001
    data = example()
    page = render(table(ev.Data.from_dataframe(data), COLUMNS, max_rows=40, page_size=10))
    shipped = data.slice(0, 40)
    first = query(shipped, "SELECT id, name FROM t LIMIT 10")
    assert [(int(r[0]), r[1]) for r in rows(page)] == first
    assert "40 of 45 rows shown" in page.page.locator(".evalviz-table-note").inner_text()
    assert status(page) == "40 rows"


    header = page.page.locator(".tabulator-col[tabulator-field='score'] .tabulator-col-title")
    for direction in ("ASC", "DESC"):
        header.click()  # a sort starts again from the first page
        expected = [shown(v, "float") for (v,) in query(shipped, f"SELECT score FROM t ORDER BY score {direction} "
                                                                 "NULLS LAST LIMIT 10")]
        assert [r[2] for r in rows(page)] == expected, direction
    page.page.locator(".tabulator-col[tabulator-field='name'] .tabulator-col-title").click()
    assert [r[1] for r in rows(page)] == [v for (v,) in query(shipped, "SELECT name FROM t ORDER BY name LIMIT 10")]
    page.page.locator(".tabulator-page[data-page='next']").click()  # ties keep the data's order: a stable sort
    assert [int(r[0]) for r in rows(page)] == [r[0] for r in query(shipped, "SELECT id FROM t ORDER BY name, id "
                                                                            "LIMIT 10 OFFSET 10")]

    page.page.locator(".evalviz-table-search").fill("ALPHA")
    (kept,) = query(shipped, "SELECT count(*) FROM t WHERE lower(name) LIKE '%alpha%' OR lower(url) LIKE '%alpha%'")[0]
    page.page.wait_for_function("(n) => document.querySelector('.evalviz-table-count').textContent.startsWith(n)",
                                arg=f"{kept} of 40")
    assert all("alpha" in r[1].lower() or "alpha" in r[3].lower() for r in rows(page))


def test_hostile_text_stays_text_and_only_http_links_are_links(render) -> None:  # noqa: ANN001
    data = example()
    page = render(table(ev.Data.from_dataframe(data), COLUMNS, page_size=50))
    box = page.page.locator(".evalviz-table")
    assert box.locator("img, script, b").count() == 0
    headers = box.locator(".tabulator-col-title").all_inner_texts()
    assert headers == COLUMNS
    assert [r[1] for r in rows(page)] == [v for (v,) in query(data, "SELECT name FROM t")]
    links = box.locator("a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    web = [u for (u,) in query(data, "SELECT url FROM t WHERE url LIKE 'http://%' OR url LIKE 'https://%'")]
    assert [h.rstrip("/") for h in hrefs] == [u.rstrip("/") for u in web] and len(web) > 0
    assert [r[3] for r in rows(page)] == [shown(u, "text") for (u,) in query(data, "SELECT url FROM t")]

    with page.context.expect_page() as opened:
        links.first.click()
    assert opened.value.url.startswith("https://example.com/a")
    opened.value.close()


def registry_clauses(page, name: str) -> list[dict]:  # noqa: ANN001
    return page.page.evaluate("(n) => [...globalThis.__evalvizShared.get(n).clauses.values()]", name)


def test_row_clicks_publish_their_keys_and_filter_by_hides_rows(render) -> None:  # noqa: ANN001
    data = example()
    picked, shown_by = ev.Selection.union(), ev.Selection.intersect()
    chooser = table(ev.Data.from_dataframe(data), COLUMNS, target=picked, select="multiple_row", key="id",
                    page_size=50)
    shown_by.add_columns("hidden")  # as an input on "hidden" built first would: the table ships it, unshown
    follower = table(ev.Data.from_dataframe(data), COLUMNS, filter_by=shown_by, page_size=50)
    page = render(ev.vconcat(chooser, follower))
    source = chooser.item["id"]
    first = page.page.locator("div.evalviz-item").nth(0).locator(".tabulator-row")
    first.nth(1).locator(".tabulator-cell").first.click()
    first.nth(3).locator(".tabulator-cell").first.click()
    assert registry_clauses(page, picked.name) == [{"source": source, "fields": ["id"], "op": "in",
                                                     "value": [[1], [3]]}]
    first.nth(1).locator(".tabulator-cell").first.click()
    assert registry_clauses(page, picked.name)[0]["value"] == [[3]]
    assert first.nth(3).evaluate("r => r.classList.contains('evalviz-selected')")
    first.nth(3).locator(".tabulator-cell").first.click()
    assert registry_clauses(page, picked.name) == []

    second = page.page.locator("div.evalviz-item").nth(1)
    page.page.evaluate("""(n) => globalThis.evalviz.selections.publish(n, {source: 'test', fields: ['name'],
        op: 'in', value: [['alpha'], ['Beta']]})""", shown_by.name)
    expected = [r[0] for r in query(data, "SELECT id FROM t WHERE name IN ('alpha', 'Beta')")]
    assert [int(r[0]) for r in second.evaluate(ROWS_JS)] == expected
    assert second.locator(".evalviz-table-count").inner_text() == f"{len(expected)} of 45 rows"
    page.page.evaluate("""(n) => globalThis.evalviz.selections.publish(n, {source: 'hidden', fields: ['hidden'],
        op: 'range', value: [1, 2]})""", shown_by.name)
    expected = [r[0] for r in query(data, "SELECT id FROM t WHERE name IN ('alpha', 'Beta') AND hidden >= 1")]
    assert [int(r[0]) for r in second.evaluate(ROWS_JS)] == expected and 0 < len(expected)
    assert second.locator(".tabulator-col-title").all_inner_texts() == COLUMNS  # "hidden" is shipped, not shown
    page.page.evaluate("""(n) => globalThis.evalviz.selections.publish(n, {source: 'other', fields: ['nowhere'],
        op: 'in', value: [[1]]})""", shown_by.name)
    assert "Not filtered by nowhere" in second.locator(".evalviz-table-note").inner_text()
    assert [int(r[0]) for r in second.evaluate(ROWS_JS)] == expected


# -- the live widget: the renderer's widget entry, its messages carried to the kernel-side channel by Playwright --
WIDGET_PAGE = """<!DOCTYPE html><html><body><div id="out"></div><script type="module">
import widget from "./evalviz.js";
const listeners = new Map();
const state = JSON.parse(document.getElementById("state").textContent);
const model = {
  get: (key) => state[key], set() {}, save_changes() {},
  on(event, f) { if (!listeners.has(event)) listeners.set(event, new Set()); listeners.get(event).add(f); },
  off(event, f) { listeners.get(event)?.delete(f); },
  async send(message) {
    const reply = await window.kernel(message);
    const buffers = reply.buffers.map((b) => Uint8Array.from(atob(b), (c) => c.charCodeAt(0)));
    for (const f of listeners.get("msg:custom") || []) f(reply.content, buffers.map((b) => new DataView(b.buffer)));
  },
};
widget.render({ model, el: document.getElementById("out") });
</script><script type="application/json" id="state">STATE</script></body></html>"""


@pytest.fixture
def live_page(browser):  # noqa: ANN001, ANN201
    contexts = []

    def open_live(component):  # noqa: ANN001, ANN202
        channel_sent: list = []
        channel = Channel(lambda content, buffers: channel_sent.append((content, buffers)))
        for kind, handler in handlers_of(component.chart).items():
            channel.handle(kind, handler)
        asked: list = []

        def kernel(message: dict) -> dict:
            asked.append(message)
            channel.receive(message)
            content, buffers = channel_sent.pop()
            return {"content": content, "buffers": [base64.b64encode(b).decode() for b in buffers]}

        state = json.dumps({"item": component.item, "datasets": {}, "shared": component.shared})
        html = WIDGET_PAGE.replace("STATE", state.replace("<", "\\u003c"))
        context = browser.new_context()
        contexts.append(context)
        blocked: list = []

        def serve(route) -> None:  # noqa: ANN001
            url = route.request.url
            if url == "http://evalviz.test/index.html":
                route.fulfill(status=200, content_type="text/html", body=html)
            elif url == "http://evalviz.test/evalviz.js":
                route.fulfill(status=200, content_type="text/javascript", body=Path(BUNDLE_PATH).read_text())
            else:
                blocked.append(url)
                route.abort()

        context.route("**/*", serve)
        page = context.new_page()
        errors: list = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.expose_function("kernel", kernel)
        page.goto("http://evalviz.test/index.html")
        page.wait_for_selector(".tabulator-row")
        return page, asked, blocked, errors

    yield open_live
    for context in contexts:
        context.close()


def test_the_live_widget_pages_sorts_and_searches_through_the_kernel(live_page) -> None:  # noqa: ANN001
    data = example(2_000)
    component = table(ev.Data.from_dataframe(data), ["id", "name", "score"], page_size=15, max_rows=100)
    page, asked, blocked, errors = live_page(component)

    def shows(expected: list[int], expected_status: str | None = None) -> None:
        """Wait (up to 5 s) for the page to show these rows, then check them."""
        for _ in range(50):
            drawn = [int(r[0]) for r in page.locator("#out").evaluate(ROWS_JS)]
            count = page.locator(".evalviz-table-count").inner_text()
            if drawn == expected and expected_status in (None, count):
                return
            page.wait_for_timeout(100)
        assert (drawn, count) == (expected, expected_status)

    shows([r[0] for r in query(data, "SELECT id FROM t LIMIT 15")], "2,000 rows")
    assert "max_rows" not in page.locator(".evalviz-table-note").inner_text()  # the widget reads every row
    # The first page drawn, the page tells the kernel, which copies the rows searches and sorts read
    assert {m["kind"] for m in asked} == {f"table:{component.item['id']}", f"table-drawn:{component.item['id']}"}
    for _ in range(50):
        if component.chart.pages.rows_table in component.chart.pages.tables:
            break
        page.wait_for_timeout(100)
    assert component.chart.pages.rows_table in component.chart.pages.tables

    page.locator(".tabulator-col[tabulator-field='score'] .tabulator-col-title").click()
    shows([r[0] for r in query(data, "SELECT id FROM t ORDER BY score NULLS LAST, id LIMIT 15")])
    assert asked[-1]["payload"]["sort"] == [{"column": "score", "dir": "asc"}]

    page.locator(".tabulator-page[data-page='next']").click()
    shows([r[0] for r in query(data, "SELECT id FROM t ORDER BY score NULLS LAST, id LIMIT 15 OFFSET 15")])

    page.locator(".evalviz-table-search").fill("beta")
    (kept,) = query(data, "SELECT count(*) FROM t WHERE lower(name) LIKE '%beta%'")[0]
    shows([r[0] for r in query(data, "SELECT id FROM t WHERE lower(name) LIKE '%beta%' "
                                     "ORDER BY score NULLS LAST, id LIMIT 15")], f"{kept:,} rows")
    assert asked[-1]["payload"]["search"] == "beta" and asked[-1]["payload"]["page"] == 1

    # Typed fast: the answers to texts typed past are not what stays drawn, the last text's rows are
    page.locator(".evalviz-table-search").fill("")
    page.locator(".evalviz-table-search").press_sequentially("alphab", delay=5)  # "alph" keeps "alpha" too
    where = "lower(name) LIKE '%alphab%'"
    (kept,) = query(data, f"SELECT count(*) FROM t WHERE {where}")[0]
    shows([r[0] for r in query(data, f"SELECT id FROM t WHERE {where} ORDER BY score NULLS LAST, id LIMIT 15")],
          f"{kept:,} rows")
    assert blocked == [] and errors == []
