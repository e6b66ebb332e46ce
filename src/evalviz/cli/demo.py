"""`evalviz demo [-o DIR]`: a page of every view drawn from the example data that ships with evalviz."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

DESCRIPTION = """\
Write evalviz-demo.html: every view, inputs and linked charts drawn from the example inspect_ai
results that ship with evalviz. The page opens offline in any browser.
"""
EXAMPLES = """\
examples:
  evalviz demo                 (writes out/evalviz-demo.html)
  evalviz demo -o site         (writes site/evalviz-demo.html)
"""


def add_parser(commands: Any, formatter: type[argparse.HelpFormatter]) -> None:
    """The `demo` subcommand."""
    parser = commands.add_parser(
        "demo", help="write a page of every view, drawn from the bundled example data",
        description=DESCRIPTION,
        epilog=EXAMPLES, formatter_class=formatter, allow_abbrev=False)
    parser.add_argument("-o", "--output", type=Path, default=Path("out"), metavar="DIR",
                        help="the folder to write evalviz-demo.html in, created if missing (default: out)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the demo page; print its path."""
    from evalviz.demo import write_demo  # the demo draws every view: imported only to write it

    print(write_demo(args.output).resolve())
    return 0
