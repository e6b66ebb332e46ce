"""The live chart and its process: Altair users keep editing, drill-downs refuse cells the chart lacks, the
interpreter and the kernel end cleanly while cells are kept in the background, and `import evalviz` leaves the
user's garbage to the collector (issue 10, kinds 9 and 10)."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import altair as alt
import duckdb
import pytest

import evalviz as ev
from evalviz.rendering.bundle import bundle_source
from evalviz.rendering.contract import RendererContract

ROOT = Path(__file__).resolve().parents[1]


# -- to_altair: a chart Altair users keep editing -----------------------------------------------------------------
EDITS: dict[str, Callable[[alt.TopLevelMixin], alt.TopLevelMixin]] = {
    "add_params": lambda chart: chart.add_params(alt.selection_point(name="picked")),
    "interactive": lambda chart: chart.interactive(),
    "hconcat": lambda chart: alt.hconcat(chart, chart),
    "vconcat_layer": lambda chart: alt.vconcat(chart, chart.properties(title="again")),
}


@pytest.fixture(scope="module")
def charts(evals_path: Path) -> dict[str, ev.Component]:
    evals = ev.Data.from_file(evals_path)
    scores = ev.scores_heatmap(evals, title="Scores")
    return {"scores_heatmap": scores, "hconcat": ev.hconcat(scores, ev.scores_heatmap(evals, agg="max"))}


# Altair gives every part of a concatenated chart the selection added to it, merged into one, and says so.
@pytest.mark.filterwarnings("ignore:Automatically deduplicated selection parameter")
@pytest.mark.parametrize("edit", EDITS)
@pytest.mark.parametrize("name", ["scores_heatmap", "hconcat"])
def test_to_altair_can_be_edited_and_drawn(charts: dict[str, ev.Component], name: str, edit: str, render) -> None:
    component = charts[name]
    chart = component.to_altair()
    layers = chart.layer if name == "scores_heatmap" else [layer for part in chart.hconcat for layer in part.layer]
    assert all(isinstance(layer, alt.Chart) for layer in layers)

    spec = EDITS[edit](chart).to_dict(validate=True)
    page = render(ev.Component.from_parts(spec, {}), wait_for=1)
    # Every cell of every part is drawn, from the data written into the Altair chart.
    drawn = sorted((c.datum["x"], c.datum["y"]) for c in page.cells())
    cells = sorted((r["x"], r["y"]) for table in component.datasets.values() for r in table.to_pylist()
                   if r["status"] == "ok")
    copies = 2 if edit in ("hconcat", "vconcat_layer") else 1
    assert drawn == sorted(cells * copies)


def test_to_altair_keeps_the_plot_area_and_leaves_out_only_what_blocks_composing(
        charts: dict[str, ev.Component]) -> None:
    component = charts["scores_heatmap"]
    spec = component.to_altair().to_dict(validate=True)
    plot_width, plot_height = component.spec["usermeta"]["evalviz"]["plot_size"]
    assert (spec["width"], spec["height"]) == (plot_width, plot_height) and "autosize" not in spec
    assert spec["title"] == component.spec["title"] and spec["transform"] == component.spec["transform"]
    assert [layer["mark"] for layer in spec["layer"]] == [layer["mark"] for layer in component.spec["layer"]]


# -- a drill-down asked for a cell the chart does not have --------------------------------------------------------
@pytest.fixture(scope="module")
def binned(tmp_path_factory: pytest.TempPathFactory) -> ev.Component:
    """A sample heatmap with more samples than the chart has pixels: binned, and drillable."""
    path = tmp_path_factory.mktemp("drill") / "samples.parquet"
    duckdb.connect().execute(
        f"""COPY (SELECT 'model-' || m AS model_display_name, 's' || lpad(CAST(s AS VARCHAR), 4, '0') AS id,
                         CAST(hash(m, s) % 2 AS DOUBLE) AS score_match
                  FROM range(3) a(m), range(400) b(s)) TO '{path}' (FORMAT parquet)"""
    )
    chart = ev.sample_heatmap(ev.Data.from_file(path), score_value="score_match")
    assert chart.spec["usermeta"]["evalviz"]["drill"] is True
    return chart


def drill_reply(chart: ev.Component, datum: object) -> dict:
    """What the widget's channel sends back to the browser for a click whose datum is `datum`."""
    sent: list[dict] = []
    widget = chart.widget
    original = widget.send
    widget.send = lambda content, buffers=None: sent.append(content)
    try:
        widget._receive(widget, {"kind": "drill", "id": "v-7", "payload": {"datum": datum}}, [])
    finally:
        widget.send = original
    assert len(sent) == 1 and (sent[0]["kind"], sent[0]["id"]) == ("drill", "v-7")
    return sent[0]


def test_a_drill_down_outside_the_chart_is_answered_with_an_error(binned: ev.Component) -> None:
    cells = binned.datasets["cells"].to_pylist()
    n_x = max(c["xb"] for c in cells) + 1
    good = drill_reply(binned, cells[0])
    assert "error" not in good and good["tables"] == ["cells"]
    assert RendererContract.of_spec(good["payload"]["spec"]).drill is False  # a region does not drill further

    for bad in ({"xb": 10**30, "yb": 0}, {"xb": -5, "yb": 0}, {"xb": n_x, "yb": 0}, {"xb": 1.5, "yb": 0},
                {"xb": "3", "yb": 0}, {"xb": True, "yb": 0}, {"yb": 0}, {"xb": 0}, {}, None, [1, 2]):
        reply = drill_reply(binned, bad)
        # An EvalvizError's reason (the browser prefixes "Could not drill down: "), not a raw exception's.
        assert "payload" not in reply and not re.match(r"\w+(Error|Exception): ", reply["error"]), bad
        assert "Traceback" not in reply["error"]
    assert f"bins run from 0 to {n_x - 1}" in drill_reply(binned, {"xb": 10**30, "yb": 0})["error"]


WIDGET_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<div class="evalviz-chart" id="widget"></div>
<script type="module">
const module = await import("data:text/javascript;base64,__BUNDLE__");
const bytes = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const state = __STATE__;
state.datasets = Object.fromEntries(Object.entries(state.datasets).map(([k, v]) => [k, bytes(v)]));
const handlers = {};
window.sent = [];
const model = {
  get: (key) => state[key], set: (key, value) => { state[key] = value; }, save_changes() {},
  on: (event, handler) => { (handlers[event] ||= []).push(handler); }, off() {},
  // The kernel's answer: the real widget's reply to a click on a bin the chart does not have.
  send: (msg) => {
    window.sent.push(msg);
    const reply = { ...__REPLY__, id: msg.id };
    setTimeout(() => handlers["msg:custom"].forEach((handler) => handler(reply, [])), 0);
  },
};
await module.default.render({ model, el: document.getElementById("widget") });
</script></body></html>"""


def test_the_widget_shows_a_drill_error_as_text_in_the_charts_place(binned: ev.Component, render) -> None:
    # A request for a bin whose "number" is markup: the error quotes it, and the page must show it as text.
    reply = drill_reply(binned, {"xb": "<img src=x onerror=alert(1)>", "yb": 0})
    widget = binned.widget
    state = {"item": widget.item, "shared": widget.shared,
             "datasets": {k: base64.b64encode(v).decode() for k, v in widget.datasets.items()}}
    html = (WIDGET_PAGE.replace("__BUNDLE__", base64.b64encode(bundle_source().encode()).decode())
            .replace("__STATE__", json.dumps(state)).replace("__REPLY__", json.dumps(reply)))
    page = render(html)
    cells = page.cells()
    clicked = cells[len(cells) // 2]
    page.page.mouse.click(*clicked.center)
    page.page.locator("#widget[data-evalviz-state=error]").wait_for(timeout=10_000)

    asked = page.page.evaluate("window.sent")
    assert asked == [{"kind": "drill", "id": asked[0]["id"], "payload": {"datum": asked[0]["payload"]["datum"]}}]
    datum = asked[0]["payload"]["datum"]
    assert (datum["xb"], datum["yb"]) == (clicked.datum["xb"], clicked.datum["yb"])
    shown = page.page.locator("#widget pre.evalviz-error")
    assert shown.text_content() == f"Could not drill down: {reply['error']}" and "<img src=x" in reply["error"]
    assert page.page.locator("#widget img, #widget svg, #widget canvas").count() == 0  # no chart, no markup

    page.page.locator("#widget .evalviz-back").click()
    page.page.locator("#widget[data-evalviz-state=ready]").wait_for(timeout=10_000)
    assert len(page.cells()) == len(cells)


# -- the interpreter and the kernel end cleanly while cells are kept ----------------------------------------------
@pytest.fixture(scope="module")
def large_samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough samples that keeping every cell takes a while: the process ends while it runs."""
    path = tmp_path_factory.mktemp("exit") / "samples.parquet"
    duckdb.connect().execute(
        f"""COPY (SELECT 'model-' || lpad(CAST(m AS VARCHAR), 2, '0') AS model_display_name,
                         's' || lpad(CAST(s AS VARCHAR), 6, '0') AS id, CAST(hash(m, s) % 2 AS DOUBLE) AS score_match,
                         'https://logs.example.com/viewer/#/logs/m' || m || '.eval/samples/sample/s' || s || '/1'
                             AS log_viewer
                  FROM range(40) a(m), range(25000) b(s)) TO '{path}' (FORMAT parquet)"""
    )
    return path


KEEP_AND_LEAVE = """
import evalviz as ev
chart = ev.sample_heatmap(ev.Data.from_file({path!r}), score_value="score_match")
chart.widget  # a live widget starts keeping every cell in the background
print("keeping" if not chart.drilldown.regions.ready.is_set() else "kept", flush=True)
"""


def test_exit_while_cells_are_kept_in_the_background_is_clean(large_samples: Path) -> None:
    done = subprocess.run([sys.executable, "-c", KEEP_AND_LEAVE.format(path=str(large_samples))],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.stdout.strip() == "keeping"  # the process ended while the cells were being kept
    assert (done.returncode, done.stderr) == (0, "")


def test_kernel_shutdown_while_cells_are_kept_in_the_background_is_clean(large_samples: Path,
                                                                          tmp_path: Path) -> None:
    from jupyter_client import BlockingKernelClient

    connection = tmp_path / "kernel.json"
    kernel = subprocess.Popen([sys.executable, "-m", "ipykernel_launcher", "-f", str(connection)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not (connection.exists() and connection.stat().st_size):
            assert kernel.poll() is None and time.monotonic() < deadline, "the kernel did not start"
            time.sleep(0.1)
        client = BlockingKernelClient(connection_file=str(connection))
        client.load_connection_file()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        outputs: list[str] = []
        client.execute_interactive(KEEP_AND_LEAVE.format(path=str(large_samples)), timeout=120,
                                   output_hook=lambda msg: outputs.append(msg["content"].get("text", "")))
        client.shutdown()
        client.stop_channels()
        stdout, stderr = kernel.communicate(timeout=120)
    finally:
        if kernel.poll() is None:
            kernel.kill()
    assert "".join(outputs).strip() == "keeping"
    assert kernel.returncode == 0, stderr
    assert "FATAL" not in stderr and "Traceback" not in stderr and "terminate called" not in stderr, stderr


# -- import evalviz leaves the user's objects to the collector ----------------------------------------------------
USERS_GARBAGE = """
import gc, weakref

class Node:
    pass

node = Node()
node.self = node  # a cycle: only the cyclic collector frees it
alive = weakref.ref(node)
import evalviz
del node
gc.collect()
print(alive() is None, gc.get_freeze_count())
"""


def test_import_leaves_the_users_cyclic_garbage_collectable() -> None:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(USERS_GARBAGE)], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, check=True)
    assert done.stdout.split() == ["True", "0"]
