"""Regions of a binned grid at full resolution, for drill-downs: from memory when ready, else from the table.

A drill-down must answer while the user waits, and scanning a large table again for every click is too slow
(most of a scan is decoding long log links). So when a live widget shows a binned chart, every cell of the
grid at full resolution is computed once, in a background thread, and kept in memory ordered by (y rank,
x rank); a region is then a few slices of it. Until those cells are ready (or when there are too many to
keep), a region is queried from the table. Both ways give the same cells.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from evalviz.data.table import Data
from evalviz.data.types import is_integer, is_text
from evalviz.query.cells import ranked_grid_sql
from evalviz.query.grid_columns import key_parts
from evalviz.query.regions import KeyValues, region_filter_sql
from evalviz.views.grid import (
    Grid,
    GridColumns,
    aggregate_grid,
    checked_source,
    finished_grid,
    registered,
    whole_numbers,
)

# Past this many cells (about 200 bytes each with their links) the full-resolution grid is not kept in memory.
MAX_KEPT_CELLS = 4_000_000
# The kept cells of all charts together stay under this many bytes. A notebook holds on to every chart it showed
# (IPython's Out[] does), so the charts drilled into least recently give theirs up, and query again until a
# drill-down in their widget keeps them anew.
KEPT_BYTES_BUDGET = 1_000_000_000


@dataclass(frozen=True)
class Region:
    """Consecutive positions of each axis in drawing order: x from x_start, y from y_start."""

    x_start: int
    x_stop: int
    y_start: int
    y_stop: int


class RegionSource:
    """Answers `grid(region)` for a binned grid whose axes are ranked by `ranks` (see `binning.axis_ranks`).

    Example:
        >>> import evalviz as ev
        >>> from evalviz.views.binning import axis_ranks
        >>> data = ev.Data.from_file("examples/data/samples.parquet")
        >>> columns = GridColumns(x="id", y="model", fill="score_match")
        >>> source = RegionSource(data, columns, agg="mean", ranks=axis_ranks(data, columns, "ascending"))
        >>> source.grid(Region(0, 3, 0, 2)).cells.num_rows
        6
    """

    def __init__(self, data: Data, columns: GridColumns, *, agg: str, ranks: tuple[pa.Table, pa.Table]) -> None:
        self._data = data
        self._columns = columns
        self._agg = agg
        self._x_ranks, self._y_ranks = ranks
        self._lock = threading.Lock()
        self._started = False
        # Every (x, y) pair as `grid_sql` gives it, ordered by (y rank, x rank): the pair (xr, yr) is row
        # yr * (number of x values) + xr.
        self._kept: pa.Table | None = None
        self.ready = threading.Event()  # set once the cells are kept (or could not be)
        self.keep_seconds: float | None = None  # how long keeping them took

    @property
    def in_memory(self) -> bool:
        """Whether regions are read from cells kept in memory rather than queried."""
        return self._kept is not None

    @property
    def kept_bytes(self) -> int:
        """The memory the kept cells take (0 when none are kept)."""
        kept = self._kept
        return 0 if kept is None else kept.nbytes

    def give_up_cells(self) -> None:
        """Drop the kept cells: regions are queried again, until `keep_in_background` keeps them anew."""
        with self._lock:
            self._kept = None
            self._started = False

    def keep_in_background(self) -> None:
        """Start computing every cell at full resolution in a background thread (once; later calls do nothing).

        A grid of more than MAX_KEPT_CELLS cells is not kept: its regions are always queried.
        """
        with self._lock:
            if self._started:
                return
            self._started = True
        if self._x_ranks.num_rows * self._y_ranks.num_rows > MAX_KEPT_CELLS:
            self.ready.set()
            return
        # Only the cursor may be used from the thread: the session's connection stays the user's.
        try:
            data = checked_source(self._data, self._columns).on_own_cursor()
        except Exception:  # noqa: BLE001 - regions are then queried from the table
            self.ready.set()
            return
        if not _KEEPERS.start(self._keep, data):
            data.connection.close()
            self.ready.set()

    def grid(self, region: Region) -> Grid:
        """The cells of `region` at full resolution, in drawing order, cells without rows included."""
        xs = self._x_ranks.slice(region.x_start, region.x_stop - region.x_start)
        ys = self._y_ranks.slice(region.y_start, region.y_stop - region.y_start)
        kept = self._kept
        if kept is None:
            data = self._data.filter(region_filter(self._data, self._columns, xs, ys))
            return aggregate_grid(data, self._columns, agg=self._agg, axes=(xs, ys))
        _KEPT.used(self)
        n_x = self._x_ranks.num_rows
        rows = [kept.slice(y * n_x + region.x_start, xs.num_rows) for y in range(region.y_start, region.y_stop)]
        cells = pa.concat_tables(rows)
        return finished_grid(cells, whole_numbers=whole_numbers(self._data, self._columns.fill, cells["value"]))

    def _keep(self, data: Data) -> None:
        began = time.perf_counter()
        try:
            with registered(data, self._x_ranks, self._y_ranks) as (xr, yr):
                kept = data.run(ranked_grid_sql(self._columns, self._agg, (xr, yr)))
            self.keep_seconds = time.perf_counter() - began
            _KEPT.added(self, kept)
        except Exception:  # noqa: BLE001 - regions are then queried from the table, as before they were kept
            self._kept = None  # (a query interrupted at exit ends here too)
        finally:
            with contextlib.suppress(duckdb.Error):
                data.connection.close()
            self.ready.set()


class _Keepers:
    """The threads keeping cells, stopped before the interpreter exits (or a kernel shuts down).

    A DuckDB query still running in a daemon thread while Python finalises aborts the whole process ("FATAL:
    exception not rethrown", exit code 134). So at exit each running query is interrupted (its thread then
    ends, its cells not kept) and its thread joined, and no keeping starts any more.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[threading.Thread, duckdb.DuckDBPyConnection] = {}
        self._stopped = False
        atexit.register(self.stop_all)

    def start(self, keep: Callable[[Data], None], data: Data) -> bool:
        """Run `keep(data)` in a thread of its own, unless the interpreter is exiting (then False)."""
        with self._lock:
            if self._stopped:
                return False
            thread = threading.Thread(target=self._run, args=(keep, data), name="evalviz-regions", daemon=True)
            self._running[thread] = data.connection
            thread.start()
        return True

    def _run(self, keep: Callable[[Data], None], data: Data) -> None:
        try:
            keep(data)
        finally:
            with self._lock:
                self._running.pop(threading.current_thread(), None)

    def stop_all(self) -> None:
        """Interrupt every running keep and wait for its thread to end."""
        with self._lock:
            self._stopped = True
            running = list(self._running.items())
        for thread, connection in running:
            while thread.is_alive():
                # Again until the thread ends: a query that had not started at the first interrupt is caught
                # by the next. A connection already closed is one whose thread is ending.
                with contextlib.suppress(duckdb.Error):
                    connection.interrupt()
                thread.join(0.05)


_KEEPERS = _Keepers()


class _KeptSources:
    """The RegionSources that keep cells, least recently used first, held within KEPT_BYTES_BUDGET."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sources: OrderedDict[int, weakref.ref[RegionSource]] = OrderedDict()

    def used(self, source: RegionSource) -> None:
        with self._lock:
            if id(source) in self._sources:
                self._sources.move_to_end(id(source))

    def added(self, source: RegionSource, cells: pa.Table) -> None:
        """Take `source` in as the most recently used, keeping `cells`; the least recently used give up their
        cells while the total is over budget (the newest is always kept). `source` holds its cells only once the
        others made room, so no one sees more kept than the budget allows."""
        with self._lock:
            self._sources[id(source)] = weakref.ref(source)
            self._sources.move_to_end(id(source))
            alive = []
            for key, ref in list(self._sources.items()):
                kept = ref()
                if kept is None:  # its chart is gone, and its cells with it
                    del self._sources[key]
                else:
                    alive.append((key, kept))
            total = cells.nbytes + sum(kept.kept_bytes for _, kept in alive[:-1])
            for key, older in alive[:-1]:
                if total <= KEPT_BYTES_BUDGET:
                    break
                del self._sources[key]
                total -= older.kept_bytes
                older.give_up_cells()
            source._kept = cells


_KEPT = _KeptSources()


def region_filter(data: Data, columns: GridColumns, xs: pa.Table, ys: pa.Table) -> str:
    """A SQL predicate keeping the rows whose x and y values may be among those of `xs` and `ys` (slices of
    `binning.axis_ranks`): at least those rows, to scan less; the grid then matches rows to values exactly.

    Each key part is tested on its own. A text or integer column is compared as it is stored, so DuckDB can
    filter while it scans the file; a NULL value is kept by IS NULL (never by the text "(null)"). Parts of other
    types are not tested here.
    """
    types = data.types
    keys = [KeyValues(column, pc.unique(values[name]).to_pylist(), text=is_text(types[column]))
            for axis, values in (("x", xs), ("y", ys)) for column, name in key_parts(columns, axis)
            if is_text(types[column]) or is_integer(types[column])]
    return region_filter_sql(keys)
