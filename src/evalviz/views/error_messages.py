"""The check of a column read as error messages: a row errored when its message is not blank, so the column must
hold text. A boolean or a number would be read as a message ("false", "0") and mark every row errored."""

from __future__ import annotations

from evalviz.data.table import Data
from evalviz.data.types import describe, is_json, is_text
from evalviz.errors import ColumnTypeError
from evalviz.query.cells import example_text_sql


def check_error_messages(data: Data, column: str | None) -> None:
    """Raise unless `column` (None: no error column) holds error messages: text, or no value at all.

    Example:
        >>> import evalviz as ev
        >>> check_error_messages(ev.Data.from_sql("SELECT 'boom' AS error"), "error")  # text: read as messages
        >>> check_error_messages(ev.Data.from_sql("SELECT NULL AS error"), "error")  # no value: nothing to misread
    """
    if column is None:
        return
    kind = data.types[column]
    if is_text(kind) or is_json(kind):
        return
    example = data.run(example_text_sql(column))["v"].to_pylist()
    if example:  # a column without any value has no message to misread, whatever its type
        raise ColumnTypeError(
            f"The error column {column!r} holds {describe(kind)} values such as {example[0]!r}, not error "
            "messages: a row errors when its message is not blank, so every such value would count as an error. "
            f"Give a column of messages (text, NULL or empty without an error), or error=None to read none.")
