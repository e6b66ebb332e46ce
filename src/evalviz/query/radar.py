"""The SQL of `scores_radar_by_task`: one vertex per (model, task), each task's scores normalised over the models,
placed on the task's spoke; the spokes with their label positions; and the rings of the radar's grid.

Task i of k lies on the spoke at the angle pi/2 - 2 pi i / k (the first straight up, the others clockwise); a
vertex at radius r on it is at (r cos a, r sin a). A radius of 1 is the outer ring.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from evalviz.constants.statuses import ERROR, OK
from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.query.axes import KEY_MARK
from evalviz.query.cells import finite_sql
from evalviz.query.grid_columns import filter_field
from evalviz.query.rows import row_status_sql

Normalization = Literal["min_max", "percentile", "none"]
NULL_LABEL = "(null)"
SEPARATOR = " \u00b7 "
RINGS = (0.25, 0.5, 0.75, 1.0)  # the rings' radii, as shares of the outer ring
RING_POINTS = 96  # points on a ring's circle
MISSING_RADIUS, MISSING_STEP = 1.07, 0.07  # where a missing vertex's mark sits: beyond the outer ring, stacked
LABEL_GAP = 0.05  # between the outermost mark of a spoke and its task's label (in radii)


@dataclass(frozen=True)
class RadarColumns:
    """The columns a radar reads: models and tasks (each with the display name grouping its ids, when several ids
    share one), the scores, and the optional link, status and error message (None: not read)."""

    model: str
    task: str
    value: str
    model_group: str | None = None
    task_group: str | None = None
    link: str | None = None
    status: str | None = None
    reason: str | None = None
    # Columns with one value per model a selection may filter the polygons on, shipped as f0, f1, ...
    # (`filter_field`), and whether each vertex ships its model's typed key parts (k_g, k_v): what a click selects.
    filters: tuple[str, ...] = ()
    raw_key: bool = False

    def shipped(self) -> list[tuple[str, str]]:
        """(user column, SQL name) of what each vertex ships for its selections."""
        keys = ([(self.model_group, "k_g")] if self.model_group else []) + [(self.model, "k_v")]
        return (keys if self.raw_key else []) + [(column, filter_field(i)) for i, column in enumerate(self.filters)]


@dataclass(frozen=True)
class Scaling:
    """How scores become radii: `normalization` per task over the models, the tasks whose lower scores are
    better (`inverted`, by label), and the fixed min-max `domain` (None: each task's own min and max)."""

    normalization: Normalization
    inverted: tuple[str, ...] = ()
    domain: tuple[float, float] | None = None


def _label_sql(key: str, group: str) -> str:
    """SQL of the label of a key grouped under a display name: "key · name", NULL as "(null)"."""
    return f"coalesce({key}, {quote_literal(NULL_LABEL)}) || coalesce({quote_literal(SEPARATOR)} || {group}, '')"


def _rows_sql(columns: RadarColumns) -> str:
    """SQL of the rows: model and task keys (m, mg, t, tg), the score v of a row that ran (finite, else NULL), its
    status st and reason why, and its link lnk."""
    status, reason = row_status_sql(status=columns.status, reason=columns.reason, error=None)

    def text(column: str | None) -> str:
        return f"CAST({q(column)} AS VARCHAR)" if column else "CAST(NULL AS VARCHAR)"

    # (status and reason are read from the data's own columns alone: a column of its named st or why is not them)
    return f"""
        SELECT {text(columns.model)} AS m, {text(columns.model_group)} AS mg, {text(columns.task)} AS t,
            {text(columns.task_group)} AS tg, {text(columns.link)} AS lnk, {status} AS st, {reason} AS why,
            {"".join(f"{q(c)} AS {name}, " for c, name in columns.shipped())}
            CASE WHEN {status} = {quote_literal(OK)} THEN {finite_sql(f'CAST({q(columns.value)} AS DOUBLE)')} END AS v
        FROM this"""


def _normalized_sql(scaling: Scaling) -> str:
    """SQL of a vertex's normalised score from its raw score (raw; sv: the raw score, negated on inverted tasks)
    and its task's window columns lo, hi (min and max raw score), k (models scored), rk (rank of sv) and ties.
    Min-max shares are taken of halves when the range overflows (-1e308 to 1e308), and kept within [0, 1]."""
    if scaling.normalization == "percentile":  # the mean rank of its ties over the models scored: pandas' pct rank
        return "(rk + (ties - 1) / 2.0) / k"
    if scaling.normalization == "none":
        return "raw"
    lo, hi = ("lo", "hi") if scaling.domain is None else tuple(repr(float(end)) for end in scaling.domain)
    whole = f"CASE WHEN inverted THEN ({hi} - raw) ELSE (raw - {lo}) END / ({hi} - {lo})"
    halves = f"CASE WHEN inverted THEN ({hi} / 2 - raw / 2) ELSE (raw / 2 - {lo} / 2) END / ({hi} / 2 - {lo} / 2)"
    share = f"greatest(0.0, least(1.0, CASE WHEN isfinite({hi} - {lo}) THEN {whole} ELSE {halves} END))"
    return f"CASE WHEN hi = lo THEN 0.5 ELSE {share} END" if scaling.domain is None else share


def _key_sql(label: str, number: str) -> str:
    """SQL of a unique key of a numbered value (a model) drawn by its label: the label when no other value kept
    has it and it holds no KEY_MARK, else the label, KEY_MARK and the value's number (the part after the last
    KEY_MARK is the number, unique: keys are unique whatever the labels hold, a NULL beside the text "(null)")."""
    mark = quote_literal(KEY_MARK)
    return (f"CASE WHEN count(*) OVER (PARTITION BY {label}) = 1 AND NOT contains({label}, {mark}) THEN {label} "
            f"ELSE {label} || {mark} || {number} END")


def _vertices_cte(columns: RadarColumns, scaling: Scaling, most: tuple[int, int]) -> str:
    """The CTEs ending in `vertices`: every (model, task) pair of the first `most` (models, tasks) by label,
    scored or not, with its normalised score among the models kept, and how many models and tasks there are."""
    inverted = ", ".join(quote_literal(label) for label in scaling.inverted) or "NULL"
    clamped = ("CASE WHEN raw < {0} OR raw > {1} THEN 'outside the domain [{0}, {1}]: drawn at its edge' END"
               .format(*scaling.domain) if scaling.domain is not None else "CAST(NULL AS VARCHAR)")
    failed = quote_literal(ERROR)
    shipped = "".join(f", any_value({name}) AS {name}" for _, name in columns.shipped())
    return f"""
        rows AS MATERIALIZED ({_rows_sql(columns)}),
        every_model AS (SELECT *, {_label_sql('m', 'mg')} AS model,
                               row_number() OVER (ORDER BY {_label_sql('m', 'mg')}, m, mg) - 1 AS mi
                        FROM (SELECT mg, m{shipped} FROM rows GROUP BY mg, m)),
        models AS (SELECT *, {_key_sql('model', 'mi')} AS model_key, (SELECT count(*) FROM every_model) AS all_models
                   FROM every_model WHERE mi < {int(most[0])}),
        every_task AS (SELECT tg, t, {_label_sql('t', 'tg')} AS task,
                              row_number() OVER (ORDER BY {_label_sql('t', 'tg')}, t, tg) - 1 AS ti
                       FROM (SELECT DISTINCT tg, t FROM rows)),
        tasks AS (SELECT *, (SELECT count(*) FROM every_task) AS all_tasks FROM every_task WHERE ti < {int(most[1])}),
        pairs AS (SELECT mg, m, tg, t, avg(v) AS raw, count(*) AS n, count(v) AS n_scored,
                         count(*) FILTER (WHERE st = {failed}) AS n_failed,
                         string_agg(DISTINCT why, '; ' ORDER BY why) AS why,
                         coalesce(min(lnk) FILTER (WHERE st = {failed}), min(lnk)) AS link
                  FROM rows GROUP BY mg, m, tg, t),
        grid AS (SELECT models.model, models.model_key, models.mi, models.all_models, tasks.task, tasks.ti,
                        {"".join(f"models.{name}, " for _, name in columns.shipped())}
                        tasks.all_tasks, pairs.raw, coalesce(pairs.n, 0) AS n,
                        coalesce(pairs.n_scored, 0) AS n_scored, coalesce(pairs.n_failed, 0) AS n_failed,
                        pairs.why, pairs.link, tasks.task IN ({inverted}) AS inverted,
                        CASE WHEN tasks.task IN ({inverted}) THEN -pairs.raw ELSE pairs.raw END AS sv
                 FROM models CROSS JOIN tasks LEFT JOIN pairs
                     ON pairs.m IS NOT DISTINCT FROM models.m AND pairs.mg IS NOT DISTINCT FROM models.mg
                     AND pairs.t IS NOT DISTINCT FROM tasks.t AND pairs.tg IS NOT DISTINCT FROM tasks.tg),
        ranked AS (SELECT *, min(raw) OVER (PARTITION BY ti) AS lo, max(raw) OVER (PARTITION BY ti) AS hi,
                          count(raw) OVER (PARTITION BY ti) AS k,
                          rank() OVER (PARTITION BY ti ORDER BY sv NULLS LAST) AS rk,
                          count(raw) OVER (PARTITION BY ti, sv) AS ties, (SELECT count(*) FROM tasks) AS spokes
                   FROM grid),
        vertices AS (SELECT *, CASE WHEN raw IS NOT NULL THEN {_normalized_sql(scaling)} END AS value,
                            CASE WHEN raw IS NOT NULL THEN {clamped} END AS clamp_note,
                            pi() / 2 - 2 * pi() * ti / spokes AS angle,
                            CASE WHEN raw IS NULL THEN row_number() OVER (PARTITION BY ti, raw IS NULL ORDER BY mi) - 1
                            END AS missing_place
                     FROM ranked)"""


def vertices_sql(columns: RadarColumns, scaling: Scaling, most: tuple[int, int]) -> str:
    """SQL of the radar's vertices, by model then place along its polygon: one per (model, task) of the first
    `most` (models, tasks) by label, and the first task's again at the end (place k, `closing`) to close the
    polygon.

    Columns: model (its label), model_key (unique: `_key_sql`), mi (its number), all_models and all_tasks (how
    many the data has, drawn or not), task, ti (its spoke), place, raw (the mean score of its rows that ran; NULL
    when none did: a missing vertex, never a zero), value (the normalised score), outer_value (the value at the outer
    ring: 1, or without normalisation the largest value when above 1), x and y (NULL when missing:
    the polygon breaks there), mx and my (where a missing vertex's mark sits: beyond the outer ring, stacked
    per spoke), n (rows), n_failed, score (the raw score as text, or why it is missing), note (averaging,
    failures, clamping), inverted, link, closing.

    Example:
        >>> sql = vertices_sql(RadarColumns(model="m", task="t", value="s"), Scaling("percentile"), (20, 40))
        >>> "rank() OVER (PARTITION BY ti ORDER BY sv NULLS LAST)" in sql
        True
    """
    outer = "(SELECT greatest(1.0, max(value)) FROM vertices)" if scaling.normalization == "none" else "1.0"
    return f"""
        WITH {_vertices_cte(columns, scaling, most)},
        placed AS (SELECT *, ti AS place, false AS closing, {outer} AS outer_value FROM vertices UNION ALL
                   SELECT *, spokes AS place, true AS closing, {outer} AS outer_value FROM vertices WHERE ti = 0)
        SELECT model, model_key, mi, all_models, all_tasks, task, ti, place, closing, raw, value, outer_value,
            angle, {"".join(f"{name}, " for _, name in columns.shipped())}
            value / outer_value * cos(angle) AS x, value / outer_value * sin(angle) AS y,
            CASE WHEN raw IS NULL THEN ({MISSING_RADIUS} + {MISSING_STEP} * missing_place) * cos(angle) END AS mx,
            CASE WHEN raw IS NULL THEN ({MISSING_RADIUS} + {MISSING_STEP} * missing_place) * sin(angle) END AS my,
            n, n_failed, inverted, link,
            CASE WHEN raw IS NOT NULL THEN format('{{:.4g}}', raw)
                 WHEN n = 0 THEN 'missing: no row for this model and task'
                 WHEN n_failed > 0 THEN 'missing: ' || n_failed || ' of ' || n || ' rows failed'
                     || coalesce(' (' || why || ')', '')
                 ELSE 'missing: no finite score in ' || n || ' rows' END AS score,
            nullif(concat_ws('; ',
                CASE WHEN n_scored > 1 THEN 'the mean of ' || n_scored || ' rows' END,
                CASE WHEN raw IS NOT NULL AND n_failed > 0 THEN n_failed || ' of ' || n || ' rows failed'
                    || coalesce(' (' || why || ')', '') END,
                CASE WHEN inverted THEN 'lower is better: inverted' END, clamp_note), '') AS note
        FROM placed ORDER BY mi, place"""


def spokes_sql(columns: RadarColumns, scaling: Scaling, most: tuple[int, int]) -> str:
    """SQL of the spokes, one per task of the first `most` (models, tasks) in order: its end on the outer ring
    (x, y), where its label goes (lx, ly: beyond the spoke's missing-vertex marks), the label's align ("left",
    "right" or "center") and baseline ("middle" beside the spoke, "bottom" above the top spoke, "top" below the
    bottom one), and how many models miss it.

    Columns: task, ti, x, y, lx, ly, align, baseline, missing.
    """
    return f"""
        WITH {_vertices_cte(columns, scaling, most)},
        spokes AS (SELECT task, ti, any_value(angle) AS angle, count(*) FILTER (WHERE raw IS NULL) AS missing
                   FROM vertices GROUP BY task, ti),
        placed AS (SELECT *, CASE WHEN missing > 0 THEN {MISSING_RADIUS} + {MISSING_STEP} * (missing - 1)
                                  ELSE 1.0 END + {LABEL_GAP} AS r FROM spokes)
        SELECT task, ti, cos(angle) AS x, sin(angle) AS y, r * cos(angle) AS lx, r * sin(angle) AS ly,
            CASE WHEN abs(cos(angle)) < 0.2 THEN 'center' WHEN cos(angle) > 0 THEN 'left' ELSE 'right' END AS align,
            CASE WHEN abs(cos(angle)) >= 0.2 THEN 'middle' WHEN sin(angle) > 0 THEN 'bottom' ELSE 'top' END
                AS baseline,
            missing
        FROM placed ORDER BY ti"""


def rings_sql(outer: float, spokes: int) -> str:
    """SQL of the rings: RING_POINTS + 1 points around each circle (ring: its share of the outer ring; point: its
    place), each ring's score (`outer` times its share), and where that score is written (lx, ly: halfway between
    the first two of the `spokes`, clear of the marks on them).

    Columns: ring, point, x, y, score, lx, ly.

    Example:
        >>> sql = rings_sql(1.0, 4)
        >>> "range(97)" in sql
        True
    """
    shares = ", ".join(f"(CAST({share!r} AS DOUBLE))" for share in RINGS)
    between = f"pi() / 2 - pi() / {int(spokes)}"
    return f"""
        SELECT ring, point, ring * cos(2 * pi() * point / {RING_POINTS}) AS x,
            ring * sin(2 * pi() * point / {RING_POINTS}) AS y, ring * {float(outer)!r} AS score,
            ring * cos({between}) AS lx, ring * sin({between}) AS ly
        FROM (VALUES {shares}) AS shares(ring) CROSS JOIN range({RING_POINTS + 1}) AS points(point)
        ORDER BY ring, point"""
