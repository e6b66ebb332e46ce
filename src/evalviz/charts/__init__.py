"""Charts as objects, composed before they become JSON: layers of marks, and concatenations of charts.

Every layer is named explicitly, and a chart in a concatenation is named by its place in it ("c0_", "c1_c0_"):
Vega-Lite then names its marks, scales and datasets from those names, alike whether the chart is drawn alone or
inside a concatenation. Expressions that name a scale (`ScaleExpr`) and the datasets layers read are resolved
against that scope when the spec is written, so nothing is renamed in a finished spec.

A chart takes part in selections through its `Interaction` (`charts.interaction`): filtered or faded by them,
publishing clicks, legend clicks and brushes into them; the chart writes the signals, transforms and contract
entries, so that a view only says which selections and which fields.
"""

from evalviz.charts.chart import Chart, ConcatChart, FinishedChart, LayerChart
from evalviz.charts.expressions import DatasetName, ScaleExpr
from evalviz.charts.interaction import Filter, Interaction, Publish
from evalviz.charts.layer import ForeignLayer, Layer

__all__ = ["Chart", "ConcatChart", "DatasetName", "Filter", "FinishedChart", "ForeignLayer", "Interaction", "Layer",
           "LayerChart", "Publish", "ScaleExpr"]
