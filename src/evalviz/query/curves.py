"""The statements of a metric curve: one metric's mean per (series, step), downsampled by bins when a series has
too many steps, the best step of each series, and the rows left out for want of a step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.query.grid_columns import filter_field
from evalviz.query.series import series_key_sql

Best = Literal["max", "min"]


@dataclass(frozen=True)
class CurveColumns:
    """The columns a curve reads: its steps (`x`), one metric (`y`) and the series (None: one line, named by
    the metric)."""

    x: str
    y: str
    series: str | None = None
    # Columns with one value per series a selection may filter the lines on, shipped as f0, f1, ...
    # (`filter_field`), and whether each row ships its series' typed value (k_v): what a click selects.
    filters: tuple[str, ...] = ()
    raw_key: bool = False

    def shipped(self) -> list[tuple[str, str]]:
        """(user column, SQL name) of what each point ships for its selections."""
        key = [(self.series, "k_v")] if self.raw_key and self.series else []
        return key + [(column, filter_field(i)) for i, column in enumerate(self.filters)]


def _steps_sql(columns: CurveColumns) -> str:
    """SQL of one row per (series, step): the rows (n), those with a finite value (n_values) and an infinite one
    (n_inf), and the mean of the finite values (NULL when there is none: a gap, never a zero). Rows without a
    finite step are left out (`unplaced_sql` counts them)."""
    series = series_key_sql(columns.series) if columns.series else quote_literal(columns.y)
    shipped = "".join(f", {q(column)} AS {name}" for column, name in columns.shipped())
    rows = (f"SELECT {series} AS series, CAST({q(columns.x)} AS DOUBLE) AS x, CAST({q(columns.y)} AS DOUBLE) AS v"
            f"{shipped} FROM this WHERE isfinite(CAST({q(columns.x)} AS DOUBLE))")
    return (f"SELECT series, x, count(*) AS n, count(*) FILTER (WHERE isfinite(v)) AS n_values, "
            f"count(*) FILTER (WHERE isinf(v)) AS n_inf, avg(v) FILTER (WHERE isfinite(v)) AS value"
            f"{_kept(columns)} FROM ({rows}) GROUP BY series, x")


def _kept(columns: CurveColumns) -> str:
    """SQL of the shipped columns kept by a grouping of a series' rows (one value per series), each after a
    comma."""
    return "".join(f", any_value({name}) AS {name}" for _, name in columns.shipped())


def curve_sql(columns: CurveColumns, max_points: int) -> str:
    """SQL of the points of one metric's lines, by series then step.

    A series of at most `max_points` steps keeps them all: each point is one step's mean (steps = 1, low = high
    = value). A longer one is cut into `max_points` equal bins of its step range: a point is then at the mean
    step of its bin, its value the mean of its steps' means, and low/high their min/max (steps says how many).

    Columns: series, metric, x, value, low, high, n (rows), steps, n_inf (infinite values left out; NULL for
    none).
    """
    bins = int(max_points)
    binned = (f"CASE WHEN count_steps > {bins} THEN least(floor((x - x0) / (x1 - x0) * {bins}), {bins - 1}) "
              f"ELSE x END")
    return f"""
        WITH steps AS MATERIALIZED ({_steps_sql(columns)}),
        sized AS (SELECT *, count(*) OVER (PARTITION BY series) AS count_steps,
                         min(x) OVER (PARTITION BY series) AS x0, max(x) OVER (PARTITION BY series) AS x1
                  FROM steps)
        SELECT series, {quote_literal(columns.y)} AS metric, avg(x) AS x, avg(value) AS value,
               min(value) AS low, max(value) AS high,
               CAST(sum(n) AS BIGINT) AS n, count(*) AS steps, nullif(CAST(sum(n_inf) AS BIGINT), 0) AS n_inf
               {_kept(columns)}
        FROM (SELECT *, {binned} AS bin FROM sized)
        GROUP BY series, bin ORDER BY series, x"""


def best_sql(columns: CurveColumns, best: Best) -> str:
    """SQL of each series' best step: the highest (`best` "max") or lowest ("min") step mean, the earliest step
    on a tie; a series without a finite value has none.

    Columns: series, metric, x, value, n, place (the series' place, counted from 0).
    """
    direction = "DESC" if best == "max" else "ASC"
    return f"""
        SELECT series, {quote_literal(columns.y)} AS metric, x, value, n,
               {"".join(f"{name}, " for _, name in columns.shipped())}
               row_number() OVER (ORDER BY series) - 1 AS place FROM (
            SELECT *, row_number() OVER (PARTITION BY series ORDER BY value {direction}, x) AS rank
            FROM ({_steps_sql(columns)}) WHERE value IS NOT NULL)
        WHERE rank = 1 ORDER BY series"""


def unplaced_sql(x: str) -> str:
    """SQL of how many rows have no finite step (NULL, NaN or infinite `x`): they are not drawn. Column: n."""
    return f"SELECT count(*) AS n FROM this WHERE NOT coalesce(isfinite(CAST({q(x)} AS DOUBLE)), false)"
