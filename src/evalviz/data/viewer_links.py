"""`log_viewer`: a column of links into the published inspect log viewer, each opening its own page.

A link is the viewer URL of the folder mapped to the log's folder, then `#/logs/` and the log's path under that
folder, then the sample, event or message. Each part taken from the data is percent-encoded (the viewer decodes
each part once), so an id "x/y" or a log "a%20b.eval" opens its own page; inspect_ai writes them as they are.

A log and a mapped folder match however each is spelled: relative or absolute, through a symbolic link or not,
with "." or ".." in it. Both are compared as written (made absolute against the working directory, "." and
".." folded) and, failing that, as the real paths they lead to. The log paths are few (one per eval log), so
each is matched here, in Python, and the table gets a lookup from log to link base.
"""

from __future__ import annotations

import os
import posixpath
import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal as lit
from evalviz.data.table import Data
from evalviz.data.types import describe, is_text
from evalviz.errors import ColumnTypeError, EvalvizError
from evalviz.signatures import checks_signature


def _part(value: str) -> str:
    """SQL of one URL path part (or query value): the value as text, percent-encoded.

    Every byte but the unreserved characters of RFC 3986 (letters, digits, "-", ".", "_", "~") is encoded, so
    "x/y" is one part ("x%2Fy") and "a%20b" stays itself ("a%2520b"); the log viewer decodes each part once.
    """
    return f"url_encode(CAST({value} AS VARCHAR))"


TARGETS: dict[str, tuple[tuple[str, ...], Callable[..., str]]] = {
    "eval": ((), lambda base: base),
    "sample": (
        ("id", "epoch"),
        lambda base, i, e: f"{base} || '/samples/sample/' || {_part(i)} || '/' || {_part(e)}",
    ),
    "event": (
        ("sample_id", "event_id"),
        lambda base, s, e: f"{base} || '/samples/sample_uuid/' || {_part(s)} || '/transcript?event=' || {_part(e)}",
    ),
    "message": (
        ("sample_id", "message_id"),
        lambda base, s, m: f"{base} || '/samples/sample_uuid/' || {_part(s)} || '/messages?message=' || {_part(m)}",
    ),
}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # what urllib.parse takes for a URL scheme
_EMPTY_FRAGMENTS = ("", "/")  # the viewer's own root ("https://host/viewer/#/"): the link's fragment replaces it


@dataclass(frozen=True)
class ViewerMapping:
    """One entry of url_mappings: the folder's spellings (as written, and real) and the viewer URL, split."""

    folder: str
    spellings: tuple[str, str]
    viewer: urllib.parse.SplitResult

    def link_base(self, log_spellings: tuple[str, str]) -> str | None:
        """`{viewer}#/logs/{the log's path under the folder}`, each part encoded, or None when the log is not
        under the folder (compared as written, then as real paths)."""
        for folder, log in zip(self.spellings, log_spellings, strict=True):
            prefix = folder if folder.endswith("/") else folder + "/"
            if log.startswith(prefix) and len(log) > len(prefix):
                rest = urllib.parse.quote(log[len(prefix):], safe="/")
                return urllib.parse.urlunsplit(self.viewer._replace(fragment="/logs/" + rest))
        return None


@dataclass(frozen=True)
class LogViewer:
    """Operation of `log_viewer`: a column of links into the published inspect log viewer."""

    target: str
    url_mappings: tuple[ViewerMapping, ...]
    log_column: str = "log"
    log_viewer_column: str = "log_viewer"

    def apply(self, data: Data) -> Data:
        """The table with `log_viewer_column` added (or replaced), one URL per row: NULL for a row without a
        log (NULL or empty). A log that no mapping covers is an error naming it."""
        needed, build = TARGETS[self.target]
        data.require_columns(self.log_column, *needed, purpose=f"{self.target} log viewer links")
        kind = data.types[self.log_column]
        if not is_text(kind):
            raise ColumnTypeError(
                f"log_viewer reads log paths from column {self.log_column!r}, which holds {describe(kind)} values, "
                "not text. Name the column of log file paths with log_column= (inspect_ai's tables call it 'log')."
            )
        log = f"CAST({q(self.log_column)} AS VARCHAR)"
        logs = data.sql(f"SELECT DISTINCT {log} AS log FROM this WHERE trim({log}) <> ''")["log"].to_pylist()
        bases = {name: self._link_base(name) for name in logs}
        entries = ", ".join(f"{lit(name)}: {lit(base)}" for name, base in bases.items())
        base = f"(MAP {{{entries}}})[{log}]" if entries else "CAST(NULL AS VARCHAR)"
        url = build(base, *(q(c) for c in needed))
        present = set(data.columns)
        column = f"CAST({url} AS VARCHAR) AS {q(self.log_viewer_column)}"
        if self.log_viewer_column in present:
            return data.derive(f"SELECT * REPLACE ({column}) FROM this")
        return data.derive(f"SELECT *, {column} FROM this")

    def _link_base(self, log: str) -> str:
        spellings = path_spellings(log)
        for mapping in self.url_mappings:
            base = mapping.link_base(spellings)
            if base is not None:
                return base
        folders = ", ".join(repr(m.folder) for m in self.url_mappings)
        seen = f" (that is {spellings[0]!r})" if spellings[0] != log else ""
        raise EvalvizError(
            f"No url_mappings entry covers the log {log!r}{seen}: log_viewer maps logs under {folders}. Add the "
            "folder holding this log to url_mappings."
        )


def path_spellings(path: str) -> tuple[str, str]:
    """A log path or folder as compared: as written (a leading "~" expanded, made absolute against the working
    directory, "." and ".." folded, no "/" at the end), and as the real path it leads to. A URL
    (s3://bucket/logs) is compared with its scheme in lower case and "." and ".." folded in its path, without a "/"
    at the end, so a log cannot climb out of a mapped folder.

    Example:
        >>> path_spellings("/logs/./runs/../a.eval")[0]
        '/logs/a.eval'
        >>> path_spellings("S3://bucket/logs/../secret/")
        ('s3://bucket/secret', 's3://bucket/secret')
    """
    if _SCHEME.match(path):
        parts = urllib.parse.urlsplit(path)
        folded = posixpath.normpath(parts.path) if parts.path else ""
        url = urllib.parse.urlunsplit((parts.scheme.lower(), parts.netloc, folded, parts.query, parts.fragment))
        url = url.rstrip("/") or url
        return url, url
    written = os.path.normpath(os.path.join(os.getcwd(), os.path.expanduser(path)))
    return written, os.path.realpath(written)


def _viewer_url(folder: object, url: object) -> urllib.parse.SplitResult:
    """The viewer URL of a mapping, checked: an http(s) URL with a host, and without a fragment of its own (the
    link's "#/logs/..." is one). Its path ends with "/"; a query it has is kept, before the fragment."""
    parsed = urllib.parse.urlsplit(url) if isinstance(url, str) else None
    if parsed is None or parsed.scheme.lower() not in ("http", "https") or not parsed.netloc:
        raise EvalvizError(
            f"url_mappings maps each log folder to the http(s) URL its viewer is published at (inspect view "
            f"bundle), such as 'https://example.com/viewer/'; {folder!r} maps to {url!r}."
        )
    if parsed.fragment not in _EMPTY_FRAGMENTS:
        raise EvalvizError(
            f"The viewer URL {url!r} (for {folder!r}) has a fragment '#{parsed.fragment}': log_viewer writes the "
            "link's own fragment (#/logs/...) after the URL, so give the viewer's URL without it."
        )
    path = parsed.path if parsed.path.endswith("/") else parsed.path + "/"
    return parsed._replace(path=path, fragment="")


@checks_signature
def log_viewer(
    target: Literal["eval", "sample", "event", "message"],
    url_mappings: Mapping[str, str],
    log_column: str = "log",
    log_viewer_column: str = "log_viewer",
) -> LogViewer:
    """Add a column of links into the inspect log viewer, as inspect_ai's `log_viewer` does.

    `url_mappings` maps folders of log files (local paths or URLs such as s3://bucket/logs) to the http(s) URLs
    where they are published with `inspect view bundle`. For target "eval" the link is `{url}/#/logs/{log path
    under the folder}`; "sample" appends `/samples/sample/{id}/{epoch}` (needs `id` and `epoch` columns);
    "event" and "message" link to one event or message of a sample (`sample_id` with `event_id` or
    `message_id`). A log that no mapping covers is an error; a row without a log (NULL or empty) gets no link.
    A log and a folder match however each is spelled (relative or absolute, through a symbolic link or not).

    Each part of the link taken from the data (a folder or file name of the log, an id, an epoch) is
    percent-encoded, as the viewer's own links are, so an id "x/y" or a log "a%20b.eval" opens its own page.
    inspect_ai's `log_viewer` writes them as they are. A viewer URL with a query ("?token=...") keeps it
    before the link's fragment.

    Example:
        >>> import evalviz as ev
        >>> data = ev.Data.from_sql("SELECT '/logs/run 1.eval' AS log, 'x/y' AS id, 1 AS epoch")
        >>> viewer = ev.log_viewer("sample", {"/logs": "https://host/viewer"})
        >>> ev.prepare(data, viewer).to_arrow()["log_viewer"][0].as_py()
        'https://host/viewer/#/logs/run%201.eval/samples/sample/x%2Fy/1'
    """
    if not isinstance(target, str) or target not in TARGETS:
        targets = ", ".join(map(repr, TARGETS))
        raise EvalvizError(f"log_viewer target must be one of {targets}, not {target!r}.")
    if not isinstance(url_mappings, Mapping) or not url_mappings:
        raise EvalvizError(
            "log_viewer needs url_mappings: a dict from log folders to viewer URLs, such as "
            "{'logs/': 'https://example.com/viewer/'}."
        )
    for name, value in (("log_column", log_column), ("log_viewer_column", log_viewer_column)):
        if not isinstance(value, str) or not value:
            raise EvalvizError(f"log_viewer's {name} is a column name, not {value!r}.")
    mappings = []
    for folder, url in url_mappings.items():
        if not isinstance(folder, str | os.PathLike):
            raise EvalvizError(f"url_mappings' keys are log folders (paths, or URLs like s3://...), not {folder!r}.")
        text = os.fspath(folder)
        mappings.append(ViewerMapping(text, path_spellings(text), _viewer_url(folder, url)))
    return LogViewer(target, tuple(mappings), log_column=log_column, log_viewer_column=log_viewer_column)
