"""The one sort grammar every view takes: by value, in input order, or in an explicit order per axis.

- "ascending" / "descending": by each axis value's mean (a view says which way its axes run);
- "cluster" (a grid only): similar rows next to each other, and similar columns (`views.clustering`: average-linkage
  hierarchical clustering of the aggregated cells, leaves in optimal order); GRADIEND's `order="cluster"`;
- None: in the order the rows come in;
- a list of labels: that order, for a view that sorts one axis (the bars of `scores_by_model`, the slices of
  `diff_plot`);
- a dict {"x": [...], "y": [...]}: explicit orders per axis; an axis left out keeps input order; "cluster" in
  place of a list clusters that axis alone ({"y": "cluster"}: the models, however many samples run along x).

In an explicit order, labels the data does not hold are ignored (one order may serve several filtered tables),
and values the order leaves out follow the labels it names, in input order; an order that names none of the
labels present is refused (`Sort.check_matches`), since it would be ignored whole (labels as "GPT" where the axis
shows "GPT · openai/gpt"). None in an explicit order names the NULL value (labelled "(null)").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from evalviz.errors import EvalvizError
from evalviz.query.axes import NULL_LABEL

ByValue = Literal["ascending", "descending"]
BY_VALUE: tuple[ByValue, ...] = ("ascending", "descending")
CLUSTER = "cluster"
# What a view's `sort` takes (parse_sort reads it): a grid's, and that of a view of bars along one axis.
GridSort = ByValue | Literal["cluster"] | Mapping[str, "Sequence[str] | Literal['cluster']"] | None
BarSort = ByValue | Sequence[str] | None
LABELS_SHOWN = 5  # labels present an error names, of an order that matches none


@dataclass(frozen=True)
class Sort:
    """A parsed sort: `by_value` ("ascending", "descending" or None for input order), explicit orders by axis
    (label texts, None for a NULL value) and the axes ordered by clustering (`clustered`).

    Example:
        >>> sort = parse_sort({"y": ["b", "a"]}, axes=("x", "y"))
        >>> sort.explicit_order("y"), sort.explicit_order("x"), sort.needs_input_order
        (('b', 'a'), None, True)
    """

    by_value: ByValue | None = None
    explicit: Mapping[str, tuple[str | None, ...]] = field(default_factory=dict)
    axes: tuple[str, ...] = ("x", "y")
    clustered: tuple[str, ...] = ()

    def explicit_order(self, axis: str) -> tuple[str | None, ...] | None:
        """The labels `axis` is drawn in first, in this order (None: no explicit order)."""
        return self.explicit.get(axis)

    def in_input_order(self, axis: str) -> bool:
        """Whether values of `axis` fall back on the order rows come in: without an order by value, values an
        explicit order leaves out (all of them, without one) follow in input order. Orders by value break ties
        by label; a clustered axis starts from its labels in order (whatever order the rows come in)."""
        return axis in self.axes and self.by_value is None and axis not in self.clustered

    @property
    def needs_input_order(self) -> bool:
        """Whether some axis falls back on input order (a view then reads the rows' positions)."""
        return any(self.in_input_order(axis) for axis in self.axes)

    def check_matches(self, axis: str, present: Iterable[str | None]) -> None:
        """Raise when `axis`'s explicit order names none of the labels `present` (as the axis draws them, None or
        "(null)" for the NULL value). Views call it with every label the axis holds, once the query found them.

        Raises:
            EvalvizError: naming the order's labels and a few of those present (`check_order_matches`).

        Example:
            >>> parse_sort(["GPT"], axes=("y",)).check_matches("y", ["Claude · anthropic", "GPT · openai/gpt"])
            Traceback (most recent call last):
            ...
            evalviz.errors.EvalvizError: sort names none of the y labels present: 'GPT' is not one of ...
        """
        check_order_matches(self.explicit_order(axis), present, axis=axis)

    def arranged(self, axis: str, present: Sequence[str]) -> list[str]:
        """`present` (labels in input order) in `axis`'s explicit order: the labels it names first, in its order,
        then the others as they come. Labels it names that are not present are ignored, unless none is present
        (`check_matches`).

        Example:
            >>> parse_sort(["c", "nope", "a"], axes=("y",)).arranged("y", ["a", "b", "c"])
            ['c', 'a', 'b']
        """
        self.check_matches(axis, present)
        given = self.explicit_order(axis) or ()
        held = set(present)
        first = [label for label in given if label in held]
        named = set(first)
        return [*first, *(label for label in present if label not in named)]  # type: ignore[misc]


def check_order_matches(order: Sequence[str | None] | None, present: Iterable[str | None], *, axis: str = "y",
                        view: str = "sort") -> None:
    """Raise when an explicit `order` (None or empty: no order) names none of the labels `present` on `axis`: an
    order that matches some is kept (labels absent are ignored), one that matches none would be ignored whole.
    None stands for the NULL value, labelled "(null)", on either side.

    Raises:
        EvalvizError: naming the order's first labels and a few of those present, those that contain one of
            the order's labels first.

    Example:
        >>> check_order_matches(["b", "nope"], ["a", "b"])  # "b" is present: "nope" is ignored
        >>> check_order_matches([None], ["a", "(null)"])  # None names the NULL value
    """
    if not order:
        return
    labels = list(dict.fromkeys(NULL_LABEL if label is None else label for label in present))
    wanted = [NULL_LABEL if label is None else label for label in order]
    if not labels or not set(wanted).isdisjoint(labels):
        return
    parts = [label.lower() for label in wanted[:LABELS_SHOWN]]
    near = [label for label in labels if any(part in label.lower() for part in parts)]  # "GPT" in "GPT · openai"
    shown = list(dict.fromkeys([*near[:LABELS_SHOWN], *labels[:LABELS_SHOWN]]))[:LABELS_SHOWN]
    named = ", ".join(map(repr, wanted[:LABELS_SHOWN])) + (", ..." if len(wanted) > LABELS_SHOWN else "")
    raise EvalvizError(
        f"{view} names none of the {axis} labels present: {named} {'is' if len(wanted) == 1 else 'are'} not one of "
        f"{', '.join(map(repr, shown))}{', ...' if len(labels) > len(shown) else ''} ({len(labels)} "
        f"label{'s' if len(labels) != 1 else ''}). Give the labels as the axis shows them."
    )


def parse_sort(sort: object, axes: Sequence[str], *, view: str = "sort") -> Sort:
    """`sort` as a `Sort` for a view whose sorted axes are `axes` (("x", "y") for a grid, ("y",) for bars).

    A `Sort` already parsed for the same axes is returned as it is.

    Raises:
        EvalvizError: a sort the grammar does not have, naming what it takes.

    Example:
        >>> parse_sort("descending", axes=("y",)).by_value
        'descending'
        >>> parse_sort(["gpt-4o", "claude"], axes=("y",)).explicit_order("y")
        ('gpt-4o', 'claude')
    """
    axes = tuple(axes)
    keys = " and ".join(map(repr, axes)) if len(axes) <= 2 else ", ".join(map(repr, axes))
    takes = "'ascending', 'descending', None (input order) or " + (
        "a list of labels" if len(axes) == 1 else "'cluster', or {" + ", ".join(f"'{a}': [...]" for a in axes)
        + "} (a list of labels, or 'cluster', per axis)")
    if isinstance(sort, Sort):
        if sort.axes != axes:
            raise EvalvizError(f"A sort of the axes {sort.axes} was given to a view that sorts {axes}.")
        return sort
    if sort is None:
        return Sort(axes=axes)
    if isinstance(sort, str):
        if sort in BY_VALUE:
            return Sort(by_value=sort, axes=axes)  # type: ignore[arg-type]
        if sort == CLUSTER:
            return Sort(clustered=_clusterable(axes, view), axes=axes)
        from evalviz.views.options import did_you_mean

        choices = BY_VALUE if len(axes) == 1 else (*BY_VALUE, CLUSTER)
        raise EvalvizError(f"{view}={sort!r} is not understood.{did_you_mean(sort, choices)} Use {takes}.")
    if isinstance(sort, Mapping):
        unknown = [key for key in sort if key not in axes]
        if unknown:
            named = ", ".join(sorted(map(repr, unknown)))
            raise EvalvizError(f"{view} takes the keys {keys}, not {named}: use {takes}.")
        clustered = tuple(axis for axis in axes if isinstance(sort.get(axis), str) and sort[axis] == CLUSTER)
        if clustered:
            _clusterable(axes, view)
        return Sort(explicit={axis: _labels(given, view, axis) for axis, given in sort.items()
                              if given is not None and axis not in clustered}, axes=axes, clustered=clustered)
    if isinstance(sort, list | tuple):
        if len(axes) != 1:
            raise EvalvizError(f"{view}={sort!r} is not understood: explicit orders go in a dict by axis, not a "
                               f"list. Use {takes}.")
        return Sort(explicit={axes[0]: _labels(sort, view)}, axes=axes)
    raise EvalvizError(f"{view}={sort!r} is not understood. Use {takes}.")


def _clusterable(axes: tuple[str, ...], view: str) -> tuple[str, ...]:
    """`axes`, after checking that they are a grid's: clustering orders rows by their cells across columns.

    Raises:
        EvalvizError: for a view that sorts one axis.
    """
    if len(axes) < 2:
        raise EvalvizError(f"{view}='cluster' orders the rows and columns of a grid by their cells; this view sorts "
                           "one axis: use 'ascending', 'descending', None or a list of labels.")
    return axes


def _labels(given: object, view: str, axis: str | None = None) -> tuple[str | None, ...]:
    """An explicit order's labels as text (None stays None: the NULL value), each once, in the order given;
    `axis` names the key of a grid's order ({"y": [...]}, where "cluster" is taken too)."""
    if isinstance(given, str):
        if axis is None:
            raise EvalvizError(f"An explicit {view} order is a list of labels, not the string {given!r}.")
        from evalviz.views.options import did_you_mean

        raise EvalvizError(f"{view}[{axis!r}] is a list of labels or 'cluster', not the string {given!r}."
                           f"{did_you_mean(given, (CLUSTER,))} Order both axes by value with {view}='ascending' "
                           "or 'descending'.")
    if not isinstance(given, list | tuple):  # a set or a dict has no order of its own
        raise EvalvizError(f"An explicit {view} order is a list (or tuple) of labels in the order to draw them, "
                           f"not a {type(given).__name__}.")
    return tuple(dict.fromkeys(label_text(label) for label in given))


def label_text(label: object) -> str | None:
    """A label given in Python as an axis draws it: booleans as DuckDB writes them ("true", numpy's too),
    anything else as its str(); None stays None (the NULL value, drawn "(null)"). Orders, groups and the labels
    of a grid given as an array are all written by it, so that each names the others' labels.

    Example:
        >>> label_text(True), label_text(3), label_text(None)
        ('true', '3', None)
    """
    if label is None:
        return None
    return str(label).lower() if isinstance(label, bool | np.bool_) else str(label)
