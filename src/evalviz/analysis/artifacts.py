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
import hashlib
import json
import math
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import PurePath
from typing import Any, Literal

import numpy as np

from evalviz.constants.statuses import ERROR, METRIC_STATUSES, OK, SKIPPED, MetricStatus
from evalviz.errors import ArgumentTypeError, EvalvizError

__all__ = [
    "MEDIA_TYPES",
    "MEDIA_TYPE_ALIASES",
    "MetricState",
    "PayloadValidationError",
    "PredictionArtifactRef",
    "PredictionColumns",
    "available_schemas",
    "error_metric",
    "media_type_reader",
    "parse_digest",
    "sanitize_for_json",
    "skipped_metric",
    "validate_payload",
]

NanStrategy = Literal["skipped", "null", "raise"]

#: Media types the readers understand, mapped to the DuckDB reader that opens them.
MEDIA_TYPES: dict[str, str] = {
    "text/csv": "csv",
    "application/jsonl": "jsonl",
    "application/vnd.apache.parquet": "parquet",
}

#: Other names for the same formats, as other tools write them, mapped to the name in ``MEDIA_TYPES``.
MEDIA_TYPE_ALIASES: dict[str, str] = {
    "application/csv": "text/csv",
    "application/x-csv": "text/csv",
    "text/x-csv": "text/csv",
    "text/comma-separated-values": "text/csv",
    "text/x-comma-separated-values": "text/csv",
    "application/x-jsonl": "application/jsonl",
    "application/ndjson": "application/jsonl",
    "application/x-ndjson": "application/jsonl",
    "application/jsonlines": "application/jsonl",
    "application/x-jsonlines": "application/jsonl",
    "application/json-lines": "application/jsonl",
    "application/jsonl+json": "application/jsonl",
    "text/jsonl": "application/jsonl",
    "text/x-ndjson": "application/jsonl",
    "application/parquet": "application/vnd.apache.parquet",
    "application/x-parquet": "application/vnd.apache.parquet",
}

#: Digest algorithms a ``sha256`` field may name as ``"<algorithm>:<hex>"``: spelling -> hashlib name.
_DIGEST_ALGORITHMS: dict[str, str] = {
    "md5": "md5",
    "sha1": "sha1",
    "sha224": "sha224",
    "sha256": "sha256",
    "sha384": "sha384",
    "sha512": "sha512",
    "sha3224": "sha3_224",
    "sha3256": "sha3_256",
    "sha3384": "sha3_384",
    "sha3512": "sha3_512",
    "sha512224": "sha512_224",
    "sha512256": "sha512_256",
    "blake2b": "blake2b",
    "blake2s": "blake2s",
}
#: BLAKE2 digests come in any whole number of bytes up to this many: their length says which.
_BLAKE2_BYTES: dict[str, int] = {"blake2b": 64, "blake2s": 32}
#: ``blake2b-256`` (as b2sum names it): BLAKE2 with a digest of that many bits.
_BLAKE2_BITS = re.compile(r"^(blake2[bs])(\d+)$")

_NAN_STRATEGIES = ("skipped", "null", "raise")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_UTF8_CHARSETS = ("utf-8", "utf8", "us-ascii", "ascii")
_REF_FIELDS = ("uri", "media_type", "columns", "sha256", "n_rows", "role", "metadata")
_COLUMN_ROLES = ("label", "score", "row_id", "content_hash", "scorer", "slice", "text")
_COLUMN_FIELDS = (*_COLUMN_ROLES, "provenance")
# The roles whose columns are read as data: each needs a column of its own.
_DATA_ROLES = ("label", "score", "row_id", "content_hash")


def _unknown_keys_error(kind: str, unknown: Sequence[str], allowed: Sequence[str]) -> EvalvizError:
    parts = []
    for key in unknown:
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        parts.append(f"{key!r}{hint}")
    return EvalvizError(f"{kind} got unknown field(s) {', '.join(parts)}; expected only {', '.join(allowed)}")


def _spelling(key: str) -> str:
    """A key without case, separators or a plural ``s``: how a typo of a known key is recognised."""
    return re.sub(r"[\s_\-]", "", key.lower()).removesuffix("s")


def _split_keys(kind: str, data: Mapping[str, Any], known: Sequence[str]) -> dict[str, Any]:
    """The keys of ``data`` that ``kind`` does not define, kept as they are; a misspelt known key raises.

    eval-toolkit's schemas allow further keys, so they are carried along. A key that differs from a
    known one only by case, ``_``/``-`` or a plural ``s`` (``nrows``, ``row_ids``) is a typo that
    would silently switch a check off, so it is refused with the right spelling.
    """
    by_spelling = {_spelling(k): k for k in known}
    extra: dict[str, Any] = {}
    typos = []
    for key, value in data.items():
        if key in known:
            continue
        if not isinstance(key, str):
            raise ArgumentTypeError(f"{kind} keys must be str, got {type(key).__name__} {key!r}")
        if _spelling(key) in by_spelling:
            typos.append(f"{key!r} (did you mean {by_spelling[_spelling(key)]!r}?)")
        extra[key] = value
    if typos:
        raise EvalvizError(
            f"{kind} got unknown field(s) {', '.join(typos)} that look misspelt; known fields are "
            f"{', '.join(known)} (fields of other names are kept as they are)"
        )
    return extra


def _check_name(kind: str, field_name: str, value: object, *, optional: bool) -> None:
    if value is None:
        if optional:
            return
        raise EvalvizError(f"{kind}.{field_name} is required: name the column that holds it")
    if not isinstance(value, str):
        raise ArgumentTypeError(
            f"{kind}.{field_name} must be a column name (str), got {type(value).__name__} {value!r}"
        )
    if not value.strip():
        raise EvalvizError(f"{kind}.{field_name} must be a non-empty column name, got {value!r}")


def _json_mapping(kind: str, field_name: str, value: object) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ArgumentTypeError(f"{kind}.{field_name} must be a mapping, got {type(value).__name__}")
    bad = [k for k in value if not isinstance(k, str)]
    if bad:
        raise ArgumentTypeError(f"{kind}.{field_name} keys must be str, got {type(bad[0]).__name__} {bad[0]!r}")
    return dict(value)


def media_type_reader(media_type: str) -> str:
    """The reader ("csv", "jsonl" or "parquet") for a media type.

    Args:
        media_type: A name of `MEDIA_TYPES` or of `MEDIA_TYPE_ALIASES`, in any case and with parameters
            (`text/csv; charset=utf-8`).

    Returns:
        The reader's name.

    Raises:
        ArgumentTypeError: `media_type` is not a str.
        EvalvizError: The media type is unknown (a close name is suggested), names a charset other than UTF-8,
            or is CSV with `header=absent` (the readers need a header row naming the columns).

    Example:
        >>> media_type_reader("application/x-ndjson"), media_type_reader("Text/CSV; charset=UTF-8")
        ('jsonl', 'csv')
    """
    if not isinstance(media_type, str):
        raise ArgumentTypeError(f"a media type must be a str, got {type(media_type).__name__}")
    essence, *params = (part.strip() for part in media_type.split(";"))
    name = MEDIA_TYPE_ALIASES.get(essence.lower(), essence.lower())
    if name not in MEDIA_TYPES:
        known = [*MEDIA_TYPES, *MEDIA_TYPE_ALIASES]
        close = difflib.get_close_matches(essence.lower(), known, n=1, cutoff=0.8)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise EvalvizError(
            f"media type {media_type!r} is not supported{hint}; use one of {', '.join(MEDIA_TYPES)} "
            f"(also understood: {', '.join(MEDIA_TYPE_ALIASES)})"
        )
    for param in params:
        key, _, value = (p.strip().strip('"').lower() for p in param.partition("="))
        if key == "charset" and value not in _UTF8_CHARSETS:
            raise EvalvizError(
                f"media type {media_type!r}: evalviz reads UTF-8 files only; convert the file to UTF-8 "
                "and drop the charset parameter"
            )
        if key == "header" and value == "absent":
            raise EvalvizError(
                f"media type {media_type!r}: prediction files need a header row naming their columns"
            )
    return MEDIA_TYPES[name]


def parse_digest(digest: str) -> tuple[str, str]:
    """The digest algorithm and lower-case hex digest of a ref's `sha256` field.

    A BLAKE2 digest may have any whole number of bytes (`b2sum -l 256` writes 64 hex characters); the algorithm is
    then named with its size, "blake2b-256", which is what `new_digest` takes.

    Args:
        digest: 64 hex characters (a SHA-256) or `"<algorithm>:<hex>"` as many pipelines write digests
            ("sha256:9f2c…", "sha512:…", "sha3-256:…", "blake2b:…").

    Returns:
        (algorithm, hex digest).

    Raises:
        ArgumentTypeError: `digest` is not a str.
        EvalvizError: The digest has spaces around it, names an algorithm evalviz cannot compute, or has the
            wrong number of hex characters for its algorithm.

    Example:
        >>> parse_digest("sha256:" + "AB" * 32) == ("sha256", "ab" * 32)
        True
        >>> parse_digest("blake2b:" + "0" * 64)[0]
        'blake2b-256'
    """
    if not isinstance(digest, str):
        raise ArgumentTypeError(f"PredictionArtifactRef.sha256 must be a str, got {type(digest).__name__} {digest!r}")
    if digest != digest.strip():
        raise EvalvizError(
            f"PredictionArtifactRef.sha256 {digest!r} has spaces around it; write the digest alone"
        )
    prefix, colon, hex_part = digest.rpartition(":")
    if not colon:
        if len(hex_part) == 64 and _HEX.match(hex_part):
            return "sha256", hex_part.lower()
        raise EvalvizError(
            f"PredictionArtifactRef.sha256 must be 64 hex characters, got {digest!r}; a digest of another "
            f"algorithm is written '<algorithm>:<hex>' ({_known_digests()})"
        )
    algorithm, size = _digest_algorithm(digest, prefix, len(hex_part))
    if len(hex_part) != 2 * size or not _HEX.match(hex_part):
        raise EvalvizError(
            f"PredictionArtifactRef.sha256 {digest!r} must have {2 * size} hex characters after "
            f"'{prefix}:', got {hex_part!r}"
        )
    return algorithm, hex_part.lower()


def _known_digests() -> str:
    return ", ".join(dict.fromkeys(a.replace("_", "-") for a in _DIGEST_ALGORITHMS.values())) + ", blake2b-<bits>"


def _digest_algorithm(digest: str, prefix: str, n_hex: int) -> tuple[str, int]:
    """(the algorithm as :func:`new_digest` takes it, its digest size in bytes) for a prefix; a BLAKE2 prefix
    without a size takes it from the digest's length."""
    spelling = re.sub(r"[_\-]", "", prefix.lower())
    bits = _BLAKE2_BITS.match(spelling)
    name = bits.group(1) if bits else _DIGEST_ALGORITHMS.get(spelling)
    if name is None or name not in hashlib.algorithms_available:
        raise EvalvizError(
            f"PredictionArtifactRef.sha256 {digest!r} names digest algorithm {prefix!r}, which evalviz "
            f"cannot check; use one of {_known_digests()}"
        )
    if name not in _BLAKE2_BYTES:
        return name, hashlib.new(name).digest_size
    largest = _BLAKE2_BYTES[name]
    size = int(bits.group(2)) // 8 if bits else n_hex // 2
    if (bits and int(bits.group(2)) % 8) or not 1 <= size <= largest:
        raise EvalvizError(
            f"PredictionArtifactRef.sha256 {digest!r}: a {name} digest has 8 to {8 * largest} bits, in whole bytes"
        )
    return (name if size == largest else f"{name}-{8 * size}"), size


def new_digest(algorithm: str) -> Any:
    """A new hashlib object for an algorithm as :func:`parse_digest` names it (``"blake2b-256"`` too).

    Example:
        >>> new_digest("blake2b-256").digest_size
        32
    """
    name, _, bits = algorithm.partition("-")
    if name in _BLAKE2_BYTES and bits:
        return hashlib.new(name, digest_size=int(bits) // 8)
    return hashlib.new(algorithm)


def _check_role(role: object) -> str | tuple[str, ...]:
    if isinstance(role, str):
        if not role.strip():
            raise EvalvizError(f"PredictionArtifactRef.role must be a non-empty str, got {role!r}")
        return role
    if isinstance(role, Sequence) and not isinstance(role, (bytes, bytearray)):
        roles = tuple(role)
        if not roles or not all(isinstance(r, str) and r.strip() for r in roles):
            raise EvalvizError(
                f"PredictionArtifactRef.role list must hold at least one non-empty str, got {list(roles)!r}"
            )
        return roles
    raise ArgumentTypeError(f"PredictionArtifactRef.role must be a str or a list of str, got {type(role).__name__}")


@dataclass(frozen=True, slots=True)
class PredictionColumns:
    """Which columns of a prediction file hold what.

    Attributes:
        label: The column of the 0/1 ground truth; None for artifacts summarised only by score-only metrics such
            as "mean".
        score: The column of the scores (required).
        row_id: The column that lets two artifacts be joined row by row.
        content_hash: The column that proves a row id still means the same input.
        scorer: The column naming the scorer of each row (one file holding several scorers, in long form).
        slice: The column naming the slice of each row.
        text: Kept for the record, as eval-toolkit writes it.
        provenance: A mapping of names to columns, kept for the record (None when not given; `{}` is kept).
        extra: Any other keys, kept as they are.

    Raises:
        ArgumentTypeError: A column name is not a str, or `provenance` / `extra` is not a mapping of str keys.
        EvalvizError: `score` is missing, a name is empty, two data roles share a column, or `extra` repeats a
            field.

    Example:
        >>> cols = PredictionColumns(label="y", score="p", row_id="id", slice="lang")
        >>> PredictionColumns.from_dict(cols.to_dict()) == cols
        True
    """

    label: str | None
    score: str
    row_id: str | None = None
    content_hash: str | None = None
    scorer: str | None = None
    slice: str | None = None
    text: str | None = None
    provenance: Mapping[str, str] | None = field(default=None, hash=False)
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        _check_name("PredictionColumns", "label", self.label, optional=True)
        _check_name("PredictionColumns", "score", self.score, optional=False)
        for role in _COLUMN_ROLES[2:]:
            _check_name("PredictionColumns", role, getattr(self, role), optional=True)
        if self.provenance is not None:
            provenance = _json_mapping("PredictionColumns", "provenance", self.provenance)
            bad = [(k, v) for k, v in provenance.items() if not isinstance(v, str)]
            if bad:
                raise ArgumentTypeError(
                    f"PredictionColumns.provenance values must be str, got {bad[0][0]!r}: {bad[0][1]!r}"
                )
            object.__setattr__(self, "provenance", provenance)
        extra = _json_mapping("PredictionColumns", "extra", self.extra)
        clash = [k for k in extra if k in _COLUMN_FIELDS]
        if clash:
            raise EvalvizError(f"PredictionColumns.extra repeats the field(s) {', '.join(map(repr, clash))}")
        object.__setattr__(self, "extra", extra)
        seen: dict[str, str] = {}
        for key in _DATA_ROLES:
            value = getattr(self, key)
            if value is None:
                continue
            if value in seen:
                raise EvalvizError(
                    f"PredictionColumns maps both {seen[value]!r} and {key!r} to column {value!r}; "
                    "each role needs its own column"
                )
            seen[value] = key

    def to_dict(self) -> dict[str, Any]:
        """The mapping as a JSON-ready dict; unmapped optional columns are left out, extra keys kept.

        Example:
            >>> PredictionColumns(label="y", score="p", scorer="model").to_dict()
            {'label': 'y', 'score': 'p', 'scorer': 'model'}
        """
        out: dict[str, Any] = {}
        for key in _COLUMN_ROLES:
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.provenance is not None:
            out["provenance"] = dict(self.provenance)
        out.update(sanitize_for_json(self.extra))
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PredictionColumns:
        """Build from a mapping such as ``to_dict()`` returns; other keys are kept in ``extra``.

        Accepts exactly what the ``columns`` of ``prediction_ref.v1.json`` accept (a column not mapped is left
        out, not ``null``), and ``from_dict(d).to_dict() == d``. A key that misspells a known one
        (``row_ids``, ``Score``) raises, naming the right spelling.

        Example:
            >>> PredictionColumns.from_dict({"label": "y", "score": "p", "split": "fold"}).extra
            {'split': 'fold'}
        """
        if isinstance(data, PredictionColumns):
            return data
        columns = cls._from_mapping(data)
        check_schema("PredictionColumns", data, "prediction_ref.v1.json", "columns")
        return columns

    @classmethod
    def _from_mapping(cls, data: Mapping[str, Any]) -> PredictionColumns:
        """Build from a mapping of Python values: a role given as None is not mapped."""
        if not isinstance(data, Mapping):
            raise ArgumentTypeError(f"PredictionColumns.from_dict needs a mapping, got {type(data).__name__}")
        extra = _split_keys("PredictionColumns", data, _COLUMN_FIELDS)
        if "score" not in data:
            raise EvalvizError("PredictionColumns needs a 'score' column")
        return cls(
            **{key: data.get(key) for key in _COLUMN_ROLES},
            provenance=data.get("provenance"),
            extra=extra,
        )


@dataclass(frozen=True, slots=True)
class PredictionArtifactRef:
    """A reference to a persisted prediction file, pinned by digest and row count.

    `from_dict(d).to_dict() == d`: every field and any other key is written back as given.

    Attributes:
        uri: The file's path (a local path: remote URIs are refused when read).
        media_type: "text/csv", "application/jsonl" or "application/vnd.apache.parquet", or one of their
            `MEDIA_TYPE_ALIASES`, kept as written.
        columns: A `PredictionColumns`, or a plain mapping (converted on construction).
        sha256: 64 hex characters or `"<algorithm>:<hex>"` ("sha256:…"), kept as written; readers refuse a file
            that no longer matches. None or "" (eval-toolkit's default) means not pinned.
        n_rows: The file's row count, a whole number (80.0 is read as 80); readers refuse a file of another count.
        role: A str or a list of str (an artifact serving several roles); None: the ref names none, read as
            "predictions".
        metadata: A mapping kept for the record (`metadata["name"]` names the side in paired tables).
        extra: Any other keys, kept as they are.

    Raises:
        ArgumentTypeError: A field of the wrong type (e.g. `n_rows=True`).
        EvalvizError: An empty uri, an unknown media type, a digest evalviz cannot check, a negative n_rows, an
            empty role.

    Example:
        >>> ref = PredictionArtifactRef("preds.parquet", "application/vnd.apache.parquet",
        ...                             {"label": "y", "score": "p"}, n_rows=3, role=["test", "ood"])
        >>> PredictionArtifactRef.from_dict(ref.to_dict()) == ref
        True
        >>> ref.to_dict()["role"]
        ['test', 'ood']
    """

    uri: str
    media_type: str
    columns: PredictionColumns
    sha256: str | None = None
    n_rows: int | None = None
    role: str | tuple[str, ...] | None = "predictions"
    metadata: Mapping[str, Any] | None = field(default=None, hash=False)
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if isinstance(self.uri, PurePath):
            object.__setattr__(self, "uri", str(self.uri))
        if not isinstance(self.uri, str):
            raise ArgumentTypeError(
                f"PredictionArtifactRef.uri must be a str path or URI, got {type(self.uri).__name__}"
            )
        if not self.uri.strip():
            raise EvalvizError("PredictionArtifactRef.uri must be a non-empty path or URI")
        if not isinstance(self.media_type, str):
            raise ArgumentTypeError(
                f"PredictionArtifactRef.media_type must be a str, got {type(self.media_type).__name__}"
            )
        try:
            media_type_reader(self.media_type)
        except EvalvizError as exc:
            raise EvalvizError(f"PredictionArtifactRef.media_type: {exc}") from None
        columns = self.columns
        if isinstance(columns, Mapping):
            columns = PredictionColumns._from_mapping(columns)
            object.__setattr__(self, "columns", columns)
        if not isinstance(columns, PredictionColumns):
            raise ArgumentTypeError(
                "PredictionArtifactRef.columns must be a PredictionColumns or a mapping, "
                f"got {type(columns).__name__}"
            )
        if self.sha256 is not None and self.sha256 != "":  # "" is eval-toolkit's "not pinned", kept as written
            parse_digest(self.sha256)
        self._check_n_rows()
        if self.role is not None:
            object.__setattr__(self, "role", _check_role(self.role))
        if self.metadata is not None:
            object.__setattr__(
                self, "metadata", _json_mapping("PredictionArtifactRef", "metadata", self.metadata)
            )
        extra = _json_mapping("PredictionArtifactRef", "extra", self.extra)
        clash = [k for k in extra if k in _REF_FIELDS]
        if clash:
            raise EvalvizError(f"PredictionArtifactRef.extra repeats the field(s) {', '.join(map(repr, clash))}")
        object.__setattr__(self, "extra", extra)

    def _check_n_rows(self) -> None:
        if self.n_rows is None:
            return
        whole_float = isinstance(self.n_rows, (float, np.floating)) and float(self.n_rows).is_integer()
        if isinstance(self.n_rows, bool) or not (isinstance(self.n_rows, (int, np.integer)) or whole_float):
            raise ArgumentTypeError(
                f"PredictionArtifactRef.n_rows must be an int or None, got "
                f"{type(self.n_rows).__name__} {self.n_rows!r}"
            )
        if self.n_rows < 0:
            raise EvalvizError(f"PredictionArtifactRef.n_rows must be >= 0, got {self.n_rows}")
        object.__setattr__(self, "n_rows", int(self.n_rows))

    @property
    def roles(self) -> tuple[str, ...]:
        """``role`` as a tuple, whether one role or several were given.

        Example:
            >>> PredictionArtifactRef("p.csv", "text/csv", {"score": "p"}).roles
            ('predictions',)
        """
        if self.role is None:
            return ("predictions",)
        return (self.role,) if isinstance(self.role, str) else self.role

    @property
    def digest(self) -> tuple[str, str] | None:
        """``(hashlib algorithm, hex digest)`` of the pinned file, or ``None`` when not pinned.

        Example:
            >>> PredictionArtifactRef("p.csv", "text/csv", {"score": "p"}, sha256="sha256:" + "0" * 64).digest[0]
            'sha256'
        """
        return parse_digest(self.sha256) if self.sha256 else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; ``role``, ``sha256``, ``n_rows`` and ``metadata`` only when set, extra keys kept.

        Example:
            >>> PredictionArtifactRef("p.csv", "text/csv", {"label": "y", "score": "p"}).to_dict()["columns"]
            {'label': 'y', 'score': 'p'}
        """
        out: dict[str, Any] = {
            "uri": self.uri,
            "media_type": self.media_type,
            "columns": self.columns.to_dict(),
        }
        if self.role is not None:
            out["role"] = self.role if isinstance(self.role, str) else list(self.role)
        if self.sha256 is not None:
            out["sha256"] = self.sha256
        if self.n_rows is not None:
            out["n_rows"] = self.n_rows
        if self.metadata is not None:
            out["metadata"] = sanitize_for_json(self.metadata)
        out.update(sanitize_for_json(self.extra))
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PredictionArtifactRef:
        """Build from a mapping such as ``to_dict()`` returns; other keys are kept in ``extra``.

        Accepts exactly what ``prediction_ref.v1.json`` accepts (and what the ref itself checks: a digest evalviz
        can compute, a known media type), so ``from_dict(d).to_dict() == d``. A key that misspells a known one
        (``nrows``, ``SHA256``) raises, naming the right spelling.

        Example:
            >>> d = {"uri": "p.csv", "media_type": "text/csv", "columns": {"label": "y", "score": "p"}}
            >>> PredictionArtifactRef.from_dict(d).columns.label
            'y'
        """
        if isinstance(data, PredictionArtifactRef):
            return data
        if not isinstance(data, Mapping):
            raise ArgumentTypeError(f"PredictionArtifactRef.from_dict needs a mapping, got {type(data).__name__}")
        extra = _split_keys("PredictionArtifactRef", data, _REF_FIELDS)
        missing = [k for k in ("uri", "media_type", "columns") if k not in data]
        if missing:
            raise EvalvizError(f"PredictionArtifactRef needs {', '.join(repr(k) for k in missing)}")
        ref = cls(
            uri=data["uri"],
            media_type=data["media_type"],
            columns=data["columns"],
            sha256=data.get("sha256"),
            n_rows=data.get("n_rows"),
            role=data.get("role"),
            metadata=data.get("metadata"),
            extra=extra,
        )
        check_schema("PredictionArtifactRef", data, "prediction_ref.v1.json")
        return ref


def as_ref(ref: PredictionArtifactRef | Mapping[str, Any]) -> PredictionArtifactRef:
    """Accept a ref or its `to_dict()` form and return a validated ref.

    Args:
        ref: A `PredictionArtifactRef`, or a mapping as `to_dict()` writes it.

    Returns:
        The ref.

    Raises:
        ArgumentTypeError: `ref` is neither.
        EvalvizError: The mapping is not a valid ref (see `PredictionArtifactRef.from_dict`).

    Example:
        >>> as_ref({"uri": "p.csv", "media_type": "text/csv", "columns": {"score": "p"}}).uri
        'p.csv'
    """
    if isinstance(ref, PredictionArtifactRef):
        return ref
    if isinstance(ref, Mapping):
        return PredictionArtifactRef.from_dict(ref)
    raise ArgumentTypeError(f"expected a PredictionArtifactRef or its to_dict() mapping, got {type(ref).__name__}")


@dataclass(frozen=True, slots=True)
class MetricState:
    """A metric value together with whether it could be computed, and why not.

    `to_dict` writes what eval-toolkit writes: a non-finite value becomes a `skipped_metric` dict, as everywhere in
    `sanitize_for_json`.

    Attributes:
        value: The metric's value.
        status: "ok", "skipped" (not computable for this data, e.g. a single-class slice) or "error" (something
            failed unexpectedly).
        reason: Why the status is not "ok" (evalviz's own results always give one).
        details: Anything else worth keeping (row counts, the seed, ...).

    Raises:
        EvalvizError: An unknown status.
        ArgumentTypeError: A reason that is not a str, details that are not a mapping.

    Example:
        >>> MetricState(0.91).to_dict()
        {'value': 0.91, 'status': 'ok', 'reason': ''}
        >>> MetricState(float("nan")).to_dict()["value"]["status"]
        'skipped'
    """

    value: Any
    status: MetricStatus = OK
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in METRIC_STATUSES:
            raise EvalvizError(
                f"MetricState.status must be one of {', '.join(METRIC_STATUSES)}, got {self.status!r}"
            )
        if not isinstance(self.reason, str):
            raise ArgumentTypeError(f"MetricState.reason must be a str, got {type(self.reason).__name__}")
        if not isinstance(self.details, Mapping):
            raise ArgumentTypeError(f"MetricState.details must be a mapping, got {type(self.details).__name__}")
        object.__setattr__(self, "details", dict(self.details))

    def to_dict(self) -> dict[str, Any]:
        """A strict-JSON-safe dict; ``details`` only when non-empty.

        Example:
            >>> MetricState(None, "error", "boom", {"row": 3}).to_dict()["details"]
            {'row': 3}
        """
        out: dict[str, Any] = {
            "value": sanitize_for_json(self.value),
            "status": self.status,
            "reason": self.reason,
        }
        if self.details:
            out["details"] = sanitize_for_json(self.details)
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
            status=data.get("status", OK),
            reason=data.get("reason") or "",
            details=dict(data.get("details") or {}),
        )


def skipped_metric(reason: str, **details: Any) -> dict[str, Any]:
    """The dict of a metric that was not computed for a known reason, as eval-toolkit writes it.

    Args:
        reason: Why it was not computed.
        **details: Anything worth keeping; left out when none is given.

    Returns:
        `MetricState(None, "skipped", reason, details).to_dict()`.

    Example:
        >>> skipped_metric("single-class slice", n=12)
        {'value': None, 'status': 'skipped', 'reason': 'single-class slice', 'details': {'n': 12}}
    """
    return MetricState(None, SKIPPED, reason, details).to_dict()


def error_metric(reason: str, **details: Any) -> dict[str, Any]:
    """The dict of a metric whose computation failed unexpectedly, as eval-toolkit writes it.

    Args:
        reason: What failed.
        **details: Anything worth keeping; left out when none is given.

    Returns:
        `MetricState(None, "error", reason, details).to_dict()`.

    Example:
        >>> error_metric("ZeroDivisionError: division by zero")["status"]
        'error'
    """
    return MetricState(None, ERROR, reason, details).to_dict()


def sanitize_for_json(payload: Any, nan_strategy: NanStrategy = "skipped") -> Any:
    """Return a copy of `payload` that `json.dumps(..., allow_nan=False)` always accepts.

    Mappings (the analysis results too), sequences, sets, dataclasses and objects with `to_dict` are converted
    recursively; numpy, pandas and pyarrow scalars and arrays become the Python values they hold (`np.longdouble`
    and `Decimal` too), dates their ISO text, paths their text. Missing values (`pd.NA`, `pd.NaT`, numpy's `NaT`, a
    null pyarrow scalar) become None.

    Args:
        payload: Anything a result payload holds.
        nan_strategy: What becomes of a non-finite number (NaN, +-inf, or a number too large for a float64):
            "skipped" (a `skipped_metric` dict, as eval-toolkit does), "null" (None) or "raise".

    Returns:
        The payload as plain JSON values.

    Raises:
        EvalvizError: With `nan_strategy="raise"`, a non-finite number (naming where it is); a payload that
            contains itself or is nested more than 200 levels (naming where); an unknown `nan_strategy`.

    Example:
        >>> import json, math
        >>> json.dumps(sanitize_for_json({"auc": math.nan}, nan_strategy="null"), allow_nan=False)
        '{"auc": null}'
        >>> sanitize_for_json([np.longdouble(0.5), Decimal("2.5"), np.datetime64("NaT")])
        [0.5, 2.5, None]
    """
    if nan_strategy not in _NAN_STRATEGIES:
        raise EvalvizError(f"nan_strategy must be one of {', '.join(_NAN_STRATEGIES)}, got {nan_strategy!r}")
    return _sanitize(payload, nan_strategy, "$", ())


#: Containers nested deeper than this are refused (a result payload is a few levels deep).
_MAX_DEPTH = 200
#: What :func:`_plain_scalar` returns for a value that is no scalar.
_NOT_SCALAR = object()


def _sanitize(obj: Any, strategy: str, path: str, parents: tuple[int, ...]) -> Any:
    """``obj`` as strict JSON; ``parents`` are the ids of the containers ``obj`` sits in."""
    if obj is None or isinstance(obj, bool):
        return obj
    if isinstance(obj, str):
        return str(obj)
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, (float, np.floating, Decimal)):
        return _number(obj, strategy, path)
    if _is_missing(obj):
        return None
    plain = _plain_scalar(obj)
    if plain is not _NOT_SCALAR:
        return _sanitize(plain, strategy, path, parents)
    if id(obj) in parents:
        raise EvalvizError(f"payload refers to itself at {path}")
    if len(parents) >= _MAX_DEPTH:
        raise EvalvizError(f"payload is nested more than {_MAX_DEPTH} levels deep at {path}")
    inner = (*parents, id(obj))
    if isinstance(obj, Mapping):
        return {str(k): _sanitize(v, strategy, f"{path}.{k}", inner) for k, v in obj.items()}
    items = _items(obj)
    if items is not None:
        return [_sanitize(v, strategy, f"{path}[{i}]", inner) for i, v in enumerate(items)]
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict) and not isinstance(obj, type):
        return _sanitize(to_dict(), strategy, path, inner)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
        return _sanitize(fields, strategy, path, inner)
    return str(obj)


def _is_missing(obj: Any) -> bool:
    """Whether ``obj`` is a missing value of pandas (``NA``, ``NaT``) or numpy (``NaT``)."""
    pd = sys.modules.get("pandas")
    if pd is not None and (obj is pd.NA or obj is pd.NaT):
        return True
    return isinstance(obj, (np.datetime64, np.timedelta64)) and bool(np.isnat(obj))


def _plain_scalar(obj: Any) -> Any:
    """A scalar of numpy, pyarrow or the standard library (dates, paths, bytes) as a plain Python value to
    sanitise in turn; ``_NOT_SCALAR`` for anything else."""
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, (np.datetime64, np.timedelta64, np.complexfloating)):
        return str(obj)
    if isinstance(obj, np.generic):
        value = obj.item()
        return str(obj) if isinstance(value, np.generic) else value
    pa = sys.modules.get("pyarrow")
    if pa is not None and isinstance(obj, pa.Scalar):
        return obj.as_py()
    if isinstance(obj, (_dt.datetime, _dt.date, _dt.time)):
        return obj.isoformat()
    if isinstance(obj, PurePath):
        return str(obj)
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return bytes(obj).decode("utf-8", errors="replace")
    return _NOT_SCALAR


def _items(obj: Any) -> list[Any] | None:
    """The elements of a list-like (a sequence, a set, a numpy, pandas or pyarrow array or table), or None."""
    if isinstance(obj, (set, frozenset)):
        return sorted(obj, key=repr)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    pa = sys.modules.get("pyarrow")
    if pa is not None and isinstance(obj, (pa.Array, pa.ChunkedArray, pa.Table, pa.RecordBatch)):
        return obj.to_pylist()
    if isinstance(obj, Sequence):
        return list(obj)
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(obj, (pd.Index, pd.Categorical, pd.api.extensions.ExtensionArray)):
        return obj.tolist()
    return None


def _number(number: float | np.floating | Decimal, strategy: str, path: str) -> Any:
    """A number as a finite float; a non-finite one (or one beyond a float64) as ``strategy`` says."""
    if isinstance(number, Decimal) and number.is_nan():
        value, shown = math.nan, str(number)  # float() of a signalling NaN raises
    else:
        with np.errstate(over="ignore"):
            value = float(number)
        finite = number.is_finite() if isinstance(number, Decimal) else bool(np.isfinite(number))
        shown = f"{str(number)} (beyond a float64)" if finite else repr(value)
    if math.isfinite(value):
        return value
    if strategy == "null":
        return None
    if strategy == "raise":
        raise EvalvizError(f"non-finite number {shown} at {path}")
    return skipped_metric(f"non-finite numeric value: {shown}")


class PayloadValidationError(EvalvizError):
    """A payload does not match the JSON Schema it was checked against (a `ValueError`, as every `EvalvizError`)."""


def available_schemas() -> list[str]:
    """Names of the JSON Schemas bundled with evalviz.analysis.

    Returns:
        The file names, sorted ("manifest.v1.json", ..., "results.v1.json").

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
        raise EvalvizError(f"unknown schema {schema_name!r}; bundled schemas are {', '.join(names)}")
    text = (resources.files("evalviz.analysis") / "schemas" / schema_name).read_text(encoding="utf-8")
    return json.loads(text)


def validate_payload(payload: Any, schema_name: str = "results.v1.json") -> None:
    """Check `payload` against a bundled JSON Schema (Draft 2020-12).

    The payload is first passed through `sanitize_for_json`, so what is checked is what would be written (a
    `BootstrapResult` is checked as its dict). `manifest.v1.json` to `manifest.v3.json` check eval-toolkit's run
    manifests (see `evalviz.analysis.validate_manifest`).

    Args:
        payload: The payload, e.g. a `results.json` of eval-toolkit.
        schema_name: One of `available_schemas()`.

    Raises:
        PayloadValidationError: The payload does not match, naming the failing location.
        EvalvizError: An unknown schema name.

    Example:
        >>> validate_payload({"schema_version": "v1", "run_id": "r1", "config": {}, "by_slice": {}})
    """
    problem = _schema_problem(payload, _load_schema(schema_name))
    if problem is not None:
        raise PayloadValidationError(f"payload does not match {schema_name} at {problem}")


def check_schema(kind: str, data: Any, schema_name: str, part: str | None = None) -> None:
    """Raise when ``data``, given to ``kind.from_dict``, does not match a bundled schema (or its property
    ``part``): what ``from_dict`` accepts is what the schema accepts.

    Example:
        >>> check_schema("PredictionColumns", {"label": None, "score": "p"}, "prediction_ref.v1.json", "columns")
        Traceback (most recent call last):
        ...
        evalviz.analysis.artifacts.PayloadValidationError: PredictionColumns.from_dict: ...
    """
    schema = _load_schema(schema_name)
    if part is not None:
        schema = {"$schema": schema["$schema"], **schema["properties"][part]}
    problem = _schema_problem(data, schema)
    if problem is not None:
        where = schema_name if part is None else f"the {part} of {schema_name}"
        raise PayloadValidationError(f"{kind}.from_dict: the mapping does not match {where} at {problem}")


def _schema_problem(payload: Any, schema: Mapping[str, Any]) -> str | None:
    """Where and how ``payload`` (as :func:`sanitize_for_json` writes it) breaks ``schema``, or None."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    errors = list(Draft202012Validator(schema).iter_errors(sanitize_for_json(payload)))
    if not errors:
        return None
    err = best_match(errors)
    where = "$" + "".join(f"[{p!r}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
    total = f" ({len(errors)} problems in total)" if len(errors) > 1 else ""
    return f"{where}: {err.message}{total}"
