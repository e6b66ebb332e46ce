"""The statements that turn a table of predictions into the long form the classifier views draw."""

from __future__ import annotations

from collections.abc import Sequence

from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.query.series import series_key_sql

# The long form every classifier view reads: one row per prediction.
SERIES, LABEL, SCORE = "series", "label", "score"
SLICE = "slice"  # the slice column's text, carried through when a view asks for one (`confusion_grid`)


def long_predictions_sql(label: str, scores: Sequence[str], series: str | None, slice_by: str | None = None,
                         carry: Sequence[str] = ()) -> str:
    """One row per (prediction, score column) with a label and a score: `series` (the series column's text, the
    score column's name, or both joined by " · " when several score columns meet a series column), `label` (0/1)
    and `score` (DOUBLE), and with `slice_by` a column `slice`. A series or slice is keyed by
    `query.series.series_key_sql`: NULL is "(null)", apart from a text "(null)". Rows whose label or score is
    NULL or NaN are left out (`checks_sql` counts them). The columns `carry` (the filter columns of a view's
    selections; none named as a column of the long form) follow as they are.

    Example:
        >>> long_predictions_sql("y", ["p"], None).startswith("SELECT 'p' AS " + '"series", CAST("y" AS TINYINT)')
        True
    """
    parts = []
    carried = "".join(f", {q(column)}" for column in carry)
    for score in scores:
        if series is None:
            name = quote_literal(score)
        elif len(scores) == 1:
            name = series_key_sql(series)
        else:
            name = f"{series_key_sql(series)} || {quote_literal(' · ' + score)}"
        sliced = f", {series_key_sql(slice_by)} AS {q(SLICE)}" if slice_by is not None else ""
        parts.append(
            f"SELECT {name} AS {q(SERIES)}, CAST({q(label)} AS TINYINT) AS {q(LABEL)}, "
            f"CAST({q(score)} AS DOUBLE) AS {q(SCORE)}{sliced}{carried} FROM this WHERE {_kept(label, score)}"
        )
    return " UNION ALL ".join(parts)


def checks_sql(label: str, scores: Sequence[str], columns: Sequence[str]) -> str:
    """One row, from one pass over the table, of what `read_predictions` checks before the predictions are read:
    `infinite_<i>`, the rows whose i-th score column holds an infinite score; `bad_labels`, those whose label is
    neither 0, 1 nor NULL; `kept`, the predictions (row x score column) with a label and a score (not NULL, not
    NaN); `rows`, the table's rows; and `checksum`, the sum of each row's hash of `columns` (the columns the long
    form reads): the same values give the same checksum, other values all but surely another one.

    Example:
        >>> checks_sql("y", ["p"], ["y", "p"]).endswith('sum(hash("y", "p")) AS checksum FROM this')
        True
    """
    infinite = [f"count(*) FILTER (isinf(CAST({q(score)} AS DOUBLE))) AS infinite_{i}"
                for i, score in enumerate(scores)]
    kept = " + ".join(f"count(*) FILTER ({_kept(label, score)})" for score in scores)
    return (f"SELECT {', '.join(infinite)}, count(*) FILTER (CAST({q(label)} AS DOUBLE) NOT IN (0, 1)) AS bad_labels, "
            f"{kept} AS kept, count(*) AS rows, sum(hash({', '.join(map(q, columns))})) AS checksum FROM this")


def bad_label_sql(label: str) -> str:
    """The first row (0-based, in table order) whose label is neither 0 nor 1 nor NULL: `row` and `value` as
    text; no rows when every label is 0 or 1."""
    return (f"SELECT row, value FROM (SELECT row_number() OVER () - 1 AS row, CAST({q(label)} AS VARCHAR) AS value, "
            f"{q(label)} AS v FROM this) WHERE v IS NOT NULL AND CAST(v AS DOUBLE) NOT IN (0, 1) ORDER BY row LIMIT 1")


def infinite_score_sql(score: str) -> str:
    """The first row (0-based, in table order) whose score is infinite: `row` and `value`; no rows when none."""
    return (f"SELECT row, value FROM (SELECT row_number() OVER () - 1 AS row, CAST({q(score)} AS DOUBLE) AS value "
            f"FROM this) WHERE isinf(value) ORDER BY row LIMIT 1")


def _kept(label: str, score: str) -> str:
    return f"{q(label)} IS NOT NULL AND {q(score)} IS NOT NULL AND NOT isnan(CAST({q(score)} AS DOUBLE))"


def series_fields_sql(columns: Sequence[str]) -> str:
    """SQL of each series' values of `columns` over the long form (each holds one value per series): `series` and
    f0, f1, ... (the columns, as they are).

    Example:
        >>> series_fields_sql(["org"])
        'SELECT "series", any_value("org") AS f0 FROM this GROUP BY "series"'
    """
    fields = ", ".join(f"any_value({q(c)}) AS f{i}" for i, c in enumerate(columns))
    return f"SELECT {q(SERIES)}, {fields} FROM this GROUP BY {q(SERIES)}"
