"""Analysis from persisted predictions: bootstrap intervals, paired differences, and tables to draw.

Did the new scorer really beat the old one, on which slices, and with what uncertainty? The
functions here answer from prediction artifacts on disk (CSV, JSON Lines, Parquet) without re-running
inference, and write long-form tables that the views draw.

Results are frozen dataclasses (`BootstrapResult`, `PairedDiffResult`, `MetricState`, `PredictionArtifactRef`)
whose `to_dict()` gives eval-toolkit's dicts; the bootstrap results also read as those dicts (`result["low"]`).
Bad input raises an `evalviz.errors.EvalvizError` subclass naming the problem, before any file is read.
"""

from __future__ import annotations

import importlib
from typing import Any

# Each public name, and the module of this package that defines it: a module is imported when one of its names
# is first used, so drawing a curve does not import the bootstrap, manifests or readers.
_EXPORTS = {
    "MEDIA_TYPE_ALIASES": "artifacts",
    "MEDIA_TYPES": "artifacts",
    "MetricState": "artifacts",
    "PayloadValidationError": "artifacts",
    "PredictionArtifactRef": "artifacts",
    "PredictionColumns": "artifacts",
    "available_schemas": "artifacts",
    "error_metric": "artifacts",
    "sanitize_for_json": "artifacts",
    "skipped_metric": "artifacts",
    "validate_payload": "artifacts",
    "bootstrap_metric": "bootstrap",
    "bootstrap_metric_from_predictions": "bootstrap",
    "bootstrap_metrics": "bootstrap",
    "paired_bootstrap_diff": "bootstrap",
    "resample_metric_values": "bootstrap",
    "MANIFEST_VERSIONS": "manifests",
    "load_manifest": "manifests",
    "validate_manifest": "manifests",
    "Metric": "metrics",
    "available_metrics": "metrics",
    "compute_metric": "metrics",
    "get_metric": "metrics",
    "register_metric": "metrics",
    "unregister_metric": "metrics",
    "align_prediction_arrays": "paired",
    "paired_diff_from_prediction_refs": "paired",
    "PredictionArrays": "readers",
    "file_sha256": "readers",
    "load_prediction_arrays": "readers",
    "prediction_ref_for_file": "readers",
    "BootstrapResult": "results",
    "PairedDiffResult": "results",
    "evaluate_slices": "tables",
    "paired_diff_between_models": "tables",
    "paired_diff_table": "tables",
}


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use."""
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"evalviz.analysis.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

__all__ = [
    "MANIFEST_VERSIONS",
    "MEDIA_TYPE_ALIASES",
    "MEDIA_TYPES",
    "BootstrapResult",
    "Metric",
    "MetricState",
    "PairedDiffResult",
    "PayloadValidationError",
    "PredictionArrays",
    "PredictionArtifactRef",
    "PredictionColumns",
    "align_prediction_arrays",
    "available_metrics",
    "available_schemas",
    "bootstrap_metric",
    "bootstrap_metric_from_predictions",
    "bootstrap_metrics",
    "compute_metric",
    "error_metric",
    "evaluate_slices",
    "file_sha256",
    "get_metric",
    "load_manifest",
    "load_prediction_arrays",
    "paired_bootstrap_diff",
    "paired_diff_between_models",
    "paired_diff_from_prediction_refs",
    "paired_diff_table",
    "prediction_ref_for_file",
    "register_metric",
    "resample_metric_values",
    "sanitize_for_json",
    "skipped_metric",
    "unregister_metric",
    "validate_manifest",
    "validate_payload",
]
