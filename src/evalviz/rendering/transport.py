"""Datasets travel to the browser as Arrow IPC stream bytes, never as inlined JSON (in a page, gzip-compressed)."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Mapping

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


def packed_ipc(tables: Mapping[str, pa.Table]) -> tuple[dict[str, list[int]], str]:
    """Tables for a self-contained HTML file: their Arrow IPC streams one after another (each padded to 8 bytes,
    so every buffer stays aligned), gzip-compressed as one stream and base64-encoded, and where each table lies in
    the uncompressed bytes ([start, end)). Pages repeat column names, schemas and labels across their datasets;
    one gzip stream stores them once (js/arrow.js `gunzip` undoes it, with the browser's DecompressionStream).

    Example:
        >>> spans, text = packed_ipc({"a": pa.table({"x": [1]}), "b": pa.table({"y": ["z"]})})
        >>> spans["b"][0] == spans["a"][1]
        True
    """
    spans: dict[str, list[int]] = {}
    chunks: list[bytes] = []
    end = 0
    for name, table in tables.items():
        data = to_ipc(table)
        data += bytes(-len(data) % 8)
        spans[name] = [end, end + len(data)]
        chunks.append(data)
        end += len(data)
    packed = gzip.compress(b"".join(chunks), compresslevel=6, mtime=0)
    return spans, base64.b64encode(packed).decode("ascii")
