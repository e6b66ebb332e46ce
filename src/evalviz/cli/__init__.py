"""The `evalviz` command line: `render` a view of a table, build a `report` of inspect_ai logs, write the `demo`.

Bad arguments or data end the command with status 2 and one line on stderr (`evalviz: error: ...`), before any
file is written; success prints the path written and ends with status 0.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import warnings
from collections.abc import Sequence
from typing import Any, NoReturn

from evalviz._optional import MissingDependencyError
from evalviz.cli import demo, render, report
from evalviz.errors import EvalvizError

EXAMPLES = """\
examples:
  evalviz render examples/data/evals.parquet --view scores_heatmap -o scores.html
  evalviz render evals.parquet --view scores_by_task --title "Scores by task" -o scores.pdf
  evalviz render DATA --view scores_heatmap --help     (the view's options)
  evalviz report logs/ -o report.html
  evalviz demo -o out

Each command has its own --help.
"""
ERROR_STATUS = 2


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions wrapped to the terminal, examples in the epilog kept as written."""


class ArgumentParser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line, `evalviz: error: ...`, and status 2; an option it does not
    have is named with the closest it has."""

    help_command: str | None = None  # the command whose --help lists this parser's options (`PROG --help` else)

    def error(self, message: str) -> NoReturn:
        fail(f"{message} (see `{self.help_command or self.prog + ' --help'}`)")

    def parse_known_args(self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None,
                         ) -> tuple[argparse.Namespace, list[str]]:
        """As argparse's, but an option this parser (a command's) does not have is an error naming the closest."""
        namespace, extras = super().parse_known_args(args, namespace)
        unknown = [arg.partition("=")[0] for arg in extras if re.match(r"--?[A-Za-z]", arg)]
        if unknown:
            self.error("; ".join(map(self._unknown_option, unknown)))
        self._check_given_once(sys.argv[1:] if args is None else list(args))
        return namespace, extras

    def _check_given_once(self, args: list[str]) -> None:
        """An error when an option that takes one value (or one flag) is given more than once: argparse keeps the
        last silently, so the command would not draw what was asked."""
        given: dict[argparse.Action, list[str]] = {}
        for arg in args[:args.index("--")] if "--" in args else args:
            action = self._option_string_actions.get(arg.partition("=")[0]) if arg.startswith("-") else None
            if action is not None and not isinstance(action, argparse._AppendAction | argparse._CountAction):
                given.setdefault(action, []).append(arg.partition("=")[0])
        for spelt in given.values():
            if len(spelt) > 1:
                names = list(dict.fromkeys(spelt))
                said = (f"{names[0]} is given {'twice' if len(spelt) == 2 else f'{len(spelt)} times'}"
                        if len(names) == 1 else f"{' and '.join(names)} are the same option, given {len(spelt)} times")
                self.error(f"{said}: give it once")

    def _unknown_option(self, option: str) -> str:
        """The error of an option this parser does not have, naming the closest it has."""
        close = difflib.get_close_matches(option, [name for name in self._option_string_actions
                                                   if name.startswith("--")], n=2, cutoff=0.75)
        hint = f": did you mean {' or '.join(close)}?" if close else ""
        return f"unrecognized option {option}{hint}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on `argv` (`sys.argv[1:]` by default); the exit status.

    Example:
        >>> main(["render", "examples/data/evals.parquet", "--view", "scores_heatmap", "-o", "scores.html"])
        ... # doctest: +SKIP
        0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(_view_of(argv)).parse_args(argv)
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            return args.run(args)
        except (EvalvizError, MissingDependencyError) as exc:
            fail(_for_the_command_line(str(exc)))
        except KeyboardInterrupt:
            return 130


def _for_the_command_line(message: str) -> str:
    """`message`, told that a reader option it names (Data.from_file(path, ignore_errors=True)) is Python's."""
    if "Data.from_file(path, " not in message:
        return message
    return f"{message} (Data.from_file options are Python's: evalviz render reads files with DuckDB's defaults)"


def build_parser(view: str | None = None) -> ArgumentParser:
    """The parser of every command; `render`'s has the options of `view` when it names a view.

    Example:
        >>> build_parser("scores_heatmap").parse_args(["render", "d.parquet", "--view", "scores_heatmap",
        ...     "--title", "Scores", "-o", "x.html"]).output
        PosixPath('x.html')
    """
    parser = ArgumentParser(
        prog="evalviz", formatter_class=HelpFormatter, epilog=EXAMPLES, allow_abbrev=False,
        description="Draw evaluation results: a view of a table or of inspect_ai logs, a report of logs, the demo.")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True,
                                     parser_class=ArgumentParser)
    render.add_parser(commands, view, HelpFormatter)
    report.add_parser(commands, HelpFormatter)
    demo.add_parser(commands, HelpFormatter)
    return parser


def fail(message: str) -> NoReturn:
    """End the command: `evalviz: error: <message>` on one line of stderr, status 2."""
    sys.stderr.write(f"evalviz: error: {' '.join(message.split())}\n")
    sys.exit(ERROR_STATUS)


def _view_of(argv: list[str]) -> str | None:
    """The view a `render` command names, read first so that its options (and their --help) can be added."""
    peek = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    peek.add_argument("--view")
    return peek.parse_known_args(argv)[0].view


def _show_warning(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    """A warning on one line of stderr, `evalviz: warning: ...`."""
    sys.stderr.write(f"evalviz: warning: {' '.join(str(message).split())}\n")
