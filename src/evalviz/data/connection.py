"""The in-process DuckDB connection every `Data` runs on, the lock that lets threads share it, and SQL quoting.

A DuckDB connection runs one call at a time, and its relations run on it: every call on a connection, or on a
relation bound to it, is made while holding that connection's lock (`connection_lock`). The lock is re-entrant,
so a call made while holding it may take it again.
"""

from __future__ import annotations

import threading
import weakref

import duckdb

_lock = threading.Lock()
_default: duckdb.DuckDBPyConnection | None = None
_connection_locks: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, threading.RLock] = (
    weakref.WeakKeyDictionary()
)


def default_connection() -> duckdb.DuckDBPyConnection:
    """The session's shared in-memory DuckDB connection, created on first use."""
    global _default
    with _lock:
        if _default is None:
            # Nothing is ever fetched: DuckDB may not download or load an extension (httpfs for an http:// or
            # s3:// path, say) on its own.
            _default = duckdb.connect(
                ":memory:", config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
            )
            # Memory DuckDB frees (after a large query) goes back to the system within seconds, rather than
            # staying with the process: a notebook kernel keeps running after its charts are drawn.
            _default.execute("SET allocator_background_threads = true")
        return _default


def connection_lock(connection: duckdb.DuckDBPyConnection) -> threading.RLock:
    """The re-entrant lock to hold while calling `connection`, or a relation bound to it, from any thread.

    Example:
        >>> con = duckdb.connect()
        >>> with connection_lock(con):
        ...     con.sql("SELECT 42").fetchall()
        [(42,)]
    """
    with _lock:
        lock = _connection_locks.get(connection)
        if lock is None:
            lock = _connection_locks[connection] = threading.RLock()
        return lock


def quote_identifier(name: str) -> str:
    """Quote a column or table name so that no name can change the SQL it appears in."""
    return '"' + str(name).replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """Quote a string as a SQL literal, written in ASCII: other characters become chr() calls.

    DuckDB's Python client maps every character of a query that is not all ASCII to its byte offset, in Python,
    which costs far more than running a short query.

    Example:
        >>> quote_literal("it's \u2026")
        "('it''s ' || chr(8230))"
    """
    text = str(value)
    if text.isascii():
        return "'" + text.replace("'", "''") + "'"
    parts, run = [], ""
    for char in text:
        if char.isascii():
            run += char
            continue
        if run:
            parts.append("'" + run.replace("'", "''") + "'")
            run = ""
        parts.append(f"chr({ord(char)})")
    if run:
        parts.append("'" + run.replace("'", "''") + "'")
    return "(" + " || ".join(parts) + ")"
