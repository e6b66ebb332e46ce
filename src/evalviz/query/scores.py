"""The statements of the score charts (`scores_by_task`, `scores_by_model`, `scores_by_factor`): rows of an evals
table aggregated into one mark per (model[, task or factor level]) with its interval and status, the levels of a
factor, and how a row's interval is checked.

The charts read the rows as the heatmaps do (`query.cells`): models, tasks and levels are keyed by their typed
values (a NULL and the text "(null)", or two models whose "name · id" labels coincide, stay apart; keys are
unique, labels are only drawn, `query.axes`); a row's status, a mark's status and its note, the overflow-safe
mean and the standard error of several runs (`query.stderr`) are the heatmaps'. A factor's marks average their
tasks' means: a task run twice counts once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from evalviz.constants.statuses import OK
from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.query.axes import NULL_LABEL, axis_values_sql, label_sql, ranked_axis_sql
from evalviz.query.cells import aggregate_sql, cell_aggregates, finite_sql, judged_sql
from evalviz.query.grid_columns import (
    GridColumns,
    filter_field,
    has_reasons,
    has_sample_counts,
    key_parts,
    part_names,
)
from evalviz.query.rows import row_details_sql, row_status_sql
from evalviz.query.stderr import combined_stderr_sql

CLAMPED = ", clamped to [0, 1]"
# Where a mark's interval is missing though its score is there, the tooltip says why (SQL of its text).
_NO_INTERVAL = {
    "n_lows": "'none: the intervals of ' || {count} || ' rows do not combine'",
    "n_one_end": "'none: ' || {count} || ' of ' || {rows} || ' only give one end of their interval'",
    "n_bad_ends": "'none: ' || {count} || ' of ' || {rows} || ' give a NaN or infinite end'",
    "n_bad_se": "'none: ' || {count} || ' of ' || {rows} || ' have a NaN or infinite stderr'",
    "n_no_se": "'none: ' || {count} || ' of ' || {rows} || ' have no stderr'",
}


def _count(expression: str) -> str:
    """SQL of a count as text, with thousands separators ("10,000")."""
    return f"format('{{:,}}', {expression})"


@dataclass(frozen=True)
class ScoreColumns:
    """The columns of an evals table a score chart reads (None: not read), and how it groups them.

    `model_group` / `task_group` are display names that several ids share: the key is then (name, id), drawn
    "name · id". `by_task`: one mark per task (else the tasks of a mark are listed). `factor`: one mark per level
    of it (its tasks averaged first).
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
    completed: str | None = None
    total: str | None = None
    scorer: str | None = None
    score_name: str | None = None
    metric: str | None = None
    filters: tuple[str, ...] = ()  # columns shipped with each mark (one value per mark), as f0, f1, ...
    raw_keys: bool = False  # each mark ships the typed key parts of its model (x_g, x_v) and task (y_g, y_v)

    @property
    def member(self) -> str | None:
        """The column of the second key: the factor, or the task when marks are per task (None: models only)."""
        return self.factor or (self.task if self.by_task else None)

    def grid(self) -> GridColumns:
        """The columns as a heatmap's statements read them: models on x, the second key (tasks or levels) on y.
        Intervals are left out: a score chart builds its own (at its confidence level, saying why one is
        missing)."""
        y_group = None if self.factor else self.task_group
        return GridColumns(x=self.model, x_group=self.model_group, y=self.member or self.model, y_group=y_group,
                           fill=self.value, link=self.link, status=self.status, reason=self.reason,
                           completed=self.completed, total=self.total, scorer=self.scorer,
                           score_name=self.score_name, metric=self.metric, filters=self.filters,
                           raw_keys=self.raw_keys)


@dataclass(frozen=True)
class ModelOrder:
    """How models are ranked: by their mean score ("ascending"/"descending"), or None (input order), after the
    labels of an explicit order."""

    by_value: str | None = None
    explicit: tuple[str | None, ...] = ()


def levels_sql(factor: str, limit: int) -> str:
    """SQL of the distinct values of `factor` in their natural order (false before true): as text ("level", NULL
    for a NULL) and as they are ("value"), at most `limit` of them, and how many there are ("levels")."""
    return (f"SELECT CAST(v AS VARCHAR) AS level, v AS value, count(*) OVER () AS levels FROM "
            f"(SELECT DISTINCT {q(factor)} AS v FROM this) ORDER BY v NULLS LAST LIMIT {int(limit)}")


def interval_columns(columns: ScoreColumns) -> GridColumns:
    """The columns as the interval check reads a row (`query.intervals.wrong_interval_sql`): models on x, tasks
    on y (models again without tasks), the score, its interval and the row's status."""
    return replace(_task_grid(columns), stderr=columns.stderr, low=columns.low, high=columns.high)


def _task_grid(columns: ScoreColumns) -> GridColumns:
    """The columns with the tasks on y (whatever the chart's second key): how a row's task is keyed and drawn."""
    return replace(columns.grid(), y=columns.task or columns.model, y_group=columns.task_group)


def scores_sql(columns: ScoreColumns, *, z: float, interval_source: str, order: ModelOrder,
               level_labels: dict[str | None, str] | None = None) -> str:
    """SQL of one row per (model[, task or level]) of the table `this`, every combination included (a pair
    without rows has no score, status "no data"), in drawing order.

    Columns: model, model_label, model_pos; task or level with its label and pos (when there is a second key);
    tasks (a factor's marks: the tasks averaged), value (the mean score: finite, or NULL), low and high (its
    interval, clamped to [0, 1] when every score lies there), interval (as text, or why there is none),
    interval_source, n (rows), n_values, status ("ok", "partly failed", "no data", "skipped", "infinite",
    "error"), note (the status explained, as the heatmaps say it), link, scorer, the key parts x_g, x_v,
    y_g, y_v (`columns.raw_keys`), the filter columns f0, f1, ... (`columns.filters`) and bounded.
    """
    grid = columns.grid()
    second = columns.member is not None
    axes = ("x", "y") if second else ("x",)
    name = "level" if columns.factor else "task"
    xs = ranked_axis_sql("x", grid, axis_values_sql("x", grid, "groups", finite_sql("total")),
                         by_value=order.by_value, given=order.explicit)  # type: ignore[arg-type]
    ctes = [f"rows AS MATERIALIZED ({_rows_sql(columns)})", f"groups AS MATERIALIZED ({_groups_sql(columns)})",
            f"xs AS ({xs})"]
    if second:
        ys = (_levels_axis_sql(grid, level_labels) if columns.factor else
              ranked_axis_sql("y", grid, axis_values_sql("y", grid, "groups", finite_sql("total")), by_value=None))
        ctes.append(f"ys AS ({ys})")
    parts = part_names(grid, *axes)
    matched = " AND ".join(f"groups.{p} IS NOT DISTINCT FROM {p[0]}s.{p}" for p in parts)
    keys = ", ".join(f"{axis}s.{axis}, {axis}s.{axis}_label, {axis}s.{axis}o" for axis in axes)
    raw = "".join(f"{p[0]}s.{p}, " for p in parts) if columns.raw_keys else ""
    paired = (f"SELECT {keys}, {raw}groups.* EXCLUDE ({', '.join(parts)}, ord) "
              f"FROM {' CROSS JOIN '.join(f'{axis}s' for axis in axes)} LEFT JOIN groups ON {matched}")
    renamed = ["x AS model", "x_label AS model_label", "xo AS model_pos"]
    if second:
        renamed += [f"y AS {name}", f"y_label AS {name}_label", f"yo AS {name}_pos"]
    kept = ["value", "low", "high", "interval", "interval_source", "n", "n_values", "status", "note",
            *(["link"] if columns.link else []), *(["scorer"] if columns.scorer else []),
            *(["tasks"] if columns.factor and columns.task else []),
            *(parts if columns.raw_keys else []), *(filter_field(i) for i in range(len(columns.filters))), "bounded"]
    return f"""
        WITH {', '.join(ctes)}
        SELECT {', '.join(renamed + kept)} FROM ({_intervals_sql(judged_sql(paired, grid, 'mean'), columns, z,
                                                                 interval_source)})
        ORDER BY {', '.join(f'{axis}o' for axis in axes)}"""


def _rows_sql(columns: ScoreColumns) -> str:
    """SQL of the rows as `query.cells.rows_sql` reads them (key parts, f, st, why, ord, v, lnk, done, planned,
    scorer), with the task's key parts and label (t_g, t_v, t_label) when a factor's marks list their tasks, and
    the interval's parts: se (a finite stderr), se_raw, lo and hi (finite ends), lo_raw and hi_raw."""
    grid = columns.grid()
    status, reason = row_status_sql(status=grid.status, reason=grid.reason, error=None)
    select = [f"{q(column)} AS {name}" for axis in "xy" for column, name in key_parts(grid, axis)
              if axis == "x" or columns.member is not None]
    select += [f"CAST({q(columns.value)} AS DOUBLE) AS f", f"{status} AS st", f"{reason} AS why",
               "row_number() OVER () AS ord"]
    if columns.factor and columns.task:
        # The task's key parts (t_g, t_v) and its label, drawn as a task axis draws it.
        task_parts = [(c, name.replace("y_", "t_")) for c, name in key_parts(_task_grid(columns), "y")]
        select += [f"{q(c)} AS {name}" for c, name in task_parts]
    select += row_details_sql(grid)
    select += [f"{q(column)} AS {filter_field(i)}" for i, column in enumerate(columns.filters)]
    for name, column in (("se_raw", columns.stderr), ("lo_raw", columns.low), ("hi_raw", columns.high)):
        select.append(f"CAST({q(column)} AS DOUBLE) AS {name}" if column else f"CAST(NULL AS DOUBLE) AS {name}")
    return (f"SELECT *, CASE WHEN st = {quote_literal(OK)} AND NOT isnan(f) THEN f END AS v, "
            f"{finite_sql('se_raw')} AS se, {finite_sql('lo_raw')} AS lo, {finite_sql('hi_raw')} AS hi "
            f"FROM (SELECT {', '.join(select)} FROM this)")


def _interval_aggregates(columns: ScoreColumns) -> list[str]:
    """SQL of what a group keeps of its rows' intervals: se (the standard error of their mean, `query.stderr`),
    lo and hi (given ends, for a group of one row with a value), and the counts that say why it has none."""
    with_value = "v IS NOT NULL"
    return [
        f"{combined_stderr_sql('mean')} AS se",
        f"CASE WHEN count(v) = 1 THEN max(lo) FILTER (WHERE {with_value}) END AS lo",
        f"CASE WHEN count(v) = 1 THEN max(hi) FILTER (WHERE {with_value}) END AS hi",
        f"count(*) FILTER (WHERE {with_value} AND lo IS NOT NULL AND hi IS NOT NULL) AS n_lows",
        f"count(*) FILTER (WHERE {with_value} AND (lo_raw IS NULL) <> (hi_raw IS NULL)) AS n_one_end",
        f"count(*) FILTER (WHERE {with_value} AND lo_raw IS NOT NULL AND hi_raw IS NOT NULL "
        f"AND (lo IS NULL OR hi IS NULL)) AS n_bad_ends",
        f"count(*) FILTER (WHERE {with_value} AND se_raw IS NOT NULL AND se IS NULL) AS n_bad_se",
        f"count(*) FILTER (WHERE {with_value} AND se_raw IS NULL) AS n_no_se",
    ]


def _groups_sql(columns: ScoreColumns) -> str:
    """SQL of one row per mark that has rows: the key parts and `query.cells.cell_aggregates`' columns, with the
    interval's. A factor's marks are the means of their tasks' means (`_over_tasks_sql`)."""
    grid = columns.grid()
    parts = part_names(grid, "x", "y") if columns.member else part_names(grid, "x")
    aggregates = [*cell_aggregates(grid, "mean"), *_interval_aggregates(columns)]
    if not (columns.factor and columns.task):
        return f"SELECT {', '.join(parts)}, {', '.join(aggregates)} FROM rows GROUP BY {', '.join(parts)}"
    tasks = [name for name in ("t_g", "t_v") if name != "t_g" or columns.task_group]
    # A task's label as a task axis draws it (`query.axes.label_sql`): NULL as "(null)", "name · id" for a group.
    label = f" || {quote_literal(grid.separator)} || ".join(
        f"coalesce(CAST({name} AS VARCHAR), {quote_literal(NULL_LABEL)})" for name in tasks)
    per_task = (f"SELECT {', '.join(parts + tasks)}, {label} AS t_label, {', '.join(aggregates)} "
                f"FROM rows GROUP BY {', '.join(parts + tasks)}")
    return _over_tasks_sql(grid, parts, per_task)


def _over_tasks_sql(grid: GridColumns, parts: list[str], per_task: str) -> str:
    """SQL of the marks of a factor's levels from their tasks' marks (`per_task`): the mean of the tasks' means
    (each task counts once, however often it ran), its standard error sqrt(sum se_t^2) / T when every task with
    a score has one, the rows' counts summed, and the tasks listed."""
    with_value = "total IS NOT NULL AND NOT isnan(total)"
    aggregates = [
        "CAST(sum(n) AS BIGINT) AS n", "min(ord) AS ord", "CAST(sum(n_errors) AS BIGINT) AS n_errors",
        "bool_and(all_skipped) AS all_skipped",
        f"{aggregate_sql('mean', 'CASE WHEN NOT isnan(total) THEN total END')} AS total",
        "CAST(sum(n_values) AS BIGINT) AS n_values", "CAST(sum(n_infinite) AS BIGINT) AS n_infinite",
        combined_stderr_sql("mean", "se", f"CASE WHEN {with_value} THEN total END") + " AS se",
        "CASE WHEN sum(n_values) = 1 THEN max(lo) END AS lo", "CASE WHEN sum(n_values) = 1 THEN max(hi) END AS hi",
        *(f"CAST(sum({n}) AS BIGINT) AS {n}" for n in _NO_INTERVAL),
        "string_agg(t_label, ', ' ORDER BY t_label) AS tasks",
        # A filter column shipped with the marks holds one value per mark (`query.cell_filters`).
        *(f"any_value({filter_field(i)}) AS {filter_field(i)}" for i in range(len(grid.filters))),
    ]
    if has_reasons(grid):
        aggregates.append("string_agg(DISTINCT reason, '; ' ORDER BY reason) AS reason")
    if grid.link:
        aggregates.append("coalesce(min(link) FILTER (WHERE n_errors > 0), min(link)) AS link")
    if has_sample_counts(grid):
        aggregates += ["CAST(sum(done) AS BIGINT) AS done", "CAST(sum(planned) AS BIGINT) AS planned"]
    if grid.scorer:
        aggregates.append("CASE WHEN count(DISTINCT scorer) > 1 THEN 'mixed: ' || string_agg(DISTINCT "
                          "replace(scorer, 'mixed: ', ''), ', ' ORDER BY replace(scorer, 'mixed: ', '')) "
                          "ELSE min(scorer) END AS scorer")
    return (f"SELECT {', '.join(parts)}, {', '.join(aggregates)} FROM ({per_task}) "
            f"GROUP BY {', '.join(parts)}")


def _levels_axis_sql(grid: GridColumns, level_labels: dict[str | None, str] | None) -> str:
    """SQL of a factor's levels as `ranked_axis_sql` gives an axis: in the factor's own order (false before
    true, NULL last), each labelled by `level_labels` (keyed by the level as text, None for NULL), else by its
    text."""
    text = "CAST(y_v AS VARCHAR)"
    cases = " ".join(f"WHEN {text} IS NOT DISTINCT FROM {'NULL' if level is None else quote_literal(level)} "
                     f"THEN {quote_literal(label)}" for level, label in (level_labels or {}).items())
    label = f"CASE {cases} ELSE {label_sql('y', grid)} END" if cases else label_sql("y", grid)
    values = (f"SELECT y_v, {label} AS label, CAST(NULL AS DOUBLE) AS m, "
              f"row_number() OVER (ORDER BY y_v NULLS LAST) AS o FROM (SELECT DISTINCT y_v FROM groups)")
    return ranked_axis_sql("y", grid, values, by_value=None)


def _intervals_sql(judged: str, columns: ScoreColumns, z: float, source: str) -> str:
    """SQL of the judged marks (`query.cells.judged_sql`) with their intervals: the ends (given, or value ±
    z se; finite), clamped to [0, 1] when every score lies there, as text with their source, or why there is
    none."""
    if columns.low and columns.high:
        ends = "lo AS raw_low, hi AS raw_high"
    else:
        half = f"CAST({float(z)!r} AS DOUBLE) * se"
        ends = f"{finite_sql(f'value - {half}')} AS raw_low, {finite_sql(f'value + {half}')} AS raw_high"
    clamped = "CASE WHEN bounded AND {0} IS NOT NULL THEN greatest(0.0, least(1.0, {0})) ELSE {0} END"
    return f"""
        SELECT *, {_interval_text(columns)} AS interval FROM (
            SELECT *, {clamped.format('raw_low')} AS low, {clamped.format('raw_high')} AS high,
                CASE WHEN raw_low IS NOT NULL AND raw_high IS NOT NULL THEN {quote_literal(source)} || CASE WHEN
                    bounded AND (raw_low < 0 OR raw_high > 1) THEN {quote_literal(CLAMPED)} ELSE '' END
                END AS interval_source
            FROM (SELECT *, CASE WHEN value IS NOT NULL THEN raw_low END AS raw_low,
                         CASE WHEN value IS NOT NULL THEN raw_high END AS raw_high
                  FROM (SELECT * EXCLUDE (raw_low, raw_high), raw_low, raw_high,
                            coalesce(min(value) OVER () >= 0 AND max(value) OVER () <= 1, false) AS bounded
                        FROM (SELECT *, {ends} FROM ({judged})))))"""


def _interval_text(columns: ScoreColumns) -> str:
    """SQL of the interval as text ("[0.712, 0.954] (95% CI from stderr)"), or why a score has none (NULL for
    marks without a score, and where the chart reads no interval)."""
    if not (columns.stderr or (columns.low and columns.high)):
        return "CAST(NULL AS VARCHAR)"
    given = columns.low and columns.high
    reasons = ["n_lows", "n_one_end", "n_bad_ends"] if given else ["n_bad_se", "n_no_se"]
    whens = []
    for name in reasons:
        if name == "n_lows":
            whens.append(f"WHEN n_lows > 1 THEN {_NO_INTERVAL[name].format(count=_count('n_lows'))}")
        else:
            text = _NO_INTERVAL[name].format(count=_count(name), rows=f"{_count('n_values')} || ' rows'")
            whens.append(f"WHEN {name} > 0 THEN {text}")
    overflow = "'none: the score ± its interval overflows'" if not given else "'none'"
    # Three decimals, as the scores are written, unless an end is large: then four significant digits.
    ends = ("CASE WHEN greatest(abs(low), abs(high)) < 1e6 THEN format('[{:.3f}, {:.3f}] ({})', low, high, "
            "interval_source) ELSE format('[{:.4g}, {:.4g}] ({})', low, high, interval_source) END")
    return (f"CASE WHEN value IS NULL THEN NULL WHEN low IS NOT NULL AND high IS NOT NULL THEN {ends} "
            f"{' '.join(whens)} ELSE {overflow} END")
