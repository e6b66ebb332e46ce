"""The output faults an adversarial tester found (issue 10, kind 9): paint that would make a browser fetch, in
the notebook's HTML (which has no Content-Security-Policy) as in every other target, and files that
`write_html` could not write: long names, devices and pipes, an empty path."""

from __future__ import annotations

import os
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import altair as alt
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.errors import EvalvizError, OutputError
from evalviz.rendering import files, html, outgoing
from test_faults_output import SERVER, WRITERS, bar_chart, requests_served


@pytest.fixture
def counting_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTP server on 127.0.0.1, in its own process, logging every request it gets: its URL and the log."""
    import subprocess
    import sys

    log = tmp_path / "requests.log"
    log.touch()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(log)], stdout=subprocess.PIPE, text=True)
    try:
        yield f"http://127.0.0.1:{int(server.stdout.readline())}", log
    finally:
        server.kill()
        server.wait()


def scores() -> ev.Data:
    return ev.Data.from_dataframe(pa.table({"m": ["a", "a", "b"], "t": ["x", "y", "x"], "s": [0.2, 0.5, 0.9]}))


def open_without_policy(browser: object, fragment: str, tmp_path: Path) -> None:
    """Open the chart's notebook HTML in a page of its own, as a notebook or Quarto page holds it: no
    Content-Security-Policy, and the network open (only to the local server)."""
    page_file = tmp_path / "notebook.html"
    page_file.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{fragment}</body></html>",
                         encoding="utf-8")
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(page_file.as_uri())
        page.wait_for_function("document.querySelector('div.evalviz-chart[data-evalviz-state=\"ready\"]')",
                               timeout=30_000)
        page.wait_for_timeout(500)  # paint and cursor loads start once the SVG is in the page
    finally:
        context.close()


# -- 9.1: nothing is fetched, though a colour or a CSS option names a URL ------------------------------------------
def test_a_colour_option_is_checked_as_a_colour(counting_server: tuple[str, Path]) -> None:
    base, log = counting_server
    for value in (f"url({base}/p.svg#p)", f"white url({base}/p.svg)", "expression(alert(1))", 5, "rgb(url(x))"):
        with pytest.raises(EvalvizError, match=r"CellOptions\.(stroke|text) is a CSS colour"):
            ev.CellOptions(stroke=value)
        with pytest.raises(EvalvizError, match=r"CellOptions\.text is a CSS colour"):
            ev.CellOptions(text=value)
    for colour in ("white", "#1f77b4", "#abcd", "rgb(31, 119, 180)", "hsl(200 50% 40% / 0.5)", "Transparent"):
        assert ev.CellOptions(stroke=colour, text=colour).stroke == colour
    assert requests_served(log) == []


def paint_cases(base: str) -> dict[str, dict]:
    """Specs that paint with a resource: a mark's stroke, the background, a config colour, a cursor, an escaped
    url( and a scale range."""
    url = f"url({base}/p.svg#p)"
    return {
        "mark stroke": {"mark": {"type": "bar", "stroke": url}},
        "background": {"background": url},
        "config": {"config": {"axis": {"labelColor": url}}},
        "cursor": {"mark": {"type": "bar", "cursor": f"{url}, auto"}},
        "escaped": {"mark": {"type": "bar", "fill": f"u\\72 l({base}/p.svg#p)"}},
        "commented": {"mark": {"type": "bar", "fill": f"url/**/({base}/p.svg#p)"}},
        "scale range": {"encoding": {"y": {"field": "k", "type": "nominal"},
                                     "color": {"field": "k", "type": "nominal", "scale": {"range": [url, "red"]}}}},
    }


@pytest.mark.parametrize("case", ["mark stroke", "background", "config", "cursor", "escaped", "commented",
                                  "scale range"])
def test_paint_that_names_a_resource_is_refused_by_every_target(case: str, counting_server: tuple[str, Path],
                                                                tmp_path: Path) -> None:
    base, log = counting_server
    chart = bar_chart(**paint_cases(base)[case])
    outputs = {"html": chart.to_html, "widget": lambda: chart.widget,
               "notebook": lambda: chart._repr_mimebundle_(),
               **{kind: (lambda w=write: w(chart, tmp_path / "out")) for kind, write in WRITERS.items()}}
    for name, output in outputs.items():
        with pytest.raises(OutputError, match=r"paint at spec\.\S+ names a resource to load"):
            output()
        assert not (tmp_path / "out").exists(), name
    assert requests_served(log) == []


def test_colours_taken_from_the_data_must_be_colours(counting_server: tuple[str, Path]) -> None:
    base, log = counting_server
    rows = [{"k": "a", "v": 1, "c": "steelblue"}, {"k": "b", "v": 2, "c": f"url({base}/p.svg#p)"}]
    encoding = {"y": {"field": "k", "type": "nominal"}, "x": {"field": "v", "type": "quantitative"},
                "color": {"field": "c", "type": "nominal", "scale": None}}
    with pytest.raises(OutputError, match=r"colours from the data as they are \(spec\.encoding\.color"):
        bar_chart(rows=rows, encoding=encoding).to_html()
    inline = {"data": {"values": rows}, "mark": "bar", "encoding": encoding}
    with pytest.raises(OutputError, match=r"one is not a colour: 'url\("):
        ev.Component.from_parts(inline, {}).to_html()
    rows[1]["c"] = "#ff0000"
    assert "evalviz-chart" in bar_chart(rows=rows, encoding=encoding).to_html()
    assert requests_served(log) == []


def test_the_notebook_html_of_a_chart_fetches_nothing(counting_server: tuple[str, Path], browser: object,
                                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base, log = counting_server
    image = alt.Chart().mark_image(width=8, height=8).encode(x="x:N", y="y:N", url=alt.value(f"{base}/i.png"))
    chart = ev.heatmap(scores(), x="t", y="m", fill="s", cell=ev.CellOptions(stroke="white"), marks=image)
    open_without_policy(browser, chart._repr_mimebundle_()[0]["text/html"], tmp_path)
    assert requests_served(log) == []
    # The same page, with the paint check taken away, fetches: the page is one that would show a fetch.
    monkeypatch.setattr(outgoing, "check_paint", lambda spec, datasets=None: None)
    stroked = alt.Chart().mark_rect(stroke=f"url({base}/p.svg#p)", fill="transparent").encode(x="x:N", y="y:N")
    leaky = ev.heatmap(scores(), x="t", y="m", fill="s", marks=stroked)
    open_without_policy(browser, html.html_fragment(leaky.item, leaky.datasets), tmp_path)
    assert any(request.startswith("/p.svg") for request in requests_served(log))


# -- 9.2: write_html writes any file name it is given, or says why not ---------------------------------------------
def test_a_file_name_as_long_as_the_folder_allows_is_written(tmp_path: Path) -> None:
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    for name in ("a" * (limit - 5) + ".html", "é" * ((limit - 5) // 2) + ".html", "c.html"):
        target = tmp_path / name
        bar_chart().write_html(target)
        assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["a" * (limit - 5) + ".html",
                                                                "é" * ((limit - 5) // 2) + ".html", "c.html"])


def test_the_temporary_name_is_never_longer_than_the_files_own() -> None:
    for name in ("c.html", "x" * 250 + ".html", "é" * 125 + ".html"):
        temporary = files._temporary_name(name)
        assert temporary.startswith(".") and temporary != name
        assert len(temporary.encode()) <= max(len(name.encode()), 24)


def test_a_pipe_and_a_character_device_are_written_to_directly(tmp_path: Path) -> None:
    expected = bar_chart().to_html().encode("utf-8")
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    bar_chart().write_html(pipe)
    reader.join(timeout=30)
    assert len(received[0]) == len(expected) and received[0][:200] == expected[:200]
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)  # still the pipe, not replaced by a file
    assert bar_chart().write_html("/dev/null") == Path("/dev/null")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_a_socket_an_empty_path_and_a_wrong_title_are_refused_before_writing(tmp_path: Path) -> None:
    listener = socket.socket(socket.AF_UNIX)
    try:
        listener.bind(str(tmp_path / "s.sock"))
        with pytest.raises(OutputError, match="is a socket, which a chart is not written to"):
            bar_chart().write_html(tmp_path / "s.sock")
    finally:
        listener.close()
    for path in ("", None, b"chart.html", 5):
        with pytest.raises(OutputError, match="Give the path of the file to write"):
            bar_chart().write_html(path)
    with pytest.raises(OutputError, match="page title is text"):
        bar_chart().write_html(tmp_path / "t.html", title=123)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.sock"]


def test_a_folder_the_system_will_not_write_to_gives_an_output_error() -> None:
    """The permission check the system makes (here /sys, which even root may not create files in) reaches the user
    as an OutputError naming the path, not a raw PermissionError."""
    for writer in ("write_html", "write_svg"):
        with pytest.raises(OutputError, match=r"Could not write '/sys/chart\..*': Permission denied"):
            getattr(bar_chart(), writer)(f"/sys/chart.{writer[6:]}")
    assert not Path("/sys/chart.html").exists()
