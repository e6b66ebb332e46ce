"""Self-contained HTML: the renderer bundle inlined, datasets as base64 Arrow, no request leaves the page."""

from __future__ import annotations

import functools
import html
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from evalviz.rendering.bundle import bundle_source
from evalviz.rendering.outgoing import outgoing_item, spec_json
from evalviz.rendering.transport import to_base64_ipc

# Scripts may run inline (ours); nothing may be fetched or connected to.
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
    # The bundle is minified JS; "</script" cannot appear in it unescaped, but guard the page all the same.
    return "<script type=\"module\">" + source.replace("</script", "<\\/script") + "</script>"


def chart_markup(spec: Mapping[str, Any], datasets: Mapping[str, pa.Table]) -> str:
    """The <div> of one chart: its spec and base64 Arrow datasets, drawn by the renderer script."""
    return item_markup({"kind": "chart", "spec": spec, "prefix": ""}, datasets)


def item_markup(item: Mapping[str, Any], datasets: Mapping[str, pa.Table],
                shared: Sequence[Mapping[str, Any]] = ()) -> str:
    """The <div> of one item (a chart, or a layout of charts, inputs and tables; see `items`): the item, its
    base64 Arrow datasets and the params and selections it shares, drawn by the renderer script."""
    encoded = {name: to_base64_ipc(table) for name, table in datasets.items()}
    payload = {"item": outgoing_item(item, datasets), "datasets": encoded, "shared": list(shared)}
    return (
        f'<div class="evalviz-chart" id="evalviz-{uuid.uuid4().hex}">'
        '<div class="evalviz-target"></div>'
        f'<script type="application/json" class="evalviz-payload">{_script_json(payload)}</script>'
        "</div>"
    )


@functools.cache
def renderer_script() -> str:
    """The inlined bundle, which draws every chart on the page not drawn yet; made once (it is a megabyte, which
    every page and notebook output carries).

    An ES module ignores any AMD loader (require.js) the page holds, so Quarto and notebook pages are safe.
    """
    return _module_script(bundle_source() + "\n;globalThis.evalviz.renderAll();")


def html_fragment(item: Mapping[str, Any], datasets: Mapping[str, pa.Table],
                  shared: Sequence[Mapping[str, Any]] = ()) -> str:
    """One item that draws itself where it is placed: a notebook's text/html output, Quarto, any page."""
    return item_markup(item, datasets, shared) + "\n" + renderer_script()


def standalone_page(body: str, title: str = "evalviz") -> str:
    """A whole HTML document around `body` (chart markup and the caller's own escaped HTML), with the renderer
    script once at its end. It opens anywhere, offline."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{_PAGE_POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;margin:24px;} .evalviz-chart{margin-bottom:32px;}</style>\n"
        f"</head>\n<body>\n{body}\n{renderer_script()}\n</body>\n</html>\n"
    )
