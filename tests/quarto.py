"""Quarto, reproduced: Quarto cannot be installed here (it downloads its own binaries), so the tests do what
`quarto render` does with a Python document. It reads the .qmd (YAML front matter, Markdown, ```{python} cells and
their `#|` options), starts one Jupyter kernel with QUARTO_FIG_WIDTH/HEIGHT/FORMAT (and, for PDF or Word,
QUARTO_OUTPUT_BASE_FORMAT) in its environment, executes the cells in order with nbclient, and pastes each cell's
richest non-widget output into its page (which loads require.js for its own scripts), with a `fig-cap` as the
caption under it. As in Quarto's Jupyter engine, `fig-width`/`fig-height` act at the document level only.
"""

from __future__ import annotations

import base64
import html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
REQUIRE_JS = ROOT / "node_modules" / "requirejs" / "require.js"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# Quarto's order of preference among a cell's outputs, for HTML and for formats that cannot run script.
HTML_PREFERENCE = ("text/html", "image/svg+xml", "image/png", "text/markdown", "text/plain")
IMAGE_PREFERENCE = ("image/png", "image/svg+xml", "text/markdown", "text/plain")

_CELL = re.compile(r"^```\{python\}[^\n]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
_OPTION = re.compile(r"^#\|\s*([\w-]+)\s*:\s*(.*)$")


@dataclass
class Cell:
    """A ```{python} cell of a .qmd: its code and its `#|` options."""

    code: str
    options: dict[str, object] = field(default_factory=dict)


@dataclass
class Document:
    """A .qmd: its front matter, and its Markdown and cells in order."""

    meta: dict[str, object]
    parts: list[str | Cell]

    @property
    def cells(self) -> list[Cell]:
        return [part for part in self.parts if isinstance(part, Cell)]

    def env(self, base_format: str) -> dict[str, str]:
        """The environment Quarto gives its kernel: figure size and format from the document's front matter."""
        execute = {**(self.meta.get("execute") or {}), **self.meta}
        return quarto_env(base_format, width=execute.get("fig-width", 7), height=execute.get("fig-height", 5))


def read_qmd(path: Path) -> Document:
    """A .qmd file, read as Quarto reads it: front matter, Markdown, and ```{python} cells with `#|` options."""
    text = path.read_text(encoding="utf-8")
    meta: dict[str, object] = {}
    if text.startswith("---\n"):
        front, text = text[4:].split("\n---\n", 1)
        meta = yaml.safe_load(front) or {}
    parts: list[str | Cell] = []
    at = 0
    for match in _CELL.finditer(text):
        parts.append(text[at:match.start()])
        lines = match.group(1).splitlines()
        options = [_OPTION.match(line) for line in lines]
        taken = next((i for i, option in enumerate(options) if option is None), len(lines))
        parsed = {m.group(1): yaml.safe_load(m.group(2)) for m in options[:taken] if m is not None}
        parts.append(Cell("\n".join(lines[taken:]), parsed))
        at = match.end()
    parts.append(text[at:])
    return Document(meta, [part for part in parts if not isinstance(part, str) or part.strip()])


def quarto_env(base_format: str, width: float = 7, height: float = 5) -> dict[str, str]:
    return {"QUARTO_FIG_WIDTH": str(width), "QUARTO_FIG_HEIGHT": str(height), "QUARTO_FIG_FORMAT": "retina",
            "QUARTO_OUTPUT_BASE_FORMAT": base_format}


def execute(tmp_path: Path, sources: list[str], env: dict[str, str]) -> nbformat.NotebookNode:
    """A notebook of these cells, executed in one kernel started with `env` added to its environment. No widget
    state is saved in it, as JupyterLab saves none unless asked to."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    client = NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=False,
                            resources={"metadata": {"path": str(tmp_path)}})
    saved = dict(os.environ)
    os.environ.update(env)  # the kernel inherits the environment of its launcher, as under Quarto
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nb


def display_outputs(cell: nbformat.NotebookNode) -> list[dict]:
    """The mime bundles a cell displayed (its streams and errors left out)."""
    return [o["data"] for o in cell.outputs if o.output_type in ("execute_result", "display_data")]


def run_cells(tmp_path: Path, sources: list[str], env: dict[str, str]) -> list[dict]:
    """Execute the cells; each cell's one display output (its mime bundle)."""
    found = []
    for cell in execute(tmp_path, sources, env).cells:
        outputs = display_outputs(cell)
        assert len(outputs) == 1, cell.outputs
        found.append(outputs[0])
    return found


def quarto_page(outputs: list[str], title: str = "") -> str:
    """A page as Quarto writes it: require.js for its own scripts, each cell's output in its own block."""
    cells = "".join(f"<div class='cell'><div class='cell-output-display'>{html}</div></div>" for html in outputs)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><script>{REQUIRE_JS.read_text()}</script></head>"
        f"<body><main class='content'>{cells}</main></body></html>"
    )


def _shown(bundle: dict, preference: tuple[str, ...]) -> str:
    """A displayed bundle as Quarto places it: its most preferred type, images inlined, text escaped."""
    kind = next(k for k in preference if k in bundle)
    if kind == "text/html":
        return bundle[kind]
    if kind.startswith("image/"):
        source = bundle[kind] if kind == "image/png" else base64.b64encode(bundle[kind].encode()).decode()
        return f"<img src='data:{kind};base64,{source}'>"
    return f"<pre>{html.escape(bundle[kind])}</pre>"


def render(document: Document, folder: Path, base_format: str = "html") -> tuple[str, list[list[dict]]]:
    """`quarto render` of the document to HTML (or, for "pdf"/"docx", to the images those formats get), its cells
    run in `folder` (the document's own, as Quarto does): the page, and each cell's displayed bundles. A cell's
    `fig-cap` is a caption under its output."""
    nb = execute(folder, [cell.code for cell in document.cells], document.env(base_format))
    preference = HTML_PREFERENCE if base_format in ("html", "revealjs", "dashboard") else IMAGE_PREFERENCE
    bundles = [display_outputs(cell) for cell in nb.cells]
    blocks, executed = [], iter(bundles)
    for part in document.parts:
        if isinstance(part, str):
            blocks.append(f"<div class='prose'>{html.escape(part)}</div>")
            continue
        shown = "".join(_shown(bundle, preference) for bundle in next(executed))
        caption = part.options.get("fig-cap")
        if caption:
            shown = (f"<figure class='quarto-figure'>{shown}<figcaption>{html.escape(str(caption))}</figcaption>"
                     "</figure>")
        blocks.append(shown)
    return quarto_page(blocks, title=str(document.meta.get("title", ""))), bundles
