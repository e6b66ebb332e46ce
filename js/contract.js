// What the renderer reads beside the Vega-Lite spec, in one place: the spec's usermeta.evalviz, written by
// src/evalviz/rendering/contract.py (RendererContract). Marks are named by their Vega mark name without "_marks".
export function readContract(spec) {
  const meta = (spec && spec.usermeta && spec.usermeta.evalviz) || {};
  return {
    renderer: meta.renderer === "canvas" ? "canvas" : "svg",
    tooltips: meta.tooltips || {}, // mark name -> [{field, title, format?}]
    links: meta.links || {}, // mark name -> the datum field holding the URL a click opens
    drill: meta.drill === true, // a click asks the kernel for the region around the clicked cell
    plotSize: meta.plot_size || null,
    parts: meta.parts || [], // [{path, alone}]: concatenated parts Vega fits as alone
    // [{selection, client, signal, fields: {source column: datum field}, unanswered: {column: why}, highlight}]:
    // selections whose active clauses the renderer keeps in the chart's signal (js/chart_selections.js)
    filters: meta.filters || [],
    // [{selection, client, how: "click"|"legend"|"interval", marks, fields: {datum field: source column}, key,
    // param}]: what the user does that is published into a selection
    publish: meta.publish || [],
    actions: meta.actions !== false, // the actions menu (export); a printed figure has none
  };
}

// The contract's name of the mark a scenegraph item belongs to.
export function markName(item) {
  return item && item.mark && item.mark.name ? item.mark.name.replace(/_marks$/, "") : null;
}
