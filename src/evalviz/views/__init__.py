"""Views: functions from a `Data` to a `Component`, aggregating in SQL."""

from evalviz.views.diff import diff_plot
from evalviz.views.heatmap import heatmap
from evalviz.views.layout import hconcat, vconcat
from evalviz.views.options import NOT_GIVEN, CellOptions
from evalviz.views.samples import sample_heatmap
from evalviz.views.scores import scores_heatmap
from evalviz.views.slices import slice_metric_heatmap

__all__ = [
    "NOT_GIVEN",
    "CellOptions",
    "diff_plot",
    "hconcat",
    "heatmap",
    "sample_heatmap",
    "scores_heatmap",
    "slice_metric_heatmap",
    "vconcat",
]
