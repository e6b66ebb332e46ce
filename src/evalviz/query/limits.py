"""The SQL of `scores_by_limit`: the share of each model's samples solved within each budget of a resource
(tokens, time), on a grid of budgets, with a Wilson interval; and why a table gives no curve."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from evalviz.data.connection import quote_identifier as q
from evalviz.query.grid_columns import filter_field
from evalviz.query.series import series_key_sql

Scale = Literal["auto", "log", "linear"]
# "auto" spaces the budgets on a log scale when the limits span this ratio (two orders of magnitude) or more.
LOG_RATIO = 100


@dataclass(frozen=True)
class LimitColumns:
    """The columns a limit curve reads: the model (one curve each), the resource used (`limit`), the score, and
    the error message (None: no error column)."""

    model: str
    limit: str
    score: str
    error: str | None = None
    # Columns a selection may filter the curves on, grouped by with the model and shipped as f0, f1, ...
    # (`filter_field`), and whether each row ships the model's typed value (k_v): what a click selects.
    filters: tuple[str, ...] = ()
    raw_key: bool = False

    @property
    def group(self) -> list[str]:
        """The SQL names a curve's rows are grouped by: the model, its typed value and the filter columns."""
        return ["model", *(["k_v"] if self.raw_key else []), *(filter_field(i) for i in range(len(self.filters)))]


def _samples_sql(columns: LimitColumns, threshold: float) -> str:
    """SQL of one row per sample: its model (`series_key_sql`: a NULL model and the text "(null)" stay two curves),
    its finite limit l (else NULL), whether its score is finite (`scored`), and whether it errored (`failed`: a
    non-empty error message), was solved (`solved`: no error, a finite limit, and a finite score at least
    `threshold`) or lacks a limit or score without an error (`unscored`)."""
    failed = (f"coalesce(trim(CAST({q(columns.error)} AS VARCHAR)) <> '', false)" if columns.error else "false")
    return f"""
        SELECT * EXCLUDE (l, s), CASE WHEN placed THEN l END AS l,
            NOT failed AND placed AND scored AND s >= {float(threshold)!r} AS solved,
            NOT failed AND NOT (placed AND scored) AS unscored
        FROM (SELECT *, coalesce(isfinite(l), false) AS placed, coalesce(isfinite(s), false) AS scored
              FROM (SELECT {series_key_sql(columns.model)} AS model,
                        CAST({q(columns.limit)} AS DOUBLE) AS l, CAST({q(columns.score)} AS DOUBLE) AS s,
                        {failed} AS failed{_shipped(columns)}
                    FROM this))"""


def _shipped(columns: LimitColumns) -> str:
    """SQL of the typed model and the filter columns a row carries, each after a comma."""
    shipped = ([f"{q(columns.model)} AS k_v"] if columns.raw_key else []) + \
        [f"{q(column)} AS {filter_field(i)}" for i, column in enumerate(columns.filters)]
    return "".join(f", {item}" for item in shipped)


def _grid_sql(scale: Scale, steps: int) -> str:
    """SQL of the budgets (i, budget), ascending and distinct: `steps` of them from the smallest limit to the
    largest, evenly spaced on a log scale (from the smallest positive limit) or a linear one; fewer when the
    limits span fewer distinct numbers (one when every limit is the same). The first and last budgets are exactly
    the smallest and largest limits; the others are weighted means of the two ends, so that no budget overflows
    whatever the limits' range (-1e308 to 1e308)."""
    log = {"log": "true", "linear": "false"}.get(scale, f"lo_pos IS NOT NULL AND hi >= {LOG_RATIO} * lo_pos")
    last = int(steps) - 1
    return f"""
        ranges AS (SELECT min(l) AS lo_all, min(l) FILTER (WHERE l > 0) AS lo_pos, max(l) AS hi FROM samples),
        bounds AS (SELECT *, CASE WHEN is_log THEN lo_pos ELSE lo_all END AS lo
                   FROM (SELECT *, {log} AS is_log FROM ranges)),
        steps AS (SELECT i, is_log, lo, hi, i / {float(last)!r} AS f
                  FROM range({int(steps)}) AS r(i), bounds WHERE lo IS NOT NULL AND (i = 0 OR hi > lo)),
        spaced AS (SELECT DISTINCT is_log, greatest(lo, least(hi, CASE WHEN i = 0 THEN lo WHEN i = {last} THEN hi
                              WHEN is_log THEN exp(ln(lo) * (1 - f) + ln(hi) * f) ELSE lo * (1 - f) + hi * f END))
                              AS budget
                   FROM steps),
        grid AS (SELECT row_number() OVER (ORDER BY budget) - 1 AS i, is_log, budget FROM spaced)"""


def limit_curve_sql(columns: LimitColumns, *, steps: int, scale: Scale, threshold: float, z: float,
                    max_models: int | None = None, limit: int | None = None) -> str:
    """SQL of the curves, one row per (model, budget), by model and budget; no row when no sample has a finite
    limit (or, on a log scale, a positive one). With filter columns (`columns.filters`) one row per (model, values
    of the filter columns, budget): the parts a page adds up again into each model's curve after filtering them.

    Each solved sample is placed at the smallest budget at or above its limit (an ASOF join on the sorted
    budgets), and a running count over the budgets gives the samples solved within each: one pass over the
    table, whatever the number of budgets. With `max_models`, only the curves of that many models are computed:
    those solving the largest share of their samples (ties by name). At most `limit` rows.

    Columns: model, k_v and f0, f1, ... (`columns.group`), budget, success_rate (solved / n), low and high (the
    Wilson score interval of that share at the normal quantile `z`), solved (samples solved within the budget),
    n (the model's samples: every row, errored and unscored ones included), errors (rows with an error message),
    unscored (rows without an error that lack a finite limit or score), scale ("log" or "linear"), models (the
    table's models, drawn or not), scored (the table's rows with a finite score).

    Example:
        >>> sql = limit_curve_sql(LimitColumns("model", "total_tokens", "score_match", "error"), steps=100,
        ...                       scale="auto", threshold=1.0, z=1.96)
        >>> "ASOF JOIN grid" in sql
        True
    """
    z2 = f"{float(z) ** 2!r}"
    kept = f"ORDER BY k / n DESC, model LIMIT {int(max_models)}" if max_models is not None else ""
    group = columns.group
    keys = ", ".join(group)
    matched = " AND ".join(f"h.{g} IS NOT DISTINCT FROM t.{g}" for g in group)
    return f"""
        WITH samples AS MATERIALIZED ({_samples_sql(columns, threshold)}),
        {_grid_sql(scale, steps)},
        every AS (SELECT model, count(*) AS n, count(*) FILTER (WHERE solved) AS k,
                      count(*) FILTER (WHERE scored) AS n_scored
                  FROM samples GROUP BY model),
        ranked AS (SELECT model, (SELECT count(*) FROM every) AS models,
                          (SELECT sum(n_scored) FROM every) AS all_scored
                   FROM every {kept}),
        totals AS (SELECT {keys}, count(*) AS n, count(*) FILTER (WHERE failed) AS errors,
                       count(*) FILTER (WHERE unscored) AS unscored, any_value(models) AS models,
                       any_value(all_scored) AS scored
                   FROM samples JOIN ranked USING (model) GROUP BY {keys}),
        hits AS (SELECT {", ".join(f"s.{g}" for g in group)}, g.i, count(*) AS k
                 FROM (SELECT {keys}, l FROM samples WHERE solved AND model IN (SELECT model FROM ranked)) AS s
                     ASOF JOIN grid AS g ON s.l <= g.budget
                 GROUP BY ALL),
        curve AS (SELECT {", ".join(f"t.{g}" for g in group)}, g.i, g.budget, g.is_log, t.n, t.errors,
                      t.unscored, t.models, t.scored,
                      coalesce(sum(h.k) OVER (PARTITION BY {", ".join(f"t.{g}" for g in group)} ORDER BY g.i), 0)
                          AS solved
                  FROM totals AS t CROSS JOIN grid AS g LEFT JOIN hits AS h ON {matched} AND h.i = g.i),
        shares AS (SELECT *, solved / n AS p FROM curve),
        wilson AS (SELECT *, (p + {z2} / (2 * n)) / (1 + {z2} / n) AS center,
                       sqrt({z2}) * sqrt(p * (1 - p) / n + {z2} / (4 * n * n)) / (1 + {z2} / n) AS half
                   FROM shares)
        SELECT {keys}, budget, p AS success_rate, greatest(0.0, center - half) AS low,
            least(1.0, center + half) AS high, CAST(solved AS BIGINT) AS solved, n, errors, unscored,
            CASE WHEN is_log THEN 'log' ELSE 'linear' END AS scale, models, scored
        FROM wilson ORDER BY {keys}, budget{f" LIMIT {int(limit)}" if limit is not None else ""}"""


def limit_bounds_sql(columns: LimitColumns) -> str:
    """SQL of what a table gives a curve, in one row: its rows with a finite limit (placed), with a positive one
    (positive), and with a finite score (scored)."""
    limit, score = (f"CAST({q(column)} AS DOUBLE)" for column in (columns.limit, columns.score))
    return (f"SELECT count(*) FILTER (WHERE isfinite({limit})) AS placed, "
            f"count(*) FILTER (WHERE isfinite({limit}) AND {limit} > 0) AS positive, "
            f"count(*) FILTER (WHERE isfinite({score})) AS scored FROM this")
