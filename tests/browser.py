"""Looking at charts in a real Chromium: render a page with the network cut, then read what it drew.

Every request that would leave the page is aborted and recorded; `ChartPage.requests` lists them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Route

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Walks the Vega scenegraph of a chart: every leaf item with its datum, colours and page coordinates.
_SCENE_JS = """
(el) => {
  const view = el.evalvizView;
  const surface = el.querySelector('svg.marks, canvas.marks');
  const box = surface.getBoundingClientRect();
  // The scenegraph is drawn translated by the view's origin plus its padding.
  const [x0, y0] = view.origin();
  const pad = view.padding() || {};
  const [ox, oy] = [x0 + (pad.left || 0), y0 + (pad.top || 0)];
  const out = [];
  const plain = (d) => {
    if (!d || typeof d !== 'object') return null;
    const r = {};
    for (const k of Object.keys(d)) {
      const v = d[k];
      if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) r[k] = v;
    }
    return r;
  };
  const walk = (mark, x, y) => {
    for (const item of mark.items || []) {
      if (mark.marktype === 'group') {
        for (const child of item.items || []) walk(child, x + (item.x || 0), y + (item.y || 0));
      } else {
        out.push({
          marktype: mark.marktype, role: mark.role || null, name: mark.name || null,
          datum: plain(item.datum), fill: item.fill || null, stroke: item.stroke || null,
          text: item.text === undefined ? null : [].concat(item.text).join(' '), opacity: item.opacity ?? 1,
          x: box.left + x + (item.x || 0), y: box.top + y + (item.y || 0),
          width: item.width || 0, height: item.height || 0,
        });
      }
    }
  };
  walk(view.scenegraph().root, ox, oy);
  return out;
}
"""


@dataclass
class Item:
    """One drawn mark item: its datum, colour and box in page pixels."""

    marktype: str
    role: str | None
    name: str | None
    datum: dict[str, Any] | None
    fill: str | None
    stroke: str | None
    text: str | None
    opacity: float
    x: float
    y: float
    width: float
    height: float

    @property
    def center(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2


_MARKS_DRAWN_JS = """() => [...document.querySelectorAll('div.evalviz-chart')].map((chart) => {
  const el = chart.querySelector('.evalviz-target');
  if (!el || !el.evalvizView) return -1;
  let n = 0;
  const walk = (node) => { for (const item of node.items || []) {
    if (node.marktype === 'group') (item.items || []).forEach(walk); else if (item.datum) n += 1; } };
  walk(el.evalvizView.scenegraph().root);
  return n;
})"""


# For each mark of the `mark` layer (named "<mark>_marks") drawn by the view of `el` (an element holding
# `evalvizView`): its datum's `fields`, then its value.
LAYER_MARKS_JS = """([el, mark, fields]) => {
  const out = [];
  const walk = (node) => {
    for (const item of node.items || []) {
      if (node.marktype === 'group') { (item.items || []).forEach(walk); continue; }
      if ((node.name || '').endsWith(mark + '_marks') && item.datum) {
        out.push([...fields.map((f) => item.datum[f]), item.datum.value]);
      }
    }
  };
  walk(el.evalvizView.scenegraph().root);
  return out;
}"""
# [y_v, x_v, value] of each cell drawn by the heatmap view of `el`.
HEATMAP_CELLS_JS = f"(el) => ({LAYER_MARKS_JS})([el, 'cells', ['y_v', 'x_v']])"
# How many times each chart's filter note says the page redrew it.
REDRAWS_JS = "() => [...document.querySelectorAll('.evalviz-filter-note')].map((n) => Number(n.dataset.redrawn || 0))"

@dataclass
class ChartPage:
    """A page holding one or more evalviz charts, opened in Chromium with the network cut."""

    page: Page
    context: BrowserContext
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def chart(self, index: int = 0) -> Any:
        return self.page.locator("div.evalviz-target").nth(index)

    def marks_drawn(self) -> list[int]:
        """For each chart on the page: the marks with a datum its view drew (-1: no view, nothing drawn)."""
        return self.page.evaluate(_MARKS_DRAWN_JS)

    def items(self, index: int = 0) -> list[Item]:
        """Every leaf mark item the chart drew (rects, text, axis labels, legend symbols...)."""
        raw = self.chart(index).evaluate(_SCENE_JS)
        return [Item(**r) for r in raw]

    def cells(self, index: int = 0) -> list[Item]:
        """The heatmap's cells: rect marks whose datum carries an x and a y."""
        return [
            i for i in self.items(index)
            if i.marktype == "rect" and i.role == "mark" and i.datum and "x" in i.datum and "y" in i.datum
        ]

    def cell(self, index: int = 0, **datum: Any) -> Item:
        """The one cell whose datum has these values."""
        found = [c for c in self.cells(index) if all(c.datum.get(k) == v for k, v in datum.items())]
        assert len(found) == 1, f"expected one cell with {datum}, found {len(found)}"
        return found[0]

    def axis_labels(self, axis: str, index: int = 0) -> list[str]:
        """Label texts of the x or y axis as drawn in the SVG, in drawing order."""
        return self.chart(index).evaluate(
            """(el, axis) => {
                const groups = [...el.querySelectorAll('g.role-axis')].filter(g =>
                    (g.getAttribute('aria-label') || '').startsWith(axis.toUpperCase() + '-axis'));
                return groups.flatMap(g => [...g.querySelectorAll('g.role-axis-label text')].map(t => t.textContent));
            }""",
            axis,
        )

    def axis_title(self, axis: str, index: int = 0) -> str:
        return self.chart(index).evaluate(
            """(el, axis) => {
                const g = [...el.querySelectorAll('g.role-axis')].find(g =>
                    (g.getAttribute('aria-label') || '').startsWith(axis.toUpperCase() + '-axis'));
                const t = g && g.querySelector('g.role-axis-title text');
                return t ? t.textContent : null;
            }""",
            axis,
        )

    def axis_labels_in_order(self, axis: str, index: int = 0) -> list[str]:
        """Label texts of the x axis from left to right, or of the y axis from top to bottom."""
        return self.chart(index).evaluate(
            """(el, axis) => {
                const groups = [...el.querySelectorAll('g.role-axis')].filter(g =>
                    (g.getAttribute('aria-label') || '').startsWith(axis.toUpperCase() + '-axis'));
                const labels = groups.flatMap(g => [...g.querySelectorAll('g.role-axis-label text')]);
                const at = (t) => {
                    const b = t.getBoundingClientRect();
                    return axis === 'x' ? b.left + b.width / 2 : b.top + b.height / 2;
                };
                return labels.sort((a, b) => at(a) - at(b)).map(t => t.textContent);
            }""",
            axis,
        )

    def legend_labels(self, index: int = 0) -> list[str]:
        """Every legend's label texts (the gradient's tick labels and the entries of symbol legends)."""
        return [i.text for i in self.items(index) if i.role == "legend-label" and i.text is not None]

    def legend_titles(self, index: int = 0) -> list[str]:
        return [i.text for i in self.items(index) if i.role == "legend-title" and i.text]

    def title_texts(self, index: int = 0) -> list[str]:
        """The chart title and subtitle lines as drawn (SVG or canvas alike)."""
        return [i.text for i in self.items(index) if i.role in ("title-text", "title-subtitle") and i.text]

    def marks_on(self, cell: Item, marktype: str = "text", index: int = 0) -> list[Item]:
        """Mark items of `marktype` (annotations, glyphs) whose anchor lies inside `cell`."""
        return [
            i for i in self.items(index)
            if i.marktype == marktype and i.role == "mark"
            and cell.x <= i.x <= cell.x + cell.width and cell.y <= i.y <= cell.y + cell.height
        ]

    def texts(self, selector: str, index: int = 0) -> list[str]:
        return self.chart(index).evaluate(
            "(el, s) => [...el.querySelectorAll(s)].map(t => t.textContent)", selector
        )

    def hover(self, item: Item) -> dict[str, str]:
        """Move the mouse onto an item and return the tooltip's rows (title -> value)."""
        self.page.mouse.move(0, 0)
        self.page.mouse.move(*item.center)
        tooltip = self.page.locator("#vg-tooltip-element.visible")
        tooltip.wait_for(state="visible", timeout=5000)
        rows = tooltip.evaluate(
            """(el) => Object.fromEntries([...el.querySelectorAll('tr')].map(tr =>
                [tr.querySelector('.key').textContent.replace(/:$/, ''), tr.querySelector('.value').textContent]))"""
        )
        return rows

    def tooltip_html(self) -> str:
        return self.page.locator("#vg-tooltip-element").inner_html()

    def click_opens(self, item: Item, wait_ms: int = 1500) -> str | None:
        """Click an item; the URL of the new page it opened (served a stand-in), or None when none opened."""
        opened: list[Page] = []

        def on_page(new_page: Page) -> None:
            opened.append(new_page)

        self.context.on("page", on_page)
        self.page.mouse.click(*item.center)
        for _ in range(wait_ms // 100):
            if opened:
                break
            self.page.wait_for_timeout(100)
        self.context.remove_listener("page", on_page)
        if not opened:
            return None
        popup = opened[0]
        popup.wait_for_load_state("load")
        url = popup.url
        popup.close()
        return url


def open_chart_page(browser: Browser, html_path: Path, *, wait_for: int = 1, timeout: float = 30_000) -> ChartPage:
    """Open a saved HTML file with every request outside the page aborted, and wait for its charts."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    chart_page = ChartPage(page=page, context=context)

    def block(route: Route) -> None:
        request = route.request
        if request.is_navigation_request():
            # The page itself is a file; a navigation to the web is a page the chart opened (a log viewer
            # link). It gets a stand-in page, since nothing here is online.
            route.fulfill(status=200, content_type="text/html", body="<title>opened by the chart</title>")
            return
        chart_page.requests.append(request.url)
        route.abort()

    def on_dialog(dialog: Dialog) -> None:
        chart_page.dialogs.append(dialog.message)
        dialog.dismiss()

    context.route(lambda url: not url.startswith(("file:", "data:", "blob:")), block)
    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: chart_page.errors.append(str(exc)))
    page.goto(html_path.as_uri())
    page.wait_for_function(
        "(n) => document.querySelectorAll('div.evalviz-chart[data-evalviz-state=\"ready\"]').length >= n"
        " || document.querySelector('[data-evalviz-state=\"error\"]')",
        arg=wait_for, timeout=timeout,
    )
    failed = page.locator('[data-evalviz-state="error"]')
    if failed.count():
        raise AssertionError(f"the chart failed to render: {failed.first.inner_text()}")
    return chart_page


def spec_json(html: str) -> dict[str, Any]:
    """The first chart payload embedded in a page."""
    start = html.index('class="evalviz-payload">') + len('class="evalviz-payload">')
    return json.loads(html[start: html.index("</script>", start)])
