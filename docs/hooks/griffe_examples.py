"""griffe extension for the API reference: the docstrings' "Example:" sections are read as examples, so their
`>>>` lines are drawn as code (griffe's Google parser only knows "Examples:" as such a section)."""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE = re.compile(r"^(\s*)Example:\s*$", re.M)


class ExampleSections(griffe.Extension):
    """Renames each "Example:" section heading of a docstring to "Examples:" when the object is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _EXAMPLE.sub(r"\1Examples:", obj.docstring.value)
