"""The SQL of `scores_timeline`: one point per (model, task) at the model's release date, with its interval, and
the frontier (the best score released so far) of each task; the models left out for want of a date."""

from __future__ import annotations

from dataclasses import dataclass

from evalviz.constants.statuses import ERROR, OK, PARTIAL
from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.query.cells import finite_sql
from evalviz.query.grid_columns import filter_field, key_parts
from evalviz.query.rows import row_status_sql
from evalviz.query.scores import CLAMPED, ScoreColumns
from evalviz.query.stderr import combined_stderr_sql


@dataclass(frozen=True)
class TimelineColumns:
    """The columns a timeline reads: the scores' (`ScoreColumns`), the models' release dates and organisations
    (None: no organisation)."""

    scores: ScoreColumns
    released: str
    organization: str | None = None


def unreadable_date_sql(released: str) -> str:
    """SQL of one release date of the table `this` that is not a date (column "v"), or no row.

    Example:
        >>> "TRY_CAST" in unreadable_date_sql("model_release_date")
        True
    """
    column = q(released)
    return (f"SELECT CAST({column} AS VARCHAR) AS v FROM this WHERE {column} IS NOT NULL "
            f"AND TRY_CAST({column} AS DATE) IS NULL LIMIT 1")


def _rows_sql(columns: TimelineColumns) -> str:
    """SQL of the rows: model and task keys (mg, m, tg, t), date d, organisation org, score v (of a row that
    ran), its status st and reason why, stderr se, interval ends lo and hi, link lnk."""
    c = columns.scores
    status, reason = row_status_sql(status=c.status, reason=c.reason, error=None)
    organization = f"CAST({_or_null(columns.organization)} AS VARCHAR)"
    select = [
        f"CAST({q(c.model)} AS VARCHAR) AS m", f"CAST({_or_null(c.model_group)} AS VARCHAR) AS mg",
        f"CAST({q(c.task)} AS VARCHAR) AS t", f"CAST({_or_null(c.task_group)} AS VARCHAR) AS tg",
        f"TRY_CAST({q(columns.released)} AS DATE) AS d", f"{organization} AS org",
        f"CAST({q(c.value)} AS DOUBLE) AS f", f"{status} AS st", f"{reason} AS why",
        f"CAST({q(c.link)} AS VARCHAR) AS lnk" if c.link else "CAST(NULL AS VARCHAR) AS lnk",
    ]
    select += [f"{q(column)} AS {name}" for column, name in _shipped(columns)]
    for name, column in (("se", c.stderr), ("lo", c.low), ("hi", c.high)):
        select.append(f"{finite_sql(f'CAST({q(column)} AS DOUBLE)')} AS {name}" if column
                      else f"CAST(NULL AS DOUBLE) AS {name}")
    return (f"SELECT *, CASE WHEN st = {quote_literal(OK)} THEN {finite_sql('f')} END AS v "
            f"FROM (SELECT {', '.join(select)} FROM this)")


def _shipped(columns: TimelineColumns) -> list[tuple[str, str]]:
    """(user column, SQL name) of what each point ships for its selections: the typed key parts of its model and
    task (x_g, x_v, y_g, y_v, with `raw_keys`), its organisation (org_v), and the filter columns (f0, f1, ...),
    each holding one value per point."""
    c = columns.scores
    if not c.raw_keys:
        return []
    grid = c.grid()
    shipped = [*key_parts(grid, "x"), *key_parts(grid, "y")]
    shipped += [(columns.organization, "org_v")] if columns.organization else []
    return shipped + [(column, filter_field(i)) for i, column in enumerate(c.filters)]


def _or_null(column: str | None) -> str:
    """The quoted column, or NULL when there is none."""
    return q(column) if column else "NULL"


def _groups_sql(columns: TimelineColumns) -> str:
    """SQL of one row per (model, task): its mean score, rows, failed rows, the stderr of the mean, the ends given
    for a single scored row, its date (the earliest), organisation, reasons and link (a failed row's first)."""
    return f"""
        SELECT mg, m, tg, t, min(d) AS d, min(org) AS org, avg(v) AS value, count(*) AS n,
            count(*) FILTER (WHERE st = {quote_literal(ERROR)}) AS n_errors, {combined_stderr_sql('mean')} AS se,
            CASE WHEN count(v) = 1 THEN max(lo) FILTER (WHERE v IS NOT NULL) END AS lo,
            CASE WHEN count(v) = 1 THEN max(hi) FILTER (WHERE v IS NOT NULL) END AS hi,
            string_agg(DISTINCT why, '; ' ORDER BY why) AS why,
            coalesce(min(lnk) FILTER (WHERE st = {quote_literal(ERROR)}), min(lnk)) AS link
            {"".join(f", any_value({name}) AS {name}" for _, name in _shipped(columns))}
        FROM rows GROUP BY mg, m, tg, t"""


def timeline_sql(columns: TimelineColumns, *, z: float, interval_source: str) -> str:
    """SQL of the points of a timeline, one per (model, task) with a score and a release date, by task and date.

    Columns: model (its label, "name · id" when display names are shared), organization, released (the date as
    "YYYY-MM-DD", as text; date, the same, which the chart parses as its x), task (its label), value (the mean
    score), low and high (given ends for one row, else value ± z se; clamped to [0, 1] when every score lies
    there; both NULL unless both are finite), interval (as text with its source, or "none"), n (rows), status
    ("ok", or "partly failed" when some of its rows failed) and note, link, and frontier (the task's best score
    among the points released on or before this one's date: a running max over dates, ties included).

    Example:
        >>> sql = timeline_sql(TimelineColumns(ScoreColumns(model="m", value="s", task="t"), "d"), z=1.96,
        ...                    interval_source="95% CI from stderr")
        >>> "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW" in sql
        True
    """
    given = columns.scores.low and columns.scores.high
    half = f"CAST({float(z)!r} AS DOUBLE) * se"
    ends = ("lo AS raw_low, hi AS raw_high" if given else
            f"{finite_sql(f'value - {half}')} AS raw_low, {finite_sql(f'value + {half}')} AS raw_high")
    clamped = "CASE WHEN bounded THEN greatest(0.0, least(1.0, {0})) ELSE {0} END"
    separator = quote_literal(" \u00b7 ")
    return f"""
        WITH rows AS MATERIALIZED ({_rows_sql(columns)}), groups AS MATERIALIZED ({_groups_sql(columns)}),
        scored AS (
            SELECT *, {ends}, coalesce(min(value) OVER () >= 0 AND max(value) OVER () <= 1, false) AS bounded
            FROM groups WHERE value IS NOT NULL AND d IS NOT NULL),
        ended AS (
            SELECT *, {clamped.format('raw_low')} AS low, {clamped.format('raw_high')} AS high,
                {quote_literal(interval_source)} || CASE WHEN bounded AND (raw_low < 0 OR raw_high > 1)
                    THEN {quote_literal(CLAMPED)} ELSE '' END AS source
            FROM scored)
        SELECT coalesce(m, '(null)') || coalesce({separator} || mg, '') AS model, org AS organization,
            strftime(d, '%Y-%m-%d') AS released, strftime(d, '%Y-%m-%d') AS date,
            coalesce(t, '(null)') || coalesce({separator} || tg, '') AS task,
            value, CASE WHEN raw_low IS NOT NULL AND raw_high IS NOT NULL THEN low END AS low,
            CASE WHEN raw_low IS NOT NULL AND raw_high IS NOT NULL THEN high END AS high,
            CASE WHEN raw_low IS NOT NULL AND raw_high IS NOT NULL
                THEN format('[{{:.3f}}, {{:.3f}}] ({{}})', low, high, source) ELSE 'none' END AS interval,
            n, CASE WHEN n_errors > 0 THEN {quote_literal(PARTIAL)} ELSE {quote_literal(OK)} END AS status,
            CASE WHEN n_errors > 0 THEN format('{{}} of {{}} rows failed', n_errors, n)
                || coalesce(': ' || why, '') END AS note,
            link, {"".join(f"{name}, " for _, name in _shipped(columns))}
            max(value) OVER (PARTITION BY tg, t ORDER BY d RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                AS frontier
        FROM ended ORDER BY task, d, model"""


def left_out_sql(columns: TimelineColumns) -> str:
    """SQL of what a timeline leaves out, in one row: the models without a release date (undated, with up to
    three of their names, names) and the (model, task) pairs with a date but without a score (unscored)."""
    separator = quote_literal(" \u00b7 ")
    return f"""
        WITH rows AS ({_rows_sql(columns)}), groups AS ({_groups_sql(columns)}),
        undated AS (SELECT DISTINCT mg, m FROM groups WHERE d IS NULL)
        SELECT (SELECT count(*) FROM undated) AS undated,
            (SELECT string_agg(name, ', ' ORDER BY name) FROM (SELECT coalesce(m, '(null)')
                || coalesce({separator} || mg, '') AS name FROM undated ORDER BY name LIMIT 3)) AS names,
            (SELECT count(*) FROM groups WHERE d IS NOT NULL AND value IS NULL) AS unscored"""
