"""The statements of `ev.table`: the rows a page ships, and one page of rows for the live widget.

A table shows its columns as the browser reads them: numbers and booleans as they are, text as it is, every
other type (dates, timestamps, lists, structs) as DuckDB writes it as text. Sorting reads the column itself
(dates sort as dates), then the tie-breaking columns, so a page never holds a row another page holds. Search
keeps rows where any shown column, read as text, contains the searched text, case ignored; a selection's clauses
come from `evalviz.query.filters`. Every value is a parameter, every column a quoted identifier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from evalviz.data.connection import quote_identifier as q
from evalviz.data.types import TypeLike, is_boolean, is_integer, is_numeric, is_text, type_id

Direction = Literal["asc", "desc"]
Condition = tuple[str, list[Any]]  # SQL text with `?` placeholders, and the values bound to them in order
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

    def select_list(self) -> str:
        return ", ".join(shown_sql(c, self.types[c]) for c in self.read)


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
    """Rows where any of `columns` (name -> type), read as text, contains `text` (case ignored); TRUE for no text.

    A number's or a boolean's text holds only some characters ("0-9.-+e", "inf", "nan"; "true", "false"): a
    column whose text cannot contain `text` is not read at all, which spares casting millions of numbers.

    Example:
        >>> import duckdb
        >>> types = {"id": duckdb.sqltype("VARCHAR"), "score": duckdb.sqltype("DOUBLE")}
        >>> search_sql(types, "ab")
        ('(contains(lower(t."id"), lower(?)))', ['ab'])
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


def all_of(*conditions: Condition) -> Condition:
    """Rows every condition keeps (TRUE ones left out).

    Example:
        >>> all_of(("TRUE", []), ('"x" = ?', [2]), ('"y" < ?', [3]))
        ('("x" = ?) AND ("y" < ?)', [2, 3])
    """
    kept = [(text, values) for text, values in conditions if text != "TRUE"]
    if not kept:
        return "TRUE", []
    return " AND ".join(f"({text})" for text, _ in kept), [v for _, values in kept for v in values]


def page_sql(
    columns: TableColumns,
    where: Condition,
    order: Sequence[tuple[str, Direction]],
    tie_break: Sequence[str],
) -> Condition:
    """One page: rows kept by `where`, sorted by `order` then `tie_break` (ascending), `LIMIT ? OFFSET ?` last.

    With no `order`, rows come in the table's own order (DuckDB keeps a scan's order), which needs no sort.
    The caller appends the page's size and offset to the returned values. NULLs sort last either way.

    Example:
        >>> import duckdb
        >>> cols = TableColumns(("id", "score"), (), {"id": duckdb.sqltype("VARCHAR"), "score": duckdb.sqltype("DOUBLE")})
        >>> page_sql(cols, ("TRUE", []), [("score", "desc")], ["id"])[0]
        'SELECT t."id" AS "id", t."score" AS "score" FROM this AS t WHERE TRUE ORDER BY t."score" DESC NULLS LAST, t."id" ASC NULLS LAST LIMIT ? OFFSET ?'
    """  # noqa: E501 - a doctest's output is one line
    sorted_by = list(order) + [(c, "asc") for c in tie_break if c not in {name for name, _ in order}] if order else []
    keys = ", ".join(f"t.{q(c)} {d.upper()} NULLS LAST" for c, d in sorted_by)
    text, values = where
    ordering = f" ORDER BY {keys}" if keys else ""
    return f"SELECT {columns.select_list()} FROM this AS t WHERE {text}{ordering} LIMIT ? OFFSET ?", list(values)


def count_sql(where: Condition) -> Condition:
    """How many rows `where` keeps, as `n`.

    Example:
        >>> count_sql(("t.\\"x\\" > ?", [1]))
        ('SELECT count(*) AS n FROM this AS t WHERE t."x" > ?', [1])
    """
    text, values = where
    return f"SELECT count(*) AS n FROM this AS t WHERE {text}", list(values)
