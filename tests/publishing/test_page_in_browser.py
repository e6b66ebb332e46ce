"""ev.page as a reader sees it in Chromium, the network cut: a page of a title, Markdown text, a select, two charts
side by side sharing its selection and a table. Every chart is drawn, the title and text are shown, choosing a
model redraws both charts and the table to what DuckDB keeps, the row's columns lie side by side (and wrap on a
narrow screen); hostile Markdown and titles stay text, no script of theirs runs, and only http(s) and in-page
links are clickable."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest

import evalviz as ev
from browser import LAYER_MARKS_JS, REDRAWS_JS, ChartPage
from evalviz.publishing.markdown import MarkdownText

pytestmark = pytest.mark.browser

EVALS = Path(__file__).resolve().parents[2] / "examples" / "data" / "evals.parquet"
TITLE = "Evaluation report"

TEXT = """## Scores at a glance

Pick a model: **every chart follows**, and the *table* too.

- [the paper](https://arxiv.org/abs/2110.14168) and [the logs](http://logs.example.org/runs)
- [back to the top](#evaluation-report), [a script](javascript:window.__pwned=1), [a file](notes.html)

| model | runs |
|:------|-----:|
| any   | 4    |
"""

# Each line tries a way to run script or load something; the page sets window.__pwned if one of them works.
HOSTILE = """<script>window.__pwned = 1</script>

<img src=x onerror="window.__pwned = 1"> and <svg onload="window.__pwned = 1">

[click me](javascript:window.__pwned=1) [data](data:text/html,<script>window.__pwned=1</script>)
[vb](vbscript:x) [file](file:///etc/passwd) [entity](&#106;avascript:window.__pwned=1)

[quoted](https://ok.example/" onmouseover="window.__pwned=1) ![alt <b>text</b>](javascript:window.__pwned=1)
![picture](https://img.example/x.png "title\\" onerror=\\"window.__pwned=1")
[titled](https://ok.example/a "x\\" onclick=\\"window.__pwned=1")
[spaced](<https://ok.example/b" onclick="window.__pwned=1>)

<a href="javascript:window.__pwned=1">raw link</a> <iframe src="javascript:window.__pwned=1"></iframe>
"""
HOSTILE_TITLE = "<img src=x onerror=\"window.__pwned = 1\"><script>window.__pwned = 1</script>"
# HTML made by no Markdown parser: the renderer's own check keeps it from running.
UNCHECKED_HTML = ('<p onclick="window.__pwned=1">p<img src=x onerror="window.__pwned=1">'
                  '<a href="javascript:window.__pwned=1">js</a><a href=" javascript:window.__pwned=1">js2</a>'
                  '<script>window.__pwned=1</script><style>*{display:none}</style>'
                  '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe></p>')

CHART_VIEWS = "() => [...document.querySelectorAll('.evalviz-item')].filter((el) => el.evalvizView)"
# Every mark of the index-th chart's `mark` layer: its model, task and value.
DRAWN = f"([index, mark, model, task]) => ({LAYER_MARKS_JS})([({CHART_VIEWS})()[index], mark, [model, task]])"
BOXES = """() => (""" + CHART_VIEWS + """)().map((el) => {
  const b = el.getBoundingClientRect(); return {left: b.left, right: b.right, top: b.top, bottom: b.bottom};
})"""
TABLE_ROWS = "() => [...document.querySelectorAll('.tabulator-row')].map((r) => r.textContent)"
LINKS = ("() => [...document.querySelectorAll('.evalviz-markdown a')].map("
         "(a) => [a.textContent, a.getAttribute('href')])")


def expected(model: str | None) -> dict[tuple[str, str], float]:
    """(model, task) -> mean score of the rows the selection keeps, by DuckDB."""
    where = "WHERE model_display_name = ?" if model else ""
    rows = duckdb.execute(f"SELECT model_display_name, task_display_name, avg(score_headline_value) "
                          f"FROM read_parquet(?) {where} GROUP BY ALL", [str(EVALS), *([model] if model else [])])
    return {(m, t): v for m, t, v in rows.fetchall()}


def assert_charts_show(page: ChartPage, want: dict[tuple[str, str], float]) -> None:
    for index, fields in enumerate((["cells", "y_v", "x_v"], ["scores", "x_v", "y_v"])):
        drawn = {(m, t): v for m, t, v in page.page.evaluate(DRAWN, [index, *fields])}
        assert drawn.keys() == want.keys(), f"chart {index} draws {sorted(drawn)}, DuckDB keeps {sorted(want)}"
        assert all(math.isclose(drawn[k], want[k], abs_tol=1e-9) for k in want), f"chart {index}: {drawn} != {want}"


def report() -> ev.Page:
    evals = ev.Data.from_file(EVALS)
    models = ev.Selection.intersect(name="models")
    return ev.page(
        ev.md(TEXT),
        ev.select(evals, "model_display_name", target=models, label="Model"),
        [ev.scores_heatmap(evals, filter_by=models, width=420), ev.scores_by_task(evals, filter_by=models,
                                                                                  width=420)],
        ev.table(evals, ["model_display_name", "task_display_name", "score_headline_value"], filter_by=models),
        title=TITLE,
    )


def test_a_page_draws_its_title_text_charts_and_table_and_the_select_filters_them_all(render) -> None:
    page = render(report())
    p = page.page
    assert p.title() == TITLE
    assert p.locator("h1").all_inner_texts() == [TITLE]
    assert p.evaluate(f"({CHART_VIEWS})().length") == 2
    # Markdown drawn as such: a heading, bold and italic text, a list, a table with its right-aligned column.
    text = p.locator(".evalviz-markdown").nth(1)
    assert text.locator("h2").inner_text() == "Scores at a glance"
    assert text.locator("strong").inner_text() == "every chart follows"
    assert text.locator("em").inner_text() == "table"
    assert text.locator("li").count() == 2
    assert text.locator("td").nth(1).evaluate("(td) => getComputedStyle(td).textAlign") == "right"
    # Only web and in-page links are links; the others are left as the text they were written as.
    assert p.evaluate(LINKS) == [["the paper", "https://arxiv.org/abs/2110.14168"],
                                 ["the logs", "http://logs.example.org/runs"],
                                 ["back to the top", "#evaluation-report"]]
    assert "[a script](javascript:window.__pwned=1)" in text.inner_text()
    assert "[a file](notes.html)" in text.inner_text()
    assert p.locator("#evaluation-report").inner_text() == TITLE  # the in-page link has its target

    assert_charts_show(page, expected(None))
    assert len(p.evaluate(TABLE_ROWS)) == len(expected(None))
    for model in ("Borealis", "Atlas Small"):
        before = p.evaluate(REDRAWS_JS)
        p.locator('[data-evalviz-input="select"] select').select_option(label=model)
        p.wait_for_function(f"(before) => ({REDRAWS_JS})().every((n, i) => n > before[i])", arg=before, timeout=10_000)
        want = expected(model)
        assert_charts_show(page, want)
        p.wait_for_function(f"(n) => ({TABLE_ROWS})().length === n", arg=len(want), timeout=10_000)
        assert all(model in row for row in p.evaluate(TABLE_ROWS))

    # The row's two charts lie side by side at the top of their row; on a narrow screen the second wraps below.
    first, second = p.evaluate(BOXES)
    assert second["left"] >= first["right"] and abs(second["top"] - first["top"]) < 1
    p.set_viewport_size({"width": 700, "height": 900})
    p.wait_for_function(f"() => {{ const [a, b] = ({BOXES})(); return b.top >= a.bottom; }}", timeout=5000)
    first, second = p.evaluate(BOXES)
    assert abs(second["left"] - first["left"]) < 1


def test_hostile_markdown_and_title_stay_text_and_run_nothing(render) -> None:
    evals = ev.Data.from_file(EVALS)
    hostile = ev.page(ev.md(HOSTILE), unchecked_text(UNCHECKED_HTML), ev.scores_heatmap(evals), title=HOSTILE_TITLE)
    page = render(hostile)
    p = page.page
    p.wait_for_timeout(300)  # an image's error, a frame's load would have run by now
    assert p.evaluate("() => window.__pwned") is None
    p.locator(".evalviz-markdown", has_text="click me").hover()
    p.locator(".evalviz-markdown", has_text="js2").click()
    p.wait_for_timeout(300)
    assert p.evaluate("() => window.__pwned") is None
    assert p.title() == HOSTILE_TITLE
    assert p.locator("h1").inner_text() == HOSTILE_TITLE
    shown = p.locator(".evalviz-markdown").nth(1).inner_text()
    for text in ("<script>window.__pwned = 1</script>", '<img src=x onerror="window.__pwned = 1">',
                 "[click me](javascript:window.__pwned=1)", '<a href="javascript:window.__pwned=1">raw link</a>',
                 "alt <b>text</b>"):
        assert text in shown
    # Nothing but Markdown's own elements, and no link leaving for anything but the web or the page itself.
    tags = set(p.evaluate("() => [...document.querySelectorAll('.evalviz-markdown *')].map((e) => e.localName)"))
    assert tags <= {"h1", "p", "a", "strong", "em", "code", "br"}, tags
    links = dict(p.evaluate(LINKS))
    assert {text: href for text, href in links.items() if href is not None} == {
        "titled": "https://ok.example/a", "spaced": "https://ok.example/b%22%20onclick=%22window.__pwned=1"}
    assert p.evaluate("() => [...document.querySelectorAll('.evalviz-markdown *')]"
                      ".flatMap((e) => e.getAttributeNames())"
                      ".filter((name) => !['href', 'title', 'target', 'rel', 'id'].includes(name))") == []
    p.get_by_text("titled").click()  # a web link opens a new tab (a stand-in page here), runs nothing
    p.wait_for_timeout(300)
    assert p.evaluate("() => window.__pwned") is None
    assert p.evaluate(f"({CHART_VIEWS})().length") == 1


def unchecked_text(html: str) -> ev.Component:
    """Text whose HTML bypasses the Markdown parser, as a page could be handed by a faulty or hostile producer."""
    return ev.Component.from_parts(MarkdownText(html), {})
