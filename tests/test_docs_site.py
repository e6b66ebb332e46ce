"""The docs site (issue 14): `mkdocs build --strict` builds docs/ into a static site; every page opens from the file
system in Chromium with the network cut, every live chart on it is drawn, no link inside the site is broken, search
works offline, every view's page uses every parameter of the view, and the API reference covers the public names.
"""

from __future__ import annotations

import ast
import inspect
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Route
from playwright.sync_api import TimeoutError as PlaywrightTimeout

import evalviz as ev
import evalviz.analysis

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "hooks"))

from doc_blocks import blocks_of  # noqa: E402

pytestmark = pytest.mark.browser

# What the renderer leaves in each chart's div once drawn: a Vega view, or the inputs and tables of a layout.
_DRAWN_JS = """
() => [...document.querySelectorAll('div.evalviz-chart')].map(el => ({
    state: el.dataset.evalvizState || null,
    error: el.querySelector('.evalviz-error') ? el.querySelector('.evalviz-error').innerText : null,
    marks: el.querySelectorAll('svg.marks, canvas.marks').length,
    controls: el.querySelectorAll('input, select, .tabulator').length,
    height: el.getBoundingClientRect().height,
}))
"""
_SETTLED_JS = """
() => [...document.querySelectorAll('div.evalviz-chart')].every(el =>
    ['ready', 'error'].includes(el.dataset.evalvizState))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site as `make docs` builds it, strict (a broken link, anchor, nav entry or docstring fails the build)."""
    out = tmp_path_factory.mktemp("site") / "site"
    started = time.perf_counter()
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert built.returncode == 0, f"mkdocs build --strict failed:\n{built.stderr[-6000:]}"
    print(f"docs site built in {time.perf_counter() - started:.0f} s")
    return out


def pages(site: Path) -> list[Path]:
    """The pages a reader opens; not 404.html, which a server shows for a missing page (its links are absolute, from
    the site's root, since it answers any path)."""
    return sorted(page for page in site.rglob("*.html") if page.name != "404.html")


# -- links ------------------------------------------------------------------------------------------------------
class _Links(HTMLParser):
    """The ids of a page, and every URL it links to or loads (a, link, img, script, iframe, source)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if values.get(key):
                self.ids.add(values[key] or "")
        for key in ("href", "src"):
            if values.get(key):
                self.links.append((tag, values[key] or ""))


def _parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_every_link_inside_the_site_resolves_and_nothing_is_loaded_from_outside(site: Path) -> None:
    parsed = {page: _parse(page) for page in [*pages(site), site / "404.html"]}
    broken, remote = [], []
    for page, links in parsed.items():
        for tag, url in links.links:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") or url.startswith("//"):
                if tag != "a":  # a resource (script, style, image, font) would need the network
                    remote.append(f"{page.relative_to(site)}: <{tag}> {url}")
                continue
            if parts.scheme:  # mailto:, data:, javascript:
                continue
            if parts.path.startswith("/") and page.name != "404.html":
                broken.append(f"{page.relative_to(site)}: {url} (absolute: it breaks when opened from the files)")
                continue
            base = site if parts.path.startswith("/") else page.parent
            target = (base / unquote(parts.path.lstrip("/"))).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file() or not target.is_relative_to(site.resolve()):
                broken.append(f"{page.relative_to(site)}: {url} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{page.relative_to(site)}: {url} (no such anchor)")
    assert broken == [], "broken links:\n" + "\n".join(broken)
    assert remote == [], "resources loaded from the network:\n" + "\n".join(remote)
    assert len(parsed) >= 30 and sum(len(p.links) for p in parsed.values()) > 1000  # the check saw the site


# -- every page in Chromium, offline -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def offline(browser: object) -> Iterator[dict[str, object]]:
    """One Chromium page with the network cut: every request that is not a file is aborted and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    requests: list[str] = []
    errors: list[str] = []

    def cut(route: Route) -> None:
        requests.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith(("file:", "data:", "blob:", "about:")), cut)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    yield {"page": page, "requests": requests, "errors": errors}
    context.close()


def test_every_page_opens_offline_with_every_chart_drawn(site: Path, offline: dict[str, object]) -> None:
    page = offline["page"]
    drawn_per_page: dict[str, int] = {}
    problems: list[str] = []
    for path in pages(site):
        name = str(path.relative_to(site))
        expected = path.read_text(encoding="utf-8").count('<div class="evalviz-chart"')
        page.goto(path.as_uri())  # type: ignore[attr-defined]
        if expected:
            page.wait_for_function(_SETTLED_JS, timeout=60_000)  # type: ignore[attr-defined]
        charts = page.evaluate(_DRAWN_JS)  # type: ignore[attr-defined]
        if len(charts) != expected:
            problems.append(f"{name}: {expected} charts in the file, {len(charts)} on the page")
        for index, chart in enumerate(charts):
            if chart["error"] or chart["state"] != "ready":
                problems.append(f"{name}: chart {index} is {chart['state']}: {chart['error']}")
            elif not (chart["marks"] or chart["controls"]) or chart["height"] < 20:
                problems.append(f"{name}: chart {index} drew nothing ({chart})")
        drawn_per_page[name] = len(charts)
    assert problems == [], "\n".join(problems)
    assert offline["errors"] == [], offline["errors"]
    assert offline["requests"] == [], f"pages reached for the network: {offline['requests']}"
    without = sorted(name for name, n in drawn_per_page.items() if name.startswith("views/") and n == 0)
    assert without == [], f"view pages without a live chart: {without}"
    # One renderer per page that draws charts, none on pages without.
    for path in pages(site):
        html = path.read_text(encoding="utf-8")
        assert html.count('<script type="module">') == (1 if '<div class="evalviz-chart"' in html else 0), path


def test_search_finds_a_view_offline(site: Path, offline: dict[str, object]) -> None:
    page = offline["page"]
    page.goto((site / "index.html").as_uri())  # type: ignore[attr-defined]
    search = page.locator("input.md-search__input")  # type: ignore[attr-defined]
    results = page.locator(".md-search-result__item a")  # type: ignore[attr-defined]
    search.click()
    for _ in range(20):  # a query typed before the index has loaded (in its worker) is not answered: type it again
        search.fill("")
        search.press_sequentially("reliability")
        try:
            results.first.wait_for(timeout=1_500)
            break
        except PlaywrightTimeout:
            continue
    hrefs = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
    assert any("views/reliability_diagram.html" in href for href in hrefs), hrefs
    assert offline["requests"] == [], offline["requests"]


# -- what the pages hold -----------------------------------------------------------------------------------------
def _view_pages() -> list[tuple[str, Path]]:
    found = []
    for path in sorted((DOCS / "views").glob("*.md")):
        names = ["hconcat", "vconcat"] if path.stem == "hconcat_vconcat" else [path.stem]
        found += [(name, path) for name in names]
    return found


def _parameters_used(name: str, path: Path) -> set[str]:
    """The parameters of view `name` that the calls of it in the page's examples give (positionally or by name);
    a keyword that is not a parameter counts as the view's `**attributes`."""
    parameters = list(inspect.signature(getattr(ev, name)).parameters.values())
    by_name = {p.name: p for p in parameters}
    rest = next((p.name for p in parameters if p.kind is p.VAR_KEYWORD), None)
    varargs = next((p.name for p in parameters if p.kind is p.VAR_POSITIONAL), None)
    used: set[str] = set()
    for block in blocks_of(path):
        for node in ast.walk(ast.parse(block.code)):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name):
                continue
            positional = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            used |= set(positional[: len(node.args)])
            if varargs and len(node.args) > len(positional):
                used.add(varargs)
            used |= {k.arg if k.arg in by_name else rest for k in node.keywords if k.arg}
    return used - {None}


@pytest.mark.parametrize(("name", "path"), _view_pages(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_view_page_uses_every_parameter_of_its_view(name: str, path: Path) -> None:
    parameters = set(inspect.signature(getattr(ev, name)).parameters)
    missing = sorted(parameters - _parameters_used(name, path))
    assert missing == [], f"{path.relative_to(ROOT)} never gives {name} these parameters: {missing}"


def test_every_view_has_a_page_and_a_gallery_picture() -> None:
    views = {name for name in ev.__all__ if callable(getattr(ev, name))
             and getattr(ev, name).__module__.startswith("evalviz.views")
             and inspect.signature(getattr(ev, name)).return_annotation in ("Component", ev.Component)}
    assert views - {name for name, _ in _view_pages()} == set()
    gallery = (DOCS / "gallery.md").read_text(encoding="utf-8")
    pictures = sorted(p.name for p in (DOCS / "images").glob("*.png"))
    assert [p for p in pictures if f"images/{p}" not in gallery] == []
    linked = set(re.findall(r"\]\((views/\w+)\.md", gallery))
    assert {f"views/{path.stem}" for _, path in _view_pages()} <= linked


def test_the_api_reference_covers_every_public_name(site: Path) -> None:
    ids = set().union(*(_parse(page).ids for page in (site / "reference").glob("*.html")))
    for package in (ev, evalviz.analysis):
        missing = [name for name in package.__all__ if not any(i.endswith(f".{name}") for i in ids)]
        assert missing == [], f"{package.__name__} names without a reference entry: {missing}"
    data = (site / "reference" / "data.html").read_text(encoding="utf-8")
    assert "from_file" in data  # a class's methods are documented with it
    # Docstring examples are drawn as code, not read as Markdown (where ">>>" would nest quotes).
    assert all("<blockquote>" not in page.read_text(encoding="utf-8") for page in (site / "reference").glob("*.html"))
