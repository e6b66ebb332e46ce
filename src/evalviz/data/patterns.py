"""Regular expressions as DuckDB reads them: whether a pattern compiles in its engine (RE2)."""

from __future__ import annotations

import functools

import pyarrow as pa
import pyarrow.compute as pc


@functools.lru_cache(maxsize=256)
def is_valid_pattern(pattern: str) -> bool:
    """Whether `pattern` is a regular expression DuckDB's engine (RE2) compiles; Arrow's regex functions use the
    same engine, and compiling a pattern there runs no query.

    Example:
        >>> is_valid_pattern("^gpt-4"), is_valid_pattern("(")
        (True, False)
    """
    try:
        pc.match_substring_regex(pa.array([""]), pattern)
    except pa.ArrowInvalid:
        return False
    return True
