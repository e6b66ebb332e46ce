"""Issue 14 follow-ups: a page's shared names, misspelt keywords, heading ids, a repeated CLI option, corrupt files."""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.cli import main

EVALS = "examples/data/evals.parquet"


@pytest.fixture(scope="module")
def evals() -> ev.Data:
    return ev.Data.from_file(EVALS)


# -- 1. two different selections of one name --------------------------------------------------------------------
@pytest.mark.parametrize("compose", [
    lambda *items: ev.page(*items),
    lambda *items: ev.page(list(items)),
    lambda *items: ev.vconcat(*items),
    lambda *items: ev.hconcat(*items),
])
def test_two_selections_of_one_name_on_a_page_are_refused_naming_the_name_and_the_way_out(compose, evals) -> None:
    picker = ev.select(evals, "model_display_name", target=ev.Selection.intersect(name="models"))
    chart = ev.scores_heatmap(evals, filter_by=ev.Selection.intersect(name="models"))
    with pytest.raises(ev.EvalvizError, match="'models'") as raised:
        compose(picker, chart)
    assert "different names" in str(raised.value) and "same object" in str(raised.value)


def test_one_chart_filtered_and_publishing_by_two_objects_of_one_name_is_refused(evals) -> None:
    with pytest.raises(ev.EvalvizError, match="'picked'"):
        ev.table(evals, filter_by=ev.Selection.intersect(name="picked"), target=ev.Selection.intersect(name="picked"),
                 key="eval_id")


def test_a_param_and_a_selection_of_one_name_are_refused(evals) -> None:
    with pytest.raises(ev.EvalvizError, match="param and a selection are both named 'level'"):
        ev.page(ev.slider(None, target=ev.Param(1, name="level"), min=0, max=2),
                ev.select(evals, "model_display_name", target=ev.Selection.intersect(name="level")))


def test_one_selection_object_shared_by_its_name_still_links_the_page(evals) -> None:
    models = ev.Selection.intersect(name="models")
    page = ev.page(ev.select(evals, "model_display_name", target=models), ev.scores_heatmap(evals, filter_by=models),
                   ev.scores_by_task(evals, filter_by=models))
    assert page.params == {"models": models}
    assert [one["name"] for one in page.shared] == ["models"]


# -- 2. keyword arguments a function does not take ---------------------------------------------------------------
@pytest.mark.parametrize(("call", "given", "closest"), [
    (lambda: ev.page(ev.md("x"), titel="Report"), "titel", "title"),
    (lambda: ev.md(txt="# Hi"), "txt", "text"),
    (lambda: ev.include_renderer(force=True), "force", None),
    (lambda: ev.log_report("logs", titel="x"), "titel", "title"),
    (lambda: ev.hconcat(ev.md("a"), gap=4), "gap", None),
    (lambda: ev.Selection.intersect(nme="x"), "nme", "name"),
    (lambda: ev.Param(1, nam="x"), "nam", "name"),
])
def test_a_misspelt_keyword_is_an_evalviz_error_naming_it_and_the_closest(call, given, closest) -> None:
    with pytest.raises(ev.EvalvizError) as raised:
        call()
    message = str(raised.value)
    assert f"no argument {given!r}" in message
    assert (f"Did you mean {closest!r}?" in message) if closest else ("Did you mean" not in message)


def test_a_missing_or_extra_positional_argument_is_an_evalviz_error() -> None:
    with pytest.raises(ev.EvalvizError, match="text"):
        ev.md()
    with pytest.raises(ev.EvalvizError, match="too many positional"):
        ev.md("a", "b")
    with pytest.raises(ev.EvalvizError, match="too many positional"):
        ev.include_renderer(1)


# -- 3. heading ids unique on a page -----------------------------------------------------------------------------
def ids_of(component: ev.Component) -> list[str]:
    return re.findall(r' id="([^"]*)"', str(component.item))


def test_heading_ids_are_unique_across_the_title_and_every_text_of_a_page() -> None:
    page = ev.page(ev.md("# Report\n\n## Results\n\n## Results"), [ev.md("## Results"), ev.md("## Results 1")],
                   title="Report")
    ids = ids_of(page)
    assert len(ids) == 6 and len(set(ids)) == len(ids), ids
    # The page's title keeps its own id; the rest follow in page order, as GitHub numbers repeated headings.
    assert ids[:5] == ["report", "report-1", "results", "results-1", "results-2"]


def test_a_composed_text_and_a_text_alone_get_unique_ids_too() -> None:
    assert Counter(ids_of(ev.vconcat(ev.md("# A"), ev.md("# A")))) == Counter({"a": 1, "a-1": 1})
    assert ids_of(ev.md("# A\n\n# A")) == ["a", "a-1"]


# -- 4. an option given twice ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("options", "said"), [
    (["--view", "scores_heatmap", "--view", "scores_by_task"], "--view is given twice"),
    (["--view", "scores_heatmap", "--title", "A", "--title", "B"], "--title is given twice"),
    (["--view", "scores_heatmap", "--style", "print", "--style", "print"], "--style is given twice"),
])
def test_an_option_given_twice_exits_2_with_one_line(options, said, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out.html"
    with pytest.raises(SystemExit) as raised:
        main(["render", EVALS, *options, "-o", str(out)])
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and said in err
    assert not out.exists()


# -- 5. a corrupt file -------------------------------------------------------------------------------------------
@pytest.fixture
def corrupt(tmp_path: Path) -> Path:
    path = tmp_path / "x.parquet"
    path.write_bytes(os.urandom(4096))
    return path


def test_a_corrupt_parquet_file_is_named_as_not_a_readable_parquet_file(corrupt: Path) -> None:
    with pytest.raises(ev.DataSourceError) as raised:
        ev.Data.from_file(corrupt)
    message = str(raised.value)
    assert message.startswith(f"{str(corrupt)!r} is not a readable Parquet file: check")
    assert "Invalid Input Error" not in message


def test_a_corrupt_file_among_good_ones_is_the_one_named(corrupt: Path) -> None:
    with pytest.raises(ev.DataSourceError) as raised:
        ev.Data.from_file([EVALS, corrupt])
    assert str(raised.value).startswith(f"{str(corrupt)!r} is not a readable Parquet file")


def test_a_cut_short_json_lines_file_is_named_as_not_readable_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"a": 1}\n{"a": ', encoding="utf-8")
    with pytest.raises(ev.DataSourceError, match=re.escape(f"{str(path)!r} is not readable JSON Lines: check")):
        ev.Data.from_file(path)


def test_the_cli_says_the_same_on_one_line(corrupt: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out.html"
    with pytest.raises(SystemExit) as raised:
        main(["render", str(corrupt), "--view", "scores_heatmap", "-o", str(out)])
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{str(corrupt)!r} is not a readable Parquet file" in err
    assert not out.exists()


def test_a_good_file_still_reads(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "good.parquet"
    pq.write_table(pa.table({"a": [1, 2, 3]}), path)
    assert len(ev.Data.from_file(path)) == 3

