"""The key of a named group of rows (a series, a slice, a class): its text, drawn as its label, unique whatever
the text holds."""

from __future__ import annotations

from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.query.axes import KEY_MARK, NULL_LABEL


def series_key_sql(column: str) -> str:
    """SQL of a group's key, drawn as its label: its text, NULL as "(null)"; a NULL beside the text "(null)"
    gets KEY_MARK (an invisible character, taken off labels by `views.formatting.UNMARKED_LABEL`) appended, so
    the two stay two groups. A text holding KEY_MARK itself gets one more, so no text can take the key of the
    NULL group.

    Example:
        >>> series_key_sql("slice").startswith('CASE WHEN contains(CAST("slice" AS VARCHAR)')
        True
    """
    text = f"CAST({q(column)} AS VARCHAR)"
    twin = f"(SELECT coalesce(bool_or(CAST({q(column)} AS VARCHAR) = {quote_literal(NULL_LABEL)}), false) FROM this)"
    mark = quote_literal(KEY_MARK)
    return (f"CASE WHEN contains({text}, {mark}) THEN {text} || {mark} WHEN {q(column)} IS NOT NULL THEN {text} "
            f"WHEN {twin} THEN {quote_literal(NULL_LABEL)} || {mark} ELSE {quote_literal(NULL_LABEL)} END")
