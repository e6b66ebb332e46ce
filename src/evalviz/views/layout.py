"""`hconcat` and `vconcat`: several Components laid out side by side or one above another.

Charts alone are composed as objects into one chart (`evalviz.charts.ConcatChart`): each part is named by its
place, and its marks, scales and datasets take that name as a prefix when the spec is written. With an input or
a table among them, they are laid out on the page (`evalviz.rendering.items.Layout`), each part's datasets
named alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from evalviz.charts import ConcatChart
from evalviz.errors import EvalvizError
from evalviz.rendering.component import Component, scoped_datasets
from evalviz.rendering.items import Element, Layout
from evalviz.signatures import checks_signature


@checks_signature
def hconcat(*components: Component | Iterable[Component]) -> Component:
    """Components side by side, in one chart: each keeps its own scales, legends, tooltips and links, and its
    layout: a chart of `width` x `height` takes the room it takes alone, its plot area fitted by Vega as alone.

    Args:
        *components: Components (or lists of them), drawn left to right.

    Returns:
        One Component holding them all; its datasets are the parts', named "c<i>_<name>".

    Raises:
        EvalvizError: nothing to concatenate, or something that is not a Component.

    Example:
        >>> import evalviz as ev
        >>> evals = ev.Data.from_file("examples/data/evals.parquet")
        >>> both = ev.hconcat(ev.scores_heatmap(evals, width=450),
        ...                   ev.scores_heatmap(evals, agg="max", width=450))
    """
    return _concat("hconcat", components)


@checks_signature
def vconcat(*components: Component | Iterable[Component]) -> Component:
    """Components one above another, in one chart: each keeps its own scales, legends, tooltips and links, and
    its layout, as in `hconcat`.

    Args:
        *components: Components (or lists of them), drawn top to bottom.

    Returns:
        One Component holding them all; its datasets are the parts', named "c<i>_<name>".

    Raises:
        EvalvizError: nothing to concatenate, or something that is not a Component.

    Example:
        >>> import evalviz as ev
        >>> evals = ev.Data.from_file("examples/data/evals.parquet")
        >>> both = ev.vconcat(ev.scores_heatmap(evals), ev.scores_heatmap(evals, orientation="vertical"))
    """
    return _concat("vconcat", components)


def _flatten(components: tuple[Component | Iterable[Component], ...]) -> list[Component]:
    flat: list[Component] = []
    for item in components:
        if isinstance(item, Component):
            flat.append(item)
        elif isinstance(item, Iterable) and not isinstance(item, str | bytes | dict):
            flat.extend(_flatten(tuple(item)))
        else:
            raise EvalvizError(
                f"hconcat and vconcat take Components (charts evalviz made), not {type(item).__name__}."
            )
    return flat


def _concat(kind: Literal["hconcat", "vconcat"], given: tuple[Component | Iterable[Component], ...]) -> Component:
    components = _flatten(given)
    if not components:
        raise EvalvizError(f"{kind} needs at least one Component.")
    parts = tuple(component.chart for component in components)
    if any(isinstance(part, Element) for part in parts):
        chart: ConcatChart | Layout = Layout(kind, parts)
    else:
        chart = ConcatChart(kind, parts)
        chart.part("", ())  # a part that cannot be composed says so now, before anything is drawn
    # parts: for the live widget's re-queries
    return Component.from_parts(chart, scoped_datasets(components), parts=tuple(components))
