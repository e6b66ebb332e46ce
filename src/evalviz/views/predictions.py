"""The predictions a classifier view draws (`pr_curve`, `roc_curve`, `reliability_diagram`, `confusion_grid`,
`score_histograms`): one long table of (series, label, score), read from a `Data` or from prediction artifacts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from evalviz.analysis.artifacts import PredictionArtifactRef, as_ref
from evalviz.analysis.readers import load_prediction_arrays
from evalviz.data.table import Data
from evalviz.errors import ArgumentTypeError, ColumnTypeError, EmptyDataError, EvalvizError
from evalviz.query.predictions import (
    LABEL,
    SCORE,
    SERIES,
    SLICE,
    bad_label_sql,
    checks_sql,
    infinite_score_sql,
    long_predictions_sql,
)
from evalviz.views.formatting import count_text
from evalviz.views.grid import check_numeric
from evalviz.views.linking import Linking

# What a classifier view takes as its predictions.
ArtifactRef = PredictionArtifactRef | Mapping[str, Any]
PredictionSource = Data | ArtifactRef | Sequence[ArtifactRef]

__all__ = ["LABEL", "SCORE", "SERIES", "SLICE", "PredictionSource", "Predictions", "carried", "read_predictions"]


@dataclass(frozen=True)
class Predictions:
    """Predictions in the long form the classifier views draw.

    Attributes:
        data: One row per prediction: `series` (VARCHAR: the model, scorer or file it belongs to), `label`
            (TINYINT 0/1) and `score` (DOUBLE, finite); and `slice` (VARCHAR, NULL kept) when read with one.
        series_title: What a series is, for the legend ("scorer", "model", or the series column's name).
        left_out: Rows not in `data` for a NULL label or a NULL or NaN score (to be said on the chart).
        key: What the rows of `data` are, for work done on them to be reused: the long form's statement, the
            table's row count and a checksum of the columns it reads (equal keys: the same predictions, all but
            surely); None when read from artifacts.
    """

    data: Data
    series_title: str
    left_out: int
    key: tuple[object, ...] | None = None


def read_predictions(
    source: object, *, label: str = "label", score: str | Sequence[str] = "score", series: str | None = None,
    view: str = "the view", slice_by: str | None = None, carry: Sequence[str] = (),
) -> Predictions:
    """Read predictions from a table or from prediction artifacts, checked.

    Args:
        source: A `Data` or a dataframe / Arrow table (with a `label` column and one or more `score` columns), or
            prediction artifacts: a `PredictionArtifactRef` (or its `to_dict()`), a list of them, or a mapping of
            series name to ref.
            An artifact's series is its mapping key, else `metadata["name"]`, else its file name; an artifact
            with a `scorer` column gives one series per scorer.
        label: The column of 0/1 ground truth (booleans, or numbers 0 and 1); a table only.
        score: The column of scores, or a list of them (several scorers side by side: one series each); a
            table only.
        series: The column naming each row's series (a model, a scorer); a table only. With several `score`
            columns each series is "<series> · <score column>".
        view: The view's name, for messages.
        slice_by: A column of the table carried through as `slice` (its text): what a view draws small multiples
            of; a table only.
        carry: Columns of the table carried through as they are (what a view's selections filter on); those the
            table lacks, or named as a column of the long form, are not (a table only).

    Returns:
        The `Predictions`.

    Raises:
        MissingColumnError: A named column the table lacks (naming those it has).
        ColumnTypeError: A score column of text; a label other than 0, 1 or NULL (naming its row and value); an
            infinite score (naming its row).
        EmptyDataError: No rows.
        ArgumentTypeError: `source` is none of the above.
        EvalvizError: Anything `load_prediction_arrays` refuses in an artifact.

    Example:
        >>> import evalviz as ev
        >>> preds = ev.Data.from_sql("SELECT i % 2 AS y, i / 10 AS p FROM range(10) t(i)")
        >>> read_predictions(preds, label="y", score="p").data.columns
        ['series', 'label', 'score']
    """
    if _is_frame(source):
        source = Data.from_dataframe(source)
    if isinstance(source, Data):
        carried = [c for c in carry if c in source.columns and c not in (SERIES, LABEL, SCORE, SLICE)]
        return _from_table(source, label, _score_columns(score), series, view, slice_by, carried)
    if slice_by is not None:
        raise EvalvizError(f"{view} slices predictions by a column of a table (slice={slice_by!r}); prediction "
                           f"artifacts carry no such column. Read them into a table with that column "
                           f"(ev.Data.from_file) and pass the table.")
    return _from_artifacts(_refs(source, view))


def carried(linking: Linking, *keys: str | None) -> list[str]:
    """The columns a view's predictions carry for its selections (`read_predictions(carry=...)`): the `keys` its
    clicks publish (its series column, its slice column) and those published into its `filter_by`; none when the
    view is in no selection.

    Example:
        >>> import evalviz as ev
        >>> from evalviz.views.linking import Linking
        >>> carried(Linking(target=ev.Selection.intersect()), "model", None)
        ['model']
    """
    if not linking.active:
        return []
    return [c for c in dict.fromkeys([*keys, *linking.wanted()]) if c is not None]


def _is_frame(source: object) -> bool:
    """Whether `source` is a dataframe or Arrow table (`Data.from_dataframe` reads it as a table)."""
    return (type(source).__module__.split(".")[0] in ("pandas", "polars") or hasattr(source, "__arrow_c_stream__")
            or isinstance(source, pa.Table | pa.RecordBatch | pa.RecordBatchReader))


def _score_columns(score: object) -> list[str]:
    scores = [score] if isinstance(score, str) else list(score) if isinstance(score, list | tuple) else None
    if not scores or not all(isinstance(s, str) for s in scores):
        raise EvalvizError(f"score is the column of scores or a list of them, not {score!r}.")
    return list(dict.fromkeys(scores))


def _from_table(data: Data, label: str, scores: list[str], series: str | None, view: str,
                slice_by: str | None = None, carry: Sequence[str] = ()) -> Predictions:
    data.require_columns(label, *scores, series, slice_by, purpose=view)
    data.require_rows()
    for score in scores:
        check_numeric(data, score, "score")
    _check_label_type(data, label)
    read = [label, *scores, *(column for column in (series, slice_by) if column is not None)]
    checks = _checked_values(data, label, scores, list(dict.fromkeys(read)))
    left_out = int(checks["rows"]) * len(scores) - int(checks["kept"])
    if not checks["kept"]:
        raise EmptyDataError(
            f"{view} has no prediction to draw: each of the {count_text(left_out)} (row, score column) pairs lacks a "
            f"label or a score (NULL or NaN) in {label!r} or {', '.join(map(repr, scores))}. Check that these are the "
            f"columns meant, or fill them in SQL, e.g. data.derive(\"SELECT * REPLACE (coalesce({scores[0]}, 0) AS "
            f"{scores[0]}) FROM this\").")
    title = series if series is not None and len(scores) == 1 else "scorer" if series is None else f"{series} · score"
    long_form = long_predictions_sql(label, scores, series, slice_by, carry)
    return Predictions(data.derive(long_form), title, left_out, (long_form, int(checks["rows"]), checks["checksum"]))


def _checked_values(data: Data, label: str, scores: list[str], read: list[str]) -> dict[str, Any]:
    """The counts and checksum of `checks_sql`, from one pass over the table; raises naming the first row of an
    infinite score or of a label other than 0 and 1 (found by a second pass, only then)."""
    checks = data.run(checks_sql(label, scores, read)).to_pylist()[0]
    for i, score in enumerate(scores):
        if checks[f"infinite_{i}"]:
            bad = data.run(infinite_score_sql(score)).to_pylist()[0]
            raise ColumnTypeError(f"The score column {score!r} holds {bad['value']} at row {bad['row']}: a score must "
                                  f"be finite to be ranked. Replace it in SQL, e.g. data.derive(\"SELECT * REPLACE "
                                  f"(least(greatest({score}, -1e300), 1e300) AS {score}) FROM this\").")
    if checks["bad_labels"]:
        bad = data.run(bad_label_sql(label)).to_pylist()[0]
        raise _label_error(label, f"{bad['value']!r} at row {bad['row']}")
    return checks


def _check_label_type(data: Data, label: str) -> None:
    if not _is_number(data, label):
        raise _label_error(label, f"values of type {data.types[label]}")


def _label_error(label: str, example: str) -> ColumnTypeError:
    return ColumnTypeError(
        f"The label column {label!r} holds {example}; a label is 0 or 1 (or true/false). Compute one in SQL, "
        f"e.g. data.derive(\"SELECT *, CAST({label} = 'yes' AS INTEGER) AS is_positive FROM this\") and pass "
        f"label='is_positive'.")


def _is_number(data: Data, column: str) -> bool:
    try:
        check_numeric(data, column, "label")
    except ColumnTypeError:
        return False
    return True


def _refs(source: object, view: str) -> list[tuple[str | None, PredictionArtifactRef]]:
    """(series name or None, ref) for each artifact given."""
    if isinstance(source, PredictionArtifactRef) or (isinstance(source, Mapping) and "uri" in source):
        return [(None, as_ref(source))]
    if isinstance(source, Mapping) and source:
        return [(str(name), as_ref(ref)) for name, ref in source.items()]
    if isinstance(source, list | tuple) and source:
        return [(None, as_ref(ref)) for ref in source]
    what = f"an empty {type(source).__name__}" if isinstance(source, Mapping | list | tuple) else type(source).__name__
    raise ArgumentTypeError(
        f"{view} draws predictions from an ev.Data with label and score columns, or from prediction artifacts "
        f"(a PredictionArtifactRef, its to_dict(), a list of them or a mapping of name to ref), not {what}.")


def _from_artifacts(refs: list[tuple[str | None, PredictionArtifactRef]]) -> Predictions:
    names, labels, scores = [], [], []
    bases = _series_names(refs)
    for (_, ref), base in zip(refs, bases, strict=True):
        arrays = load_prediction_arrays(ref)
        if arrays.labels is None:
            raise EvalvizError(f"The prediction artifact {ref.uri!r} maps no label column: its curves need the "
                               f"0/1 ground truth. Give its columns a label, e.g. columns={{'label': 'y', "
                               f"'score': '{ref.columns.score}'}}.")
        if not len(arrays):
            raise EmptyDataError(f"The prediction artifact {ref.uri!r} ({base!r}) holds no predictions. Check "
                                 f"the file, or leave it out.")
        names.append(np.asarray([f"{base} · {s}" for s in arrays.scorers], dtype=object) if arrays.scorers
                     else np.full(len(arrays), str(base), dtype=object))
        labels.append(arrays.labels)
        scores.append(arrays.scores)
    table = pa.table({SERIES: pa.array(np.concatenate(names), pa.string()),
                      LABEL: pa.array(np.concatenate(labels), pa.int8()),
                      SCORE: pa.array(np.concatenate(scores), pa.float64())})
    return Predictions(Data.from_dataframe(table), "artifact", 0)


def _series_names(refs: list[tuple[str | None, PredictionArtifactRef]]) -> list[str]:
    """Each artifact's series: its mapping key, else `metadata["name"]`, else its file name; refused when two
    artifacts would share one (their predictions would be drawn as one series)."""
    names = [str(name or (ref.metadata or {}).get("name") or Path(ref.uri).stem) for name, ref in refs]
    seen: dict[str, str] = {}
    for name, (_, ref) in zip(names, refs, strict=True):
        if name in seen:
            raise EvalvizError(
                f"Two prediction artifacts would both be drawn as the series {name!r} ({seen[name]!r} and "
                f"{ref.uri!r}), mixing their predictions. Name each one: pass a mapping of series name to ref, "
                f"e.g. {{'run 1': ref1, 'run 2': ref2}}, or set metadata={{'name': ...}} on each ref.")
        seen[name] = ref.uri
    return names
