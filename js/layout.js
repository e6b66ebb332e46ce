// A layout item: its items in a row or a column, each drawn by its own kind.
import { drawItem, registerItem } from "./items.js";

registerItem("layout", async (el, item, datasets, context) => {
  el.classList.add("evalviz-layout");
  el.style.display = "flex";
  el.style.flexDirection = item.direction === "row" ? "row" : "column";
  // A page's row (src/evalviz/publishing/page.py) takes the page's width and wraps its items onto further lines.
  el.style.flexWrap = item.wrap ? "wrap" : "nowrap";
  if (item.wrap) el.style.alignSelf = "stretch";
  el.dataset.direction = el.style.flexDirection;
  el.style.gap = "16px";
  el.style.alignItems = "flex-start";
  const children = item.items.map(() => {
    const child = document.createElement("div");
    child.className = "evalviz-item";
    return child;
  });
  el.replaceChildren(...children);
  const drawn = await Promise.all(item.items.map((child, i) => drawItem(children[i], child, datasets, context)));
  return { finalize: () => drawn.forEach((one) => one && one.finalize && one.finalize()) };
});
