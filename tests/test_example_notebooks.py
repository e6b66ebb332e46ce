"""The example notebooks (examples/notebooks/) run in a real kernel started in the notebook's folder, as JupyterLab
and `jupyter nbconvert --execute` start it (not the repository root, which would hide paths relative to it): no
cell fails, each draws its charts as evalviz outputs, and the HTML file its last cell writes opens in
Chromium (the network cut) with every chart drawn. They are stored without outputs."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from browser import ChartPage

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "examples" / "notebooks"
CHART_VIEWS = "() => [...document.querySelectorAll('.evalviz-item')].filter((el) => el.evalvizView)"

# Each notebook: the charts its cells display (by the title in their text/plain), and the charts on its page.
EXPECTED = {
    "inspect_logs_report": {"shown": ["Headline score by model and task", "Mock models on three tasks"],
                            "page_charts": 5},  # two score charts and a sample heatmap per task (3)
    "predictions_slice_grid": {"shown": ["ROC-AUC by language", "PR-AUC by language"], "page_charts": 2},
    "two_models_compared": {"shown": ["Atlas Large and Atlas Small by task",
                                      "Atlas Large - Atlas Small: accuracy (match)"], "page_charts": 2},
}


def execute(name: str) -> nbformat.NotebookNode:
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    # nbconvert and JupyterLab give the kernel the notebook's folder as its working directory.
    client = NotebookClient(notebook, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()  # raises CellExecutionError, with the cell and its traceback, when a cell fails
    return notebook


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, nbformat.NotebookNode]:
    """Every notebook run once, side by side (each in its own kernel), its temporary folders made under pytest's."""
    with pytest.MonkeyPatch.context() as patch, ThreadPoolExecutor(max_workers=len(EXPECTED)) as pool:
        patch.setenv("TMPDIR", str(tmp_path_factory.mktemp("notebooks")))  # the kernels' tempfile folder
        return dict(zip(EXPECTED, pool.map(execute, EXPECTED), strict=True))


def outputs(notebook: nbformat.NotebookNode) -> list[Any]:
    return [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]


def test_the_stored_notebooks_are_the_expected_ones_and_hold_no_outputs() -> None:
    assert sorted(path.stem for path in NOTEBOOKS.glob("*.ipynb")) == sorted(EXPECTED)
    for name in EXPECTED:
        notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        nbformat.validate(notebook)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert code and all(cell.outputs == [] and cell.execution_count is None for cell in code), name
        assert notebook.cells[0].cell_type == "markdown"


@pytest.mark.parametrize("name", EXPECTED)
def test_a_notebook_runs_without_error_and_shows_its_charts(name: str, executed) -> None:
    notebook = executed[name]
    assert [o for o in outputs(notebook) if o.output_type == "error"] == []
    charts = [o.data for o in outputs(notebook) if o.output_type in ("display_data", "execute_result")
              and 'class="evalviz-payload"' in o.data.get("text/html", "")]
    titles = [chart["text/plain"].split("'")[1] for chart in charts]
    assert titles == EXPECTED[name]["shown"]


@pytest.mark.parametrize("name", EXPECTED)
def test_the_page_a_notebook_writes_draws_every_chart_offline(name: str, executed, render) -> None:
    last = [cell for cell in executed[name].cells if cell.cell_type == "code"][-1]
    printed = "".join(o.text for o in last.outputs if o.output_type == "stream" and o.name == "stdout").strip()
    path = Path(printed)
    assert path.suffix == ".html" and path.is_file(), f"the last cell printed {printed!r}"
    page: ChartPage = render(path.read_text(encoding="utf-8"))
    views = page.page.evaluate(f"({CHART_VIEWS})().length")
    assert views == EXPECTED[name]["page_charts"]
    drawn = page.page.evaluate(f"""() => ({CHART_VIEWS})().map((el) => {{
        let n = 0;
        const walk = (node) => {{ for (const item of node.items || []) {{
            if (node.marktype === 'group') (item.items || []).forEach(walk);
            else if (node.role === 'mark' && item.datum) n += 1; }} }};
        walk(el.evalvizView.scenegraph().root);
        return n;
    }})""")
    assert all(n > 0 for n in drawn), f"charts without marks: {drawn}"
