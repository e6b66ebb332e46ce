"""Benchmark: ev.table's kernel side over the 2,000,000-row samples table (bench_large's file).

Usage: python benchmarks/bench_table.py [--strict] [--deep-only]  (--strict: exit 1 when a target is missed;
--deep-only: only the deep pages right after a new sort, e.g. to time another checkout with PYTHONPATH)

Times, in this process, what the live widget's kernel does for each request a user makes (the "table:<id>"
handler reached through the widget's channel: the page query in DuckDB and the Arrow encoding of the answer):
the first page, a sort, a search, a page change, a deep page, a search then a sort. Each is the median of 5 runs,
each run of a sort or search a state not asked before; the first page is also timed once cold (a fresh table),
and the first search right after the first page is drawn (waiting for the copy then started) apart. The copy's
sort ranks are then made in the background: a deep page of a new sort asked meanwhile is timed apart, and the
time and memory the ranks take are said; the requests above are timed once they are made. Against it, pandas
doing the same in the same process on the table read into memory (sort_values, str.contains over the shown
columns, iloc), not counting the read. Targets (issue 12): first page within 1 s, pages, sorts and searches
within 250 ms, click to drawn: benchmarks/bench_table_jupyter.py measures that in JupyterLab.

Deep page right after a new sort, per column type (numbers, short text, long URL text): on a table of its own whose
copy is made and whose columns are ranked only when a sort asks for them (as the first sort after the table is
shown, before it was left alone), a header click (page 1 of a new sort) then at once page 5,000 of it, for each
column in turn; and pandas sorting by that column (then id, epoch) and slicing the page.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

import evalviz as ev  # noqa: E402
from bench_large import table_path  # noqa: E402 - the 2,000,000-row samples file, written when missing
from evalviz.interaction.table import table  # noqa: E402
from evalviz.rendering.channel import Channel  # noqa: E402

REPEAT = 5
PAGE = 20
COLUMNS = ["model_display_name", "id", "epoch", "score_match", "log_viewer"]
TARGETS_MS = {"first page (cold)": 1000.0}
DEFAULT_TARGET_MS = 250.0
DEEP_PAGE = 5_000
# Column, direction, and the kind of values it holds: each sorted once, right after the copy, ranks not made yet
DEEP_SORTS = [("score_match", "desc", "numbers (2 values)"), ("epoch", "asc", "numbers (2 values)"),
              ("model_display_name", "desc", "short text (100 values)"), ("id", "asc", "short text (10,000 values)"),
              ("log_viewer", "asc", "long URL text (all distinct)")]

SORTS = [("score_match", "desc"), ("score_match", "asc"), ("id", "desc"), ("epoch", "desc"), ("log_viewer", "asc")]

# name: payload of the i-th run. Each run of a sort or a search asks a state not asked before (its row order and
# count are not known yet); a page change keeps the state of the page before it.
REQUESTS = {
    "first page": lambda i: {"page": 1, "size": PAGE},
    "sort (a new sort)": lambda i: {"page": 1, "size": PAGE, "sort": [{"column": SORTS[i][0], "dir": SORTS[i][1]}]},
    "page change (page 2)": lambda i: {"page": 2, "size": PAGE},
    "page 5,000 of a new sort": lambda i: {"page": 5_000, "size": PAGE,
                                           "sort": [{"column": SORTS[-1 - i][0], "dir": SORTS[-1 - i][1]}]},
    "page 5,001 of that sort": lambda i: {"page": 5_001, "size": PAGE,
                                          "sort": [{"column": SORTS[0][0], "dir": SORTS[0][1]}]},
    "page 2,000 of a new filter, sorted": lambda i: {
        "page": 2_000, "size": PAGE, "sort": [{"column": SORTS[i][0], "dir": SORTS[i][1]}],
        "filter": {"resolve": "intersect", "clauses": [
            {"source": "bench", "fields": ["model_display_name"], "op": "in",
             "value": [[f"model-{m:03d}"] for m in range(i, 100, 2)]}]}},  # half the models, each run other ones
    "new search 'sample-042<i>'": lambda i: {"page": 1, "size": PAGE, "search": f"sample-042{i}"},
    "new search, sorted by id": lambda i: {"page": 1, "size": PAGE, "search": f"sample-043{i}",
                                           "sort": [{"column": "id", "dir": "asc"}]},
    "new search '0.5' (numbers)": lambda i: {"page": 1, "size": PAGE, "search": f"{i}.5"},
}


def channel_for(component: ev.Component) -> tuple[Channel, str, list]:
    sent: list = []
    channel = Channel(lambda content, buffers: sent.append((content, buffers)))
    handlers = component.chart.handlers()
    for kind, handler in handlers.items():
        channel.handle(kind, handler)
    return channel, next(iter(handlers)), sent


def timed_request(channel: Channel, kind: str, sent: list, payload: dict) -> tuple[float, float]:
    """Wall ms of one request through the channel (handler + Arrow encoding), and the kernel's own python_ms."""
    began = time.perf_counter()
    channel.receive({"kind": kind, "id": 1, "payload": payload})
    wall = (time.perf_counter() - began) * 1000
    content, _ = sent.pop()
    if "error" in content:
        raise RuntimeError(content["error"])
    return wall, content["python_ms"]


def memory_mb(pages) -> float:  # noqa: ANN001 - TablePages
    """The memory DuckDB's in-memory tables hold now (the copy and its ranks, the benchmark's only ones), in MB."""
    used = pages.data.run("SELECT sum(memory_usage_bytes) AS b FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'"
                          ).column("b")[0].as_py()
    return float(used) / 1e6


def pandas_times(path: Path) -> dict[str, float]:
    import pandas as pd

    df = pd.read_parquet(path, columns=COLUMNS)
    ordered = df.sort_values(["score_match", "id", "epoch"], ascending=[False, True, True])  # kept, as evalviz keeps

    def search(frame: pd.DataFrame, text: str) -> pd.DataFrame:
        hit = pd.Series(False, index=frame.index)
        for column in COLUMNS:
            hit |= frame[column].astype(str).str.contains(text, case=False, regex=False)
        return frame[hit]

    cases = {
        "first page": lambda: df.iloc[:PAGE],
        "sort (a new sort)": lambda: df.sort_values(["score_match", "id", "epoch"],
                                                    ascending=[False, True, True]).iloc[:PAGE],
        "page 5,000 of a new sort": lambda: df.sort_values(["score_match", "id", "epoch"], ascending=[
            False, True, True]).iloc[4_999 * PAGE: 5_000 * PAGE],
        "page 5,001 of that sort": lambda: ordered.iloc[5_000 * PAGE: 5_001 * PAGE],
        "page change (page 2)": lambda: df.iloc[PAGE: 2 * PAGE],
        "page 2,000 of a new filter, sorted": lambda: df[df["model_display_name"].isin(
            [f"model-{m:03d}" for m in range(0, 100, 2)])].sort_values(["score_match", "id", "epoch"], ascending=[
                False, True, True]).iloc[1_999 * PAGE: 2_000 * PAGE],
        "new search 'sample-042<i>'": lambda: search(df, "sample-0420").iloc[:PAGE],
        "new search, sorted by id": lambda: search(df, "sample-0430").sort_values(["id", "epoch"]).iloc[:PAGE],
        "new search '0.5' (numbers)": lambda: search(df, "0.5").iloc[:PAGE],
    }
    out = {}
    for name, case in cases.items():
        runs = []
        for _ in range(REPEAT):
            began = time.perf_counter()
            case()
            runs.append((time.perf_counter() - began) * 1000)
        out[name] = statistics.median(runs)
    return out


def deep_after_new_sort(path: Path) -> list[tuple[str, str, float, float, float]]:
    """For each of DEEP_SORTS: (column, kind, sort ms, page 5,000 ms right after it, pandas ms), on a table whose
    columns are ranked only when a sort asks for them."""
    import pandas as pd

    from evalviz.interaction import table_pages

    idle, table_pages.RANK_AFTER_IDLE = table_pages.RANK_AFTER_IDLE, 1e6  # no column ranked unasked
    try:
        component = table(ev.Data.from_file(path), COLUMNS)
        channel, kind, sent = channel_for(component)
        timed_request(channel, kind, sent, REQUESTS["first page"](0))
        timed_request(channel, kind, sent, {"page": 1, "size": PAGE, "search": "copy"})  # waits for the copy
        out = []
        for column, direction, values in DEEP_SORTS:
            sort = [{"column": column, "dir": direction}]
            sort_ms, _ = timed_request(channel, kind, sent, {"page": 1, "size": PAGE, "sort": sort})
            deep_ms, _ = timed_request(channel, kind, sent, {"page": DEEP_PAGE, "size": PAGE, "sort": sort})
            out.append((column, values, sort_ms, deep_ms))
    finally:
        table_pages.RANK_AFTER_IDLE = idle
    df = pd.read_parquet(path, columns=COLUMNS)
    timed = []
    for column, values, sort_ms, deep_ms in out:
        direction = next(d for c, d, _ in DEEP_SORTS if c == column)
        keys = [column, *(c for c in ("id", "epoch") if c != column)]
        runs = []
        for _ in range(3):
            began = time.perf_counter()
            df.sort_values(keys, ascending=[direction == "asc", *[True] * (len(keys) - 1)],
                           kind="stable").iloc[(DEEP_PAGE - 1) * PAGE: DEEP_PAGE * PAGE]
            runs.append((time.perf_counter() - began) * 1000)
        timed.append((column, values, sort_ms, deep_ms, statistics.median(runs)))
    return timed


def print_deep(rows: list[tuple[str, str, float, float, float]]) -> bool:
    """Print the deep pages right after a new sort; whether each met the target."""
    print(f"  page {DEEP_PAGE:,} right after a new sort (its column not ranked yet), kernel ms:")
    print(f"    {'column':<20}{'values':<30}{'sort (page 1)':>14}{'page 5,000':>12}{'pandas':>9}  target")
    good = True
    for column, values, sort_ms, deep_ms, pandas_ms in rows:
        met = max(sort_ms, deep_ms) <= DEFAULT_TARGET_MS
        good &= met
        print(f"    {column:<20}{values:<30}{sort_ms:>14.1f}{deep_ms:>12.1f}{pandas_ms:>9.1f}  "
              f"<= {DEFAULT_TARGET_MS:.0f}: {'ok' if met else 'OVER'}")
    return good


def main() -> None:
    path = table_path("2,000,000 rows")
    load = os.getloadavg()
    if "--deep-only" in sys.argv[1:]:
        print(f"ev.table ({Path(ev.__file__).parent}), page of {PAGE} rows; load average {load[0]:.1f}")
        print_deep(deep_after_new_sort(path))
        print(f"  load average after: {os.getloadavg()[0]:.1f}")
        return
    began = time.perf_counter()
    component = table(ev.Data.from_file(path), COLUMNS)
    build_ms = (time.perf_counter() - began) * 1000
    channel, kind, sent = channel_for(component)
    cold_ms, _ = timed_request(channel, kind, sent, REQUESTS["first page"](0))
    timed_request(channel, kind.replace("table:", "table-drawn:"), sent, {})  # as the widget says once drawn
    copy_ms, _ = timed_request(channel, kind, sent, {"page": 1, "size": PAGE, "search": "copy"})
    pages = component.chart.pages
    copy_mb = memory_mb(pages)
    ranking_began = time.perf_counter()
    unranked_ms, _ = timed_request(channel, kind, sent, {"page": 5_000, "size": PAGE, "search": "",
                                                         "sort": [{"column": "model_display_name", "dir": "desc"}]})
    ranked = pages.ranked.result()
    ranks_ms = (time.perf_counter() - ranking_began) * 1000
    ranks_mb = memory_mb(pages) - copy_mb

    results = {}
    for name, payload in REQUESTS.items():
        runs = [timed_request(channel, kind, sent, payload(i)) for i in range(REPEAT)]
        results[name] = (statistics.median(w for w, _ in runs), statistics.median(p for _, p in runs))
    pandas = pandas_times(path)
    deep = deep_after_new_sort(path)

    print(f"ev.table over {path.name} (2,000,000 rows), page of {PAGE} rows, median of {REPEAT}; load average "
          f"{load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    print(f"  building the Component (count + the {component.datasets['rows'].num_rows:,} rows a page ships): "
          f"{build_ms:.0f} ms")
    ok = cold_ms <= TARGETS_MS["first page (cold)"]
    print(f"  first page, cold: {cold_ms:.1f} ms (target <= 1000 ms: {'ok' if ok else 'OVER'})")
    print(f"  first search right after the first page is drawn (waits for the copy of the columns read, made once "
          f"per table from then on): {copy_ms:.0f} ms; the copy holds {copy_mb:.0f} MB")
    print(f"  page 5,000 of a new sort asked as the copy is made, before any rank (waits for its column's ranks): "
          f"{unranked_ms:.0f} ms")
    print(f"  the sort ranks {'made' if ranked else 'NOT made'} in the background {ranks_ms / 1000:.1f} s after the "
          f"copy, {ranks_mb:.0f} MB more")
    print(f"  {'request':<30}{'evalviz kernel ms':>18}{'of it python_ms':>17}{'pandas ms':>11}  target")
    failed = not ok
    for name, (wall, python) in results.items():
        good = wall <= DEFAULT_TARGET_MS
        failed |= not good
        print(f"  {name:<30}{wall:>18.1f}{python:>17.1f}{pandas[name]:>11.1f}  <= {DEFAULT_TARGET_MS:.0f}: "
              f"{'ok' if good else 'OVER'}")
    failed |= not print_deep(deep)
    if failed and "--strict" in sys.argv[1:]:
        sys.exit(1)  # `make bench` reports every benchmark; --strict makes a missed target an exit status


if __name__ == "__main__":
    main()
