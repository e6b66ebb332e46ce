"""The status words of rows, cells and metrics, shared by the views, the analysis tables and the renderer.

A row or a metric of the analysis is OK, SKIPPED or ERROR (`METRIC_STATUSES`, eval-toolkit's words). A drawn cell
or mark adds what drawing needs: NO_DATA, INFINITE and PARTIAL (some of its rows failed).
"""

from __future__ import annotations

from typing import Final, Literal

OK: Final = "ok"
SKIPPED: Final = "skipped"
ERROR: Final = "error"
METRIC_STATUSES: Final = (OK, SKIPPED, ERROR)
MetricStatus = Literal["ok", "skipped", "error"]

NO_DATA: Final = "no data"  # a cell without a row, or whose rows hold no value
INFINITE: Final = "infinite"  # a value that is inf or -inf (drawn flagged, never coloured)
PARTIAL: Final = "partly failed"  # a value from the rows that ran, while some failed
NO_VALUE: Final = "no value"  # a row of a table of differences without a finite delta

# Cells coloured by their value, and cells flagged instead, in the order their legend entries appear.
COLORED: Final = (OK, PARTIAL)
FLAGS: Final = (NO_DATA, SKIPPED, INFINITE, ERROR)

# inspect_ai's statuses of an eval that did not finish (still running, stopped, or interrupted). Such a row has
# no result: it is drawn as an error whose note says so, since a run that gave no result is a failure to see.
UNFINISHED: Final = ("started", "cancelled")
# inspect_ai's status of an eval that finished.
SUCCESS: Final = "success"
