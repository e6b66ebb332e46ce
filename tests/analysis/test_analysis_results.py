"""The analysis results are frozen dataclasses that read as eval-toolkit's dicts, and bad input raises an
EvalvizError subclass naming the bad value (issue 11)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from evalviz.analysis import (
    BootstrapResult,
    MetricState,
    PairedDiffResult,
    PredictionColumns,
    bootstrap_metric,
    bootstrap_metric_from_predictions,
    bootstrap_metrics,
    evaluate_slices,
    get_metric,
    load_manifest,
    paired_bootstrap_diff,
    paired_diff_from_prediction_refs,
    sanitize_for_json,
    unregister_metric,
    validate_payload,
)
from evalviz.analysis.artifacts import media_type_reader
from evalviz.analysis.readers import value_text
from evalviz.errors import ArgumentTypeError, EvalvizError, UnknownNameError

BOOTSTRAP_KEYS = ["metric", "point", "low", "high", "ci_95", "confidence", "n_resamples", "method", "n",
                  "status", "reason", "details"]
PAIRED_KEYS = ["metric", "delta", "low", "high", "ci_95", "overlaps_zero", "n_resamples", "n", "baseline",
               "candidate", "confidence", "method", "status", "reason", "details"]


def _data(n: int = 300, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return y, np.round(y + rng.normal(size=n), 3), np.round(y + rng.normal(scale=0.6, size=n), 3)


@pytest.fixture
def refs(tmp_path, write_predictions, make_ref):
    """Two prediction files of the same rows (joined by id), and their arrays."""
    y, old, new = _data()
    ids = [f"s{i}" for i in range(len(y))]
    paths = [write_predictions(tmp_path / name, {"id": ids, "label": y.tolist(), "score": s.tolist()}, "parquet")
             for name, s in (("old", old), ("new", new))]
    return [make_ref(p, "parquet", row_id="id") for p in paths], (y, old, new)


@pytest.fixture
def results(refs) -> dict[str, BootstrapResult | PairedDiffResult]:
    """One result of each public function, ok and skipped."""
    (old_ref, new_ref), (y, old, new) = refs
    return {
        "bootstrap_metric": bootstrap_metric(y, old, metric="roc_auc", n_resamples=200, method="bca"),
        "bootstrap_metrics": bootstrap_metrics(y, old, metrics=["pr_auc", "roc_auc"], n_resamples=200)["pr_auc"],
        "from_predictions": bootstrap_metric_from_predictions(new_ref, metric="roc_auc", n_resamples=200),
        "skipped": bootstrap_metric(np.zeros(40, dtype=int), old[:40], metric="roc_auc"),
        "paired": paired_bootstrap_diff(y, old, new, metric="roc_auc", n_resamples=200),
        "paired_refs": paired_diff_from_prediction_refs(old_ref, new_ref, metric="pr_auc", n_resamples=200),
        "paired_skipped": paired_bootstrap_diff(np.ones(40, dtype=int), old[:40], new[:40], metric="roc_auc"),
    }


def test_each_function_returns_its_result_class_with_eval_toolkits_keys_in_order(results):
    for name, result in results.items():
        paired = name.startswith("paired")
        assert type(result) is (PairedDiffResult if paired else BootstrapResult), name
        keys = list(result.to_dict())
        expected = PAIRED_KEYS if paired else BOOTSTRAP_KEYS
        if result.status == "ok":
            assert keys == expected, name
        else:  # a result without an interval also says value=None, as MetricState writes it
            assert result.to_dict()["value"] is None and set(keys) == {*expected, "value"}, name


def test_results_are_frozen(results):
    for name, result in results.items():
        for field in ("low", "status", "details"):
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(result, field, None)
        with pytest.raises(TypeError):  # a read-only mapping: no item assignment
            result["low"] = 0.0  # type: ignore[index]
        assert result.to_dict()["low"] == result.low, name


def test_to_dict_equals_the_mapping_view(results):
    for name, result in results.items():
        as_dict = result.to_dict()
        assert dict(result) == as_dict and list(result) == list(as_dict) and len(result) == len(as_dict), name
        assert all(result[key] == value for key, value in as_dict.items() if key != "details"), name
        assert result["details"] == as_dict["details"] and "low" in result and "nope" not in result
        assert result == as_dict and as_dict == result  # compares as the dict eval-toolkit code compares
        assert result != {**as_dict, "low": -1.0}
        assert result.get("nope", "default") == "default"
        with pytest.raises(KeyError):
            result["nope"]


def test_values_agree_with_sklearn(refs, results):
    _, (y, old, new) = refs
    assert results["bootstrap_metric"].point == pytest.approx(roc_auc_score(y, old), abs=1e-12)
    assert results["bootstrap_metrics"]["point"] == pytest.approx(average_precision_score(y, old), abs=1e-12)
    assert results["from_predictions"].point == pytest.approx(roc_auc_score(y, new), abs=1e-12)
    paired = results["paired"]
    assert paired.baseline == pytest.approx(roc_auc_score(y, old), abs=1e-12)
    assert paired.candidate == pytest.approx(roc_auc_score(y, new), abs=1e-12)
    assert paired.delta == pytest.approx(roc_auc_score(y, new) - roc_auc_score(y, old), abs=1e-12)
    assert paired.overlaps_zero == (paired.low <= 0 <= paired.high)
    refs_result = results["paired_refs"]
    expected = average_precision_score(y, new) - average_precision_score(y, old)
    assert refs_result.delta == pytest.approx(expected, abs=1e-12)


def test_json_round_trip_via_to_dict(results):
    for name, result in results.items():
        text = json.dumps(result.to_dict(), allow_nan=False)
        assert json.loads(text) == result, name
        assert sanitize_for_json(result) == json.loads(text), name  # the JSON writers take a result as it is
    skipped = results["skipped"]
    assert json.loads(json.dumps(skipped.to_dict()))["reason"] == "single-class data: 0 positive and 40 negative rows"


def test_validate_payload_takes_results(results):
    payload = {"schema_version": "v1", "run_id": "r1", "config": {}, "by_slice": {"all": dict(results)}}
    validate_payload(payload)
    assert json.loads(json.dumps(sanitize_for_json(payload), allow_nan=False))["by_slice"]["all"]["paired"] == (
        results["paired"].to_dict()
    )


def test_a_result_refuses_an_unknown_status():
    with pytest.raises(EvalvizError, match="BootstrapResult.status must be one of ok, skipped, error, got 'fine'"):
        BootstrapResult("mean", 0.5, 0.4, 0.6, (0.4, 0.6), 0.95, 10, "percentile", 3, status="fine")


def _bootstrap(**kwargs):
    y, s, _ = _data(50)
    return lambda: bootstrap_metric(y, s, **kwargs)


BAD_INPUT = {
    "metric of another type": (lambda: get_metric(3), ArgumentTypeError, TypeError, "got int"),
    "unregistered metric": (lambda: unregister_metric("nope_metric"), UnknownNameError, KeyError, "'nope_metric'"),
    "column of another type": (lambda: PredictionColumns(label=3, score="p"), ArgumentTypeError, TypeError,
                               "got int 3"),
    "table of another type": (lambda: evaluate_slices(42, scorers=["a"]), ArgumentTypeError, TypeError, "got int"),
    "manifest of another type": (lambda: load_manifest(42), ArgumentTypeError, TypeError, "got int"),
    "media type of another type": (lambda: media_type_reader(5), ArgumentTypeError, TypeError, "got int"),
    "unknown media type": (lambda: media_type_reader("text/tsv"), EvalvizError, ValueError, "'text/tsv'"),
    "id that names no row": (lambda: value_text([1]), ArgumentTypeError, TypeError, "a list names no row"),
    "metric state status": (lambda: MetricState(1.0, "fine"), EvalvizError, ValueError, "got 'fine'"),
    "n_resamples": (_bootstrap(n_resamples=1), EvalvizError, ValueError, "got 1"),
    "seed": (_bootstrap(seed=-1), EvalvizError, ValueError, "got -1"),
    "method": (_bootstrap(method="bogus"), EvalvizError, ValueError, "got 'bogus'"),
    "confidence": (_bootstrap(confidence=95), EvalvizError, ValueError, "got 95"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_raises_an_evalviz_error_naming_the_bad_value(case):
    call, error, builtin, shown = BAD_INPUT[case]
    with pytest.raises(error) as info:
        call()
    assert isinstance(info.value, EvalvizError) and isinstance(info.value, builtin)
    assert shown in str(info.value) and not str(info.value).startswith('"')

