"""The notebook front end: an anywidget whose ES module is the bundled renderer, and its kernel side."""

from __future__ import annotations

import reprlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import anywidget
import pyarrow as pa
import traitlets

from evalviz.errors import EvalvizError
from evalviz.rendering.bundle import BUNDLE_PATH
from evalviz.rendering.channel import Channel, Handler, Reply
from evalviz.rendering.outgoing import outgoing_item, outgoing_spec
from evalviz.rendering.transport import to_ipc

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

    def __init__(
        self,
        item: Mapping[str, Any],
        datasets: Mapping[str, pa.Table],
        shared: Sequence[Mapping[str, Any]] = (),
        handlers: Mapping[str, Handler] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            item=outgoing_item(item, datasets),
            shared=list(shared),
            datasets={name: to_ipc(table) for name, table in datasets.items()},
            **kwargs,
        )
        self.channel = Channel(lambda content, buffers: self.send(content, buffers=buffers))
        for kind, handler in (handlers or {}).items():
            self.channel.handle(kind, handler)
        self.on_msg(self._receive)

    def _receive(self, _widget: Any, content: Any, buffers: list[bytes]) -> None:
        self.channel.receive(content, buffers)


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
