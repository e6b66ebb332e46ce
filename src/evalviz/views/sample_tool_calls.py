"""`sample_tool_calls`: per sample (rows), its tool calls in message order (columns) as cells coloured by tool,
and the limit that ended the sample at the right."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.charts import Interaction, LayerChart
from evalviz.data.connection import quote_identifier
from evalviz.data.table import Data
from evalviz.errors import EmptyDataError, EvalvizError
from evalviz.query.grid_columns import filter_field
from evalviz.query.tool_calls import ToolCallColumns, cells_sql, samples_sql, summary_sql, tools_sql
from evalviz.rendering.component import Component
from evalviz.rendering.contract import TooltipRow, renderer_for
from evalviz.views.chart import AXIS_LABEL_LIMIT, hover_note, text_width, title_line_count, title_spec
from evalviz.views.error_messages import check_error_messages
from evalviz.views.formatting import UNMARKED_LABEL, count_text
from evalviz.views.grid import check_numeric
from evalviz.views.grid_filters import MarkFilters, mark_filters
from evalviz.views.linking import Linking
from evalviz.views.marks import cells, rules, text
from evalviz.views.options import NOT_GIVEN, Legend, ViewOptions, checks_arguments
from evalviz.views.roles import LOG_VIEWER, optional_column
from evalviz.views.score_marks import SCHEMES

if TYPE_CHECKING:
    from evalviz.interaction.selection import Selection

CELLS, SAMPLES = "cells", "samples"
MAX_SAMPLES = 200  # samples drawn at most by default: the first ones by id
MOST_SAMPLES = 1000  # the largest max_samples: 1,000 rows of cells as wide as the chart stay a few MB
MAX_TOOLS = SCHEMES[-1][0]  # tools drawn at most, one colour each: by default the most called
WIDTH = 700
ROW, MIN_PLOT_HEIGHT, MAX_PLOT_HEIGHT = 14, 60, 560  # pixels per sample row by default, and the plot's bounds
MIN_CELL = 3  # pixels: messages are binned when a message's column would be narrower
MIN_LABELLED_ROW = 9  # pixels: rows narrower than this leave the sample ids to the tooltip
END_ROOM = 70  # pixels at the right for the limit that ended a sample
LEGEND_ROOM = 130
TITLE_LINE, AXES_ROOM = 26, 50


@checks_arguments()
def sample_tool_calls(
    data: Data,
    x: str = "order",
    y: str = "id",
    tool: str = "tool_call_function",
    limit: str | None = "limit",
    tools: Sequence[str] | None = None,
    x_label: str | None = "Message",
    y_label: str | None = "Sample",
    *,
    error: str | None = "error",
    link: str | None = LOG_VIEWER,
    max_samples: int = MAX_SAMPLES,
    title: str | None = None,
    subtitle: str | None = None,
    width: int | None = None,
    height: int | None = None,
    legend: Legend = NOT_GIVEN,
    tip: bool = True,
    filter_by: Selection | None = None,
    target: Selection | None = None,
    highlight: bool = False,
    **attributes: Any,
) -> Component:
    """Tool calls per sample: one row per sample (by id), its tool calls as cells at their message's place in
    the conversation, coloured by tool; at the right of a row, the limit that ended the sample ("error" after an
    error without one).

    The data is a messages or events table filtered to a sample's turns (inspect_ai's `messages_df`): rows whose
    tool is NULL or blank are other messages, not drawn. Everything is counted in DuckDB; only the drawn cells
    travel. Several calls at one (sample, message) are one cell coloured by its most frequent tool (ties
    alphabetical), its tooltip listing them all. When the messages outnumber the pixels (a column narrower than
    3 pixels), they are binned: a cell then holds a bin's calls, coloured by its most frequent tool. At most
    `max_samples` samples are drawn, the first by id; samples without a tool call are empty rows. At most 20
    tools are drawn (one colour each): by default the 20 most called. The subtitle says what is binned, merged
    or left out. Hover a cell for sample, message, tool, calls, limit and error;
    click it to open its log (http(s) links only).

    Args:
        data: A messages table (inspect_ai's `messages_df`, with the samples' `limit`), or any table of tool
            calls with a message order.
        x: The column of the message's order within its sample (numbers).
        y: The column of the sample id.
        tool: The column of the tool called (NULL or blank: not a tool call).
        limit: The column of the limit that ended a sample (used when present).
        tools: The tools to draw (20 at most), in the legend's order (None: every tool, alphabetically, or the 20
            most called of more); calls of other tools are left out, and the subtitle says how many.
        x_label, y_label: The axis titles.
        error, link: Columns of a sample's error message and of log links (used when present).
        max_samples: The most samples drawn (1 to 1,000).
        title, subtitle, width, height, legend, tip, **attributes: As every view (`ViewOptions`): 700 pixels
            wide, and high enough for 14 pixels a sample (up to 560 for the rows).
        filter_by: A Selection whose clauses filter the samples. A row is one sample: a filter on its id (or a
            column with one value per sample, such as its task, model or epoch) keeps or drops whole rows, and
            rows left out leave no band. On a standalone page it filters the samples drawn (the first
            `max_samples`); the live widget draws the chart again over the rows kept. A filter on a column
            varying within a sample (the tool, the message) is named on the page as needing the live widget.
        target: A Selection a click on a cell or on the limit at the right of a row publishes into: its sample
            id (shift-click adds, a click on it again or on empty space clears). The legend's tools publish
            nothing (a cell's colour is its most frequent tool, not every call's).
        highlight: Fade the rows the selections leave out instead of removing them.

    Raises:
        EvalvizError: a column the table lacks (naming those it has), message orders that are not numbers, an
            error column of other than messages, `tools` not a list of up to 20 names, `max_samples` out of
            range, or no tool call to draw.

    Example:
        >>> import evalviz as ev
        >>> calls = ev.Data.from_sql("SELECT i // 5 AS id, i % 5 AS \\"order\\", "
        ...                          "['bash', 'python'][1 + i % 2] AS tool_call_function FROM range(20) t(i)")
        >>> chart = ev.sample_tool_calls(calls, title="Tool calls")
    """
    options = ViewOptions(title, subtitle, width, height, legend, tip, attributes)
    chosen = _checked_tools(tools)
    most = _checked_max_samples(max_samples)
    columns = ToolCallColumns(x=x, y=y, tool=tool, limit=optional_column(data, limit, "limit"),
                              error=optional_column(data, error, "error"), link=optional_column(data, link,
                                                                                                LOG_VIEWER))
    data.require_columns(x, y, tool, columns.limit, columns.error, columns.link, purpose="sample_tool_calls")
    data.require_rows()
    linking = Linking.of(filter_by, target, highlight)
    filters = _filters(data, y, linking)
    if linking.active:
        columns = dataclasses.replace(columns, filters=filters.constant, raw_key=True)
    check_numeric(data, x, "message order")
    check_error_messages(data, columns.error)
    called = data.run(tools_sql(columns))["tool"].to_pylist()  # most called first
    if chosen is None and len(called) > MAX_TOOLS:
        chosen = sorted(called[:MAX_TOOLS])
    summary = data.run(summary_sql(columns, chosen)).to_pylist()[0]
    if not summary["calls"]:
        raise EmptyDataError(f"sample_tool_calls found no tool call to draw: {_why_none(summary, tool, chosen)}")
    samples = data.run(samples_sql(columns, chosen, most))
    plot_width = _plot_width(options, samples, ended=bool(summary["ended"]))
    span = summary["x_max"] - summary["x_min"] + 1
    bin_width = max(1, math.ceil(span / max(plot_width / MIN_CELL, 1)))
    calls = data.run(cells_sql(columns, chosen, most, x_min=summary["x_min"], width=bin_width))
    legend_tools = list(chosen) if chosen is not None else sorted(called)
    said = _notes(summary, samples, calls, bin_width, most, tip=options.tip)
    if tools is None and len(called) > MAX_TOOLS:
        said.insert(0, f"The {MAX_TOOLS} most called of {count_text(len(called))} tools are drawn.")
    text_said = " ".join([options.subtitle, *said] if options.subtitle is not None else said) or None
    interaction = linking.interaction(
        fields={y: "k_v", **{c: filter_field(i) for i, c in enumerate(filters.constant)}},
        unanswered=filters.unanswered, click=("cells", "ends"), click_fields={"k_v": y}, also=("ends", "rows"))
    return _chart(calls, samples, options, text_said, tools=legend_tools, labels=(x_label, y_label),
                  domain=[summary["x_min"], summary["x_min"] + bin_width * math.ceil(span / bin_width)],
                  link=columns.link, interaction=interaction, follow=linking.filter_by is not None)


def _filters(data: Data, y: str, linking: Linking) -> MarkFilters:
    """The columns a filter reads, by how the page answers them: one value per sample (whole rows kept or
    dropped), or varying within a sample (named on the page)."""
    if not linking.active:
        return MarkFilters()
    linking.publishes(y)
    filters = mark_filters(data, [quote_identifier(y)], linking, exclude=(y,))
    return filters.refuse_varying("varies within a sample's row, whose cells the page cannot redraw")


def _checked_tools(tools: object) -> list[str] | None:
    if tools is None:
        return None
    if isinstance(tools, str) or not isinstance(tools, Sequence) or not tools \
            or not all(isinstance(t, str) and t.strip() for t in tools):
        raise EvalvizError(f"tools is a list of the tools to draw, such as ['bash', 'python'], or None for every "
                           f"tool; not {tools!r}.")
    named = list(dict.fromkeys(t.strip() for t in tools))  # as the data's tools are read: trimmed
    if len(named) > MAX_TOOLS:
        raise EvalvizError(f"tools names {len(named)} tools, and a chart tells {MAX_TOOLS} apart by colour at most: "
                           "name fewer, or leave tools out for the most called.")
    return named


def _checked_max_samples(max_samples: object) -> int:
    if isinstance(max_samples, bool) or not isinstance(max_samples, int) or not 1 <= max_samples <= MOST_SAMPLES:
        raise EvalvizError(f"max_samples is the most samples drawn, an integer from 1 to {count_text(MOST_SAMPLES)}, "
                           f"not {max_samples!r}. Filter the data to draw other samples.")
    return max_samples


def _why_none(summary: dict[str, Any], tool: str, tools: list[str] | None) -> str:
    """Why a table has no tool call to draw, and what to do."""
    if summary["others"]:
        return (f"none of its {count_text(summary['others'])} calls is of the tools given ({', '.join(tools or [])}"
                "). Name tools the data has, or leave tools out.")
    if summary["unplaced"]:
        return (f"its {count_text(summary['unplaced'])} tool calls have no message order. Give x a column of "
                "numbers.")
    return f"the column {tool!r} is empty in every row. Name the column of the tools called with tool=."


def _plot_width(options: ViewOptions, samples: pa.Table, *, ended: bool) -> float:
    """The plot area's estimated width: the chart's, less the sample ids, the limits at the right and the
    legend."""
    labels = text_width(samples["sample"].to_pylist()) + 30
    return max(60.0, (options.width or WIDTH) - labels - (END_ROOM if ended else 0)
               - (LEGEND_ROOM if options.legend_on else 0))


def _notes(summary: dict[str, Any], samples: pa.Table, calls: pa.Table, bin_width: int, most: int, *,
           tip: bool) -> list[str]:
    """What the subtitle says: samples left out, binned or merged calls, calls left out, empty rows."""
    said = []
    if summary["samples"] > most:
        raise_it = " or raise max_samples" if most < MOST_SAMPLES else ""
        said.append(f"The first {count_text(most)} of {count_text(summary['samples'])} samples (by id); filter "
                    f"the data{raise_it} for others.")
    if bin_width > 1 or (pc.max(calls["messages"]).as_py() or 0) > 1:  # several messages in a cell: binned
        shared = " (orders between whole numbers share a cell)" if bin_width == 1 else ""
        said.append(hover_note(f"Messages binned by {_number_text(bin_width)}{shared}: a cell shows its most "
                               "frequent tool", "hover it for all", tip=tip))
    elif (pc.max(calls["calls"]).as_py() or 0) > 1:
        merged = pc.sum(pc.greater(calls["calls"], 1)).as_py()
        held = "cell holds" if merged == 1 else "cells hold"
        said.append(hover_note(f"{count_text(merged)} {held} several calls at one message, coloured by the most "
                               "frequent tool", "hover for all", tip=tip))
    if summary["others"]:
        said.append(f"{_calls(summary['others'])} of other tools not drawn.")
    if summary["unplaced"]:
        said.append(f"{_calls(summary['unplaced'])} without a message order not drawn.")
    idle = pc.sum(pc.equal(samples["calls"], 0)).as_py()
    if idle:
        said.append(f"{count_text(idle)} sample{'s' if idle > 1 else ''} without a tool call (empty rows).")
    return said


def _number_text(number: int) -> str:
    """A whole number as text: with thousands separators, or in three digits beyond a trillion."""
    return count_text(number) if number < 10**12 else f"{number:.3g}"


def _calls(count: int) -> str:
    return f"{count_text(count)} tool call{'s' if count > 1 else ''}"


def _chart(calls: pa.Table, samples: pa.Table, options: ViewOptions, subtitle: str | None, *, tools: list[str],
           labels: tuple[str | None, str | None], domain: list[float], link: str | None,
           interaction: Interaction | None = None, follow: bool = False) -> Component:
    """The cells over the samples' rows, and the limit that ended each sample at the right."""
    rows = samples["sample"].to_pylist()
    plot_height = min(MAX_PLOT_HEIGHT, max(MIN_PLOT_HEIGHT, ROW * len(rows)))
    width = options.width or WIDTH
    lines_above = title_line_count(options.title, subtitle, width)
    height = options.height or plot_height + AXES_ROOM + TITLE_LINE * lines_above
    band = (height - AXES_ROOM - TITLE_LINE * lines_above) / max(len(rows), 1)
    x_title, y_title = labels
    x = {"field": "x0", "type": "quantitative", "title": x_title,
         "scale": {"domain": domain, "nice": False, "zero": False}, "axis": {"format": ",.6~g", "tickMinStep": 1}}
    # Axes that follow filters take the samples of the rows kept, in their order (yi).
    order = ({"sort": {"field": "yi", "op": "min"}, "scale": {"paddingInner": 0.15}} if follow else
             {"sort": rows, "scale": {"domain": rows, "paddingInner": 0.15}})
    y = {"field": "sample", "type": "nominal", "title": y_title, **order,
         "axis": {"labelLimit": AXIS_LABEL_LIMIT, "ticks": False, "labels": band >= MIN_LABELLED_ROW,
                  "labelExpr": UNMARKED_LABEL}}
    ended = bool(pc.count(samples["ended"]).as_py())
    scheme = next((name for size, name in SCHEMES if len(tools) <= size), SCHEMES[-1][1])
    color = {"field": "tool", "type": "nominal", "scale": {"domain": tools, "scheme": scheme},
             "legend": {"title": options.legend_title("Tool"), "labelLimit": AXIS_LABEL_LIMIT,
                        "offset": END_ROOM if ended else 18} if options.legend_on else None}
    tooltip = (TooltipRow("sample", y_title or "Sample"), TooltipRow("message", x_title or "Message"),
               TooltipRow("tool", "Tool"), TooltipRow("tools", "Calls"), TooltipRow("limit", "Limit"),
               TooltipRow("error", "Error"), TooltipRow("link", "Log" if link == LOG_VIEWER else link or "Link"))
    layers = [cells("cells", x=x, x2={"field": "x1"}, y=y, color=color,
                    tooltip=tooltip if options.tip else None, link="link" if link else None)]
    if ended:
        layers.append(text("ends", data=SAMPLES, x={"value": "width"}, y=y, text={"field": "ended"},
                           where="datum.ended !== null", align="left", dx=6, fontSize=9, color="#555555",
                           limit=END_ROOM - 8,
                           tooltip=(TooltipRow("sample", y_title or "Sample"), TooltipRow("limit", "Limit"),
                                    TooltipRow("error", "Error")) if options.tip else None))
    if follow:  # every sample kept holds its band, with or without calls
        layers.append(rules("rows", data=SAMPLES, y=y, opacity=0))
    chart = LayerChart(tuple(layers), data=CELLS, width=width, height=height, fit=True,
                       title=title_spec(options.title, subtitle, width), properties=options.properties(),
                       renderer=renderer_for(calls.num_rows), interaction=interaction)
    return Component.from_parts(chart, {CELLS: calls, SAMPLES: samples})
