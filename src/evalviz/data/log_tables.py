"""A folder of inspect_ai logs read as the views want it: one row per eval log or per sample, samples with their
eval's task and model, models and tasks by display name, sample scores as floats, and the rows held in memory
(the logs are read whole by inspect_ai anyway, and each chart then scans a table rather than the preparation's
SQL again)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from evalviz._optional import require
from evalviz.data.inspect_logs import KINDS, is_log_name, read_inspect_logs
from evalviz.data.prepare import model_info, prepare, score_to_float, task_info
from evalviz.data.table import Data
from evalviz.errors import DataSourceError


def log_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The inspect_ai log files in `folder` and its subfolders, in name order (the folder itself when it is a
    log file).

    Example:
        >>> log_files("examples/data")
        []
    """
    root = Path(folder)
    if root.is_file():
        return [root] if is_log_name(root.name) else []
    return sorted(path for path in root.rglob("*") if path.is_file() and is_log_name(path.name))


def prepared_logs(folder: str | os.PathLike[str], kind: str = "evals", progress: bool = False) -> Data:
    """The logs in `folder`, one by one (so a progress bar can count them), as one table ready for the views.

    Args:
        folder: A folder of inspect_ai logs (searched with its subfolders), or one log file.
        kind: "evals" (one row per log) or "samples" (one row per sample and epoch, with its eval's task and
            model columns).
        progress: Show a bar counting the logs on stderr.

    Returns:
        The table: `model_display_name` and `task_display_name` added (`model_info`, `task_info`), and for
        samples every `score_<scorer>` column as a float (`score_to_float`).

    Raises:
        DataSourceError: No log in `folder`, a log inspect_ai cannot read, or a `kind` that is neither.

    Example:
        >>> samples = prepared_logs("logs/", "samples")  # doctest: +SKIP
    """
    if kind not in KINDS:
        raise DataSourceError(f"A folder of logs is read as 'evals' or 'samples', not {kind!r}.")
    logs = log_files(folder)
    if not logs:
        raise DataSourceError(f"No inspect_ai log (.eval, or .json named as inspect_ai names logs) was found at "
                              f"{os.fspath(folder)!r}.")
    options = {}
    if kind == "samples":  # each sample with its eval's task and model, as the sample views need
        analysis = require("inspect_ai.analysis")
        options["columns"] = [*analysis.EvalTask, *analysis.EvalModel, *analysis.SampleSummary]
    from tqdm import tqdm  # only a command line shows it
    frames = [read_inspect_logs(log, kind, **options).frame
              for log in tqdm(logs, desc="Reading inspect logs", unit="log", disable=not progress, file=sys.stderr)]
    pandas = sys.modules[type(frames[0]).__module__.split(".")[0]]  # inspect_ai's dataframes are pandas'
    table = Data.from_dataframe(pandas.concat(frames, ignore_index=True))
    scores = [column for column in table.columns if column.startswith("score_")] if kind == "samples" else []
    prepared = prepare(table, model_info(), task_info({}), *([score_to_float(scores)] if scores else []))
    return Data.from_dataframe(prepared.to_arrow())
