"""Datasets travel to the browser as Arrow IPC stream bytes, never as inlined JSON."""

from __future__ import annotations

import base64

import pyarrow as pa
import pyarrow.ipc as ipc


def to_ipc(table: pa.Table) -> bytes:
    """A table as Arrow IPC stream bytes, in the types the browser's Arrow reader decodes."""
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def to_base64_ipc(table: pa.Table) -> str:
    """Arrow IPC bytes, base64-encoded for a self-contained HTML file."""
    return base64.b64encode(to_ipc(table)).decode("ascii")
