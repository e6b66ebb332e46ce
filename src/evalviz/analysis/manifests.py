"""eval-toolkit's run manifests (``manifest.json``): checked against their schema version and read with their
prediction artifacts as refs.

A manifest is the reproducibility sidecar eval-toolkit writes next to ``results.json``: code versions, seeds,
data digests, environment, and (from v2 on) the prediction files the run kept, as ``prediction_artifacts``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from evalviz.analysis.artifacts import PayloadValidationError, PredictionArtifactRef, validate_payload
from evalviz.errors import ArgumentTypeError, DataSourceError, EvalvizError

__all__ = ["MANIFEST_VERSIONS", "load_manifest", "validate_manifest"]

#: The manifest schema versions eval-toolkit writes, each checked by the bundled ``manifest.<version>.json``.
MANIFEST_VERSIONS: tuple[str, ...] = ("v1", "v2", "v3")


def validate_manifest(manifest: Mapping[str, Any]) -> None:
    """Check a run manifest against the schema of its `schema_version` (`manifest.v1.json` to `v3`).

    Every manifest eval-toolkit's schemas accept is accepted (its prediction artifacts may also leave out the label
    column, for score-only metrics).

    Args:
        manifest: The parsed manifest.

    Raises:
        PayloadValidationError: The manifest does not match, naming the failing location (or its unknown
            `schema_version`).

    Example:
        >>> validate_manifest({"schema_version": "v1", "run_id": "r1", "code_versions": {}, "env": {}})
        >>> validate_manifest({"schema_version": "v9", "run_id": "r1"})
        Traceback (most recent call last):
        ...
        evalviz.analysis.artifacts.PayloadValidationError: manifest schema_version 'v9' is not one of v1, v2, v3 ...
    """
    if not isinstance(manifest, Mapping):
        raise PayloadValidationError(f"a manifest is a JSON object (a mapping), got {type(manifest).__name__}")
    version = manifest.get("schema_version")
    if version not in MANIFEST_VERSIONS:
        found = "has no schema_version" if "schema_version" not in manifest else f"schema_version {version!r}"
        raise PayloadValidationError(
            f"manifest {found} is not one of {', '.join(MANIFEST_VERSIONS)} (the versions eval-toolkit writes); "
            "set schema_version to the version the manifest was written with"
        )
    validate_payload(manifest, f"manifest.{version}.json")


def load_manifest(source: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Any]:
    """Read a run manifest (a `manifest.json` file, or its parsed mapping), checked, with its prediction artifacts as
    refs.

    Each entry of `prediction_artifacts` becomes a `PredictionArtifactRef` (its checks apply: a digest evalviz can
    compute, a media type it reads), ready for `load_prediction_arrays`, `bootstrap_metric_from_predictions` or
    `evaluate_slices`. Their `uri` is kept as written: a relative one is read from the working directory, like any
    ref's.

    Args:
        source: A path to the manifest, or its parsed mapping.

    Returns:
        The manifest, as written but for its refs; `sanitize_for_json` of it gives the manifest back.

    Raises:
        ArgumentTypeError: `source` is neither a path nor a mapping, or an artifact entry has a field of the
            wrong type (naming the entry).
        DataSourceError: The file is missing, a folder, or not strict JSON.
        PayloadValidationError: The manifest does not match its schema (see `validate_manifest`).
        EvalvizError: An artifact entry is not a valid ref (naming the entry).

    Example:
        >>> m = load_manifest("runs/42/manifest.json")  # doctest: +SKIP
        >>> [ref.uri for ref in m["prediction_artifacts"]]  # doctest: +SKIP
        ['runs/42/predictions.parquet']
    """
    where = "the manifest"
    if isinstance(source, Mapping):
        manifest = dict(source)
    elif isinstance(source, (str, os.PathLike)):
        where = repr(os.fspath(source))
        manifest = _read_json(Path(source))
    else:
        raise ArgumentTypeError(f"load_manifest takes a path or a mapping, got {type(source).__name__}")
    try:
        validate_manifest(manifest)
    except PayloadValidationError as exc:
        raise PayloadValidationError(f"{where}: {exc}") from None
    if "prediction_artifacts" in manifest:
        entries = manifest["prediction_artifacts"]
        manifest["prediction_artifacts"] = [
            _ref(entry, f"prediction_artifacts[{i}] of {where}") for i, entry in enumerate(entries)
        ]
    return manifest


def _read_json(path: Path) -> dict[str, Any]:
    """A manifest file's JSON object; strict JSON (no NaN or Infinity), as eval-toolkit writes it."""
    if not path.is_file():
        what = "is a folder, not a manifest file" if path.is_dir() else "does not exist"
        raise DataSourceError(f"manifest {str(path)!r} {what}")

    def refuse(constant: str) -> Any:
        raise DataSourceError(f"{constant} is not JSON")

    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)
    except json.JSONDecodeError as exc:
        raise DataSourceError(f"manifest {str(path)!r} is not valid JSON: {exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataSourceError(f"manifest {str(path)!r} is not strict JSON: {exc}") from None
    if not isinstance(data, dict):
        raise PayloadValidationError(f"manifest {str(path)!r} holds a JSON {type(data).__name__}, not an object")
    return data


def _ref(entry: Any, where: str) -> PredictionArtifactRef:
    try:
        return PredictionArtifactRef.from_dict(entry)
    except TypeError as exc:
        raise ArgumentTypeError(f"{where}: {exc}") from None
    except EvalvizError as exc:
        raise EvalvizError(f"{where}: {exc}") from None
