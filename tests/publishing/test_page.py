"""ev.page and ev.md without a browser: what a page holds and links, its outputs (one offline HTML file; no image
form), the HTML Markdown becomes (read back with Python's own HTML parser), and the errors bad items, titles and
text raise before anything is written."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import evalviz as ev
from browser import spec_json
from evalviz.errors import ArgumentTypeError, EvalvizError, OutputError

EVALS = Path(__file__).resolve().parents[2] / "examples" / "data" / "evals.parquet"
MARKDOWN_TAGS = {"h1", "h2", "h3", "p", "a", "strong", "em", "code", "pre", "ul", "ol", "li", "table", "thead",
                 "tbody", "tr", "th", "td", "blockquote", "hr", "br", "s"}


@pytest.fixture(scope="module")
def evals() -> ev.Data:
    return ev.Data.from_file(EVALS)


class Elements(HTMLParser):
    """Every element of an HTML text with its attributes, and its text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text += data


def kinds(item: dict) -> list:
    """The item tree's kinds: a layout as the list of its items' kinds (a row wrapping as a tuple)."""
    if item["kind"] != "layout":
        return item["kind"]
    inner = [kinds(one) for one in item["items"]]
    return tuple(inner) if item.get("wrap") else inner


def test_each_item_is_a_row_and_a_list_is_a_row_of_columns(evals: ev.Data) -> None:
    models = ev.Selection.intersect(name="models")
    heatmap, by_task = ev.scores_heatmap(evals, filter_by=models), ev.scores_by_task(evals, filter_by=models)
    chooser = ev.select(evals, "model_display_name", target=models)
    rows = ev.table(evals, filter_by=models)
    page = ev.page(ev.md("Intro"), chooser, [heatmap, by_task], (rows,), title="Report")
    assert isinstance(page, ev.Page) and isinstance(page, ev.Component)
    assert kinds(page.item) == ["markdown", "markdown", "input", ("chart", "chart"), "table"]
    assert page.params == {"models": models}
    # Each part's datasets travel under its place on the page, unchanged.
    placed = {"c3_c0_": heatmap, "c3_c1_": by_task, "c4_": rows}
    assert set(page.datasets) == {prefix + name for prefix, part in placed.items() for name in part.datasets}
    for prefix, part in placed.items():
        for name, table in part.datasets.items():
            assert page.datasets[prefix + name].equals(table)
    assert [item.get("prefix") for item in page.item["items"][3]["items"]] == ["c3_c0_", "c3_c1_"]


def test_a_page_of_charts_alone_stays_a_page_and_has_no_image_form(evals: ev.Data, tmp_path: Path) -> None:
    page = ev.page(ev.scores_heatmap(evals), [ev.scores_by_model(evals), ev.scores_by_task(evals)])
    assert kinds(page.item) == ["chart", ("chart", "chart")]
    kept = tmp_path / "figure.png"
    kept.write_bytes(b"before")
    writers = [lambda: page.write_png(kept), lambda: page.write_svg(kept), page.to_altair]
    if hasattr(page, "write_pdf"):
        writers.append(lambda: page.write_pdf(kept))
    for write in writers:
        with pytest.raises(OutputError, match="one by one"):
            write()
    assert kept.read_bytes() == b"before"


def test_write_html_writes_one_offline_file_titled_by_the_page(evals: ev.Data, tmp_path: Path) -> None:
    title = 'Scores <by> "task" & model'
    path = ev.page(ev.md("**Hello**"), ev.scores_heatmap(evals), title=title).write_html(tmp_path / "report.html")
    html = path.read_text(encoding="utf-8")
    parsed = Elements(html)
    assert ("title", {}) in parsed.elements and title in parsed.text
    assert html.count("<title>") == 1 and f"<title>{title}" not in html  # escaped
    payload = spec_json(html)
    assert payload["item"]["items"][0] == {"kind": "markdown",
                                           "html": '<h1 id="scores-by-task-model">Scores &lt;by&gt; &quot;task&quot; '
                                                   "&amp; model</h1>\n"}
    assert html.count('class="evalviz-payload"') == 1  # one document, one payload, one renderer
    assert html.count("EVALVIZ") <= 1 and "src=\"http" not in html


def test_a_page_displays_as_html_and_as_a_widget_like_any_component(evals: ev.Data) -> None:
    models = ev.Selection.intersect(name="models")
    page = ev.page(ev.select(evals, "model_display_name", target=models), ev.scores_heatmap(evals, filter_by=models))
    bundle, _ = page._repr_mimebundle_()
    assert "evalviz-payload" in bundle["text/html"] and bundle["text/plain"] == repr(page)
    widget = page.widget
    assert [one["kind"] for one in widget.item["items"]] == ["input", "chart"]
    assert widget.live == {"c1_": "models"}  # the chart is drawn again in the kernel as the select changes
    assert "<evalviz.Page" in repr(page)


def test_markdown_renders_formatting_tables_and_only_web_and_page_links() -> None:
    text = ("# Title\n\nSome **bold**, *em*, `code` and ~~old~~.\n\n1. one\n2. two\n\n"
            "| a | b |\n|---|--:|\n| 1 | 2 |\n\n"
            "[web](https://example.org/x) [plain](http://example.org) [here](#title) [js](javascript:alert(1)) "
            "[JS](JAVASCRIPT:alert(1)) [data](data:text/html,x) [rel](page.html) [mail](mailto:a@b.c) "
            "[file](file:///etc/passwd) [proto](//example.org/x) <https://auto.example/> ![alt text](https://x/y.png)"
            " <b onclick=alert(1)>raw</b>")
    parsed = Elements(ev.md(text).item["html"])
    tags = [tag for tag, _ in parsed.elements]
    assert set(tags) <= MARKDOWN_TAGS
    assert {"h1", "strong", "em", "code", "s", "ol", "table", "td"} <= set(tags)
    assert [attrs["href"] for tag, attrs in parsed.elements if tag == "a"] == [
        "https://example.org/x", "http://example.org", "#title", "https://auto.example/"]
    assert ("h1", {"id": "title"}) in parsed.elements
    assert ("td", {"style": "text-align:right"}) in parsed.elements
    for shown in ("[js](javascript:alert(1))", "[rel](page.html)", "[mail](mailto:a@b.c)", "alt text",
                  "<b onclick=alert(1)>raw</b>"):
        assert shown in parsed.text
    assert not any(name.startswith("on") or name == "src" for _, attrs in parsed.elements for name in attrs)


def test_heading_ids_are_unique_within_a_text() -> None:
    parsed = Elements(ev.md("## Results\n\n## Results\n\n## Résumé by *task*").item["html"])
    assert [attrs["id"] for tag, attrs in parsed.elements if tag == "h2"] == ["results", "results-1", "résumé-by-task"]


@pytest.mark.parametrize(("item", "position", "named", "way_out"), [
    ("Some text", "items[1]", "a str", r"ev\.md\(\.\.\.\)"),
    (None, "items[1]", "None", "leave it out"),
    (pd.DataFrame({"a": [1]}), "items[1]", "a pandas.DataFrame", r"ev\.table\(data\)"),
    (pa.table({"a": [1]}), "items[1]", "a pyarrow.Table", r"ev\.table\(data\)"),
    ({"a": 1}, "items[1]", "a dict", "Components"),
    ([[1]], "items[1][0]", "a list", r"ev\.hconcat"),
    (["text", None], "items[1][0]", "a str", r"ev\.md"),
])
def test_an_item_a_page_cannot_hold_is_named_by_its_position_type_and_way_out(
        evals: ev.Data, item: object, position: str, named: str, way_out: str) -> None:
    with pytest.raises(ArgumentTypeError, match=rf"{re.escape(position)} is {re.escape(named)}\b.*{way_out}"):
        ev.page(ev.scores_heatmap(evals), item)


def test_a_row_nested_in_a_row_is_named_where_it_is(evals: ev.Data) -> None:
    chart = ev.scores_heatmap(evals)
    with pytest.raises(ArgumentTypeError, match=r"items\[0\]\[1\] is a tuple .*one level deep"):
        ev.page([chart, (chart, chart)])


@pytest.mark.parametrize(("items", "title", "message"), [
    ((), None, "at least one item"),
    (([],), None, r"items\[0\] is an empty list"),
    (("chart",), 42, "title is a str .* not int"),
    (("chart",), b"Report", "title is a str .* not bytes"),
    (("chart",), "  ", "title is blank"),
])
def test_an_empty_page_or_row_and_a_bad_title_are_refused(evals: ev.Data, items: tuple, title: object,
                                                         message: str) -> None:
    given = tuple(ev.scores_heatmap(evals) if one == "chart" else one for one in items)
    with pytest.raises(EvalvizError, match=message):
        ev.page(*given, title=title)


@pytest.mark.parametrize("text", [None, 3, ["# a"], b"# a"])
def test_md_takes_text(text: object) -> None:
    with pytest.raises(ArgumentTypeError, match=f"ev.md takes the Markdown text as a str, not {type(text).__name__}"):
        ev.md(text)


def test_markdown_it_is_imported_only_once_text_is_rendered() -> None:
    script = ("import sys, evalviz as ev\n"
              f"data = ev.Data.from_file({str(EVALS)!r})\n"
              "ev.page(ev.scores_heatmap(data), title='T').to_html()\n"
              "before = 'markdown_it' in sys.modules\n"
              "ev.md('*x*')\n"
              "print(before, 'markdown_it' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]


def test_text_cannot_close_the_payload_script() -> None:
    html = ev.page(ev.md("</script><script>alert(1)</script>"), title="</script>").to_html()
    assert "<script>alert(1)" not in html
    shown = spec_json(html)["item"]["items"][1]["html"]
    assert shown == "<p>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
