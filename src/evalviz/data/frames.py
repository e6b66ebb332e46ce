"""Dataframes and Arrow tables made ready for DuckDB to scan: what their shape means is kept, no data is copied.

- The named levels of a pandas index (a groupby's keys) become columns before the others. A level named as a
  column is left out when it holds that column's values (`set_index("a", drop=False)`), and refused otherwise.
- Column names become names SQL tells apart: text, not empty, unique regardless of case. A renamed column is
  named in a warning with its reason (DuckDB would rename it silently, or say only "differ in case").
- pandas object columns of Enum members hold the members' values: DuckDB would write `Grade.C` as "Grade.C".
- Categories keep their order: DuckDB reads a pandas Categorical as an ENUM itself, and an ordered Arrow
  dictionary (a polars Enum) is read as an ENUM of its dictionary, in its order.
"""

from __future__ import annotations

import enum
import warnings
from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa

from evalviz.data.connection import quote_identifier as q
from evalviz.errors import EvalvizError

# Where a warning about a renamed column points: the user's call of Data.from_dataframe (this module's function
# is called by from_dataframe, which the user called).
_USER_FRAME = 4


def pandas_for_duckdb(df: Any) -> Any:
    """A pandas DataFrame as DuckDB is to scan it: index levels as columns, names SQL tells apart, Enum members
    as their values. Only the columns of Enum members are copied.

    Example:
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"model": ["a", "b"], "score": [1.0, 0.0]}).set_index("model", drop=False)
        >>> list(pandas_for_duckdb(frame).columns)
        ['model', 'score']
    """
    df = _index_as_columns(df)
    names = sql_names(list(df.columns))
    if names != list(df.columns):
        df = df.set_axis(names, axis="columns")
    return _enum_values(df)


def arrow_for_duckdb(table: pa.Table) -> pa.Table:
    """An Arrow table whose column names SQL tells apart (renamed in place: no data is copied).

    Example:
        >>> with warnings.catch_warnings(record=True):
        ...     warnings.simplefilter("always")
        ...     arrow_for_duckdb(pa.table([[1], [2]], names=["a", "A"])).column_names
        ['a', 'A_1']
    """
    names = sql_names(table.column_names)
    return table if names == table.column_names else table.rename_columns(names)


def sql_names(given: Sequence[object]) -> list[str]:
    """Column names SQL tells apart: each as text, a missing one "column{position}", and one that repeats an
    earlier name (in any case: SQL ignores it) with "_1" (or "_2", ...) added, as DuckDB names them. A warning
    names each renamed column and why.

    Example:
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     sql_names(["a", "a", "", 1, "A"])
        ['a', 'a_1', 'column2', '1', 'A_2']
        >>> print(caught[0].message)  # doctest: +NORMALIZE_WHITESPACE
        Some column names cannot be told apart in SQL, so they were changed: column 1 ('a') is named 'a_1' (it
        repeats the name of column 0); column 2 ('') is named 'column2' (it has no name); column 4 ('A') is
        named 'A_2' (it differs only in case from column 0's 'a', and SQL names ignore case). Rename them
        first to choose the names.
    """
    taken: dict[str, int] = {}  # lower-case name -> position of the column named so
    names: list[str] = []
    notes: list[str] = []
    for position, original in enumerate(given):
        text = str(original)
        name, reason = (f"column{position}", "it has no name") if text == "" else (text, "")
        if name.lower() in taken:
            reason = _clash(original, name, taken[name.lower()], given, names)
            name = _unused(name, taken)
        taken.setdefault(name.lower(), position)
        names.append(name)
        if reason:
            notes.append(f"column {position} ({original!r}) is named {name!r} ({reason})")
    if notes:
        warnings.warn(
            "Some column names cannot be told apart in SQL, so they were changed: " + "; ".join(notes)
            + ". Rename them first to choose the names.",
            stacklevel=_USER_FRAME,
        )
    return names


def ordered_categories(table: pa.Table) -> dict[str, list[str]]:
    """The text columns of `table` whose values have an order of their own: an ordered dictionary (a polars
    Enum, an ordered pandas Categorical as Arrow), with one dictionary in every chunk. Column -> its values, in
    order.

    Example:
        >>> grades = pa.DictionaryArray.from_arrays([1, 0], ["easy", "hard"], ordered=True)
        >>> ordered_categories(pa.table({"difficulty": grades}))
        {'difficulty': ['easy', 'hard']}
    """
    found = {}
    for field, column in zip(table.schema, table.columns, strict=True):
        kind = field.type
        if not (pa.types.is_dictionary(kind) and kind.ordered):
            continue
        if not (pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type)):
            continue
        dictionaries = [chunk.dictionary for chunk in column.chunks]
        if dictionaries and dictionaries[0].null_count == 0 and all(d.equals(dictionaries[0]) for d in dictionaries):
            found[field.name] = dictionaries[0].to_pylist()
    return found


def with_categories(relation: duckdb.DuckDBPyRelation, categories: dict[str, list[str]]) -> duckdb.DuckDBPyRelation:
    """`relation` with each column of `categories` as a DuckDB ENUM of its values, in their order, so that
    sorting by it follows that order (easy, medium, hard), not the alphabet.

    Example:
        >>> con = duckdb.connect()
        >>> relation = with_categories(con.sql("SELECT 'hard' AS d"), {"d": ["easy", "hard"]})
        >>> str(relation.types[0])
        "ENUM('easy', 'hard')"
    """
    if not categories:
        return relation
    casts = ", ".join(f"CAST({q(name)} AS ENUM({_enum_values_sql(values)})) AS {q(name)}"
                      for name, values in categories.items())
    return relation.project(f"* REPLACE ({casts})")


def _enum_values_sql(values: Sequence[str]) -> str:
    # An ENUM's values are plain string literals (not expressions), so non-ASCII text is written as it is.
    return ", ".join("'" + value.replace("'", "''") + "'" for value in values)


def _clash(original: object, name: str, first: int, given: Sequence[object], names: list[str]) -> str:
    """Why a column's name is taken by the column at position `first`."""
    if type(original) is type(given[first]) and original == given[first]:
        return f"it repeats the name of column {first}"
    if names[first] == name:
        return f"as text it is {name!r}, as column {first}'s name {given[first]!r} is"
    return f"it differs only in case from column {first}'s {names[first]!r}, and SQL names ignore case"


def _unused(name: str, taken: dict[str, int]) -> str:
    suffix = 1
    while f"{name}_{suffix}".lower() in taken:
        suffix += 1
    return f"{name}_{suffix}"


def _index_as_columns(df: Any) -> Any:
    """The named levels of `df`'s index as columns before the others; a level that repeats a column is left out."""
    named = [name for name in df.index.names if name is not None]
    if not named:
        return df
    repeated = [name for name in named if name in df.columns]
    for name in repeated:
        column = df[name]
        level = df.index.get_level_values(name)
        if getattr(column, "ndim", 1) != 1 or not level.equals(_as_index(column)):
            raise EvalvizError(
                f"The index level {name!r} has the name of a column, with other values: both would be columns "
                f"named {name!r}. Rename one first, e.g. df.rename_axis(index={{{name!r}: '{name}_index'}}), or "
                f"leave the level out with df.reset_index({name!r}, drop=True)."
            )
    if repeated:
        df = df.reset_index(level=repeated, drop=True)  # the same values are in the column
    return df if all(name is None for name in df.index.names) else df.reset_index()


def _as_index(column: Any) -> Any:
    import pandas as pd

    return pd.Index(column)


def _enum_values(df: Any) -> Any:
    """`df` with each object column holding Enum members replaced by one of the members' values."""
    import pandas as pd

    replaced = df
    for position in range(df.shape[1]):
        column = df.iloc[:, position]
        # A column of text infers as "string", of numbers "integer"...: only a "mixed" one can hold members.
        if column.dtype != object or pd.api.types.infer_dtype(column, skipna=True) != "mixed":
            continue
        if any(isinstance(value, enum.Enum) for value in column):
            if replaced is df:
                replaced = df.copy(deep=False)
            replaced.isetitem(position, column.map(lambda v: v.value if isinstance(v, enum.Enum) else v))
    return replaced
