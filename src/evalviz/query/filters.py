"""A selection's clauses as a SQL condition with parameters: what a live widget's query filters its rows by.

Every value is a parameter (`?`), never pasted into the text; every column is a quoted identifier. The condition
keeps what `js/selections.js` keeps in the browser, given each column's DuckDB type: "in" keeps a value equal to
one of the clause's values of the same kind (a number equals a number, text equals text, a boolean equals a
boolean: `true` never equals `1`, as in JavaScript; NULL matches NULL; text equals a date or other column written
as text, as a table shows it, and an integer beyond +-(2**53 - 1) written as its exact decimal text, as the browser
reads one, js/arrow.js); "range" keeps both ends of a number column (a date's or timestamp's milliseconds, a
text's number); text matches read the column as text, and a pattern that is not a valid regular expression matches
nothing (as while it is being typed in the browser). A value of a kind the column cannot hold matches nothing,
never an engine error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from evalviz.data.connection import quote_identifier as q
from evalviz.data.patterns import is_valid_pattern
from evalviz.data.types import TypeLike, as_type, is_boolean, is_integer, is_nested, is_numeric, is_text, type_id
from evalviz.interaction.selection import Clause

Condition = tuple[str, list[Any]]  # SQL text with `?` placeholders, and the values bound to them in order
Types = Mapping[str, TypeLike]  # column -> DuckDB type, as `Data.types` gives
_NOTHING: Condition = ("FALSE", [])
_SAFE_INTEGER = 2**53 - 1  # beyond it, the browser reads an integer as its exact decimal text (js/arrow.js)
_INTEGER_TEXT = re.compile(r"-?[1-9][0-9]{15,39}")  # as JavaScript's BigInt writes one: no sign +, no leading 0
_INSTANTS = frozenset({"date", "timestamp", "timestamp_s", "timestamp_ms", "timestamp_ns", "timestamp with time zone"})


def clause_sql(clause: Clause, types: Types) -> Condition:
    """The condition one clause keeps rows by, over columns of `types`.

    Example:
        >>> import duckdb
        >>> types = {"model": duckdb.sqltype("VARCHAR"), "score": duckdb.sqltype("DOUBLE")}
        >>> clause_sql(Clause("s", ("model",), "in", [["a"], ["b"]]), types)
        ('("model") IN ((?), (?))', ['a', 'b'])
        >>> clause_sql(Clause("s", ("score",), "range", [0, 1]), types)
        ('"score" BETWEEN ? AND ?', [0, 1])
        >>> clause_sql(Clause("s", ("score",), "in", [["0.5"]]), types)  # text never equals a number
        ('FALSE', [])
    """
    if clause.op == "in":
        return _in_sql(clause, types)
    column, kind = q(clause.fields[0]), types[clause.fields[0]]
    if clause.op == "range":
        return _range_sql(column, kind, clause.value)
    text = column if is_text(kind) else f"CAST({column} AS VARCHAR)"
    if clause.op == "contains":
        return f"contains(lower({text}), lower(?))", [clause.value]
    if clause.op == "prefix":
        return f"starts_with(lower({text}), lower(?))", [clause.value]
    if not is_valid_pattern(clause.value):
        return _NOTHING
    return f"regexp_matches({text}, ?)", [clause.value]


def _comparable(value: Any, kind: TypeLike) -> bool:
    """Whether a clause's value can equal a value of a column of `kind`, as the browser compares them."""
    if value is None:
        return True
    if isinstance(value, bool):
        return is_boolean(kind)
    if isinstance(value, int | float):
        return is_numeric(kind)
    if _holds_whole_numbers(kind):
        return _is_unsafe_integer_text(value)
    return not (is_numeric(kind) or is_boolean(kind) or is_nested(kind))


def _holds_whole_numbers(kind: TypeLike) -> bool:
    """Integer columns, and decimals without digits after the point (as DuckDB hands HUGEINT to Arrow)."""
    return is_integer(kind) or (type_id(kind) == "decimal" and dict(as_type(kind).children)["scale"] == 0)


def _is_unsafe_integer_text(value: str) -> bool:
    """Whether `value` is the text the browser reads an integer beyond +-(2**53 - 1) as; it equals that integer's
    text in the kernel too (a safe integer is read as a number, which text never equals)."""
    return _INTEGER_TEXT.fullmatch(value) is not None and abs(int(value)) > _SAFE_INTEGER


def _equals(column: str, kind: TypeLike, value: Any) -> str:
    if value is None:
        return f"{column} IS NULL"
    if isinstance(value, str) and not is_text(kind):  # a date, JSON or wide integer equals its text, as shown
        return f"CAST({column} AS VARCHAR) = ?"
    return f"{column} = ?"


def _in_sql(clause: Clause, types: Types) -> Condition:
    kinds = [types[f] for f in clause.fields]
    rows = [row for row in clause.value if all(_comparable(v, k) for v, k in zip(row, kinds, strict=True))]
    if not rows:
        return _NOTHING
    plain = all(v is not None and (not isinstance(v, str) or is_text(k))
                for row in rows for v, k in zip(row, kinds, strict=True))
    if plain:  # one IN list, which DuckDB answers fastest
        columns = "(" + ", ".join(q(f) for f in clause.fields) + ")"
        one = "(" + ", ".join("?" for _ in clause.fields) + ")"
        return f"{columns} IN ({', '.join(one for _ in rows)})", [v for row in rows for v in row]
    parts, params = [], []
    for row in rows:
        tests = [_equals(q(f), k, v) for f, k, v in zip(clause.fields, kinds, row, strict=True)]
        parts.append("(" + " AND ".join(tests) + ")")
        params.extend(v for v in row if v is not None)
    return "(" + " OR ".join(parts) + ")", params


def _range_sql(column: str, kind: TypeLike, bounds: tuple[Any, Any]) -> Condition:
    if is_numeric(kind):
        return f"{column} BETWEEN ? AND ?", list(bounds)
    if is_boolean(kind):  # the browser reads true as 1, false as 0
        return f"CAST({column} AS INTEGER) BETWEEN ? AND ?", list(bounds)
    if type_id(kind) in _INSTANTS:  # the browser compares a date by its milliseconds, as a brush gives them
        return f"epoch_ms({column}) BETWEEN ? AND ?", list(bounds)
    if is_text(kind):
        return f"TRY_CAST({column} AS DOUBLE) BETWEEN ? AND ?", list(bounds)
    return _NOTHING


def where_sql(clauses: Sequence[Clause], resolve: str, types: Types) -> Condition:
    """The condition a selection's active clauses keep rows by: all of them ("union": any of them); TRUE when
    there are none. `types` gives the DuckDB type of every column the clauses read (`Data.types`).

    Example:
        >>> import duckdb
        >>> types = {"x": duckdb.sqltype("BIGINT"), "y": duckdb.sqltype("VARCHAR")}
        >>> where_sql([Clause("a", ("x",), "in", [[1]]), Clause("b", ("y",), "prefix", "g")], "intersect", types)
        ('(("x") IN ((?))) AND (starts_with(lower("y"), lower(?)))', [1, 'g'])
    """
    if not clauses:
        return "TRUE", []
    parts = [clause_sql(c, types) for c in clauses]
    if resolve != "union":
        return all_of(*parts)
    return " OR ".join(f"({text})" for text, _ in parts), [v for _, values in parts for v in values]


def all_of(*conditions: Condition) -> Condition:
    """Rows every condition keeps (TRUE ones left out; TRUE when none is left).

    Example:
        >>> all_of(("TRUE", []), ('"x" = ?', [2]), ('"y" < ?', [3]))
        ('("x" = ?) AND ("y" < ?)', [2, 3])
    """
    kept = [(text, values) for text, values in conditions if text != "TRUE"]
    if not kept:
        return "TRUE", []
    return " AND ".join(f"({text})" for text, _ in kept), [v for _, values in kept for v in values]
