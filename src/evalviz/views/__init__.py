"""Views: functions from a `Data` to a `Component`, aggregating in SQL."""

from evalviz.views.diff import diff_plot
from evalviz.views.heatmap import heatmap
from evalviz.views.layout import hconcat, vconcat
from evalviz.views.options import NOT_GIVEN, CellOptions
from evalviz.views.samples import sample_heatmap
from evalviz.views.scores import scores_heatmap
from evalviz.views.scores_by_factor import scores_by_factor
from evalviz.views.scores_by_model import scores_by_model
from evalviz.views.scores_by_task import scores_by_task
from evalviz.views.slices import slice_metric_heatmap

__all__ = [
    "NOT_GIVEN",
    "CellOptions",
    "diff_plot",
    "hconcat",
    "heatmap",
    "sample_heatmap",
    "scores_by_factor",
    "scores_by_model",
    "scores_by_task",
    "scores_heatmap",
    "slice_metric_heatmap",
    "vconcat",
]
