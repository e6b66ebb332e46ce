"""`Data.from_inspect_logs`: inspect_ai eval logs read by `inspect_ai.analysis` (extra `evalviz[inspect]`)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from evalviz._optional import require
from evalviz.data.sources import PathLike, reason_of
from evalviz.errors import DataSourceError, EvalvizError

if TYPE_CHECKING:
    from evalviz.data.table import Data

KINDS = ("evals", "samples")


def read_inspect_logs(
    cls: type[Data], path: PathLike | Sequence[PathLike], kind: str, **options: Any
) -> Data:
    """One row per eval log ("evals") or per sample ("samples"), as inspect_ai's evals_df/samples_df give."""
    if kind not in KINDS:
        raise EvalvizError(f"kind must be one of {', '.join(map(repr, KINDS))}, not {kind!r}.")
    paths = [path] if isinstance(path, str | os.PathLike) else list(path)
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
        df = df[0]
    if len(df.columns) == 0:
        raise DataSourceError(
            f"No inspect_ai log was found at {listed}: inspect_ai reads .eval and .json log files, or folders of them."
        )
    data = cls.from_dataframe(df)
    shown = logs[0] if len(logs) == 1 else f"{len(logs)} paths"
    return data._derived(data.relation, f"inspect logs ({kind}) at {shown!r}")
