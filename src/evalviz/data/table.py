"""`Data`: a table held by an in-process DuckDB connection. Views read it; work is pushed into SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa

from evalviz._optional import require
from evalviz.data.connection import default_connection, quote_identifier
from evalviz.data.sources import PathLike, read_files
from evalviz.errors import DataSourceError, EmptyDataError, MissingColumnError


class Data:
    """A lazy table over files, dataframes or SQL, backed by DuckDB.

    Build one with `Data.from_file`, `Data.from_dataframe` or `Data.from_sql`; `filter` and `select` return new
    `Data` objects over the same source without reading anything.

    Example:
        >>> import evalviz as ev
        >>> data = ev.Data.from_file("examples/data/evals.parquet")
        >>> "model_display_name" in data.columns
        True
    """

    def __init__(
        self, relation: duckdb.DuckDBPyRelation, connection: duckdb.DuckDBPyConnection, source: str
    ) -> None:
        self._relation = relation
        self._connection = connection
        self._source = source

    # -- construction -------------------------------------------------------------------------------------------
    @classmethod
    def from_file(cls, path: PathLike | Sequence[PathLike], *, format: str | None = None) -> Data:
        """Query Parquet, CSV, JSONL or JSON files in place: one path, a glob, a list, or a hive folder.

        Example:
            >>> data = Data.from_file("examples/data/samples.parquet")
            >>> len(data) > 0
            True
        """
        connection = default_connection()
        relation, files = read_files(connection, path, format)
        source = files[0] if len(files) == 1 else f"{len(files)} files"
        return cls(relation, connection, source)

    @classmethod
    def from_dataframe(cls, df: Any) -> Data:
        """Wrap a pandas or polars dataframe, a pyarrow Table or RecordBatchReader, or any `__arrow_c_stream__`.

        DuckDB scans Arrow memory directly, so nothing is copied.

        Example:
            >>> import pyarrow as pa
            >>> Data.from_dataframe(pa.table({"model": ["a"], "score": [1.0]})).columns
            ['model', 'score']
        """
        connection = default_connection()
        if type(df).__module__.split(".")[0] == "pandas":
            return cls(connection.from_df(df), connection, "pandas DataFrame")
        return cls(connection.from_arrow(_as_arrow(df)), connection, type(df).__name__)

    @classmethod
    def from_sql(cls, query: str, connection: duckdb.DuckDBPyConnection | None = None) -> Data:
        """A query over the session's DuckDB connection, or over `connection` when given.

        Example:
            >>> Data.from_sql("SELECT 'gpt' AS model, 0.5 AS score").columns
            ['model', 'score']
        """
        connection = connection or default_connection()
        try:
            relation = connection.sql(query)
        except duckdb.Error as exc:
            raise DataSourceError(f"The query failed: {exc}") from exc
        if relation is None:
            raise DataSourceError("The query returns no table; give a SELECT (or another query with a result).")
        return cls(relation, connection, "sql")

    # -- shape ----------------------------------------------------------------------------------------------------
    @property
    def relation(self) -> duckdb.DuckDBPyRelation:
        """The DuckDB relation behind this table."""
        return self._relation

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection the relation runs on."""
        return self._connection

    @property
    def columns(self) -> list[str]:
        """Column names, in order."""
        return list(self._relation.columns)

    @property
    def schema(self) -> dict[str, str]:
        """Column name -> DuckDB type name."""
        return {name: str(kind) for name, kind in zip(self._relation.columns, self._relation.types, strict=True)}

    def __len__(self) -> int:
        return int(self._relation.aggregate("count(*)").fetchall()[0][0])

    def require_columns(self, *columns: str | None, purpose: str = "") -> None:
        """Raise `MissingColumnError` naming the first of `columns` the table lacks (None entries are skipped)."""
        present = self.columns
        for column in columns:
            if column is not None and column not in present:
                raise MissingColumnError(column, present, purpose=purpose)

    def require_rows(self, what: str = "draw") -> None:
        """Raise `EmptyDataError` when the table has no rows."""
        if not self._relation.limit(1).fetchall():
            raise EmptyDataError(
                f"The data from {self._source} has no rows to {what}. Check the file, or loosen the filter."
            )

    # -- lazy transformations -------------------------------------------------------------------------------------
    def filter(self, predicate: str) -> Data:
        """Rows where the SQL `predicate` (the user's own SQL) holds, e.g. `"epoch = 1"`.

        Example:
            >>> data = Data.from_sql("SELECT 1 AS epoch UNION ALL SELECT 2")
            >>> len(data.filter("epoch = 1"))
            1
        """
        try:
            relation = self._relation.filter(predicate)
            relation.columns  # noqa: B018 - binds the predicate now so a bad one fails here
        except duckdb.Error as exc:
            raise DataSourceError(
                f"The filter {predicate!r} is not valid SQL for this table: {exc}. Columns: {self.columns}."
            ) from exc
        return Data(relation, self._connection, f"{self._source} filtered by {predicate!r}")

    def select(self, *columns: str) -> Data:
        """Only the named columns, in that order.

        Example:
            >>> Data.from_sql("SELECT 1 AS a, 2 AS b").select("b").columns
            ['b']
        """
        self.require_columns(*columns)
        relation = self._relation.select(", ".join(quote_identifier(c) for c in columns))
        return Data(relation, self._connection, self._source)

    def sql(self, query: str) -> pa.Table:
        """Run `query` with this table available as `this`; returns an Arrow table."""
        return self._relation.query("this", query).to_arrow_table()

    # -- materialisation ------------------------------------------------------------------------------------------
    def to_arrow(self) -> pa.Table:
        """The whole table as a pyarrow Table."""
        return self._relation.to_arrow_table()

    def to_pandas(self) -> Any:
        """The whole table as a pandas DataFrame (needs pandas)."""
        require("pandas")
        return self._relation.df()

    def __repr__(self) -> str:
        return f"Data({self._source!r}, columns={self.columns})"


def _as_arrow(df: Any) -> pa.Table:
    """An Arrow table over `df`'s memory. Streams are read once here: a relation may be scanned many times."""
    if isinstance(df, pa.Table):
        return df
    if isinstance(df, pa.RecordBatchReader):
        return df.read_all()
    if type(df).__module__.split(".")[0] == "polars":
        return df.to_arrow()
    if hasattr(df, "__arrow_c_stream__"):
        return pa.RecordBatchReader.from_stream(df).read_all()
    raise DataSourceError(
        f"Cannot read a {type(df).__name__} as a table. Pass a pandas or polars dataframe, a pyarrow Table or "
        "RecordBatchReader, or an object with __arrow_c_stream__."
    )
