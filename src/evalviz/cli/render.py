"""`evalviz render DATA --view VIEW [options] -o FILE`: one view of a table, written as HTML, PNG, SVG or PDF."""

from __future__ import annotations

import argparse
import difflib
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evalviz.cli.outputs import WRITERS, checked_output, write_output
from evalviz.cli.sources import LOG_TABLES, read_table
from evalviz.cli.view_options import add_view_options, drawable_views, view_arguments
from evalviz.rendering.figure_style import STYLES

DESCRIPTION = """\
Draw one view of a table (Parquet, CSV, JSONL) or of a folder of inspect_ai logs, and write it
as HTML, PNG, SVG or PDF (the format of -o's suffix). Each parameter of the view is an option:
see `evalviz render DATA --view VIEW --help`.
"""
EXAMPLES = """\
examples:
  evalviz render examples/data/evals.parquet --view scores_heatmap -o scores.html
  evalviz render evals.parquet --view scores_heatmap --score-value score_match_accuracy --title Match -o match.png
  evalviz render samples.parquet --view metric_curve --x step --y train_loss eval_loss -o curve.svg
  evalviz render logs/ --view sample_heatmap --logs-table samples --score-value score_match -o samples.pdf
  evalviz render DATA --view scores_heatmap --help     (the options of scores_heatmap)

views:
{views}
"""


def add_parser(commands: Any, view: str | None, formatter: type[argparse.HelpFormatter]) -> None:
    """The `render` subcommand, with the options of `view` when it names a view."""
    views = drawable_views()
    parser = commands.add_parser(
        "render", help="draw one view of a table or of a folder of inspect_ai logs into a file",
        description=DESCRIPTION, epilog=EXAMPLES.format(views=textwrap.fill(", ".join(views), 100)),
        formatter_class=formatter, allow_abbrev=False)
    parser.add_argument("data", metavar="DATA",
                        help="a Parquet, CSV or JSONL file (or a glob, or a folder of them), or a folder of "
                             "inspect_ai logs")
    parser.add_argument("--view", required=True, type=_view_name(views), metavar="VIEW",
                        help="the view to draw, e.g. scores_heatmap")
    parser.add_argument("-o", "--output", required=True, type=Path, metavar="FILE",
                        help=f"the file to write: {', '.join(WRITERS)}")
    parser.add_argument("--logs-table", choices=LOG_TABLES, default="evals",
                        help="a folder of logs is read as one row per eval log or per sample (default: evals)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="show a progress bar while logs are read (default: when stderr is a terminal)")
    parser.add_argument("--style", choices=STYLES, default="screen",
                        help="screen, or print: a figure for a paper (larger text, no tooltips, a white background, "
                             "thin strokes) (default: screen)")
    if view in views:
        add_view_options(parser, views[view])
        parser.help_command = f"evalviz render --view {view} --help"
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Draw the view and write it; print the path written."""
    view = drawable_views()[args.view]
    output = checked_output(args.output)
    data = read_table(args.data, args.logs_table, args.progress)
    print(write_output(view(data, **view_arguments(args)), output, args.style))
    return 0


def _view_name(views: dict[str, Callable[..., Any]]) -> Callable[[str], str]:
    """The type of --view: a view's name, or an error naming the closest view."""

    def view_name(name: str) -> str:
        if name in views:
            return name
        close = difflib.get_close_matches(name, views, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise argparse.ArgumentTypeError(f"unknown view {name!r}: {hint}views: {', '.join(views)}")

    return view_name
