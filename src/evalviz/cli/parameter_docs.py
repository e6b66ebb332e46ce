"""What a view's docstring says of each parameter, as one help line of the command line.

A Google-style "Args:" entry may document several parameters together ("low, high: Columns of interval ends."),
or defer to another function ("As `roc_curve`.", "As in `scores_by_task`: ...") or to the options every view
shares ("As every view (`ViewOptions`)"). A help line says what its own parameter is: a deferring entry is
resolved to the other function's entry for the same parameter, followed by what the deferring entry adds; a
sentence shared by several parameters (of those the deferring entry documents too) says which of them the option
is.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.")
# An entry deferring to another function's entry of the same parameter, then perhaps adding to it (`added`); or to
# the shared options' class, whose entries are the options' own (what follows describes this view's defaults of the
# group as a whole, which no one option can be given).
DEFERRING = re.compile(r"As (?:in )?`(?P<function>\w+)`(?:[\s:;,.]+(?P<added>.*))?$", re.DOTALL)
SHARED = re.compile(r"As every view \(`(?P<shared>\w+)`\)")
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


@dataclass(frozen=True)
class ParameterDoc:
    """One parameter's documentation: the entry's text, what a deferring entry adds to the entry it defers to,
    and the names the entry documents together (one name alone when it documents one)."""

    text: str
    names: tuple[str, ...]
    added: str = ""

    def help_line(self, name: str, options: Collection[str] = ()) -> str:
        """The first sentence of the entry, the first of what is added to it, and, when the entry documents
        several parameters at once, which of them `name` is (`options`: the names that are options, spelt
        `--name`).

        Example:
            >>> ParameterDoc("Columns of models and tasks.", ("model", "task")).help_line("task", {"model", "task"})
            'Columns of models and tasks. Of --model and --task, this is the second.'
        """
        sentences = [first_sentence(self.text), _capitalised(first_sentence(self.added))]
        if len(self.names) > 1 and name in self.names:
            spelt = [f"--{other.replace('_', '-')}" if other in options else f"`{other}`" for other in self.names]
            listed = f"{', '.join(spelt[:-1])} and {spelt[-1]}"
            place = self.names.index(name)
            sentences.append(f"Of {listed}, this is the {ORDINALS[place] if place < len(ORDINALS) else place + 1}.")
        return " ".join(filter(None, sentences))


def parameter_docs(function: Callable[..., Any]) -> dict[str, ParameterDoc]:
    """Each parameter's entry under "Args:" in `function`'s Google-style docstring, an entry deferring to another
    function's (or to the shared options' entries under "Attributes:" in their class) resolved to that entry.

    Example:
        >>> import evalviz as ev
        >>> parameter_docs(ev.scores_heatmap)["score_value"].text
        'Numeric column of scores.'
        >>> parameter_docs(ev.pr_curve)["label"].text == parameter_docs(ev.roc_curve)["label"].text
        True
        >>> parameter_docs(ev.scores_by_task)["title"].text
        "The chart's title."
    """
    return {name: _resolved(function, name, doc, ()) for name, doc in
            section_entries(inspect.getdoc(function) or "", "Args:").items()}


def section_entries(docstring: str, heading: str) -> dict[str, ParameterDoc]:
    """The entries of one section ("Args:", "Attributes:") of a Google-style docstring, by name: an entry runs
    from its names to the next line at its indent, its lines joined.

    Example:
        >>> docstring = "Args:\\n    a, b: Two\\n        lines.\\n    c: One.\\n\\nReturns:\\n    x"
        >>> section_entries(docstring, "Args:")["b"]
        ParameterDoc(text='Two lines.', names=('a', 'b'), added='')
    """
    lines = iter(docstring.splitlines())
    for line in lines:
        if line.strip() == heading:
            break
    entries: list[tuple[str, list[str]]] = []
    indent = None
    for line in lines:
        depth = len(line) - len(line.lstrip())
        if not line.strip():
            continue
        if depth == 0 or (indent is not None and depth < indent):
            break  # the next section
        indent = depth if indent is None else indent
        if depth == indent:
            names, _, text = line.strip().partition(":")
            entries.append((names, [text.strip()]))
        else:
            entries[-1][1].append(line.strip())
    docs = {}
    for names, text in entries:
        group = tuple(name.strip().lstrip("*") for name in names.split(","))
        docs.update({name: ParameterDoc(" ".join(text).strip(), group) for name in group})
    return docs


def first_sentence(text: str) -> str:
    """The first sentence of `text`, whole: up to the first full stop outside brackets and quotes that is followed
    by a capital (an abbreviation such as "e.g." ends none).

    Example:
        >>> first_sentence('"max" (the highest. Value) or None (none marked). A note.')
        '"max" (the highest. Value) or None (none marked).'
    """
    depth, quote = 0, ""
    for index, char in enumerate(text):
        if char in "`\"":
            quote = "" if char == quote else quote or char
        elif quote:
            continue
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif char == "." and not depth and re.match(r"\s+[A-Z]", text[index + 1:]) \
                and not text[:index + 1].endswith(ABBREVIATIONS):
            return text[:index + 1]
    return text


def _resolved(function: Any, name: str, doc: ParameterDoc, seen: tuple[Any, ...]) -> ParameterDoc:
    """`doc`, or the entry of `name` it defers to (itself resolved), with what `doc` adds; `doc` unchanged when the
    entry deferred to cannot be found (or defers back)."""
    if match := SHARED.match(doc.text):
        target, added = _named(function, match["shared"]), ""
    elif match := DEFERRING.match(doc.text):
        target, added = _named(function, match["function"]), (match["added"] or "").strip()
    else:
        return doc
    if target is None or target in seen:
        return doc
    heading = "Attributes:" if inspect.isclass(target) else "Args:"
    entry = section_entries(inspect.getdoc(target) or "", heading).get(name)
    if entry is None:
        return doc
    resolved = _resolved(target, name, entry, (*seen, function))
    # Of the names the entry deferred to documents together, only those this entry defers too share its sentence
    # here: another is documented apart (scores_by_factor's task_name), or not a parameter of this function.
    names = tuple(other for other in resolved.names if other in doc.names)
    return ParameterDoc(resolved.text, names, " ".join(filter(None, (resolved.added, added))))


def _named(function: Any, name: str) -> Any:
    """The function or class a docstring names: one of its module's names, or one of evalviz's public ones."""
    found = vars(importlib.import_module(function.__module__)).get(name)
    if found is None:
        found = getattr(importlib.import_module("evalviz"), name, None)
    return found if callable(found) else None


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
