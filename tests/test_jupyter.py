"""A real JupyterLab on loopback: a notebook cell displays a scores_heatmap as a widget, and the chart, its
tooltip and the clicked-cell selection (browser -> kernel) all work."""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser import ChartPage

pytestmark = pytest.mark.jupyter

NOTEBOOK_CELLS = [
    "import evalviz as ev\n"
    "import pyarrow as pa\n"
    "table = pa.table({'model_display_name': ['alpha', 'alpha', 'beta', 'beta'],\n"
    "                  'task_display_name': ['Arithmetic', 'Capitals', 'Arithmetic', 'Capitals'],\n"
    "                  'score_headline_value': [0.2, 0.4, 0.6, 0.8],\n"
    "                  'log_viewer': ['https://logs.example.com/viewer/#/logs/a.eval'] * 4})\n"
    "chart = ev.scores_heatmap(ev.Data.from_dataframe(table), title='Scores in JupyterLab')\n"
    "chart",
    "print('SELECTION', chart.selection)",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _notebook(path: Path) -> None:
    cells = [
        {"cell_type": "code", "metadata": {}, "source": src, "outputs": [], "execution_count": None}
        for src in NOTEBOOK_CELLS
    ]
    nb = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb))


@pytest.fixture
def jupyter_lab(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A JupyterLab server on 127.0.0.1 with a token, serving tmp_path; yields (base URL, token)."""
    port, token = _free_port(), secrets.token_hex(16)
    _notebook(tmp_path / "chart.ipynb")
    log = (tmp_path / "jupyter.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}",
         "--allow-root", "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
         "--LabApp.extension_manager=readonly",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((tmp_path / "jupyter.log").read_text()) from None
                time.sleep(0.3)
        yield base, token
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def test_scores_heatmap_in_jupyterlab(browser, jupyter_lab) -> None:
    base, token = jupyter_lab
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    outside: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(base) or url.startswith(base.replace("http", "ws")):
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    context.route("**/*", route)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{base}/lab/tree/chart.ipynb?token={token}")
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.sessionContext?.session?.kernel", timeout=60_000
    )
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
        timeout=60_000,
    )
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    target = page.locator(".jp-OutputArea-output div.evalviz-target[data-evalviz-state=ready]")
    target.wait_for(timeout=60_000)
    assert page.locator(".jp-OutputArea-output div.evalviz-target").count() == 1  # the widget, not the HTML too

    chart = ChartPage(page=page, context=context)
    cells = chart.cells()
    assert len(cells) == 4
    beta = chart.cell(y="beta", x="Capitals")
    tip = chart.hover(beta)
    assert tip["Model"] == "beta" and tip["Task"] == "Capitals" and tip["Score"] == "0.800"
    assert "Scores in JupyterLab" in target.inner_text()

    # A click reaches the kernel: the Component's selection is the clicked cell.
    popup_urls: list[str] = []
    context.on("page", lambda p: popup_urls.append(p.url))
    page.mouse.click(*beta.center)
    page.wait_for_timeout(500)
    page.evaluate(
        "() => { const nb = window.jupyterapp.shell.currentWidget.content; nb.activeCellIndex = 1;"
        " return window.jupyterapp.commands.execute('notebook:run-cell'); }"
    )
    printed = page.locator(".jp-OutputArea-output pre", has_text="SELECTION")
    printed.wait_for(timeout=30_000)
    text = printed.inner_text()
    assert "'y': 'beta'" in text and "'x': 'Capitals'" in text and "0.8" in text
    assert outside == [] or all("logs.example.com" in u for u in outside), outside
    assert dialogs == []
    context.close()
