// Arrow IPC bytes -> the plain row objects Vega reads.
import { DataType, tableFromIPC, util } from "apache-arrow";

// A 64-bit or wider integer (DuckDB's HUGEINT arrives as a decimal of scale 0) is read as a number while a number
// holds it exactly; beyond +-(2^53 - 1) as its exact decimal text (9007199254740993 would otherwise show, and be
// published in a clause, as 9007199254740992). The kernel keeps such text equal to the integer it writes
// (src/evalviz/query/filters.py). A decimal with digits after the point is read as the nearest number.
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

function fromBigInt(value) {
  return value >= SAFE_MIN && value <= SAFE_MAX ? Number(value) : value.toString();
}

function plainReader(type) {
  if (DataType.isDecimal(type)) {
    return type.scale === 0
      ? (value) => (value === null ? null : fromBigInt(util.bigNumToBigInt(value)))
      : (value) => (value === null ? null : util.bigNumToNumber(value, type.scale));
  }
  return (value) => (typeof value === "bigint" ? fromBigInt(value) : value);
}

// One column's values; numeric columns without nulls are read as a whole typed array.
function columnValues(vector) {
  if (vector.nullCount === 0 && (DataType.isInt(vector.type) || DataType.isFloat(vector.type))) {
    const values = vector.toArray();
    return values instanceof BigInt64Array || values instanceof BigUint64Array ? Array.from(values, fromBigInt) : values;
  }
  const plain = plainReader(vector.type);
  const out = new Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = plain(vector.get(i));
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
