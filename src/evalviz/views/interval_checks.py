"""The refusal of a row whose interval is wrong, before anything is drawn: shared by the heatmaps (`views.grid`)
and the score charts (`views.score_marks`), which read intervals from the same columns."""

from __future__ import annotations

from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.query.grid_columns import GridColumns
from evalviz.query.intervals import NEGATIVE_STDERR, UPSIDE_DOWN, wrong_interval_sql


def check_intervals(data: Data, columns: GridColumns, view: str, names: tuple[str, str | None]) -> None:
    """Refuse a row whose interval is wrong (`query.intervals.wrong_interval_sql`): a negative standard error,
    a low end above the high one, or an interval that leaves out its own score. Rows without a score and failed
    rows are not read.

    `names` say what the row's x and y values are in the error ("model", "task"; None: y is not named).

    Raises:
        EvalvizError: naming the row by its labels, its values and the columns.

    Example:
        >>> import evalviz as ev
        >>> data = ev.Data.from_sql("SELECT 'a' AS t, 'm' AS m, 0.5 AS s, 0.1 AS se")
        >>> check_intervals(data, GridColumns(x="t", y="m", fill="s", stderr="se"), "heatmap", ("t", "m"))
    """
    sql = wrong_interval_sql(columns)
    found = data.run(sql).to_pylist() if sql else []
    if not found:
        return
    row = found[0]
    where = f"{names[0]} {row['x']!r}" + (f", {names[1]} {row['y']!r}" if names[1] is not None else "")
    raise EvalvizError(f"{view} cannot draw the row of {where}: {_problem(row, columns)}.")


def _problem(row: dict[str, object], columns: GridColumns) -> str:
    """What is wrong with the interval of `row`, and which columns to check."""
    if row["problem"] == NEGATIVE_STDERR:
        return (f"its standard error is negative ({row['se']!r} in {columns.stderr!r}); a standard error is at "
                f"least 0: check the {columns.stderr!r} column")
    if row["problem"] == UPSIDE_DOWN:
        return (f"its interval is upside down (low {row['lo']!r} above high {row['hi']!r}); check the "
                f"{columns.low!r} and {columns.high!r} columns: an interval runs from its lower to its upper end")
    return (f"its score {row['value']!r} ({columns.fill!r}) lies outside its interval [{row['lo']!r}, "
            f"{row['hi']!r}] ({columns.low!r}, {columns.high!r}); an interval holds its estimate: check that these "
            "columns belong together")
