"""The table a command draws: a file of results, or a folder of inspect_ai logs read with a progress bar and
prepared as the example data is (display names of models and tasks, scores as floats)."""

from __future__ import annotations

import sys
from pathlib import Path

from evalviz.data.inspect_logs import KINDS as LOG_TABLES
from evalviz.data.log_tables import log_files, prepared_logs
from evalviz.data.table import Data

__all__ = ["LOG_TABLES", "read_table"]


def read_table(path: str, logs_table: str = "evals", progress: bool | None = None) -> Data:
    """A Parquet, CSV or JSONL file (a glob, or a hive folder of them) as `Data.from_file` reads it; or a folder
    holding inspect_ai logs, as one row per eval log ("evals") or per sample ("samples").

    `progress` shows a bar on stderr while logs are read: None shows it when stderr is a terminal.

    Example:
        >>> len(read_table("examples/data/evals.parquet")) > 0
        True
    """
    folder = Path(path)
    if not (folder.is_dir() and log_files(folder)):
        return Data.from_file(path)
    return prepared_logs(folder, logs_table, sys.stderr.isatty() if progress is None else progress)
