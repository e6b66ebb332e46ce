"""The Python blocks of a Markdown page, and how they run: as the cells of one notebook, checking what their
comments promise. Shared by the docs site's build (`live_charts.py` draws what a block shows) and by
tests/test_docs_examples.py.

- A bare expression is shown as a notebook shows it: its repr, and its HTML (a `Data` preview, a chart); `run_block`
  hands each shown value to `display`.
- A statement followed by comment lines `# SomeError: message` must raise that error (or a subclass) with that
  message; `...` stands for any text.
- A bare expression with a Python literal as its comment (`MetricState(0.91).to_dict()  # {'value': 0.91,
  ...}`) must equal it: floats to the digits shown, `...` for any value or any run of list items.
- A block right after the line `<!-- docs-test: skip (reason) -->` does not run.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

SKIP = re.compile(r"<!-- docs-test: skip \((.+)\) -->\s*$")
RAISES = re.compile(r"#\s*([A-Z]\w*(?:Error|Exception)): (.*)")


class BlockError(AssertionError):
    """A block did not do what the page says: it raised, raised another error, or showed another value."""


@dataclass(frozen=True)
class Block:
    """One ```python block: its file, first line (1-based) and code; `skip` is the reason it does not run."""

    path: Path
    line: int
    code: str
    skip: str | None = None
    end: int = 0  # the line of its closing fence (1-based)

    @property
    def where(self) -> str:
        """The block's file (relative to the repository when inside it) and first line."""
        return f"{_shown(self.path)}:{self.line}"


def _shown(path: Path) -> str:
    root = Path(__file__).resolve().parents[2]
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def blocks_of(path: Path) -> list[Block]:
    """The ```python blocks of a Markdown file, in order."""
    return blocks_in(path.read_text(encoding="utf-8"), path)


def blocks_in(markdown: str, path: Path) -> list[Block]:
    """The ```python blocks of Markdown text read from `path`, in order, each with the line of its closing fence."""
    lines = markdown.splitlines()
    found, index = [], 0
    while index < len(lines):
        if lines[index].strip() == "```python":
            start = index + 1
            end = next(i for i in range(start, len(lines)) if lines[i].strip() == "```")
            marker = SKIP.match(lines[index - 1].strip()) if index else None
            code = "\n".join(lines[start:end]) + "\n"
            found.append(Block(path, start + 1, code, marker and marker.group(1), end + 1))
            index = end
        index += 1
    return found


def run_blocks(blocks: list[Block], display: Callable[[Block, Any], None] | None = None) -> None:
    """Run the blocks of one page in order in one namespace, as the cells of one notebook (skipped blocks left
    out); `display(block, value)` gets each value a block shows. Metrics a page registers are unregistered after it.
    """
    from evalviz.analysis.metrics import available_metrics, unregister_metric

    namespace: dict[str, Any] = {"__name__": "__main__"}
    registered = set(available_metrics())
    try:
        for block in blocks:
            if block.skip is None:
                run_block(block, namespace, display and functools.partial(display, block))
    finally:
        for name in set(available_metrics()) - registered:
            unregister_metric(name)


def run_block(block: Block, namespace: dict[str, Any], display: Callable[[Any], None] | None = None) -> None:
    """Run the block statement by statement, as a notebook would, checking what its comments promise; `display`
    gets the value of each bare expression (after the checks a notebook's display makes), in order.

    Raises:
        BlockError: a statement raised another error than its comment says, none, or an expression's value is not
            the one its comment shows.
    """
    source = block.code
    lines = source.splitlines()
    tree = ast.parse(source, filename=block.where)
    for statement in tree.body:
        where = f"{block.where.rsplit(':', 1)[0]}:{block.line + statement.lineno - 1}"
        code = ast.get_source_segment(source, statement) or ""
        raises = _expected_error(lines, statement.end_lineno or statement.lineno)
        if raises is not None:
            _check_raises(code, namespace, raises, where)
            continue
        if isinstance(statement, ast.Expr):
            value = eval(compile(ast.Expression(statement.value), where, "eval"), namespace)
            _display(value)
            shown = _literal_comment(lines, statement.end_lineno or statement.lineno)
            if shown is not None and not _matches(shown[0], value, shown[1]):
                raise BlockError(f"{where}: the docs show {shown[1]}, the code gives {value!r}")
            if display is not None and value is not None:
                display(value)
        else:
            exec(compile(ast.Module([statement], []), where, "exec"), namespace)


def _expected_error(lines: list[str], last: int) -> tuple[str, str] | None:
    """(error name, message) when the comment lines right after line `last` (1-based) name an error."""
    if last >= len(lines) or not (found := RAISES.fullmatch(lines[last].strip())):
        return None
    message = [found.group(2)]
    for line in lines[last + 1 :]:
        text = line.strip()
        if not text.startswith("#") or RAISES.fullmatch(text):
            break
        message.append(text.lstrip("#").strip())
    return found.group(1), " ".join(message)


def _check_raises(code: str, namespace: dict[str, Any], raises: tuple[str, str], where: str) -> None:
    name, message = raises
    try:
        exec(compile(code, where, "exec"), namespace)
    except Exception as exc:  # noqa: BLE001 - compared with what the docs say below
        names = {kind.__name__ for kind in type(exc).__mro__}
        if name not in names:
            raise BlockError(f"{where}: the docs show {name}, the code raised {type(exc).__name__}: {exc}") from exc
        actual = " ".join(str(exc).split())
        pattern = ".*?".join(re.escape(part) for part in " ".join(message.split()).split("..."))
        if not re.fullmatch(pattern, actual, re.S):
            raise BlockError(f"{where}: the docs show {message!r}, the error says {actual!r}") from exc
        return
    raise BlockError(f"{where}: the docs show {name}, but nothing was raised")


def _display(value: Any) -> None:
    """What a notebook does with a cell's value: its text, and its rich forms."""
    if value is None:
        return
    repr(value)
    if hasattr(value, "_repr_html_") and not isinstance(value._repr_html_(), str):
        raise BlockError(f"{value!r} has no HTML to show")
    if hasattr(value, "_repr_mimebundle_"):
        bundle = value._repr_mimebundle_()
        if not (bundle[0] if isinstance(bundle, tuple) else bundle):
            raise BlockError(f"an empty display of {value!r}")


def _literal_comment(lines: list[str], last: int) -> tuple[Any, str] | None:
    """The Python literal the comment of line `last` (1-based) shows as the expression's value, or else the
    comment lines right below it; with its text. None when they show no literal."""
    tokens = list(_comments(lines[last - 1]))
    if tokens:
        text = tokens[-1].lstrip("#").strip()
    else:
        below = []
        for line in lines[last:]:
            if not line.strip().startswith("#"):
                break
            below.append(line.strip().lstrip("#").strip())
        text = " ".join(below)
    try:
        return ast.literal_eval(text), text
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _comments(line: str) -> Iterator[str]:
    import tokenize

    with contextlib.suppress(tokenize.TokenError, SyntaxError):
        for token in tokenize.generate_tokens(io.StringIO(line + "\n").readline):
            if token.type == tokenize.COMMENT:
                yield token.string


def _matches(expected: Any, actual: Any, text: str) -> bool:
    """Whether `actual` is what the docs show: `...` is anything, floats are equal to the digits shown."""
    if expected is Ellipsis:
        return True
    if isinstance(expected, float) and isinstance(actual, int | float | np.floating | np.integer):
        digits = _decimals(expected, text)
        return math.isclose(float(actual), expected, abs_tol=0.5 * 10**-digits + 1e-12)
    if isinstance(expected, tuple | list):
        return isinstance(actual, tuple | list) and _sequence_matches(list(expected), list(actual), text)
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and set(expected) == set(actual)
            and all(_matches(value, actual[key], text) for key, value in expected.items())
        )
    return type(expected) is type(actual) and expected == actual


def _sequence_matches(expected: list[Any], actual: list[Any], text: str) -> bool:
    if not expected:
        return not actual
    if expected[0] is Ellipsis:  # any run of items, none included
        return any(_sequence_matches(expected[1:], actual[skip:], text) for skip in range(len(actual) + 1))
    return bool(actual) and _matches(expected[0], actual[0], text) and _sequence_matches(expected[1:], actual[1:], text)


def _decimals(value: float, text: str) -> int:
    """How many decimals the docs show for `value` (the first spelling of it in the comment)."""
    for match in re.finditer(r"-?\d+\.(\d+)", text):
        if float(match.group(0)) == value:
            return len(match.group(1))
    return 12


