"""What a user sees of the breaker's view findings (issue 10), in a real Chromium, on one page: huge values in
distinct colours, every eval failed drawn as error cells with their messages, two models sharing a display name
drawn as two rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import evalviz as ev
from evalviz.rendering.html import chart_markup, standalone_page
from evalviz.views.colors import ERROR_COLOR

pytestmark = pytest.mark.browser

HUGE = {"lowest": -1.7e308, "highest": 1.7e308, "zero": 0.0, "tiny": 1e300}


def test_what_the_user_sees(render) -> None:
    huge = pd.DataFrame({"m": ["a", "a", "b", "b"], "t": list(HUGE), "s": list(HUGE.values())})
    failed = ev.Data.from_sql("""
        SELECT * FROM (VALUES ('broken', 'mockllm/a', 'error', 'RuntimeError(''provider exploded'')'))
            AS t(task_name, model, status, error_message),
        (SELECT CAST(NULL AS VARCHAR) AS score_headline_value)""")
    shared = pd.DataFrame({"task_name": ["t", "t"], "model_display_name": ["GPT-4o", "GPT-4o"],
                           "model": ["openai/gpt-4o", "openai/azure/gpt-4o"], "score_headline_value": [1.0, 0.0]})
    charts = [ev.heatmap(huge, x="t", y="m", fill="s"), ev.scores_heatmap(failed), ev.scores_heatmap(shared)]
    page = render(standalone_page("".join(chart_markup(c.spec, c.datasets) for c in charts), title="breaker"),
                  wait_for=len(charts))

    # Huge values: the lowest and highest at opposite ends, 0 and 1e300 (nothing beside 1.7e308) alike between.
    fills = {c.datum["x"]: c.fill for c in page.cells(0) if c.datum["status"] == "ok"}
    assert len(fills) == len(HUGE)
    assert len({fills["lowest"], fills["highest"], fills["zero"]}) == 3
    assert fills["zero"] == fills["tiny"]
    assert not any(t in label for label in page.legend_labels(0) for t in ("NaN", "Infinity", "\u221e"))

    # Every eval failed: an error cell whose tooltip gives the error message.
    page.chart(1).scroll_into_view_if_needed()
    [cell] = page.cells(1)
    assert cell.fill == ERROR_COLOR
    assert page.hover(cell)["Score"] == "error: RuntimeError('provider exploded')"

    # Two models with one display name: two rows, each labelled with the name and its model id, own score.
    page.chart(2).scroll_into_view_if_needed()
    rows = {page.hover(c)["Model"]: page.hover(c)["Score"] for c in page.cells(2)}
    expected = {f"GPT-4o \u00b7 {m}": f"{v:.3f}" for m, v in zip(shared["model"], shared["score_headline_value"],
                                                                      strict=True)}
    assert rows == expected
    assert sorted(page.axis_labels("y", 2)) == sorted(expected)
    assert np.isfinite([c.y for c in page.cells(2)]).all()
