// Arrow IPC bytes -> the plain row objects Vega reads.
import { DataType, tableFromIPC } from "apache-arrow";

function toNumber(value) {
  return typeof value === "bigint" ? Number(value) : value;
}

// One column's values; numeric columns without nulls are read as a whole typed array.
function columnValues(vector) {
  if (vector.nullCount === 0 && (DataType.isInt(vector.type) || DataType.isFloat(vector.type))) {
    const values = vector.toArray();
    return values instanceof BigInt64Array || values instanceof BigUint64Array ? Array.from(values, Number) : values;
  }
  const out = new Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = toNumber(vector.get(i));
  return out;
}

export function arrowRows(bytes) {
  const view = bytes instanceof DataView ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
  const table = tableFromIPC(view);
  const n = table.numRows;
  const names = table.schema.fields.map((field) => field.name);
  const columns = names.map((name) => columnValues(table.getChild(name)));
  const rows = new Array(n);
  for (let i = 0; i < n; i++) {
    const row = {};
    for (let c = 0; c < names.length; c++) row[names[c]] = columns[c][i];
    rows[i] = row;
  }
  return rows;
}

export function base64Bytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
