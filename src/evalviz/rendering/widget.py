"""The notebook front end: an anywidget whose ES module is the bundled renderer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import anywidget
import pyarrow as pa
import traitlets

from evalviz.rendering.bundle import BUNDLE_PATH
from evalviz.rendering.transport import to_ipc


class ChartWidget(anywidget.AnyWidget):
    """Shows one chart in Jupyter, JupyterLab and VS Code. Datasets travel as binary Arrow buffers."""

    _esm = BUNDLE_PATH
    spec = traitlets.Dict().tag(sync=True)
    datasets = traitlets.Dict().tag(sync=True)  # name -> Arrow IPC bytes, sent as binary buffers
    selection = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)

    def __init__(self, spec: Mapping[str, Any], datasets: Mapping[str, pa.Table], **kwargs: Any) -> None:
        super().__init__(
            spec=dict(spec), datasets={name: to_ipc(table) for name, table in datasets.items()}, **kwargs
        )
