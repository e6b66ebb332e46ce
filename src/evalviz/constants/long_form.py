"""The column names of long-form tables: the slice tables `evalviz.analysis` writes and the views read back."""

from __future__ import annotations

from typing import Final

ROW: Final = "row"
COL: Final = "col"
VALUE: Final = "value"
LOW: Final = "low"  # the interval's lower end
HIGH: Final = "high"  # its upper end
N: Final = "n"  # rows (samples) behind the value
STATUS: Final = "status"  # one of evalviz.constants.statuses.METRIC_STATUSES
REASON: Final = "reason"  # why a value is skipped or an error
METRIC: Final = "metric"
SCORER: Final = "scorer"  # the scorer of a row of `evaluate_slices`

# The columns of a long-form table a view uses when the table has them.
OPTIONAL: Final = (LOW, HIGH, N, STATUS, REASON)

# The columns of a paired-difference table (`paired_diff_table`), which `diff_plot` reads by default.
SLICE: Final = "slice"
DELTA: Final = "delta"
OVERLAPS_ZERO: Final = "overlaps_zero"  # whether the interval of the difference holds 0
BASELINE_VALUE: Final = "baseline_value"
CANDIDATE_VALUE: Final = "candidate_value"
BASELINE_NAME: Final = "baseline_name"
CANDIDATE_NAME: Final = "candidate_name"
