"""A selection's clauses as a SQL condition with parameters: what a live widget's query filters its rows by.

Every value is a parameter (`?`), never pasted into the text; every column is a quoted identifier. The condition
keeps what `js/selections.js` keeps in the browser: "in" compares values as they are (NULL matches NULL),
"range" keeps both ends, text matches read the column as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evalviz.data.connection import quote_identifier as q
from evalviz.interaction.selection import Clause

Condition = tuple[str, list[Any]]  # SQL text with `?` placeholders, and the values bound to them in order


def clause_sql(clause: Clause) -> Condition:
    """The condition one clause keeps rows by.

    Example:
        >>> clause_sql(Clause("s", ("model",), "in", [["a"], ["b"]]))
        ('("model") IN ((?), (?))', ['a', 'b'])
        >>> clause_sql(Clause("s", ("score",), "range", [0, 1]))
        ('"score" BETWEEN ? AND ?', [0, 1])
    """
    if clause.op == "in":
        if not clause.value:
            return "FALSE", []
        columns = "(" + ", ".join(q(f) for f in clause.fields) + ")"
        if any(v is None for row in clause.value for v in row):  # IN never matches NULL: compare one by one
            rows = " OR ".join("(" + " AND ".join(f"{q(f)} IS NOT DISTINCT FROM ?" for f in clause.fields) + ")"
                               for _ in clause.value)
            return f"({rows})", [v for row in clause.value for v in row]
        one = "(" + ", ".join("?" for _ in clause.fields) + ")"
        return f"{columns} IN ({', '.join(one for _ in clause.value)})", [v for row in clause.value for v in row]
    column = q(clause.fields[0])
    if clause.op == "range":
        return f"{column} BETWEEN ? AND ?", list(clause.value)
    text = f"CAST({column} AS VARCHAR)"
    if clause.op == "contains":
        return f"contains(lower({text}), lower(?))", [clause.value]
    if clause.op == "prefix":
        return f"starts_with(lower({text}), lower(?))", [clause.value]
    return f"regexp_matches({text}, ?)", [clause.value]


def where_sql(clauses: Sequence[Clause], resolve: str) -> Condition:
    """The condition a selection's active clauses keep rows by: all of them ("union": any of them); TRUE when
    there are none.

    Example:
        >>> where_sql([Clause("a", ("x",), "in", [[1]]), Clause("b", ("y",), "prefix", "g")], "intersect")
        ('(("x") IN ((?))) AND (starts_with(lower(CAST("y" AS VARCHAR)), lower(?)))', [1, 'g'])
    """
    if not clauses:
        return "TRUE", []
    parts = [clause_sql(c) for c in clauses]
    joiner = " OR " if resolve == "union" else " AND "
    return joiner.join(f"({text})" for text, _ in parts), [v for _, values in parts for v in values]
