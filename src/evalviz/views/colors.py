"""Colour maps named as in matplotlib, drawn with Vega's schemes."""

from __future__ import annotations

from evalviz.errors import EvalvizError

MISSING_COLOR = "#d9d9d9"  # neutral: reads as "no value" next to every scheme below
ERROR_COLOR = "#e15759"

# matplotlib name -> Vega scheme. A "_r" suffix reverses the scheme.
_SCHEMES = {
    "viridis": "viridis", "magma": "magma", "inferno": "inferno", "plasma": "plasma", "cividis": "cividis",
    "turbo": "turbo", "Blues": "blues", "Greens": "greens", "Greys": "greys", "Oranges": "oranges",
    "Purples": "purples", "Reds": "reds", "BuGn": "bluegreen", "BuPu": "bluepurple", "GnBu": "greenblue",
    "OrRd": "orangered", "PuBu": "purpleblue", "PuBuGn": "purplebluegreen", "PuRd": "purplered", "RdPu": "redpurple",
    "YlGn": "yellowgreen", "YlGnBu": "yellowgreenblue", "YlOrBr": "yelloworangebrown", "YlOrRd": "yelloworangered",
    "BrBG": "brownbluegreen", "PRGn": "purplegreen", "PiYG": "pinkyellowgreen", "PuOr": "purpleorange",
    "RdBu": "redblue", "RdGy": "redgrey", "RdYlBu": "redyellowblue", "RdYlGn": "redyellowgreen",
    "Spectral": "spectral", "coolwarm": "blueorange", "bwr": "blueorange", "seismic": "blueorange",
}


def valid_cmaps() -> list[str]:
    """Every colour map name `cmap` accepts."""
    return sorted(list(_SCHEMES) + [f"{name}_r" for name in _SCHEMES], key=str.lower)


def vega_scheme(cmap: str) -> tuple[str, bool]:
    """(Vega scheme name, reverse) for a matplotlib colour map name.

    Example:
        >>> vega_scheme("RdBu_r")
        ('redblue', True)
    """
    base, reverse = (cmap[:-2], True) if cmap.endswith("_r") else (cmap, False)
    if base not in _SCHEMES:
        raise EvalvizError(f"Unknown cmap {cmap!r}. Valid names: {', '.join(valid_cmaps())}.")
    # Both libraries run a scheme from the first colour of its name (RdBu and redblue: red for low values).
    return _SCHEMES[base], reverse
