"""evalviz: interactive charts of evaluation results.

Example:
    >>> import evalviz as ev
    >>> chart = ev.scores_heatmap(ev.Data.from_file("examples/data/evals.parquet"))
"""

from evalviz.data import Data, log_viewer, model_info, prepare, score_to_float, task_info
from evalviz.errors import (
    ColumnTypeError,
    DataSourceError,
    EmptyDataError,
    EvalvizError,
    MissingColumnError,
    OutputError,
    QueryError,
)
from evalviz.rendering.component import Component
from evalviz.views import (
    NOT_GIVEN,
    CellOptions,
    diff_plot,
    hconcat,
    heatmap,
    sample_heatmap,
    scores_by_factor,
    scores_by_model,
    scores_by_task,
    scores_heatmap,
    slice_metric_heatmap,
    vconcat,
)

__version__ = "0.1.0"

__all__ = [
    "NOT_GIVEN",
    "CellOptions",
    "Component",
    "Data",
    "DataSourceError",
    "EmptyDataError",
    "ColumnTypeError",
    "EvalvizError",
    "QueryError",
    "diff_plot",
    "MissingColumnError",
    "OutputError",
    "heatmap",
    "scores_heatmap",
    "scores_by_factor",
    "scores_by_model",
    "scores_by_task",
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
