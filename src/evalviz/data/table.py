"""`Data`: a table held by an in-process DuckDB connection. Views read it; work is pushed into SQL.

Every DuckDB call of a `Data` goes through `Data._run`, which holds the connection's lock (so threads may share a
table), checks that the files read are still the files that were opened, and turns any engine error (DuckDB,
Arrow) into an `EvalvizError` that carries the engine's whole reason.
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import duckdb
import pyarrow as pa

from evalviz._optional import require
from evalviz.data.connection import connection_lock, default_connection, quote_identifier
from evalviz.data.frames import arrow_for_duckdb, ordered_categories, pandas_for_duckdb, with_categories
from evalviz.data.inspect_logs import read_inspect_logs
from evalviz.data.sources import FileSource, PathLike, read_files, reason_of
from evalviz.data.statements import check_rows_query
from evalviz.errors import DataSourceError, EmptyDataError, EvalvizError, MissingColumnError, QueryError

PREVIEW_ROWS = 10
_PREVIEW_CHARS = 80  # longer values are cut short in the notebook preview

# What the engine raises: DuckDB's errors, Arrow's, JSON's and the file system's.
ENGINE_ERRORS = (duckdb.Error, pa.ArrowException, json.JSONDecodeError, OSError)
# Errors of the SQL text itself: it does not parse, or names what the table does not have.
_SQL_ERRORS = (duckdb.ParserException, duckdb.BinderException, duckdb.CatalogException)

T = TypeVar("T")


class Data:
    """A lazy table over files, dataframes or SQL, backed by DuckDB.

    Build one with `Data.from_file`, `Data.from_dataframe`, `Data.from_sql` or `Data.from_inspect_logs`.
    `filter` and `select` return new `Data` objects over the same source without reading anything; rows are
    read only when a chart, `len`, `to_arrow` or `to_pandas` needs them, and then only the columns asked for.
    A `Data` may be used from several threads at once: its DuckDB calls take turns on its connection.

    Example:
        >>> import evalviz as ev
        >>> data = ev.Data.from_file("examples/data/evals.parquet")
        >>> "model_display_name" in data.columns
        True
    """

    def __init__(
        self,
        relation: duckdb.DuckDBPyRelation,
        connection: duckdb.DuckDBPyConnection,
        source: str,
        *,
        files: FileSource | None = None,
        anchors: tuple[object, ...] = (),
        user_sql: tuple[str, ...] = (),
        params: tuple[Any, ...] = (),
    ) -> None:
        self._relation = relation
        self._connection = connection
        self._source = source
        self._files = files  # the files read, checked for changes before each query
        self._anchors = anchors  # what the relation scans (a dataframe, another relation), kept alive with it
        # The user's SQL the relation runs ("The filter 'x > 1'"), first to last: an error it raises when the
        # rows are read is told as an error of that SQL, not of the source.
        self._user_sql = user_sql
        # The values bound to the `?` placeholders of the relation's SQL, in order (`where`): every statement run
        # over it binds them first, as parameters.
        self._params = params
        self._lock = connection_lock(connection)

    # -- construction ----------------------------------------------------------------------------------------
    @classmethod
    def from_file(cls, path: PathLike | Sequence[PathLike], *, format: str | None = None, **options: Any) -> Data:
        """Query Parquet, CSV, JSONL or JSON files in place: one path, a glob, a list, or a hive folder.

        The format comes from the file extension unless `format` ("parquet", "csv", "jsonl", "json") is given.
        A path that exists is read as it is spelled, even with `[`, `?` or `*` in its name; a path that names
        nothing is a glob pattern. Each file is read once, however many paths name it. Further keyword
        arguments are options of DuckDB's reader (read_csv, read_parquet, read_json), such as `encoding`,
        `delim`, `header` or `types` for CSV. Nothing is loaded here: the files are opened to learn their
        columns, and read when a query needs them. Several files are combined by column name. Files are only
        ever read, never written.

        Example:
            >>> data = Data.from_file("examples/data/samples.parquet")
            >>> len(data) > 0
            True
            >>> runs = Data.from_file("results/*.csv")  # doctest: +SKIP
            >>> latin = Data.from_file("old.csv", encoding="latin-1", delim=";")  # doctest: +SKIP
            >>> parts = Data.from_file("results/")  # holding results/model=a/0.parquet, ...  # doctest: +SKIP
        """
        connection = default_connection()
        with connection_lock(connection):
            relation, files = read_files(connection, path, format, options)
        return cls(relation, connection, files.label, files=files)

    @classmethod
    def from_dataframe(cls, df: Any) -> Data:
        """Wrap a pandas or polars dataframe or Series, a pyarrow Table or RecordBatchReader, or any Arrow stream.

        DuckDB scans pandas and Arrow memory directly, so a DataFrame or Table is not copied. A stream (a
        RecordBatchReader or another `__arrow_c_stream__` object) can be read only once, so it is read into an
        Arrow table here. Half-precision float columns, which DuckDB does not read, are widened to float32. A
        Series is a table of one column named as the Series (or "value"); the named levels of a pandas index
        (the keys of a groupby) become columns before it, as they do for a DataFrame.

        Example:
            >>> import pyarrow as pa
            >>> Data.from_dataframe(pa.table({"model": ["a"], "score": [1.0]})).columns
            ['model', 'score']
            >>> import pandas as pd
            >>> scores = pd.DataFrame({"model": ["a", "a", "b"], "score": [1.0, 0.0, 1.0]})
            >>> Data.from_dataframe(scores.groupby("model")["score"].mean()).columns
            ['model', 'score']
        """
        if isinstance(df, Data):
            return df
        module = type(df).__module__.split(".")[0]
        if module in ("pandas", "polars") and type(df).__name__ == "Series":
            df = _series_frame(df, module)
        if module == "pandas" and hasattr(df, "columns"):
            # Index levels as columns, names SQL tells apart, Enum members as their values (see data.frames).
            df = pandas_for_duckdb(df)
            return _scanned(cls, df, "pandas DataFrame", lambda con, frame: con.from_df(frame))
        table = arrow_for_duckdb(_as_arrow(df))
        return _scanned(cls, table, type(df).__name__,
                        lambda con, frame: with_categories(con.from_arrow(frame), ordered_categories(frame)))

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
        query = _check_query(query, "from_sql")
        if connection is not None and not isinstance(connection, duckdb.DuckDBPyConnection):
            raise EvalvizError(
                f"from_sql takes connection=a DuckDB connection (duckdb.connect(...)) or None for the session's, "
                f"not {type(connection).__name__} {connection!r}."
            )
        connection = connection or default_connection()
        described = f"The query {_shown_sql(query)}"
        with connection_lock(connection):
            try:
                relation = connection.sql(query)
            except ENGINE_ERRORS as exc:
                raise _query_error(exc, described) from exc
        if relation is None:
            raise QueryError("The query returns no table; give a SELECT (or another query with rows).")
        return cls(relation, connection, "a SQL query", user_sql=(described,))

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
        read = read_inspect_logs(path, kind, **options)
        data = cls.from_dataframe(read.frame)
        return data._derived(data.relation, read.source)

    # -- shape -----------------------------------------------------------------------------------------------
    @property
    def relation(self) -> duckdb.DuckDBPyRelation:
        """The DuckDB relation behind this table.

        A relation runs on `connection`: code that may run in several threads holds
        `evalviz.data.connection.connection_lock(data.connection)` while using it.
        """
        return self._relation

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection the relation runs on (shared by every `Data` of the session).

        Code that may run in several threads holds `evalviz.data.connection.connection_lock(data.connection)`
        while using it, as every method of `Data` does.
        """
        return self._connection

    @property
    def lock(self) -> threading.RLock:
        """The re-entrant lock of this table's connection, held by every DuckDB call made on it.

        Example:
            >>> data = Data.from_sql("SELECT 1 AS a")
            >>> with data.lock:
            ...     data.relation.fetchall()
            [(1,)]
        """
        return self._lock

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
        with self._lock:
            return list(self._relation.columns)

    @property
    def schema(self) -> dict[str, str]:
        """Column name -> DuckDB type name.

        Example:
            >>> Data.from_sql("SELECT 'gpt' AS model, 0.5::DOUBLE AS score").schema
            {'model': 'VARCHAR', 'score': 'DOUBLE'}
        """
        return {name: str(kind) for name, kind in self.types.items()}

    @property
    def types(self) -> dict[str, duckdb.sqltypes.DuckDBPyType]:
        """Column name -> DuckDB type object, for the structural checks of `evalviz.data.types`.

        Example:
            >>> from evalviz.data.types import is_nested
            >>> is_nested(Data.from_sql("SELECT [1.0] AS xs").types["xs"])
            True
        """
        with self._lock:
            relation = self._relation
            return dict(zip(relation.columns, relation.types, strict=True))

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
            raise self.no_rows_error(what)

    def no_rows_error(self, what: str = "draw") -> EmptyDataError:
        """The error `require_rows` raises, for a view that found the table empty from a query it ran anyway.

        Example:
            >>> str(Data.from_sql("SELECT 1 AS a").no_rows_error("rank"))[:45]
            'The data from a SQL query has no rows to rank'
        """
        return EmptyDataError(f"The data from {self._source} has no rows to {what}. Check the source, or loosen the "
                              "filter.")

    def on_own_cursor(self) -> Data:
        """This table on a DuckDB cursor of its own, so that its queries need not wait for other threads'.

        A cursor is a connection of its own to the same database, which sees the same sources. The new table
        keeps this one's sources (a dataframe, say) alive as long as it lives.

        Example:
            >>> Data.from_sql("SELECT 1 AS a").on_own_cursor().sql("SELECT a FROM this").num_rows
            1
        """
        def reopen() -> tuple[duckdb.DuckDBPyConnection, duckdb.DuckDBPyRelation]:
            cursor = self._connection.cursor()
            with connection_lock(cursor):
                return cursor, cursor.sql(self._relation.sql_query(), params=self._bound())

        cursor, relation = self._run(reopen)
        anchors = (*self._anchors, self._relation)
        return Data(relation, cursor, self._source, files=self._files, anchors=anchors, user_sql=self._user_sql,
                    params=self._params)

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
            raise QueryError(f"filter takes a SQL condition as text, such as \"epoch = 1\", not {predicate!r}.")
        described = f"The filter {predicate!r}"
        relation = self._run(lambda: _bound(self._relation.filter(predicate)), sql=described)
        return self._derived(relation, f"{self._source} filtered by {predicate!r}", described)

    def where(self, condition: str, params: Sequence[Any] = ()) -> Data:
        """Rows where the SQL `condition` holds, its `?` placeholders bound to `params` in order: the values travel
        to DuckDB as parameters, never as SQL text. What a live widget filters a chart's rows by (the condition
        `evalviz.query.filters.where_sql` writes for a selection, its columns quoted); nothing is read yet.

        Example:
            >>> data = Data.from_sql("SELECT 'a' AS model UNION ALL SELECT 'b'")
            >>> len(data.where('"model" = ?', ["a"]))
            1
            >>> len(data.where('"model" = ?', ["'; DROP TABLE x; --"]))  # a value, whatever it reads
            0
        """
        if not isinstance(condition, str) or not condition.strip():
            raise QueryError(f"where takes a SQL condition as text, such as '\"epoch\" = ?', not {condition!r}.")
        if isinstance(params, str | bytes) or not isinstance(params, Sequence):
            raise QueryError(f"where takes the values of the condition's ? placeholders as a list, in order, not "
                             f"{params!r}.")
        described = f"The condition {condition!r}"
        statement = f"SELECT * FROM ({self._relation.sql_query()}) AS this WHERE {condition}"
        bound = (*self._params, *params)
        relation = self._run(lambda: _bound(self._connection.sql(statement, params=list(bound) or None)),
                             sql=described)
        source = f"{self._source} filtered by {condition!r} ({len(params)} bound value{'s' * (len(params) != 1)})"
        return Data(relation, self._connection, source, files=self._files, anchors=(*self._anchors, self._relation),
                    user_sql=(*self._user_sql, described), params=bound)

    def select(self, *columns: str) -> Data:
        """Only the named columns, in that order.

        Example:
            >>> Data.from_sql("SELECT 1 AS a, 2 AS b").select("b").columns
            ['b']
        """
        if not columns:
            raise EvalvizError("select needs at least one column name.")
        if not all(isinstance(c, str) for c in columns):
            wrong = next(c for c in columns if not isinstance(c, str))
            raise EvalvizError(f"select takes column names as text, e.g. select('model', 'score'), not {wrong!r}.")
        if len(set(columns)) != len(columns):
            raise EvalvizError(f"select names a column more than once: {list(columns)}.")
        self.require_columns(*columns)
        listed = ", ".join(quote_identifier(c) for c in columns)
        return self._derived(self._run(lambda: _bound(self._relation.select(listed))), self._source)

    def derive(self, query: str) -> Data:
        """A new `Data` from a SQL `query` over this table, which the query calls `this`; nothing runs yet.

        Example:
            >>> data = Data.from_sql("SELECT 2 AS a")
            >>> data.derive("SELECT a * 10 AS b FROM this").columns
            ['b']
        """
        query = _check_query(query, "derive")
        described = f"The query {_shown_sql(query)}"
        relation = self._run(lambda: _bound(self._relation.query("this", query)), sql=described)
        return self._derived(relation, self._source, described)

    def sql(self, query: str) -> pa.Table:
        """Run `query` with this table available as `this`; returns an Arrow table.

        Example:
            >>> Data.from_sql("SELECT 2 AS a").sql("SELECT a + 1 AS b FROM this").to_pylist()
            [{'b': 3}]
        """
        query = _check_query(query, "sql")
        return self.run(query)

    def run(self, statement: str, params: Sequence[Any] | None = None) -> pa.Table:
        """Run a statement of evalviz's query layer (`evalviz.query`) with this table available as `this`; returns
        an Arrow table. Unlike `sql`, the statement is not checked as a user's SQL: views build it themselves.
        `params` are the values of the statement's `?` placeholders, in order (bound, never pasted in).

        Example:
            >>> Data.from_sql("SELECT 2 AS a").run("SELECT a * 2 AS b FROM this").to_pylist()
            [{'b': 4}]
            >>> Data.from_sql("SELECT 2 AS a").run("SELECT a FROM this WHERE a > ?", [1]).num_rows
            1
        """
        query = _over_this(self._relation, statement)
        return self._run(lambda: self._connection.sql(query, params=self._bound(params)).to_arrow_table(),
                         sql="The query")

    def _bound(self, params: Sequence[Any] | None = None) -> list[Any] | None:
        """The values of the `?` placeholders of a statement over the relation's SQL: the relation's own first
        (its SQL comes first, as `this`), then the statement's `params`; None when there are none."""
        return [*self._params, *(params or ())] or None

    def _derived(self, relation: duckdb.DuckDBPyRelation, source: str, user_sql: str | None = None) -> Data:
        """A table over `relation`, built from this one (with the user's SQL `user_sql`): same connection, files,
        anchors and user SQL before it."""
        return Data(relation, self._connection, source, files=self._files, anchors=self._anchors,
                    user_sql=(*self._user_sql, *([user_sql] if user_sql else [])), params=self._params)

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

    # -- running queries -------------------------------------------------------------------------------------
    def _run(self, action: Callable[[], T], *, sql: str | None = None) -> T:
        """Run DuckDB calls holding the connection's lock, after checking the files; engine errors are translated.

        `sql` names the user's SQL the calls run ("The filter 'x > 1'"), so that an error of that SQL is told
        apart from a failure to read the source; by default, the user's SQL this table was built with.
        """
        with self._lock:
            if self._files is not None:
                self._files.verify(self._connection)
            try:
                return action()
            except ENGINE_ERRORS as exc:
                raise self._error(exc, self._sql_text(sql)) from exc

    def _sql_text(self, sql: str | None) -> str | None:
        """The user's SQL a call runs, for messages: `sql`, then the SQL this table was built with, latest first:
        "The query 'SELECT ...' (or the filter 'b', the filter 'a' before it)"."""
        *before, last = [*self._user_sql, *([sql] if sql else [])] or [None]
        earlier = ", ".join(text[0].lower() + text[1:] for text in reversed(before))
        return f"{last} (or {earlier} before it)" if earlier else last

    def _error(self, exc: Exception, sql: str | None = None) -> EvalvizError:
        """The `EvalvizError` for an engine error: a file that changed, the user's SQL, or a failed read."""
        files: Sequence[str] = ()
        if self._files is not None:
            try:
                self._files.verify(self._connection)  # a file that changed while it was being read
            except DataSourceError as changed:
                return changed
            files = self._files.files
        reason = reason_of(exc, files)
        if sql is not None and isinstance(exc, _SQL_ERRORS):
            listing = ", ".join(repr(c) for c in self.columns)
            return QueryError(f"{sql} is not valid SQL for this table: {reason}\nColumns: {listing}.")
        if sql is not None and not _is_read_error(exc, reason, files):
            return QueryError(f"{sql} failed on the data from {self._source}: {reason}")
        said = self._files.read_error(exc) if self._files is not None else None
        if said:
            return DataSourceError(said)
        column = _COLUMN.search(reason)
        where = f", column {column.group(1)!r}," if column else ""
        return DataSourceError(f"Reading {self._source}{where} failed: {reason}")

    # -- display ---------------------------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"Data({self._source}, columns={self.columns})"

    def _repr_html_(self) -> str:
        """The notebook preview: the first rows, the row count and each column's type, all HTML-escaped.

        Values are shown as DuckDB writes them as text, so no column type needs a Python package to be shown.
        """
        shown = ", ".join(f"CAST({quote_identifier(c)} AS VARCHAR) AS {quote_identifier(c)}" for c in self.columns)
        preview = self._run(lambda: self._relation.limit(PREVIEW_ROWS).project(shown).fetchall())
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


# A column DuckDB names in a conversion error: 'Error when converting column "score"', 'column "x"'.
_COLUMN = re.compile(r'column "((?:[^"]|"")+)"', re.IGNORECASE)


def _is_read_error(exc: Exception, reason: str, files: Sequence[str]) -> bool:
    """Whether an error is the source failing to be read, as DuckDB tells it: a file error, or one naming a file."""
    if isinstance(exc, duckdb.IOException | OSError):
        return True
    return "CSV Error" in reason or any(f in reason for f in files)


def _query_error(exc: Exception, sql: str) -> EvalvizError:
    """The error of the user's query `sql` that has no table yet: its SQL is wrong (`QueryError`), a file it
    reads cannot be read (`DataSourceError`), or it failed as it ran (`QueryError`)."""
    reason = reason_of(exc)
    if isinstance(exc, _SQL_ERRORS):
        return QueryError(f"{sql} is not valid SQL: {reason}")
    if _is_read_error(exc, reason, ()):
        return DataSourceError(f"{sql} could not read its source: {reason}")
    return QueryError(f"{sql} failed: {reason}")


def _shown_sql(query: str, limit: int = 80) -> str:
    """A query as messages show it: quoted, on one line, cut short past `limit` characters."""
    text = " ".join(query.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "\u2026")


def _series_frame(series: Any, module: str) -> Any:
    """A pandas or polars Series as a dataframe of one column, named as the Series or "value"."""
    name = series.name if series.name is not None and series.name != "" else "value"
    if module == "polars":
        return series.to_frame(str(name))
    if name in series.index.names:
        raise EvalvizError(
            f"The Series is named {name!r}, as a level of its index is: both would be columns of that name. "
            f"Rename it first, e.g. series.rename('{name}_value')."
        )
    return series.to_frame(name)


def _check_query(query: object, method: str) -> str:
    """The query to run, after checking it is one that returns rows (a CREATE, DROP, SET, ... would change the
    connection every Data shares)."""
    if not isinstance(query, str) or not query.strip():
        raise QueryError(f"{method} takes a SQL query as text, not {query!r}.")
    return check_rows_query(query, method)


def _over_this(relation: duckdb.DuckDBPyRelation, statement: str) -> str:
    """`statement` as one query whose `this` is the relation's SQL, as a common table expression: one statement
    for DuckDB to bind, where a relation's own `query` binds several."""
    this = f"this AS ({relation.sql_query()})"
    body = statement.lstrip()
    if body[:4].upper() == "WITH" and body[4:5].isspace():
        return f"WITH {this}, {body[5:]}"
    return f"WITH {this} {body}"


def _bound(relation: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """The relation, bound now (its columns learned), so that an error in it is raised here."""
    relation.columns  # noqa: B018
    return relation


def _cell_html(value: object) -> str:
    if value is None:
        return "<i style='opacity:.6'>NULL</i>"
    text = str(value)
    if len(text) > _PREVIEW_CHARS:
        text = text[: _PREVIEW_CHARS - 1] + "\u2026"
    return html.escape(text)


def _scanned(cls: type[Data], frame: Any, what: str, scan: Callable[[Any, Any], duckdb.DuckDBPyRelation]) -> Data:
    """A table scanning `frame` (a dataframe or Arrow table) in place; it is kept alive with the table."""
    connection = default_connection()
    with connection_lock(connection):
        try:
            relation = _bound(scan(connection, frame))
        except ENGINE_ERRORS as exc:
            raise DataSourceError(f"DuckDB cannot read this {what}{_culprit(connection, frame, scan)}: "
                                  f"{reason_of(exc)}") from exc
    return cls(relation, connection, f"a {what}", anchors=(frame,))


def _culprit(connection: duckdb.DuckDBPyConnection, frame: Any, scan: Callable[[Any, Any], Any]) -> str:
    """", column 'x' (its type)" for the first column DuckDB cannot read alone, or "" when none is."""
    is_arrow = isinstance(frame, pa.Table)
    for name in frame.column_names if is_arrow else frame.columns:
        part = frame.select([name]) if is_arrow else frame[[name]]
        try:
            _bound(scan(connection, part))
        except ENGINE_ERRORS:
            kind = frame.schema.field(name).type if is_arrow else frame[name].dtype
            return f", column {name!r} ({kind})"
    return ""


def _as_arrow(df: Any) -> pa.Table:
    """An Arrow table over `df`'s memory. Streams are read once here: a relation may be scanned many times."""
    try:
        return _readable(_arrow_table(df))
    except EvalvizError:
        raise
    except Exception as exc:  # noqa: BLE001 - the object's own export (a polars query, a stream) failed
        raise DataSourceError(
            f"Cannot read this {type(df).__name__} as an Arrow table: {type(exc).__name__}: {reason_of(exc)}"
        ) from exc


def _arrow_table(df: Any) -> pa.Table:
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


def _readable(table: pa.Table) -> pa.Table:
    """The table with half-precision floats (which DuckDB does not read), also inside lists and structs, as
    float32: every float16 value is exactly a float32. Other columns are not copied."""
    fields = [field.with_type(_widened(field.type)) for field in table.schema]
    schema = pa.schema(fields, metadata=table.schema.metadata)
    return table if schema.equals(table.schema) else table.cast(schema)


def _widened(kind: pa.DataType) -> pa.DataType:
    if pa.types.is_float16(kind):
        return pa.float32()
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        item = kind.value_field.with_type(_widened(kind.value_type))
        if pa.types.is_fixed_size_list(kind):
            return pa.list_(item, kind.list_size)
        return pa.large_list(item) if pa.types.is_large_list(kind) else pa.list_(item)
    if pa.types.is_map(kind):
        return pa.map_(kind.key_field.with_type(_widened(kind.key_type)),
                       kind.item_field.with_type(_widened(kind.item_type)))
    if pa.types.is_struct(kind):
        return pa.struct([kind.field(i).with_type(_widened(kind.field(i).type)) for i in range(kind.num_fields)])
    if pa.types.is_dictionary(kind):
        return pa.dictionary(kind.index_type, _widened(kind.value_type), kind.ordered)
    return kind
