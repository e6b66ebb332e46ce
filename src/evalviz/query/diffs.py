"""The statements of `diff_plot`: the rows of a table of paired differences, one per slice, with how each
interval reads against zero, and the checks run on the table before it is drawn."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from evalviz.constants.statuses import ERROR, INFINITE, NO_VALUE, SKIPPED
from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.query.grid_columns import filter_field
from evalviz.query.series import series_key_sql

# What a row shows, in legend order. The first three read the interval against zero.
BETTER, WORSE, UNCLEAR = "better", "worse", "no clear difference"
NO_INTERVAL = "no interval"
FLAGGED = (SKIPPED, ERROR, INFINITE, NO_VALUE)
RESULTS = (BETTER, WORSE, UNCLEAR, NO_INTERVAL, *FLAGGED)
READINGS = {
    BETTER: "better: the interval excludes zero",
    WORSE: "worse: the interval excludes zero",
    UNCLEAR: "no clear difference: the interval includes zero",
    NO_INTERVAL: "no interval",
}


@dataclass(frozen=True)
class DiffColumns:
    """The table's columns behind each role of a difference plot (None: the table has no such column)."""

    slice: str
    delta: str
    low: str | None = None
    high: str | None = None
    n: str | None = None
    status: str | None = None
    reason: str | None = None
    baseline: str | None = None
    candidate: str | None = None
    baseline_name: str | None = None
    candidate_name: str | None = None
    # Columns a selection may filter the rows on, shipped with each row as f0, f1, ... (`filter_field`), and
    # whether each row ships its slice's typed value (k_slice): what a click on it selects.
    filters: tuple[str, ...] = ()
    raw_key: bool = False

    def used(self) -> list[str]:
        """The columns the plot reads, each once."""
        roles = (self.slice, self.delta, self.low, self.high, self.n, self.status, self.reason, self.baseline,
                 self.candidate, self.baseline_name, self.candidate_name, *self.filters)
        return list(dict.fromkeys(c for c in roles if c is not None))


@dataclass(frozen=True)
class RowOrder:
    """The order of the drawn rows: by the difference ("ascending", "descending") or in input order, the slices
    of `explicit` first in its order, and the `overall` slice on top of all."""

    by_value: Literal["ascending", "descending"] | None = "descending"
    explicit: tuple[str, ...] = ()
    overall: str | None = None


def metrics_sql(column: str, limit: int) -> str:
    """The distinct values of the `column` naming each row's metric ("m"), at most `limit` of them."""
    return f"SELECT DISTINCT CAST({q(column)} AS VARCHAR) AS m FROM this ORDER BY 1 LIMIT {int(limit)}"


def side_names_sql(baseline_name: str, candidate_name: str) -> str:
    """One row: how many names each side has (nb, nc) and one of each (b, c)."""
    return (f"SELECT count(DISTINCT {q(baseline_name)}) AS nb, count(DISTINCT {q(candidate_name)}) AS nc, "
            f"CAST(any_value({q(baseline_name)}) AS VARCHAR) AS b, "
            f"CAST(any_value({q(candidate_name)}) AS VARCHAR) AS c FROM this")


def repeated_slices_sql(column: str, limit: int = 3) -> str:
    """The slices ("s") held by more than one row, with their row counts ("c"), most repeated first."""
    return (f"SELECT {series_key_sql(column)} AS s, count(*) AS c FROM this GROUP BY 1 HAVING count(*) > 1 "
            f"ORDER BY c DESC, s LIMIT {int(limit)}")


def wrong_interval_sql(columns: DiffColumns) -> str:
    """One row whose interval is upside down (low above high) or leaves out its own difference, beyond rounding
    (a billionth of the values' size): its slice "s", difference "d" and ends "lo", "hi"."""
    d, lo, hi = (_number(c) for c in (columns.delta, columns.low, columns.high))
    slack = f"1e-9 * (abs({lo}) + abs({hi}) + coalesce(abs({d}), 0))"
    return (f"SELECT {series_key_sql(columns.slice)} AS s, {d} AS d, {lo} AS lo, {hi} AS hi FROM this "
            f"WHERE isfinite({lo}) AND isfinite({hi}) AND ({lo} > {hi} + {slack} "
            f"OR (isfinite({d}) AND ({d} < {lo} - {slack} OR {d} > {hi} + {slack}))) LIMIT 1")


def rows_sql(columns: DiffColumns, order: RowOrder, *, higher_is_better: bool) -> str:
    """One row per slice, in drawing order: the values to draw, the result (how the interval reads, or why there
    is none) and the note of the tooltip. Deltas and values are finite or NULL, with "inf"/"-inf" as text beside
    them; the ends of the interval keep their infinities (they still read against zero).

    Example:
        >>> import evalviz as ev
        >>> data = ev.Data.from_sql("SELECT * FROM (VALUES ('a', 0.2, 0.1, 0.3)) AS t(slice, delta, low, high)")
        >>> sql = rows_sql(DiffColumns("slice", "delta", "low", "high"), RowOrder(), higher_is_better=True)
        >>> data.sql(sql).select(["slice", "result"]).to_pylist()
        [{'slice': 'a', 'result': 'better'}]
    """
    status = f"lower(trim(CAST({q(columns.status)} AS VARCHAR)))" if columns.status else "CAST(NULL AS VARCHAR)"
    reason = f"nullif(trim(CAST({q(columns.reason)} AS VARCHAR)), '')" if columns.reason else "CAST(NULL AS VARCHAR)"
    up, down = (BETTER, WORSE) if higher_is_better else (WORSE, BETTER)
    readings = " ".join(f"WHEN result = '{r}' THEN '{text}'" for r, text in READINGS.items())
    return f"""
        WITH raw AS (
            SELECT {series_key_sql(columns.slice)} AS slice, {_number(columns.delta)} AS d,
                   {_not_nan(_number(columns.low))} AS lo, {_not_nan(_number(columns.high))} AS hi,
                   {_number(columns.n)} AS size, {status} AS st, {reason} AS reason,
                   {_number(columns.baseline)} AS b, {_number(columns.candidate)} AS c, row_number() OVER () AS ord
                   {_shipped(columns)}
            FROM this
        ),
        flagged AS (
            SELECT *, CASE WHEN st = '{ERROR}' THEN '{ERROR}' WHEN st = '{SKIPPED}' THEN '{SKIPPED}'
                           WHEN isinf(d) THEN '{INFINITE}' WHEN NOT isfinite(d) OR d IS NULL THEN '{NO_VALUE}'
                      END AS flag
            FROM raw
        ),
        src AS (
            SELECT slice, {_shipped_names(columns)}{_finite("size")} AS n, st, reason, ord, flag,
                   {_finite("b")} AS baseline,
                   {_finite("c")} AS candidate, {_infinity_text("size")} AS n_inf,
                   CASE WHEN flag IS NULL THEN d END AS delta,
                   CASE WHEN flag IS NULL THEN lo END AS low,
                   CASE WHEN flag IS NULL THEN hi END AS high,
                   {_infinity_text("d")} AS delta_inf, {_infinity_text("b")} AS baseline_inf,
                   {_infinity_text("c")} AS candidate_inf
            FROM flagged
        ),
        results AS (
            SELECT *, CASE WHEN flag IS NOT NULL THEN flag
                           WHEN low IS NULL OR high IS NULL THEN '{NO_INTERVAL}'
                           WHEN low > 0 THEN '{up}' WHEN high < 0 THEN '{down}'
                           ELSE '{UNCLEAR}' END AS result
            FROM src
        )
        SELECT slice, {_shipped_names(columns)}delta, low, high, n, baseline, candidate, reason, result,
            CASE {readings}
                 WHEN result = '{INFINITE}' THEN 'infinite difference (' || delta_inf || ')'
                                                 || coalesce(': ' || reason, '')
                 WHEN reason IS NOT NULL THEN result || ': ' || reason
                 WHEN result = '{NO_VALUE}' THEN '{NO_VALUE} (the difference is missing or NaN)'
                 ELSE result END AS note,
            delta_inf, {_infinity_text("low")} AS low_inf, {_infinity_text("high")} AS high_inf, n_inf,
            baseline_inf, candidate_inf
        FROM results
        ORDER BY {_order_by(order)}
    """


def _shipped(columns: DiffColumns) -> str:
    """SQL of the typed slice (k_slice) and filter columns (f0, f1, ...) a row ships, each after a comma."""
    shipped = ([f"{q(columns.slice)} AS k_slice"] if columns.raw_key else []) + \
        [f"{q(column)} AS {filter_field(i)}" for i, column in enumerate(columns.filters)]
    return "".join(f", {item}" for item in shipped)


def _shipped_names(columns: DiffColumns) -> str:
    """The names of the shipped columns, each before a comma."""
    names = (["k_slice"] if columns.raw_key else []) + [filter_field(i) for i in range(len(columns.filters))]
    return "".join(f"{name}, " for name in names)


def _order_by(order: RowOrder) -> str:
    """The ORDER BY of the drawn rows: the overall slice first, then the explicit order, then by the difference
    (rows without one last) or in input order."""
    keys = [] if order.overall is None else [f"(slice = {quote_literal(order.overall)}) DESC"]
    if order.explicit:
        names = ", ".join(quote_literal(name) for name in order.explicit)
        keys.append(f"list_position(CAST([{names}] AS VARCHAR[]), slice) ASC NULLS LAST")
    if order.by_value is not None:
        keys.append(f"delta {'DESC' if order.by_value == 'descending' else 'ASC'} NULLS LAST")
    return ", ".join([*keys, "ord"])


def _number(column: str | None) -> str:
    return f"CAST({q(column)} AS DOUBLE)" if column is not None else "CAST(NULL AS DOUBLE)"


def _finite(value: str) -> str:
    return f"CASE WHEN isfinite({value}) THEN {value} END"


def _not_nan(value: str) -> str:
    return f"CASE WHEN NOT isnan({value}) THEN {value} END"


def _infinity_text(value: str) -> str:
    """'inf' or '-inf' where `value` is infinite, else NULL: the text the tooltip shows for it."""
    return f"CASE WHEN isinf({value}) THEN CASE WHEN {value} > 0 THEN 'inf' ELSE '-inf' END END"
