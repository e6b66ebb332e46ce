"""Fixtures shared by every test: example data, and a real Chromium that charts are rendered in."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from browser import CHROMIUM, CHROMIUM_ARGS, ChartPage, open_chart_page  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "data"


@pytest.fixture(scope="session")
def evals_path() -> Path:
    return EXAMPLES / "evals.parquet"


@pytest.fixture(scope="session")
def samples_path() -> Path:
    return EXAMPLES / "samples.parquet"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is missing at {CHROMIUM}; `make test` installs it (apt-get install chromium).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def render(browser: object, tmp_path: Path) -> Iterator[Callable[..., ChartPage]]:
    """render(component_or_html, wait_for=1) -> ChartPage; fails the test if the page reached the network,
    opened a dialog (script from the data ran) or threw."""
    pages: list[ChartPage] = []

    def _render(chart: object, wait_for: int = 1) -> ChartPage:
        html = chart if isinstance(chart, str) else chart.to_html()
        path = tmp_path / f"chart{len(pages)}.html"
        path.write_text(html, encoding="utf-8")
        page = open_chart_page(browser, path, wait_for=wait_for)
        pages.append(page)
        return page

    yield _render
    for page in pages:
        assert page.requests == [], f"requests left the page: {page.requests}"
        assert page.dialogs == [], f"a dialog opened (script from the data ran?): {page.dialogs}"
        assert page.errors == [], f"the page threw: {page.errors}"
        page.context.close()
