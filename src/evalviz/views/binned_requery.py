"""A binned chart's filters answered in the live widget from its rows grouped once, not from every row again.

When the widget shows a binned chart given `filter_by`, a background thread groups the chart's rows by cell and
by the columns a filter may read (`query.cell_filters.grouped_rows_sql`: counts, sums, minima and maxima, which add
up) into a temporary DuckDB table on a cursor of its own, ordered by those columns so that a filter skips the row
groups it leaves out. A filter on those columns then keeps groups instead of rows, and the chart's axes and bins
are computed from the groups kept (`views.binning`, `grouped=True`) exactly as from the rows themselves. A filter
on another column, or one that arrives before the groups are ready, is answered from the rows.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import duckdb

from evalviz.data.table import Data
from evalviz.query.cell_filters import groupable, grouped_columns, grouped_rows_sql, groups_sql, kept_groups_sql
from evalviz.query.grid_columns import GridColumns
from evalviz.views.grid import checked_source
from evalviz.views.regions import _KEEPERS


class GroupedRows:
    """A chart's rows grouped by cell and by the columns a filter may read, kept in DuckDB once built.

    Example:
        >>> import evalviz as ev
        >>> data = ev.Data.from_file("examples/data/samples.parquet")
        >>> columns = GridColumns(x="id", y="model_display_name", fill="score_match")
        >>> groups = GroupedRows(data, columns, "mean", lambda: ["model_display_name"])
        >>> groups.build(); groups.ready.is_set()
        True
        >>> kept = groups.kept('"model_display_name" = ?', ["Borealis"], {"model_display_name"})
        >>> kept is not None and len(kept) > 0
        True
    """

    def __init__(self, data: Data, columns: GridColumns, agg: str, by: Callable[[], Sequence[str]], *,
                 input_order: bool = False) -> None:
        """`by`: the columns to group by, asked when the groups are built (a selection learns its columns as
        inputs and charts publishing into it are made); those the table lacks are left out."""
        if not groupable(columns, agg):
            raise ValueError(f"the cells of a {agg} grid of {columns} do not add up from groups of rows")
        self._data, self._columns, self._agg, self._by, self._input_order = data, columns, agg, by, input_order
        self.by: tuple[str, ...] = ()  # the columns the groups were built by
        self.ready = threading.Event()  # set once the groups are built (or could not be)
        self.build_seconds: float | None = None
        self._table: Data | None = None
        self._started = False
        self._lock = threading.Lock()

    def build_in_background(self) -> None:
        """Start building the groups in a thread of their own (once; later calls do nothing)."""
        data = self._source()
        if data is not None and not _KEEPERS.start(self._keep, data):
            _closed(data.connection)
            self.ready.set()

    def build(self) -> None:
        """Build the groups now, in this thread (once)."""
        data = self._source()
        if data is not None:
            self._keep(data)

    def kept(self, condition: str, params: Sequence[Any], fields: set[str]) -> Data | None:
        """The groups whose rows the SQL `condition` (over the table's columns, `?` bound to `params`) keeps, as a
        table; None when the groups are not built yet (they are then started) or lack a column of `fields` (the
        columns the condition reads)."""
        table = self._table
        if table is None:
            self.build_in_background()
            return None
        if not fields <= set(self.by):
            return None
        return table.where(condition, params)

    def _source(self) -> Data | None:
        """The columns the groups read, on a cursor of their own; None when they were started already (or the
        table cannot be read: filters are then answered from the rows)."""
        with self._lock:
            if self._started:
                return None
            self._started = True
        present = set(self._data.columns) - set(grouped_columns(self._columns, self._agg))
        self.by = tuple(c for c in dict.fromkeys(self._by()) if c in present)
        try:
            return checked_source(self._data, replace(self._columns, filters=self.by)).on_own_cursor()
        except Exception:  # noqa: BLE001
            self.ready.set()
            return None

    def _keep(self, data: Data) -> None:
        """Group the rows of `data` into a temporary table on its cursor, which the groups then live on."""
        began = time.perf_counter()
        connection = data.connection
        try:
            groups = data.run(grouped_rows_sql(self._columns, self._agg, self.by, input_order=self._input_order))
            name, staged = (f"evalviz_groups_{uuid.uuid4().hex}" for _ in range(2))
            with data.lock:
                connection.register(staged, groups)
                connection.execute(kept_groups_sql(name, staged))
                connection.unregister(staged)
            del groups
            self._table = Data.from_sql(groups_sql(name), connection)
            self.build_seconds = time.perf_counter() - began
            weakref.finalize(self, _closed, connection)
        except Exception:  # noqa: BLE001 - filters are then answered from the rows (an interrupt at exit too)
            _closed(connection)
        finally:
            self.ready.set()


def _closed(connection: duckdb.DuckDBPyConnection) -> None:
    """Close `connection` (a cursor; its temporary tables go with it)."""
    with contextlib.suppress(duckdb.Error):
        connection.close()
