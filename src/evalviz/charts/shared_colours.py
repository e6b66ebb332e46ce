"""One colour per member across a composition: charts drawn together that colour by the same members (models,
organisations, ...) give each member the same colour in every chart.

Alone, each view colours its members from its own domain (its members in order) over a categorical scheme, so a
member's colour depends on which other members the chart holds: beside a chart of other (or more) members, the
same model would be drawn in another colour. Composed (`ConcatChart`, or a layout of items on a page), the colour
scales whose domains share members are given the members' union as one domain: each keeps its own domain (and so
its own legend), with the colours the union gives its members as an explicit range.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

# Vega's categorical schemes the views colour members with, as Vega defines them (vega-scale's schemes).
_SCHEMES = {
    "tableau10": "4c78a8f58518e4575672b7b254a24beeca3bb279a2ff9da69d755dbab0ac",
    "tableau20": "4c78a89ecae9f58518ffbf7954a24b88d27ab79a20f2cf5b43989483bcb6e45756ff9d9879706ebab0acd67195"
                 "fcbfd2b279a2d6a5c99e765fd8b5a5",
}
PALETTES = {name: [f"#{hex_[i:i + 6]}" for i in range(0, len(hex_), 6)] for name, hex_ in _SCHEMES.items()}
_PAINT = ("color", "fill", "stroke")


def shared_colours(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`specs` (Vega-Lite specs drawn together) with every member keeping one colour in all of them: the
    categorical colour scales whose domains share a member take their colours from the union of those domains
    (tableau10, or tableau20 past ten members). Specs needing no change are returned as they are; the others
    are copied first, never changed in place.

    Example:
        >>> def chart(models):
        ...     scale = {"domain": models, "scheme": "tableau10"}
        ...     return {"mark": "bar", "encoding": {"color": {"field": "model", "type": "nominal", "scale": scale}}}
        >>> one, two = shared_colours([chart(["a", "b"]), chart(["b"])])
        >>> one["encoding"]["color"]["scale"], two["encoding"]["color"]["scale"]
        ({'domain': ['a', 'b'], 'range': ['#4c78a8', '#f58518']}, {'domain': ['b'], 'range': ['#f58518']})
    """
    ranges = _ranges([scale for spec in specs for scale in _member_scales(spec)])
    if not ranges:
        return specs
    out = []
    for spec in specs:
        if not any(_key(scale) in ranges for scale in _member_scales(spec)):
            out.append(spec)
            continue
        spec = copy.deepcopy(spec)
        scales = {id(scale): scale for scale in _member_scales(spec)}  # a scale a spec holds twice, once
        for scale in scales.values():
            colours = ranges.get(_key(scale))
            if colours is not None:
                del scale["scheme"]
                scale["range"] = [colours[repr(member)] for member in scale["domain"]]
        out.append(spec)
    return out


def _member_scales(node: Any, parent: str = "") -> Iterator[dict[str, Any]]:
    """The scales of `node`'s nominal paint channels (and their conditions) that colour an explicit domain of
    members with a categorical scheme."""
    if isinstance(node, list):
        for child in node:
            yield from _member_scales(child, parent)
        return
    if not isinstance(node, dict):
        return
    scale = node.get("scale")
    if (parent in (*_PAINT, "condition") and node.get("type") == "nominal" and isinstance(scale, dict)
            and scale.get("scheme") in PALETTES and isinstance(scale.get("domain"), list) and "range" not in scale):
        yield scale
    for key, value in node.items():
        if key not in ("data", "datasets", "usermeta"):
            yield from _member_scales(value, key)


def _key(scale: dict[str, Any]) -> tuple[Any, ...]:
    return (scale["scheme"], *(repr(member) for member in scale["domain"]))


def _ranges(scales: list[dict[str, Any]]) -> dict[tuple[Any, ...], dict[str, str]]:
    """For each scale (by `_key`) that shares a member with a scale colouring it otherwise: its members' colours
    in the union of the domains it shares members with."""
    groups: list[list[dict[str, Any]]] = []
    for scale in scales:  # scales joined by a common member, transitively
        members = set(map(repr, scale["domain"]))
        joined = [g for g in groups if any(members & set(map(repr, other["domain"])) for other in g)]
        groups = [g for g in groups if g not in joined] + [[*(s for g in joined for s in g), scale]]
    ranges = {}
    for group in groups:
        if len({_key(scale) for scale in group}) < 2:
            continue  # one domain, one scheme: the members already have one colour
        union = _union([scale["domain"] for scale in group])
        palette = PALETTES["tableau10" if len(union) <= len(PALETTES["tableau10"]) else "tableau20"]
        colours = {repr(member): palette[i % len(palette)] for i, member in enumerate(union)}
        for scale in group:
            ranges[_key(scale)] = {repr(member): colours[repr(member)] for member in scale["domain"]}
    return ranges


def _union(domains: list[list[Any]]) -> list[Any]:
    """The members of `domains`, each once: sorted when every domain is (as the views order members by their
    labels), else in order of first appearance."""
    seen: dict[str, Any] = {}
    for domain in domains:
        for member in domain:
            seen.setdefault(repr(member), member)
    members = list(seen.values())
    try:
        if all(domain == sorted(domain) for domain in domains):
            return sorted(members)
    except TypeError:  # members of different types: kept in order of appearance
        pass
    return members


def item_colours(item: dict[str, Any]) -> dict[str, Any]:
    """A page's item tree (`evalviz.rendering.items`) with every member keeping one colour in all the charts it
    holds (`shared_colours`): the charts of a layout are drawn together as a concatenation's parts are.

    Example:
        >>> item_colours({"kind": "input"})
        {'kind': 'input'}
    """
    charts = list(_chart_items(item))
    specs = shared_colours([chart["spec"] for chart in charts])
    if all(new is chart["spec"] for new, chart in zip(specs, charts, strict=True)):
        return item
    return _with_specs(item, {id(chart["spec"]): spec for chart, spec in zip(charts, specs, strict=True)})


def _chart_items(item: Any) -> Iterator[dict[str, Any]]:
    if isinstance(item, dict):
        if item.get("kind") == "chart" and isinstance(item.get("spec"), dict):
            yield item
        for child in item.get("items", ()) if isinstance(item.get("items"), list) else ():
            yield from _chart_items(child)


def _with_specs(item: dict[str, Any], replaced: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """`item` (copied along the way) with each chart's spec replaced by `replaced[id(spec)]`."""
    if item.get("kind") == "chart" and id(item.get("spec")) in replaced:
        return {**item, "spec": replaced[id(item["spec"])]}
    if isinstance(item.get("items"), list):
        return {**item, "items": [_with_specs(child, replaced) if isinstance(child, dict) else child
                                  for child in item["items"]]}
    return item
