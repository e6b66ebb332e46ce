"""Datasets travel to the browser as Arrow IPC stream bytes, never as inlined JSON."""

from __future__ import annotations

import base64

import pyarrow as pa
import pyarrow.ipc as ipc

# A text column whose distinct values are at most this share of its rows is sent as a dictionary: each
# distinct string once, plus small integer indices (the axis labels of a large grid repeat in every row).
DICTIONARY_SHARE = 0.5


def _compact(table: pa.Table) -> pa.Table:
    for i, field in enumerate(table.schema):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            encoded = table.column(i).dictionary_encode()
            distinct = max((len(chunk.dictionary) for chunk in encoded.chunks), default=0)
            if distinct <= DICTIONARY_SHARE * table.num_rows:
                table = table.set_column(i, field.name, encoded)
    return table


def to_ipc(table: pa.Table) -> bytes:
    """A table as Arrow IPC stream bytes, repetitive text dictionary-encoded."""
    table = _compact(table).combine_chunks()
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def to_base64_ipc(table: pa.Table) -> str:
    """Arrow IPC bytes, base64-encoded for a self-contained HTML file."""
    return base64.b64encode(to_ipc(table)).decode("ascii")
