"""The notebook front end: an anywidget whose ES module is the bundled renderer."""

from __future__ import annotations

import reprlib
import time
from collections.abc import Callable, Mapping
from typing import Any

import anywidget
import pyarrow as pa
import traitlets

from evalviz.errors import EvalvizError
from evalviz.rendering.bundle import BUNDLE_PATH
from evalviz.rendering.outgoing import outgoing_spec
from evalviz.rendering.transport import to_ipc

# A drill-down answers a clicked cell's datum with the (spec, datasets) of that region at full resolution.
DrillDown = Callable[[dict[str, Any]], tuple[dict[str, Any], Mapping[str, pa.Table]]]


class ChartWidget(anywidget.AnyWidget):
    """Shows one chart in Jupyter, JupyterLab and VS Code. Datasets travel as binary Arrow buffers."""

    _esm = BUNDLE_PATH
    spec = traitlets.Dict().tag(sync=True)
    datasets = traitlets.Dict().tag(sync=True)  # name -> Arrow IPC bytes, sent as binary buffers
    selection = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)

    def __init__(
        self,
        spec: Mapping[str, Any],
        datasets: Mapping[str, pa.Table],
        drilldown: DrillDown | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            spec=outgoing_spec(spec, datasets),
            datasets={name: to_ipc(table) for name, table in datasets.items()},
            **kwargs,
        )
        self._drilldown = drilldown
        if drilldown is not None:
            self.on_msg(self._answer_drill)

    def _answer_drill(self, _widget: Any, content: dict[str, Any], _buffers: list[bytes]) -> None:
        """Answer a click on a cell with its region, or with an error the browser shows in the chart's place
        (a cell the chart does not have, a failed query): the kernel keeps running either way."""
        if not isinstance(content, dict) or content.get("type") != "drill":
            return
        began = time.perf_counter()
        reply: dict[str, Any] = {"type": "drill", "request": content.get("request")}
        datum = content.get("datum")
        try:
            if not isinstance(datum, dict):
                raise EvalvizError(f"A drill-down is asked with the clicked cell's datum, not {reprlib.repr(datum)}.")
            spec, datasets = self._drilldown(datum)
            spec = outgoing_spec(spec, datasets)
            names = list(datasets)
            buffers = [to_ipc(datasets[n]) for n in names]
        except EvalvizError as exc:
            self.send({**reply, "error": f"Could not drill down: {exc}"})
            return
        except Exception as exc:  # noqa: BLE001 - the browser shows the reason, whatever it is
            self.send({**reply, "error": f"Could not drill down: {type(exc).__name__}: {exc}"})
            return
        # How long the region took in Python, for the benchmark's breakdown of a drill-down.
        reply["python_ms"] = (time.perf_counter() - began) * 1000
        self.send({**reply, "spec": spec, "datasets": names}, buffers=buffers)
