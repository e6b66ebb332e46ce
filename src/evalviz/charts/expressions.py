"""Vega expressions that name a chart's scales, and names of its datasets, written before the chart knows its place
in a composition."""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ScaleExpr:
    """A Vega expression in which `$name` stands for the chart's scale `name`, as a quoted scale name: its own
    name alone ("color") or inside a concatenation ("c0_color").

    Example:
        >>> ScaleExpr("contrast(scale($color, datum.value), 'black') > 3").render("c1_")
        'contrast(scale("c1_color", datum.value), \\'black\\') > 3'
    """

    template: str

    def render(self, scope: str) -> str:
        """The expression, its scale names prefixed with `scope`."""
        return string.Template(self.template).substitute(_ScaleNames(scope))


@dataclass(frozen=True)
class DatasetName:
    """The name of one of the chart's datasets where a transform names it (a lookup's `from`): its own name alone
    ("cells"), prefixed inside a concatenation ("c0_cells").

    Example:
        >>> DatasetName("cells").render("c1_")
        'c1_cells'
    """

    name: str

    def render(self, scope: str) -> str:
        return scope + self.name


class _ScaleNames(Mapping[str, str]):
    def __init__(self, scope: str) -> None:
        self._scope = scope

    def __getitem__(self, name: str) -> str:
        return json.dumps(self._scope + name)

    def __iter__(self):  # noqa: ANN204 - Template looks names up only
        return iter(())

    def __len__(self) -> int:
        return 0


def resolved(node: Any, scope: str) -> Any:
    """`node` (dicts, lists and values of a spec under construction) with every ScaleExpr and DatasetName rendered
    in `scope`."""
    if isinstance(node, ScaleExpr | DatasetName):
        return node.render(scope)
    if isinstance(node, Mapping):
        return {key: resolved(value, scope) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [resolved(item, scope) for item in node]
    return node
