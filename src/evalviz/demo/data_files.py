"""The example data that ships with evalviz: where its files are, from any working directory."""

from __future__ import annotations

from pathlib import Path

from evalviz.errors import ArgumentTypeError, UnknownNameError

DATA = Path(__file__).resolve().parent / "data"  # the example evals and samples tables, shipped with evalviz


def example_files() -> list[str]:
    """The names of the bundled example files, sorted.

    Example:
        >>> from evalviz.demo import example_files
        >>> example_files()
        ['evals.parquet', 'samples.parquet']
    """
    return sorted(path.name for path in DATA.iterdir() if path.is_file())


def example_file(name: str) -> Path:
    """The absolute path of a bundled example file (`"evals.parquet"`, `"samples.parquet"`), so that code reading
    the example data runs from any working directory: a notebook's folder, the repository root, an installed
    evalviz.

    Args:
        name: the file's name, one of `example_files()`.

    Returns:
        The file's absolute path, inside the installed evalviz package.

    Raises:
        ArgumentTypeError: `name` is not a str.
        UnknownNameError: no bundled file has that name; the message lists the ones there are.

    Example:
        >>> import evalviz as ev
        >>> from evalviz.demo import example_file
        >>> evals = ev.Data.from_file(example_file("evals.parquet"))
        >>> example_file("evals.parquet").name
        'evals.parquet'
    """
    if not isinstance(name, str):
        raise ArgumentTypeError(f"example_file takes a file name as a str, not {type(name).__name__} ({name!r}).")
    names = example_files()
    if name not in names:
        raise UnknownNameError(f"No example file is named {name!r}: evalviz ships {', '.join(names)}.")
    return DATA / name
