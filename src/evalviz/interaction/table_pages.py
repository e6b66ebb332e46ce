"""The kernel's pages of a live `ev.table`: a copy of the columns it reads, and the row order of its current state
(the statements are built in `evalviz.query.table`).

A live table asks for page after page of one state (its search, its selection's clauses, its sort). Reading each
page from the source again would scan and sort every row for each page. Instead, the columns the table reads are
copied once into a DuckDB table (in evalviz's in-memory database `evalviz_tables`; the live widget starts the copy
as it shows the table, `prepare`), with each row's shown columns as one lower-cased text, so that a search is one
`contains` over one column (a row's place in the table is its rowid there, or a column of its own when a column read
is named `rowid`: `TableColumns.row`). Then a state is scanned once into its row order: the places of the copy's
rows that the state keeps, in its order (`row_order_sql`). Its count is the order's length, and any page, however
deep, is a join of twenty places with the copy. One order per table is held, 8 bytes per kept row; the copy holds
the columns read as a DataFrame would, plus the search text (about 480 MB for the five columns of 2,000,000 samples
in benchmarks/bench_table.py), and is dropped with the table.

Once copied, each row's place in the whole table sorted by each shown column, ascending and descending, is
stored beside the copy (its sort ranks), made in a thread of their own one column after another, distinct values
first (`evalviz.interaction.table_ranks`: about 3 s of background work for the five columns of the 2,000,000
samples, and 80 MB): a column is ranked once the table is left alone for `RANK_AFTER_IDLE` seconds (a page asked
stops DuckDB's part of it), or at once when a deep page needs it (below). Then a page of the whole table sorted
by a ranked column, however deep, is a lookup of twenty ranks, and the row order of its sort under a search or a
filter sorts the kept rows' ranks (integers) rather than their columns (`ranked_order_sql`).

A deep page of the whole table sorted by a column not ranked yet is not found by sorting every row by the column and
the tie-breaking ones: a random sample of the copy's rows (`BRACKET_SAMPLE`, drawn as it is made), sorted by the
same keys, gives two rows around the page, and only the rows between them are sorted, placed after the rows counted
before the first, in one scan (`bracketed_page_sql`: 50 to 100 ms for the 2,000,000 samples, where a column's first
ranks take about 400 ms and a full sort a second). Should the page not lie between them (or a key be of a type whose
order Arrow does not share), it waits for the column's ranks, made at once. A new sort's shallow pages (before
`SHALLOW_ROWS`) are a top-N sort of the copy.

Other sorts (by several columns, under a search or a filter before the ranks are made, or when the ranks do not fit
MAX_COPIED_VALUES): a new sort of rows whose count is known (every row, or a search or filter already asked
unsorted) answers its shallow pages by a top-N sort of the copy at once, and makes its whole order in a thread of
its own, on a cursor of its own: a deeper page asked next finds it made, or waits for it rather than sorting again.

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
import math
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from evalviz.data.connection import connection_lock
from evalviz.data.connection import quote_identifier as q
from evalviz.data.table import Data
from evalviz.data.types import type_id
from evalviz.errors import EvalvizError, QueryError
from evalviz.interaction.table_ranks import arrow_ordered, sort_ranks, tie_order, value_codes
from evalviz.query.filters import Condition, all_of
from evalviz.query.table import (
    Direction,
    TableColumns,
    attach_memory_sql,
    bracketed_page_sql,
    collated_sql,
    column_values_sql,
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
    sample_sql,
    sample_table_sql,
    search_sql,
    sort_keys,
    table_count_sql,
    value_codes_sql,
)

DATABASE = "evalviz_tables"
# The most values (rows x (columns read + the search text)) a copy holds, with its sort ranks (two per shown
# column, and one breaking ties while they are made) when they fit too: the 2,000,000 samples of
# benchmarks/bench_table.py, 6 values a row, take about 500 MB, and their 10 ranks a row (32-bit integers) 80 MB
# more. A larger table is paged from its source; a copy without room for its ranks sorts its columns.
MAX_COPIED_VALUES = 40_000_000
SHALLOW_ROWS = 1_000  # a new sort answers pages starting before this row by a top-N sort, while its order is made
RANK_AFTER_IDLE = 0.5  # seconds without a page asked before the copy's sort ranks are made (again)
BRACKET_SAMPLE = 4_096  # rows sampled to find two rows around a deep page of a column not ranked yet
BRACKET_MARGIN = 8  # sampled rows kept either side of the page's estimated place, beyond its standard deviations
RANK_WAIT = 30.0  # the most seconds a deep page waits for its column's ranks before sorting the column itself

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
        self.sample_table = f"{DATABASE}.main.{q(name + '_sample')}"  # rows sampled to bracket deep pages
        # each shown column's sort ranks (see the module), by column
        self.ranks_tables = {c: f"{DATABASE}.main.{q(f'{name}_ranks_{i}')}" for i, c in enumerate(columns.shown)}
        self.ranked: Future[bool] = Future()  # whether every column's ranks were made, once tried
        self._ranked: set[str] = set()  # the columns whose ranks are made
        self._rank_tried = {c: threading.Event() for c in columns.shown}  # set once a column's ranks are made or not
        self._wanted: str | None = None  # the column a page asked to rank first
        self._wake = threading.Event()  # a page wants a column ranked
        self._building: str | None = None  # the column being ranked
        self._asked = 0.0  # when a page was last asked (time.monotonic)
        self._ranking: duckdb.DuckDBPyConnection | None = None  # the cursor making the ranks, until made
        self._numbers = itertools.count()  # each row order gets a table of its own
        self._tables: set[str] = set()  # every table made and not dropped yet
        self._copied = False
        self._fits: bool | None = None  # whether the copy fits MAX_COPIED_VALUES (known once counted)
        self._copied_rows = 0
        self._collated: frozenset[str] = frozenset()  # text columns DuckDB compares under a collation
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
        wanted = order[0][0] if len(order) == 1 and order[0][0] not in self._ranked else None
        if (ranking := self._ranking) is not None and (wanted is None or self._building not in (None, wanted)):
            ranking.interrupt()  # pages first: DuckDB's part of ranking the column is done again later
        if not on_copy or not self._copyable() or (not search and where[0] == "TRUE" and not order
                                                   and not self._copied):
            with self._source_lock:
                kept = all_of(search_sql(self.columns.shown_types, search), where)
                return self._from_source(kept, order, size, offset)
        with self._lock:
            self._copy()
            kept = all_of(copy_search_sql(self.columns.shown_types, self.columns.search_column, search), where)
            keys = order_keys(order, self.tie_break, row=self.columns.row)
            deep = kept[0] == "TRUE" and offset + size > SHALLOW_ROWS
            if wanted is not None and self._ranking is not None and deep:
                if (rows := self._bracketed(order[0], offset, size)) is not None:
                    return self._copied_rows, rows  # (its ranks are made once the table is left alone)
                self._want(wanted, wait=True)  # ranked next, at once
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
                if keys and not (kept[0] == "TRUE" and wanted is not None and self._ranking is not None):
                    self._make_later(state, sort)  # (a whole-table sort by one column is ranked, or bracketed)
                text, values = copy_page_sql(self.columns, self.rows_table, kept, keys)
                return known, self._run(text, [*values, size, offset])
            table, total = self._ordered(state, sort)
            return total, self._run(ordered_page_sql(self.columns, table, self.rows_table), [offset,
                                                                                          offset + size - 1])

    def _bracketed(self, sort: tuple[str, Direction], offset: int, size: int) -> pa.Table | None:
        """The page of the whole table sorted by one column not ranked yet, found without sorting every row: the
        copy's sample (`sample_table_sql`), sorted, gives two rows around the page, and only the rows between them
        are sorted (`bracketed_page_sql`). None when they do not hold the page, or a key is of a type DuckDB may not
        compare as it orders it (lists, structs; only `arrow_ordered` types are): the page is then asked otherwise."""
        column = sort[0]
        if not all(self._arrow_ordered(c) for c in (column, *self.tie_break)):
            return None
        keys = sort_keys(sort, self.tie_break, self.columns)
        read = self._run(sample_sql(self.sample_table, self.columns, keys), [])
        sample = list(zip(*(column.to_pylist() for column in read.columns), strict=True))  # each row's keys, as text
        share = len(sample) / max(1, self._copied_rows)  # sampled rows per row
        first, last = offset * share, (offset + size) * share
        margin = BRACKET_MARGIN + math.ceil(4 * math.sqrt(first * (1 - share)))  # 4 standard deviations and more
        low, high = min(math.floor(first) - margin, len(sample) - 1), math.ceil(last) + margin
        text, values = bracketed_page_sql(self.columns, self.rows_table, keys, sample[low] if low >= 0 else None,
                                          sample[high] if high < len(sample) else None, rows=self._copied_rows,
                                          from_end=2 * offset > self._copied_rows)
        rows = self._run(text, [*values, offset, offset + size - 1])
        place = self.columns.place_column
        if rows.column(place).to_pylist() != list(range(offset, offset + min(size, self._copied_rows - offset))):
            return None
        return rows.drop_columns([place])

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
                copied.connection.execute(sample_table_sql(self.sample_table, self.columns, self.rows_table,
                                                           BRACKET_SAMPLE))
                self._tables.add(self.sample_table)
                self._collated = self._collated_columns(copied.connection)
            except duckdb.Error as exc:
                raise QueryError(f"Copying the table's rows from {self.data.source} failed: {exc}") from exc
        self._copied_rows = self._count(copied.connection, self.rows_table)
        self._copied = True
        if self._rankable():
            cursor = self._ranking = self.data.connection.cursor()
            _in_background(cursor, lambda: self._make_ranks(cursor), "evalviz-table-ranks")
        else:
            self.ranked.set_result(False)

    def _want(self, column: str, *, wait: bool) -> None:
        """Have `column` ranked next, at once; `wait`: until it is (at most RANK_WAIT seconds)."""
        self._wanted = column
        self._wake.set()
        if wait:
            self._rank_tried[column].wait(RANK_WAIT)

    def _make_ranks(self, cursor: duckdb.DuckDBPyConnection) -> None:
        """Make the copy's sort ranks on a cursor of their own, one column after another, distinct values first
        (see the module): the column a page wants first, the others once no page was asked for RANK_AFTER_IDLE
        seconds. Pages asked meanwhile sort columns not ranked yet."""
        codes: dict[str, np.ndarray] = {}
        ties: np.ndarray | None = None
        try:
            while (column := self._next_to_rank()) is not None:
                self._building = column
                try:
                    if ties is None:  # every column's ranks need the tie order: made with the first
                        for tie in (c for c in self.tie_break if c not in codes):
                            codes[tie] = self._codes(cursor, tie)
                        ties = tie_order([codes[c] for c in self.tie_break], self._copied_rows)
                    self._rank_column(cursor, column, codes, ties)
                except _Wanted:  # a page waits for another column: that one first
                    continue
                self._ranked.add(column)
                self._rank_tried[column].set()
        except Exception:  # noqa: BLE001 - a failed ranking (or Python exiting) leaves pages sorting, as before it
            self.ranked.set_result(False)
        else:
            self.ranked.set_result(True)
        finally:
            self._ranking = self._building = None
            for tried in self._rank_tried.values():
                tried.set()

    def _rank_column(self, cursor: duckdb.DuckDBPyConnection, column: str, codes: dict[str, np.ndarray],
                     ties: np.ndarray) -> None:
        """Store `column`'s sort ranks beside the copy (its codes taken from `codes` when there)."""
        if column not in codes:
            codes[column] = self._codes(cursor, column)
        ranks, table = sort_ranks(codes[column], ties), self.ranks_tables[column]
        self._tables.add(table)
        self._again_if_stopped(cursor, lambda: cursor.from_arrow(ranks).to_table(table))
        del codes[column]

    def _next_to_rank(self) -> str | None:
        """The next column to rank: the one a page wants, else (once no page was asked for RANK_AFTER_IDLE
        seconds) the first not ranked yet; None when every one is."""
        while True:
            left = [c for c in self.columns.shown if c not in self._ranked]
            if not left:
                return None
            if self._wanted in left:
                return self._wanted
            wait = self._asked + RANK_AFTER_IDLE - time.monotonic()
            if wait <= 0:
                return left[0]
            self._wake.wait(wait)
            self._wake.clear()

    def _codes(self, cursor: duckdb.DuckDBPyConnection, column: str) -> np.ndarray:
        """`column`'s value codes (`value_codes`), its values read from the copy; by DuckDB for the types Arrow
        cannot order as DuckDB does."""
        ordered = self._arrow_ordered(column)
        statement = (column_values_sql if ordered else value_codes_sql)(self.columns, self.rows_table, column)
        read = self._again_if_stopped(cursor, lambda: cursor.sql(statement).to_arrow_table())
        rows, values = read.column("row").to_numpy(), read.column("value")
        if not np.array_equal(rows, np.arange(len(rows))):  # scanned out of the copy's order
            values = values.take(pa.array(np.argsort(rows)))
        return value_codes(values) if ordered else values.to_numpy()

    def _arrow_ordered(self, column: str) -> bool:
        """Whether Arrow orders `column` as DuckDB does (`arrow_ordered`)."""
        return arrow_ordered(self.columns.types[column], collated=column in self._collated)

    def _collated_columns(self, connection: duckdb.DuckDBPyConnection) -> frozenset[str]:
        """The copy's text columns DuckDB compares under a collation (`collated_sql`)."""
        texts = [c for c in self.columns.read if type_id(self.columns.types[c]) == "varchar"]
        found = connection.sql(collated_sql(self.rows_table, texts)).fetchall()
        return frozenset(c for c, collated in zip(texts, found[0] if found else [], strict=False) if collated)

    def _again_if_stopped(self, cursor: duckdb.DuckDBPyConnection, work: Callable[[], Any]) -> Any:
        """`work` on `cursor`, done again whenever a page stops it: once the table is left alone, or at once when a
        page wants a column ranked (`_Wanted` when it wants another column than the one being ranked)."""
        while True:
            try:
                with connection_lock(cursor):
                    return work()
            except duckdb.InterruptException:
                if _STOPPING.is_set():
                    raise
                while (wanted := self._wanted) is None or wanted in self._ranked:
                    if (wait := self._asked + RANK_AFTER_IDLE - time.monotonic()) <= 0:
                        break
                    self._wake.wait(wait)
                    self._wake.clear()
                else:
                    if self._building not in (None, wanted):
                        raise _Wanted from None

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
            text, values = row_order_sql(table, self.columns, self.rows_table, sort.kept, sort.keys)
        else:
            ranks_table, rank = sort.rank
            text, values = ranked_order_sql(table, self.columns, self.rows_table, ranks_table, sort.kept, rank)
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


class _Wanted(Exception):  # noqa: N818 - not an error: ranking turns to the column a page waits for
    """A page waits for another column's ranks than the one being ranked."""


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
