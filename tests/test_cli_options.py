"""The view options of `evalviz render` as a new user meets them: whole help lines, None given as `none`, fixed
choices listed, `--style`, a misspelt option named with the closest, and `evalviz report --title` / `-o FOLDER`.

The command line is run in this process (`evalviz.cli.main`, as the console script calls it); expected values come
from the library called directly, and from the views' own docstrings and type hints.
"""

from __future__ import annotations

import argparse
import inspect
import re
from pathlib import Path

import pytest

import evalviz as ev
from evalviz.cli import build_parser, main
from evalviz.cli.view_options import drawable_views
from evalviz.views.options import ViewOptions

SHARED = ("title", "subtitle", "width", "height", "legend", "tip")
NOTES = re.compile(r"\s*\((?:give none for [^)]*|one of [^)]*|default: [^()]*(?:\([^()]*\)[^()]*)*)\)$")


def run(*args: object, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of the command line."""
    try:
        status = main([str(arg) for arg in args])
    except SystemExit as exit_:
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


def view_actions(view: str) -> dict[str, argparse.Action]:
    """The options of `evalviz render --view VIEW`, by parameter name."""
    render = build_parser(view)._subparsers._group_actions[0].choices["render"]
    return {action.dest.removeprefix("view:"): action for action in render._actions if action.dest.startswith("view:")}


def sentence(help_text: str) -> str:
    """A help line without the notes the command line adds (None's spelling, listed values, the default)."""
    while (stripped := NOTES.sub("", help_text)) != help_text:
        help_text = stripped
    return help_text


@pytest.mark.parametrize("view", sorted(drawable_views()))
def test_every_help_line_is_a_whole_sentence_of_its_own(view: str) -> None:
    """No help line is cut mid-sentence (it ends in a full stop with its brackets closed), and none is the shared
    "As every view" line: the shared options read their own entries of `ViewOptions`."""
    for name, action in view_actions(view).items():
        text = sentence(action.help)
        assert text.endswith((".", ".)")), (view, name, action.help)
        assert text.count("(") == text.count(")") and text.count('"') % 2 == 0, (view, name, action.help)
        assert "As every view" not in text, (view, name, action.help)
    attributes = inspect.getdoc(ViewOptions).partition("Attributes:")[2]
    for name in set(SHARED) & set(view_actions(view)):
        if "`ViewOptions`" in inspect.getdoc(drawable_views()[view]):
            entry = re.search(rf"^\s+{name}: (.*)$", attributes, re.MULTILINE).group(1)
            assert sentence(view_actions(view)[name].help) == entry.split(". ")[0].rstrip(".") + "."


def test_entries_of_several_lines_are_read_whole(capsys: pytest.CaptureFixture[str]) -> None:
    """The entries the trial found cut now read to their end, in the help the user sees."""
    status, out, _ = run("render", "x", "--view", "scores_by_task", "--help", capsys=capsys)
    assert status == 0
    flat = " ".join(out.split())
    assert "--completed-samples COMPLETED_SAMPLES Columns of the samples each eval completed, and had (used when " \
           "present)." in flat
    assert "--title TITLE The chart's title." in flat
    heatmap = " ".join(view_actions("heatmap")["sort"].help.split())
    assert '"cluster" (similar rows next to each other, and similar columns).' in heatmap
    assert "Explicit orders" not in heatmap and "A clustered axis" not in heatmap  # mappings: not for a shell


def none_parameters() -> list[tuple[str, str]]:
    """(view, parameter) of every option whose type admits None, with a default other than None."""
    pairs = []
    for view, function in drawable_views().items():
        parameters = inspect.signature(function).parameters
        for name in view_actions(view):
            if parameters[name].default is not None and re.search(r"\bNone\b|object|GridSort|BarSort|Legend",
                                                                   str(function.__annotations__[name])):
                pairs.append((view, name))
    return pairs


def test_none_is_given_as_none_wherever_the_view_takes_it() -> None:
    """Each option whose parameter takes None (and defaults to something else) says how to give it, and `none`
    (any case) reaches the view as None."""
    pairs = none_parameters()
    assert ("scores_by_task", "score_stderr") in pairs and ("scores_heatmap", "legend") in pairs
    for view, name in pairs:
        action = view_actions(view)[name]
        assert "(give none for None)" in action.help, (view, name)
        option = action.option_strings[0]
        required = [arg for other in view_actions(view).values() if other.required
                    for arg in (other.option_strings[0], "column")]
        args = ["render", "d.parquet", "--view", view, "-o", "x.html", *required, option, "None"]
        if action.nargs == 2:
            continue
        parsed = build_parser(view).parse_args(args)
        assert getattr(parsed, action.dest) is None, (view, name)


def test_none_draws_what_the_library_draws_with_none(tmp_path: Path, evals_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """`--legend None --score-stderr none` hides the legend and the intervals, as the library's None does: not
    a legend titled "None", not a search for a column named 'None'."""
    out = tmp_path / "scores.svg"
    status, _, err = run("render", evals_path, "--view", "scores_by_task", "--legend", "None", "--score-stderr", "none",
                         "--low", "none", "--high", "none", "-o", out, capsys=capsys)
    assert (status, err) == (0, "")
    expected = tmp_path / "expected.svg"
    ev.scores_by_task(ev.Data.from_file(evals_path), legend=None, score_stderr=None, low=None, high=None
                      ).write_svg(expected)
    assert svg(out) == svg(expected)
    assert ">None<" not in out.read_text()


@pytest.mark.parametrize(("view", "name", "choices"), [
    ("score_distribution", "kind", ["violin", "box", "strip", "histogram"]),
    ("scores_by_task", "mark", ["bar", "point"]),
    ("scores_heatmap", "color_scale", ["linear", "log", "sqrt", "power"]),
    ("scores_heatmap", "sort", ["ascending", "descending", "cluster", None]),
    ("heatmap", "agg", ["mean", "median", "min", "max", "sum"]),
    ("slice_metric_heatmap", "annotate", ["auto", True, False]),
    ("metric_curve", "best", ["max", "min", None]),
])
def test_fixed_values_are_choices(view: str, name: str, choices: list[object],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    """An option of fixed values lists them in its help and refuses another, on one line with status 2."""
    action = view_actions(view)[name]
    assert list(action.choices) == choices
    spelt = ["none" if c is None else str(c).lower() for c in choices]
    assert action.metavar == "{" + ",".join(spelt) + "}"
    option = action.option_strings[0]
    status, _, err = run("render", "d.parquet", "--view", view, option, "nonsense", "-o", "x.html", capsys=capsys)
    assert status == 2 and err.count("\n") == 1
    assert f"argument {option}: invalid choice: 'nonsense'" in err


def test_fixed_values_beside_free_ones_are_listed(capsys: pytest.CaptureFixture[str]) -> None:
    """A bar view's sort takes "ascending", "descending" or a list of labels: the help names the two words."""
    for view in ("scores_by_model", "diff_plot"):
        assert "(one of ascending, descending, or another value)" in view_actions(view)["sort"].help
    parsed = build_parser("scores_by_model").parse_args(
        ["render", "d", "--view", "scores_by_model", "-o", "x.html", "--sort", "gpt", "claude"])
    assert getattr(parsed, "view:sort") == ["gpt", "claude"]


@pytest.mark.parametrize("style", ["print", "screen"])
def test_style_writes_the_figure_the_library_writes(tmp_path: Path, evals_path: Path, style: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """`--style print` writes the library's `style="print"` figure, unlike the screen one; screen is the default."""
    out = tmp_path / "scores.svg"
    chart = ev.scores_heatmap(ev.Data.from_file(evals_path), width=400)
    args = ("render", evals_path, "--view", "scores_heatmap", "--width", 400, "-o", out)
    status, _, err = run(*args, *(("--style", style) if style == "print" else ()), capsys=capsys)
    assert (status, err) == (0, "")
    chart.write_svg(tmp_path / "expected.svg", style=style)
    chart.write_svg(tmp_path / "other.svg", style="screen" if style == "print" else "print")
    assert svg(out) == svg(tmp_path / "expected.svg") != svg(tmp_path / "other.svg")


def svg(path: Path) -> str:
    """An SVG's text, its gradients' ids (numbered in the order a process draws them) left out."""
    return re.sub(r"gradient_\d+", "gradient", path.read_text())


def test_a_misspelt_option_names_the_closest(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`--colour-scale` is answered with `--color-scale` and the view's own --help, on one line, status 2, and
    nothing written."""
    status, _, err = run("render", "d.parquet", "--view", "scores_heatmap", "--colour-scale", "log",
                         "-o", tmp_path / "x.html", capsys=capsys)
    assert status == 2 and err.count("\n") == 1
    assert "unrecognized option --colour-scale: did you mean --color-scale?" in err
    assert "(see `evalviz render --view scores_heatmap --help`)" in err
    assert list(tmp_path.iterdir()) == []
    status, _, err = run("render", "d.parquet", "--view", "scores_heatmap", "--zzz=1", "-o", "x.html", capsys=capsys)
    assert status == 2 and "unrecognized option --zzz (see" in err


@pytest.mark.parametrize("command", ["render", "report"])
def test_a_folder_as_output_is_named_a_folder(command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["render", "d.parquet", "--view", "scores_heatmap"] if command == "render" else ["report", "logs"]
    status, _, err = run(*args, "-o", tmp_path, capsys=capsys)
    name = "chart.html" if command == "render" else "report.html"
    assert status == 2 and err.count("\n") == 1
    assert f"The output {str(tmp_path)!r} is a folder: give the path of a file in it, e.g. " \
           f"{str(tmp_path / name)!r}." in err


def test_report_takes_a_title(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`evalviz report --title` titles the page (the tab and its heading)."""
    from test_cli import log_dir as make_logs  # the module's fixture, built here once

    logs = make_logs.__wrapped__(tmp_path_factory=_Factory(tmp_path))
    out = tmp_path / "report.html"
    status, stdout, _ = run("report", logs, "--title", "Nightly <evals>", "-o", out, capsys=capsys)
    assert (status, stdout.strip()) == (0, str(out))  # (in this process, pytest shows inspect_ai's warnings)
    html = out.read_text(encoding="utf-8")
    assert "<title>Nightly &lt;evals&gt;</title>" in html


class _Factory:
    def __init__(self, root: Path) -> None:
        self.root = root

    def mktemp(self, name: str) -> Path:
        folder = self.root / name
        folder.mkdir()
        return folder
