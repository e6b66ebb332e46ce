"""The notebook front end: an anywidget whose ES module is the bundled renderer, and its kernel side.

Page to kernel, two ways: the current clauses and values of the params and selections the page shares reach the
`state` traitlet (`js/index.js`, debounced), and from it the Param and Selection objects (`set_from_page`);
requests (drill-downs, re-queries) travel on the widget's channel, answered by id.
"""

from __future__ import annotations

import logging
import reprlib
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import anywidget
import pyarrow as pa
import traitlets

from evalviz.errors import EvalvizError
from evalviz.rendering.bundle import BUNDLE_PATH
from evalviz.rendering.channel import Channel, Handler, Reply
from evalviz.rendering.html import new_output_id
from evalviz.rendering.outgoing import outgoing_item, outgoing_spec
from evalviz.rendering.requery import empty, requeried
from evalviz.rendering.transport import to_ipc

if TYPE_CHECKING:
    from evalviz.interaction.selection import Param, Selection
    from evalviz.rendering.requery import Drawn

_log = logging.getLogger(__name__)

# A drill-down answers a clicked cell's datum with the (spec, datasets) of that region at full resolution.
DrillDown = Callable[[dict[str, Any]], tuple[dict[str, Any], Mapping[str, pa.Table]]]


class ChartWidget(anywidget.AnyWidget):
    """Shows one chart in Jupyter, JupyterLab and VS Code. Datasets travel as binary Arrow buffers.

    The browser side asks the kernel through `channel`: each request kind is answered by its handler.

    Example:
        >>> import pyarrow as pa
        >>> item = {"kind": "chart", "spec": {"data": {"name": "cells"}, "mark": "rect"}, "prefix": ""}
        >>> widget = ChartWidget(item, {"cells": pa.table({"x": [1]})}, handlers={"echo": lambda p: (p, {})})
        >>> widget.channel.kinds
        ['echo']
    """

    _esm = BUNDLE_PATH
    item = traitlets.Dict().tag(sync=True)  # what it draws: a chart, or a layout of charts, inputs and tables
    datasets = traitlets.Dict().tag(sync=True)  # name -> Arrow IPC bytes, sent as binary buffers
    shared = traitlets.List().tag(sync=True)  # the params and selections it declares (evalviz.rendering.items)
    selection = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    # Page -> kernel: name -> {"clauses": [...]} for a selection, {"value": ...} for a param, as the page holds them.
    state = traitlets.Dict().tag(sync=True)
    # The charts that re-query: the prefix of their item on the page -> the name of the selection filtering them.
    live = traitlets.Dict().tag(sync=True)
    # The id of the static output shown after the widget's view (`Component._ipython_display_`): the view hides it,
    # and it draws where no view does (the notebook opened again without its kernel, an HTML export).
    output_id = traitlets.Unicode().tag(sync=True)

    @traitlets.default("output_id")
    def _new_output_id(self) -> str:
        return new_output_id()

    def __init__(
        self,
        item: Mapping[str, Any],
        datasets: Mapping[str, pa.Table],
        shared: Sequence[Mapping[str, Any]] = (),
        handlers: Mapping[str, Handler] | None = None,
        params: Mapping[str, Param | Selection] | None = None,
        live: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            item=outgoing_item(item, datasets),
            shared=list(shared),
            datasets={name: to_ipc(table) for name, table in datasets.items()},
            live=dict(live or {}),
            **kwargs,
        )
        self.params = dict(params or {})
        self.channel = Channel(lambda content, buffers: self.send(content, buffers=buffers))
        for kind, handler in (handlers or {}).items():
            self.channel.handle(kind, handler)
        self.on_msg(self._receive)
        self.observe(self._page_changed, names="state")

    def _receive(self, _widget: Any, content: Any, buffers: list[bytes]) -> None:
        self.channel.receive(content, buffers)

    def _page_changed(self, change: Mapping[str, Any]) -> None:
        """Hand the page's values to the Param and Selection objects. A widget sharing them with another on the
        page reports the same change: only a value that differs is set, so observers hear each change once. A
        malformed report is logged, never raised into the kernel's message loop."""
        for name, reported in (change.get("new") or {}).items():
            shared = self.params.get(name)
            if shared is None or not isinstance(reported, Mapping):
                continue
            try:
                take_from_page(shared, reported)
            except EvalvizError as exc:
                _log.warning("evalviz ignored the page's value of %s: %s", name, exc)
            except Exception:  # noqa: BLE001 - an observer's own failure: the other values are still taken
                _log.exception("An observer of %s raised on the page's change", name)


def take_from_page(shared: Param | Selection, reported: Mapping[str, Any]) -> None:
    """Set `shared` to what the page `reported` ({"clauses": [...]} or {"value": ...}) when it differs.

    Example:
        >>> from evalviz.interaction.selection import Selection
        >>> models = Selection.intersect()
        >>> take_from_page(models, {"clauses": [{"source": "s", "fields": ["m"], "op": "in", "value": [["a"]]}]})
        >>> models.clauses[0].value
        (('a',),)
    """
    if shared.kind == "selection" and "clauses" in reported:
        if reported["clauses"] != shared.to_dict()["clauses"]:
            shared.set_from_page(reported["clauses"])
    elif shared.kind == "param" and "value" in reported:
        if reported["value"] != shared.to_dict()["value"]:
            shared.set_from_page(reported["value"])


class LiveCharts:
    """The charts of a widget that re-query (prefix -> Component), and the latest drawing of each: a drill-down
    starts from the chart as the page shows it.

    Example:
        >>> LiveCharts({}).selections()
        {}
    """

    def __init__(self, charts: Mapping[str, Drawn]) -> None:
        self.charts = dict(charts)
        self._latest: dict[str, Drawn] = {}
        self._lock = threading.Lock()

    def selections(self) -> dict[str, str]:
        """Prefix -> the name of the selection each chart is filtered by (what the page subscribes to)."""
        return {prefix: chart.call.filter_by.name for prefix, chart in self.charts.items()
                if chart.call is not None and chart.call.filter_by is not None}

    def latest(self, prefix: str, default: Drawn) -> Drawn:
        """The chart at `prefix` as last drawn (`default` before any re-query)."""
        with self._lock:
            return self._latest.get(prefix, default)

    def requery(self, prefix: str, clauses: Any, resolve: Any) -> tuple[Drawn, str | None]:
        """The chart at `prefix` drawn over the rows the clauses keep (see `requery.requeried`)."""
        chart = self.charts.get(prefix) if isinstance(prefix, str) else None
        if chart is None:
            raise EvalvizError(f"No chart at {reprlib.repr(prefix)} re-queries; those that do: "
                               f"{', '.join(repr(p) for p in self.charts) or 'none'}.")
        drawn, note = requeried(chart, clauses, resolve)
        if note is None:
            with self._lock:
                self._latest[prefix] = drawn
        return drawn, note


def drill_handler(drilldown: DrillDown) -> Handler:
    """The channel handler of "drill" requests: `{"datum": clicked cell}` -> `{"spec": region}` and its datasets.

    Example:
        >>> import pyarrow as pa
        >>> handler = drill_handler(lambda datum: ({"data": {"name": "cells"}}, {"cells": pa.table({"x": [1]})}))
        >>> payload, tables = handler({"datum": {"x": 1}})
        >>> list(tables)
        ['cells']
    """

    def answer(payload: Any) -> Reply:
        datum = payload.get("datum") if isinstance(payload, dict) else None
        if not isinstance(datum, dict):
            raise EvalvizError(
                f"A drill-down request carries {{'datum': the clicked cell's datum}}, not {reprlib.repr(payload)}."
            )
        spec, datasets = drilldown(datum)
        return {"spec": outgoing_spec(spec, datasets)}, datasets

    return answer


def requery_handler(live: LiveCharts) -> Handler:
    """The channel handler of "requery" requests: `{"prefix", "resolve", "clauses"}` (the page's active clauses
    for the chart at `prefix`) -> `{"spec", "note"}` and the new datasets (those of the chart drawn over the rows
    kept; emptied, with a note, when none is).

    Example:
        >>> handler = requery_handler(LiveCharts({}))
        >>> handler({"prefix": "", "resolve": "intersect", "clauses": []})
        Traceback (most recent call last):
        ...
        evalviz.errors.EvalvizError: No chart at '' re-queries; those that do: none.
    """

    def answer(payload: Any) -> Reply:
        if not isinstance(payload, dict):
            raise EvalvizError(f"A requery request carries {{'prefix', 'resolve', 'clauses'}}, not "
                               f"{reprlib.repr(payload)}.")
        chart, note = live.requery(payload.get("prefix"), payload.get("clauses"), payload.get("resolve"))
        datasets = chart.datasets if note is None else empty(chart.datasets)
        return {"spec": outgoing_spec(chart.spec, datasets), "note": note}, datasets

    return answer
