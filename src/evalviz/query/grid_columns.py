"""Which user columns a grid's statements read, and the SQL names of the key parts of each axis value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GridColumns:
    """Which user columns feed a heatmap's cells (None: the table has no such column)."""

    x: str
    y: str
    fill: str
    link: str | None = None
    low: str | None = None
    high: str | None = None
    stderr: str | None = None
    size: str | None = None  # a sample count per row (the `n` of an analysis table)
    status: str | None = None  # "ok" / "skipped" / "error" per row, or inspect_ai's "success" / "error" / "started"
    reason: str | None = None  # why a row was skipped or failed
    error: str | None = None  # an error message per row: a row with a non-empty one failed (inspect_ai's `error`)
    completed: str | None = None  # samples each row completed, of ... (inspect_ai's `completed_samples`) ...
    total: str | None = None  # ... the samples it had (`total_samples`): fewer completed, and some failed
    scorer: str | None = None  # the scorer of each row's value (inspect_ai's `score_headline_name`), ...
    score_name: str | None = None  # ... its score, for a scorer that gives several (`score_headline_score`) ...
    metric: str | None = None  # ... and its metric (`score_headline_metric`)
    x_group: str | None = None  # a column that qualifies x values (the task of a sample id: ids repeat across tasks)
    y_group: str | None = None
    separator: str = " \u00b7 "
    # Columns a selection may filter the grid on, shipped with each cell as f0, f1, ... (`filter_field`), and
    # whether each cell ships the typed values of its axes' key parts (x_g, x_v, y_g, y_v): what a click selects.
    filters: tuple[str, ...] = ()
    raw_keys: bool = False

    @property
    def read(self) -> list[str]:
        """The user columns the grid reads, each once, in role order."""
        given = (self.x, self.y, self.fill, self.link, self.low, self.high, self.stderr, self.size, self.status,
                 self.reason, self.error, self.completed, self.total, self.scorer, self.score_name, self.metric,
                 self.x_group, self.y_group, *self.filters)
        return list(dict.fromkeys(c for c in given if c is not None))


def filter_field(index: int) -> str:
    """The SQL (and datum) name of the filter column at `index` of `GridColumns.filters`.

    Example:
        >>> filter_field(2)
        'f2'
    """
    return f"f{index}"


def key_parts(columns: GridColumns, axis: str) -> list[tuple[str, str]]:
    """(user column, SQL name) of each part of an axis value's key: its group when there is one, then the value.

    Example:
        >>> key_parts(GridColumns(x="id", y="model", fill="score", x_group="task"), "x")
        [('task', 'x_g'), ('id', 'x_v')]
    """
    column, group = (columns.x, columns.x_group) if axis == "x" else (columns.y, columns.y_group)
    return ([(group, f"{axis}_g")] if group is not None else []) + [(column, f"{axis}_v")]


def part_names(columns: GridColumns, *axes: str) -> list[str]:
    """The SQL names of the key parts of `axes`, in order."""
    return [name for axis in axes for _, name in key_parts(columns, axis)]


def has_reasons(columns: GridColumns) -> bool:
    """Whether the rows can give reasons for a flagged cell."""
    return any((columns.status, columns.reason, columns.error))


def has_sample_counts(columns: GridColumns) -> bool:
    """Whether the rows say how many samples each completed, of how many."""
    return columns.completed is not None and columns.total is not None


def has_interval(columns: GridColumns) -> bool:
    """Whether a cell gets an interval: from low and high columns, or from a standard error."""
    return bool(columns.low and columns.high or columns.stderr)
