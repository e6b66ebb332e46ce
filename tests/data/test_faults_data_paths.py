"""Issue 10, kind 3: a path that exists is read as it is spelled, whatever characters it holds; only a path that
names nothing is a pattern; each file is read once; a loop of symbolic links is reported as one."""

from __future__ import annotations

import doctest
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import evalviz as ev
from evalviz.data import connection, sources


def write_named(path: Path) -> None:
    """A file whose one row holds its own name, so a test sees which files were read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        pq.write_table(pa.table({"name": [path.name]}), path)
    else:
        path.write_text(f"name\n{path.name}\n")


def names_read(data: ev.Data) -> list[str]:
    return sorted(data.to_arrow()["name"].to_pylist())


@pytest.mark.parametrize(
    ("name", "decoys"),
    [
        ("results [v2].parquet", ["results v.parquet", "results 2.parquet"]),  # [v2] would match "v" or "2"
        ("data[1].csv", ["data1.csv"]),
        ("q?.csv", ["qa.csv", "qb.csv"]),
        ("all*.csv", ["all.csv", "all-runs.csv"]),
        ("odd ]![x.csv", ["odd ]!x.csv"]),
    ],
)
def test_an_existing_path_is_read_literally(tmp_path: Path, name: str, decoys: list[str]) -> None:
    for file in (name, *decoys):
        write_named(tmp_path / file)
    for given in (tmp_path / name, str(tmp_path / name)):
        data = ev.Data.from_file(given)
        assert names_read(data) == [name]
        assert name in data.source


def test_a_relative_literal_path_with_glob_characters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_named(tmp_path / "results [v2].parquet")
    write_named(tmp_path / "results v.parquet")
    assert names_read(ev.Data.from_file("results [v2].parquet")) == ["results [v2].parquet"]


def test_a_folder_with_brackets_and_its_hive_partitions(tmp_path: Path) -> None:
    root = tmp_path / "exp[2025]"
    for model in ("alpha", "beta"):
        write_named(root / f"model={model}" / "part.parquet")
    write_named(tmp_path / "exp2" / "model=gamma" / "part.parquet")  # what exp[2025] matches as a pattern
    for given in (root, f"{root}/"):
        data = ev.Data.from_file(given)
        assert sorted(data.to_arrow()["model"].to_pylist()) == ["alpha", "beta"]


def test_a_path_that_names_nothing_is_a_pattern(tmp_path: Path) -> None:
    for file in ("qa.csv", "qb.csv", "q10.csv"):
        write_named(tmp_path / file)
    assert names_read(ev.Data.from_file(tmp_path / "q?.csv")) == ["qa.csv", "qb.csv"]
    assert names_read(ev.Data.from_file(str(tmp_path / "q[ab].csv"))) == ["qa.csv", "qb.csv"]
    write_named(tmp_path / "q?.csv")  # now the path names a file: that file only
    assert names_read(ev.Data.from_file(tmp_path / "q?.csv")) == ["q?.csv"]


def test_messages_show_a_file_as_it_is_spelled(tmp_path: Path) -> None:
    path = tmp_path / "bad [1].csv"
    path.write_bytes("name\nx\n".encode("utf-16"))
    with pytest.raises(ev.DataSourceError) as info:
        ev.Data.from_file(path)
    assert "bad [1].csv" in str(info.value) and "[[]" not in str(info.value)


def test_each_file_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_named(tmp_path / "runs" / "a.csv")
    write_named(tmp_path / "runs" / "b.csv")
    (tmp_path / "alias.csv").symlink_to(tmp_path / "runs" / "a.csv")
    same = ["runs/a.csv", "./runs/a.csv", str(tmp_path / "runs" / "a.csv"), "runs/../runs/a.csv", "alias.csv"]
    assert names_read(ev.Data.from_file(same)) == ["a.csv"]
    assert names_read(ev.Data.from_file(["runs/*.csv", "runs/a.csv", "runs"])) == ["a.csv", "b.csv"]


def test_a_folder_linked_twice_is_read_once(tmp_path: Path) -> None:
    write_named(tmp_path / "data" / "real" / "x.csv")
    (tmp_path / "data" / "link").symlink_to(tmp_path / "data" / "real")
    assert names_read(ev.Data.from_file(tmp_path / "data" / "**" / "*.csv")) == ["x.csv"]
    assert names_read(ev.Data.from_file(tmp_path / "data")) == ["x.csv"]


def test_a_loop_of_symbolic_links_is_reported(tmp_path: Path) -> None:
    write_named(tmp_path / "dir" / "sub" / "x.csv")
    (tmp_path / "dir" / "sub" / "loop").symlink_to(tmp_path / "dir")
    for given in (tmp_path / "dir" / "**" / "*.csv", tmp_path / "dir"):
        with pytest.raises(ev.DataSourceError) as info:
            ev.Data.from_file(given)
        message = str(info.value)
        assert "loop" in message and os.path.join("sub", "loop") in message
    # A pattern that does not descend through the link reads the file once.
    assert names_read(ev.Data.from_file(tmp_path / "dir" / "sub" / "*.csv")) == ["x.csv"]


def test_a_dangling_link_is_named(tmp_path: Path) -> None:
    link = tmp_path / "gone.csv"
    link.symlink_to(tmp_path / "missing.csv")
    with pytest.raises(ev.DataSourceError, match=r"gone\.csv.*missing\.csv.*does not exist"):
        ev.Data.from_file(link)


def test_hidden_files_are_left_out_of_patterns_and_folders(tmp_path: Path) -> None:
    write_named(tmp_path / "runs" / "a.csv")
    write_named(tmp_path / "runs" / ".ipynb_checkpoints" / "a-checkpoint.csv")
    write_named(tmp_path / "runs" / ".draft.csv")
    assert names_read(ev.Data.from_file(tmp_path / "runs")) == ["a.csv"]
    assert names_read(ev.Data.from_file(tmp_path / "runs" / "**" / "*.csv")) == ["a.csv"]
    assert names_read(ev.Data.from_file(tmp_path / "runs" / ".*.csv")) == [".draft.csv"]


@pytest.mark.parametrize("module", [sources, connection])
def test_the_examples_in_sources_and_connection_run(module: object) -> None:
    assert doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed == 0
