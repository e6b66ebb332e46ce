"""Each option of `evalviz render --view VIEW --help` says what its own parameter is (issue: `pr_curve --help` read
"As `roc_curve`." for most options, and one sentence for --ci, --n-resamples and --seed).

Expected lines are read from the views' docstrings here, with a parser of this file's own, not the command line's.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import re

import pytest

import evalviz as ev
from evalviz.cli import build_parser, main
from evalviz.cli.parameter_docs import parameter_docs
from evalviz.cli.view_options import drawable_views

NOTES = re.compile(r"\s*\((?:give none for [^)]*|one of [^)]*|default: [^()]*(?:\([^()]*\)[^()]*)*)\)$")
POINTER = re.compile(r"^As\b|\bAs (?:in |every view \()?`\w+`")


@functools.cache
def view_actions(view: str) -> dict[str, argparse.Action]:
    """The options of `evalviz render --view VIEW`, by parameter name."""
    render = build_parser(view)._subparsers._group_actions[0].choices["render"]
    return {action.dest.removeprefix("view:"): action for action in render._actions if action.dest.startswith("view:")}


def help_line(view: str, name: str) -> str:
    """An option's help without the notes the command line adds (None's spelling, listed values, the default)."""
    text = view_actions(view)[name].help
    while (stripped := NOTES.sub("", text)) != text:
        text = stripped
    return " ".join(text.split())


def docstring_entry(function: object, name: str) -> str:
    """The "Args:" entry documenting `name` in a view's docstring (its lines joined), read by a regex."""
    args = inspect.getdoc(function).partition("\nArgs:\n")[2]
    match = re.search(rf"^ {{4}}([\w*, ]*\b{name}\b[\w*, ]*): (.*(?:\n {{8}}.*)*)", args, re.MULTILINE)
    assert match, (function, name)
    return " ".join(match.group(2).split())


def opening(text: str) -> str:
    """The opening sentence of an entry: up to the first ". " followed by a capital."""
    return re.split(r"(?<=\.)\s+(?=[A-Z])", text, maxsplit=1)[0]


@pytest.mark.parametrize("view", sorted(drawable_views()))
def test_no_help_line_is_a_pointer_and_no_two_options_share_one(view: str) -> None:
    """Every option of every view the command line draws: its help is not "As `other`" (a pointer the user cannot
    follow from a shell), and no two options of the view read the same line."""
    lines = {name: help_line(view, name) for name in view_actions(view)}
    assert lines, view
    for name, line in lines.items():
        assert line and not POINTER.search(line), (view, name, line)
    shared = {line: [name for name in lines if lines[name] == line] for line in lines.values()}
    assert {line: names for line, names in shared.items() if len(names) > 1} == {}


def test_pr_curve_options_read_roc_curves_entries_of_the_same_parameter() -> None:
    """`pr_curve` documents most parameters "As `roc_curve`": each option reads roc_curve's own entry of that
    parameter (the shared options their `ViewOptions` entries, as roc_curve's do), and --ci its PR band."""
    assert docstring_entry(ev.pr_curve, "label") == "As `roc_curve`."
    for name in set(view_actions("pr_curve")) - {"ci"}:
        assert help_line("pr_curve", name) == help_line("roc_curve", name), name
    for name in ("label", "score", "series", "max_points", "n_resamples", "seed"):
        assert help_line("pr_curve", name) == opening(docstring_entry(ev.roc_curve, name)), name
    ci = help_line("pr_curve", "ci")
    assert "a bootstrap band of the precision at each recall" in ci and "TPR" not in ci
    assert help_line("pr_curve", "seed") != help_line("pr_curve", "n_resamples") != ci


def test_the_issue_s_help_shows_each_parameter_s_own_line(capsys: pytest.CaptureFixture[str]) -> None:
    """The command of the issue, as a user runs it: the lines of --label, --title and --seed are roc_curve's."""
    with pytest.raises(SystemExit) as exit_:
        main(["render", "examples/data/evals.parquet", "--view", "pr_curve", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert exit_.value.code == 0
    assert "As `roc_curve`" not in out
    assert f"--title TITLE {help_line('roc_curve', 'title')}" in out
    assert f"--seed SEED {opening(docstring_entry(ev.roc_curve, 'seed'))}" in out
    # the view's summary is its first sentence whole, not its docstring's first line cut mid-sentence
    summary = opening(" ".join(inspect.getdoc(ev.pr_curve).partition("\n\n")[0].split()))
    assert summary.endswith("dashed.") and summary in out


def test_a_deferring_entry_keeps_what_it_adds() -> None:
    """scores_by_model's "filter_by, target, highlight: As in `scores_by_task`: filtered bars leave no band ...":
    --highlight reads scores_by_task's highlight, then what scores_by_model adds."""
    added = docstring_entry(ev.scores_by_model, "highlight").partition("`scores_by_task`: ")[2]
    assert added.startswith("filtered bars")
    line = help_line("scores_by_model", "highlight")
    assert line.startswith(opening(docstring_entry(ev.scores_by_task, "highlight")))
    assert line.endswith(added[0].upper() + added[1:])


@pytest.mark.parametrize(("view", "documented_in", "names"), [
    ("heatmap", "heatmap", ("x", "y")),
    ("heatmap", "heatmap", ("size", "status", "reason")),
    ("diff_plot", "diff_plot", ("title", "subtitle")),
    ("scores_by_factor", "scores_by_task", ("low", "high")),  # "As in `scores_by_task`", whose entry is grouped
])
def test_an_entry_of_several_parameters_says_which_one_each_option_is(view: str, documented_in: str,
                                                                       names: tuple[str, ...]) -> None:
    """`x, y: Columns whose values become ...`: each option reads the sentence, then its place among them."""
    options = [f"--{name.replace('_', '-')}" for name in names]
    listed = f"{', '.join(options[:-1])} and {options[-1]}"
    for name, ordinal in zip(names, ("first", "second", "third"), strict=False):
        line = help_line(view, name)
        assert line == f"{opening(docstring_entry(getattr(ev, documented_in), name))} Of {listed}, this is the " \
                       f"{ordinal}.", (view, name)


def test_a_deferring_entry_resolves_through_a_chain_and_never_loops() -> None:
    """A reference to a function that defers in turn reads the last entry; one that defers back keeps its text."""
    assert parameter_docs(_chained)["a"].help_line("a") == "The first input. Counted twice."
    assert parameter_docs(_looping)["a"].text == "As `_looping`."


def _base(data: object, a: int = 0, b: int = 0) -> None:
    """A base.

    Args:
        data: Anything.
        a: The first input. More about it.
        b: The second input.
    """


def _middle(data: object, a: int = 0, b: int = 0) -> None:
    """Defers.

    Args:
        data: Anything.
        a, b: As `_base`.
    """


def _chained(data: object, a: int = 0) -> None:
    """Defers to a function that defers.

    Args:
        data: Anything.
        a: As `_middle`: counted twice.
    """


def _looping(data: object, a: int = 0) -> None:
    """Defers to itself.

    Args:
        data: Anything.
        a: As `_looping`.
    """


# -- session 8: each help line says only what the command line can do -------------------------------------------
def option_cases() -> list[tuple[str, str]]:
    return [(view, name) for view in sorted(drawable_views()) for name in view_actions(view)]


@pytest.mark.parametrize(("view", "name"), option_cases())
def test_an_option_whose_help_speaks_of_none_takes_none(view: str, name: str) -> None:
    """Help that says what None does ("None: the view's default", "None (input order)") is given `none`: the
    parser turns it into None (a pair: into an open end), or the help does not speak of None."""
    action = view_actions(view)[name]
    if "None" not in action.help or isinstance(action, argparse.BooleanOptionalAction):
        return
    assert action.type("none") is None and action.type("None") is None, (view, name, action.help)
    assert action.choices is None or None in action.choices, (view, name)
    assert "(give none for" in action.help


@pytest.mark.parametrize(("view", "name"), option_cases())
def test_no_help_line_offers_a_mapping_or_cites_internals(view: str, name: str) -> None:
    line = help_line(view, name)
    assert '{"' not in line, (view, name, line)  # a mapping such as {"x": [...]} cannot be typed as an option
    assert "GRADIEND" not in line and "`views." not in line, (view, name, line)


def test_the_reported_none_values_draw(tmp_path) -> None:
    evals = "examples/data/evals.parquet"
    main(["render", evals, "--view", "score_distribution", "--value", "score_headline_value", "--width", "none",
          "--height", "none", "-o", str(tmp_path / "d.html")])
    main(["render", evals, "--view", "heatmap", "--x", "task_name", "--y", "model_display_name", "--fill",
          "score_headline_value", "--sort", "none", "--domain", "none", "1", "--legend", "false", "-o",
          str(tmp_path / "h.html")])
    assert (tmp_path / "d.html").stat().st_size and (tmp_path / "h.html").stat().st_size
    assert view_actions("heatmap")["domain"].type("none") is None


def test_a_grouped_entry_followed_from_another_view_names_only_its_own_options() -> None:
    """scores_by_factor documents task_name apart: --model-name does not say it is "the first of --model-name and
    --task-name"; a note on None in a grouped entry goes only to the options that take None."""
    assert "--task-name" not in help_line("scores_by_factor", "model_name")
    assert help_line("scores_by_factor", "task_name") == opening(docstring_entry(ev.scores_by_factor, "task_name"))
    for view in ("scores_timeline", "scores_by_task", "scores_by_factor"):
        assert "None" not in help_line(view, "score_value"), view
        assert "None" in view_actions(view)["score_stderr"].help


def test_a_parameter_documented_as_required_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    assert "(required" in docstring_entry(ev.sample_heatmap, "score_value")
    assert view_actions("sample_heatmap")["score_value"].required
    with pytest.raises(SystemExit) as exit_:
        main(["render", "examples/data/evals.parquet", "--view", "sample_heatmap", "-o", "x.html"])
    assert exit_.value.code == 2 and "--score-value" in capsys.readouterr().err
