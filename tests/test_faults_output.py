"""What every output target does alike: a file is replaced whole or left as it was, nothing is fetched, the
spec is strict JSON, and exported images draw text in the page's fonts (issue 10, kinds 9 and 10)."""

from __future__ import annotations

import base64
import datetime
import math
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import altair as alt
import numpy as np
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.errors import EvalvizError, OutputError
from evalviz.rendering import files, static_export
from evalviz.rendering.outgoing import FONT

WRITERS: dict[str, Callable[[ev.Component, Path], Path]] = {
    "html": lambda chart, path: chart.write_html(path),
    "png": lambda chart, path: chart.write_png(path),
    "svg": lambda chart, path: chart.write_svg(path),
    "pdf": lambda chart, path: chart.write_pdf(path),
}


def bar_chart(title: str = "Scores", rows: list[dict] | None = None, **spec: object) -> ev.Component:
    """A small Component of the kind views make: a spec naming a dataset held apart as Arrow."""
    table = pa.Table.from_pylist(rows or [{"k": "CO₂", "v": 0.4}, {"k": "CH4", "v": 0.7}])
    base = {"data": {"name": "cells"}, "mark": "bar", "title": title, "width": 200, "height": 100,
            "encoding": {"y": {"field": "k", "type": "nominal"}, "x": {"field": "v", "type": "quantitative"}}}
    return ev.Component.from_parts({**base, **spec}, {"cells": table})


# -- a file is replaced whole, or left as it was ------------------------------------------------------------------
@pytest.mark.parametrize("kind", WRITERS)
def test_a_chart_that_cannot_be_built_leaves_the_old_file(kind: str, tmp_path: Path) -> None:
    target = tmp_path / f"chart.{kind}"
    WRITERS[kind](bar_chart(), target)
    before = target.read_bytes()
    broken = bar_chart(encoding={"x": {"field": "v", "type": "quantitative", "scale": {"domain": [0, math.inf]}}})
    with pytest.raises(OutputError, match=r"inf at spec\.encoding\.x\.scale\.domain\[1\]"):
        WRITERS[kind](broken, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


@pytest.mark.parametrize("kind", WRITERS)
def test_a_write_that_fails_midway_leaves_the_old_file(kind: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / f"chart.{kind}"
    WRITERS[kind](bar_chart(), target)
    before = target.read_bytes()

    real_fdopen = os.fdopen

    class DiskFull:
        """A file that takes half of what is written, then fails as a full disk does."""

        def __init__(self, fd: int, mode: str) -> None:
            self.file = real_fdopen(fd, mode)

        def __enter__(self) -> DiskFull:
            return self

        def __exit__(self, *exc: object) -> None:
            self.file.close()

        def write(self, data: bytes) -> int:
            self.file.write(data[: len(data) // 2])
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fdopen", DiskFull)
    with pytest.raises(OutputError, match="No space left"):  # an EvalvizError naming the cause, not a raw OSError
        WRITERS[kind](bar_chart(title="A new title"), target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_a_write_replaces_the_file_and_keeps_its_permissions_and_links(tmp_path: Path) -> None:
    target = tmp_path / "chart.html"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "latest.html"
    link.symlink_to(target)
    bar_chart(title="New").write_html(link)
    assert link.is_symlink() and "New" in target.read_text(encoding="utf-8")
    assert target.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("kind", WRITERS)
def test_a_wrong_path_is_named_before_the_chart_is_built(kind: str, tmp_path: Path) -> None:
    # A chart that fails as it is built: the path's error comes first, so nothing was built.
    broken = bar_chart(encoding={"x": {"field": "v", "type": "quantitative", "scale": {"domain": [0, math.inf]}}})
    with pytest.raises(OutputError, match="is a folder: give the path of a file"):
        WRITERS[kind](broken, tmp_path)
    with pytest.raises(OutputError, match="does not exist: create it"):
        WRITERS[kind](broken, tmp_path / "no such folder" / f"chart.{kind}")
    assert list(tmp_path.iterdir()) == []


# -- nothing is fetched, by any target ----------------------------------------------------------------------------
SERVER = """
import base64, http.server, sys
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(sys.argv[1], "a") as log:
            log.write(self.path + "\\n")
        body = b'[{"k": "a", "v": 1}]' if self.path.endswith(".json") else PNG
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_port, flush=True)
server.serve_forever()
"""


@pytest.fixture
def counting_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTP server on 127.0.0.1 (its own process: vl-convert holds the GIL while it draws) that logs every
    request it gets; yields its base URL and the log."""
    log = tmp_path / "requests.log"
    log.touch()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(log)], stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        yield f"http://127.0.0.1:{port}", log
    finally:
        server.kill()
        server.wait()


def requests_served(log: Path) -> list[str]:
    time.sleep(0.3)  # a request in flight is logged before this returns
    return log.read_text().split()


def test_the_server_counts_what_it_is_asked(counting_server: tuple[str, Path]) -> None:
    import urllib.request

    base, log = counting_server
    urllib.request.urlopen(f"{base}/probe.png").read()
    assert requests_served(log) == ["/probe.png"]


def test_an_image_layer_fed_by_a_link_column_fetches_nothing(counting_server: tuple[str, Path], tmp_path: Path,
                                                             render) -> None:
    base, log = counting_server
    rows = [{"model": m, "task": t, "score": (i + j) / 4, "link": f"{base}/{m}-{t}.png"}
            for i, m in enumerate(["a", "b"]) for j, t in enumerate(["x", "y"])]
    images = alt.Chart().mark_image(width=12, height=12).encode(x="x:N", y="y:N", url="link:N")
    chart = ev.heatmap(ev.Data.from_dataframe(pa.Table.from_pylist(rows)), x="task", y="model", fill="score",
                       link="link", marks=images)
    assert base in str(chart.datasets["cells"]["link"].to_pylist())

    svg = chart.write_svg(tmp_path / "chart.svg").read_text(encoding="utf-8")
    png = chart.write_png(tmp_path / "chart.png").read_bytes()
    page = render(chart)
    assert requests_served(log) == []
    # Drawn as the page draws it: the image marks are there, empty, and the SVG links to nothing to load.
    assert svg.count("<image") == 4 and not re.search(r'<image[^>]*href=', svg)
    assert png.startswith(b"\x89PNG") and len([i for i in page.items() if i.marktype == "image"]) == 4


def test_url_data_is_refused_by_every_target(counting_server: tuple[str, Path], tmp_path: Path) -> None:
    base, log = counting_server
    layer = alt.Chart(alt.UrlData(f"{base}/more.json")).mark_point().encode(x="k:N", y="v:Q")
    chart = ev.heatmap(ev.Data.from_dataframe(pa.table({"m": ["a"], "t": ["x"], "s": [0.5]})), x="t", y="m",
                       fill="s", marks=layer)
    outputs = {
        "html": chart.to_html, "widget": lambda: chart.widget,
        **{kind: (lambda w=write: w(chart, tmp_path / "out")) for kind, write in WRITERS.items()},
    }
    for name, output in outputs.items():
        with pytest.raises(OutputError, match=r"loads data from the URL 'http://127\.0\.0\.1:\d+/more\.json'"):
            output()
        assert not (tmp_path / "out").exists(), name
    assert requests_served(log) == []


# -- one strict JSON for every target ----------------------------------------------------------------------------
def test_a_non_finite_number_in_a_spec_is_named_for_every_target(tmp_path: Path) -> None:
    broken = bar_chart(encoding={"x": {"field": "v", "type": "quantitative", "scale": {"domain": [math.nan, 1]}}})
    outputs = {"html": broken.to_html, "widget": lambda: broken.widget, "altair": lambda: broken.to_altair(),
               **{kind: (lambda w=write: w(broken, tmp_path / "out")) for kind, write in WRITERS.items()}}
    for name, output in outputs.items():
        with pytest.raises(EvalvizError, match=r"nan at spec\.encoding\.x\.scale\.domain\[0\]"):
            output()
        assert not (tmp_path / "out").exists(), name


def test_non_finite_values_in_datasets_become_no_value_in_json_targets(tmp_path: Path) -> None:
    chart = bar_chart(rows=[{"k": "a", "v": 0.5}, {"k": "b", "v": math.nan}, {"k": "c", "v": math.inf}])
    inlined = static_export.inline_spec(chart.spec, chart.datasets)["datasets"]["cells"]
    assert [r["v"] for r in inlined] == [0.5, None, None]
    svg = chart.write_svg(tmp_path / "chart.svg").read_text(encoding="utf-8")
    assert svg.count('aria-roledescription="bar"') == 1  # only the finite bar is drawn, as on the page
    altair_values = chart.to_altair().to_dict(validate=True)["datasets"]
    assert [r["v"] for rows in altair_values.values() for r in rows] == [0.5, None, None]


def test_dates_and_times_reach_json_targets_as_the_page_reads_them_from_arrow() -> None:
    when = datetime.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.UTC)
    table = pa.table({"at": pa.array([when]), "day": pa.array([when.date()]), "cost": pa.array([Decimal("1.25")]),
                      "took": pa.array([datetime.timedelta(seconds=5)], pa.duration("ms"))})
    (row,) = static_export.inline_spec({}, {"t": table})["datasets"]["t"]
    midnight = datetime.datetime(2024, 1, 2, tzinfo=datetime.UTC)
    assert row == {"at": pytest.approx(when.timestamp() * 1000), "day": midnight.timestamp() * 1000, "cost": 1.25,
                   "took": 5000}


def test_png_scale_is_checked_before_any_work(tmp_path: Path) -> None:
    for scale in (0, -1, math.nan, "2", True, 1000):
        with pytest.raises(OutputError, match="scale is a number above 0"):
            bar_chart().write_png(tmp_path / "chart.png", scale=scale)
    assert not (tmp_path / "chart.png").exists()


# -- exported images use the page's fonts -------------------------------------------------------------------------
def test_svg_text_is_in_the_page_fonts_and_the_title_stays_bold(tmp_path: Path, render) -> None:
    chart = bar_chart(title="CO₂ by source")
    svg = chart.write_svg(tmp_path / "chart.svg").read_text(encoding="utf-8")
    texts = {m[2]: m[1] for m in re.finditer(r"<text([^>]*)>([^<]*)</text>", svg)}
    assert re.search(r'font-family="([^"]*)"', texts["CO₂"])[1] == FONT
    title = texts["CO₂ by source"]
    assert re.search(r'font-family="([^"]*)"', title)[1] == FONT and 'font-weight="bold"' in title
    # The page draws with the same fonts.
    page = render(chart)
    families = page.chart().evaluate(
        "el => [...el.querySelectorAll('text')].map(t => getComputedStyle(t).fontFamily)")
    assert families and {f.replace('"', "") for f in families} == {FONT}


def test_png_draws_a_character_the_first_font_lacks_without_changing_the_rest(tmp_path: Path, browser) -> None:
    """"CO₂", where vl-convert's own "sans-serif" (Liberation Sans) has no "₂": the "CO" of the title must be
    drawn exactly as in a title "CO" (same font, same weight), not the whole title in another font."""
    page = browser.new_page()

    def title_band(title: str) -> np.ndarray:
        spec = {"title": {"text": title, "anchor": "start", "offset": 40, "fontSize": 20}, "width": 80}
        png = bar_chart(**spec).write_png(tmp_path / "t.png", scale=2).read_bytes()
        pixels = png_pixels(page, png)
        ink = np.flatnonzero((pixels < 200).any(axis=(1, 2)))
        band_end = ink[np.flatnonzero(np.diff(ink) > 1)[0]]  # the title: ink rows before the first gap
        return pixels[: band_end + 1]

    plain, subscript = title_band("CO"), title_band("CO₂")
    page.close()
    assert plain.shape == subscript.shape
    right_edge = np.flatnonzero((plain < 200).any(axis=(0, 2))).max()
    assert np.array_equal(plain[:, : right_edge + 1], subscript[:, : right_edge + 1])
    assert not np.array_equal(plain, subscript)  # the "₂" is drawn


def png_pixels(page: object, png: bytes) -> np.ndarray:
    """The RGB pixels of a PNG over white, decoded by Chromium, as an array of rows."""
    width, height, raw = page.evaluate(
        """async (data) => {
            const image = new Image();
            image.src = "data:image/png;base64," + data;
            await image.decode();
            const canvas = document.createElement("canvas");
            [canvas.width, canvas.height] = [image.width, image.height];
            const context = canvas.getContext("2d");
            context.fillStyle = "white";
            context.fillRect(0, 0, image.width, image.height);
            context.drawImage(image, 0, 0);
            const bytes = context.getImageData(0, 0, image.width, image.height).data;
            let text = "";
            for (let i = 0; i < bytes.length; i += 32768) text += String.fromCharCode(...bytes.subarray(i, i + 32768));
            return [image.width, image.height, btoa(text)];
        }""",
        base64.b64encode(png).decode(),
    )
    return np.frombuffer(base64.b64decode(raw), np.uint8).reshape(height, width, 4)[..., :3]
