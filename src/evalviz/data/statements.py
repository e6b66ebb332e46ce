"""The user's SQL that a `Data` runs: one query that returns rows, never a statement that changes a database.

Every `Data` of a session shares one DuckDB connection, so a CREATE, INSERT, DROP, SET, ATTACH or COPY run by
one would change what every other sees (or write files). Such a statement is refused before anything runs, by
its parsed type: only a SELECT (which includes WITH, VALUES, FROM-first queries, DESCRIBE, SUMMARIZE and PIVOT
with its values listed) is a query.
"""

from __future__ import annotations

import functools
import threading

import duckdb

from evalviz.data.connection import connection_lock, default_connection
from evalviz.errors import QueryError

_parser_lock = threading.Lock()


# Statements that return rows and change nothing.
_ROWS_STATEMENTS = (duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN)


def check_rows_query(query: str, method: str) -> str:
    """Raise `QueryError` unless `query` is one statement, and a query that returns rows; return the query
    without what may follow its end (semicolons and comments), which a query wrapped in another cannot hold.

    SQL that does not parse passes here: running it says what is wrong with it, as for any other query.

    Example:
        >>> check_rows_query("SELECT 1 AS a; -- done", "from_sql")
        'SELECT 1 AS a'
        >>> check_rows_query("DROP TABLE runs", "from_sql")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        evalviz.errors.QueryError: from_sql takes a query that returns rows ... not a statement of type DROP: ...
    """
    try:
        with _parser_lock:
            statements = _parser().extract_statements(query)
    except duckdb.Error:
        return query
    if len(statements) > 1:
        raise QueryError(
            f"{method} takes one query, not {len(statements)} statements: give a single SELECT (join or combine "
            "what you need with WITH ... SELECT)."
        )
    if statements and statements[0].type not in _ROWS_STATEMENTS:
        kind = statements[0].type.name
        hint = (" A PIVOT without the values to pivot on (ON x IN (...)) makes a type on the connection: list the "
                "values." if kind == "MULTI" else "")
        raise QueryError(
            f"{method} takes a query that returns rows (SELECT, WITH, VALUES, FROM, DESCRIBE, SUMMARIZE, EXPLAIN), "
            f"not a statement of type {kind}: evalviz runs no statement that changes a database (it would change "
            f"every Data of the session, which share one connection).{hint} Run it with DuckDB yourself, e.g. "
            "con = duckdb.connect(); con.execute(...), then read the result with "
            "ev.Data.from_sql('SELECT * FROM ...', connection=con)."
        )
    return _without_tail(query)


@functools.cache
def _parser() -> duckdb.DuckDBPyConnection:
    """The connection that parses queries, which reads nothing of it: a private one, so no other query waits for
    it. It is a cursor of the session's database, made on first use: a database of its own would add the time
    of opening one (some 30 ms) to a process's first chart."""
    shared = default_connection()
    with connection_lock(shared):
        return shared.cursor()


def _without_tail(query: str) -> str:
    """`query` without the semicolons and comments after its last token."""
    end = len(query)
    for position, kind in reversed(duckdb.tokenize(query)):
        if kind == duckdb.token_type.comment or query[position:end].strip() == ";":
            end = position
        else:
            break
    return query[:end].rstrip()
