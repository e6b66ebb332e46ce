"""The examples in the data modules' docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["evalviz.data.table", "evalviz.data.prepare"])
def test_docstring_examples(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    module = importlib.import_module(name)  # evalviz.data.prepare, as an attribute, is the function
    if not (ROOT / "examples" / "data" / "evals.parquet").exists():
        pytest.skip("examples/data is built by examples/make_example_data.py")
    monkeypatch.chdir(ROOT)  # the examples read examples/data/*.parquet
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
