"""The sizes of a score chart, worked out before it is drawn: a default width that grows with its bars, the legend's
columns, the angle of the group labels, and the notes that say when bars are too thin to read or a chart was
capped. Text is measured in the charts' font."""

from __future__ import annotations

import math
from dataclasses import dataclass

from evalviz.errors import EvalvizError
from evalviz.views.chart import AXIS_LABEL_LIMIT, hover_note, label_widths, subtitle_lines, text_width
from evalviz.views.formatting import count_text
from evalviz.views.grid_layout import MIN_PLOT, TITLE_LINE, x_label_angle
from evalviz.views.options import MAX_PIXELS, ViewOptions

DEFAULT_SIZE = (700, 400)
SLOT_PIXELS = 16  # the default width a grouped chart gives each bar (its gap included)
MIN_BAR = 3  # pixels: thinner bars are hard to see and to hover; the subtitle says so
GROUP_PADDING = 0.2  # of a group's band left free between groups
MEMBER_PADDING = 0.05  # of a bar's band left free between the bars of a group
SCORE_AXIS_ROOM = 60  # pixels of width the score axis (its labels and title) takes
BAND_AXIS_ROOM = 42  # pixels of height a band axis takes besides its labels (ticks, padding, title)
LEGEND_ENTRY = 17  # pixels of height a legend entry takes
LEGEND_ROOM = 34  # pixels of width a legend entry takes besides its label (symbol, gaps)
STATUS_LEGEND = 110  # pixels of width the legend of statuses takes
MAX_LEGEND_COLUMNS = 3  # a legend of more entries than fit in three columns shows what fits, and says so


@dataclass(frozen=True)
class GroupedLayout:
    """A grouped chart's outer size, plot area and what was chosen for it.

    Attributes:
        width, height: The outer size in pixels (Vega fits the chart into it).
        plot_width, plot_height: The plot area, estimated.
        angle: The group labels' angle (degrees, Vega's sign).
        legend_columns: Columns of the colour legend, so that every entry shows (up to MAX_LEGEND_COLUMNS).
        legend_entries: The entries the colour legend shows (all, unless they do not fit in its columns).
        bar: A bar's width in pixels.
        notes: What the subtitle says about the size (thin bars), empty when nothing.
    """

    width: int
    height: int
    plot_width: float
    plot_height: float
    angle: float
    legend_columns: int
    legend_entries: int
    bar: float
    notes: tuple[str, ...]


def legend_width(labels: list[str], columns: int) -> float:
    """The width in pixels of a symbol legend of `labels` in `columns` columns."""
    return columns * (min(text_width(labels), AXIS_LABEL_LIMIT) + LEGEND_ROOM)


def legend_columns(entries: int, plot_height: float) -> int:
    """The columns a legend of `entries` needs to show them all beside a plot `plot_height` pixels high (at most
    MAX_LEGEND_COLUMNS)."""
    return min(MAX_LEGEND_COLUMNS, max(1, math.ceil(entries / legend_rows(plot_height))))


def legend_rows(plot_height: float) -> int:
    """The legend entries that fit in a column beside a plot `plot_height` pixels high."""
    return max(1, int(plot_height // LEGEND_ENTRY))


def grouped_layout(groups: list[str], members: list[str], options: ViewOptions, *, flags: bool,
                   title_lines: int) -> GroupedLayout:
    """The layout of a chart of `groups` along x, each with a bar per member (`members`: the colour legend's
    labels), its legend of statuses when `flags`, and `title_lines` lines of title.

    The default width grows with the bars (SLOT_PIXELS each) up to MAX_PIXELS; the default height is 400.

    Raises:
        EvalvizError: a width or height given that leaves the plot less than MIN_PLOT pixels, naming the least.
    """
    slots = max(len(groups), 1) * max(len(members), 1)
    estimate = DEFAULT_SIZE[1] - BAND_AXIS_ROOM - TITLE_LINE * title_lines
    columns = legend_columns(len(members), estimate)
    side = SCORE_AXIS_ROOM + (legend_width(members, columns) + STATUS_LEGEND * flags) * options.legend_on
    default_width = min(max(DEFAULT_SIZE[0], round(side + slots * SLOT_PIXELS)), MAX_PIXELS)
    width, height = options.sized(default_width, DEFAULT_SIZE[1])
    plot_width = width - side
    widths = label_widths(groups)
    band = plot_width / max(len(groups), 1)
    angle = x_label_angle(widths, band)
    x_area = BAND_AXIS_ROOM + abs(math.sin(math.radians(angle))) * max(widths, default=0.0) + 10
    plot_height = height - x_area - TITLE_LINE * title_lines
    _check_room(options, width=width, plot_width=plot_width, height=height, plot_height=plot_height)
    columns = legend_columns(len(members), plot_height)
    entries = min(len(members), columns * legend_rows(plot_height))
    bar = band * (1 - GROUP_PADDING) / max(len(members), 1) * (1 - MEMBER_PADDING)
    notes: tuple[str, ...] = ()
    if bar < MIN_BAR:
        notes += (f"{count_text(slots)} bars leave each {bar:.1f} pixels wide: filter the models or tasks "
                  "(data.filter(...)), or see them all in scores_heatmap.",)
    if entries < len(members) and options.legend_on:
        notes += (hover_note(f"The legend shows {count_text(entries)} of {count_text(len(members))} entries",
                             "hover a bar for its name", tip=options.tip),)
    return GroupedLayout(width=width, height=height, plot_width=plot_width, plot_height=plot_height, angle=angle,
                         legend_columns=columns, legend_entries=entries, bar=bar, notes=notes)


def _check_room(options: ViewOptions, *, width: float, plot_width: float, height: float,
                plot_height: float) -> None:
    """Refuse a width or height given that leaves the plot less than MIN_PLOT pixels, naming the least one."""
    for name, given, outer, plot in (("width", options.width, width, plot_width),
                                     ("height", options.height, height, plot_height)):
        if given is not None and plot < MIN_PLOT:
            least = math.ceil(outer - plot + MIN_PLOT)
            raise EvalvizError(f"{name}={given} leaves no room for the plot: its axes, legends and title take "
                               f"{math.ceil(outer - plot)} pixels. Give {name}={least} or more (or None for the "
                               "default).")


def title_lines(title: str | None, subtitle: str | None, width: int) -> int:
    """The lines a title and its subtitle take when wrapped to `width`."""
    return bool(title) + len(subtitle_lines(subtitle, width))
