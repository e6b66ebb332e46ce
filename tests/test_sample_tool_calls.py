"""sample_tool_calls (issue 13): cells read back from Chromium and checked against DuckDB (calls per sample and
message, the most frequent tool) and numpy (binned messages); colours per tool, rows in id order, the limit at the
right, hostile labels as text, bad input."""

from __future__ import annotations

from collections import Counter

import duckdb
import numpy as np
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.errors import ColumnTypeError, EmptyDataError, EvalvizError, MissingColumnError

HOSTILE = '<img src=x onerror=alert(1)> "tool"'

# Samples "2" and "10" (numeric order: 2 before 10), "10" ran two calls at message 5, "idle" made no call, "2" hit
# a token limit, "err" failed; a tool call without an order, a hostile tool name and a javascript: link.
MESSAGES_SQL = f"""
    SELECT * FROM (VALUES
        ('2', 1, 'bash', 'token', NULL, 'https://logs.example.com/2'),
        ('2', 2, NULL, 'token', NULL, 'https://logs.example.com/2'),
        ('2', 3, 'python', 'token', NULL, 'https://logs.example.com/2'),
        ('2', 5, 'bash', 'token', NULL, 'https://logs.example.com/2'),
        ('10', 1, 'python', NULL, NULL, 'https://logs.example.com/10'),
        ('10', 5, 'bash', NULL, NULL, 'https://logs.example.com/10'),
        ('10', 5, 'python', NULL, NULL, 'https://logs.example.com/10'),
        ('10', 5, 'bash', NULL, NULL, 'https://logs.example.com/10'),
        ('10', 7, '{HOSTILE.replace("'", "''")}', NULL, NULL, 'https://logs.example.com/10'),
        ('10', NULL, 'bash', NULL, NULL, 'https://logs.example.com/10'),
        ('idle', 1, NULL, NULL, NULL, 'https://logs.example.com/idle'),
        ('err', 2, 'submit', NULL, 'RuntimeError: sandbox died', 'javascript:alert(1)'),
        ('err', 4, '  ', NULL, 'RuntimeError: sandbox died', 'javascript:alert(1)')
    ) AS t(id, "order", tool_call_function, "limit", error, log_viewer)"""


def expected_cells(sql: str) -> dict[tuple[str, float], dict]:
    """DuckDB: per (sample, message) with a tool call, its calls and tools (most first, ties alphabetical)."""
    rows = duckdb.sql(f"""
        SELECT id, "order", tool_call_function AS tool, count(*) AS c FROM ({sql})
        WHERE nullif(trim(tool_call_function), '') IS NOT NULL AND "order" IS NOT NULL
        GROUP BY ALL ORDER BY id, "order", c DESC, tool""").fetchall()
    cells: dict[tuple[str, float], dict] = {}
    for sample, order, tool, count in rows:
        cell = cells.setdefault((sample, float(order)), {"tool": tool, "calls": 0, "tools": []})
        cell["calls"] += count
        cell["tools"].append(tool + (f" \u00d7{count}" if count > 1 else ""))
    return cells


def named(page, name: str) -> list:
    return [i for i in page.items() if i.role == "mark" and i.name == f"{name}_marks"]


def test_cells_colours_rows_and_limits(render) -> None:
    data = ev.Data.from_sql(MESSAGES_SQL)
    want = expected_cells(MESSAGES_SQL)
    page = render(ev.sample_tool_calls(data, title="Tool calls"))
    cells = named(page, "cells")
    assert {(c.datum["sample"], c.datum["x0"]): (c.datum["tool"], c.datum["calls"]) for c in cells} == \
        {key: (cell["tool"], cell["calls"]) for key, cell in want.items()}
    # Cells sit at their message, left to right, one message wide.
    for sample in ("2", "10"):
        row = sorted((c for c in cells if c.datum["sample"] == sample), key=lambda c: c.datum["x0"])
        assert [c.x for c in row] == sorted(c.x for c in row)
        unit = (row[-1].x - row[0].x) / (row[-1].datum["x0"] - row[0].datum["x0"])
        assert all(c.width == pytest.approx(unit, abs=0.6) for c in row)
    # One colour per tool, the legend's.
    legend = dict(zip(page.legend_labels(), [i.fill for i in page.items() if i.role == "legend-symbol"],
                      strict=True))
    assert list(legend) == sorted({cell["tool"] for cell in want.values()})
    assert all(c.fill == legend[c.datum["tool"]] for c in cells)
    assert len(set(legend.values())) == len(legend)
    # Rows by id: numbers first in numeric order, then text; the sample without a call is an empty row.
    assert page.axis_labels_in_order("y") == ["2", "10", "err", "idle"]
    tip = page.hover(next(c for c in cells if c.datum["sample"] == "10" and c.datum["x0"] == 5))
    assert tip["Calls"] == ", ".join(want[("10", 5.0)]["tools"]) == "bash \u00d72, python"
    assert tip["Tool"] == "bash" and tip["Sample"] == "10" and tip["Message"] == "5"
    assert page.hover(next(c for c in cells if c.datum["sample"] == "2"))["Limit"] == "token"
    assert page.hover(next(c for c in cells if c.datum["sample"] == "err"))["Error"] == "RuntimeError: sandbox died"
    hostile = next(c for c in cells if c.datum["tool"] == HOSTILE)
    assert page.hover(hostile)["Tool"] == HOSTILE and HOSTILE in page.legend_labels()
    assert page.chart().locator("img").count() == 0
    # The limit (or error) that ended a sample, at the right of its row.
    ends = {t.text: t for t in named(page, "ends")}
    assert set(ends) == {"token", "error"}
    assert min(t.x for t in ends.values()) >= max(c.x + c.width for c in cells)  # anchored at the plot's edge
    row_of = {c.datum["sample"]: c.center[1] for c in cells}
    assert ends["token"].y == pytest.approx(row_of["2"], abs=2) and ends["error"].y == pytest.approx(row_of["err"],
                                                                                                       abs=2)
    subtitle = " ".join(page.title_texts())
    assert "1 cell holds several calls at one message" in subtitle
    assert "1 tool call without a message order not drawn" in subtitle
    assert "1 sample without a tool call (empty rows)" in subtitle
    assert page.click_opens(next(c for c in cells if c.datum["sample"] == "2")) == "https://logs.example.com/2"
    assert page.click_opens(next(c for c in cells if c.datum["sample"] == "err")) is None  # javascript:


def test_long_conversations_are_binned_by_the_most_frequent_tool() -> None:
    sql = """SELECT i // 3000 AS id, i % 3000 AS "order",
                    CASE WHEN i % 4 = 0 THEN NULL ELSE ['bash', 'python', 'submit'][1 + (i * i) % 7 % 3] END
                        AS tool_call_function
             FROM range(9000) t(i)"""
    chart = ev.sample_tool_calls(ev.Data.from_sql(sql))
    cells = chart.datasets["cells"].to_pylist()
    width = cells[0]["x1"] - cells[0]["x0"]
    assert width > 1 and all(c["x1"] - c["x0"] == width for c in cells)
    assert max(Counter(c["sample"] for c in cells).values()) <= 700 / 3  # no cell narrower than 3 pixels
    raw = duckdb.sql(sql).fetchnumpy()
    for cell in cells[::37]:
        inside = (raw["id"] == int(cell["sample"])) & (raw["order"] >= cell["x0"]) & (raw["order"] < cell["x1"])
        tools = Counter(t for t in np.asarray(raw["tool_call_function"], dtype=object)[inside] if t is not None)
        top = max(tools.values())
        assert cell["calls"] == sum(tools.values())
        assert cell["tool"] == min(t for t, n in tools.items() if n == top)
    assert f"Messages binned by {int(width)}" in chart.spec["title"]["text"][0]


def test_max_samples_keeps_the_first_by_id_and_says_so() -> None:
    sql = "SELECT i % 30 AS id, i // 30 AS \"order\", 'bash' AS tool_call_function FROM range(300) t(i)"
    chart = ev.sample_tool_calls(ev.Data.from_sql(sql), max_samples=12, tools=["bash", "python"])
    assert chart.datasets["samples"]["sample"].to_pylist() == [str(i) for i in range(12)]
    assert {c["sample"] for c in chart.datasets["cells"].to_pylist()} == {str(i) for i in range(12)}
    said = " ".join(chart.spec["title"]["text"])
    assert "The first 12 of 30 samples (by id)" in said and "raise max_samples" in said


def test_bad_input_names_the_problem_and_the_way_out() -> None:
    data = ev.Data.from_sql(MESSAGES_SQL)
    with pytest.raises(MissingColumnError, match="'tool_call_fn'.*Did you mean 'tool_call_function'"):
        ev.sample_tool_calls(data, tool="tool_call_fn")
    with pytest.raises(MissingColumnError, match="'lim'"):
        ev.sample_tool_calls(data, limit="lim")  # a column named by the caller must exist
    with pytest.raises(ColumnTypeError, match="message order.*'id'"):
        ev.sample_tool_calls(data, x="id")
    with pytest.raises(EvalvizError, match="tools is a list of the tools to draw"):
        ev.sample_tool_calls(data, tools="bash")
    with pytest.raises(EvalvizError, match="max_samples is the most samples drawn"):
        ev.sample_tool_calls(data, max_samples=0)
    with pytest.raises(EvalvizError, match="from 1 to 1,000, not 1001. Filter the data"):
        ev.sample_tool_calls(data, max_samples=1001)  # 5,000 samples drew 52 MB; 10**30 reached DuckDB's LIMIT
    with pytest.raises(EvalvizError, match="tools names 21 tools.*20 apart by colour"):
        ev.sample_tool_calls(data, tools=[f"tool{i}" for i in range(21)])
    flagged = ev.Data.from_sql(MESSAGES_SQL.replace("NULL, 'https://logs.example.com/2'",
                                                    "false, 'https://logs.example.com/2'")
                               .replace("'RuntimeError: sandbox died'", "true"))
    with pytest.raises(ColumnTypeError, match="error column 'error' holds BOOLEAN.*error=None"):
        ev.sample_tool_calls(flagged)  # false read as the message "false": every sample ended in an error
    with pytest.raises(EmptyDataError, match="none of its .* calls is of the tools given \\(grep\\)"):
        ev.sample_tool_calls(data, tools=["grep"])
    no_tools = ev.Data.from_sql("SELECT 1 AS id, 1 AS \"order\", CAST(NULL AS VARCHAR) AS tool_call_function")
    with pytest.raises(EmptyDataError, match="'tool_call_function' is empty in every row. Name the column"):
        ev.sample_tool_calls(no_tools)
    empty = pa.table({"id": pa.array([], pa.string()), "order": pa.array([], pa.int64()),
                      "tool_call_function": pa.array([], pa.string())})
    with pytest.raises(EmptyDataError, match="no rows"):
        ev.sample_tool_calls(empty)


def test_a_null_id_beside_an_id_named_null_is_a_row_of_its_own(render) -> None:
    """Regression: a sample without an id and one with the id "(null)" were drawn on one row."""
    sql = """SELECT CASE WHEN i < 3 THEN NULL ELSE '(null)' END AS id, i AS "order",
                    ['bash', 'python'][1 + i % 2] AS tool_call_function FROM range(5) t(i)"""
    want = sorted(count for (count,) in duckdb.sql(f"SELECT count(*) FROM ({sql}) GROUP BY id IS NULL").fetchall())
    page = render(ev.sample_tool_calls(ev.Data.from_sql(sql)))
    assert page.axis_labels("y") == ["(null)", "(null)"]
    rows = Counter(round(c.center[1]) for c in named(page, "cells"))
    assert sorted(rows.values()) == want  # two rows of cells, each with its sample's calls


def test_samples_drawn_without_a_call_are_empty_rows(render) -> None:
    """Regression: when none of the samples drawn made a tool call, the view raised Python's TypeError."""
    sql = """SELECT * FROM (VALUES ('1', 1, NULL), ('2', 1, 'bash'), ('2', 2, 'python'))
             AS t(id, "order", tool_call_function)"""
    page = render(ev.sample_tool_calls(ev.Data.from_sql(sql), max_samples=1))
    assert page.axis_labels("y") == ["1"] and named(page, "cells") == []
    said = " ".join(page.title_texts())
    assert "The first 1 of 2 samples (by id)" in said and "1 sample without a tool call (empty rows)" in said


def test_fractional_orders_are_said_to_share_a_cell() -> None:
    """Regression: calls at messages 1 and 1.5 were one cell labelled "1", said to be at one message."""
    sql = """SELECT 's' AS id, i / 2 AS "order", ['bash', 'python', 'bash'][1 + i % 3] AS tool_call_function
             FROM range(8) t(i)"""
    chart = ev.sample_tool_calls(ev.Data.from_sql(sql))
    want = duckdb.sql(f"""SELECT min("order"), max("order") FROM ({sql}) GROUP BY floor("order")
                          ORDER BY 1""").fetchall()
    assert [c["message"] for c in chart.datasets["cells"].to_pylist()] == [
        f"{lo:g}" if lo == hi else f"{lo:g}\u2013{hi:g}" for lo, hi in want]
    assert "Messages binned by 1 (orders between whole numbers share a cell)" in " ".join(chart.spec["title"]["text"])


def test_the_twenty_most_called_tools_are_drawn_and_the_rest_said(render) -> None:
    """Regression: 500 tools were drawn in 20 repeating colours, two tools alike."""
    sql = """SELECT 's' || (i % 7) AS id, i AS "order", 'tool' || lpad(CAST(t AS VARCHAR), 2, '0') AS tool_call_function
             FROM range(30) a(t), range(t + 1) b(i)"""  # tool t is called t + 1 times
    counts = Counter(tool for (tool,) in duckdb.sql(f"SELECT tool_call_function FROM ({sql})").fetchall())
    top = sorted(sorted(counts, key=lambda tool: (-counts[tool], tool))[:20])
    page = render(ev.sample_tool_calls(ev.Data.from_sql(sql)))
    assert page.legend_labels() == top
    cells = named(page, "cells")
    assert {c.datum["tool"] for c in cells} <= set(top)
    assert len({c.fill for c in cells}) == 20
    said = " ".join(page.title_texts())
    left = sum(n for tool, n in counts.items() if tool not in top)
    assert "The 20 most called of 30 tools are drawn." in said and f"{left} tool calls of other tools not drawn" in said
