"""The statement behind the classifier curves (`pr_curve`, `roc_curve`): the scores they rank, by series and class.

The ranking itself (distinct thresholds, cumulative true and false positives) is done on the fetched arrays by
`evalviz.analysis.classifier_curves`: numpy sorts a million scores in about 10 ms, where a DuckDB window of
cumulative sums over them (GROUP BY series, score, then sum() OVER (PARTITION BY series ORDER BY score DESC))
took 0.5 to 1 s on two cores, most of the 0.5 s the two curves may take together.
"""

from __future__ import annotations

from evalviz.data.connection import quote_identifier as q
from evalviz.query.predictions import LABEL, SCORE, SERIES


def class_scores_sql() -> str:
    """SQL of the scores a curve ranks, over the predictions' long form (`views.predictions.Predictions.data`,
    whose `series` is text and never NULL, `label` TINYINT 0/1 and `score` DOUBLE): one row per series and label,
    with `scores`, the list of their scores (in no order). (DuckDB's lists, one per series and class, come about
    20 ms sooner per million predictions than fetching the rows and splitting them by series in numpy: no text
    column to fetch and encode.)

    Example:
        >>> class_scores_sql()
        'SELECT "series", "label", list("score") AS scores FROM this GROUP BY "series", "label"'
    """
    return f"SELECT {q(SERIES)}, {q(LABEL)}, list({q(SCORE)}) AS scores FROM this GROUP BY {q(SERIES)}, {q(LABEL)}"
