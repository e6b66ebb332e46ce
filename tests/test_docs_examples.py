"""Every Python block of README.md and docs/*.md runs as written, on the example data (issue 10, kind 10).

How the blocks run:

- The blocks of one file run in order in one namespace, like the cells of one notebook, in a working folder
  that holds what the docs name: `examples/data/` (the example tables) and the files a reader would have of
  their own, built here from the example data (see `workspace`): `results.parquet` (and as CSV, JSON lines,
  JSON, text), `results/` (hive folders), `results.duckdb`, `runs/`, `run1.parquet`, `run2.parquet`, `logs/`
  (real inspect_ai logs) and `predictions/` (the prediction files of docs/analysis.md, seeded).
- A bare expression is shown as a notebook shows it: its repr, and its HTML (a `Data` preview, a chart).
- A statement followed by comment lines `# SomeError: message` must raise that error (or a subclass) with that
  message; `...` stands for any text.
- A bare expression with a Python literal as its comment (`MetricState(0.91).to_dict()  # {'value': 0.91,
  ...}`) must equal it: floats to the digits shown, `...` for any value or any run of list items.
- A block right after the line `<!-- docs-test: skip (reason) -->` does not run. No block needs it today.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import importlib.util
import io
import math
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import evalviz as ev
from evalviz.analysis.metrics import available_metrics, unregister_metric

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SKIP = re.compile(r"<!-- docs-test: skip \((.+)\) -->\s*$")
RAISES = re.compile(r"#\s*([A-Z]\w*(?:Error|Exception)): (.*)")


# -- the blocks ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Block:
    """One ```python block: its file, first line (1-based) and code; `skip` is the reason it does not run."""

    path: Path
    line: int
    code: str
    skip: str | None = None

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks_of(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found, index = [], 0
    while index < len(lines):
        if lines[index].strip() == "```python":
            start = index + 1
            end = next(i for i in range(start, len(lines)) if lines[i].strip() == "```")
            marker = SKIP.match(lines[index - 1].strip()) if index else None
            found.append(Block(path, start + 1, "\n".join(lines[start:end]) + "\n", marker and marker.group(1)))
            index = end
        index += 1
    return found


# -- how a block runs ------------------------------------------------------------------------------------------
def run_block(block: Block, namespace: dict[str, Any]) -> None:
    """Run the block statement by statement, as a notebook would, checking what its comments promise."""
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
            if shown is not None:
                expected, text = shown
                assert _matches(expected, value, text), f"{where}: the docs show {text}, the code gives {value!r}"
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
        assert name in names, f"{where}: the docs show {name}, the code raised {type(exc).__name__}: {exc}"
        actual = " ".join(str(exc).split())
        pattern = ".*?".join(re.escape(part) for part in " ".join(message.split()).split("..."))
        assert re.fullmatch(pattern, actual, re.S), f"{where}: the docs show {message!r}, the error says {actual!r}"
        return
    pytest.fail(f"{where}: the docs show {name}, but nothing was raised")


def _display(value: Any) -> None:
    """What a notebook does with a cell's value: its text, and its rich forms."""
    if value is None:
        return
    repr(value)
    if hasattr(value, "_repr_html_"):
        assert isinstance(value._repr_html_(), str)
    if hasattr(value, "_repr_mimebundle_"):
        bundle = value._repr_mimebundle_()
        assert (bundle[0] if isinstance(bundle, tuple) else bundle), f"an empty display of {value!r}"


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


# -- the working folder the docs read from ---------------------------------------------------------------------
def _load(name: str, path: Path) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _write_tables(folder: Path) -> None:
    """The files a reader would have, made from the example samples with DuckDB."""
    samples = ROOT / "examples" / "data" / "samples.parquet"
    con = duckdb.connect()
    con.execute(f"CREATE VIEW samples AS SELECT * FROM read_parquet('{samples}')")
    # A long-form analysis table: the accuracy gap per (task / difficulty) slice and model, as views.md draws it.
    demo = _load("evalviz_docs_demo", ROOT / "examples" / "demo.py")
    gaps = demo.slice_gaps(ev.Data.from_file(samples)).to_arrow().rename_columns(
        ["slice", "scorer", "value", "low", "high", "n", "status", "reason"]
    )
    con.register("gaps", gaps)
    con.execute("CREATE TABLE results AS SELECT slice, scorer, 'accuracy_gap' AS metric, * EXCLUDE (slice, scorer) "
                "FROM gaps")
    con.execute(f"COPY results TO '{folder / 'results.parquet'}' (FORMAT parquet)")
    con.execute(f"COPY results TO '{folder / 'results.csv'}' (FORMAT csv, HEADER)")
    con.execute(f"COPY results TO '{folder / 'results.txt'}' (FORMAT csv, HEADER)")
    con.execute(f"COPY results TO '{folder / 'results.jsonl'}' (FORMAT json)")
    con.execute(f"COPY results TO '{folder / 'results.json'}' (FORMAT json, ARRAY true)")
    # Samples by epoch in runs/, and as two runs; the same samples in hive folders by model and task.
    (folder / "runs").mkdir()
    for epoch in (1, 2):
        query = f"SELECT * FROM samples WHERE epoch = {epoch}"
        con.execute(f"COPY ({query}) TO '{folder / 'runs' / f'samples-{epoch}.parquet'}' (FORMAT parquet)")
        con.execute(f"COPY ({query}) TO '{folder / f'run{epoch}.parquet'}' (FORMAT parquet)")
    hive = "SELECT * EXCLUDE (model), replace(model, 'mockllm/', '') AS model, task_name AS task FROM samples"
    con.execute(f"COPY ({hive}) TO '{folder / 'results'}' (FORMAT parquet, PARTITION_BY (model, task))")
    database = duckdb.connect(str(folder / "results.duckdb"))
    database.execute(
        f"CREATE TABLE runs AS SELECT model, task_name AS task, score_match AS score, * EXCLUDE (model) "
        f"FROM read_parquet('{samples}')"
    )
    database.close()
    con.close()


def _write_predictions(folder: Path, n: int = 10_000, seed: int = 0) -> None:
    """Two scorers' predictions on the same 10,000 rows (seeded), and one language's rows, all negative."""
    rng = np.random.default_rng(seed)
    language = rng.choice(["en", "de", "es", "ja"], size=n, p=[0.55, 0.2, 0.15, 0.1]).astype(object)
    language[rng.choice(n, size=212, replace=False)] = "fr"
    y = np.where(language == "fr", 0, rng.random(n) < 0.3).astype(np.int8)
    signal = 2 * y - 1
    ids = np.array([f"q{i}" for i in range(n)])
    common = {
        "id": ids,
        "y": y,
        "language": language.astype(str),
        "source": rng.choice(["web", "books"], size=n),
        "input_sha": [hashlib.sha256(i.encode()).hexdigest()[:16] for i in ids],
    }
    out = folder / "predictions"
    out.mkdir()
    for name, strength, noise in (("old", 1.0, 1.4), ("new", 1.05, 1.35)):
        p = 1 / (1 + np.exp(-(strength * signal + rng.normal(0, noise, n))))
        table = pa.table({**common, "p": np.round(p, 6)})
        pq.write_table(table, out / f"{name}.parquet")
        if name == "new":
            pq.write_table(table.filter(pa.array(language == "fr")), out / "new_fr.parquet")


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working folder holding everything the docs name, made from the example data."""
    folder = tmp_path_factory.mktemp("docs")
    (folder / "examples").mkdir()
    (folder / "examples" / "data").symlink_to(ROOT / "examples" / "data", target_is_directory=True)
    _write_tables(folder)
    _write_predictions(folder)
    if importlib.util.find_spec("inspect_ai") is not None:
        logs = _load("evalviz_docs_example_logs", ROOT / "examples" / "example_logs.py")
        logs.write_logs(folder / "logs", models=["atlas-large", "atlas-small"], tasks=["arithmetic", "capitals"],
                        n_samples=6, epochs=2)
    return folder


# -- the tests -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_python_block_runs_as_written(path: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = blocks_of(path)
    if any("inspect_ai" in b.code or "from_inspect_logs" in b.code for b in blocks):
        pytest.importorskip("inspect_ai")
    monkeypatch.chdir(workspace)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    registered = set(available_metrics())
    try:
        for block in blocks:
            if block.skip is None:
                run_block(block, namespace)
    finally:  # metrics a doc registers (docs/analysis.md) stay out of the other tests
        for name in set(available_metrics()) - registered:
            unregister_metric(name)


def test_no_block_is_skipped_without_a_reason_and_few_are() -> None:
    skipped = [b.where for path in DOCS for b in blocks_of(path) if b.skip is not None]
    assert skipped == [], f"blocks that do not run: {skipped}"


def test_the_runner_checks_what_the_comments_promise() -> None:
    """A block that shows a wrong value or a wrong error fails; one that shows the right ones passes."""
    good = Block(ROOT / "docs" / "data.md", 1, 'x = [1, 2, 3]\nx  # [1, ..., 3]\nint("a")\n# ValueError: invalid ...\n')
    run_block(good, {})
    wrong_value = Block(ROOT / "docs" / "data.md", 1, "0.7051  # 0.7052\n")
    with pytest.raises(AssertionError, match="the docs show 0.7052"):
        run_block(wrong_value, {})
    wrong_below = Block(ROOT / "docs" / "data.md", 1, "{'a': 1, 'b': 2}\n# {'a': 1,\n#  'b': 3}\n")
    with pytest.raises(AssertionError, match="the docs show"):
        run_block(wrong_below, {})
    wrong_error = Block(ROOT / "docs" / "data.md", 1, 'int("a")\n# TypeError: invalid ...\n')
    with pytest.raises(AssertionError, match="the docs show TypeError"):
        run_block(wrong_error, {})
    no_error = Block(ROOT / "docs" / "data.md", 1, 'int("1")\n# ValueError: invalid ...\n')
    with pytest.raises(pytest.fail.Exception, match="nothing was raised"):
        run_block(no_error, {})


def test_every_doc_has_blocks_and_the_workspace_holds_what_they_name(workspace: Path) -> None:
    assert all(blocks_of(path) for path in DOCS)
    read = re.compile(r"""["']((?:examples/data/|results|runs/|run\d+\.|logs/|predictions/)[^"'*]*)["']""")
    named = {name for path in DOCS for block in blocks_of(path) for name in read.findall(block.code)}
    missing = sorted(name for name in named if not (workspace / name).exists() and not name.endswith(".html"))
    assert missing == [], f"files the docs name that the workspace lacks: {missing}"
    example = Path("examples") / "data" / "samples.parquet"
    assert os.path.samefile(workspace / example, ROOT / example)


# -- the four examples issue 10 found failing, each with what a user must see ----------------------------------
@pytest.fixture(scope="module")
def inspect_frames(workspace: Path) -> dict[str, Any]:
    """inspect_ai's own tables of the workspace's logs: the independent side of the comparisons below."""
    ia = pytest.importorskip("inspect_ai.analysis")
    logs = workspace / "logs"
    columns = [*ia.EvalTask, *ia.EvalModel, *ia.SampleSummary]
    return {
        "evals": ia.evals_df(logs, quiet=True),
        "samples": ia.samples_df(logs, columns=columns, quiet=True),
        "default_samples": ia.samples_df(logs, quiet=True),
    }


def test_an_inspect_evals_table_previews_with_its_time_zone_aware_column(
    workspace: Path, inspect_frames: dict[str, Any]
) -> None:
    evals = ev.Data.from_inspect_logs(workspace / "logs")
    assert evals.schema["created"] == "TIMESTAMP WITH TIME ZONE"
    preview = evals._repr_html_()
    assert f"{len(inspect_frames['evals'])} rows" in preview
    assert all(eval_id in preview for eval_id in inspect_frames["evals"]["eval_id"])


def test_sample_heatmap_without_score_value_names_the_score_columns(workspace: Path) -> None:
    samples = ev.Data.from_inspect_logs(workspace / "logs", kind="samples")
    with pytest.raises(ev.EvalvizError) as caught:
        ev.sample_heatmap(samples)
    assert "score_value" in str(caught.value)
    assert all(repr(c) in str(caught.value) for c in samples.columns if c.startswith("score_"))


def test_accuracy_per_model_from_letter_scores_converts_them_first(
    workspace: Path, inspect_frames: dict[str, Any]
) -> None:
    from inspect_ai.analysis import EvalModel, EvalTask, SampleSummary
    from inspect_ai.scorer import value_to_float

    samples = ev.Data.from_inspect_logs(workspace / "logs", kind="samples",
                                        columns=[*EvalTask, *EvalModel, *SampleSummary])
    query = "SELECT model, avg(score_includes) AS accuracy FROM this GROUP BY model"
    with pytest.raises(ev.EvalvizError, match="avg"):  # letters have no average: an error, never a raw one
        samples.derive(query).to_arrow()
    ours = ev.prepare(samples, ev.score_to_float("score_includes")).derive(query).to_arrow().to_pylist()
    frame = inspect_frames["samples"].dropna(subset=["score_includes"])
    theirs = frame["score_includes"].map(value_to_float()).groupby(frame["model"]).mean().to_dict()
    expected = {model: theirs.get(model) for model in frame["model"].unique()}
    assert {row["model"]: row["accuracy"] for row in ours if row["accuracy"] is not None} == pytest.approx(expected)


def test_two_models_on_inspect_samples_need_the_model_column(inspect_frames: dict[str, Any]) -> None:
    from evalviz.analysis import paired_diff_between_models

    small, large = "mockllm/atlas-small", "mockllm/atlas-large"
    with pytest.raises(ev.EvalvizError, match="model"):
        paired_diff_between_models(inspect_frames["default_samples"], small, large, score="match", by="task")
    diffs = paired_diff_between_models(inspect_frames["samples"], small, large, score="match", by="task",
                                       progress=False).to_arrow().to_pylist()
    frame = inspect_frames["samples"]
    means = frame.groupby(["task_name", "model"])["score_match"].apply(lambda s: s.map(_letter).mean())
    for row in diffs:
        if row["slice"] in set(frame["task_name"]):
            assert row["delta"] == pytest.approx(means[row["slice"], large] - means[row["slice"], small])


def _letter(value: Any) -> float:
    from inspect_ai.scorer import value_to_float

    return value_to_float()(value)
