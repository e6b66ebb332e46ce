"""Long-form tables of bootstrap results, one row per (slice, scorer, metric), for the views to draw.

``evaluate_slices`` feeds ``slice_metric_heatmap``; ``paired_diff_table`` and
``paired_diff_between_models`` (inspect_ai sample tables) feed ``diff_plot``. Each public
function returns an ``evalviz.data.Data``; the ``*_arrow`` twins return the ``pyarrow.Table``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from evalviz.analysis.arguments import (
    Resampling,
    SeedLike,
    check_column_name,
    check_flag,
    check_resampling,
)
from evalviz.analysis.artifacts import PredictionArtifactRef
from evalviz.analysis.bootstrap import Method, check_paired, metric_list, run_bootstrap
from evalviz.analysis.metrics import Metric, as_labels, get_metric, unusable_scores
from evalviz.analysis.paired import _repeated, load_aligned_pair
from evalviz.analysis.readers import (
    as_ref,
    labels_from_arrow,
    load_prediction_arrays,
    mapped_slice_columns,
    plain_array,
    scorer_rows,
    scores_from_arrow,
    value_text,
)
from evalviz.analysis.results import PairedDiffResult
from evalviz.constants.long_form import (
    BASELINE_NAME,
    BASELINE_VALUE,
    CANDIDATE_NAME,
    CANDIDATE_VALUE,
    DELTA,
    HIGH,
    LOW,
    METRIC,
    OVERLAPS_ZERO,
    REASON,
    SCORER,
    SLICE,
    STATUS,
    VALUE,
    N,
)
from evalviz.constants.statuses import ERROR
from evalviz.data.connection import quote_identifier, quote_literal
from evalviz.errors import ArgumentTypeError, EvalvizError

__all__ = [
    "PAIRED_SCHEMA",
    "SLICE_SCHEMA",
    "evaluate_slices",
    "evaluate_slices_arrow",
    "paired_diff_between_models",
    "paired_diff_between_models_arrow",
    "paired_diff_table",
    "paired_diff_table_arrow",
]

#: Columns of :func:`evaluate_slices` (the input of ``slice_metric_heatmap``).
SLICE_SCHEMA = pa.schema(
    [
        (SLICE, pa.string()),
        (SCORER, pa.string()),
        (METRIC, pa.string()),
        (VALUE, pa.float64()),
        (LOW, pa.float64()),
        (HIGH, pa.float64()),
        (N, pa.int64()),
        (STATUS, pa.string()),
        (REASON, pa.string()),
    ]
)

#: Columns of the paired-difference tables (the input of ``diff_plot``).
PAIRED_SCHEMA = pa.schema(
    [
        (SLICE, pa.string()),
        (METRIC, pa.string()),
        (DELTA, pa.float64()),
        (LOW, pa.float64()),
        (HIGH, pa.float64()),
        (N, pa.int64()),
        (OVERLAPS_ZERO, pa.bool_()),
        (STATUS, pa.string()),
        (REASON, pa.string()),
        (BASELINE_VALUE, pa.float64()),
        (CANDIDATE_VALUE, pa.float64()),
        (BASELINE_NAME, pa.string()),
        (CANDIDATE_NAME, pa.string()),
    ]
)

_MISSING_SLICE = "(missing)"
DEFAULT_LABEL = "label"  # evaluate_slices' label column, needed only by metrics that need labels
_AUTO_PROGRESS_SLICES = 10
# inspect_ai's letter scores, valued as inspect's value_to_float does by default.
_INSPECT_LETTERS = {"C": 1.0, "I": 0.0, "P": 0.5, "N": 0.0}

RefLike = PredictionArtifactRef | Mapping[str, Any]


def _as_data(table: pa.Table) -> Any:
    from evalviz.data import Data

    return Data.from_dataframe(table)


def as_arrow_table(obj: Any) -> pa.Table:
    """Turn a table-like (pyarrow, evalviz Data, pandas, polars, DuckDB relation) into a pyarrow Table."""
    if isinstance(obj, pa.Table):
        return obj
    if isinstance(obj, pa.RecordBatch):
        return pa.Table.from_batches([obj])
    if isinstance(obj, pa.RecordBatchReader):
        return obj.read_all()
    for attr in ("to_arrow", "to_arrow_table"):
        method = getattr(obj, attr, None)
        if callable(method):
            out = method()
            if isinstance(out, pa.RecordBatchReader):
                out = out.read_all()
            if isinstance(out, pa.Table):
                return out
    if hasattr(obj, "__arrow_c_stream__"):
        return pa.table(obj)
    if type(obj).__module__.startswith("pandas"):
        return pa.Table.from_pandas(obj, preserve_index=False)
    if hasattr(obj, "__dataframe__"):
        from pyarrow.interchange import from_dataframe

        return from_dataframe(obj)
    if isinstance(obj, Mapping):
        return pa.table(dict(obj))
    raise ArgumentTypeError(f"expected a table (pyarrow, evalviz Data, pandas, polars), got {type(obj).__name__}")


def _columns(value: str | Sequence[str] | None, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        out = list(value)
    except TypeError:
        out = [value]
    if not all(isinstance(v, str) and v for v in out):
        raise ArgumentTypeError(f"{what} must be a column name or a list of column names, got {value!r}")
    return out


def _text(value: Any) -> str:
    """A slice value's name: as readers name ids (5.0 is "5", inf is "inf"), a missing value "(missing)"."""
    if _is_missing(value):
        return _MISSING_SLICE
    try:
        return value_text(value)
    except (TypeError, UnicodeDecodeError):  # a list or a mapping: shown as Python writes it
        return str(value)


def _categories(column: Any) -> list[str] | None:
    """The categories of a dictionary-encoded (categorical) column, in their declared order; None otherwise."""
    if not isinstance(column, (pa.Array, pa.ChunkedArray)) or not pa.types.is_dictionary(column.type):
        return None
    if isinstance(column, pa.Array):
        return [_text(v) for v in column.dictionary.to_pylist()]
    unified = column.unify_dictionaries()
    return [_text(v) for v in unified.chunk(0).dictionary.to_pylist()] if unified.num_chunks else []


def _values(column: Any) -> list[Any]:
    return column.to_pylist() if hasattr(column, "to_pylist") else list(column)


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _column_ranks(column: Any) -> tuple[list[str], list[int]]:
    """(each row's value as text, each row's rank): the category order of a categorical column, otherwise the
    order of first appearance; missing values last. Ranks tell a missing value from the text "(missing)"."""
    values = _values(column)
    ranks: dict[str, int] = {}
    for text in [*(_categories(column) or []), *(_text(v) for v in values if not _is_missing(v))]:
        ranks.setdefault(text, len(ranks))
    texts = [_text(v) for v in values]
    return texts, [len(ranks) if _is_missing(v) else ranks[t] for v, t in zip(values, texts, strict=True)]


def _slice_keys(columns: Sequence[Any], n: int) -> tuple[np.ndarray, list[str]]:
    """(one slice name per row, the slice names in order): the values of the slice columns joined with ' / ',
    ordered as given (by each column's categories when it is categorical, else by first appearance)."""
    if not columns:
        return np.full(n, "", dtype=object), []
    ranked = [_column_ranks(col) for col in columns]
    names = [" / ".join(parts) for parts in zip(*(texts for texts, _ in ranked), strict=True)]
    keys: dict[str, tuple[int, ...]] = {}
    for name, key in zip(names, zip(*(ranks for _, ranks in ranked), strict=True), strict=True):
        if keys.setdefault(name, key) != key:
            raise EvalvizError(
                f"two different slices would both be named {name!r} (a missing value is shown as "
                f"{_MISSING_SLICE!r}, and the values of several columns are joined with ' / '); rename the "
                "values so that each slice has a name of its own"
            )
    return np.asarray(names, dtype=object), sorted(keys, key=keys.__getitem__)


def _slice_order(names: Sequence[str], sliced: bool, overall: str | None) -> list[tuple[str, bool]]:
    """(slice name, is_overall) in display order: the overall slice first, then the slices in their order."""
    order: list[tuple[str, bool]] = []
    if overall is not None or not sliced:
        order.append((overall if overall is not None else "all", True))
    if sliced:
        if overall is not None and overall in names:
            raise EvalvizError(f"a slice is named {overall!r}, like the overall slice; pass another overall=")
        order += [(name, False) for name in names]
    return order


def _check_table_options(overall: Any, progress: Any) -> None:
    """The options the table functions share besides resampling."""
    if overall is not None and not isinstance(overall, str):
        raise EvalvizError(f"overall must be the overall slice's name (a str) or None, got {overall!r}")
    check_flag("progress", progress, allow_none=True)


def _progress(total: int, show: bool | None, desc: str) -> Any:
    from tqdm.auto import tqdm

    if show is None:
        show = total >= _AUTO_PROGRESS_SLICES
    return tqdm(total=total, desc=desc, disable=not show, leave=False)


def _num(x: Any) -> float | None:
    """A value for a float column: None where there is none, or where it is not finite (a point value of a
    skipped difference may be NaN)."""
    return None if x is None or not math.isfinite(x) else float(x)


@dataclass
class _Block:
    """Rows that several scorers share: one label column and one score array per scorer. ``rows`` holds each
    row's number in the input (the table, or the file ``source``), for error messages."""

    labels: np.ndarray | None
    scores: dict[str, np.ndarray]
    slices: np.ndarray
    clusters: np.ndarray | None
    rows: np.ndarray
    source: str | None = None


def _blocks_from_table(
    table: pa.Table,
    scorers: Sequence[str] | Mapping[str, str] | None,
    label: str | None,
    slice_cols: Sequence[str],
    cluster: str | None,
    needs_labels: Sequence[str],
) -> tuple[list[_Block], list[str]]:
    """The table's one block. `needs_labels` names what needs labels (metrics, stratify): without it, a table
    lacking the default label column is summarised without labels."""
    if scorers is None:
        raise EvalvizError("scorers= is required with a table: list the score columns (or map name -> column)")
    mapping = dict(scorers) if isinstance(scorers, Mapping) else {s: s for s in _columns(scorers, "scorers")}
    if not mapping:
        raise EvalvizError("scorers= must name at least one score column")
    if label == DEFAULT_LABEL and label not in table.column_names and not needs_labels:
        label = None
    if label is not None and label not in table.column_names:
        why = f"needed by {', '.join(needs_labels)}" if needs_labels else "given as label="
        raise EvalvizError(
            f"the table has no label column {label!r} ({why}); pass label= the column of 0/1 labels"
            + ("" if needs_labels else ", or label=None: these metrics need no labels")
            + f". Its columns are {', '.join(repr(c) for c in table.column_names)}"
        )
    needed = [*mapping.values(), *slice_cols, *([cluster] if cluster else [])]
    missing = [c for c in dict.fromkeys(needed) if c not in table.column_names]
    if missing:
        raise EvalvizError(
            f"the table has no column(s) {', '.join(repr(c) for c in missing)}; "
            f"its columns are {', '.join(repr(c) for c in table.column_names)}"
        )
    labels = labels_from_arrow(table[label], column=label) if label else None
    scores = {name: scores_from_arrow(table[col], column=col) for name, col in mapping.items()}
    slices, order = _slice_keys([table[c] for c in slice_cols], table.num_rows)
    clusters = np.asarray(table[cluster].to_pylist(), dtype=object) if cluster else None
    return [_Block(labels, scores, slices, clusters, np.arange(table.num_rows))], order


def _blocks_from_refs(
    refs: Mapping[str, RefLike], slice_cols: Sequence[str], cluster: str | None
) -> tuple[list[_Block], list[str]]:
    if not refs:
        raise EvalvizError("predictions must map at least one scorer name to a prediction artifact")
    loaded = []  # (scorer name, its rows' arrays, their rows in the file, the file)
    extra = [*slice_cols, *([cluster] if cluster else [])]
    for name, ref in refs.items():  # an artifact with a scorer column gives one entry per scorer
        arrays = load_prediction_arrays(ref, extra_columns=extra)
        for scorer, rows in scorer_rows(arrays, str(name)).items():
            loaded.append((scorer, arrays.take(rows), rows, as_ref(ref).uri))
    # Slices are named and ordered over all artifacts at once, in the order the artifacts are given.
    columns = [[v for _, arrays, _, _ in loaded for v in arrays.extra[c].tolist()] for c in slice_cols]
    names, order = _slice_keys(columns, sum(len(arrays) for _, arrays, _, _ in loaded))
    blocks, start = [], 0
    for name, arrays, rows, source in loaded:
        slices = names[start : start + len(arrays)]
        start += len(arrays)
        clusters = arrays.extra[cluster] if cluster else None
        blocks.append(_Block(arrays.labels, {name: arrays.scores}, slices, clusters, rows, source))
    return blocks, order


def _is_ref_mapping(obj: Any) -> bool:
    if not isinstance(obj, Mapping) or not obj:
        return False
    return all(isinstance(v, (PredictionArtifactRef, Mapping)) for v in obj.values())


def evaluate_slices_arrow(
    predictions: Mapping[str, RefLike] | Any,
    *,
    scorers: Sequence[str] | Mapping[str, str] | None = None,
    label: str | None = DEFAULT_LABEL,
    metrics: str | Sequence[str] = ("pr_auc", "roc_auc"),
    slice_by: str | Sequence[str] | None = None,
    overall: str | None = "all",
    n_resamples: int = 1000,
    seed: SeedLike = 0,
    method: Method = "percentile",
    confidence: float = 0.95,
    stratify: bool = False,
    cluster: str | None = None,
    min_rows: int = 10,
    progress: bool | None = None,
) -> pa.Table:
    """`evaluate_slices`, returning the `pyarrow.Table`.

    Args:
        predictions, **options: As in `evaluate_slices`.

    Returns:
        A `pyarrow.Table` of `SLICE_SCHEMA`.

    Raises:
        EvalvizError: As `evaluate_slices`.

    Example:
        >>> import pyarrow as pa
        >>> t = pa.table({"label": [0, 1] * 10, "p": [0.2, 0.7] * 10})
        >>> evaluate_slices_arrow(t, scorers=["p"], metrics="roc_auc", n_resamples=20).column("value").to_pylist()
        [1.0]
    """
    metric_objs = metric_list(metrics)
    by_refs = _is_ref_mapping(predictions)
    n_scorers = 1 if by_refs else len(scorers) if isinstance(scorers, (Mapping, list, tuple)) else 1
    resampling = check_resampling(
        n_resamples=n_resamples,
        seed=seed,
        method=method,
        confidence=confidence,
        min_rows=min_rows,
        stratify=stratify,
        values_per_resample=len(metric_objs) * max(n_scorers, 1),
    )
    _check_table_options(overall, progress)
    check_column_name("label", label)
    check_column_name("cluster", cluster)
    slice_cols = _columns(slice_by, "slice_by")
    if by_refs:
        slice_cols = slice_cols or mapped_slice_columns(list(predictions.values()))
        blocks, names = _blocks_from_refs(predictions, slice_cols, cluster)
    else:
        needs_labels = [f"metric {m.name!r}" for m in metric_objs if m.requires_labels]
        needs_labels += ["stratify=True"] if stratify else []
        blocks, names = _blocks_from_table(
            as_arrow_table(predictions), scorers, label, slice_cols, cluster, needs_labels
        )
    for block in blocks:
        for metric in metric_objs:
            if metric.requires_labels and block.labels is None:
                raise EvalvizError(
                    f"metric {metric.name!r} needs 0/1 labels, but no label column was given "
                    f"(scorers {', '.join(map(repr, block.scores))})"
                )
    if stratify and any(b.labels is None for b in blocks):
        raise EvalvizError("stratify=True needs labels to stratify by")
    order = _slice_order(names, bool(slice_cols), overall)
    records: dict[tuple[str, str, str], dict[str, Any]] = {}
    with _progress(len(order), progress, "evalviz: bootstrapping slices") as bar:
        for slice_name, is_overall in order:
            for block in blocks:
                mask = None if is_overall else block.slices == slice_name
                _evaluate_block(block, mask, slice_name, metric_objs, records, resampling)
            bar.update(1)
    scorer_names = [name for block in blocks for name in block.scores]
    rows = []
    for slice_name, _ in order:
        for scorer in scorer_names:
            for metric in metric_objs:
                rec = records.get((slice_name, scorer, metric.name))
                if rec is not None:
                    rows.append(rec)
    return pa.Table.from_pylist(rows, schema=SLICE_SCHEMA)


def _evaluate_block(
    block: _Block,
    mask: np.ndarray | None,
    slice_name: str,
    metrics: Sequence[Metric],
    records: dict[tuple[str, str, str], dict[str, Any]],
    resampling: Resampling,
) -> None:
    if mask is not None and not mask.any():
        return  # this block has no rows in the slice
    labels = block.labels if mask is None or block.labels is None else block.labels[mask]
    clusters = block.clusters if mask is None or block.clusters is None else block.clusters[mask]
    rows = block.rows if mask is None else block.rows[mask]
    # Metrics that cannot apply to a scorer's scores (e.g. brier on scores outside [0, 1]) are error cells.
    by_metrics: dict[tuple[str, ...], list[str]] = {}
    for scorer, all_scores in block.scores.items():
        scores = all_scores if mask is None else all_scores[mask]
        usable = []
        for metric in metrics:
            reason = unusable_scores(metric, scores, rows, block.source)
            if reason is None:
                usable.append(metric.name)
            else:
                records[(slice_name, scorer, metric.name)] = _slice_record(
                    slice_name, scorer, metric.name, len(scores), ERROR, reason
                )
        by_metrics.setdefault(tuple(usable), []).append(scorer)
    for names, scorers in by_metrics.items():
        if not names:
            continue
        chosen = [m for m in metrics if m.name in names]
        score_arrays = [block.scores[s] if mask is None else block.scores[s][mask] for s in scorers]
        try:
            results = run_bootstrap(labels, score_arrays, chosen, resampling, clusters=clusters, paired=False)
        except Exception as exc:  # e.g. cluster ids missing in this slice: report in the cells
            reason = f"{type(exc).__name__}: {exc}"
            for scorer, arr in zip(scorers, score_arrays, strict=True):
                for metric in chosen:
                    records[(slice_name, scorer, metric.name)] = _slice_record(
                        slice_name, scorer, metric.name, len(arr), ERROR, reason
                    )
            continue
        for scorer, res in zip(scorers, results, strict=True):
            for metric in chosen:
                r = res[metric.name]
                records[(slice_name, scorer, metric.name)] = {
                    SLICE: slice_name,
                    SCORER: scorer,
                    METRIC: metric.name,
                    VALUE: _num(r.point),
                    LOW: _num(r.low),
                    HIGH: _num(r.high),
                    N: int(r.n),
                    STATUS: r.status,
                    REASON: r.reason,
                }


def _slice_record(
    slice_name: str, scorer: str, metric: str, n: int, status: str, reason: str
) -> dict[str, Any]:
    return {
        SLICE: slice_name,
        SCORER: scorer,
        METRIC: metric,
        VALUE: None,
        LOW: None,
        HIGH: None,
        N: n,
        STATUS: status,
        REASON: reason,
    }


def evaluate_slices(
    predictions: Mapping[str, RefLike] | Any,
    *,
    scorers: Sequence[str] | Mapping[str, str] | None = None,
    label: str | None = DEFAULT_LABEL,
    metrics: str | Sequence[str] = ("pr_auc", "roc_auc"),
    slice_by: str | Sequence[str] | None = None,
    overall: str | None = "all",
    n_resamples: int = 1000,
    seed: SeedLike = 0,
    method: Method = "percentile",
    confidence: float = 0.95,
    stratify: bool = False,
    cluster: str | None = None,
    min_rows: int = 10,
    progress: bool | None = None,
) -> Any:
    """Bootstrap several scorers over several slices into a long-form table for the heatmap.

    The resampling arguments are checked before anything is read.

    Args:
        predictions: Either a mapping `{scorer name: prediction ref}` (each artifact must hold the `slice_by` and
            `cluster` columns; an artifact of several scorers in long form gives one scorer each), or a table
            (pyarrow, evalviz `Data`, pandas, polars) with a `label` column and one score column per scorer. With
            a table, all scorers of a slice share the same resamples.
        scorers: With a table: the score columns (a list), or `{scorer name: column}`.
        label: With a table: the 0/1 label column (needed only by metrics that need labels, and by `stratify`).
        metrics: The metrics of each cell.
        slice_by: A column, or several (their values joined), whose values are the slices; by default a ref's
            mapped `slice` column.
        overall: The name of the overall slice (all rows), listed first; None leaves it out.
        n_resamples, seed, method, confidence, stratify, min_rows: As in `bootstrap_metrics`.
        cluster: A column whose rows are resampled together.
        progress: Show a tqdm bar (default: when there are 10 slices or more).

    Returns:
        A `Data` with columns `slice, scorer, metric, value, low, high, n, status, reason` (one row per cell; the
        overall slice first, then the slices as given: a categorical column's categories in order, else first
        appearance in the data, missing values last). Skipped cells (single class, too few rows) and error cells
        (scores a metric cannot apply to) have null values and say why.

    Raises:
        EvalvizError: A bad argument, a missing column (naming the columns present), a metric needing labels
            without a label column, a slice named like the overall slice.
        ArgumentTypeError: `predictions` is not a table or a mapping of refs, `slice_by` is not column names.

    Example:
        >>> import pyarrow as pa
        >>> t = pa.table({"label": [0, 1] * 50, "old": [0.2, 0.7] * 50, "new": [0.1, 0.9] * 50,
        ...               "lang": ["en"] * 60 + ["de"] * 40})
        >>> heat = evaluate_slices(t, scorers=["old", "new"], slice_by="lang")  # doctest: +SKIP
        >>> heat.to_arrow().column("slice").to_pylist()[:4]  # doctest: +SKIP
        ['all', 'all', 'all', 'all']
    """
    return _as_data(
        evaluate_slices_arrow(
            predictions,
            scorers=scorers,
            label=label,
            metrics=metrics,
            slice_by=slice_by,
            overall=overall,
            n_resamples=n_resamples,
            seed=seed,
            method=method,
            confidence=confidence,
            stratify=stratify,
            cluster=cluster,
            min_rows=min_rows,
            progress=progress,
        )
    )


@dataclass(frozen=True)
class _Side:
    """One side of a paired comparison: its name, its scores, and where each score comes from (its row in the
    table or file ``source``), for error messages."""

    role: str  # "baseline" or "candidate"
    name: str
    scores: np.ndarray
    rows: np.ndarray
    source: str | None = None

    def unusable(self, metric: Metric, mask: Any) -> str | None:
        reason = unusable_scores(metric, self.scores[mask], self.rows[mask], self.source)
        return None if reason is None else f"{self.role} {self.name!r}: {reason}"


def _paired_rows(
    labels: np.ndarray | None,
    baseline: _Side,
    candidate: _Side,
    slices: np.ndarray,
    clusters: np.ndarray | None,
    metric: Metric,
    resampling: Resampling,
    *,
    order: list[tuple[str, bool]],
    progress: bool | None,
) -> pa.Table:
    """One row per slice. As in `evaluate_slices`, a metric the arguments do not allow (one needing labels
    without them) raises, and scores a metric cannot apply to (brier outside [0, 1]) give an error row."""
    if metric.requires_labels and labels is None:
        raise EvalvizError(f"metric {metric.name!r} needs 0/1 labels, but no label column was given")
    rows = []
    names = {BASELINE_NAME: baseline.name, CANDIDATE_NAME: candidate.name}
    with _progress(len(order), progress, "evalviz: paired bootstrap over slices") as bar:
        for slice_name, is_overall in order:
            mask = slice(None) if is_overall else slices == slice_name
            reason = baseline.unusable(metric, mask) or candidate.unusable(metric, mask)
            if reason is not None:
                rows.append({SLICE: slice_name, METRIC: metric.name, N: len(baseline.scores[mask]),
                             STATUS: ERROR, REASON: reason, **names})
                bar.update(1)
                continue
            (res,) = run_bootstrap(
                None if labels is None else labels[mask],
                [baseline.scores[mask], candidate.scores[mask]],
                [metric],
                resampling,
                clusters=None if clusters is None else clusters[mask],
                paired=True,
            )
            r = PairedDiffResult.from_bootstrap(res[metric.name])
            rows.append(
                {
                    SLICE: slice_name,
                    METRIC: metric.name,
                    DELTA: _num(r.delta),
                    LOW: _num(r.low),
                    HIGH: _num(r.high),
                    N: int(r.n),
                    OVERLAPS_ZERO: r.overlaps_zero,
                    STATUS: r.status,
                    REASON: r.reason,
                    BASELINE_VALUE: _num(r.baseline),
                    CANDIDATE_VALUE: _num(r.candidate),
                    **names,
                }
            )
            bar.update(1)
    return pa.Table.from_pylist(rows, schema=PAIRED_SCHEMA)


def paired_diff_table_arrow(
    baseline: RefLike,
    candidate: RefLike,
    *,
    metric: str = "pr_auc",
    slice_by: str | Sequence[str] | None = None,
    overall: str | None = "all",
    n_resamples: int = 1000,
    seed: SeedLike = 0,
    method: Method = "percentile",
    confidence: float = 0.95,
    stratify: bool = False,
    cluster: str | None = None,
    min_rows: int = 10,
    progress: bool | None = None,
    baseline_name: str | None = None,
    candidate_name: str | None = None,
    baseline_scorer: str | None = None,
    candidate_scorer: str | None = None,
) -> pa.Table:
    """`paired_diff_table`, returning the `pyarrow.Table`.

    Args:
        baseline, candidate, **options: As in `paired_diff_table`.

    Returns:
        A `pyarrow.Table` of `PAIRED_SCHEMA`.

    Raises:
        EvalvizError: As `paired_diff_table`.

    Example:
        >>> [field.name for field in PAIRED_SCHEMA][:4]
        ['slice', 'metric', 'delta', 'low']
    """
    metric_obj = get_metric(metric)
    names = _ref_names(baseline, candidate, baseline_name, candidate_name, scorers=(baseline_scorer, candidate_scorer))
    resampling = check_paired(
        n_resamples=n_resamples,
        seed=seed,
        method=method,
        confidence=confidence,
        min_rows=min_rows,
        stratify=stratify,
    )
    _check_table_options(overall, progress)
    check_column_name("cluster", cluster)
    slice_cols = _columns(slice_by, "slice_by") or mapped_slice_columns([baseline])
    pair, baseline_rows = load_aligned_pair(
        baseline,
        candidate,
        extra_columns=[*slice_cols, *([cluster] if cluster else [])],
        baseline_scorer=baseline_scorer,
        candidate_scorer=candidate_scorer,
    )
    n = len(pair.baseline_scores)
    slices, slice_names = _slice_keys([pair.extra[c] for c in slice_cols], n)
    return _paired_rows(
        pair.labels,
        _Side("baseline", names[0], pair.baseline_scores, baseline_rows, as_ref(baseline).uri),
        _Side("candidate", names[1], pair.candidate_scores, pair.candidate_rows, as_ref(candidate).uri),
        slices,
        pair.extra[cluster] if cluster else None,
        metric_obj,
        resampling,
        order=_slice_order(slice_names, bool(slice_cols), overall),
        progress=progress,
    )


def _ref_names(
    baseline: RefLike, candidate: RefLike, *given: str | None, scorers: tuple[str | None, str | None] = (None, None)
) -> tuple[str, str]:
    """The names the table gives the two artifacts: as given, else a ref's ``metadata["name"]``, else its
    file's name without the extension (the whole path when both sides have the same name), followed by
    ``/<scorer>`` when a scorer of a long-form file was picked."""
    for role, name in zip(("baseline_name", "candidate_name"), given, strict=True):
        if name is not None and not (isinstance(name, str) and name.strip()):
            raise EvalvizError(f"{role} must be a non-empty str (or None for the file's name), got {name!r}")
    refs = [as_ref(baseline), as_ref(candidate)]
    own = [(ref.metadata or {}).get("name") for ref in refs]
    stems = [PurePosixPath(ref.uri.replace("\\", "/")).stem for ref in refs]
    if stems[0] == stems[1] and scorers[0] == scorers[1]:
        stems = [ref.uri for ref in refs]
    names = [o if isinstance(o, str) and o.strip() else s for o, s in zip(own, stems, strict=True)]
    found = [g or (f"{n}/{sc}" if sc else n) for g, n, sc in zip(given, names, scorers, strict=True)]
    return found[0], found[1]


def paired_diff_table(
    baseline: RefLike,
    candidate: RefLike,
    *,
    metric: str = "pr_auc",
    slice_by: str | Sequence[str] | None = None,
    overall: str | None = "all",
    n_resamples: int = 1000,
    seed: SeedLike = 0,
    method: Method = "percentile",
    confidence: float = 0.95,
    stratify: bool = False,
    cluster: str | None = None,
    min_rows: int = 10,
    progress: bool | None = None,
    baseline_name: str | None = None,
    candidate_name: str | None = None,
    baseline_scorer: str | None = None,
    candidate_scorer: str | None = None,
) -> Any:
    """Paired `candidate - baseline` differences per slice, for `diff_plot`.

    Args:
        baseline: The baseline's `PredictionArtifactRef` or its `to_dict()`.
        candidate: The candidate's, joined to the baseline by `row_id` (see `align_prediction_arrays`).
        metric: The metric compared.
        slice_by: Columns of the baseline artifact whose values are the slices (by default its mapped `slice`).
        overall: The name of the overall slice (all rows), listed first; None leaves it out.
        n_resamples, seed, method, confidence, stratify, min_rows: As in `bootstrap_metrics`.
        cluster: A column of the baseline artifact whose rows are resampled together.
        progress: Show a tqdm bar (default: when there are 10 slices or more).
        baseline_name, candidate_name: The names of the two sides (`diff_plot` shows them): by default a ref's
            `metadata["name"]`, else its file's name without the extension (ending in `/<scorer>` when a scorer
            was picked).
        baseline_scorer, candidate_scorer: The scorer to pick from an artifact holding several in long form: rows
            are paired within it, and scorers are never pooled.

    Returns:
        A `Data` with columns `slice, metric, delta, low, high, n, overlaps_zero, status, reason, baseline_value,
        candidate_value, baseline_name, candidate_name`: the overall slice first, then the slices in the order
        they first appear in the baseline. Scores a metric cannot apply to (`brier` on a score outside [0, 1])
        give `status="error"` rows naming the file row, as in `evaluate_slices`.

    Raises:
        EvalvizError: A bad argument, rows that do not match (see `align_prediction_arrays`), an artifact of
            several scorers without a scorer picked, an unreadable or changed file (`DataSourceError`).

    Example:
        >>> cols = {"label": "y", "score": "p", "row_id": "id"}
        >>> old = {"uri": "old.parquet", "media_type": "application/vnd.apache.parquet", "columns": cols}
        >>> new = {"uri": "new.parquet", "media_type": "application/vnd.apache.parquet", "columns": cols}
        >>> diffs = paired_diff_table(old, new, metric="roc_auc", slice_by="lang")  # doctest: +SKIP
    """
    return _as_data(
        paired_diff_table_arrow(
            baseline,
            candidate,
            metric=metric,
            slice_by=slice_by,
            overall=overall,
            n_resamples=n_resamples,
            seed=seed,
            method=method,
            confidence=confidence,
            stratify=stratify,
            cluster=cluster,
            min_rows=min_rows,
            progress=progress,
            baseline_name=baseline_name,
            candidate_name=candidate_name,
            baseline_scorer=baseline_scorer,
            candidate_scorer=candidate_scorer,
        )
    )


def _pick_column(table: pa.Table, candidates: Sequence[str], what: str) -> str:
    for name in candidates:
        if name in table.column_names:
            return name
    raise EvalvizError(
        f"the sample table has no {what} column (looked for {', '.join(map(repr, candidates))}); "
        f"its columns are {', '.join(map(repr, table.column_names))}"
    )


def _model_column(table: pa.Table, models: Sequence[str], given: str | None) -> str:
    options = [given] if given else [c for c in ("model_display_name", "model") if c in table.column_names]
    if given and given not in table.column_names:
        raise EvalvizError(f"the sample table has no column {given!r}")
    if not options:
        raise EvalvizError("the sample table has no 'model_display_name' or 'model' column; pass model_column=")
    for col in options:
        present = set(table[col].to_pylist())
        if all(m in present for m in models):
            return col
    shown = sorted({str(v) for col in options for v in table[col].to_pylist()})
    missing = [m for m in models if all(m not in set(table[c].to_pylist()) for c in options)]
    raise EvalvizError(
        f"model(s) {', '.join(map(repr, missing))} not found in column(s) {', '.join(map(repr, options))}; "
        f"models present: {', '.join(map(repr, shown))}"
    )


def _score_column(table: pa.Table, score: str | None) -> str:
    score_cols = [c for c in table.column_names if c.startswith("score_")]
    if score is None:
        if len(score_cols) == 1:
            return score_cols[0]
        raise EvalvizError(
            "pass score= to choose the scorer column"
            + (
                f"; candidates: {', '.join(map(repr, score_cols))}"
                if score_cols
                else "; no score_* columns found"
            )
        )
    if score in table.column_names:
        return score
    if f"score_{score}" in table.column_names:
        return f"score_{score}"
    raise EvalvizError(
        f"no score column {score!r} (or 'score_{score}'); "
        f"score columns: {', '.join(map(repr, score_cols)) or 'none'}"
    )


def _inspect_scores(col: pa.ChunkedArray, column: str, describe_row: Any) -> np.ndarray:
    """inspect_ai score values -> floats: numbers (decimals too) as they are, C/I/P/N letters as inspect values
    them, whether the column is text or categorical."""
    col = plain_array(col)
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        out = np.empty(len(col))
        for i, v in enumerate(col.to_pylist()):
            if v in _INSPECT_LETTERS:
                out[i] = _INSPECT_LETTERS[v]
                continue
            try:
                out[i] = float(v)
            except ValueError:
                raise EvalvizError(
                    f"score column {column!r} has {v!r} for {describe_row(i)}; expected a number or one of "
                    "C, I, P, N"
                ) from None
    elif any(is_type(col.type) for is_type in (pa.types.is_boolean, pa.types.is_integer, pa.types.is_floating,
                                               pa.types.is_decimal)):
        out = np.asarray(col.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    else:
        raise EvalvizError(f"score column {column!r} must hold numbers or C/I/P/N letters, not {col.type}")
    finite = np.isfinite(out)
    if not finite.all():
        i = int(np.flatnonzero(~finite)[0])
        raise EvalvizError(
            f"score column {column!r} must be finite numbers; {describe_row(i)} has {float(out[i])!r}"
        )
    return out


def _check_scored(
    sides: Mapping[str, pa.Table], column: str, task_col: str | None, sample: Callable[[int], str]
) -> None:
    """Every matched sample of both models has a score; else say why one has none, and what to do.

    A sample that errored has no score: the advice drops errored samples. A task where the scorer did not run
    has no score for any of its samples: the advice keeps the tasks where it ran for both models. Each piece
    of advice is a `Data.filter` that works as written.
    """
    scorer = column.removeprefix("score_")
    for model, part in sides.items():
        missing = np.asarray(part[column].is_null().to_numpy(zero_copy_only=False), dtype=bool)
        if not missing.any():
            continue
        errored = _errored(part) & missing
        if errored.any():
            i = int(np.flatnonzero(errored)[0])
            message = str(part["error"][i].as_py()).strip().splitlines()[0][:200]
            raise EvalvizError(
                f"score column {column!r} is missing (null) for {int(errored.sum())} sample(s) of model {model!r} "
                f"that errored, e.g. {sample(i)}: {message!r}. Drop errored samples first: "
                f"{_filter_call(_NOT_ERRORED)} (on an evalviz Data; ev.Data.from_dataframe(df) makes one of a "
                "dataframe), with on_unmatched='drop' to compare the samples both models completed"
            )
        unscored = _unscored_tasks(part, column, task_col)
        if unscored:
            ran = _scored_tasks(sides, column, task_col)
            shown = ", ".join(repr(t) for t in unscored[:5]) + (", ..." if len(unscored) > 5 else "")
            listed = ", ".join(quote_literal(t) for t in ran)
            advice = (
                f"Filter the samples to the tasks it ran on, {_filter_call(f'{_sql_name(task_col)} IN ({listed})')}"
                if ran else "It has scores for both models on no task"
            )
            raise EvalvizError(
                f"scorer {scorer!r} (column {column!r}) has no scores for task(s) {shown} of model {model!r}: it "
                f"did not run there (none of those samples errored). {advice}, or choose another score="
            )
        i = int(np.flatnonzero(missing)[0])
        raise EvalvizError(
            f"score column {column!r} is missing (null) for {int(missing.sum())} sample(s) of model {model!r} that "
            f"did not error, e.g. {sample(i)}. Drop them first if they should not count: "
            f"{_filter_call(f'{_sql_name(column)} IS NOT NULL')}"
        )


_NOT_ERRORED = "error IS NULL OR error = ''"


def _errored(part: pa.Table) -> np.ndarray:
    """Which samples errored: an inspect_ai sample table's ``error`` column holds their message."""
    kind = part.schema.field("error").type if "error" in part.column_names else None
    if kind is None or not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return np.zeros(part.num_rows, dtype=bool)
    text = pc.utf8_trim_whitespace(part["error"])
    return np.asarray(pc.fill_null(pc.not_equal(text, ""), False).to_numpy(zero_copy_only=False), dtype=bool)


def _unscored_tasks(part: pa.Table, column: str, task_col: str | None) -> list[str]:
    """The tasks none of whose samples has a score (in order of first appearance)."""
    if task_col is None:
        return []
    tasks = part[task_col].to_pylist()
    scored = {t for t, v in zip(tasks, part[column].is_valid().to_pylist(), strict=True) if v}
    return [t for t in dict.fromkeys(tasks) if t not in scored and t is not None]


def _scored_tasks(sides: Mapping[str, pa.Table], column: str, task_col: str | None) -> list[str]:
    """The tasks where every side has a score for some sample."""
    if task_col is None:
        return []
    per_side = [
        {t for t, v in zip(p[task_col].to_pylist(), p[column].is_valid().to_pylist(), strict=True) if v}
        for p in sides.values()
    ]
    first = next(iter(sides.values()))[task_col].to_pylist()
    return [t for t in dict.fromkeys(first) if t is not None and all(t in s for s in per_side)]


def _sql_name(column: str) -> str:
    """A column name as SQL: as it is when it needs no quotes."""
    return column if column.isidentifier() and column.isascii() else quote_identifier(column)


def _filter_call(sql: str) -> str:
    """The Python call that filters a Data by `sql`, as a user would type it."""
    return f"data.filter({json.dumps(sql, ensure_ascii=False)})"


def _joined_keys(table: pa.Table, cols: Sequence[str]) -> pa.Array:
    """One key per row: the values of ``cols`` as a JSON list, so that two keys are equal only when the values
    are (a missing value is not the text "None", ("a · b", "c") is not ("a", "b · c"), 1 is not "1")."""
    rows = zip(*(table[c].to_pylist() for c in cols), strict=True)
    return pa.array([json.dumps(row, default=str, ensure_ascii=False) for row in rows], type=pa.string())


def _key_text(cols: Sequence[str], key: str) -> str:
    """A key of :func:`_joined_keys` for people: ``col=value, col=value``."""
    return ", ".join(f"{c}={v}" for c, v in zip(cols, json.loads(key), strict=True))


def _check_ids(ids: pa.ChunkedArray, column: str, model: str, positions: np.ndarray) -> None:
    """Every sample of a model has an id: samples are paired by it."""
    if not ids.null_count:
        return
    i = int(np.flatnonzero(ids.is_null().to_numpy(zero_copy_only=False))[0])
    raise EvalvizError(
        f"sample id column {column!r} is missing (null) for {ids.null_count} sample(s) of model {model!r} (e.g. row "
        f"{int(positions[i])} of the sample table), and samples are paired by id: fill the ids, or drop those "
        f"samples first: {_filter_call(f'{_sql_name(column)} IS NOT NULL')}"
    )


def paired_diff_between_models_arrow(
    samples: Any,
    baseline_model: str,
    candidate_model: str,
    *,
    score: str | None = None,
    metric: str = "mean",
    by: str | Sequence[str] | None = "task",
    label: str | None = None,
    model_column: str | None = None,
    id_column: str = "id",
    epoch_column: str | None = "epoch",
    cluster_by_id: bool = True,
    overall: str | None = "all",
    on_unmatched: Literal["raise", "drop"] = "raise",
    n_resamples: int = 1000,
    seed: SeedLike = 0,
    method: Method = "percentile",
    confidence: float = 0.95,
    min_rows: int = 10,
    progress: bool | None = None,
) -> pa.Table:
    """`paired_diff_between_models`, returning the `pyarrow.Table`.

    Args:
        samples, baseline_model, candidate_model, **options: As in `paired_diff_between_models`.

    Returns:
        A `pyarrow.Table` of `PAIRED_SCHEMA`.

    Raises:
        EvalvizError: As `paired_diff_between_models`.

    Example:
        >>> import pyarrow as pa
        >>> t = pa.table({"id": list(range(12)) * 2, "epoch": [1] * 24, "model": ["a"] * 12 + ["b"] * 12,
        ...               "task_name": ["t"] * 24, "score_match": ["C", "I"] * 6 + ["C"] * 12})
        >>> paired_diff_between_models_arrow(t, "a", "b", n_resamples=20).column("delta").to_pylist()
        [0.5, 0.5]
    """
    resampling = check_paired(
        n_resamples=n_resamples, seed=seed, method=method, confidence=confidence, min_rows=min_rows
    )
    _check_table_options(overall, progress)
    check_flag("cluster_by_id", cluster_by_id)
    for name, value in (("score", score), ("label", label), ("model_column", model_column)):
        check_column_name(name, value)
    if on_unmatched not in ("raise", "drop"):
        raise EvalvizError(f"on_unmatched must be 'raise' or 'drop', got {on_unmatched!r}")
    if baseline_model == candidate_model:
        raise EvalvizError("baseline_model and candidate_model are the same model")
    metric_obj = get_metric(metric)
    table = as_arrow_table(samples)
    model_col = _model_column(table, [baseline_model, candidate_model], model_column)
    score_col = _score_column(table, score)
    by_cols = []
    for col in _columns(by, "by"):
        by_cols.append(
            _pick_column(table, ["task_display_name", "task_name", "task"], "task")
            if col == "task" and col not in table.column_names
            else col
        )
    id_col = _pick_column(table, [id_column], "sample id")
    epoch_col = epoch_column if epoch_column and epoch_column in table.column_names else None
    if epoch_column and epoch_col is None and epoch_column != "epoch":
        raise EvalvizError(f"the sample table has no column {epoch_column!r}")
    for col in by_cols + ([label] if label else []):
        if col not in table.column_names:
            raise EvalvizError(
                f"the sample table has no column {col!r}; its columns are {', '.join(table.column_names)}"
            )
    # Sample ids are unique within a task: the task is always part of a sample's identity.
    task_col = next((c for c in ("task_display_name", "task_name", "task") if c in table.column_names), None)
    identity = list(dict.fromkeys([*([task_col] if task_col else []), *by_cols, id_col]))
    key_cols = [*identity, *([epoch_col] if epoch_col else [])]

    def side(model: str) -> tuple[pa.Table, pa.Array, np.ndarray]:
        positions = np.flatnonzero(pc.fill_null(pc.equal(table[model_col], model), False).to_numpy())
        part = table.take(pa.array(positions))
        _check_ids(part[id_col], id_col, model, positions)
        keys = _joined_keys(part, key_cols) if key_cols else pa.array([""] * part.num_rows)
        repeated = _repeated(keys)
        if repeated is not None:
            n_repeated, key, count = repeated
            raise EvalvizError(
                f"model {model!r} has {n_repeated} repeated sample(s) "
                f"(e.g. {_key_text(key_cols, key)} appears {count} "
                "times); keep one run per task and model"
            )
        return part, keys, positions

    base_t, base_k, base_rows = side(baseline_model)
    cand_t, cand_k, cand_rows = side(candidate_model)
    where = pc.index_in(base_k, value_set=cand_k).to_numpy(zero_copy_only=False)
    matched = ~np.isnan(where.astype(np.float64))
    in_base = np.asarray(pc.is_in(cand_k, value_set=base_k).to_numpy(zero_copy_only=False))
    n_only_base = int((~matched).sum())
    n_only_cand = int((~in_base).sum())

    def readable(key: str) -> str:
        return "(" + _key_text(key_cols, key) + ")"

    if (n_only_base or n_only_cand) and on_unmatched == "raise":
        parts = []
        if n_only_base:
            first = base_k[int(np.flatnonzero(~matched)[0])].as_py()
            parts.append(f"{n_only_base} only for {baseline_model!r} (e.g. {readable(first)})")
        if n_only_cand:
            first = cand_k[int(np.flatnonzero(~in_base)[0])].as_py()
            parts.append(f"{n_only_cand} only for {candidate_model!r} (e.g. {readable(first)})")
        raise EvalvizError(
            f"the two models were not run on the same samples: {int(matched.sum())} match, "
            + "; ".join(parts)
            + ". Pass on_unmatched='drop' to compare the common samples only"
        )
    rows_b = np.flatnonzero(matched)
    rows_c = where[matched].astype(np.int64)
    base_t = base_t.take(pa.array(rows_b))
    cand_t = cand_t.take(pa.array(rows_c))
    keys = base_k.take(pa.array(rows_b)).to_pylist()

    def describe(model: str) -> Any:
        return lambda i: f"model {model!r} sample {readable(keys[i])}"

    _check_scored({baseline_model: base_t, candidate_model: cand_t}, score_col, task_col,
                  lambda i: f"sample {readable(keys[i])}")
    base_scores = _inspect_scores(base_t[score_col], score_col, describe(baseline_model))
    cand_scores = _inspect_scores(cand_t[score_col], score_col, describe(candidate_model))
    labels = None
    if label:
        labels = labels_from_arrow(base_t[label], column=label)
        other = labels_from_arrow(cand_t[label], column=label)
        differ = np.flatnonzero(labels != other)
        if len(differ):
            raise EvalvizError(
                f"label {label!r} differs between the models for {len(differ)} sample(s), "
                f"e.g. {readable(keys[differ[0]])}"
            )
    labels = as_labels(labels)
    n = len(base_scores)
    slices, names = _slice_keys([base_t[c] for c in by_cols], n)
    clusters = None
    if cluster_by_id:
        clusters = np.asarray(_joined_keys(base_t, identity).to_pylist(), dtype=object)
    return _paired_rows(
        labels,
        _Side("baseline", baseline_model, base_scores, base_rows[rows_b], "the sample table"),
        _Side("candidate", candidate_model, cand_scores, cand_rows[rows_c], "the sample table"),
        slices,
        clusters,
        metric_obj,
        resampling,
        order=_slice_order(names, bool(by_cols), overall),
        progress=progress,
    )


def paired_diff_between_models(
    samples: Any,
    baseline_model: str,
    candidate_model: str,
    *,
    score: str | None = None,
    metric: str = "mean",
    by: str | Sequence[str] | None = "task",
    label: str | None = None,
    model_column: str | None = None,
    id_column: str = "id",
    epoch_column: str | None = "epoch",
    cluster_by_id: bool = True,
    overall: str | None = "all",
    on_unmatched: Literal["raise", "drop"] = "raise",
    n_resamples: int = 1000,
    seed: SeedLike = 0,
    method: Method = "percentile",
    confidence: float = 0.95,
    min_rows: int = 10,
    progress: bool | None = None,
) -> Any:
    """Paired difference between two models on an inspect_ai sample table, per task, for `diff_plot`.

    Args:
        samples: A table with one row per (model, task, sample, epoch), as from
            `inspect_ai.analysis.samples_df`: columns `id`, `epoch`, `model_display_name` or `model`,
            `task_display_name` (`by="task"` also finds `task_name`) and `score_<scorer>`.
        baseline_model, candidate_model: The two models compared.
        score: The scorer (`"match"` reads `score_match`); by default the table's only score column. Letter
            scores C/I/P/N count as 1/0/0.5/0.
        metric: "mean" needs no labels; binary metrics need `label=`.
        by: The columns whose values are the slices ("task" for the task's display name or name); None for the
            overall slice only.
        label: A 0/1 label column, for binary metrics.
        model_column: The column naming the model (by default `model_display_name`, else `model`).
        id_column, epoch_column: Rows are matched by (slice, id, epoch); `epoch_column=None` for one epoch.
        cluster_by_id: Resample by sample id, so that all epochs of a sample move together.
        overall: The name of the overall slice, listed first; None leaves it out.
        on_unmatched: "raise" when a sample of one model has no match in the other, or "drop" such rows.
        n_resamples, seed, method, confidence, min_rows: As in `bootstrap_metrics`.
        progress: Show a tqdm bar (default: when there are 10 slices or more).

    Returns:
        A `Data` with the columns of `paired_diff_table`.

    Raises:
        EvalvizError: A bad argument, a model or column the table does not hold (naming those it holds), score
            values that are neither numbers nor C/I/P/N, repeated (id, epoch) rows, unmatched samples with
            `on_unmatched="raise"`.

    Example:
        >>> from inspect_ai.analysis import samples_df  # doctest: +SKIP
        >>> df = samples_df("logs/")  # doctest: +SKIP
        >>> diffs = paired_diff_between_models(df, "gpt-4o", "claude-3-7", score="match")  # doctest: +SKIP
    """
    return _as_data(
        paired_diff_between_models_arrow(
            samples,
            baseline_model,
            candidate_model,
            score=score,
            metric=metric,
            by=by,
            label=label,
            model_column=model_column,
            id_column=id_column,
            epoch_column=epoch_column,
            cluster_by_id=cluster_by_id,
            overall=overall,
            on_unmatched=on_unmatched,
            n_resamples=n_resamples,
            seed=seed,
            method=method,
            confidence=confidence,
            min_rows=min_rows,
            progress=progress,
        )
    )
