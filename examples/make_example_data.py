"""Build the bundled example tables from real inspect_ai logs of mock models.

Usage: python examples/make_example_data.py [--out examples/data]

Runs the evals of `example_logs.write_logs` into a temporary directory, reads the logs with
inspect_ai.analysis (`evals_df`, `samples_df`), prepares them (display names, log viewer links,
float scores) and writes `evals.parquet` and `samples.parquet`. Scores and names are the same on
every run; inspect's ids, timestamps and timings are not.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from inspect_ai.analysis import (
    EvalModel,
    EvalTask,
    SampleSummary,
    evals_df,
    log_viewer,
    model_info,
    prepare,
    samples_df,
    score_to_float,
    task_info,
)
from inspect_ai.model import ModelInfo

from example_logs import write_logs

VIEWER_URL = "https://logs.example.com/viewer/"

MODEL_INFO = {
    "mockllm/atlas-large": ModelInfo(
        organization="Atlas Labs", model="Atlas Large", release_date=date(2025, 9, 2)
    ),
    "mockllm/atlas-small": ModelInfo(
        organization="Atlas Labs", model="Atlas Small", release_date=date(2025, 9, 2)
    ),
    "mockllm/borealis": ModelInfo(
        organization="Borealis AI", model="Borealis", release_date=date(2025, 4, 15)
    ),
    "mockllm/cirrus-mini": ModelInfo(
        organization="Cirrus", model="Cirrus Mini", release_date=date(2024, 11, 20)
    ),
    "mockllm/delta-pro": ModelInfo(
        organization="Delta Systems", model="Delta Pro", release_date=date(2026, 1, 8)
    ),
}

TASK_DISPLAY_NAMES = {
    "arithmetic": "Arithmetic",
    "capitals": "World Capitals",
    "spelling": "Backwards Spelling",
    "logic_puzzles": "Logic Puzzles",
}


def _finish(df: pd.DataFrame, log_dir: Path, sort_by: list[str]) -> pd.DataFrame:
    """Drop all-empty and machine-specific columns, make `log` relative to `log_dir`, sort the rows."""
    # inspect records the git revision of the working directory the evals ran in, not of the evals.
    df = df.dropna(axis="columns", how="all").drop(columns=["git_origin", "git_commit"], errors="ignore")
    df["log"] = df["log"].map(lambda log: Path(log).relative_to(log_dir).as_posix())

    def sort_key(column: pd.Series) -> pd.Series:
        # Sort integer sample ids (stored as strings) numerically.
        return column.map(lambda v: v.zfill(9) if v.isdigit() else v) if column.name == "id" else column

    return df.sort_values(sort_by, key=sort_key, ignore_index=True)


def build_tables(log_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The prepared evals and samples tables for the logs in `log_dir`."""
    log_dir = log_dir.resolve()
    common = [model_info(MODEL_INFO), task_info(TASK_DISPLAY_NAMES)]
    url_mapping = {str(log_dir): VIEWER_URL}

    evals = prepare(evals_df(log_dir, quiet=True), [*common, log_viewer("eval", url_mapping)])

    samples = samples_df(log_dir, columns=[*EvalTask, *EvalModel, *SampleSummary], quiet=True)
    score_columns = [column for column in samples.columns if column.startswith("score_")]
    samples = prepare(samples, [*common, log_viewer("sample", url_mapping), score_to_float(score_columns)])
    return (
        _finish(evals, log_dir, ["task_name", "model"]),
        _finish(samples, log_dir, ["task_name", "model", "id", "epoch"]),
    )


def main() -> None:
    """Write `evals.parquet` and `samples.parquet` into the output directory."""
    parser = argparse.ArgumentParser(description="Build the example Parquet tables from inspect_ai logs.")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data", help="output directory")
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        write_logs(tmp)
        tables = dict(zip(("evals", "samples"), build_tables(Path(tmp)), strict=True))
    for name, df in tables.items():
        path = out / f"{name}.parquet"
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path, compression="zstd")
        print(f"{path}: {len(df)} rows, {len(df.columns)} columns")


if __name__ == "__main__":
    main()
