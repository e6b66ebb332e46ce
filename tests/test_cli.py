"""The `evalviz` command line (issue 14), run as a user runs it: the installed console script, in a subprocess.

Charts written as HTML are opened in Chromium with the network cut; PNG, SVG and PDF are read back. Expected
values come from DuckDB over the same files, or from the library called in this process.
"""

from __future__ import annotations

import importlib.util
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import duckdb
import pytest

import evalviz as ev

EVALVIZ = Path(sys.executable).with_name("evalviz")  # the console script pip installed beside this Python
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
GOLDEN = 1.618  # a view's default height is its width / GOLDEN


def evalviz(*args: object, cwd: Path, python_m: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "evalviz"] if python_m else [str(EVALVIZ)]
    return subprocess.run([*command, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300)


def files_in(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


def mean_by_pair(path: Path, score: str) -> dict[tuple[str, str], float]:
    """(model, task) -> mean score, computed by DuckDB from the file itself."""
    rows = duckdb.sql(f"SELECT model_display_name, task_display_name, avg({score}) FROM '{path}' GROUP BY ALL")
    return {(model, task): value for model, task, value in rows.fetchall() if value is not None}


def test_render_html_draws_the_view_with_its_options(tmp_path: Path, evals_path: Path, render) -> None:
    """`--score-value`, `--orientation` and `--title` reach the view: the page draws each (model, task) mean of
    the chosen column, models across, under the title."""
    out = tmp_path / "match.html"
    result = evalviz("render", evals_path, "--view", "scores_heatmap", "--score-value", "score_match_accuracy",
                     "--orientation", "vertical", "--title", "Match accuracy", "-o", out, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip() == str(out)
    page = render(out.read_text(encoding="utf-8"))
    assert "Match accuracy" in page.title_texts()
    drawn = {(c.datum["x"], c.datum["y"]): c.datum["value"] for c in page.cells() if c.datum["value"] is not None}
    assert drawn == pytest.approx(mean_by_pair(evals_path, "score_match_accuracy"))


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_render_writes_static_figures(tmp_path: Path, evals_path: Path, suffix: str) -> None:
    """PNG (at twice the size), SVG and PDF (a pixel a point) are valid files of the chart's size."""
    out = tmp_path / f"scores{suffix}"
    result = evalviz("render", evals_path, "--view", "scores_heatmap", "--title", "Scores for print",
                     "--width", 480, "-o", out, cwd=tmp_path)
    assert (result.returncode, result.stderr, result.stdout.strip()) == (0, "", str(out))
    content = out.read_bytes()
    if suffix == ".png":
        assert content[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", content[16:24])  # the IHDR chunk
        assert (width, height / 2) == (960, pytest.approx(480 / GOLDEN, abs=1))
    elif suffix == ".svg":
        svg = ET.fromstring(content)
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
        assert (svg.get("width"), float(svg.get("height"))) == ("480", pytest.approx(480 / GOLDEN, abs=1))
        assert "Scores for print" in {text.text for text in svg.iter("{http://www.w3.org/2000/svg}text")}
    else:
        assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
        assert len(re.findall(rb"/Type\s*/Page\b(?!s)", content)) == 1
        box = [float(v) for v in re.search(rb"/MediaBox\s*\[([^\]]*)\]", content).group(1).split()]
        assert (box[2] - box[0], box[3] - box[1]) == (480, pytest.approx(480 / GOLDEN, abs=1))


def test_list_options_take_several_values_and_required_options_are_required(tmp_path: Path) -> None:
    """`--y a b` gives metric_curve two metrics (a panel each), from a CSV file; heatmap's `--fill` (a
    parameter without a default) is required."""
    runs = tmp_path / "runs.csv"
    duckdb.sql(f"""COPY (SELECT s AS step, 1 - 1 / (s + 1) AS train_acc, 0.8 - 1 / (s + 2) AS eval_acc
                        FROM range(20) t(s)) TO '{runs}' (HEADER)""")
    out = tmp_path / "curve.svg"
    result = evalviz("render", runs, "--view", "metric_curve", "--x", "step", "--y", "train_acc", "eval_acc",
                     "-o", out, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    texts = {text.text for text in ET.parse(out).iter("{http://www.w3.org/2000/svg}text")}
    assert {"train_acc", "eval_acc"} <= texts
    missing = evalviz("render", runs, "--view", "heatmap", "--x", "step", "--y", "step", "-o", out, cwd=tmp_path)
    assert missing.returncode == 2 and "the following arguments are required: --fill" in missing.stderr


def _unknown_column_message(evals_path: Path) -> str:
    with pytest.raises(ev.EvalvizError) as raised:
        ev.scores_heatmap(ev.Data.from_file(evals_path), score_value="score_nope")
    return " ".join(str(raised.value).split())


ERRORS = {  # name -> (arguments after `evalviz`, text the one line holds); EVALS and OUT are filled in
    "unknown view": (["render", "EVALS", "--view", "score_heatmap", "-o", "OUT"],
                     "unknown view 'score_heatmap': did you mean 'scores_heatmap'?"),
    "missing file": (["render", "missing.parquet", "--view", "scores_heatmap", "-o", "OUT"], "missing.parquet"),
    "bad value": (["render", "EVALS", "--view", "scores_heatmap", "--width", "-5", "-o", "OUT"],
                  "width is a size in pixels from 1 to 10000"),
    "bad choice": (["render", "EVALS", "--view", "scores_heatmap", "--orientation", "diagonal", "-o", "OUT"],
                   "invalid choice: 'diagonal'"),
    "unknown option": (["render", "EVALS", "--view", "scores_heatmap", "--colour", "red", "-o", "OUT"],
                       "unrecognized option --colour"),
    "unknown column": (["render", "EVALS", "--view", "scores_heatmap", "--score-value", "score_nope", "-o", "OUT"],
                       None),  # the library's own message
    "unknown suffix": (["render", "EVALS", "--view", "scores_heatmap", "-o", "scores.txt"],
                       "ends in '.txt': name a file ending in .html, .png, .svg, .pdf"),
    "no such folder": (["render", "EVALS", "--view", "scores_heatmap", "-o", "nowhere/scores.html"],
                       "does not exist"),
    "output is a folder": (["render", "EVALS", "--view", "scores_heatmap", "-o", "."],
                           "is a folder: give the path of a file in it, e.g."),
    "no command": ([], "the following arguments are required: COMMAND"),
    "report of nothing": (["report", "no_logs", "-o", "report.html"], "no_logs"),
    "demo into a file": (["demo", "-o", "EVALS"], "is a file"),
}


@pytest.fixture(scope="module")
def error_runs(tmp_path_factory: pytest.TempPathFactory, evals_path: Path) -> dict[str, tuple[Path, set[Path], Any]]:
    """Every case of ERRORS run at once (each in a folder of its own holding a copy of the example evals):
    case -> (folder, its files before the run, the finished process)."""
    runs = {}
    for case, (args, _) in ERRORS.items():
        folder = tmp_path_factory.mktemp("cli_error")
        evals = folder / "evals.parquet"
        evals.write_bytes(evals_path.read_bytes())
        args = [str(evals) if a == "EVALS" else str(folder / "scores.html") if a == "OUT" else a for a in args]
        before = files_in(folder)
        process = subprocess.Popen([str(EVALVIZ), *args], cwd=folder, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        runs[case] = (folder, before, process)
    return {case: (folder, before, (process, *process.communicate(timeout=300)))
            for case, (folder, before, process) in runs.items()}


@pytest.mark.parametrize("case", ERRORS, ids=list(ERRORS))
def test_bad_arguments_and_data_exit_2_with_one_line(error_runs, evals_path: Path, case: str) -> None:
    """Every mistake ends with status 2 and one line, `evalviz: error: ...`, no traceback, and writes nothing."""
    folder, before, (process, stdout, stderr) = error_runs[case]
    assert process.returncode == 2
    assert stdout == ""
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("evalviz: error: "), stderr
    assert (ERRORS[case][1] or _unknown_column_message(evals_path)) in lines[0]
    assert files_in(folder) == before


def test_help_at_every_level_lists_commands_options_and_examples(tmp_path: Path) -> None:
    """`python -m evalviz --help`, each command's, and a view's: its options with its docstring's lines."""
    top = evalviz("--help", cwd=tmp_path, python_m=True)
    assert top.returncode == 0
    assert all(word in top.stdout for word in ("render", "report", "demo", "examples:"))
    for command in ("render", "report", "demo"):
        result = evalviz(command, "--help", cwd=tmp_path)
        assert result.returncode == 0 and "examples:" in result.stdout and f"evalviz {command}" in result.stdout
    view = evalviz("render", "DATA", "--view", "scores_heatmap", "--help", cwd=tmp_path)
    assert view.returncode == 0
    help_text = " ".join(view.stdout.split())
    assert "--score-value SCORE_VALUE Numeric column of scores. (default: 'score_headline_value')" in help_text
    assert "--tip, --no-tip" in help_text and "--orientation {horizontal,vertical}" in help_text
    assert "--filter-by" not in help_text  # a Selection has no option


@pytest.fixture(scope="module")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real inspect_ai logs: 2 mock models x 2 tasks x 4 samples x 2 epochs."""
    pytest.importorskip("inspect_ai")
    spec = importlib.util.spec_from_file_location("evalviz_cli_example_logs", EXAMPLES / "example_logs.py")
    example_logs = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = example_logs  # dataclasses look their module up there
    spec.loader.exec_module(example_logs)
    folder = tmp_path_factory.mktemp("cli_logs")
    example_logs.write_logs(folder, models=["atlas-large", "borealis"], tasks=["arithmetic", "capitals"],
                                   n_samples=4, epochs=2)
    return folder


def test_render_reads_a_folder_of_logs_with_a_progress_bar_when_asked(tmp_path: Path, log_dir: Path) -> None:
    """A folder of logs is read as one row per log, or per sample with its model; the bar shows with
    --progress, and never in captured output otherwise."""
    models = ev.Data.from_inspect_logs(log_dir).sql("SELECT DISTINCT model FROM this")["model"].to_pylist()
    logs = len(list(log_dir.glob("*.eval")))
    runs = {"samples": ["--view", "sample_heatmap", "--score-value", "score_match"],
            "evals": ["--view", "scores_heatmap", "--progress"]}
    for table, options in runs.items():
        out = tmp_path / f"{table}.svg"
        result = evalviz("render", log_dir, "--logs-table", table, *options, "-o", out, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        texts = {text.text for text in ET.parse(out).iter("{http://www.w3.org/2000/svg}text")}
        assert set(models) <= texts  # no display names are known for mock models: each is shown as named
        if "--progress" in options:
            assert "Reading inspect logs: 100%" in result.stderr and f"{logs}/{logs}" in result.stderr
        else:
            assert result.stderr == ""


def test_report_writes_a_page_of_the_logs(tmp_path: Path, log_dir: Path, render) -> None:
    """`evalviz report` writes the report of the folder, and its charts draw offline."""
    out = tmp_path / "report.html"
    result = evalviz("report", log_dir, "-o", out, cwd=tmp_path)
    assert (result.returncode, result.stderr, result.stdout.strip()) == (0, "", str(out))
    page = render(out.read_text(encoding="utf-8")).page
    assert log_dir.name in page.locator("h1").inner_text()
    assert drawn_views(page) and all(n > 0 for n in drawn_views(page))


def drawn_views(page) -> list[int]:
    """The number of top-level scenegraph items of each Vega view on a page."""
    return page.evaluate("""() => [...document.querySelectorAll('.evalviz-item')]
        .filter(el => el.evalvizView).map(el => el.evalvizView.scenegraph().root.items.length)""")


def test_demo_writes_a_page_that_draws_every_example(tmp_path: Path, render) -> None:
    from evalviz.demo import build_examples, interactive_examples

    result = evalviz("demo", "-o", "site", cwd=tmp_path)
    out = tmp_path / "site" / "evalviz-demo.html"
    assert (result.returncode, result.stderr, result.stdout.strip()) == (0, "", str(out))
    page = render(out.read_text(encoding="utf-8")).page
    examples = [*build_examples(), *interactive_examples()]
    assert page.locator("h1").all_inner_texts() == ["evalviz views"]
    assert page.locator("h2").all_inner_texts() == [example.heading for example in examples]
    drawn = drawn_views(page)
    assert len(drawn) >= len(examples) - 1 and all(n > 0 for n in drawn)  # the table is not a Vega view
