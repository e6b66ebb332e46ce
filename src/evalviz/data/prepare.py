"""Column preparation in SQL, with the semantics of `inspect_ai.analysis.prepare` and its operations.

Each operation is a small frozen object whose `apply(data)` returns a new `Data` over the same source: the
new columns are SQL expressions, so nothing is read or copied until a chart or a `to_arrow` runs. `prepare`
applies them in order. The results equal what inspect_ai gives for the same table (docs/data.md lists the
few places where evalviz is deliberately stricter).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal as lit
from evalviz.data.nested_scores import nested_value_error
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
from evalviz.errors import ColumnTypeError, EvalvizError

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
# The characters Python's float() strips from around a number (str.isspace()), so that both parse alike.
_SPACE = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())


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
        (any case), then a finite number, else 0."""
        number = f"TRY_CAST(trim({value}, {lit(_SPACE)}) AS DOUBLE)"
        return (
            f"(CASE WHEN {value} IS NULL THEN NULL "
            f"WHEN {value} = {lit(self.correct)} THEN 1.0 "
            f"WHEN {value} = {lit(self.partial)} THEN 0.5 "
            f"WHEN {value} = {lit(self.incorrect)} OR {value} = {lit(self.noanswer)} THEN 0.0 "
            f"WHEN lower({value}) IN ('yes', 'true') THEN 1.0 "
            f"WHEN lower({value}) IN ('no', 'false') THEN 0.0 "
            f"WHEN isfinite({number}) THEN {number} "
            "ELSE 0.0 END)"
        )


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


# -- log_viewer ----------------------------------------------------------------------------------------------
def _part(value: str) -> str:
    """SQL of one URL path part (or query value): the value as text, percent-encoded.

    Every byte but the unreserved characters of RFC 3986 (letters, digits, "-", ".", "_", "~") is encoded, so
    "x/y" is one part ("x%2Fy") and "a%20b" stays itself ("a%2520b"); the log viewer decodes each part once.
    """
    return f"url_encode(CAST({value} AS VARCHAR))"


def _path(value: str) -> str:
    """SQL of a relative path in a URL: each of its /-separated parts percent-encoded, the slashes kept."""
    return f"replace({_part(value)}, '%2F', '/')"  # url_encode writes every "/" as %2F, and only a "/"


_TARGETS: dict[str, tuple[tuple[str, ...], Callable[..., str]]] = {
    "eval": ((), lambda base: base),
    "sample": (
        ("id", "epoch"),
        lambda base, i, e: f"{base} || '/samples/sample/' || {_part(i)} || '/' || {_part(e)}",
    ),
    "event": (
        ("sample_id", "event_id"),
        lambda base, s, e: f"{base} || '/samples/sample_uuid/' || {_part(s)} || '/transcript?event=' || {_part(e)}",
    ),
    "message": (
        ("sample_id", "message_id"),
        lambda base, s, m: f"{base} || '/samples/sample_uuid/' || {_part(s)} || '/messages?message=' || {_part(m)}",
    ),
}
_SCHEME = "^[A-Za-z][A-Za-z0-9+.-]*:"  # what urllib.parse takes for a URL scheme


def _has_scheme(path: str) -> bool:
    return re.match(_SCHEME, path) is not None


def _normalize_path(path: str) -> str:
    """inspect_ai's normalisation of a log path: ~ expanded, a relative path made absolute, no trailing /."""
    path = os.path.expanduser(path)
    if not _has_scheme(path) and not os.path.isabs(path):
        path = Path(path).resolve().as_posix()
    stripped = path.rstrip("/")
    return stripped or ("//" if path == "//" else "/")


def _slash(text: str) -> str:
    return text if text.endswith("/") else text + "/"


@dataclass(frozen=True)
class LogViewer:
    """Operation of `log_viewer`: a column of links into the published inspect log viewer."""

    target: str
    url_mappings: tuple[tuple[str, str], ...]  # (normalized log folder, URL), both ending in /
    log_column: str = "log"
    log_viewer_column: str = "log_viewer"

    def apply(self, data: Data) -> Data:
        """The table with `log_viewer_column` added (or replaced), one URL per row."""
        needed, build = _TARGETS[self.target]
        data.require_columns(self.log_column, *needed, purpose=f"{self.target} log viewer links")
        log = self._normalized_log()
        self._check_covered(data, log)
        base = _case_prefix(log, self.url_mappings)
        url = build(base, *(q(c) for c in needed))
        return _with_columns(data, {self.log_viewer_column: f"CAST({url} AS VARCHAR)"})

    def _normalized_log(self) -> str:
        """SQL for `_normalize_path` of the log column, with the home folder and working directory of now."""
        raw = f"CAST({q(self.log_column)} AS VARCHAR)"
        user_home = lit(os.path.expanduser("~"))
        cwd = lit(Path.cwd().resolve().as_posix() + "/")
        tilde = f"{raw} = '~' OR starts_with({raw}, '~/')"
        home = f"(CASE WHEN {tilde} THEN {user_home} || {raw}[2:] ELSE {raw} END)"
        absolute = (
            f"(CASE WHEN regexp_matches({home}, {lit(_SCHEME)}) OR starts_with({home}, '/') THEN {home} "
            f"ELSE regexp_replace({cwd} || {home}, '/(\\./)+|/{{2,}}', '/', 'g') END)"
        )
        return f"(CASE WHEN rtrim({absolute}, '/') = '' THEN '/' ELSE rtrim({absolute}, '/') END)"

    def _check_covered(self, data: Data, log: str) -> None:
        covered = " OR ".join(f"starts_with({log}, {lit(prefix)})" for prefix, _ in self.url_mappings)
        column = q(self.log_column)
        unmapped = data.sql(
            f"SELECT {column} AS log FROM this WHERE {column} IS NOT NULL AND NOT ({covered}) LIMIT 1"
        )["log"].to_pylist()
        if unmapped:
            folders = ", ".join(repr(prefix) for prefix, _ in self.url_mappings)
            raise EvalvizError(
                f"No url_mappings entry covers the log {unmapped[0]!r}: log_viewer maps logs under "
                f"{folders}. Add the folder holding this log to url_mappings."
            )


def _case_prefix(log: str, mappings: Sequence[tuple[str, str]]) -> str:
    """The viewer URL of the first mapping whose folder starts the log: `{url}#/logs/{rest of the path}`, each
    part of the rest percent-encoded."""
    branches = " ".join(
        f"WHEN starts_with({log}, {lit(prefix)}) THEN {lit(url + '#/logs/')} || {_path(f'{log}[{len(prefix) + 1}:]')}"
        for prefix, url in mappings
    )
    return f"(CASE {branches} END)"


def log_viewer(
    target: Literal["eval", "sample", "event", "message"],
    url_mappings: Mapping[str, str],
    log_column: str = "log",
    log_viewer_column: str = "log_viewer",
) -> LogViewer:
    """Add a column of links into the inspect log viewer, as inspect_ai's `log_viewer` does.

    `url_mappings` maps folders of log files (local paths or URLs such as s3://bucket/logs) to the URLs where
    they are published with `inspect view bundle`. For target "eval" the link is `{url}/#/logs/{log path under
    the folder}`; "sample" appends `/samples/sample/{id}/{epoch}` (needs `id` and `epoch` columns); "event"
    and "message" link to one event or message of a sample (`sample_id` with `event_id` or `message_id`). A
    log that no mapping covers is an error.

    Each part of the link taken from the data (a folder or file name of the log, an id, an epoch) is
    percent-encoded, as the viewer's own links are, so an id "x/y" or a log "a%20b.eval" opens its own page.
    inspect_ai's `log_viewer` writes them as they are.

    Example:
        >>> import evalviz as ev
        >>> data = ev.Data.from_sql("SELECT '/logs/run 1.eval' AS log, 'x/y' AS id, 1 AS epoch")
        >>> viewer = ev.log_viewer("sample", {"/logs": "https://host/viewer"})
        >>> ev.prepare(data, viewer).to_arrow()["log_viewer"][0].as_py()
        'https://host/viewer/#/logs/run%201.eval/samples/sample/x%2Fy/1'
    """
    if target not in _TARGETS:
        targets = ", ".join(map(repr, _TARGETS))
        raise EvalvizError(f"log_viewer target must be one of {targets}, not {target!r}.")
    if not isinstance(url_mappings, Mapping) or not url_mappings:
        raise EvalvizError(
            "log_viewer needs url_mappings: a dict from log folders to viewer URLs, such as "
            "{'logs/': 'https://example.com/viewer/'}."
        )
    mappings = tuple((_slash(_normalize_path(str(k))), _slash(str(v))) for k, v in url_mappings.items())
    return LogViewer(target, mappings, log_column=log_column, log_viewer_column=log_viewer_column)


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
    return ModelInfoLookup(dict(model_info) if model_info is not None else None, builtin=builtin)


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
    return TaskInfo(
        {str(k): str(v) for k, v in display_names.items()}, task_name_column, task_display_name_column
    )
