"""Charts as objects, composed before they become JSON: layers of marks, and concatenations of charts.

Every layer is named explicitly, and a chart in a concatenation is named by its place in it ("c0_", "c1_c0_"):
Vega-Lite then names its marks, scales and datasets from those names, alike whether the chart is drawn alone or
inside a concatenation. Expressions that name a scale (`ScaleExpr`) and the datasets layers read are resolved
against that scope when the spec is written, so nothing is renamed in a finished spec.
"""

from evalviz.charts.chart import Chart, ConcatChart, FinishedChart, LayerChart
from evalviz.charts.expressions import ScaleExpr
from evalviz.charts.layer import ForeignLayer, Layer

__all__ = ["Chart", "ConcatChart", "FinishedChart", "ForeignLayer", "Layer", "LayerChart", "ScaleExpr"]
