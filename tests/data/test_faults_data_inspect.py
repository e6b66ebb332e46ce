"""Issue 10, kind 10: every inspect_ai table previews in a notebook, and every Data operation works on it, without
pytz (its `created` column is a timestamp with a time zone)."""

from __future__ import annotations

import html
import sys
import zoneinfo
from pathlib import Path

import duckdb
import pytest

import evalviz as ev
from conftest import plain

ia = pytest.importorskip("inspect_ai.analysis")


@pytest.fixture
def without_pytz(monkeypatch: pytest.MonkeyPatch) -> None:
    """pytz cannot be imported, as on a machine without it."""
    monkeypatch.setitem(sys.modules, "pytz", None)


def test_an_evals_table_previews_without_pytz(log_dir: Path, without_pytz: None) -> None:
    evals = ev.Data.from_inspect_logs(log_dir)
    assert evals.schema["created"] == "TIMESTAMP WITH TIME ZONE"
    theirs = ia.evals_df(log_dir, quiet=True)
    page = evals._repr_html_()
    assert f"{len(theirs)} rows" in page and f"{len(theirs.columns)} columns" in page
    # Each shown `created` is that log's time in DuckDB's session time zone, as DuckDB writes it.
    zone = zoneinfo.ZoneInfo(duckdb.sql("SELECT current_setting('TimeZone')").fetchall()[0][0])
    for created in theirs["created"].head(10):
        local = created.to_pydatetime().astimezone(zone)
        assert html.escape(local.strftime("%Y-%m-%d %H:%M:%S")) in page
    for value in theirs["task_name"].head(10):
        assert html.escape(value) in page
    assert "Data(inspect logs (evals)" in repr(evals)


def test_every_operation_works_on_inspect_tables_without_pytz(log_dir: Path, without_pytz: None) -> None:
    for kind, read in (("evals", ia.evals_df), ("samples", ia.samples_df)):
        data = ev.Data.from_inspect_logs(log_dir, kind=kind)
        theirs = read(log_dir, quiet=True)
        assert len(data) == len(theirs)
        data._repr_html_()
        data.require_rows()
        assert data.to_arrow().num_rows == len(theirs)
        assert data.to_pandas().shape == theirs.shape
        assert len(data.filter("true")) == len(theirs)
        assert data.on_own_cursor().sql("SELECT count(*) AS n FROM this")["n"][0].as_py() == len(theirs)
        if kind == "evals":
            created = data.select("created").to_pandas()["created"].tolist()
            assert [plain(v) for v in created] == [plain(v) for v in theirs["created"].tolist()]
