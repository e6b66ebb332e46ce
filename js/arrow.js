// Arrow IPC bytes -> the plain row objects Vega reads.
import { tableFromIPC } from "apache-arrow";

function toNumber(value) {
  return typeof value === "bigint" ? Number(value) : value;
}

export function arrowRows(bytes) {
  const table = tableFromIPC(bytes instanceof DataView ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes);
  const n = table.numRows;
  const rows = new Array(n);
  for (let i = 0; i < n; i++) rows[i] = {};
  for (const field of table.schema.fields) {
    const vector = table.getChild(field.name);
    const name = field.name;
    for (let i = 0; i < n; i++) rows[i][name] = toNumber(vector.get(i));
  }
  return rows;
}

export function base64Bytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
