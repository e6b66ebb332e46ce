"""The statements of `ev.table`: the rows a page ships, and one page of rows for the live widget.

A table shows its columns as the browser reads them: numbers and booleans as they are, text as it is, every
other type (dates, timestamps, lists, structs) as DuckDB writes it as text. Sorting reads the column itself
(dates sort as dates), then the tie-breaking columns, so a page never holds a row another page holds. Search
keeps rows where any shown column, read as text, contains the searched text, case ignored (a live table's copy
holds each row's shown columns as one lower-cased text, searched in one pass); a selection's clauses
come from `evalviz.query.filters`. Every value is a parameter, every column a quoted identifier.

Every statement over a live table's copy finds a row's place in the table (from 0) as `TableColumns.row`: DuckDB's
`rowid` of the copy (a copy keeps its source's order), or, when a column read is named `rowid` (in any case) and
hides it, a column of the copy's own (`TableColumns.row_column`; numbering rows in a window takes a third of the
copy's time, so only then). Rank tables and row orders are evalviz's own: their `rowid` is theirs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from evalviz.data.connection import quote_identifier as q
from evalviz.data.types import TypeLike, is_boolean, is_integer, is_numeric, is_text, type_id
from evalviz.query.filters import Condition

Direction = Literal["asc", "desc"]
# Types Arrow carries to the browser as JavaScript reads them: booleans, binary floats, integers up to 64 bits.
_AS_THEY_ARE = frozenset({"boolean", "float", "double", "tinyint", "smallint", "integer", "bigint", "utinyint",
                          "usmallint", "uinteger", "ubigint"})


def column_kind(kind: TypeLike) -> str:
    """How the browser shows a column of this DuckDB type: "int", "float", "bool" or "text".

    Example:
        >>> import duckdb
        >>> [column_kind(duckdb.sqltype(t)) for t in ("BIGINT", "DOUBLE", "BOOLEAN", "DATE")]
        ['int', 'float', 'bool', 'text']
    """
    if is_integer(kind):
        return "int"
    if is_numeric(kind):
        return "float"
    if is_boolean(kind):
        return "bool"
    return "text"


def shown_sql(column: str, kind: TypeLike) -> str:
    """A column as the browser reads it, named as it is (see the module).

    Example:
        >>> import duckdb
        >>> shown_sql("when", duckdb.sqltype("DATE"))
        'CAST(t."when" AS VARCHAR) AS "when"'
    """
    source = f"t.{q(column)}"
    if type_id(kind) in _AS_THEY_ARE or is_text(kind):
        return f"{source} AS {q(column)}"
    if is_numeric(kind):  # DECIMAL and integers wider than 64 bits: the browser reads doubles
        return f"CAST({source} AS DOUBLE) AS {q(column)}"
    return f"CAST({source} AS VARCHAR) AS {q(column)}"


@dataclass(frozen=True)
class TableColumns:
    """The columns a table reads: those it shows (and searches), and those it ships beside them (keys a row
    click publishes, columns a selection filters on); `types` gives each one's DuckDB type."""

    shown: tuple[str, ...]
    extra: tuple[str, ...]
    types: Mapping[str, TypeLike] = field(repr=False)

    @property
    def read(self) -> tuple[str, ...]:
        """Every column read, the shown ones first, each once."""
        return tuple(dict.fromkeys((*self.shown, *self.extra)))

    @property
    def shown_types(self) -> dict[str, TypeLike]:
        """The shown (searched) columns' types, by name."""
        return {c: self.types[c] for c in self.shown}

    @property
    def search_column(self) -> str:
        """The name of a copy's search text: "search", or with underscores before it until no column has it."""
        return _free_name("search", self.read)

    @property
    def row_column(self) -> str:
        """The name of a row's place (from 0, in the table's order) in a live table's copy (`copy_sql`): "row", made
        free as `search_column`."""
        return _free_name("row", (*self.read, self.search_column))

    @property
    def rowid_hidden(self) -> bool:
        """Whether a column read is named `rowid` (in any case), hiding DuckDB's rowid of a copy."""
        return any(c.lower() == "rowid" for c in self.read)

    @property
    def row(self) -> str:
        """A row's place in a live table's copy `t`, in SQL: its rowid, or its `row_column` when that is hidden."""
        return f"t.{q(self.row_column)}" if self.rowid_hidden else "t.rowid"

    @property
    def place_column(self) -> str:
        """The name of a row's place beside the columns read (`bracketed_page_sql`): "place", made free too."""
        return _free_name("place", self.read)

    def select_list(self) -> str:
        return ", ".join(shown_sql(c, self.types[c]) for c in self.read)


def _free_name(name: str, taken: Sequence[str]) -> str:
    """`name`, with underscores before it until no name of `taken` is it, case ignored (as DuckDB's identifiers)."""
    taken_names = {t.lower() for t in taken}
    while name.lower() in taken_names:
        name = "_" + name
    return name


def shipped_rows_sql(columns: TableColumns) -> str:
    """The rows a standalone page ships: the first `?` rows in the table's order.

    Example:
        >>> import duckdb
        >>> cols = TableColumns(("id",), (), {"id": duckdb.sqltype("VARCHAR")})
        >>> shipped_rows_sql(cols)
        'SELECT t."id" AS "id" FROM this AS t LIMIT ?'
    """
    return f"SELECT {columns.select_list()} FROM this AS t LIMIT ?"


def search_sql(columns: Mapping[str, TypeLike], text: str) -> Condition:
    r"""Rows where any of `columns` (name -> type), read as text, contains `text` (case ignored); TRUE for no text.

    Each column's text is lower-cased and searched for the lower-cased text by `contains` (no pattern: `%`, `_`
    and `\` are found as written). A number's or a boolean's text holds only some characters ("0-9.-+e", "inf",
    "nan"; "true", "false"): a column whose text cannot contain `text` is not read at all, which spares casting
    millions of numbers. A live table's copy searches one column instead (`copy_search_sql`).

    Example:
        >>> import duckdb
        >>> types = {"id": duckdb.sqltype("VARCHAR"), "score": duckdb.sqltype("DOUBLE")}
        >>> text, values = search_sql(types, "a_b")
        >>> print(text, *values)
        (contains(lower(t."id"), lower(?))) a_b
        >>> search_sql(types, "0.5")[0].count("contains")
        2
    """
    if not text:
        return "TRUE", []
    parts = [f"contains(lower({_as_text(c, kind)}), lower(?))" for c, kind in columns.items()
             if _text_can_hold(kind, text.lower())]
    if not parts:
        return "FALSE", []
    return "(" + " OR ".join(parts) + ")", [text] * len(parts)


SEPARATOR = "\n"  # between the columns of a copy's search text: a search box's text never holds it


def search_text_sql(columns: Mapping[str, TypeLike]) -> str:
    """A row's search text: its columns (name -> type), each read as text, joined by `SEPARATOR` (NULLs left
    out), lower-cased. A text without `SEPARATOR` that this contains lies inside one column's text.

    Example:
        >>> import duckdb
        >>> search_text_sql({"id": duckdb.sqltype("VARCHAR"), "n": duckdb.sqltype("BIGINT")})
        'lower(concat_ws(chr(10), t."id", CAST(t."n" AS VARCHAR)))'
    """
    joined = ", ".join(_as_text(c, kind) for c, kind in columns.items())
    return f"lower(concat_ws(chr({ord(SEPARATOR)}), {joined}))"


def copy_search_sql(columns: Mapping[str, TypeLike], search_column: str, text: str) -> Condition:
    """`search_sql` over a live table's copy, whose `search_column` holds each row's `search_text_sql`: one
    `contains` over one column. A text holding `SEPARATOR` could span two columns there: it is searched column by
    column (`search_sql`), with the same result.

    Example:
        >>> import duckdb
        >>> copy_search_sql({"id": duckdb.sqltype("VARCHAR")}, "search", "Ab")
        ('contains(t."search", lower(?))', ['Ab'])
    """
    if not text or SEPARATOR in text:
        return search_sql(columns, text)
    return f"contains(t.{q(search_column)}, lower(?))", [text]


_NUMBER_CHARACTERS = frozenset("0123456789.-+e" + "inf" + "nan" + "ity")


def _text_can_hold(kind: TypeLike, text: str) -> bool:
    """Whether a value of this type, written as text and lower-cased, can contain `text` (lower-cased)."""
    if is_numeric(kind):
        return set(text) <= _NUMBER_CHARACTERS
    if is_boolean(kind):
        return text in "true" or text in "false"
    return True


def _as_text(column: str, kind: TypeLike) -> str:
    return f"t.{q(column)}" if is_text(kind) else f"CAST(t.{q(column)} AS VARCHAR)"


def order_keys(order: Sequence[tuple[str, Direction]], tie_break: Sequence[str], *, row: str | None = None) -> str:
    """The ORDER BY keys of `order` then `tie_break` (ascending), NULLs last; "" for no `order`. `row`: rows still
    tied come in the table's order, this row place (a live table's copy's `TableColumns.row`), so that every row
    has one place.

    Example:
        >>> order_keys([("score", "desc")], ["id", "score"])
        't."score" DESC NULLS LAST, t."id" ASC NULLS LAST'
        >>> order_keys([("id", "asc")], [], row='t."row"')
        't."id" ASC NULLS LAST, t."row"'
    """
    if not order:
        return ""
    named = {name for name, _ in order}
    sorted_by = [*order, *((c, "asc") for c in tie_break if c not in named)]
    return ", ".join([*(f"t.{q(c)} {d.upper()} NULLS LAST" for c, d in sorted_by), *([row] if row else [])])


def page_sql(
    columns: TableColumns,
    where: Condition,
    order: Sequence[tuple[str, Direction]],
    tie_break: Sequence[str],
) -> Condition:
    """One page of the source: rows kept by `where`, sorted by `order` then `tie_break` (ascending), `LIMIT ? OFFSET ?`
    last.

    With no `order`, rows come in the table's own order (DuckDB keeps a scan's order), which needs no sort.
    The caller appends the page's size and offset to the returned values. NULLs sort last either way.

    Example:
        >>> import duckdb
        >>> cols = TableColumns(("id", "score"), (), {"id": duckdb.sqltype("VARCHAR"), "score": duckdb.sqltype("DOUBLE")})
        >>> page_sql(cols, ("TRUE", []), [("score", "desc")], ["id"])[0]
        'SELECT t."id" AS "id", t."score" AS "score" FROM this AS t WHERE TRUE ORDER BY t."score" DESC NULLS LAST, t."id" ASC NULLS LAST LIMIT ? OFFSET ?'
    """  # noqa: E501 - a doctest's output is one line
    keys = order_keys(order, tie_break)
    text, values = where
    ordering = f" ORDER BY {keys}" if keys else ""
    return f"SELECT {columns.select_list()} FROM this AS t WHERE {text}{ordering} LIMIT ? OFFSET ?", list(values)


def copy_sql(columns: TableColumns) -> str:
    """The columns a live table reads, as they are stored (searched and sorted as the source's own), in the
    table's order, each row's search text over the shown columns (`search_text_sql`) as `columns.search_column`,
    and, when a column read hides the copy's rowid, its place in the table (from 0) as `columns.row_column`: what
    its kernel-side copy holds.

    Example:
        >>> import duckdb
        >>> print(copy_sql(TableColumns(("id",), ("rowid",), {"id": duckdb.sqltype("VARCHAR")})))
        SELECT t."id", t."rowid", lower(concat_ws(chr(10), t."id")) AS "search", row_number() OVER () - 1 AS "row" FROM this AS t
    """  # noqa: E501 - a doctest's output is one line
    read = ", ".join(f"t.{q(c)}" for c in columns.read)
    row = f", row_number() OVER () - 1 AS {q(columns.row_column)}" if columns.rowid_hidden else ""
    return f"SELECT {read}, {search_text_sql(columns.shown_types)} AS {q(columns.search_column)}{row} FROM this AS t"


def row_order_sql(order_table: str, columns: TableColumns, rows_table: str, where: Condition, keys: str) -> Condition:
    """Create `order_table`: the places (`columns.row`) of the rows of the copy `rows_table` that `where` keeps, in
    the order of `keys` (the table's own order when ""), one row each; its own rowid is then a row's position (from
    0) in that order.

    Example:
        >>> print(*row_order_sql("o", TableColumns(("x",), (), {}), "r", ('t."x" > ?', [1]), ""))
        CREATE OR REPLACE TABLE o AS SELECT t.rowid AS r FROM r AS t WHERE t."x" > ? ORDER BY t.rowid [1]
    """
    text, values = where
    return (f"CREATE OR REPLACE TABLE {order_table} AS SELECT {columns.row} AS r FROM {rows_table} AS t WHERE {text} "
            f"ORDER BY {keys or columns.row}", list(values))


def ranked_order_sql(order_table: str, columns: TableColumns, rows_table: str, ranks_table: str, where: Condition,
                     rank: str) -> Condition:
    """`row_order_sql` of a sort by one column whose ranks are made (`rank` of `ranks_table`, `rank_range_sql`):
    the kept rows are found first, then sorted by their ranks, integers, rather than by their columns.

    Example:
        >>> row_order = ranked_order_sql("o", TableColumns(("x",), (), {}), "r", "k", ('t."x" > ?', [1]), "asc")
        >>> print(row_order[0])
        CREATE OR REPLACE TABLE o AS SELECT s.r FROM (SELECT t.rowid AS r FROM r AS t WHERE t."x" > ?) AS s JOIN k AS k ON k.rowid = s.r ORDER BY k."asc"
    """  # noqa: E501 - a doctest's output is one line
    text, values = where
    return (f"CREATE OR REPLACE TABLE {order_table} AS SELECT s.r FROM (SELECT {columns.row} AS r FROM {rows_table} "
            f"AS t WHERE {text}) AS s JOIN {ranks_table} AS k ON k.rowid = s.r ORDER BY k.{q(rank)}", list(values))


def copy_page_sql(columns: TableColumns, rows_table: str, where: Condition, keys: str) -> Condition:
    """One page of a live table's copy `rows_table`: rows kept by `where`, in the order of `keys` (which give every
    row one place; the copy's own order, unsorted, when ""), `LIMIT ? OFFSET ?` last (the caller appends them).

    Example:
        >>> copy_page_sql(TableColumns(("id",), (), {"id": "VARCHAR"}), "r", ("TRUE", []), 't."row"')[0]
        'SELECT t."id" AS "id" FROM r AS t WHERE TRUE ORDER BY t."row" LIMIT ? OFFSET ?'
    """
    text, values = where
    ordering = f" ORDER BY {keys}" if keys else ""
    return (f"SELECT {columns.select_list()} FROM {rows_table} AS t WHERE {text}{ordering} LIMIT ? OFFSET ?",
            list(values))


def column_values_sql(columns: TableColumns, rows_table: str, column: str) -> str:
    """A column of a live table's copy `rows_table` as `value`, with each row's place in the copy as `row` (a scan
    keeps the copy's order unless DuckDB is told not to): what its sort ranks are made from.

    Example:
        >>> column_values_sql(TableColumns(("rowid",), (), {}), "r", "rowid")
        'SELECT t."row" AS "row", t."rowid" AS "value" FROM r AS t'
    """
    return f'SELECT {columns.row} AS "row", t.{q(column)} AS "value" FROM {rows_table} AS t'


def value_codes_sql(columns: TableColumns, rows_table: str, column: str) -> str:
    """Each row's code of `column` in a live table's copy `rows_table` as `value`, made by DuckDB, with the row's
    place as `row` (`column_values_sql`): its value's place (from 0) among the column's distinct values sorted by
    ORDER BY, values it ties sharing one; -1 for NULL (as `evalviz.interaction.table_ranks.value_codes` makes them,
    for the types Arrow cannot order as DuckDB does).

    Example:
        >>> print(value_codes_sql(TableColumns(("x",), (), {}), "r", "x"))
        SELECT t.rowid AS "row", CASE WHEN t."x" IS NULL THEN -1 ELSE dense_rank() OVER (ORDER BY t."x" ASC NULLS LAST) - 1 END AS "value" FROM r AS t
    """  # noqa: E501 - a doctest's output is one line
    return (f'SELECT {columns.row} AS "row", CASE WHEN t.{q(column)} IS NULL THEN -1 ELSE dense_rank() OVER (ORDER BY '
            f't.{q(column)} ASC NULLS LAST) - 1 END AS "value" FROM {rows_table} AS t')


SortKey = tuple[str, Direction, str]  # a sort key: its SQL expression over `t`, its direction, its DuckDB type
Bound = Sequence[str | None]  # a row's values of sort keys, as text (`sample_sql`)


def sort_keys(order: tuple[str, Direction], tie_break: Sequence[str], columns: TableColumns) -> list[SortKey]:
    """The keys of a live table's copy sorted by one column (`order`), then the tie-breaking columns ascending,
    then the row's place (`columns.row`): `order_keys` (with `row`) as keys, each with its DuckDB type.

    Example:
        >>> cols = TableColumns(("score", "id"), (), {"score": "DOUBLE", "id": "VARCHAR"})
        >>> sort_keys(("score", "desc"), ["id", "score"], cols)
        [('t."score"', 'desc', 'DOUBLE'), ('t."id"', 'asc', 'VARCHAR'), ('t.rowid', 'asc', 'BIGINT')]
    """
    column, direction = order
    named = [(column, direction), *((c, "asc") for c in tie_break if c != column)]
    return [*((f"t.{q(c)}", d, str(columns.types[c])) for c, d in named), (columns.row, "asc", "BIGINT")]


def collated_sql(rows_table: str, columns: Sequence[str]) -> str:
    """Whether DuckDB compares each of the text `columns` of a live table's copy `rows_table` under a collation
    (the column's own, or the default_collation setting) rather than byte by byte, as booleans c0, c1, ... of one
    row (none for an empty copy): a value of the column's type ("B", "f") is compared with two whose byte order
    every common collation reverses ("a", "é"); an expression of a collated column compares as the column does.

    Example:
        >>> print(collated_sql("r", ["u"]))
        SELECT NOT ((CASE WHEN FALSE THEN t."u" ELSE 'B' END) < 'a' AND (CASE WHEN FALSE THEN t."u" ELSE 'f' END) < 'é') AS c0 FROM r AS t LIMIT 1
    """  # noqa: E501 - a doctest's output is one line
    probes = ", ".join(f"NOT ((CASE WHEN FALSE THEN t.{q(c)} ELSE 'B' END) < 'a' AND (CASE WHEN FALSE THEN t.{q(c)} "
                       f"ELSE 'f' END) < 'é') AS c{i}" for i, c in enumerate(columns))
    return f"SELECT {probes or 'FALSE'} FROM {rows_table} AS t LIMIT 1"


def sample_table_sql(sample_table: str, columns: TableColumns, rows_table: str, rows: int) -> str:
    """Create `sample_table`: a random sample of `rows` rows of a live table's copy `rows_table` (DuckDB's
    reservoir sample, the same one each time), with the copy's columns and each row's place in the copy as
    `columns.row_column`: where `bracketed_page_sql` finds two rows around a page (`sample_sql`).

    Example:
        >>> sample_table_sql("s", TableColumns(("u",), (), {}), "r", 4096)
        'CREATE OR REPLACE TABLE s AS SELECT t.*, t.rowid AS "row" FROM r AS t USING SAMPLE reservoir(4096 ROWS) REPEATABLE (0)'
    """  # noqa: E501 - a doctest's output is one line
    place = "" if columns.rowid_hidden else f", t.rowid AS {q(columns.row_column)}"  # (else the copy holds it)
    return (f"CREATE OR REPLACE TABLE {sample_table} AS SELECT t.*{place} FROM {rows_table} AS t "
            f"USING SAMPLE reservoir({int(rows)} ROWS) REPEATABLE (0)")


def sample_sql(sample_table: str, columns: TableColumns, keys: Sequence[SortKey]) -> str:
    """The rows of `sample_table` (`sample_table_sql`) in `keys`' order (`sort_keys`, a row's place read from
    `columns.row_column` there), their keys only, as text (k0, k1, ...): DuckDB writes each value so that casting
    it back gives the same value (a float's shortest exact digits, a timestamp's nanoseconds, its time zone).

    Example:
        >>> sample_sql("s", TableColumns(("u",), (), {}), [('t."u"', "desc", "DOUBLE"), ("t.rowid", "asc", "BIGINT")])
        'SELECT CAST(t."u" AS VARCHAR) AS k0, CAST(t."row" AS VARCHAR) AS k1 FROM s AS t ORDER BY t."u" DESC NULLS LAST, t."row" ASC NULLS LAST'
    """  # noqa: E501 - a doctest's output is one line
    sampled = [(f"t.{q(columns.row_column)}" if x == columns.row else x, d, kind) for x, d, kind in keys]
    texts = ", ".join(f"CAST({x} AS VARCHAR) AS k{i}" for i, (x, _, _) in enumerate(sampled))
    return f"SELECT {texts} FROM {sample_table} AS t ORDER BY {_ordering(sampled)}"


def bracketed_page_sql(columns: TableColumns, rows_table: str, keys: Sequence[SortKey], low: Bound | None,
                       high: Bound | None, *, rows: int, from_end: bool) -> Condition:
    """The rows of the whole copy `rows_table` (of `rows` rows) sorted by `keys` (`sort_keys`: every row has one
    place, its last key being the row's place in the copy, `columns.row`) at places `?` to `?` (both kept, from 0; the caller appends them), found without sorting every row: only
    the rows from the row `low` to the row `high` (their keys as `sample_sql` writes them; None: that end left open)
    are sorted, each placed after the rows before `low`. One scan keeps the rows on the page's side of the bracket
    (up to `high`; from `low` on, `from_end`, for a page past the middle), flagged when outside it; the rows before
    `low` are counted from them. A page not all between the two rows comes back short: it is then asked otherwise.
    Each row comes with its place, as `columns.place_column`.

    Example:
        >>> keys = [('t."u"', "desc", "VARCHAR"), ('t."row"', "asc", "BIGINT")]
        >>> text, values = bracketed_page_sql(TableColumns(("u",), (), {"u": "VARCHAR"}), "r", keys, ("b", "7"), None,
        ...                                   rows=10, from_end=False)
        >>> print(text.split(" AS outside ")[0])
        WITH c AS MATERIALIZED (SELECT t."u" AS k0, t."row" AS k1, ((t."u" IS NOT NULL AND t."u" > CAST(? AS VARCHAR)) OR ((t."u" IS NOT NULL AND t."u" = CAST(? AS VARCHAR)) AND ((t."row" IS NOT NULL AND t."row" < CAST(? AS BIGINT)) OR ((t."row" IS NOT NULL AND t."row" = CAST(? AS BIGINT)) AND FALSE))))
        >>> values
        ['b', 'b', '7', '7']
    """  # noqa: E501 - a doctest's output is one line
    before, before_values = _beyond_sql(keys, low, later=False) if low is not None else ("FALSE", [])
    after, after_values = _beyond_sql(keys, high, later=True) if high is not None else ("FALSE", [])
    if from_end:  # the rows from `low` on are kept: those before it are every other row
        outside, side, values, counted = after, f"NOT {before}", [*after_values, *before_values, rows], (
            "? - (SELECT count(*) FROM c)")
    else:
        outside, side, values, counted = before, f"NOT {after}", [*before_values, *after_values], (
            "(SELECT count(*) FROM c WHERE c.outside)")
    named = ", ".join(f"{x} AS k{i}" for i, (x, _, _) in enumerate(keys))
    ordering = _ordering([(f"c.k{i}", direction, kind) for i, (_, direction, kind) in enumerate(keys)])
    place = q(columns.place_column)
    return (f"WITH c AS MATERIALIZED (SELECT {named}, {outside} AS outside FROM {rows_table} AS t WHERE {side}) "
            f"SELECT {columns.select_list()}, p.{place} FROM (SELECT c.k{len(keys) - 1} AS r, {counted} + "
            f"row_number() OVER (ORDER BY {ordering}) - 1 AS {place} FROM c WHERE NOT c.outside) AS p JOIN "
            f"{rows_table} AS t ON {columns.row} = p.r WHERE p.{place} BETWEEN ? AND ? ORDER BY p.{place}", values)


def _ordering(keys: Sequence[SortKey]) -> str:
    return ", ".join(f"{x} {direction.upper()} NULLS LAST" for x, direction, _ in keys)


def _beyond_sql(keys: Sequence[SortKey], bound: Bound, *, later: bool) -> Condition:
    """Rows whose `keys` come strictly before `bound` (`later`: after it) in the keys' order, NULLs last: the first
    key on which a row differs from the bound (its values as text, cast back to the keys' types) decides. TRUE or
    FALSE for every row (never NULL), so that NOT keeps the others."""
    text, values = "FALSE", []  # a row equal to the bound on every key is neither
    for (x, direction, kind), value in reversed(list(zip(keys, bound, strict=True))):
        if value is None:  # NULL sorts last: every value comes before it, none after it
            beyond, same = ("FALSE" if later else f"{x} IS NOT NULL"), f"{x} IS NULL"
            beyond_values, same_values = [], []
        else:
            cast, operator = f"CAST(? AS {kind})", ">" if later == (direction == "asc") else "<"
            beyond = (f"({x} IS NULL OR {x} {operator} {cast})" if later
                      else f"({x} IS NOT NULL AND {x} {operator} {cast})")
            beyond_values, same, same_values = [value], f"({x} IS NOT NULL AND {x} = {cast})", [value]
        text, values = f"({beyond} OR ({same} AND {text}))", [*beyond_values, *same_values, *values]
    return text, values


def rank_range_sql(columns: TableColumns, rows_table: str, ranks_table: str, rank: str) -> str:
    """The rows of the whole table at places `?` to `?` (both kept, from 0) of the sort whose ranks are `rank`
    ("asc" or "desc") of `ranks_table` (one row per row of the copy, in its order: its rowid is the row's place,
    `columns.row`), in that order: the ranks are looked up, not sorted.

    Example:
        >>> rank_range_sql(TableColumns(("id",), (), {"id": "VARCHAR"}), "r", "k", "asc")
        'SELECT t."id" AS "id" FROM k AS k JOIN r AS t ON t.rowid = k.rowid WHERE k."asc" BETWEEN ? AND ? ORDER BY k."asc"'
    """  # noqa: E501 - a doctest's output is one line
    return (f"SELECT {columns.select_list()} FROM {ranks_table} AS k JOIN {rows_table} AS t ON {columns.row} = k.rowid "
            f"WHERE k.{q(rank)} BETWEEN ? AND ? ORDER BY k.{q(rank)}")


def ordered_page_sql(columns: TableColumns, order_table: str, rows_table: str) -> str:
    """The rows at positions `?` to `?` (both kept, from 0) of `order_table` (`row_order_sql`), in that order.

    Example:
        >>> ordered_page_sql(TableColumns(("id",), (), {"id": "VARCHAR"}), "o", "r")
        'SELECT t."id" AS "id" FROM o AS o JOIN r AS t ON t.rowid = o.r WHERE o.rowid BETWEEN ? AND ? ORDER BY o.rowid'
    """
    return (f"SELECT {columns.select_list()} FROM {order_table} AS o JOIN {rows_table} AS t ON {columns.row} = o.r "
            "WHERE o.rowid BETWEEN ? AND ? ORDER BY o.rowid")


def count_sql(where: Condition) -> Condition:
    """How many rows `where` keeps, as `n`.

    Example:
        >>> count_sql(("t.\\"x\\" > ?", [1]))
        ('SELECT count(*) AS n FROM this AS t WHERE t."x" > ?', [1])
    """
    text, values = where
    return f"SELECT count(*) AS n FROM this AS t WHERE {text}", list(values)


def attach_memory_sql(database: str) -> str:
    """SQL attaching an in-memory database named `database` (once): where live tables keep their copies.

    Example:
        >>> print(attach_memory_sql("evalviz_tables"))
        ATTACH IF NOT EXISTS ':memory:' AS "evalviz_tables"
    """
    return f"ATTACH IF NOT EXISTS ':memory:' AS {q(database)}"


def table_count_sql(table: str) -> str:
    """SQL of the rows of `table` (a qualified, quoted name), as column n."""
    return f"SELECT count(*) AS n FROM {table}"


def drop_table_sql(table: str) -> str:
    """SQL dropping `table` (a qualified, quoted name) when it exists."""
    return f"DROP TABLE IF EXISTS {table}"
