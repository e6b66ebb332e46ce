"""What the charts of every view share: titles wrapped to the chart's width, and label widths in its font."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

from evalviz.rendering.figure_style import layout_label_size
from evalviz.views.font_metrics import BOLD_WIDENING, drawn_width

AXIS_LABEL_LIMIT = 160  # pixels; longer labels end in an ellipsis on the axis and stay whole in the tooltip
LABEL_FONT_SIZE = 10  # pixels: Vega's axis labels
SUBTITLE_FONT_SIZE = 12  # pixels: Vega's subtitle under a title (a subtitle alone is drawn at 11)
TITLE_FONT_SIZE = 13  # pixels: Vega's title, in bold
# Pixels of a chart's width a title line leaves free: Vega's padding (5) on either side, and room for the line
# to start a little right of the chart's left edge.
TITLE_MARGIN = 20
MIN_LINE_WIDTH = 40  # pixels: the lines of a chart narrower than that are as wide as its title's words allow
# Pixels: the widest a view draws itself by default (axes, legends and titles included), so that a page shows it
# whole: a 1,300-pixel browser window less a page's margins (2 x 24) and the chart's action menu (38). A width the
# user gives may be larger.
PAGE_WIDTH = 1200
CONCAT_SPACING = 20  # pixels between the parts of a concatenation: Vega-Lite's default
MIN_PANEL = 60  # pixels: a panel's plot is drawn no narrower by default, however many share a row
MAX_PANEL_TITLE_LINES = 4  # lines a panel's title wraps into at most, per line given
ELLIPSIS = "\u2026"
# Shares of a cut label's room its end keeps, tried in turn until the labels cut are told apart.
TAIL_SHARES = (0.5, 0.7, 0.3, 0.85, 0.15)
LONG_TOKEN = 24  # characters: a word longer than that (a URL, a path) may be broken across lines; no shorter one


def label_font_size() -> float:
    """The size (pixels) of the axis labels the chart being drawn is laid out for: Vega's on screen, larger while a
    print figure is drawn (`figure_style.printed_layout`).

    Example:
        >>> label_font_size()
        10
    """
    figure = layout_label_size()
    return LABEL_FONT_SIZE if figure is None else figure


def label_widths(labels: Sequence[str], font_size: float | None = None) -> list[float]:
    """Each label's width in pixels as the axis draws it: measured in the charts' font (at `label_font_size()`
    unless given), cut at AXIS_LABEL_LIMIT (grown as the labels' size is, in a print figure).

    Example:
        >>> [round(w) for w in label_widths(["Arithmetic", "x" * 100])]
        [52, 160]
    """
    limit = AXIS_LABEL_LIMIT * label_font_size() / LABEL_FONT_SIZE
    size = label_font_size() if font_size is None else font_size
    return [min(drawn_width(str(label), size), limit) for label in labels]


def text_width(labels: Sequence[str], font_size: float | None = None) -> float:
    """The widest label's width in pixels, as the axis draws it (cut at AXIS_LABEL_LIMIT).

    Example:
        >>> round(text_width(["Arithmetic", "World Capitals"]), 1)
        72.7
    """
    return max(label_widths(labels, font_size), default=0.0)


def band_labels(angle: float) -> dict[str, Any]:
    """The label properties of a band axis drawing its labels at `angle` degrees, an angle the view chose so that
    they fit: cut at AXIS_LABEL_LIMIT. Vega hides overlapping labels of level or upright axes only: it tests a
    slanted label by its upright bounding box, and would hide slanted labels that do not touch.

    Example:
        >>> band_labels(-40)
        {'labelLimit': 160, 'labelAngle': -40, 'labelOverlap': False}
    """
    return {"labelLimit": AXIS_LABEL_LIMIT, "labelAngle": angle, "labelOverlap": abs(angle) % 90 == 0}


def fitted_labels(labels: Mapping[str, str], limit: float = AXIS_LABEL_LIMIT) -> dict[str, Any]:
    """The label properties of an axis or legend drawing each key's label (`labels`: key -> label, every key it
    shows) within `limit` pixels: a label wider than that is cut in the middle ("openai/gpt-4o…support-v3"),
    keeping its start and its end, and the cut labels stay distinct from each other and from the labels drawn
    whole, the part that tells them apart kept. Every axis and legend of a view that draws text labels takes
    them from here, rather than leave Vega to cut a long label at its end (two labels differing there would be
    drawn alike). The tooltip holds the label whole.

    Example:
        >>> fitted_labels({"a": "org/model-tuned-v3", "b": "org/model-tuned-v4"}, limit=80)["labelExpr"][:44]
        'indexof(["a", "b"], datum.value) < 0 ? datum'
        >>> fitted_labels({"Atlas": "Atlas"})
        {'labelLimit': 160}
    """
    drawn = drawn_labels(labels, limit)
    changed = {key: text for key, text in drawn.items() if text != key}
    if not changed:
        return {"labelLimit": limit}
    keys, texts = json.dumps(list(changed), ensure_ascii=False), json.dumps(list(changed.values()), ensure_ascii=False)
    return {"labelLimit": limit,
            "labelExpr": f"indexof({keys}, datum.value) < 0 ? datum.value : {texts}[indexof({keys}, datum.value)]"}


def drawn_labels(labels: Mapping[str, str], limit: float = AXIS_LABEL_LIMIT) -> dict[str, str]:
    """Each key's label as `fitted_labels` draws it within `limit` pixels: whole, or cut in the middle, so that
    labels that differ are drawn differently.

    Example:
        >>> drawn_labels({"a": "org/model-tuned-v3", "b": "org/model-tuned-v4", "c": "Atlas"}, limit=80)
        {'a': 'org/mo…ned-v3', 'b': 'org/mo…ned-v4', 'c': 'Atlas'}
    """
    # `limit` is in pixels at the screen's label size: a print figure widens the limit as it grows the labels
    # (`rendering.figure_style`), so a label is cut alike on screen and in print.
    return _distinct_cuts({str(key): str(label) for key, label in labels.items()}, limit)


def _distinct_cuts(labels: dict[str, str], room: float) -> dict[str, str]:
    """Each key's label, cut in the middle to `room` pixels when wider, with the share of the room its end keeps
    chosen so that no two different labels are drawn alike; a label that still collides keeps the part where it
    first differs from the labels it collides with."""
    long = {key for key, label in labels.items() if drawn_width(label, LABEL_FONT_SIZE) > room}
    if not long:
        return labels
    for share in TAIL_SHARES:
        drawn = {key: middle_cut(label, room, share) if key in long else label for key, label in labels.items()}
        if _distinct(labels, drawn):
            return drawn
    for key in long:
        others = [other for k, other in labels.items() if k != key and drawn[k] == drawn[key] and other != labels[key]]
        if others:
            shared = max(len(os.path.commonprefix([labels[key], other])) for other in others)
            drawn[key] = _cut_at(labels[key], shared, room)
    return drawn


def _distinct(labels: Mapping[str, str], drawn: Mapping[str, str]) -> bool:
    """Whether labels that differ are drawn differently."""
    seen: dict[str, str] = {}
    for key, text in drawn.items():
        if seen.setdefault(text, labels[key]) != labels[key]:
            return False
    return True


def middle_cut(text: str, room: float, tail_share: float = 0.5, font_size: float = LABEL_FONT_SIZE) -> str:
    """`text` within `room` pixels at `font_size`: whole when it fits, else its start and its end around an
    ellipsis, the end taking `tail_share` of the room.

    Example:
        >>> middle_cut("openai/gpt-4o-mini-2024-07-18-finetuned-support-v3", 160)
        'openai/gpt-4o-…ed-support-v3'
    """
    if drawn_width(text, font_size) <= room:
        return text
    free = room - drawn_width(ELLIPSIS, font_size)
    tail = _fitting(text[::-1], free * tail_share, font_size)[::-1]
    head = _fitting(text, free - drawn_width(tail, font_size), font_size)
    return head + ELLIPSIS + tail


def _cut_at(text: str, start: int, room: float, font_size: float = LABEL_FONT_SIZE) -> str:
    """`text` within `room` pixels keeping a little of its start, then the part from about `start` on (where it
    differs from another label), ellipses where text is left out."""
    head = _fitting(text, room / 4, font_size)
    begin = max(start - 2, len(head))
    rest = text[begin:]
    mark = ELLIPSIS if begin > len(head) else ""
    free = room - drawn_width(head + mark, font_size)
    if drawn_width(rest, font_size) > free:
        rest = _fitting(rest, free - drawn_width(ELLIPSIS, font_size), font_size) + ELLIPSIS
    return head + mark + rest


def _fitting(text: str, room: float, font_size: float) -> str:
    """The longest start of `text` at most `room` pixels wide."""
    used, end = 0.0, 0
    for char in text:
        used += drawn_width(char, font_size)
        if used > room:
            break
        end += 1
    return text[:end]


def title_spec(title: str | None, subtitle: str | None, width: int) -> dict[str, Any] | None:
    """The chart's Vega-Lite title, title and subtitle each wrapped to the chart's width (None without either).
    Vega draws no subtitle under an empty title, so a subtitle alone becomes the title, in the subtitle's style.

    Example:
        >>> title_spec("Scores", None, 400)
        {'text': 'Scores', 'anchor': 'start'}
    """
    lines = subtitle_lines(subtitle, width)
    if title:
        heading = title_lines(title, width)
        text: str | list[str] = heading[0] if len(heading) == 1 else heading
        return {"text": text, "anchor": "start", **({"subtitle": lines, "subtitleColor": "#555"} if lines else {})}
    if lines:
        return {"text": lines, "anchor": "start", "color": "#555", "fontSize": 11, "fontWeight": "normal"}
    return None


def panel_title(lines: Sequence[str], width: float, font_size: float = TITLE_FONT_SIZE) -> dict[str, Any]:
    """The title of a panel (one part of a concatenation) whose plot is `width` pixels wide: its `lines` wrapped
    to that width (`wrapped_title`), so that the title is shown whole, neither cut nor running into the next panel.

    Example:
        >>> panel_title(["A rather long scorer name", "difficulty: hard"], 120, font_size=11)
        {'text': ['A rather long', 'scorer name', 'difficulty: hard'], 'anchor': 'start', 'fontSize': 11}
    """
    return {"text": wrapped_title(lines, width, font_size), "anchor": "start", "fontSize": font_size}


def wrapped_title(lines: Sequence[str], width: float, font_size: float) -> str | list[str]:
    """A bold title (a panel's, an axis's) of `lines`, each wrapped at spaces to `width` pixels as drawn at
    `font_size`; a line longer than MAX_PANEL_TITLE_LINES lines keeps that many, the last ending in an ellipsis
    (a view's tooltip holds the name whole). One line is a string, more a list, as Vega takes them.

    Example:
        >>> wrapped_title(["Predicted (score \u2265 0.5)"], 90, 11)
        ['Predicted', '(score \u2265 0.5)']
    """
    room = max(width, MIN_LINE_WIDTH) / BOLD_WIDENING
    text = [piece for line in lines for piece in _at_most(wrapped(str(line), room, font_size) or [""], room,
                                                         font_size)]
    return text[0] if len(text) == 1 else text


def _at_most(lines: list[str], room: float, font_size: float) -> list[str]:
    """The first MAX_PANEL_TITLE_LINES of `lines`, the last cut to end in an ellipsis within `room` when some
    are left out."""
    if len(lines) <= MAX_PANEL_TITLE_LINES:
        return lines
    last = _fitting(lines[MAX_PANEL_TITLE_LINES - 1], room - drawn_width(ELLIPSIS, font_size), font_size)
    return [*lines[:MAX_PANEL_TITLE_LINES - 1], last + ELLIPSIS]


def panel_width(default: int, columns: int, *, beside: float, side: float) -> int:
    """The plot width of each of `columns` panels side by side, drawn at `default` pixels unless the row would be
    wider than a page shows (PAGE_WIDTH): each panel takes `beside` pixels besides its plot (its axis), the row
    `side` pixels more (a legend) and CONCAT_SPACING between panels. Never below MIN_PANEL.

    Example:
        >>> panel_width(320, 3, beside=45, side=124)
        300
    """
    room = (PAGE_WIDTH - side - CONCAT_SPACING * (columns - 1)) / max(columns, 1) - beside
    return max(min(default, math.floor(room)), MIN_PANEL)


def title_line_count(title: str | None, subtitle: str | None, width: int) -> int:
    """How many lines `title_spec` draws above the plot: the title's and the subtitle's.

    Example:
        >>> title_line_count("Scores", "Each cell shows the mean of its rows (up to 2).", 200)
        3
    """
    return len(title_lines(title, width)) + len(subtitle_lines(subtitle, width))


def hover_note(text: str, hover: str, *, tip: bool) -> str:
    """A note for a subtitle that tells what hovering shows only where something shows: `text` and `hover` as one
    sentence when the chart has tooltips (`tip`), `text` alone without them. Every note that speaks of hovering is
    written with it.

    Example:
        >>> hover_note("Each cell shows the mean of its rows (up to 4)", "hover a cell for its row count", tip=True)
        'Each cell shows the mean of its rows (up to 4); hover a cell for its row count.'
        >>> hover_note("Each cell shows the mean of its rows (up to 4)", "hover a cell for its row count", tip=False)
        'Each cell shows the mean of its rows (up to 4).'
    """
    return f"{text}; {hover}." if tip else f"{text}."


def subtitle_lines(subtitle: str | None, width: int) -> list[str]:
    """The subtitle wrapped at spaces into lines that fit a chart `width` pixels wide, as drawn in its font.

    Example:
        >>> subtitle_lines("Each cell shows the mean of its rows (up to 2); hover a cell for its row count.", 310)
        ['Each cell shows the mean of its rows (up to 2);', 'hover a cell for its row count.']
    """
    return wrapped(subtitle or "", line_width(width), SUBTITLE_FONT_SIZE)


def title_lines(title: str | None, width: int) -> list[str]:
    """The title wrapped at spaces into lines that fit a chart `width` pixels wide, as drawn (bold).

    Example:
        >>> title_lines("Scores of every model on every task", 200)
        ['Scores of every model', 'on every task']
    """
    return wrapped(title or "", line_width(width) / BOLD_WIDENING, TITLE_FONT_SIZE)


def line_width(width: int) -> float:
    """The room a title line has in a chart `width` pixels wide: Vega fits the title, like the rest of the
    chart, within its padding; a line wider than that is cut off by the chart's edge."""
    return max(width - TITLE_MARGIN, MIN_LINE_WIDTH)


def wrapped(text: str, room: float, font_size: float) -> list[str]:
    """`text` in lines at most `room` pixels wide at `font_size`: broken at spaces only. A word wider than a line
    stays whole on a line of its own (it overflows it), unless it is a token longer than LONG_TOKEN characters
    (a URL, a path), which is broken where the line is full.

    Example:
        >>> wrapped("see https://example.com/a/long/path", 100, 12)
        ['see', 'https://example.', 'com/a/long/path']
    """
    space = drawn_width(" ", font_size)
    lines: list[list[str]] = []
    used = 0.0
    for word in (piece for whole in text.split()
                 for piece in (_pieces(whole, room, font_size) if len(whole) > LONG_TOKEN else [whole])):
        needed = drawn_width(word, font_size)
        if lines and used + space + needed <= room:
            lines[-1].append(word)
            used += space + needed
        else:
            lines.append([word])
            used = needed
    return [" ".join(line) for line in lines]


def _pieces(word: str, room: float, font_size: float) -> list[str]:
    """`word` cut into pieces each at most `room` pixels wide (at least one character each)."""
    pieces, current = [], ""
    for char in word:
        if current and drawn_width(current + char, font_size) > room:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current]
