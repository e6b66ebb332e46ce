"""Draw the PNGs that the docs show, from the example data, with the charts of the demo (`evalviz.demo`).

Usage: python docs/render_images.py [name ...]  (writes docs/images/<name>.png, every example's by default; needs
evalviz[static] for vl-convert, and Chromium for the examples holding inputs or tables, which Chromium draws)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from evalviz.demo import Example, build_examples, interactive_examples
from evalviz.rendering.html import item_markup, standalone_page
from evalviz.rendering.items import Element

DOCS = Path(__file__).resolve().parent

CHROMIUM = "/usr/bin/chromium"


def screenshot(example: Example, path: Path, scale: float = 1.5) -> Path:
    """The example as Chromium draws it (inputs and tables have no Vega-Lite spec for vl-convert), offline."""
    from playwright.sync_api import sync_playwright

    component = example.chart
    page_html = standalone_page(item_markup(component.item, component.datasets, component.shared))
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        file = Path(folder) / "page.html"
        file.write_text(page_html, encoding="utf-8")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(device_scale_factor=scale, viewport={"width": 1000, "height": 800})
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                   else route.abort())
        page.goto(file.as_uri())
        page.locator("div.evalviz-chart[data-evalviz-state=ready]").wait_for(timeout=60_000)
        page.wait_for_timeout(300)  # the table lays its rows out after the first frame
        page.locator("div.evalviz-chart").screenshot(path=str(path))
        browser.close()
    return path


def main(names: list[str] | None = None) -> None:
    images = DOCS / "images"
    images.mkdir(exist_ok=True)
    examples = [*build_examples(), *interactive_examples()]
    unknown = sorted(set(names or ()) - {e.name for e in examples})
    if unknown:
        raise SystemExit(f"no example named {unknown}; examples: {[e.name for e in examples]}")
    for example in examples:
        if names and example.name not in names:
            continue
        target = images / f"{example.name}.png"
        if isinstance(example.chart.chart, Element):
            path = screenshot(example, target)
        else:
            path = example.chart.write_png(target, scale=1.5)
        print(path.relative_to(DOCS.parent))


if __name__ == "__main__":
    main(sys.argv[1:])
