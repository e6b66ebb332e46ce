"""The message channel between the widget and the kernel: requests by kind, answers with Arrow tables.

The unit tests drive `Channel` with a fake `send` that keeps what would go over the wire (JSON content checked
as strictly as JSON, buffers as bytes); the JupyterLab test at the end covers the real wire, browser to kernel
and back, through the JS channel."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc
import pytest

from evalviz.errors import EvalvizError
from evalviz.rendering.channel import Channel, ChannelError
from evalviz.rendering.widget import ChartWidget, drill_handler


class Wire:
    """What a channel sent: each message's JSON content and its buffers."""

    def __init__(self) -> None:
        self.sent: list[tuple[dict, list[bytes]]] = []

    def send(self, content: dict, buffers: list[bytes] | None = None) -> None:
        json.dumps(content, allow_nan=False)  # what cannot travel as JSON fails here, as it would in the kernel
        self.sent.append((content, list(buffers or [])))

    def only(self) -> tuple[dict, list[bytes]]:
        assert len(self.sent) == 1, self.sent
        return self.sent.pop()


@pytest.fixture
def wire() -> Wire:
    return Wire()


@pytest.fixture
def channel(wire: Wire) -> Channel:
    return Channel(wire.send)


def read_ipc(data: bytes) -> pa.Table:
    return ipc.open_stream(pa.BufferReader(data)).read_all()


def test_an_answer_echoes_the_request_id_and_carries_its_tables_as_arrow_buffers(channel: Channel, wire: Wire) -> None:
    scores = pa.table({"model": ["a", "b", "a", "a"], "score": [0.25, None, 1.0, 0.5], "n": pa.array([1, 2, 3, 4],
                                                                                                        pa.int64())})
    counts = pa.table({"task": ["t\u2082", "<b>x</b>"], "k": [7, 8]})
    channel.handle("tables", lambda payload: ({"asked": payload}, {"scores": scores, "counts": counts}))

    for request_id in (1, "view-2", 3.5):
        channel.receive({"kind": "tables", "id": request_id, "payload": {"n": [1, 2]}}, [])
        content, buffers = wire.only()
        assert (content["kind"], content["id"], content["payload"]) == ("tables", request_id, {"asked": {"n": [1, 2]}})
        assert content["tables"] == ["scores", "counts"] and "error" not in content
        decoded = [read_ipc(data) for data in buffers]
        assert [t.to_pylist() for t in decoded] == [scores.to_pylist(), counts.to_pylist()]
        assert decoded[0].column("n").type == pa.int64()


def test_requests_are_answered_in_the_order_they_arrive(channel: Channel, wire: Wire) -> None:
    channel.handle("slow", lambda payload: (time.sleep(0.02), ({"i": payload}, {}))[1])
    channel.handle("fast", lambda payload: ({"i": payload}, {}))
    for i, kind in enumerate(["slow", "fast", "slow", "fast"]):
        channel.receive({"kind": kind, "id": i, "payload": i})
    assert [(c["id"], c["payload"]["i"]) for c, _ in wire.sent] == [(0, 0), (1, 1), (2, 2), (3, 3)]


def test_python_time_is_measured_and_sent(channel: Channel, wire: Wire) -> None:
    channel.handle("wait", lambda payload: (time.sleep(payload / 1000), ({}, {}))[1])
    began = time.perf_counter()
    channel.receive({"kind": "wait", "id": 1, "payload": 30})
    outside_ms = (time.perf_counter() - began) * 1000
    content, _ = wire.only()
    assert 30 <= content["python_ms"] <= outside_ms


def test_an_unknown_kind_is_answered_with_an_error_naming_the_known_kinds(channel: Channel, wire: Wire) -> None:
    channel.handle("drill", lambda payload: ({}, {}))
    channel.handle("echo", lambda payload: (payload, {}))
    for kind in ("dril", None, 3, ["drill"]):
        channel.receive({"kind": kind, "id": 9, "payload": {}})
        content, buffers = wire.only()
        assert content["id"] == 9 and "payload" not in content and buffers == []
        assert "'drill', 'echo'" in content["error"] and "kind" in content["error"], content
    Channel(wire.send).receive({"kind": "drill", "id": 1})
    assert wire.only()[0]["error"].endswith("kinds answered: none.")


def test_a_failing_handler_is_answered_with_its_reason_and_the_channel_keeps_answering(channel: Channel,
                                                                                      wire: Wire) -> None:
    def refuse(payload: dict) -> tuple:
        raise EvalvizError(f"Column {payload['column']!r} is not in the data.")

    channel.handle("refuse", refuse)
    channel.handle("divide", lambda payload: ({"q": 1 / payload}, {}))
    channel.handle("shapeless", lambda payload: {"not": "a pair"})
    channel.handle("unjson", lambda payload: ({"values": {1, 2}}, {}))

    channel.receive({"kind": "refuse", "id": 1, "payload": {"column": "<score>"}})
    assert wire.only()[0]["error"] == "Column '<score>' is not in the data."
    channel.receive({"kind": "divide", "id": 2, "payload": 0})
    assert wire.only()[0]["error"] == f"ZeroDivisionError: {_reason(lambda: 1 / 0)}"
    channel.receive({"kind": "shapeless", "id": 3, "payload": None})
    assert "returns a pair (reply payload, {name: pyarrow.Table})" in wire.only()[0]["error"]
    channel.receive({"kind": "unjson", "id": 4, "payload": None})
    content, buffers = wire.only()
    assert content["id"] == 4 and content["error"].startswith("The answer could not be sent: TypeError") and not buffers
    channel.receive({"kind": "divide", "id": 5, "payload": 4})
    content, _ = wire.only()
    assert content["payload"] == {"q": 0.25} and "error" not in content


def _reason(fail) -> str:  # noqa: ANN001
    try:
        fail()
    except Exception as exc:  # noqa: BLE001
        return str(exc)
    raise AssertionError("did not fail")


def test_a_reply_that_cannot_be_sent_never_escapes_receive_and_is_logged(
        channel: Channel, wire: Wire, caplog: pytest.LogCaptureFixture) -> None:
    channel.handle("echo", lambda payload: ({"echo": payload}, {}))
    channel.handle("unjson", lambda payload: ({"values": {1, 2}}, {}))
    # An id JSON cannot carry: the answer fails, and so does the error that reports it; receive() still returns.
    for request in ({"kind": "echo", "id": {1}, "payload": 1}, {"kind": {"echo"}, "id": 2, "payload": 1},
                    {"kind": "unjson", "id": {3}, "payload": None}):
        with caplog.at_level("WARNING", logger="evalviz.rendering.channel"):
            channel.receive(request)
        assert wire.sent == []
        assert "could not answer request" in caplog.records[-1].getMessage()
    assert len(caplog.records) == 3

    closed = Channel(_raise(RuntimeError("the comm is closed")))  # every send fails: a closed widget
    closed.handle("echo", lambda payload: ({"echo": payload}, {}))
    closed.handle("divide", lambda payload: ({"q": 1 / payload}, {}))
    closed.receive({"kind": "echo", "id": 1, "payload": 1})
    closed.receive({"kind": "divide", "id": 2, "payload": 0})

    class Unwritable(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no message")

    channel.handle("unwritable", lambda payload: (_ for _ in ()).throw(Unwritable()))
    channel.receive({"kind": "unwritable", "id": 4, "payload": None})
    assert wire.only()[0]["error"] == "Unwritable"  # its type, when its message cannot be written
    channel.receive({"kind": "echo", "id": 5, "payload": 1})  # and the channel keeps answering
    assert wire.only()[0]["payload"] == {"echo": 1}


def _raise(exc: Exception):  # noqa: ANN202
    def send(content: dict, buffers: list[bytes] | None = None) -> None:
        raise exc

    return send


def test_tables_named_other_than_by_strings_are_refused_with_an_error_reply(channel: Channel, wire: Wire) -> None:
    table = pa.table({"i": [1]})
    for names in ({1: table}, {("a",): table}, {None: table, "ok": table}):
        channel.handle("tables", lambda payload, names=names: ({}, names))
        channel.receive({"kind": "tables", "id": 7, "payload": None})
        content, buffers = wire.only()
        assert content["id"] == 7 and "payload" not in content and buffers == []
        assert "tables are named by strings" in content["error"], content


def test_messages_that_are_not_requests_are_left_unanswered(channel: Channel, wire: Wire) -> None:
    channel.handle("echo", lambda payload: (payload, {}))
    for content in (None, [1], "drill", {"kind": "echo"}, {"type": "drill", "request": 1, "datum": {}}):
        channel.receive(content, [])
    assert wire.sent == []


def test_handlers_are_registered_by_kind_and_checked(channel: Channel) -> None:
    for kind in ("", None, 3):
        with pytest.raises(ChannelError, match="non-empty string"):
            channel.handle(kind, lambda payload: ({}, {}))
    with pytest.raises(ChannelError, match="payload -> \\(reply payload, tables\\)"):
        channel.handle("echo", {"not": "callable"})
    channel.handle("echo", lambda payload: ({"first": payload}, {}))
    channel.handle("drill", lambda payload: ({}, {}))
    channel.handle("echo", lambda payload: ({"second": payload}, {}))
    assert channel.kinds == ["echo", "drill"]


def test_a_widget_answers_the_kinds_it_is_given_and_drill_requests_need_a_datum(wire: Wire) -> None:
    cells = pa.table({"x": ["a", "b"], "v": [1.0, 2.0]})
    spec = {"data": {"name": "cells"}, "mark": "rect", "encoding": {"x": {"field": "x", "type": "nominal"}}}
    asked: list[dict] = []

    def region(datum: dict) -> tuple[dict, dict[str, pa.Table]]:
        asked.append(datum)
        return spec, {"cells": cells.filter(pa.compute.equal(cells["x"], datum["x"]))}

    widget = ChartWidget(spec, {"cells": cells}, handlers={"drill": drill_handler(region)})
    widget.send = wire.send
    assert widget.channel.kinds == ["drill"]
    widget._receive(widget, {"kind": "drill", "id": "a-1", "payload": {"datum": {"x": "b"}}}, [])
    content, buffers = wire.only()
    assert asked == [{"x": "b"}] and content["tables"] == ["cells"]
    assert content["payload"]["spec"]["data"] == {"name": "cells"}
    assert read_ipc(buffers[0]).to_pylist() == [{"x": "b", "v": 2.0}]
    for payload in ({"datum": None}, {"datum": [1]}, None, "b"):
        widget._receive(widget, {"kind": "drill", "id": "a-2", "payload": payload}, [])
        assert "clicked cell's datum" in wire.only()[0]["error"], payload
    assert len(asked) == 1


# -- the real wire: JupyterLab, the JS channel in the browser, the kernel's handler ----------------------------------
ECHO_CELLS = [
    "import evalviz as ev, pyarrow as pa\n"
    "from evalviz.errors import EvalvizError\n"
    "table = pa.table({'model_display_name': ['alpha', 'beta'], 'task_display_name': ['Arithmetic'] * 2,\n"
    "                  'score_headline_value': [0.25, 0.75]})\n"
    "chart = ev.scores_heatmap(ev.Data.from_dataframe(table))\n"
    "def echo(payload):\n"
    "    if payload['n'] < 0:\n"
    "        raise EvalvizError(f\"n is at least 0, not {payload['n']}.\")\n"
    "    return {'echoed': payload}, {'powers': pa.table({'i': list(range(payload['n'])),\n"
    "                                                   'square': [i * i for i in range(payload['n'])]})}\n"
    "chart.widget.channel.handle('echo', echo)\n"
    "chart",
]

ASK = """async (el) => {
    const channel = el.evalvizChannel;
    const answer = await channel.request("echo", {n: 5, text: "<b>\u00e9</b>"});
    const failures = [];
    for (const [kind, payload] of [["echo", {n: -1}], ["nope", {}]]) {
        try { await channel.request(kind, payload); failures.push(null); }
        catch (error) { failures.push([error.name, error.kind, error.message]); }
    }
    const marks = performance.getEntriesByName("evalviz:echo-answered").map((m) => m.detail);
    const asked = performance.getEntriesByName("evalviz:echo-asked").map((m) => m.detail);
    return {payload: answer.payload, tables: answer.tables, pythonMs: answer.pythonMs, failures, marks, asked};
}"""


@pytest.mark.jupyter
def test_a_request_of_a_registered_kind_goes_from_the_browser_to_the_kernel_and_back(browser,
                                                                                     tmp_path: Path) -> None:
    from jupyter_server import jupyter_lab, run_cell

    with jupyter_lab(tmp_path) as lab:
        lab.write_notebook("channel.ipynb", ECHO_CELLS)
        context, page, outside = lab.open_notebook(browser, "channel.ipynb")
        run_cell(page, 0)
        target = page.locator(".jp-OutputArea-output div.evalviz-target[data-evalviz-state=ready]")
        target.wait_for(timeout=60_000)
        widget = target.locator("xpath=..").element_handle()
        got = page.evaluate(ASK, widget)
        context.close()

    assert got["payload"] == {"echoed": {"n": 5, "text": "<b>\u00e9</b>"}}
    assert got["tables"] == {"powers": [{"i": i, "square": i * i} for i in range(5)]}
    assert got["pythonMs"] > 0
    assert got["failures"] == [
        ["ChannelError", "echo", "n is at least 0, not -1."],
        ["ChannelError", "nope", "No handler answers requests of kind 'nope'; kinds answered: 'echo'."],
    ]
    # One mark per ask and per answer, matched by request id; the answer's carries the kernel's Python time.
    assert [m["id"] for m in got["marks"]] == [m["id"] for m in got["asked"]] and len(got["marks"]) == 2
    assert len({m["id"] for m in got["marks"]}) == 2 and all(m["pythonMs"] >= 0 for m in got["marks"])
    assert outside == []
