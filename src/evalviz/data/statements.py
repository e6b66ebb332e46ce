"""The user's SQL that a `Data` runs: one query that returns rows, never a statement that changes a database.

Every `Data` of a session shares one DuckDB connection, so a CREATE, INSERT, DROP, SET, ATTACH or COPY run by
one would change what every other sees (or write files). Such a statement is refused before anything runs, by
its parsed type: only a SELECT (which includes WITH, VALUES, FROM-first queries, DESCRIBE, SUMMARIZE and PIVOT
with its values listed) is a query.
"""

from __future__ import annotations

import threading

import duckdb

from evalviz.errors import QueryError

# Parsing needs a connection but reads nothing of it: a private one, so no other query waits for it.
_parser = duckdb.connect(":memory:")
_parser_lock = threading.Lock()


def check_rows_query(query: str, method: str) -> None:
    """Raise `QueryError` unless `query` is one statement, and a query that returns rows.

    SQL that does not parse passes here: running it says what is wrong with it, as for any other query.

    Example:
        >>> check_rows_query("SELECT 1 AS a", "from_sql")
        >>> check_rows_query("DROP TABLE runs", "from_sql")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        evalviz.errors.QueryError: from_sql takes a query that returns rows (SELECT, WITH, ...), not a DROP ...
    """
    try:
        with _parser_lock:
            statements = _parser.extract_statements(query)
    except duckdb.Error:
        return
    if len(statements) > 1:
        raise QueryError(
            f"{method} takes one query, not {len(statements)} statements: give a single SELECT (join or combine "
            "what you need with WITH ... SELECT)."
        )
    if statements and statements[0].type != duckdb.StatementType.SELECT:
        kind = statements[0].type.name
        hint = (" A PIVOT without the values to pivot on (ON x IN (...)) makes a type on the connection: list the "
                "values." if kind == "MULTI" else "")
        raise QueryError(
            f"{method} takes a query that returns rows (SELECT, WITH, VALUES, FROM, DESCRIBE, SUMMARIZE), not a "
            f"{kind} statement: evalviz runs no statement that changes a database (it would change every Data "
            f"of the session, which share one connection).{hint} Run it with DuckDB yourself, e.g. "
            "con = duckdb.connect(); con.execute(...), then read the result with "
            "ev.Data.from_sql('SELECT * FROM ...', connection=con)."
        )
