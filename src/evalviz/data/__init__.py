"""Tables held by an in-process DuckDB connection, and their preparation in SQL."""

from evalviz.data.prepare import log_viewer, model_info, prepare, score_to_float, task_info
from evalviz.data.table import Data

__all__ = ["Data", "log_viewer", "model_info", "prepare", "score_to_float", "task_info"]
