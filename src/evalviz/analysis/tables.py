"""Long-form tables of bootstrap results, one row per (slice, scorer, metric), for the views to draw.

``evaluate_slices`` feeds ``slice_metric_heatmap``; ``paired_diff_table`` and
``paired_diff_between_models`` (inspect_ai sample tables) feed ``diff_plot``. Each public
function returns an ``evalviz.data.Data``; the ``*_arrow`` twins return the ``pyarrow.Table``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
from evalviz.analysis.bootstrap import (
    Method,
    _check_paired,
    _metric_list,
    _paired_shape,
    _run_bootstrap,
)
from evalviz.analysis.metrics import Metric, as_labels, check_metric_inputs, get_metric
from evalviz.analysis.paired import _repeated, load_aligned_pair
from evalviz.analysis.readers import (
    labels_from_arrow,
    load_prediction_arrays,
    mapped_slice_columns,
    scores_from_arrow,
    split_by_scorer,
)
from evalviz.errors import EvalvizError

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
        ("slice", pa.string()),
        ("scorer", pa.string()),
        ("metric", pa.string()),
        ("value", pa.float64()),
        ("low", pa.float64()),
        ("high", pa.float64()),
        ("n", pa.int64()),
        ("status", pa.string()),
        ("reason", pa.string()),
    ]
)

#: Columns of the paired-difference tables (the input of ``diff_plot``).
PAIRED_SCHEMA = pa.schema(
    [
        ("slice", pa.string()),
        ("metric", pa.string()),
        ("delta", pa.float64()),
        ("low", pa.float64()),
        ("high", pa.float64()),
        ("n", pa.int64()),
        ("overlaps_zero", pa.bool_()),
        ("status", pa.string()),
        ("reason", pa.string()),
        ("baseline_value", pa.float64()),
        ("candidate_value", pa.float64()),
    ]
)

_MISSING_SLICE = "(missing)"
_AUTO_PROGRESS_SLICES = 10
# inspect_ai's letter scores, valued as inspect's value_to_float does by default.
_INSPECT_LETTERS = {"C": 1.0, "I": 0.0, "P": 0.5, "N": 0.0}
# Joins the columns of a sample's identity into one text key.
_KEY_SEP = "\x1f"

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
    raise TypeError(f"expected a table (pyarrow, evalviz Data, pandas, polars), got {type(obj).__name__}")


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
        raise TypeError(f"{what} must be a column name or a list of column names, got {value!r}")
    return out


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _MISSING_SLICE
    if isinstance(value, float) and value == int(value):
        return str(int(value))
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
    return None if x is None else float(x)


@dataclass
class _Block:
    """Rows that several scorers share: one label column and one score array per scorer."""

    labels: np.ndarray | None
    scores: dict[str, np.ndarray]
    slices: np.ndarray
    clusters: np.ndarray | None


def _blocks_from_table(
    table: pa.Table,
    scorers: Sequence[str] | Mapping[str, str] | None,
    label: str | None,
    slice_cols: Sequence[str],
    cluster: str | None,
) -> tuple[list[_Block], list[str]]:
    if scorers is None:
        raise EvalvizError("scorers= is required with a table: list the score columns (or map name -> column)")
    mapping = dict(scorers) if isinstance(scorers, Mapping) else {s: s for s in _columns(scorers, "scorers")}
    if not mapping:
        raise EvalvizError("scorers= must name at least one score column")
    needed = [*mapping.values(), *slice_cols, *([label] if label else []), *([cluster] if cluster else [])]
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
    return [_Block(labels, scores, slices, clusters)], order


def _blocks_from_refs(
    refs: Mapping[str, RefLike], slice_cols: Sequence[str], cluster: str | None
) -> tuple[list[_Block], list[str]]:
    if not refs:
        raise EvalvizError("predictions must map at least one scorer name to a prediction artifact")
    loaded = []
    extra = [*slice_cols, *([cluster] if cluster else [])]
    for name, ref in refs.items():  # an artifact with a scorer column gives one entry per scorer
        loaded.extend(split_by_scorer(load_prediction_arrays(ref, extra_columns=extra), str(name)).items())
    # Slices are named and ordered over all artifacts at once, in the order the artifacts are given.
    columns = [[v for _, arrays in loaded for v in arrays.extra[c].tolist()] for c in slice_cols]
    names, order = _slice_keys(columns, sum(len(arrays) for _, arrays in loaded))
    blocks, start = [], 0
    for name, arrays in loaded:
        slices = names[start : start + len(arrays)]
        start += len(arrays)
        clusters = arrays.extra[cluster] if cluster else None
        blocks.append(_Block(arrays.labels, {name: arrays.scores}, slices, clusters))
    return blocks, order


def _is_ref_mapping(obj: Any) -> bool:
    if not isinstance(obj, Mapping) or not obj:
        return False
    return all(isinstance(v, (PredictionArtifactRef, Mapping)) for v in obj.values())


def evaluate_slices_arrow(
    predictions: Mapping[str, RefLike] | Any,
    *,
    scorers: Sequence[str] | Mapping[str, str] | None = None,
    label: str | None = "label",
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
    """:func:`evaluate_slices`, returning the ``pyarrow.Table`` (columns of ``SLICE_SCHEMA``)."""
    metric_objs = _metric_list(metrics)
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
        blocks, names = _blocks_from_table(as_arrow_table(predictions), scorers, label, slice_cols, cluster)
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
    # Metrics that cannot apply to a scorer (e.g. brier on scores outside [0, 1]) are error cells.
    by_metrics: dict[tuple[str, ...], list[str]] = {}
    for scorer, all_scores in block.scores.items():
        scores = all_scores if mask is None else all_scores[mask]
        usable = []
        for metric in metrics:
            try:
                check_metric_inputs(metric, labels, scores)
                usable.append(metric.name)
            except EvalvizError as exc:
                records[(slice_name, scorer, metric.name)] = _slice_record(
                    slice_name, scorer, metric.name, len(scores), "error", str(exc)
                )
        by_metrics.setdefault(tuple(usable), []).append(scorer)
    for names, scorers in by_metrics.items():
        if not names:
            continue
        chosen = [m for m in metrics if m.name in names]
        score_arrays = [block.scores[s] if mask is None else block.scores[s][mask] for s in scorers]
        try:
            results = _run_bootstrap(labels, score_arrays, chosen, resampling, clusters=clusters, paired=False)
        except Exception as exc:  # e.g. cluster ids missing in this slice: report in the cells
            reason = f"{type(exc).__name__}: {exc}"
            for scorer, arr in zip(scorers, score_arrays, strict=True):
                for metric in chosen:
                    records[(slice_name, scorer, metric.name)] = _slice_record(
                        slice_name, scorer, metric.name, len(arr), "error", reason
                    )
            continue
        for scorer, res in zip(scorers, results, strict=True):
            for metric in chosen:
                r = res[metric.name]
                records[(slice_name, scorer, metric.name)] = {
                    "slice": slice_name,
                    "scorer": scorer,
                    "metric": metric.name,
                    "value": _num(r["point"]),
                    "low": _num(r["low"]),
                    "high": _num(r["high"]),
                    "n": int(r["n"]),
                    "status": r["status"],
                    "reason": r["reason"],
                }


def _slice_record(
    slice_name: str, scorer: str, metric: str, n: int, status: str, reason: str
) -> dict[str, Any]:
    return {
        "slice": slice_name,
        "scorer": scorer,
        "metric": metric,
        "value": None,
        "low": None,
        "high": None,
        "n": n,
        "status": status,
        "reason": reason,
    }


def evaluate_slices(
    predictions: Mapping[str, RefLike] | Any,
    *,
    scorers: Sequence[str] | Mapping[str, str] | None = None,
    label: str | None = "label",
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

    ``predictions`` is either a mapping ``{scorer name: prediction ref}`` (each artifact must
    hold the ``slice_by`` and ``cluster`` columns), or a table (pyarrow, evalviz ``Data``,
    pandas, polars) with a ``label`` column and one score column per scorer, named by
    ``scorers`` (a list of columns, or ``{scorer name: column}``). With a table, all scorers of
    a slice share the same resamples.

    Returns a ``Data`` with columns ``slice, scorer, metric, value, low, high, n, status,
    reason`` (one row per cell; the overall slice, named by ``overall``, comes first, then the
    slices as given: a categorical column's categories in order, else first appearance in the data,
    missing values last). Skipped cells (single class, too few rows) and error cells have null values
    and say why. The resampling arguments are checked before anything is read (see
    :func:`~evalviz.analysis.bootstrap.bootstrap_metrics`).
    ``progress`` shows a tqdm bar (default: when there are 10 slices or more).

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


def _paired_rows(
    labels: np.ndarray | None,
    baseline: np.ndarray,
    candidate: np.ndarray,
    slices: np.ndarray,
    clusters: np.ndarray | None,
    metric: Metric,
    resampling: Resampling,
    *,
    order: list[tuple[str, bool]],
    progress: bool | None,
) -> pa.Table:
    check_metric_inputs(metric, labels, baseline)
    check_metric_inputs(metric, labels, candidate)
    rows = []
    with _progress(len(order), progress, "evalviz: paired bootstrap over slices") as bar:
        for slice_name, is_overall in order:
            mask = slice(None) if is_overall else slices == slice_name
            (res,) = _run_bootstrap(
                None if labels is None else labels[mask],
                [baseline[mask], candidate[mask]],
                [metric],
                resampling,
                clusters=None if clusters is None else clusters[mask],
                paired=True,
            )
            r = _paired_shape(res[metric.name])
            rows.append(
                {
                    "slice": slice_name,
                    "metric": metric.name,
                    "delta": _num(r["delta"]),
                    "low": _num(r["low"]),
                    "high": _num(r["high"]),
                    "n": int(r["n"]),
                    "overlaps_zero": r["overlaps_zero"],
                    "status": r["status"],
                    "reason": r["reason"],
                    "baseline_value": _num(r["baseline"]),
                    "candidate_value": _num(r["candidate"]),
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
) -> pa.Table:
    """:func:`paired_diff_table`, returning the ``pyarrow.Table`` (columns of ``PAIRED_SCHEMA``)."""
    metric_obj = get_metric(metric)
    resampling = _check_paired(
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
    pair = load_aligned_pair(
        baseline, candidate, extra_columns=[*slice_cols, *([cluster] if cluster else [])]
    )
    n = len(pair.baseline_scores)
    slices, names = _slice_keys([pair.extra[c] for c in slice_cols], n)
    return _paired_rows(
        pair.labels,
        pair.baseline_scores,
        pair.candidate_scores,
        slices,
        pair.extra[cluster] if cluster else None,
        metric_obj,
        resampling,
        order=_slice_order(names, bool(slice_cols), overall),
        progress=progress,
    )


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
) -> Any:
    """Paired ``candidate - baseline`` differences per slice, for ``diff_plot``.

    The two prediction artifacts are joined by ``row_id`` (see
    :func:`~evalviz.analysis.paired.align_prediction_arrays`); ``slice_by`` and ``cluster`` are
    columns of the baseline artifact. Returns a ``Data`` with columns ``slice, metric, delta,
    low, high, n, overlaps_zero, status, reason, baseline_value, candidate_value``: the overall
    slice first, then the slices in the order they first appear in the baseline.

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
    """inspect_ai score values -> floats: numbers as they are, C/I/P/N letters as inspect values them."""
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if col.null_count:
        i = int(np.flatnonzero(col.is_null().to_numpy(zero_copy_only=False))[0])
        raise EvalvizError(
            f"score column {column!r} is missing (null) for {describe_row(i)}; the sample may have errored - "
            "filter such samples out first (or pass on_unmatched='drop' after removing them)"
        )
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
    elif pa.types.is_boolean(col.type) or pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
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


def _joined_keys(table: pa.Table, cols: Sequence[str]) -> pa.Array:
    """One key per row: the values of ``cols`` as text, joined with ``_KEY_SEP``."""
    return pc.binary_join_element_wise(*[pc.cast(table[c], pa.string()) for c in cols], _KEY_SEP).combine_chunks()


def _key_text(cols: Sequence[str], key: str) -> str:
    """A key of :func:`_joined_keys` for people: ``col=value, col=value``."""
    return ", ".join(f"{c}={v}" for c, v in zip(cols, key.split(_KEY_SEP), strict=True))


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
    """:func:`paired_diff_between_models`, returning the ``pyarrow.Table`` (``PAIRED_SCHEMA``)."""
    resampling = _check_paired(
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

    def side(model: str) -> tuple[pa.Table, pa.Array]:
        part = table.filter(pc.equal(table[model_col], model))
        keys = _joined_keys(part, key_cols) if key_cols else pa.array([""] * part.num_rows)
        repeated = _repeated(keys)
        if repeated is not None:
            n_repeated, key, count = repeated
            raise EvalvizError(
                f"model {model!r} has {n_repeated} repeated sample(s) "
                f"(e.g. {_key_text(key_cols, key)} appears {count} "
                "times); keep one run per task and model"
            )
        return part, keys

    base_t, base_k = side(baseline_model)
    cand_t, cand_k = side(candidate_model)
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
        base_scores,
        cand_scores,
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
    """Paired difference between two models on an inspect_ai sample table, per task, for ``diff_plot``.

    ``samples`` is a table with one row per (model, task, sample, epoch), as from
    ``inspect_ai.analysis.samples_df``: columns ``id``, ``epoch``, ``model_display_name`` or
    ``model``, ``task_display_name`` (``by="task"`` also finds ``task_name``) and
    ``score_<scorer>``. Rows are matched by (task, id, epoch); resampling is clustered by sample
    id (all epochs of a sample move together) unless ``cluster_by_id=False``. Letter scores
    C/I/P/N count as 1/0/0.5/0. ``metric="mean"`` needs no labels; binary metrics need
    ``label=``. Returns a ``Data`` with the columns of :func:`paired_diff_table`.

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
