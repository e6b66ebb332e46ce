"""Whether the values a chart writes in its cells fit there, and the note its subtitle gives where they do not.

Every view that writes values in its cells (the heatmaps through `grid_marks`, the confusion grid) decides here,
so that none leaves its values out without a word: the note says why (cells too narrow, too short, or both), how
large a chart would write them, and that hovering shows them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from evalviz.views.chart import hover_note
from evalviz.views.options import MAX_PIXELS

LINE_GAP = 2  # pixels between lines: Vega's default line height is the font size + 2
WIDTH_PADDING = 6  # pixels of a cell's width left free beside its text
HEIGHT_PADDING = 1  # pixels of a cell's height left free above and below its text, together


@dataclass(frozen=True)
class CellText:
    """The text a chart writes in each of its cells: the widest line's width in pixels (as drawn in the charts'
    font), the lines each cell writes, and their font size.

    Example:
        >>> CellText(width=28.0, lines=1, font_size=11).room
        (34.0, 14)
    """

    width: float
    lines: int
    font_size: float

    @property
    def room(self) -> tuple[float, float]:
        """The least cell (width, height) in pixels the text fits in."""
        return self.width + WIDTH_PADDING, self.lines * (self.font_size + LINE_GAP) + HEIGHT_PADDING

    def fits(self, band: tuple[float, float]) -> bool:
        """Whether the text fits cells `band` (width, height) pixels large.

        Example:
            >>> CellText(width=28.0, lines=1, font_size=11).fits((30.0, 40.0))
            False
        """
        needed = self.room
        return band[0] >= needed[0] and band[1] >= needed[1]


def needed_size(text: CellText, band: tuple[float, float], beside: tuple[float, float],
                cells: tuple[int, int]) -> tuple[int | None, int | None]:
    """The chart (width, height) whose cells would hold `text`: `cells` (columns, rows) each as large as the text
    needs, and `beside` (width, height) pixels around them (axes, legend, titles). None where cells `band` pixels
    large lack nothing, or where the size needed is beyond what a chart may be (MAX_PIXELS).

    Example:
        >>> needed_size(CellText(28.0, 1, 11), (20.0, 30.0), (100.0, 80.0), (30, 10))
        (1120, None)
    """
    wanted = []
    for have, need, around, count in zip(band, text.room, beside, cells, strict=True):
        grown = math.ceil(around + count * need) if have < need else None
        wanted.append(grown if grown is not None and grown <= MAX_PIXELS else None)
    return wanted[0], wanted[1]


def hidden_values_note(text: CellText, band: tuple[float, float], *, tip: bool,
                       larger: tuple[int | None, int | None] = (None, None), short: bool = False) -> str:
    """What a subtitle says when cells `band` (width, height) pixels large are too small for their `text`: why,
    the `larger` (width, height) that would write them (`needed_size`: the sizes it lacks; None: none to offer),
    and, with tooltips (`tip`), that hovering shows a cell's value. A `short` note (for a chart too small to hold
    the whole note) says only that values are not written.

    Example:
        >>> hidden_values_note(CellText(28.0, 1, 11), (20.0, 30.0), tip=True, larger=(1120, None))
        'Values are not written in the cells, too narrow for them (width=1120 writes them); hover a cell for its value.'
    """
    needed = text.room
    narrow, low = band[0] < needed[0], band[1] < needed[1]
    too = "too small" if narrow and low else "too narrow" if narrow else "too short"
    if short:
        return "Values not written."
    sizes = [f"{name}={value}" for name, value, lacking in zip(("width", "height"), larger, (narrow, low),
                                                                  strict=True) if lacking and value is not None]
    offer = f" ({' and '.join(sizes)} writes them)" if sizes else ""
    return hover_note(f"Values are not written in the cells, {too} for them{offer}", "hover a cell for its value",
                      tip=tip)
