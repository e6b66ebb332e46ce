"""The statements of a sample scatter: the rows drawn, a stratified deterministic subsample of them when there are
more than a chart should ship, each with its text cut to a length and a jitter for strips."""

from __future__ import annotations

from dataclasses import dataclass

from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.query.distributions import group_sql, kept_sql

ELLIPSIS = "\u2026"
JITTER_STEPS = 10_000  # a jitter is one of this many evenly spaced offsets, picked by a hash of the row


@dataclass(frozen=True)
class ScatterColumns:
    """The columns a scatter reads.

    Attributes:
        y: The values drawn up the plot.
        x: The values drawn across (None: a strip, jittered across its band).
        group: The strip each row is drawn in (None: one strip, named after `y`).
        color: The column colouring the points (None: one colour).
        stratify_by: The strata a subsample keeps the shares of (None: one stratum).
        text: The sample's text shown on hover (None: none).
        details: Other columns shown on hover (as text).
        link: The column of links a click opens (None: none).
        present: Columns a row needs a value in (not NULL) to be drawn.
        strata: The strata drawn (their keys, as `group_sql` writes them; None: every stratum).
        filters: Columns shipped with each point as they are (f0, f1, ...), for a page to filter the points by;
            they do not change which points a sample draws.
    """

    y: str
    x: str | None = None
    group: str | None = None
    color: str | None = None
    stratify_by: str | None = None
    text: str | None = None
    details: tuple[str, ...] = ()
    link: str | None = None
    present: tuple[str, ...] = ()
    strata: tuple[str, ...] | None = None
    filters: tuple[str, ...] = ()


def _kept(columns: ScatterColumns) -> str:
    """SQL of whether a row is drawn: a value on y (and on x, when there is one) that is neither NULL nor NaN, and
    a value in each of the `present` columns."""
    return " AND ".join([*(kept_sql(column) for column in (columns.y, columns.x) if column),
                         *(f"{q(column)} IS NOT NULL" for column in columns.present)])


def _cut_sql(expression: str, length: int) -> str:
    """SQL of text cut to `length` characters, an ellipsis after it when it was longer."""
    return (f"CASE WHEN length({expression}) > {int(length)} "
            f"THEN left({expression}, {int(length)}) || {quote_literal(ELLIPSIS)} ELSE {expression} END")


def _read(columns: ScatterColumns) -> dict[str, str]:
    """Each column a scatter reads -> its name among the rows drawn (c0, c1, ...): the columns evalviz adds beside
    them (_stratum, _h, _f0, ...) and reads back can then never be a column of the data."""
    read = [c for c in (columns.y, columns.x, columns.group, columns.color, columns.stratify_by, columns.text,
                        *columns.details, columns.link) if c]
    return {column: f"c{i}" for i, column in enumerate(dict.fromkeys(read))}


def _rows_sql(columns: ScatterColumns, seed: int | None) -> str:
    """SQL of the rows drawn: the columns a scatter reads (named by `_read`), with their stratum, group and colour
    keys (read from the data's columns: `group_sql` looks at the whole table) and, given a `seed`, a hash of the
    columns read and the seed (_h): rows equal in those share a hash, and any of them is as good as another, so the
    sample does not depend on the order rows are read in."""
    read = _read(columns)
    listed = ", ".join(f"{q(column)} AS {name}" for column, name in read.items())
    hashed = f", hash({int(seed)}, {', '.join(map(q, read))}) AS _h" if seed is not None else ""
    filters = "".join(f", {q(c)} AS _f{i}" for i, c in enumerate(columns.filters))
    keys = (f"{group_sql(columns.stratify_by, 'all')} AS _stratum, {group_sql(columns.group, columns.y)} AS _group, "
            f"{group_sql(columns.color, columns.y) if columns.color else 'CAST(NULL AS VARCHAR)'} AS _color")
    rows = f"SELECT {listed}, {keys}{hashed}{filters} FROM this WHERE {_kept(columns)}"
    if columns.strata is None:
        return rows
    return f"SELECT * FROM ({rows}) WHERE _stratum IN ({', '.join(quote_literal(s) for s in columns.strata)})"


def _quotas_sql(max_points: int) -> str:
    """SQL of each stratum's quota of the sample (from the table `strata`: _stratum, m), adding up to exactly
    `max_points` whenever the table has more rows than that:

    - a table of at most `max_points` rows: every row;
    - at most `max_points` strata: one row each, and the other points shared by the rows each stratum has beyond
      its first, rounded down, then one more for the strata of the largest remainders (ties by stratum);
    - more strata than `max_points`: one row of each of the `max_points` largest strata (ties by stratum), none
      of the others.

    Columns: _stratum, m, k.
    """
    n = int(max_points)
    return f"""
        shares AS (SELECT _stratum, m, sum(m) OVER () AS total, count(*) OVER () AS strata,
                          row_number() OVER (ORDER BY m DESC, _stratum) AS size_rank FROM strata),
        exact AS (SELECT *, ({n} - strata) * (m - 1) / nullif(total - strata, 0) AS exact FROM shares),
        ranked AS (SELECT *, floor(exact) AS base, sum(floor(exact)) OVER () AS bases,
                          row_number() OVER (ORDER BY exact - floor(exact) DESC, _stratum) AS rest_rank FROM exact),
        quotas AS (
            SELECT _stratum, m, CAST(CASE
                WHEN total <= {n} THEN m
                WHEN strata >= {n} THEN CASE WHEN size_rank <= {n} THEN 1 ELSE 0 END
                ELSE least(m, 1 + base + CASE WHEN rest_rank <= {n} - strata - bases THEN 1 ELSE 0 END)
            END AS BIGINT) AS k
            FROM ranked)"""


def sample_sql(columns: ScatterColumns, *, max_points: int, seed: int, text_length: int) -> str:
    """SQL of the points of a scatter: every row with a value, or, beyond `max_points` of them, a deterministic
    sample of exactly `max_points` that keeps each stratum's share (`_quotas_sql`: one row of each stratum, while
    there are no more strata than points). The same `seed` draws the same sample.

    Columns: y, x (NULL without one), group (the strip), color, stratum, text (cut to `text_length`
    characters, an ellipsis after), d0, d1, ... (the detail columns as text), link, jitter (from -0.5 to 0.5),
    f0, f1, ... (the filter columns, as they are).
    Rows are ordered by group, then y.

    Example:
        >>> sql = sample_sql(ScatterColumns("total_time", stratify_by="model"), max_points=5000, seed=0,
        ...                  text_length=200)
        >>> "row_number() OVER (PARTITION BY _stratum ORDER BY _h)" in sql
        True
    """
    read = _read(columns)

    def as_text(column: str | None) -> str:
        return f"CAST({read[column]} AS VARCHAR)" if column else "CAST(NULL AS VARCHAR)"

    select = [
        f"CAST({read[columns.y]} AS DOUBLE) AS y",
        f"CAST({read[columns.x]} AS DOUBLE) AS x" if columns.x else "CAST(NULL AS DOUBLE) AS x",
        f"_group AS {q('group')}",
        "_color AS color",
        "_stratum AS stratum",
        f"{_cut_sql(as_text(columns.text), text_length)} AS text",
        *(f"{as_text(column)} AS d{i}" for i, column in enumerate(columns.details)),
        f"{as_text(columns.link)} AS link",
        f"CAST(_h % {JITTER_STEPS} AS DOUBLE) / {JITTER_STEPS - 1} - 0.5 AS jitter",
        *(f"_f{i} AS f{i}" for i in range(len(columns.filters))),
    ]
    return f"""
        WITH rows AS MATERIALIZED ({_rows_sql(columns, seed)}),
        strata AS (SELECT _stratum, count(*) AS m FROM rows GROUP BY _stratum), {_quotas_sql(max_points)},
        kept AS (SELECT r.* FROM rows r JOIN quotas USING (_stratum)
                 QUALIFY row_number() OVER (PARTITION BY _stratum ORDER BY _h) <= any_value(quotas.k) OVER
                     (PARTITION BY _stratum))
        SELECT {", ".join(select)} FROM kept ORDER BY {q("group")}, y, _h"""


def strata_sql(columns: ScatterColumns, *, max_points: int) -> str:
    """SQL of each stratum's rows with a value (m) and how many of them `sample_sql` draws (k; 0 for a stratum left
    out when there are more strata than points), by stratum.

    Example:
        >>> "quotas" in strata_sql(ScatterColumns("y"), max_points=10)
        True
    """
    return f"""
        WITH rows AS ({_rows_sql(columns, None)}),
        strata AS (SELECT _stratum, count(*) AS m FROM rows GROUP BY _stratum), {_quotas_sql(max_points)}
        SELECT _stratum AS stratum, m, k FROM quotas ORDER BY stratum"""


def left_out_sql(columns: ScatterColumns) -> str:
    """SQL of how many rows have no value to draw (NULL or NaN on y, or on x when there is one): column n."""
    return f"SELECT count(*) FILTER (WHERE NOT ({_kept(columns)})) AS n FROM this"
