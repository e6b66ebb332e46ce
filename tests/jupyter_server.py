"""A real JupyterLab server on loopback, for the widget tests and the drill-down benchmark."""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page


@dataclass
class JupyterLab:
    """A running server: its base URL, token and root folder."""

    base: str
    token: str
    root: Path

    def write_notebook(self, name: str, cells: list[str]) -> None:
        nb = {
            "cells": [
                {"cell_type": "code", "metadata": {}, "source": src, "outputs": [], "execution_count": None}
                for src in cells
            ],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        (self.root / name).write_text(json.dumps(nb))

    def open_notebook(self, browser: Browser, name: str) -> tuple[BrowserContext, Page, list[str]]:
        """Open a notebook with its kernel idle; requests that leave loopback are aborted and listed."""
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        outside: list[str] = []

        def route(r) -> None:  # noqa: ANN001 - Playwright's Route
            url = r.request.url
            if url.startswith((self.base, self.base.replace("http", "ws"))):
                r.continue_()
            else:
                outside.append(url)
                r.abort()

        context.route("**/*", route)
        page.goto(f"{self.base}/lab/tree/{name}?token={self.token}")
        page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
            " && window.jupyterapp.shell.currentWidget.sessionContext?.session?.kernel"
            " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
            timeout=90_000,
        )
        return context, page, outside


def run_cell(page: Page, index: int) -> None:
    """Run the notebook's cell `index` (0-based)."""
    page.evaluate(
        "(i) => { const nb = window.jupyterapp.shell.currentWidget.content; nb.activeCellIndex = i;"
        " return window.jupyterapp.commands.execute('notebook:run-cell'); }",
        index,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def jupyter_lab(root: Path) -> Iterator[JupyterLab]:
    """Start `jupyter lab` on 127.0.0.1 with a token, serving `root`; stop it on exit."""
    port, token = _free_port(), secrets.token_hex(16)
    log_path = root / "jupyter.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--allow-root",
             "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
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
                        raise RuntimeError(f"JupyterLab did not start:\n{log_path.read_text()}") from None
                    time.sleep(0.3)
            yield JupyterLab(base=base, token=token, root=root)
        finally:
            server.terminate()
            server.wait(timeout=20)
