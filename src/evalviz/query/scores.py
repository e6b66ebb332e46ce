"""The statements of the score charts (`scores_by_task`, `scores_by_model`, `scores_by_factor`): rows of an evals
table aggregated into one mark per (model[, task][, factor level]) with its interval and status, and the levels
of a factor.

Several rows of one group (repeated runs of one eval) become their mean; its standard error is that of a mean of
independent estimates, sqrt(sum se_i^2) / k, when every row with a score has one. Intervals given as `low`/`high`
ends do not combine: a group of several rows has none, and its note says why. Intervals are clamped to [0, 1]
when every score lies in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

from evalviz.constants.statuses import ERROR, NO_DATA, OK, PARTIAL
from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.query.rows import row_status_sql, scorer_sql

NULL_LABEL = "(null)"  # the label of a NULL model, task or level
SEPARATOR = " \u00b7 "  # joins a display name and the id it stands for, when names are shared
MAX_NOTE_CHARS = 300  # a group's note (its status and reasons) is cut to this many characters
CLAMPED = ", clamped to [0, 1]"
ELLIPSIS = "\u2026"


def _count(expression: str) -> str:
    """SQL of a count as text, with thousands separators ("10,000")."""
    return f"format('{{:,}}', {expression})"


@dataclass(frozen=True)
class ScoreColumns:
    """The columns of an evals table a score chart reads (None: not read), and how it groups them.

    `model_group` / `task_group` are display names that several ids share: the label is then "name · id".
    `by_task`: one mark per task (else the tasks of a group are listed). `factor`: one mark per level of it.
    """

    model: str
    value: str
    model_group: str | None = None
    task: str | None = None
    task_group: str | None = None
    by_task: bool = True
    factor: str | None = None
    stderr: str | None = None
    low: str | None = None
    high: str | None = None
    link: str | None = None
    status: str | None = None
    reason: str | None = None
    scorer: str | None = None
    score_name: str | None = None
    metric: str | None = None


@dataclass(frozen=True)
class ModelOrder:
    """How models are ranked: by their mean score ("ascending"/"descending"), or None (input order), after the
    labels of an explicit order."""

    by_value: str | None = None
    explicit: tuple[str | None, ...] = ()


def levels_sql(factor: str, limit: int) -> str:
    """SQL of the distinct values of `factor` in their natural order (false before true), as text ("level", NULL
    for a NULL), at most `limit` of them, and how many there are ("levels")."""
    return (f"SELECT CAST(v AS VARCHAR) AS level, count(*) OVER () AS levels FROM "
            f"(SELECT DISTINCT {q(factor)} AS v FROM this) ORDER BY v NULLS LAST LIMIT {int(limit)}")


def scores_sql(columns: ScoreColumns, *, z: float, interval_source: str, order: ModelOrder,
               level_labels: dict[str, str] | None = None) -> str:
    """SQL of one row per (model, task, level) of the table `this`, every combination of them included (a pair
    without rows has no score, status "no data").

    Columns: model, task and level (labels; task and level NULL when not grouped by them), model_pos, task_pos
    and level_pos (drawing order from 0), tasks (the tasks of the group, listed, when not grouped by task),
    value (the mean score of the rows that ran; NULL without one), low and high (its interval, NULL without
    one), interval (the interval as text, or why there is none), interval_source, n (rows), status ("ok",
    "partly failed", "no data", "error"), note (the status explained, NULL for "ok"), link, scorer and bounded
    (every score lies in [0, 1], so intervals are clamped there).
    """
    keys = ["model"] + (["task"] if columns.by_task and columns.task else []) + (["level"] if columns.factor else [])
    return f"""
        WITH rows AS MATERIALIZED ({_rows_sql(columns, level_labels)}),
        bounds AS (SELECT coalesce(min(v) >= 0 AND max(v) <= 1, false) AS bounded FROM rows),
        groups AS (SELECT {', '.join(keys)}, {', '.join(_aggregates(columns))} FROM rows GROUP BY ALL),
        {_axes_sql(keys, order)}
        SELECT * EXCLUDE (n, raw_low, raw_high, lo, hi, se, n_values, n_errors, n_lows, reason, full_note),
            coalesce(n, 0) AS n, {_cut("full_note")} AS note, {_interval_text()} AS interval
        FROM (SELECT *, {_note_sql()} AS full_note,
                  {_clamped("raw_low")} AS low, {_clamped("raw_high")} AS high,
                  CASE WHEN raw_low IS NOT NULL THEN {quote_literal(interval_source)} || CASE WHEN bounded
                      AND (raw_low < 0 OR raw_high > 1) THEN {quote_literal(CLAMPED)} ELSE '' END END
                      AS interval_source
              FROM (SELECT *, {_status_sql()} AS status, {_ends_sql(z, columns)}
                    FROM ({_grid_sql(keys)}) CROSS JOIN bounds))
        ORDER BY {', '.join(f'{key}_pos' for key in keys)}"""


def _label(column: str, group: str | None) -> str:
    text = f"coalesce(CAST({q(column)} AS VARCHAR), '{NULL_LABEL}')"
    if group is None:
        return text
    return f"coalesce(CAST({q(group)} AS VARCHAR), '{NULL_LABEL}') || {quote_literal(SEPARATOR)} || {text}"


def _rows_sql(columns: ScoreColumns, level_labels: dict[str, str] | None) -> str:
    """SQL of the rows as the score charts read them: model, task, level (labels), ord (input order), st ("ok",
    "skipped" or "error"), why, v (the score of a row that ran, when finite), se, lo, hi, lnk, scorer."""
    finite = "CASE WHEN isfinite({0}) THEN {0} END"
    select = [f"{_label(columns.model, columns.model_group)} AS model",
              f"{_label(columns.task, columns.task_group) if columns.task else 'NULL'} AS task",
              f"{_level_sql(columns.factor, level_labels)} AS level", "row_number() OVER () AS ord",
              f"{f'dense_rank() OVER (ORDER BY {q(columns.factor)} NULLS LAST)' if columns.factor else '0'} AS lvl_ord",
              f"{finite.format(f'CAST({q(columns.value)} AS DOUBLE)')} AS f", *_row_status(columns)]
    select.append(f"{finite.format(f'CAST({q(columns.stderr)} AS DOUBLE)')} AS se" if columns.stderr
                  else "CAST(NULL AS DOUBLE) AS se")
    for name, column in (("lo", columns.low), ("hi", columns.high)):
        select.append(f"{finite.format(f'CAST({q(column)} AS DOUBLE)')} AS {name}" if column
                      else f"CAST(NULL AS DOUBLE) AS {name}")
    select.append(f"CAST({q(columns.link)} AS VARCHAR) AS lnk" if columns.link else "CAST(NULL AS VARCHAR) AS lnk")
    select.append(f"{scorer_sql(columns.scorer, columns.score_name, columns.metric)} AS scorer")
    return (f"SELECT *, CASE WHEN st = '{OK}' THEN f END AS v FROM (SELECT {', '.join(select)} FROM this)")


def _level_sql(factor: str | None, level_labels: dict[str, str] | None) -> str:
    if factor is None:
        return "NULL"
    text = f"CAST({q(factor)} AS VARCHAR)"
    cases = " ".join(f"WHEN {text} IS NOT DISTINCT FROM {'NULL' if level is None else quote_literal(level)} "
                     f"THEN {quote_literal(label)}" for level, label in (level_labels or {}).items())
    return f"CASE {cases} ELSE coalesce({text}, '{NULL_LABEL}') END" if cases else f"coalesce({text}, '{NULL_LABEL}')"


def _row_status(columns: ScoreColumns) -> list[str]:
    """SQL of a row's status st ("ok", "skipped", "error") and reason why (`row_status_sql`): the error message
    column makes a row an error."""
    status, reason = row_status_sql(status=columns.status, reason=None, error=columns.reason)
    return [f"{status} AS st", f"{reason} AS why"]


def _aggregates(columns: ScoreColumns) -> list[str]:
    """SQL of what a group keeps of its rows: n, n_values, n_errors, value (the mean), se (of the mean, when
    every row with a score has one), the ends given (for a group of one row with a score), reason, link (a
    failed row's when one has a link, else the first), scorer, tasks and ord."""
    scored = "FILTER (WHERE v IS NOT NULL)"
    aggregates = [
        "count(*) AS n", "count(v) AS n_values", f"count(*) FILTER (WHERE st = '{ERROR}') AS n_errors",
        "avg(v) AS value",
        f"CASE WHEN count(se) {scored} = count(v) THEN sqrt(sum(se * se) {scored}) / count(v) END AS se",
        f"count(lo) {scored} AS n_lows",
        f"CASE WHEN count(v) = 1 THEN max(lo) {scored} END AS lo",
        f"CASE WHEN count(v) = 1 THEN max(hi) {scored} END AS hi",
        f"string_agg(DISTINCT why, '; ' ORDER BY why) FILTER (WHERE st <> '{OK}') AS reason",
        f"coalesce(min(lnk) FILTER (WHERE st = '{ERROR}'), min(lnk)) AS link",
        f"string_agg(DISTINCT scorer, ', ' ORDER BY scorer) {scored} AS scorer",
        "min(ord) AS ord", "min(lvl_ord) AS lvl_ord",
    ]
    if columns.task and not columns.by_task:
        aggregates.append("string_agg(DISTINCT task, ', ' ORDER BY task) AS tasks")
    return aggregates


def _axes_sql(keys: list[str], order: ModelOrder) -> str:
    """SQL of a CTE per key with its values and their drawing order `<key>_pos`: models ranked by `order`,
    tasks in the order they come, levels in the factor's own order (false before true)."""
    ranked = {"descending": "m DESC NULLS LAST", "ascending": "m ASC NULLS LAST"}
    ctes = []
    for key in keys:
        order_by = ["lvl_ord", "o", key] if key == "level" else ["o", key]
        join = ""
        if key == "model" and order.by_value:
            order_by.insert(0, ranked[order.by_value])
        if key == "model" and order.explicit:
            rows = ", ".join(f"({quote_literal(NULL_LABEL if label is None else label)}, {i})"
                             for i, label in enumerate(order.explicit))
            join = f" LEFT JOIN (VALUES {rows}) AS given(given_label, given_at) ON given.given_label = vals.{key}"
            order_by.insert(0, "given_at NULLS LAST")
        ctes.append(f"""{key}s AS (SELECT {key}, row_number() OVER (ORDER BY {', '.join(order_by)}) - 1 AS {key}_pos
            FROM (SELECT {key}, avg(value) AS m, min(ord) AS o, min(lvl_ord) AS lvl_ord FROM groups GROUP BY {key})
                AS vals{join})""")
    return ",\n        ".join(ctes)


def _grid_sql(keys: list[str]) -> str:
    """SQL of every combination of the keys' values, with its group (NULL columns for one without rows)."""
    axes = " CROSS JOIN ".join(f"{key}s" for key in keys)
    matched = " AND ".join(f"groups.{key} = {key}s.{key}" for key in keys)
    values = ", ".join(f"{key}s.{key}, {key}s.{key}_pos" for key in keys)
    return (f"SELECT {values}, groups.* EXCLUDE ({', '.join(keys)}, ord, lvl_ord) "
            f"FROM {axes} LEFT JOIN groups ON {matched}")


def _status_sql() -> str:
    return (f"CASE WHEN n IS NULL THEN '{NO_DATA}' WHEN value IS NULL AND n_errors > 0 THEN '{ERROR}' "
            f"WHEN value IS NULL THEN '{NO_DATA}' WHEN n_errors > 0 THEN '{PARTIAL}' ELSE '{OK}' END")


def _ends_sql(z: float, columns: ScoreColumns) -> str:
    """SQL of the interval's ends before clamping: given ends (low/high), or value ± z * se."""
    if columns.low and columns.high:
        return "lo AS raw_low, hi AS raw_high"
    half = f"CAST({float(z)!r} AS DOUBLE) * se"
    return f"value - {half} AS raw_low, value + {half} AS raw_high"


def _note_sql() -> str:
    """SQL of a group's note: what its status means, with the reasons its rows give."""
    failed = f"{_count('n_errors')} || ' of ' || {_count('n')} || ' rows failed'"
    note = (f"CASE status WHEN '{OK}' THEN NULL "
            f"WHEN '{PARTIAL}' THEN '{PARTIAL}: ' || {failed} "
            f"WHEN '{ERROR}' THEN CASE WHEN n = 1 THEN 'error' WHEN n_errors = n THEN 'error (all ' || "
            f"{_count('n')} || ' rows)' ELSE 'error (' || {failed} || '; the others have no score)' END "
            f"ELSE CASE WHEN n IS NULL THEN 'no score: no eval' ELSE 'no score (NULL or NaN)' END END")
    return f"CASE WHEN status <> '{OK}' AND reason <> '' THEN {note} || ': ' || reason ELSE {note} END"


def _clamped(column: str) -> str:
    """SQL of an interval's end, clamped to [0, 1] when scores are bounded there (NULL stays NULL)."""
    return f"CASE WHEN bounded AND {column} IS NOT NULL THEN greatest(0.0, least(1.0, {column})) ELSE {column} END"


def _cut(column: str) -> str:
    """SQL of the text in `column`, cut to MAX_NOTE_CHARS characters."""
    return (f"CASE WHEN length({column}) > {MAX_NOTE_CHARS} THEN left({column}, {MAX_NOTE_CHARS - 1}) || "
            f"{quote_literal(ELLIPSIS)} ELSE {column} END")


def _interval_text() -> str:
    """SQL of the interval as text ("[0.712, 0.954] (95% CI from stderr)"), or why a score has none."""
    return ("CASE WHEN low IS NOT NULL THEN format('[{:.3f}, {:.3f}] ({})', low, high, interval_source) "
            "WHEN value IS NOT NULL AND n_lows > 1 THEN 'none: the intervals of ' || "
            f"{_count('n_lows')} || ' rows do not combine' END")
