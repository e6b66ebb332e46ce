"""The statement behind the classifier curves (`pr_curve`, `roc_curve`): the predictions they rank.

The ranking itself (distinct thresholds, cumulative true and false positives) is done on the fetched arrays by
`evalviz.analysis.classifier_curves`: numpy sorts a million scores in about 10 ms, where a DuckDB window of
cumulative sums over them (GROUP BY series, score, then sum() OVER (PARTITION BY series ORDER BY score DESC))
took 0.5 to 1 s on two cores, most of the 0.5 s the two curves may take together.
"""

from __future__ import annotations

from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.query.predictions import LABEL, SCORE, SERIES

NULL_SERIES = "(null)"  # the name of the series of rows whose series is NULL


def ranked_predictions_sql() -> str:
    """SQL of the predictions a curve ranks, over their long form (`series`, `label`, `score`): the same
    columns, `series` VARCHAR (a NULL series named NULL_SERIES), `label` TINYINT and `score` DOUBLE. (Fetching
    the rows and splitting them by series and class in numpy takes about half the time of DuckDB's `list`
    aggregates grouped by series.)

    Example:
        >>> ranked_predictions_sql().startswith('SELECT coalesce("series", \'(null)\') AS series')
        True
    """
    return (f"SELECT coalesce({q(SERIES)}, {quote_literal(NULL_SERIES)}) AS series, CAST({q(LABEL)} AS TINYINT) "
            f"AS label, CAST({q(SCORE)} AS DOUBLE) AS score FROM this")
