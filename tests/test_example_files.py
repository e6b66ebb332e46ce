"""The example data and the logs generator as a reader reaches them: `evalviz.demo.example_file` finds the bundled
files from any working directory, and `python examples/example_logs.py DIR` writes logs that inspect_ai reads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from inspect_ai.log import read_eval_log

import evalviz as ev
from evalviz.demo import example_file, example_files
from evalviz.errors import ArgumentTypeError, UnknownNameError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def test_example_files_are_the_files_in_examples_data() -> None:
    assert example_files() == sorted(path.name for path in (EXAMPLES / "data").iterdir())


@pytest.mark.parametrize("name", ["evals.parquet", "samples.parquet"])
def test_example_file_reads_from_any_working_directory(name: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # neither the repository root nor the package
    path = example_file(name)
    assert path.is_absolute() and path.read_bytes() == (EXAMPLES / "data" / name).read_bytes()
    expected = duckdb.sql(f"SELECT count(*) FROM read_parquet('{EXAMPLES / 'data' / name}')").fetchall()[0][0]
    assert len(ev.Data.from_file(path)) == expected > 0


@pytest.mark.parametrize("name", ["evals.csv", "../__init__.py", ""])
def test_an_unknown_example_file_names_the_ones_there_are(name: str) -> None:
    with pytest.raises(UnknownNameError, match=r"evals\.parquet, samples\.parquet"):
        example_file(name)


def test_an_example_file_name_must_be_a_str() -> None:
    with pytest.raises(ArgumentTypeError, match="as a str, not PosixPath"):
        example_file(Path("evals.parquet"))


def run_example_logs(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(EXAMPLES / "example_logs.py"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=180)


def test_the_logs_generator_writes_the_logs_asked_for(tmp_path: Path) -> None:
    done = run_example_logs(tmp_path, "logs", "--models", "atlas-large", "borealis", "--tasks", "capitals",
                            "--samples", "3", "--epochs", "1")
    assert done.returncode == 0, done.stderr
    printed = sorted(Path(line) for line in done.stdout.split())
    assert printed == sorted((tmp_path / "logs").iterdir()) and len(printed) == 2
    for path in printed:
        log = read_eval_log(str(path))
        assert (log.status, log.eval.task, len(log.samples)) == ("success", "capitals", 3)
        assert path.name == f"capitals_{log.eval.model.removeprefix('mockllm/')}.eval"


def test_the_logs_generator_refuses_more_samples_than_a_task_has_before_writing(tmp_path: Path) -> None:
    done = run_example_logs(tmp_path, "logs", "--tasks", "capitals", "--samples", "99")
    assert done.returncode == 2 and "task 'capitals' has only 36 samples, 99 requested" in done.stderr
    assert not (tmp_path / "logs").exists()
