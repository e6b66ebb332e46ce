"""The in-process DuckDB connection every `Data` runs on, and SQL quoting."""

from __future__ import annotations

import threading

import duckdb

_lock = threading.Lock()
_default: duckdb.DuckDBPyConnection | None = None


def default_connection() -> duckdb.DuckDBPyConnection:
    """The session's shared in-memory DuckDB connection, created on first use."""
    global _default
    with _lock:
        if _default is None:
            _default = duckdb.connect(":memory:")
        return _default


def quote_identifier(name: str) -> str:
    """Quote a column or table name so that no name can change the SQL it appears in."""
    return '"' + str(name).replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """Quote a string as a SQL literal."""
    return "'" + str(value).replace("'", "''") + "'"
