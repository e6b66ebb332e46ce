"""A column read as error messages must hold text: a boolean or number would be read as a message ("false") and
mark every row errored. Every view reading one refuses it the same way, before drawing."""

from __future__ import annotations

import pytest

import evalviz as ev
from evalviz.errors import ColumnTypeError

SAMPLES = ("SELECT 's' || i AS id, 'm' AS model_display_name, (i % 2)::DOUBLE AS score_match, {error} AS error, "
           "i AS total_tokens FROM range(4) t(i)")


@pytest.mark.parametrize("error", ["false", "0", "i = 2"])
@pytest.mark.parametrize("view", ["sample_heatmap", "scores_by_limit"])
def test_an_error_column_that_is_not_text_is_refused_naming_the_way_out(view: str, error: str) -> None:
    data = ev.Data.from_sql(SAMPLES.format(error=error))
    with pytest.raises(ColumnTypeError, match="The error column 'error' holds .* error=None"):
        getattr(ev, view)(data, **({"score_value": "score_match"} if view == "sample_heatmap"
                                   else {"score": "score_match"}))


def test_error_none_reads_no_errors_and_text_messages_still_mark_rows() -> None:
    chart = ev.sample_heatmap(ev.Data.from_sql(SAMPLES.format(error="false")), score_value="score_match", error=None)
    assert chart.spec  # drawn, every sample scored
    texts = ev.Data.from_sql(SAMPLES.format(error="CASE WHEN i = 1 THEN 'boom' END"))
    cells = ev.sample_heatmap(texts, score_value="score_match").datasets
    statuses = [r for table in cells.values() if "status" in table.column_names for r in table["status"].to_pylist()]
    assert statuses.count("error") == 1
