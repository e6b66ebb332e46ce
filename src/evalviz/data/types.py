"""Structural checks on DuckDB column types: by the type's id and children, never by its printed name.

A name prefix says `DOUBLE[]` is a `DOUBLE` and misses `UHUGEINT`; the type's id says `list` and `uhugeint`.
Each check takes a `DuckDBPyType` (as `Data.types` gives) or a type's SQL text, such as "DECIMAL(10,2)".

Example:
    >>> import evalviz as ev
    >>> types = ev.Data.from_sql("SELECT 1::UHUGEINT AS n, [0.5] AS xs").types
    >>> is_numeric(types["n"]), is_numeric(types["xs"]), is_nested(types["xs"])
    (True, False, True)
"""

from __future__ import annotations

import duckdb

from evalviz.constants.numeric_types import (
    FLOATING_IDS,
    INTEGER_IDS,
    NESTED_IDS,
    NUMERIC_IDS,
    TEMPORAL_IDS,
    TEXT_IDS,
)

TypeLike = duckdb.sqltypes.DuckDBPyType | str


def as_type(kind: TypeLike) -> duckdb.sqltypes.DuckDBPyType:
    """The DuckDB type object of `kind`, given as one or as SQL text ("INTEGER[]", "DECIMAL(10,2)").

    Example:
        >>> as_type("INTEGER[]").id
        'list'
    """
    if isinstance(kind, duckdb.sqltypes.DuckDBPyType):
        return kind
    return duckdb.sqltype(str(kind))


def type_id(kind: TypeLike) -> str:
    """The type's id: its kind without parameters ("decimal" for DECIMAL(10,2), "list" for DOUBLE[]).

    Example:
        >>> type_id("DECIMAL(10,2)")
        'decimal'
    """
    return str(as_type(kind).id)


def is_integer(kind: TypeLike) -> bool:
    """Whether values are whole numbers: signed and unsigned integers of every width, and BIGNUM.

    Example:
        >>> is_integer("UHUGEINT"), is_integer("INTEGER[]")
        (True, False)
    """
    return type_id(kind) in INTEGER_IDS


def is_floating(kind: TypeLike) -> bool:
    """Whether values are binary floating-point numbers (FLOAT, DOUBLE), which may be NaN or infinite.

    Example:
        >>> is_floating("REAL"), is_floating("DECIMAL(4,1)")
        (True, False)
    """
    return type_id(kind) in FLOATING_IDS


def is_numeric(kind: TypeLike) -> bool:
    """Whether values are single numbers: integers, FLOAT, DOUBLE or DECIMAL. BOOLEAN is not (see is_boolean);
    lists, arrays, structs and maps of numbers are not.

    Example:
        >>> is_numeric("DECIMAL(10,2)"), is_numeric("DOUBLE[]"), is_numeric("BOOLEAN")
        (True, False, False)
    """
    return type_id(kind) in NUMERIC_IDS


def is_boolean(kind: TypeLike) -> bool:
    """Whether values are true/false.

    Example:
        >>> is_boolean("BOOLEAN")
        True
    """
    return type_id(kind) == "boolean"


def is_json(kind: TypeLike) -> bool:
    """Whether the column is DuckDB's JSON type (text holding JSON: any value, objects and lists included).

    Example:
        >>> is_json("JSON"), is_json("VARCHAR")
        (True, False)
    """
    kind = as_type(kind)
    return kind.id == "varchar" and str(kind).upper() == "JSON"


def is_text(kind: TypeLike) -> bool:
    """Whether values are plain text: VARCHAR or ENUM. JSON is not (see is_json).

    Example:
        >>> is_text("VARCHAR"), is_text("JSON"), is_text("VARCHAR[]")
        (True, False, False)
    """
    return type_id(kind) in TEXT_IDS and not is_json(kind)


def is_nested(kind: TypeLike) -> bool:
    """Whether a value holds other values: LIST, ARRAY, STRUCT, MAP, UNION or VARIANT.

    Example:
        >>> is_nested("STRUCT(value DOUBLE)"), is_nested("INTEGER[3]"), is_nested("DOUBLE")
        (True, True, False)
    """
    return type_id(kind) in NESTED_IDS


def is_temporal(kind: TypeLike) -> bool:
    """Whether values are dates, times, timestamps (with or without a time zone) or intervals.

    Example:
        >>> is_temporal("TIMESTAMP WITH TIME ZONE"), is_temporal("VARCHAR")
        (True, False)
    """
    return type_id(kind) in TEMPORAL_IDS


def describe(kind: TypeLike) -> str:
    """The type as its SQL text, for messages ("DOUBLE[]", "STRUCT(\\"value\\" DOUBLE)").

    Example:
        >>> describe("double[]")
        'DOUBLE[]'
    """
    return str(as_type(kind))
