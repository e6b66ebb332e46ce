"""Test doubles for the live widget's tests: a small view drawn in DuckDB that takes `filter_by`, its table."""

from __future__ import annotations

import pyarrow as pa

from evalviz.charts import Layer, LayerChart
from evalviz.data.table import Data
from evalviz.interaction.selection import Selection
from evalviz.rendering.component import Component
from evalviz.views.options import checks_arguments

HOSTILE = "'; DROP TABLE x; --"
ROWS = pa.table({
    "model": ["alpha", "alpha", "beta", "beta", "gamma", HOSTILE],
    "task": ["math", "code", "math", "code", "math", "math"],
    "score": [0.2, 0.4, 0.6, 0.8, 1.0, 0.5],
})


@checks_arguments()
def mean_by_model(data: Data, title: str | None = None, count_in_title: bool = False,
                  filter_by: Selection | None = None) -> Component:
    """Each model's mean score and row count, as bars; with `count_in_title` the title says how many models are
    drawn, so that a re-query changes the spec and not only its data."""
    table = data.run("SELECT model, avg(score) AS mean, count(*) AS n FROM this GROUP BY model ORDER BY model")
    if count_in_title:
        title = f"{table.num_rows} models"
    bars = Layer("bars", {"type": "bar"}, encoding={"x": {"field": "model", "type": "nominal"},
                                                   "y": {"field": "mean", "type": "quantitative"}})
    return Component.from_parts(LayerChart((bars,), data="means", title={"text": title or ""}), {"means": table})
