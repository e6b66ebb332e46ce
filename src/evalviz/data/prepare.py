"""Column preparation in SQL, with the semantics of `inspect_ai.analysis.prepare` and its operations.

Each operation is a small frozen object whose `apply(data)` returns a new `Data` over the same source: the
new columns are SQL expressions, so nothing is read or copied until a chart or a `to_arrow` runs. `prepare`
applies them in order. The results equal what inspect_ai gives for the same table (docs/data.md lists the
few places where evalviz is deliberately stricter).
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal as lit
from evalviz.data.nested_scores import nested_value_error
from evalviz.data.number_text import finite_number_sql
from evalviz.data.table import Data
from evalviz.data.types import (
    TypeLike,
    describe,
    is_boolean,
    is_floating,
    is_json,
    is_numeric,
    is_text,
)
from evalviz.data.viewer_links import LogViewer, log_viewer
from evalviz.errors import ArgumentTypeError, ColumnTypeError, EvalvizError
from evalviz.signatures import checks_signature

__all__ = [
    "LogViewer",
    "ModelInfoLookup",
    "Operation",
    "ScoreToFloat",
    "TaskInfo",
    "log_viewer",
    "model_info",
    "prepare",
    "score_to_float",
    "task_info",
]


@runtime_checkable
class Operation(Protocol):
    """A step of `prepare`: turns a `Data` into a new `Data`, by SQL."""

    def apply(self, data: Data) -> Data:
        """The prepared table."""
        ...


@checks_signature
def prepare(data: Any, *operations: Operation | Sequence[Operation]) -> Data:
    """Apply `operations` to `data` in order and return the prepared `Data`.

    `data` is a `Data` (or anything `Data.from_dataframe` takes); operations may also be given as one list, as
    with `inspect_ai.analysis.prepare`. Every step is SQL over the table, so this is cheap on large files.

    Example:
        >>> import evalviz as ev
        >>> samples = ev.Data.from_sql("SELECT 'gpqa' AS task_name, 'openai/gpt-4o' AS model, 'C' AS score_x")
        >>> prepared = ev.prepare(samples, ev.score_to_float("score_x"), ev.task_info({"gpqa": "GPQA"}))
        >>> prepared.to_arrow().select(["score_x", "task_display_name"]).to_pylist()
        [{'score_x': 1.0, 'task_display_name': 'GPQA'}]
    """
    result = data if isinstance(data, Data) else Data.from_dataframe(data)
    for operation in _flatten(operations):
        if isinstance(operation, Operation):
            result = operation.apply(result)
        elif callable(operation):
            result = operation(result)
            if not isinstance(result, Data):
                kind = type(result).__name__
                raise EvalvizError(f"The operation {operation!r} returned a {kind}, not a Data.")
        else:
            raise EvalvizError(
                f"{operation!r} is not a prepare operation. Use ev.score_to_float, ev.log_viewer, "
                "ev.model_info or ev.task_info (inspect_ai's own operations work on pandas dataframes, "
                "not on ev.Data)."
            )
    return result


def _flatten(operations: Sequence[Any]) -> list[Any]:
    flat: list[Any] = []
    for operation in operations:
        if isinstance(operation, list | tuple):
            flat.extend(_flatten(operation))
        else:
            flat.append(operation)
    return flat


def _with_columns(data: Data, columns: Mapping[str, str]) -> Data:
    """`data` with each named column set to its SQL expression: in place when it exists, else at the end."""
    present = set(data.columns)
    replaced = [f"{expr} AS {q(name)}" for name, expr in columns.items() if name in present]
    added = [f"{expr} AS {q(name)}" for name, expr in columns.items() if name not in present]
    star = f"* REPLACE ({', '.join(replaced)})" if replaced else "*"
    return data.derive(f"SELECT {', '.join([star, *added])} FROM this")


def _case(key: str, mapping: Mapping[str, str], otherwise: str) -> str:
    """`CASE key WHEN 'k' THEN v ... ELSE otherwise END`, with keys as literals and values as SQL."""
    if not mapping:
        return otherwise
    branches = " ".join(f"WHEN {lit(k)} THEN {v}" for k, v in mapping.items())
    return f"(CASE {key} {branches} ELSE {otherwise} END)"


# -- score_to_float ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreToFloat:
    """Operation of `score_to_float`: score columns replaced by floats."""

    columns: tuple[str, ...]
    correct: str = "C"
    incorrect: str = "I"
    partial: str = "P"
    noanswer: str = "N"

    def apply(self, data: Data) -> Data:
        """The table with each score column converted to DOUBLE, in place.

        Objects and lists (STRUCT, MAP, LIST columns; JSON objects and arrays, also as text) are refused with
        an error naming the first one, its row and how to pick a number out of it; they are never converted.
        """
        data.require_columns(*self.columns, purpose="score_to_float")
        for column in self.columns:
            if (error := nested_value_error(data, column)) is not None:
                raise error
        types = data.types
        return _with_columns(data, {c: self._expression(c, types[c]) for c in self.columns})

    def _expression(self, column: str, kind: TypeLike) -> str:
        """SQL of the column's values as DOUBLE, chosen by the column's type (its structure, not its name)."""
        col = q(column)
        if is_floating(kind):
            return f"(CASE WHEN isnan({col}) THEN NULL ELSE CAST({col} AS DOUBLE) END)"
        if is_numeric(kind) or is_boolean(kind):
            return f"CAST({col} AS DOUBLE)"
        if is_text(kind):
            return self._text(f"CAST({col} AS VARCHAR)")
        if is_json(kind):
            text = self._text(f"({col} ->> '$')")
            return (
                f"(CASE WHEN {col} IS NULL THEN NULL ELSE CASE json_type({col}) WHEN 'VARCHAR' THEN {text} "
                f"WHEN 'BOOLEAN' THEN CASE WHEN CAST({col} AS VARCHAR) = 'true' THEN 1.0 ELSE 0.0 END "
                f"WHEN 'BIGINT' THEN CAST({col} AS DOUBLE) WHEN 'UBIGINT' THEN CAST({col} AS DOUBLE) "
                f"WHEN 'DOUBLE' THEN CAST({col} AS DOUBLE) WHEN 'NULL' THEN NULL END END)"
            )
        raise ColumnTypeError(
            f"score_to_float cannot convert column {column!r}: it holds {describe(kind)} values. It converts "
            "numbers, booleans and text (C, I, P, N, yes/no, true/false, numbers written as text)."
        )

    def _text(self, value: str) -> str:
        """inspect_ai's value_to_float for a text value: the score letters (exact), then yes/no/true/false
        (any case), then a finite number as Python's float() reads it ("٣", "1_000"), else 0."""
        return (
            f"(CASE WHEN {value} IS NULL THEN NULL "
            f"WHEN {value} = {lit(self.correct)} THEN 1.0 "
            f"WHEN {value} = {lit(self.partial)} THEN 0.5 "
            f"WHEN {value} = {lit(self.incorrect)} OR {value} = {lit(self.noanswer)} THEN 0.0 "
            f"WHEN lower({value}) IN ('yes', 'true') THEN 1.0 "
            f"WHEN lower({value}) IN ('no', 'false') THEN 0.0 "
            f"ELSE coalesce({finite_number_sql(value)}, 0.0) END)"
        )


@checks_signature
def score_to_float(
    columns: str | Sequence[str],
    *,
    correct: str = "C",
    incorrect: str = "I",
    partial: str = "P",
    noanswer: str = "N",
) -> ScoreToFloat:
    """Convert score columns to floats, as inspect_ai's `score_to_float` (with its `value_to_float`) does.

    Text: C -> 1.0, P -> 0.5, I and N -> 0.0 (these letters can be changed), yes/true -> 1.0, no/false ->
    0.0 (any case), numbers written as text -> that number, anything else -> 0.0. Numbers and booleans become
    floats; missing values (NULL, NaN) stay missing; JSON values are converted one by one by the same rules.
    The columns keep their names and places. Objects and lists (such as `{"value": 1.0}`) are never turned
    into a number: the error names the first one, its row, and code that picks a key of it first.

    Example:
        >>> import evalviz as ev
        >>> data = ev.Data.from_sql("SELECT * FROM (VALUES ('C'), ('P'), ('I'), ('0.25'), (NULL)) t(score)")
        >>> ev.prepare(data, ev.score_to_float("score")).to_arrow()["score"].to_pylist()
        [1.0, 0.5, 0.0, 0.25, None]
    """
    names = (columns,) if isinstance(columns, str) else tuple(columns)
    if not names or not all(isinstance(c, str) for c in names):
        raise EvalvizError(f"score_to_float takes a column name or a list of column names, not {columns!r}.")
    letters = {"correct": correct, "incorrect": incorrect, "partial": partial, "noanswer": noanswer}
    for name, value in letters.items():
        if not isinstance(value, str):
            raise EvalvizError(f"score_to_float's {name}= is a score's text, like 'C', not {value!r}.")
    return ScoreToFloat(names, correct=correct, incorrect=incorrect, partial=partial, noanswer=noanswer)


# -- model_info ----------------------------------------------------------------------------------------------
_MODEL_FIELDS = {  # output column -> (ModelInfo field, SQL type)
    "model_organization_name": ("organization", "VARCHAR"),
    "model_display_name": ("model", "VARCHAR"),
    "model_snapshot": ("snapshot", "VARCHAR"),
    "model_release_date": ("release_date", "DATE"),
    "model_knowledge_cutoff_date": ("knowledge_cutoff_date", "DATE"),
}


@dataclass(frozen=True)
class ModelInfoLookup:
    """Operation of `model_info`: model metadata columns, from the given table and inspect_ai's database."""

    model_info: Mapping[str, Any] | None = None
    builtin: bool = True

    def apply(self, data: Data) -> Data:
        """The table with model_organization_name, model_display_name, model_snapshot, model_release_date and
        model_knowledge_cutoff_date added (or replaced)."""
        data.require_columns("model", purpose="model_info")
        model = 'CAST("model" AS VARCHAR)'
        models = data.sql(f"SELECT DISTINCT {model} AS model FROM this WHERE \"model\" IS NOT NULL")["model"]
        infos = {name: info for name in models.to_pylist() if (info := self._lookup(name)) is not None}
        columns = {}
        for column, (attribute, kind) in _MODEL_FIELDS.items():
            values = {name: _sql_value(_field(info, attribute), kind) for name, info in infos.items()}
            values = {name: value for name, value in values.items() if value != "NULL"}
            fallback = model if column == "model_display_name" else f"CAST(NULL AS {kind})"
            columns[column] = f"CAST({_case(model, values, fallback)} AS {kind})"
        return _with_columns(data, columns)

    def _lookup(self, model: str) -> Any:
        if self.model_info and model in self.model_info:
            return self.model_info[model]
        return _builtin_model_info(model) if self.builtin else None


def _builtin_model_info(model: str) -> Any:
    """inspect_ai's own model database, when inspect_ai is installed (it is not needed otherwise)."""
    if "inspect_ai" not in sys.modules and importlib.util.find_spec("inspect_ai") is None:
        return None
    try:
        importlib.import_module("inspect_ai")
        from inspect_ai.model import get_model_info
    except ImportError:
        return None
    return get_model_info(model)


def _field(info: Any, name: str) -> Any:
    return info.get(name) if isinstance(info, Mapping) else getattr(info, name, None)


def _sql_value(value: Any, kind: str) -> str:
    if value is None:
        return "NULL"
    if kind == "DATE":
        if isinstance(value, datetime):
            value = value.date()
        if not isinstance(value, date):
            try:
                value = date.fromisoformat(str(value))
            except ValueError as exc:
                message = f"model_info dates are dates or 'YYYY-MM-DD' text, not {value!r}."
                raise EvalvizError(message) from exc
        return f"DATE {lit(value.isoformat())}"
    return lit(str(value))


@checks_signature
def model_info(model_info: Mapping[str, Any] | None = None, *, builtin: bool = True) -> ModelInfoLookup:
    """Add model metadata columns, as inspect_ai's `model_info` does.

    Adds `model_organization_name`, `model_display_name` (the `model` itself when nothing better is known),
    `model_snapshot`, `model_release_date` and `model_knowledge_cutoff_date`, looked up by the `model`
    column: first in `model_info` (a dict from model to `inspect_ai.model.ModelInfo`, or to a dict with the
    keys organization, model, snapshot, release_date, knowledge_cutoff_date), then, with `builtin` and when
    inspect_ai is installed, in inspect_ai's database of well-known models.

    Example:
        >>> import evalviz as ev
        >>> data = ev.Data.from_sql("SELECT 'mockllm/a' AS model")
        >>> info = ev.model_info({"mockllm/a": {"organization": "Acme", "model": "Model A"}})
        >>> ev.prepare(data, info).to_arrow()["model_display_name"].to_pylist()
        ['Model A']
    """
    if model_info is not None and not isinstance(model_info, Mapping):
        raise EvalvizError(f"model_info takes a dict from model name to its ModelInfo, not {model_info!r}.")
    if not isinstance(builtin, bool):
        raise ArgumentTypeError(f"model_info's builtin is True or False, not {builtin!r}.")
    for model, info in (model_info or {}).items():
        _check_model_info(model, info)
    return ModelInfoLookup(dict(model_info) if model_info is not None else None, builtin=builtin)


# The fields of inspect_ai's ModelInfo: the keys a dict given for a model may have.
_MODEL_INFO_KEYS = ("organization", "model", "snapshot", "release_date", "knowledge_cutoff_date", "context_length",
                    "output_tokens", "reasoning", "reasoning_effort_default", "family", "cost")


def _check_model_info(model: object, info: object) -> None:
    """A model's info is a ModelInfo, or a dict of ModelInfo's keys: a misspelt key would leave its column
    empty without a word, so it is refused with the key meant."""
    if not isinstance(info, Mapping):
        if info is None or all(hasattr(info, key) for key in _MODEL_INFO_KEYS[:5]):
            return  # nothing known, or an inspect_ai ModelInfo (or an object with its fields)
        raise EvalvizError(
            f"model_info maps each model to an inspect_ai ModelInfo or a dict with the keys "
            f"{', '.join(_MODEL_INFO_KEYS[:5])}; {model!r} maps to {info!r}."
        )
    unknown = [key for key in info if key not in _MODEL_INFO_KEYS]
    if unknown:
        named = ", ".join(f"{key!r}{_meant(str(key))}" for key in unknown)
        raise EvalvizError(
            f"model_info for {model!r} has unknown key(s) {named}; the keys are "
            f"{', '.join(_MODEL_INFO_KEYS[:5])} (and ModelInfo's other fields: {', '.join(_MODEL_INFO_KEYS[5:])})."
        )


def _meant(key: str) -> str:
    """" (did you mean 'organization'?)" for the known key closest to a misspelt one ("org"), or ""."""
    starts = [k for k in _MODEL_INFO_KEYS if k.startswith(key.lower()) or key.lower().startswith(k)] if key else []
    close = starts or difflib.get_close_matches(key.lower(), _MODEL_INFO_KEYS, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# -- task_info -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TaskInfo:
    """Operation of `task_info`: a display name column for tasks."""

    display_names: Mapping[str, str]
    task_name_column: str = "task_name"
    task_display_name_column: str = "task_display_name"

    def apply(self, data: Data) -> Data:
        """The table with `task_display_name_column` added (or replaced)."""
        data.require_columns(self.task_name_column, purpose="task_info")
        name = f"CAST({q(self.task_name_column)} AS VARCHAR)"
        # A task without a mapping keeps the display name the table already has, if any, else its task name.
        present = self.task_display_name_column in data.columns
        otherwise = f"CAST({q(self.task_display_name_column)} AS VARCHAR)" if present else name
        mapping = {k: lit(v) for k, v in self.display_names.items()}
        return _with_columns(data, {self.task_display_name_column: _case(name, mapping, otherwise)})


@checks_signature
def task_info(
    display_names: Mapping[str, str],
    task_name_column: str = "task_name",
    task_display_name_column: str = "task_display_name",
) -> TaskInfo:
    """Add task display names, as inspect_ai's `task_info` does (e.g. "gpqa_diamond" -> "GPQA Diamond").

    A task missing from `display_names` keeps the value the table already has in `task_display_name_column`,
    or else its task name.

    Example:
        >>> import evalviz as ev
        >>> data = ev.Data.from_sql("SELECT 'gpqa_diamond' AS task_name UNION ALL SELECT 'mmlu'")
        >>> prepared = ev.prepare(data, ev.task_info({"gpqa_diamond": "GPQA Diamond"}))
        >>> prepared.to_arrow()["task_display_name"].to_pylist()
        ['GPQA Diamond', 'mmlu']
    """
    if not isinstance(display_names, Mapping):
        raise EvalvizError(f"task_info takes a dict from task name to display name, not {display_names!r}.")
    for task, name in display_names.items():
        if not isinstance(task, str) or not isinstance(name, str):
            raise EvalvizError(
                f"task_info maps task names to display names, both text; {task!r} maps to {name!r}. Leave a task "
                "out to keep its display name (or its task name)."
            )
    columns = {"task_name_column": task_name_column, "task_display_name_column": task_display_name_column}
    for name, column in columns.items():
        if not isinstance(column, str) or not column:
            raise EvalvizError(f"task_info's {name} is a column name, not {column!r}.")
    return TaskInfo(dict(display_names), task_name_column, task_display_name_column)
