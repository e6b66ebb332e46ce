"""Marks: small functions that each return one named layer with its encodings and its own tooltip rows.

A view composes marks into a `LayerChart`; no view builds a tooltip by hand. Every mark takes:

- `name`: the layer's name, unique in its chart (the renderer finds the layer's tooltip rows and link by it);
- encodings as Vega-Lite channel definitions (dicts; `ScaleExpr` where an expression names a scale);
- `tooltip`: the rows shown on hover (`TooltipRow`s), or None for no tooltip;
- `link`: the datum field whose http(s) URL a click opens;
- `where`: Vega expressions a datum must satisfy to be drawn by this mark;
- any other keyword: a Vega-Lite mark property (`cornerRadius=2`, `opacity=0.5`).
"""

from evalviz.views.marks.areas import areas
from evalviz.views.marks.bars import bars
from evalviz.views.marks.cells import cells
from evalviz.views.marks.intervals import intervals
from evalviz.views.marks.lines import lines
from evalviz.views.marks.points import points
from evalviz.views.marks.rules import rules
from evalviz.views.marks.text import text

__all__ = ["areas", "bars", "cells", "intervals", "lines", "points", "rules", "text"]
