"""`log_report`: the standard, linked report of a folder of inspect_ai logs, on one page.

The page holds a short introduction, a model and a task input publishing into one selection, and the charts and
table that selection filters: the scores heatmap, scores by task with intervals, a sample heatmap per task and a
table of the samples. The evals table (one row per log) gives the headline scores; the samples table (one row per
sample and epoch) gives each sample's value of its log's headline scorer, as a float, in a column `score`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from evalviz.data.connection import quote_identifier, quote_literal
from evalviz.data.log_tables import prepared_logs
from evalviz.data.table import Data
from evalviz.errors import DataSourceError, EmptyDataError
from evalviz.interaction.selection import Selection
from evalviz.publishing.markdown import code, md
from evalviz.publishing.page import Page, page
from evalviz.signatures import checks_signature

if TYPE_CHECKING:
    from evalviz.rendering.component import Component

MODEL = "model_display_name"
TASK = "task_display_name"
SCORE = "score"  # the samples' value of their log's headline scorer
SAMPLE_COLUMNS = (MODEL, TASK, "id", "epoch", "input", "target", SCORE)  # the samples table's columns
TEXT_SHOWN = 200  # characters of a sample's input and target shown in the table (prompts may be pages long)
_WAY_OUT = "Give the folder inspect_ai writes its logs to (`inspect eval --log-dir`, ./logs by default)."


@checks_signature
def log_report(log_dir: str | os.PathLike[str], *, title: str | None = None, progress: bool = False) -> Page:
    """The standard report of a folder of inspect_ai logs: inputs, linked charts and a samples table, on one page.

    A model drop-down and task checkboxes filter every chart and the table, in a notebook and in the saved page
    alike: the scores heatmap (each log's headline score), scores by task with 95% intervals (from the logs'
    standard errors), a sample heatmap per task (each sample's headline score, its epochs averaged) and the table
    of samples. Models and tasks are shown by their display names (`ev.model_info`, `ev.task_info`).

    Args:
        log_dir: A folder of inspect_ai logs (.eval, or .json named as inspect_ai names them), or one log file.
        title: The page's title; "Evaluation report: <folder name>" when not given.
        progress: Show a bar counting the logs read, on stderr (the command line shows it on a terminal).

    Returns:
        A `Page`: shown in a notebook, written with `write_html(path)`.

    Raises:
        DataSourceError: No folder at `log_dir`, or no inspect_ai log in it.
        EmptyDataError: The logs hold no scores (evals run without a scorer, or cancelled before scoring).

    Example:
        >>> import evalviz as ev
        >>> from evalviz.publishing.report import log_report
        >>> log_report("logs/").write_html("report.html")  # doctest: +SKIP
    """
    # The views are imported when a report is built (`import evalviz` imports this module), from their modules.
    from evalviz.interaction.inputs.checkbox_group import checkbox_group
    from evalviz.interaction.inputs.select import select
    from evalviz.interaction.table import table
    from evalviz.views.scores import scores_heatmap
    from evalviz.views.scores_by_task import scores_by_task

    folder = _checked_folder(log_dir)
    evals = _evals(folder, progress)
    samples = _samples(folder, _headline_columns(evals), progress)
    picked = Selection.intersect()
    inputs = [
        select(evals, MODEL, target=picked, label="Model"),
        checkbox_group(evals, TASK, target=picked, label="Tasks"),
    ]
    charts = [
        scores_heatmap(evals, filter_by=picked, title="Headline score by model and task"),
        scores_by_task(evals, filter_by=picked, title="Scores by task (95% intervals)"),
        *_sample_heatmaps(samples, picked),
        table(_table_rows(samples), filter_by=picked, select="none"),
    ]
    return _layout(_intro(evals, folder), inputs, charts, title or f"Evaluation report: {folder.name}")


def _checked_folder(log_dir: str | os.PathLike[str]) -> Path:
    """The folder (or log file) as a Path, or an error naming it and what to give instead."""
    if not isinstance(log_dir, str | os.PathLike):
        raise DataSourceError(f"log_report takes a folder of inspect_ai logs (a str or Path), not {log_dir!r}. "
                              f"{_WAY_OUT}")
    folder = Path(log_dir)
    if not folder.exists():
        raise DataSourceError(f"No folder of inspect_ai logs at {str(folder)!r} (working directory: "
                              f"{os.getcwd()!r}). {_WAY_OUT}")
    return folder


def _evals(folder: Path, progress: bool) -> Data:
    """One row per log, with display names; an error when no log is found or none holds a score."""
    try:
        evals = prepared_logs(folder, "evals", progress)
    except DataSourceError as exc:
        raise DataSourceError(f"No report can be built from {str(folder)!r}: {exc} {_WAY_OUT}") from exc
    scored = "score_headline_value" in evals.columns and evals.sql(
        'SELECT count("score_headline_value") AS n FROM this').column("n")[0].as_py() > 0
    if not scored:
        raise EmptyDataError(
            f"The {len(evals)} inspect_ai log(s) at {str(folder)!r} hold no scores: they were run without a "
            "scorer, or stopped before scoring. Score them (`inspect score LOG_FILE`) or run the evals with a "
            "scorer, then build the report again."
        )
    return evals


def _headline_columns(evals: Data) -> dict[str, str]:
    """Each log's headline scorer as the samples table names its column: eval id -> "score_<scorer>"."""
    rows = evals.sql('SELECT "eval_id", "score_headline_name" FROM this WHERE "score_headline_name" IS NOT NULL')
    return {row["eval_id"]: f"score_{row['score_headline_name']}" for row in rows.to_pylist()}


def _samples(folder: Path, headline: dict[str, str], progress: bool) -> Data:
    """One row per sample and epoch, with display names and `score`: the value of its log's headline scorer."""
    samples = prepared_logs(folder, "samples", progress)
    cases = " ".join(
        f"WHEN {quote_literal(eval_id)} THEN {quote_identifier(column)}"
        for eval_id, column in headline.items() if column in samples.columns
    )
    score = f"CASE \"eval_id\" {cases} END" if cases else "NULL"
    shown = samples.derive(f"SELECT *, CAST({score} AS DOUBLE) AS {quote_identifier(SCORE)} FROM this")
    return Data.from_dataframe(shown.to_arrow())  # read once: each chart then scans a table, not this SQL


def _sample_heatmaps(samples: Data, picked: Selection) -> list[Component]:
    """A sample heatmap per task holding scored samples, in task order."""
    from evalviz.views.samples import sample_heatmap

    tasks = samples.sql(f'SELECT DISTINCT "task_name", {quote_identifier(TASK)} AS shown FROM this '
                        f'WHERE {quote_identifier(SCORE)} IS NOT NULL ORDER BY shown, "task_name"')
    return [
        sample_heatmap(samples.where('"task_name" = ?', [task["task_name"]]), score_value=SCORE,
                             filter_by=picked, title=f"Samples of {task['shown']}")
        for task in tasks.to_pylist()
    ]


def _table_rows(samples: Data) -> Data:
    """The samples table's rows: `SAMPLE_COLUMNS`, with long inputs and targets cut to their first characters."""

    def shown(column: str) -> str:
        text = f"CAST({quote_identifier(column)} AS VARCHAR)"
        return (f"CASE WHEN length({text}) > {TEXT_SHOWN} THEN left({text}, {TEXT_SHOWN - 1}) || chr(8230) "
                f"ELSE {text} END AS {quote_identifier(column)}")

    listed = ", ".join(shown(c) if c in ("input", "target") else quote_identifier(c) for c in SAMPLE_COLUMNS)
    return samples.derive(f"SELECT {listed} FROM this")


def _intro(evals: Data, folder: Path) -> str:
    """The page's opening paragraph: how many logs, models and tasks, and where they were read."""
    counts = evals.sql(f"SELECT count(*) AS logs, count(DISTINCT {quote_identifier(MODEL)}) AS models, "
                       f"count(DISTINCT {quote_identifier(TASK)}) AS tasks FROM this").to_pylist()[0]
    plural = {key: "" if value == 1 else "s" for key, value in counts.items()}
    return (
        f"{counts['logs']} log{plural['logs']} of {counts['models']} model{plural['models']} on "
        f"{counts['tasks']} task{plural['tasks']}, read from {code(str(folder))}. Pick a model or tasks above the "
        "charts: every chart and the samples table follow."
    )


def _layout(intro: str, inputs: list[Component], charts: list[Component], title: str) -> Page:
    """The page: the introduction, the inputs side by side, then the charts one under another."""
    return page(md(intro), inputs, *charts, title=title)
