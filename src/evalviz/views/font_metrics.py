"""How wide a text is drawn in DejaVu Sans, the first font of every chart (`rendering.outgoing.FONT`).

The layout sizes axes, legends and subtitles before Vega draws them, and Vega hides axis labels whose boxes
overlap: a width estimated too small loses labels. The widths are DejaVu Sans's own advance widths, as Chromium
measures them on a canvas (as Vega does), in font units; Helvetica and Arial, the fonts after it in the list,
are narrower, so the estimate holds wherever the chart is drawn.
"""

from __future__ import annotations

import unicodedata

UNITS_PER_EM = 2048
# Advance widths of DejaVu Sans Book in font units, by the printable ASCII characters that share them.
_ADVANCES_BY_WIDTH = {
    563: "'", 569: "ijl", 604: "IJ", 651: " ,.", 690: "/:;\\|", 721: "f", 739: "-", 799: "()[]", 803: "t",
    821: "!", 842: "r", 942: '"', 1024: "*_`", 1067: "s", 1075: "z", 1087: "?", 1126: "c", 1141: "L",
    1178: "F", 1186: "k", 1212: "vxy", 1235: "P", 1251: "TY", 1253: "o", 1255: "a", 1260: "e", 1294: "E",
    1298: "hnu", 1300: "Sbdgpq", 1303: "0123456789${}", 1343: "K", 1401: "AV", 1403: "XZ", 1405: "B",
    1423: "R", 1430: "C", 1499: "U", 1532: "N", 1540: "H", 1577: "D", 1587: "G", 1597: "&", 1612: "OQ",
    1675: "w", 1716: "#+<=>^~", 1767: "M", 1946: "%", 1995: "m", 2025: "W", 2048: "@",
}
_ADVANCES = {char: width for width, chars in _ADVANCES_BY_WIDTH.items() for char in chars}
# Characters the table lacks: a full-width one (CJK) takes an em in any font that has it; any other is taken as
# wide as a wide capital, so that a label is never thought narrower than it is drawn.
_WIDE = UNITS_PER_EM
_OTHER = 1600
# DejaVu Sans Bold's letters are this much wider than Book's, on average (titles are bold).
BOLD_WIDENING = 1.13


def _advance(char: str) -> int:
    """The advance width of one character in font units; an accented letter as wide as its base letter."""
    width = _ADVANCES.get(char)
    if width is not None:
        return width
    base = unicodedata.normalize("NFD", char)[:1]
    if base in _ADVANCES:
        return _ADVANCES[base]
    return _WIDE if unicodedata.east_asian_width(char) in ("W", "F") else _OTHER


def drawn_width(text: str, font_size: float) -> float:
    """The width in pixels of `text` drawn in DejaVu Sans at `font_size` pixels, on one line.

    Example:
        >>> round(drawn_width("Backwards Spelling", 10), 1)
        97.3
    """
    return sum(_advance(char) for char in text) * font_size / UNITS_PER_EM
