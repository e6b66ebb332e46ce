"""What every evals view reads off one row, in SQL: its status and why, and what scored it."""

from __future__ import annotations

from evalviz.constants.statuses import ERROR, OK, SKIPPED, UNFINISHED
from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal


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
