"""Objects and lists where a score should be: found by the column's type and values, never turned into a number.

A score is one number (or a letter, a word, a boolean that stands for one). An object such as `{"value": 1.0}`
or a list has no single number: inspect_ai's `value_to_float` makes it 0.0 with a logged warning, which draws a
correct answer as wrong. evalviz refuses it instead, naming the column, the first such value and its row, and
giving code that picks a key (or an element) and converts that.

Objects and lists arrive as STRUCT, MAP, LIST, ARRAY, UNION or VARIANT columns (Parquet, dataframes), as JSON
columns (`.jsonl` files), and as text: inspect_ai's `samples_df` writes dict-valued scores as JSON text, and
`str()` of a dict or list writes it as Python does ("{'value': 1.0}").
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from typing import Any

from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal as lit
from evalviz.data.table import Data
from evalviz.data.types import describe, is_json, is_nested, is_text, type_id
from evalviz.errors import ColumnTypeError

__all__ = ["nested_value_error"]

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PREVIEW_CHARS = 80
_QUOTED_KEY = re.compile(r"['\"]([^'\"]+)['\"]\s*:")  # a key of an object written as text, in quotes
_PARSED_CHARS = 10_000  # longer text is not parsed to find its keys (ast would take long over it)
# Text that is an object or a list, written as JSON or as Python writes one: "{" then "}" or a quoted key, or "["
# then "]" or a value (a quote, a number, a bracket, true/false/null or True/False/None); closed at the end.
# "[citation needed]" is text in brackets, not a list.
_OBJECT_OR_LIST_TEXT = (
    r"(?s)\s*(\{\s*(\}|['\"])|\[\s*(\]|['\"0-9+\-.\[{(]|(true|false|null|True|False|None)\b)).*[\]}]\s*"
)


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
        value = json.loads(found.text) if found is not None else None
        return _error(column, describe(kind), found, value, _pick_from_nested(data, column, found))
    if is_json(kind):
        found = _first(data, column, f"json_type({col}) IN ('OBJECT', 'ARRAY')", col)
        if found is None:
            return None
        value = json.loads(found.text)
        return _error(column, "JSON", found, value, _json_pick(col, value))
    if is_text(kind):
        text = f"CAST({col} AS VARCHAR)"
        found = _first(data, column, f"regexp_full_match({text}, {lit(_OBJECT_OR_LIST_TEXT)})", text)
        if found is None:
            return None
        value, written_as = _parsed(found.text)
        if written_as == "JSON":
            return _error(column, "JSON text", found, value, _json_pick(f"TRY_CAST({col} AS JSON)", value, col))
        return _error(column, "text written as Python writes them", found, value, _python_pick(text, value, found))
    return None


def _parsed(text: str) -> tuple[Any, str]:
    """The object or list `text` writes, and how it is written: "JSON", "Python" (str() of a dict or list), or
    "" when it is neither (its value is then None)."""
    try:
        return json.loads(text), "JSON"
    except ValueError:
        pass
    if len(text) <= _PARSED_CHARS:
        try:
            value = ast.literal_eval(text.strip())  # reads literals only: no code runs
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            value = None
        if isinstance(value, dict | list | tuple):
            return (list(value) if isinstance(value, tuple) else value), "Python"
    return None, ""


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
    value = json.loads(found.text) if found is not None else None
    return _json_pick(f"CAST({col} AS JSON)", value)  # variant: any value, as JSON


def _python_pick(text: str, value: Any, found: _Found) -> str:
    """SQL picking, as text, the value of a key of each object written as Python writes it ("{'value': 1.0}"
    gives "1.0", "{'value': 'C'}" gives "C"), or the first element of each list; other text stays as it is."""
    if isinstance(value, list) or (value is None and found.text.lstrip().startswith("[")):
        pattern = r"^\s*\[\s*['\"]?([^'\",\]]*)"
    else:
        keys = [str(k) for k in value] if isinstance(value, dict) else _QUOTED_KEY.findall(found.text)
        pattern = r"['\"]" + re.escape(_choose(keys)) + r"['\"]\s*:\s*['\"]?([^'\",}]*)"
    # Python writes a missing value as None: it stays missing.
    picked = f"nullif(trim(regexp_extract({text}, {lit(pattern)}, 1)), 'None')"
    return f"CASE WHEN regexp_full_match({text}, {lit(_OBJECT_OR_LIST_TEXT)}) THEN {picked} ELSE {text} END"


def _json_pick(as_json: str, value: Any, text: str | None = None) -> str:
    """SQL picking a key of each JSON object (or the first element of each JSON list) like `value`, the one
    found; other values stay as they are. With `text` (the column, when it holds JSON as text) the result is
    text too."""
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


def _error(column: str, label: str, found: _Found | None, value: Any, pick: str) -> ColumnTypeError:
    query = f"SELECT * REPLACE ({pick} AS {q(column)}) FROM this"
    code = f"ev.prepare(data.derive({query!r}), ev.score_to_float({column!r}))"
    if found is None:
        seen = f"Column {column!r} holds {label} values: objects or lists, not numbers."
    else:
        is_list = isinstance(value, list) or (value is None and found.text.lstrip().startswith("["))
        what = "lists" if is_list else "objects"
        shown = found.text if len(found.text) <= _PREVIEW_CHARS else found.text[: _PREVIEW_CHARS - 1] + "\u2026"
        seen = f"Column {column!r} holds {what} ({label}), such as {shown} in row {found.row} (counting from 0)."
    return ColumnTypeError(
        f"{seen} No single number stands for an object or a list, so evalviz does not turn one into a score "
        f"(inspect_ai's value_to_float would make it 0.0). Pick the number first, for example: {code}, "
        "where data is this table."
    )
