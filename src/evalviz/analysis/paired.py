"""Paired comparisons of two prediction artifacts: rows joined by id, resampled together."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from evalviz.analysis.arguments import SeedLike, check_column_name, check_scorer
from evalviz.analysis.artifacts import PredictionArtifactRef
from evalviz.analysis.bootstrap import Method, bootstrap_arrays, check_paired
from evalviz.analysis.metrics import get_metric
from evalviz.analysis.readers import PredictionArrays, load_prediction_arrays, select_scorer
from evalviz.analysis.results import PairedDiffResult
from evalviz.errors import EvalvizError

__all__ = ["AlignedPair", "align_prediction_arrays", "paired_diff_from_prediction_refs"]

_SHOW = 3  # how many offending rows an error message names


@dataclass(frozen=True, eq=False)
class AlignedPair:
    """Two scorers' predictions on the same rows, in the baseline's order.

    Attributes:
        labels: The 0/1 labels (the baseline's, else the candidate's; None when neither has any).
        baseline_scores: The baseline's scores.
        candidate_scores: The candidate's scores, in the baseline's row order.
        row_ids: The row ids (None when rows were matched by position).
        extra: The baseline's extra columns (e.g. slice or cluster), aligned the same way.
        candidate_rows: The row of the candidate's file each candidate score comes from.

    Example:
        >>> base = PredictionArrays(np.array([0, 1], dtype=np.int8), np.array([0.2, 0.7]), ("a", "b"))
        >>> cand = PredictionArrays(np.array([1, 0], dtype=np.int8), np.array([0.9, 0.1]), ("b", "a"))
        >>> align_prediction_arrays(base, cand).candidate_scores
        array([0.1, 0.9])
    """

    labels: np.ndarray | None
    baseline_scores: np.ndarray
    candidate_scores: np.ndarray
    row_ids: tuple[str, ...] | None
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    candidate_rows: np.ndarray | None = None


def _shown(values: Sequence[Any]) -> str:
    head = ", ".join(repr(v) for v in values[:_SHOW])
    return head + (", ..." if len(values) > _SHOW else "")


def _repeated(values: pa.Array) -> tuple[int, Any, int] | None:
    """(how many distinct values repeat, the first of them, its count), or None when all are unique."""
    counts = pc.value_counts(values)
    dupes = counts.filter(pc.greater(counts.field("counts"), 1))
    if not len(dupes):
        return None
    first = dupes[0].as_py()
    return len(dupes), first["values"], first["counts"]


def _check_unique(ids: pa.Array, side: str) -> None:
    repeated = _repeated(ids)
    if repeated is not None:
        n_repeated, value, count = repeated
        raise EvalvizError(
            f"row_id must be unique to join rows, but {n_repeated} id(s) repeat in the {side} "
            f"(e.g. {value!r} appears {count} times)"
        )


def align_prediction_arrays(
    baseline: PredictionArrays,
    candidate: PredictionArrays,
    *,
    baseline_name: str = "baseline",
    candidate_name: str = "candidate",
) -> AlignedPair:
    """Match the rows of two prediction artifacts for a paired comparison.

    With row ids on both sides rows are joined by id (a join, not position); without row ids on either side rows
    are matched by position.

    Args:
        baseline: The baseline's arrays.
        candidate: The candidate's arrays.
        baseline_name, candidate_name: How errors name the two sides.

    Returns:
        The `AlignedPair`, in the baseline's order.

    Raises:
        EvalvizError: Only one side has row ids; ids repeat; rows are present on one side only (with their
            counts and the first ids); a `content_hash` differs for the same id; labels differ for the same row;
            without ids, the row counts differ.

    Example:
        >>> y = np.array([0, 1], dtype=np.int8)
        >>> pair = align_prediction_arrays(PredictionArrays(y, np.array([0.1, 0.8])),
        ...                                PredictionArrays(y, np.array([0.3, 0.6])))
        >>> pair.baseline_scores, pair.candidate_scores
        (array([0.1, 0.8]), array([0.3, 0.6]))
    """
    b_ids, c_ids = baseline.row_ids, candidate.row_ids
    if (b_ids is None) != (c_ids is None):
        has, lacks = (baseline_name, candidate_name) if b_ids is not None else (candidate_name, baseline_name)
        raise EvalvizError(
            f"the {has} maps a row_id column but the {lacks} does not; map row_id on both to join rows "
            "by id, or on neither to match them by position"
        )
    if b_ids is not None and c_ids is not None:
        b_arr = pa.array(b_ids, type=pa.string())
        c_arr = pa.array(c_ids, type=pa.string())
        _check_unique(b_arr, baseline_name)
        _check_unique(c_arr, candidate_name)
        # For each baseline row, where its id sits in the candidate.
        where = pc.index_in(b_arr, value_set=c_arr)
        only_base_mask = np.asarray(where.is_null().to_numpy(zero_copy_only=False))
        in_base = np.asarray(pc.is_in(c_arr, value_set=b_arr).to_numpy(zero_copy_only=False))
        only_cand = np.flatnonzero(~in_base)
        only_base = np.flatnonzero(only_base_mask)
        if len(only_base) or len(only_cand):
            parts = []
            if len(only_base):
                parts.append(
                    f"{len(only_base)} only in the {baseline_name} "
                    f"(e.g. {_shown([b_ids[i] for i in only_base])})"
                )
            if len(only_cand):
                parts.append(
                    f"{len(only_cand)} only in the {candidate_name} "
                    f"(e.g. {_shown([c_ids[i] for i in only_cand])})"
                )
            raise EvalvizError(
                f"the two artifacts do not hold the same rows: {len(b_ids) - len(only_base)} row_ids match, "
                + "; ".join(parts)
            )
        take = where.to_numpy(zero_copy_only=False).astype(np.int64)
        row_ids: tuple[str, ...] | None = b_ids
    else:
        if len(baseline) != len(candidate):
            raise EvalvizError(
                f"without row_id columns rows are matched by position, but the {baseline_name} has "
                f"{len(baseline)} rows and the {candidate_name} {len(candidate)}"
            )
        take = np.arange(len(baseline))
        row_ids = None

    def name_rows(rows: np.ndarray) -> str:
        if row_ids is not None:
            return "row_id " + _shown([row_ids[i] for i in rows])
        return "row " + _shown([int(i) for i in rows])

    if baseline.content_hashes is not None and candidate.content_hashes is not None:
        b_hash = np.asarray(baseline.content_hashes, dtype=object)
        c_hash = np.asarray(candidate.content_hashes, dtype=object)[take]
        differ = np.flatnonzero(b_hash != c_hash)
        if len(differ):
            i = differ[0]
            raise EvalvizError(
                f"content_hash differs for {len(differ)} matched row(s), so the same id no longer means the "
                f"same input: {name_rows(differ)}; first: {baseline_name} {b_hash[i]!r} vs "
                f"{candidate_name} {c_hash[i]!r}"
            )
    labels = baseline.labels
    if baseline.labels is not None and candidate.labels is not None:
        c_labels = candidate.labels[take]
        differ = np.flatnonzero(baseline.labels != c_labels)
        if len(differ):
            raise EvalvizError(
                f"labels differ for {len(differ)} matched row(s): {name_rows(differ)}; a paired comparison "
                "needs the same ground truth on both sides"
            )
    elif labels is None and candidate.labels is not None:
        labels = candidate.labels[take]
    return AlignedPair(
        labels=labels,
        baseline_scores=baseline.scores,
        candidate_scores=candidate.scores[take],
        row_ids=row_ids,
        extra=dict(baseline.extra),
        candidate_rows=take,
    )


def load_aligned_pair(
    baseline: PredictionArtifactRef | Mapping[str, Any],
    candidate: PredictionArtifactRef | Mapping[str, Any],
    *,
    extra_columns: Sequence[str] = (),
    baseline_scorer: str | None = None,
    candidate_scorer: str | None = None,
) -> tuple[AlignedPair, np.ndarray]:
    """Load two artifacts and align them (extra columns are read from the baseline): the pair, and the
    baseline's rows in its file.

    From an artifact holding several scorers in long form, ``baseline_scorer`` / ``candidate_scorer`` pick the
    rows of one (:func:`~evalviz.analysis.readers.select_scorer`): rows are paired within a scorer's rows, and
    scorers are never pooled. ``candidate_rows`` of the pair are rows of the candidate's file too.
    """
    for parameter, value in (("baseline_scorer", baseline_scorer), ("candidate_scorer", candidate_scorer)):
        check_scorer(parameter, value)
    both = "; baseline_scorer= and candidate_scorer= may also pick two scorers of the same file"
    base, base_rows = select_scorer(
        load_prediction_arrays(baseline, extra_columns=extra_columns), baseline, baseline_scorer,
        parameter="baseline_scorer", alternative=both,
    )
    cand, cand_rows = select_scorer(
        load_prediction_arrays(candidate), candidate, candidate_scorer,
        parameter="candidate_scorer", alternative=both,
    )
    pair = align_prediction_arrays(base, cand)
    return replace(pair, candidate_rows=cand_rows[pair.candidate_rows]), base_rows


def paired_diff_from_prediction_refs(
    baseline: PredictionArtifactRef | Mapping[str, Any],
    candidate: PredictionArtifactRef | Mapping[str, Any],
    *,
    metric: str = "pr_auc",
    n_resamples: int = 1000,
    seed: SeedLike = 0,
    confidence: float = 0.95,
    method: Method = "percentile",
    stratify: bool = False,
    cluster: str | None = None,
    min_rows: int = 10,
    baseline_scorer: str | None = None,
    candidate_scorer: str | None = None,
) -> PairedDiffResult:
    """Paired bootstrap of `metric(candidate) - metric(baseline)` from two prediction artifacts.

    Both scorers are scored on every resample. The arguments are checked before either artifact is read.

    Args:
        baseline: The baseline's `PredictionArtifactRef` or its `to_dict()`.
        candidate: The candidate's. Rows are joined by `row_id` when both refs map one (otherwise by
            position); see `align_prediction_arrays` for the checks.
        metric: The metric compared.
        n_resamples, seed, confidence, method, stratify, min_rows: As in `bootstrap_metrics`.
        cluster: A column of the baseline artifact to resample by.
        baseline_scorer, candidate_scorer: The scorer to pick from an artifact holding several in long form; rows
            are then paired within it (the same file may be both sides, one scorer against another).

    Returns:
        The `PairedDiffResult`: `metric, delta, low, high, ci_95, overlaps_zero, n_resamples, n` plus
        `baseline`, `candidate`, `confidence`, `method`, `status`, `reason` and `details`.

    Raises:
        EvalvizError: A bad argument, rows that do not match, an artifact of several scorers without a scorer
            picked, an unreadable or changed file (`DataSourceError`).

    Example:
        >>> cols = {"label": "y", "score": "p", "row_id": "id"}
        >>> old = {"uri": "old.csv", "media_type": "text/csv", "columns": cols}
        >>> new = {"uri": "new.csv", "media_type": "text/csv", "columns": cols}
        >>> d = paired_diff_from_prediction_refs(old, new, metric="roc_auc")  # doctest: +SKIP
        >>> d["delta"], d.overlaps_zero  # doctest: +SKIP
        (0.021, False)
    """
    metric_obj = get_metric(metric)
    resampling = check_paired(
        n_resamples=n_resamples,
        seed=seed,
        method=method,
        confidence=confidence,
        min_rows=min_rows,
        stratify=stratify,
    )
    check_column_name("cluster", cluster)
    pair, _ = load_aligned_pair(
        baseline,
        candidate,
        extra_columns=[cluster] if cluster else [],
        baseline_scorer=baseline_scorer,
        candidate_scorer=candidate_scorer,
    )
    res = bootstrap_arrays(
        pair.labels,
        [pair.baseline_scores, pair.candidate_scores],
        ["baseline_scores", "candidate_scores"],
        [metric_obj],
        resampling,
        paired=True,
        clusters=pair.extra[cluster] if cluster else None,
    )
    return PairedDiffResult.from_bootstrap(res[metric_obj.name])
