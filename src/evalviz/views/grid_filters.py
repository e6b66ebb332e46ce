"""How a grid chart (scores_heatmap, sample_heatmap, slice_metric_heatmap, heatmap) answers its selections on a
standalone page, exactly: a filtered cell shows what DuckDB computes over the filtered rows.

For each source column its `filter_by` selection may filter on (`Selection.columns`), the grid ships:

- the typed key parts of its axes (x_g, x_v, y_g, y_v): a filter on the model or the task is a filter on cells;
- a column holding one value in every cell (`query.cell_filters.constant_sql`), with the cells: a filter on it
  keeps or drops whole cells;
- a column varying inside a cell, when the cells' statistic is decomposable (mean, sum, min, max): the cells'
  rows grouped by cell and filter values (`parts_sql`, at most MAX_PARTS rows), which the page filters and adds
  up again into each cell's value, count, status and interval (`regrouped`); a cell all of whose rows are kept
  keeps the values DuckDB gave it.

Anything else (a median, a highlight of a varying column, too many groups, a column the table lacks) is named
in `unanswered`: the page says, under the chart, that the filter needs the live widget, never a wrong number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.charts import DatasetName, Interaction
from evalviz.constants.statuses import ERROR, INFINITE, NO_DATA, OK, PARTIAL, SKIPPED
from evalviz.data.table import Data
from evalviz.query.cell_filters import DECOMPOSABLE, constant_sql, constant_within_sql, parts_sql
from evalviz.query.grid_columns import GridColumns, filter_field, has_sample_counts, key_parts
from evalviz.views.grid import Grid, check_agg, registered
from evalviz.views.linking import Linking

PARTS = "cell_parts"  # the dataset of a re-aggregated grid's rows, grouped by cell and filter values
MAX_PARTS = 200_000  # rows of it a page carries at most; beyond, varying filters need the live widget
CELL = "cell"  # a cell's row number in the cells dataset: how a part finds its cell


@dataclass(frozen=True)
class GridLinks:
    """What a grid ships for its selections, decided before it is aggregated.

    Attributes:
        data: The table the grid is aggregated from.
        linking: The view's filter_by, target and highlight.
        columns: The grid's columns, with the filter columns and key parts to ship.
        varying: The filter columns (indices into `columns.filters`) that vary inside a cell.
        unanswered: Source column -> why the page cannot filter on it.
        agg: The cells' statistic.
    """

    data: Data
    linking: Linking
    columns: GridColumns
    varying: tuple[int, ...] = ()
    unanswered: dict[str, str] = field(default_factory=dict)
    agg: str = "mean"

    @property
    def keys(self) -> dict[str, str]:
        """Source column -> the datum field of its key part (the axes' values)."""
        return {column: name for axis in "xy" for column, name in key_parts(self.columns, axis)}


def grid_links(data: Data, columns: GridColumns, linking: Linking, agg: str) -> GridLinks | None:
    """Decide what the grid ships to answer `linking.filter_by` (see the module); None when the chart is in no
    selection. Records in `linking.target` the columns a click publishes."""
    if not linking.active:
        return None
    check_agg(agg)
    keyed = replace(columns, raw_keys=True)
    data.require_columns(*(column for axis in "xy" for column, _ in key_parts(keyed, axis)), purpose="the heatmap")
    linking.publishes(*(column for axis in "xy" for column, _ in key_parts(keyed, axis)))
    keys = {column for axis in "xy" for column, _ in key_parts(keyed, axis)}
    wanted = [c for c in linking.wanted() if c not in keys]
    unanswered = {c: f"this chart's table has no column {c!r}" for c in wanted if c not in data.columns}
    present = [c for c in wanted if c in data.columns]
    if not present:
        return GridLinks(data, linking, keyed, unanswered=unanswered, agg=agg)
    constant = data.run(constant_sql(keyed, present)).to_pylist()[0]
    varying = [c for i, c in enumerate(present) if not constant[f"c{i}"]]
    why = _varying_refusal(agg, linking)
    if why is not None:
        unanswered.update({c: f"{c!r} varies within a cell, and {why}" for c in varying})
        present = [c for c in present if c not in varying]
        varying = []
    shipped = replace(keyed, filters=tuple(present))
    return GridLinks(data, linking, shipped, varying=tuple(present.index(c) for c in varying), unanswered=unanswered,
                     agg=agg)


@dataclass(frozen=True)
class MarkFilters:
    """The source columns a chart's `filter_by` may filter on, sorted by how the chart can answer them: those
    holding one value in every drawn mark (shipped with the marks: a filter keeps or drops whole marks), those
    varying inside a mark (answered by re-aggregating parts of the marks, when the chart can), and why it cannot
    answer the others (the table lacks them)."""

    constant: tuple[str, ...] = ()
    varying: tuple[str, ...] = ()
    unanswered: dict[str, str] = field(default_factory=dict)

    def refuse_varying(self, why: str) -> MarkFilters:
        """The filters when the chart cannot re-aggregate its marks: columns varying inside them are unanswered,
        for `why` (said on the page after the column's name)."""
        return MarkFilters(self.constant, (), {**self.unanswered, **{c: f"{c!r} {why}" for c in self.varying}})


def mark_filters(data: Data, keys: list[str], linking: Linking, *, exclude: tuple[str, ...] = (),
                 include: tuple[str, ...] = ()) -> MarkFilters:
    """Sort the columns published into `linking.filter_by` (but `exclude`: the marks' own key columns, shipped
    anyway; and first `include`: columns the chart ships whatever its filter, such as those its clicks publish)
    by whether they hold one value within each group of rows by the SQL expressions `keys` (a drawn mark's key;
    none: the whole table is one mark), as `MarkFilters`.

    Example:
        >>> import evalviz as ev
        >>> s = ev.Selection.intersect()
        >>> s.add_columns("org", "run", "nope")
        >>> d = ev.Data.from_sql("SELECT 'a' AS m, 'A' AS org, range AS run FROM range(2)")
        >>> f = mark_filters(d, ['"m"'], Linking(filter_by=s))
        >>> f.constant, f.varying, list(f.unanswered)
        (('org',), ('run',), ['nope'])
    """
    wanted = [c for c in dict.fromkeys([*include, *linking.wanted()]) if c not in exclude]
    unanswered = {c: f"this chart's table has no column {c!r}" for c in wanted if c not in data.columns}
    present = [c for c in wanted if c in data.columns]
    if not present:
        return MarkFilters(unanswered=unanswered)
    constant = data.run(constant_within_sql(keys, present)).to_pylist()[0]
    return MarkFilters(tuple(c for i, c in enumerate(present) if constant[f"c{i}"]),
                       tuple(c for i, c in enumerate(present) if not constant[f"c{i}"]), unanswered)


def capped_parts(parts: pa.Table, filters: MarkFilters) -> tuple[pa.Table | None, MarkFilters]:
    """The parts a page re-aggregates, when they are at most MAX_PARTS rows (run the parts' query with a limit
    of MAX_PARTS + 1); else None, and the varying columns unanswered."""
    if parts.num_rows <= MAX_PARTS:
        return parts, filters
    return None, filters.refuse_varying(f"varies within a mark, in more than {MAX_PARTS:,} combinations")


def _varying_refusal(agg: str, linking: Linking) -> str | None:
    """Why a column varying inside a cell cannot be answered on the page (None: it can)."""
    if agg not in DECOMPOSABLE:
        return f"the cells show the {agg} of their rows, which the page cannot recompute from a summary"
    if linking.highlight:
        return "a highlight fades whole cells"
    return None


def with_positions(grid: Grid) -> Grid:
    """`grid` whose cells carry their row number (`cell`) and the positions of their axis values (xo, yo) in
    drawing order: what axes that follow filters are sorted by."""
    n = grid.cells.num_rows
    nx = max(len(grid.x_order), 1)
    rows = list(range(n))
    cells = grid.cells
    for name, values in ((CELL, rows), ("xo", [i % nx for i in rows]), ("yo", [i // nx for i in rows])):
        if name in cells.column_names:
            cells = cells.drop_columns([name])
        cells = cells.append_column(name, pa.array(values, pa.int64()))
    return replace(grid, cells=cells)


@dataclass(frozen=True)
class LinkedCells:
    """What a grid ships for its selections once aggregated: the datum field of each source column it answers,
    why it does not answer the others, and the parts of its cells when a filter column varies inside them."""

    fields: dict[str, str]
    unanswered: dict[str, str]
    parts: pa.Table | None = None

    def statuses(self) -> set[str]:
        """The statuses a cell may take once its rows are filtered (beyond those the whole grid has)."""
        if self.parts is None:
            return set()
        totals = {name: pc.max(self.parts[name]).as_py() or 0 for name in ("n_errors", "n_skipped", "n_infinite")}
        valueless = pc.any(pc.and_(pc.equal(self.parts["n_values"], 0), pc.greater(self.parts["n"], 0))).as_py()
        return {status for status, present in ((ERROR, totals["n_errors"]), (PARTIAL, totals["n_errors"]),
                                               (SKIPPED, totals["n_skipped"]), (INFINITE, totals["n_infinite"]),
                                               (NO_DATA, valueless)) if present}


def linked_cells(links: GridLinks, grid: Grid) -> LinkedCells:
    """The fields the grid's filter reads and, when a filter column varies inside cells, the cells' parts
    (`parts_sql`, at most MAX_PARTS rows: beyond, those columns are unanswered). `grid` has its positions."""
    columns, unanswered = links.columns, dict(links.unanswered)
    fields = {**links.keys, **{c: filter_field(i) for i, c in enumerate(columns.filters)}}
    if not links.varying:
        return LinkedCells(fields, unanswered)
    with registered(links.data, grid.cells) as (name,):
        parts = links.data.run(parts_sql(columns, links.agg, name, MAX_PARTS + 1))
    if parts.num_rows <= MAX_PARTS:
        return LinkedCells(fields, unanswered, parts)
    too_many = [columns.filters[i] for i in links.varying]
    unanswered.update({c: f"{c!r} varies within a cell, in more than {MAX_PARTS:,} combinations" for c in too_many})
    return LinkedCells({c: f for c, f in fields.items() if c not in too_many}, unanswered)


def grid_interaction(links: GridLinks, linked: LinkedCells, grid: Grid, *, cells: str, click: tuple[str, ...],
                     bounded: bool) -> tuple[Interaction | None, dict[str, pa.Table]]:
    """The grid chart's Interaction and the datasets it adds (a re-aggregated grid's parts). `grid` has its
    positions (`with_positions`) and is the dataset `cells`; `click` names the layers whose clicks publish;
    `bounded`: intervals are clipped to [0, 1]."""
    drawn: dict[str, Any] = {}
    datasets: dict[str, pa.Table] = {}
    if linked.parts is not None:
        datasets[PARTS] = linked.parts
        drawn = {"source": PARTS, "then": regrouped(links, cells, grid.cells.column_names, bounded=bounded),
                 "reads": (cells,)}
    click_fields = {name: column for column, name in links.keys.items()}
    # A grid's legends are of colours and statuses: no entry names a model or a task, so none publishes.
    interaction = links.linking.interaction(fields=linked.fields, unanswered=linked.unanswered, click=click,
                                            click_fields=click_fields, **drawn)
    return interaction, datasets


def regrouped(links: GridLinks, cells: str, cell_columns: list[str], *, bounded: bool) -> tuple[dict[str, Any], ...]:
    """The Vega-Lite transforms that turn the filtered parts back into cells: the parts of each cell added up
    (k_n rows kept, ...), the cell's other fields looked up, and where rows were left out, its value, status,
    note, interval and counts recomputed from what is kept (a cell whose rows are all kept keeps DuckDB's)."""
    columns, agg = links.columns, links.agg
    ops = [("sum", "n", "k_n"), ("sum", "n_errors", "k_errors"), ("sum", "n_skipped", "k_skipped"),
           ("sum", "n_values", "k_values"), (DECOMPOSABLE[agg][1], "part", "k_part")]
    stderr = columns.stderr is not None and not (columns.low and columns.high)
    given = bool(columns.low and columns.high)
    if stderr:
        ops += [("sum", "ss", "k_ss"), ("sum", "n_se", "k_se")]
    elif given:
        ops += [("max", "lo", "k_lo"), ("max", "hi", "k_hi")]
    if has_sample_counts(columns):
        ops += [("sum", "done", "k_done"), ("sum", "planned", "k_planned")]
    aggregate = {"aggregate": [{"op": op, "field": f, "as": a} for op, f, a in ops], "groupby": [CELL]}
    lookup = {"lookup": CELL, "from": {"data": {"name": DatasetName(cells)}, "key": CELL,
                                       "fields": [c for c in cell_columns if c != CELL]}}
    total = "datum.k_part / datum.k_values" if agg == "mean" else "datum.k_part"
    t = "datum.k_total"
    finite = f"(isValid({t}) && isFinite({t}))"
    q = json.dumps
    status = (f"datum.k_errors === datum.k_n ? {q(ERROR)} : datum.k_skipped === datum.k_n ? {q(SKIPPED)} : "
              f"isValid({t}) && !isNaN({t}) && !isFinite({t}) ? {q(INFINITE)} : "
              f"!isValid({t}) || isNaN({t}) ? (datum.k_errors > 0 ? {q(ERROR)} : {q(NO_DATA)}) : "
              f"datum.k_errors > 0{' || datum.k_done < datum.k_planned' if has_sample_counts(columns) else ''} ? "
              f"{q(PARTIAL)} : {q(OK)}")
    failed = "format(datum.k_errors, ',') + ' of ' + format(datum.k_n, ',') + ' rows failed'"
    note = (f"datum.k_status === {q(OK)} ? null : datum.k_status === {q(PARTIAL)} ? "
            f"(datum.k_errors > 0 ? {q(PARTIAL + ': ')} + {failed} : {q(PARTIAL + ': fewer samples completed')}) : "
            f"datum.k_status === {q(ERROR)} ? (datum.k_n === 1 ? 'error' : 'error (' + {failed} + ')') : "
            f"datum.k_status === {q(INFINITE)} ? ({t} > 0 ? 'inf' : '-inf') : "
            f"datum.k_status === {q(SKIPPED)} ? {q(SKIPPED)} : 'no value in the filtered rows'")
    changed = "datum.k_n !== datum.n"
    calculate = [
        (f"datum.k_values > 0 ? {total} : null", "k_total"),
        (status, "k_status"),
        (note, "k_note"),
        (f"{changed} ? ({finite} ? {t} : null) : datum.value", "value"),
        (f"{changed} ? datum.k_status : datum.status", "status"),
        (f"{changed} ? datum.k_note : datum.note", "note"),
    ]
    interval = _interval(agg, stderr=stderr, given=given, bounded=bounded)
    if interval is not None:
        calculate += [(f"{changed} ? ({interval[0]}) : datum.low", "low"),
                      (f"{changed} ? ({interval[1]}) : datum.high", "high")]
    calculate += [(f"{changed} ? datum.k_values : datum.n_values", "n_values"), (f"{changed} ? datum.k_n : datum.n",
                                                                                  "n")]
    return (aggregate, lookup, *({"calculate": expr, "as": name} for expr, name in calculate))


def _interval(agg: str, *, stderr: bool, given: bool, bounded: bool) -> tuple[str, str] | None:
    """Vega expressions of a recomputed cell's interval ends (as `query.cells` computes them), or None."""
    if stderr:
        divisor = " / datum.k_values" if agg == "mean" else ""
        se = f"(datum.k_values > 0 && datum.k_se === datum.k_values ? sqrt(datum.k_ss){divisor} : null)"
        if agg not in ("mean", "sum"):  # other statistics have the interval of a single row only
            se = "(datum.k_n === 1 && datum.k_se === 1 ? sqrt(datum.k_ss) : null)"
        ok = f"(isValid({se}) && isValid(datum.value))"
        ends = (f"{ok} ? datum.value - 1.96 * {se} : null", f"{ok} ? datum.value + 1.96 * {se} : null")
    elif given:
        ends = ("datum.k_n === 1 ? datum.k_lo : null", "datum.k_n === 1 ? datum.k_hi : null")
    else:
        return None
    if not bounded:
        return ends
    return tuple(f"isValid({e}) ? max(0, min(1, {e})) : null" for e in ends)  # type: ignore[return-value]
