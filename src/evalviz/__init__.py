"""evalviz: interactive charts of evaluation results.

Example:
    >>> import evalviz as ev
    >>> chart = ev.scores_heatmap(ev.Data.from_file("examples/data/evals.parquet"))
"""

from typing import TYPE_CHECKING, Any

from evalviz import views
from evalviz.data import Data, log_viewer, model_info, prepare, score_to_float, task_info
from evalviz.errors import (
    ArgumentTypeError,
    ColumnTypeError,
    DataSourceError,
    EmptyDataError,
    EvalvizError,
    MissingColumnError,
    OutputError,
    QueryError,
    UnknownNameError,
)
from evalviz.interaction.selection import Param, Selection
from evalviz.publishing.markdown import md
from evalviz.publishing.page import Page, page
from evalviz.publishing.report import log_report
from evalviz.rendering.component import Component
from evalviz.rendering.document import include_renderer
from evalviz.views import NOT_GIVEN, VIEW_MODULES, CellOptions, heatmap

if TYPE_CHECKING:
    from evalviz.views import (
        checkbox,
        checkbox_group,
        confusion_grid,
        diff_plot,
        hconcat,
        metric_curve,
        pr_curve,
        radio_group,
        reliability_diagram,
        roc_curve,
        sample_heatmap,
        sample_scatter,
        sample_tool_calls,
        score_distribution,
        score_histograms,
        scores_by_factor,
        scores_by_limit,
        scores_by_limit_data,
        scores_by_model,
        scores_by_task,
        scores_heatmap,
        scores_radar_by_task,
        scores_timeline,
        search,
        select,
        slice_metric_heatmap,
        slider,
        table,
        vconcat,
    )


def __getattr__(name: str) -> Any:
    """A view, imported from its module on first use (see `evalviz.views`)."""
    if name in VIEW_MODULES:
        view = getattr(views, name)
        globals()[name] = view
        return view
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__version__ = "0.1.0"

__all__ = [
    "Page",
    "page",
    "md",
    "log_report",
    "include_renderer",
    "Param",
    "Selection",
    "select",
    "checkbox_group",
    "radio_group",
    "checkbox",
    "slider",
    "search",
    "table",
    "NOT_GIVEN",
    "CellOptions",
    "Component",
    "Data",
    "ArgumentTypeError",
    "DataSourceError",
    "EmptyDataError",
    "ColumnTypeError",
    "EvalvizError",
    "QueryError",
    "UnknownNameError",
    "diff_plot",
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
    "MissingColumnError",
    "OutputError",
    "heatmap",
    "metric_curve",
    "scores_heatmap",
    "scores_by_factor",
    "scores_by_model",
    "scores_by_task",
    "scores_timeline",
    "hconcat",
    "sample_heatmap",
    "slice_metric_heatmap",
    "vconcat",
    "log_viewer",
    "model_info",
    "prepare",
    "score_to_float",
    "task_info",
]
