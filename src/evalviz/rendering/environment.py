"""Where a chart is being displayed: detected in one place."""

from __future__ import annotations

import os
import sys
from enum import Enum


class Frontend(Enum):
    """The kind of front end a chart is shown in."""

    JUPYTER = "jupyter"  # a kernel with a widget manager: JupyterLab, Notebook, VS Code
    QUARTO = "quarto"  # a kernel run by `quarto render`: self-contained HTML (PNG too, for PDF)
    PLAIN = "plain"  # anything else: self-contained HTML


_HTML_FORMATS = {"html", "html4", "html5", "dashboard", "revealjs"}


def in_quarto() -> bool:
    """True inside a kernel that `quarto render` started: Quarto sets QUARTO_FIG_WIDTH for its kernels."""
    return "QUARTO_FIG_WIDTH" in os.environ


def in_kernel() -> bool:
    """True when running in a Jupyter kernel (which can host widgets)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def in_colab() -> bool:
    """True in Google Colab, which shows each output of a notebook in a frame of its own."""
    return "google.colab" in sys.modules


def detect_frontend() -> Frontend:
    """The front end this process is displaying to."""
    if in_quarto():
        return Frontend.QUARTO
    if in_kernel():
        return Frontend.JUPYTER
    return Frontend.PLAIN


def quarto_wants_image() -> bool:
    """True when Quarto renders to a format that cannot run script (PDF, Word, ...)."""
    if not in_quarto():
        return False
    base_format = os.environ.get("QUARTO_OUTPUT_BASE_FORMAT", "")
    if base_format:
        return base_format not in _HTML_FORMATS
    return os.environ.get("QUARTO_FIG_FORMAT", "") in {"pdf", "svg"}
