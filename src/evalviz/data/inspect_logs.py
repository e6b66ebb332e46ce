"""inspect_ai eval logs read by `inspect_ai.analysis` (extra `evalviz[inspect]`), for `Data.from_inspect_logs`.

inspect_ai skips, without a word, a file that is not named as a log is; evalviz refuses such a file when it is
named on its own. With `strict=False` inspect_ai gives the values it could not read as a list of errors beside
the table: evalviz warns with that list, so that what was left out is seen.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evalviz._optional import require
from evalviz.data.sources import PathLike, reason_of
from evalviz.errors import DataSourceError, EvalvizError

KINDS = ("evals", "samples")
# The files inspect_ai reads as logs: any .eval file, and .json files named as inspect_ai names logs, starting
# with the time the eval began (2025-01-31T12-00-00+00-00_task_id.json).
_JSON_LOG_NAME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}[:-]\d{2}[:-]\d{2}.*\.json")
_ERRORS_SHOWN = 5


@dataclass(frozen=True)
class InspectTable:
    """What inspect_ai read from the logs: its pandas DataFrame, and where it came from (for messages)."""

    frame: Any  # a pandas DataFrame (pandas comes with inspect_ai)
    source: str


def read_inspect_logs(path: PathLike | Sequence[PathLike], kind: str, **options: Any) -> InspectTable:
    """One row per eval log ("evals") or per sample ("samples"), as inspect_ai's evals_df/samples_df give.

    Example:
        >>> read_inspect_logs("logs/", "evals").source  # doctest: +SKIP
        "inspect logs (evals) at 'logs/'"
    """
    if kind not in KINDS:
        raise EvalvizError(f"kind must be one of {', '.join(map(repr, KINDS))}, not {kind!r}.")
    paths = [path] if isinstance(path, str | os.PathLike) else list(path) if isinstance(path, Sequence) else None
    if paths is None or not all(isinstance(p, str | os.PathLike) for p in paths):
        raise DataSourceError(f"Give a log file, a folder of logs or a list of them (str or Path), not {path!r}.")
    if not paths:
        raise DataSourceError("No path given: pass a log file, a folder of logs, or a list of them.")
    logs = [os.fspath(p) for p in paths]
    require("inspect_ai")  # says what to install when it is missing
    analysis = require("inspect_ai.analysis")
    for log in logs:
        if "://" not in log and not os.path.exists(log):
            raise DataSourceError(
                f"No inspect log or log folder at {log!r} (working directory: {os.getcwd()!r})."
            )
        if "://" not in log and os.path.isfile(log) and not is_log_name(os.path.basename(log)):
            raise DataSourceError(
                f"{log!r} is not an inspect_ai log file: inspect_ai reads .eval files, and .json logs named as it "
                "names them (2025-01-31T12-00-00+00-00_task_id.json), and would skip this one. For a table of "
                "results (Parquet, CSV, JSONL) use ev.Data.from_file."
            )
    read = analysis.evals_df if kind == "evals" else analysis.samples_df
    options.setdefault("quiet", True)
    listed = ", ".join(map(repr, logs))
    try:
        df = read(logs[0] if len(logs) == 1 else logs, **options)
    except Exception as exc:  # noqa: BLE001 - inspect_ai's errors (zip, JSON, validation, options) say what is wrong
        raise DataSourceError(
            f"inspect_ai could not read the logs at {listed}: {type(exc).__name__}: {reason_of(exc)}"
        ) from exc
    if isinstance(df, tuple):  # strict=False gives (dataframe, errors)
        df, errors = df
        _warn_unread(errors, listed)
    if len(df.columns) == 0:
        raise DataSourceError(
            f"No inspect_ai log was found at {listed}: inspect_ai reads .eval and .json log files, or folders of them."
        )
    shown = logs[0] if len(logs) == 1 else f"{len(logs)} paths"
    return InspectTable(df, f"inspect logs ({kind}) at {shown!r}")


def is_log_name(name: str) -> bool:
    """True for a file name inspect_ai reads as a log: any .eval, and .json named as inspect_ai names logs."""
    return name.endswith(".eval") or _JSON_LOG_NAME.fullmatch(name) is not None


def _warn_unread(errors: Sequence[Any], listed: str) -> None:
    """Warn with inspect_ai's errors of `strict=False`: each value it could not read, and from which log."""
    if not errors:
        return
    shown = "; ".join(str(error) for error in errors[:_ERRORS_SHOWN])
    more = f"; and {len(errors) - _ERRORS_SHOWN} more" if len(errors) > _ERRORS_SHOWN else ""
    warnings.warn(
        f"inspect_ai could not read {len(errors)} value(s) of the logs at {listed}, which are missing (empty) in "
        f"the table: {shown}{more}. Read with strict=True (the default) to stop at the first.",
        stacklevel=4,
    )
