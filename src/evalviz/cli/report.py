"""`evalviz report LOG_DIR -o report.html`: the standard linked report of a folder of inspect_ai logs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from evalviz.cli.outputs import checked_output, write_output

DESCRIPTION = """\
Build the standard report of a folder of inspect_ai logs (scores heatmap, scores by task with
intervals, a sample heatmap per task, a samples table, model and task inputs, all linked) and
write it as one HTML page that opens offline.
"""
EXAMPLES = """\
examples:
  evalviz report logs/ -o report.html
  evalviz report ~/inspect/logs --title "Nightly evals" -o out/report.html
"""


def add_parser(commands: Any, formatter: type[argparse.HelpFormatter]) -> None:
    """The `report` subcommand."""
    parser = commands.add_parser(
        "report", help="a linked report of a folder of inspect_ai logs, as one HTML page",
        description=DESCRIPTION,
        epilog=EXAMPLES, formatter_class=formatter, allow_abbrev=False)
    parser.add_argument("log_dir", metavar="LOG_DIR", type=Path, help="a folder of inspect_ai logs")
    parser.add_argument("-o", "--output", type=Path, default=Path("report.html"), metavar="FILE",
                        help="the HTML file to write (default: report.html)")
    parser.add_argument("--title", metavar="TITLE",
                        help="the page's title (default: \"Evaluation report\" and the logs' folder)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="show a progress bar while logs are read (default: when stderr is a terminal)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Build the report and write it; print the path written."""
    from evalviz.publishing.report import log_report  # the report's views are imported only to build one

    output = checked_output(args.output, (".html",), example="report.html")
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    print(write_output(log_report(args.log_dir, title=args.title, progress=progress), output))
    return 0
