"""Views: functions from a `Data` to a `Component`, aggregating in SQL.

Each view's module is imported when the view is first used (`evalviz.views.scores_heatmap`, or `ev.scores_heatmap`):
a process that draws one kind of chart does not import the others. `heatmap` is imported at once: every grid is
drawn by it.

Several views live in a module of their own name (`evalviz.views.scores_by_task`). Python sets a package's
attribute to each submodule it imports, which would put the module where the view was; this package keeps the
view there instead (`_ViewsPackage`), however the module came to be imported.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from evalviz.views.heatmap import heatmap
from evalviz.views.options import NOT_GIVEN, CellOptions

if TYPE_CHECKING:
    from evalviz.interaction.inputs.checkbox import checkbox
    from evalviz.interaction.inputs.checkbox_group import checkbox_group
    from evalviz.interaction.inputs.radio_group import radio_group
    from evalviz.interaction.inputs.search import search
    from evalviz.interaction.inputs.select import select
    from evalviz.interaction.inputs.slider import slider
    from evalviz.interaction.table import table
    from evalviz.views.classifier_curves import pr_curve, roc_curve
    from evalviz.views.confusion_grid import confusion_grid
    from evalviz.views.diff import diff_plot
    from evalviz.views.layout import hconcat, vconcat
    from evalviz.views.metric_curve import metric_curve
    from evalviz.views.reliability_diagram import reliability_diagram
    from evalviz.views.sample_scatter import sample_scatter
    from evalviz.views.sample_tool_calls import sample_tool_calls
    from evalviz.views.samples import sample_heatmap
    from evalviz.views.score_distribution import score_distribution
    from evalviz.views.score_histograms import score_histograms
    from evalviz.views.scores import scores_heatmap
    from evalviz.views.scores_by_factor import scores_by_factor
    from evalviz.views.scores_by_limit import scores_by_limit, scores_by_limit_data
    from evalviz.views.scores_by_model import scores_by_model
    from evalviz.views.scores_by_task import scores_by_task
    from evalviz.views.scores_radar_by_task import scores_radar_by_task
    from evalviz.views.scores_timeline import scores_timeline
    from evalviz.views.slices import slice_metric_heatmap

# Each view, and the module that defines it.
VIEW_MODULES = {
    "select": "evalviz.interaction.inputs.select",
    "checkbox_group": "evalviz.interaction.inputs.checkbox_group",
    "radio_group": "evalviz.interaction.inputs.radio_group",
    "checkbox": "evalviz.interaction.inputs.checkbox",
    "slider": "evalviz.interaction.inputs.slider",
    "search": "evalviz.interaction.inputs.search",
    "table": "evalviz.interaction.table",
    "scores_by_limit": "evalviz.views.scores_by_limit",
    "scores_by_limit_data": "evalviz.views.scores_by_limit",
    "scores_radar_by_task": "evalviz.views.scores_radar_by_task",
    "sample_tool_calls": "evalviz.views.sample_tool_calls",
    "score_distribution": "evalviz.views.score_distribution",
    "sample_scatter": "evalviz.views.sample_scatter",
    "score_histograms": "evalviz.views.score_histograms",
    "pr_curve": "evalviz.views.classifier_curves",
    "roc_curve": "evalviz.views.classifier_curves",
    "reliability_diagram": "evalviz.views.reliability_diagram",
    "confusion_grid": "evalviz.views.confusion_grid",
    "diff_plot": "evalviz.views.diff",
    "hconcat": "evalviz.views.layout",
    "vconcat": "evalviz.views.layout",
    "metric_curve": "evalviz.views.metric_curve",
    "sample_heatmap": "evalviz.views.samples",
    "scores_heatmap": "evalviz.views.scores",
    "scores_by_factor": "evalviz.views.scores_by_factor",
    "scores_by_model": "evalviz.views.scores_by_model",
    "scores_by_task": "evalviz.views.scores_by_task",
    "scores_timeline": "evalviz.views.scores_timeline",
    "slice_metric_heatmap": "evalviz.views.slices",
}

__all__ = [
    "select",
    "checkbox_group",
    "radio_group",
    "checkbox",
    "slider",
    "search",
    "table",
    "NOT_GIVEN",
    "CellOptions",
    "scores_by_limit",
    "scores_by_limit_data",
    "scores_radar_by_task",
    "sample_tool_calls",
    "score_distribution",
    "sample_scatter",
    "score_histograms",
    "pr_curve",
    "roc_curve",
    "reliability_diagram",
    "confusion_grid",
    "diff_plot",
    "hconcat",
    "heatmap",
    "metric_curve",
    "sample_heatmap",
    "scores_by_factor",
    "scores_by_model",
    "scores_by_task",
    "scores_heatmap",
    "scores_timeline",
    "slice_metric_heatmap",
    "vconcat",
]


def __getattr__(name: str) -> Any:
    """A view, imported from its module on first use."""
    if name in VIEW_MODULES:
        view = getattr(importlib.import_module(VIEW_MODULES[name]), name)
        globals()[name] = view
        return view
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _ViewsPackage(types.ModuleType):
    """This package, whose attribute named after a view stays the view when its module of the same name is
    imported (the import system then sets the attribute to the module, loaded whole)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in VIEW_MODULES and isinstance(value, types.ModuleType) and value.__name__ == VIEW_MODULES[name]:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _ViewsPackage
