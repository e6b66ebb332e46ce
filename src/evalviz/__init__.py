"""evalviz: interactive charts of evaluation results.

Example:
    >>> import evalviz as ev
    >>> chart = ev.scores_heatmap(ev.Data.from_file("examples/data/evals.parquet"))
"""

from evalviz.data import Data
from evalviz.errors import DataSourceError, EmptyDataError, EvalvizError, MissingColumnError
from evalviz.rendering.component import Component
from evalviz.views import NOT_GIVEN, CellOptions, heatmap, scores_heatmap

__version__ = "0.1.0"

__all__ = [
    "NOT_GIVEN",
    "CellOptions",
    "Component",
    "Data",
    "DataSourceError",
    "EmptyDataError",
    "EvalvizError",
    "MissingColumnError",
    "heatmap",
    "scores_heatmap",
]
