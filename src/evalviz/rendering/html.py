"""Self-contained HTML: the renderer inlined (gzip-compressed, base64), datasets as gzipped Arrow (base64), no request
leaves the page. A page carries the renderer once; a notebook or Quarto document carries it once, in one output, and
its other outputs a loader of about a kilobyte that draws with it (`evalviz.rendering.document`)."""

from __future__ import annotations

import functools
import html
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from evalviz.rendering.bundle import loader_source, page_bundle_source
from evalviz.rendering.outgoing import outgoing_item, spec_json, well_formed
from evalviz.rendering.transport import packed_ipc

# Scripts may run inline (ours) and through eval (the renderer, unpacked by its bootstrap, and Vega's expressions);
# nothing may be fetched or connected to.
_PAGE_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:"
)


def _script_json(payload: Any) -> str:
    """Strict JSON that is safe inside a <script> element whatever strings it holds."""
    text = spec_json(payload)
    return (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def _module_script(source: str) -> str:
    # Minified JS and base64 text; "</script" cannot appear in it unescaped, but guard the page all the same.
    return "<script type=\"module\">" + source.replace("</script", "<\\/script") + "</script>"


def chart_markup(spec: Mapping[str, Any], datasets: Mapping[str, pa.Table]) -> str:
    """The <div> of one chart: its spec and datasets, drawn by the renderer script."""
    return item_markup({"kind": "chart", "spec": spec, "prefix": ""}, datasets)


def new_output_id() -> str:
    """A new id for an output's <div>: "evalviz-" and a random hex uuid.

    Example:
        >>> new_output_id().startswith("evalviz-")
        True
    """
    return f"evalviz-{uuid.uuid4().hex}"


def item_markup(item: Mapping[str, Any], datasets: Mapping[str, pa.Table],
                shared: Sequence[Mapping[str, Any]] = (), output_id: str | None = None) -> str:
    """The <div> of one item (a chart, or a layout of charts, inputs and tables; see `items`): the item, its
    datasets (`transport.packed_ipc`: "data" holds them all, "datasets" where each lies) and the params and
    selections it shares, drawn by the renderer script. `output_id` is the <div>'s id (a new one by default); a
    notebook's static output takes its live widget's, which hides it (`Component._ipython_display_`)."""
    spans, packed = packed_ipc(datasets)
    payload = {"item": outgoing_item(item, datasets), "datasets": spans, "data": packed, "shared": list(shared)}
    return (
        f'<div class="evalviz-chart" id="{html.escape(output_id or new_output_id())}">'
        '<div class="evalviz-target"></div>'
        f'<script type="application/json" class="evalviz-payload">{_script_json(payload)}</script>'
        "</div>"
    )


@functools.cache
def renderer_script() -> str:
    """The inlined renderer, which draws every chart on the page not drawn yet: a bootstrap of about a kilobyte
    holding the bundle gzip-compressed (base64, about 0.6 MB; js/page.js), made once. A page carries it once, and a
    notebook or Quarto document in one output. Several on one page unpack and run the bundle once.

    The bootstrap is an ES module script, which ignores any AMD loader (require.js) the page holds, so Quarto and
    notebook pages are safe.

    Example:
        >>> renderer_script().startswith('<script type="module">')
        True
    """
    return _module_script(page_bundle_source())


@functools.cache
def loader_script() -> str:
    """The loader an output inlines when an earlier output of its document carries the renderer (js/loader.js):
    it draws the output's chart with that renderer, or, when none is on the page once it has loaded (the output
    carrying it was cleared), shows a note in the chart's place saying so and how to get it back.

    Example:
        >>> len(loader_script()) < 2_000
        True
    """
    return _module_script(loader_source())


def html_fragment(item: Mapping[str, Any], datasets: Mapping[str, pa.Table],
                  shared: Sequence[Mapping[str, Any]] = (), *, renderer: bool = True) -> str:
    """One item that draws itself where it is placed: a notebook's text/html output, Quarto, any page. With
    `renderer` False it carries the loader instead, for a document one of whose outputs carries the renderer.

    Example:
        >>> import evalviz as ev
        >>> chart = ev.scores_heatmap(ev.Data.from_file("examples/data/evals.parquet"))
        >>> light = html_fragment(chart.item, chart.datasets, renderer=False)
        >>> loader_script() in light and renderer_script() not in light
        True
    """
    return with_script(item_markup(item, datasets, shared), renderer=renderer)


def with_script(markup: str, *, renderer: bool = True) -> str:
    """Item markup (`item_markup`) followed by the renderer, or by the loader when `renderer` is False.

    Example:
        >>> with_script("<div></div>", renderer=False).endswith(loader_script())
        True
    """
    return markup + "\n" + (renderer_script() if renderer else loader_script())


def renderer_output() -> str:
    """The HTML of an output that carries only the renderer (`evalviz.include_renderer`): a line saying what it
    holds, and the renderer, which draws every chart of the page that waits for it.

    Example:
        >>> renderer_script() in renderer_output()
        True
    """
    return (
        '<p class="evalviz-renderer-output" style="font:12px system-ui,sans-serif;color:#666;margin:0">'
        "evalviz: this output carries the renderer that draws this notebook's charts when it is opened without "
        "a kernel; keep it when clearing outputs.</p>\n" + renderer_script()
    )


def standalone_page(body: str, title: str = "evalviz") -> str:
    """A whole HTML document around `body` (chart markup and the caller's own escaped HTML), with the renderer
    script once at its end. It opens anywhere, offline."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{_PAGE_POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(well_formed(title))}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;margin:24px;} .evalviz-chart{margin-bottom:32px;}</style>\n"
        f"</head>\n<body>\n{body}\n{renderer_script()}\n</body>\n</html>\n"
    )
