"""The tables the demo draws beside the example data: made in DuckDB, deterministic, and computed with
`evalviz.analysis` from the example samples."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa

import evalviz as ev
from evalviz.analysis import evaluate_slices, paired_diff_between_models

DIFFICULTIES = ["easy", "medium", "hard"]
MIN_SLICE_ROWS = 15  # slices with fewer rows are skipped in the long-form example, as an analysis would
MIN_BOOTSTRAP_ROWS = 12  # evaluate_slices skips (task, difficulty) slices with fewer rows than this
# Three seeds' accuracy over 100 training steps (deterministic): training keeps rising, eval peaks and drifts down.
TRAINING_RUNS = """
    SELECT step * 50 AS step, 'seed ' || seed AS seed,
           0.97 - exp(-step / (12.0 + seed)) * 0.9 + 0.01 * sin(step * (seed + 1)) AS train_accuracy,
           0.8 - exp(-step / (10.0 + seed)) * 0.7 - 0.0006 * step * (seed + 1) + 0.015 * cos(step * 1.7 + seed)
               AS eval_accuracy
    FROM range(100) s(step) CROSS JOIN range(3) r(seed)"""
# Tool calls of 24 agent samples (examples/data has no messages table): a call at every odd message, "submit" last
# unless a token or message limit ended the sample.
TOOL_CALLS_SQL = """
    WITH samples AS (
        SELECT i AS sample, 8 + (i * 7919) % 37 AS length,
            CASE WHEN i % 5 = 0 THEN 'token' WHEN i % 7 = 0 THEN 'message' END AS lim
        FROM range(1, 25) AS t(i)),
    messages AS (SELECT sample, length, lim, m AS msg FROM samples, range(1, 46) AS r(m) WHERE m <= length)
    SELECT CAST(sample AS VARCHAR) AS id, msg AS "order",
        CASE WHEN msg = length AND lim IS NULL THEN 'submit'
             WHEN msg % 2 = 0 THEN NULL
             ELSE ['bash', 'bash', 'python', 'web_search', 'bash', 'text_editor'][1 + (sample * 31 + msg * 17) % 6]
        END AS tool_call_function,
        lim AS "limit",
        'https://logs.example.com/viewer/#/logs/agent.eval/samples/sample/' || sample || '/1' AS log_viewer
    FROM messages ORDER BY sample, msg"""



def tool_call_messages():
    """A messages table of 24 agent samples (inspect_ai's messages_df columns id, order, tool_call_function,
    limit, log_viewer): a tool call at every odd message, 'submit' last unless a token or message limit ended
    the sample."""
    return ev.Data.from_sql(TOOL_CALLS_SQL)


def judged_samples(samples: ev.Data) -> ev.Data:
    """The example samples with two judges' probabilities that an answer is correct: `judge`, and
    `sharpened_judge` (the same scores pushed towards 0 and 1), from a deterministic pseudo-random number."""
    return samples.derive("""
        SELECT *, CASE WHEN score_match = 1 THEN 0.3 + 0.65 * u ELSE 0.05 + 0.6 * u END AS judge,
               1 / (1 + exp(-3 * ln(judge / (1 - judge)))) AS sharpened_judge
        FROM (SELECT *, (row_number() OVER (ORDER BY sample_id, model, epoch) * 7919 % 997) / 997 AS u
              FROM this)""")


def judge_predictions() -> ev.Data:
    """Two judges' scores of 4,000 answers (2,000 each), deterministic: a 0/1 label (about 30% correct) and a
    score, the label times the judge's signal plus noise, rounded to two decimals (so scores tie)."""
    return ev.Data.from_sql("""
        SELECT model, label, round(label * signal + noise, 2) AS score
        FROM (SELECT CASE WHEN i % 2 = 0 THEN 'judge-small' ELSE 'judge-large' END AS model,
                     CAST(hash(i, 'label') % 100 < 30 AS INTEGER) AS label,
                     CASE WHEN i % 2 = 0 THEN 0.4 ELSE 0.8 END AS signal,
                     (hash(i, 'a') % 1000 + hash(i, 'b') % 1000 + hash(i, 'c') % 1000) / 1000 - 1.5 AS noise
              FROM range(4000) t(i))""")


def accuracy_by_difficulty(samples: ev.Data) -> tuple[np.ndarray, list[str], list[str]]:
    """A 2-D grid: mean `score_match` per difficulty (rows) and model (columns), computed in DuckDB."""
    rows = samples.sql(
        "SELECT metadata_difficulty AS d, model_display_name AS m, avg(score_match) AS v "
        "FROM this GROUP BY ALL"
    ).to_pylist()
    models = sorted({r["m"] for r in rows})
    grid = np.full((len(DIFFICULTIES), len(models)), np.nan)
    for r in rows:
        grid[DIFFICULTIES.index(r["d"]), models.index(r["m"])] = r["v"]
    return grid, DIFFICULTIES, models


def slice_gaps(samples: ev.Data) -> ev.Data:
    """A long-form analysis table: per (task and difficulty, model) the accuracy gap to the model's overall
    accuracy, a 95% interval, n, and a status: slices with too few rows are skipped, with the reason."""
    rows = samples.sql("""
        WITH overall AS (SELECT model_display_name AS m, avg(score_match) AS acc FROM this GROUP BY ALL),
        slices AS (
            SELECT task_display_name AS task, metadata_difficulty AS difficulty, model_display_name AS model,
                   avg(score_match) AS acc, count(score_match) AS n
            FROM this GROUP BY ALL
        )
        SELECT task || ' / ' || difficulty AS slice, model, slices.acc, n, overall.acc AS overall
        FROM slices JOIN overall ON overall.m = slices.model
        ORDER BY task, list_position(['easy', 'medium', 'hard'], difficulty), model
    """).to_pylist()
    names = ("slice", "model", "value", "low", "high", "n", "status", "reason")
    out: dict[str, list] = {name: [] for name in names}
    for r in rows:
        skipped = r["n"] < MIN_SLICE_ROWS
        gap = None if skipped else r["acc"] - r["overall"]
        half = 1.96 * math.sqrt(r["acc"] * (1 - r["acc"]) / r["n"]) if not skipped else None
        out["slice"].append(r["slice"])
        out["model"].append(r["model"])
        out["value"].append(gap)
        out["low"].append(None if skipped else gap - half)
        out["high"].append(None if skipped else gap + half)
        out["n"].append(r["n"])
        out["status"].append("skipped" if skipped else "ok")
        out["reason"].append(f"{r['n']} rows, fewer than {MIN_SLICE_ROWS}" if skipped else None)
    return ev.Data.from_dataframe(pa.table(out))


def accuracy_by_slice(samples: ev.Data) -> ev.Data:
    """evaluate_slices on the samples: each model's accuracy (`score_match`) per task and difficulty, with
    bootstrap intervals clustered by sample (its two epochs move together). Slices with fewer than
    MIN_BOOTSTRAP_ROWS rows are skipped, with the reason."""
    models = samples.sql("SELECT DISTINCT model_display_name AS m FROM this ORDER BY m")["m"].to_pylist()
    listed = ", ".join("'" + m.replace("'", "''") + "'" for m in models)  # PIVOT ... IN needs its values listed
    wide = samples.sql(f"""
        PIVOT (SELECT task_display_name AS task, metadata_difficulty AS difficulty,
                      task_name || '/' || id AS sample, epoch, model_display_name AS model, score_match
               FROM this)
        ON model IN ({listed}) USING first(score_match)
        ORDER BY task, list_position(['easy', 'medium', 'hard'], difficulty), sample, epoch
    """)
    return evaluate_slices(wide, scorers=models, label=None, metrics="mean", slice_by=["task", "difficulty"],
                           cluster="sample", min_rows=MIN_BOOTSTRAP_ROWS, progress=False)


def large_vs_small(samples: ev.Data) -> ev.Data:
    """paired_diff_between_models: Atlas Large - Atlas Small per task, paired by sample id and epoch."""
    return paired_diff_between_models(samples, "Atlas Small", "Atlas Large", score="match", by="task",
                                      progress=False)


def synthetic_samples(models: int = 40, samples: int = 5000, epochs: int = 2) -> ev.Data:
    """A synthetic samples table too large to draw cell by cell (400,000 rows), made in DuckDB."""
    return ev.Data.from_sql(
        f"""SELECT 'model-' || lpad(CAST(m AS VARCHAR), 2, '0') AS model_display_name,
                   'sample-' || lpad(CAST(s AS VARCHAR), 4, '0') AS id, e + 1 AS epoch,
                   CAST(hash(m, s, e) % 100 < 15 + 2 * m + (s % 40) AS DOUBLE) AS score_match,
                   'https://logs.example.com/viewer/#/logs/model-' || m || '.eval/samples/sample/sample-' || s
                       || '/' || (e + 1) AS log_viewer
            FROM range({models}) a(m), range({samples}) b(s), range({epochs}) c(e)"""
    )
