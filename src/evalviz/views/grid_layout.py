"""The layout of a grid chart, worked out before it is drawn: the plot area left inside the axes, legend and title
of a chart of a given outer size, and the angles of the axis labels. Text is measured in the charts' font."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from evalviz.constants.statuses import OK
from evalviz.views.chart import label_font_size, label_widths, text_width
from evalviz.views.font_metrics import BOLD_WIDENING, drawn_width
from evalviz.views.grid import Grid

LEGEND_TITLE_FONT_SIZE = 11  # bold
LABEL_GAP = 2  # pixels between neighbouring x labels
SLANTS = (45.0, 60.0)  # degrees x labels may slant by, least first, before they stand upright
MIN_PLOT = 40.0  # pixels: the least plot height a chart whose height is not given is grown to hold
TITLE_LINE = 26  # pixels a line of title or subtitle takes


@dataclass(frozen=True)
class GridLayout:
    """A grid chart's plot area (pixels) and its label angles (degrees, Vega's sign: negative slants upwards)."""

    plot_width: float
    plot_height: float
    x_angle: float
    y_angle: float
    needed_height: float = 0.0  # the least outer height that leaves the plot its height, below the title lines
    beside: tuple[float, float] = (0.0, 0.0)  # pixels of width and height the chart takes beside its plot area

    @property
    def plot_size(self) -> tuple[int, int]:
        """The plot area in whole pixels."""
        return round(self.plot_width), round(self.plot_height)

    def band(self, grid: Grid) -> tuple[float, float]:
        """The width and height in pixels of one cell of `grid` (its gap included)."""
        return self.plot_width / max(len(grid.x_order), 1), self.plot_height / max(len(grid.y_order), 1)


def grid_layout(grid: Grid, *, width: float, height: float, legend_title: str | None, title_lines: int,
                rotate: tuple[float | None, float | None], plot_size: tuple[int, int] | None,
                offsets: tuple[float, float] = (0, 0)) -> GridLayout:
    """Estimate the plot area of a chart of `width` x `height` pixels in all (Vega then fits it exactly), unless
    `plot_size` gives it: what is left beside the axes, legend and title, down to nothing (as Vega draws a chart
    too small for them: its cells are then a fraction of a pixel, and nothing is written in them), and choose
    the label angles (`rotate`: the user's x and y angles, counter-clockwise).

    `legend_title` is None when the chart draws no legend; `title_lines` counts its title and subtitle lines;
    `offsets` are the pixels between the cells and the x and y axes (where axis groups are drawn).

    Example:
        >>> from evalviz.views.grid import Grid
        >>> import pyarrow as pa
        >>> grid = Grid(pa.table({"status": ["ok"]}), ["a"], ["b"], ["a"], ["b"])
        >>> grid_layout(grid, width=400, height=300, legend_title=None, title_lines=0, rotate=(None, None),
        ...             plot_size=(200, 100)).plot_size
        (200, 100)
    """
    x_rotate, y_rotate = rotate
    y_area = (text_width(grid.y_labels) + 30 if y_rotate is None or y_rotate == 0 else 60) + offsets[1]
    legend_area = 0.0
    if legend_title is not None:
        entries = max(label_widths([s for s in grid.statuses if s != OK]), default=0.0) + 25
        title = drawn_width(legend_title, LEGEND_TITLE_FONT_SIZE) * BOLD_WIDENING
        legend_area = max(60.0, min(title, 180), entries) + 20
    plot_width = max(width - y_area - legend_area, 0.0) if plot_size is None else float(plot_size[0])
    widths = label_widths(grid.x_labels)
    x_angle = x_label_angle(widths, plot_width / max(len(grid.x_order), 1)) if x_rotate is None else -float(x_rotate)
    x_area = 12 + abs(math.sin(math.radians(x_angle))) * max(widths, default=0.0) + 30 + offsets[0]
    plot_height = max(height - x_area - TITLE_LINE * title_lines, 0.0) if plot_size is None \
        else float(plot_size[1])
    y_angle = 0.0 if y_rotate is None else -float(y_rotate)
    return GridLayout(plot_width=plot_width, plot_height=plot_height, x_angle=x_angle, y_angle=y_angle,
                      needed_height=x_area + TITLE_LINE * title_lines + MIN_PLOT,
                      beside=(y_area + legend_area, x_area + TITLE_LINE * title_lines))


def x_label_angle(widths: Sequence[float], band: float) -> float:
    """The angle of x labels `widths` pixels wide under bands of `band` pixels: level when neighbours do not
    touch, else the least slant (45 or 60 degrees) at which no two boxes overlap (Vega hides overlapping
    labels), else upright, so that as many as possible stay readable.

    A label slanted by a, anchored at its tick, takes w cos a + h sin a pixels along the axis (h its height).

    Example:
        >>> x_label_angle([52.1, 97.3, 66.2, 72.7], 75.6)
        -60.0
    """
    neighbours = list(zip(widths, widths[1:], strict=False)) or [(w, w) for w in widths]
    if all((a + b) / 2 + LABEL_GAP <= band for a, b in neighbours):
        return 0.0
    slanted = widths[1:] or widths  # the first label has no neighbour on the side it leans to
    for angle in SLANTS:
        a = math.radians(angle)
        if max(slanted) * math.cos(a) + label_font_size() * math.sin(a) + LABEL_GAP <= band:
            return -angle
    return -90.0
