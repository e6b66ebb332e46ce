"""Text read as a number in SQL exactly as Python's `float()` reads it, which inspect_ai's `value_to_float` uses.

Python reads more than DuckDB's cast does: digits of every script ("٣", full-width "３"), Unicode spaces around
the number, and "_" between digits ("1_000"). It reads less too: no space inside, no hexadecimal. The SQL here
does as Python does: each non-ASCII digit becomes its ASCII digit and each non-ASCII space a space (as CPython
does before parsing), the ASCII spaces around are dropped, the text must then match Python's float grammar, and
only then is it cast, without its "_".
"""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Iterable

from evalviz.data.connection import quote_literal as lit

# The spaces Python's float() strips from around a number, once other spaces are " ": ASCII str.isspace().
_ASCII_SPACES = " \t\n\x0b\x0c\r"
# Python's float grammar, with {d} for a digit and {s} for a space: a sign, digits (with single "_" between
# them), a fraction, an exponent, spaces around. "inf" and "nan" are left out: value_to_float refuses what is not
# finite.
_FLOAT_GRAMMAR = r"{s}*[+-]?({d}(_?{d})*(\.({d}(_?{d})*)?)?|\.{d}(_?{d})*)([eE][+-]?{d}(_?{d})*)?{s}*"


@functools.cache
def _unicode_map() -> tuple[str, str]:
    """(from, to) for SQL translate(): every non-ASCII decimal digit to its ASCII digit, every non-ASCII space
    to " ", as Python maps them before reading a number (found once, from Python's own Unicode database)."""
    source, target = [], []
    for char in map(chr, range(0x80, sys.maxunicode + 1)):
        if char.isdecimal():
            source.append(char)
            target.append(str(int(char)))
        elif char.isspace():
            source.append(char)
            target.append(" ")
    return "".join(source), "".join(target)


@functools.cache
def _grammar() -> str:
    """The float grammar as an RE2 pattern in ASCII: its digits and spaces are those Python reads."""
    source, target = _unicode_map()
    digits = "".join(_ranges(c for c, t in zip(source, target, strict=True) if t != " "))
    spaces = "".join(_ranges(c for c, t in zip(source, target, strict=True) if t == " "))
    return _FLOAT_GRAMMAR.format(d=f"[0-9{digits}]", s=f"[ \\t\\n\\x0b\\x0c\\r{spaces}]")


def _ranges(chars: Iterable[str]) -> list[str]:
    """Runs of consecutive characters as RE2 class ranges, in ASCII: \\x{660}-\\x{669}."""
    codes = sorted(map(ord, chars))
    runs: list[list[int]] = []
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return [f"\\x{{{a:x}}}" + (f"-\\x{{{b:x}}}" if b > a else "") for a, b in runs]


def finite_number_sql(text: str) -> str:
    """SQL of the text `text` (a SQL expression of type VARCHAR) as the DOUBLE Python's float() reads from it,
    or NULL when float() cannot read it or reads a number that is not finite (inf, nan, 1e999).

    Example:
        >>> import duckdb
        >>> values = ["0.5", " \u0663 ", "\uff10.\uff15", "1_000", "1__0", "0x10", "inf", "1 2"]
        >>> rows = duckdb.sql(f"SELECT {finite_number_sql('v')} FROM unnest({values!r}) t(v)").fetchall()
        >>> [row[0] for row in rows]
        [0.5, 3.0, 0.5, 1000.0, None, None, None, None]
    """
    source, target = _unicode_map()
    # Only a number holding a non-ASCII character (fewer characters than bytes) is mapped: few are.
    ascii_text = (f"(CASE WHEN strlen({text}) = length({text}) THEN {text} "
                  f"ELSE translate({text}, {lit(source)}, {lit(target)}) END)")
    number = f"TRY_CAST(replace(trim({ascii_text}, {lit(_ASCII_SPACES)}), '_', '') AS DOUBLE)"
    # The number is bound once, to x, by a lambda over a one-element list.
    return (f"(CASE WHEN regexp_full_match({text}, {lit(_grammar())}) "
            f"THEN list_transform([{number}], lambda x: CASE WHEN isfinite(x) THEN x END)[1] END)")


def reads_as_score(text: str) -> bool:
    """Whether inspect_ai's `value_to_float` (with its default letters) reads `text` as a score, rather than
    making it 0.0 for want of one: a letter C, I, P or N, yes/no/true/false in any case, or a finite number.

    Example:
        >>> reads_as_score("C"), reads_as_score("Yes"), reads_as_score(" ٣ "), reads_as_score("gpt-4o")
        (True, True, True, False)
    """
    if text in ("C", "I", "P", "N") or text.lower() in ("yes", "no", "true", "false"):
        return True
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False
