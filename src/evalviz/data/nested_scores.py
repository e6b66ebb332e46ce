"""Objects and lists where a score should be: found by the column's type and values, never turned into a number.

A score is one number (or a letter, a word, a boolean that stands for one). An object such as `{"value": 1.0}`
or a list has no single number: inspect_ai's `value_to_float` makes it 0.0 with a logged warning, which draws a
correct answer as wrong. evalviz refuses it instead, naming the column, the first such value and its row, and
giving code that picks a key (or an element) and converts that.

Objects and lists arrive as STRUCT, MAP, LIST, ARRAY, UNION or VARIANT columns (Parquet, dataframes), as JSON
columns (`.jsonl` files), and as text: inspect_ai's `samples_df` writes dict-valued scores as JSON text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal as lit
from evalviz.data.table import Data
from evalviz.data.types import describe, is_json, is_nested, is_text, type_id
from evalviz.errors import ColumnTypeError

__all__ = ["nested_value_error"]

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PREVIEW_CHARS = 80


@dataclass(frozen=True)
class _Found:
    """The first object or list of a column: its row (0-based, in table order) and its value as JSON text."""

    row: int
    text: str


def nested_value_error(data: Data, column: str) -> ColumnTypeError | None:
    """The error for a column holding objects or lists (which no single number stands for), else None.

    The message names the column, the first such value and its row (0-based), and code that works: it picks a
    key of the object (`value` when there is one) or the first element of the list, then `ev.score_to_float`.
    Views and `score_to_float` raise it rather than draw or convert such a column.

    Example:
        >>> import evalviz as ev
        >>> data = ev.Data.from_sql("SELECT {'value': 1.0, 'explanation': 'ok'} AS score")
        >>> print(nested_value_error(data, "score"))  # doctest: +ELLIPSIS
        Column 'score' holds objects (STRUCT(...)), such as {"value":1.0,"explanation":"ok"} in row 0 ...
        >>> nested_value_error(ev.Data.from_sql("SELECT 'C' AS score"), "score") is None
        True
    """
    kind = data.types[column]
    col = q(column)
    if is_nested(kind):
        found = _first(data, column, f"{col} IS NOT NULL", f"to_json({col})")
        return _error(column, describe(kind), found, _pick_from_nested(data, column, found))
    if is_json(kind) or is_text(kind):
        as_json = col if is_json(kind) else f"TRY_CAST({col} AS JSON)"
        # Text can only be an object or a list when it starts with { or [: a cheap test before parsing JSON.
        starts = "" if is_json(kind) else f"regexp_matches(CAST({col} AS VARCHAR), '^\\s*[\\[{{]') AND "
        found = _first(data, column, f"{starts}json_type({as_json}) IN ('OBJECT', 'ARRAY')", as_json)
        if found is None:
            return None
        label = "JSON" if is_json(kind) else "JSON text"
        return _error(column, label, found, _json_pick(as_json, found, col if is_text(kind) else None))
    return None


def _first(data: Data, column: str, condition: str, text: str) -> _Found | None:
    """The first row where `condition` (over `column`) holds, with `text` (SQL giving JSON) of its value, or None.

    A cheap existence test comes first, so rows are only numbered (a scan in table order) for an error.
    """
    if not data.sql(f"SELECT 1 FROM this WHERE {condition} LIMIT 1").num_rows:
        return None
    row = q("row_" if column == "row" else "row")
    rows = data.sql(
        f"SELECT {row} AS row, CAST({text} AS VARCHAR) AS value FROM "
        f"(SELECT {q(column)}, row_number() OVER () - 1 AS {row} FROM this) WHERE {condition} ORDER BY 1 LIMIT 1"
    ).to_pylist()
    return _Found(rows[0]["row"], rows[0]["value"]) if rows else None


def _pick_from_nested(data: Data, column: str, found: _Found | None) -> str:
    """SQL picking one scalar out of a nested column: a key of a struct or map, the first element of a list."""
    kind = data.types[column]
    col = q(column)
    kind_id = type_id(kind)
    if kind_id == "struct":
        return f"struct_extract({col}, {lit(_choose([name for name, _ in kind.children]))})"
    if kind_id == "map":
        keys = list(json.loads(found.text)) if found is not None else []
        return f"{col}[{lit(_choose(keys))}]"
    if kind_id in ("list", "array"):
        return f"{col}[1]"
    if kind_id == "union":  # one member per row, each a scalar: their text is what score_to_float reads
        return f"CAST({col} AS VARCHAR)"
    return _json_pick(f"CAST({col} AS JSON)", found)  # variant: any value, as JSON


def _json_pick(as_json: str, found: _Found | None, text: str | None = None) -> str:
    """SQL picking a key of each JSON object (or the first element of each JSON list) like the one found; other
    values stay as they are. With `text` (the column, when it holds JSON as text) the result is text too."""
    value = json.loads(found.text) if found is not None else None
    if not isinstance(value, dict | list):
        return as_json
    if isinstance(value, list):
        kind, path = "ARRAY", "$[0]"
    else:
        key = _choose(list(value))
        plain = _PLAIN_KEY.fullmatch(key)
        kind, path = "OBJECT", f"$.{key}" if plain else "/" + key.replace("~", "~0").replace("/", "~1")
    pick = f"{as_json} {'->>' if text else '->'} {lit(path)}"
    return f"CASE WHEN json_type({as_json}) = '{kind}' THEN {pick} ELSE {text or as_json} END"


def _choose(keys: list[str]) -> str:
    """The key to suggest: "value" (inspect_ai's name for a score) when present, else the first one."""
    return "value" if "value" in keys or not keys else str(keys[0])


def _error(column: str, label: str, found: _Found | None, pick: str) -> ColumnTypeError:
    query = f"SELECT * REPLACE ({pick} AS {q(column)}) FROM this"
    code = f"ev.prepare(data.derive({query!r}), ev.score_to_float({column!r}))"
    if found is None:
        seen = f"Column {column!r} holds {label} values: objects or lists, not numbers."
    else:
        value = json.loads(found.text)
        what = "objects" if isinstance(value, dict) else "lists" if isinstance(value, list) else "values"
        shown = found.text if len(found.text) <= _PREVIEW_CHARS else found.text[: _PREVIEW_CHARS - 1] + "\u2026"
        seen = f"Column {column!r} holds {what} ({label}), such as {shown} in row {found.row} (counting from 0)."
    return ColumnTypeError(
        f"{seen} No single number stands for an object or a list, so evalviz does not turn one into a score "
        f"(inspect_ai's value_to_float would make it 0.0). Pick the number first, for example: {code}, "
        "where data is this table."
    )
