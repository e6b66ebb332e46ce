"""evalviz: interactive charts of evaluation results.

Example:
    >>> import evalviz as ev
    >>> chart = ev.scores_heatmap(ev.Data.from_file("examples/data/evals.parquet"))
"""

import atexit
import gc

from evalviz.data import Data, log_viewer, model_info, prepare, score_to_float, task_info
from evalviz.errors import DataSourceError, EmptyDataError, EvalvizError, MissingColumnError
from evalviz.rendering.component import Component
from evalviz.views import (
    NOT_GIVEN,
    CellOptions,
    diff_plot,
    hconcat,
    heatmap,
    sample_heatmap,
    scores_heatmap,
    slice_metric_heatmap,
    vconcat,
)

__version__ = "0.1.0"

# Importing Altair, DuckDB and pyarrow leaves about 200,000 long-lived objects, and the import makes a full
# garbage collection due: walking them takes about 0.1 s, inside the first chart. They live as long as the
# process, so they are kept out of the collector's sight until it exits (when extension modules check that
# their objects were collected).
gc.freeze()
atexit.register(gc.unfreeze)

__all__ = [
    "NOT_GIVEN",
    "CellOptions",
    "Component",
    "Data",
    "DataSourceError",
    "EmptyDataError",
    "EvalvizError",
    "diff_plot",
    "MissingColumnError",
    "heatmap",
    "scores_heatmap",
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
