"""Prediction artifact references, metric states and strict JSON payloads.

Everything here is plain data: frozen dataclasses that validate themselves when they are built,
serialise with ``to_dict`` and come back with ``from_dict``, plus the helpers that make any
result payload safe for ``json.dumps(..., allow_nan=False)`` and check it against the bundled
JSON Schemas.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import difflib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import PurePath
from typing import Any, Literal

import numpy as np

__all__ = [
    "MEDIA_TYPES",
    "MetricState",
    "PayloadValidationError",
    "PredictionArtifactRef",
    "PredictionColumns",
    "available_schemas",
    "error_metric",
    "sanitize_for_json",
    "skipped_metric",
    "validate_payload",
]

MetricStatus = Literal["ok", "skipped", "error"]
NanStrategy = Literal["skipped", "null", "raise"]

#: Media types the readers understand, mapped to the DuckDB reader that opens them.
MEDIA_TYPES: dict[str, str] = {
    "text/csv": "csv",
    "application/jsonl": "jsonl",
    "application/vnd.apache.parquet": "parquet",
}

_STATUSES = ("ok", "skipped", "error")
_NAN_STRATEGIES = ("skipped", "null", "raise")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


def _unknown_keys_error(kind: str, unknown: Sequence[str], allowed: Sequence[str]) -> ValueError:
    parts = []
    for key in unknown:
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        parts.append(f"{key!r}{hint}")
    return ValueError(f"{kind} got unknown field(s) {', '.join(parts)}; expected only {', '.join(allowed)}")


def _check_name(kind: str, field_name: str, value: object, *, optional: bool) -> None:
    if value is None:
        if optional:
            return
        raise ValueError(f"{kind}.{field_name} is required: name the column that holds it")
    if not isinstance(value, str):
        raise TypeError(
            f"{kind}.{field_name} must be a column name (str), got {type(value).__name__} {value!r}"
        )
    if not value.strip():
        raise ValueError(f"{kind}.{field_name} must be a non-empty column name, got {value!r}")


@dataclass(frozen=True, slots=True)
class PredictionColumns:
    """Which columns of a prediction file hold what.

    ``label`` (0/1 ground truth) may be ``None`` for artifacts that are only summarised by
    score-only metrics such as ``mean``; ``score`` is always required. ``row_id`` lets two artifacts
    be joined row by row; ``content_hash`` proves that a row id still means the same input.

    Example:
        >>> cols = PredictionColumns(label="y", score="p", row_id="id")
        >>> PredictionColumns.from_dict(cols.to_dict()) == cols
        True
    """

    label: str | None
    score: str
    row_id: str | None = None
    content_hash: str | None = None

    def __post_init__(self) -> None:
        _check_name("PredictionColumns", "label", self.label, optional=True)
        _check_name("PredictionColumns", "score", self.score, optional=False)
        _check_name("PredictionColumns", "row_id", self.row_id, optional=True)
        _check_name("PredictionColumns", "content_hash", self.content_hash, optional=True)
        mapped = [(k, getattr(self, k)) for k in ("label", "score", "row_id", "content_hash")]
        seen: dict[str, str] = {}
        for key, value in mapped:
            if value is None:
                continue
            if value in seen:
                raise ValueError(
                    f"PredictionColumns maps both {seen[value]!r} and {key!r} to column {value!r}; "
                    "each role needs its own column"
                )
            seen[value] = key

    def to_dict(self) -> dict[str, str]:
        """The mapping as a JSON-ready dict; unmapped optional columns are left out.

        Example:
            >>> PredictionColumns(label="y", score="p").to_dict()
            {'label': 'y', 'score': 'p'}
        """
        out: dict[str, str] = {}
        for key in ("label", "score", "row_id", "content_hash"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PredictionColumns:
        """Build from a mapping such as ``to_dict()`` returns; unknown keys are an error.

        Example:
            >>> PredictionColumns.from_dict({"label": "y", "score": "p"}).score
            'p'
        """
        if isinstance(data, PredictionColumns):
            return data
        if not isinstance(data, Mapping):
            raise TypeError(f"PredictionColumns.from_dict needs a mapping, got {type(data).__name__}")
        allowed = ("label", "score", "row_id", "content_hash")
        unknown = [k for k in data if k not in allowed]
        if unknown:
            raise _unknown_keys_error("PredictionColumns", unknown, allowed)
        if "score" not in data:
            raise ValueError("PredictionColumns needs a 'score' column")
        return cls(
            label=data.get("label"),
            score=data["score"],
            row_id=data.get("row_id"),
            content_hash=data.get("content_hash"),
        )


@dataclass(frozen=True, slots=True)
class PredictionArtifactRef:
    """A reference to a persisted prediction file, pinned by hash and row count.

    ``columns`` may be given as a :class:`PredictionColumns` or a plain mapping (converted on
    construction). When ``sha256`` or ``n_rows`` is set, readers refuse a file that no longer
    matches. ``media_type`` is one of ``text/csv``, ``application/jsonl`` and
    ``application/vnd.apache.parquet``.

    Example:
        >>> ref = PredictionArtifactRef("preds.parquet", "application/vnd.apache.parquet",
        ...                             {"label": "y", "score": "p"}, n_rows=3)
        >>> PredictionArtifactRef.from_dict(ref.to_dict()) == ref
        True
    """

    uri: str
    media_type: str
    columns: PredictionColumns
    sha256: str | None = None
    n_rows: int | None = None
    role: str = "predictions"

    def __post_init__(self) -> None:
        if isinstance(self.uri, PurePath):
            object.__setattr__(self, "uri", str(self.uri))
        if not isinstance(self.uri, str):
            raise TypeError(
                f"PredictionArtifactRef.uri must be a str path or URI, got {type(self.uri).__name__}"
            )
        if not self.uri.strip():
            raise ValueError("PredictionArtifactRef.uri must be a non-empty path or URI")
        if not isinstance(self.media_type, str):
            raise TypeError(
                f"PredictionArtifactRef.media_type must be a str, got {type(self.media_type).__name__}"
            )
        if self.media_type not in MEDIA_TYPES:
            close = difflib.get_close_matches(self.media_type, list(MEDIA_TYPES), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(
                f"PredictionArtifactRef.media_type {self.media_type!r} is not supported{hint}; "
                f"use one of {', '.join(MEDIA_TYPES)}"
            )
        columns = self.columns
        if isinstance(columns, Mapping):
            columns = PredictionColumns.from_dict(columns)
            object.__setattr__(self, "columns", columns)
        if not isinstance(columns, PredictionColumns):
            raise TypeError(
                "PredictionArtifactRef.columns must be a PredictionColumns or a mapping, "
                f"got {type(columns).__name__}"
            )
        if self.sha256 is not None:
            if not isinstance(self.sha256, str) or not _SHA256.match(self.sha256):
                raise ValueError(
                    f"PredictionArtifactRef.sha256 must be 64 hex characters, got {self.sha256!r}"
                )
            object.__setattr__(self, "sha256", self.sha256.lower())
        if self.n_rows is not None:
            if isinstance(self.n_rows, bool) or not isinstance(self.n_rows, (int, np.integer)):
                raise TypeError(
                    f"PredictionArtifactRef.n_rows must be an int or None, got "
                    f"{type(self.n_rows).__name__} {self.n_rows!r}"
                )
            if self.n_rows < 0:
                raise ValueError(f"PredictionArtifactRef.n_rows must be >= 0, got {self.n_rows}")
            object.__setattr__(self, "n_rows", int(self.n_rows))
        if not isinstance(self.role, str) or not self.role.strip():
            raise ValueError(f"PredictionArtifactRef.role must be a non-empty str, got {self.role!r}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; ``sha256`` and ``n_rows`` only when set.

        Example:
            >>> PredictionArtifactRef("p.csv", "text/csv", {"label": "y", "score": "p"}).to_dict()["columns"]
            {'label': 'y', 'score': 'p'}
        """
        out: dict[str, Any] = {
            "uri": self.uri,
            "media_type": self.media_type,
            "columns": self.columns.to_dict(),
            "role": self.role,
        }
        if self.sha256 is not None:
            out["sha256"] = self.sha256
        if self.n_rows is not None:
            out["n_rows"] = self.n_rows
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PredictionArtifactRef:
        """Build from a mapping such as ``to_dict()`` returns; unknown keys are an error.

        Example:
            >>> d = {"uri": "p.csv", "media_type": "text/csv", "columns": {"label": "y", "score": "p"}}
            >>> PredictionArtifactRef.from_dict(d).columns.label
            'y'
        """
        if isinstance(data, PredictionArtifactRef):
            return data
        if not isinstance(data, Mapping):
            raise TypeError(f"PredictionArtifactRef.from_dict needs a mapping, got {type(data).__name__}")
        allowed = ("uri", "media_type", "columns", "sha256", "n_rows", "role")
        unknown = [k for k in data if k not in allowed]
        if unknown:
            raise _unknown_keys_error("PredictionArtifactRef", unknown, allowed)
        missing = [k for k in ("uri", "media_type", "columns") if k not in data]
        if missing:
            raise ValueError(f"PredictionArtifactRef needs {', '.join(repr(k) for k in missing)}")
        return cls(
            uri=data["uri"],
            media_type=data["media_type"],
            columns=PredictionColumns.from_dict(data["columns"]),
            sha256=data.get("sha256"),
            n_rows=data.get("n_rows"),
            role=data.get("role", "predictions"),
        )


def as_ref(ref: PredictionArtifactRef | Mapping[str, Any]) -> PredictionArtifactRef:
    """Accept a ref or its ``to_dict()`` form and return a validated ref."""
    if isinstance(ref, PredictionArtifactRef):
        return ref
    if isinstance(ref, Mapping):
        return PredictionArtifactRef.from_dict(ref)
    raise TypeError(f"expected a PredictionArtifactRef or its to_dict() mapping, got {type(ref).__name__}")


@dataclass(frozen=True, slots=True)
class MetricState:
    """A metric value together with whether it could be computed, and why not.

    ``status`` is ``"ok"``, ``"skipped"`` (not computable for this data, e.g. a single-class
    slice) or ``"error"`` (something failed unexpectedly). A skipped or errored state needs a
    ``reason``.

    Example:
        >>> MetricState(0.91).to_dict()
        {'value': 0.91, 'status': 'ok', 'reason': ''}
        >>> MetricState(None, "skipped", "only one class").status
        'skipped'
    """

    value: Any
    status: MetricStatus = "ok"
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in _STATUSES:
            raise ValueError(f"MetricState.status must be one of {', '.join(_STATUSES)}, got {self.status!r}")
        if not isinstance(self.reason, str):
            raise TypeError(f"MetricState.reason must be a str, got {type(self.reason).__name__}")
        if self.status != "ok" and not self.reason.strip():
            raise ValueError(f"a {self.status} MetricState needs a reason")
        if not isinstance(self.details, Mapping):
            raise TypeError(f"MetricState.details must be a mapping, got {type(self.details).__name__}")
        object.__setattr__(self, "details", dict(self.details))

    def to_dict(self) -> dict[str, Any]:
        """A strict-JSON-safe dict; ``details`` only when non-empty.

        Example:
            >>> MetricState(None, "error", "boom", {"row": 3}).to_dict()["details"]
            {'row': 3}
        """
        out: dict[str, Any] = {
            "value": sanitize_for_json(self.value, nan_strategy="null"),
            "status": self.status,
            "reason": self.reason,
        }
        if self.details:
            out["details"] = sanitize_for_json(self.details, nan_strategy="null")
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MetricState:
        """Build from a mapping such as ``to_dict()`` returns.

        Example:
            >>> MetricState.from_dict({"value": 1.0, "status": "ok", "reason": ""}).value
            1.0
        """
        allowed = ("value", "status", "reason", "details")
        unknown = [k for k in data if k not in allowed]
        if unknown:
            raise _unknown_keys_error("MetricState", unknown, allowed)
        return cls(
            value=data.get("value"),
            status=data.get("status", "ok"),
            reason=data.get("reason", ""),
            details=dict(data.get("details") or {}),
        )


def skipped_metric(reason: str, **details: Any) -> dict[str, Any]:
    """The dict of a metric that was not computed for a known reason.

    Example:
        >>> skipped_metric("single-class slice", n=12)
        {'value': None, 'status': 'skipped', 'reason': 'single-class slice', 'details': {'n': 12}}
    """
    return MetricState(None, "skipped", reason, details).to_dict()


def error_metric(reason: str, **details: Any) -> dict[str, Any]:
    """The dict of a metric whose computation failed unexpectedly.

    Example:
        >>> error_metric("ZeroDivisionError: division by zero")["status"]
        'error'
    """
    return MetricState(None, "error", reason, details).to_dict()


def sanitize_for_json(payload: Any, nan_strategy: NanStrategy = "skipped") -> Any:
    """Return a copy of ``payload`` that ``json.dumps(..., allow_nan=False)`` always accepts.

    Mappings, sequences, numpy scalars and arrays, dataclasses, objects with ``to_dict`` and
    paths are converted recursively. Non-finite floats (NaN, +-inf) become a
    :func:`skipped_metric` dict (``"skipped"``), ``None`` (``"null"``) or raise a ``ValueError``
    naming where they are (``"raise"``).

    Example:
        >>> import json, math
        >>> json.dumps(sanitize_for_json({"auc": math.nan}, nan_strategy="null"), allow_nan=False)
        '{"auc": null}'
    """
    if nan_strategy not in _NAN_STRATEGIES:
        raise ValueError(f"nan_strategy must be one of {', '.join(_NAN_STRATEGIES)}, got {nan_strategy!r}")
    return _sanitize(payload, nan_strategy, "$", 0)


def _sanitize(obj: Any, strategy: str, path: str, depth: int) -> Any:
    if depth > 200:
        raise ValueError(f"payload is nested too deeply (or refers to itself) at {path}")
    if obj is None or isinstance(obj, (str, bool)):
        return obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        if math.isfinite(obj):
            return float(obj)
        if strategy == "null":
            return None
        if strategy == "raise":
            raise ValueError(f"non-finite number {obj!r} at {path}")
        return skipped_metric(f"non-finite value {obj!r}")
    if isinstance(obj, np.generic):
        return _sanitize(obj.item(), strategy, path, depth + 1)
    if isinstance(obj, np.ndarray):
        return _sanitize(obj.tolist(), strategy, path, depth + 1)
    if isinstance(obj, Decimal):
        return _sanitize(float(obj), strategy, path, depth + 1)
    if isinstance(obj, (_dt.datetime, _dt.date, _dt.time)):
        return obj.isoformat()
    if isinstance(obj, PurePath):
        return str(obj)
    if isinstance(obj, Mapping):
        return {str(k): _sanitize(v, strategy, f"{path}.{k}", depth + 1) for k, v in obj.items()}
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict) and not isinstance(obj, type):
        return _sanitize(to_dict(), strategy, path, depth + 1)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
        return _sanitize(fields, strategy, path, depth + 1)
    if isinstance(obj, (set, frozenset)):
        items = sorted(obj, key=repr)
        return [_sanitize(v, strategy, f"{path}[{i}]", depth + 1) for i, v in enumerate(items)]
    if isinstance(obj, (bytes, bytearray)):
        return obj.decode("utf-8", errors="replace")
    if isinstance(obj, Sequence):
        return [_sanitize(v, strategy, f"{path}[{i}]", depth + 1) for i, v in enumerate(obj)]
    return str(obj)


class PayloadValidationError(ValueError):
    """A payload does not match the JSON Schema it was checked against."""


def available_schemas() -> list[str]:
    """Names of the JSON Schemas bundled with evalviz.analysis.

    Example:
        >>> "results.v1.json" in available_schemas()
        True
    """
    folder = resources.files("evalviz.analysis") / "schemas"
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".json"))


@cache
def _load_schema(schema_name: str) -> dict[str, Any]:
    names = available_schemas()
    if schema_name not in names:
        raise ValueError(f"unknown schema {schema_name!r}; bundled schemas are {', '.join(names)}")
    text = (resources.files("evalviz.analysis") / "schemas" / schema_name).read_text(encoding="utf-8")
    return json.loads(text)


def validate_payload(payload: Any, schema_name: str = "results.v1.json") -> None:
    """Check ``payload`` against a bundled JSON Schema (Draft 2020-12).

    The payload is first passed through :func:`sanitize_for_json`, so what is checked is what
    would be written. Raises :class:`PayloadValidationError` (a ``ValueError``) naming the
    failing location.

    Example:
        >>> validate_payload({"schema_version": "v1", "run_id": "r1", "config": {}, "by_slice": {}})
    """
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    schema = _load_schema(schema_name)
    validator = Draft202012Validator(schema)
    errors = list(validator.iter_errors(sanitize_for_json(payload)))
    if errors:
        err = best_match(errors)
        where = "$" + "".join(f"[{p!r}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
        raise PayloadValidationError(
            f"payload does not match {schema_name} at {where}: {err.message}"
            + (f" ({len(errors)} problems in total)" if len(errors) > 1 else "")
        ) from err
