"""Axis groups: named sets of a grid's labels, kept next to each other and drawn as labelled spans beside the axis.

`groups={"y": {"Open": ["m1", "m2"], "Closed": ["m3"]}}` (keys "x" and "y", as the sort grammar's): on each axis the
groups come in the order given (left to right, top to bottom), each holding its labels in the order the sort gives
them (by value, clustered within the group, an explicit order, or input order); labels in no group follow the
groups, in the sort's order, under no span. Labels are given as the axis draws them (None names the NULL value,
drawn "(null)"); a label named by no value of the axis, or by two groups, is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from evalviz.errors import EvalvizError
from evalviz.query.axes import NULL_LABEL
from evalviz.views.sorting import LABELS_SHOWN, label_text

GRID_AXES = ("x", "y")
TAKES = "{'y': {'group name': ['label', ...], ...}} (keys 'x' and 'y')"


@dataclass(frozen=True)
class GroupSpan:
    """A run of consecutive axis values in one group: its name, and its first and last positions on the axis."""

    name: str
    first: int
    last: int


@dataclass(frozen=True)
class AxisGroups:
    """Parsed axis groups: per axis, (group name, its labels) in the order given.

    Example:
        >>> groups = parse_groups({"y": {"Open": ["m1", "m3"], "Closed": ["m2"]}})
        >>> groups.blocks("y", ["m1", "m2", "m3", "m4"])
        [[0, 2], [1], [3]]
        >>> groups.spans("y", ["m1", "m3", "m2", "m4"])
        [GroupSpan(name='Open', first=0, last=1), GroupSpan(name='Closed', first=2, last=2)]
    """

    axes: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.axes)

    def on(self, axis: str) -> bool:
        """Whether `axis` has groups."""
        return axis in self.axes

    def blocks(self, axis: str, labels: Sequence[str]) -> list[list[int]]:
        """The positions of `labels` (the axis's labels in the sort's order) cut into its groups, in the order the
        groups were given, then those in no group; each block keeps the sort's order.

        Raises:
            EvalvizError: a group names a label the axis does not have, naming those it has.
        """
        given = self.axes.get(axis, ())
        group_of = {label: i for i, (_, members) in enumerate(given) for label in members}
        self._check_present(axis, labels, group_of)
        blocks: list[list[int]] = [[] for _ in range(len(given) + 1)]
        for position, label in enumerate(labels):
            blocks[group_of.get(label, len(given))].append(position)
        return [block for block in blocks if block]

    def spans(self, axis: str, labels: Sequence[str]) -> list[GroupSpan]:
        """The runs of consecutive `labels` (an axis in drawing order) that belong to one group."""
        group_of = {label: name for name, members in self.axes.get(axis, ()) for label in members}
        spans: list[GroupSpan] = []
        for position, label in enumerate(labels):
            name = group_of.get(label)
            if name is None:
                continue
            if spans and spans[-1].name == name and spans[-1].last == position - 1:
                spans[-1] = GroupSpan(name, spans[-1].first, position)
            else:
                spans.append(GroupSpan(name, position, position))
        return spans

    def _check_present(self, axis: str, labels: Sequence[str], group_of: Mapping[str, int]) -> None:
        held = set(labels)
        absent = [label for label in group_of if label not in held]
        if not absent:
            return
        present = list(dict.fromkeys(labels))
        shown = ", ".join(map(repr, present[:LABELS_SHOWN])) + (", ..." if len(present) > LABELS_SHOWN else "")
        named = ", ".join(map(repr, absent[:LABELS_SHOWN])) + (", ..." if len(absent) > LABELS_SHOWN else "")
        raise EvalvizError(
            f"groups name {axis} labels the data does not have: {named}. The {axis} axis has {shown} "
            f"({len(present)} label{'s' if len(present) != 1 else ''}); give the labels as the axis shows them."
        )


def parse_groups(groups: object, axes: Sequence[str] = GRID_AXES) -> AxisGroups:
    """`groups` ({axis: {group name: [labels]}}, or None) as `AxisGroups`, after checking its form.

    Raises:
        EvalvizError: a form it does not take, an empty group, or a label in two groups.

    Example:
        >>> parse_groups({"x": {"Maths": ["gsm8k", None]}}).axes
        {'x': (('Maths', ('gsm8k', '(null)')),)}
    """
    if groups is None or isinstance(groups, AxisGroups):
        return groups or AxisGroups()
    if not isinstance(groups, Mapping):
        raise EvalvizError(f"groups takes {TAKES}, not {type(groups).__name__}.")
    unknown = [key for key in groups if key not in axes]
    if unknown:
        raise EvalvizError(f"groups takes the keys {', '.join(map(repr, axes))}, not "
                           f"{', '.join(map(repr, unknown))}: {TAKES}.")
    return AxisGroups({axis: _axis_groups(axis, given) for axis, given in groups.items() if given})


def _axis_groups(axis: str, given: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """One axis's groups, each a name and its labels as text, after checking that no label is in two groups."""
    if not isinstance(given, Mapping):
        raise EvalvizError(f"groups[{axis!r}] maps each group's name to its labels, not a "
                           f"{type(given).__name__}: {TAKES}.")
    seen: dict[str, str] = {}
    parsed = []
    for name, members in given.items():
        if not isinstance(name, str) or not name.strip():
            raise EvalvizError(f"A group's name is a string with some text to draw beside its bracket, not {name!r} "
                               f"(groups[{axis!r}]).")
        if isinstance(members, str) or not isinstance(members, list | tuple) or not members:
            raise EvalvizError(f"The group {name!r} (groups[{axis!r}]) is a non-empty list of labels, not "
                               f"{members!r}.")
        labels = tuple(dict.fromkeys(_label_text(label) for label in members))
        for label in labels:
            if label in seen:
                raise EvalvizError(f"The {axis} label {label!r} is in two groups, {seen[label]!r} and {name!r}: "
                                   "a label belongs to one group.")
            seen[label] = name
        parsed.append((name, labels))
    return tuple(parsed)


def _label_text(label: object) -> str:
    """A label as the axis draws it (`sorting.label_text`), None as "(null)"."""
    text = label_text(label)
    return NULL_LABEL if text is None else text
