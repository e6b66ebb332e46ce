"""What the specs of every view share: titles, label widths, and turning Altair charts into specs."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import altair as alt
from altair.utils.schemapi import debug_mode

from evalviz.errors import EvalvizError
from evalviz.rendering.component import Component
from evalviz.rendering.outgoing import unjsonable
from evalviz.views.font_metrics import drawn_width

AXIS_LABEL_LIMIT = 160  # pixels; longer labels end in an ellipsis on the axis and stay whole in the tooltip
LABEL_FONT_SIZE = 10  # pixels: Vega's axis labels
SUBTITLE_FONT_SIZE = 12  # pixels: Vega's subtitle under a title (a subtitle alone is drawn at 11)
TITLE_MARGIN = 10  # pixels of a chart's width a title line leaves free
MIN_SUBTITLE_WIDTH = 180  # pixels: a subtitle of a narrow chart still gets lines this wide


def label_widths(labels: Sequence[str], font_size: float = LABEL_FONT_SIZE) -> list[float]:
    """Each label's width in pixels as the axis draws it: measured in the charts' font, cut at AXIS_LABEL_LIMIT.

    Example:
        >>> [round(w) for w in label_widths(["Arithmetic", "x" * 100])]
        [52, 160]
    """
    return [min(drawn_width(str(label), font_size), AXIS_LABEL_LIMIT) for label in labels]


def text_width(labels: Sequence[str], font_size: float = LABEL_FONT_SIZE) -> float:
    """The widest label's width in pixels, as the axis draws it (cut at AXIS_LABEL_LIMIT).

    Example:
        >>> round(text_width(["Arithmetic", "World Capitals"]), 1)
        72.7
    """
    return max(label_widths(labels, font_size), default=0.0)


def built_unchecked(build: Callable[..., Component]) -> Callable[..., Component]:
    """Build the spec with Altair's per-object schema checks off: they check every axis label of a large grid
    one by one. The finished spec is still validated whenever user input is part of it (see `to_spec`)."""

    @functools.wraps(build)
    def wrapper(*args: Any, **kwargs: Any) -> Component:
        with debug_mode(False):
            return build(*args, **kwargs)

    return wrapper


def title_params(title: str | None, subtitle: str | None, width: int) -> alt.TitleParams:
    """The chart's title with its subtitle wrapped to the chart's width. Vega draws no subtitle under an empty
    title, so a subtitle alone becomes the title, in the subtitle's style."""
    lines = subtitle_lines(subtitle, width)
    if title:
        return alt.TitleParams(text=title, subtitle=lines or alt.Undefined, anchor="start", subtitleColor="#555")
    return alt.TitleParams(text=lines, anchor="start", color="#555", fontSize=11, fontWeight="normal")


def subtitle_lines(subtitle: str | None, width: int) -> list[str]:
    """The subtitle wrapped at spaces into lines that fit a chart `width` pixels wide, as drawn in its font.

    Example:
        >>> subtitle_lines("Each cell shows the mean of its rows (up to 2); hover a cell for its row count.", 300)
        ['Each cell shows the mean of its rows (up to 2);', 'hover a cell for its row count.']
    """
    room = max(width - TITLE_MARGIN, MIN_SUBTITLE_WIDTH)
    space = drawn_width(" ", SUBTITLE_FONT_SIZE)
    lines: list[list[str]] = []
    used = 0.0
    for word in (subtitle or "").split():
        needed = drawn_width(word, SUBTITLE_FONT_SIZE)
        if lines and used + space + needed <= room:
            lines[-1].append(word)
            used += space + needed
        else:
            lines.append([word])
            used = needed
    return [" ".join(line) for line in lines]


def to_spec(chart: alt.TopLevelMixin, attributes: dict[str, Any], *, validate: bool) -> dict[str, Any]:
    """The chart's spec with `attributes` set on it; an attribute Vega-Lite does not know fails by name.

    Schema validation costs more than building the spec, so it runs only when user input (attributes,
    extra marks) is part of it; the spec evalviz writes itself is checked by the tests.
    """
    try:
        spec = _with_attributes(chart, attributes).to_dict(validate=validate)
    except Exception as exc:  # noqa: BLE001 - Altair and jsonschema raise many kinds for a bad attribute value
        if not attributes and not validate:
            raise
        raise EvalvizError(
            f"The chart attributes {sorted(attributes)} (or extra marks) do not all hold values Vega-Lite takes: "
            f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"
        ) from exc
    found = unjsonable(spec)
    if found is not None:
        raise EvalvizError(
            f"The chart spec holds {found[1]!r}, which JSON cannot carry, at {found[0]}: give finite numbers in "
            "chart attributes and extra marks."
        )
    return spec


def _with_attributes(chart: alt.TopLevelMixin, attributes: dict[str, Any]) -> alt.TopLevelMixin:
    """`chart` with the top-level `attributes` set; `params` are added as Altair adds them (named when unnamed)."""
    attributes = dict(attributes)
    params = attributes.pop("params", None)
    if attributes:
        chart = chart.properties(**attributes)
    if params is not None:
        given = params if isinstance(params, list | tuple) else [params]
        chart = chart.add_params(*(p if isinstance(p, alt.Parameter) else alt.param(**p) for p in given))
    return chart
