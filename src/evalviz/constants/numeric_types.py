"""The DuckDB type ids of numbers and of the other kinds a view tells apart, by the type's id (`DuckDBPyType.id`),
never by its printed name."""

from __future__ import annotations

from typing import Final

INTEGER_IDS: Final = frozenset(
    {"tinyint", "smallint", "integer", "bigint", "hugeint", "utinyint", "usmallint", "uinteger", "ubigint",
     "uhugeint", "bignum", "varint"}
)
FLOATING_IDS: Final = frozenset({"float", "double"})
DECIMAL_IDS: Final = frozenset({"decimal"})
NUMERIC_IDS: Final = INTEGER_IDS | FLOATING_IDS | DECIMAL_IDS
TEXT_IDS: Final = frozenset({"varchar", "enum"})
NESTED_IDS: Final = frozenset({"list", "array", "struct", "map", "union", "variant"})
TEMPORAL_IDS: Final = frozenset(
    {"date", "time", "time_ns", "time with time zone", "timestamp", "timestamp_s", "timestamp_ms", "timestamp_ns",
     "timestamp with time zone", "interval"}
)
