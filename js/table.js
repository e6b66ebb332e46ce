// Draws an `ev.table` item (src/evalviz/interaction/table.py) with the bundled Tabulator grid.
//
// On a page: the shipped rows, sorted, searched, paged and filtered here. In the live widget (context.channel):
// the widget ships the first page, drawn at once; every other page, sort and search is asked of the kernel
// ("table:<id>" requests), which answers with one page of rows and the count kept; one search or filter change is
// asked at a time, the latest once the answer before it is in. Either way, the selection `filter_by` hides the
// rows it does not keep, and a row click publishes an "in" clause on the row's key columns into `target`.
//
// Every cell, header and note is built as DOM text (textContent): nothing from the data is ever parsed as
// HTML. Tabulator's own fallback would set a string with innerHTML, so every column has a formatter returning
// a node. Only http(s) URLs become links.
import {
  AjaxModule,
  FilterModule,
  FormatModule,
  InteractionModule,
  PageModule,
  ResizeColumnsModule,
  SortModule,
  Tabulator,
} from "tabulator-tables";
import tabulatorCss from "tabulator-tables/dist/css/tabulator_simple.min.css";
import { defaultLocale } from "vega";
import { safeLink } from "./chart.js";
import { registerItem } from "./items.js";
import { active, clauses, clear, keeps, publish, subscribe } from "./selections.js";

Tabulator.registerModule([
  AjaxModule, FilterModule, FormatModule, InteractionModule, PageModule, ResizeColumnsModule, SortModule,
]);

const STYLE_ID = "evalviz-table-style";
const OWN_CSS = `
.evalviz-table { font: 13px "DejaVu Sans", Helvetica, Arial, sans-serif; max-width: 100%; }
.evalviz-table-bar { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; margin-bottom: 6px; }
.evalviz-table-search { font: inherit; padding: 2px 6px; min-width: 14em; }
.evalviz-table-count, .evalviz-table-note { color: #555; font-size: 12px; }
.evalviz-table-note:empty { display: none; }
.evalviz-table .tabulator-row.evalviz-selected { background: #dbeafe; }
.evalviz-table .tabulator-row { cursor: default; }
.evalviz-table .evalviz-null { color: #999; }
`;

// The grid's stylesheet, once per document (a notebook holds many tables).
function injectStyle() {
  if (document.getElementById(STYLE_ID)) return;
  const style = document.createElement("style");
  style.id = STYLE_ID;
  style.textContent = `${tabulatorCss}\n${OWN_CSS}`;
  document.head.appendChild(style);
}

function node(tag, className, text = "") {
  const el = document.createElement(tag);
  if (className) el.className = className;
  el.textContent = text;
  return el;
}

const count = (n) => Number(n).toLocaleString("en-US");

// A cell's node: empty for null, a link for an http(s) URL in a text column, else the value (formatted).
function cellFormatter(column, floatFormat) {
  const pattern = column.format || (column.kind === "float" ? floatFormat : null);
  const format = pattern ? defaultLocale().format(pattern) : String;
  return (cell) => {
    const value = cell.getValue();
    if (value === null || value === undefined) return node("span", "evalviz-null");
    if (column.kind === "text") {
      const url = safeLink(value);
      if (url) {
        const link = node("a", "evalviz-link", value);
        link.href = url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        link.addEventListener("click", (event) => event.stopPropagation()); // following a link selects no row
        return link;
      }
      const text = node("span", null, value);
      text.title = String(value);
      return text;
    }
    return node("span", null, column.kind === "int" || column.kind === "float" ? format(value) : String(value));
  };
}

const titleFormatter = (cell) => node("span", null, cell.getValue());

const isNull = (v) => v === null || v === undefined || v === "";

// Two values as DuckDB's ORDER BY ascending: text by code point, numbers by value, NULLs last.
function compare(a, b) {
  if (isNull(a) || isNull(b)) return isNull(a) === isNull(b) ? 0 : isNull(a) ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

// A column's sorter, as the kernel sorts: the column (NULLs last whichever the direction), then the tie-breaking
// columns ascending (`item.tie_break`: a sample's id and epoch), then the rows' order (Tabulator's sort is stable).
// Tabulator reverses a descending sort's result: what must not turn is turned back.
function rowSorter(item) {
  return (a, b, aRow, bRow, column, dir) => {
    const turn = dir === "asc" ? 1 : -1;
    if (isNull(a) !== isNull(b)) return compare(a, b) * turn;
    const byValue = compare(a, b); // 0 for two NULLs
    if (byValue) return byValue;
    const [aData, bData] = [aRow.getData(), bRow.getData()];
    for (const field of item.tie_break) {
      const byTie = compare(aData[field], bData[field]);
      if (byTie) return byTie * turn;
    }
    return 0;
  };
}

// A value as the kernel's search reads it, as DuckDB writes it: a float with its shortest digits as Python writes
// them ("1.0", "1e-07", "2.5e+16"), NaN as "nan", the rest as JavaScript writes it.
function searchText(kind, value) {
  if (kind !== "float" || typeof value !== "number") return String(value);
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const [digits, power] = value.toExponential().split("e"); // the shortest digits that read back as the value
  const exponent = Number(power);
  if (exponent < -4 || exponent >= 16) {
    return `${digits}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  const fixed = value.toString(); // fixed notation in this range, with the same digits
  return fixed.includes(".") ? fixed : `${fixed}.0`;
}

function columnDefinitions(item) {
  return item.columns.map((column) => ({
    title: column.field,
    field: column.field,
    formatter: cellFormatter(column, item.float_format),
    titleFormatter,
    hozAlign: column.align || (column.kind === "int" || column.kind === "float" ? "right" : "left"),
    headerSort: item.sorting,
    sorter: rowSorter(item),
    maxWidth: 420,
  }));
}

// What a row is, for publishing and for showing it selected: its key columns' values.
const rowKey = (item, data) => item.key.map((k) => (data[k] === undefined ? null : data[k]));

registerItem("table", async (el, item, datasets, context) => {
  injectStyle();
  const live = Boolean(context && context.channel);
  const search = node("input", "evalviz-table-search");
  search.type = "search";
  search.placeholder = "Search";
  search.setAttribute("aria-label", "Search the table");
  const status = node("span", "evalviz-table-count");
  const note = node("span", "evalviz-table-note");
  const bar = node("div", "evalviz-table-bar");
  if (item.search) bar.append(search);
  bar.append(status, note);
  const grid = node("div", "evalviz-table-grid");
  const box = node("div", "evalviz-table");
  if (item.width) box.style.width = `${item.width}px`;
  box.append(bar, grid);
  el.replaceChildren(box);

  const shipped = datasets[item.dataset] || [];
  const fields = new Set(item.fields);
  const selected = new Map(); // JSON of a row's key -> the key
  let searched = "";
  const cleanups = [];

  // The clauses filtering this table; offline, those on columns the page did not ship are set aside (said).
  const filterState = () => (item.filter_by ? active(item.filter_by, item.id) : { resolve: "intersect", clauses: [] });
  const answerable = (state) => {
    const missing = new Set();
    const usable = state.clauses.filter((c) => {
      const ok = c.fields.every((f) => fields.has(f));
      if (!ok) c.fields.filter((f) => !fields.has(f)).forEach((f) => missing.add(f));
      return ok;
    });
    return { state: { resolve: state.resolve, clauses: usable }, missing: Array.from(missing) };
  };
  const capNote = !live && item.total > shipped.length
    ? `${count(shipped.length)} of ${count(item.total)} rows shown (max_rows); sorting, search and filters apply `
      + "to these rows. The live widget in a notebook reads every row."
    : "";
  const showNote = (missing) => {
    const parts = [capNote];
    if (missing.length) {
      parts.push(`Not filtered by ${missing.join(", ")}: this page holds no such column (the live widget does).`);
    }
    note.textContent = parts.filter(Boolean).join(" ");
  };

  const options = {
    columns: columnDefinitions(item),
    layout: item.width ? "fitColumns" : "fitDataTable",
    height: item.height ? `${item.height}px` : false,
    nestedFieldSeparator: false, // a column named "a.b" is that column, not a field b inside a
    pagination: true,
    paginationSize: item.page_size,
    placeholder: node("div", "evalviz-table-empty", "No rows"),
    rowFormatter: (row) => {
      row.getElement().classList.toggle("evalviz-selected", selected.has(JSON.stringify(rowKey(item, row.getData()))));
    },
  };

  let table;
  let asking = false; // live: a search or filter change is being answered
  let askAgain = false; // and another came meanwhile
  if (live) {
    Object.assign(options, {
      ajaxURL: `evalviz:table:${item.id}`,
      paginationMode: "remote",
      sortMode: "remote",
      filterMode: "remote",
      ajaxRequestFunc: async (url, config, params) => {
        // The first page of the table as it is comes with the widget: drawn without asking the kernel.
        const filtering = item.filter_by && filterState().clauses.length;
        if (params.page === 1 && !(params.sort || []).length && !searched && !filtering
            && shipped.length >= Math.min(params.size, item.total)) {
          status.textContent = `${count(item.total)} rows`;
          return {
            last_page: Math.max(1, Math.ceil(item.total / params.size)), last_row: item.total,
            data: shipped.slice(0, params.size),
          };
        }
        const payload = {
          page: params.page,
          size: params.size,
          sort: (params.sort || []).map((s) => ({ column: s.field, dir: s.dir })),
          search: searched,
          filter: item.filter_by ? filterState() : null,
        };
        asking = true;
        try {
          const answer = await context.channel.request(`table:${item.id}`, payload);
          const { total, last_page: lastPage, ignored } = answer.payload;
          status.textContent = `${count(total)} rows`;
          showNote(ignored || []);
          return { last_page: lastPage, last_row: total, data: answer.tables.rows || [] };
        } catch (error) {
          status.textContent = `Could not read rows: ${error.message}`;
          throw error;
        } finally {
          asking = false;
          if (askAgain) {
            askAgain = false;
            setTimeout(() => table.setData()); // once Tabulator has taken this answer
          }
        }
      },
    });
    table = new Tabulator(grid, options);
  } else {
    options.data = shipped;
    table = new Tabulator(grid, options);
  }
  el.evalvizTable = table; // for scripts on the page and tests

  const matchesSearch = (data) => {
    if (!searched) return true;
    const wanted = searched.toLowerCase();
    return item.columns.some(({ field, kind }) => {
      const value = data[field];
      return value !== null && value !== undefined && searchText(kind, value).toLowerCase().includes(wanted);
    });
  };
  const refilter = () => {
    const { state, missing } = answerable(filterState());
    showNote(missing);
    table.setFilter((data) => keeps(state, (f) => data[f]) && matchesSearch(data));
  };
  // Live: a new search or filter asks again from the first page, or once the answer being waited for is in.
  const reload = !live ? refilter : () => {
    if (asking) askAgain = true;
    else table.setData();
  };

  // Live: each text is asked at once (`reload` keeps one question in flight and asks the latest text next); on a
  // page, the shipped rows are filtered again once typing pauses.
  let typing = null;
  search.addEventListener("input", () => {
    clearTimeout(typing);
    const apply = () => {
      searched = search.value.trim();
      reload();
    };
    if (live) apply();
    else typing = setTimeout(apply, 40);
  });

  if (item.filter_by) cleanups.push(subscribe(item.filter_by, () => reload()));

  // Row clicks publish into the target: the clicked row alone, or ("multiple_row") added to / taken from those
  // selected; clicking the only selected row again clears the clause.
  const restyle = () => table.getRows().forEach((row) => row.reformat());
  const publishSelected = () => {
    if (!item.target) return;
    if (!selected.size) clear(item.target, item.id);
    else publish(item.target, { source: item.id, fields: item.key, op: "in", value: Array.from(selected.values()) });
  };
  if (item.select !== "none") {
    table.on("rowClick", (event, row) => {
      const key = rowKey(item, row.getData());
      const id = JSON.stringify(key);
      const had = selected.has(id);
      if (item.select === "single_row") selected.clear();
      if (had) selected.delete(id);
      else selected.set(id, key);
      publishSelected();
      restyle();
    });
  }
  if (item.target) {
    // Cleared elsewhere (a script, another view resetting the selection): nothing stays shown selected.
    cleanups.push(subscribe(item.target, () => {
      if (selected.size && !clauses(item.target).some((c) => c.source === item.id)) {
        selected.clear();
        restyle();
      }
    }));
  }

  if (!live) {
    table.on("dataFiltered", (filters, rows) => {
      status.textContent = rows.length === shipped.length ? `${count(rows.length)} rows`
        : `${count(rows.length)} of ${count(shipped.length)} rows`;
    });
  }
  await new Promise((resolve) => table.on("tableBuilt", resolve));
  if (!live) refilter();
  // The first page drawn, the kernel copies the rows its searches and sorts read (not while the page draws).
  else {
    const copy = () => context.channel.request(`table-drawn:${item.id}`, {}).catch(() => {});
    requestAnimationFrame(() => setTimeout(copy));
  }
  el.dataset.evalvizTable = "ready";
  return {
    finalize: () => {
      clearTimeout(typing);
      cleanups.forEach((stop) => stop());
      table.destroy();
    },
  };
});
