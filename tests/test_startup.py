"""Start-up: `import evalviz` and the first chart load nothing heavy that they do not use (Altair, jsonschema, the
widget stack, dataframe libraries, vl-convert, the analysis), while Altair still serves `to_altair()` and `marks=`.

Which modules a fresh process loads is checked here; how long it takes is measured by benchmarks/bench_startup.py
(no timing is asserted in a test).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

EVALS = Path(__file__).resolve().parents[1] / "examples" / "data" / "evals.parquet"

# Packages (and evalviz modules) that `import evalviz` plus a first heatmap written as HTML must leave unloaded.
LEFT_OUT = ("altair", "jsonschema", "anywidget", "ipywidgets", "traitlets", "IPython", "pandas", "polars",
            "vl_convert", "scipy", "sklearn", "inspect_ai", "evalviz.analysis")

# Run in a fresh interpreter: a finder placed first on sys.meta_path sees each module before it is loaded, and
# names, for the first module of each package above, the module importing it and the evalviz line it came from.
FRESH_PROCESS = """
import importlib.abc, json, linecache, sys, tempfile

LEFT_OUT, EVALS = json.loads(sys.argv[1]), sys.argv[2]
culprits = {}


def culprit():
    importer, origin, frame = None, None, sys._getframe(2)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if not frame.f_code.co_filename.startswith("<frozen") and name != __name__:
            importer = importer or name
            if name.startswith("evalviz") and origin is None:
                line = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
                origin = f"{name} line {frame.f_lineno}: {line}"
        frame = frame.f_back
    return f"imported by {importer}, from {origin or 'outside evalviz'}"


class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        for package in LEFT_OUT:
            if (name == package or name.startswith(package + ".")) and package not in culprits:
                culprits[package] = culprit()
        return None


sys.meta_path.insert(0, Watch())
import evalviz as ev

chart = ev.scores_heatmap(ev.Data.from_file(EVALS))
chart.write_html(tempfile.mkdtemp() + "/chart.html")
sys.meta_path.pop(0)
loaded = {package: culprits.get(package, "?") for package in LEFT_OUT if package in sys.modules}

import altair as alt

edited = chart.to_altair()
star = alt.Chart().mark_text(text="*").encode(x="x:N", y="y:N")
with_marks = ev.scores_heatmap(ev.Data.from_file(EVALS), marks=[star])
with_marks.write_html(tempfile.mkdtemp() + "/marked.html")
print(json.dumps({
    "loaded": loaded,
    "to_altair": {
        "is_altair": isinstance(edited, alt.TopLevelMixin),
        "rows": sum(len(rows) for rows in edited.to_dict(validate=True)["datasets"].values()),
    },
    "dataset_rows": sum(table.num_rows for table in chart.datasets.values()),
    "marks": {"star": star.to_dict()["mark"], "last_layer": with_marks.spec["layer"][-1]["mark"]},
}))
"""


@pytest.fixture(scope="module")
def fresh() -> dict[str, Any]:
    """What a fresh process loaded for `import evalviz` and a first heatmap, then its Altair outputs."""
    done = subprocess.run([sys.executable, "-c", FRESH_PROCESS, json.dumps(LEFT_OUT), str(EVALS)],
                          capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


# pyarrow imports pandas, when installed, the first time a Python value becomes Arrow: pa.array, pa.scalar,
# pa.table of Python values, or a Python value given to a pyarrow.compute function.
PANDAS_HINT = ("\n(pandas: pyarrow imports it on the first Python value made Arrow, by pa.array, pa.scalar, pa.table "
               "or a Python value given to pc.*; take the values from DuckDB's results, or compare in Python)")


def test_import_and_first_heatmap_load_no_optional_heavy_module(fresh: dict[str, Any]) -> None:
    loaded = fresh["loaded"]
    assert loaded == {}, "loaded by `import evalviz` and a first scores_heatmap to HTML:\n" + "\n".join(
        f"  {package}: {culprit}" for package, culprit in loaded.items()) + (PANDAS_HINT if "pandas" in loaded else "")


def test_to_altair_imports_altair_when_asked_and_keeps_every_row(fresh: dict[str, Any]) -> None:
    assert fresh["to_altair"]["is_altair"]
    assert fresh["to_altair"]["rows"] == fresh["dataset_rows"] > 0


def test_altair_marks_are_still_layered_on_top(fresh: dict[str, Any]) -> None:
    assert fresh["marks"]["last_layer"] == fresh["marks"]["star"]


def test_top_level_properties_are_those_of_altairs_schema() -> None:
    import altair as alt

    from evalviz.views.options import TOP_LEVEL_PROPERTIES

    assert TOP_LEVEL_PROPERTIES == tuple(sorted(alt.TopLevelLayerSpec.resolve_references()["properties"]))


def test_views_are_imported_on_first_use_and_stay_the_functions() -> None:
    """`import evalviz` leaves the modules of views not yet used out; each view, asked for, is its function,
    also after its module (or one of the same name) was imported by another."""
    code = (
        "import sys, evalviz as ev\n"
        "left_out = [m for m in ('evalviz.views.diff', 'evalviz.views.scores_by_task', 'evalviz.views.samples') "
        "if m in sys.modules]\n"
        "import importlib\n"
        "for m in ('scores', 'heatmap', 'scores_by_task', 'metric_curve'):\n"
        "    importlib.import_module('evalviz.views.' + m)\n"
        "names = [n for n in ev.views.__all__ if n not in ('NOT_GIVEN', 'CellOptions')]\n"
        "print(left_out, all(getattr(ev, n).__name__ == n and getattr(ev.views, n) is getattr(ev, n) for n in names))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["[]", "True"], done.stdout + done.stderr
