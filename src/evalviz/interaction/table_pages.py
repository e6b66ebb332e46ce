"""The kernel's pages of a live `ev.table`: a copy of the columns it reads, and the row order of its current state
(the statements are built in `evalviz.query.table`).

A live table asks for page after page of one state (its search, its selection's clauses, its sort). Reading each
page from the source again would scan and sort every row for each page. Instead, the columns the table reads are
copied once into a DuckDB table (in evalviz's in-memory database `evalviz_tables`; the live widget starts the copy
as it shows the table, `prepare`), with each row's shown columns as one lower-cased text, so that a search is one
`contains` over one column. Then a state is scanned once into its row order: the copy's row ids that the state
keeps, in its order (`row_order_sql`). Its count is the order's length, and any page, however deep, is a join of
twenty ids with the copy. One order per table is held, 8 bytes per kept row; the copy holds the columns read as a
DataFrame would, plus the search text (about 480 MB for the five columns of 2,000,000 samples in
benchmarks/bench_table.py), and is dropped with the table.

Once copied, each row's place in the whole table sorted by each shown column, ascending and descending, is
stored beside the copy (its sort ranks, `column_ranks_sql`), made in a thread of their own one column after
another while no page is asked (about 8 s of background work and 50-100 MB for the 2,000,000 samples): a page
asked stops the column being ranked, which starts again once the table is left alone for `RANK_AFTER_IDLE`
seconds, so that ranking never slows the pages the user asks. Then a page of the whole table sorted by a ranked
column, however deep, is a lookup of twenty ranks, and the row order of its sort under a search or a filter sorts
the kept rows' ranks (integers) rather than their columns (`ranked_order_sql`).

Other sorts (by several columns, before the ranks are made, or when they do not fit MAX_COPIED_VALUES), and the
first pages of a sort under a search or a filter: a new sort of rows whose count is known (every row, or a search
or filter already asked unsorted) answers its shallow pages (before `SHALLOW_ROWS`) by a top-N sort of the copy at
once, and makes its whole order in a thread of its own, on a cursor of its own: a deeper page asked next finds it
made, or waits for it rather than sorting again.

The copy is taken once: a table in a live widget shows its source as it was when it was first shown.
Clauses on columns the copy lacks (a selection that learned them after the table was built) are answered from
the source itself, as any page before the copy is.

Example:
    >>> import duckdb
    >>> from evalviz.data.table import Data
    >>> from evalviz.query.table import TableColumns
    >>> data = Data.from_sql("SELECT range AS n FROM range(100)")
    >>> pages = TablePages(data, TableColumns(("n",), (), data.types), ["n"], "example")
    >>> total, rows = pages.page("", ("t.\\"n\\" % 2 = ?", [1]), [("n", "desc")], size=3, offset=3)
    >>> total, rows.column("n").to_pylist()
    (50, [93, 91, 89])
"""

from __future__ import annotations

import atexit
import itertools
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from evalviz.data.connection import connection_lock
from evalviz.data.connection import quote_identifier as q
from evalviz.data.table import Data
from evalviz.errors import EvalvizError, QueryError
from evalviz.query.filters import Condition, all_of
from evalviz.query.table import (
    Direction,
    TableColumns,
    attach_memory_sql,
    column_ranks_sql,
    copy_page_sql,
    copy_search_sql,
    copy_sql,
    count_sql,
    drop_table_sql,
    order_keys,
    ordered_page_sql,
    page_sql,
    rank_range_sql,
    ranked_order_sql,
    row_order_sql,
    search_sql,
    table_count_sql,
    tie_ranks_sql,
)

DATABASE = "evalviz_tables"
# The most values (rows x (columns read + the search text)) a copy holds, with its sort ranks (two per shown
# column, and one breaking ties) when they fit too: the 2,000,000 samples of benchmarks/bench_table.py, 6 values a
# row, take about 500 MB, and their 11 ranks a row (integers) 50-100 MB more. A larger table is paged from its
# source; a copy without room for its ranks sorts its columns.
MAX_COPIED_VALUES = 40_000_000
SHALLOW_ROWS = 1_000  # a new sort answers pages starting before this row by a top-N sort, while its order is made
RANK_AFTER_IDLE = 0.5  # seconds without a page asked before the copy's sort ranks are made (again)

State = tuple[Any, ...]
Order = tuple[str, int]  # a row order's table and its rows


class TablePages:
    """The pages of one live table (see the module): `page` answers a request's count and rows."""

    def __init__(self, data: Data, columns: TableColumns, tie_break: Sequence[str], name: str) -> None:
        self.data = data
        self.columns = columns
        self.tie_break = tuple(tie_break)  # the columns ordering rows tied on the sorted ones, ascending
        self.name = name
        self.rows_table = f"{DATABASE}.main.{q(name + '_rows')}"
        self.tie_table = f"{DATABASE}.main.{q(name + '_tie')}"
        # each shown column's sort ranks (see the module), by column
        self.ranks_tables = {c: f"{DATABASE}.main.{q(f'{name}_ranks_{i}')}" for i, c in enumerate(columns.shown)}
        self.ranked: Future[bool] = Future()  # whether every column's ranks were made, once tried
        self._ranked: set[str] = set()  # the columns whose ranks are made
        self._asked = 0.0  # when a page was last asked (time.monotonic)
        self._ranking: duckdb.DuckDBPyConnection | None = None  # the cursor making the ranks, until made
        self._numbers = itertools.count()  # each row order gets a table of its own
        self._tables: set[str] = set()  # every table made and not dropped yet
        self._copied = False
        self._fits: bool | None = None  # whether the copy fits MAX_COPIED_VALUES (known once counted)
        self._copied_rows = 0
        self._order: tuple[State, Order] | None = None  # the row order held, and its state
        self._making: _Making | None = None  # the order being made in the background
        self._counts: dict[State, int] = {}  # rows kept by the copy's current condition
        self._source_counts: dict[State, int] = {}  # rows kept by the source's current condition
        self._lock = threading.Lock()  # the copy and its orders
        self._source_lock = threading.Lock()
        weakref.finalize(self, _drop, data, self._tables)

    @property
    def tables(self) -> frozenset[str]:
        """The DuckDB tables the pages hold now (qualified, quoted names): the copy, and row orders."""
        return frozenset(self._tables)

    def prepare(self) -> None:
        """Copy the columns read in a thread of its own, now that the live widget shows the table: its first search
        or sort then finds the copy made (or waits for it) while the user reads the first page."""
        threading.Thread(target=self._prepare, name="evalviz-table-copy", daemon=True).start()

    def _prepare(self) -> None:
        with self._lock:
            try:
                if self._copyable():
                    self._copy()
            except EvalvizError:  # the first request needing the copy tries again, and says what went wrong
                pass

    def page(self, search: str, where: Condition, order: Sequence[tuple[str, Direction]], *, size: int,
             offset: int, on_copy: bool = True) -> tuple[int, pa.Table]:
        """The rows kept by `where` and holding `search` in a shown column (their count, and `size` of them from
        `offset`), sorted by `order` then the tie-breaking columns. `on_copy=False`: `where` reads columns the copy
        lacks, so the source is read (as is the first page, while the copy is being made)."""
        self._asked = time.monotonic()
        if (ranking := self._ranking) is not None:
            ranking.interrupt()  # pages first: the column being ranked is ranked again later
        if not on_copy or not self._copyable() or (not search and where[0] == "TRUE" and not order
                                                   and not self._copied):
            with self._source_lock:
                kept = all_of(search_sql(self.columns.shown_types, search), where)
                return self._from_source(kept, order, size, offset)
        with self._lock:
            self._copy()
            kept = all_of(copy_search_sql(self.columns.shown_types, self.columns.search_column, search), where)
            keys = order_keys(order, self.tie_break, by_row=True)
            rank = self._rank(order)
            if rank is not None and kept[0] == "TRUE":  # the whole table sorted by one column: its ranks looked up
                text = rank_range_sql(self.columns, self.rows_table, *rank)
                return self._copied_rows, self._run(text, [offset, offset + size - 1])
            sort = _Sort(kept, keys, rank)
            state = _state(kept, keys)
            held = self._holds(state)
            known = self._known_count(kept)
            if not held and (not keys and kept[0] == "TRUE" or keys and offset + size <= SHALLOW_ROWS
                             and known is not None):
                if keys:
                    self._make_later(state, sort)
                text, values = copy_page_sql(self.columns, self.rows_table, kept, keys)
                return known, self._run(text, [*values, size, offset])
            table, total = self._ordered(state, sort)
            return total, self._run(ordered_page_sql(self.columns, table, self.rows_table), [offset,
                                                                                          offset + size - 1])

    def _copyable(self) -> bool:
        """Whether the table is small enough to copy (MAX_COPIED_VALUES); counted once."""
        if self._fits is None:
            self._fits = len(self.data) * (len(self.columns.read) + 1) <= MAX_COPIED_VALUES
        return self._fits

    def _rankable(self) -> bool:
        """Whether the copy has room for its sort ranks, two per shown column and one breaking ties
        (MAX_COPIED_VALUES)."""
        values = len(self.columns.read) + 1 + 2 * len(self.columns.shown) + 1
        return self._copyable() and self._copied_rows * values <= MAX_COPIED_VALUES

    def _rank(self, order: Sequence[tuple[str, Direction]]) -> tuple[str, str] | None:
        """The ranks of a sort by one column, once made (their table and column); None otherwise."""
        if len(order) != 1 or order[0][0] not in self._ranked:
            return None
        column, direction = order[0]
        return self.ranks_tables[column], direction

    def _holds(self, state: State) -> bool:
        """Whether the row order of `state` is held (taking it from the background once made there)."""
        making = self._making
        if making is not None and making.state == state and making.made.done() and not making.made.exception():
            self._making = None
            self._hold(state, (making.table, making.made.result()))
        return self._order is not None and self._order[0] == state

    def _known_count(self, kept: Condition) -> int | None:
        """The rows `kept` keeps, when known without a scan: every row, or a condition whose order was made."""
        return self._copied_rows if kept[0] == "TRUE" else self._counts.get(_state(kept, ""))

    def _from_source(self, where: Condition, order: Sequence[tuple[str, Direction]], size: int,
                     offset: int) -> tuple[int, pa.Table]:
        key = _state(where, "")
        if key not in self._source_counts:
            self._source_counts.clear()  # one condition is current at a time
            text, values = count_sql(where)
            self._source_counts[key] = int(self.data.run(text, values).column("n")[0].as_py())
        text, values = page_sql(self.columns, where, order, self.tie_break)
        return self._source_counts[key], self.data.run(text, [*values, size, offset])

    def _copy(self) -> None:
        """Copy the columns read, and each row's search text, into evalviz's database, once; then start making its
        sort ranks in a thread of their own."""
        if self._copied:
            return
        copied = self.data.on_own_cursor().derive(copy_sql(self.columns))  # the source stays free meanwhile
        with copied.lock:
            try:
                copied.connection.execute(attach_memory_sql(DATABASE)).fetchall()
                copied.relation.to_table(self.rows_table)
                self._tables.add(self.rows_table)
            except duckdb.Error as exc:
                raise QueryError(f"Copying the table's rows from {self.data.source} failed: {exc}") from exc
        self._copied_rows = self._count(copied.connection, self.rows_table)
        self._copied = True
        if self._rankable():
            cursor = self._ranking = self.data.connection.cursor()
            _in_background(cursor, lambda: self._make_ranks(cursor), "evalviz-table-ranks")
        else:
            self.ranked.set_result(False)

    def _make_ranks(self, cursor: duckdb.DuckDBPyConnection) -> None:
        """Make the copy's sort ranks on a cursor of their own, one column after another (`column_ranks_sql`),
        while no page is asked (see the module): pages asked meanwhile sort columns not ranked yet."""
        try:
            self._tables.add(self.tie_table)
            self._when_idle(cursor, tie_ranks_sql(self.tie_table, self.rows_table, self.tie_break))
            for column, table in self.ranks_tables.items():
                self._tables.add(table)
                self._when_idle(cursor, column_ranks_sql(table, self.rows_table, self.tie_table, column))
                self._ranked.add(column)
            self._drop(self.tie_table)
        except Exception:  # noqa: BLE001 - a failed ranking (or Python exiting) leaves pages sorting, as before it
            self.ranked.set_result(False)
        else:
            self.ranked.set_result(True)
        finally:
            self._ranking = None

    def _when_idle(self, cursor: duckdb.DuckDBPyConnection, statement: str) -> None:
        """Run `statement` once no page was asked for RANK_AFTER_IDLE seconds, again whenever a page stops it."""
        while True:
            while (wait := self._asked + RANK_AFTER_IDLE - time.monotonic()) > 0:
                time.sleep(wait)
            try:
                cursor.execute(statement).fetchall()
                return
            except duckdb.InterruptException:
                if _STOPPING.is_set():
                    raise

    def _ordered(self, state: State, sort: _Sort) -> Order:
        """The row order of this state: the one held, the one being made in the background, or made now."""
        if self._order is not None and self._order[0] == state:
            return self._order[1]
        making, self._making = self._making, None
        if making is not None and making.state == state:
            made = making.table, making.made.result()
        else:
            if making is not None:
                making.stop(self._drop)
            table = self._new_order_table()
            made = table, self._make(self.data.connection, table, sort)
        self._hold(state, made)
        return made

    def _make_later(self, state: State, sort: _Sort) -> None:
        """Start making this state's row order in a thread of its own (once), on a cursor of its own; an order
        being made for another state is stopped."""
        if self._making is not None:
            if self._making.state == state:
                return
            self._making.stop(self._drop)
        making = _Making(state, self._new_order_table(), self.data.connection.cursor(), Future())

        def make() -> None:
            try:
                making.made.set_result(self._make(making.cursor, making.table, sort))
            except Exception as exc:  # noqa: BLE001 - handed to the request that waits for it
                making.made.set_exception(exc)

        self._making = making
        _in_background(making.cursor, make, "evalviz-table-order")

    def _new_order_table(self) -> str:
        table = f"{DATABASE}.main.{q(f'{self.name}_order_{next(self._numbers)}')}"
        self._tables.add(table)
        return table

    def _make(self, connection: duckdb.DuckDBPyConnection, table: str, sort: _Sort) -> int:
        """Make `table`, a row order of the copy: the rows `sort` keeps, in its order; its rows."""
        if sort.rank is None:
            text, values = row_order_sql(table, self.rows_table, sort.kept, sort.keys)
        else:
            ranks_table, rank = sort.rank
            text, values = ranked_order_sql(table, self.rows_table, ranks_table, sort.kept, rank)
        with connection_lock(connection):
            try:
                connection.execute(text, values or None).fetchall()
            except duckdb.Error as exc:
                raise QueryError(f"The table's query failed on the data from {self.data.source}: {exc}") from exc
            return self._count(connection, table)

    def _hold(self, state: State, made: Order) -> None:
        """Hold `made` as the current row order, dropping the one held before."""
        before, self._order = self._order, (state, made)
        self._counts = {(*state[:2], ""): made[1]}  # its condition's count; one condition is current at a time
        if before is not None:
            self._drop(before[1][0])

    def _drop(self, table: str) -> None:
        self._tables.discard(table)
        _drop(self.data, [table])

    def _count(self, connection: duckdb.DuckDBPyConnection, table: str) -> int:
        with connection_lock(connection):
            return int(connection.sql(table_count_sql(table)).fetchall()[0][0])

    def _run(self, text: str, values: list[Any]) -> pa.Table:
        with self.data.lock:
            try:
                return self.data.connection.sql(text, params=values or None).to_arrow_table()
            except duckdb.Error as exc:
                raise QueryError(f"The table's query failed on the data from {self.data.source}: {exc}") from exc


@dataclass(frozen=True)
class _Sort:
    """A state's rows in SQL: those `kept` keeps, sorted by `keys` (`order_keys`), or by the ranks `rank` (the
    same order; their table and column) once made."""

    kept: Condition
    keys: str
    rank: tuple[str, str] | None


@dataclass(frozen=True)
class _Making:
    """A row order being made in the background: its state, its table, the cursor making it, and its rows."""

    state: State
    table: str
    cursor: duckdb.DuckDBPyConnection
    made: Future[int]

    def stop(self, drop: Callable[[str], None]) -> None:
        """Stop making it (a state no longer asked): its table is dropped once the query ends."""
        self.cursor.interrupt()
        self.made.add_done_callback(lambda _: drop(self.table))


_BACKGROUND: dict[threading.Thread, duckdb.DuckDBPyConnection] = {}  # queries running in threads, by thread


def _in_background(cursor: duckdb.DuckDBPyConnection, work: Callable[[], None], name: str) -> None:
    """Run `work`, a query on `cursor`, in a daemon thread, interrupted if Python exits first (`_stop_background`):
    a query still running as the interpreter ends would abort it."""
    def run() -> None:
        try:
            work()
        finally:
            _BACKGROUND.pop(threading.current_thread(), None)

    thread = threading.Thread(target=run, name=name, daemon=True)
    _BACKGROUND[thread] = cursor
    thread.start()


_STOPPING = threading.Event()  # Python is exiting: background queries stop for good


@atexit.register
def _stop_background() -> None:
    _STOPPING.set()
    for thread, cursor in list(_BACKGROUND.items()):
        cursor.interrupt()
        thread.join(timeout=10)


def _state(where: Condition, keys: str) -> State:
    """A state as a key: its condition's text, its values (by repr, so 1 and True differ) and its sort keys."""
    text, values = where
    return text, tuple(map(repr, values)), keys


def _drop(data: Data, tables: Sequence[str] | set[str]) -> None:
    """Drop a table's copy and row orders once they are no longer needed."""
    try:
        with data.lock:
            for table in list(tables):
                data.connection.execute(drop_table_sql(table)).fetchall()
    except duckdb.Error:  # the connection closed first: its in-memory tables went with it
        pass
