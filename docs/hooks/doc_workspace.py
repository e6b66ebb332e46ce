"""The working folder the docs' examples run in: the example tables, and the files a reader would have of their own,
made from them (`results.parquet` in several formats, `results/` hive folders, `results.duckdb`, `runs/`,
`run1.parquet`, `logs/` of real inspect_ai logs, `predictions/`). Shared by the docs site's build and
tests/test_docs_examples.py.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import evalviz as ev

ROOT = Path(__file__).resolve().parents[2]


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
    from evalviz.demo.tables import slice_gaps

    gaps = slice_gaps(ev.Data.from_file(samples)).to_arrow().rename_columns(
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


def build_workspace(folder: Path) -> Path:
    """Fill the empty `folder` with everything the docs name, made from the example data; returns it."""
    (folder / "examples").mkdir()
    (folder / "examples" / "data").symlink_to(ROOT / "examples" / "data", target_is_directory=True)
    _write_tables(folder)
    _write_predictions(folder)
    if importlib.util.find_spec("inspect_ai") is not None:
        logs = _load("evalviz_docs_example_logs", ROOT / "examples" / "example_logs.py")
        logs.write_logs(folder / "logs", models=["atlas-large", "atlas-small"], tasks=["arithmetic", "capitals"],
                        n_samples=6, epochs=2)
    return folder
