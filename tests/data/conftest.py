"""Fixtures of the data tests: real inspect_ai logs made offline by examples/example_logs.py, and helpers."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MODULE = "evalviz_tests_example_logs"


def load_example_logs() -> ModuleType:
    """examples/example_logs.py, imported by path (it is a script folder, not a package)."""
    if MODULE in sys.modules:
        return sys.modules[MODULE]
    spec = importlib.util.spec_from_file_location(MODULE, EXAMPLES / "example_logs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of real .eval logs: 3 mock models x 3 tasks x 6 samples x 2 epochs."""
    pytest.importorskip("inspect_ai")
    folder = tmp_path_factory.mktemp("inspect_logs")
    load_example_logs().write_logs(
        folder,
        models=["atlas-large", "borealis", "cirrus-mini"],
        tasks=["arithmetic", "capitals", "spelling"],
        n_samples=6,
        epochs=2,
    )
    return folder


def plain(value: Any) -> Any:
    """A value as plain Python, with every kind of missing (None, NaN, NA, NaT) as None."""
    if value is None:
        return None
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return None if value != value else value.to_pydatetime()
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:
        pass
    return value


def assert_same_table(ours: Any, theirs: Any) -> None:
    """`ours` (an ev.Data) equals `theirs` (a pandas DataFrame from inspect_ai): columns, order and values."""
    table = ours.to_arrow()
    assert table.column_names == list(theirs.columns)
    assert table.num_rows == len(theirs)
    for name in table.column_names:
        mine = [plain(v) for v in table[name].to_pylist()]
        expected = [plain(v) for v in theirs[name].tolist()]
        assert mine == expected, f"column {name!r} differs"
