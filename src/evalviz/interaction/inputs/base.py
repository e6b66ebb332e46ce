"""What every input shares: the element a page draws (`InputElement`, an item `{"kind": "input", ...}` drawn by
`js/inputs/`), its target (a Selection it publishes into, or a Param it sets), its id (the `source` of its
clauses), and the checks of its arguments, made before anything is read or drawn."""

from __future__ import annotations

import functools
import inspect
import reprlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from evalviz.errors import ArgumentTypeError, EvalvizError
from evalviz.interaction.selection import Param, Selection, _fresh_name
from evalviz.rendering.component import Component
from evalviz.signatures import checks_signature
from evalviz.views.options import checked_argument

ALL = "all"  # the value meaning "no filter": every row is kept (the input publishes no clause)

Target = Selection | Param
Input = TypeVar("Input", bound=Callable[..., Component])


@dataclass(frozen=True, eq=False)
class InputElement:
    """An input on a page: what `to_item` sends `js/inputs/` to draw.

    Attributes:
        input: Which input ("select", "checkbox_group", "radio_group", "checkbox", "slider", "search").
        target: The Selection its clauses go into, or the Param it sets.
        column: The column its clauses read (None for an input setting a Param without data).
        label: The text shown beside it.
        fields: What this kind of input needs besides (options, range, the value it starts at).
        id: The source of its clauses, unique in the process and across processes.

    Example:
        >>> element = InputElement("search", Selection.intersect(), "model", "Model", {"type": "contains"})
        >>> item = element.to_item("")
        >>> item["kind"], item["input"], item["target"]["kind"]
        ('input', 'search', 'selection')
    """

    input: str
    target: Target
    column: str | None
    label: str | None
    fields: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: _fresh_name("input"))

    def to_item(self, scope: str) -> dict[str, Any]:
        """The item as it travels (an input reads no dataset, so `scope` is not used)."""
        target = {"kind": "param" if isinstance(self.target, Param) else "selection", "name": self.target.name}
        return {"kind": "input", "input": self.input, "id": self.id, "column": self.column, "label": self.label,
                "target": target, **self.fields}

    def datasets(self) -> tuple[str, ...]:
        return ()

    def shared(self) -> tuple[Target, ...]:
        return (self.target,)


def as_component(element: InputElement) -> Component:
    """The Component holding `element`, its column recorded in its target selection."""
    if isinstance(element.target, Selection) and element.column is not None:
        element.target.add_columns(element.column)
    return Component.from_parts(element, {})


def starting_value(value: Any, default: Any, target: Target) -> Any:
    """The value an input starts at: `value` as given; left at its `default`, the value of a Param target (when it
    has one), so that an input shows what its Param holds.

    Example:
        >>> starting_value(ALL, ALL, Param("gpt-4")), starting_value("claude", ALL, Param("gpt-4"))
        ('gpt-4', 'claude')
    """
    given = not (type(value) is type(default) and value == default)
    if given or not isinstance(target, Param) or target.value is None:
        return value
    return target.value


def checked_target(target: Any, name: str) -> Target:
    """`target` when it is a Selection or a Param, else an error naming `name` and what it takes.

    Example:
        >>> checked_target("models", "select")
        Traceback (most recent call last):
        ...
        evalviz.errors.ArgumentTypeError: select publishes into target=, an ev.Selection ...
    """
    if isinstance(target, Selection | Param):
        return target
    raise ArgumentTypeError(
        f"{name} publishes into target=, an ev.Selection (ev.Selection.intersect(), ...) that charts take as "
        f"filter_by=, or sets an ev.Param (ev.Param(value)); not {reprlib.repr(target)}.")


def checked_label(label: Any, column: str | None) -> str | None:
    """The label shown: `label` (text), or the column's name when None."""
    if label is not None and not isinstance(label, str):
        raise ArgumentTypeError(f"label is text (or None for the column's name), not {reprlib.repr(label)}.")
    return column if label is None else label


def needs_column(data: Any, column: Any, target: Target, name: str) -> None:
    """Raise unless `data` and `column` are given, or both left out for an input setting a Param."""
    if data is None and column is None and isinstance(target, Param):
        return
    if data is None or column is None:
        raise EvalvizError(
            f"{name} needs data and column (the column its options and clauses read), e.g. "
            f"ev.{name}(data, \"model_display_name\", target=...); only an input setting an ev.Param may go "
            "without them.")


def checks_input(function: Input) -> Input:
    """Make an input refuse, before any work, an argument it does not have (naming the closest), a missing
    required one, or one of the wrong type (`views.options.checked_argument`: text, flags; a dataframe given as
    `data` is read with `Data.from_dataframe`).

    Example:
        >>> @checks_input
        ... def box(data, column: str, *, tag: str | None = None): ...
        >>> box(None, "x", tga="X")
        Traceback (most recent call last):
        ...
        evalviz.errors.ArgumentTypeError: box has no argument 'tga'. Did you mean 'tag'? It takes data, column, tag.
    """
    signature = inspect.signature(function)

    @checks_signature
    @functools.wraps(function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        for name, value in bound.arguments.items():
            if not (name == "data" and value is None):
                bound.arguments[name] = checked_argument(signature.parameters[name], value)
        return function(*bound.args, **bound.kwargs)

    return checked  # type: ignore[return-value]
