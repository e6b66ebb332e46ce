"""`ev.table`: an interactive table of rows (samples, evals), drawn by the bundled Tabulator grid (js/table.js).

On a standalone page the table ships its first `max_rows` rows (as Arrow) and sorts, searches, pages and filters
them in the browser; when rows are left out the page says so. In a live widget every page, sort and search is
asked of the kernel ("table:<id>" requests on the widget's channel), which answers with one page of rows read in
DuckDB (`evalviz.query.table`), the selection's clauses and the searched text bound as parameters.
"""

from __future__ import annotations

import math
import re
import reprlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import pyarrow as pa

from evalviz.data.table import Data
from evalviz.errors import ArgumentTypeError, ColumnTypeError, EvalvizError, MissingColumnError
from evalviz.interaction.selection import Clause, Selection, checked_selection, each_once
from evalviz.interaction.table_pages import TablePages
from evalviz.query.filters import where_sql
from evalviz.query.table import TableColumns, column_kind, shipped_rows_sql
from evalviz.rendering.channel import Handler, Reply
from evalviz.rendering.component import Component
from evalviz.signatures import checks_signature

SelectMode = Literal["single_row", "multiple_row", "none"]
Align = Literal["left", "center", "right"]
MAX_ROWS = 10_000  # rows a standalone page ships by default
PAGE_SIZE = 20
LARGEST_PAGE = 1_000
LAST_PAGE = 2**53 // LARGEST_PAGE  # beyond it a page's first row is past any table's end, and overflows SQL
FLOAT_FORMAT = ".3f"  # floats are shown to 3 decimals unless `format` says otherwise
# A d3-format specifier: [[fill]align][sign][symbol][0][width][,][.precision][~][type]
_D3_FORMAT = re.compile(r"^(?:(.)?([<>=^]))?([+\-( ])?([$#])?(0)?(\d+)?(,)?(\.\d+)?(~)?([a-z%])?$", re.IGNORECASE)
_D3_TYPES = set("efgrs%pbodxXcn") | {""}
_RESOLVES = ("single", "intersect", "union", "crossfilter")


@checks_signature
def table(
    data: Data | Any,
    columns: Sequence[str] | None = None,
    *,
    filter_by: Selection | None = None,
    target: Selection | None = None,
    select: SelectMode = "single_row",
    key: str | Sequence[str] | None = None,
    format: Mapping[str, str] | None = None,  # noqa: A002 - inspect_viz's name for it
    align: Mapping[str, Align] | None = None,
    width: int | None = None,
    height: int | None = None,
    page_size: int = PAGE_SIZE,
    max_rows: int = MAX_ROWS,
    sorting: bool = True,
    search: bool = True,
) -> Component:
    """An interactive table: sortable, searchable, paged, linked to selections.

    Args:
        data: The rows (a `Data`, or a dataframe / Arrow table).
        columns: The columns shown, in order (all by default).
        filter_by: A selection whose clauses hide the rows they do not keep.
        target: A selection a row click publishes into: an "in" clause on the row's `key` columns.
        select: "single_row" (a click selects that row; again clears it), "multiple_row" (a click adds or
            removes a row) or "none".
        key: The column(s) naming a row in what is published: by default "sample_id" (inspect_ai's id of one
            sample in one epoch of one eval), else "id" and "epoch" with the eval's "eval_id" or "log" (or else
            its task and model columns), as a sample's id and epoch name it within one eval only. Need not be
            shown. Rows tied on a sort come by "id" and "epoch" where present, else by the key.
        format: Column -> d3-format string for number columns (".1%", ",d", ".2e"); floats default to ".3f".
        align: Column -> "left", "center" or "right" (numbers are right-aligned by default).
        width: The table's width in pixels (the page's width by default).
        height: The table's height in pixels; rows beyond it scroll (fits the page of rows by default).
        page_size: Rows per page.
        max_rows: On a standalone page, the most rows shipped (the first ones); when the data has more, the page
            says how many are shown. The live widget reads every row.
        sorting: Whether clicking a header sorts by that column.
        search: Whether a search box keeps rows where any shown column contains the text (case ignored).

    Returns:
        A Component, composable with charts and inputs by `hconcat`/`vconcat`.

    Raises:
        MissingColumnError: a column named in `columns`, `key`, `format` or `align` is not in the data (the
            columns present are listed).
        EvalvizError: a bad `select`, `format`, `align`, size, or a `target` with select="none".

    Example:
        >>> import evalviz as ev
        >>> samples = ev.Data.from_file("examples/data/samples.parquet")
        >>> picked = ev.Selection.single()
        >>> rows = ev.table(samples, ["id", "epoch", "model_display_name", "score_match", "log_viewer"],
        ...                 target=picked, format={"score_match": ".0%"})
        >>> rows.write_html("samples.html")  # doctest: +SKIP
    """
    data = data if isinstance(data, Data) else Data.from_dataframe(data)
    filter_by = checked_selection(filter_by, "table's filter_by")
    target = checked_selection(target, "table's target")
    if select not in get_args(SelectMode):
        raise EvalvizError(f"table's select is one of {', '.join(map(repr, get_args(SelectMode)))}, "
                           f"not {reprlib.repr(select)}.")
    if target is not None and select == "none":
        raise EvalvizError("table's select='none' publishes no rows into target; give select='single_row' or "
                           "'multiple_row', or leave target out.")
    shown = _checked_columns(columns, data)
    keys = _key_columns(key, data, needed=target is not None)
    formats = _checked_formats(format, data)
    aligns = _checked_aligns(align, data)
    sizes = {name: _positive(value, name) for name, value in
             (("width", width), ("height", height), ("page_size", page_size), ("max_rows", max_rows))}
    if sizes["page_size"] > LARGEST_PAGE:
        raise EvalvizError(f"table's page_size is at most {LARGEST_PAGE:,} rows, not {page_size:,}.")
    present = set(data.columns)
    filtered_on = tuple(c for c in filter_by.columns if c in present) if filter_by is not None else ()
    ties = _tie_break(data, keys, shown)
    published = keys if target is not None else ()  # a row click's key travels with its row
    read = TableColumns(shown, (*published, *ties, *filtered_on), data.types)
    total = len(data)
    rows = data.run(shipped_rows_sql(read), [sizes["max_rows"]])
    if target is not None:
        target.add_columns(*keys)  # a table built later with filter_by=target ships them
    name = f"table_{uuid.uuid4().hex[:12]}"
    element = TableElement(
        id=name, data=data, columns=read, key=keys, filter_by=filter_by,
        target=target, select=select, formats=formats, aligns=aligns, width=sizes["width"],
        height=sizes["height"], page_size=sizes["page_size"], total=total, sorting=bool(sorting),
        search=bool(search), pages=TablePages(data, read, ties, name),
    )
    return Component.from_parts(element, {"rows": rows})


@dataclass(frozen=True, eq=False)
class TableElement:
    """A table on a page (an `evalviz.rendering.items.Element`): its columns, how it links, and the kernel's
    answers to its live widget's page requests."""

    id: str
    data: Data = field(repr=False)
    columns: TableColumns
    key: tuple[str, ...]
    filter_by: Selection | None
    target: Selection | None
    select: SelectMode
    formats: Mapping[str, str]
    aligns: Mapping[str, str]
    width: int | None
    height: int | None
    page_size: int
    total: int
    sorting: bool
    search: bool
    pages: TablePages = field(repr=False)  # the live widget's pages, read in DuckDB

    def to_item(self, scope: str) -> dict[str, Any]:
        types = self.columns.types
        return {
            "kind": "table", "id": self.id, "dataset": f"{scope}rows",
            "columns": [{"field": c, "kind": column_kind(types[c]), "format": self.formats.get(c),
                         "align": self.aligns.get(c)} for c in self.columns.shown],
            "fields": list(self.columns.read), "key": list(self.key), "tie_break": list(self.pages.tie_break),
            "select": self.select,
            "filter_by": self.filter_by.name if self.filter_by else None,
            "target": self.target.name if self.target else None,
            "width": self.width, "height": self.height, "page_size": self.page_size, "total": self.total,
            "sorting": self.sorting, "search": self.search, "float_format": FLOAT_FORMAT,
        }

    def datasets(self) -> tuple[str, ...]:
        return ("rows",)

    def shared(self) -> tuple[Selection, ...]:
        return each_once(s for s in (self.filter_by, self.target) if s is not None)

    def live_datasets(self, datasets: Mapping[str, pa.Table]) -> dict[str, pa.Table]:
        """What the live widget ships of the rows a page ships: the first page (drawn at once, without asking the
        kernel); every other page is asked for."""
        return {"rows": datasets["rows"].slice(0, self.page_size)}

    def handlers(self) -> dict[str, Handler]:
        """The live widget's channel handlers: "table:<id>" answers a page request (see `page`); "table-drawn:<id>",
        sent once the first page is drawn, starts copying the columns the table reads (`TablePages.prepare`),
        which would otherwise take the machine from the first page's drawing."""
        return {f"table:{self.id}": self.page, f"table-drawn:{self.id}": self.drawn}

    def drawn(self, payload: Any) -> Reply:
        """The live widget drew its first page: start the copy its searches and sorts read (`payload` unused)."""
        del payload
        self.pages.prepare()
        return {}, {}

    def page(self, payload: Any) -> Reply:
        """One page for the live widget. `payload`: {page (from 1), size, sort: [{column, dir}], search,
        filter: {resolve, clauses} or None}. Answers {total, last_page, page, ignored} and the rows as "rows";
        `ignored` lists clauses' columns the data lacks (those clauses keep every row)."""
        request = PageRequest.parse(payload, self.columns.shown)
        present = set(self.data.columns)
        usable = [c for c in request.clauses if set(c.fields) <= present]
        ignored = sorted({f for c in request.clauses for f in c.fields if f not in present})
        kept = where_sql(usable, request.resolve, self.data.types)
        copied = set(self.columns.read)
        total, rows = self.pages.page(request.search, kept, request.sort, size=request.size,
                                      offset=(request.page - 1) * request.size,
                                      on_copy=all(set(c.fields) <= copied for c in usable))
        answer = {"total": total, "page": request.page, "last_page": max(1, math.ceil(total / request.size)),
                  "ignored": ignored}
        return answer, {"rows": rows}


@dataclass(frozen=True)
class PageRequest:
    """A live table's request for a page, checked."""

    page: int
    size: int
    sort: tuple[tuple[str, Literal["asc", "desc"]], ...]
    search: str
    resolve: str
    clauses: tuple[Clause, ...]

    @classmethod
    def parse(cls, payload: Any, columns: Sequence[str]) -> PageRequest:
        """The request in `payload` (as js/table.js sends it); anything malformed is an `EvalvizError`.

        Example:
            >>> PageRequest.parse({"page": 2, "size": 20, "sort": [{"column": "id", "dir": "desc"}]}, ["id"]).sort
            (('id', 'desc'),)
        """
        if not isinstance(payload, Mapping):
            raise ArgumentTypeError(f"A table page request is a dict, not {reprlib.repr(payload)}.")
        page, size = payload.get("page", 1), payload.get("size", PAGE_SIZE)
        if not _is_int(page) or not 1 <= page <= LAST_PAGE or not _is_int(size) or not 1 <= size <= LARGEST_PAGE:
            raise EvalvizError(f"A table page request asks for a page from 1 to {LAST_PAGE:,} of 1 to {LARGEST_PAGE} "
                               "rows, not "
                               f"page {reprlib.repr(page)} of {reprlib.repr(size)} rows.")
        search = payload.get("search") or ""
        if not isinstance(search, str):
            raise ArgumentTypeError(f"A table's search is text, not {reprlib.repr(search)}.")
        sort = tuple(_sort_key(one, columns) for one in payload.get("sort") or ())
        selection = payload.get("filter") or {"resolve": "intersect", "clauses": []}
        if not isinstance(selection, Mapping) or selection.get("resolve") not in _RESOLVES:
            raise EvalvizError(f"A table's filter is {{resolve, clauses}}, not {reprlib.repr(selection)}.")
        clauses = selection.get("clauses") or []
        if not isinstance(clauses, Sequence) or isinstance(clauses, str):
            raise ArgumentTypeError(f"A table's filter clauses are a list, not {reprlib.repr(clauses)}.")
        return cls(page, size, sort, search, selection["resolve"], tuple(Clause.from_dict(c) for c in clauses))


def _sort_key(one: Any, columns: Sequence[str]) -> tuple[str, Literal["asc", "desc"]]:
    if not isinstance(one, Mapping) or one.get("dir") not in ("asc", "desc"):
        raise EvalvizError(f"A table sorts by {{column, dir: 'asc' | 'desc'}}, not {reprlib.repr(one)}.")
    if one.get("column") not in columns:
        raise MissingColumnError(str(one.get("column")), columns, purpose="sorting the table")
    return one["column"], one["dir"]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _positive(value: Any, name: str) -> Any:
    if value is None and name in ("width", "height"):
        return None
    if not _is_int(value) or value < 1:
        raise EvalvizError(f"table's {name} is a whole number above 0, not {reprlib.repr(value)}.")
    return value


def _names(value: str | Sequence[str] | None, argument: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = (value,) if isinstance(value, str) else value
    if not isinstance(names, Sequence) or not names or not all(isinstance(n, str) for n in names):
        raise ArgumentTypeError(f"table's {argument} takes column names (a list of text), not "
                                f"{reprlib.repr(value)}.")
    if len(set(names)) != len(names):
        raise EvalvizError(f"table's {argument} names a column more than once: {list(names)}.")
    return tuple(names)


def _checked_columns(columns: Sequence[str] | None, data: Data) -> tuple[str, ...]:
    names = _names(columns, "columns")
    if names is None:
        return tuple(data.columns)
    data.require_columns(*names, purpose="the table's columns")
    return names


EVAL_KEYS = ("eval_id", "log")  # columns naming the eval a sample row comes from (inspect_ai), the first present
RUN_KEYS = (("task_display_name", "task_name", "task"), ("model_display_name", "model"))  # else its task and model


def _key_columns(key: str | Sequence[str] | None, data: Data, *, needed: bool) -> tuple[str, ...]:
    """The columns naming a row: `key`; else "sample_id" (inspect_ai's id of one sample in one epoch of one eval);
    else "id" and "epoch" (those present) with the eval's "eval_id" or "log", or else its task and model columns
    (a sample's id and epoch name it within one eval only); () when none and none is needed."""
    names = _names(key, "key")
    if names is not None:
        data.require_columns(*names, purpose="the table's key")
        return names
    present = data.columns
    if "sample_id" in present:
        return ("sample_id",)
    if "id" in present:
        run = next(((c,) for c in EVAL_KEYS if c in present), None) or tuple(
            c for group in RUN_KEYS if (c := next((g for g in group if g in present), None)) is not None)
        return (*run, *_id_and_epoch(present))
    if needed:
        listing = ", ".join(repr(c) for c in present)
        raise EvalvizError("table publishes a clicked row into target by its key columns, and the data has no "
                           f"'id' or 'sample_id' column: give key='<column>' (or a list). Columns: {listing}.")
    return ()


def _tie_break(data: Data, keys: tuple[str, ...], shown: tuple[str, ...]) -> tuple[str, ...]:
    """The columns ordering rows tied on the sorted ones, ascending (then the table's order): a sample's "id" and
    "epoch" where present, else the key, else the shown columns."""
    present = data.columns
    return _id_and_epoch(present) if "id" in present else (keys or shown)


def _id_and_epoch(present: Sequence[str]) -> tuple[str, ...]:
    """A sample's "id" and "epoch" columns, those present."""
    return tuple(c for c in ("id", "epoch") if c in present)


def _checked_formats(format: Mapping[str, str] | None, data: Data) -> dict[str, str]:  # noqa: A002
    if format is None:
        return {}
    if not isinstance(format, Mapping):
        raise ArgumentTypeError(f"table's format maps columns to d3-format strings, e.g. {{'score': '.1%'}}, "
                                f"not {reprlib.repr(format)}.")
    data.require_columns(*format, purpose="the table's format")
    types = data.types
    for column, spec in format.items():
        if column_kind(types[column]) not in ("int", "float"):
            raise ColumnTypeError(f"table's format applies to number columns; {column!r} holds {types[column]}.")
        match = _D3_FORMAT.match(spec) if isinstance(spec, str) else None
        if match is None or (match.group(10) or "") not in _D3_TYPES:
            raise EvalvizError(f"table's format for {column!r} is a d3-format string such as '.3f', '.1%', ',d' "
                               f"or '.2e', not {reprlib.repr(spec)}.")
    return dict(format)


def _checked_aligns(align: Mapping[str, str] | None, data: Data) -> dict[str, str]:
    if align is None:
        return {}
    if not isinstance(align, Mapping):
        raise ArgumentTypeError(f"table's align maps columns to 'left', 'center' or 'right', not "
                                f"{reprlib.repr(align)}.")
    data.require_columns(*align, purpose="the table's align")
    wrong = {c: a for c, a in align.items() if a not in get_args(Align)}
    if wrong:
        raise EvalvizError(f"table's align takes 'left', 'center' or 'right' per column, not {wrong}.")
    return dict(align)
