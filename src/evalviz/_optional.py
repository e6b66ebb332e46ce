"""Optional dependencies, imported in one place that says what to install when one is missing."""

from __future__ import annotations

import importlib
from types import ModuleType

# module name -> (pip requirement, what needs it)
_EXTRAS: dict[str, tuple[str, str]] = {
    "pandas": ("evalviz[pandas]", "pandas dataframes"),
    "polars": ("evalviz[polars]", "polars dataframes"),
    "vl_convert": ("evalviz[static]", "PNG and SVG export"),
    "inspect_ai": ("evalviz[inspect]", "reading inspect_ai logs"),
}


class MissingDependencyError(ImportError):
    """An optional dependency that a feature needs is not installed."""


def require(module: str) -> ModuleType:
    """Import an optional dependency or raise an error naming what to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        extra, purpose = _EXTRAS.get(module, (module, module))
        raise MissingDependencyError(
            f"{module} is needed for {purpose} but is not installed. Install it with: pip install '{extra}'"
        ) from exc
