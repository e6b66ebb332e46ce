"""Hatch build hook: the wheel ships the JS bundle, built here from js/ with npm when it is missing or stale."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUNDLE = Path("src/evalviz/rendering/static/evalviz.js")


def _stale(root: Path) -> bool:
    bundle = root / BUNDLE
    if not bundle.exists():
        return True
    sources = [root / "package-lock.json", *(root / "js").rglob("*.*")]
    return any(src.stat().st_mtime > bundle.stat().st_mtime for src in sources if src.exists())


class JSBundleHook(BuildHookInterface):
    """Builds the renderer bundle before the package is assembled."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        if not (root / "js").exists() or not _stale(root):
            return  # an sdist built elsewhere, or a fresh bundle
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("Building evalviz needs Node.js and npm to bundle its JS renderer (js/).")
        if not (root / "node_modules").exists():
            subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=root, check=True)
        subprocess.run([npm, "run", "build"], cwd=root, check=True)
