"""mkdocs hook: every page's Python examples run at build time, and each chart they show is drawn live after them.

A page's ```python blocks run in order in one namespace, as the cells of one notebook, in a working folder holding
the example data and the files the docs name (`doc_workspace.py`), checking what their comments promise
(`doc_blocks.py`: a wrong value or error fails the build). Each chart a block shows (a bare expression whose value
is a chart, a layout or a page) is drawn after the block, as a notebook draws it; when the block is followed by a
picture of `images/`, that picture is the chart's still and the live chart takes its place. The renderer travels
once per page, on pages that hold a chart.

The charts go in after Markdown and search are done with the page: the Markdown holds a placeholder per block, and
`on_post_page` swaps in each chart's markup (`evalviz.rendering.html.item_markup`), so the charts' data never goes
through Markdown nor into the search index.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from doc_blocks import Block, blocks_in, run_blocks
from doc_workspace import build_workspace
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from evalviz.rendering.html import item_markup, renderer_script

log = get_plugin_logger(__name__)

PLACEHOLDER = '<div class="evalviz-live" data-evalviz-live="{key}"></div>'
_PLACEHOLDER = re.compile(r'<div class="evalviz-live" data-evalviz-live="(\d+)"></div>')
_STILL = re.compile(r"!\[[^\]]*\]\([^)]*images/[^)]+\.png\)\s*")


class _State:
    """The build's working folder, and the charts of every page waiting for `on_post_page`."""

    folder: tempfile.TemporaryDirectory[str] | None = None
    charts: dict[int, str] = {}
    keys = itertools.count()
    seconds: dict[str, float] = {}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    if _State.folder is None:
        started = time.perf_counter()
        _State.folder = tempfile.TemporaryDirectory(prefix="evalviz-docs-")
        build_workspace(Path(_State.folder.name))
        log.info("the examples' working folder was made in %.1f s", time.perf_counter() - started)
    return config


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Run the page's blocks and put a placeholder for the charts each one shows."""
    blocks = blocks_in(markdown, Path(page.file.abs_src_path or page.file.src_uri))
    if not blocks:
        return markdown
    shown: dict[int, list[str]] = {}

    def display(block: Block, value: Any) -> None:
        if _is_drawable(value):
            shown.setdefault(block.end, []).append(_markup(value))

    started = time.perf_counter()
    assert _State.folder is not None
    try:
        with contextlib.chdir(_State.folder.name):
            run_blocks(blocks, display)
    except Exception as exc:  # a failing example fails the build, naming the block
        raise PluginError(f"docs example failed: {exc}") from exc
    _State.seconds[page.file.src_uri] = time.perf_counter() - started
    return _with_placeholders(markdown, shown)


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    """Swap the placeholders for the charts, and add the renderer once when the page holds any."""
    if not _PLACEHOLDER.search(output):
        return output
    output = _PLACEHOLDER.sub(lambda m: _State.charts.pop(int(m.group(1))), output)
    head, body_end, tail = output.rpartition("</body>")
    return head + renderer_script() + body_end + tail


def on_post_build(config: MkDocsConfig) -> None:
    slowest = sorted(_State.seconds.items(), key=lambda kv: -kv[1])[:5]
    total = sum(_State.seconds.values())
    log.info("docs examples ran in %.1f s; slowest: %s", total,
             ", ".join(f"{name} {seconds:.1f} s" for name, seconds in slowest))
    if _State.folder is not None:
        _State.folder.cleanup()
        _State.folder = None


def _is_drawable(value: Any) -> bool:
    """A chart, a layout or a page: what a notebook draws with the renderer."""
    return all(hasattr(value, name) for name in ("item", "datasets", "shared"))


def _markup(value: Any) -> str:
    """A placeholder for the chart's markup, kept until `on_post_page`."""
    key = next(_State.keys)
    _State.charts[key] = item_markup(value.item, value.datasets, value.shared)
    return PLACEHOLDER.format(key=key)


def _with_placeholders(markdown: str, shown: dict[int, list[str]]) -> str:
    """The Markdown with each block's charts after its closing fence (line `end`, 1-based), in place of the still
    that follows it."""
    lines = markdown.splitlines(keepends=True)
    out: list[str] = []
    index = 0
    while index < len(lines):
        out.append(lines[index])
        index += 1
        placeholders = shown.get(index)
        if placeholders is None:
            continue
        following = index
        while following < len(lines) and not lines[following].strip():
            following += 1
        if following < len(lines) and _STILL.fullmatch(lines[following].strip()):
            index = following + 1
        charts = "\n".join(f'<div class="evalviz-example-output">{p}</div>' for p in placeholders)
        out.append(f"\n{charts}\n\n")
    return "".join(out)
