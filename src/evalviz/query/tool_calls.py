"""The SQL of `sample_tool_calls`: a messages (or events) table's tool calls as cells, one per (sample, message)
or per (sample, bin of messages) when there are more messages than the chart has room for, the samples in order
with the limit or error that ended them, and what is left out.

A row is a tool call when its tool is not NULL or blank; rows without one (other messages) only count as the
messages between calls. Samples are ordered by their id: numerically where ids are numbers, then as text; each is
drawn by its key (`query.series.series_key_sql`: a NULL id and the text "(null)" stay two rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.query.grid_columns import filter_field
from evalviz.query.series import series_key_sql

ERROR_END = "error"  # what the right-hand text says of a sample that ended in an error without a limit


@dataclass(frozen=True)
class ToolCallColumns:
    """The columns the chart reads: the message order (`x`), the sample (`y`), the tool, and the optional limit,
    error and link (None: not read)."""

    x: str
    y: str
    tool: str
    limit: str | None = None
    error: str | None = None
    link: str | None = None
    # Columns with one value per sample a selection may filter the rows on, shipped as f0, f1, ...
    # (`filter_field`), and whether each row ships its sample's typed id (k_v): what a click selects.
    filters: tuple[str, ...] = ()
    raw_key: bool = False

    def shipped(self) -> list[tuple[str, str]]:
        """(user column, SQL name) of what each sample's cells and row ship for its selections."""
        key = [(self.y, "k_v")] if self.raw_key else []
        return key + [(column, filter_field(i)) for i, column in enumerate(self.filters)]


def _text(column: str | None) -> str:
    """SQL of a column as trimmed text, blank as NULL (NULL without a column)."""
    return f"nullif(trim(CAST({q(column)} AS VARCHAR)), '')" if column else "CAST(NULL AS VARCHAR)"


def _rows_sql(columns: ToolCallColumns, tools: Sequence[str] | None) -> str:
    """SQL of the rows: the sample s (its id as text) and its key, its message x (finite, else NULL), its tool
    (NULL: not a tool call), kept (a tool call of a tool drawn: any, or one of `tools`), its limit, error and
    link."""
    kept = (f"tool IN ({', '.join(quote_literal(t) for t in tools)})" if tools is not None
            else "tool IS NOT NULL")
    x = f"TRY_CAST({q(columns.x)} AS DOUBLE)"
    return f"""
        SELECT *, coalesce({kept}, false) AS kept FROM (
            SELECT CAST({q(columns.y)} AS VARCHAR) AS s, {series_key_sql(columns.y)} AS sample_key,
                CASE WHEN isfinite({x}) THEN {x} END AS x,
                {_text(columns.tool)} AS tool, {_text(columns.limit)} AS lim, {_text(columns.error)} AS err,
                {_text(columns.link)} AS lnk{"".join(f", {q(c)} AS {name}" for c, name in columns.shipped())}
            FROM this)"""


def _samples_cte(columns: ToolCallColumns, tools: Sequence[str] | None, max_samples: int) -> str:
    """The CTEs `rows` and `samples`: the first `max_samples` samples in order, with their place yi."""
    return f"""
        rows AS MATERIALIZED ({_rows_sql(columns, tools)}),
        samples AS (
            SELECT s, any_value(sample_key) AS sample,
                row_number() OVER (ORDER BY TRY_CAST(s AS DOUBLE) NULLS LAST, s NULLS LAST) - 1 AS yi,
                min(lim) AS lim, min(err) AS err, count(*) FILTER (WHERE kept AND x IS NOT NULL) AS calls,
                arg_min(lnk, x) FILTER (WHERE lnk IS NOT NULL) AS link
                {"".join(f", any_value({name}) AS {name}" for _, name in columns.shipped())}
            FROM rows GROUP BY s ORDER BY yi LIMIT {int(max_samples)})"""


def summary_sql(columns: ToolCallColumns, tools: Sequence[str] | None) -> str:
    """SQL of one row of counts: samples, calls (drawn tool calls), unplaced (tool calls without a finite
    message), others (calls of tools not in `tools`), x_min and x_max (the drawn calls' messages; NULL without
    one), and whether any sample has a limit or an error (ended)."""
    return f"""
        WITH rows AS ({_rows_sql(columns, tools)})
        SELECT count(DISTINCT s) + CAST(count(*) FILTER (WHERE s IS NULL) > 0 AS BIGINT) AS samples,
            count(*) FILTER (WHERE kept AND x IS NOT NULL) AS calls,
            count(*) FILTER (WHERE tool IS NOT NULL AND x IS NULL) AS unplaced,
            count(*) FILTER (WHERE tool IS NOT NULL AND NOT kept) AS others,
            min(x) FILTER (WHERE kept) AS x_min, max(x) FILTER (WHERE kept) AS x_max,
            count(*) FILTER (WHERE lim IS NOT NULL OR err IS NOT NULL) > 0 AS ended
        FROM rows"""


def tools_sql(columns: ToolCallColumns) -> str:
    """SQL of the tools called at a message (calls that can be drawn), most calls first (ties alphabetical), with
    their calls (columns tool, calls)."""
    return f"""
        SELECT tool, count(*) AS calls FROM ({_rows_sql(columns, None)})
        WHERE tool IS NOT NULL AND x IS NOT NULL GROUP BY tool ORDER BY calls DESC, tool"""


def samples_sql(columns: ToolCallColumns, tools: Sequence[str] | None, max_samples: int) -> str:
    """SQL of the samples drawn, in order: sample (its key: its id as text, NULL as "(null)"), yi (its row, from 0),
    limit, error, ended (the limit, else "error" after an error, else NULL: what the text at the right says),
    calls (its drawn tool calls) and link (its first message's)."""
    return f"""
        WITH {_samples_cte(columns, tools, max_samples)}
        SELECT sample, yi, lim AS "limit", err AS error,
            coalesce(lim, CASE WHEN err IS NOT NULL THEN {quote_literal(ERROR_END)} END) AS ended, calls, link
            {"".join(f", {name}" for _, name in columns.shipped())}
        FROM samples ORDER BY yi"""


def cells_sql(columns: ToolCallColumns, tools: Sequence[str] | None, max_samples: int, *, x_min: float,
              width: int) -> str:
    """SQL of the cells: the drawn samples' tool calls grouped by sample and bin of `width` messages from
    `x_min` (width 1: one cell per message).

    Columns: sample, yi, x0 and x1 (the cell's span on the message axis), message (the message its calls are at,
    or "first–last" of those in a bin, as text), messages (how many distinct messages its calls are at), tool
    (the bin's most frequent tool; ties alphabetical), tools (every tool with its count, most first: "bash ×3,
    python"), calls, limit, error, link (its first call's).

    Example:
        >>> sql = cells_sql(ToolCallColumns("order", "id", "tool_call_function"), None, 100, x_min=0, width=4)
        >>> "floor((x - 0.0) / 4)" in sql
        True
    """
    start, step = repr(float(x_min)), int(width)
    return f"""
        WITH {_samples_cte(columns, tools, max_samples)},
        calls AS (SELECT samples.sample, samples.yi, samples.lim, samples.err, rows.x, rows.tool, rows.lnk,
                         floor((x - {start}) / {step}) AS b
                  FROM rows JOIN samples ON rows.s IS NOT DISTINCT FROM samples.s
                  WHERE rows.kept AND rows.x IS NOT NULL),
        counted AS (SELECT sample, yi, b, tool, count(*) AS c FROM calls GROUP BY ALL),
        ranked AS (SELECT *, row_number() OVER (PARTITION BY yi, b ORDER BY c DESC, tool) AS place FROM counted),
        bins AS (SELECT yi, b, {start} + b * {step} AS x0, any_value(sample) AS sample,
                        max(tool) FILTER (WHERE place = 1) AS tool, CAST(sum(c) AS BIGINT) AS calls,
                        string_agg(tool || CASE WHEN c > 1 THEN ' \u00d7' || c ELSE '' END, ', '
                                   ORDER BY c DESC, tool) AS tools
                 FROM ranked GROUP BY yi, b)
        SELECT bins.sample, bins.yi, bins.x0, bins.x0 + {step} AS x1,
            CASE WHEN firsts.messages = 1 THEN format('{{:g}}', firsts.first_x)
                 ELSE format('{{:g}}\u2013{{:g}}', firsts.first_x, firsts.last_x) END AS message,
            firsts.messages, bins.tool, bins.tools, bins.calls,
            firsts.lim AS "limit", firsts.err AS error, firsts.link
            {"".join(f", samples.{name}" for _, name in columns.shipped())}
        FROM bins JOIN (SELECT yi, b, any_value(lim) AS lim, any_value(err) AS err,
                               arg_min(lnk, x) FILTER (WHERE lnk IS NOT NULL) AS link, min(x) AS first_x,
                               max(x) AS last_x, count(DISTINCT x) AS messages
                        FROM calls GROUP BY yi, b) AS firsts USING (yi, b)
            JOIN samples ON samples.yi = bins.yi
        ORDER BY bins.yi, bins.x0"""
