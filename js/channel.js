// The browser side of the widget's message channel (its kernel side: src/evalviz/rendering/channel.py).
// A request is {kind, id, payload}; its answer carries the same id, a JSON payload and Arrow tables (named in
// `tables`, their bytes as the message's buffers, in order), or an error. Every request leaves timing marks:
// `evalviz:<kind>-asked` and `evalviz:<kind>-answered` (detail: the id and the kernel's Python time, pythonMs).
import { arrowRows } from "./arrow.js";

// An answer that is an error: the kernel's reason as the message.
export class ChannelError extends Error {
  constructor(kind, id, message) {
    super(message);
    this.name = "ChannelError";
    this.kind = kind;
    this.id = id;
  }
}

function decodeTables(names, buffers) {
  const tables = {};
  (names || []).forEach((name, i) => {
    tables[name] = arrowRows(buffers[i]);
  });
  return tables;
}

// `request(kind, payload)` resolves with {payload, tables, pythonMs} (tables: name -> rows) or rejects with a
// ChannelError. Ids start with a random prefix: every view of one widget hears every answer, and takes only
// its own.
export function createChannel(model) {
  const prefix = Math.random().toString(36).slice(2, 10);
  const pending = new Map();
  let count = 0;

  const onMessage = (msg, buffers) => {
    if (!msg || !pending.has(msg.id)) return;
    const { kind, resolve, reject } = pending.get(msg.id);
    pending.delete(msg.id);
    performance.mark(`evalviz:${kind}-answered`, { detail: { id: msg.id, pythonMs: msg.python_ms } });
    if (msg.error !== undefined) {
      reject(new ChannelError(kind, msg.id, String(msg.error)));
      return;
    }
    try {
      resolve({ payload: msg.payload, tables: decodeTables(msg.tables, buffers || []), pythonMs: msg.python_ms });
    } catch (error) {
      reject(error);
    }
  };
  model.on("msg:custom", onMessage);

  return {
    request(kind, payload) {
      count += 1;
      const id = `${prefix}-${count}`;
      return new Promise((resolve, reject) => {
        pending.set(id, { kind, resolve, reject });
        performance.mark(`evalviz:${kind}-asked`, { detail: { id } });
        model.send({ kind, id, payload });
      });
    },
    // Stop listening; requests still pending are never settled.
    close() {
      model.off("msg:custom", onMessage);
      pending.clear();
    },
  };
}
