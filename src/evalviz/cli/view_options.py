"""A view's parameters as command-line options, read from its signature, type hints and docstring.

`--score-value COL` for `score_value: str`; several values for a list (`--y a b`); a flag for a bool (`--tip`,
`--no-tip`); `choices` for a `Literal`; two values for a pair (`--domain 0 1`). A parameter whose type a
command line cannot give (a `Data`, a `Selection`, a mapping, an Altair chart) has no option, and keeps its
default. A view is drawn from the command line when its first parameter takes a `Data` table and every
parameter it requires has an option.
"""

from __future__ import annotations

import argparse
import builtins
import collections.abc
import dataclasses
import importlib
import inspect
import re
import textwrap
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, Union

from evalviz.cli.parameter_docs import first_sentence, parameter_docs
from evalviz.data.table import Data
from evalviz.rendering.component import Component
from evalviz.views import VIEW_MODULES
from evalviz.views.options import NotGiven

SCALARS = (str, int, float)
# Containers of several values of one type, as the views' hints spell them.
LISTS = (list, collections.abc.Sequence, collections.abc.Iterable, collections.abc.Collection)
DEST_PREFIX = "view:"  # the namespace attribute of a view option: "view:score_value", apart from the command's own
SUMMARY_WIDTH = 98  # the view's summary above its options, wrapped as the command's description is
NONE = "none"  # how a command line gives None, to a parameter that takes it (any case: `None` too)
REQUIRED = re.compile(r"\(required\b")  # an entry saying its parameter is required though it has a default
# A note on None in a help line ("(None: no interval)", "(None hides it)"), left out of an option that cannot take
# None: an entry documenting several parameters says it of those that can.
NONE_NOTE = re.compile(r"\s*\(None\b[^()]*(?:\([^()]*\)[^()]*)*\)")


@dataclass(frozen=True)
class OptionType:
    """How one parameter is read from the command line."""

    convert: Callable[[str], Any] = str
    flag: bool = False  # a bool: --name / --no-name
    many: bool = False  # a list: one or more values
    single_too: bool = False  # a list the view also takes as one value on its own (`str | Sequence[str]`)
    pair: bool = False  # a tuple of two values
    choices: tuple[Any, ...] | None = None  # the only values taken
    listed: tuple[Any, ...] = ()  # values named beside a free one (a sort order or a column name): said in the help
    none: bool = False  # None is among the values the parameter takes
    none_items: bool = False  # a pair whose each value may be None (an open end of a domain)


def drawable_views() -> dict[str, Callable[..., Any]]:
    """Every view a command line can draw, by name: its first parameter takes a `Data` table, it returns a chart,
    and each parameter it requires has an option.

    Example:
        >>> "scores_heatmap" in drawable_views()
        True
    """
    names = sorted({*VIEW_MODULES, "heatmap"})
    views = {name: getattr(importlib.import_module("evalviz.views"), name) for name in names}
    return {name: view for name, view in views.items() if _drawable(view)}


def add_view_options(parser: argparse.ArgumentParser, view: Callable[..., Any]) -> None:
    """Add an option for each parameter of `view` a command line can give, under its docstring's first sentence;
    each option's help is its parameter's own line (`parameter_docs.ParameterDoc.help_line`).

    A parameter named as one of the command's own options (`--output`) is left out.

    Example:
        >>> import evalviz as ev
        >>> parser = argparse.ArgumentParser()
        >>> add_view_options(parser, ev.scores_heatmap)
        >>> view_arguments(parser.parse_args(["--score-value", "score_match_accuracy"]))
        {'score_value': 'score_match_accuracy'}
    """
    docs = parameter_docs(view)
    summary = first_sentence(" ".join((inspect.getdoc(view) or "").partition("\n\n")[0].split()))
    summary = textwrap.fill(summary, SUMMARY_WIDTH).replace("%", "%%")
    group = parser.add_argument_group(f"options of {view.__name__}", summary)
    options = list(_options(view))
    names = {parameter.name for parameter, _ in options}
    for parameter, kind in options:
        doc = docs.get(parameter.name)
        line = doc.help_line(parameter.name, names) if doc else ""
        required = parameter.default is inspect.Parameter.empty or bool(doc and REQUIRED.search(doc.text))
        try:
            group.add_argument("--" + parameter.name.replace("_", "-"), **_argument(parameter, kind, line, required))
        except argparse.ArgumentError:  # named as one of the command's own options
            continue


def view_arguments(namespace: argparse.Namespace) -> dict[str, Any]:
    """The view's keyword arguments the command line gave (an option left out is not passed: the view's default
    holds), converted to what the view takes.

    Example:
        >>> view_arguments(argparse.Namespace(**{"view:title": "Scores", "output": "x.html"}))
        {'title': 'Scores'}
    """
    return {key.removeprefix(DEST_PREFIX): value for key, value in vars(namespace).items()
            if key.startswith(DEST_PREFIX)}


def option_type(hint: Any, default: Any = inspect.Parameter.empty) -> OptionType | None:
    """How a parameter of type `hint` (with `default`) is read from the command line; None when it cannot be.

    `Literal` values anywhere in the hint (in a union, an alias, an `Optional`) become the option's choices, or
    are named in its help when it takes a free value too.

    Example:
        >>> option_type(str | None)
        OptionType(convert=<class 'str'>, flag=False, many=False, single_too=False, pair=False, choices=None, \
listed=(), none=True, none_items=False)
        >>> option_type(typing.Literal["a", "b"] | None).choices
        ('a', 'b')
    """
    members = _members(hint)
    kind = _merged([kind for member in members if (kind := _member_type(member, default)) is not None])
    if kind is None or kind.flag:
        return kind
    return dataclasses.replace(kind, none=any(member in (type(None), Any, object) for member in members))


def _merged(kinds: list[OptionType]) -> OptionType | None:
    """The option type of a union, from those of its members; None when a command line cannot give it."""
    flags = [kind for kind in kinds if kind.flag]
    others = [kind for kind in kinds if not kind.flag]
    if flags and not others:
        return flags[0]
    if flags and all(kind.choices is not None and kind.convert is str for kind in others):
        # a bool beside fixed words (annotate: True, False or "auto"): one more choice each
        return OptionType(_word_or_bool, choices=(*_values(others), True, False))
    if flags:  # a bool beside other types (a legend: True, False or a title): the option takes the text, and
        # "true" and "false" as the bools
        texts = [kind for kind in others if kind.convert is str and not (kind.many or kind.pair)]
        return OptionType(_word_or_bool, listed=(*_values(texts), True, False)) if texts else None
    lists = [kind for kind in others if kind.many]
    singles = [kind for kind in others if not kind.many]
    if any(kind.pair for kind in singles):
        return singles[0] if not lists and len(set(singles)) == 1 else None
    converts = {kind.convert for kind in singles}
    if len(lists) == 1 and converts <= {lists[0].convert}:
        return OptionType(lists[0].convert, many=True, single_too=bool(singles), listed=_values(singles))
    if lists or not singles:
        return None
    if len(converts) == 1 and all(kind.choices is not None for kind in singles):
        return OptionType(singles[0].convert, choices=_values(singles))
    if len(converts) == 1:  # fixed words beside free text (a sort order or a column name): named in the help
        return OptionType(singles[0].convert, listed=_values(singles))
    return OptionType(float) if converts == {int, float} else None


def _values(kinds: list[OptionType]) -> tuple[Any, ...]:
    """The fixed values of several option types, each once, in order."""
    return tuple(dict.fromkeys(value for kind in kinds for value in kind.choices or ()))


def _word_or_bool(text: str) -> str | bool:
    """A word, or True or False for "true" or "false"."""
    return {"true": True, "false": False}.get(text.lower(), text)


def _or_none(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """`convert`, giving None for "none" (in any case)."""

    def converted(text: str) -> Any:
        return None if text.lower() == NONE else convert(text)

    converted.__name__ = getattr(convert, "__name__", "value")  # argparse names it: "invalid int value: 'x'"
    return converted


def _drawable(view: Callable[..., Any]) -> bool:
    parameters = list(inspect.signature(view).parameters.values())
    hints = _hints(view)
    if not parameters or Component not in _members(hints.get("return")):
        return False
    if Data not in _members(hints.get(parameters[0].name)):
        return False
    given = {parameter.name for parameter, _ in _options(view)}
    return all(parameter.name in given for parameter in parameters[1:]
               if parameter.default is inspect.Parameter.empty
               and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD))


def _options(view: Callable[..., Any]) -> Iterator[tuple[inspect.Parameter, OptionType]]:
    """Each parameter after the data that has an option, with its type."""
    hints = _hints(view)
    for parameter in list(inspect.signature(view).parameters.values())[1:]:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        kind = option_type(hints.get(parameter.name, Any), parameter.default)
        if kind is not None:
            yield parameter, kind


def _argument(parameter: inspect.Parameter, kind: OptionType, line: str, required: bool) -> dict[str, Any]:
    """add_argument's keywords for one parameter: its help is its docstring's line (`line`, without notes on None
    when the option cannot take None), the fixed values it takes beside a free one, how to give None, and its
    default. Every option whose type takes None takes "none" (also when None is the default: the help says what
    None does)."""
    default = parameter.default
    shown = "" if default in (None, inspect.Parameter.empty) or isinstance(default, NotGiven) else default
    none = kind.none and not kind.pair and not kind.flag
    help_text = " ".join(filter(None, (
        line if none or kind.none_items else NONE_NOTE.sub("", line),
        f"(one of {', '.join(map(_spelt, kind.listed))}, or another value)" if kind.listed else "",
        f"(give {NONE} for None)" if none else "",
        f"(give {NONE} for an open end)" if kind.none_items else "",
        f"(default: {shown!r})" if shown != "" else "")))
    keywords: dict[str, Any] = {
        "dest": DEST_PREFIX + parameter.name, "help": help_text.replace("%", "%%"), "default": argparse.SUPPRESS,
        "required": required,
    }
    if kind.flag:
        return {**keywords, "action": argparse.BooleanOptionalAction}
    keywords.update(type=_or_none(kind.convert) if none else kind.convert, metavar=parameter.name.upper())
    if kind.choices is not None:
        choices = (*kind.choices, None) if none else kind.choices
        keywords.update(choices=choices, metavar="{" + ",".join(map(_spelt, choices)) + "}")
    if kind.many:
        keywords.update(nargs="+", action=_ListAction, single_too=kind.single_too)
    if kind.pair:
        keywords.update(nargs=2, action=_PairAction)
    return keywords


class _ListAction(argparse.Action):
    """Stores the values as a list, or the one value alone when the view takes one on its own too."""

    def __init__(self, *args: Any, single_too: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.single_too = single_too

    def __call__(self, parser: Any, namespace: argparse.Namespace, values: Any, option: Any = None) -> None:
        if None in values and len(values) > 1:
            parser.error(f"argument {option}: {NONE} (None) is given alone, not among other values")
        single = self.single_too or values == [None]
        setattr(namespace, self.dest, values[0] if single and len(values) == 1 else list(values))


class _PairAction(argparse.Action):
    def __call__(self, parser: Any, namespace: argparse.Namespace, values: Any, option: Any = None) -> None:
        setattr(namespace, self.dest, tuple(values))


def _member_type(member: Any, default: Any) -> OptionType | None:
    """The option type of one member of a union."""
    origin, args = typing.get_origin(member), typing.get_args(member)
    if member is bool:
        return OptionType(flag=True)
    if member in SCALARS:
        return OptionType(member)
    if member in (Any, object):  # typed loosely: the default's type, text when None (a sort order given as text)
        return OptionType(str) if default is None else OptionType(type(default)) if type(default) in SCALARS else None
    if origin is Literal and args and len({type(arg) for arg in args}) == 1 and type(args[0]) in SCALARS:
        return OptionType(type(args[0]), choices=args)
    if origin in LISTS and len(args) == 1:
        item = _scalar(args[0])
        return OptionType(item, many=True) if item is not None else None
    if origin is tuple and len(args) == 2:
        items = {_scalar(arg) for arg in args}
        if len(items) != 1 or None in items:
            return None
        open_ends = any(type(None) in _members(arg) for arg in args)
        item = items.pop()
        return OptionType(_or_none(item) if open_ends else item, pair=True, none_items=open_ends)
    return None


def _spelt(value: Any) -> str:
    """A value as the command line spells it: "none", "true", "false", or its text."""
    return NONE if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _scalar(hint: Any) -> type | None:
    """The one scalar type a hint holds (`str`, `float | None`; `Any` is text), or None."""
    if hint in (Any, object):
        return str
    kinds = {member for member in _members(hint) if member is not type(None)}
    return kinds.pop() if len(kinds) == 1 and kinds <= set(SCALARS) else None


def _members(hint: Any) -> tuple[Any, ...]:
    """The members of a union (nested aliases flattened), or the hint alone."""
    if typing.get_origin(hint) in (Union, types.UnionType):
        return tuple(member for arg in typing.get_args(hint) for member in _members(arg))
    return (hint,)


def _hints(function: Callable[..., Any]) -> dict[str, Any]:
    """The function's type hints, evaluated in its module; a name imported only for type checking (a
    `Selection`) becomes a stand-in type that no option is made for."""
    module = importlib.import_module(function.__module__)
    names = _Names(vars(module))
    hints = {}
    for name, annotation in getattr(function, "__annotations__", {}).items():
        try:
            hints[name] = eval(annotation, {}, names) if isinstance(annotation, str) else annotation  # noqa: S307
        except Exception:  # noqa: BLE001 - an annotation this module cannot evaluate has no option
            hints[name] = None
    return hints


class _Names(dict):
    """The namespace hints are evaluated in: the module's names, then builtins, then a stand-in type."""

    def __init__(self, module_names: dict[str, Any]) -> None:
        super().__init__(module_names)

    def __missing__(self, name: str) -> Any:
        return getattr(builtins, name, None) or types.new_class(name)
