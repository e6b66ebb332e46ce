"""The statements of a reliability diagram: predictions binned by score per series, each bin's mean score against
its observed share of positives (with a Wilson interval), and each series' expected calibration error; and the
check that every score is a probability.

The bins are scikit-learn's (`sklearn.calibration.calibration_curve`), edge for edge: "uniform" edges are
`numpy.linspace(0, 1, bins + 1)`; "quantile" edges are `numpy.percentile(scores, linspace(0, 1, bins + 1) * 100)`
per series (numpy's "linear" method, computed in DuckDB with numpy's own arithmetic). A prediction falls in the
bin whose inner edges below it it counts (`numpy.searchsorted(edges[1:-1], score)`): a bin holds the scores above
its lower edge up to and including its upper edge, the first bin also its lower edge (0.0 under "uniform"), so a
score of exactly 1.0 is in the last bin, and 0.1 in the first of ten.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.query.predictions import LABEL, SCORE, SERIES

Strategy = Literal["uniform", "quantile"]
STRATEGIES: tuple[Strategy, ...] = ("uniform", "quantile")
NULL_SERIES = "(null)"


def _uniform_edges_sql(bins: int) -> str:
    """Every edge of every series' bins: `numpy.linspace(0, 1, bins + 1)` (i * (1 / bins), the last exactly 1)."""
    return (f"SELECT series, i AS k, CASE WHEN i = {bins} THEN 1.0::DOUBLE "
            f"ELSE i * (1.0::DOUBLE / {bins}) END AS edge FROM sizes, range(0, {bins + 1}) AS t(i)")


def _quantile_edges_sql(bins: int) -> str:
    """Every edge of every series' bins: numpy's "linear" percentile of the series' scores at
    `linspace(0, 1, bins + 1) * 100` (the quantile is multiplied by 100 then divided again, the virtual index
    is (n - 1) * q, and the interpolation switches ends at a weight of one half, as numpy does)."""
    return f"""
        SELECT w.series, w.k, CASE
                   WHEN w.v >= w.total - 1 THEN top.score
                   WHEN w.v - floor(w.v) >= 0.5
                       THEN b.score - (b.score - a.score) * (1 - (w.v - floor(w.v)))
                   ELSE a.score + (b.score - a.score) * (w.v - floor(w.v)) END AS edge
        FROM (SELECT series, total, i AS k,
                     (total - 1) * ((CASE WHEN i = {bins} THEN 1.0::DOUBLE
                                          ELSE i * (1.0::DOUBLE / {bins}) END) * 100.0::DOUBLE / 100.0::DOUBLE) AS v
              FROM sizes, range(0, {bins + 1}) AS t(i)) AS w
        LEFT JOIN ranked AS a ON a.series = w.series AND a.r = CAST(floor(w.v) AS BIGINT)
        LEFT JOIN ranked AS b ON b.series = w.series AND b.r = CAST(floor(w.v) AS BIGINT) + 1
        LEFT JOIN ranked AS top ON top.series = w.series AND top.r = w.total - 1"""


def reliability_sql(bins: int, strategy: Strategy, z: float | None) -> str:
    """SQL of each series' non-empty bins, over the long form of `evalviz.query.predictions`, in one statement.

    Columns: series, bin (0-based), low and high (the bin's edges), predicted (the mean score of its
    predictions), observed (their share of positives), n, positives, ci_low and ci_high (the Wilson score interval
    of `observed` at normal quantile `z`; NULL when `z` is None), total (the series' predictions) and ece (the
    series' expected calibration error: the sum over its bins of n / total * |observed - predicted|). Empty bins
    have no row (never a zero). Ordered by series, then bin.

    Example:
        >>> "ASOF JOIN" in reliability_sql(10, "uniform", 1.96)
        True
    """
    z2 = "NULL::DOUBLE" if z is None else f"CAST({quote_literal(repr(float(z) ** 2))} AS DOUBLE)"
    return f"""
        {_binned_sql(bins, strategy)},
        counted AS (SELECT series, bin, count(*) AS n, CAST(sum(label) AS BIGINT) AS positives,
                           avg(score) AS predicted
                    FROM binned GROUP BY series, bin),
        shares AS (SELECT *, positives / n AS observed FROM counted),
        wilson AS (SELECT *, (observed + {z2} / (2 * n)) / (1 + {z2} / n) AS center,
                          sqrt({z2}) * sqrt(observed * (1 - observed) / n + {z2} / (4 * n * n)) / (1 + {z2} / n)
                          AS half
                   FROM shares)
        SELECT w.series, w.bin, lo.edge AS low, hi.edge AS high, w.predicted, w.observed, w.n, w.positives,
               greatest(0.0, w.center - w.half) AS ci_low, least(1.0, w.center + w.half) AS ci_high,
               CAST(sum(w.n) OVER (PARTITION BY w.series) AS BIGINT) AS total,
               sum(w.n * abs(w.observed - w.predicted)) OVER (PARTITION BY w.series)
                   / sum(w.n) OVER (PARTITION BY w.series) AS ece
        FROM wilson AS w
        JOIN edges AS lo ON lo.series = w.series AND lo.k = w.bin
        JOIN edges AS hi ON hi.series = w.series AND hi.k = w.bin + 1
        ORDER BY w.series, w.bin"""


def reliability_parts_sql(bins: int, strategy: Strategy, filters: Sequence[str], limit: int) -> str:
    """SQL of the predictions counted by series, bin and the values of the columns `filters` (carried through the
    long form): series, bin, low, high (as `reliability_sql`), f0, f1, ... (the columns, as they are), n,
    positives and score_sum (the sum of the scores), at most `limit` rows, ordered by series and bin: what a page
    filters and adds up again into each bin's mean score, observed share, interval and the series' ECE
    (`views.reliability_diagram`). Meant for "uniform" bins, whose edges do not depend on the rows kept.

    Example:
        >>> "score_sum" in reliability_parts_sql(10, "uniform", ["epoch"], 100)
        True
    """
    fields = "".join(f", b.f{i}" for i in range(len(filters)))
    return f"""
        {_binned_sql(bins, strategy, filters)}
        SELECT b.series, b.bin, lo.edge AS low, hi.edge AS high{fields}, count(*) AS n,
               CAST(sum(b.label) AS BIGINT) AS positives, sum(b.score) AS score_sum
        FROM binned AS b
        JOIN edges AS lo ON lo.series = b.series AND lo.k = b.bin
        JOIN edges AS hi ON hi.series = b.series AND hi.k = b.bin + 1
        GROUP BY ALL ORDER BY b.series, b.bin LIMIT {int(limit)}"""


def _binned_sql(bins: int, strategy: Strategy, filters: Sequence[str] = ()) -> str:
    """The WITH clause of every prediction's bin: `binned` (series, bin, label, score and the columns `filters` as
    f0, f1, ...) and `edges` (series, k, edge: every edge of every series' bins)."""
    edges = _uniform_edges_sql(bins) if strategy == "uniform" else _quantile_edges_sql(bins)
    carried = "".join(f", {q(column)} AS f{i}" for i, column in enumerate(filters))
    fields = "".join(f", p.f{i}" for i in range(len(filters)))
    return f"""WITH preds AS MATERIALIZED (
            SELECT coalesce({q(SERIES)}, {quote_literal(NULL_SERIES)}) AS series, {q(LABEL)} AS label,
                   {q(SCORE)} AS score{carried} FROM this),
        sizes AS (SELECT series, count(*) AS total FROM preds GROUP BY series),
        ranked AS (SELECT series, score, row_number() OVER (PARTITION BY series ORDER BY score) - 1 AS r
                   FROM preds),
        edges AS MATERIALIZED ({edges}),
        inner_edges AS (SELECT series, max(k) AS k, edge FROM edges WHERE k BETWEEN 1 AND {bins - 1}
                        GROUP BY series, edge
                        UNION ALL SELECT series, 0, '-inf'::DOUBLE FROM sizes),
        binned AS (SELECT p.series, e.k AS bin, p.label, p.score{fields}
                   FROM preds AS p ASOF JOIN inner_edges AS e ON p.series = e.series AND p.score > e.edge)"""


def any_outside_unit_sql(score: str) -> str:
    """SQL of whether some `score` is a number outside [0, 1] (one row, `outside`; a cheap scan: where is
    `outside_unit_sql`'s job).

    Example:
        >>> "bool_or" in any_outside_unit_sql("p")
        True
    """
    return (f"SELECT coalesce(bool_or(NOT isnan(v) AND NOT (v BETWEEN 0 AND 1)), false) AS outside "
            f"FROM (SELECT CAST({q(score)} AS DOUBLE) AS v FROM this)")


def outside_unit_sql(score: str, *, within: str | None = None) -> str:
    """SQL of the first row (0-based, in table order; counted within each value of `within` when given) whose
    `score` is a number outside [0, 1]: `row`, `value` and `within` (the row's value of `within` as text, or
    NULL); no rows when every score is a probability (or NULL/NaN).

    Example:
        >>> "NOT (value BETWEEN 0 AND 1)" in outside_unit_sql("p")
        True
    """
    group = f"CAST({q(within)} AS VARCHAR)" if within else "NULL::VARCHAR"
    numbered = (f"SELECT row_number() OVER () AS position, CAST({q(score)} AS DOUBLE) AS value, {group} AS within "
                f"FROM this")
    return (f"SELECT row, value, within FROM (SELECT *, row_number() OVER (PARTITION BY within ORDER BY position) - 1 "
            f"AS row FROM ({numbered})) WHERE NOT isnan(value) AND NOT (value BETWEEN 0 AND 1) "
            f"ORDER BY position LIMIT 1")
