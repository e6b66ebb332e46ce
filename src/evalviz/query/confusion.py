"""The statement of a confusion grid: per series and slice, the four counts of a binary classifier at a threshold
(`sklearn.metrics.confusion_matrix` with labels [0, 1]), their shares and the rates derived from them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.query.predictions import LABEL, SCORE, SERIES, SLICE

Normalize = Literal["true", "pred", "all"]
NORMALIZE: tuple[Normalize, ...] = ("true", "pred", "all")
NULL_TEXT = "(null)"
# Each cell's short name by (actual, predicted).
CELL_NAMES = "CASE WHEN a.actual = 1 THEN (CASE WHEN b.predicted = 1 THEN 'TP' ELSE 'FN' END) " \
             "ELSE (CASE WHEN b.predicted = 1 THEN 'FP' ELSE 'TN' END) END"


def _share_sql(normalize: Normalize | None) -> str:
    """A cell's share: of its actual class ("true", a row of the matrix), of its predicted class ("pred", a
    column), or of all predictions ("all", and None); NULL where that total is 0 (scikit-learn writes 0)."""
    over = {"true": "series, slice, actual", "pred": "series, slice, predicted"}.get(normalize or "all",
                                                                                     "series, slice")
    return f"count / nullif(sum(count) OVER (PARTITION BY {over}), 0)"


def confusion_sql(threshold: float, normalize: Normalize | None, *, sliced: bool) -> str:
    """SQL of the four cells of each (series, slice) panel, over the long form of `evalviz.query.predictions`:
    a prediction is positive when its score is at least `threshold`.

    Columns: series, slice (NULL when not `sliced`; a NULL slice is "(null)"), actual and predicted (0/1),
    actual_text and predicted_text ("negative"/"positive"), cell ("TN", "FP", "FN", "TP"), count (0 for a cell
    without predictions), share (see `_share_sql`), n (the panel's predictions), tp, fp, fn, tn, precision
    (tp / (tp + fp)), recall (the true positive rate, tp / (tp + fn)), fpr (fp / (fp + tn)) and accuracy ((tp +
    tn) / n); a rate whose denominator is 0 is NULL. Ordered by series, slice, actual, predicted.

    Example:
        >>> "count(*) AS count" in confusion_sql(0.5, None, sliced=False)
        True
    """
    def total(cell: str) -> str:
        return f"sum(count) FILTER (WHERE cell = '{cell}') OVER (PARTITION BY series, slice)"

    return f"""
        WITH preds AS MATERIALIZED ({_classified_sql(threshold, sliced=sliced)}),
        counted AS (SELECT series, slice, actual, predicted, count(*) AS count FROM preds GROUP BY ALL),
        cells AS (SELECT p.series, p.slice, a.actual, b.predicted, {CELL_NAMES} AS cell,
                         coalesce(c.count, 0) AS count
                  FROM (SELECT DISTINCT series, slice FROM preds) AS p
                  CROSS JOIN (VALUES (0), (1)) AS a(actual) CROSS JOIN (VALUES (0), (1)) AS b(predicted)
                  LEFT JOIN counted AS c ON c.series = p.series AND c.slice IS NOT DISTINCT FROM p.slice
                       AND c.actual = a.actual AND c.predicted = b.predicted),
        totals AS (SELECT *, {_share_sql(normalize)} AS share, sum(count) OVER (PARTITION BY series, slice) AS n,
                          {total("TP")} AS tp, {total("FP")} AS fp, {total("FN")} AS fn, {total("TN")} AS tn
                   FROM cells)
        SELECT series, slice, actual, predicted,
               CASE WHEN actual = 1 THEN 'positive' ELSE 'negative' END AS actual_text,
               CASE WHEN predicted = 1 THEN 'positive' ELSE 'negative' END AS predicted_text, cell,
               count, share, CAST(n AS BIGINT) AS n, CAST(tp AS BIGINT) AS tp, CAST(fp AS BIGINT) AS fp,
               CAST(fn AS BIGINT) AS fn, CAST(tn AS BIGINT) AS tn,
               tp / nullif(tp + fp, 0) AS precision, tp / nullif(tp + fn, 0) AS recall,
               fp / nullif(fp + tn, 0) AS fpr, (tp + tn) / n AS accuracy
        FROM totals ORDER BY series, slice, actual, predicted"""


def confusion_parts_sql(threshold: float, *, sliced: bool, filters: Sequence[str], limit: int) -> str:
    """SQL of the predictions counted by panel, cell and the values of the columns `filters` (carried through the
    long form): series, slice, actual, predicted, f0, f1, ... (the columns, as they are) and count, at most
    `limit` rows, ordered by series and slice; what a page filters and adds up again into each panel's cells
    (`views.confusion_grid`). A cell without predictions has no row.

    Example:
        >>> "GROUP BY ALL" in confusion_parts_sql(0.5, sliced=False, filters=["epoch"], limit=10)
        True
    """
    return (f"SELECT *, count(*) AS count FROM ({_classified_sql(threshold, sliced=sliced, filters=filters)}) "
            f"GROUP BY ALL ORDER BY series, slice, actual, predicted LIMIT {int(limit)}")


def _classified_sql(threshold: float, *, sliced: bool, filters: Sequence[str] = ()) -> str:
    """SQL of each prediction's panel (series, slice: NULL when not `sliced`, a NULL slice "(null)"), actual class
    and predicted class (score >= `threshold`), and the columns `filters` as f0, f1, ..."""
    cut = f"CAST({quote_literal(repr(float(threshold)))} AS DOUBLE)"
    slice_text = f"coalesce({q(SLICE)}, {quote_literal(NULL_TEXT)})" if sliced else "NULL::VARCHAR"
    carried = "".join(f", {q(column)} AS f{i}" for i, column in enumerate(filters))
    return (f"SELECT coalesce({q(SERIES)}, {quote_literal(NULL_TEXT)}) AS series, {slice_text} AS slice, "
            f"CAST({q(LABEL)} AS INTEGER) AS actual, CAST({q(SCORE)} >= {cut} AS INTEGER) AS predicted{carried} "
            f"FROM this")
