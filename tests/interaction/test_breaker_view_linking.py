"""Breaking the linking (filter_by / target / highlight) of the views that just gained it: `to_altair()` of a linked
chart is an Altair chart that plain Vega-Lite draws (vl-convert), whole, as its PNG/SVG is drawn; a concatenation
whose parts answer a filter differently says so."""

from __future__ import annotations

import json

import pytest
import vl_convert as vlc
from test_chart_filters import note, publish

import evalviz as ev

EVALS = "examples/data/evals.parquet"
SAMPLES = "examples/data/samples.parquet"


def linked_views(filter_by: ev.Selection | None, target: ev.Selection | None, highlight: bool) -> dict[str, ev.Chart]:
    evals, samples = ev.Data.from_file(EVALS), ev.Data.from_file(SAMPLES)
    kw = {"filter_by": filter_by, "target": target, "highlight": highlight}
    return {
        "scores_timeline": ev.scores_timeline(evals, **kw),
        "scores_radar_by_task": ev.scores_radar_by_task(evals, **kw),
        "scores_by_limit": ev.scores_by_limit(samples, score="score_match", **kw),
        "sample_scatter": ev.sample_scatter(samples, x="total_tokens", y="total_time", **kw),
    }


@pytest.mark.parametrize(("filtered", "targeted", "highlight"), [(False, True, False), (True, False, False),
                                                                 (True, True, True)])
def test_to_altair_of_a_linked_view_is_drawn_by_plain_vega_lite(filtered: bool, targeted: bool,
                                                                  highlight: bool) -> None:
    views = linked_views(ev.Selection.intersect() if filtered else None,
                         ev.Selection.single() if targeted else None, highlight)
    for name, chart in views.items():
        spec = chart.to_altair().to_dict()
        assert "evalvizKeeps" not in json.dumps(spec), name
        svg = vlc.vegalite_to_svg(spec)
        assert "<svg" in svg, name



def test_a_concatenation_says_which_filter_only_some_of_its_parts_apply(render) -> None:
    evals = ev.Data.from_file(EVALS)
    models = ev.Selection.intersect()
    models.add_columns("model_display_name")
    # The bars keep whole models; percentile ranks are not recomputed on the page, so the radar names the filter.
    both = ev.hconcat(ev.scores_by_task(evals, filter_by=models),
                      ev.scores_radar_by_task(evals, normalization="percentile", filter_by=models))
    clause = {"source": "pick", "fields": ["model_display_name"], "op": "in", "value": [["Borealis"]]}
    page = render(both)
    publish(page, models, clause)
    shown, text, children = note(page)
    assert shown and children == 0
    assert text.startswith('The filter on "model_display_name" is not applied to some parts of this chart: ')
    alone = render(ev.scores_radar_by_task(evals, normalization="percentile", filter_by=models))
    publish(alone, models, clause)
    shown, text, _ = note(alone)
    assert shown and text.startswith('The filter on "model_display_name" is not applied to this chart: ')
