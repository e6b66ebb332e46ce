"""What a page draws: items in a tree. A chart is one item (its Vega-Lite spec); inputs, tables and layouts of
items are the others. The renderer (`js/items.js`) draws each kind with its own module.

Every item travels as JSON: `{"kind": "chart", "spec", "prefix"}`, `{"kind": "layout", "direction", "items"}`,
`{"kind": "input", ...}`, `{"kind": "table", ...}`. Datasets travel beside the tree, by name; a chart inside a
layout reads those whose names start with its `prefix` (the prefix taken off), as a part of a Vega-Lite
concatenation does. Params and selections the items share travel once, in the payload's `shared` list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from evalviz.interaction.selection import each_once

# A heading's id as `publishing.markdown` writes it (the text is escaped, so no heading comes from the text itself).
_HEADING_ID = re.compile(r'(<h[1-6] id=")([^"]*)(")')

if TYPE_CHECKING:
    from evalviz.charts.chart import Chart
    from evalviz.interaction.selection import Param, Selection

    Shared = Param | Selection


@runtime_checkable
class Element(Protocol):
    """Something drawn on a page that is not a Vega-Lite chart: an input, a table, a layout of items."""

    def to_item(self, scope: str) -> dict[str, Any]:
        """The item as it travels; the datasets it reads are named with `scope` before their names."""

    def datasets(self) -> tuple[str, ...]:
        """The names of the datasets it reads (without a scope)."""

    def shared(self) -> tuple[Shared, ...]:
        """The params and selections it reads or publishes into."""


def item_of(content: Chart | Element, scope: str = "") -> dict[str, Any]:
    """The item of a chart (its whole spec, reading the datasets under `scope`) or of an element."""
    if isinstance(content, Element):
        return content.to_item(scope)
    return {"kind": "chart", "spec": content.to_spec(), "prefix": scope}


def shared_of(content: Chart | Element) -> tuple[Shared, ...]:
    """The params and selections of a chart or element, each once.

    Raises:
        EvalvizError: two different params or selections have the same name (`each_once`).
    """
    return each_once(content.shared())


def handlers_of(content: Chart | Element) -> dict[str, Any]:
    """The live widget's channel handlers (kind -> handler) of an element and, in a layout, of its parts: an
    element answering requests (a table's pages) has a `handlers()` method."""
    if isinstance(content, Layout):
        return {kind: handler for part in content.parts for kind, handler in handlers_of(part).items()}
    handlers = getattr(content, "handlers", None)
    return dict(handlers()) if callable(handlers) else {}


def live_datasets(content: Chart | Element, datasets: dict[str, Any], scope: str = "") -> dict[str, Any]:
    """The datasets the live widget ships: an element reading its rows from the kernel (a table's pages) ships
    what its `live_datasets(own datasets)` method keeps of them; every other dataset goes as it is."""
    if isinstance(content, Layout):
        for i, part in enumerate(content.parts):
            datasets = live_datasets(part, datasets, f"{scope}c{i}_")
        return datasets
    keep = getattr(content, "live_datasets", None)
    if not callable(keep):
        return datasets
    kept = keep({name: datasets[scope + name] for name in content.datasets()})
    return {**datasets, **{scope + name: table for name, table in kept.items()}}


def unique_ids(item: dict[str, Any]) -> dict[str, Any]:
    """The item with each heading id of its Markdown text unique on the page: an id taken earlier, in page order,
    takes "-1", "-2", ... after it (the first free), as GitHub numbers repeated headings; `#fragment` links to
    the first keep reaching it.

    Example:
        >>> text = {"kind": "markdown", "html": '<h1 id="results">Results</h1>'}
        >>> page = unique_ids({"kind": "layout", "direction": "column", "items": [text, text]})
        >>> [part["html"] for part in page["items"]]
        ['<h1 id="results">Results</h1>', '<h1 id="results-1">Results</h1>']
    """
    taken: set[str] = set()

    def renamed(match: re.Match[str]) -> str:
        name, n = match.group(2), 0
        unique = name
        while unique in taken:
            n += 1
            unique = f"{name}-{n}"
        taken.add(unique)
        return f"{match.group(1)}{unique}{match.group(3)}"

    def walk(node: dict[str, Any]) -> dict[str, Any]:
        if node["kind"] == "markdown":
            return {**node, "html": _HEADING_ID.sub(renamed, node["html"])}
        if node["kind"] == "layout":
            return {**node, "items": [walk(part) for part in node["items"]]}
        return node

    return walk(item)


def declarations(shared: Iterable[Shared]) -> list[dict[str, Any]]:
    """The payload's `shared` list: each param and selection as the page declares it, once."""
    return [one.to_dict() for one in each_once(shared)]


@dataclass(frozen=True)
class Layout:
    """Items in a row ("hconcat") or a column ("vconcat") on the page: what `hconcat` and `vconcat` make when
    they hold an input or a table (charts alone are concatenated in one Vega-Lite chart). The part at index i
    reads its datasets under "c<i>_".

    Example:
        >>> from evalviz.charts import Layer, LayerChart
        >>> chart = LayerChart((Layer("bars", {"type": "bar"}),), data="scores")
        >>> item = Layout("vconcat", (chart,)).to_item("")
        >>> item["direction"], item["items"][0]["prefix"]
        ('column', 'c0_')
    """

    kind: Literal["hconcat", "vconcat"]
    parts: tuple[Chart | Element, ...]

    def to_item(self, scope: str) -> dict[str, Any]:
        return {"kind": "layout", "direction": "row" if self.kind == "hconcat" else "column",
                "items": [item_of(part, f"{scope}c{i}_") for i, part in enumerate(self.parts)]}

    def datasets(self) -> tuple[str, ...]:
        return tuple(f"c{i}_{name}" for i, part in enumerate(self.parts) for name in part.datasets())

    def shared(self) -> tuple[Shared, ...]:
        return each_once(one for part in self.parts for one in part.shared())
