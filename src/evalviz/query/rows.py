"""What every evals view reads off one row, in SQL: its status and why, and what scored it."""

from __future__ import annotations

from evalviz.constants.statuses import ERROR, OK, SKIPPED, UNFINISHED
from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.query.grid_columns import GridColumns, has_sample_counts


def row_status_sql(*, status: str | None, reason: str | None, error: str | None) -> tuple[str, str]:
    """SQL of a row's status ("ok", "skipped" or "error") and its reason, from the columns of its status, its
    reason and its error message (None: no such column). A non-empty error message, the status "error", and
    inspect_ai's "started" and "cancelled" (an eval that did not finish, so has no result) make an error.

    Example:
        >>> status, reason = row_status_sql(status=None, reason=None, error="error")
        >>> status.startswith("CASE WHEN nullif(trim(CAST(\\"error\\" AS VARCHAR)), '') IS NOT NULL")
        True
    """
    ok, failed, skipped = quote_literal(OK), quote_literal(ERROR), quote_literal(SKIPPED)
    whens: list[str] = []
    reasons: list[str] = []
    if status:
        given = f"lower(trim(CAST({q(status)} AS VARCHAR)))"
        unfinished = ", ".join(quote_literal(s) for s in UNFINISHED)
        whens += [f"WHEN {given} IN ({failed}, {unfinished}) THEN {failed}",
                  f"WHEN {given} = {skipped} THEN {skipped}"]
        reasons.append(f"CASE WHEN {given} IN ({unfinished}) THEN 'did not finish (' || {given} || ')' END")
    if reason:
        reasons.append(f"nullif(trim(CAST({q(reason)} AS VARCHAR)), '')")
    if error:
        message = f"nullif(trim(CAST({q(error)} AS VARCHAR)), '')"
        whens.insert(0, f"WHEN {message} IS NOT NULL THEN {failed}")
        reasons.append(message)
    status_sql = f"CASE {' '.join(whens)} ELSE {ok} END" if whens else ok
    reason_sql = f"nullif(concat_ws('; ', {', '.join(reasons)}), '')" if reasons else "CAST(NULL AS VARCHAR)"
    return status_sql, reason_sql


def scorer_sql(scorer: str | None, score_name: str | None, metric: str | None) -> str:
    """SQL of what scored a row: its scorer, its score when the scorer gives several and the score is named
    otherwise, and its metric: "match (accuracy)", "rubric / tone (mean)"; NULL without a scorer column.

    Example:
        >>> scorer_sql(None, None, None)
        'CAST(NULL AS VARCHAR)'
    """
    if not scorer:
        return "CAST(NULL AS VARCHAR)"
    text = f"CAST({q(scorer)} AS VARCHAR)"
    if score_name:
        score = f"CAST({q(score_name)} AS VARCHAR)"
        text = f"{text} || CASE WHEN {score} IS DISTINCT FROM {text} THEN ' / ' || {score} ELSE '' END"
    if metric:
        text = f"{text} || coalesce(' (' || CAST({q(metric)} AS VARCHAR) || ')', '')"
    return text


def row_details_sql(columns: GridColumns) -> list[str]:
    """SQL of what a row tells besides its value and status, when the data has it: lnk (the link as given: the
    browser opens it only when it is an http(s) URL, and shows anything else as text), done and planned (samples
    completed, of how many) and scorer (`scorer_sql`).

    Example:
        >>> row_details_sql(GridColumns(x="t", y="m", fill="s", link="log"))
        ['CAST("log" AS VARCHAR) AS lnk']
    """
    select = []
    if columns.link:
        select.append(f"CAST({q(columns.link)} AS VARCHAR) AS lnk")
    if has_sample_counts(columns):
        select += [f"TRY_CAST({q(columns.completed)} AS BIGINT) AS done",
                   f"TRY_CAST({q(columns.total)} AS BIGINT) AS planned"]
    if columns.scorer:
        select.append(f"{scorer_sql(columns.scorer, columns.score_name, columns.metric)} AS scorer")
    return select
