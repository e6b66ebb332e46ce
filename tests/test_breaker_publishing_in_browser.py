"""Faults found by breaking the publishing features (issue 14), as a reader sees them in Chromium: a notebook whose
kernel replaced the output carrying the renderer (a cell redrawing its chart with `clear_output`, a display updated in
place) still draws every chart in its static HTML export, offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import open_chart_page
from test_breaker_publishing import REPLACING_CELLS, SETUP, chart_outputs, run_notebook


@pytest.mark.parametrize("case", ["clear_output", "update"])
def test_the_export_of_a_notebook_whose_kernel_replaced_the_carrier_draws_every_chart(
        tmp_path: Path, browser, case: str) -> None:  # noqa: ANN001 - Playwright's Browser
    from nbconvert import HTMLExporter

    nb = run_notebook(tmp_path, [SETUP, *REPLACING_CELLS[case], "ev.scores_by_task(evals)"])
    body, _ = HTMLExporter().from_notebook_node(nb)
    path = tmp_path / "export.html"
    path.write_text(body, encoding="utf-8")
    charts = len(chart_outputs(nb))
    page = open_chart_page(browser, path, wait_for=charts, timeout=60_000)
    assert page.page.locator(".evalviz-renderer-missing").count() == 0
    drawn = page.marks_drawn()
    assert len(drawn) == charts >= 2 and all(n > 0 for n in drawn), drawn
    assert page.errors == []
    page.context.close()
