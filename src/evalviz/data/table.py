"""`Data`: a table held by an in-process DuckDB connection. Views read it; work is pushed into SQL."""

from __future__ import annotations

import html
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import duckdb
import pyarrow as pa

from evalviz._optional import require
from evalviz.data.connection import default_connection, quote_identifier
from evalviz.data.sources import PathLike, read_files
from evalviz.errors import DataSourceError, EmptyDataError, EvalvizError, MissingColumnError

PREVIEW_ROWS = 10
_PREVIEW_CHARS = 80  # longer values are cut short in the notebook preview

T = TypeVar("T")


class Data:
    """A lazy table over files, dataframes or SQL, backed by DuckDB.

    Build one with `Data.from_file`, `Data.from_dataframe`, `Data.from_sql` or `Data.from_inspect_logs`.
    `filter` and `select` return new `Data` objects over the same source without reading anything; rows are
    read only when a chart, `len`, `to_arrow` or `to_pandas` needs them, and then only the columns asked for.

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

    # -- construction ----------------------------------------------------------------------------------------
    @classmethod
    def from_file(cls, path: PathLike | Sequence[PathLike], *, format: str | None = None) -> Data:
        """Query Parquet, CSV, JSONL or JSON files in place: one path, a glob, a list, or a hive folder.

        The format comes from the file extension unless `format` ("parquet", "csv", "jsonl", "json") is given.
        Nothing is loaded here: the files are opened to learn their columns, and read when a query needs them.
        Several files are combined by column name. Files are only ever read, never written.

        Example:
            >>> data = Data.from_file("examples/data/samples.parquet")
            >>> len(data) > 0
            True
            >>> runs = Data.from_file("results/*.csv")  # doctest: +SKIP
            >>> parts = Data.from_file("results/")  # holding results/model=a/0.parquet, ...  # doctest: +SKIP
        """
        connection = default_connection()
        relation, files = read_files(connection, path, format)
        source = repr(files[0]) if len(files) == 1 else f"{len(files)} files ({files[0]!r}, ...)"
        return cls(relation, connection, source)

    @classmethod
    def from_dataframe(cls, df: Any) -> Data:
        """Wrap a pandas or polars dataframe, a pyarrow Table or RecordBatchReader, or any Arrow stream.

        DuckDB scans pandas and Arrow memory directly, so a DataFrame or Table is not copied. A stream (a
        RecordBatchReader or another `__arrow_c_stream__` object) can be read only once, so it is read into an
        Arrow table here.

        Example:
            >>> import pyarrow as pa
            >>> Data.from_dataframe(pa.table({"model": ["a"], "score": [1.0]})).columns
            ['model', 'score']
        """
        if isinstance(df, Data):
            return df
        connection = default_connection()
        module = type(df).__module__.split(".")[0]
        if module == "pandas" and hasattr(df, "columns"):
            if any(name is not None for name in df.index.names):
                df = df.reset_index()  # a named index (a groupby's keys) holds columns; this copies no data
            if not all(isinstance(c, str) for c in df.columns):
                df = df.rename(columns=str)  # DuckDB needs text column names; this copies no data
            relation = _bind(connection.from_df(df), "pandas DataFrame", list(df.columns))
            return cls(relation, connection, "a pandas DataFrame")
        table = _as_arrow(df)
        name = type(df).__name__
        return cls(_bind(connection.from_arrow(table), name, table.column_names), connection, f"a {name}")

    @classmethod
    def from_sql(cls, query: str, connection: duckdb.DuckDBPyConnection | None = None) -> Data:
        """A query over the session's DuckDB connection, or over `connection` when given.

        Tables and views of that connection are visible to the query; other `Data` objects' tables are not.

        Example:
            >>> Data.from_sql("SELECT 'gpt' AS model, 0.5 AS score").columns
            ['model', 'score']
            >>> import duckdb
            >>> con = duckdb.connect()
            >>> _ = con.execute("CREATE TABLE runs AS SELECT 'a' AS model, 1.0 AS score")
            >>> len(Data.from_sql("SELECT * FROM runs", connection=con))
            1
        """
        connection = connection or default_connection()
        try:
            relation = connection.sql(query)
        except duckdb.Error as exc:
            raise DataSourceError(f"The query failed: {_reason(exc)}") from exc
        if relation is None:
            raise DataSourceError("The query returns no table; give a SELECT (or another query with rows).")
        return cls(relation, connection, "a SQL query")

    @classmethod
    def from_inspect_logs(
        cls, path: PathLike | Sequence[PathLike], kind: str = "evals", **options: Any
    ) -> Data:
        """Read inspect_ai eval logs into a table with `inspect_ai.analysis` (needs `evalviz[inspect]`).

        `kind` is "evals" (one row per eval log, `evals_df`) or "samples" (one row per sample, `samples_df`).
        Further keyword arguments (such as `columns=`) go to that inspect_ai function.

        Example:
            >>> evals = Data.from_inspect_logs("logs/")  # doctest: +SKIP
            >>> samples = Data.from_inspect_logs("logs/", kind="samples")  # doctest: +SKIP
        """
        from evalviz.data.inspect_logs import read_inspect_logs

        return read_inspect_logs(cls, path, kind, **options)

    # -- shape -----------------------------------------------------------------------------------------------
    @property
    def relation(self) -> duckdb.DuckDBPyRelation:
        """The DuckDB relation behind this table."""
        return self._relation

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection the relation runs on."""
        return self._connection

    @property
    def source(self) -> str:
        """Where the rows come from, as shown in messages (a file name, "a pandas DataFrame", ...)."""
        return self._source

    @property
    def columns(self) -> list[str]:
        """Column names, in order.

        Example:
            >>> Data.from_sql('SELECT 1 AS a, 2 AS "b c"').columns
            ['a', 'b c']
        """
        return list(self._relation.columns)

    @property
    def schema(self) -> dict[str, str]:
        """Column name -> DuckDB type name.

        Example:
            >>> Data.from_sql("SELECT 'gpt' AS model, 0.5::DOUBLE AS score").schema
            {'model': 'VARCHAR', 'score': 'DOUBLE'}
        """
        relation = self._relation
        return {name: str(kind) for name, kind in zip(relation.columns, relation.types, strict=True)}

    def __len__(self) -> int:
        """The number of rows (a query; for Parquet files it reads only their metadata)."""
        return int(self._run(lambda: self._relation.aggregate("count(*)").fetchall())[0][0])

    def require_columns(self, *columns: str | None, purpose: str = "") -> None:
        """Raise `MissingColumnError` naming the first of `columns` the table lacks (None is skipped).

        Example:
            >>> Data.from_sql("SELECT 1 AS score").require_columns("scroe", purpose="the chart")
            Traceback (most recent call last):
            ...
            evalviz.errors.MissingColumnError: Column 'scroe' (needed for the chart) is not in the data. ...
        """
        present = self.columns
        for column in columns:
            if column is not None and column not in present:
                raise MissingColumnError(column, present, purpose=purpose)

    def require_rows(self, what: str = "draw") -> None:
        """Raise `EmptyDataError` when the table has no rows; views call it before drawing anything.

        Example:
            >>> Data.from_sql("SELECT 1 AS a").filter("a > 1").require_rows()
            Traceback (most recent call last):
            ...
            evalviz.errors.EmptyDataError: The data from a SQL query filtered by 'a > 1' has no rows ...
        """
        # A constant, not the row: fetching some column types (e.g. timestamps with time zone) needs extras.
        if not self._run(lambda: self._relation.limit(1).project("1").fetchall()):
            raise EmptyDataError(
                f"The data from {self._source} has no rows to {what}. Check the source, or loosen the filter."
            )

    def on_own_cursor(self) -> Data:
        """This table on a DuckDB cursor of its own, to query from another thread.

        One DuckDB connection refuses a second call while one runs; a cursor is a connection of its own to the
        same database, which sees the same sources.

        Example:
            >>> Data.from_sql("SELECT 1 AS a").on_own_cursor().sql("SELECT a FROM this").num_rows
            1
        """
        cursor = self._connection.cursor()
        return Data(cursor.sql(self._relation.sql_query()), cursor, self._source)

    # -- lazy transformations --------------------------------------------------------------------------------
    def filter(self, predicate: str) -> Data:
        """Rows where the SQL `predicate` (the user's own SQL) holds, e.g. `"epoch = 1"`.

        Quote column names that are not plain words with double quotes: `'"task name" = \\'gpqa\\''`.

        Example:
            >>> data = Data.from_sql("SELECT 1 AS epoch UNION ALL SELECT 2")
            >>> len(data.filter("epoch = 1"))
            1
        """
        if not isinstance(predicate, str) or not predicate.strip():
            raise EvalvizError(
                f"filter takes a SQL condition as text, such as \"epoch = 1\", not {predicate!r}."
            )
        try:
            relation = self._relation.filter(predicate)
            relation.columns  # noqa: B018 - binds the predicate now so a bad one fails here
        except duckdb.Error as exc:
            raise EvalvizError(
                f"The filter {predicate!r} is not valid SQL for this table: {_reason(exc)} "
                f"Columns: {', '.join(repr(c) for c in self.columns)}."
            ) from exc
        return Data(relation, self._connection, f"{self._source} filtered by {predicate!r}")

    def select(self, *columns: str) -> Data:
        """Only the named columns, in that order.

        Example:
            >>> Data.from_sql("SELECT 1 AS a, 2 AS b").select("b").columns
            ['b']
        """
        if not columns:
            raise EvalvizError("select needs at least one column name.")
        if len(set(columns)) != len(columns):
            raise EvalvizError(f"select names a column more than once: {list(columns)}.")
        self.require_columns(*columns)
        relation = self._relation.select(", ".join(quote_identifier(c) for c in columns))
        return Data(relation, self._connection, self._source)

    def derive(self, query: str) -> Data:
        """A new `Data` from a SQL `query` over this table, which the query calls `this`; nothing runs yet.

        Example:
            >>> data = Data.from_sql("SELECT 2 AS a")
            >>> data.derive("SELECT a * 10 AS b FROM this").columns
            ['b']
        """
        try:
            relation = self._relation.query("this", query)
            relation.columns  # noqa: B018 - binds the query now so a bad one fails here
        except duckdb.Error as exc:
            raise EvalvizError(f"The query is not valid SQL for this table: {_reason(exc)}") from exc
        return Data(relation, self._connection, self._source)

    def sql(self, query: str) -> pa.Table:
        """Run `query` with this table available as `this`; returns an Arrow table.

        Example:
            >>> Data.from_sql("SELECT 2 AS a").sql("SELECT a + 1 AS b FROM this").to_pylist()
            [{'b': 3}]
        """
        return self._run(lambda: self._relation.query("this", query).to_arrow_table())

    # -- materialisation -------------------------------------------------------------------------------------
    def to_arrow(self) -> pa.Table:
        """The whole table as a pyarrow Table.

        Example:
            >>> Data.from_sql("SELECT 1 AS a").to_arrow().num_rows
            1
        """
        return self._run(self._relation.to_arrow_table)

    def to_pandas(self) -> Any:
        """The whole table as a pandas DataFrame (needs pandas).

        Example:
            >>> Data.from_sql("SELECT 1 AS a").to_pandas()["a"].tolist()
            [1]
        """
        require("pandas")
        return self._run(self._relation.df)

    def _run(self, action: Callable[[], T]) -> T:
        """Run a query; a file that fails to read part-way (a corrupt page, a lost file) names the source."""
        with _reading(self._source):
            return action()

    # -- display ---------------------------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"Data({self._source}, columns={self.columns})"

    def _repr_html_(self) -> str:
        """The notebook preview: the first rows, the row count and each column's type, all HTML-escaped."""
        preview = self._run(lambda: self._relation.limit(PREVIEW_ROWS).fetchall())
        total = len(self) if len(preview) == PREVIEW_ROWS else len(preview)
        esc = html.escape
        head = "".join(
            f"<th>{esc(name)}<br><small style='font-weight:normal;opacity:.7'>{esc(kind)}</small></th>"
            for name, kind in self.schema.items()
        )
        body = "".join(
            "<tr>" + "".join(f"<td>{_cell_html(v)}</td>" for v in row) + "</tr>" for row in preview
        )
        if total > len(preview):
            body += f"<tr><td colspan='{len(self.columns)}'>&hellip;</td></tr>"
        rows = "row" if total == 1 else "rows"
        return (
            "<div class='evalviz-data'>"
            f"<p><b>Data</b> from {esc(self._source)}: "
            f"{total:,} {rows} &times; {len(self.columns)} columns</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
        )


def _cell_html(value: object) -> str:
    if value is None:
        return "<i style='opacity:.6'>NULL</i>"
    text = str(value)
    if len(text) > _PREVIEW_CHARS:
        text = text[: _PREVIEW_CHARS - 1] + "\u2026"
    return html.escape(text)


@contextmanager
def _reading(source: str) -> Iterator[None]:
    try:
        yield
    except (duckdb.IOException, duckdb.InvalidInputException) as exc:
        raise DataSourceError(f"Reading {source} failed: {_reason(exc)}") from exc


def _bind(relation: duckdb.DuckDBPyRelation, what: str, names: list[str]) -> duckdb.DuckDBPyRelation:
    """Learn the relation's columns now, so a dataframe DuckDB cannot read fails where it is given."""
    try:
        columns = relation.columns
    except duckdb.Error as exc:
        raise DataSourceError(f"DuckDB cannot read this {what}: {_reason(exc)}") from exc
    renamed = {old: new for old, new in zip(names, columns, strict=False) if old != new}
    if renamed:
        warnings.warn(
            f"Column names that differ only in case are one name to SQL, so DuckDB renamed some: {renamed}.",
            stacklevel=3,
        )
    return relation


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _as_arrow(df: Any) -> pa.Table:
    """An Arrow table over `df`'s memory. Streams are read once here: a relation may be scanned many times."""
    if isinstance(df, pa.Table):
        return df
    if isinstance(df, pa.RecordBatch):
        return pa.Table.from_batches([df])
    if isinstance(df, pa.RecordBatchReader):
        return df.read_all()
    if type(df).__module__.split(".")[0] == "polars":
        if hasattr(df, "collect") and not hasattr(df, "to_arrow"):  # a LazyFrame runs its query here
            df = df.collect()
        if hasattr(df, "to_arrow"):
            return df.to_arrow()
    if hasattr(df, "__arrow_c_stream__"):
        return pa.RecordBatchReader.from_stream(df).read_all()
    if hasattr(df, "__arrow_c_array__"):
        return pa.table(df)
    raise DataSourceError(
        f"Cannot read a {type(df).__name__} as a table. Pass a pandas or polars dataframe, a pyarrow "
        "Table or RecordBatchReader, or an object with __arrow_c_stream__."
    )
