"""mkdocs hook: the API reference pages, generated from `evalviz.__all__` and `evalviz.analysis.__all__`.

Each public name is rendered from its docstring by mkdocstrings (`::: evalviz.<name>`), on the page of its kind,
chosen by the module that defines it; a name added to `__all__` appears without editing the docs.
"""

from __future__ import annotations

import sys
from types import FunctionType, ModuleType

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

import evalviz
import evalviz.analysis

# (page, title, what it holds, the modules whose names it lists); the first page whose module prefix matches wins.
PAGES = [
    ("views", "Views", "The view functions: each draws one kind of chart and returns a `Component`.",
     ("evalviz.views",)),
    ("data", "Data", "`Data`, the table every view reads, and `prepare` with the columns it adds.", ("evalviz.data",)),
    ("interaction", "Inputs and selections", "Inputs, the interactive table, params and selections.",
     ("evalviz.interaction",)),
    ("publishing", "Components and pages", "What views return, and pages of several charts, inputs and text.",
     ("evalviz.rendering", "evalviz.publishing")),
    ("errors", "Errors", "Every error evalviz raises on bad input is an `EvalvizError`.", ("evalviz.errors",)),
    ("more", "More", "Public names of other modules.", ("evalviz",)),
]
ANALYSIS = ("analysis", "Analysis", "`evalviz.analysis`: prediction artifacts, metrics, bootstrap intervals and "
            "paired differences, and the tables the views draw.")


def page_of(name: str) -> str:
    """The reference page of a public name of `evalviz`, by the module that defines it.

    Example:
        >>> page_of("scores_heatmap")
        'views'
    """
    value = getattr(evalviz, name)
    module = getattr(value, "__module__", None) or type(value).__module__
    return next(page for page, _, _, prefixes in PAGES if module.startswith(prefixes))


def reference_pages() -> dict[str, str]:
    """The Markdown of every reference page, by its path in the docs."""
    names: dict[str, list[str]] = {}
    for name in sorted(evalviz.__all__, key=str.lower):
        names.setdefault(page_of(name), []).append(defined_at(evalviz, name))
    pages = {
        f"reference/{page}.md": _page(title, about, names[page]) for page, title, about, _ in PAGES if page in names
    }
    page, title, about = ANALYSIS
    analysis = [defined_at(evalviz.analysis, name) for name in evalviz.analysis.__all__]
    pages[f"reference/{page}.md"] = _page(title, about, analysis)
    return pages


def defined_at(package: ModuleType, name: str) -> str:
    """The dotted path of the module that defines a public name of `package`, and the name: what mkdocstrings reads
    (the packages import their names lazily, which a static reading of the package cannot follow).

    Example:
        >>> defined_at(evalviz, "scores_heatmap")
        'evalviz.views.scores.scores_heatmap'
    """
    value = getattr(package, name)
    if isinstance(value, type | FunctionType):
        return f"{value.__module__}.{name}"
    holders = sorted(
        module_name for module_name, module in list(sys.modules.items())
        if module_name.startswith(package.__name__ + ".") and vars(module).get(name) is value
    )
    if not holders:
        raise PluginError(f"the API reference cannot find where {package.__name__}.{name} is defined")
    return f"{holders[0]}.{name}"


def _page(title: str, about: str, paths: list[str]) -> str:
    return f"# {title}\n\n{about}\n\n" + "".join(f"::: {path}\n\n" for path in paths)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for path, markdown in reference_pages().items():
        files.append(File.generated(config, path, content=markdown))
    return files
