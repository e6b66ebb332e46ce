"""Analysis from persisted predictions: bootstrap intervals, paired differences, and tables to draw.

Did the new scorer really beat the old one, on which slices, and with what uncertainty? The
functions here answer from prediction artifacts on disk (CSV, JSON Lines, Parquet) without re-running
inference, and write long-form tables that the views draw.

Results are frozen dataclasses (`BootstrapResult`, `PairedDiffResult`, `MetricState`, `PredictionArtifactRef`)
whose `to_dict()` gives eval-toolkit's dicts; the bootstrap results also read as those dicts (`result["low"]`).
Bad input raises an `evalviz.errors.EvalvizError` subclass naming the problem, before any file is read.
"""

from evalviz.analysis.artifacts import (
    MEDIA_TYPE_ALIASES,
    MEDIA_TYPES,
    MetricState,
    PayloadValidationError,
    PredictionArtifactRef,
    PredictionColumns,
    available_schemas,
    error_metric,
    sanitize_for_json,
    skipped_metric,
    validate_payload,
)
from evalviz.analysis.bootstrap import (
    bootstrap_metric,
    bootstrap_metric_from_predictions,
    bootstrap_metrics,
    paired_bootstrap_diff,
    resample_metric_values,
)
from evalviz.analysis.manifests import MANIFEST_VERSIONS, load_manifest, validate_manifest
from evalviz.analysis.metrics import (
    Metric,
    available_metrics,
    compute_metric,
    get_metric,
    register_metric,
    unregister_metric,
)
from evalviz.analysis.paired import align_prediction_arrays, paired_diff_from_prediction_refs
from evalviz.analysis.readers import (
    PredictionArrays,
    file_sha256,
    load_prediction_arrays,
    prediction_ref_for_file,
)
from evalviz.analysis.results import BootstrapResult, PairedDiffResult
from evalviz.analysis.tables import evaluate_slices, paired_diff_between_models, paired_diff_table

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
