"""The words and names shared by the views and the analysis come from evalviz.constants, and the modules of
evalviz import one another one way only (no import cycle, counting imports inside functions)."""

from __future__ import annotations

import ast
import inspect
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.analysis import evaluate_slices, paired_diff_between_models
from evalviz.constants import long_form, statuses
from evalviz.rendering.html import chart_markup, standalone_page

SRC = Path(__file__).resolve().parents[1] / "src"
REBUILT = "evalviz.views"  # being rebuilt in issue 11: its cycles are reported elsewhere, not failed here


# -- status words and long-form names ----------------------------------------------------------------------
def _is_number(text: str) -> bool:
    try:
        float(text.replace("\u2212", "-").rstrip("%"))
    except ValueError:
        return False
    return True


@pytest.mark.browser
def test_heatmap_legend_and_cells_say_the_status_words_of_the_constants(tmp_path: Path, render) -> None:
    # One cell of each kind: ok, partly failed (one of two rows failed), skipped, error, infinite, no data (NaN).
    data = ev.Data.from_dataframe(pa.table({
        "model": ["a", "a", "a", "b", "b", "b", "c"],
        "task": ["ok", "partly", "partly", "skip", "fail", "inf", "nan"],
        "score": [0.5, 0.25, 0.75, 0.5, 0.5, math.inf, math.nan],
        "status": ["ok", "ok", "error", "skipped", "error", "ok", "ok"],
    }))
    chart = ev.heatmap(data, x="task", y="model", fill="score", status="status")
    statuses_sent = {c["status"] for c in chart.datasets["cells"].to_pylist()}
    drawn = {statuses.OK, statuses.PARTIAL, statuses.SKIPPED, statuses.ERROR, statuses.INFINITE, statuses.NO_DATA}
    # Missing (model, task) pairs are "no data" too: every status sent is one of the constants.
    assert statuses_sent == drawn

    page = render(chart)
    entries = [label for label in page.legend_labels() if not _is_number(label)]
    # The flagged cells' entries, in the constants' legend order, and the partly failed corner's entry.
    assert [e for e in entries if e in statuses.FLAGS] == list(statuses.FLAGS)
    assert statuses.PARTIAL in entries
    assert set(entries) == set(statuses.FLAGS) | {statuses.PARTIAL}


@pytest.mark.browser
def test_an_analysis_table_speaks_the_constants_and_its_heatmap_shows_them(render) -> None:
    rng = np.random.default_rng(3)
    lang = np.array(["en"] * 40 + ["fr"] * 12)
    label = rng.integers(0, 2, lang.size)
    label[lang == "fr"] = 0  # one class only: pr_auc is skipped on this slice
    table = pa.table({"label": label, "old": rng.random(lang.size), "lang": lang})
    slices = evaluate_slices(table, scorers=["old"], slice_by="lang", metrics=["pr_auc"], n_resamples=20)

    names = set(slices.columns)
    assert {long_form.VALUE, long_form.LOW, long_form.HIGH, long_form.N, long_form.STATUS, long_form.REASON,
            long_form.METRIC} <= names
    by_slice = {r["slice"]: r[long_form.STATUS] for r in slices.to_arrow().to_pylist()}
    assert set(by_slice.values()) <= set(statuses.METRIC_STATUSES)
    assert by_slice["fr"] == statuses.SKIPPED and by_slice["en"] == statuses.OK

    # The view reads the analysis table's optional columns by their long-form names, without being told them.
    chart = ev.slice_metric_heatmap(slices, row="slice", col="scorer")
    cells = {c["y"]: c for c in chart.datasets["cells"].to_pylist()}
    assert cells["fr"]["status"] == statuses.SKIPPED and cells["fr"]["size"] == 12
    assert cells["en"]["low"] is not None
    page = render(standalone_page(chart_markup(chart.spec, chart.datasets), title="slices"))
    assert statuses.SKIPPED in page.legend_labels()


def test_diff_plot_reads_by_default_the_columns_the_paired_differences_are_written_in(samples_path: Path) -> None:
    samples = ev.Data.from_file(samples_path)
    diffs = paired_diff_between_models(samples, "Atlas Small", "Atlas Large", score="match", by="task",
                                       n_resamples=20)
    defaults = {name: p.default for name, p in inspect.signature(ev.diff_plot).parameters.items()
                if name in ("slice", "delta", "low", "high", "n", "status", "reason", "baseline", "candidate",
                            "baseline_name", "candidate_name")}
    assert len(defaults) == 11
    assert set(defaults.values()) <= set(diffs.columns)
    assert defaults["slice"] == long_form.SLICE and defaults["delta"] == long_form.DELTA
    assert set(diffs.to_arrow()[long_form.STATUS].to_pylist()) <= set(statuses.METRIC_STATUSES)


# -- import cycles -----------------------------------------------------------------------------------------
def _modules(root: Path) -> dict[str, Path]:
    """Every module under root's packages, by dotted name (a package by its own name)."""
    found = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """The modules `name` imports (at module level, in functions, under TYPE_CHECKING), with the line."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            for alias in node.names:
                target = f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                if target in modules and target != name:
                    yield target, node.lineno


def import_cycles(root: Path, skip: str | None = None) -> list[list[str]]:
    """Each import cycle among the modules under root (those under `skip` left out), as the list of its steps
    "module (line N) -> module", found by a depth-first walk."""
    modules = {n: p for n, p in _modules(root).items() if skip is None or not (n == skip or n.startswith(skip + "."))}
    graph = {n: sorted(set(_imports(n, p, modules))) for n, p in modules.items()}
    cycles: list[list[str]] = []
    state: dict[str, str] = {}
    path: list[tuple[str, int]] = []

    def visit(module: str) -> None:
        state[module] = "open"
        for target, line in graph[module]:
            path.append((module, line))
            if state.get(target) == "open":
                start = next(i for i, (m, _) in enumerate(path) if m == target)
                cycles.append([f"{m} (line {n})" for m, n in path[start:]] + [target])
            elif target not in state:
                visit(target)
            path.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module)
    return cycles


def test_no_import_cycle_among_the_modules_of_evalviz() -> None:
    cycles = import_cycles(SRC, skip=REBUILT)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_a_cycle_through_an_import_inside_a_function_is_found_and_named(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "table.py").write_text("from pkg.helpers import helper\n")
    (package / "helpers.py").write_text("def helper():\n    from . import table\n    return table\n")
    (package / "alone.py").write_text("import pkg.helpers\n")
    cycles = [" -> ".join(c) for c in import_cycles(tmp_path)]
    assert cycles == ["pkg.helpers (line 2) -> pkg.table (line 1) -> pkg.helpers"]
