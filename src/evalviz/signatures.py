"""How a public function refuses a call that does not fit its signature: an `ArgumentTypeError` naming the
function, the argument and the closest name it takes, never Python's own TypeError.

Views (`views.options.checks_arguments`) and inputs (`interaction.inputs.base.checks_input`) check more (types,
Vega-Lite properties); every other public function (`ev.page`, `ev.md`, `ev.table`, ...) is wrapped in
`checks_signature`.
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from evalviz.errors import ArgumentTypeError

Function = TypeVar("Function", bound=Callable[..., Any])


def did_you_mean(given: object, choices: Iterable[str]) -> str:
    """" Did you mean 'x'?" naming the choice closest to `given` (case aside), or "" when none is close.

    Example:
        >>> did_you_mean("fill_lable", ["fill", "fill_label", "title"])
        " Did you mean 'fill_label'?"
    """
    by_lower = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(str(given).lower(), list(by_lower), n=1, cutoff=0.6)
    return f" Did you mean {by_lower[close[0]]!r}?" if close else ""


def checks_signature(function: Function) -> Function:
    """Make `function` refuse, before any work, a keyword argument it does not have (naming the closest), a
    missing required argument or too many positional ones, with an `ArgumentTypeError` (an `EvalvizError`).

    Example:
        >>> @checks_signature
        ... def page(*items, title=None): ...
        >>> page(titel="x")
        Traceback (most recent call last):
        ...
        evalviz.errors.ArgumentTypeError: page has no argument 'titel'. Did you mean 'title'? It takes *items, title.
    """
    signature = inspect.signature(function)
    named = [name for name, p in signature.parameters.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    shown = ", ".join(_shown(name, p) for name, p in signature.parameters.items() if name not in ("self", "cls"))
    name = function.__qualname__.removesuffix(".__init__")

    @functools.wraps(function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        for given in kwargs:
            if given not in named:
                raise ArgumentTypeError(f"{name} has no argument {given!r}.{did_you_mean(given, named)} "
                                        f"It takes {shown or 'no arguments'}.")
        try:
            signature.bind(*args, **kwargs)
        except TypeError as error:
            raise ArgumentTypeError(f"{name} takes {shown or 'no arguments'}: {_reason(error)}.") from None
        return function(*args, **kwargs)

    return checked  # type: ignore[return-value]


def _shown(name: str, parameter: inspect.Parameter) -> str:
    if parameter.kind is parameter.VAR_POSITIONAL:
        return f"*{name}"
    if parameter.kind is parameter.VAR_KEYWORD:
        return f"**{name}"
    return name


def _reason(error: TypeError) -> str:
    """What `inspect.Signature.bind` found wrong ("missing a required argument: 'text'"), as a clause."""
    text = str(error).rstrip(".")
    return text[:1].lower() + text[1:]
