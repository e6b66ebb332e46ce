"""Options shared by the views, and the checks every view runs on its arguments before any work."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
import numbers
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeVar

from evalviz.charts.layer import ForeignLayer
from evalviz.data.table import Data
from evalviz.errors import ArgumentTypeError, EvalvizError
from evalviz.rendering.component import Component
from evalviz.rendering.outgoing import unjsonable
from evalviz.rendering.paint import checked_colour
from evalviz.rendering.requery import ViewCall
from evalviz.signatures import did_you_mean
from evalviz.views.formatting import python_spec

View = TypeVar("View", bound=Callable[..., Any])
# The label angles a heatmap takes among its keyword attributes.
TICK_ROTATIONS = ("x_tick_rotate", "y_tick_rotate")
# The top-level properties of a Vega-Lite chart of layers (the schema's TopLevelLayerSpec; a test checks the list
# against Altair's copy of the schema), and those a view writes itself.
TOP_LEVEL_PROPERTIES = ("$schema", "autosize", "background", "config", "data", "datasets", "description", "encoding",
                        "height", "layer", "name", "padding", "params", "projection", "resolve", "title",
                        "transform", "usermeta", "view", "width")
_WRITTEN_BY_VIEWS = ("$schema", "autosize", "data", "datasets", "layer", "name", "usermeta")

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


Annotate = bool | Literal["auto"]
ANNOTATE_CHOICES = "'auto' (where the text fits its cell), True (on every cell) or False"


@dataclass(frozen=True)
class CellOptions:
    """How a heatmap draws its cells.

    Example:
        >>> import evalviz as ev
        >>> ev.CellOptions(inset=1, text="black")
        CellOptions(inset=1, text='black', corner_radius=0, stroke=None, annotate='auto', annot_fmt=None)

    Attributes:
        inset: Gap in pixels between neighbouring cells.
        text: Colour of annotation text; None picks black or white by the cell's colour.
        corner_radius: Rounded corners, in pixels.
        stroke: Outline colour of each cell.
        annotate: Write each cell's value on it: "auto" when the cells are large enough to hold the widest value
            (at least 14 pixels high, and the text's width plus 6 wide), True on every cell, False on none.
        annot_fmt: Python format string of annotations and tooltips, e.g. "{:.2f}", "{:.0%}".
    """

    inset: float = 0.5
    text: str | None = None
    corner_radius: float = 0
    stroke: str | None = None
    annotate: Annotate = "auto"
    annot_fmt: str | None = None

    def __post_init__(self) -> None:
        for name in ("inset", "corner_radius"):
            checked_number(f"CellOptions.{name}", getattr(self, name), minimum=0)
        for name in ("text", "stroke"):
            if getattr(self, name) is not None:
                checked_colour(f"CellOptions.{name}", getattr(self, name))  # a colour, never a url(...) to fetch
        check_annotate("CellOptions.annotate", self.annotate)
        if self.annot_fmt is not None:
            python_spec(self.annot_fmt)


def check_annotate(name: str, annotate: object) -> None:
    """Raise unless `annotate` is "auto", True or False.

    Example:
        >>> check_annotate("annotate", "yes")
        Traceback (most recent call last):
        ...
        evalviz.errors.EvalvizError: annotate is 'auto' (where the text fits its cell), True (on every cell) or ...
    """
    if not isinstance(annotate, bool) and annotate != "auto":
        raise EvalvizError(f"{name} is {ANNOTATE_CHOICES}, not {annotate!r}.")


# The colour scale types a grid takes, as Vega-Lite names them.
SCALE_TYPES = {"linear": "linear", "log": "log", "sqrt": "sqrt", "power": "pow"}
ScaleType = Literal["linear", "log", "sqrt", "power"]  # as a view's `color_scale` takes them


@dataclass(frozen=True)
class ColorScale:
    """How values map to colours: "linear", "log", "sqrt" or "power" (with its `exponent`: 0.5 is "sqrt").

    Example:
        >>> ColorScale("power", 0.3).vega()
        {'type': 'pow', 'exponent': 0.3}
        >>> ColorScale("power")
        Traceback (most recent call last):
        ...
        evalviz.errors.EvalvizError: color_scale='power' needs its exponent: e.g. exponent=0.5 (...) or 2 (...).
    """

    kind: str = "linear"
    exponent: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in SCALE_TYPES:
            raise EvalvizError(f"color_scale={self.kind!r} is not a scale type.{did_you_mean(self.kind, SCALE_TYPES)} "
                               f"Use one of {', '.join(map(repr, SCALE_TYPES))}.")
        if self.kind == "power":
            if self.exponent is None:
                raise EvalvizError("color_scale='power' needs its exponent: e.g. exponent=0.5 (spreads the low "
                                   "values) or 2 (spreads the high values).")
            exponent = checked_number("exponent", self.exponent)
            if exponent <= 0:  # type: ignore[operator]
                raise EvalvizError(f"exponent must be above 0, not {self.exponent!r}.")
        elif self.exponent is not None:
            raise EvalvizError(f"exponent is the power of color_scale='power'; color_scale={self.kind!r} takes "
                               "none.")

    @property
    def log(self) -> bool:
        """Whether the scale is logarithmic (and so takes values above 0 only)."""
        return self.kind == "log"

    def vega(self) -> dict[str, Any]:
        """The Vega-Lite scale properties of this type (nothing for "linear", Vega-Lite's default)."""
        if self.kind == "linear":
            return {}
        return {"type": SCALE_TYPES[self.kind], **({"exponent": self.exponent} if self.kind == "power" else {})}


def _finite(value: numbers.Real) -> bool:
    """Whether a real number is finite as a float: an int beyond the float range (10**400) is not."""
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


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
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(f"{name} must be a finite number, not {value!r}.")
    if not _finite(value):
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
    wrong = f"{name} is a size in pixels from 1 to {MAX_PIXELS} (or None for the default), not {value!r}."
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(wrong)
    if not math.isfinite(value) or not 1 <= round(value) <= MAX_PIXELS:
        raise EvalvizError(wrong)
    return round(value)


def checked_chart_options(*, width: object = None, height: object = None, cell: object = None,
                          attributes: dict[str, Any] | None = None) -> tuple[int | None, int | None]:
    """Check the options every heatmap takes before any work: the size, the cell options and the label angles
    among the attributes. Returns (width, height) as whole pixels (None where the default applies)."""
    if cell is not None and not isinstance(cell, CellOptions):
        raise ArgumentTypeError(f"cell takes ev.CellOptions(...), not {type(cell).__name__}.")
    for name in TICK_ROTATIONS:
        checked_number(name, (attributes or {}).get(name), optional=True)
    return checked_size("width", width), checked_size("height", height)


def checked_domain(domain: object) -> tuple[float | None, float | None] | None:
    """A colour domain (vmin, vmax), either end None, after checking both are finite numbers."""
    if domain is None:
        return None
    if isinstance(domain, str) or not isinstance(domain, tuple | list) or len(domain) != 2:
        raise ArgumentTypeError(f"domain is a pair (vmin, vmax), either of them None, not {domain!r}.")
    return checked_number("vmin", domain[0], optional=True), checked_number("vmax", domain[1], optional=True)


def chart_properties() -> tuple[str, ...]:
    """The top-level properties of a Vega-Lite chart of layers that a view's keyword attributes may set: all
    but those a view writes itself (its data, layers, name and metadata)."""
    return tuple(name for name in TOP_LEVEL_PROPERTIES if name not in _WRITTEN_BY_VIEWS)


def checks_arguments(*, options: Iterable[str] = ()) -> Callable[[View], View]:
    """Make a view refuse a keyword argument that is neither one of its parameters, nor one of `options` (the
    names it reads from its **attributes), nor a Vega-Lite top-level property, before any work: naming the
    closest name it takes, or every name when none is close. Each argument given is then checked against its
    parameter's type (`checked_argument`): text, flags, legend and marks; a dataframe given as `data` is read.

    Example:
        >>> @checks_arguments()
        ... def view(data, *, fill_label=None, **attributes): ...
        >>> view(None, fill_lable="x")
        Traceback (most recent call last):
        ...
        evalviz.errors.EvalvizError: view has no argument 'fill_lable'. Did you mean 'fill_label'? ...
    """
    extra = tuple(options)

    def decorate(view: View) -> View:
        signature = inspect.signature(view)
        parameters = [name for name, parameter in signature.parameters.items()
                      if parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)]

        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            own = [*parameters, *extra]
            for name in kwargs:
                if name not in own and name not in chart_properties():
                    properties = [p for p in chart_properties() if p not in own]
                    raise EvalvizError(
                        f"{view.__name__} has no argument {name!r}.{did_you_mean(name, own + properties)} It "
                        f"takes {', '.join(own)}, and the Vega-Lite top-level properties {', '.join(properties)}."
                    )
            try:
                bound = signature.bind_partial(*args, **kwargs)
            except TypeError:  # too many positional arguments: Python's own message says which
                return view(*args, **kwargs)
            # Every option first, the data last: a wrong option is reported before the data is read.
            for name in sorted(bound.arguments, key=lambda name: name == "data"):
                bound.arguments[name] = checked_argument(signature.parameters[name], bound.arguments[name])
            # The call is recorded in the Component, so a live widget can draw it again over filtered rows.
            return recorded(view(*bound.args, **bound.kwargs), ViewCall(checked, bound))

        return checked  # type: ignore[return-value]

    return decorate


def recorded(result: Any, call: ViewCall) -> Any:
    """`result` with `call` recorded in it when it is a Component (a view's result), whatever its input: a print
    figure draws the view again (`Component._drawn_as`), and a live widget over filtered rows when it was drawn
    from a table (`ViewCall.data`); anything else as it is."""
    if isinstance(result, Component):
        return dataclasses.replace(result, call=call)
    return result


# The annotations (as written in a view's signature) whose arguments `checked_argument` checks, with what it says
# a right argument is.
_TEXT = {"str": "a string", "str | None": "a string or None"}
_FLAG = {"bool": "True or False", "bool | None": "True, False or None"}


def checked_argument(parameter: inspect.Parameter, value: Any) -> Any:
    """`value` given for a view's `parameter`, after checking it has the parameter's type: a string where the
    signature says `str` (a column name, a label, an option), a bool for `bool`, a legend or marks for those, a
    size in pixels for width and height (`checked_size`); a pandas / polars dataframe or Arrow table given as
    `data` is read with `Data.from_dataframe`.

    Example:
        >>> def view(data, x: str, title: str | None = None): ...
        >>> checked_argument(inspect.signature(view).parameters["x"], None)
        Traceback (most recent call last):
        ...
        evalviz.errors.ArgumentTypeError: x is a string, not None.
    """
    kind = parameter.annotation if isinstance(parameter.annotation, str) else ""
    if parameter.name == "data" and not isinstance(value, Data):
        return Data.from_dataframe(value)  # refuses what is not a dataframe, naming its type
    if parameter.name in ("width", "height"):
        return checked_size(parameter.name, value)
    wanted = (_TEXT.get(kind) if not isinstance(value, str) else None) or (
        _FLAG.get(kind) if not isinstance(value, bool) else None)
    if kind.endswith("| None") and value is None:
        wanted = None
    if wanted is not None and parameter.name.endswith("fmt"):
        wanted = "a Python format string such as '{:.3f}'" + (" or None" if kind.endswith("| None") else "")
    if kind == "Legend" and not isinstance(value, str | bool | NotGiven) and value is not None:
        wanted = "True, False, None or a title"
    if kind == "Marks" and value is not None and not _are_charts(value):
        wanted = "an Altair chart or a list of them"
    if wanted is not None:
        raise ArgumentTypeError(f"{parameter.name} is {wanted}, not {value!r}.")
    return value


def _are_charts(marks: object) -> bool:
    """Whether `marks` is an Altair chart or a list of them. Altair is not imported for it: a user who made an
    Altair chart has imported Altair already."""
    alt = sys.modules.get("altair")
    if alt is None:
        return False
    if isinstance(marks, alt.TopLevelMixin):
        return True
    return isinstance(marks, list | tuple) and all(isinstance(mark, alt.TopLevelMixin) for mark in marks)


Legend = str | bool | None | NotGiven


@dataclass(frozen=True)
class ViewOptions:
    """What every view takes besides its data and columns, checked once for all views.

    Every view has these keyword parameters, with the same meaning (a view's docstring says "As every view
    (`ViewOptions`)" and its own defaults; the command line's help reads each one's entry here).

    Attributes:
        title: The chart's title.
        subtitle: A line of text below the title (wrapped to the chart's width).
        width: The chart's outer width in pixels (from 1 to 10,000; None: the view's default). Vega fits the
            plot, its axes, legends and title into the width and height.
        height: The chart's outer height in pixels (from 1 to 10,000; None: the view's default).
        legend: A title for the main legend; None or False hides the legends (left out: the view's legends).
        tip: Show a tooltip on hover (each mark says what its tooltip holds).
        attributes: Vega-Lite top-level properties (`background`, `config`, `padding`, ...), checked against
            Vega-Lite's schema; a name that is neither a parameter nor such a property is refused, naming the
            closest.

    Example:
        >>> ViewOptions(title="Scores", width=500).sized(700, 400)
        (500, 400)
    """

    title: str | None = None
    subtitle: str | None = None
    width: int | None = None
    height: int | None = None
    legend: Legend = NOT_GIVEN
    tip: bool = True
    attributes: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "width", checked_size("width", self.width))
        object.__setattr__(self, "height", checked_size("height", self.height))
        if not isinstance(self.tip, bool):
            raise ArgumentTypeError(f"tip is True or False, not {self.tip!r}.")
        if self.legend is not None and not isinstance(self.legend, str | bool | NotGiven):
            raise ArgumentTypeError(f"legend is True, False, None or a title, not {self.legend!r}.")

    @property
    def legend_on(self) -> bool:
        """Whether legends are drawn."""
        return self.legend is not None and self.legend is not False

    def legend_title(self, default: str) -> str:
        """The main legend's title: the one given, else `default`."""
        return self.legend if isinstance(self.legend, str) else default

    def sized(self, default_width: int, default_height: int) -> tuple[int, int]:
        """(width, height) in pixels, the view's defaults where none is given."""
        return (default_width if self.width is None else self.width,
                default_height if self.height is None else self.height)

    def properties(self) -> dict[str, Any]:
        """The attributes as Vega-Lite top-level properties, checked against Vega-Lite's schema.

        Raises:
            EvalvizError: a value Vega-Lite does not take, naming the attribute.
        """
        if not self.attributes:
            return {}
        return checked_properties(_with_param_dicts(dict(self.attributes)))


def _with_param_dicts(properties: dict[str, Any]) -> dict[str, Any]:
    """`properties` with `params` given as Altair parameters (`alt.param(value=1)`) written as Vega-Lite params,
    named as Altair names them. Altair is not imported: a user who made a parameter has imported it already."""
    given = properties.get("params")
    if given is None:
        return properties
    params = given if isinstance(given, list | tuple) else [given]
    alt = sys.modules.get("altair")
    if alt is not None:
        params = [p.param.to_dict() if isinstance(p, alt.Parameter) else p for p in params]
    return {**properties, "params": params}


def checked_properties(properties: dict[str, Any]) -> dict[str, Any]:
    """`properties` after checking them against Vega-Lite's schema (Altair's copy of it, imported only when a user
    gives properties: it is slow to import).

    Raises:
        EvalvizError: naming the properties and the schema's first complaint.

    Example:
        >>> checked_properties({"background": "white"})
        {'background': 'white'}
    """
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema.core import load_schema

    found = unjsonable(properties)
    if found is not None:
        raise EvalvizError(f"The chart attribute {found[0]} holds {found[1]!r}, which JSON cannot carry: give "
                           "finite numbers.")
    error = validate_jsonschema({"layer": [{"mark": "point"}], **properties}, load_schema(), raise_error=False)
    if error is not None:
        raise EvalvizError(
            f"The chart attributes {sorted(properties)} do not all hold values Vega-Lite takes: "
            f"{(str(error.message).splitlines() or [''])[0][:300]}"
        )
    return properties


def extra_layers(marks: Any) -> tuple[ForeignLayer, ...]:
    """A user's extra Altair marks as finished layers, drawn over a view's data unless they have their own.

    Raises:
        EvalvizError: a mark Vega-Lite does not take, with Altair's reason.
    """
    if marks is None:
        return ()
    given = list(marks) if isinstance(marks, list | tuple) else [marks]
    layers = []
    for mark in given:
        try:
            spec = mark.to_dict(validate=True)
        except Exception as exc:  # noqa: BLE001 - Altair and jsonschema raise many kinds for a bad mark
            raise EvalvizError(f"The extra marks do not all hold values Vega-Lite takes: {type(exc).__name__}: "
                               f"{(str(exc).splitlines() or [''])[0][:300]}") from None
        spec.pop("$schema", None)
        spec.pop("config", None)  # Altair's theme: the view's config stays
        rows = spec.pop("datasets", {})  # a mark's own data is written into it: a layer holds no datasets
        name = spec["data"].get("name") if isinstance(spec.get("data"), Mapping) else None
        if name == "empty" and rows.get(name) == [{}]:
            del spec["data"]  # Altair's placeholder for a chart without data: the mark sees the view's
        elif name in rows:
            spec["data"] = {"values": rows[name]}
        found = unjsonable(spec)
        if found is not None:
            raise EvalvizError(f"The extra marks hold {found[1]!r}, which JSON cannot carry, at {found[0]}: give "
                               "finite numbers.")
        layers.append(ForeignLayer(spec))
    return tuple(layers)
