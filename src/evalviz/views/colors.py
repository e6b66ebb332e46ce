"""Colour maps named as in matplotlib, drawn with Vega's schemes."""

from __future__ import annotations

from evalviz.errors import ArgumentTypeError, EvalvizError
from evalviz.views.options import did_you_mean

MISSING_COLOR = "#d9d9d9"  # neutral: reads as "no value" next to every scheme below
SKIPPED_COLOR = "#b3b3b3"  # a darker neutral: skipped on purpose, not lost
ERROR_COLOR = "#7f2704"  # dark brown, and every error cell also carries a cross, whatever the scheme
INFINITE_COLOR = "#1a1a1a"  # near black, and every infinite cell also carries an infinity sign

# matplotlib name -> Vega scheme. A "_r" suffix reverses the scheme.
_SCHEMES = {
    "viridis": "viridis", "magma": "magma", "inferno": "inferno", "plasma": "plasma", "cividis": "cividis",
    "turbo": "turbo", "Blues": "blues", "Greens": "greens", "Greys": "greys", "Oranges": "oranges",
    "Purples": "purples", "Reds": "reds", "BuGn": "bluegreen", "BuPu": "bluepurple", "GnBu": "greenblue",
    "OrRd": "orangered", "PuBu": "purpleblue", "PuBuGn": "purplebluegreen", "PuRd": "purplered",
    "RdPu": "redpurple", "YlGn": "yellowgreen", "YlGnBu": "yellowgreenblue", "YlOrBr": "yelloworangebrown",
    "YlOrRd": "yelloworangered",
    "BrBG": "brownbluegreen", "PRGn": "purplegreen", "PiYG": "pinkyellowgreen", "PuOr": "purpleorange",
    "RdBu": "redblue", "RdGy": "redgrey", "RdYlBu": "redyellowblue", "RdYlGn": "redyellowgreen",
    "Spectral": "spectral", "coolwarm": "blueorange", "bwr": "blueorange", "seismic": "blueorange",
}

_RUN_BACKWARDS = {"PuOr"}


def valid_cmaps() -> list[str]:
    """Every colour map name `cmap` accepts."""
    return sorted(list(_SCHEMES) + [f"{name}_r" for name in _SCHEMES], key=str.lower)


def vega_scheme(cmap: str) -> tuple[str, bool]:
    """(Vega scheme name, reverse) for a matplotlib colour map name.

    Example:
        >>> vega_scheme("RdBu_r")
        ('redblue', True)
    """
    if not isinstance(cmap, str):
        raise ArgumentTypeError(f"cmap takes a colour map name such as 'viridis' or 'RdBu_r', not {cmap!r}.")
    base, reverse = (cmap[:-2], True) if cmap.endswith("_r") else (cmap, False)
    if base not in _SCHEMES:
        raise EvalvizError(
            f"Unknown cmap {cmap!r}.{did_you_mean(cmap, valid_cmaps())} Valid names: {', '.join(valid_cmaps())}."
        )
    # matplotlib and Vega take these from ColorBrewer and run them the same way (RdBu and redblue: red for low
    # values), except PuOr: matplotlib's starts orange, Vega's purpleorange starts purple.
    return _SCHEMES[base], reverse != (base in _RUN_BACKWARDS)


# Series one chart tells apart by colour at most: Vega-Lite's default palette (tableau10) has ten colours.
MAX_SERIES = 10


def check_series_count(names: list[str], *, view: str, series_title: str, drawing: str = "charts") -> None:
    """Refuse more series than the palette tells apart (`MAX_SERIES`): their lines and legend entries could not
    be read. The error names the first series and the way out.

    Example:
        >>> check_series_count(["a", "b"], view="roc_curve", series_title="model")  # few enough: no error
    """
    if len(names) > MAX_SERIES:
        raise EvalvizError(
            f"{view} would draw {len(names)} series ({series_title}: {', '.join(map(repr, names[:3]))}, ...), "
            f"more than the {MAX_SERIES} its colours tell apart. Filter the table to the series to compare first, "
            f"e.g. data.filter(\"model IN ('a', 'b')\"), or draw several {drawing}.")
