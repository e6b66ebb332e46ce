"""Views: functions from a `Data` to a `Component`, aggregating in SQL."""

from evalviz.views.heatmap import heatmap
from evalviz.views.options import NOT_GIVEN, CellOptions
from evalviz.views.scores import scores_heatmap

__all__ = ["NOT_GIVEN", "CellOptions", "heatmap", "scores_heatmap"]
