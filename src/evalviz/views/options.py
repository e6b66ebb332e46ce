"""Options shared by the views."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


class NotGiven:
    """Marks a parameter the user left out, where None means something of its own (e.g. `legend=None`)."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        return False


NOT_GIVEN: Final = NotGiven()


class _DefaultOrientation(str):
    """"horizontal", as a default the user did not choose: a view may turn a chart that does not fit."""


DEFAULT_ORIENTATION: Final = _DefaultOrientation("horizontal")


@dataclass(frozen=True)
class CellOptions:
    """How a heatmap draws its cells.

    Example:
        >>> import evalviz as ev
        >>> ev.CellOptions(inset=1, text="black")
        CellOptions(inset=1, text='black', corner_radius=0, stroke=None, annotate=None, annot_fmt=None)

    Attributes:
        inset: Gap in pixels between neighbouring cells.
        text: Colour of annotation text; None picks black or white by the cell's colour.
        corner_radius: Rounded corners, in pixels.
        stroke: Outline colour of each cell.
        annotate: Draw each cell's value on it (None: the view decides).
        annot_fmt: Python format string of annotations and tooltips, e.g. "{:.2f}", "{:.0%}".
    """

    inset: float = 0.5
    text: str | None = None
    corner_radius: float = 0
    stroke: str | None = None
    annotate: bool | None = None
    annot_fmt: str | None = None
