"""Helpers shared by the heatmap tests: a user's table written to Parquet, and the cells a chart sends."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import evalviz as ev


def parquet(tmp_path: Path, name: str, **columns: list) -> ev.Data:
    """A table written to a Parquet file and read back with Data.from_file, as a user's results are."""
    path = tmp_path / f"{name}.parquet"
    pq.write_table(pa.table(columns), path)
    return ev.Data.from_file(path)


def cells(chart: ev.Component) -> list[dict]:
    """The cells the chart sends to the browser, as rows."""
    return chart.datasets["cells"].to_pylist()


def cell(chart: ev.Component, **where: object) -> dict:
    """The one cell whose fields equal `where`."""
    found = [c for c in cells(chart) if all(c.get(k) == v for k, v in where.items())]
    assert len(found) == 1, f"expected one cell with {where}, found {found}"
    return found[0]
