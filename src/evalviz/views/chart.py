"""What the charts of every view share: titles wrapped to the chart's width, and label widths in its font."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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


def title_spec(title: str | None, subtitle: str | None, width: int) -> dict[str, Any] | None:
    """The chart's Vega-Lite title with its subtitle wrapped to the chart's width (None without either). Vega draws
    no subtitle under an empty title, so a subtitle alone becomes the title, in the subtitle's style.

    Example:
        >>> title_spec("Scores", None, 400)
        {'text': 'Scores', 'anchor': 'start'}
    """
    lines = subtitle_lines(subtitle, width)
    if title:
        return {"text": title, "anchor": "start", **({"subtitle": lines, "subtitleColor": "#555"} if lines else {})}
    if lines:
        return {"text": lines, "anchor": "start", "color": "#555", "fontSize": 11, "fontWeight": "normal"}
    return None


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
