"""The statements of a distribution of per-sample values by group: the values kept, the split's levels, box
statistics, outliers, a kernel density estimate and histogram bins. `score_distribution` and `score_histograms`
both read them: a histogram is one statement (`histogram_sql`) whichever view draws it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.query.series import series_key_sql

WHISKER = 1.5  # whiskers reach the furthest value within 1.5 interquartile ranges of the box
SQRT_2PI = math.sqrt(2 * math.pi)
# The greatest magnitude a value drawn may have: beyond, a variance, a kernel or the span of an axis overflows
# a double (1e150 squared is 1e300), so such a value is refused rather than drawn wrong.
MAX_MAGNITUDE = 1e150


@dataclass(frozen=True)
class DistributionColumns:
    """The columns a distribution reads: the values, the groups (`by`; None: one group named after the value
    column), the split (None: none; else its two levels, as text, in drawing order: left then right), the
    groups drawn (their keys, as `group_sql` writes them; None: every group) and the filter columns a histogram's
    bins are also grouped by (`filters`: f0, f1, ..., for a page to filter and add up again).

    Example:
        >>> DistributionColumns("total_time", "model", "epoch", ("1", "2")).left
        '1'
    """

    value: str
    by: str | None = None
    split: str | None = None
    levels: tuple[str, str] | None = None
    groups: tuple[str, ...] | None = None
    filters: tuple[str, ...] = ()

    @property
    def left(self) -> str | None:
        """The split level drawn on the left (first in the legend)."""
        return self.levels[0] if self.levels else None

    @property
    def right(self) -> str | None:
        """The split level drawn on the right."""
        return self.levels[1] if self.levels else None


def kept_sql(value: str) -> str:
    """SQL of whether a row's value is drawn: not NULL and not NaN (an infinite value is refused before).

    Example:
        >>> kept_sql("v")
        'CAST("v" AS DOUBLE) IS NOT NULL AND NOT isnan(CAST("v" AS DOUBLE))'
    """
    v = f"CAST({q(value)} AS DOUBLE)"
    return f"{v} IS NOT NULL AND NOT isnan({v})"


def unplaceable_sql(column: str) -> str:
    """SQL of the first row (0-based, in table order) whose value cannot be drawn: infinite, or beyond
    ±MAX_MAGNITUDE; columns `row` and `value`, no row when there is none.

    Example:
        >>> "isinf(value) OR (NOT isnan(value) AND abs(value) > 1e+150)" in unplaceable_sql("v")
        True
    """
    return (f"SELECT row, value FROM (SELECT row_number() OVER () - 1 AS row, CAST({q(column)} AS DOUBLE) AS value "
            f"FROM this) WHERE isinf(value) OR (NOT isnan(value) AND abs(value) > {MAX_MAGNITUDE!r}) "
            "ORDER BY row LIMIT 1")


def group_sql(column: str | None, name: str) -> str:
    """SQL of a row's group as text, its key: the column's value keyed by `series_key_sql` (NULL as "(null)", kept
    apart from a text "(null)" by an invisible mark), or `name` when there is no column.

    Example:
        >>> group_sql(None, "score")
        "'score'"
    """
    if column is None:
        return quote_literal(name)
    return series_key_sql(column)


def _values_sql(columns: DistributionColumns) -> str:
    """SQL of the values drawn: grp (the group), half (the split level as text, NULL without a split), v and the
    filter columns (f0, f1, ...), for rows whose value is kept, whose split level (if any) is not NULL and whose
    group is drawn."""
    half = f"CAST({q(columns.split)} AS VARCHAR)" if columns.split else "CAST(NULL AS VARCHAR)"
    split = f" AND {q(columns.split)} IS NOT NULL" if columns.split else ""
    filters = "".join(f", {q(column)} AS f{i}" for i, column in enumerate(columns.filters))
    values = (f"SELECT {group_sql(columns.by, columns.value)} AS grp, {half} AS half, "
              f"CAST({q(columns.value)} AS DOUBLE) AS v{filters} FROM this WHERE {kept_sql(columns.value)}{split}")
    if columns.groups is None:
        return values
    drawn = ", ".join(quote_literal(group) for group in columns.groups)
    return f"SELECT * FROM ({values}) WHERE grp IN ({drawn})"


def group_sizes_sql(columns: DistributionColumns) -> str:
    """SQL of each group's values drawn (`n`), the largest first (ties by group): what a chart of too many groups
    keeps the largest of.

    Example:
        >>> "ORDER BY n DESC, grp" in group_sizes_sql(DistributionColumns("v", "model"))
        True
    """
    return f"SELECT grp AS {q('group')}, count(*) AS n FROM ({_values_sql(columns)}) GROUP BY grp ORDER BY n DESC, grp"


def _side_sql(columns: DistributionColumns, half: str = "half") -> str:
    """SQL of a value's side from its `half` column: 0 for the left level (or no split), 1 for the right."""
    return f"CASE WHEN {half} = {quote_literal(columns.right)} THEN 1 ELSE 0 END" if columns.levels else "0"


def split_levels_sql(split: str) -> str:
    """SQL of the split column's non-NULL levels (at most four, enough to name what is wrong), in order of their
    values: level (as text) and n (rows).

    Example:
        >>> "LIMIT 4" in split_levels_sql("epoch")
        True
    """
    return (f"SELECT CAST(s AS VARCHAR) AS level, count(*) AS n FROM (SELECT {q(split)} AS s FROM this) "
            f"WHERE s IS NOT NULL GROUP BY s ORDER BY s LIMIT 4")


def left_out_sql(columns: DistributionColumns) -> str:
    """SQL of the rows not drawn, in one row: missing (a NULL or NaN value) and unsplit (a value, but a NULL split
    level)."""
    unsplit = (f"count(*) FILTER (WHERE {kept_sql(columns.value)} AND {q(columns.split)} IS NULL)"
               if columns.split else "0")
    return f"SELECT count(*) FILTER (WHERE NOT ({kept_sql(columns.value)})) AS missing, {unsplit} AS unsplit FROM this"


def range_sql(columns: DistributionColumns) -> str:
    """SQL of the least and greatest value drawn, in one row: lo, hi (NULL when there is none)."""
    return f"SELECT min(v) AS lo, max(v) AS hi FROM ({_values_sql(columns)})"


def summary_sql(columns: DistributionColumns) -> str:
    """SQL of the box statistics of each (group, half), by group then side.

    Quartiles are DuckDB's `quantile_cont` (linear interpolation, as numpy.percentile's default); the whiskers
    reach the furthest values within 1.5 interquartile ranges of the box; values beyond are outliers.

    Columns: group, half, side (0 left, 1 right), n, mean, q1, median, q3, low and high (the whiskers' ends),
    min, max, n_outliers.

    Example:
        >>> "quantile_cont(v, 0.25)" in summary_sql(DistributionColumns("total_time", "model"))
        True
    """
    return f"""
        WITH vals AS MATERIALIZED ({_values_sql(columns)}),
        stats AS (SELECT grp, half, count(*) AS n, avg(v) AS mean, quantile_cont(v, 0.25) AS q1,
                         quantile_cont(v, 0.5) AS median, quantile_cont(v, 0.75) AS q3, min(v) AS min, max(v) AS max
                  FROM vals GROUP BY grp, half),
        fenced AS (SELECT *, q1 - {WHISKER} * (q3 - q1) AS fence_low, q3 + {WHISKER} * (q3 - q1) AS fence_high
                   FROM stats)
        SELECT f.grp AS "group", f.half, {_side_sql(columns, 'f.half')} AS side, f.n, f.mean, f.q1,
               f.median, f.q3, min(v.v) FILTER (WHERE v.v >= f.fence_low) AS low,
               max(v.v) FILTER (WHERE v.v <= f.fence_high) AS high, f.min, f.max,
               count(*) FILTER (WHERE v.v < f.fence_low OR v.v > f.fence_high) AS n_outliers
        FROM fenced f JOIN vals v ON v.grp = f.grp AND v.half IS NOT DISTINCT FROM f.half
        GROUP BY ALL ORDER BY "group", side"""


def outliers_sql(columns: DistributionColumns, cap: int) -> str:
    """SQL of the values beyond the whiskers, at most `cap` per (group, half): the furthest from the box first.

    Columns: group, half, side, value.
    """
    return f"""
        WITH vals AS MATERIALIZED ({_values_sql(columns)}),
        fences AS (SELECT grp, half, quantile_cont(v, 0.25) AS q1, quantile_cont(v, 0.75) AS q3 FROM vals
                   GROUP BY grp, half),
        beyond AS (SELECT v.grp, v.half, v.v, greatest(f.q1 - {WHISKER} * (f.q3 - f.q1) - v.v,
                                                       v.v - f.q3 - {WHISKER} * (f.q3 - f.q1)) AS distance
                   FROM vals v JOIN fences f ON v.grp = f.grp AND v.half IS NOT DISTINCT FROM f.half)
        SELECT grp AS "group", half, {_side_sql(columns)} AS side, v AS value FROM beyond WHERE distance > 0
        QUALIFY row_number() OVER (PARTITION BY grp, half ORDER BY distance DESC, v) <= {int(cap)}
        ORDER BY "group", side, value"""


def density_sql(columns: DistributionColumns, *, points: int, max_values: int, seed: int) -> str:
    """SQL of a Gaussian kernel density estimate of each (group, half) on `points` values evenly spaced from its
    least to its greatest value.

    The bandwidth is Scott's rule, as scipy.stats.gaussian_kde's default: h = s n^(-1/5), s the sample standard
    deviation of the n values (of their distances from the least, which keeps its digits when the values spread
    little around a large mean). Each grid point is its own row, though two points round to the same value (a span
    of a few ulps). A group of more than `max_values` values is estimated from a deterministic sample
    of that many (by a hash of each value and `seed`). A group whose values are all equal has no density (no row).

    Columns: group, half, side, value (the grid point), density, width (density over the greatest density of the
    chart: each violin's half is drawn that wide), n_used (values estimated from), bandwidth, and the group's
    n, mean, q1, median, q3 (as `summary_sql`'s, for the tooltip).

    Example:
        >>> "stddev_samp(u.v - r.lo)" in density_sql(DistributionColumns("v"), points=100,
        ...                                                        max_values=4000, seed=0)
        True
    """
    last = int(points) - 1
    return f"""
        WITH vals AS MATERIALIZED ({_values_sql(columns)}),
        ranges AS (SELECT grp, half, min(v) AS lo, max(v) AS hi FROM vals GROUP BY grp, half),
        used AS MATERIALIZED (
            SELECT grp, half, v FROM vals
            QUALIFY row_number() OVER (PARTITION BY grp, half ORDER BY hash({int(seed)}, v), v) <= {int(max_values)}),
        widths AS (SELECT u.grp, u.half, count(*) AS n_used, stddev_samp(u.v - r.lo)
                              * pow(count(*), -0.2) AS h
                   FROM used u JOIN ranges r ON r.grp = u.grp AND r.half IS NOT DISTINCT FROM u.half
                   GROUP BY u.grp, u.half),
        grid AS (SELECT r.grp, r.half, w.n_used, w.h, i, r.lo + (r.hi - r.lo) * i / {last} AS y
                 FROM ranges r JOIN widths w ON w.grp = r.grp AND w.half IS NOT DISTINCT FROM r.half,
                      range({last + 1}) t(i)
                 WHERE w.h > 0),
        estimated AS (SELECT g.grp, g.half, g.i, g.y, any_value(g.n_used) AS n_used, any_value(g.h) AS h,
                             sum(exp(-0.5 * pow((g.y - u.v) / g.h, 2))) / (any_value(g.n_used) * any_value(g.h)
                                 * {SQRT_2PI!r}) AS density
                      FROM grid g JOIN used u ON u.grp = g.grp AND u.half IS NOT DISTINCT FROM g.half
                      GROUP BY g.grp, g.half, g.i, g.y)
        SELECT e.grp AS "group", e.half, {_side_sql(columns, 'e.half')} AS side, e.y AS value, e.density,
               e.density / max(e.density) OVER () AS width, e.n_used, e.h AS bandwidth,
               s.n, s.mean, s.q1, s.median, s.q3
        FROM estimated e JOIN ({summary_sql(columns)}) s ON s."group" = e.grp AND s.half IS NOT DISTINCT FROM e.half
        ORDER BY "group", side, value, e.i"""


def histogram_sql(columns: DistributionColumns, bins: int, span: tuple[float, float] | None = None, *,
                  limit: int | None = None) -> str:
    """SQL of histogram bins shared by every group: `bins` equal bins from the least to the greatest value of the
    whole table (or over `span`, which must hold every value), cut as numpy.histogram cuts them: edge i is
    lo + i * (hi - lo) / bins (the last is hi), a value goes to the bin whose edges hold it (the last bin closed
    on the right), so a value on an edge is counted in the bin that edge opens. When every value is equal, the
    bins span that value ± 0.5, as numpy's do (± a millionth of a millionth of it, when 0.5 would not move it).

    Columns: panel (the group), color (the split level, or the group without a split), side, bin, x0, x1 (the
    bin's edges), lo, hi (the first and last edges of every bin), n (values in it), share (of its (group, half)'s
    values), total (that (group, half)'s values), and the filter columns f0, f1, ... when `columns.filters` names
    some: a bin is then one row per combination of their values (n, share and total still counted per bin and
    (group, half): a page filtering the rows adds n up again). Empty bins have no row. At most `limit` rows.

    Example:
        >>> "WHEN v < " in histogram_sql(DistributionColumns("score", "series", "label", ("0", "1")), 20)
        True
    """
    count = int(bins)
    pad = "greatest(0.5, abs(min(v)) * 1e-12)"
    edges = (f"SELECT CAST({float(span[0])!r} AS DOUBLE) AS lo, CAST({float(span[1])!r} AS DOUBLE) AS hi" if span else
             f"SELECT CASE WHEN min(v) = max(v) THEN min(v) - {pad} ELSE min(v) END AS lo, "
             f"CASE WHEN min(v) = max(v) THEN max(v) + {pad} ELSE max(v) END AS hi FROM vals")

    filters = "".join(f", f{i}" for i in range(len(columns.filters)))
    limited = f" LIMIT {int(limit)}" if limit is not None else ""

    def edge(i: str) -> str:
        return f"CASE WHEN ({i}) = {count} THEN hi ELSE ({i}) * step + lo END"

    return f"""
        WITH vals AS MATERIALIZED ({_values_sql(columns)}),
        edges AS (SELECT lo, hi, (hi - lo) / {count} AS step FROM ({edges})),
        guessed AS (SELECT grp, half, v, lo, hi, step{filters},
                           least(CAST(floor((v - lo) / (hi - lo) * {count}) AS BIGINT), {count - 1}) AS guess
                    FROM vals, edges),
        binned AS (SELECT grp, half, lo, hi, step{filters},
                          CASE WHEN v < {edge('guess')} THEN guess - 1
                               WHEN guess < {count - 1} AND v >= {edge('guess + 1')} THEN guess + 1
                               ELSE guess END AS bin
                   FROM guessed)
        SELECT grp AS panel, coalesce(half, grp) AS color, {_side_sql(columns)} AS side, bin,
               any_value({edge('bin')}) AS x0, any_value({edge('bin + 1')}) AS x1, any_value(lo) AS lo,
               any_value(hi) AS hi,
               count(*) AS n, count(*) / sum(count(*)) OVER (PARTITION BY grp, half) AS share,
               CAST(sum(count(*)) OVER (PARTITION BY grp, half) AS BIGINT) AS total{filters}
        FROM binned GROUP BY grp, half, bin{filters} ORDER BY panel, side, bin{filters}{limited}"""


def group_fields_sql(group: str | None, name: str, columns: list[str]) -> str:
    """SQL of each group's values of `columns` (each holds one value per group: `views.grid_filters.mark_filters`):
    grp (the group's key, as `group_sql(group, name)` writes it) and f0, f1, ... (the columns, as they are).

    Example:
        >>> group_fields_sql(None, "score", ["org"])
        'SELECT \\'score\\' AS grp, any_value("org") AS f0 FROM this GROUP BY ALL'
    """
    fields = ", ".join(f"any_value({q(c)}) AS f{i}" for i, c in enumerate(columns))
    return f"SELECT {group_sql(group, name)} AS grp, {fields} FROM this GROUP BY ALL"
