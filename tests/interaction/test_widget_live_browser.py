"""The live widget's page side in Chromium, its kernel the real Python channel: a selection change sends the
chart's clauses, the answer replaces the drawn data (or the chart, when its spec changed), and the page reports
the selection's clauses back through the `state` traitlet."""

from __future__ import annotations

import base64
import json

import duckdb
import pytest
from widget_live_views import HOSTILE, ROWS, mean_by_model

from browser import ChartPage
from evalviz.interaction.selection import Selection
from evalviz.rendering.bundle import bundle_source
from evalviz.rendering.channel import Channel

pytestmark = pytest.mark.browser

# A page holding the widget with a stand-in model: what it sends waits in `window.outbox` for the test, which
# answers through the real channel (`deliver`); `state` keeps what the page set.
WIDGET_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<div class="evalviz-chart" id="widget"></div>
<script type="module">
const module = await import("data:text/javascript;base64,__BUNDLE__");
const bytes = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const state = __STATE__;
state.datasets = Object.fromEntries(Object.entries(state.datasets).map(([k, v]) => [k, bytes(v)]));
const handlers = {};
window.outbox = [];
window.saved = [];
window.deliver = (reply, buffers) => handlers["msg:custom"].forEach((h) => h(reply, buffers.map(bytes)));
const model = {
  get: (key) => state[key], set: (key, value) => { state[key] = value; },
  save_changes() { window.saved.push(JSON.parse(JSON.stringify(state.state))); },
  on: (event, handler) => { (handlers[event] ||= []).push(handler); }, off() {},
  send: (msg) => window.outbox.push(msg),
};
await module.default.render({ model, el: document.getElementById("widget") });
</script></body></html>"""


def widget_page(render, chart) -> ChartPage:  # noqa: ANN001 - the render fixture
    widget = chart.widget
    state = {"item": widget.item, "shared": widget.shared, "live": widget.live, "state": {},
             "datasets": {k: base64.b64encode(v).decode() for k, v in widget.datasets.items()}}
    html = (WIDGET_PAGE.replace("__BUNDLE__", base64.b64encode(bundle_source().encode()).decode())
            .replace("__STATE__", json.dumps(state)))
    return render(html)


def kernel(chart) -> tuple[list, Channel]:  # noqa: ANN001 - a Component
    """The chart's widget channel, its answers kept in a list rather than sent to a front end."""
    sent: list = []
    chart.widget.send = lambda content, buffers=None: sent.append((content, buffers or []))
    return sent, chart.widget.channel


def answer_requests(page: ChartPage, channel: Channel, sent: list) -> list[dict]:
    """Answer every request waiting in the page's outbox through `channel`; the requests."""
    asked = page.page.evaluate("window.outbox.splice(0)")
    for request in asked:
        channel.receive(request)
        reply, buffers = sent.pop()
        page.page.evaluate("([r, b]) => window.deliver(r, b)",
                           [reply, [base64.b64encode(b).decode() for b in buffers]])
    return asked


def bars(page: ChartPage) -> dict[str, float]:
    return {item.datum["model"]: item.datum["mean"] for item in page.items() if item.name == "bars_marks"}


def expected(models: list[str]) -> dict[str, float]:
    rows = ROWS  # noqa: F841 - read by DuckDB
    marks = ", ".join("?" for _ in models)
    found = duckdb.connect().sql(f"SELECT model, avg(score) FROM rows WHERE model IN ({marks}) GROUP BY model",
                                 params=models).fetchall()
    return dict(found)


@pytest.mark.parametrize("count_in_title", [False, True], ids=["data swapped", "chart drawn anew"])
def test_a_selection_change_redraws_the_chart_from_the_kernel(render, count_in_title: bool) -> None:
    models = Selection.intersect()
    chart = mean_by_model(ROWS, count_in_title=count_in_title, filter_by=models)
    sent, channel = kernel(chart)
    page = widget_page(render, chart)
    assert bars(page) == expected(ROWS["model"].unique().to_pylist())

    rounds = [["beta", HOSTILE], ["gamma"]]
    for done, kept in enumerate(rounds, start=1):
        clause = {"source": "picker", "fields": ["model"], "op": "in", "value": [[m] for m in kept]}
        page.page.evaluate("([name, clause]) => evalviz.selections.publish(name, clause)", [models.name, clause])
        page.page.wait_for_function("() => window.outbox.length > 0")
        [request] = answer_requests(page, channel, sent)
        assert request["kind"] == "requery" and request["payload"] == {
            "prefix": "", "resolve": "intersect", "clauses": [clause]}
        page.page.wait_for_function(f"() => document.getElementById('widget').querySelector("
                                    f"'[data-evalviz-requeries=\"{done}\"]')")
        assert bars(page) == pytest.approx(expected(kept))
        drawn = page.page.evaluate("() => performance.getEntriesByName('evalviz:requery-drawn').at(-1).detail")
        assert drawn["how"] == ("embed" if count_in_title else "data")
        if count_in_title:
            assert f"{len(kept)} models" in page.page.locator("#widget").inner_text()
    # The page told Python the selection's clauses (the `state` traitlet), and Python takes them.
    page.page.wait_for_function("() => JSON.stringify(window.saved.at(-1) || null).includes('gamma')")
    reported = page.page.evaluate("window.saved.at(-1)")
    chart.widget.set_state({"state": reported})
    assert [c.value for c in models.clauses] == [(("gamma",),)]


def test_a_kernel_error_leaves_the_chart_and_says_why_as_text(render) -> None:
    models = Selection.intersect()
    chart = mean_by_model(ROWS, filter_by=models)
    sent, channel = kernel(chart)
    page = widget_page(render, chart)
    before = bars(page)
    clause = {"source": "s", "fields": ["<img src=x onerror=alert(1)>"], "op": "in", "value": [["x"]]}
    page.page.evaluate("([name, clause]) => evalviz.selections.publish(name, clause)", [models.name, clause])
    page.page.wait_for_function("() => window.outbox.length > 0")
    answer_requests(page, channel, sent)
    note = page.page.locator("#widget p.evalviz-live-note")
    note.wait_for(state="visible")
    assert note.text_content().startswith("Could not filter in the kernel: Column '<img src=x onerror=alert(1)>'")
    assert page.page.locator("#widget img").count() == 0 and bars(page) == before
