"""Options shared by the views."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Final

from evalviz.errors import EvalvizError
from evalviz.views.formatting import python_spec

# The largest width or height a chart may ask for: beyond it a browser no longer draws the canvas, and a PNG of
# it (at scale 2) needs gigabytes.
MAX_PIXELS = 10_000


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

    def __post_init__(self) -> None:
        for name in ("inset", "corner_radius"):
            checked_number(f"CellOptions.{name}", getattr(self, name), minimum=0)
        for name in ("text", "stroke"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), str):
                raise EvalvizError(f"CellOptions.{name} is a colour name or None, not {getattr(self, name)!r}.")
        if self.annotate is not None and not isinstance(self.annotate, bool):
            raise EvalvizError(f"CellOptions.annotate is True, False or None, not {self.annotate!r}.")
        if self.annot_fmt is not None:
            python_spec(self.annot_fmt)


def checked_number(name: str, value: object, *, minimum: float | None = None, optional: bool = False) -> float | None:
    """`value` as a float, after checking that it is a finite real number (at least `minimum`, when given);
    None passes when `optional`. Raises an error naming the parameter otherwise, before any work is done.

    Example:
        >>> checked_number("center", 0.5)
        0.5
        >>> checked_number("vmin", float("inf"))
        Traceback (most recent call last):
        ...
        evalviz.errors.EvalvizError: vmin must be a finite number, not inf.
    """
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise EvalvizError(f"{name} must be a finite number, not {value!r}.")
    if minimum is not None and value < minimum:
        raise EvalvizError(f"{name} must be at least {minimum:g}, not {value!r}.")
    return float(value)


def checked_size(name: str, value: object) -> int | None:
    """A width or height in pixels: None (the view's default) or a number from 1 to MAX_PIXELS, rounded.

    Example:
        >>> checked_size("width", 640.0)
        640
        >>> checked_size("width", 0)
        Traceback (most recent call last):
        ...
        evalviz.errors.EvalvizError: width is a size in pixels from 1 to 10000 (or None for the default), not 0.
    """
    if value is None:
        return None
    if (isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value)
            or not 1 <= round(value) <= MAX_PIXELS):
        raise EvalvizError(
            f"{name} is a size in pixels from 1 to {MAX_PIXELS} (or None for the default), not {value!r}."
        )
    return round(value)


def checked_chart_options(*, width: object = None, height: object = None, cell: object = None,
                          attributes: dict[str, Any] | None = None) -> tuple[int | None, int | None]:
    """Check the options every heatmap takes before any work: the size, the cell options and the label angles
    among the attributes. Returns (width, height) as whole pixels (None where the default applies)."""
    if cell is not None and not isinstance(cell, CellOptions):
        raise EvalvizError(f"cell takes ev.CellOptions(...), not {type(cell).__name__}.")
    for name in ("x_tick_rotate", "y_tick_rotate"):
        checked_number(name, (attributes or {}).get(name), optional=True)
    return checked_size("width", width), checked_size("height", height)


def checked_domain(domain: object) -> tuple[float | None, float | None] | None:
    """A colour domain (vmin, vmax), either end None, after checking both are finite numbers."""
    if domain is None:
        return None
    if isinstance(domain, str) or not isinstance(domain, tuple | list) or len(domain) != 2:
        raise EvalvizError(f"domain is a pair (vmin, vmax), either of them None, not {domain!r}.")
    return checked_number("vmin", domain[0], optional=True), checked_number("vmax", domain[1], optional=True)
